"""glasstorch.cuda: PyTorch's ``torch.cuda`` as a CPU-only PyTorch build answers it.

glasstorch computes with NumPy on the CPU; its GPU backend (CuPy behind the array seam, glasstorch/backend.py)
is not written yet (issue 19). Until it is, every function here gives what ``torch.cuda`` gives in PyTorch's
CPU build: ``is_available()`` is False and ``device_count()`` 0, the memory counters read 0, seeding and
``empty_cache`` are accepted, and whatever needs a device raises PyTorch's AssertionError, "Torch not compiled
with CUDA enabled" (tests/cuda/ compares each against the installed CPU PyTorch). So the course's
``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")`` picks the CPU.
"""
from ._device import NO_CUDA


def _no_cuda(*args, **kwargs):
    raise AssertionError(NO_CUDA)


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def is_bf16_supported(including_emulation=True):
    return False


def memory_allocated(device=None):
    """Bytes held by tensors on the device: 0, there is none."""
    return 0


def max_memory_allocated(device=None):
    return 0


def memory_reserved(device=None):
    return 0


def max_memory_reserved(device=None):
    return 0


def empty_cache():
    """Nothing to free: no CUDA caching allocator."""


def manual_seed(seed):
    """Accepted and ignored: there is no CUDA generator to seed."""


def manual_seed_all(seed):
    """Accepted and ignored: there is no CUDA generator to seed."""


def seed():
    """Accepted and ignored, as in a CPU-only PyTorch."""


def seed_all():
    """Accepted and ignored, as in a CPU-only PyTorch."""


def set_rng_state(new_state, device="cuda"):
    """Accepted and ignored, as in a CPU-only PyTorch."""


# what needs a device raises PyTorch's AssertionError
current_device = synchronize = get_device_name = get_device_properties = get_device_capability = _no_cuda
init = initial_seed = get_rng_state = get_rng_state_all = mem_get_info = ipc_collect = set_device = _no_cuda
