"""The softmax of attention scores, forward and backward, row by row over both cores: the kernels of
``ops/attention.py``'s ``_softmax_scores`` and ``_softmax_backward`` (used by ``scaled_dot_product_attention``
and ``attention_weights``). Measured and dropped: splitting the per-head products (Q Kᵀ, P V ...: one BLAS call per
head) by batch over the threads: the tiny ViT step took 35.1 ms with it and 33.2 without on the idle machine
(BLAS's own threads and the split's compete for the two cores).

The scores of the tiny ViT are (64, 4, 49, 49): 12,544 rows of 49. NumPy reduces along such short rows slowly
(its row max and row sum take longer than the exp), one pass at a time, on one core. Here each thread takes whole
rows (``parallel_for`` over the rows of the (R, S) scores):

forward (reproduces ``_softmax_scores`` after the product and the mask):
    pass 1 (kernel): m = max_j s_j (0 for a row of −inf only, when ``safe``),  s_j ← s_j − m
    pass 2 (NumPy):  s ← exp(s)          NumPy's vectorized exp, each thread on its own rows (numba's exp is a
                                         scalar call per element: 6x slower than NumPy's here)
    pass 3 (kernel): t = Σ_j s_j (1 for a row that sums to 0, when ``safe``),  P_j = s_j / t
backward (reproduces ``_softmax_backward``), one pass where the reference makes four:
    r = Σ_j dP_j P_j,   dS_j = (dP_j − r) P_j

Precision: the same arithmetic in the same order as the reference (the row sums in NumPy's pairwise order,
kernels/rows.py; the exp is NumPy's own): P and dS equal the reference's bit for bit. One difference, in rows
holding a NaN: the reference's max is NaN there, the kernel's max passes over it; both rows come out all NaN.
"""
import os

import numba
import numpy as np

from .rows import row_dot, row_max, row_sum
from .threads import drop_stale_cache, parallel_for

# the kernels below inline rows.py's helpers: numba's cache would not notice a change there
drop_stale_cache(__file__, os.path.join(os.path.dirname(os.path.abspath(__file__)), "rows.py"))

_jit = numba.njit(nogil=True, cache=True, fastmath=False, error_model="numpy")

# a thread gets at least this many rows of a pass
ROWS_MIN = 512


@_jit
def _max_subtract_rows(start, stop, s, safe, zero):
    # s (R, S): each row minus its max, so that exp(s − max) cannot overflow
    s = s[start:stop]
    m16 = np.empty(16, s.dtype)
    for r in range(s.shape[0]):
        row = s[r]
        m = row_max(row, -np.inf, m16)
        if safe and m == -np.inf:
            m = zero                            # exp(−inf − 0) = 0: the row sums to 0 instead of NaN
        for j in range(row.shape[0]):
            row[j] = row[j] - m


def _exp_rows(start, stop, s):
    np.exp(s[start:stop], out=s[start:stop])    # NumPy releases the GIL: the threads run it side by side


@_jit
def _normalize_rows(start, stop, s, safe, zero, one):
    # s (R, S) = exp(s − max): P = s / Σ_j s_j, row by row
    s = s[start:stop]
    for r in range(s.shape[0]):
        row = s[r]
        total = row_sum(row, zero)
        if safe and total == zero:
            total = one
        for j in range(row.shape[0]):
            row[j] = row[j] / total


@_jit
def _softmax_grad_rows(start, stop, p, dp, zero):
    # dS = P ⊙ (dP − rowsum(dP ⊙ P)), written into dp (R, S)
    p, dp = p[start:stop], dp[start:stop]
    for r in range(p.shape[0]):
        pr, dr = p[r], dp[r]
        acc = row_dot(dr, pr, zero)         # r = Σ_j dP_j P_j
        for j in range(pr.shape[0]):
            dr[j] = (dr[j] - acc) * pr[j]       # (dP − r) · P, the reference's order


def softmax_rows(s, safe):
    """P = softmax(s) along the last axis, in place in the C-contiguous scores array s (..., S)."""
    s2 = s.reshape(-1, s.shape[-1])
    dt = s.dtype.type
    parallel_for(_max_subtract_rows, s2.shape[0], s2, bool(safe), dt(0), min_rows=ROWS_MIN)
    parallel_for(_exp_rows, s2.shape[0], s2, min_rows=ROWS_MIN)
    parallel_for(_normalize_rows, s2.shape[0], s2, bool(safe), dt(0), dt(1), min_rows=ROWS_MIN)
    return s


def softmax_backward_rows(p, dp):
    """dS = P ⊙ (dP − rowsum(dP ⊙ P)), in place in dp; p and dp C-contiguous, of one shape (..., S)."""
    p2, d2 = p.reshape(-1, p.shape[-1]), dp.reshape(-1, dp.shape[-1])
    parallel_for(_softmax_grad_rows, p2.shape[0], p2, d2, p.dtype.type(0), min_rows=ROWS_MIN)
    return dp
