"""torch.backends.mkldnn: glasstorch has no oneDNN (its kernels are NumPy's); the flags are settable."""
import contextlib

enabled = True
deterministic = False
allow_tf32 = False
VERBOSE_OFF, VERBOSE_ON, VERBOSE_ON_CREATION = 0, 1, 2


def is_available():
    return False


@contextlib.contextmanager
def flags(enabled=False, deterministic=False):
    g = globals()
    old = (g["enabled"], g["deterministic"])
    g["enabled"], g["deterministic"] = enabled, deterministic
    try:
        yield
    finally:
        g["enabled"], g["deterministic"] = old


class verbose:
    """``with torch.backends.mkldnn.verbose(level):`` does nothing here (no oneDNN to make verbose)."""

    def __init__(self, level):
        self.level = level

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
