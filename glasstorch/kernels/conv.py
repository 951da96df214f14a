"""2-D convolution (groups = 1; any stride, padding, dilation): two of the passes around the matrix products,
over both cores (split over the samples, ``threads.parallel_for``). The matrix products stay NumPy's (BLAS).

Reproduces glasstorch/ops/conv.py, channels-last im2col path of ``Convolution``:

- ``unrows``: ``_unrows`` with groups = 1: Y (N·OH·OW, O) -> y (N, O, OH, OW) + b[o]. Fuses the transposing copy
  and the bias pass (the reference's ``spread`` + ``+=``) into one pass.
- ``col2im``: ``_crop_to_nchw(_col2im(...))``: dL/dx from dcols = G · Wmᵀ, which the caller computes as ONE
  matrix product for all taps (the reference makes one per tap). Each tap's dcols are added into the input
  pixel they were read from, tap by tap in the reference's scan order, into a channels-last scratch image of
  the thread (the padding is skipped rather than added and cropped), then written out as NCHW. Fuses the nine
  slice-adds, the zero-filled padded buffer and the crop copy; each thread owns whole samples, so no two threads
  write one element.

Values: ``unrows`` adds the bias in the array's dtype as the reference does: equal bit for bit. ``col2im``
adds the same terms in the same order, so it is equal bit for bit whenever BLAS rounds the one product G · Wmᵀ
as it rounds the per-tap products: it did at the course's layers (32 and 64 input channels); with few output
channels (8) it did not (the reference's per-tap product is then a matrix-vector one), and dL/dx differs by a few
ulp of its largest value (the tests allow 8 ulp).

Measured and dropped (no clear margin over the reference, which is already one NumPy copy each): the columns
written straight from NCHW (1.0-1.15x), the few-channels columns (0.8x at batch 64), the rows transpose of G
(0.9x).

Also measured and dropped: Winograd F(2×2, 3×3) for the 3×3 stride-1 layers (input transform V = Bᵀ d B and
output transform Y = Aᵀ M A as kernels here, 16 BLAS products M[k] = U[k] @ V[k], backward by the transposed
transforms). It does 2.25× fewer multiplications, but at the course's sizes BLAS runs the 16 thin products
(K = C = 32 or 64) no faster than the one im2col product for the 7×7 layer and only ~1.3× faster for the 14×14
one, and the 4×4 transformed tiles are 4× the output in memory (M, dM: 13 MB per step for the CNN's conv2), so
the transforms cost what the products saved. CPU time on one thread, kernel vs the im2col path: CNN conv2
forward 7.3 vs 7.3 ms, forward + backward 25.7 vs 23.1 ms; ImprovedCNN conv3 (64 -> 128 at 7×7) 19.7 vs 15.2 ms;
batch-1000 eval of that layer 97.9 vs 81.0 ms. float32 error was ~7e-7 of the output's largest value.
"""
import numba
import numpy as np

from .threads import parallel_for

_jit = numba.njit(nogil=True, cache=True, fastmath=False, error_model="numpy")


@_jit
def _unrows(start, stop, rows, b, y, has_bias):
    # y[n, o, p] = Y[n, p, o] (+ b[o]); rows (N, P, O), y (N, O, P)
    rows, y = rows[start:stop], y[start:stop]
    for n in range(y.shape[0]):
        for o in range(y.shape[1]):
            if has_bias:
                bo = b[o]
                for p in range(y.shape[2]):
                    y[n, o, p] = rows[n, p, o] + bo
            else:
                for p in range(y.shape[2]):
                    y[n, o, p] = rows[n, p, o]


@_jit
def _col2im(start, stop, dcols, gx, kh, kw, sh, sw, pt, pl, dh, dw, zero):
    # dL/dx[n, c, r, q] = Σ over the taps (i, j) of output pixels (h, w) that read (r, q) of dcols[n, h, w, (i, j, c)]
    # (r = h·sh + i·dh - pt, q = w·sw + j·dw - pl), summed tap by tap in scan order as the reference's slice-adds.
    # dcols (N, OH, OW, KH·KW·C); gx (N, C, H, W). A channels-last scratch image per thread keeps the adds contiguous.
    dcols, gx = dcols[start:stop], gx[start:stop]
    c_in, hi, wi = gx.shape[1], gx.shape[2], gx.shape[3]
    acc = np.empty((hi, wi, c_in), dcols.dtype)
    for n in range(gx.shape[0]):
        for r in range(hi):
            for q in range(wi):
                for c in range(c_in):
                    acc[r, q, c] = zero
        for i in range(kh):
            for j in range(kw):
                base = (i * kw + j) * c_in
                for h in range(dcols.shape[1]):
                    r = h * sh + i * dh - pt
                    if r < 0 or r >= hi:
                        continue
                    for w in range(dcols.shape[2]):
                        q = w * sw + j * dw - pl
                        if q < 0 or q >= wi:
                            continue
                        for c in range(c_in):
                            acc[r, q, c] += dcols[n, h, w, base + c]
        for c in range(c_in):
            for r in range(hi):
                for q in range(wi):
                    gx[n, c, r, q] = acc[r, q, c]


def _geometry(pads, stride, dilation):
    return stride[0], stride[1], pads[0], pads[2], dilation[0], dilation[1]


def _min_rows(per_sample):
    return max(1, 32768 // max(1, per_sample))


def unrows(rows, n, out, b):
    """rows (1, N·OH·OW, O) (+ bias) -> a contiguous (N, O, OH, OW), as ``_unrows``."""
    o = rows.shape[-1]
    p = out[0] * out[1]
    y = np.empty((n, o, p), rows.dtype)
    bias = b if b is not None else np.zeros(1, rows.dtype)
    parallel_for(_unrows, n, rows.reshape(n, p, o), bias, y, b is not None, min_rows=_min_rows(o * p))
    return y.reshape((n, o) + tuple(out))


def col2im(dcols, x_shape, kernel, out, stride, pads, dilation):
    """dL/dx (N, C, H, W) from dcols = G · Wmᵀ (N·OH·OW, KH·KW·C): the gather that replaces
    ``_crop_to_nchw(_col2im(...))``."""
    n = x_shape[0]
    kh, kw = kernel
    dcols = np.ascontiguousarray(dcols).reshape(n, out[0], out[1], -1)
    gx = np.empty(x_shape, dcols.dtype)
    parallel_for(_col2im, n, dcols, gx, kh, kw, *_geometry(pads, stride, dilation), dcols.dtype.type(0),
                 min_rows=_min_rows(gx[0].size))
    return gx


