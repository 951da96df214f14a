"""glasstorch.accelerator: the device-neutral API of PyTorch 2.6+, as a CPU-only PyTorch answers it (no
accelerator: what needs one raises PyTorch's RuntimeError)."""

_NONE = "Cannot access accelerator device when none is available."


def is_available():
    return False


def current_accelerator(check_available=False):
    """The current accelerator device, or None: glasstorch runs on the CPU."""
    return None


def device_count():
    return 0


def _none(*args, **kwargs):
    raise RuntimeError(_NONE)


current_device_index = current_device_idx = set_device_index = set_device_idx = synchronize = _none
