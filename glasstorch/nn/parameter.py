"""Parameter and Buffer: the tensors a Module owns.

A ``Parameter`` is a Tensor that says "I am a learnable weight": assigning one to a Module attribute
(``self.weight = nn.Parameter(...)``) registers it, so ``module.parameters()`` finds it and an optimizer
can update it. It shares memory with the tensor it was made from and requires grad by default.

A ``Buffer`` (PyTorch 2.x) marks a tensor that belongs to the module's state but is not learned (running
statistics, masks): assigning one registers it as a buffer, as ``register_buffer`` does.
"""
from ..tensor import Tensor
from ..autograd.function import wrap
from .. import _dtype

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


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


_UNINITIALIZED_USE = ("Attempted to use an uninitialized parameter in {}. This error happens when you are using a "
                      "`LazyModule` or explicitly manipulating `torch.nn.parameter.UninitializedParameter` objects. "
                      "When using LazyModules Call `forward` with a dummy batch to initialize the parameters before "
                      "calling torch functions")


class UninitializedTensorMixin:
    """A tensor whose shape is not known yet (the weights of a Lazy module before its first forward).

    It holds no values: reading its memory (any op) raises ValueError, its shape RuntimeError, as PyTorch's.
    ``materialize(shape)`` gives it (uninitialized) memory of that shape and turns it into ``cls_to_become``
    (Parameter or Tensor), in place: the object stays the same, so modules and optimizers holding it see it."""

    cls_to_become = None

    @property
    def _array(self):
        raise ValueError(_UNINITIALIZED_USE.format("an operation"))

    @_array.setter
    def _array(self, value):
        self.__dict__["_array"] = value

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually "
                           "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
                           "initialized one. Call `forward` to initialize the parameters before accessing their "
                           "attributes.")

    @property
    def dtype(self):
        return self._uninitialized_dtype

    def size(self, dim=None):
        raise ValueError(_UNINITIALIZED_USE.format("size"))

    def numel(self):
        raise ValueError(_UNINITIALIZED_USE.format("numel"))

    def dim(self):
        raise ValueError(_UNINITIALIZED_USE.format("dim"))

    def _start_uninitialized(self, requires_grad, dtype):
        self._uninitialized_dtype = dtype if dtype is not None else _dtype.get_default_dtype()
        self._requires_grad = bool(requires_grad)

    def materialize(self, shape, device=None, dtype=None):
        """Give the tensor memory of ``shape`` (uninitialized values, as ``torch.empty``) and make it a
        ``cls_to_become``."""
        from ..creation import empty
        dtype = dtype if dtype is not None else self._uninitialized_dtype
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        self.__dict__["_array"] = empty(shape, dtype=dtype, device=device)._array
        del self.__dict__["_uninitialized_dtype"]
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, proto):
        return (type(self), (self.requires_grad,))


def is_lazy(param):
    """Whether ``param`` is still an uninitialized parameter or buffer."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """``UninitializedParameter(requires_grad=True, device=None, dtype=None)``: a Parameter of unknown shape;
    ``materialize(shape)`` makes it an ordinary Parameter."""

    cls_to_become = Parameter

    def __init__(self, requires_grad=True, device=None, dtype=None):
        self._start_uninitialized(requires_grad, dtype)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """``UninitializedBuffer(requires_grad=False, device=None, dtype=None, persistent=True)``: a buffer of
    unknown shape; ``materialize(shape)`` makes it an ordinary Tensor."""

    cls_to_become = Tensor

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        self._start_uninitialized(requires_grad, dtype)
        self.persistent = persistent
