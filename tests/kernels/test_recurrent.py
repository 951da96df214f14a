"""The LSTM fast path (ops/recurrent.py ``LSTMLayer`` + kernels/recurrent.py) against its reference, the per-step
graph (``LSTMStep`` per step), and against PyTorch's nn.LSTM.

The step kernel does the reference's arithmetic in the same order: given the same inputs it equals
``LSTMStep.backward`` bit for bit. The whole layer sums the same terms in another order (one matrix product over
all steps where the reference adds per-step products; b_ih + b_hh summed over rows in another order), so layer
values and gradients agree to a relative 1e-5 (float32; measured ≤ 2e-7) and 1e-12 (float64; measured ≤ 5e-16),
relative to each array's largest magnitude.
"""
import numpy as np
import pytest

import glasstorch
from glasstorch import kernels
from glasstorch.ops import recurrent as rec

from parity import check

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")
TOL = {np.float32: 1e-5, np.float64: 1e-12}


def _close(u, v, dtype):
    scale = max(float(np.max(np.abs(v))), 1e-30)
    assert u.dtype == v.dtype and u.shape == v.shape
    assert float(np.max(np.abs(u.astype(np.float64) - v))) <= TOL[dtype] * scale


def _run(fast, dtype, batch_first=True, layers=2, bidirectional=False, hx=False, dropout=0.0, train=False,
         unbatched=False, shape=(3, 5), sizes=(4, 6)):
    batch, steps = shape
    inp, hid = sizes
    glasstorch.manual_seed(0)
    m = glasstorch.nn.LSTM(inp, hid, num_layers=layers, batch_first=batch_first, bidirectional=bidirectional,
                           dropout=dropout)
    if dtype == np.float64:
        m = m.double()
    m.train(train)
    rng = np.random.default_rng(1)
    xs = (steps, inp) if unbatched else (batch, steps, inp) if batch_first else (steps, batch, inp)
    x = glasstorch.tensor(rng.standard_normal(xs).astype(dtype), requires_grad=True)
    args, states = (), []
    if hx:
        hs = (layers * (2 if bidirectional else 1),) + (() if unbatched else (batch,)) + (hid,)
        states = [glasstorch.tensor(rng.standard_normal(hs).astype(dtype), requires_grad=True) for _ in range(2)]
        args = (tuple(states),)
    with (kernels.fast() if fast else kernels.reference()):
        glasstorch.manual_seed(5)                       # the same dropout masks on both paths
        out, (h, c) = m(x, *args)
        w = [glasstorch.tensor(rng.standard_normal(t.shape).astype(dtype)) for t in (out, h, c)]
        ((out * w[0]).sum() + (h * w[1]).sum() + (c * w[2]).sum()).backward()
    names = (out.grad_fn.name(), h.grad_fn.name(), c.grad_fn.name())
    res = [out.detach().numpy(), h.detach().numpy(), c.detach().numpy(), x.grad.numpy()]
    res += [p.grad.numpy() for p in m.parameters()] + [s.grad.numpy() for s in states]
    return res, names


CASES = [dict(batch_first=True), dict(batch_first=False), dict(layers=1), dict(layers=1, batch_first=False),
         dict(bidirectional=True), dict(bidirectional=True, batch_first=False, hx=True), dict(hx=True),
         dict(dropout=0.3, train=True), dict(dropout=0.3, train=False), dict(unbatched=True),
         dict(unbatched=True, hx=True, bidirectional=True), dict(shape=(1, 1)), dict(shape=(7, 3), sizes=(5, 9)),
         dict(shape=(64, 28), sizes=(28, 128), layers=2)]


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lstm_fast_path_equals_reference(case, dtype):
    fast, fast_names = _run(True, dtype, **CASES[case])
    ref, ref_names = _run(False, dtype, **CASES[case])
    assert fast_names == ref_names                      # the nodes a user sees are named as before
    assert len(fast) == len(ref)
    for u, v in zip(fast, ref):
        _close(u, v, dtype)


@pytest.mark.parametrize("threads", [1, 2])
def test_lstm_fast_path_threads(threads):
    old = glasstorch.get_num_threads()
    glasstorch.set_num_threads(threads)
    try:
        fast, _ = _run(True, np.float32, shape=(9, 4), sizes=(3, 10), bidirectional=True)
        ref, _ = _run(False, np.float32, shape=(9, 4), sizes=(3, 10), bidirectional=True)
    finally:
        glasstorch.set_num_threads(old)
    for u, v in zip(fast, ref):
        _close(u, v, np.float32)


def test_lstm_fast_path_is_one_node_per_layer():
    m = glasstorch.nn.LSTM(3, 4, num_layers=2, batch_first=True)
    with kernels.fast():
        out, _ = m(glasstorch.randn(2, 5, 3))
    layer = out.grad_fn.next_functions[0][0]
    assert out.grad_fn.name() == "SelectBackward0" and type(layer) is rec.LSTMLayer
    assert layer.name() == "MkldnnRnnLayerBackward0" and len(layer.next_functions) == 6   # PyTorch's node
    with kernels.reference():
        out, _ = m(glasstorch.randn(2, 5, 3))
    assert out.grad_fn.next_functions[0][0].name() == "StackBackward0"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_kernel_equals_lstm_step_backward_bitwise(dtype):
    from glasstorch.kernels import recurrent as K
    rng = np.random.default_rng(3)
    b, n = 5, 7
    p = glasstorch.tensor(rng.standard_normal((b, 4 * n)).astype(dtype), requires_grad=True)
    s = glasstorch.tensor(rng.standard_normal((2, b, n)).astype(dtype), requires_grad=True)
    w = glasstorch.tensor(rng.standard_normal((4 * n, n)).astype(dtype), requires_grad=True)
    out = rec.LSTMStep.apply(p, s, w, None)
    node = out.grad_fn
    gy = rng.standard_normal((2, b, n)).astype(dtype)
    carry = rng.standard_normal((2, b, n)).astype(dtype)
    gates, tc, c_prev = node.act.copy(), node.tc.copy(), node.s[1].copy()
    da_ref, gs_ref, _, _ = node.backward(node, gy + carry)      # the engine hands the step the sum
    da = np.empty_like(da_ref)
    dh, dc = carry[0].copy(), carry[1].copy()
    K.lstm_step_backward(gates, tc, c_prev, gy[0], gy[1], dh, dc, da, np.dtype(dtype).type(1.0))
    np.testing.assert_array_equal(da, da_ref)
    np.testing.assert_array_equal(dc, gs_ref[1])


def test_no_grad_and_retain_graph():
    m = glasstorch.nn.LSTM(3, 4, num_layers=2)
    x = glasstorch.randn(5, 2, 3, requires_grad=True)
    with kernels.fast():
        with glasstorch.no_grad():
            out, (h, c) = m(x)
        assert out.grad_fn is None and not h.requires_grad
        out, _ = m(x)
        out.sum().backward(retain_graph=True)
        g1 = x.grad.numpy().copy()
        out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * g1, rtol=1e-6)


def test_gradcheck_fast_path_float64():
    m = glasstorch.nn.LSTM(2, 3, num_layers=2, bidirectional=True, batch_first=True).double()
    x = glasstorch.randn(2, 3, 2, dtype=glasstorch.float64, requires_grad=True)
    h0 = glasstorch.randn(4, 2, 3, dtype=glasstorch.float64, requires_grad=True)
    c0 = glasstorch.randn(4, 2, 3, dtype=glasstorch.float64, requires_grad=True)
    params = list(m.parameters())

    def f(x, h0, c0, *ps):
        out, h, c = glasstorch.lstm(x, (h0, c0), list(ps), True, 2, 0.0, False, True, True)
        return out.sum() + (h * 0.5).sum() + (c * 0.3).sum()

    with kernels.fast():
        assert glasstorch.autograd.gradcheck(f, [x, h0, c0] + params, atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("batch_first,bidirectional,layers", [(True, False, 2), (False, True, 2), (True, True, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_path_matches_pytorch(batch_first, bidirectional, layers, dtype):
    inp, hid, batch, steps = 5, 6, 3, 4
    d = 2 if bidirectional else 1
    weights = []
    for layer in range(layers):
        for _ in range(d):
            i = inp if layer == 0 else hid * d
            weights += [(4 * hid, i), (4 * hid, hid), (4 * hid,), (4 * hid,)]
    xs = (batch, steps, inp) if batch_first else (steps, batch, inp)

    def f(lib, x, h0, c0, *ps):
        return lib.lstm(x, (h0, c0), list(ps), True, layers, 0.0, False, bidirectional, batch_first)

    with kernels.fast():
        check(f, xs, (layers * d, batch, hid), (layers * d, batch, hid), *weights, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_forward_kernels_equal_lstm_step_forward_bitwise(dtype):
    from glasstorch.kernels import recurrent as K
    rng = np.random.default_rng(4)
    b, n = 6, 5
    p = (3 * rng.standard_normal((b, 4 * n))).astype(dtype)
    p[0, :] = 200.0                                   # saturated gates: e^(−a) overflows to inf on both paths
    p[1, :] = -200.0
    s = rng.standard_normal((2, b, n)).astype(dtype)
    w = rng.standard_normal((4 * n, n)).astype(dtype)
    out = rec.LSTMStep.apply(glasstorch.tensor(p), glasstorch.tensor(s), glasstorch.tensor(w), None)
    ref_h, ref_c = out.numpy()
    a = p.copy()
    neg_k, k = rec._lstm_gate_constants(n, np.dtype(dtype), np)
    K.lstm_step_scale(a, s[0] @ w.T, neg_k)
    with np.errstate(over="ignore"):
        np.exp(a, out=a)
    c = np.empty((b, n), dtype)
    K.lstm_step_cell(a, k, s[1], c, np.dtype(dtype).type(1.0))
    np.testing.assert_array_equal(c, ref_c)
    np.testing.assert_array_equal(a[:, 3 * n:] * np.tanh(c), ref_h)
