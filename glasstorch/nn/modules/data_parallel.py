"""DataParallel: PyTorch's wrapper that splits each batch over several GPUs.

glasstorch runs on one device, so it behaves as PyTorch's DataParallel does where no GPU is available: a
transparent wrapper. The wrapped model is the child ``module`` (so state_dict keys get the ``module.``
prefix, as PyTorch's), ``device_ids`` is empty, and forward calls the module with the same arguments.
"""
from .module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """``DataParallel(module, device_ids=None, output_device=None, dim=0)``: on glasstorch's single CPU device,
    ``forward(*inputs, **kwargs)`` is ``module(*inputs, **kwargs)`` (PyTorch's behaviour without GPUs)."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = []

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
