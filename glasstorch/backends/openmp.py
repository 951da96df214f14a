"""torch.backends.openmp: glasstorch has no OpenMP parallel loops of its own (NumPy's BLAS threads its own)."""


def is_available():
    return False
