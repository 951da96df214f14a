"""Fractional max pooling (Graham, 2014): max pooling whose windows start at pseudo-random positions, so
the output can shrink the input by any factor (say 1.5), not just an integer stride.

Along one dim of length L, pooled by a window of k to ``out`` outputs, the windows start at

    start[i] = ⌊(i + u)·α⌋ − ⌊u·α⌋,  α = (L − k)/(out − 1)     (i < out − 1),   start[out − 1] = L − k

with one random u ∈ [0, 1) per sample, channel and dim (PyTorch's ``_random_samples``, shape (N, C, dims),
drawn from glasstorch's generator unless given; sample 0 goes with the width in 2-D, as in ATen). Each output
is the maximum of its k×k (or k×k×k) window, the first maximum in scan order on ties; the backward sends the
gradient to that winner (``TakeFlat`` of pool.py, shared with adaptive max pooling).
"""
import numpy as np

from ..autograd.function import wrap
from ..backend import get_array_module
from ..tensor import Tensor
from .pool import TakeFlat

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]


def _starts(u, length, out, k):
    """The window starts along one dim, for every (sample, channel): (N, C, out), computed in u's dtype."""
    xp = get_array_module(u)
    if out == 1:
        return xp.full(u.shape + (1,), length - k, dtype=np.int64)
    alpha = u.dtype.type(length - k) / u.dtype.type(out - 1)
    i = xp.arange(out - 1, dtype=u.dtype)
    starts = ((i + u[..., None]) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)[..., None]
    last = xp.full(u.shape + (1,), length - k, dtype=np.int64)
    return xp.concatenate([starts, last], axis=-1)


def _argmax_index(x, kernel, out, samples, sample_of_dim):
    """The flat input position of each window's maximum: (N, C, *out)."""
    xp = get_array_module(x)
    n, c, *size = x.shape
    nd = len(size)
    # rows[d]: (N, C, out_d, k_d), the input positions along dim d that each window covers
    pos = [(_starts(samples[:, :, sample_of_dim[d]], size[d], out[d], kernel[d])[..., None]
            + xp.arange(kernel[d])) for d in range(nd)]
    flat = 0
    for d in range(nd):   # broadcast to (N, C, out_0, .., out_{nd-1}, k_0, .., k_{nd-1}), then h·W + w
        shape = [n, c] + [1] * nd + [1] * nd
        shape[2 + d], shape[2 + nd + d] = out[d], kernel[d]
        flat = flat * size[d] + pos[d].reshape(shape)
    flat = flat.reshape(n, c, *out, -1)
    values = xp.take_along_axis(x.reshape(n, c, -1), flat.reshape(n, c, -1), -1).reshape(flat.shape)
    best = xp.argmax(values, axis=-1)   # the first maximum in scan order
    return xp.take_along_axis(flat, best[..., None], -1)[..., 0]


def _fractional(name, nd, input, kernel_size, output_size, output_ratio, _random_samples):
    x = input._array
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(x.shape)}")
    kernel = (kernel_size,) * nd if isinstance(kernel_size, int) else tuple(kernel_size)
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    size = x.shape[-nd:]
    if output_size is None:
        ratio = (output_ratio,) * nd if isinstance(output_ratio, (int, float)) else tuple(output_ratio)
        if len(ratio) > nd:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of Ints.")
        output_size = [int(s * r) for s, r in zip(size, ratio)]
    out = (output_size,) * nd if isinstance(output_size, int) else tuple(output_size)
    names = ("height", "width") if nd == 2 else ("time", "height", "width")
    for d in range(nd):   # ATen's checks: out + k − 1 ≤ L in 2-D, < L in 3-D
        if out[d] + kernel[d] - 1 > size[d] - (nd == 3):
            where = name if nd == 2 else name + "_out"
            raise RuntimeError(f"{where}(): pool {names[d]} {kernel[d]} too large relative to input "
                               f"{names[d]} {size[d]}")
    unbatched = x.ndim == nd + 1
    xb = x[None] if unbatched else x
    if _random_samples is None:
        from ..random import uniform_array
        samples = uniform_array((xb.shape[0], xb.shape[1], nd), 0.0, 1.0, x.dtype)
    else:
        samples = _random_samples._array if isinstance(_random_samples, Tensor) else np.asarray(_random_samples)
    sample_of_dim = (1, 0) if nd == 2 else (0, 1, 2)   # ATen: 2-D sample 0 is the width's, 1 the height's
    index = _argmax_index(xb, kernel, out, samples, sample_of_dim).astype(np.int64, copy=False)
    if unbatched:
        index = index[0]
    return TakeFlat.apply(input, index, nd), wrap(index)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """fractional_max_pool2d returning (values, indices): indices are flat positions h·W + w."""
    return _fractional("fractional_max_pool2d", 2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Fractional max pooling of (N, C, H, W) or (C, H, W) input to ``output_size`` (or input size ×
    ``output_ratio``); see the module docstring."""
    y, index = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio, True,
                                                  _random_samples)
    return (y, index) if return_indices else y


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    """fractional_max_pool3d returning (values, indices): indices are flat positions (t·H + h)·W + w."""
    return _fractional("fractional_max_pool3d", 3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Fractional max pooling of (N, C, T, H, W) or (C, T, H, W) input; see the module docstring."""
    y, index = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio, True,
                                                  _random_samples)
    return (y, index) if return_indices else y
