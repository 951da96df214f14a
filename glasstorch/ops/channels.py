"""Per-channel arithmetic on (N, C, *) arrays, shared by batch norm and the convolutions' bias.

A channel's statistic runs over every sample and every position: Σ over axes (0, 2, 3, ...). NumPy's own
``a.sum(axis=(0, 2, 3))`` walks the array with strides and is several times slower than a matrix-vector product
with a vector of ones, which BLAS does at memory speed; and a per-channel vector broadcast as (1, C, 1, 1)
makes NumPy's inner loop read it with stride 0, about twice as slow as when it is laid out over the positions
first (``spread``). These helpers do both the fast way; the values are the same as the obvious code's.
"""
import math

from ..backend import get_array_module


def channel_shape(x):
    """(1, C, 1, ...): how a per-channel vector broadcasts against x (N, C, *)."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def channel_sum(a):
    """Σ a over every axis but the channel axis 1, kept as size-1 dims: shape (1, C, 1, ...).

    The positions of each (sample, channel) are summed by matrix-vector products with a vector of ones (BLAS,
    about 3x faster than NumPy's strided ``a.sum(axis=(0, 2, 3))``), then the samples are added."""
    xp = get_array_module(a)
    n, c = a.shape[:2]
    a3 = a.reshape(n, c, math.prod(a.shape[2:]))             # (N, C, positions), a view of contiguous input
    s = (a3 @ xp.ones(a3.shape[2], dtype=a.dtype)).sum(axis=0)
    return s.reshape(channel_shape(a))


def spread(v, x):
    """A per-channel vector v (1, C, 1, ...) laid out over one sample's positions: (1, C, *x.shape[2:]), contiguous.

    Why: NumPy multiplies x (N, C, H, W) by v (1, C, 1, 1) through an inner loop where v has stride 0, about 2x
    slower than when both operands are contiguous along the inner axis. Spreading v once over one sample
    (C·H·W values, a few hundred kB at most) lets every per-channel op of batch norm run at full speed; the
    values are the same, so are the results."""
    if x.ndim <= 2:
        return v
    return get_array_module(v).broadcast_to(v, (1,) + x.shape[1:]).copy()


def row_dot(a, b):
    """Σ a · b along the last axis: one (1, K) @ (K, 1) matrix product per row (no a·b temporary; 2 to 4x faster
    than the same ``einsum``)."""
    return (a[..., None, :] @ b[..., :, None])[..., 0, 0]


def channel_dot(a, b):
    """Σ a · b over every axis but the channel axis 1, shape (1, C, 1, ...)."""
    n, c = a.shape[:2]
    m = math.prod(a.shape[2:])
    s = row_dot(a.reshape(n, c, m), b.reshape(n, c, m)).sum(axis=0)
    return s.reshape(channel_shape(a))


# ---------------------------------------------------------------------------------------------------
# rearranging channels: pixel_shuffle, pixel_unshuffle, channel_shuffle (public, in nn.functional)
# Each is a reshape, a permutation of the axes and a reshape back: the autograd of those views and copies
# gives the backward (the inverse permutation), so no Function is needed.
# ---------------------------------------------------------------------------------------------------
def pixel_shuffle(input, upscale_factor):
    """(*, C·r², H, W) -> (*, C, H·r, W·r): y[.., c, h·r + i, w·r + j] = x[.., c·r² + i·r + j, h, w]."""
    r = int(upscale_factor)
    shape = tuple(input.shape)
    if len(shape) < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{len(shape)} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, c, h, w = shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    n = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)                  # (.., C, i, j, H, W)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)             # (.., C, H, i, W, j)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H·r, W·r) -> (*, C·r², H, W): the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    shape = tuple(input.shape)
    if len(shape) < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{len(shape)} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, c, h, w = shape
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={w} is not divisible by {r}")
    n = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)                   # (.., C, H, i, W, j)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)             # (.., C, i, j, H, W)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input, groups):
    """(N, C, *) with C = g·k -> the channels read as a (g, k) grid and transposed: y[:, j·g + i] = x[:, i·k + j]."""
    g = int(groups)
    shape = tuple(input.shape)
    if len(shape) <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(shape)}")
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{g}")
    n, c, *rest = shape
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {g} groups.")
    return input.reshape(n, g, c // g, *rest).transpose(1, 2).reshape(shape)


__all__ = ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle"]
