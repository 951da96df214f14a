"""Spatial transformers: ``affine_grid`` makes a sampling grid, ``grid_sample`` reads an image at it.

``grid[n, h, w] = (x, y)`` names a point of input n in normalized coordinates: −1 is the left/top edge and +1
the right/bottom one (with ``align_corners=True`` they are the centres of the corner pixels instead). The
point is first turned into pixel units ("unnormalize"),

    ix = (x + 1)/2 · (W − 1)            (align_corners=True)
    ix = ((x + 1) · W − 1)/2            (align_corners=False)

and the output is a weighted sum of the pixels around (ix, iy). The weights are separable, one factor per
axis, so every mode is a short list of *taps* per axis, (integer position, weight, d weight / d position):

    nearest   1 tap:   round(ix)                weight 1
    bilinear  2 taps:  ⌊ix⌋, ⌊ix⌋ + 1           weights 1 − t, t          (t = ix − ⌊ix⌋)
    bicubic   4 taps:  ⌊ix⌋ − 1 .. ⌊ix⌋ + 2     Keys' cubic convolution weights (A = −0.75, as PyTorch)

    out[n, c, h, w] = Σ_taps  wy · wx · input[n, c, y_tap, x_tap]

Backward: the input gradient scatters grad · wy · wx back to each tap's pixel (``np.add.at``); the grid
gradient is Σ_taps (wy · dwx · value) for x (likewise for y), times d ix / d x. 5-D inputs (volumes, grid
(N, D, H, W, 3) of (x, y, z)) work the same with a third axis (nearest and bilinear, as in PyTorch).

``padding_mode`` says what lies outside the image: 'zeros' (taps outside read 0), 'border' (the coordinate
is clamped to the edge) or 'reflection' (it is mirrored at the edges). For nearest/bilinear the rule is
applied to the continuous coordinate (with its gradient); for bicubic to each tap's integer position, as
PyTorch does.
"""
import itertools
import warnings

import numpy as np

from ..autograd.function import Function
from ..backend import get_array_module
from .. import _dtype
from ..tensor import Tensor

__all__ = ["affine_grid", "grid_sample"]

_CUBIC_A = -0.75


# ---------------------------------------------------------------------------------------------------
# coordinates: unnormalize, then the padding rule (each returns the value and its derivative)
# ---------------------------------------------------------------------------------------------------
def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) / 2 * (size - 1), (size - 1) / 2
    return ((coord + 1) * size - 1) / 2, size / 2


def _clip(coord, size):
    """Clamp to [0, size − 1]; the derivative is 0 where it was clamped."""
    xp = get_array_module(coord)
    inside = (coord > 0) & (coord < size - 1)
    return xp.clip(coord, 0, size - 1), inside.astype(coord.dtype)


def _reflect(coord, twice_low, twice_high):
    """Mirror coord into [low, high] (bounds given doubled); returns it and its derivative (±1)."""
    xp = get_array_module(coord)
    if twice_low == twice_high:
        return xp.zeros_like(coord), xp.zeros_like(coord)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    shifted = coord - low
    sign = xp.where(shifted < 0, -1.0, 1.0).astype(coord.dtype)
    d = xp.abs(shifted)
    extra, flips = xp.fmod(d, span), xp.floor(d / span)
    even = (flips % 2) == 0
    return xp.where(even, extra + low, span - extra + low), xp.where(even, sign, -sign)


def _pad_coordinate(coord, size, padding_mode, align_corners):
    """The padding rule on a pixel coordinate: (new coordinate, d new / d old)."""
    xp = get_array_module(coord)
    if padding_mode == "border":
        return _clip(coord, size)
    if padding_mode == "reflection":
        if align_corners:
            coord, d1 = _reflect(coord, 0, 2 * (size - 1))
        else:
            coord, d1 = _reflect(coord, -1, 2 * size - 1)
        coord, d2 = _clip(coord, size)
        return coord, d1 * d2
    return coord, xp.ones_like(coord)


def _cubic_weights(t):
    """Keys' cubic convolution weights of the 4 taps at distance t+1, t, 1−t, 2−t, and their d/dt."""
    a = _CUBIC_A

    def near(s):   # |s| ≤ 1: (a+2)s³ − (a+3)s² + 1
        return ((a + 2) * s - (a + 3)) * s * s + 1

    def dnear(s):
        return (3 * (a + 2) * s - 2 * (a + 3)) * s

    def far(s):    # 1 < |s| < 2: a·s³ − 5a·s² + 8a·s − 4a
        return ((a * s - 5 * a) * s + 8 * a) * s - 4 * a

    def dfar(s):
        return (3 * a * s - 10 * a) * s + 8 * a

    w = [far(t + 1), near(t), near(1 - t), far(2 - t)]
    dw = [dfar(t + 1), dnear(t), -dnear(1 - t), -dfar(2 - t)]
    return w, dw


def _axis_taps(coord, size, mode, padding_mode, align_corners):
    """The taps along one axis: list of (integer position, in-bounds mask, weight, d weight / d coord)."""
    xp = get_array_module(coord)
    if mode == "bicubic":
        base = xp.floor(coord)
        w, dw = _cubic_weights(coord - base)
        taps = []
        for k, (wk, dwk) in enumerate(zip(w, dw)):
            pos = base + (k - 1)
            if padding_mode != "zeros":   # the padding rule on each tap's integer position (no gradient)
                pos, _ = _pad_coordinate(pos, size, padding_mode, align_corners)
            taps.append((pos, wk, dwk))
    elif mode == "bilinear":
        base = xp.floor(coord)
        t = coord - base
        one = xp.ones_like(coord)
        taps = [(base, 1 - t, -one), (base + 1, t, one)]
    else:  # nearest: round half to even, as PyTorch's nearbyint
        taps = [(xp.rint(coord), xp.ones_like(coord), xp.zeros_like(coord))]
    out = []
    for pos, w, dw in taps:
        inside = (pos >= 0) & (pos <= size - 1)
        out.append((xp.clip(pos, 0, size - 1).astype(np.int64), inside, w, dw))
    return out


def _prepare(x, grid, mode, padding_mode, align_corners):
    """Per axis (in the input's spatial order: y, x or z, y, x): the taps and d coord / d grid value."""
    sizes = x.shape[2:]
    nd = len(sizes)
    axes = []
    for d in range(nd):
        g = grid[..., nd - 1 - d]                      # grid's last dim is (x, y[, z]): reversed spatial order
        coord, scale = _unnormalize(g, sizes[d], align_corners)
        if mode != "bicubic":
            coord, dpad = _pad_coordinate(coord, sizes[d], padding_mode, align_corners)
        else:
            dpad = 1.0
        if padding_mode == "zeros":                     # far outside: every tap reads 0 anyway; keep ints small
            coord = get_array_module(coord).clip(coord, -4, sizes[d] + 3)
        axes.append((_axis_taps(coord, sizes[d], mode, padding_mode, align_corners), scale * dpad))
    return axes


def _tap_products(axes):
    """Every combination of one tap per axis."""
    return itertools.product(*(taps for taps, _ in axes))


class GridSample(Function):
    """out[n, c, p] = Σ_taps Π_axis w_axis · input[n, c, tap position]  (p an output point of the grid)"""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, grid, mode, padding_mode, align_corners):
        xp = get_array_module(x, grid)
        n = x.shape[0]
        xt = xp.moveaxis(x, 1, -1)                       # (N, *spatial, C): a pixel's channels together
        batch = xp.arange(n).reshape((n,) + (1,) * (grid.ndim - 2))
        out = xp.zeros(grid.shape[:-1] + (x.shape[1],), dtype=x.dtype)
        for taps in _tap_products(_prepare(x, grid, mode, padding_mode, align_corners)):
            weight = np.prod([w for _, _, w, _ in taps], axis=0) * np.all([m for _, m, _, _ in taps], axis=0)
            out += weight[..., None] * xt[(batch,) + tuple(pos for pos, _, _, _ in taps)]
        ctx.x, ctx.grid, ctx.args = x, grid, (mode, padding_mode, align_corners)
        return xp.ascontiguousarray(xp.moveaxis(out, -1, 1))

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        x, grid = ctx.x, ctx.grid
        n, c, *sizes = x.shape
        nd = len(sizes)
        axes = _prepare(x, grid, *ctx.args)
        g = xp.moveaxis(grad, 1, -1)                     # (N, *out, C)
        xt = xp.moveaxis(x, 1, -1)
        batch = xp.arange(n).reshape((n,) + (1,) * (grid.ndim - 2))
        gx = xp.zeros((n * int(np.prod(sizes)), c), dtype=x.dtype) if ctx.needs_input_grad[0] else None
        gcoord = [xp.zeros(grid.shape[:-1], dtype=grid.dtype) for _ in range(nd)]
        for taps in _tap_products(axes):
            inside = np.all([m for _, m, _, _ in taps], axis=0)
            weights = [w * inside for _, _, w, _ in taps]
            positions = tuple(pos for pos, _, _, _ in taps)
            if gx is not None:
                # dL/dinput[tap pixel] += dL/dout · Π w
                flat = batch
                for pos, size in zip(positions, sizes):
                    flat = flat * size + pos
                np.add.at(gx, flat.ravel(), (np.prod(weights, axis=0)[..., None] * g).reshape(-1, c))
            if ctx.needs_input_grad[1]:
                # dL/dcoord_d += Σ_c dL/dout · value · dw_d · Π_{other axes} w
                gv = (g * xt[(batch,) + positions]).sum(-1)
                for d in range(nd):
                    others = np.prod([weights[e] for e in range(nd) if e != d], axis=0) if nd > 1 else 1
                    gcoord[d] += gv * others * taps[d][3] * inside
        ggrid = None
        if ctx.needs_input_grad[1]:
            # chain rule through unnormalize and the padding rule: × d coord / d grid value
            ggrid = xp.stack([gcoord[nd - 1 - k] * axes[nd - 1 - k][1] for k in range(nd)], axis=-1)
            ggrid = ggrid.astype(grid.dtype, copy=False)
        if gx is not None:
            gx = xp.ascontiguousarray(xp.moveaxis(gx.reshape(n, *sizes, c), -1, 1))
        return gx, ggrid, None, None, None


def _warn_align_corners():
    warnings.warn("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.", stacklevel=3)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` (N, C, H, W) at the points of ``grid`` (N, H_out, W_out, 2), normalized to [−1, 1];
    5-D: input (N, C, D, H, W), grid (N, D_out, H_out, W_out, 3). See the module docstring."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        _warn_align_corners()
        align_corners = False
    if input.ndim not in (4, 5) or grid.ndim != input.ndim:
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in last dimension, but got "
                           f"grid with sizes {list(grid.shape)}")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but input has "
                           f"{input.dtype} and grid has {grid.dtype}")
    if mode == "bicubic" and input.ndim == 5:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    return GridSample.apply(input, grid, mode, padding_mode, bool(align_corners))


def _base_coords(n, align_corners, dtype):
    """The n normalized pixel positions along one axis: −1 .. 1 (corner centres) or the pixel centres."""
    if n <= 1:
        return np.zeros(n, dtype=dtype)
    r = np.linspace(-1, 1, n, dtype=dtype)
    return r if align_corners else r * ((n - 1) / n)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of the affine maps ``theta`` (N, 2, 3) for an output of ``size`` (N, C, H, W):
    grid[n, h, w] = theta[n] @ (x_w, y_h, 1); 3-D: theta (N, 3, 4), size (N, C, D, H, W)."""
    from . import matmul as _mm
    from ..autograd.function import wrap
    if align_corners is None:
        _warn_align_corners()
        align_corners = False
    if not _dtype.is_float_array(theta._array):
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                             f"Got {theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                             f"Got {theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    dtype = theta._array.dtype
    # base[..., :] = (x, y[, z], 1) at every output pixel, x varying along the last spatial dim
    coords = [_base_coords(s, align_corners, dtype) for s in spatial]          # (D,) H, W
    mesh = np.meshgrid(*coords, indexing="ij")
    base = np.stack(list(mesh[::-1]) + [np.ones(tuple(spatial), dtype=dtype)], axis=-1).reshape(1, -1, len(spatial) + 1)
    grid = _mm.matmul(wrap(base), theta.transpose(1, 2))                          # (N, pixels, 2 or 3)
    return grid.reshape(size[0], *spatial, len(spatial))
