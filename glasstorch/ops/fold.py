"""unfold (im2col) and fold (col2im): a batch of images <-> the columns of its sliding blocks.

``unfold`` copies every KH×KW block of a (N, C, H, W) input (zero padded, strided, dilated) into one column:

    cols[n, c·KH·KW + i·KW + j, h·OW + w] = x_pad[n, c, h·sH + i·dH, w·sW + j·dW]

so cols is (N, C·KH·KW, L) with L = OH·OW blocks. It is a loop over the KH·KW kernel taps, each one strided
slice of the padded input copied into place (the same picture as pooling's windows).

``fold`` is its adjoint: every column entry is *added* back to the pixel it came from (overlapping blocks sum),
then the padding is cut off. So the backward of unfold is fold and the backward of fold is unfold.
Both accept an unbatched input too ((C, H, W) for unfold, (C·KH·KW, L) for fold), as PyTorch does.
"""
import itertools

from ..autograd.function import Function
from ..backend import get_array_module
from ..tensor import Tensor

__all__ = ["fold", "unfold"]


def _pair(v, name):
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
        return tuple(int(a) for a in v)
    return (int(v), int(v))


def _blocks(size, kernel, dilation, padding, stride):
    """How many blocks fit along each of the two dims."""
    return tuple((n + 2 * p - d * (k - 1) - 1) // s + 1
                 for n, k, d, p, s in zip(size, kernel, dilation, padding, stride))


def _tap_slices(kernel, dilation, stride, out):
    """For each kernel tap (i, j): the strided slices of the padded image it reads, one per block."""
    for i, j in itertools.product(range(kernel[0]), range(kernel[1])):
        yield (i, j), tuple(slice(t * d, t * d + s * (o - 1) + 1, s)
                            for t, d, s, o in zip((i, j), dilation, stride, out))


def _im2col(x, kernel, dilation, padding, stride):
    """x (N, C, H, W) -> cols (N, C·KH·KW, OH·OW)."""
    xp = get_array_module(x)
    n, c, h, w = x.shape
    out = _blocks((h, w), kernel, dilation, padding, stride)
    x_pad = xp.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    cols = xp.empty((n, c) + kernel + out, dtype=x.dtype)
    for (i, j), (rows, cols_) in _tap_slices(kernel, dilation, stride, out):
        cols[:, :, i, j] = x_pad[:, :, rows, cols_]
    return cols.reshape(n, c * kernel[0] * kernel[1], out[0] * out[1])


def _col2im(cols, size, kernel, dilation, padding, stride):
    """cols (N, C·KH·KW, OH·OW) -> (N, C, H, W): each entry added back to its pixel (the adjoint of _im2col)."""
    xp = get_array_module(cols)
    n = cols.shape[0]
    c = cols.shape[1] // (kernel[0] * kernel[1])
    out = _blocks(size, kernel, dilation, padding, stride)
    cols = cols.reshape((n, c) + kernel + out)
    ph, pw = padding
    buf = xp.zeros((n, c, size[0] + 2 * ph, size[1] + 2 * pw), dtype=cols.dtype)
    for (i, j), (rows, cols_) in _tap_slices(kernel, dilation, stride, out):
        buf[:, :, rows, cols_] += cols[:, :, i, j]
    return xp.ascontiguousarray(buf[:, :, ph:ph + size[0], pw:pw + size[1]])


class Unfold(Function):
    """cols = im2col(x)"""

    saves = ()

    @staticmethod
    def forward(ctx, x, kernel, dilation, padding, stride):
        ctx.args = (x.shape[2:], kernel, dilation, padding, stride)
        return _im2col(x, kernel, dilation, padding, stride)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = col2im(dL/dcols): each pixel gets the gradients of every column entry copied from it
        return _col2im(grad, *ctx.args), None, None, None, None


class Fold(Function):
    """y = col2im(cols)"""

    saves = ()

    @staticmethod
    def forward(ctx, cols, size, kernel, dilation, padding, stride):
        ctx.args = (kernel, dilation, padding, stride)
        return _col2im(cols, size, kernel, dilation, padding, stride)

    @staticmethod
    def backward(ctx, grad):
        # dL/dcols = im2col(dL/dy): each column entry gets the gradient of the pixel it was added to
        return _im2col(grad, *ctx.args), None, None, None, None, None


def _settings(kernel_size, dilation, padding, stride):
    return (_pair(kernel_size, "kernel_size"), _pair(dilation, "dilation"), _pair(padding, "padding"),
            _pair(stride, "stride"))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding local blocks: (N, C, H, W) -> (N, C·KH·KW, L) (or (C, H, W) -> (C·KH·KW, L))."""
    if not isinstance(input, Tensor):
        raise TypeError(f"unfold(): argument 'input' must be Tensor, not {type(input).__name__}")
    k, d, p, s = _settings(kernel_size, dilation, padding, stride)
    if input.ndim not in (3, 4) or any(n == 0 for n in input.shape[1:]):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    out = _blocks(input.shape[-2:], k, d, p, s)
    if min(out) < 1:
        raise RuntimeError(f"Given input with spatial size {tuple(input.shape[-2:])}, kernel_size={k}, "
                           f"dilation={d}, padding={p}, calculated shape of the array of sliding blocks as "
                           f"{out}, but its components must be at least one.")
    x = input if input.ndim == 4 else input.unsqueeze(0)
    cols = Unfold.apply(x, k, d, p, s)
    return cols if input.ndim == 4 else cols.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding local blocks into an image, summing overlaps: (N, C·KH·KW, L) -> (N, C, H, W)
    (or (C·KH·KW, L) -> (C, H, W)); the adjoint of unfold."""
    if not isinstance(input, Tensor):
        raise TypeError(f"fold(): argument 'input' must be Tensor, not {type(input).__name__}")
    size = _pair(output_size, "output_size")
    k, d, p, s = _settings(kernel_size, dilation, padding, stride)
    if input.ndim not in (2, 3) or any(n == 0 for n in input.shape[1:]):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    x = input if input.ndim == 3 else input.unsqueeze(0)
    if x.shape[1] % (k[0] * k[1]) != 0:
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={x.shape[1]} and kernel_size={k}.")
    out = _blocks(size, k, d, p, s)
    if out[0] * out[1] != x.shape[2]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, "
                           f"expected size of input's dimension 2 to match the calculated number of sliding blocks "
                           f"{out[0]} * {out[1]} = {out[0] * out[1]}, but got input.size(2)={x.shape[2]}.")
    y = Fold.apply(x, size, k, d, p, s)
    return y if input.ndim == 3 else y.squeeze(0)
