"""Batch norm over (N, C, *) arrays, channel by channel over both cores: the kernels of ``ops/norm.py``'s
``BatchNorm`` (training forward, its backward, eval forward).

Each thread owns whole channels (``parallel_for`` over C), so every per-channel sum is one thread's and nothing
is shared. One channel's N·H·W values (200 kB for a (64, 32, 28, 28) batch) stay in the core's cache between
the passes over it, so only the first pass reads main memory.

Training forward (reproduces ``BatchNorm.forward``, training branch):
    pass 1: Σ x                      -> μ = Σ x / M                    (M = N·H·W)
    pass 2: Σ (x − μ)²               -> the caller forms 1/σ and γ/σ with the reference's own lines
    pass 3: y = (x − μ) · γ/σ + β    (the reference's three whole-array passes for xc, ·scale, +β), run over
            the (sample, channel) planes in memory order (it has no sums; streaming is faster at 7×7 planes)
  x − μ is not stored (the reference keeps xc); the backward recomputes it from x and μ, bit for bit.
Backward (reproduces ``BatchNorm.backward``, training branch):
    pass 1: Σ g and Σ g · (x − μ)    (one pass where the reference makes two, plus the xc it read)
    pass 2: dL/dx = γ/σ · (g − mean(g) − x̂ · mean(g · x̂)), in the reference's order of operations (by planes)
Eval forward (reproduces the eval branch): y = x · γ/σ + (β − μ · γ/σ), one pass per (sample, channel) plane.

Precision: the sums are accumulated in float64 (one partial sum per position of the plane, so the loop
vectorizes; added up at the end) and rounded once to the input's dtype; the reference sums in the input's dtype
with BLAS. So μ, Σ(x − μ)², Σ g, Σ g·x̂ agree with the reference's to a few ulp (float32: about 1e-6 relative,
the reference's own rounding), and y and dL/dx to the same. Everything elementwise (x − μ, the products and
sums of y and dL/dx) is done in the input's dtype in the reference's order: given the same per-channel factors
the results equal the reference's bit for bit; the eval forward, which has no sums, equals it exactly.
"""
import numba
import numpy as np

from .threads import parallel_for

# a thread gets at least this many elements of a pass (below it the hand-off costs more than the second core gains)
CHUNK_MIN = 32768

_jit = numba.njit(nogil=True, cache=True, fastmath=False, error_model="numpy")


@_jit
def _channel_stats(start, stop, x, mean, var_sum, m):
    # per channel c: μ = Σ x / M, then Σ (x − μ)² (the biased variance's numerator, as the reference's
    # channel_dot(xc, xc)); x is (N, C, P), mean and var_sum (C,) in x's dtype, m = M in x's dtype
    n, p = x.shape[0], x.shape[2]
    acc = np.empty(p, np.float64)
    for c in range(start, stop):
        acc[:] = 0.0
        for s in range(n):
            row = x[s, c]
            for i in range(p):
                acc[i] += row[i]
        mean[c] = acc.sum()                              # Σ x, rounded to x's dtype by the store
        mu = mean[c] / m                                 # mean = channel_sum(x) / M, in x's dtype
        mean[c] = mu
        acc[:] = 0.0
        for s in range(n):
            row = x[s, c]
            for i in range(p):
                d = row[i] - mu                          # xc = x − μ, in x's dtype as the reference's
                acc[i] += np.float64(d) * np.float64(d)
        var_sum[c] = acc.sum()


@_jit
def _normalize(start, stop, x, y, mean, scale, bias, has_bias, channels):
    # y = (x − μ) · γ/σ + β  (scale = γ/σ, or 1/σ without weight), on planes q = s·C + c of x (N·C, P):
    # an elementwise pass, so it runs in memory order rather than channel by channel
    x, y = x[start:stop], y[start:stop]
    for q in range(x.shape[0]):
        c = (start + q) % channels
        mu, k, b = mean[c], scale[c], bias[c]
        xr, yr = x[q], y[q]
        if has_bias:
            for i in range(xr.shape[0]):
                yr[i] = (xr[i] - mu) * k + b
        else:
            for i in range(xr.shape[0]):
                yr[i] = (xr[i] - mu) * k


@_jit
def _grad_sums(start, stop, g, x, mean, sum_g, sum_gxc):
    # per channel: Σ g and Σ g · (x − μ)  (the reference's channel_sum(grad) and channel_dot(grad, xc))
    n, p = x.shape[0], x.shape[2]
    acc_g = np.empty(p, np.float64)
    acc_gx = np.empty(p, np.float64)
    for c in range(start, stop):
        mu = mean[c]
        acc_g[:] = 0.0
        acc_gx[:] = 0.0
        for s in range(n):
            gr, xr = g[s, c], x[s, c]
            for i in range(p):
                d = xr[i] - mu
                acc_g[i] += gr[i]
                acc_gx[i] += np.float64(gr[i]) * np.float64(d)
        sum_g[c] = acc_g.sum()
        sum_gxc[c] = acc_gx.sum()


@_jit
def _grad_input(start, stop, g, x, gx, mean, k_xhat, k_g, scale, channels):
    # dL/dx = γ/σ · (g − mean(g) − x̂ · mean(g · x̂)), as the reference: t = xc · (1/σ · mean(g·x̂)) + mean(g),
    # then (g − t) · γ/σ   (k_xhat = inv_std · sum_gx / M, k_g = sum_g / M, scale = γ/σ); planes as _normalize
    g, x, gx = g[start:stop], x[start:stop], gx[start:stop]
    for q in range(x.shape[0]):
        c = (start + q) % channels
        mu, a, b, k = mean[c], k_xhat[c], k_g[c], scale[c]
        gr, xr, out = g[q], x[q], gx[q]
        for i in range(xr.shape[0]):
            t = (xr[i] - mu) * a + b
            out[i] = (gr[i] - t) * k


@_jit
def _affine_planes(start, stop, x, y, scale, shift, channels):
    # eval: y = x · γ/σ + (β − μ · γ/σ) on planes p = s·C + c of x (N·C, P)
    x, y = x[start:stop], y[start:stop]
    for q in range(x.shape[0]):
        c = (start + q) % channels
        k, b = scale[c], shift[c]
        xr, yr = x[q], y[q]
        for i in range(xr.shape[0]):
            yr[i] = xr[i] * k + b


def applies(x):
    """Whether the kernels cover this input: (N, C, *) with at least one position per channel plane."""
    return x.ndim >= 3


def _planes(a):
    """a (N, C, *) as a contiguous (N, C, P) array (a view where a is contiguous already)."""
    return np.ascontiguousarray(a).reshape(a.shape[0], a.shape[1], -1)


def channel_stats(x):
    """(x as (N, C, P), μ, Σ(x − μ)²), the two per-channel vectors of shape (C,) in x's dtype."""
    x3 = _planes(x)
    c = x3.shape[1]
    mean = np.empty(c, x.dtype)
    var_sum = np.empty(c, x.dtype)
    parallel_for(_channel_stats, c, x3, mean, var_sum, x.dtype.type(x3.shape[0] * x3.shape[2]),
                 min_rows=max(1, CHUNK_MIN // (x3.shape[0] * x3.shape[2])))
    return x3, mean, var_sum


def normalize(x3, mean, scale, bias, shape):
    """y = (x − μ) · scale + bias per channel (bias may be None), of shape ``shape``."""
    n, c, p = x3.shape
    y = np.empty((n * c, p), x3.dtype)
    has_bias = bias is not None
    b = bias.reshape(-1) if has_bias else scale.reshape(-1)
    parallel_for(_normalize, n * c, x3.reshape(n * c, p), y, mean, scale.reshape(-1), b, has_bias, c,
                 min_rows=max(1, CHUNK_MIN // p))
    return y.reshape(shape)


def grad_sums(grad, x3, mean):
    """(g as (N, C, P), Σ g, Σ g · (x − μ)), per channel, shape (C,)."""
    g3 = _planes(grad)
    c = x3.shape[1]
    sum_g = np.empty(c, grad.dtype)
    sum_gxc = np.empty(c, grad.dtype)
    parallel_for(_grad_sums, c, g3, x3, mean, sum_g, sum_gxc, min_rows=max(1, CHUNK_MIN // (x3.shape[0] * x3.shape[2])))
    return g3, sum_g, sum_gxc


def grad_input(g3, x3, mean, k_xhat, k_g, scale, shape):
    """dL/dx = scale · (g − ((x − μ) · k_xhat + k_g)), of shape ``shape``."""
    n, c, p = x3.shape
    gx = np.empty((n * c, p), x3.dtype)
    parallel_for(_grad_input, n * c, g3.reshape(n * c, p), x3.reshape(n * c, p), gx, mean, k_xhat.reshape(-1),
                 k_g.reshape(-1), scale.reshape(-1), c, min_rows=max(1, CHUNK_MIN // p))
    return gx.reshape(shape)


def affine(x, scale, shift):
    """Eval batch norm: y = x · scale + shift per channel (scale, shift: C values in x's dtype)."""
    n, c = x.shape[:2]
    planes = np.ascontiguousarray(x).reshape(n * c, -1)
    y = np.empty(planes.shape, x.dtype)
    parallel_for(_affine_planes, n * c, planes, y, np.ascontiguousarray(scale.reshape(-1)),
                 np.ascontiguousarray(shift.reshape(-1)), c, min_rows=max(1, CHUNK_MIN // planes.shape[1]))
    return y.reshape(x.shape)
