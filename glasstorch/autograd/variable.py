"""torch.autograd.variable: ``Variable``, PyTorch's old tensor wrapper (merged into Tensor since 0.4).

``Variable(t, requires_grad=False)`` returns a tensor sharing ``t``'s memory (a new leaf, as PyTorch's), and
``isinstance(x, Variable)`` is True for every tensor, as in PyTorch.
"""


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        from ..tensor import Tensor
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """Calling it returns a Tensor (there are no Variable objects)."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        from ..tensor import Tensor
        if data is None:
            from .. import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        t = data.detach()
        if requires_grad:
            t.requires_grad_(True)
        return t


__all__ = ["Variable"]
