"""F.pad: grow (or, with negative amounts, crop) the last dims of a tensor.

``pad`` lists amounts for the last dim first, as in PyTorch: ``(left, right)`` pads the last dim,
``(left, right, top, bottom)`` the last two, and so on. Four modes say what the new border holds:

    constant   a fixed value                   [a b c d], (2, 2) -> [0 0 a b c d 0 0]
    reflect    the mirror image, edge not repeated        -> [c b a b c d c b]
    replicate  the edge value repeated                     -> [a a a b c d d d]
    circular   the other end, as if wrapped                -> [c d a b c d a b]

Each non-constant mode is a *gather*: output position j along a padded dim reads input position idx[j],
for an index array computed once per dim (``np.take``). Its backward is the matching *scatter-add*: the
gradient of every output position is added onto the input position it read, so a border pixel that was
copied three times receives three gradients. ``add_along_axis`` is that scatter-add; the pooling and
interpolation ops use it too.
"""
from ..autograd.function import Function
from ..backend import get_array_module

__all__ = ["pad"]


def add_along_axis(grad, axis, index, size):
    """The backward of ``np.take(x, index, axis)``: out[.., index[j], ..] += grad[.., j, ..] for every j.

    Indices may repeat (a replicated border, an upsampled pixel); ``out[index] += g`` would keep only one of
    the repeats. So the positions are split into rounds in which no index repeats: round r takes the r-th
    reader of each source. The number of rounds is the largest repeat count (e.g. 2 for ×2 upsampling).
    The axis is moved to the front so that each round moves whole contiguous slabs.
    """
    xp = get_array_module(grad)
    order = xp.argsort(index, kind="stable")
    ordered = index[order]
    rank = xp.empty_like(order)
    rank[order] = xp.arange(len(index)) - xp.searchsorted(ordered, ordered)  # r-th reader of its source
    g = xp.moveaxis(grad, axis, 0)
    out = xp.zeros((size,) + g.shape[1:], grad.dtype)
    for r in range(int(rank.max()) + 1 if len(index) else 0):
        sel = xp.flatnonzero(rank == r)
        out[index[sel]] += g[sel]
    return xp.ascontiguousarray(xp.moveaxis(out, 0, axis))


class ConstantPad(Function):
    """y = value everywhere, with the (cropped) input copied into its place."""

    saves = ()

    @staticmethod
    def forward(ctx, x, pads, value):
        xp = get_array_module(x)
        out_shape, inside, placed = _constant_layout(x.shape, pads)
        ctx.shape, ctx.inside, ctx.placed = x.shape, inside, placed
        y = xp.full(out_shape, value, dtype=x.dtype)
        y[placed] = x[inside]
        return y

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy at the copied positions; 0 where the input was cropped away
        xp = get_array_module(grad)
        gx = xp.zeros(ctx.shape, grad.dtype)
        gx[ctx.inside] = grad[ctx.placed]
        return gx, None, None


def _constant_layout(shape, pads):
    """Output shape, the kept part of the input and where it goes (slices), for per-dim (left, right) pads."""
    out_shape, inside, placed = list(shape), [slice(None)] * len(shape), [slice(None)] * len(shape)
    for dim, (left, right) in pads.items():
        n = shape[dim]
        out_shape[dim] = n + left + right
        start, stop = max(-left, 0), n - max(-right, 0)
        inside[dim] = slice(start, stop)
        placed[dim] = slice(max(left, 0), max(left, 0) + stop - start)
    return tuple(out_shape), tuple(inside), tuple(placed)


class GatherPad(Function):
    """y = x read at idx_d along each padded dim d: y[.., j, ..] = x[.., idx_d[j], ..]."""

    saves = ()

    @staticmethod
    def forward(ctx, x, plan):
        xp = get_array_module(x)
        ctx.plan, ctx.shape = plan, x.shape
        for dim, index in plan:
            x = xp.take(x, index, axis=dim)
        return x

    @staticmethod
    def backward(ctx, grad):
        # dL/dx[i] = Σ_{j: idx[j] = i} dL/dy[j], one padded dim at a time, in reverse order
        for dim, index in reversed(ctx.plan):
            grad = add_along_axis(grad, dim, index, ctx.shape[dim])
        return grad, None


def _source_index(xp, n, left, right, mode):
    """Which input position (0..n-1) each output position along one dim reads."""
    j = xp.arange(-left, n + right)  # output positions in input coordinates
    if mode == "reflect":  # mirror about 0 and about n-1 (amounts are < n, so once is enough)
        j = xp.abs(j)
        return xp.where(j > n - 1, 2 * (n - 1) - j, j)
    if mode == "replicate":
        return xp.clip(j, 0, n - 1)
    # circular: PyTorch first crops (negative amounts), then wraps around what is left
    start, stop = max(-left, 0), n - max(-right, 0)
    return xp.arange(-max(left, 0), stop - start + max(right, 0)) % (stop - start) + start


_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):
    """Pad (or crop, for negative amounts) the last len(pad)//2 dims; see the module docstring.

    Non-constant modes pad the last 1, 2 or 3 dims of a tensor with one or no batch dim, as in PyTorch.
    """
    x = input._array
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > x.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but "
                           f"got padding length {len(pad)} and input of dimension {x.ndim}")
    pads = {x.ndim - 1 - i: (pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)}  # last dim first
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode == "constant":
        for dim, (left, right) in pads.items():
            if x.shape[dim] + left + right < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return ConstantPad.apply(input, pads, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    n_pad = len(pads)
    if n_pad not in (1, 2, 3) or x.ndim not in (n_pad + 1, n_pad + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    xp = get_array_module(x)
    plan = []
    for dim, (left, right) in pads.items():
        n = x.shape[dim]
        if mode == "reflect" and (left >= n or right >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({left}, {right}) at dimension {dim} of input {list(x.shape)}")
        if mode == "circular" and (left > n or right > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n + left + right < 0 or (mode == "replicate" and n == 0):
            raise RuntimeError(f"input tensor with size {list(x.shape)} cannot be padded by {tuple(pad)} in mode "
                               f"{mode}: the output would be empty or negative")
        plan.append((dim, _source_index(xp, n, left, right, mode)))
    return GatherPad.apply(input, tuple(plan))
