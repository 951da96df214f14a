"""``convert_conv2d_weight_memory_format`` / ``convert_conv3d_weight_memory_format``
(``torch.nn.utils.memory_format``): PyTorch re-lays the convolution weights out as channels_last for faster
kernels. glasstorch's arrays have one layout, so these accept the call and return the module unchanged (the
numbers are the same in PyTorch too: only the memory layout differs)."""

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def convert_conv2d_weight_memory_format(module, memory_format):
    """Returns ``module`` unchanged (a no-op in glasstorch)."""
    return module


def convert_conv3d_weight_memory_format(module, memory_format):
    """Returns ``module`` unchanged (a no-op in glasstorch)."""
    return module
