"""Convolution: conv1d, conv2d, conv3d, their transposes, and a plain reference conv2d.

What a convolution computes (``conv2d_reference`` below says it in ~15 lines of loops): each output pixel is
the dot product of the kernel with the patch of the input under it,

    y[n, o, h, w] = b[o] + Σ_{c,i,j} x_pad[n, c, h·s + i·d, w·s + j·d] · W[o, c, i, j]

(s the stride, d the dilation, x_pad the input with zeros around it; with groups, output channel o only sees
the input channels of its own group).

How it is computed fast: im2col. Copy every patch into one row of a matrix, "the columns", and the whole
convolution becomes ONE matrix product that BLAS does at full speed:

    x (N, C, H, W)  --pad, channels last-->  x_pad (N, Hp, Wp, C)
    cols[n·OH·OW + h·OW + w, :] = the patch under output pixel (n, h, w), read in (i, j, c) order
    cols (N·OH·OW, KH·KW·C)  @  Wm (KH·KW·C, O)  =  Y (N·OH·OW, O)  -->  y (N, O, OH, OW)

The patches overlap, so cols holds each input value up to KH·KW times; it is built with ONE copy from a
strided *view* of the padded input (``sliding_window_view``: no data moves until the reshape). Laying the
image out channels-last first makes every patch row a run of contiguous channel values, which is what makes
that copy cheap (the textbook (C, KH, KW) column order needs a transposed copy that costs more than the
product itself). Backward, with G = dL/dY as rows (N·OH·OW, O):

    dL/dW = colsᵀ · G        (the saved columns are reused: one more matrix product)
    dL/db = Σ_rows G
    dL/dx = col2im(G · Wmᵀ)  (each patch row sends its gradient back to the pixels it was copied from:
                              a scatter-add, done as one shifted slice-add per kernel offset (i, j))

A transposed convolution is exactly that backward-to-the-input run forwards (``col2im``), and its own
backward is an ordinary convolution (``im2col``): the two ops share the same pieces.

With very few input channels (the first layer of an image network: 1 or 3) the columns are narrow and the
channels-last trick buys nothing; there each sample's columns are laid out (C·KH·KW, OH·OW) and one batched
product W (O, C·KH·KW) @ cols_n gives the output directly in (N, O, OH, OW) order (``_few_channels_cols``).

The pieces below are written for any number of spatial dims (the loops run over the kernel's taps, (i, j) or
(i, j, k)): conv2d and conv3d share them; conv1d runs as a 2-D convolution over an image one pixel high.

With the kernels on, the channels-last path runs *blocked* (kernels/conv.py ``forward_blocked``): each thread
takes its own samples a few at a time (about 1 MB of columns per block) through columns, product and copy back,
with BLAS on one thread per product, so that the columns stay in the core's cache instead of going out to memory
and back (a batch's columns are KH·KW times its input). Forward then keeps x, not the columns, and backward makes
each block's columns again (a copy, cheap in the cache) for dL/dW = Σ_blocks colsᵀ · G. This needs a sample
per thread and an OpenBLAS whose thread count can be set; otherwise the whole batch runs at once as above (and
with no gradient wanted, ``EVAL_CHUNK_BYTES`` of columns and output at a time, with BLAS's own threads).

Arrays keep their dtype (float32 stays float32); the public tensors are NCHW and contiguous, as in PyTorch.
Buffers are not pooled: every call allocates its columns afresh, so glibc's habit of returning large freed
blocks to the kernel (and page-faulting them back in) shows up in a CNN step; that is a process-wide allocator
setting, not this file's business.

Deviations from PyTorch: ``conv2d_reference`` and ``FEW_CHANNELS`` are glasstorch additions (not exported to
``F``); padding='same' with an even kernel does not warn; double backward is not supported (as for every op).
"""
import itertools
import math
import numbers

from .. import kernels
from ..autograd.function import Function
from ..backend import get_array_module
from ..tensor import Tensor
from .channels import channel_sum, spread
from .matmul import _CPP_NAMES

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]

# with groups=1 and at most this many input channels, conv2d uses the per-sample column layout
FEW_CHANNELS = 4


# ---------------------------------------------------------------------------------------------------
# the reference: plain loops, for reading and for the tests (NumPy arrays in, NumPy array out)
# ---------------------------------------------------------------------------------------------------
def conv2d_reference(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """conv2d written the slow, obvious way: x (N, C, H, W), weight (O, C/groups, KH, KW) -> (N, O, OH, OW).

    Integer stride/padding/dilation only (the same in both directions). Used by the tests to check the fast path.
    """
    xp = get_array_module(x)
    n, c, h, w = x.shape
    o, cg, kh, kw = weight.shape
    s, p, d = stride, padding, dilation
    x = xp.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))       # zeros around the image
    oh = (h + 2 * p - d * (kh - 1) - 1) // s + 1            # how many kernel positions fit
    ow = (w + 2 * p - d * (kw - 1) - 1) // s + 1
    og = o // groups                                        # output channels per group
    y = xp.zeros((n, o, oh, ow), dtype=x.dtype)
    for row in range(oh):                                   # every output pixel ...
        for col in range(ow):
            # ... is the dot product of the kernel with the patch under it (every d-th pixel: dilation)
            patch = x[:, :, row * s: row * s + d * (kh - 1) + 1: d, col * s: col * s + d * (kw - 1) + 1: d]
            for g in range(groups):                         # group g: its input channels, its kernels
                p_g = patch[:, g * cg:(g + 1) * cg]         # (N, C/groups, KH, KW)
                w_g = weight[g * og:(g + 1) * og]           # (O/groups, C/groups, KH, KW)
                y[:, g * og:(g + 1) * og, row, col] = xp.tensordot(p_g, w_g, axes=([1, 2, 3], [1, 2, 3]))
    if bias is not None:
        y += bias.reshape(1, o, 1, 1)
    return y


# ---------------------------------------------------------------------------------------------------
# the pieces of the fast path (arrays in, arrays out; x is (N, C, *spatial), everything inside is channels-last)
# They work for any number of spatial dims (2 for conv2d, 3 for conv3d; conv1d runs as a 2-D one): a "tap" is
# one kernel offset (i, j) or (i, j, k), and the shapes below name the 2-D case.
# ---------------------------------------------------------------------------------------------------
def _spatial_slices(starts, stride, counts):
    """The strided slices start + s·t, t < count, one per spatial dim."""
    return tuple(slice(a, a + s * (o - 1) + 1, s) for a, s, o in zip(starts, stride, counts))


def _taps(kernel, dilation, stride, out):
    """For each kernel tap (i, j) in scan order: (the tap, the strided slices of the padded input it reads,
    one value per output pixel: rows i·dh + h·sh for h < OH, and so on)."""
    per_dim = [[slice(t * d, t * d + s * (o - 1) + 1, s) for t in range(k)]
               for k, d, s, o in zip(kernel, dilation, stride, out)]
    return zip(itertools.product(*(range(k) for k in kernel)), itertools.product(*per_dim))


def _pad_channels_last(x, pads):
    """x (N, C, H, W) -> (N, H + top + bottom, W + left + right, C), zeros around: one transposing copy.

    ``pads`` = (before, after) for each spatial dim, flattened: (top, bottom, left, right) in 2-D."""
    xp = get_array_module(x)
    n, c, *size = x.shape
    nd = len(size)
    padded = tuple(s + pads[2 * i] + pads[2 * i + 1] for i, s in enumerate(size))
    out = xp.zeros((n,) + padded + (c,), dtype=x.dtype)
    inside = tuple(slice(pads[2 * i], pads[2 * i] + s) for i, s in enumerate(size))
    out[(slice(None),) + inside] = x.transpose(0, *range(2, nd + 2), 1)
    return out


def _im2col(x_pad, groups, kernel, out, stride, dilation):
    """The columns: x_pad (N, Hp, Wp, C) -> cols (groups, N·OH·OW, KH·KW·C/groups), one row per output pixel.

    cols[g, (n, h, w), (i, j, c)] = x_pad[n, h·sh + i·dh, w·sw + j·dw, g·C/groups + c]
    """
    xp = get_array_module(x_pad)
    n, *padded, c = x_pad.shape
    nd, cg = len(padded), c // groups
    # win[n, y, x, g, c, i, j] = x_pad[n, y + i, x + j, g, c]: every window of the (dilated) kernel's size, a view
    reach = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    win = xp.lib.stride_tricks.sliding_window_view(x_pad.reshape(n, *padded, groups, cg), reach,
                                                   axis=tuple(range(1, nd + 1)))
    every = _spatial_slices((0,) * nd, stride, out)          # every s-th window ...
    taps = tuple(slice(None, None, d) for d in dilation)    # ... every d-th tap
    win = win[(slice(None),) + every + (slice(None), slice(None)) + taps]
    # (G, N, OH, OW, KH, KW, C/groups), then the one copy that makes it a matrix
    order = (nd + 1, 0) + tuple(range(1, nd + 1)) + tuple(range(nd + 3, 2 * nd + 3)) + (nd + 2,)
    return win.transpose(order).reshape(groups, n * math.prod(out), math.prod(kernel) * cg)


def _col2im(rows, weight, groups, n, out, padded, stride, dilation):
    """The scatter-add that undoes im2col: rows (groups, N·OH·OW, O/groups) -> (N, Hp, Wp, C) channels-last.

    ``rows`` holds a gradient (or a transposed conv's input) per output pixel; ``weight`` (O, C/groups, KH, KW).
    Kernel tap (i, j) of output pixel (h, w) read input pixel (h·sh + i·dh, w·sw + j·dw), so that pixel gets
    rows · W[:, :, i, j] back: one matrix product and one shifted, strided slice-add per kernel offset.
    """
    xp = get_array_module(rows, weight)
    o, cg, *kernel = weight.shape
    nd = len(kernel)
    w_taps = xp.ascontiguousarray(weight.reshape(groups, o // groups, cg, *kernel)
                                  .transpose(*range(3, nd + 3), 0, 1, 2))   # (KH, KW, G, O/groups, C/groups)
    buf = xp.zeros((n,) + tuple(padded) + (groups, cg), dtype=rows.dtype)
    order = (1,) + tuple(range(2, nd + 2)) + (0, nd + 2)
    for tap, reads in _taps(kernel, dilation, stride, out):
        part = rows @ w_taps[tap]                                  # (G, N·OH·OW, C/groups)
        buf[(slice(None),) + reads] += part.reshape(groups, n, *out, cg).transpose(order)
    return buf.reshape(n, *padded, groups * cg)


def _rows(y, groups):
    """y (N, O, H, W) -> (groups, N·H·W, O/groups): one row per pixel, channels-last (a copy)."""
    xp = get_array_module(y)
    n, o, *size = y.shape
    nd = len(size)
    y = y.reshape(n, groups, o // groups, *size).transpose(1, 0, *range(3, nd + 3), 2)
    return xp.ascontiguousarray(y).reshape(groups, n * math.prod(size), o // groups)


def _unrows(rows, n, size, bias):
    """rows (groups, N·H·W, O/groups) (+ bias) -> a contiguous (N, O, H, W): the transposing copy, then the bias."""
    xp = get_array_module(rows)
    groups, _, og = rows.shape
    nd = len(size)
    out = xp.empty((n, groups, og) + tuple(size), dtype=rows.dtype)
    out[...] = rows.reshape(groups, n, *size, og).transpose(1, 0, nd + 2, *range(2, nd + 2))
    out = out.reshape(n, groups * og, *size)
    if bias is not None:
        out += spread(bias.reshape((1, -1) + (1,) * nd), out)   # + b[o], laid out over the pixels (channels.py)
    return out


def _weight_matrix(weight, groups):
    """W (O, C/groups, KH, KW) -> (groups, KH·KW·C/groups, O/groups), rows in the columns' (i, j, c) order."""
    o, cg, *kernel = weight.shape
    nd = len(kernel)
    w = weight.reshape(groups, o // groups, cg, *kernel).transpose(0, *range(3, nd + 3), 2, 1)
    return w.reshape(groups, math.prod(kernel) * cg, o // groups)


def _weight_grad(cols, rows, weight_shape, groups):
    """dL/dW = colsᵀ · G per group, returned in the weight's (O, C/groups, KH, KW) layout."""
    return _unweight_matrix(cols.transpose(0, 2, 1) @ rows, weight_shape, groups)


def _unweight_matrix(wm, weight_shape, groups):
    """The inverse of ``_weight_matrix``: (groups, KH·KW·C/groups, O/groups) -> (O, C/groups, KH, KW)."""
    o, cg, *kernel = weight_shape
    nd = len(kernel)
    wm = wm.reshape(groups, *kernel, cg, o // groups).transpose(0, nd + 2, nd + 1, *range(1, nd + 1))
    return wm.reshape(weight_shape)


def _crop_to_nchw(x_pad, starts, size):
    """The inside of a padded channels-last buffer as a contiguous (N, C, H, W)."""
    xp = get_array_module(x_pad)
    nd = len(size)
    inside = tuple(slice(a, a + s) for a, s in zip(starts, size))
    return xp.ascontiguousarray(x_pad[(slice(None),) + inside].transpose(0, nd + 1, *range(1, nd + 1)))


def _few_channels_cols(x, pads, kernel, out, stride, dilation):
    """Per-sample columns for few input channels: x (N, C, H, W) -> (N, C·KH·KW, OH·OW), one slice copy per tap."""
    xp = get_array_module(x)
    n, c, *size = x.shape
    x_pad = xp.zeros((n, c) + tuple(s + pads[2 * i] + pads[2 * i + 1] for i, s in enumerate(size)), dtype=x.dtype)
    x_pad[(slice(None), slice(None)) + tuple(slice(pads[2 * i], pads[2 * i] + s) for i, s in enumerate(size))] = x
    cols = xp.empty((n, c) + tuple(kernel) + tuple(out), dtype=x.dtype)
    every = (slice(None), slice(None))
    for tap, reads in _taps(kernel, dilation, stride, out):
        cols[every + tap] = x_pad[every + reads]  # tap (i, j) of every output pixel: one strided slice of the batch
    return cols.reshape(n, c * math.prod(kernel), math.prod(out))


def _blocks(n):
    """Whether the channels-last kernel path runs blocked (kernels/conv.py ``forward_blocked``): each thread its
    own samples, OpenBLAS on one thread per product. Needs a sample per thread, and an OpenBLAS whose thread
    count can be set (otherwise the whole-batch path, with BLAS's own threads)."""
    from ..kernels import threads
    return n >= threads.num_threads() and threads.can_run_blas_in_threads()


def _wants_kernel(x, w, b, groups):
    """Whether conv2d takes the compiled copies (glasstorch/kernels/conv.py): 2-D, no groups, NumPy floats."""
    return x.ndim == 4 and groups == 1 and kernels.wants(x, w, *(() if b is None else (b,)), min_size=2048)


# a no-grad forward on the kernel path runs about this many bytes of columns + output at a time (0: all at once)
EVAL_CHUNK_BYTES = 8 << 20


def _eval_chunk(x, o, kernel, out):
    """Samples per piece of a no-grad forward on the kernel path: whole samples, about EVAL_CHUNK_BYTES of columns
    and output per piece (so they stay in the cache instead of going out to memory and back)."""
    n, c = x.shape[:2]
    per_sample = (c * math.prod(kernel) + o) * math.prod(out) * x.itemsize
    return max(1, EVAL_CHUNK_BYTES // per_sample) if EVAL_CHUNK_BYTES else n


def _out_size(size, pad_total, k, stride, dilation):
    return (size + pad_total - dilation * (k - 1) - 1) // stride + 1


def _as_nd(w, nd):
    """A weight (O, C, *K) with 1-sized kernel dims in front, as many as the run's nd spatial dims need."""
    return w.reshape(w.shape[:2] + (1,) * (nd + 2 - w.ndim) + w.shape[2:])


# ---------------------------------------------------------------------------------------------------
# the ops
# ---------------------------------------------------------------------------------------------------
class Convolution(Function):
    """y = conv(x, W) + b for x (N, C, H, W) or (N, C, D, H, W), W (O, C/groups, *K), b (O,) or None (see the
    module docstring).

    ``shapes`` = (x's shape as the run sees it, y's shape as the caller wants it): conv1d and unbatched inputs
    are run as (N, C, 1, L) / (1, C, H, W) views, inside this one graph node.
    """

    saves = (0, 1)            # x (the blocked kernel path makes the columns from it again), W
    saved_for = {0: 1, 1: 0}  # x is read only for dL/dW, W only for dL/dx
    blocked = False           # forward took the blocked kernel path (kernels/conv.py): x is kept, not the columns

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups, shapes):
        x_shape, w_shape = x.shape, w.shape
        xn_shape, y_shape = shapes
        x = x.reshape(xn_shape)                                    # (N, C, H, W) or (N, C, D, H, W)
        nd = x.ndim - 2
        w = _as_nd(w, nd)                                          # (O, C/groups, *K)
        n, c, *size = x.shape
        o, cg, *kernel = w.shape
        out = tuple(_out_size(size[i], pads[2 * i] + pads[2 * i + 1], kernel[i], stride[i], dilation[i])
                    for i in range(nd))
        few = groups == 1 and c <= FEW_CHANNELS
        fast = _wants_kernel(x, w, b, groups)
        needs = ctx.needs_input_grad
        geometry = (stride, pads, dilation, groups, out, few, fast)
        if fast and not few and _blocks(n):  # whole samples a few at a time per thread (kernels/conv.py, "blocked")
            from ..kernels import conv as _k
            y = _k.forward_blocked(x, _weight_matrix(w, 1)[0], b, kernel, out, stride, pads, dilation)
            if needs:  # backward makes the columns again from x: keep x for dL/dW, W for dL/dx
                ctx.few, ctx.fast, ctx.blocked, ctx.shapes = False, True, True, (x_shape, w_shape, x.shape, y.shape)
                ctx.args = (stride, pads, dilation, groups)
                ctx.w = w if needs[0] else None
                ctx.x = x if needs[1] else None
                ctx.kernel, ctx.cols = tuple(kernel), None
            return y.reshape(y_shape)
        step = _eval_chunk(x, o, kernel, out) if fast and not needs else n
        if step < n:  # no gradient wanted: a few samples at a time, so the columns stay in the cache
            y = get_array_module(x).empty((n, o) + out, dtype=x.dtype)
            for s in range(0, n, step):
                y[s:s + step] = Convolution._run(x[s:s + step], w, b, *geometry)[0]
            return y.reshape(y_shape)
        y, cols = Convolution._run(x, w, b, *geometry)
        if needs:  # keep only what backward will use: W for dL/dx, the columns for dL/dW
            ctx.few, ctx.fast, ctx.shapes = few, fast, (x_shape, w_shape, x.shape, (n, o) + out)
            ctx.args = (stride, pads, dilation, groups)
            ctx.w = w if needs[0] else None
            ctx.cols = cols if needs[1] else None
        return y.reshape(y_shape)

    @staticmethod
    def _run(x, w, b, stride, pads, dilation, groups, out, few, fast):
        """y (N, O, *out) and the columns, for x (N, C, *size) and w (O, C/groups, *K)."""
        n, c = x.shape[:2]
        o, cg, *kernel = w.shape
        if fast:
            from ..kernels import conv as _k  # the columns, the copy back to NCHW (+ bias), col2im in backward
        if few and fast:  # the same columns with a row of ones under them when there is a bias, and b as one more
            # column of W: the product adds b[o]·1 at every pixel itself, and in backward yields dL/db with dL/dW
            cols = _k.few_cols(x, kernel, out, stride, pads, dilation, b is not None)
            wm = w.reshape(o, c * math.prod(kernel))
            if b is not None:
                wm = get_array_module(x).concatenate([wm, b.reshape(o, 1)], axis=1)     # (O, C·KH·KW + 1)
            return (wm @ cols).reshape((n, o) + out), cols
        if few:  # per-sample columns: y_n (O, OH·OW) = W (O, C·KH·KW) @ cols_n, already in NCHW order
            cols = _few_channels_cols(x, pads, kernel, out, stride, dilation)
            y = w.reshape(o, c * math.prod(kernel)) @ cols
            if b is not None:
                y += spread(b.reshape(1, o, 1), y)               # + b[o] at every pixel
            y = y.reshape((n, o) + out)
        else:    # channels-last columns: Y (N·OH·OW, O) = cols @ Wm, then back to NCHW (+ bias) in one copy
            if fast:  # the padding and the columns in one parallel pass, straight from NCHW
                cols = _k.im2col(x, kernel, out, stride, pads, dilation)
            else:
                cols = _im2col(_pad_channels_last(x, pads), groups, kernel, out, stride, dilation)
            if fast:  # the copy back and the bias in one parallel pass
                y = _k.unrows(cols @ _weight_matrix(w, groups), n, out, b)
            else:
                y = _unrows(cols @ _weight_matrix(w, groups), n, out, b)
        return y, cols

    @staticmethod
    def backward(ctx, grad):
        x_shape, w_shape, (n, c, *size), yn_shape = ctx.shapes
        stride, pads, dilation, groups = ctx.args
        need = ctx.needs_input_grad
        grad = grad.reshape(yn_shape)                                # G = dL/dy, (N, O, OH, OW)
        gx = gw = gb = None
        fast = ctx.fast and kernels.wants(grad)
        if ctx.blocked and not fast:  # the kernels were switched off since forward: the reference's backward, with
            # the columns made again from x (the blocked path kept x, not the columns)
            ctx.blocked = ctx.fast = False
            if ctx.x is not None:
                ctx.cols = _im2col(_pad_channels_last(ctx.x, pads), groups, ctx.kernel, yn_shape[2:], stride,
                                   dilation)
        if ctx.blocked:
            from ..kernels import conv as _k
            wm = None if ctx.w is None else _weight_matrix(ctx.w, 1)[0]
            gx, gw, gb = _k.backward_blocked(ctx.x, (n, c, *size), wm, ctx.kernel, grad, stride, pads, dilation,
                                             need[2])
            if gw is not None:   # (KH·KW·C, O) -> the weight's layout
                gw = _unweight_matrix(gw[None], (yn_shape[1], c) + ctx.kernel, 1).reshape(w_shape)
            return (None if gx is None else gx.reshape(x_shape), gw, gb, None, None, None, None, None)
        if fast:
            from ..kernels import conv as _k
        ones = ctx.few and ctx.cols is not None and ctx.cols.shape[1] > math.prod(w_shape[1:])
        if need[2] and not ones:
            gb = channel_sum(grad).reshape(-1)                       # dL/db = Σ_(n,h,w) G
        rows = None
        if need[1] and ones:  # the kernels' columns with their row of ones: [dL/dW | dL/db] = Σ_n G_n · cols_nᵀ
            g3 = grad.reshape(n, yn_shape[1], math.prod(yn_shape[2:]))
            gwb = (g3 @ ctx.cols.transpose(0, 2, 1)).sum(axis=0)    # (O, C·KH·KW + 1)
            gw = gwb[:, :-1].reshape(w_shape)
            gb = gwb[:, -1].copy() if need[2] else None
        elif need[1]:
            if ctx.few:  # dL/dW = Σ_n G_n · cols_nᵀ
                g3 = grad.reshape(n, yn_shape[1], math.prod(yn_shape[2:]))
                gw = (g3 @ ctx.cols.transpose(0, 2, 1)).sum(axis=0).reshape(w_shape)
            else:        # dL/dW = colsᵀ · G
                rows = _rows(grad, groups)
                wn_shape = w_shape[:2] + (1,) * (len(yn_shape) - len(w_shape)) + w_shape[2:]
                gw = _weight_grad(ctx.cols, rows, wn_shape, groups).reshape(w_shape)
        if need[0] and fast:  # the same: dcols = G · Wmᵀ in one product, then each input pixel gathers its taps
            if rows is None:
                rows = _rows(grad, groups)
            dcols = rows[0] @ _weight_matrix(ctx.w, groups)[0].T      # (N·OH·OW, KH·KW·C)
            gx = _k.col2im(dcols, (n, c, *size), ctx.w.shape[2:], yn_shape[2:], stride, pads,
                           dilation).reshape(x_shape)
        elif need[0]:    # dL/dx = col2im(G · Wmᵀ), cropped to the unpadded image
            if rows is None:
                rows = _rows(grad, groups)
            padded = tuple(s + pads[2 * i] + pads[2 * i + 1] for i, s in enumerate(size))
            g_pad = _col2im(rows, ctx.w, groups, n, yn_shape[2:], padded, stride, dilation)
            gx = _crop_to_nchw(g_pad, pads[::2], size).reshape(x_shape)
        return gx, gw, gb, None, None, None, None, None


class ConvTranspose(Function):
    """y = conv_transpose(x, W) + b for x (N, C, H, W) or (N, C, D, H, W), W (C, O/groups, *K): the
    gradient-to-the-input of a convolution, run forwards (col2im); its own backward is a convolution (im2col)."""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, output_padding, groups, dilation, shapes):
        x_shape, w_shape = x.shape, w.shape
        xn_shape, y_shape = shapes
        x = x.reshape(xn_shape)
        nd = x.ndim - 2
        w = _as_nd(w, nd)
        n, c, *size = x.shape
        kernel = w.shape[2:]
        full = tuple((s - 1) * st + d * (k - 1) + 1 for s, st, d, k in zip(size, stride, dilation, kernel))  # reach
        out = tuple(f - 2 * p + op for f, p, op in zip(full, padding, output_padding))
        # the padded output buffer: output_padding may reach past the taps (those rows get only the bias)
        padded = tuple(max(f, p + o) for f, p, o in zip(full, padding, out))
        y_pad = _col2im(_rows(x, groups), w, groups, n, size, padded, stride, dilation)
        y = _crop_to_nchw(y_pad, padding, out)
        if b is not None:
            y += b.reshape((-1,) + (1,) * nd)
        if ctx.needs_input_grad:
            ctx.x, ctx.w, ctx.shapes = x, w, (x_shape, w_shape)
            ctx.yn_shape = (n, w.shape[1] * groups) + out
            ctx.args = (stride, padding, groups, dilation, padded)
        return y.reshape(y_shape)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.x, ctx.w
        x_shape, w_shape = ctx.shapes
        stride, padding, groups, dilation, padded = ctx.args
        need = ctx.needs_input_grad
        n, c, *size = x.shape
        nd = len(size)
        og, kernel = w.shape[1], w.shape[2:]
        grad = grad.reshape(ctx.yn_shape)                           # G = dL/dy as (N, O, OH, OW)
        gx = gw = gb = None
        if need[2]:
            gb = grad.sum(axis=(0,) + tuple(range(2, nd + 2)))        # dL/db = Σ_(n,h,w) G
        if need[0] or need[1]:
            # the gradient, padded back to the full buffer, read through the same windows: im2col
            pads = tuple(v for p, full, g in zip(padding, padded, grad.shape[2:]) for v in (p, full - p - g))
            g_pad = _pad_channels_last(grad, pads)
            cols = _im2col(g_pad, groups, kernel, size, stride, dilation)
            if need[0]:  # dL/dx = conv(G, W): cols · Wm
                gx = _unrows(cols @ _weight_matrix(w, groups), n, size, None).reshape(x_shape)
            if need[1]:  # dL/dW = colsᵀ · x (x as rows): the convolution's weight gradient, roles swapped
                gw = _weight_grad(cols, _rows(x, groups), w.shape, groups).reshape(w_shape)
        return gx, gw, gb, None, None, None, None, None, None

    def name(self):
        return "ConvolutionBackward0"  # PyTorch's graph-node name for every convolution


# ---------------------------------------------------------------------------------------------------
# argument handling with PyTorch's messages
# ---------------------------------------------------------------------------------------------------
def _expand(value, n, name):
    """An int or a sequence -> a tuple of n ints (a 1-sequence is repeated), or PyTorch's error."""
    if isinstance(value, numbers.Integral):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match the "
                           f"convolution dimensions, but got {name}={list(value)}")
    return value


def _type_name(a):
    return {"float32": "Float", "float64": "Double", "float16": "Half"}.get(a.dtype.name, a.dtype.name)


def _check_common(fname, input, weight, bias, dims, groups):
    """The dimension and dtype checks shared by every conv; returns (x, w, b, batched) arrays."""
    x, w = input._array, weight._array
    b = bias._array if isinstance(bias, Tensor) else bias
    if x.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {fname}, but got "
                           f"input of size: {list(x.shape)}")
    if w.ndim != dims + 2:
        raise RuntimeError(f"expected stride to be a single integer value or a list of {w.ndim - 2} values to "
                           f"match the convolution dimensions, but got stride={[1] * dims}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if x.dtype != w.dtype:
        raise RuntimeError(f"Input type (torch.{_type_name(x)}Tensor) and weight type (torch.{_type_name(w)}Tensor) "
                           f"should be the same or input should be a MKLDNN tensor and weight is a dense tensor")
    if b is not None and b.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_CPP_NAMES.get(x.dtype.name, x.dtype.name)}) and bias type "
                           f"({_CPP_NAMES.get(b.dtype.name, b.dtype.name)}) should be the same")
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{list(w.shape)}] instead")
    return x, w, b, x.ndim == dims + 2


def _shapes4(x_shape, batched, dims):
    """x's shape as the run sees it, (N, C, H, W) or (N, C, D, H, W): a batch of 1 for unbatched inputs,
    H = 1 for 1-D convolutions (they run as 2-D ones)."""
    shape = x_shape if batched else (1,) + x_shape
    return shape[:2] + (1,) + shape[2:] if dims == 1 else shape


def _conv(fname, dims, input, weight, bias, stride, padding, dilation, groups):
    x, w, b, batched = _check_common(fname, input, weight, bias, dims, groups)
    stride, dilation = _expand(stride, dims, "stride"), _expand(dilation, dims, "dilation")
    kernel = w.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0, 0) * dims
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = ()
            for k, d in zip(kernel, dilation):  # total d·(k-1); an odd extra goes right/bottom, as in PyTorch
                total = d * (k - 1)
                pads += (total // 2, total - total // 2)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = tuple(p for p in _expand(padding, dims, "padding") for _ in (0, 1))
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in pads):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    x4 = _shapes4(x.shape, batched, dims)
    named = list(x.shape) if batched else [1] + list(x.shape)
    if x4[1] != w.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected input{named} to have "
                           f"{w.shape[1] * groups} channels, but got {x4[1]} channels instead")
    if b is not None and (b.ndim != 1 or b.shape[0] != w.shape[0]):
        raise RuntimeError(f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with "
                           f"{w.shape[0]} elements, but got bias of size {list(b.shape)} instead")
    spatial = x.shape[-dims:]
    padded_size = [s + pads[2 * i] + pads[2 * i + 1] for i, s in enumerate(spatial)]
    reach = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(p < r for p, r in zip(padded_size, reach)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded_size))}). "
                           f"Kernel size: ({' x '.join(map(str, reach))}). Kernel size can't be greater than "
                           f"actual input size")
    out_spatial = tuple((p - r) // s + 1 for p, r, s in zip(padded_size, reach, stride))
    y_shape = ((x4[0],) if batched else ()) + (w.shape[0],) + out_spatial
    if dims == 1:  # run as a 2-D convolution over an image one pixel high
        stride, dilation, pads = (1,) + stride, (1,) + dilation, (0, 0) + pads
    return Convolution.apply(input, weight, bias, stride, pads, dilation, groups, (x4, y_shape))


def _conv_transpose(fname, dims, input, weight, bias, stride, padding, output_padding, groups, dilation):
    if isinstance(padding, str):
        raise TypeError(f"{fname}(): argument 'padding' must be tuple of ints, not str")
    x, w, b, batched = _check_common(fname, input, weight, bias, dims, groups)
    stride, padding = _expand(stride, dims, "stride"), _expand(padding, dims, "padding")
    output_padding, dilation = _expand(output_padding, dims, "output_padding"), _expand(dilation, dims, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)) or \
            any(op < 0 for op in output_padding):
        names = ("depth", "height", "width")[3 - dims:]
        parts = ([f"output_padding_{nm}: {v}" for nm, v in zip(names, output_padding)]
                 + [f"stride_{nm}: {v}" for nm, v in zip(names, stride)]
                 + [f"dilation_{nm}: {v}" for nm, v in zip(names, dilation)])
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got " + " ".join(parts))
    x4 = _shapes4(x.shape, batched, dims)
    named = list(x.shape) if batched else [1] + list(x.shape)
    if x4[1] != w.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected input{named} to have "
                           f"{w.shape[0]} channels, but got {x4[1]} channels instead")
    out_channels = w.shape[1] * groups
    if b is not None and (b.ndim != 1 or b.shape[0] != out_channels):
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected bias to be 1-dimensional "
                           f"with {out_channels} elements, but got bias of size {list(b.shape)} instead")
    out_spatial = tuple((size - 1) * s - 2 * p + d * (k - 1) + op + 1 for size, s, p, d, k, op
                        in zip(x.shape[-dims:], stride, padding, dilation, w.shape[2:], output_padding))
    if any(s <= 0 for s in out_spatial):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, x.shape[-dims:]))}). Calculated "
                           f"output size per channel: ({' x '.join(map(str, out_spatial))}). Output size is too small")
    y_shape = ((x4[0],) if batched else ()) + (out_channels,) + out_spatial
    if dims == 1:
        stride, padding, dilation = (1,) + stride, (0,) + padding, (1,) + dilation
        output_padding = (0,) + output_padding
    return ConvTranspose.apply(input, weight, bias, stride, padding, output_padding, groups, dilation, (x4, y_shape))


# ---------------------------------------------------------------------------------------------------
# the public functions (PyTorch's signatures)
# ---------------------------------------------------------------------------------------------------
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution: input (N, C, H, W) or (C, H, W), weight (O, C/groups, KH, KW), bias (O,) -> (N, O, OH, OW).

    ``padding`` is an int, a pair, 'valid' (none) or 'same' (output as large as the input; stride 1 only; when the
    total d·(k−1) is odd the extra row/column goes at the bottom/right, as in PyTorch). Computed by im2col and one
    matrix product (see the module docstring); ``conv2d_reference`` is the same thing as plain loops.
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution: input (N, C, L) or (C, L), weight (O, C/groups, K) -> (N, O, OL); runs as a 2-D one."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution: input (N, C, D, H, W) or (C, D, H, W), weight (O, C/groups, KD, KH, KW) -> (N, O, OD, OH, OW).

    The same im2col and matrix product as conv2d, with one more spatial dim (a tap is (i, j, k))."""
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 3-D convolution: input (N, C, D, H, W), weight (C, O/groups, KD, KH, KW) -> (N, O, OD, OH, OW)."""
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-D convolution: input (N, C, H, W), weight (C, O/groups, KH, KW) -> (N, O, OH, OW) with
    OH = (H − 1)·stride − 2·padding + dilation·(KH − 1) + output_padding + 1. Each input pixel adds its
    kernel-weighted copy into the output: the gradient of conv2d with respect to its input."""
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 1-D convolution: input (N, C, L), weight (C, O/groups, K) -> (N, O, OL)."""
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)
