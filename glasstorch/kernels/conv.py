"""2-D convolution (groups = 1; any stride, padding, dilation): four of the passes around the matrix products,
over both cores (split over the samples, ``threads.parallel_for``). The matrix products stay NumPy's (BLAS).

Reproduces glasstorch/ops/conv.py, ``Convolution``'s two paths (channels-last im2col, and few channels):

- ``im2col``: ``_im2col(_pad_channels_last(x, pads), 1, ...)``, the columns (N·OH·OW, KH·KW·C) straight from the
  NCHW input. Each thread pads and transposes one sample at a time into a small channels-last scratch image,
  then copies its patch rows out of it. Fuses the padded channels-last copy of x (zero-filled, then a
  transposing copy) and the columns' copy into one pass; any stride, padding, dilation.
- ``few_cols``: ``_few_channels_cols`` (C <= ops/conv.py ``FEW_CHANNELS``: the first layer of an image network), the
  per-sample columns (N, C·KH·KW, OH·OW) straight from x: each thread pads one sample into a small scratch, then
  copies every tap's rows out of it (the reference zero-fills and copies a padded batch first). With a bias it
  adds one row of ones under the columns, and the op puts b as one more column of W, so the one batched product
  adds b[o]·1 at every pixel (fuses the bias pass over the output), and backward's product Σ_n G_n · cols_nᵀ
  yields dL/db as its last column (fuses ``channel_sum`` over G).
- ``unrows``: ``_unrows`` with groups = 1: Y (N·OH·OW, O) -> y (N, O, OH, OW) + b[o]. Fuses the transposing copy
  and the bias pass (the reference's ``spread`` + ``+=``) into one pass.
- ``col2im``: ``_crop_to_nchw(_col2im(...))``: dL/dx from dcols = G · Wmᵀ, which the caller computes as ONE
  matrix product for all taps (the reference makes one per tap). Each tap's dcols are added into the input
  pixel they were read from, tap by tap in the reference's scan order, into a channels-last scratch image of
  the thread (the padding is skipped rather than added and cropped), then written out as NCHW. Fuses the nine
  slice-adds, the zero-filled padded buffer and the crop copy; each thread owns whole samples, so no two threads
  write one element.

- ``forward_blocked`` / ``backward_blocked``: the channels-last path of ``Convolution`` (the four passes above and
  the products), each thread running its own samples a few at a time through columns that stay in its cache
  (see "blocked" below). y is equal bit for bit; dL/dW and dL/db are summed block by block.

Values: ``im2col`` and ``few_cols`` are copies (the ones row aside) and ``unrows`` adds the bias in the array's
dtype as the reference does: equal bit for bit. ``col2im`` adds the same terms in the same order, so it is equal bit
for bit whenever BLAS rounds the one product G · Wmᵀ as it rounds the per-tap products: it did at the course's
layers (32 and 64 input channels); with few output channels (8) it did not (the reference's per-tap product is then
a matrix-vector one), and dL/dx differs by a few ulp of its largest value (the tests allow 8 ulp). With the bias in
the few-channels product, y and dL/dW came out equal bit for bit at every shape tested (BLAS adds the extra term
b[o]·1 last, as the reference's pass does); dL/db is then summed in the product's order rather than
``channel_sum``'s: a few ulp (8 allowed).

Measured (2 threads, batch 64, float32; min of repeats, alternating in one process, on a machine shared with
other jobs, so ±10 %):
- ``im2col`` vs ``_im2col(_pad_channels_last(x))``: CNN conv2 (32 -> 64 at 14×14) 1.03 -> 0.55 ms; ImprovedCNN
  conv3 (64 -> 128 at 7×7) 0.54 -> 0.36 ms (one thread: 0.99 -> 0.72, 0.53 -> 0.37).
- the few-channels path with ``few_cols`` and the bias in the product, CNN first layer (1 -> 32 at 28×28, bias):
  forward (columns + product + bias) 0.87-0.92 -> 0.55-0.66 ms, dL/dW + dL/db 0.81 -> 0.51 ms (one thread the
  same: the bias pass and ``channel_sum`` are gone). ``few_cols`` alone (ImprovedCNN's bias-free first layer):
  0.16 -> 0.12 ms on one thread, no better on two (its 7 MB of fresh columns are page faults either way).
- whole training step (benchmarks/cases.py, batch 64 + Adam; old and new code in processes alternated; quiet
  windows): CNN 22.9-24.4 -> 22.0-23.0 ms, ImprovedCNN 40.1-40.8 -> 38.8-40.0 ms; the convolutions' forward per step
  (glass.profile) CNN 8.2 -> 5.9 ms, ImprovedCNN 13.5 -> 11.0 ms. CNN batch-1000 eval 154-157 -> 137-144 ms.

Measured and dropped: a direct convolution for the few-channels path (the first layer, 1 -> 32 at 28×28, stride 1):
each thread padded one sample into a scratch plane and added W[o, c, i, j] · (the plane shifted by the tap) over a
"wide" output plane (rows Wp long, so each tap is one contiguous loop), then wrote y + b[o]; dL/dW, dL/db in one
pass over x and G (dot products per tap, summed in vector lanes), saving x instead of the 9x larger columns. Per
call on 2 threads it was 1.2x (forward 0.84 -> 0.67 ms, dL/dW + dL/db 0.78 -> 0.63 ms), but on one thread 0.8x (0.85
-> 1.03, 0.79 -> 0.96 ms): without fused multiply-adds (fastmath off) a direct convolution does twice the arithmetic
of BLAS's product (W (32, 9) @ columns), which only the saved memory traffic pays back; in the whole step it cost
CPU time (CNN 36.1 -> 37.6 ms of CPU per step, ImprovedCNN 66.3 -> 70.0) and won no clear wall time (CNN 21.9 ->
21.7 ms, ImprovedCNN 40.2 -> 42.8 ms, min of 20 alternations against the columns path).

Also measured and dropped: G as rows (``_rows``: (N, O, OH, OW) -> (N·OH·OW, O)) as a parallel copy: 0.34 -> 0.30
ms at conv2, 0.18 -> 0.19 ms at conv3, and blocked in tiles (16 pixels × all channels, 16 × 16) slower still on one
thread (0.45 vs 0.34 ms); NumPy's one transposing copy is at the memory's speed there. ``unrows`` in tiles: the same
access pattern, not tried further. Earlier, before OpenBLAS's idle threads were made to sleep
(threads.share_cores_with_blas), the columns straight from NCHW measured 1.0-1.15x and were dropped; re-measured
with both cores free they are the 1.9x above.

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

from .threads import blas_one_thread, chunks, num_threads, parallel_for

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




# ---------------------------------------------------------------------------------------------------
# the channels-last columns straight from NCHW
# ---------------------------------------------------------------------------------------------------
@_jit
def _im2col(start, stop, x, cols, kh, kw, sh, sw, pt, pl, dh, dw, zero):
    # cols[n, h, w, (i, j, c)] = x_pad[n, h·sh + i·dh, w·sw + j·dw, c]   (x_pad: x padded, channels last)
    # Each thread pads and transposes one sample at a time into its scratch xs (Hp, Wp, C), then copies the
    # patch rows out of it: the reference's _pad_channels_last and _im2col copies, fused.
    x, cols = x[start:stop], cols[start:stop]
    c_in, hi, wi = x.shape[1], x.shape[2], x.shape[3]
    oh, ow = cols.shape[1], cols.shape[2]
    hp = (oh - 1) * sh + (kh - 1) * dh + 1
    wp = (ow - 1) * sw + (kw - 1) * dw + 1
    hp, wp = max(hp, pt + hi), max(wp, pl + wi)
    xs = np.empty((hp, wp, c_in), x.dtype)
    for r in range(hp):
        for q in range(wp):
            for c in range(c_in):
                xs[r, q, c] = zero
    for n in range(cols.shape[0]):
        for r in range(hi):
            for q in range(wi):
                dst = xs[pt + r, pl + q]
                for c in range(c_in):
                    dst[c] = x[n, c, r, q]
        for h in range(oh):
            for w in range(ow):
                row = cols[n, h, w]
                for i in range(kh):
                    for j in range(kw):
                        src = xs[h * sh + i * dh, w * sw + j * dw]
                        dst = row[(i * kw + j) * c_in:]
                        for c in range(c_in):
                            dst[c] = src[c]


def im2col(x, kernel, out, stride, pads, dilation):
    """The columns (1, N·OH·OW, KH·KW·C) of x (N, C, H, W), as ``_im2col(_pad_channels_last(x, pads), 1, ...)``."""
    n, c = x.shape[:2]
    kh, kw = kernel
    cols = np.empty((n, out[0], out[1], kh * kw * c), x.dtype)
    parallel_for(_im2col, n, x, cols, kh, kw, *_geometry(pads, stride, dilation), x.dtype.type(0),
                 min_rows=_min_rows(cols[0].size))
    return cols.reshape(1, n * out[0] * out[1], kh * kw * c)



@_jit
def _few_cols(start, stop, x, cols, kh, kw, sh, sw, pt, pl, dh, dw, zero, one):
    # cols[n, (c, i, j), h, w] = x_pad[n, c, h·sh + i·dh, w·sw + j·dw]: each thread pads one sample at a time into
    # its scratch xs (C, Hp, Wp), then copies every tap's rows out of it; with a bias, one more row of ones:
    # cols[n, C·KH·KW] = 1, so that the product adds b[o]·1 itself
    x, cols = x[start:stop], cols[start:stop]
    c_in, hi, wi = x.shape[1], x.shape[2], x.shape[3]
    oh, ow = cols.shape[2], cols.shape[3]
    hp = max((oh - 1) * sh + (kh - 1) * dh + 1, pt + hi)
    wp = max((ow - 1) * sw + (kw - 1) * dw + 1, pl + wi)
    xs = np.empty((c_in, hp, wp), x.dtype)
    for c in range(c_in):
        for r in range(hp):
            for q in range(wp):
                xs[c, r, q] = zero
    taps = c_in * kh * kw
    for n in range(cols.shape[0]):
        for c in range(c_in):
            for r in range(hi):
                dst = xs[c, pt + r, pl:]
                src = x[n, c, r]
                for q in range(wi):
                    dst[q] = src[q]
        for c in range(c_in):
            for i in range(kh):
                for j in range(kw):
                    for h in range(oh):
                        dst = cols[n, (c * kh + i) * kw + j, h]
                        src = xs[c, h * sh + i * dh, j * dw:]
                        if sw == 1:
                            for w in range(ow):
                                dst[w] = src[w]
                        else:
                            for w in range(ow):
                                dst[w] = src[w * sw]
        if cols.shape[1] > taps:
            ones = cols[n, taps]
            for h in range(oh):
                for w in range(ow):
                    ones[h, w] = one


def few_cols(x, kernel, out, stride, pads, dilation, ones):
    """The per-sample columns (N, C·KH·KW (+ 1 row of ones if ``ones``), OH·OW) of x (N, C, H, W), as
    ``_few_channels_cols`` (the padding read as zeros, not copied first)."""
    n, c = x.shape[:2]
    kh, kw = kernel
    cols = np.empty((n, c * kh * kw + bool(ones), out[0], out[1]), x.dtype)
    parallel_for(_few_cols, n, x, cols, kh, kw, *_geometry(pads, stride, dilation), x.dtype.type(0),
                 x.dtype.type(1), min_rows=_min_rows(cols[0].size))
    return cols.reshape(n, cols.shape[1], out[0] * out[1])


# ---------------------------------------------------------------------------------------------------
# blocked: each thread takes whole samples, a few at a time, through columns that stay in its cache
# ---------------------------------------------------------------------------------------------------
# The columns of a whole batch are KH·KW times the input (CNN conv2 at batch 64: 14 MB, and as much again for
# backward's dcols): written out to memory and read back by the products at the memory's speed (~24 GB/s a core
# here), which made every pass around the products ~1.5-2.5x slower inside a training step than in a loop over
# one pass. Blocked, each thread runs its own samples BLOCK_BYTES of columns at a time, all the way through:
#     forward:  cols_k = im2col(x_k);  Y_k = cols_k · Wm;  y_k = unrows(Y_k) + b
#     backward: cols_k = im2col(x_k) again (x is saved, not the columns);  G_k as rows;
#               dL/dW += cols_kᵀ · G_k;  dL/db += Σ_rows G_k;  dL/dx_k = col2im(G_k · Wmᵀ)
# with OpenBLAS on one thread per product (threads.blas_one_thread), so the two threads' products run side by
# side. Each thread's part is one compiled loop (the products are np.dot inside numba, i.e. SciPy's OpenBLAS),
# so it never waits for the GIL between its blocks (as Python code there did: 1-2 ms a step). The block's
# columns, dcols and G_k stay in the core's 2 MB L2 cache. The same arithmetic as the whole-batch path, per
# sample; dL/dW and dL/db are summed block by block (then thread by thread) instead of in one product, a
# different rounding (a few ulp of the sum's scale; against float64 it was a little closer than the one product,
# and 4x closer than PyTorch's float32 dL/dW).
# Measured (2 threads, batch 64, in one process switched back and forth against the whole-batch kernel path):
# CNN conv2's forward + backward alone 12.0 -> 9.5 ms, ImprovedCNN conv3's 8.2 -> 7.4 ms; whole training steps
# CNN 19.0 -> 16.9 ms, ImprovedCNN 33.8 -> 30.7 ms; batch-1000 evals CNN 116 -> 88 ms, ImprovedCNN 175 -> 127 ms.
# The block size hardly matters between 0.5 and 2 MB (within 3 %).

BLOCK_BYTES = 1 << 20   # columns per block, per thread


def block_samples(out, kernel, c, itemsize):
    """Samples per block: about BLOCK_BYTES of columns (at least one sample)."""
    return max(1, BLOCK_BYTES // (out[0] * out[1] * kernel[0] * kernel[1] * c * itemsize))


@_jit
def _forward_part(start, stop, x, wm, bias, has_bias, y, kh, kw, sh, sw, pt, pl, dh, dw, zero, block):
    # samples start..stop, block by block: cols_k = im2col(x_k), Y_k = cols_k · Wm, y_k = Y_kᵀ (+ b); y (N, O, *out)
    # One compiled loop (np.dot is SciPy's BLAS here), so the thread holds no GIL for the whole of its part.
    o, oh, ow, k = y.shape[1], y.shape[2], y.shape[3], wm.shape[0]
    p = oh * ow
    for s in range(start, stop, block):
        e = min(stop, s + block)
        m = e - s
        cols = np.empty((m, oh, ow, k), x.dtype)
        rows = np.empty((m * p, o), x.dtype)
        _im2col(0, m, x[s:e], cols, kh, kw, sh, sw, pt, pl, dh, dw, zero)
        np.dot(cols.reshape(m * p, k), wm, rows)                                    # Y_k (m·OH·OW, O)
        _unrows(0, m, rows.reshape(m, p, o), bias, y[s:e].reshape(m, o, p), has_bias)


def forward_blocked(x, wm, b, kernel, out, stride, pads, dilation):
    """y (N, O, OH, OW) = conv2d(x, w) + b, block by block on each thread (see above); no columns are kept.
    ``wm`` is W as the columns' matrix (KH·KW·C, O) (ops/conv.py ``_weight_matrix``)."""
    n, c = x.shape[:2]
    kh, kw = kernel
    o = wm.shape[1]
    x, wm = np.ascontiguousarray(x), np.ascontiguousarray(wm)
    y = np.empty((n, o) + tuple(out), x.dtype)
    bias = b if b is not None else np.zeros(1, x.dtype)
    with blas_one_thread():
        parallel_for(_forward_part, n, x, wm, bias, b is not None, y, kh, kw, *_geometry(pads, stride, dilation),
                     x.dtype.type(0), block_samples(out, (kh, kw), c, x.itemsize))
    return y


@_jit
def _rows_and_sum(g, rows, gb, with_sum):
    # rows[n, p, o] = G[n, o, p] (G_k as rows, channels last); with_sum: gb[o] += G[n, o, p] as well, in one pass.
    # The writes run along o (contiguous), the reads stride over the block's G, which sits in the cache.
    for n in range(g.shape[0]):
        for p in range(g.shape[2]):
            dst = rows[n, p]
            if with_sum:
                for o in range(g.shape[1]):
                    v = g[n, o, p]
                    dst[o] = v
                    gb[o] += v
            else:
                for o in range(g.shape[1]):
                    dst[o] = g[n, o, p]


@_jit
def _backward_part(start, stop, x, wm, g, gx, want_x, want_w, want_b, gw_parts, gb_parts, slot_of,
                   kh, kw, sh, sw, pt, pl, dh, dw, zero, block):
    # samples start..stop, block by block: G_k as rows (+ Σ for dL/db), cols_k again, dL/dW += cols_kᵀ · G_k,
    # dL/dx_k = col2im(G_k · Wmᵀ); this part's sums go to its own slot of gw_parts / gb_parts.
    o, oh, ow, k = g.shape[1], g.shape[2], g.shape[3], gw_parts.shape[1]
    p = oh * ow
    slot = slot_of[start]
    gw, gb = gw_parts[slot], gb_parts[slot]
    prod = np.empty((k, o), g.dtype)
    for s in range(start, stop, block):
        e = min(stop, s + block)
        m = e - s
        rows = np.empty((m, p, o), g.dtype)
        _rows_and_sum(g[s:e].reshape(m, o, p), rows, gb, want_b)
        rows2 = rows.reshape(m * p, o)
        if want_w:
            cols = np.empty((m, oh, ow, k), g.dtype)
            _im2col(0, m, x[s:e], cols, kh, kw, sh, sw, pt, pl, dh, dw, zero)
            np.dot(cols.reshape(m * p, k).T, rows2, prod)                          # cols_kᵀ · G_k
            gw += prod
        if want_x:
            dcols = np.empty((m * p, k), g.dtype)
            np.dot(rows2, wm.T, dcols)                                              # G_k · Wmᵀ (m·OH·OW, K)
            _col2im(0, m, dcols.reshape(m, oh, ow, k), gx[s:e], kh, kw, sh, sw, pt, pl, dh, dw, zero)


def backward_blocked(x, x_shape, wm, kernel, g, stride, pads, dilation, need_b):
    """(dL/dx, dL/dW, dL/db) for y = conv2d(x, w) + b and G = dL/dy (N, O, OH, OW), block by block; x (N, C, H, W)
    of shape ``x_shape``, ``wm`` W as the columns' matrix (KH·KW·C, O); dL/dW comes back in that matrix form too.

    Pass x = None when dL/dW is not wanted, wm = None when dL/dx is not; each such gradient comes back None, and so
    does dL/db unless ``need_b``."""
    n, o, *out = g.shape
    c = x_shape[1]
    kh, kw = kernel
    k = kh * kw * c
    dtype = g.dtype
    g = np.ascontiguousarray(g)
    want_x, want_w = wm is not None, x is not None
    # numba wants arrays in every argument: small zero ones stand for those not used
    wm = np.ascontiguousarray(wm) if want_x else np.zeros((k, o), dtype)
    gx = np.empty(x_shape, dtype) if want_x else np.zeros((1, 1, 1, 1), dtype)
    x = np.ascontiguousarray(x) if want_w else np.zeros((1, 1, 1, 1), dtype)
    # one slot of partial sums per piece that parallel_for may hand out (the pieces of threads.chunks)
    pieces = chunks(n, min(num_threads(), n))
    slot_of = np.zeros(n, np.int64)
    for slot, (a, _) in enumerate(pieces):
        slot_of[a] = slot
    gw_parts = np.zeros((len(pieces), k, o), dtype)
    gb_parts = np.zeros((len(pieces), o), dtype)
    with blas_one_thread():
        parallel_for(_backward_part, n, x, wm, g, gx, want_x, want_w, need_b, gw_parts, gb_parts, slot_of,
                     kh, kw, *_geometry(pads, stride, dilation), dtype.type(0), block_samples(out, kernel, c,
                                                                                            g.itemsize))
    gw = gw_parts.sum(axis=0) if want_w else None   # the pieces' sums, added in order
    gb = gb_parts.sum(axis=0) if need_b else None
    return (gx if want_x else None), gw, gb
