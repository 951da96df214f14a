"""The LSTM's time loop: one step of the gates (forward) and of the gate gradients (backward), fused.

Used by glasstorch/ops/recurrent.py's ``LSTMLayer`` (the fast path of nn.LSTM: one graph node per layer and
direction over the whole sequence). Each kernel reproduces a part of the reference in the same file, which runs
as one graph node ``LSTMStep`` per time step:

- ``lstm_step_scale`` and ``lstm_step_cell`` (forward): ``LSTMStep.forward`` with ``_lstm_activate_``, except
  the exp, which stays NumPy's (its SIMD exp and tanh beat numba's scalar calls to libm, measured on this
  machine for (64, 512) float32: NumPy σ in 4 passes 27 µs, numba σ in one pass 74 µs, numba tanh 480 µs
  against NumPy's 9 µs). Fuses the reference's 9 NumPy passes around the exp into 2: p + h W_hhᵀ and the
  scaling by −k before it; 1 + e, k / (1 + e), the g block's − 1 and c' = f·c + i·g after it.
- ``lstm_step_backward``: the elementwise part of ``LSTMStep.backward``, plus the sum the autograd engine does
  there: dL/dh_t = (what the output h_t receives) + (what step t+1 sends back), likewise dL/dc_t. Fuses about
  20 NumPy passes (dct, the four gate products, σ' and tanh', their product, dc for the step before, each its
  own temporary) into one loop over the step's cells.

Arithmetic: the reference's operations in the reference's order, in the array's dtype (no FMA contraction:
fastmath off), so every value equals the reference's bit for bit given equal inputs (tests/kernels/
test_recurrent.py checks both). The matrix products (h W_hhᵀ, dh = da W_hh, and the weight gradients over all
steps) stay NumPy's (BLAS), outside these kernels.

Not threaded: one step's pass is ~8k cells (batch 64 × 128 units), some microseconds, less than a hand-off to
the second core costs; the matrix products around them use both cores (OpenBLAS).
"""
import numba

_jit = numba.njit(nogil=True, cache=True, fastmath=False, error_model="numpy")


@_jit
def lstm_step_backward(gates, tc, c_prev, gy_h, gy_c, dh, dc, da, one):
    """One step t of the LSTM's backward, for every cell (b, j) of the batch; arrays C-contiguous:

    gates (B, 4H)  the activated gates i, f, g, o of step t (saved by the forward), column blocks of H
    tc    (B, H)   tanh(c_t);  c_prev (B, H): c_{t−1}
    gy_h, gy_c     dL/dh_t, dL/dc_t that the layer's outputs receive (from the loss, the next layer, h_n, c_n)
    dh   (B, H)    in: dL/dh_t sent back by step t+1 (da_{t+1} W_hh; zeros at the last step)
    dc   (B, H)    in: dL/dc_t sent back by step t+1;  out: dL/dc_{t−1} = dL/dc_t · f   (overwritten in place)
    da   (B, 4H)   out: dL/d(pre-activation) of the four gates (then dh_{t−1} = da W_hh is the caller's BLAS)
    """
    n_batch, n = tc.shape
    for b in range(n_batch):
        g_b, d_b = gates[b], da[b]
        i_, f_, g_, o_ = g_b[:n], g_b[n:2 * n], g_b[2 * n:3 * n], g_b[3 * n:]
        di, df, dg, do = d_b[:n], d_b[n:2 * n], d_b[2 * n:3 * n], d_b[3 * n:]
        tc_b, cp_b, yh_b, yc_b, dh_b, dc_b = tc[b], c_prev[b], gy_h[b], gy_c[b], dh[b], dc[b]
        for j in range(n):
            i, f, g, o, t = i_[j], f_[j], g_[j], o_[j], tc_b[j]
            h_grad = yh_b[j] + dh_b[j]             # dL/dh_t: the output's share + the next step's share
            c_grad = yc_b[j] + dc_b[j]             # dL/dc_t, likewise
            # dL/dc_t (all paths) = dc + dh·o·(1 − tanh²(c_t)), in the reference's order ((1 − t²)·o)·dh + dc
            dct = (one - t * t) * o * h_grad + c_grad
            # the activated gates' gradients di = dct·g, df = dct·c_{t−1}, dg = dct·i, do = dh·tanh(c_t),
            # times the nonlinearities' slopes: σ' = (1 − σ)·σ on i, f, o;  tanh' = 1 − g² on g
            di[j] = (dct * g) * ((one - i) * i)
            df[j] = (dct * cp_b[j]) * ((one - f) * f)
            dg[j] = (dct * i) * (one - g * g)
            do[j] = (h_grad * t) * ((one - o) * o)
            dc_b[j] = dct * f                      # dL/dc_{t−1} = dL/dc_t · f (the cell path)


@_jit
def lstm_step_scale(a, hw, neg_k):
    """Forward, before the exp: a = (p + h W_hhᵀ)·(−k) for the (B, 4H) gates of one step, in place in a (= p).

    The reference's ``a += p`` and ``a *= neg_k`` (LSTMStep.forward, _lstm_activate_) as one pass; k = 1 on the σ
    gates i, f, o and 2 on the tanh gate g (see _lstm_gate_constants)."""
    for b in range(a.shape[0]):
        a_b, hw_b = a[b], hw[b]
        for j in range(a_b.shape[0]):
            a_b[j] = (a_b[j] + hw_b[j]) * neg_k[j]


@_jit
def lstm_step_cell(a, k, c_prev, c_out, one):
    """Forward, after the exp (a = e^(−k·a)): the gates and the new cell state of one step, in one pass.

    The reference's ``a += 1``, ``a = k / a`` (σ(a) for k = 1, 1 + tanh(a) for k = 2), ``a[:, g] −= 1`` (so the g
    block holds tanh), then c' = f·c + i·g, in that order; a keeps the activated gates i, f, g, o (for backward),
    c_out (B, H) receives c'."""
    n_batch, n = c_prev.shape
    for b in range(n_batch):
        a_b = a[b]
        for j in range(a_b.shape[0]):
            a_b[j] = k[j] / (a_b[j] + one)
        i_, f_, g_ = a_b[:n], a_b[n:2 * n], a_b[2 * n:3 * n]
        cp_b, co_b = c_prev[b], c_out[b]
        for j in range(n):
            g = g_[j] - one
            g_[j] = g
            co_b[j] = f_[j] * cp_b[j] + i_[j] * g      # c' = f·c + i·g
