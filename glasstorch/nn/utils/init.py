"""``skip_init``: build a module without running its parameter initialization (``torch.nn.utils.skip_init``).

PyTorch builds it on the meta device (no memory, no init) and then gives it uninitialized memory
(``to_empty``). glasstorch has no meta device: the module is built normally and its parameters and buffers
then get fresh uninitialized memory, so the result is the same (arbitrary values), only not faster.
"""
import inspect

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """``module_cls(*args, **kwargs)`` with uninitialized parameters (initialize them yourself)."""
    from ..modules.module import Module
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    kwargs["device"] = final_device
    return module_cls(*args, **kwargs).to_empty(device=final_device)
