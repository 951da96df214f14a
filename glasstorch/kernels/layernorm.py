"""Layer norm, one row at a time over both cores: the kernels of ``ops/norm.py``'s ``LayerNorm`` (forward and
backward).

A row is one position's features (the tiny ViT: 3,136 rows of 64). The reference (``_standardize_rows``,
``_standardize_rows_backward`` and ``LayerNorm``'s own lines) makes about six whole-array passes each way, one
core each; here each thread takes a block of rows (``parallel_for``) and finishes a row, which sits in L1
cache, before the next:

forward (reproduces ``LayerNorm.forward`` with ``_standardize_rows``), per row x of K values:
    μ = Σ x / K,   x − μ,   var = Σ (x − μ)² / K,   1/σ = 1 / √(var + ε)
    x̂ = (x − μ) · 1/σ   (kept for backward, as the reference keeps it),   y = x̂ · γ + β
backward (reproduces ``LayerNorm.backward`` with ``_standardize_rows_backward``), per row g:
    ĝ = g · γ                                    dL/dx̂
    dL/dx = (ĝ − (x̂ · Σ(ĝ · x̂)/K + Σ ĝ/K)) · 1/σ
    dL/dγ += g · x̂,  dL/dβ += g                  summed per block of rows here; NumPy adds the blocks' sums
  (dL/dx is always formed, and a missing γ is a vector of ones, g · 1 = g exactly: branches in the backward's
  loop measured 1.4x slower. The forward keeps its branches for a missing γ or β: there they measured faster.)

Precision: the elementwise steps are the reference's, in its order and dtype. The row sums run in NumPy's
pairwise order (kernels/rows.py), so μ and Σ ĝ equal the reference's bit for bit (rows up to 128);
Σ (x − μ)² and Σ ĝ · x̂ are BLAS dot products in the reference (``row_dot``), pairwise here; dL/dγ, dL/dβ add
the rows in blocks. Those agree with the reference to rounding (float32: about 1e-7 relative), hence y and
dL/dx to a few ulp.
"""
import os

import numba
import numpy as np

from .rows import row_dot, row_sum
from .threads import drop_stale_cache, parallel_for

# the kernels below inline rows.py's helpers: numba's cache would not notice a change there
drop_stale_cache(__file__, os.path.join(os.path.dirname(os.path.abspath(__file__)), "rows.py"))

_jit = numba.njit(nogil=True, cache=True, fastmath=False, error_model="numpy")

BLOCK = 64          # rows per block of the backward's dL/dγ, dL/dβ partial sums
BLOCKS_MIN = 8      # a thread gets at least this many blocks


@_jit
def _forward_rows(start, stop, x, w, b, y, xhat, inv_std, k, eps, has_w, has_b, zero, one):
    # x, y, xhat (R, K); w, b (K,); inv_std (R, 1); k = K and eps in x's dtype
    x, y, xhat, inv_std = x[start:stop], y[start:stop], xhat[start:stop], inv_std[start:stop]
    for r in range(x.shape[0]):
        xr, hr, yr = x[r], xhat[r], y[r]
        mu = row_sum(xr, zero) / k                  # μ = Σ x / K
        for j in range(xr.shape[0]):
            hr[j] = xr[j] - mu                          # x − μ
        var = row_dot(hr, hr, zero) / k             # Σ (x − μ)² / K   (the biased variance)
        inv = one / np.sqrt(var + eps)                  # 1/σ
        inv_std[r, 0] = inv
        for j in range(xr.shape[0]):
            hr[j] = hr[j] * inv                         # x̂ = (x − μ) · 1/σ
        if has_w and has_b:
            for j in range(xr.shape[0]):
                yr[j] = hr[j] * w[j] + b[j]             # y = x̂ · γ + β
        elif has_w:
            for j in range(xr.shape[0]):
                yr[j] = hr[j] * w[j]
        elif has_b:
            for j in range(xr.shape[0]):
                yr[j] = hr[j] + b[j]
        else:
            for j in range(xr.shape[0]):
                yr[j] = hr[j]


@_jit
def _backward_blocks(start, stop, g, xhat, inv_std, w, gx, gw_part, gb_part, k, zero):
    # g, xhat, gx (R, K); inv_std (R, 1); w (K,) (ones when the layer has no weight);
    # gw_part, gb_part (blocks, K): block q holds the sums over rows q·BLOCK ... (q + 1)·BLOCK − 1
    n_rows, n_k = g.shape
    gh = np.empty(n_k, g.dtype)
    for q in range(start, stop):
        pw, pb = gw_part[q], gb_part[q]
        pw[:] = zero
        pb[:] = zero
        for r in range(q * BLOCK, min((q + 1) * BLOCK, n_rows)):
            gr, hr = g[r], xhat[r]
            for j in range(n_k):
                pw[j] += gr[j] * hr[j]                  # dL/dγ = Σ_rows g · x̂
                pb[j] += gr[j]                          # dL/dβ = Σ_rows g
            for j in range(n_k):
                gh[j] = gr[j] * w[j]                    # dL/dx̂ = g · γ
            a = row_dot(gh, hr, zero) / k               # mean(ĝ · x̂)
            c = row_sum(gh, zero) / k                   # mean(ĝ)
            inv = inv_std[r, 0]
            xr = gx[r]
            for j in range(n_k):
                xr[j] = (gh[j] - (hr[j] * a + c)) * inv   # (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)) / σ


def forward(x2, weight, bias, eps):
    """y, x̂, 1/σ (R, 1) of the rows of the C-contiguous (R, K) array x2; weight, bias (K,) or None."""
    dt = x2.dtype.type
    y = np.empty_like(x2)
    xhat = np.empty_like(x2)
    inv_std = np.empty((x2.shape[0], 1), x2.dtype)
    dummy = np.zeros(1, x2.dtype)
    w = dummy if weight is None else weight.reshape(-1)
    b = dummy if bias is None else bias.reshape(-1)
    parallel_for(_forward_rows, x2.shape[0], x2, w, b, y, xhat, inv_std, dt(x2.shape[1]), dt(eps),
                 weight is not None, bias is not None, dt(0), dt(1), min_rows=BLOCK * BLOCKS_MIN)
    return y, xhat, inv_std


def backward(g2, xhat, inv_std, weight):
    """dL/dx (R, K), dL/dγ and dL/dβ (K,) from g2 = dL/dy as C-contiguous rows (all three always: one pass)."""
    dt = g2.dtype.type
    blocks = -(-g2.shape[0] // BLOCK)
    gw_part = np.empty((blocks, g2.shape[1]), g2.dtype)
    gb_part = np.empty((blocks, g2.shape[1]), g2.dtype)
    gx = np.empty_like(g2)
    w = np.ones(g2.shape[1], g2.dtype) if weight is None else weight.reshape(-1)   # g · 1 = g exactly
    parallel_for(_backward_blocks, blocks, g2, xhat, inv_std, w, gx, gw_part, gb_part, dt(g2.shape[1]), dt(0),
                 min_rows=BLOCKS_MIN)
    return gx, gw_part.sum(axis=0), gb_part.sum(axis=0)
