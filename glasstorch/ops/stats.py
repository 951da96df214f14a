"""Statistics and order reductions beyond reduce.py: median, mode, quantile, nan-reductions, histograms, bucketize, cumulative max/min.

Each op is a Function with its forward and backward side by side (see autograd/function.py). Ops that
select elements (median(dim), mode, kthvalue, cummax) send the gradient to the elements they picked; ops
that PyTorch itself builds from other ops (diff, cov, trapezoid, renorm ...) are built here the same way
from glasstorch ops, so their backward is the chain of those ops' backwards.

Index choice on ties, as PyTorch's CPU kernels: median and nanmedian pick the element a stable sort puts
in the middle (the lower of the two middle values); mode gives the smallest most frequent value and the
index of its last occurrence; cummax/cummin the latest of equal running extremes.
"""
import builtins
import math
import warnings

import numpy as np

from .. import _dtype
from ..autograd.function import Function, wrap
from ..backend import get_array_module
from ..tensor import Tensor
from . import elementwise as _ew
from . import reduce as _reduce
from . import shape as _shape
from .reduce import _dim, _keep, _torch_name, _wrap_dim, _write, return_types


def _nan_mask(x):
    """Where x is nan (all False for integer and bool arrays)."""
    xp = get_array_module(x)
    return xp.isnan(x) if _dtype.is_float_array(x.dtype) else xp.zeros(x.shape, bool)


def _tensor(v, like=None):
    """v as a Tensor (a Python number takes the default dtype rules of torch.tensor)."""
    if isinstance(v, Tensor):
        return v
    return wrap(np.asarray(v, dtype=like._array.dtype if like is not None else None))


def _scatter_add(shape, index, values, axis):
    """An array of zeros of ``shape`` with ``values`` added at ``index`` along ``axis`` (repeats add up)."""
    xp = get_array_module(values)
    if values.size == 0:
        return xp.zeros(shape, values.dtype)
    idx, val = xp.moveaxis(index, axis, -1), xp.moveaxis(values, axis, -1)
    n = shape[axis]
    rows = idx.size // builtins.max(idx.shape[-1], 1) if idx.ndim else 1
    # each row of the last axis gets its own block of n slots in one flat bincount
    flat = idx.reshape(rows, -1) + (xp.arange(rows) * n)[:, None]
    out = xp.bincount(flat.reshape(-1), weights=val.reshape(-1), minlength=rows * n)
    out = out.astype(values.dtype, copy=False).reshape(idx.shape[:-1] + (n,))
    return xp.moveaxis(out, -1, axis)


# ---------------------------------------------------------------------------------------------------
# median, nanmedian, mode, kthvalue: one element picked per slice
# ---------------------------------------------------------------------------------------------------
class Median(_reduce.Max):
    """y = x at the median's index along one axis; backward (Max's): the gradient goes to that element."""


class Mode(_reduce.Max):
    """y = x at the mode's index along one axis; the gradient goes to that element."""


class Kthvalue(_reduce.Max):
    """y = x at the k-th smallest element's index along one axis; the gradient goes to that element."""


class MedianAll(_reduce.Amax):
    """y = the lower median of all elements (nan if there is a nan); backward (Amax's): the gradient is
    shared evenly among the elements equal to y (among the nans when y is nan), as PyTorch."""

    saves = (0, -1)
    nan_wins = True
    ignore_nan = False

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        xp = get_array_module(x)
        s = xp.sort(x.reshape(-1))  # nans sort last
        nans = int(_nan_mask(s).sum())
        if ctx.ignore_nan:
            pos = builtins.max(s.size - nans - 1, 0) // 2
        else:
            pos = s.size - nans if nans else (s.size - 1) // 2
        empty = math.nan if _dtype.is_float_array(x) else np.iinfo(x.dtype).min  # PyTorch's value for no elements
        y = s[pos:pos + 1].reshape((1,) * x.ndim) if s.size else xp.full((1,) * x.ndim, empty, x.dtype)
        y = y.copy()
        ctx.x, ctx.y, ctx.axes, ctx.keepdim = x, y, axes, keepdim
        return y.reshape(())


class NanMedianAll(MedianAll):
    """The median of the non-nan elements (nan if all are nan)."""

    ignore_nan = True


def _median_index(x, axis, ignore_nan):
    """The index (kept dim) of the median along axis: the middle of a stable sort (nans sort last)."""
    xp = get_array_module(x)
    order = xp.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    nans = _nan_mask(x).sum(axis=axis, keepdims=True)
    if ignore_nan:
        pos = xp.maximum(n - nans - 1, 0) // 2
    else:
        pos = xp.where(nans > 0, n - nans, (n - 1) // 2)  # the first nan when there is one
    return xp.take_along_axis(order, pos, axis).astype(np.int64, copy=False)


def _pick(cls, input, index, axis, keepdim, result):
    """The (values, indices) result of a one-element-per-slice reduction."""
    x = input._array
    if x.ndim == 0:
        index = np.zeros((), np.int64)
        return result(cls.apply(input, index, 0, keepdim), wrap(index))
    values = cls.apply(input, index, axis, keepdim)
    return result(values, wrap(index if keepdim else index.squeeze(axis)))


def _median(input, dim, keepdim, out, axis, keepdims, name, ignore_nan):
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    x = input._array
    if dim is None:
        result = (NanMedianAll if ignore_nan else MedianAll).apply(input, tuple(range(x.ndim)), False)
        return _write(out, result, name, input)
    ax = _wrap_dim(dim, x.ndim)
    if x.ndim:
        _reduce._nonempty(input, (ax,), name, dim)
    index = _median_index(x, ax, ignore_nan) if x.ndim else None
    return _write(out, _pick(Median, input, index, ax, keepdim, getattr(return_types, name)), name, input)


def median(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """median(x): the lower of the two middle values of all elements (nan if any is nan);
    median(x, dim): (values, indices) along dim. The index is the one a stable sort puts in the middle."""
    return _median(input, dim, keepdim, out, axis, keepdims, "median", False)


def nanmedian(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """median ignoring nans (nan only where every value is nan; the index there may differ from PyTorch's,
    which is unspecified)."""
    return _median(input, dim, keepdim, out, axis, keepdims, "nanmedian", True)


def _mode_index(x, axis):
    """The index (kept dim) of the last occurrence of the smallest most frequent value along axis."""
    xp = get_array_module(x)
    v = xp.moveaxis(x, axis, -1)
    rows, n = v.size // builtins.max(v.shape[-1], 1), v.shape[-1]
    order = xp.argsort(v.reshape(rows, n), axis=1, kind="stable")
    s = xp.take_along_axis(v.reshape(rows, n), order, 1)
    new = xp.ones((rows, n), bool)  # True where a run of equal sorted values starts (nan equals nothing)
    new[:, 1:] = s[:, 1:] != s[:, :-1]
    run = xp.cumsum(new.reshape(-1)) - 1  # a run number for each element, unique across rows
    length = xp.bincount(run)[run].reshape(rows, n)
    best = length.max(axis=1, keepdims=True)
    start = xp.argmax(length == best, axis=1)[:, None]  # the first longest run: the smallest value
    end = start + best - 1  # a stable sort keeps equal values in index order: the run's end is the last one
    index = xp.take_along_axis(order, end, 1).reshape(v.shape[:-1] + (1,))
    return xp.moveaxis(index, -1, axis).astype(np.int64, copy=False)


def mode(input, dim=-1, keepdim=False, *, out=None, axis=None, keepdims=None):
    """(values, indices): the most frequent value along dim (the smallest of equally frequent ones) and
    the index of its last occurrence. Each nan counts as a value of its own. PyTorch gives the same index
    for slices of up to 16 elements; past that its choice among the occurrences is unspecified."""
    dim, keepdim = _dim(dim, axis, -1), _keep(keepdim, keepdims)
    x = input._array
    ax = _wrap_dim(dim, x.ndim)
    if x.ndim:
        _reduce._nonempty(input, (ax,), "mode", dim)
    index = _mode_index(x, ax) if x.ndim and x.size else (
        np.zeros(tuple(1 if i == ax else n for i, n in enumerate(x.shape)), np.int64) if x.ndim else None)
    return _write(out, _pick(Mode, input, index, ax, keepdim, return_types.mode), "mode", input)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None, axis=None, keepdims=None):
    """(values, indices): the k-th smallest element along dim (k from 1; nan counts as the largest).
    On ties the index is the stable sort's, which may differ from PyTorch's (its quickselect's order)."""
    dim, keepdim = _dim(dim, axis, -1), _keep(keepdim, keepdims)
    x = input._array
    ax = _wrap_dim(dim, x.ndim)
    n = x.shape[ax] if x.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {ax}")
    index = None
    if x.ndim:
        order = np.argsort(x, axis=ax, kind="stable")
        index = np.take(order, [k - 1], axis=ax).astype(np.int64, copy=False)
    return _write(out, _pick(Kthvalue, input, index, ax, keepdim, return_types.kthvalue), "kthvalue", input)


def msort(input, *, out=None):
    """input sorted along dim 0 (the values of sort(input, dim=0))."""
    from . import index as _index
    return _write(out, _index.sort(input, 0)[0], "msort", input)


# ---------------------------------------------------------------------------------------------------
# quantile, nanquantile
# ---------------------------------------------------------------------------------------------------
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


class Quantile(Function):
    """y = the q-quantile along the last axis of the (moved) input: with the values sorted, the rank
    r = q·(n − 1) falls between positions i = ⌊r⌋ and j = ⌈r⌉, and y = s_i + w·(s_j − s_i), w = r − i
    (0 for lower/higher/nearest after rounding r, ½ for midpoint)."""

    saves = ()

    @staticmethod
    def forward(ctx, v, q, interpolation, ignore_nan):
        xp = get_array_module(v)
        order = xp.argsort(v, axis=-1, kind="stable")  # nans last
        s = xp.take_along_axis(v, order, -1)
        nan = xp.isnan(s)
        n = s.shape[-1]
        if ignore_nan:  # rank among the non-nan values (0 when all are nan: the result is nan)
            last = ((~nan).sum(axis=-1, keepdims=True) - 1).astype(v.dtype)
            ranks = xp.maximum(q * last, 0).astype(v.dtype, copy=False)
            scale = xp.maximum(last, 0)
        else:  # a slice with a nan gets rank n − 1: its last sorted value, a nan
            has_nan = nan.any(axis=-1, keepdims=True)
            ranks = xp.where(has_nan, n - 1, q * v.dtype.type(n - 1)).astype(v.dtype, copy=False)
            scale = xp.where(has_nan, 0, n - 1).astype(v.dtype)
        if interpolation == "lower":
            ranks = xp.floor(ranks)
        elif interpolation == "higher":
            ranks = xp.ceil(ranks)
        elif interpolation == "nearest":
            ranks = xp.round(ranks)  # half to even, as torch.round
        below = ranks.astype(np.int64)
        above = xp.ceil(ranks).astype(np.int64)
        lo, hi = xp.take_along_axis(s, below, -1), xp.take_along_axis(s, above, -1)
        if interpolation == "midpoint":
            w = xp.full(ranks.shape, 0.5, v.dtype)
        elif interpolation == "linear":
            w = ranks - below
        else:
            w = xp.zeros(ranks.shape, v.dtype)
        with np.errstate(invalid="ignore"):
            # torch.lerp: lo + w·(hi − lo) for w < ½, else hi − (hi − lo)·(1 − w)
            y = xp.where(w < 0.5, lo + w * (hi - lo), hi - (hi - lo) * (1 - w))
        ctx.shape, ctx.order, ctx.below, ctx.above, ctx.w = v.shape, order, below, above, w
        ctx.q_slope = (hi - lo) * scale if interpolation == "linear" else None
        return y.astype(v.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        # dL/ds_i += dL/dy · (1 − w), dL/ds_j += dL/dy · w; then each sorted value's gradient goes back to
        # where the sort took it from.  dL/dq = dL/dy · (s_j − s_i) · (n − 1) (linear only)
        xp = get_array_module(grad)
        # (the input is (..., 1, n) and the result (..., nq, 1): the nq ranks index one sorted row)
        ax = len(ctx.shape) - 1
        below, above, g = (a.swapaxes(-1, -2) for a in (ctx.below, ctx.above, grad))
        w = ctx.w.swapaxes(-1, -2)
        gs = _scatter_add(ctx.shape, below, g * (1 - w), ax) + _scatter_add(ctx.shape, above, g * w, ax)
        gv = xp.zeros(ctx.shape, grad.dtype)
        xp.put_along_axis(gv, ctx.order, gs.astype(grad.dtype, copy=False), -1)
        gq = None
        if ctx.needs_input_grad[1] and ctx.q_slope is not None:
            gq = (grad * ctx.q_slope).reshape((-1,) + grad.shape[-2:]).sum(axis=0)
        return gv, gq, None, None


def _quantile(input, q, dim, keepdim, interpolation, out, axis, keepdims, name, ignore_nan):
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    x = input._array
    if x.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q._array.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._array.dtype != x.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qa = q._array
        if qa.size and not ((qa >= 0) & (qa <= 1)).all():
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        qa = np.asarray(q, x.dtype)
    if x.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
                           f"nearest, but got {interpolation}")
    # move the reduced dim last (flatten for dim=None), with a last axis of q values: (..., 1) -> (..., nq)
    if dim is None:
        v = _shape.reshape(input, (-1,))
        kept = (1,) * x.ndim
    else:
        ax = _wrap_dim(dim, x.ndim)
        v = _shape.movedim(input, ax, -1) if x.ndim else _shape.reshape(input, (1,))
        kept = tuple(1 if i == ax else n for i, n in enumerate(x.shape))
    v = _shape.unsqueeze(v, -2)  # (..., 1, n): one row per q value after broadcasting the ranks
    qt = q if isinstance(q, Tensor) else wrap(qa)
    qcol = _shape.reshape(qt, (-1, 1))
    y = Quantile.apply(v, qcol, interpolation, ignore_nan)  # (..., nq, 1)
    y = _shape.movedim(_shape.squeeze(y, -1), -1, 0)  # (nq, ...)
    if keepdim:
        y = _shape.reshape(y, (y._array.shape[0],) + kept)
    if qa.ndim == 0:
        y = _shape.squeeze(y, 0)
    return _write(out, y, name, input)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None, axis=None, keepdims=None):
    """The q-th quantiles along dim (all elements when None); q a number or a 1-D tensor (a leading
    result dim). A slice holding a nan gives nan. Differentiable in input (and in a tensor q, linear)."""
    return _quantile(input, q, dim, keepdim, interpolation, out, axis, keepdims, "quantile", False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None, axis=None,
                keepdims=None):
    """quantile ignoring nans (nan where a slice is all nan)."""
    return _quantile(input, q, dim, keepdim, interpolation, out, axis, keepdims, "nanquantile", True)


# ---------------------------------------------------------------------------------------------------
# nansum, nanmean
# ---------------------------------------------------------------------------------------------------
class NanSum(Function):
    """y = Σ x over axes, nans counted as 0."""

    saves = ()

    @staticmethod
    def forward(ctx, x, axes, keepdim, dtype):
        xp = get_array_module(x)
        ctx.keep, ctx.axes, ctx.keepdim = ~_nan_mask(x), axes, keepdim
        if x.dtype.name == "bfloat16":  # NumPy's nansum sees no nan in bfloat16: zero them, add in float32
            s = xp.where(ctx.keep, x, 0).sum(axis=axes, dtype=dtype or np.float32, keepdims=keepdim)
            return s if dtype is not None else s.astype(x.dtype)
        return xp.nansum(x, axis=axes, dtype=dtype, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy where x is a number, 0 at the nans
        return _reduce._restore(grad, ctx.axes, ctx.keepdim) * ctx.keep, None, None, None


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    """sum treating nan as zero."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    x = _reduce._cast(input, dtype)
    axes = _reduce._axes(dim, x._array.ndim)
    return _write(out, NanSum.apply(x, axes, keepdim, _reduce._sum_dtype(x, dtype)), "nansum", input)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    """The mean of the non-nan elements: nansum / their count (nan where all are nan), as PyTorch."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    if not _dtype.is_float_array(input._array.dtype):
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but got "
                           f"{_torch_name(input._array.dtype)}")
    count = (~np.isnan(input._array)).sum(axis=_reduce._axes(dim, input._array.ndim), keepdims=keepdim)
    result = _ew.div(nansum(input, dim, keepdim, dtype=dtype), wrap(np.asarray(count, np.int64)))
    return _write(out, result, "nanmean", input)


# ---------------------------------------------------------------------------------------------------
# aminmax, cummax, cummin, logcumsumexp
# ---------------------------------------------------------------------------------------------------
def aminmax(input, *, dim=None, keepdim=False, out=None, axis=None, keepdims=None):
    """(min, max) over dim (one int) or over everything; gradients as amin and amax (shared among ties)."""
    dim, keepdim = _dim(dim, axis), _keep(keepdim, keepdims)
    x = input._array
    if dim is None:
        if x.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has "
                               "no identity.")
        axes = tuple(range(x.ndim))
    else:
        ax = _wrap_dim(dim, x.ndim)
        if x.ndim and x.shape[ax] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {ax} to have non-zero size.")
        axes = (ax,) if x.ndim else ()
    result = return_types.aminmax(_reduce.Amin.apply(input, axes, keepdim), _reduce.Amax.apply(input, axes, keepdim))
    return _write(out, result, "aminmax", input)


class Cummax(Function):
    """y_i = x at the running extreme's index along axis (also Cummin's values)."""

    saves = ()

    @staticmethod
    def forward(ctx, x, index, axis):
        ctx.shape, ctx.index, ctx.axis = x.shape, index, axis
        return get_array_module(x).take_along_axis(x, index, axis)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx_k = Σ of dL/dy_i over the positions i whose running extreme is x_k
        return _scatter_add(ctx.shape, ctx.index, grad, ctx.axis), None, None


class Cummin(Cummax):
    pass


def _cumulative_extreme(input, dim, out, axis, name, smallest):
    dim = _dim(dim, axis)
    x = input._array
    ax = _wrap_dim(dim, x.ndim)
    xp = get_array_module(x)
    v = x.reshape(x.shape or (1,))
    run = (xp.minimum if smallest else xp.maximum).accumulate(v, axis=ax) if v.size else v.copy()
    # x_j starts a new running extreme where it equals it (the latest of equal ones wins) or is nan
    hit = (v == run) | _nan_mask(v)
    shape = [1] * v.ndim
    shape[ax] = v.shape[ax]
    positions = xp.where(hit, xp.arange(v.shape[ax]).reshape(shape), 0)
    index = xp.maximum.accumulate(positions, axis=ax) if v.size else positions
    index = index.astype(np.int64, copy=False)
    values = (Cummin if smallest else Cummax).apply(_shape.reshape(input, v.shape), index, ax)
    result = getattr(return_types, name)(_shape.reshape(values, x.shape), wrap(index.reshape(x.shape)))
    return _write(out, result, name, input)


def cummax(input, dim=None, *, out=None, axis=None):
    """(values, indices): the running maximum along dim and where it was found; nan propagates."""
    return _cumulative_extreme(input, dim, out, axis, "cummax", False)


def cummin(input, dim=None, *, out=None, axis=None):
    """(values, indices): the running minimum along dim and where it was found; nan propagates."""
    return _cumulative_extreme(input, dim, out, axis, "cummin", True)


def _reverse_logcumsumexp(a, axis):
    xp = get_array_module(a)
    return xp.flip(xp.logaddexp.accumulate(xp.flip(a, axis), axis=axis), axis)


class Logcumsumexp(Function):
    """y_i = log Σ_{j ≤ i} exp(x_j), accumulated with logaddexp (no overflow)."""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, x, axis):
        xp = get_array_module(x)
        y = xp.logaddexp.accumulate(x, axis=axis) if x.size else x.copy()
        ctx.x, ctx.y, ctx.axis = x, y, axis
        return y

    @staticmethod
    def backward(ctx, grad):
        # dL/dx_j = Σ_{i ≥ j} dL/dy_i · exp(x_j − y_i), summed in log space for the positive and the
        # negative parts of dL/dy separately (stable; PyTorch's formula)
        xp = get_array_module(grad)
        x, y, axis = ctx.x, ctx.y, ctx.axis
        if not x.size:
            return xp.zeros_like(x), None
        low = xp.finfo(grad.dtype).min
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log_abs = xp.log(xp.abs(grad))
            pos = _reverse_logcumsumexp(xp.where(grad > 0, log_abs, low) - y, axis)
            neg = _reverse_logcumsumexp(xp.where(grad < 0, log_abs, low) - y, axis)
            return (xp.exp(pos + x) - xp.exp(neg + x)).astype(grad.dtype, copy=False), None


def logcumsumexp(input, dim=None, *, out=None, axis=None):
    """log(cumsum(exp(x))) along dim, computed without overflow."""
    dim = _dim(dim, axis)
    x = input._array
    if not _dtype.is_float_array(x.dtype):
        raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for \'{_torch_name(x.dtype)}\'')
    ax = _wrap_dim(dim, x.ndim)
    y = Logcumsumexp.apply(_shape.reshape(input, x.shape or (1,)), ax)
    return _write(out, _shape.reshape(y, x.shape), "logcumsumexp", input)


# ---------------------------------------------------------------------------------------------------
# diff, trapezoid, cumulative_trapezoid, gradient: differences built from narrow
# ---------------------------------------------------------------------------------------------------
def _slice(x, dim, start, stop=None):
    """x[start:stop] along dim (negative start/stop count from the end)."""
    n = x._array.shape[dim]
    start = start + n if start < 0 else start
    stop = n if stop is None else (stop + n if stop < 0 else stop)
    start, stop = builtins.min(start, n), builtins.max(builtins.min(stop, n), builtins.min(start, n))
    return _shape.narrow(x, dim, start, stop - start)


def diff(input, n=1, dim=-1, prepend=None, append=None, *, axis=None):
    """The n-th forward difference along dim: out_i = x_{i+1} − x_i, applied n times (xor for bools),
    after putting ``prepend`` and ``append`` before and after input along dim."""
    dim = _dim(dim, axis, -1)
    if input._array.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, input._array.ndim)
    parts = [t for t in (prepend, input, append) if t is not None]
    x = _shape.cat([_tensor(t, input) for t in parts], d) if len(parts) > 1 else input
    for _ in range(n):
        length = x._array.shape[d]
        if length == 0:
            break
        later, earlier = _slice(x, d, 1), _slice(x, d, 0, length - 1)
        x = _ew.logical_xor(later, earlier) if x._array.dtype == np.bool_ else _ew.sub(later, earlier)
    return x


def _trapezoid_dx(y, x, d):
    """The spacings x_{i+1} − x_i along dim d, shaped to broadcast against y's pairs."""
    if x._array.ndim == 1:
        if x._array.shape[0] != y._array.shape[d]:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        shape = [1] * y._array.ndim
        shape[d] = -1
        x = _shape.reshape(x, shape)
    return diff(x, dim=d)


def trapezoid(y, x=None, *, dx=None, dim=-1, axis=None):
    """∫ y along dim by the trapezoidal rule, at sample points x (a tensor) or spacing dx (default 1)."""
    dim = _dim(dim, axis, -1)
    d = _wrap_dim(dim, y._array.ndim)
    if y._array.shape[d] == 0:  # zeros, not connected to y (as PyTorch)
        return wrap(np.zeros(y._array.shape[:d] + y._array.shape[d + 1:], y._array.dtype))
    if x is not None:
        if dx is not None:
            raise TypeError("trapezoid(): give either x or dx, not both")
        # Σ dx_i · (y_i + y_{i+1}) / 2
        pairs = _ew.add(_slice(y, d, 1), _slice(y, d, 0, -1))
        return _ew.div(_reduce.sum(_ew.mul(_trapezoid_dx(y, x, d), pairs), d), 2.0)
    dx = 1 if dx is None else dx
    # constant spacing: dx · (Σ y − (y_first + y_last) / 2)
    ends = _ew.mul(_ew.add(_shape.narrow(y, d, 0, 1), _slice(y, d, -1)), 0.5)
    return _ew.mul(_ew.sub(_reduce.sum(y, d), _shape.squeeze(ends, d)), dx)


def trapz(y, x=None, *, dx=None, dim=-1, axis=None):
    """The older name of trapezoid."""
    return trapezoid(y, x, dx=dx, dim=dim, axis=axis)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1, axis=None):
    """The running trapezoidal integral along dim (one element fewer than y along dim)."""
    dim = _dim(dim, axis, -1)
    d = _wrap_dim(dim, y._array.ndim)
    pairs = _ew.add(_slice(y, d, 0, -1), _slice(y, d, 1))
    if x is not None:
        if y._array.shape[d] == 0:
            return _ew.div(pairs, 2.0)
        step = _ew.div(_trapezoid_dx(y, x, d), 2.0)
    else:
        step = (1 if dx is None else dx) / 2.0
    return _reduce.cumsum(_ew.mul(step, pairs), d)


def _coordinate_gradient(f, coords, d, edge_order):
    """∂f/∂x along dim d for sample coordinates x (a 1-D tensor): second-order central differences inside
    for uneven spacing, one-sided differences of order edge_order at both ends."""
    shape = [1] * f._array.ndim
    shape[d] = -1
    h = diff(coords)
    h1, h2 = _slice(h, 0, 0, -1), _slice(h, 0, 1)
    a = _shape.reshape(-h2 / (h1 * (h1 + h2)), shape)
    b = _shape.reshape((h2 - h1) / (h1 * h2), shape)
    c = _shape.reshape(h1 / (h2 * (h1 + h2)), shape)
    center = a * _slice(f, d, 0, -2) + b * _slice(f, d, 1, -1) + c * _slice(f, d, 2)
    f0, f1, f2 = _slice(f, d, 0, 1), _slice(f, d, 1, 2), _slice(f, d, 2, 3)
    fa, fb, fc = _slice(f, d, -3, -2), _slice(f, d, -2, -1), _slice(f, d, -1)
    d0, dm1 = h[0], h[-1]
    if edge_order == 1:
        first, last = (f1 - f0) / d0, (fc - fb) / dm1
    else:  # second-order one-sided differences for uneven spacing
        d1, dm2 = h[1], h[-2]
        first = (-(2.0 * d0 + d1) / (d0 * (d0 + d1)) * f0 + (d0 + d1) / (d0 * d1) * f1
                 + (-d0) / (d1 * (d0 + d1)) * f2)
        last = (dm1 / (dm2 * (dm1 + dm2)) * fa - (dm1 + dm2) / (dm1 * dm2) * fb
                + (2 * dm1 + dm2) / (dm1 * (dm1 + dm2)) * fc)
    return _shape.cat([first, center, last], d)


def _uniform_gradient(f, h, d, edge_order):
    """∂f/∂x along dim d for even spacing h: (f_{i+1} − f_{i−1}) / 2h inside, one-sided at the ends."""
    center = (_slice(f, d, 2) - _slice(f, d, 0, -2)) / h / 2
    f0, f1, f2 = _slice(f, d, 0, 1), _slice(f, d, 1, 2), _slice(f, d, 2, 3)
    fa, fb, fc = _slice(f, d, -3, -2), _slice(f, d, -2, -1), _slice(f, d, -1)
    if edge_order == 1:
        first, last = (f1 - f0) / h, (fc - fb) / h
    else:
        first = (f0 * -1.5 + f1 * 2 - f2 * 0.5) / h
        last = (fa * 0.5 + fb * -2 + fc * 1.5) / h
    return _shape.cat([first, center, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1, axis=None):
    """Estimates of ∂input/∂x_d for each dim d (a tuple, one tensor per dim), by central differences.
    spacing: one number for every dim, one number per dim, or one 1-D tensor of coordinates per dim."""
    dim = _dim(dim, axis)
    f = input
    if not _dtype.is_float_array(f._array.dtype):
        f = _ew.to_dtype(f, _dtype.get_default_dtype())
    ndim = f._array.ndim
    dims = list(range(ndim)) if dim is None else (
        [_wrap_dim(d, ndim) for d in dim] if isinstance(dim, (tuple, list)) else [_wrap_dim(dim, ndim)])
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if builtins.any(f._array.shape[d] < edge_order + 1 for d in dims):
        raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    if not isinstance(spacing, (tuple, list)):
        spacing = [spacing] * len(dims)
    elif len(spacing) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and "
                           f"dim arguments to have the same length, but got a spacing argument of length "
                           f"{len(spacing)} and a dim argument of length {len(dims)}.")
    results = []
    for d, s in zip(dims, spacing):
        if isinstance(s, Tensor) and s._array.ndim == 1:
            if s._array.shape[0] != f._array.shape[d]:
                raise RuntimeError("torch.gradient expected each tensor to be on the same device and its size "
                                   "to match the input along dim")
            results.append(_coordinate_gradient(f, s, d, edge_order))
        else:
            results.append(_uniform_gradient(f, s.item() if isinstance(s, Tensor) else s, d, edge_order))
    return tuple(results)


# ---------------------------------------------------------------------------------------------------
# cov, corrcoef, dist, renorm: compositions of differentiable ops
# ---------------------------------------------------------------------------------------------------
def _check_weights(w, name, n, integral):
    a = w._array
    if a.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                           f"{a.ndim} dimensions")
    if integral and a.dtype.kind not in "iu":
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {name} with "
                           f"{_torch_name(a.dtype)} dtype")
    if not integral and not _dtype.is_float_array(a.dtype):
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got {name} with "
                           f"{_torch_name(a.dtype)} dtype")
    if a.size != n:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the "
                           f"input but got {a.size} != {n}")
    if a.size and a.min() < 0:
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in input's rows (a 1-D input is one variable), observations
    in its columns, optionally weighted by frequency (fweights) and importance (aweights)."""
    if not isinstance(correction, int):
        raise TypeError(f"cov(): argument 'correction' must be int, not {type(correction).__name__}")
    if input._array.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input._array.ndim} dimensions")
    x = input if input._array.ndim == 2 else _shape.reshape(input, (1, -1))
    n_obs = x._array.shape[1]
    w = None
    if fweights is not None:
        _check_weights(fweights, "fweights", n_obs, True)
        w = fweights
    if aweights is not None:
        _check_weights(aweights, "aweights", n_obs, False)
        w = aweights if w is None else _ew.mul(w, aweights)
    if w is None:
        w_sum = n_obs
        avg = _ew.div(_reduce.sum(x, 1), n_obs)
        norm = n_obs - correction
    else:
        w_sum = _reduce.sum(w)
        avg = _ew.div(_reduce.sum(_ew.mul(x, w), 1), w_sum)
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = _ew.sub(w_sum, correction)
        else:
            norm = _ew.sub(w_sum, _ew.div(_ew.mul(_reduce.sum(_ew.mul(w, aweights)), correction), w_sum))
    if float(norm) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number "
                      "of observations.", UserWarning, stacklevel=2)
        norm = 0
    xm = _ew.sub(x, _shape.unsqueeze(avg, 1))
    from . import matmul as _mm
    c = _mm.mm(xm, _shape.t(xm if w is None else _ew.mul(xm, w)))
    return _shape.squeeze(_ew.div(c, norm))


def corrcoef(input):
    """The Pearson correlation coefficients of input's rows: cov / (σ_i σ_j), clipped to [−1, 1]."""
    from . import views as _views
    c = cov(input)
    if c._array.ndim == 0:
        return _ew.div(c, c)
    std = _ew.sqrt(_views.diagonal(c))
    c = _ew.div(c, _shape.unsqueeze(std, 1))
    c = _ew.div(c, _shape.unsqueeze(std, 0))
    return _ew.clamp(c, -1, 1)


def dist(input, other, p=2):
    """The p-norm of input − other (broadcast), over all elements."""
    for t in (input, other):
        if isinstance(t, Tensor) and not _dtype.is_float_array(t._array.dtype):
            raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                               f"Got {_torch_name(t._array.dtype)} instead.")
    return _reduce.norm(_ew.sub(input, other), p)


def renorm(input, p, dim=None, maxnorm=None, *, out=None, axis=None):
    """Each slice along dim whose p-norm exceeds maxnorm scaled down to norm maxnorm:
    x · maxnorm / (‖x‖ + 1e-7) there, x elsewhere (the gradient includes the norm's).
    (dim and maxnorm are required; their defaults only let dim be given as axis=.)"""
    dim = _dim(dim, axis)
    if dim is None or maxnorm is None:
        raise TypeError("renorm() missing required arguments: 'dim' and 'maxnorm'")
    x = input._array
    if x.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {x.ndim} dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = _wrap_dim(dim, x.ndim)
    others = tuple(i for i in range(x.ndim) if i != d)
    norm = _reduce.norm(input, p, others, keepdim=True)
    factor = _ew.where(_ew.gt(norm, maxnorm), _ew.div(maxnorm, _ew.add(norm, 1e-7)), 1.0)
    return _write(out, _ew.mul(input, factor), "renorm", input)


def cumulative_(input, fn, dim, dtype, axis):
    """Tensor.cumsum_ / cumprod_: fn written into input; a dtype= other than input's is PyTorch's error."""
    if dtype is not None and _dtype.to_numpy(dtype) != input._array.dtype:
        names = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long", "int32": "int"}
        have, want = input._array.dtype.name, _dtype.to_numpy(dtype).name
        raise RuntimeError(f"Bad in-place call: input tensor dtype {names.get(have, have)} and output tensor "
                           f"dtype {names.get(want, want)} should match")
    from . import inplace as _inplace
    return _inplace.apply_(input, fn, dim, dtype=dtype, axis=axis)


def sum_to_size(input, *size):
    """Tensor.sum_to_size: input summed down to ``size`` (which must broadcast to input's shape)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = input._array.shape
    lead = len(shape) - len(size)
    if lead < 0 or builtins.any(s != 1 and s != n for s, n in zip(size, shape[lead:])):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    axes = tuple(range(lead)) + tuple(lead + i for i, (s, n) in enumerate(zip(size, shape[lead:]))
                                     if s == 1 and n != 1)
    if not axes:
        return input
    return _shape.reshape(_reduce.sum(input, axes, keepdim=True), tuple(size))


# ---------------------------------------------------------------------------------------------------
# histc, histogram, histogramdd, bucketize, searchsorted, unique_consecutive: counts and indices
# (no gradient, as in PyTorch)
# ---------------------------------------------------------------------------------------------------
def histc(input, bins=100, min=0, max=0, *, out=None):
    """A histogram of bins equal-width bins over [min, max] (the data's range when min = max); elements
    outside are ignored, the last bin includes max."""
    x = input._array
    if not _dtype.is_float_array(x.dtype):
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_torch_name(x.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histc: bins must be > 0, but got {bins} for dimension 0")
    lo, hi = x.dtype.type(min), x.dtype.type(max)
    if lo == hi and x.size:
        lo, hi = x.min(), x.max()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    v = x.reshape(-1)
    v = v[(v >= lo) & (v <= hi)]
    # PyTorch's linear rule (in x's dtype): bin = ⌊(x − min) · bins / (max − min)⌋, max in the last bin
    pos = ((v - lo) * x.dtype.type(bins) / (hi - lo)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    result = wrap(np.bincount(pos, minlength=bins).astype(x.dtype))
    return _write(out, result, "histc")


def _edges(x, bins, range_, dim_name):
    """The bin edges: a tensor given, or bins+1 even edges over range (the data's range by default)."""
    if isinstance(bins, Tensor):
        if bins._array.dtype != x.dtype:
            c_name = {"float32": "float", "float64": "double"}
            raise RuntimeError(f"torch.histogramdd: input tensor and bins tensors should have the same dtype, "
                               f"but got input with dtype {c_name.get(x.dtype.name, x.dtype.name)} and bins for "
                               f"dimension {dim_name} with dtype "
                               f"{c_name.get(bins._array.dtype.name, bins._array.dtype.name)}")
        return bins._array, True
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension {dim_name}")
    if range_ is not None:
        lo, hi = float(range_[0]), float(range_[1])
    elif x.size:
        lo, hi = float(x.min()), float(x.max())
    else:
        lo, hi = 0.0, 0.0
    if lo > hi:
        raise RuntimeError(f"torch.histogramdd(): expected upper bound to be greater than lower bound for "
                           f"dimension {dim_name}, but got lower bound {lo} and upper bound {hi}")
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, bins + 1).astype(x.dtype), False


def _bin_index(v, edges):
    """The bin of each value (edges[i] ≤ v < edges[i+1], the last edge in the last bin); −1 outside."""
    pos = np.searchsorted(edges, v, side="right") - 1
    pos = np.where(v == edges[-1], len(edges) - 2, pos)
    inside = (v >= edges[0]) & (v <= edges[-1])
    return np.where(inside, pos, -1)


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    """(hist, bin_edges): counts (or summed weights) of input's values in bins, an int (even bins over
    range) or a 1-D tensor of edges; density=True divides by the total and the bin widths."""
    x = input._array
    if not _dtype.is_float_array(x.dtype):
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_torch_name(x.dtype)}'")
    edges, _ = _edges(x, bins, range, 0)
    pos = _bin_index(x.reshape(-1), edges)
    keep = pos >= 0
    w = None if weight is None else weight._array.reshape(-1)[keep]
    hist = np.bincount(pos[keep], weights=w, minlength=len(edges) - 1).astype(x.dtype)
    if density:
        with np.errstate(divide="ignore", invalid="ignore"):
            hist = (hist / (hist.sum() * np.diff(edges))).astype(x.dtype)
    result = return_types.histogram(wrap(hist), wrap(np.array(edges, x.dtype)))
    return _write(out, result, "histogram")


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """(hist, bin_edges) of the points in input's last dim (D coordinates each): a D-dimensional histogram;
    bins an int, a list of D ints, or a list of D edge tensors; range a flat list (min0, max0, min1, ...)."""
    x = input._array
    if not _dtype.is_float_array(x.dtype):
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{_torch_name(x.dtype)}'")
    points = x.reshape(-1, x.shape[-1])
    n_dims = points.shape[1]
    if not isinstance(bins, (tuple, list)):
        bins = [bins] * n_dims
    edges, flat, keep = [], np.zeros(points.shape[0], np.int64), np.ones(points.shape[0], bool)
    for d in builtins.range(n_dims):
        r = None if range is None else (range[2 * d], range[2 * d + 1])
        e, _ = _edges(points[:, d], bins[d], r, d)
        pos = _bin_index(points[:, d], e)
        keep &= pos >= 0
        flat = flat * (len(e) - 1) + np.maximum(pos, 0)  # row-major bin number
        edges.append(e)
    shape = tuple(len(e) - 1 for e in edges)
    w = None if weight is None else weight._array.reshape(-1)[keep]
    hist = np.bincount(flat[keep], weights=w, minlength=math.prod(shape)).astype(x.dtype).reshape(shape)
    if density:
        widths = np.ones(shape)
        for d, e in enumerate(edges):
            widths = widths * np.diff(e).reshape([-1 if i == d else 1 for i in builtins.range(n_dims)])
        with np.errstate(divide="ignore", invalid="ignore"):
            hist = (hist / (hist.sum() * widths)).astype(x.dtype)
    return return_types.histogramdd(wrap(hist), [wrap(np.array(e, x.dtype)) for e in edges])


def _search(seq, values, right):
    """For each value, how many elements of its row of seq are below it (≤ it when right)."""
    if seq.ndim == 1:
        return np.searchsorted(seq, values, side="right" if right else "left")
    # one sorted row per row of values: count by comparing every value with its row (n·m comparisons)
    below = (seq[..., None, :] <= values[..., :, None]) if right else (seq[..., None, :] < values[..., :, None])
    return below.sum(axis=-1)


def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None, out=None, sorter=None):
    """Where each value would go in sorted_sequence to keep it sorted (its innermost dim; leading dims
    match values'): the first such place, or the last with right=True / side='right'."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of "
                               "left while right was True")
        right = side == "right"
    seq = sorted_sequence._array
    v = values._array if isinstance(values, Tensor) else np.asarray(values)
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._array, -1)
    if seq.ndim != 1 and (v.ndim != seq.ndim or seq.shape[:-1] != v.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           "dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(seq.shape)} and input value tensor {list(v.shape)}")
    result = np.asarray(_search(seq, v, right)).astype(np.int32 if out_int32 else np.int64)
    return _write(out, wrap(result), "searchsorted")


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each input element for the sorted 1-D boundaries: i with b[i−1] < x ≤ b[i]
    (b[i−1] ≤ x < b[i] with right=True)."""
    if boundaries._array.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._array.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """input with each run of equal consecutive elements (or slices along dim) kept once; optionally the
    inverse (the run of each input element) and each run's length. Not differentiable here (PyTorch records
    a graph whose backward is not implemented)."""
    x = input._array
    if dim is None:
        v = x.reshape(-1)
        changed = v[1:] != v[:-1]
    else:
        d = _wrap_dim(dim, x.ndim)
        v = np.moveaxis(x, d, 0)
        rows = v.reshape(v.shape[0], -1)
        changed = (rows[1:] != rows[:-1]).any(axis=1)
    starts = np.concatenate([[True], changed]) if v.shape[0] else np.zeros(0, bool)
    first = np.flatnonzero(starts)
    values = v[first] if dim is None else np.moveaxis(v[first], 0, d)
    out = [wrap(np.ascontiguousarray(values))]
    if return_inverse:
        inverse = np.cumsum(starts) - 1
        out.append(wrap(inverse.reshape(x.shape if dim is None else (-1,)).astype(np.int64)))
    if return_counts:
        out.append(wrap(np.diff(np.append(first, v.shape[0])).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = ["median", "nanmedian", "mode", "kthvalue", "msort", "quantile", "nanquantile", "nansum", "nanmean",
           "aminmax", "cummax", "cummin", "logcumsumexp", "diff", "trapezoid", "trapz", "cumulative_trapezoid",
           "gradient", "cov", "corrcoef", "dist", "renorm", "histc", "histogram", "histogramdd", "searchsorted",
           "bucketize", "unique_consecutive"]
