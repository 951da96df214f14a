"""torch.backends.cudnn: no cuDNN in glasstorch (``is_available()`` is False); the flags are kept and settable."""
import contextlib

enabled = True          # PyTorch's defaults
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True


def is_available():
    return False


def version():
    """The cuDNN version: None, as in PyTorch without cuDNN."""
    return None


def is_acceptable(tensor):
    return False


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the flags for a block, then restore them (PyTorch's ``torch.backends.cudnn.flags``)."""
    g = globals()
    old = {k: g[k] for k in ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")}
    g.update(enabled=enabled, benchmark=benchmark, benchmark_limit=benchmark_limit, deterministic=deterministic,
             allow_tf32=allow_tf32)
    try:
        yield
    finally:
        g.update(old)
