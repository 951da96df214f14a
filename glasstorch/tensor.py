"""Tensor: an n-dimensional array plus what autograd needs to know about it.

A Tensor holds
- ``_array``: the values, a NumPy array (``.numpy()`` returns it without copying);
- ``requires_grad``: whether gradients should flow to it;
- ``grad_fn``: the graph node (a Function) that produced it, or None for a leaf;
- ``grad``: after ``backward()``, the gradient dL/d(this tensor), for leaves (and retain_grad()).

Every method that computes something is a one-line call into ``glasstorch.ops``: the maths lives there,
one op per Function, with its forward and backward side by side.
"""
import numbers

import numpy as np

from . import _dtype
from ._device import CPU, check_device
from ._size import Size
from ._methods.linalg import LinalgMethods
from ._methods.math import MathMethods
from ._methods.misc import MiscMethods
from ._methods.products import ProductMethods
from ._methods.shape import ShapeMethods
from ._methods.stats import StatsMethods


def _shape_args(args):
    """Accept shapes as f(2, 3), f((2, 3)), f([2, 3]) or f(glasstorch.Size([2, 3]))."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(int(s) for s in args[0])
    return tuple(int(s) for s in args)


class Tensor(MathMethods, StatsMethods, ShapeMethods, ProductMethods, LinalgMethods, MiscMethods):
    """A multi-dimensional array that can record the operations applied to it (see module docstring).

    The core is here; the method families that mirror the op families are mixins in glasstorch/_methods/.
    """

    __array_priority__ = 1000  # NumPy scalars on the left (np.float32(2) * t) defer to Tensor's operators
    _requires_grad = False
    _grad = None
    _grad_fn = None
    _hooks = None
    _accumulator = None
    _retains_grad = False
    # storage and views (autograd/function.py): the version counter shared with views and detached aliases,
    # the tensor owning the memory when this one is a view of it, and the counter's value when this view's
    # graph node was made (a different value means the base was written since: the node is redone)
    _vc = None
    _base = None
    _view_version = 0
    _view_of = None         # the multi-output view op (split, chunk, unbind) that made this view, if one did
    _view_output_nr = 0
    _view_no_grad = False   # a view of a tensor requiring grad, made under no_grad

    def __init__(self, *args, dtype=None, device=None):
        """Legacy constructor: ``Tensor([1, 2])`` (float32 copy of data) or ``Tensor(2, 3)`` (uninitialized)."""
        check_device(device)
        dt = _dtype.to_numpy(dtype) if dtype is not None else _dtype.get_default_dtype().numpy_dtype
        if len(args) == 1 and not isinstance(args[0], (numbers.Integral, Size)):  # Tensor(Size([2, 3])) is a shape
            data = args[0]
            self._array = np.array(data._array if isinstance(data, Tensor) else data, dtype=dt)
        else:
            self._array = np.empty(_shape_args(args) if args else (0,), dtype=dt)

    # -- basic properties -----------------------------------------------------------------------------
    @property
    def requires_grad(self):
        if self._base is not None:
            _function.refresh_view(self)
        return self._requires_grad

    @property
    def grad_fn(self):
        """The graph node that made this tensor (None for a leaf). A view whose base was written in place since
        it was made gets a new node (AsStridedBackward0), as in PyTorch."""
        if self._base is not None:
            _function.refresh_view(self)
        return self._grad_fn

    @grad_fn.setter
    def grad_fn(self, node):
        self._grad_fn = node

    @property
    def grad(self):
        """dL/d(this tensor) after ``backward()``: kept for leaves (and non-leaves that called retain_grad())."""
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            import warnings
            warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._array.shape != self._array.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value._array.shape)}' to a "
                                   f"tensor of size '{list(self._array.shape)}'. Please ensure that the gradient "
                                   f"and the tensor are the same size")
            if value._array.dtype != self._array.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype '{_C_TYPE_NAMES.get(value.dtype.name, value.dtype.name)}' "
                                   f"to a tensor with grad_dtype '{_TYPE_NAMES.get(self.dtype.name, self.dtype.name)}'. "
                                   f"The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype).")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def _version(self):
        """How many in-place writes this tensor's memory has had (shared with its views and detach())."""
        vc = self._vc
        return 0 if vc is None else vc.value

    @_version.setter
    def _version(self, value):
        _function.version_counter(self).value = value

    def _is_view(self):
        return self._base is not None

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        if self._grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
            )
        if requires_grad and not _dtype.is_float_array(self._array):
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        if self._grad_fn is None:
            self._requires_grad = bool(requires_grad)
        return self

    @property
    def data(self):
        """The same values without history (shares memory), as ``tensor.data`` in PyTorch. Unlike ``detach()``
        it has a version counter of its own, so writes through it are not seen by autograd: that is what makes
        ``.data`` unsafe, in PyTorch and here."""
        _function.version_counter(self)  # its memory is now seen elsewhere: in-place ops must write into it
        t = _wrap(self._array)
        t._vc = _function.VersionCounter()
        return t

    @data.setter
    def data(self, value):
        self._array = value._array if isinstance(value, Tensor) else np.asarray(value)

    @property
    def shape(self):
        return Size(self._array.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._array.shape)
        return self._array.shape[_canonical_dim(dim, self._array.ndim)]

    @property
    def dtype(self):
        return _dtype.from_numpy(self._array.dtype)

    @property
    def device(self):
        return CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False

    @property
    def ndim(self):
        return self._array.ndim

    def dim(self):
        return self._array.ndim

    ndimension = dim

    def numel(self):
        return self._array.size

    nelement = numel

    def element_size(self):
        return self._array.itemsize

    @property
    def itemsize(self):
        return self._array.itemsize

    @property
    def nbytes(self):
        return self._array.nbytes

    @property
    def is_leaf(self):
        return self.grad_fn is None

    def is_floating_point(self):
        return _dtype.is_float_array(self._array)

    def is_complex(self):
        return False

    def is_contiguous(self, memory_format=None):
        return self._array.flags.c_contiguous

    def stride(self, dim=None):
        a = self._array
        strides = [s // a.itemsize for s in a.strides]
        for d in range(a.ndim - 1, -1, -1):  # NumPy's x[None] gives a size-1 dim stride 0; PyTorch, the
            if strides[d] == 0 and a.shape[d] == 1:  # stride a contiguous layout would have there
                strides[d] = strides[d + 1] * a.shape[d + 1] if d + 1 < a.ndim else 1
        strides = tuple(strides)
        return strides if dim is None else strides[_canonical_dim(dim, a.ndim)]

    def data_ptr(self):
        _function.version_counter(self)  # once the address is known, in-place ops keep this memory
        return self._array.__array_interface__["data"][0]

    def untyped_storage(self):
        """The memory this tensor is a window on (shared by its views): ``data_ptr()``, ``nbytes()``."""
        _function.version_counter(self)
        return _storage.UntypedStorage(self._array)

    def storage_offset(self):
        """Where this tensor starts in its storage, in elements."""
        return _storage.UntypedStorage(self._array).offset_of(self._array)

    @property
    def real(self):
        """For real dtypes, the tensor itself (as in PyTorch)."""
        return self

    def get_device(self):
        return -1

    # -- conversion to Python and NumPy ---------------------------------------------------------------
    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        _function.version_counter(self)  # the array is now seen outside: in-place ops must write into it
        return self._array

    def __array__(self, dtype=None, copy=None):
        a = self._array
        if dtype is None:
            _function.version_counter(self)
            return a
        return a.astype(dtype)

    def tolist(self):
        return self._array.tolist()

    def item(self):
        if self._array.size != 1:
            raise RuntimeError(f"a Tensor with {self._array.size} elements cannot be converted to Scalar")
        return self._array.reshape(()).item()

    def __len__(self):
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self):
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._array.size != 1:
            which = "no values" if self._array.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {which} is ambiguous")
        return bool(self._array.reshape(()))

    def _python_scalar(self):
        if self._array.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __float__(self):
        return float(self._python_scalar())

    def __int__(self):
        return int(self._python_scalar())

    def __format__(self, spec):
        """A 0-d tensor formats as its number (``f"{loss:.3f}"``); others as their repr."""
        if self._array.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __index__(self):
        if self._array.dtype.kind not in "iub" or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    __hash__ = object.__hash__

    def __repr__(self):
        return _tensor_str.tensor_repr(self)

    def __reduce_ex__(self, protocol):
        # copy.deepcopy(tensor) works (as for PyTorch); pickle files are never *loaded* by glasstorch
        return (_rebuild, (self._array.copy(), self._requires_grad, type(self)))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol")
        new = type(self).__new__(type(self))
        skip = ("_accumulator", "_hooks", "_grad", "_vc", "_base", "_view_version", "_view_of", "_view_no_grad")
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k not in skip})
        new._array = self._array.copy()
        if self._grad is not None:
            new._grad = _wrap(self._grad._array.copy())
        memo[id(self)] = new
        return new

    # -- dtype and device -----------------------------------------------------------------------------
    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``; also keyword forms."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (_dtype.dtype, np.dtype)):
                dtype = a
            elif isinstance(a, (str, _device_cls)):
                device = a
            elif a is None:
                continue
            else:
                raise TypeError(f"to() received an invalid argument {a!r}")
        check_device(device)
        result = self
        if dtype is not None and _dtype.to_numpy(dtype) != self._array.dtype:
            result = _ew.to_dtype(self, dtype)
        elif copy:
            result = self.clone()
        return result

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def half(self):
        return self.to(_dtype.float16)

    def long(self):
        return self.to(_dtype.int64)

    def int(self):
        return self.to(_dtype.int32)

    def short(self):
        return self.to(_dtype.int16)

    def char(self):
        return self.to(_dtype.int8)

    def byte(self):
        return self.to(_dtype.uint8)

    def bool(self):
        return self.to(_dtype.bool_)

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False):
        check_device("cuda")

    def pin_memory(self):
        return self

    def share_memory_(self):
        """Move this tensor's values into shared memory, in place (a no-op if they are there already).

        Then ``is_shared()`` is True, a forked child writes into the same memory, and sending the tensor to
        another process (glasstorch.multiprocessing queues, pipes, Pool, spawn) sends the shared memory's
        file descriptor, not the values: the receiver's tensor is a view of the same memory.
        Deviation: PyTorch moves the storage, so views made earlier move with it; here only this tensor
        (and views, ``.data`` or ``detach()`` made afterwards) are in shared memory.
        """
        from . import _storage
        if not _storage.is_shared_array(self._array):
            self._array = _storage.shared_array_like(self._array)
        return self

    # -- autograd -------------------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute d(self)/d(leaf) for every leaf that requires grad and add it into ``leaf.grad``."""
        _autograd.backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)

    def detach(self):
        """The same values (shared memory and version counter) cut off from the graph."""
        t = _wrap(self._array)
        t._vc = _function.version_counter(self)
        return t

    def detach_(self):
        if self._base is not None and self._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                               "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                               "called on these gradients. To fix this error, please refer to the "
                               "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    def register_hook(self, hook):
        """``hook(grad) -> Tensor or None`` runs when this tensor's gradient is computed; may replace it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            self.grad_fn.register_prehook(hook)
            hooks = self.grad_fn._pre_hooks
        else:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            hooks = self._hooks
        return _RemovableHandle(hooks, hook)

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None and not self._retains_grad:
            _engine.retain(self.grad_fn, self)
            self._retains_grad = True

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def output_nr(self):
        return 0

    # -- creation helpers -----------------------------------------------------------------------------
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return _creation.tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.zeros(_shape_args(size), dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.ones(_shape_args(size), dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        return _creation.full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return _creation.empty(_shape_args(size), dtype=dtype or self.dtype, requires_grad=requires_grad)

    def clone(self, memory_format=None):
        return _ew.clone(self)

    # -- arithmetic operators -------------------------------------------------------------------------
    def __add__(self, other):
        return _ew.add(self, other)

    def __radd__(self, other):
        return _ew.add(other, self)

    def __sub__(self, other):
        return _ew.sub(self, other)

    def __rsub__(self, other):
        return _ew.sub(other, self)

    def __mul__(self, other):
        return _ew.mul(self, other)

    def __rmul__(self, other):
        return _ew.mul(other, self)

    def __truediv__(self, other):
        return _ew.div(self, other)

    def __rtruediv__(self, other):
        return _ew.div(other, self)

    def __floordiv__(self, other):
        return _ew.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _ew.floor_divide(other, self)

    def __mod__(self, other):
        return _ew.remainder(self, other)

    def __rmod__(self, other):
        return _ew.remainder(other, self)

    def __pow__(self, other):
        return _ew.pow(self, other)

    def __rpow__(self, other):
        return _ew.pow(other, self)

    def __matmul__(self, other):
        return _mm.matmul(self, other)

    def __rmatmul__(self, other):
        return _mm.matmul(other, self)

    def __neg__(self):
        return _ew.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ew.abs(self)

    def __invert__(self):
        return _ew.bitwise_not(self)

    def __and__(self, other):
        return _ew.bitwise_and(self, other)

    __rand__ = __and__

    def __or__(self, other):
        return _ew.bitwise_or(self, other)

    __ror__ = __or__

    def __xor__(self, other):
        return _ew.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __eq__(self, other):
        return _ew.eq(self, other)

    def __ne__(self, other):
        return _ew.ne(self, other)

    def __lt__(self, other):
        return _ew.lt(self, other)

    def __le__(self, other):
        return _ew.le(self, other)

    def __gt__(self, other):
        return _ew.gt(self, other)

    def __ge__(self, other):
        return _ew.ge(self, other)

    # in-place operators (x += y) are the in-place ops
    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    # -- elementwise methods --------------------------------------------------------------------------
    def add(self, other, *, alpha=1):
        return _ew.add(self, other, alpha=alpha)

    def sub(self, other, *, alpha=1):
        return _ew.sub(self, other, alpha=alpha)

    subtract = sub

    def mul(self, other):
        return _ew.mul(self, other)

    multiply = mul

    def div(self, other, *, rounding_mode=None):
        return _ew.div(self, other, rounding_mode=rounding_mode)

    divide = true_divide = div

    def floor_divide(self, other):
        return _ew.floor_divide(self, other)

    def remainder(self, other):
        return _ew.remainder(self, other)

    def pow(self, exponent):
        return _ew.pow(self, exponent)

    def neg(self):
        return _ew.neg(self)

    negative = neg

    def abs(self):
        return _ew.abs(self)

    absolute = abs

    def exp(self):
        return _ew.exp(self)

    def expm1(self):
        return _ew.expm1(self)

    def log(self):
        return _ew.log(self)

    def log1p(self):
        return _ew.log1p(self)

    def log2(self):
        return _ew.log2(self)

    def log10(self):
        return _ew.log10(self)

    def sqrt(self):
        return _ew.sqrt(self)

    def rsqrt(self):
        return _ew.rsqrt(self)

    def square(self):
        return _ew.square(self)

    def reciprocal(self):
        return _ew.reciprocal(self)

    def sin(self):
        return _ew.sin(self)

    def cos(self):
        return _ew.cos(self)

    def tan(self):
        return _ew.tan(self)

    def tanh(self):
        return _ew.tanh(self)

    def sigmoid(self):
        return _ew.sigmoid(self)

    def relu(self):
        return _ew.relu(self)

    def erf(self):
        return _ew.erf(self)

    def sign(self):
        return _ew.sign(self)

    def floor(self):
        return _ew.floor(self)

    def ceil(self):
        return _ew.ceil(self)

    def round(self, *, decimals=0):
        return _ew.round(self, decimals=decimals)

    def trunc(self):
        return _ew.trunc(self)

    def clamp(self, min=None, max=None):
        return _ew.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min):
        return _ew.clamp(self, min, None)

    def clamp_max(self, max):
        return _ew.clamp(self, None, max)

    def maximum(self, other):
        return _ew.maximum(self, other)

    def minimum(self, other):
        return _ew.minimum(self, other)

    def where(self, condition, other):
        return _ew.where(condition, self, other)

    def lerp(self, end, weight):
        return _ew.lerp(self, end, weight)

    def addcmul(self, tensor1, tensor2, *, value=1):
        return _mm.addcmul(self, tensor1, tensor2, value=value)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        return _mm.addcdiv(self, tensor1, tensor2, value=value)

    def eq(self, other):
        return _ew.eq(self, other)

    def ne(self, other):
        return _ew.ne(self, other)

    def lt(self, other):
        return _ew.lt(self, other)

    def le(self, other):
        return _ew.le(self, other)

    def gt(self, other):
        return _ew.gt(self, other)

    def ge(self, other):
        return _ew.ge(self, other)

    def equal(self, other):
        return self._array.shape == other._array.shape and bool((self._array == other._array).all())

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(np.allclose(self._array, other._array, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return _wrap(np.isclose(self._array, _ew.as_array(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def logical_not(self):
        return _ew.logical_not(self)

    def logical_and(self, other):
        return _ew.logical_and(self, other)

    def logical_or(self, other):
        return _ew.logical_or(self, other)

    def logical_xor(self, other):
        return _ew.logical_xor(self, other)

    def isnan(self):
        return _ew.isnan(self)

    def isinf(self):
        return _ew.isinf(self)

    def isfinite(self):
        return _ew.isfinite(self)

    # -- in-place ops (ops/inplace.py: PyTorch's rules on leaves that require grad) ------------------
    def add_(self, other, *, alpha=1):
        return _inplace.add_(self, other, alpha=alpha)

    def sub_(self, other, *, alpha=1):
        return _inplace.sub_(self, other, alpha=alpha)

    def mul_(self, other):
        return _inplace.mul_(self, other)

    def div_(self, other, *, rounding_mode=None):
        return _inplace.div_(self, other, rounding_mode=rounding_mode)

    def pow_(self, exponent):
        return _inplace.apply_(self, _ew.pow, exponent)

    def neg_(self):
        return _inplace.apply_(self, _ew.neg)

    def abs_(self):
        return _inplace.apply_(self, _ew.abs)

    def exp_(self):
        return _inplace.apply_(self, _ew.exp)

    def log_(self):
        return _inplace.apply_(self, _ew.log)

    def sqrt_(self):
        return _inplace.apply_(self, _ew.sqrt)

    def tanh_(self):
        return _inplace.apply_(self, _ew.tanh)

    def sigmoid_(self):
        return _inplace.apply_(self, _ew.sigmoid)

    def relu_(self):
        return _inplace.apply_(self, _ew.relu)

    def clamp_(self, min=None, max=None):
        return _inplace.clamp_(self, min, max)

    clip_ = clamp_

    def clamp_min_(self, min):
        return _inplace.clamp_(self, min, None)

    def clamp_max_(self, max):
        return _inplace.clamp_(self, None, max)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        return _inplace.addcmul_(self, tensor1, tensor2, value=value)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return _inplace.addcdiv_(self, tensor1, tensor2, value=value)

    def lerp_(self, end, weight):
        return _inplace.apply_(self, _ew.lerp, end, weight)

    def zero_(self):
        return _inplace.fill_(self, 0)

    def fill_(self, value):
        return _inplace.fill_(self, value)

    def copy_(self, src, non_blocking=False):
        return _inplace.copy_(self, src)

    def masked_fill_(self, mask, value):
        return _inplace.apply_(self, _index.masked_fill, mask, value)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return _inplace.apply_(self, _index.scatter, dim, index, src, value=value, reduce=reduce)

    def scatter_add_(self, dim, index, src):
        return _inplace.apply_(self, _index.scatter_add, dim, index, src)

    def index_fill_(self, dim, index, value):
        return _inplace.apply_(self, _index.index_fill, dim, index, value)

    def __setitem__(self, key, value):
        _index.setitem(self, key, value)

    # random fills: drawn as PyTorch's CPU generator draws them, in the tensor's memory order
    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        dt = self._array.dtype
        return _inplace.set_values_(self, _random.in_memory_order(
            self._array, lambda shape: _random.uniform_array(shape, a, b, dt, generator)))

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        # PyTorch's vectorized fill for a contiguous tensor of >= 16 elements, its scalar draws otherwise
        dt, contiguous = self._array.dtype, self.is_contiguous()
        return _inplace.set_values_(self, _random.in_memory_order(
            self._array, lambda shape: _random.normal_array(shape, mean, std, dt, generator, contiguous)))

    def bernoulli_(self, p=0.5, *, generator=None):
        if isinstance(p, Tensor):  # one uniform of p's type per element: u < p
            probs = np.broadcast_to(p._array, self._array.shape)
            return _inplace.set_values_(self, _random.bernoulli_tensor_array(probs, generator))
        return _inplace.set_values_(self, _random.in_memory_order(
            self._array, lambda shape: _random.bernoulli_scalar_array(shape, p, generator)))

    def random_(self, from_=0, to=None, *, generator=None):
        dt = self._array.dtype
        return _inplace.set_values_(self, _random.in_memory_order(
            self._array, lambda shape: _random.random_fill_array(shape, dt, from_, to, generator)))

    def exponential_(self, lambd=1.0, *, generator=None):
        if not lambd > 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
        dt = self._array.dtype
        return _inplace.set_values_(self, _random.in_memory_order(
            self._array, lambda shape: _random.exponential_array(shape, lambd, dt, generator)))

    # -- reductions (ops/reduce.py) -------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        return _reduce.sum(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def mean(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        return _reduce.mean(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def prod(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        return _reduce.prod(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        if isinstance(dim, Tensor):
            return _ew.maximum(self, dim)
        return _reduce.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        if isinstance(dim, Tensor):
            return _ew.minimum(self, dim)
        return _reduce.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim=(), keepdim=False, *, axis=None, keepdims=None):
        return _reduce.amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(self, dim=(), keepdim=False, *, axis=None, keepdims=None):
        return _reduce.amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.argmax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.argmin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
        return _reduce.var(self, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
        return _reduce.std(self, dim, unbiased, keepdim, correction=correction, axis=axis, keepdims=keepdims)

    def logsumexp(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.logsumexp(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        return _reduce.norm(self, p, dim, keepdim, dtype=dtype)

    def cumsum(self, dim=None, *, dtype=None, axis=None):
        return _reduce.cumsum(self, dim, dtype=dtype, axis=axis)

    def cumprod(self, dim=None, *, dtype=None, axis=None):
        return _reduce.cumprod(self, dim, dtype=dtype, axis=axis)

    def all(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.all(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def any(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _reduce.any(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def count_nonzero(self, dim=None, *, axis=None):
        return _reduce.count_nonzero(self, dim, axis=axis)

    def softmax(self, dim, dtype=None):
        return _softmax.softmax(self, dim, dtype=dtype)

    def log_softmax(self, dim, dtype=None):
        return _softmax.log_softmax(self, dim, dtype=dtype)

    # -- matrix products (ops/matmul.py) --------------------------------------------------------------
    def matmul(self, other):
        return _mm.matmul(self, other)

    def mm(self, mat2):
        return _mm.mm(self, mat2)

    def bmm(self, mat2):
        return _mm.bmm(self, mat2)

    def mv(self, vec):
        return _mm.mv(self, vec)

    def dot(self, other):
        return _mm.dot(self, other)

    def outer(self, vec2):
        return _mm.outer(self, vec2)

    # -- shape ops (ops/shape.py) ---------------------------------------------------------------------
    def view(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):  # the same bytes read as another dtype
            return _function.make_view(_wrap(self._array.view(shape[0].numpy_dtype)), self)
        return _shape.view(self, _shape_args(shape))

    def view_as(self, other):
        return _shape.view(self, other._array.shape)

    def reshape(self, *shape):
        return _shape.reshape(self, _shape_args(shape))

    def reshape_as(self, other):
        return _shape.reshape(self, other._array.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return _shape.flatten(self, start_dim, end_dim)

    def unflatten(self, dim, sizes):
        return _shape.unflatten(self, dim, sizes)

    def squeeze(self, dim=None):
        return _shape.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _shape.unsqueeze(self, dim)

    def permute(self, *dims):
        if not dims:  # PyTorch needs the dims, even for a 0-d tensor
            raise TypeError("permute() missing 1 required positional arguments: \"dims\"")
        return _shape.permute(self, _shape_args(dims))

    def transpose(self, dim0, dim1):
        return _shape.transpose(self, dim0, dim1)

    swapaxes = swapdims = transpose

    def t(self):
        return _shape.t(self)

    @property
    def T(self):
        return _shape.permute(self, tuple(range(self._array.ndim - 1, -1, -1)))

    @property
    def mT(self):
        return _shape.transpose(self, -2, -1)

    def movedim(self, source, destination):
        return _shape.movedim(self, source, destination)

    moveaxis = movedim

    def expand(self, *sizes):
        return _shape.expand(self, _shape_args(sizes))

    def expand_as(self, other):
        return _shape.expand(self, other._array.shape)

    def broadcast_to(self, size):
        return _shape.expand(self, tuple(size))

    def repeat(self, *sizes):
        return _shape.repeat(self, _shape_args(sizes))

    def tile(self, *dims):
        return _shape.tile(self, _shape_args(dims))

    def contiguous(self, memory_format=None):
        return _shape.contiguous(self)

    def split(self, split_size_or_sections, dim=0):
        return _shape.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return _shape.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return _shape.unbind(self, dim)

    def flip(self, *dims):
        return _shape.flip(self, _shape_args(dims))

    def roll(self, shifts, dims=None):
        return _shape.roll(self, shifts, dims)

    def narrow(self, dim, start, length):
        return _shape.narrow(self, dim, start, length)

    def select(self, dim, index):
        return _views.select(self, dim, index)

    def unfold(self, dimension, size, step):
        return _views.unfold(self, dimension, size, step)

    def diagonal(self, offset=0, dim1=0, dim2=1):
        return _views.diagonal(self, offset, dim1, dim2)

    def as_strided(self, size, stride, storage_offset=None):
        return _views.as_strided(self, size, stride, storage_offset)

    # -- indexing (ops/index.py) ----------------------------------------------------------------------
    def __getitem__(self, key):
        return _index.getitem(self, key)

    def gather(self, dim, index):
        return _index.gather(self, dim, index)

    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return _index.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self, dim, index, src):
        return _index.scatter_add(self, dim, index, src)

    def index_select(self, dim, index):
        return _index.index_select(self, dim, index)

    def index_fill(self, dim, index, value):
        return _index.index_fill(self, dim, index, value)

    def masked_fill(self, mask, value):
        return _index.masked_fill(self, mask, value)

    def masked_select(self, mask):
        return _index.masked_select(self, mask)

    def take(self, index):
        return _index.take(self, index)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _index.topk(self, k, dim, largest, sorted)

    def sort(self, dim=-1, descending=False, stable=False):
        return _index.sort(self, dim, descending, stable=stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return _index.argsort(self, dim, descending, stable=stable)

    def tril(self, diagonal=0):
        return _index.tril(self, diagonal)

    def triu(self, diagonal=0):
        return _index.triu(self, diagonal)

    def nonzero(self, *, as_tuple=False):
        return _index.nonzero(self, as_tuple=as_tuple)

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        return _index.unique(self, sorted, return_inverse, return_counts, dim)


class _RemovableHandle:
    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf "
    "Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
    "you access the leaf Tensor instead.")
_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}
_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


def _rebuild(array, requires_grad, cls):
    t = cls.__new__(cls)
    t._array = array
    t._requires_grad = requires_grad
    return t


def _canonical_dim(dim, ndim):
    """A dim in range [-ndim, ndim) as a non-negative index, with PyTorch's IndexError otherwise."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


from ._device import device as _device_cls  # noqa: E402
from . import _tensor_str  # noqa: E402
from .autograd import engine as _engine  # noqa: E402
from .autograd import function as _function  # noqa: E402
from .autograd.function import wrap as _wrap  # noqa: E402
from . import autograd as _autograd  # noqa: E402
from . import creation as _creation, random as _random  # noqa: E402
from .ops import elementwise as _ew, inplace as _inplace, reduce as _reduce, softmax as _softmax  # noqa: E402
from .ops import matmul as _mm, shape as _shape, index as _index, views as _views  # noqa: E402
from . import _storage  # noqa: E402
