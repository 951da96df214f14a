"""Types, storage, device and property methods, new_* and *_like helpers: Tensor methods, each a one-line call into glasstorch.ops (see _methods/__init__.py)."""
import warnings

import numpy as np

from .. import ops  # noqa: F401  (ops.<family> is looked up at call time)
from .. import random as _random
from .. import settings as _settings
import glasstorch as _glasstorch  # the package (being imported): its creation module is looked up at call time


class MiscMethods:
    """Types, storage, device and property methods, new_* and *_like helpers."""

    _post_accumulate_grad_hooks = None  # hooks run after backward accumulates into this leaf's .grad

    # -- conjugate transposes (the transpose: glasstorch's tensors are real) ----------------------------------
    @property
    def H(self):
        """The conjugate transpose of a matrix (a 2-D tensor); a 0-D tensor is returned as it is, with
        PyTorch's deprecation warning."""
        if self.ndim == 0:
            warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, stacklevel=2)
            return self
        if self.ndim != 2:
            hint = " For batches of matrices, consider using tensor.mH" if self.ndim > 2 else ""
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor.{hint}")
        return ops.shape.transpose(self, 0, 1)

    @property
    def mH(self):
        """The conjugate transpose of the last two dims (of a matrix or a batch of them)."""
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. Got {self.ndim}-D tensor.")
        return ops.shape.transpose(self, -2, -1)

    def adjoint(self):
        if self.ndim < 2:
            raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of matrices. "
                               f"Got {self.ndim}-D tensor.")
        return ops.shape.transpose(self, -2, -1)

    # -- properties of a real, dense, CPU tensor ---------------------------------------------------------
    is_cpu = True

    @property
    def layout(self):
        return _settings.strided

    @property
    def grad_dtype(self):
        """The dtype a gradient of this tensor must have: its own."""
        return self.dtype

    def is_signed(self):
        return self.dtype.is_signed

    def is_shared(self):
        """True if the values are in shared memory (after ``share_memory_()``, or received from a process)."""
        from .. import _storage
        return _storage.is_shared_array(self._array)

    def is_pinned(self, device=None):
        return False

    def is_distributed(self):
        return False

    def is_nonzero(self):
        return _settings.is_nonzero(self)

    def is_same_size(self, other):
        return _settings.is_same_size(self, other)

    def is_inference(self):
        return _settings.is_inference(self)

    def is_conj(self):
        return False

    def is_neg(self):
        return False

    def conj(self):
        """For a real tensor, the tensor itself (as PyTorch returns it)."""
        return self

    def resolve_conj(self):
        return self

    def resolve_neg(self):
        return self

    def dim_order(self, *, ambiguity_check=False):
        """The dims from outermost to innermost in memory (largest stride first): (0, 1) for a contiguous
        matrix, (1, 0) for its transpose."""
        strides = self.stride()
        return tuple(sorted(range(self.ndim), key=lambda d: -strides[d]))

    def const_data_ptr(self):
        return self.data_ptr()

    def storage(self):
        """Deprecated in PyTorch 2: the memory as a legacy TypedStorage (elements of this tensor's dtype)."""
        warnings.warn(_TYPED_STORAGE_WARNING, UserWarning, stacklevel=2)
        return TypedStorage(self)

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """DLPack export (``numpy.from_dlpack(t)``, ``torch.from_dlpack(t)``): shares this tensor's memory."""
        return _glasstorch.creation.dlpack_capsule(self, max_version=max_version, dl_device=dl_device, copy=copy)

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU, device 0

    # -- types and the legacy constructors ---------------------------------------------------------------
    def bfloat16(self):
        """``self.to(glasstorch.bfloat16)`` (tensor.py has float(), half() and the other casts)."""
        return self.to(_glasstorch.bfloat16)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """``x.type()`` names the legacy type ('torch.FloatTensor'); ``x.type(glasstorch.float64)``,
        ``x.type(glasstorch.DoubleTensor)`` or ``x.type('torch.DoubleTensor')`` converts."""
        if dtype is None:
            return _glasstorch.creation.legacy_type_name(self.dtype)
        return self.to(_glasstorch.creation.parse_type(dtype))

    def new(self, *args, device=None):
        """Legacy constructor of this tensor's dtype: ``x.new(2, 3)`` (uninitialized), ``x.new([1, 2])``
        (a copy of the data), ``x.new()`` (empty), ``x.new(other)`` (other itself, of the same dtype)."""
        return _glasstorch.creation.legacy_new(self.dtype, args, device)

    def new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                          pin_memory=False):
        return _glasstorch.creation.empty_strided(size, stride, dtype=dtype or self.dtype, device=device,
                                                  requires_grad=requires_grad)

    def as_subclass(self, cls):
        """The same tensor (an alias on the graph) as an instance of ``cls``, a subclass of Tensor; its
        ``__init__`` is not called, as in PyTorch."""
        if not (isinstance(cls, type) and issubclass(cls, _glasstorch.Tensor)):
            raise TypeError("Creating a Tensor subclass from a class that does not inherit from Tensor is not "
                            "possible. Make sure your class inherits from Tensor.")
        alias = ops.shape.view(self, self._array.shape)
        alias.__class__ = cls
        return alias

    # -- Python functions over the elements (no gradient) -------------------------------------------------
    def apply_(self, callable):
        """Replace each element x by ``callable(x)`` (a Python number in, a number out): one Python call per
        element, as in PyTorch, so for small tensors and experiments only."""
        _no_grad_for(self, "apply_")
        return ops.inplace.set_values_(self, _map_elements(callable, self._array))

    def map_(self, tensor, callable):
        """self[i] = callable(self[i], tensor[i]), tensor broadcast to self's shape (same dtype)."""
        _no_grad_for(self, "map_")
        return ops.inplace.set_values_(self, _map_elements(callable, self._array, _operand(self, tensor, "other")))

    def map2_(self, x, y, callable):
        """self[i] = callable(self[i], x[i], y[i]), x and y broadcast to self's shape (same dtype)."""
        _no_grad_for(self, "map2_")
        return ops.inplace.set_values_(self, _map_elements(callable, self._array, _operand(self, x, "x"),
                                                           _operand(self, y, "y")))

    # -- autograd --------------------------------------------------------------------------------------
    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor)`` runs after backward has added into this leaf's ``.grad`` (optimizer-in-backward
        tricks read ``tensor.grad`` there). Returns a handle whose ``remove()`` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_accumulate_grad_hooks is None:
            self._post_accumulate_grad_hooks = []
        self._post_accumulate_grad_hooks.append(hook)
        from ..tensor import _RemovableHandle
        return _RemovableHandle(self._post_accumulate_grad_hooks, hook)

    # -- random draws and in-place random fills -----------------------------------------------------------
    def bernoulli(self, p=None, *, generator=None):
        return _glasstorch.creation.bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        return _glasstorch.creation.multinomial(self, num_samples, replacement, generator=generator)

    def cauchy_(self, median=0, sigma=1, *, generator=None):
        dt = self._array.dtype
        return ops.inplace.set_values_(self, _random.in_memory_order(
            self._array, lambda shape: _random.cauchy_array(shape, median, sigma, dt, generator)))

    def geometric_(self, p, *, generator=None):
        dt = self._array.dtype
        return ops.inplace.set_values_(self, _random.in_memory_order(
            self._array, lambda shape: _random.geometric_array(shape, p, dt, generator)))

    def log_normal_(self, mean=1, std=2, *, generator=None):
        dt = self._array.dtype
        return ops.inplace.set_values_(self, _random.in_memory_order(
            self._array, lambda shape: _random.log_normal_array(shape, mean, std, dt, generator)))

    @property
    def name(self):
        """None, as for every PyTorch tensor that is not a named graph input (torch.export's names)."""
        return None


def _no_grad_for(t, name):
    if t.requires_grad:
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() instead.")


def _operand(t, other, name):
    """other's array broadcast to t's shape, of t's dtype (map_ and map2_ refuse another dtype, as PyTorch)."""
    if other.dtype is not t.dtype:
        raise TypeError(f"map_: expected {t.type()} for '{name}' (got {other.type()})")
    return ops.shape.expand(other, t._array.shape)._array


def _map_elements(fn, *arrays):
    """fn applied to the elements of the (same-shaped) arrays, each as a Python number: a Python loop."""
    flat = [a.reshape(-1).tolist() for a in arrays]
    values = [fn(*items) for items in zip(*flat)]
    return np.array(values, dtype=object).reshape(arrays[0].shape) if values else arrays[0].copy()


_TYPED_STORAGE_WARNING = (
    "TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the only storage "
    "class. This should only matter to you if you are using storages directly.  To access UntypedStorage "
    "directly, use tensor.untyped_storage() instead of tensor.storage()")


class TypedStorage:
    """The legacy ``tensor.storage()``: the whole memory a tensor (and its views) lives in, read as elements
    of the tensor's dtype. ``size()``/``len()`` count elements; ``tolist()``, ``[i]``, ``data_ptr()``,
    ``element_size()``, ``nbytes()``, ``untyped()``. The values are the memory's own, not a copy."""

    def __init__(self, tensor):
        self._untyped = tensor.untyped_storage()
        self.dtype = tensor.dtype
        self.device = tensor.device
        owner = self._untyped._owner
        flat = owner.reshape(-1) if owner.flags.c_contiguous else np.ascontiguousarray(owner).reshape(-1)
        self._values = flat.view(np.uint8).view(self.dtype.numpy_dtype)

    def size(self):
        return self._values.size

    __len__ = size

    def element_size(self):
        return self.dtype.itemsize

    def nbytes(self):
        return self._values.nbytes

    def data_ptr(self):
        return self._untyped.data_ptr()

    def untyped(self):
        return self._untyped

    def tolist(self):
        return self._values.tolist()

    def __getitem__(self, index):
        return self._values[index].tolist()

    def __repr__(self):
        values = "\n".join(f" {v}" for v in self.tolist())
        return f"{values}\n[glasstorch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) of size {self.size()}]"
