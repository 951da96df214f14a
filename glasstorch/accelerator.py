"""glasstorch.accelerator: the device-neutral API of PyTorch 2.6+ (no accelerator is available)."""


def is_available():
    return False


def current_accelerator(check_available=False):
    """The current accelerator device, or None: glasstorch runs on the CPU."""
    return None


def device_count():
    return 0
