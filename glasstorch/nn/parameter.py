"""Parameter and Buffer: the tensors a Module owns.

A ``Parameter`` is a Tensor that says "I am a learnable weight": assigning one to a Module attribute
(``self.weight = nn.Parameter(...)``) registers it, so ``module.parameters()`` finds it and an optimizer
can update it. It shares memory with the tensor it was made from and requires grad by default.

A ``Buffer`` (PyTorch 2.x) marks a tensor that belongs to the module's state but is not learned (running
statistics, masks): assigning one registers it as a buffer, as ``register_buffer`` does.
"""
from ..tensor import Tensor
from ..autograd.function import wrap

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """``Parameter(data=None, requires_grad=True)``: a leaf tensor a Module registers as a weight.

    ``data`` is shared, not copied (as in PyTorch). Results of ops on a Parameter are plain Tensors.
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter expects a Tensor as data, got {type(data).__name__}")
        self._array = data._array
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()



class Buffer(Tensor):
    """``Buffer(data=None, *, persistent=True)``: assigning it to a Module attribute registers a buffer.

    The module stores a plain Tensor sharing ``data``'s memory (as PyTorch, where ``type(nn.Buffer(t))`` is
    ``torch.Tensor``); ``persistent=False`` keeps it out of ``state_dict``.
    """

    def __init__(self, data=None, *, persistent=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        self._array = data._array
        self._requires_grad = data._requires_grad
        self.persistent = persistent

    def as_tensor(self):
        """The plain Tensor the module stores (same memory)."""
        return wrap(self._array, self._requires_grad)
