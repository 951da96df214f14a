"""Making tensors: tensor, as_tensor, asarray, from_numpy, frombuffer, from_dlpack, zeros/ones/full/empty,
empty_strided/empty_permuted, arange/range/linspace/logspace, eye, vander, the signal windows (hann_window ...),
the ``*_like`` forms, the random ones (rand, randn, randint, randperm, normal, poisson, binomial, bernoulli,
multinomial) and the legacy typed constructors (``FloatTensor([1, 2])``, ``LongTensor(2, 3)``).

``glasstorch.tensor(data)`` copies; ``from_numpy(array)`` shares memory with the array. Python floats
become the default dtype (float32), Python ints int64 and bools bool, as in PyTorch.

Random draws whose parameters are tensors that require grad (``normal(mean, std)``, ``poisson(rates)``,
``bernoulli(probs)``) give a result that requires grad with a zero gradient, as PyTorch's do: a sample is not
reparameterized (use ``distributions``' ``rsample`` for that).
"""
import builtins
import numbers
import warnings

import numpy as np

from . import _dtype
from ._device import check_device
from .autograd.function import Function, VersionCounter, _broadcast_message, wrap
from . import random as _random
from .tensor import Tensor, _shape_args


def _infer_dtype(data):
    """PyTorch's dtype for Python data: the promotion (``promote_types``) of every element's own dtype, where a
    Python float counts as the default float, an int as int64, a bool as bool, and a NumPy scalar or a tensor as
    its dtype. So ``[1, 2.5]`` is float32, ``[np.float64(1), 2]`` float64 and ``[np.int32(1), 2]`` int64."""
    found = None

    def visit(x):
        nonlocal found
        if isinstance(x, Tensor):
            d = x.dtype
        elif isinstance(x, np.generic):  # before float: np.float64 is a subclass of Python's float
            d = _dtype.from_numpy(x.dtype)
        elif isinstance(x, (list, tuple)):
            for v in x:
                visit(v)
            return
        elif isinstance(x, bool):
            d = _dtype.bool_
        elif isinstance(x, numbers.Integral):
            d = _dtype.int64
        elif isinstance(x, numbers.Real):
            d = _dtype.get_default_dtype()
        elif isinstance(x, complex):
            raise TypeError("glasstorch does not support complex numbers")
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")
        found = d if found is None else _dtype.promote_types(found, d)

    visit(data)
    return (found or _dtype.get_default_dtype()).numpy_dtype  # an empty list: the default float


def _unwrap(data):
    if isinstance(data, Tensor):
        return data._array
    if isinstance(data, (list, tuple)):
        return [_unwrap(v) for v in data]
    return data


def _finish(array, requires_grad):
    t = wrap(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (a number, nested lists, an array or a tensor)."""
    check_device(device)
    if dtype is not None:
        npdt = _dtype.to_numpy(dtype)
    elif isinstance(data, Tensor):
        npdt = data._array.dtype
    elif isinstance(data, np.ndarray):
        npdt = data.dtype
        _dtype.from_numpy(npdt)  # raises for dtypes glasstorch lacks
    elif isinstance(data, np.generic):
        npdt = data.dtype
    else:
        npdt = _infer_dtype(data)
    return _finish(np.array(_unwrap(data), dtype=npdt), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or tensor when no conversion is needed."""
    check_device(device)
    if isinstance(data, Tensor) and (dtype is None or _dtype.to_numpy(dtype) == data._array.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or _dtype.to_numpy(dtype) == data.dtype):
        _dtype.from_numpy(data.dtype)
        return _shared(wrap(data))
    return tensor(data, dtype=dtype)


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (changes to one show in the other)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy(ndarray.dtype)
    return _shared(wrap(ndarray))


def _shared(t):
    """Mark a tensor whose memory is also seen outside glasstorch (a NumPy array): in-place ops must write into
    it, never swap it for a new array (a version counter is how ops/inplace.py knows)."""
    t._vc = VersionCounter()
    return t


def _float_dtype(dtype):
    return _dtype.to_numpy(dtype) if dtype is not None else _dtype.get_default_dtype().numpy_dtype


def _size(size):
    shape = _shape_args(size)
    if any(n < 0 for n in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
    return shape


def _factory_dtype(dtype, out):
    """A factory's dtype: the one asked for, else out's (``zeros(3, out=long_tensor)`` makes int64 zeros), else None."""
    if dtype is None and out is not None:
        return out.dtype
    return dtype


def _result(array, requires_grad, out, name):
    """A factory's result: a new tensor, or written into ``out=`` with PyTorch's rules (ops/out.py)."""
    if out is not None:
        if requires_grad:
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                               f"differentiation, but one of the arguments requires grad.")
        return _out.write_out(out, wrap(array), name)
    return _finish(array, requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    check_device(device)
    dtype = _factory_dtype(dtype, out)
    return _result(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad, out, "zeros")


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    check_device(device)
    dtype = _factory_dtype(dtype, out)
    return _result(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad, out, "ones")


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    check_device(device)
    dtype = _factory_dtype(dtype, out)
    return _result(np.empty(_size(size), dtype=_float_dtype(dtype)), requires_grad, out, "empty")


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A tensor of ``size`` filled with ``fill_value``; its dtype follows the value as PyTorch's does: a bool
    gives bool, an int int64, a float the default float dtype."""
    check_device(device)
    dtype = _factory_dtype(dtype, out)
    if dtype is None:
        dtype = _infer_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _result(np.full(_size((size,)), value, dtype=_dtype.to_numpy(dtype)), requires_grad, out, "full")


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """An uninitialized tensor with the given strides (in elements): a window on a fresh buffer just large
    enough to hold its last element, as PyTorch allocates it."""
    check_device(device)
    shape, stride = _size((size,)), _shape_args((stride,))
    if len(shape) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality of strides "
                           f"({len(stride)})")
    npdt = _float_dtype(dtype)
    needed = 0 if 0 in shape else 1 + sum((n - 1) * s for n, s in zip(shape, stride))
    buffer = np.empty(needed, dtype=npdt)
    a = np.lib.stride_tricks.as_strided(buffer, shape, [s * npdt.itemsize for s in stride])
    return _finish(a, requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """An uninitialized tensor of ``size`` whose dims lie in memory in the order ``physical_layout``
    (outermost first): ``empty_permuted((2, 3, 4), (0, 2, 1))`` has strides (12, 1, 3)."""
    check_device(device)
    shape, order = _size((size,)), _shape_args((physical_layout,))
    if len(shape) != len(order):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; i.e. "
                           f"len(size) = {len(shape)} is not equal to len(physical_layout) = {len(order)}")
    if sorted(order) != list(builtins.range(len(shape))):
        raise RuntimeError(f"physical_layout must be a permutation of the dims, got {list(order)}")
    physical = np.empty([shape[d] for d in order], dtype=_float_dtype(dtype))
    return _finish(physical.transpose(np.argsort(order)), requires_grad)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """A 0-d tensor holding the number ``s``, of the default float dtype unless ``dtype`` says otherwise."""
    check_device(device)
    value = s.item() if isinstance(s, Tensor) else s
    return _finish(np.array(value, dtype=_float_dtype(dtype)), requires_grad)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor sharing memory with a Python buffer (bytes, bytearray, array.array, memoryview ...).

    Differs from PyTorch for a read-only buffer (``bytes``): PyTorch warns and lets you write into it anyway;
    glasstorch warns too, but its tensor is read-only (an in-place write raises), never a write into bytes."""
    npdt = _dtype.to_numpy(dtype)
    length = memoryview(buffer).nbytes
    if length == 0 and count == 0 or length == 0 and count == -1:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({length} bytes) minus 1")
    if count == -1:
        if (length - offset) % npdt.itemsize:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a "
                             f"multiple of element size ({npdt.itemsize})")
    elif count <= 0:
        raise ValueError(f"count must be positive or -1, got {count}")
    elif offset + count * npdt.itemsize > length:
        raise ValueError(f"requested buffer length ({count} * {npdt.itemsize} bytes) after offset ({offset} bytes) "
                         f"must not be greater than actual buffer length ({length} bytes)")
    a = np.frombuffer(buffer, dtype=npdt, count=count, offset=offset)
    if not a.flags.writeable:
        warnings.warn("The given buffer is not writable: glasstorch's tensor of it is read-only (an in-place op "
                      "on it raises). You may want to copy the buffer, or make it writable (a bytearray), before "
                      "converting it to a tensor.", UserWarning, stacklevel=2)
    t = _shared(wrap(a))
    return t.requires_grad_(True) if requires_grad else t


def from_file(filename, shared=None, size=0, *, dtype=None, layout=None, device=None, pin_memory=False):
    """``size`` elements read from a binary file. ``shared=True`` maps the file into memory (writes to the
    tensor go to the file); otherwise the values are copied and the file must hold at least ``size`` of them."""
    check_device(device)
    npdt = _float_dtype(dtype)
    if shared:
        return _shared(wrap(np.memmap(filename, dtype=npdt, mode="r+", shape=(size,))))
    a = np.fromfile(filename, dtype=npdt, count=size)
    if a.size < size:
        raise RuntimeError(f"unexpected EOF, expected {size - a.size} more bytes. The file might be corrupted.")
    return wrap(a)


class _DLPackCapsule:
    """Hands a bare DLPack capsule (what ``to_dlpack`` returns) to NumPy, which reads objects with ``__dlpack__``."""

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU, device 0


def from_dlpack(ext_tensor):
    """A tensor sharing memory with any DLPack producer on the CPU (a NumPy array, a PyTorch CPU tensor, a
    capsule from ``to_dlpack``), through NumPy's DLPack support."""
    if not hasattr(ext_tensor, "__dlpack__"):
        ext_tensor = _DLPackCapsule(ext_tensor)
    a = np.from_dlpack(ext_tensor)
    _dtype.from_numpy(a.dtype)
    return _shared(wrap(a))


def to_dlpack(tensor):
    """A DLPack capsule of the tensor's memory (for ``from_dlpack`` in another library); it shares memory."""
    return dlpack_capsule(tensor)


def dlpack_capsule(tensor, **kwargs):
    """``Tensor.__dlpack__``: NumPy's DLPack export of the tensor's array (kwargs: max_version, dl_device, copy)."""
    from .autograd.function import version_counter
    version_counter(tensor)  # its memory is now seen outside: in-place ops must write into it
    return tensor._array.__dlpack__(**{k: v for k, v in kwargs.items() if v is not None})


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor, sharing memory when it can (a tensor, NumPy array or DLPack/buffer object of the
    right dtype). ``copy=True`` always copies; ``copy=False`` never does and raises ValueError where it must."""
    check_device(device)
    if isinstance(obj, Tensor):
        same = dtype is None or _dtype.to_numpy(dtype) == obj._array.dtype
        if copy is False and not same:
            raise ValueError(f"can't alias tensor with dtype '{_out._type_name(obj.dtype)}' into dtype "
                             f"'{_out._type_name(_dtype.as_dtype(dtype))}'.")
        t = obj.to(dtype) if not same else (obj.clone() if copy else obj)
    elif isinstance(obj, np.ndarray) or hasattr(obj, "__array_interface__") or hasattr(obj, "__dlpack__"):
        a = np.asarray(obj)
        same = dtype is None or _dtype.to_numpy(dtype) == a.dtype
        if copy is False and not same:
            raise ValueError(f"can't alias array with dtype '{a.dtype}' into dtype "
                             f"'{_out._type_name(_dtype.as_dtype(dtype))}'.")
        _dtype.from_numpy(a.dtype)
        t = _shared(wrap(a)) if same and not copy else tensor(a, dtype=dtype)
    else:
        if copy is False:
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        t = tensor(obj, dtype=dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


# -- the *_like forms: same shape (and, by default, the same memory layout) as the input ----------------------
def _like_array(input, dtype, memory_format):
    """An uninitialized array shaped like ``input``: with ``preserve_format`` (the default) an input whose
    elements fill its memory densely (a transposed or permuted tensor) gives one with the same strides;
    otherwise a contiguous one, or ``channels_last`` (NHWC) memory where asked for."""
    from . import settings
    a = input._array
    npdt = _dtype.to_numpy(dtype) if dtype is not None else a.dtype
    order = None  # the dims from outermost to innermost in memory
    if memory_format is settings.channels_last or memory_format is settings.channels_last_3d:
        rank = 4 if memory_format is settings.channels_last else 5
        if a.ndim != rank:
            raise RuntimeError(f"required rank {rank} tensor to use {memory_format._name} format")
        order = (0,) + tuple(builtins.range(2, rank)) + (1,)
    elif memory_format in (None, settings.preserve_format) and not a.flags.c_contiguous and _dense(a):
        order = sorted(builtins.range(a.ndim), key=lambda d: -abs(a.strides[d]))
    if order is None:
        return np.empty(a.shape, dtype=npdt)
    return np.empty([a.shape[d] for d in order], dtype=npdt).transpose(np.argsort(order))


def _dense(a):
    """Whether the array's elements fill a block of memory with no gaps and no overlaps (some permutation of a
    contiguous layout, possibly with reversed dims)."""
    expected = a.itemsize
    for d in sorted(builtins.range(a.ndim), key=lambda d: abs(a.strides[d])):
        if a.shape[d] == 1:
            continue
        if abs(a.strides[d]) != expected:
            return False
        expected *= a.shape[d]
    return True


def _like(input, values, dtype, requires_grad, memory_format):
    a = _like_array(input, dtype, memory_format)
    a[...] = values
    return _finish(a, requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_device(device)
    return _like(input, 0, dtype, requires_grad, memory_format)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_device(device)
    return _like(input, 1, dtype, requires_grad, memory_format)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_device(device)
    return _finish(_like_array(input, dtype, memory_format), requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_device(device)
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _like(input, value, dtype, requires_grad, memory_format)


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    check_device(device)
    npdt = _random_float_dtype(dtype if dtype is not None else input.dtype, "check_uniform_bounds")
    values = _random.uniform_array(input._array.shape, 0.0, 1.0, npdt, generator)
    return _like(input, values, dtype, requires_grad, memory_format)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    check_device(device)
    npdt = _random_float_dtype(dtype if dtype is not None else input.dtype, "normal_kernel_cpu")
    values = _random.normal_array(input._array.shape, 0.0, 1.0, npdt, generator)
    return _like(input, values, dtype, requires_grad, memory_format)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    """Integers in [low, high) shaped like input, of input's dtype (so a float input gives whole floats)."""
    check_device(device)
    if high is None:
        low, high = 0, low
    _check_bounds(low, high)
    npdt = _dtype.to_numpy(dtype) if dtype is not None else input._array.dtype
    values = _random.randint_array(low, high, input._array.shape, generator, npdt)
    return _like(input, values, dtype, requires_grad, memory_format)


# -- ranges ---------------------------------------------------------------------------------------------------
def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Values from start to end (exclusive) by step; integers give int64, any float the default float."""
    check_device(device)
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if vals[2] == 0:
        raise RuntimeError("step must be nonzero")
    dtype = _factory_dtype(dtype, out)
    npdt = _infer_dtype(vals) if dtype is None else _dtype.to_numpy(dtype)
    # PyTorch computes the length as ceil((end − start) / step) in double precision
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(np.ceil((vals[1] - vals[0]) / vals[2]))
    a = (vals[0] + np.arange(max(n, 0), dtype=np.float64) * vals[2]) if _dtype.is_float_array(npdt) else \
        np.arange(vals[0], vals[0] + max(n, 0) * vals[2], vals[2])[:max(n, 0)]
    return _result(a.astype(npdt), requires_grad, out, "arange")


_RANGE_WARNING = ("torch.range is deprecated and will be removed in a future release because its behavior is "
                  "inconsistent with Python's range builtin. Instead, use torch.arange, which produces values in "
                  "[start, end).")


def _range(start, end, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Deprecated ``torch.range``: start to end *inclusive* by step, of the default float dtype (even for
    integer arguments). Exported as ``glasstorch.range``; defined under another name so that Python's own
    ``range`` stays usable in this module."""
    warnings.warn(_RANGE_WARNING, UserWarning, stacklevel=2)
    check_device(device)
    vals = [float(v.item() if isinstance(v, Tensor) else v) for v in (start, end, step)]
    if vals[2] == 0:
        raise RuntimeError("step must be nonzero")
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(np.floor((vals[1] - vals[0]) / vals[2])) + 1
    a = vals[0] + np.arange(n, dtype=np.float64) * vals[2]
    return _result(a.astype(_float_dtype(_factory_dtype(dtype, out))), requires_grad, out, "range")


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    a = np.linspace(float(start), float(end), int(steps), dtype=np.float64)
    return _result(a.astype(_float_dtype(_factory_dtype(dtype, out))), requires_grad, out, "linspace")


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    a = np.logspace(float(start), float(end), int(steps), base=base, dtype=np.float64)
    return _result(a.astype(_float_dtype(_factory_dtype(dtype, out))), requires_grad, out, "logspace")


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    check_device(device)
    for v in (n, m):
        if v is not None and v < 0:
            raise RuntimeError(f"n must be greater or equal to 0, got {v}")
    a = np.eye(n, m if m is not None else n, dtype=_float_dtype(_factory_dtype(dtype, out)))
    return _result(a, requires_grad, out, "eye")


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D tensor: column j is x**(N-1-j) (x**j if ``increasing``). Integer and
    bool inputs give int64. Built from differentiable ops (a cumulative product of copies of x, as PyTorch
    builds it), so gradients flow to x."""
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    if N is None:
        N = x.shape[0]
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    if not x.is_floating_point():
        x = x.to(_dtype.int64)
    if N == 0:
        return wrap(np.empty((x.shape[0], 0), dtype=x._array.dtype))
    from .ops import reduce as _reduce, shape as _shape
    ones_column = wrap(np.ones((x.shape[0], 1), dtype=x._array.dtype))
    if N == 1:
        return ones_column
    copies = _shape.expand(_shape.unsqueeze(x, 1), (x.shape[0], N - 1))
    powers = _reduce.cumprod(_shape.cat([ones_column, copies], 1), 1)  # 1, x, x², ..., x^(N-1)
    return powers if increasing else _shape.flip(powers, (1,))


# -- signal windows -------------------------------------------------------------------------------------------
def _window(name, window_length, periodic, dtype, device, requires_grad, formula):
    """A window of ``window_length`` samples: ``formula(n, N)`` on n = 0..N-1, where N is window_length, or
    window_length + 1 with the last sample dropped when ``periodic`` (the window then repeats seamlessly)."""
    check_device(device)
    npdt = _float_dtype(dtype)
    if not _dtype.is_float_array(npdt):
        raise RuntimeError(f"{name} expects floating point dtypes, got: {_dtype.from_numpy(npdt)}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    if window_length <= 1:
        return _finish(np.ones(window_length, dtype=npdt), requires_grad)
    N = window_length + 1 if periodic else window_length
    n = np.arange(N, dtype=np.float64)
    return _finish(formula(n, N)[:window_length].astype(npdt), requires_grad)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    """w[n] = 0.5 − 0.5·cos(2πn / (N − 1))"""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 0.5 - 0.5 * np.cos(2 * np.pi * n / (N - 1)))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   requires_grad=False):
    """w[n] = α − β·cos(2πn / (N − 1))"""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: alpha - beta * np.cos(2 * np.pi * n / (N - 1)))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    """w[n] = 0.42 − 0.5·cos(2πn / (N − 1)) + 0.08·cos(4πn / (N − 1))"""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 0.42 - 0.5 * np.cos(2 * np.pi * n / (N - 1)) + 0.08 * np.cos(4 * np.pi * n / (N - 1)))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    """w[n] = 1 − |2n / (N − 1) − 1| (a triangle)"""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 1 - np.abs(2 * n / (N - 1) - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  requires_grad=False):
    """w[n] = I₀(β·√(1 − (2n / (N − 1) − 1)²)) / I₀(β), I₀ the modified Bessel function of order 0"""
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: np.i0(beta * np.sqrt(np.clip(1 - (2 * n / (N - 1) - 1) ** 2, 0, None))) / np.i0(beta))


# -- random ---------------------------------------------------------------------------------------------------
class RandomSample(Function):
    """A random draw whose parameters are tensors: the sample is fixed once drawn, so PyTorch gives every
    parameter a zero gradient (normal, poisson and bernoulli are not reparameterized)."""

    saves = ()

    @staticmethod
    def forward(ctx, sample, *params):
        ctx.shapes = [np.shape(p) for p in params]
        return sample

    @staticmethod
    def backward(ctx, grad):
        return (None,) + tuple(np.zeros(shape, dtype=grad.dtype) for shape in ctx.shapes)  # d(sample)/dθ = 0


def _broadcast_shape(*arrays):
    """The broadcast shape of the parameters, or PyTorch's RuntimeError naming the sizes that do not match."""
    try:
        return np.broadcast_shapes(*[np.shape(a) for a in arrays])
    except ValueError:
        raise RuntimeError(_broadcast_message([np.asarray(a) for a in arrays])) from None


def _sample(array, *params):
    """Wrap a drawn array; record it (with zero gradients) when a tensor parameter requires grad."""
    if any(isinstance(p, Tensor) and p._requires_grad for p in params):
        return RandomSample.apply(array, *[p for p in params if isinstance(p, Tensor)])
    return wrap(array)


def _type_name(npdt):
    return _out._type_name(_dtype.from_numpy(npdt))


def _random_float_dtype(dtype, kernel):
    """rand/randn draw floats only: PyTorch raises NotImplementedError for an integer or bool dtype."""
    npdt = _float_dtype(dtype)
    if not _dtype.is_float_array(npdt):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(npdt)}\'')
    return npdt


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform samples in [0, 1)."""
    check_device(device)
    npdt = _random_float_dtype(_factory_dtype(dtype, out), "check_uniform_bounds")
    return _result(_random.uniform_array(_size(size), 0.0, 1.0, npdt, generator), requires_grad, out, "rand")


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal samples N(0, 1)."""
    check_device(device)
    npdt = _random_float_dtype(_factory_dtype(dtype, out), "normal_kernel_cpu")
    return _result(_random.normal_array(_size(size), 0.0, 1.0, npdt, generator), requires_grad, out, "randn")


def _check_bounds(low, high):
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False):
    """Integers in [low, high): ``randint(10, (3,))``, ``randint(10, size=(3,))`` or ``randint(2, 10, (3,))``;
    int64 unless ``dtype`` says otherwise (a float dtype gives whole floats)."""
    check_device(device)
    if size is None:  # randint(high, size): the second positional argument is the size
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if size is None or high is None:
        raise TypeError("randint() missing required arguments: randint(high, size) or randint(low, high, size)")
    _check_bounds(low, high)
    dtype = _factory_dtype(dtype, out)
    npdt = _dtype.to_numpy(dtype) if dtype is not None else np.dtype(np.int64)
    a = _random.randint_array(low, high, _size((size,)), generator, npdt)  # random() % range + low
    return _result(a, requires_grad, out, "randint")


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    check_device(device)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dtype = _factory_dtype(dtype, out)
    a = _random.permutation_array(n, generator)
    return _result(a.astype(_dtype.to_numpy(dtype)) if dtype is not None else a, requires_grad, out, "randperm")


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    """Samples of N(mean, std²). mean and/or std may be tensors (broadcast elementwise), or both numbers with
    ``size``. A result from tensors that require grad gets a zero gradient, as in PyTorch."""
    check_device(device)
    tensors = [p for p in (mean, std) if isinstance(p, Tensor)]
    for p in tensors:
        if not p.is_floating_point():
            raise NotImplementedError(f'"normal_kernel_cpu" not implemented for \'{_type_name(p._array.dtype)}\'')
    if isinstance(std, Tensor):
        if (std._array < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if not tensors:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: with a float mean and std "
                            "it needs a size: normal(mean, std, size)")
        npdt = _float_dtype(_factory_dtype(dtype, out))
        return _result(_random.normal_array(_size((size,)), mean, std, npdt, generator), requires_grad, out, "normal")
    m = mean._array if isinstance(mean, Tensor) else mean
    s = std._array if isinstance(std, Tensor) else std
    npdt = tensors[0]._array.dtype if len(tensors) == 1 else np.promote_types(m.dtype, s.dtype)
    shape = _broadcast_shape(m, s)
    # as ATen's normal_out_impl: draw N(0, 1) (N(0, std) for a number std), then output.mul_(std).add_(mean),
    # each step rounded in the result's dtype
    if isinstance(std, Tensor):
        z = _random.normal_array(shape, 0.0, 1.0, npdt, generator)
        values = (z * s.astype(npdt)).astype(npdt) + np.asarray(m).astype(npdt)
    else:
        values = _random.normal_array(shape, 0.0, std, npdt, generator) + m.astype(npdt)
    values = values.astype(npdt)
    if out is not None:
        return _out.write_out(out, wrap(values), "normal", mean, std)
    return _sample(values, mean, std)


def poisson(input, generator=None):
    """Poisson counts with the rates in ``input`` (elementwise), as floats of input's dtype."""
    if not input.is_floating_point():
        raise NotImplementedError(f'"poisson_cpu" not implemented for \'{_type_name(input._array.dtype)}\'')
    if (input._array < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    counts = _random._rng(generator).poisson(input._array.astype(np.float64))
    return _sample(counts.astype(input._array.dtype), input)


def binomial(count, prob, generator=None):
    """The number of successes in ``count`` trials of probability ``prob`` (elementwise). No gradient (PyTorch
    has none either)."""
    if not count.is_floating_point():
        raise ValueError(f"binomial only supports floating-point dtypes for count, got: {_type_name(count._array.dtype)}")
    if prob._array.dtype != count._array.dtype:
        raise RuntimeError(f"Found dtype {_type_name(prob._array.dtype)} but expected {_type_name(count._array.dtype)}")
    shape = _broadcast_shape(count._array, prob._array)
    n, p = np.broadcast_to(count._array, shape), np.broadcast_to(prob._array, shape)
    draws = _random._rng(generator).binomial(n.astype(np.int64), p.astype(np.float64))
    return wrap(draws.astype(count._array.dtype))


def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability ``input`` (elementwise; or with the number ``p`` everywhere), else 0, in input's
    dtype. A probability tensor that requires grad gives a result with a zero gradient, as in PyTorch."""
    if p is None:
        if not input.is_floating_point():
            raise NotImplementedError(f'"bernoulli_tensor_cpu_p_" not implemented for '
                                      f'\'{_type_name(input._array.dtype)}\'')
        probs = input._array
        if ((probs < 0) | (probs > 1)).any():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
    if p is None:  # bernoulli_(p_tensor): a uniform of p's type per element, u < p
        values = _random.bernoulli_tensor_array(probs, generator).astype(input._array.dtype)
    else:          # bernoulli_(p): a double uniform per element, u < p
        values = _random.bernoulli_scalar_array(input._array.shape, p, generator).astype(input._array.dtype)
    if out is not None:
        return _out.write_out(out, wrap(values), "bernoulli", input)
    return _sample(values, input) if p is None else wrap(values)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Category indices drawn with the (unnormalized) weights in each row of ``input`` (1-D or 2-D), drawn as
    ATen's CPU multinomial draws them.

    Without replacement (or one sample): q ~ Exp(1) of input's shape (``exponential_``), then the largest
    ``w / q`` of each row (argmax, or topk for several): the exponential form of the Gumbel-max trick.
    With replacement: each row's cumulative weights in input's dtype, divided by their sum, the last set to 1;
    then for each sample a double uniform u, and the first category whose cumulative weight is not below u
    (ATen's binary search, here a count of the cumulative weights below u)."""
    a = input._array
    if not _dtype.is_float_array(a):
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {_type_name(a.dtype)}")
    if a.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    k = a.shape[-1]
    if not replacement and num_samples > k:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    w = np.atleast_2d(a)
    if not np.isfinite(w).all() or (w < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = w.astype(np.float64).sum(axis=1, keepdims=True)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement or num_samples == 1:
        q = _random.exponential_array(w.shape, 1.0, w.dtype, generator)  # exponential_(1) on empty_like
        keys = w / q
        idx = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]   # topk (argmax for one sample)
    else:
        cum = np.cumsum(w, axis=1)                 # sum += val; cum_dist[j] = sum   (in input's dtype)
        cum = cum / cum[:, -1:]                    # cum_dist[j] /= sum
        cum[:, -1] = 1                             # the last bucket is exactly 1
        u = _random.uniform_array((w.shape[0], num_samples), 0.0, 1.0, np.float64, generator)
        # left binary search: the first j with cum_dist[j] >= u, i.e. the number of j with cum_dist[j] < u
        idx = (cum.astype(np.float64)[:, None, :] < u[:, :, None]).sum(axis=2)
    idx = idx.astype(np.int64)
    result = wrap(idx if a.ndim == 2 else idx[0])
    if out is not None:
        return _out.write_out(out, result, "multinomial")
    return result


# -- legacy typed constructors: FloatTensor([1, 2]), LongTensor(2, 3) ---------------------------------------
# The class name PyTorch gives each dtype's tensors: x.type() is 'glasstorch.FloatTensor' for a float32 x
LEGACY_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
                "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor", "uint16": "UInt16Tensor",
                "uint32": "UInt32Tensor", "uint64": "UInt64Tensor"}


def legacy_new(dtype, args, device=None):
    """The legacy constructor ``Tensor.new(...)``/``FloatTensor(...)`` of one dtype: no arguments give an empty
    tensor, sizes (ints or a Size) an uninitialized one, a sequence a copy of its data, a tensor of that dtype
    itself (an alias)."""
    from ._size import Size
    check_device(device)
    npdt = _dtype.to_numpy(dtype)
    if len(args) == 1 and isinstance(args[0], Tensor):
        other = args[0]
        if other._array.dtype != npdt:
            raise TypeError(f"expected {_dtype.from_numpy(npdt)} (got {other.dtype})")
        return other.detach()
    if len(args) == 1 and not isinstance(args[0], (numbers.Integral, Size)):
        return wrap(np.array(_unwrap(args[0]), dtype=npdt))
    return wrap(np.empty(_size(args) if args else (0,), dtype=npdt))


class _LegacyTensorType(type):
    """The type of the legacy classes (FloatTensor ...): calling one makes a tensor of its dtype, and
    ``isinstance(t, FloatTensor)`` asks whether t is a float32 tensor (PyTorch's ``torch.tensortype`` does the
    same). They are not subclasses of Tensor: ``issubclass(FloatTensor, Tensor)`` is False, as in PyTorch."""

    def __call__(cls, *args, device=None):
        return legacy_new(cls.dtype, args, device)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._array.dtype == cls.dtype.numpy_dtype

    def __repr__(cls):
        return f"<class '{_dtype.PRINTED}.{cls.__name__}'>"


class FloatTensor(metaclass=_LegacyTensorType):
    dtype = _dtype.float32
    is_cuda = False


class DoubleTensor(metaclass=_LegacyTensorType):
    dtype = _dtype.float64
    is_cuda = False


class HalfTensor(metaclass=_LegacyTensorType):
    dtype = _dtype.float16
    is_cuda = False


class BFloat16Tensor(metaclass=_LegacyTensorType):
    dtype = _dtype.bfloat16
    is_cuda = False


class LongTensor(metaclass=_LegacyTensorType):
    dtype = _dtype.int64
    is_cuda = False


class IntTensor(metaclass=_LegacyTensorType):
    dtype = _dtype.int32
    is_cuda = False


class ShortTensor(metaclass=_LegacyTensorType):
    dtype = _dtype.int16
    is_cuda = False


class CharTensor(metaclass=_LegacyTensorType):
    dtype = _dtype.int8
    is_cuda = False


class ByteTensor(metaclass=_LegacyTensorType):
    dtype = _dtype.uint8
    is_cuda = False


class BoolTensor(metaclass=_LegacyTensorType):
    dtype = _dtype.bool_
    is_cuda = False


_LEGACY_TYPES = {cls.__name__: cls for cls in (FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor,
                                               IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor)}
# PyTorch has no classes for the unsigned types of limited support, but x.type('torch.UInt16Tensor') converts
_LEGACY_NAMES_ONLY = {"UInt16Tensor": _dtype.uint16, "UInt32Tensor": _dtype.uint32, "UInt64Tensor": _dtype.uint64}


def legacy_type_name(dtype):
    """'torch.FloatTensor' for float32, as ``x.type()`` names it (see _dtype.PRINTED)."""
    return _dtype.PRINTED + "." + LEGACY_NAMES[dtype.name]


def parse_type(t):
    """The dtype a ``type(...)`` argument names: a dtype, a legacy class (DoubleTensor) or its name
    ('torch.DoubleTensor' or 'glasstorch.DoubleTensor'). A CUDA type raises as a CPU-only build does."""
    if isinstance(t, _LegacyTensorType):
        return t.dtype
    if isinstance(t, str):
        module, _, name = t.rpartition(".")
        if module.endswith(".cuda") or module == "cuda":
            check_device("cuda")
        if module in ("torch", "glasstorch") and name in _LEGACY_TYPES:
            return _LEGACY_TYPES[name].dtype
        if module in ("torch", "glasstorch") and name in _LEGACY_NAMES_ONLY:
            return _LEGACY_NAMES_ONLY[name]
        raise ValueError(f"invalid type: '{t}'")
    return _dtype.as_dtype(t)


# deprecated torch.range, under its own name here (see _range)
range = _range

# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = ['tensor', 'as_tensor', 'asarray', 'from_numpy', 'frombuffer', 'from_file', 'from_dlpack', 'to_dlpack',
           'zeros', 'ones', 'empty', 'full', 'empty_strided', 'empty_permuted', 'scalar_tensor', 'zeros_like',
           'ones_like', 'empty_like', 'full_like', 'rand_like', 'randn_like', 'randint_like', 'arange', 'range',
           'linspace', 'logspace', 'eye', 'vander', 'hann_window', 'hamming_window', 'blackman_window',
           'bartlett_window', 'kaiser_window', 'rand', 'randn', 'randint', 'randperm', 'normal', 'poisson',
           'binomial', 'bernoulli', 'multinomial', 'FloatTensor', 'DoubleTensor', 'HalfTensor', 'BFloat16Tensor',
           'LongTensor', 'IntTensor', 'ShortTensor', 'CharTensor', 'ByteTensor', 'BoolTensor']

from .ops import out as _out  # noqa: E402  (ops/out.py imports tensor.py, which imports this module)
