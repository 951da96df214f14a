"""Recurrent cells as fused ops: one time step of an Elman RNN, an LSTM and a GRU.

A recurrent layer applies the same cell at every time step t, feeding the state back in:

    h_t = cell(x_t, h_{t−1})

Everything that does not depend on h can be done for all steps at once, before the time loop: the layer
computes the input projection  P = x W_ihᵀ + b_ih  of shape (T, B, G·H) as ONE matrix multiply (G gates
of H units each). Each step op then takes its slice P_t (a view), the previous state, W_hh and b_hh, and
does one (B, H) @ (H, G·H) product for all gates together, followed by the gate nonlinearities over the
whole (B, G·H) block. Gates are laid out as in PyTorch: LSTM (i, f, g, o), GRU (r, z, n).

Backpropagation through time (BPTT) needs no special code: every step is a node of the autograd graph,
and each step's backward returns gradients for (P_t, h_{t−1}, [c_{t−1}], W_hh, b_hh); the engine walks
the steps from last to first, sums the W_hh gradients of all steps, and hands dL/dP_t to ``StepSlice``.

Two layout choices keep the time loop cheap:

- ``StepSlice`` reads P_t as a view. Its backward writes dL/dP_t into ONE (T, B, G·H) gradient array
  shared by all steps of the sequence (a normal slice would allocate a zero (T, B, G·H) array per step
  and the engine would add T of them together). ``SplitSteps``, an identity node between P and the step
  slices, owns that shared array: it runs after every step has written, passes the array on to P, and
  forgets it (so a second backward with ``retain_graph=True`` starts from zeros again).
- The LSTM state is one array of shape (2, B, H): state[0] = h, state[1] = c, so the LSTM step, like the
  others, returns a single array (a Function here returns one array).

With kernels on (glasstorch/kernels: the switch), nn.LSTM takes a faster route over the same arithmetic:
``LSTMLayer`` runs a whole layer (one direction) as ONE graph node and writes the backward through time by
hand — per step only the gate gradients (one fused pass, kernels/recurrent.py) and dh_{t−1} = da_t W_hh; the
weight and input gradients of all steps are then one matrix product each. The per-step graph above stays the
reference (``with glasstorch.kernels.reference():``), and tests/kernels/test_recurrent.py checks they agree.

The gate nonlinearities use NumPy's exp, about twice as fast as its tanh: σ(a) = 1/(1 + e^(−a)), and the
LSTM's g gate takes tanh(a) = 2σ(2a) − 1 in the same pass over all 4H columns (float32 results differ from
PyTorch's by rounding, ~1e-7 absolutely).

The cell functions below (``rnn_tanh_cell``, ``rnn_relu_cell``, ``lstm_cell``, ``gru_cell``) follow
``torch.rnn_tanh_cell`` & co. (top-level torch functions, not in torch.nn.functional); they are not exported
by ``__all__``, so ``glasstorch.nn.functional`` gains no names that PyTorch's lacks.
"""
from ..autograd.function import Function
from ..backend import get_array_module
from .linear import linear
from .shape import stack

__all__ = []


# ---------------------------------------------------------------------------------------------------
# reading the projected input one time step at a time
# ---------------------------------------------------------------------------------------------------
class StepGrad:
    """The gradient array dL/dP shared by the StepSlice nodes of one sequence (created on first write)."""

    __slots__ = ("array",)

    def __init__(self):
        self.array = None


class SplitSteps(Function):
    """y = x (an identity node that owns the shared gradient array of the StepSlice nodes reading y)."""

    is_view = True
    saves = ()

    @staticmethod
    def forward(ctx, x, shared):
        ctx.shared = shared
        return x

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy: the array every StepSlice wrote its step into; start afresh next time
        ctx.shared.array = None
        return grad, None


class StepSlice(Function):
    """y = x[index], one time step of the projection; backward writes into the shared gradient array."""

    is_view = True
    saves = ()

    @staticmethod
    def forward(ctx, x, index, shared):
        ctx.shape, ctx.index, ctx.shared = x.shape, index, shared
        return x[index]

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy at this step's rows, 0 elsewhere. The first step to arrive creates the zero array
        # and returns it; the others write into it in place and return nothing (the engine would add).
        shared = ctx.shared
        first = shared.array is None
        if first:
            shared.array = get_array_module(grad).zeros(ctx.shape, grad.dtype)
        shared.array[ctx.index] = grad
        return (shared.array if first else None), None, None


def split_steps(p, time_dim=0):
    """The time steps of p (T, B, G) — or (B, T, G) with time_dim=1 — as a list of views p_t (B, G).

    glasstorch-only helper (used by the recurrent layers)."""
    shared = StepGrad()
    p = SplitSteps.apply(p, shared)
    lead = (slice(None),) * time_dim
    return [StepSlice.apply(p, lead + (t,), shared) for t in range(p._array.shape[time_dim])]


# ---------------------------------------------------------------------------------------------------
# gate helpers
# ---------------------------------------------------------------------------------------------------
def _hidden_product(h, w, b):
    """h W_hhᵀ (+ b_hh): all gates of the step in one (B, H) @ (H, G·H) product."""
    a = h @ w.T
    if b is not None:
        a += b
    return a


def _sigmoid_(a):
    """σ(a) = 1/(1 + e^(−a)) in place (e^(−a) = inf for very negative a gives 0, as it should)."""
    xp = get_array_module(a)
    xp.negative(a, out=a)
    with xp.errstate(over="ignore"):
        xp.exp(a, out=a)
    a += 1.0
    return xp.reciprocal(a, out=a)


_LSTM_GATE_CONSTANTS = {}


def _lstm_gate_constants(h, dtype, xp):
    """(−k, k) of length 4H, k = 1 on the σ gates i, f, o and 2 on the tanh gate g, for the one-pass
    activation  σ(a) = 1/(1 + e^(−a))  and  tanh(a) = 2/(1 + e^(−2a)) − 1."""
    key = (h, dtype, xp.__name__)
    if key not in _LSTM_GATE_CONSTANTS:
        k = xp.ones(4 * h, dtype)
        k[2 * h:3 * h] = 2.0
        _LSTM_GATE_CONSTANTS[key] = -k, k
    return _LSTM_GATE_CONSTANTS[key]


def _lstm_activate_(a, n, xp):
    """σ on the i, f, o columns and tanh on the g columns of a (B, 4n), in place, with ONE exp over all
    of them (exp is about twice as fast as tanh in NumPy; e^(−a) = inf for very negative a gives 0)."""
    neg_k, k = _lstm_gate_constants(n, a.dtype, xp)
    a *= neg_k
    with xp.errstate(over="ignore"):
        xp.exp(a, out=a)
    a += 1.0
    xp.divide(k, a, out=a)        # k/(1 + e^(−k·a)): σ(a) for k = 1, 1 + tanh(a) for k = 2
    a[:, 2 * n:3 * n] -= 1.0
    return a


# ---------------------------------------------------------------------------------------------------
# the step ops
# ---------------------------------------------------------------------------------------------------
class RNNTanhStep(Function):
    """h' = tanh(p + h W_hhᵀ + b_hh), with p = x W_ihᵀ + b_ih precomputed."""

    saves = (1, 2, -1)

    @staticmethod
    def forward(ctx, p, h, w, b):
        xp = get_array_module(p, h, w)
        a = _hidden_product(h, w, b)
        a += p
        y = xp.tanh(a, out=a)
        ctx.h, ctx.w, ctx.y, ctx.has_b = h, w, y, b is not None
        return y

    @staticmethod
    def backward(ctx, grad):
        # da = dL/dh' · (1 − h'²);  dp = da,  dh = da W_hh,  dW_hh = daᵀ h,  db_hh = Σ_batch da
        da = ctx.y * ctx.y
        get_array_module(da).subtract(1.0, da, out=da)
        da *= grad
        return _step_grads(ctx, da)


class RNNReluStep(Function):
    """h' = relu(p + h W_hhᵀ + b_hh), with p = x W_ihᵀ + b_ih precomputed."""

    saves = (1, 2, -1)

    @staticmethod
    def forward(ctx, p, h, w, b):
        xp = get_array_module(p, h, w)
        a = _hidden_product(h, w, b)
        a += p
        y = xp.maximum(a, 0, out=a)
        ctx.h, ctx.w, ctx.y, ctx.has_b = h, w, y, b is not None
        return y

    @staticmethod
    def backward(ctx, grad):
        # da = dL/dh' · [h' > 0];  then as for tanh
        da = grad * (ctx.y > 0)
        return _step_grads(ctx, da)


def _step_grads(ctx, da):
    """Gradients of (p, h, W_hh, b_hh) from da = dL/d(pre-activation), shared by the RNN steps."""
    need = ctx.needs_input_grad
    gh = da @ ctx.w if need[1] else None
    gw = da.T @ ctx.h if need[2] else None
    gb = da.sum(axis=0) if ctx.has_b and need[3] else None
    return (da if need[0] else None), gh, gw, gb


class LSTMStep(Function):
    """One LSTM step on the state s = (h, c) stacked as (2, B, H); returns the new state (2, B, H).

        [i, f, g, o] = p + h W_hhᵀ + b_hh                   (p = x W_ihᵀ + b_ih, gates of H columns each)
        i, f, o = σ(i), σ(f), σ(o);  g = tanh(g)
        c' = f·c + i·g
        h' = o·tanh(c')
    """

    saves = (1, 2)

    @staticmethod
    def forward(ctx, p, s, w, b):
        xp = get_array_module(p, s, w)
        h, c = s[0], s[1]
        n = c.shape[-1]
        a = _hidden_product(h, w, b)
        a += p
        _lstm_activate_(a, n, xp)
        i, f, g, o = a[:, :n], a[:, n:2 * n], a[:, 2 * n:3 * n], a[:, 3 * n:]
        out = xp.empty(s.shape, a.dtype)
        c2 = xp.multiply(f, c, out=out[1])
        c2 += i * g
        tc = xp.tanh(c2)
        xp.multiply(o, tc, out=out[0])
        ctx.act, ctx.s, ctx.tc, ctx.w, ctx.has_b = a, s, tc, w, b is not None
        return out

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        a, tc, s = ctx.act, ctx.tc, ctx.s
        n = tc.shape[-1]
        i, f, g, o = a[:, :n], a[:, n:2 * n], a[:, 2 * n:3 * n], a[:, 3 * n:]
        dh, dc = grad[0], grad[1]
        # dL/dc' = dc + dh·o·(1 − tanh²(c'))
        dct = tc * tc
        xp.subtract(1.0, dct, out=dct)
        dct *= o
        dct *= dh
        dct += dc
        # gradients of the activated gates: di = dc'·g, df = dc'·c, dg = dc'·i, do = dh·tanh(c')
        da = xp.empty_like(a)
        xp.multiply(dct, g, out=da[:, :n])
        xp.multiply(dct, s[1], out=da[:, n:2 * n])
        xp.multiply(dct, i, out=da[:, 2 * n:3 * n])
        xp.multiply(dh, tc, out=da[:, 3 * n:])
        # through the nonlinearities: σ' = σ(1 − σ) on i, f, o;  tanh' = 1 − g² on g
        d = 1.0 - a
        d *= a
        xp.multiply(g, g, out=d[:, 2 * n:3 * n])
        xp.subtract(1.0, d[:, 2 * n:3 * n], out=d[:, 2 * n:3 * n])
        da *= d
        # da = dL/d(pre-activation):  dp = da,  dh = da W_hh,  dc = dc'·f,  dW_hh = daᵀ h,  db_hh = Σ_batch da
        need = ctx.needs_input_grad
        gs = None
        if need[1]:
            gs = xp.empty_like(s)
            xp.matmul(da, ctx.w, out=gs[0])
            xp.multiply(dct, f, out=gs[1])
        gw = da.T @ s[0] if need[2] else None
        gb = da.sum(axis=0) if ctx.has_b and need[3] else None
        return (da if need[0] else None), gs, gw, gb


class LSTMLayer(Function):
    """One LSTM layer (one direction) over the whole sequence as ONE graph node, with its own backward through
    time: the fast path of nn.LSTM when kernels are on (glasstorch/kernels: the switch). The reference is the
    per-step graph above (``split_steps`` + ``LSTMStep`` per step + ``stack``); the arithmetic is the same.

    x (T, B, I), or (B, T, I) with batch_first; s0 = (h_0, c_0) stacked (2, B, H). Returns y (2, T, B, H), or
    (2, B, T, H): y[0] = h_t and y[1] = c_t for every t, the layout the reference's ``stack`` gives (so the output
    sequence is y[0] and the last state a slice of y).

    Forward: the input projection of all steps is one matrix product, then per step one (B, H) @ (H, 4H) product
    and the gates, as in ``LSTMStep.forward``. The gates, c_t and tanh(c_t) are kept in (T, B, ·) arrays.
    Backward, per step from the last: the gate gradients (kernels/recurrent.py, one pass) and dh_{t−1} = da W_hh;
    then, over all steps at once, one product each for dW_ih = Σ_t da_tᵀ x_t, dW_hh = Σ_t da_tᵀ h_{t−1} and
    dx = da W_ih. With biases, x carries a column of ones and W_ih the column b_ih + b_hh, so the forward product
    adds the bias and the dW_ih product gives dL/db = Σ_t da_t as its last column (no separate passes; the sums
    are BLAS's, in another order than the reference's per-step adds).
    """

    saves = (0, 1, 2, 3)   # as the reference: linear keeps x and W_ih, each step its state and W_hh

    @staticmethod
    def forward(ctx, x, s0, w_ih, w_hh, b_ih, b_hh, reverse, batch_first):
        xp = get_array_module(x, s0, w_ih)
        steps, batch = (x.shape[1], x.shape[0]) if batch_first else x.shape[:2]
        n = w_hh.shape[1]
        # P = x W_ihᵀ + (b_ih + b_hh) for every step in one product; each step's gates are made in place in it.
        # With biases, x gets a column of ones and W_ih the column b_ih + b_hh: the product adds the bias itself
        # (no pass over P), and backward's dW_ih product gives the bias gradient as its last column.
        ones = b_ih is not None
        xt = xp.empty((steps, batch, x.shape[-1] + ones), x.dtype)       # x as (T, B, I [+ 1])
        xt[..., :x.shape[-1]] = x.swapaxes(0, 1) if batch_first else x
        w_in = w_ih
        if ones:
            xt[..., -1] = 1
            w_in = xp.concatenate([w_ih, (b_ih + b_hh)[:, None]], axis=1)  # [W_ih | b_ih + b_hh]
        gates = (xt.reshape(steps * batch, -1) @ w_in.T).reshape(steps, batch, 4 * n)
        # hs[k], cs[k]: the states in time order with h_0, c_0 in front (slot 0), or behind (slot T) when reversed
        hs = xp.empty((steps + 1, batch, n), gates.dtype)
        cs = xp.empty((steps + 1, batch, n), gates.dtype)
        tcs = xp.empty((steps, batch, n), gates.dtype)
        first = steps if reverse else 0
        hs[first], cs[first] = s0[0], s0[1]
        hw = xp.empty((batch, 4 * n), gates.dtype)
        w_hh_t = xp.ascontiguousarray(w_hh.T)           # W_hhᵀ laid out for the product (BLAS: ~25% faster here)
        neg_k, k = _lstm_gate_constants(n, gates.dtype, xp)
        one = gates.dtype.type(1.0)
        from ..kernels import recurrent as _k
        with xp.errstate(over="ignore"):                # e^(−a) = inf for very negative a gives σ = 0, as it should
            for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
                prev, cur = (t + 1, t) if reverse else (t, t + 1)
                a = gates[t]
                xp.matmul(hs[prev], w_hh_t, out=hw)     # h W_hhᵀ: all gates of the step in one product
                # the gates as in _lstm_activate_, NumPy's SIMD exp between two fused passes:
                _k.lstm_step_scale(a, hw, neg_k)         # a = (p + h W_hhᵀ)·(−k)
                xp.exp(a, out=a)
                _k.lstm_step_cell(a, k, cs[prev], cs[cur], one)  # σ / tanh gates, c' = f·c + i·g
                xp.tanh(cs[cur], out=tcs[t])             # h' = o·tanh(c')
                xp.multiply(a[:, 3 * n:], tcs[t], out=hs[cur])
        out_h, out_c = (hs[:steps], cs[:steps]) if reverse else (hs[1:], cs[1:])
        y = xp.empty((2,) + x.shape[:2] + (n,), gates.dtype)
        y[0] = out_h.swapaxes(0, 1) if batch_first else out_h
        y[1] = out_c.swapaxes(0, 1) if batch_first else out_c
        if ctx.needs_input_grad:
            ctx.xt, ctx.gates, ctx.hs, ctx.cs, ctx.tcs = xt, gates, hs, cs, tcs
            ctx.w_ih, ctx.w_hh, ctx.has_b = w_ih, w_hh, b_ih is not None
            ctx.reverse, ctx.batch_first = reverse, batch_first
        return y

    @staticmethod
    def backward(ctx, grad):
        from ..kernels import recurrent as _k
        xp = get_array_module(grad)
        gates, hs, cs, tcs, reverse = ctx.gates, ctx.hs, ctx.cs, ctx.tcs, ctx.reverse
        steps, batch, n4 = gates.shape
        n = n4 // 4
        dtype = gates.dtype
        gy = grad.swapaxes(1, 2) if ctx.batch_first else grad      # (2, T, B, H): dL/dh_t, dL/dc_t at [:, t]
        gy_t = xp.empty((2, batch, n), dtype)     # step t's part of gy, made contiguous for the kernel
        da = xp.empty_like(gates)                 # dL/d(pre-activation) of every step, (T, B, 4H)
        dh = xp.zeros((2, batch, n), dtype)       # dh[0] = dL/dh, dh[1] = dL/dc sent back to the step before
        one = dtype.type(1.0)
        need = ctx.needs_input_grad
        first = steps - 1 if reverse else 0          # the step that read (h_0, c_0)
        for t in (range(steps) if reverse else range(steps - 1, -1, -1)):
            prev = t + 1 if reverse else t
            xp.copyto(gy_t, gy[:, t])
            _k.lstm_step_backward(gates[t], tcs[t], cs[prev], gy_t[0], gy_t[1], dh[0], dh[1], da[t], one)
            if t != first or need[1]:
                xp.matmul(da[t], ctx.w_hh, out=dh[0])  # dL/dh_{t−1} = da_t W_hh
        # the weights and the input, over all steps at once: rows (t, b) of da against the same rows of x, h_{t−1}
        rows = da.reshape(steps * batch, n4)
        gx = gs = gw_ih = gw_hh = gb_ih = gb_hh = None
        if need[0]:
            gx = (rows @ ctx.w_ih).reshape(steps, batch, -1)       # dL/dx_t = da_t W_ih
            if ctx.batch_first:
                gx = xp.ascontiguousarray(gx.swapaxes(0, 1))
        if need[1]:
            gs = dh                                                # dL/d(h_0, c_0)
        gb = None
        if need[2] or (ctx.has_b and (need[4] or need[5])):
            gwb = rows.T @ ctx.xt.reshape(steps * batch, -1)       # Σ_t da_tᵀ [x_t | 1]: dW_ih and, last, Σ_t da_t
            if need[2]:
                gw_ih = xp.ascontiguousarray(gwb[:, :ctx.w_ih.shape[1]])
            if ctx.has_b:
                gb = gwb[:, -1]                                    # b_ih and b_hh add to the same sum
        if need[3]:
            h_prev = hs[1:] if reverse else hs[:steps]
            gw_hh = rows.T @ h_prev.reshape(steps * batch, n)      # Σ_t da_tᵀ h_{t−1}
        if gb is not None:
            gb_ih = gb.copy() if need[4] else None
            gb_hh = gb.copy() if need[5] else None
        return gx, gs, gw_ih, gw_hh, gb_ih, gb_hh, None, None


def lstm_layer(x, s0, w_ih, w_hh, b_ih, b_hh, reverse, batch_first):
    """One LSTM layer and direction as one node (``LSTMLayer``): returns (outputs h_t, last state (2, B, H)).

    glasstorch-only helper (the fast path of the recurrent layers)."""
    y = LSTMLayer.apply(x, s0, w_ih, w_hh, b_ih, b_hh, reverse, batch_first)
    steps = x.shape[1 if batch_first else 0]
    last = 0 if reverse else steps - 1
    return y[0], (y[:, :, last] if batch_first else y[:, last])


class GRUStep(Function):
    """One GRU step; p = x W_ihᵀ + b_ih and q = h W_hhᵀ + b_hh, each split into (r, z, n) blocks:

        r = σ(p_r + q_r),  z = σ(p_z + q_z)
        n = tanh(p_n + r·q_n)           (r gates the hidden part of n only, as in PyTorch)
        h' = (1 − z)·n + z·h
    """

    saves = (1, 2)

    @staticmethod
    def forward(ctx, p, h, w, b):
        xp = get_array_module(p, h, w)
        k = h.shape[-1]
        q = _hidden_product(h, w, b)
        rz = p[:, :2 * k] + q[:, :2 * k]
        _sigmoid_(rz)
        r, z = rz[:, :k], rz[:, k:]
        qn = q[:, 2 * k:]
        ng = r * qn
        ng += p[:, 2 * k:]
        xp.tanh(ng, out=ng)
        y = h - ng                     # h' = n + z·(h − n)
        y *= z
        y += ng
        ctx.rz, ctx.n, ctx.qn, ctx.h, ctx.w, ctx.has_b = rz, ng, qn, h, w, b is not None
        return y

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        rz, ng, qn, h = ctx.rz, ctx.n, ctx.qn, ctx.h
        k = h.shape[-1]
        r, z = rz[:, :k], rz[:, k:]
        dp = xp.empty(rz.shape[:1] + (3 * k,), grad.dtype)   # dL/dp: gradient of the three pre-activations
        # dn = dh'·(1 − z), through tanh: dan = dn·(1 − n²)
        dan = ng * ng
        dan -= 1.0
        dan *= z - 1.0
        dan *= grad
        dp[:, 2 * k:] = dan
        # dr = dan·q_n, dz = dh'·(h − n), through σ: ·σ(1 − σ)
        drz = dp[:, :2 * k]
        xp.multiply(dan, qn, out=drz[:, :k])
        xp.subtract(h, ng, out=drz[:, k:])
        drz[:, k:] *= grad
        d = 1.0 - rz
        d *= rz
        drz *= d
        # dq = (dr_pre, dz_pre, dan·r): the hidden product's gradient
        need = ctx.needs_input_grad
        dq = dp.copy()
        dq[:, 2 * k:] *= r
        gh = None
        if need[1]:
            gh = dq @ ctx.w
            gh += grad * z             # h also feeds h' directly through z·h
        gw = dq.T @ h if need[2] else None
        gb = dq.sum(axis=0) if ctx.has_b and need[3] else None
        return (dp if need[0] else None), gh, gw, gb


# ---------------------------------------------------------------------------------------------------
# cell functions (as torch.rnn_tanh_cell, torch.lstm_cell, ...): input (B, in), state (B, H)
# ---------------------------------------------------------------------------------------------------
def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)."""
    return RNNTanhStep.apply(linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = relu(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)."""
    return RNNReluStep.apply(linear(input, w_ih, b_ih), hx, w_hh, b_hh)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step; hx = (h, c); returns (h', c')."""
    s = LSTMStep.apply(linear(input, w_ih, b_ih), stack(list(hx)), w_hh, b_hh)
    return s[0], s[1]


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step; returns h'."""
    return GRUStep.apply(linear(input, w_ih, b_ih), hx, w_hh, b_hh)
