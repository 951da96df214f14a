"""Pooling: summarize each window of a feature map by its maximum or its average.

A 2-D pooling window has KH·KW cells. For kernel offset (a, b), the input values at that cell of every
window form one *strided slice* of the (padded) input,

    view_ab[.., i, j] = x[.., i·sH + a·dH, j·sW + b·dW],

the same shape as the output. So max pooling is the elementwise maximum of the KH·KW slices and average
pooling their sum divided by the window size: a Python loop over the kernel offsets only, each step one
vectorized NumPy operation over the whole batch, all channels and all pixels.

Backward goes the other way: the gradient of slice (a, b) is added into the same strided view of a zero
array. For max pooling only the winning cell of each window gets the gradient; like PyTorch, the winner is
the *first* maximum in scan order (row by row), so ties give exactly PyTorch's gradients.

Output size along one dim (PyTorch's rule): out = ⌊(L + 2p − d(k − 1) − 1) / s⌋ + 1; with ``ceil_mode`` the
division rounds up, but a last window that would start in the right padding is dropped.

Adaptive pooling fixes the output size instead: output i along a dim of length L covers inputs
⌊i·L/out⌋ .. ⌈(i+1)·L/out⌉ − 1, so windows may differ in size and overlap.
"""
import itertools
import math
import operator

import numpy as np

from ..autograd.function import Function, wrap
from ..backend import get_array_module
from .. import _dtype
from .. import kernels
from ..tensor import Tensor
from .pad import add_along_axis

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "adaptive_max_pool3d", "max_pool3d_with_indices", "adaptive_max_pool3d_with_indices",
           "max_unpool1d", "max_unpool2d", "max_unpool3d",
           "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "lp_pool1d", "lp_pool2d",
           "max_pool1d_with_indices", "max_pool2d_with_indices", "adaptive_max_pool1d_with_indices",
           "adaptive_max_pool2d_with_indices", "lp_pool3d"]


# ---------------------------------------------------------------------------------------------------
# window geometry
# ---------------------------------------------------------------------------------------------------
class Windows:
    """Where the windows of a pooling lie: kernel k, stride s, padding p, dilation d, output size out (each a
    tuple with one entry per pooled dim: (height, width) in 2-D, (depth, height, width) in 3-D), plus the extra
    zero/−∞ cells needed at the end of each dim so that every window of a ceil_mode output lies inside the
    padded array. A kernel offset is a tuple (a, b) (or (a, b, c)); its strided slices are computed once here."""

    def __init__(self, size, k, s, p, d, out):
        self.size, self.k, self.s, self.p, self.d, self.out = size, k, s, p, d, out
        # the last window ends at (out − 1)·s + (k − 1)·d; the padded array must reach it
        self.extra = tuple(max((o - 1) * st + (kk - 1) * dd + 1 - n - pp, 0)
                           for o, st, kk, dd, n, pp in zip(out, s, k, d, size, p))
        # windows overlap when a stride is shorter than the (dilated) kernel's span
        self.overlap = any(st < (kk - 1) * dd + 1 for st, kk, dd in zip(s, k, d))
        # kernel offsets in PyTorch's scan order (row by row), and the slice each one reads
        self._offsets = list(itertools.product(*(range(kk) for kk in k)))
        per_dim = [[slice(a * dd, a * dd + st * (o - 1) + 1, st) for a in range(kk)]
                   for kk, st, dd, o in zip(k, s, d, out)]
        self._reads = dict(zip(self._offsets, ((Ellipsis,) + sl for sl in itertools.product(*per_dim))))

    def offsets(self):
        """The kernel offsets (a, b) in PyTorch's scan order: row by row."""
        return self._offsets

    def view(self, padded, offset):
        """The strided slice of ``padded`` read by kernel offset (a, b): one value per window."""
        return padded[self._reads[offset]]

    def pad(self, x, fill):
        """x with p cells of ``fill`` before and p (+ extra) after along each pooled dim; x itself if none."""
        if not any(self.p) and not any(self.extra):
            return x
        xp = get_array_module(x)
        nd = len(self.k)
        size = x.shape[-nd:]
        padded = xp.full(x.shape[:-nd] + tuple(pp + n + e for n, pp, e in zip(size, self.p, self.extra)),
                         fill, dtype=x.dtype)
        padded[(Ellipsis,) + tuple(slice(pp, pp + n) for pp, n in zip(self.p, size))] = x
        return padded

    def unpad(self, padded):
        """The inverse of ``pad``: the part of a padded-shape array that lies over the input."""
        nd = len(self.k)
        if padded.shape[-nd:] == tuple(self.size):
            return padded
        inside = (Ellipsis,) + tuple(slice(pp, pp + n) for pp, n in zip(self.p, self.size))
        return get_array_module(padded).ascontiguousarray(padded[inside])


_WORDS = {1: "one int", 2: "two ints", 3: "three ints"}


def _tuple(name, what, v, n=2):
    """An int or a 1- or n-sequence as a tuple of n ints, with PyTorch's message otherwise."""
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (tuple, list)):
        if len(v) not in (1, n):
            raise RuntimeError(f"{name}: {what.replace('two ints', _WORDS[n])}")
        v = tuple(operator.index(i) for i in v)
        return v * n if len(v) == 1 else v
    return (operator.index(v),) * n


def _pair(name, what, v):
    return _tuple(name, what, v, 2)


def _out_size(n, k, s, p, d, ceil_mode):
    """PyTorch's pooling output size along one dim (see the module docstring)."""
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:  # the last window would start in the right padding
        out -= 1
    return out


def _windows(name, x, kernel_size, stride, padding, dilation, ceil_mode, dims=2):
    """Check a 2-D (or 3-D) pooling's arguments with PyTorch's rules and messages; return its Windows."""
    k = _tuple(name, "kernel_size must either be a single int, or a tuple of two ints", kernel_size, dims)
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        s = k
    else:
        s = _tuple(name, "stride must either be omitted, a single int, or a tuple of two ints", stride, dims)
    p = _tuple(name, "padding must either be a single int, or a tuple of two ints", padding, dims)
    d = _tuple(name, "dilation must be either a single int, or a tuple of two ints", dilation, dims)
    if x.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"non-empty {dims + 1}D or {dims + 2}D (batch mode) tensor expected for input")
    for kk, st, pp, dd in zip(k, s, p, d):
        if st == 0:
            raise RuntimeError("stride should not be zero")
        if pp < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {pp}")
        if pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")
    if dims == 2:
        if k[0] <= 0 or k[1] <= 0:
            raise RuntimeError(f"kernel size should be greater than zero, but got kH: {k[0]} kW: {k[1]}")
        if s[0] <= 0 or s[1] <= 0:
            raise RuntimeError(f"stride should be greater than zero, but got dH: {s[0]} dW: {s[1]}")
        if d[0] <= 0 or d[1] <= 0:
            raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {d[0]} dilationW: {d[1]}")
        if k[1] // 2 < p[1] or k[0] // 2 < p[0]:
            raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got padW = {p[1]}, "
                               f"padH = {p[0]}, kW = {k[1]}, kH = {k[0]}")
    else:
        if min(k) <= 0:
            raise RuntimeError(f"kernel size should be greater than zero, but got kT: {k[0]} kH: {k[1]} kW: {k[2]}")
        if min(s) <= 0:
            raise RuntimeError(f"stride should be greater than zero, but got dT: {s[0]} dH: {s[1]} dW: {s[2]}")
        if min(d) <= 0:
            raise RuntimeError(f"dilation should be greater than zero, but got dilationT: {d[0]} dilationH: {d[1]} "
                               f"dilationW: {d[2]}")
    size = x.shape[-dims:]
    out = tuple(_out_size(n, kk, st, pp, dd, ceil_mode) for n, kk, st, pp, dd in zip(size, k, s, p, d))
    if min(out) < 1:
        c = x.shape[-dims - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + size))}). Calculated output size: "
                           f"({'x'.join(map(str, (c,) + out))}). Output size is too small")
    return Windows(size, k, s, p, d, out)


def _lowest(dtype):
    """The padding value of max pooling: −∞, or the smallest integer for integer tensors."""
    return -np.inf if _dtype.is_float_array(dtype) else np.iinfo(dtype).min


# ---------------------------------------------------------------------------------------------------
# max pooling
# ---------------------------------------------------------------------------------------------------
def _window_max(padded, win):
    """y = the elementwise maximum of the KH·KW strided slices (NaN wins, as in PyTorch)."""
    xp = get_array_module(padded)
    views = (win.view(padded, off) for off in win.offsets())
    y = next(views).copy()
    for v in views:
        xp.maximum(y, v, out=y)
    return y


def _winners(padded, y, win):
    """For each kernel offset (in scan order), a mask of the windows whose maximum PyTorch takes from that
    cell: the first cell equal to the maximum, so ties go to the earliest; a window holding NaN takes its
    last NaN."""
    xp = get_array_module(padded)
    offsets = win.offsets()
    masks, open_ = [], None  # open_: windows whose winner is not found yet
    for n, off in enumerate(offsets):
        hit = win.view(padded, off) == y
        if open_ is not None:
            hit &= open_
        if n < len(offsets) - 1:
            open_ = ~hit if open_ is None else open_ & ~hit
        masks.append(hit)
    if _dtype.is_float_array(y.dtype) and xp.isnan(y).any():
        found = xp.zeros(y.shape, bool)
        for n in reversed(range(len(masks))):  # backwards: the last NaN of a window wins
            hit = xp.isnan(win.view(padded, offsets[n])) & ~found
            masks[n] |= hit
            found |= hit
    return masks


def _flat_indices(masks, win):
    """PyTorch's ``return_indices``: the position of each window's maximum in the input, flattened over the
    pooled dims (h·W + w in 2-D, (t·H + h)·W + w in 3-D)."""
    xp = get_array_module(masks[0])
    nd = len(win.k)
    flat = 0
    for i in range(nd):  # along dim i: the winning offset's cell, plus where the window starts
        pos = xp.zeros(masks[0].shape, np.int64)
        for off, hit in zip(win.offsets(), masks):
            if off[i]:
                xp.copyto(pos, off[i] * win.d[i], where=hit)
        pos += (xp.arange(win.out[i]) * win.s[i] - win.p[i]).reshape((-1,) + (1,) * (nd - 1 - i))
        flat = flat * win.size[i] + pos
    return flat


class MaxPool2d(Function):
    """y[.., i, j] = max over the window's cells of x (the KH·KW strided slices, see the module docstring);
    3-D pooling uses it too (KD·KH·KW slices)."""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, x, win, masks):
        if masks is None and kernels.wants(x, min_size=4096):
            from ..kernels import pool as _k  # non-overlapping windows: max and winners in one pass
            if _k.applies(x, win):
                y, ctx.arg = _k.max_pool(x, win, bool(ctx.needs_input_grad))  # winners only for a backward
                ctx.shape, ctx.win = x.shape, win
                return y
        padded = win.pad(x, _lowest(x.dtype))
        y = _window_max(padded, win)
        ctx.padded, ctx.y, ctx.win, ctx.masks = padded, y, win, masks
        return y

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy at the winning cell of each window, 0 elsewhere (summed where windows overlap)
        win = ctx.win
        if getattr(ctx, "arg", None) is not None:
            from ..kernels import pool as _k
            return _k.max_pool_backward(grad, ctx.arg, ctx.shape, win), None, None
        xp = get_array_module(grad)
        masks = ctx.masks if ctx.masks is not None else _winners(ctx.padded, ctx.y, win)
        gx = xp.zeros(ctx.padded.shape, grad.dtype)
        finite = bool(xp.isfinite(grad).all())  # then grad · hit is exact (and much faster than np.where)
        for off, hit in zip(win.offsets(), masks):
            view = win.view(gx, off)
            if not finite:  # inf · 0 would be NaN: keep a non-finite gradient off the losing cells
                view += xp.where(hit, grad, grad.dtype.type(0))
            elif win.overlap:
                view += grad * hit
            else:  # each cell belongs to one window at most: write instead of add
                xp.multiply(grad, hit, out=view)
        return win.unpad(gx), None, None


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    """max_pool2d returning (values, indices)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum of each KH×KW window of (N, C, H, W) or (C, H, W) input; stride defaults to the kernel.

    Padding adds −∞ around the input (it never wins). ``return_indices`` also gives, for each output, the
    flat position h·W + w of its maximum in the input (PyTorch's indices, for ``max_unpool2d``).
    """
    x = input._array
    win = _windows("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
    if not return_indices:
        return MaxPool2d.apply(input, win, None)
    padded = win.pad(x, _lowest(x.dtype))
    masks = _winners(padded, _window_max(padded, win), win)
    return MaxPool2d.apply(input, win, masks), wrap(_flat_indices(masks, win))


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    """max_pool3d returning (values, indices)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum of each KD×KH×KW window of (N, C, D, H, W) or (C, D, H, W) input (the same slices as
    max_pool2d, one per kernel offset (a, b, c)); indices are flat positions (t·H + h)·W + w in the input."""
    x = input._array
    win = _windows("max_pool3d", x, kernel_size, stride, padding, dilation, ceil_mode, dims=3)
    if not return_indices:
        return MaxPool2d.apply(input, win, None)
    padded = win.pad(x, _lowest(x.dtype))
    masks = _winners(padded, _window_max(padded, win), win)
    return MaxPool2d.apply(input, win, masks), wrap(_flat_indices(masks, win))


def _as_2d(input, name):
    """(N, C, L) or (C, L) as (N, C, 1, L) or (C, 1, L): 1-D pooling is 2-D pooling with a window of height 1."""
    x = input._array
    if x.ndim not in (2, 3):
        raise RuntimeError(f"{name}: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(x.shape)}")
    return input.unsqueeze(-2)


def _one(name, what, v):
    """An int or a 1-sequence as an int (1-D pooling arguments)."""
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise RuntimeError(f"{name}() argument '{what}' should contain one int (got {len(v)})")
        return operator.index(v[0])
    return operator.index(v)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    """max_pool1d returning (values, indices)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum of each window of length kernel_size along the last dim of (N, C, L) or (C, L) input."""
    x2 = _as_2d(input, "max_pool1d")
    k = _one("max_pool1d", "kernel_size", kernel_size)
    s = k if stride is None or stride == [] or stride == () else _one("max_pool1d", "stride", stride)
    p, d = _one("max_pool1d", "padding", padding), _one("max_pool1d", "dilation", dilation)
    for v, what in ((k, "kernel_size"), (s, "stride"), (d, "dilation")):
        if v <= 0:
            raise RuntimeError(f"max_pool1d() {what} must be greater than zero, but got {v}")
    out = max_pool2d(x2, (1, k), (1, s), (0, p), (1, d), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


# ---------------------------------------------------------------------------------------------------
# average pooling
# ---------------------------------------------------------------------------------------------------
def _window_counts(n, k, s, p, out, count_include_pad):
    """How many cells each window along one dim counts: with count_include_pad the window clipped to the
    padded input (padding counts, the ceil_mode overhang does not); otherwise only the cells on the input."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, n + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, n) - np.maximum(start, 0)


class AvgPool2d(Function):
    """y[.., i, j] = (Σ over the window's cells of x) / divisor[i, j], zero padding included in the sum (2-D and
    3-D)."""

    saves = ()

    @staticmethod
    def forward(ctx, x, win, divisor):
        xp = get_array_module(x)
        padded = win.pad(x, 0)
        total = None
        for off in win.offsets():
            v = win.view(padded, off)
            total = v.copy() if total is None else xp.add(total, v, out=total)
        ctx.win, ctx.divisor, ctx.padded_shape = win, divisor, padded.shape
        if not _dtype.is_float_array(x.dtype):  # integer tensors: PyTorch divides with truncation
            return xp.trunc(total / divisor).astype(x.dtype)
        return (total / divisor).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = Σ over the windows containing x of dL/dy / divisor
        xp = get_array_module(grad)
        win = ctx.win
        g = (grad / ctx.divisor).astype(grad.dtype, copy=False)
        gx = xp.zeros(ctx.padded_shape, grad.dtype)
        for off in win.offsets():
            view = win.view(gx, off)
            view += g
        return win.unpad(gx), None, None


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each KH×KW window of (N, C, H, W) or (C, H, W) input; stride defaults to the kernel.

    The divisor is ``divisor_override`` if given, else the window size counting zero padding
    (``count_include_pad=True``) or only the cells on the input.
    """
    x = input._array
    if x.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(x.ndim, 1)}, "
                         f"{max(x.ndim, 1) - 1}], but got -3)")
    win = _windows("avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode)
    return AvgPool2d.apply(input, win, _divisor(x, win, count_include_pad, divisor_override))


def _divisor(x, win, count_include_pad, divisor_override):
    """What each window's sum is divided by: divisor_override, or the product over the pooled dims of the
    cells each window counts along that dim (an outer product, shaped like one output map)."""
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        return float(divisor_override)
    divisor = np.ones((), np.int64)
    for n, k, s, p, o in zip(win.size, win.k, win.s, win.p, win.out):
        divisor = np.multiply.outer(divisor, _window_counts(n, k, s, p, o, count_include_pad))
    return divisor.astype(x.dtype if _dtype.is_float_array(x) else np.float64)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each KD×KH×KW window of (N, C, D, H, W) or (C, D, H, W) input (see avg_pool2d)."""
    x = input._array
    if x.ndim not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    k = _tuple("avg_pool3d", "kernel_size must be a single int, or a tuple of two ints", kernel_size, 3)
    if any(n < kk for n, kk in zip(x.shape[-3:], k)):  # PyTorch checks the unpadded input here
        (t, h, w), (kt, kh, kw) = x.shape[-3:], k
        raise RuntimeError(f"input image (T: {t} H: {h} W: {w}) smaller than kernel size (kT: {kt} kH: {kh} kW: {kw})")
    win = _windows("avg_pool3d", x, k, stride, padding, 1, ceil_mode, dims=3)
    return AvgPool2d.apply(input, win, _divisor(x, win, count_include_pad, divisor_override))


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """The mean of each window of length kernel_size along the last dim of (N, C, L) or (C, L) input."""
    x = input._array
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 "
                           "'self' (while checking arguments for avg_pool1d)")
    k = _one("avg_pool1d", "kernel_size", kernel_size)
    s = k if stride is None or stride == [] or stride == () else _one("avg_pool1d", "stride", stride)
    p = _one("avg_pool1d", "padding", padding)
    out = avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), ceil_mode, count_include_pad)
    return out.squeeze(-2)


# ---------------------------------------------------------------------------------------------------
# adaptive pooling
# ---------------------------------------------------------------------------------------------------
def _adaptive_ranges(n, out):
    """PyTorch's adaptive windows along a dim of length n: start_i = ⌊i·n/out⌋, end_i = ⌈(i+1)·n/out⌉."""
    i = np.arange(out)
    return (i * n) // out, ((i + 1) * n + out - 1) // out


def _output_size(name, x, output_size, dims):
    """The requested output size as a tuple of ``dims`` ints; None keeps the input's size."""
    if isinstance(output_size, (tuple, list)):
        sizes = tuple(output_size)
        if len(sizes) != dims:
            raise RuntimeError(f"{name}: output_size must be {dims}")
    else:
        sizes = (output_size,) * dims
    return tuple(x.shape[-dims + i] if s is None else operator.index(s) for i, s in enumerate(sizes))


class AdaptiveAvgPool(Function):
    """y = the mean of each adaptive window over the last len(out) dims, taken one dim at a time:
    along a dim, y[.., i, ..] = Σ_{start_i ≤ h < end_i} x[.., h, ..] / (end_i − start_i)."""

    saves = ()

    @staticmethod
    def forward(ctx, x, out):
        xp = get_array_module(x)
        ctx.shape, ctx.out = x.shape, out
        if 0 in out:
            return xp.zeros(x.shape[:x.ndim - len(out)] + out, x.dtype)
        if all(o == 1 for o in out):  # global average pooling: one matrix-vector product (BLAS)
            lead, cells = x.shape[:x.ndim - len(out)], math.prod(x.shape[x.ndim - len(out):])
            mean = xp.full(cells, 1.0 / cells, dtype=x.dtype)
            return (x.reshape(-1, cells) @ mean).reshape(lead + out)
        if _tiles(x.shape, out):  # equal windows that tile the input: a reshape and a mean
            return x.reshape(_tiled(x.shape, out)).mean(axis=_tile_axes(out))
        for dim, o in _dims(x.ndim, out):
            x = _window_sum(x, dim, o) / _window_length(x.shape[dim], o, x.dtype, dim, x.ndim)
        return x

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = Σ over the windows containing x of dL/dy / (window size), one dim at a time, reversed
        xp = get_array_module(grad)
        shape, out = ctx.shape, ctx.out
        if 0 in out:
            return xp.zeros(shape, grad.dtype), None
        if _tiles(shape, out):
            cells = math.prod(n // o for n, o in zip(shape[len(shape) - len(out):], out))
            g = xp.expand_dims(grad / grad.dtype.type(cells), _tile_axes(out))
            return xp.broadcast_to(g, _tiled(shape, out)).reshape(shape), None
        for dim, o in reversed(_dims(len(shape), out)):
            grad = _window_sum_backward(grad / _window_length(shape[dim], o, grad.dtype, dim, grad.ndim),
                                        dim, shape[dim], o)
        return grad, None


def _dims(ndim, out):
    """(dim, output size) for each pooled dim: the last len(out) dims."""
    return [(ndim - len(out) + i, o) for i, o in enumerate(out)]


def _tiles(shape, out):
    return all(n % o == 0 for n, o in zip(shape[len(shape) - len(out):], out))


def _tiled(shape, out):
    """(.., H, W) -> (.., oh, H/oh, ow, W/ow): each (H/oh, W/ow) tile is one window."""
    lead = shape[:len(shape) - len(out)]
    tiles = []
    for n, o in zip(shape[len(lead):], out):
        tiles += [o, n // o]
    return lead + tuple(tiles)


def _tile_axes(out):
    """The within-tile axes of the _tiled shape: (-1, -3, ...)."""
    return tuple(-1 - 2 * i for i in range(len(out)))


def _window_length(n, o, dtype, dim, ndim):
    """The length of each adaptive window along ``dim``, shaped to broadcast along that dim."""
    start, end = _adaptive_ranges(n, o)
    return (end - start).astype(dtype).reshape((-1,) + (1,) * (ndim - 1 - dim))


def _window_sum(x, dim, o):
    """Σ over each adaptive window along ``dim``: a loop over the offsets t inside a window; windows shorter
    than t repeat their last cell, masked out."""
    xp = get_array_module(x)
    start, end = _adaptive_ranges(x.shape[dim], o)
    total = None
    for t in range(int((end - start).max())):
        inside = (start + t < end).reshape((-1,) + (1,) * (x.ndim - 1 - dim))
        v = xp.where(inside, xp.take(x, xp.minimum(start + t, end - 1), axis=dim), x.dtype.type(0))
        total = v if total is None else xp.add(total, v, out=total)
    return total


def _window_sum_backward(grad, dim, n, o):
    """The backward of ``_window_sum``: each window's gradient is added onto every cell of the window."""
    xp = get_array_module(grad)
    start, end = _adaptive_ranges(n, o)
    gx = None
    for t in range(int((end - start).max())):
        inside = (start + t < end).reshape((-1,) + (1,) * (grad.ndim - 1 - dim))
        g = add_along_axis(xp.where(inside, grad, grad.dtype.type(0)), dim, xp.minimum(start + t, end - 1), n)
        gx = g if gx is None else xp.add(gx, g, out=gx)
    return gx


def _check_adaptive(name, x, dims):
    if x.ndim not in (dims + 1, dims + 2):
        colon = ":" if dims == 3 else ""
        raise RuntimeError(f"{name}(): Expected {dims + 1}D or {dims + 2}D tensor, but got{colon} {list(x.shape)}")


def _check_1d(name, x):
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for {name})")


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed (oh, ow) output over (N, C, H, W) or (C, H, W) input; None keeps a dim."""
    x = input._array
    _check_adaptive("adaptive_avg_pool2d", x, 2)
    return AdaptiveAvgPool.apply(input, _output_size("adaptive_avg_pool2d", x, output_size, 2))


def adaptive_avg_pool3d(input, output_size):
    """Average pooling to a fixed (od, oh, ow) output over (N, C, D, H, W) or (C, D, H, W) input."""
    x = input._array
    _check_adaptive("adaptive_avg_pool3d", x, 3)
    return AdaptiveAvgPool.apply(input, _output_size("adaptive_avg_pool3d", x, output_size, 3))


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed length over (N, C, L) or (C, L) input."""
    x = input._array
    _check_1d("adaptive_avg_pool1d", x)
    return AdaptiveAvgPool.apply(input, _output_size("adaptive_avg_pool1d", x, output_size, 1))


def _adaptive_argmax(x, out):
    """For each adaptive window of the last len(out) dims, the flat position of its maximum (h·W + w in 2-D):
    the first one in scan order, or the last NaN (PyTorch's rule). A loop over the offsets inside a window."""
    xp = get_array_module(x)
    nd = len(out)
    size = x.shape[-nd:]
    ranges = [_adaptive_ranges(n, o) for n, o in zip(size, out)]
    longest = [range(int((end - start).max())) for start, end in ranges]
    best = index = None
    for offset in itertools.product(*longest):
        # along dim i, window j reads cell min(start_j + t, end_j − 1), shaped to broadcast over the others
        cells, inside, flat = [], True, 0
        for i, ((start, end), t) in enumerate(zip(ranges, offset)):
            shape = (1,) * i + (-1,) + (1,) * (nd - 1 - i)
            cells.append(xp.minimum(start + t, end - 1).reshape(shape))
            inside = inside & (start + t < end).reshape(shape)
            flat = flat * size[i] + cells[-1]
        v = x[(Ellipsis,) + tuple(cells)]
        flat = xp.broadcast_to(flat, v.shape)
        if best is None:
            best, index = v.copy(), flat.copy()
            continue
        better = inside & ((v > best) | xp.isnan(v))
        best = xp.where(better, v, best)
        index = xp.where(better, flat, index)
    return index


class TakeFlat(Function):
    """y[.., i, j] = x[.., index[.., i, j]] with x's last ``nd`` dims read as one (h·W + w for nd = 2)."""

    saves = ()

    @staticmethod
    def forward(ctx, x, index, nd=2):
        xp = get_array_module(x)
        ctx.shape, ctx.index, ctx.nd = x.shape, index, nd
        flat = x.reshape(x.shape[:-nd] + (-1,))
        return xp.take_along_axis(flat, index.reshape(index.shape[:-nd] + (-1,)), -1).reshape(index.shape)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx[k] = Σ over the outputs that read position k of dL/dy (overlapping windows may share one)
        xp = get_array_module(grad)
        shape, index, nd = ctx.shape, ctx.index, ctx.nd
        rows = math.prod(shape[:-nd])
        gx = xp.zeros((rows, math.prod(shape[-nd:])), grad.dtype)
        xp.add.at(gx, (xp.arange(rows)[:, None], index.reshape(rows, -1)), grad.reshape(rows, -1))
        return gx.reshape(shape), None, None


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool3d returning (values, indices)."""
    return adaptive_max_pool3d(input, output_size, return_indices=True)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling to a fixed (od, oh, ow) output over (N, C, D, H, W) or (C, D, H, W) input; None keeps a dim.

    ``return_indices`` also gives the flat position (t·H + h)·W + w of each maximum in the input."""
    x = input._array
    _check_adaptive("adaptive_max_pool3d", x, 3)
    out = _output_size("adaptive_max_pool3d", x, output_size, 3)
    if x.size == 0 or 0 in out:
        index = get_array_module(x).zeros(x.shape[:-3] + out, np.int64)
    else:
        index = _adaptive_argmax(x, out).astype(np.int64, copy=False)
    y = TakeFlat.apply(input, index, 3)
    return (y, wrap(index)) if return_indices else y


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool2d returning (values, indices)."""
    return adaptive_max_pool2d(input, output_size, return_indices=True)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed (oh, ow) output over (N, C, H, W) or (C, H, W) input; None keeps a dim.

    ``return_indices`` also gives the flat position h·W + w of each maximum in the input.
    """
    x = input._array
    _check_adaptive("adaptive_max_pool2d", x, 2)
    out = _output_size("adaptive_max_pool2d", x, output_size, 2)
    if x.size == 0 or 0 in out:
        index = get_array_module(x).zeros(x.shape[:-2] + out, np.int64)
    else:
        index = _adaptive_argmax(x, out).astype(np.int64, copy=False)
    y = TakeFlat.apply(input, index, 2)
    return (y, wrap(index)) if return_indices else y


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool1d returning (values, indices)."""
    return adaptive_max_pool1d(input, output_size, return_indices=True)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling to a fixed length over (N, C, L) or (C, L) input."""
    x = input._array
    _check_1d("adaptive_max_pool1d", x)
    (size,) = _output_size("adaptive_max_pool1d", x, output_size, 1)
    y, index = adaptive_max_pool2d(input.unsqueeze(-2), (1, size), return_indices=True)
    if return_indices:
        return y.squeeze(-2), index.squeeze(-2)
    return y.squeeze(-2)


# ---------------------------------------------------------------------------------------------------
# max unpooling: put each value back where max pooling found it
# ---------------------------------------------------------------------------------------------------
class MaxUnpool(Function):
    """y (.., *out) zeros except y.flat[index] = x: the flat positions a max pooling's ``return_indices`` gave."""

    saves = ()

    @staticmethod
    def forward(ctx, x, index, out):
        xp = get_array_module(x)
        nd = len(out)
        lead = x.shape[:-nd]
        rows = math.prod(lead)
        y = xp.zeros((rows, math.prod(out)), x.dtype)
        flat_index = index.reshape(rows, -1)
        y[xp.arange(rows)[:, None], flat_index] = x.reshape(rows, -1)
        ctx.index, ctx.x_shape = flat_index, x.shape
        return y.reshape(lead + tuple(out))

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy read back at the position each value was put
        xp = get_array_module(grad)
        g = grad.reshape(ctx.index.shape[0], -1)
        return xp.take_along_axis(g, ctx.index, -1).reshape(ctx.x_shape), None, None


def _max_unpool(name, dims, input, indices, kernel_size, stride, padding, output_size):
    x = input._array
    if x.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{name}: Expected {dims + 1}D or {dims + 2}D tensor, but got {list(x.shape)}")
    k = _tuple(name, "kernel_size must be an int or a tuple of ints", kernel_size, dims)
    s = k if stride is None else _tuple(name, "stride must be an int or a tuple of ints", stride, dims)
    p = _tuple(name, "padding must be an int or a tuple of ints", padding, dims)
    default = tuple((n - 1) * st - 2 * pp + kk for n, st, pp, kk in zip(x.shape[-dims:], s, p, k))
    if output_size is None:
        out = default
    else:  # PyTorch accepts the spatial sizes with or without the leading dims
        out = tuple(output_size)[-dims:] if len(output_size) in (dims + 1, dims + 2) else tuple(output_size)
        if len(out) != dims:
            raise ValueError(f"output_size should be a sequence containing {dims} or {dims + 2} elements, but it has a "
                             f"length of '{len(output_size)}'")
        for d, (size, lo, st) in enumerate(zip(out, default, s)):
            if not lo - st < size < lo + st:
                raise ValueError(f'invalid output_size "{tuple(out)}" (dim {d} must be between {lo - st} and '
                                 f'{lo + st})')
    if tuple(indices.shape) != tuple(x.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(x.shape)}) but "
                           f"got indices tensor with shape: {list(indices.shape)}")
    index = indices._array.astype(np.int64, copy=False)
    cells = math.prod(out)
    if index.size and (index.min() < 0 or index.max() >= cells):
        bad = int(index.max()) if index.max() >= cells else int(index.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, out))}")
    return MaxUnpool.apply(input, index, out)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d: (N, C, L) values back at their indices, zeros elsewhere."""
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d: each value back at its flat index h·W + w, zeros elsewhere; the output
    size is (H − 1)·stride − 2·padding + kernel_size unless ``output_size`` says otherwise."""
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool3d (flat indices (t·H + h)·W + w)."""
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding, output_size)


# ---------------------------------------------------------------------------------------------------
# power-average pooling (composed from the ops above, as PyTorch does)
# ---------------------------------------------------------------------------------------------------
def _lp_finish(out, norm_type, cells):
    """(Σ xᵖ)^(1/p) from the window means: (sign(m) · relu(|m|) · cells)^(1/p)."""
    from .activation import relu
    return (out.sign() * relu(out.abs())).mul(cells).pow(1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(Σ over each window of xᵖ)^(1/p); p = ∞ is max pooling of |x|."""
    kh, kw = _pair("lp_pool2d", "kernel_size must either be a single int, or a tuple of two ints", kernel_size)
    if norm_type == float("inf"):
        return max_pool2d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -max_pool2d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, norm_type, kh * kw)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(Σ over each window of xᵖ)^(1/p) along the last dim; p = ∞ is max pooling of |x|."""
    if norm_type == float("inf"):
        return max_pool1d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -max_pool1d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, norm_type, kernel_size)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """(Σ over each KD×KH×KW window of xᵖ)^(1/p); p = ∞ is max pooling of |x|."""
    kd, kh, kw = _tuple("lp_pool3d", "kernel_size must either be a single int, or a tuple of two ints",
                        kernel_size, 3)
    if norm_type == float("inf"):
        return max_pool3d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -max_pool3d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, norm_type, kd * kh * kw)
