"""torch.lstm / torch.gru / torch.rnn_tanh / torch.rnn_relu (ATen's ``.input`` overloads: input, hx, params,
has_biases, num_layers, dropout, train, bidirectional, batch_first) against PyTorch, and against glasstorch's
own nn.LSTM & co. given their flat weights; float64 gradcheck."""
import numpy as np
import pytest

import glasstorch
from parity import check, gradcheck

I, H, B, T = 3, 4, 2, 5
GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}
CONFIGS = [(1, False, False, True), (2, True, True, True), (2, False, False, False), (1, True, False, False)]


def _param_shapes(gates, num_layers, bidirectional, bias):
    dirs = 2 if bidirectional else 1
    shapes = []
    for layer in range(num_layers):
        for _ in range(dirs):
            inp = I if layer == 0 else H * dirs
            shapes += [(gates * H, inp), (gates * H, H)] + ([(gates * H,), (gates * H,)] if bias else [])
    return shapes


def _call(fn, num_layers, bidirectional, batch_first, bias):
    def f(t, x, h, c, *params):
        hx = (h, c) if fn == "lstm" else h
        return getattr(t, fn)(x, hx, list(params), bias, num_layers, 0.0, False, bidirectional, batch_first)
    return f


@pytest.mark.parametrize("fn", list(GATES))
@pytest.mark.parametrize("config", CONFIGS, ids=[str(i) for i in range(len(CONFIGS))])
def test_matches_pytorch(fn, config):
    num_layers, bidirectional, batch_first, bias = config
    dirs = 2 if bidirectional else 1
    x = (B, T, I) if batch_first else (T, B, I)
    out = check(_call(fn, *config), x, (num_layers * dirs, B, H), (num_layers * dirs, B, H),
                *_param_shapes(GATES[fn], num_layers, bidirectional, bias))
    assert len(out) == (3 if fn == "lstm" else 2)


def test_float64_and_gradcheck():
    for fn in GATES:
        check(_call(fn, 2, True, False, True), (T, B, I), (4, B, H), (4, B, H),
              *_param_shapes(GATES[fn], 2, True, True), dtype=np.float64)
    gradcheck(_call("lstm", 1, True, False, True), (3, B, I), (2, B, H), (2, B, H),
              *_param_shapes(4, 1, True, True))
    gradcheck(_call("gru", 2, False, True, True), (B, 3, I), (2, B, H), (2, B, H), *_param_shapes(3, 2, False, True))


@pytest.mark.parametrize("name,fn", [("LSTM", "lstm"), ("GRU", "gru"), ("RNN", "rnn_tanh")])
def test_matches_own_module(name, fn):
    glasstorch.manual_seed(0)
    m = getattr(glasstorch.nn, name)(I, H, num_layers=2, bidirectional=True, batch_first=True)
    x = glasstorch.randn(B, T, I)
    h = glasstorch.randn(4, B, H)
    params = [getattr(m, n) for names in m._all_weights for n in names]
    if fn == "lstm":
        c = glasstorch.randn(4, B, H)
        want_out, (want_h, want_c) = m(x, (h, c))
        out, h_n, c_n = glasstorch.lstm(x, (h, c), params, True, 2, 0.0, False, True, True)
        np.testing.assert_allclose(c_n.detach().numpy(), want_c.detach().numpy(), rtol=1e-6, atol=1e-7)
    else:
        want_out, want_h = m(x, h)
        out, h_n = getattr(glasstorch, fn)(x, h, params, True, 2, 0.0, False, True, True)
    np.testing.assert_allclose(out.detach().numpy(), want_out.detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(h_n.detach().numpy(), want_h.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_wrong_number_of_params():
    x, h = glasstorch.randn(T, B, I), glasstorch.zeros(1, B, H)
    with pytest.raises(RuntimeError):
        glasstorch.gru(x, h, [glasstorch.randn(3 * H, I)], True, 1, 0.0, False, False, False)
