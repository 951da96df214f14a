"""F.interpolate: resize the spatial dims of (N, C, L), (N, C, H, W) or (N, C, D, H, W) tensors.

Every mode here is *separable*: resizing an image is resizing its rows, then its columns. Along one dim of
input length n and output length m, output position i reads one or two input positions:

    nearest        y[i] = x[⌊i·scale⌋]                                  (PyTorch's legacy nearest)
    nearest-exact  y[i] = x[⌊(i + ½)·scale⌋]                            (rounds to the nearest center)
    (bi/tri)linear y[i] = (1 − λ)·x[i0] + λ·x[i1],  i0 = ⌊src⌋, i1 = i0 + 1, λ = src − i0

with scale = n/m (or 1/scale_factor when one was given), and for linear src = i·(n − 1)/(m − 1) when
``align_corners`` (the corner pixels' centers line up) or src = (i + ½)·scale − ½ clamped at 0 otherwise
(pixel areas line up). The index arrays and weights are computed once per dim, in the input's precision as
PyTorch does, so the same source pixels are chosen.

Forward is a gather per dim (``np.take``), last dim first, the order in which PyTorch combines the
weights. Backward is the matching scatter-add, first dim first: every output gradient, times its weight,
is added onto the input position it read (``add_along_axis``, which handles repeated positions).
'area' mode is adaptive average pooling.
"""
import math
import numbers
import warnings

import numpy as np

from ..autograd.function import Function
from ..backend import get_array_module
from .. import _dtype
from .pad import add_along_axis

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]


class Resample(Function):
    """y = x resampled along each planned dim: y[.., i, ..] = Σ_k w_k[i] · x[.., idx_k[i], ..]."""

    saves = ()

    @staticmethod
    def forward(ctx, x, plan):
        xp = get_array_module(x)
        ctx.plan, ctx.shape = plan, x.shape
        for dim, indices, weights in reversed(plan):  # last dim first, as PyTorch combines them
            if weights is None:  # nearest: a plain gather
                x = xp.take(x, indices[0], axis=dim)
                continue
            y = None
            for index, w in zip(indices, weights):
                term = xp.take(x, index, axis=dim) * w
                y = term if y is None else xp.add(y, term, out=y)
            x = y
        return x

    @staticmethod
    def backward(ctx, grad):
        # dL/dx[j] = Σ_{i, k: idx_k[i] = j} w_k[i] · dL/dy[i], one dim at a time, first dim first
        xp = get_array_module(grad)
        for dim, indices, weights in ctx.plan:
            n = ctx.shape[dim]
            if weights is None:
                grad = add_along_axis(grad, dim, indices[0], n)
                continue
            g = None
            for index, w in zip(indices, weights):
                term = add_along_axis(grad * w, dim, index, n)
                g = term if g is None else xp.add(g, term, out=g)
            grad = g
        return grad, None


def _scale(n, m, scale_factor, align_corners, dtype):
    """PyTorch's ratio of input to output coordinates along one dim, in the computation dtype."""
    if align_corners:
        return dtype.type(n - 1) / dtype.type(m - 1) if m > 1 else dtype.type(0)
    if scale_factor is not None and scale_factor > 0:
        return dtype.type(1.0 / scale_factor)
    return dtype.type(n) / dtype.type(m)


def _floor(v):
    """PyTorch floors source coordinates in single precision (floorf), whatever the input's precision."""
    return np.floor(v.astype(np.float32)).astype(np.int64)


def _nearest_index(n, m, scale, exact, dtype):
    i = np.arange(m).astype(dtype)
    if exact:
        src = np.maximum(scale * (i + dtype.type(0.5)) - dtype.type(0.5), dtype.type(0))
        return np.minimum(_floor(src + dtype.type(0.5)), n - 1)
    return np.minimum(_floor(scale * i), n - 1)


def _linear_index(n, m, scale, align_corners, dtype):
    """(i0, i1, λ0, λ1) for every output position of a linear resampling along one dim."""
    if n == m:  # PyTorch copies when the size does not change, whatever the scale factor
        i = np.arange(m)
        return i, i, np.ones(m, dtype), np.zeros(m, dtype)
    i = np.arange(m).astype(dtype)
    if align_corners:
        src = scale * i
    else:
        src = np.maximum(scale * (i + dtype.type(0.5)) - dtype.type(0.5), dtype.type(0))
    i0 = np.minimum(_floor(src), n - 1)
    lam1 = np.clip(src - i0.astype(dtype), 0, 1).astype(dtype)
    i1 = i0 + (i0 < n - 1)
    return i0, i1, (dtype.type(1) - lam1).astype(dtype), lam1


def _plan(shape, size, scale_factors, mode, align_corners, dtype):
    """One (dim, index arrays, weight arrays or None) per spatial dim that changes or needs weights."""
    compute = np.dtype(np.float64) if dtype == np.float64 else np.dtype(np.float32)  # PyTorch's opmath type
    plan = []
    for k, m in enumerate(size):
        dim = 2 + k
        n = shape[dim]
        factor = None if scale_factors is None else scale_factors[k]
        scale = _scale(n, m, factor, align_corners if mode not in ("nearest", "nearest-exact") else False,
                       compute)
        if mode in ("nearest", "nearest-exact"):
            index = _nearest_index(n, m, scale, mode == "nearest-exact", compute)
            plan.append((dim, (index,), None))
        else:
            i0, i1, lam0, lam1 = _linear_index(n, m, scale, align_corners, compute)
            w_shape = (m,) + (1,) * (len(shape) - 1 - dim)  # broadcast along this dim
            plan.append((dim, (i0, i1), (lam0.astype(dtype).reshape(w_shape), lam1.astype(dtype).reshape(w_shape))))
    return tuple(plan)


_LINEAR = {"linear": 3, "bilinear": 4, "trilinear": 5}


def _output_size(x, size, scale_factor, recompute_scale_factor, mode):
    """(output size, scale factors passed on to the kernel or None), with PyTorch's checks and messages."""
    dims = x.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dims:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {list(x.shape[2:])} and output size of {size}. Please provide input tensor in "
                    "(N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            if not all(isinstance(s, numbers.Integral) for s in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                                f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}")
            out = [int(s) for s in size]
        else:
            out = [int(size)] * dims
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        return out, None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dims:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but got input with spatial "
                f"dimensions of {list(x.shape[2:])} and scale_factor of shape {scale_factor}. Please provide input "
                "tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
        factors = [float(s) for s in scale_factor]
    else:
        factors = [float(scale_factor)] * dims
    out = [int(math.floor(n * s)) for n, s in zip(x.shape[2:], factors)]
    if recompute_scale_factor or mode == "area":  # the kernel recomputes the scale from the sizes
        return out, None
    return out, factors


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims of (N, C, L), (N, C, H, W) or (N, C, D, H, W) input; see the module docstring.

    Modes: 'nearest', 'nearest-exact', 'linear' (3-D), 'bilinear' (4-D), 'trilinear' (5-D) and 'area'.
    Deviations: 'bicubic' and ``antialias=True`` are not implemented (NotImplementedError).
    """
    x = input._array
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    out, factors = _output_size(x, size, scale_factor, recompute_scale_factor, mode)
    if antialias:
        if not (mode in ("bilinear", "bicubic", "lanczos") and x.ndim == 4):
            raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
                             "a 4-D tensor as input")
        raise NotImplementedError("interpolate: antialias=True is not implemented in glasstorch")
    if mode == "area" and x.ndim in (3, 4, 5):
        from . import pool
        return [pool.adaptive_avg_pool1d, pool.adaptive_avg_pool2d, pool.adaptive_avg_pool3d][x.ndim - 3](input, out)
    if mode in _LINEAR and x.ndim != _LINEAR[mode]:
        if x.ndim in (3, 4, 5):
            raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs {_LINEAR[mode]}D input")
    elif mode in ("nearest", "nearest-exact") and x.ndim in (3, 4, 5):
        pass
    elif mode == "bicubic" and x.ndim == 4:
        raise NotImplementedError("interpolate: mode 'bicubic' is not implemented in glasstorch")
    elif not (mode in _LINEAR and x.ndim == _LINEAR[mode]):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the modes: nearest | "
            f"linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact (got {mode})")
    if min(x.shape[2:]) <= 0 or min(out) <= 0:
        names = "DHW"[3 - len(out):]
        sizes_in = ", ".join(f"{c}: {n}" for c, n in zip(names, x.shape[2:]))
        sizes_out = ", ".join(f"{c}: {m}" for c, m in zip(names, out))
        joint = " and " if len(out) == 1 else " "  # PyTorch's wording differs by a word for 1-D
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({sizes_in}){joint}"
                           f"output ({sizes_out})")
    if not _dtype.is_float_array(x.dtype):
        raise NotImplementedError(f'"upsample_{mode}" not implemented for \'{str(x.dtype).capitalize()}\'')
    return Resample.apply(input, _plan(x.shape, out, factors, mode, align_corners, x.dtype))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of ``interpolate`` (warns, as PyTorch does)."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(input, size, scale_factor, mode='nearest')``."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)``."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
