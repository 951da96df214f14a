"""Switching gradient recording on and off: no_grad, enable_grad, set_grad_enabled, inference_mode.

Each is a context manager and a decorator, as in PyTorch:

    with glasstorch.no_grad():          @glasstorch.no_grad()
        y = model(x)                    def evaluate(model): ...
"""
import functools
import threading


class _GradModeState(threading.local):
    """Holds the one switch that every Function.apply reads, one per thread (as PyTorch's grad mode is):
    a thread evaluating under ``no_grad()`` does not switch recording off for a thread that trains.
    A new thread starts with recording on, whatever the thread that started it had."""

    enabled = True

    def __setattr__(self, name, value):
        # GRAD_OFF counts the threads that have recording off, so that Function.apply reads this thread's
        # switch only while some thread has it off (the thread-local read costs more than the check)
        value = bool(value)
        if name == "enabled" and value != self.enabled:
            with _GRAD_OFF_LOCK:
                GRAD_OFF[0] += -1 if value else 1
        super().__setattr__(name, value)


GRAD_OFF = [0]
_GRAD_OFF_LOCK = threading.Lock()
GradMode = _GradModeState()


def is_grad_enabled():
    return GradMode.enabled


class _GradModeContext:
    mode = True

    def __enter__(self):
        self._previous = GradMode.enabled
        GradMode.enabled = self.mode

    def __exit__(self, *exc):
        GradMode.enabled = self._previous
        return False

    def __call__(self, fn):
        # used as a decorator: @no_grad() (an instance) or @no_grad (the class, handled in __new__)
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return fn(*args, **kwargs)

        return wrapper

    def _args(self):
        return ()


class no_grad(_GradModeContext):
    """Ops inside record no graph: their results have ``requires_grad=False``."""

    mode = False

    def __new__(cls, fn=None):
        self = super().__new__(cls)
        if callable(fn):  # bare decorator: @no_grad
            return self(fn)
        return self

    def __init__(self, fn=None):
        pass


class enable_grad(no_grad):
    """Record gradients again inside a ``no_grad`` block."""

    mode = True


class inference_mode(_GradModeContext):
    """Same as ``no_grad`` here (PyTorch's extra inference-tensor restrictions are not modelled)."""

    def __init__(self, mode=True):
        self._mode = mode

    def __enter__(self):
        self._previous = GradMode.enabled
        GradMode.enabled = GradMode.enabled and not self._mode

    def _args(self):
        return (self._mode,)


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` switches recording off at once; as a context manager it restores it."""

    def __init__(self, mode):
        self._previous = GradMode.enabled
        self._mode = bool(mode)
        GradMode.enabled = self._mode

    def __enter__(self):
        GradMode.enabled = self._mode

    def __call__(self, fn):
        GradMode.enabled = self._previous  # as a decorator it must not switch anything at definition time
        return super().__call__(fn)

    def _args(self):
        return (self._mode,)
