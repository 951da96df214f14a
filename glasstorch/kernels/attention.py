"""Attention on both cores: the softmax of the scores row by row (``softmax_rows``, ``softmax_backward_rows``: the
kernels of ``ops/attention.py``'s ``_softmax_scores`` and ``_softmax_backward``), and the whole attention with each
thread on its own share of the batch (``attention_forward``, ``attention_backward``: ``ScaledDotProductAttention``'s
forward and backward, for q, k, v of one batch shape; at the end of this file). ``PackedSelfAttention`` calls the
same two with views: Q, K, V read from the packed projection and O, dQ, dK, dV written into the merged arrays.

The whole attention: NumPy's matmul over a batch of heads makes one BLAS call per head, in turn, each too small for
BLAS to split, so every per-head product ran on one core. Split by the batch's first dim, each thread runs the
reference's steps on its share (its per-head products, the three softmax passes below, the dropout mask). Measured
(tiny ViT, 2 cores, same process switched back and forth): forward of one attention 1.69 -> 1.05 ms, backward 1.83
-> 1.05 ms, the whole training step 0.88-0.92x. (An earlier round measured this split slower, 35.1 against 33.2 ms a step:
then BLAS's idle threads and the split's competed for the cores; since BLAS runs on the kernels' pool,
blas_pool.py, they do not.)

The scores of the tiny ViT are (64, 4, 49, 49): 12,544 rows of 49. NumPy reduces along such short rows slowly
(its row max and row sum take longer than the exp), one pass at a time, on one core. Here each thread takes a block of
whole rows (``parallel_for`` over the rows of the (R, S) scores) and makes the passes below over it:

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
from .threads import blas_one_thread, drop_stale_cache, parallel_for

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


def _softmax_part(start, stop, s, safe):
    """The three passes on the rows start <= r < stop of the (R, S) scores s (one thread's part)."""
    dt = s.dtype.type
    _max_subtract_rows(start, stop, s, safe, dt(0))
    np.exp(s[start:stop], out=s[start:stop])    # NumPy releases the GIL: the threads run it side by side
    _normalize_rows(start, stop, s, safe, dt(0), dt(1))


def softmax_rows(s, safe):
    """P = softmax(s) along the last axis, in place in the C-contiguous scores array s (..., S)."""
    s2 = s.reshape(-1, s.shape[-1])
    parallel_for(_softmax_part, s2.shape[0], s2, bool(safe), min_rows=ROWS_MIN)
    return s


def softmax_backward_rows(p, dp):
    """dS = P ⊙ (dP − rowsum(dP ⊙ P)), in place in dp; p and dp C-contiguous, of one shape (..., S)."""
    p2, d2 = p.reshape(-1, p.shape[-1]), dp.reshape(-1, dp.shape[-1])
    parallel_for(_softmax_grad_rows, p2.shape[0], p2, d2, p.dtype.type(0), min_rows=ROWS_MIN)
    return dp


# ---------------------------------------------------------------------------------------------------
# the whole attention, each thread on its own share of the batch
# ---------------------------------------------------------------------------------------------------
# (the module's docstring says why). The same per-head BLAS calls as the reference (BLAS on one thread: each
# thread's products stay on its core) and the same row passes, so the values are the reference's bit for bit.

def _forward_share(start, stop, q, k, v, mask, keep, scale, safe, qs, p, pd, o):
    share = slice(start, stop)
    np.multiply(q[share], scale, out=qs[share])                              # Q · scale
    np.matmul(qs[share], np.swapaxes(k[share], -1, -2), out=p[share])       # S = (Q · scale) Kᵀ
    if mask is not None:
        p[share] += mask[share]                                              # + M (broadcast to S's shape)
    rows = p[share].reshape(-1, p.shape[-1])
    _softmax_part(0, rows.shape[0], rows, safe)                              # P = softmax(S), row by row
    if keep is not None:
        np.multiply(p[share], keep[share], out=pd[share])                    # P' = P ⊙ D
    np.matmul(pd[share], v[share], out=o[share])                             # O = P' V


def _backward_share(start, stop, g, p, pd, keep, k, v, qs, scale, dq, dk, dv):
    share = slice(start, stop)
    if dv is not None:
        np.matmul(np.swapaxes(pd[share], -1, -2), g[share], out=dv[share])   # dV = P'ᵀ G
    if dq is None and dk is None:
        return
    ds = np.matmul(g[share], np.swapaxes(v[share], -1, -2))                  # dP' = G Vᵀ
    if keep is not None:
        ds *= keep[share]                                                    # dP = dP' ⊙ D
    rows_p, rows_d = p[share].reshape(-1, p.shape[-1]), ds.reshape(-1, ds.shape[-1])
    _softmax_grad_rows(0, rows_p.shape[0], rows_p, rows_d, p.dtype.type(0))  # dS = P ⊙ (dP − rowsum(dP ⊙ P))
    if dq is not None:
        np.matmul(ds, k[share], out=dq[share])                               # dQ = dS K · scale
        dq[share] *= scale
    if dk is not None:
        np.matmul(np.swapaxes(ds, -1, -2), qs[share], out=dk[share])         # dK = dSᵀ (Q · scale)


def _share_min(shape):
    """At least this many of the batch's first dim per thread: about ROWS_MIN softmax rows each."""
    rows_each = int(np.prod(shape[1:-1]))
    return max(1, -(-ROWS_MIN // max(1, rows_each)))


def attention_forward(q, k, v, mask, keep, scale, safe, o=None):
    """(O, P, P', Q · scale) of ``ScaledDotProductAttention.forward`` for q, k, v of one batch shape (its first dim
    split between the threads); mask (broadcastable to the scores) and keep (the scores' shape) may be None.
    o: where to write O (any strides, e.g. a view of the merged heads); a fresh array when None."""
    batch, L, S = q.shape[:-2], q.shape[-2], k.shape[-2]
    qs = np.empty(q.shape, q.dtype)
    p = np.empty(batch + (L, S), q.dtype)
    pd = p if keep is None else np.empty_like(p)
    if o is None:
        o = np.empty(batch + (L, v.shape[-1]), q.dtype)
    if mask is not None:
        mask = np.broadcast_to(mask, p.shape)
    with blas_one_thread():
        parallel_for(_forward_share, batch[0], q, k, v, mask, keep, scale, bool(safe), qs, p, pd, o,
                     min_rows=_share_min(p.shape))
    return o, p, pd, qs


def attention_backward(g, p, pd, keep, k, v, qs, scale, need_q, need_k, need_v, out=None):
    """(dQ, dK, dV) of ``ScaledDotProductAttention.backward`` (None where not needed), from attention_forward's
    values; the batch's first dim split between the threads. out: (dQ, dK, dV) arrays to write them into (any
    strides, e.g. views of one packed gradient); fresh arrays when None."""
    if out is not None:
        dq, dk, dv = out
    else:
        dq = np.empty(qs.shape, qs.dtype) if need_q else None
        dk = np.empty(k.shape, k.dtype) if need_k else None
        dv = np.empty(v.shape, v.dtype) if need_v else None
    with blas_one_thread():
        parallel_for(_backward_share, p.shape[0], g, p, pd, keep, k, v, qs, scale, dq, dk, dv,
                     min_rows=_share_min(p.shape))
    return dq, dk, dv
