"""Reductions: sum, mean, prod, max/min, var/std, logsumexp, norm, cumulative sums and products, all/any.

Each differentiable op is a Function whose ``forward`` reduces a NumPy array over ``axes`` (a sorted tuple of
non-negative dims, produced by ``_axes``) and whose ``backward`` spreads the gradient back over those dims:
``_restore`` puts the reduced dims back as size 1 so the gradient broadcasts against the input.
The public functions at the bottom of each section check PyTorch's rules (dims, dtypes, empty inputs).
"""
import builtins
import collections
import math
import operator

import numpy as np

from .. import _dtype
from ..autograd.function import Function, wrap
from ..backend import get_array_module
from ..tensor import Tensor
from . import elementwise as _ew

_TORCH_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                "float16": "Half", "float32": "Float", "float64": "Double"}


def _torch_name(numpy_dtype):
    name = np.dtype(numpy_dtype).name
    return _TORCH_NAMES.get(name, _dtype.SCALAR_NAMES.get(name, str(numpy_dtype)))


def _wrap_dim(dim, ndim):
    """One dim in [-ndim, ndim) as a non-negative index (a 0-d tensor accepts 0 and -1)."""
    if isinstance(dim, Tensor):
        dim = dim.item()
    dim = operator.index(dim)  # TypeError for anything but an integer, as PyTorch
    n = builtins.max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def _axes(dim, ndim):
    """dim (None, an int, or a sequence of ints) as a sorted tuple of axes; None and () mean every dim."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        dims = [_wrap_dim(d, ndim) for d in dim]
        if len(set(dims)) != len(dims):
            dup = next(d for d in dims if dims.count(d) > 1)
            raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
        if not dims:
            return tuple(range(ndim))
    else:
        dims = [_wrap_dim(dim, ndim)]
    return tuple(sorted(dims)) if ndim else ()


def _count(shape, axes):
    """How many input elements fold into each output element."""
    return math.prod(shape[a] for a in axes)


def _restore(grad, axes, keepdim):
    """The gradient of a reduced result with the reduced dims put back as size 1 (broadcasts like the input)."""
    if keepdim or not axes:
        return grad
    return get_array_module(grad).expand_dims(grad, axes)


def _reduce_all(axes, ndim):
    """NumPy's axis argument: None (faster) when every dim is reduced."""
    return None if len(axes) == ndim else axes


def _check_float(x, name):
    if not _dtype.is_float_array(x._array):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_torch_name(x._array.dtype)}")


def _cast(input, dtype):
    """input converted (differentiably) to dtype when one is given."""
    if dtype is None:
        return input
    dt = _dtype.as_dtype(dtype)
    return input if input._array.dtype == dt.numpy_dtype else _ew.to_dtype(input, dt)


def _nonempty(x, axes, name, dim):
    """max/min/argmax have no identity: reducing over an empty dim raises as in PyTorch."""
    if dim is None or (isinstance(dim, (tuple, list)) and not dim):
        if x._array.size == 0:
            exc = IndexError if name.startswith("arg") else RuntimeError
            raise exc(f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
                      + ("" if exc is IndexError else " Specify the reduction dim with the 'dim' argument."))
        return
    for a in axes:
        if x._array.shape[a] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {a} to have non-zero size.")


def _dim(dim, axis, default=None):
    """PyTorch also accepts NumPy's name ``axis=`` for ``dim=`` (giving both is a TypeError)."""
    if axis is None:
        return dim
    if not (dim is default or (not isinstance(dim, Tensor) and dim == default)):
        raise TypeError("got multiple values for argument 'dim' (axis= is its alias)")
    return axis


def _keep(keepdim, keepdims):
    """... and NumPy's ``keepdims=`` for ``keepdim=``."""
    return keepdim if keepdims is None else builtins.bool(keepdims)


def _write(out, result, name, *inputs):
    """The result, or written into ``out=`` (a tensor, or a (values, indices) pair for named results)."""
    if out is None:
        return result
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be tuple of {len(result)} Tensors")
        written = [_out.write_out(o, r, name, *inputs) for o, r in zip(out, result)]
        return type(result)(*written) if hasattr(result, "_fields") else tuple(written)
    return _out.write_out(out, result, name, *inputs)


# ---------------------------------------------------------------------------------------------------
# sum, mean, prod
# ---------------------------------------------------------------------------------------------------
_BFLOAT16 = _dtype.bfloat16.numpy_dtype  # ml_dtypes adds bfloat16 in bfloat16: a sum of ones stops at 256


class Sum(Function):
    saves = ()

    @staticmethod
    def forward(ctx, x, axes, keepdim, dtype):
        ctx.shape, ctx.axes, ctx.keepdim = x.shape, axes, keepdim
        if dtype is None and x.dtype == _BFLOAT16:  # add in float32, then round once, as PyTorch's CPU kernel
            return x.sum(axis=_reduce_all(axes, x.ndim), dtype=np.float32, keepdims=keepdim).astype(x.dtype)
        return x.sum(axis=_reduce_all(axes, x.ndim), dtype=dtype, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy broadcast back over the reduced dims (a read-only view: no copy)
        g = _restore(grad, ctx.axes, ctx.keepdim)
        return get_array_module(grad).broadcast_to(g, ctx.shape), None, None, None


class Mean(Function):
    saves = ()

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        n = _count(x.shape, axes)
        ctx.shape, ctx.axes, ctx.keepdim, ctx.n = x.shape, axes, keepdim, n
        if x.dtype == _BFLOAT16:  # add and divide in float32, then round once, as PyTorch's CPU kernel
            return Mean.forward(ctx, x.astype(np.float32), axes, keepdim).astype(x.dtype)
        s = x.sum(axis=_reduce_all(axes, x.ndim), keepdims=keepdim)
        if n == 0:
            with np.errstate(invalid="ignore"):
                return s / n  # the mean of nothing is nan
        if s.ndim:
            s /= n  # in place: s is a fresh array
            return s
        return s / n

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy / n, broadcast back over the reduced dims
        g = _restore(grad / ctx.n if ctx.n else grad, ctx.axes, ctx.keepdim)
        return get_array_module(grad).broadcast_to(g, ctx.shape), None, None


class Prod(Function):
    """y = Π x along one axis (axis None: over all elements)."""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, x, axis, keepdim, dtype):
        ctx.x, ctx.axis, ctx.keepdim = x, axis, keepdim
        y = x.prod(axis=axis, dtype=dtype, keepdims=True)
        ctx.y = y
        return y if keepdim else (y.reshape(()) if axis is None else y.squeeze(axis))

    @staticmethod
    def backward(ctx, grad):
        # dL/dx_k = dL/dy · Π_{j≠k} x_j: y / x_k when x_k ≠ 0; at a zero, the product of the others
        # (non-zero only if it is the one zero of its slice)
        x, y, axis = ctx.x, ctx.y, ctx.axis
        xp = get_array_module(x)
        g = grad.reshape(y.shape) if axis is None or ctx.keepdim else xp.expand_dims(grad, axis)
        zero = x == 0
        if not zero.any():
            return g * (y / x), None, None, None
        zeros = zero.sum(axis=axis, keepdims=True)
        others = xp.where(zero, 1, x).prod(axis=axis, keepdims=True)
        local = xp.where(zero, xp.where(zeros == 1, others, 0), y / xp.where(zero, 1, x))
        return g * local, None, None, None


def _sum_dtype(x, dtype):
    """The result dtype: the one asked for, else int64 for integers and bools (PyTorch), else x's own."""
    if dtype is not None:
        return _dtype.to_numpy(dtype)
    return np.dtype(np.int64) if x._array.dtype.kind in "biu" else None


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    """Sum over dim (an int, a tuple of ints, or None for every dim)."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    x = _cast(input, dtype)
    return _write(out, Sum.apply(x, _axes(dim, x._array.ndim), keepdim, _sum_dtype(x, dtype)), "sum", input)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    """Arithmetic mean over dim; integer tensors need a floating dtype=, as in PyTorch."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    if dtype is not None and not _dtype.as_dtype(dtype).is_floating_point:
        raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be either a floating point "
                           f"or complex dtype. Got: {_torch_name(_dtype.to_numpy(dtype))}")
    x = _cast(input, dtype)
    if not _dtype.is_float_array(x._array):
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {_torch_name(x._array.dtype)}")
    return _write(out, Mean.apply(x, _axes(dim, x._array.ndim), keepdim), "mean", input)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    """Product over one dim (or over everything when dim is None)."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    x = _cast(input, dtype)
    axis = None if dim is None else _wrap_dim(dim, x._array.ndim)
    if x._array.ndim == 0:
        axis = None
    return _write(out, Prod.apply(x, axis, keepdim and dim is not None, _sum_dtype(x, dtype)), "prod", input)


# ---------------------------------------------------------------------------------------------------
# max, min, amax, amin, argmax, argmin
# ---------------------------------------------------------------------------------------------------
def _named_result(name, fields=("values", "indices")):
    """A tuple with named fields, as torch.return_types.<name> (indexable, unpackable, picklable)."""
    cls = collections.namedtuple(name, fields)
    cls.__qualname__ = f"return_types.{name}"
    cls.__module__ = __name__
    cls.__repr__ = lambda self: (f"torch.return_types.{name}(\n"
                                 + ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self)) + ")")
    return cls


class return_types:
    """The named result tuples of max(dim) and min(dim): fields ``values`` and ``indices``."""
    max = _named_result("max")
    min = _named_result("min")
    # the results of ops/stats.py
    median = _named_result("median")
    nanmedian = _named_result("nanmedian")
    mode = _named_result("mode")
    kthvalue = _named_result("kthvalue")
    cummax = _named_result("cummax")
    cummin = _named_result("cummin")
    aminmax = _named_result("aminmax", ("min", "max"))
    histogram = _named_result("histogram", ("hist", "bin_edges"))
    histogramdd = _named_result("histogramdd", ("hist", "bin_edges"))


class Max(Function):
    """y = x at the given index along one axis: the values of max(dim) (and, as Min, of min(dim))."""

    saves = ()

    @staticmethod
    def forward(ctx, x, index, axis, keepdim):
        xp = get_array_module(x)
        ctx.shape, ctx.index, ctx.axis, ctx.keepdim = x.shape, index, axis, keepdim
        y = xp.take_along_axis(x, index, axis) if x.ndim else x.copy()
        return y if keepdim or not x.ndim else y.squeeze(axis)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy at the chosen index, 0 elsewhere
        if not ctx.shape:
            return grad, None, None, None
        xp = get_array_module(grad)
        gx = xp.zeros(ctx.shape, grad.dtype)
        g = grad if ctx.keepdim else xp.expand_dims(grad, ctx.axis)
        xp.put_along_axis(gx, ctx.index, g, ctx.axis)
        return gx, None, None, None


class Min(Max):
    pass


class Amax(Function):
    """y = max over axes (min for Amin); the gradient is shared evenly among the elements equal to y."""

    saves = (0, -1)

    smallest = False
    nan_wins = False  # max()/min() of everything: a nan result sends the gradient to the nan elements

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        y = (x.min if ctx.smallest else x.max)(axis=axes, keepdims=True)
        ctx.x, ctx.y, ctx.axes, ctx.keepdim = x, y, axes, keepdim
        return y if keepdim else y.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy · [x = y] / #{x = y}
        x, y = ctx.x, ctx.y
        xp = get_array_module(x)
        hit = xp.isnan(x) if ctx.nan_wins and xp.isnan(y).any() else x == y
        count = hit.sum(axis=ctx.axes, keepdims=True, dtype=grad.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _restore(grad, ctx.axes, ctx.keepdim) / count * hit, None, None


class Amin(Amax):
    smallest = True


class MaxAll(Amax):
    nan_wins = True


class MinAll(Amax):
    smallest = nan_wins = True


def _extreme(input, dim, keepdim, name, smallest):
    if isinstance(dim, Tensor):  # max(input, other): the elementwise maximum
        return (_ew.minimum if smallest else _ew.maximum)(input, dim)
    x = input._array
    if dim is None:
        _nonempty(input, (), name, None)
        return (MinAll if smallest else MaxAll).apply(input, tuple(range(x.ndim)), False)
    axis = _wrap_dim(dim, x.ndim)
    op = Min if smallest else Max
    if x.ndim == 0:
        index = np.zeros((), np.int64)
        return getattr(return_types, name)(op.apply(input, index, 0, keepdim), wrap(index))
    _nonempty(input, (axis,), name, dim)
    index = (x.argmin if smallest else x.argmax)(axis=axis, keepdims=True)
    values = op.apply(input, index, axis, keepdim)
    return getattr(return_types, name)(values, wrap(index if keepdim else index.squeeze(axis)))


def max(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """max(x): the largest element; max(x, dim): (values, indices); max(x, other): elementwise maximum."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    return _write(out, _extreme(input, dim, keepdim, "max", False), "max", input)


def min(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """min(x): the smallest element; min(x, dim): (values, indices); min(x, other): elementwise minimum."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    return _write(out, _extreme(input, dim, keepdim, "min", True), "min", input)


def _amax(input, dim, keepdim, name, smallest):
    axes = _axes(dim, input._array.ndim)
    _nonempty(input, axes, name, dim)
    return (Amin if smallest else Amax).apply(input, axes, keepdim)


def amax(input, dim=(), keepdim=False, *, out=None, axis=None, keepdims=None):
    """The largest value over dim (every dim by default); the gradient is shared evenly among ties."""
    dim, keepdim = _dim(dim, axis, ()), _keep(keepdim, keepdims)
    return _write(out, _amax(input, dim, keepdim, "amax", False), "amax", input)


def amin(input, dim=(), keepdim=False, *, out=None, axis=None, keepdims=None):
    """The smallest value over dim (every dim by default); the gradient is shared evenly among ties."""
    dim, keepdim = _dim(dim, axis, ()), _keep(keepdim, keepdims)
    return _write(out, _amax(input, dim, keepdim, "amin", True), "amin", input)


def _arg(input, dim, keepdim, name, smallest):
    x = input._array
    find = x.argmin if smallest else x.argmax
    if dim is None:
        _nonempty(input, (), name, None)
        index = np.asarray(find(), dtype=np.int64)
        return wrap(index.reshape((1,) * x.ndim) if keepdim else index)
    axis = _wrap_dim(dim, x.ndim)
    if x.ndim == 0:
        return wrap(np.zeros((), np.int64))
    _nonempty(input, (axis,), name, dim)
    return wrap(find(axis=axis, keepdims=keepdim).astype(np.int64, copy=False))


def argmax(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """Index of the largest element (first one on ties) over dim, or in the flattened tensor."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    return _write(out, _arg(input, dim, keepdim, "argmax", False), "argmax")


def argmin(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """Index of the smallest element (first one on ties) over dim, or in the flattened tensor."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    return _write(out, _arg(input, dim, keepdim, "argmin", True), "argmin")


# ---------------------------------------------------------------------------------------------------
# var, std
# ---------------------------------------------------------------------------------------------------
class Var(Function):
    """y = Σ (x − mean)² / (n − correction); the subclass Std takes its square root."""

    saves = (-1,)

    root = False

    @staticmethod
    def forward(ctx, x, axes, correction, keepdim, all_dims):
        n = _count(x.shape, axes)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = x - x.sum(axis=axes, keepdims=True) / n
            d2 = d * d
            y = d2.sum(axis=axes, keepdims=keepdim) / builtins.max(n - correction, 0)
            if ctx.root:
                y = get_array_module(x).sqrt(y)
        ctx.d, ctx.y, ctx.axes, ctx.keepdim = d, y, axes, keepdim
        ctx.dof, ctx.all_dims = n - correction, all_dims
        return y

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        d, dof = ctx.d, ctx.dof
        g = _restore(grad, ctx.axes, ctx.keepdim)
        with np.errstate(divide="ignore", invalid="ignore"):
            if ctx.root:
                # std = √var: dL/dvar = dL/dstd / (2·std), taken as 0 where std = 0 (as PyTorch)
                y = _restore(ctx.y, ctx.axes, ctx.keepdim)
                g = xp.where(y == 0, 0, g / (2 * y)).astype(grad.dtype, copy=False)
            if ctx.all_dims and dof <= 0:
                # no degrees of freedom left: PyTorch's backward gives nan where x = mean, inf elsewhere
                return g * xp.where(d == 0, math.nan, math.inf).astype(d.dtype), None, None, None, None
            # dL/dx = dL/dvar · 2 (x − mean) / (n − correction)
            return g * (2.0 / dof if dof else math.inf) * d, None, None, None, None


class Std(Var):
    root = True


def _var_args(input, dim, unbiased, correction, name):
    if isinstance(dim, bool):  # var(x, False): the legacy unbiased flag given in dim's place
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: "
                        "give either unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    if not _dtype.is_float_array(input._array):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    return _axes(dim, input._array.ndim), correction, dim is None or input._array.ndim == 0


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None, axis=None, keepdims=None):
    """Variance over dim with Bessel's correction (``correction=1``) unless told otherwise."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    axes, c, all_dims = _var_args(input, dim, unbiased, correction, "var")
    return _write(out, Var.apply(input, axes, c, keepdim, all_dims), "var", input)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None, axis=None, keepdims=None):
    """Standard deviation: the square root of ``var`` (same arguments)."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    axes, c, all_dims = _var_args(input, dim, unbiased, correction, "std")
    return _write(out, Std.apply(input, axes, c, keepdim, all_dims), "std", input)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None, axis=None,
             keepdims=None):
    """(var, mean) over the same dims."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    axes, c, all_dims = _var_args(input, dim, unbiased, correction, "var_mean")
    result = Var.apply(input, axes, c, keepdim, all_dims), Mean.apply(input, axes, keepdim)
    return _write(out, result, "var_mean", input)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None, axis=None,
             keepdims=None):
    """(std, mean) over the same dims."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    axes, c, all_dims = _var_args(input, dim, unbiased, correction, "std_mean")
    result = Std.apply(input, axes, c, keepdim, all_dims), Mean.apply(input, axes, keepdim)
    return _write(out, result, "std_mean", input)


# ---------------------------------------------------------------------------------------------------
# logsumexp, norm
# ---------------------------------------------------------------------------------------------------
class Logsumexp(Function):
    """y = log Σ exp(x), computed as m + log Σ exp(x − m) with m the max (no overflow)."""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = get_array_module(x)
        m = x.max(axis=axes, keepdims=True, initial=-math.inf)
        m = xp.where(xp.isfinite(m), m, 0).astype(x.dtype, copy=False)  # ±inf rows: no inf − inf
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            y = xp.log(xp.exp(x - m).sum(axis=axes, keepdims=True)) + m
        ctx.x, ctx.y, ctx.axes, ctx.keepdim = x, y, axes, keepdim
        return y if keepdim else y.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy · exp(x − y)   (the softmax of x over the reduced dims)
        with np.errstate(invalid="ignore"):
            return _restore(grad, ctx.axes, ctx.keepdim) * get_array_module(grad).exp(ctx.x - ctx.y), None, None


def logsumexp(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """log(Σ exp(x)) over dim, stable for large values; integer inputs compute in the default float dtype."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType")
    if not _dtype.is_float_array(input._array.dtype):
        input = _ew.to_dtype(input, _dtype.get_default_dtype())
    return _write(out, Logsumexp.apply(input, _axes(dim, input._array.ndim), keepdim), "logsumexp", input)


class Norm(Function):
    """y = (Σ |x|^p)^(1/p) over axes; p = ±inf gives max/min |x|, p = 0 the count of non-zeros."""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        xp = get_array_module(x)
        a = xp.abs(x)
        if p == 2:
            y = xp.sqrt((x * x).sum(axis=axes, keepdims=True))
        elif p == 1:
            y = a.sum(axis=axes, keepdims=True)
        elif p == math.inf:
            y = a.max(axis=axes, keepdims=True)
        elif p == -math.inf:
            y = a.min(axis=axes, keepdims=True)
        elif p == 0:
            y = (x != 0).sum(axis=axes, keepdims=True, dtype=x.dtype)
        else:
            with np.errstate(divide="ignore"):
                y = (a ** p).sum(axis=axes, keepdims=True) ** (1.0 / p)
        ctx.x, ctx.y, ctx.p, ctx.axes, ctx.keepdim = x, y, p, axes, keepdim
        return y if keepdim else y.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    @staticmethod
    def backward(ctx, grad):
        x, y, p = ctx.x, ctx.y, ctx.p
        xp = get_array_module(x)
        g = _restore(grad, ctx.axes, ctx.keepdim)
        if p == 0:
            return xp.zeros_like(x), None, None, None  # a count: no gradient
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 1:
                local = xp.sign(x)  # dL/dx = dL/dy · sign(x)
            elif p == 2:
                local = xp.where(y == 0, 0, x / y)  # dL/dx = dL/dy · x / ‖x‖  (0 at the zero vector)
            elif math.isinf(p):
                # dL/dx = dL/dy · sign(x), shared evenly among the elements where |x| = y
                hit = xp.abs(x) == y
                local = xp.sign(x) * hit / hit.sum(axis=ctx.axes, keepdims=True, dtype=x.dtype)
            elif p < 1:
                # dL/dx = dL/dy · sign(x) |x|^(p−1) · y^(1−p)   (0 where x = 0)
                local = xp.where(x == 0, 0, xp.sign(x) * xp.abs(x) ** (p - 1)) * y ** (1 - p)
            else:
                # dL/dx = dL/dy · sign(x) |x|^(p−1) / y^(p−1)   (0 where y = 0)
                local = xp.sign(x) * xp.abs(x) ** (p - 1) * xp.where(y == 0, 0, 1 / y ** (p - 1))
        return g * local.astype(x.dtype, copy=False), None, None, None


class NuclearNorm(Function):
    """y = Σ singular values of the matrices in dims (d0, d1)."""

    saves = ()

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        xp = get_array_module(x)
        u, s, vt = xp.linalg.svd(xp.moveaxis(x, dims, (-2, -1)), full_matrices=False)
        ctx.uvt, ctx.dims, ctx.keepdim = u @ vt, dims, keepdim
        y = s.sum(axis=-1)
        return xp.expand_dims(y, tuple(sorted(dims))) if keepdim else y

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy · U Vᵀ
        xp = get_array_module(grad)
        g = grad.squeeze(tuple(sorted(ctx.dims))) if ctx.keepdim else grad
        return xp.moveaxis(g[..., None, None] * ctx.uvt, (-2, -1), ctx.dims), None, None


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector p-norm over dim (every dim when None); 'fro' is the 2-norm, 'nuc' the nuclear norm of matrices."""
    x = _cast(input, dtype)
    _check_float(x, "linalg.vector_norm")
    ndim = x._array.ndim
    if p is None:
        p = "fro"
    if isinstance(p, str):
        if p == "nuc":
            dims = tuple(range(ndim)) if dim is None else tuple(_wrap_dim(d, ndim) for d in dim)
            if len(dims) != 2:
                raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
            return NuclearNorm.apply(x, dims, keepdim)
        if p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
        p = 2
    p = float(p)
    axes = _axes(dim, ndim)
    if math.isinf(p) and _count(x._array.shape, axes) == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on an empty tensor because the "
                           "operation does not have an identity")
    return Norm.apply(x, p, axes, keepdim)


# ---------------------------------------------------------------------------------------------------
# cumsum, cumprod
# ---------------------------------------------------------------------------------------------------
def _reverse_cumsum(g, axis):
    """out_k = Σ_{i ≥ k} g_i along axis."""
    xp = get_array_module(g)
    return xp.flip(xp.cumsum(xp.flip(g, axis), axis), axis)


class Cumsum(Function):
    saves = ()

    @staticmethod
    def forward(ctx, x, axis, dtype):
        ctx.axis = axis
        return get_array_module(x).cumsum(x.reshape(x.shape or (1,)), axis, dtype=dtype).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        # y_i = Σ_{k ≤ i} x_k, so dL/dx_k = Σ_{i ≥ k} dL/dy_i (the cumulative sum taken backwards)
        return _reverse_cumsum(grad.reshape(grad.shape or (1,)), ctx.axis).reshape(grad.shape), None, None


class Cumprod(Function):
    saves = (0, -1)

    @staticmethod
    def forward(ctx, x, axis, dtype):
        x1 = x.reshape(x.shape or (1,))
        y = get_array_module(x).cumprod(x1, axis, dtype=dtype)
        ctx.x, ctx.y, ctx.axis = x1, y, axis
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        # y_i = Π_{j ≤ i} x_j, so dL/dx_k = Σ_{i ≥ k} dL/dy_i · Π_{j ≤ i, j ≠ k} x_j
        x, y, axis = ctx.x, ctx.y, ctx.axis
        xp = get_array_module(x)
        g = grad.reshape(y.shape)
        zero = x == 0
        if not zero.any():
            return (_reverse_cumsum(g * y, axis) / x).reshape(grad.shape), None, None
        # with zeros: before the first zero of a slice the formula above still holds (y_i = 0 past it);
        # at the first zero the product skips it (replace it by 1); after it every term contains it: 0
        seen = xp.cumsum(zero, axis)
        before, first = seen == 0, zero & (seen == 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = xp.where(before, _reverse_cumsum(g * y, axis) / xp.where(before, x, 1), 0)
        y_skip = xp.cumprod(xp.where(first, 1, x), axis)
        gx = xp.where(first, _reverse_cumsum(g * y_skip, axis), gx)
        return gx.reshape(grad.shape), None, None


def _cumulative(cls, input, dim, dtype, axis):
    dim = _dim(dim, axis)
    if dim is None:
        raise TypeError(f"{cls.__name__.lower()}() missing 1 required positional argument: 'dim'")
    x = _cast(input, dtype)
    return cls.apply(x, _wrap_dim(dim, x._array.ndim), _sum_dtype(x, dtype))


def cumsum(input, dim=None, *, dtype=None, out=None, axis=None):
    """Running sum along dim (integers and bools accumulate in int64)."""
    return _write(out, _cumulative(Cumsum, input, dim, dtype, axis), "cumsum", input)


def cumprod(input, dim=None, *, dtype=None, out=None, axis=None):
    """Running product along dim; the gradient is exact also where the input has zeros."""
    return _write(out, _cumulative(Cumprod, input, dim, dtype, axis), "cumprod", input)


# ---------------------------------------------------------------------------------------------------
# all, any, count_nonzero: no gradient
# ---------------------------------------------------------------------------------------------------
def _logical(input, dim, keepdim, fn):
    x = input._array
    if isinstance(dim, (tuple, list)) and not dim:
        r = x != 0  # an empty dim list reduces nothing here (unlike sum)
    else:
        r = fn(x, axis=_axes(dim, x.ndim), keepdims=keepdim)
    # PyTorch keeps uint8 for uint8 inputs (a legacy rule); everything else gives bool
    return wrap(np.asarray(r, dtype=np.uint8 if x.dtype == np.uint8 else np.bool_))


def all(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """True where every element over dim is non-zero."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    return _write(out, _logical(input, dim, keepdim, np.all), "all")


def any(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """True where some element over dim is non-zero."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    return _write(out, _logical(input, dim, keepdim, np.any), "any")


def count_nonzero(input, dim=None, *, axis=None):
    """The number of non-zero elements over dim (an int, a tuple, or None for all; int64)."""
    dim = _dim(dim, axis)
    x = input._array
    return wrap(np.asarray((x != 0).sum(axis=_axes(dim, x.ndim), dtype=np.int64)))


def bincount(input, weights=None, minlength=0):
    """counts[v] = how many times v occurs in the 1-D non-negative integer tensor ``input`` (or the sum of
    ``weights`` at those places). Not differentiable, as in PyTorch."""
    x = input._array
    if x.ndim != 1 or x.dtype.kind not in "iu":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if x.size and x.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return wrap(np.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._array
    out = np.bincount(x, weights=w, minlength=minlength)  # NumPy sums in float64
    return wrap(out.astype(w.dtype) if _dtype.is_float_array(w.dtype) else out)  # float weights keep their dtype


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
from . import out as _out  # noqa: E402  (ops/out.py imports this package's modules)

__all__ = ['sum', 'mean', 'prod', 'max', 'min', 'amax', 'amin', 'argmax', 'argmin', 'var', 'std', 'var_mean',
           'std_mean', 'logsumexp', 'norm', 'cumsum', 'cumprod', 'all', 'any', 'count_nonzero', 'bincount']
