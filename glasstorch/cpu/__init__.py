"""torch.cpu: the CPU as a device module (always available: glasstorch computes on it with NumPy)."""
from .._missing import missing_api
from . import amp


def is_available():
    return True


def device_count():
    return 1


def current_device():
    return "cpu"


def synchronize(device=None):
    """Nothing to wait for: NumPy computes synchronously."""


__all__ = ["amp", "is_available", "device_count", "current_device", "synchronize"]

__getattr__ = missing_api(__name__)
