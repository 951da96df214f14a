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
