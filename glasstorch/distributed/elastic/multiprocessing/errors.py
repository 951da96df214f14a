"""``@record``: torchrun scripts decorate their main with it so that a failing rank's traceback reaches the
launcher. glasstorch's launcher already shows every failing rank's traceback (distributed/_worker.py), so
``record`` returns the function unchanged."""

__all__ = ["record"]


def record(fn=None, error_handler=None):
    if fn is None:
        return lambda f: f
    return fn
