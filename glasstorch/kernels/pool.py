"""Max pooling with non-overlapping windows (kernel == stride, no padding, dilation 1, floor mode), fused with its
argmax, over both cores.

Reproduces glasstorch/ops/pool.py: ``_window_max`` (y = the maximum of each window, NaN wins) and ``_winners``
(the cell PyTorch routes the gradient to: the first cell equal to the maximum in scan order, row by row; in a
window holding NaN, its last NaN), and ``MaxPool2d.backward`` (dL/dx = dL/dy at the winning cell, 0 elsewhere).

Fuses: the reference makes KH·KW strided passes for the maximum and as many again for the winner masks; here
one pass per (sample, channel) plane computes the maximum and writes the winning offset a·KW + b (uint8) per
output; backward is one pass that writes each gradient at its winner and zeros elsewhere. 2×2 windows (the
course's) have their own forward loop, the same rule written with selects so that it vectorizes.

Values and gradients equal the reference's (compared with ==, NaN where it has NaN; no arithmetic is done). The
sign of a zero may differ: in a window holding both 0 and -0 the reference's SIMD np.maximum may pick the other
zero, and a losing cell is always +0 where the reference's ``grad * hit`` writes -0 for a negative gradient.
"""
import numba
import numpy as np

from .threads import parallel_for

_jit = numba.njit(nogil=True, cache=True, fastmath=False, error_model="numpy")


@_jit
def _max_fwd(start, stop, x, y, arg, kh, kw):
    # y[p, i, j] = max over the window's cells, scanned row by row; arg[p, i, j] = the winning offset a·KW + b.
    # A cell takes over only when strictly greater (so ties stay with the first, as in _winners) or NaN (so NaN
    # wins, and of several NaNs the last, as in _winners); this is np.maximum's rule for the value too.
    x, y, arg = x[start:stop], y[start:stop], arg[start:stop]
    for p in range(x.shape[0]):
        for i in range(y.shape[1]):
            for j in range(y.shape[2]):
                m = x[p, i * kh, j * kw]
                win = 0
                for a in range(kh):
                    for b in range(kw):
                        v = x[p, i * kh + a, j * kw + b]
                        if v > m or v != v:
                            m = v
                            win = a * kw + b
                y[p, i, j] = m
                arg[p, i, j] = win


@_jit
def _max_fwd_values(start, stop, x, y, kh, kw):
    # the same maximum, no winners (no_grad / eval)
    x, y = x[start:stop], y[start:stop]
    for p in range(x.shape[0]):
        for i in range(y.shape[1]):
            for j in range(y.shape[2]):
                m = x[p, i * kh, j * kw]
                for a in range(kh):
                    for b in range(kw):
                        v = x[p, i * kh + a, j * kw + b]
                        if v > m or v != v:
                            m = v
                y[p, i, j] = m


@_jit
def _max2_fwd(start, stop, x, y, arg):
    # the same for 2×2 windows, written so that the compiler vectorizes it: the four cells of window (i, j) are
    # x[2i, 2j], x[2i, 2j+1], x[2i+1, 2j], x[2i+1, 2j+1], taken in that scan order with the same rule
    # (strictly greater, or NaN) as selects instead of branches. ~4x the general loop's speed.
    x, y, arg = x[start:stop], y[start:stop], arg[start:stop]
    for p in range(x.shape[0]):
        for i in range(y.shape[1]):
            top, bottom, out, win = x[p, 2 * i], x[p, 2 * i + 1], y[p, i], arg[p, i]
            for j in range(y.shape[2]):
                m = top[2 * j]
                w = np.uint8(0)
                v = top[2 * j + 1]
                c = (v > m) | (v != v)
                m = v if c else m
                w = np.uint8(1) if c else w
                v = bottom[2 * j]
                c = (v > m) | (v != v)
                m = v if c else m
                w = np.uint8(2) if c else w
                v = bottom[2 * j + 1]
                c = (v > m) | (v != v)
                m = v if c else m
                w = np.uint8(3) if c else w
                out[j] = m
                win[j] = w


@_jit
def _max2_fwd_values(start, stop, x, y):
    # 2×2 windows, the maximum only (no_grad / eval)
    x, y = x[start:stop], y[start:stop]
    for p in range(x.shape[0]):
        for i in range(y.shape[1]):
            top, bottom, out = x[p, 2 * i], x[p, 2 * i + 1], y[p, i]
            for j in range(y.shape[2]):
                m = top[2 * j]
                v = top[2 * j + 1]
                m = v if (v > m) | (v != v) else m
                v = bottom[2 * j]
                m = v if (v > m) | (v != v) else m
                v = bottom[2 * j + 1]
                m = v if (v > m) | (v != v) else m
                out[j] = m


@_jit
def _max_bwd(start, stop, grad, arg, gx, kh, kw, zero):
    # dL/dx = dL/dy at the winning cell of each window, 0 elsewhere (also the cells no window covers)
    grad, arg, gx = grad[start:stop], arg[start:stop], gx[start:stop]
    for p in range(gx.shape[0]):
        for r in range(gx.shape[1]):
            for c in range(gx.shape[2]):
                gx[p, r, c] = zero
        for i in range(grad.shape[1]):
            for j in range(grad.shape[2]):
                w = arg[p, i, j]
                gx[p, i * kh + w // kw, j * kw + w % kw] = grad[p, i, j]


def applies(x, win):
    """Whether this kernel covers the pooling: non-overlapping windows inside the input, at most 255 cells."""
    return (x.ndim in (3, 4) and not any(win.p) and not any(win.extra) and tuple(win.d) == (1, 1)
            and tuple(win.s) == tuple(win.k) and win.k[0] * win.k[1] <= 255)


def max_pool(x, win, need_winners):
    """y (and the uint8 winning offsets, or None) for x of shape (N, C, H, W) or (C, H, W)."""
    kh, kw = win.k
    oh, ow = win.out
    planes = np.ascontiguousarray(x).reshape((-1,) + x.shape[-2:])
    y = np.empty((planes.shape[0], oh, ow), x.dtype)
    rows = max(1, 4096 // (oh * ow))
    two = (kh, kw) == (2, 2)
    if need_winners:
        arg = np.empty((planes.shape[0], oh, ow), np.uint8)
        if two:
            parallel_for(_max2_fwd, planes.shape[0], planes, y, arg, min_rows=rows)
        else:
            parallel_for(_max_fwd, planes.shape[0], planes, y, arg, kh, kw, min_rows=rows)
    else:
        arg = None
        if two:
            parallel_for(_max2_fwd_values, planes.shape[0], planes, y, min_rows=rows)
        else:
            parallel_for(_max_fwd_values, planes.shape[0], planes, y, kh, kw, min_rows=rows)
    return y.reshape(x.shape[:-2] + (oh, ow)), arg


def max_pool_backward(grad, arg, shape, win):
    """dL/dx of shape ``shape`` from dL/dy and the winning offsets."""
    kh, kw = win.k
    g = np.ascontiguousarray(grad).reshape(arg.shape)
    gx = np.empty((arg.shape[0],) + tuple(shape[-2:]), grad.dtype)
    parallel_for(_max_bwd, arg.shape[0], g, arg, gx, kh, kw, grad.dtype.type(0),
                 min_rows=max(1, 4096 // (shape[-1] * shape[-2])))
    return gx.reshape(shape)
