"""torch.backends.mkl: glasstorch is not built with MKL (NumPy may use it; glasstorch does not ask)."""
VERBOSE_OFF, VERBOSE_ON = 0, 1


def is_available():
    return False


class verbose:
    """``with torch.backends.mkl.verbose(level):`` does nothing here."""

    def __init__(self, enable):
        self.enable = enable

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
