"""Making tensors: tensor, as_tensor, from_numpy, zeros/ones/full/empty, arange/linspace/logspace, eye,
the ``*_like`` forms and the random ones (rand, randn, randint, randperm, normal, bernoulli, multinomial).

``glasstorch.tensor(data)`` copies; ``from_numpy(array)`` shares memory with the array. Python floats
become the default dtype (float32), Python ints int64 and bools bool, as in PyTorch.
"""
import numbers

import numpy as np

from . import _dtype
from ._device import check_device
from .autograd.function import VersionCounter, wrap
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


asarray = as_tensor


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


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    check_device(device)
    return _finish(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    check_device(device)
    return _finish(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, memory_format=None):
    check_device(device)
    return _finish(np.empty(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    check_device(device)
    if dtype is None:
        dtype = _infer_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    return _finish(np.full(_shape_args((size,)), fill_value, dtype=_dtype.to_numpy(dtype)), requires_grad)


def _like_dtype(input, dtype):
    return _dtype.to_numpy(dtype) if dtype is not None else input._array.dtype


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.zeros(input._array.shape, dtype=_like_dtype(input, dtype)), requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.ones(input._array.shape, dtype=_like_dtype(input, dtype)), requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.empty(input._array.shape, dtype=_like_dtype(input, dtype)), requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _finish(np.full(input._array.shape, fill_value, dtype=_like_dtype(input, dtype)), requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return rand(input._array.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return randn(input._array.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    return randint(low, high, input._array.shape, dtype=dtype or input.dtype)


def arange(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from start to end (exclusive) by step; integers give int64, any float the default float."""
    check_device(device)
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        npdt = _infer_dtype(vals)
    else:
        npdt = _dtype.to_numpy(dtype)
    # PyTorch computes the length as ceil((end − start) / step) in double precision
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(np.ceil((vals[1] - vals[0]) / vals[2]))
    a = (vals[0] + np.arange(max(n, 0), dtype=np.float64) * vals[2]) if npdt.kind == "f" else \
        np.arange(vals[0], vals[0] + max(n, 0) * vals[2], vals[2])[:max(n, 0)]
    return _finish(a.astype(npdt), requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    a = np.linspace(float(start), float(end), int(steps), dtype=np.float64)
    return _finish(a.astype(_float_dtype(dtype)), requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    check_device(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    a = np.logspace(float(start), float(end), int(steps), base=base, dtype=np.float64)
    return _finish(a.astype(_float_dtype(dtype)), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    check_device(device)
    for v in (n, m):
        if v is not None and v < 0:
            raise RuntimeError(f"n must be greater or equal to 0, got {v}")
    return _finish(np.eye(n, m if m is not None else n, dtype=_float_dtype(dtype)), requires_grad)


def _random_float_dtype(dtype, kernel):
    """rand/randn draw floats only: PyTorch raises NotImplementedError for an integer or bool dtype."""
    npdt = _float_dtype(dtype)
    if npdt.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtype.from_numpy(npdt).name.capitalize()}\'')
    return npdt


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples in [0, 1)."""
    check_device(device)
    dtype = _random_float_dtype(dtype, "check_uniform_bounds")
    return _finish(_random.uniform_array(_size(size), 0.0, 1.0, dtype, generator), requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples N(0, 1)."""
    check_device(device)
    dtype = _random_float_dtype(dtype, "normal_kernel_cpu")
    return _finish(_random.normal_array(_size(size), 0.0, 1.0, dtype, generator), requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Integers in [low, high): ``randint(10, (3,))`` or ``randint(2, 10, (3,))``; int64 by default."""
    check_device(device)
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    npdt = _dtype.to_numpy(dtype) if dtype is not None else np.dtype(np.int64)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    a = _random.randint_array(low, high, _shape_args((size,)), generator)
    return _finish(a.astype(npdt), requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    check_device(device)
    a = _random.permutation_array(n, generator)
    return _finish(a.astype(_dtype.to_numpy(dtype)) if dtype is not None else a, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Samples of N(mean, std²). mean/std may be tensors (elementwise) or numbers with ``size``."""
    check_device(device)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._array if isinstance(mean, Tensor) else mean
        s = std._array if isinstance(std, Tensor) else std
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        ref = mean if isinstance(mean, Tensor) else std
        z = _random.normal_array(shape, 0.0, 1.0, ref._array.dtype, generator)
        return _finish((z * s + m).astype(ref._array.dtype), requires_grad)
    if size is None:
        raise TypeError("normal() with float mean and std needs a size")
    return _finish(_random.normal_array(_shape_args((size,)), mean, std, _float_dtype(dtype), generator), requires_grad)


def bernoulli(input, p=None, *, generator=None):
    """Draws 1 with probability ``input`` (elementwise), else 0; same dtype as input."""
    probs = input._array if p is None else np.full(input._array.shape, p)
    u = _random.uniform_array(input._array.shape, 0.0, 1.0, np.float64, generator)
    return wrap((u < probs).astype(input._array.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices drawn by the (unnormalized) weights in each row of ``input``."""
    probs = np.atleast_2d(input._array.astype(np.float64))
    rng = _random._rng(generator)
    out = np.empty((probs.shape[0], num_samples), dtype=np.int64)
    for r, row in enumerate(probs):  # one draw per row (rows are few: this is not a hot path)
        out[r] = rng.choice(row.size, size=num_samples, replace=replacement, p=row / row.sum())
    return wrap(out if input._array.ndim == 2 else out[0])


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = ['tensor', 'as_tensor', 'asarray', 'from_numpy', 'zeros', 'ones', 'empty', 'full', 'zeros_like',
           'ones_like', 'empty_like', 'full_like', 'rand_like', 'randn_like', 'randint_like', 'arange',
           'linspace', 'logspace', 'eye', 'rand', 'randn', 'randint', 'randperm', 'normal', 'bernoulli',
           'multinomial']
