"""glasstorch.cuda: reports that no CUDA device is available (glasstorch computes with NumPy)."""


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Accepted and ignored: there is no CUDA generator to seed."""


def manual_seed_all(seed):
    """Accepted and ignored: there is no CUDA generator to seed."""


def synchronize(device=None):
    """Nothing to wait for on the CPU."""


def empty_cache():
    """Nothing to free: no CUDA caching allocator."""
