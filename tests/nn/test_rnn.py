"""RNN, LSTM, GRU and their cells against PyTorch, with copied weights: outputs, final states and the gradients
of the input, the initial states and every parameter; layouts (layers, directions, batch_first, unbatched),
dropout between layers, state_dict keys, reprs, initialization, errors, float64 gradchecks of the step ops
and a small training run."""
import math
import warnings

import numpy as np
import pytest
import torch

import glasstorch
from glasstorch.ops import recurrent as rec
from parity import check_error, gradcheck
from twins import same_repr, to_glass, twins

TOL = dict(rtol=1e-4, atol=1e-5)
T, B, IN, H = 4, 3, 5, 4


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """PyTorch's threaded LSTM kernels take ~1 s for these tiny sizes on a busy 2-core machine, and ~20 ms
    with one thread; the thread count is restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)

MODES = {
    "rnn_tanh": lambda lib, **kw: lib.nn.RNN(IN, H, **kw),
    "rnn_relu": lambda lib, **kw: lib.nn.RNN(IN, H, nonlinearity="relu", **kw),
    "lstm": lambda lib, **kw: lib.nn.LSTM(IN, H, **kw),
    "gru": lambda lib, **kw: lib.nn.GRU(IN, H, **kw),
}


def _flat_states(hidden):
    return list(hidden) if isinstance(hidden, tuple) else [hidden]


def _np(t):
    return t.detach().numpy()


def _compare(t_model, g_model, x_shape, with_hx=False, seed=0, loss="all"):
    """Run both models on the same input (and initial states), backpropagate the same random weighting of
    the output and the final states, and compare values and the gradients of input, states and parameters.

    loss: "all" weights output and final states; "output" only the output; "final" only the final states."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(np.float32)
    t_in = [torch.from_numpy(x.copy()).requires_grad_()]
    g_in = [glasstorch.from_numpy(x.copy()).requires_grad_()]
    t_args, g_args = [t_in[0]], [g_in[0]]
    if with_hx:
        batched = len(x_shape) == 3
        directions = 2 if t_model.bidirectional else 1
        shape = (t_model.num_layers * directions,) + ((x_shape[0 if t_model.batch_first else 1],) if batched
                                                      else ()) + (t_model.hidden_size,)
        parts = 2 if isinstance(t_model, torch.nn.LSTM) else 1
        hs = [rng.standard_normal(shape).astype(np.float32) for _ in range(parts)]
        t_h = [torch.from_numpy(h.copy()).requires_grad_() for h in hs]
        g_h = [glasstorch.from_numpy(h.copy()).requires_grad_() for h in hs]
        t_in += t_h
        g_in += g_h
        t_args.append(tuple(t_h) if parts == 2 else t_h[0])
        g_args.append(tuple(g_h) if parts == 2 else g_h[0])
    t_out, t_hidden = t_model(*t_args)
    g_out, g_hidden = g_model(*g_args)
    t_res = [t_out] + _flat_states(t_hidden)
    g_res = [g_out] + _flat_states(g_hidden)
    assert isinstance(g_hidden, tuple) == isinstance(t_hidden, tuple)
    for i, (t, g) in enumerate(zip(t_res, g_res)):
        assert tuple(g.shape) == tuple(t.shape), f"result {i}: {tuple(g.shape)} != {tuple(t.shape)}"
        assert g.dtype == glasstorch.float32
        np.testing.assert_allclose(_np(g), _np(t), err_msg=f"result {i}", **TOL)
    use = {"all": range(len(t_res)), "output": [0], "final": range(1, len(t_res))}[loss]
    t_loss, g_loss = 0, 0
    for i in use:
        w = rng.standard_normal(tuple(t_res[i].shape)).astype(np.float32)
        t_loss = t_loss + (t_res[i] * torch.from_numpy(w)).sum()
        g_loss = g_loss + (g_res[i] * glasstorch.from_numpy(w.copy())).sum()
    t_loss.backward()
    g_loss.backward()
    for i, (t, g) in enumerate(zip(t_in, g_in)):
        assert g.grad is not None, f"no gradient reached input {i}"
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), err_msg=f"gradient of input {i}", **TOL)
    t_params, g_params = dict(t_model.named_parameters()), dict(g_model.named_parameters())
    assert list(g_params) == list(t_params)
    for name, t in t_params.items():
        assert g_params[name].grad is not None, f"no gradient reached {name}"
        np.testing.assert_allclose(g_params[name].grad.numpy(), t.grad.numpy(), err_msg=name, **TOL)
    return g_res


# ---------------------------------------------------------------------------------------------------
# layers: parity over the layouts
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_hx", [False, True])
def test_layer_matches_pytorch(mode, num_layers, bidirectional, batch_first, with_hx):
    t, g = twins(lambda lib: MODES[mode](lib, num_layers=num_layers, bidirectional=bidirectional,
                                         batch_first=batch_first))
    shape = (B, T, IN) if batch_first else (T, B, IN)
    _compare(t, g, shape, with_hx=with_hx)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("bidirectional", [False, True])
def test_layer_without_bias_matches_pytorch(mode, bidirectional):
    t, g = twins(lambda lib: MODES[mode](lib, num_layers=2, bias=False, bidirectional=bidirectional))
    assert "bias_ih_l0" not in dict(g.named_parameters())
    _compare(t, g, (T, B, IN), with_hx=True)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_hx", [False, True])
def test_unbatched_input_matches_pytorch(mode, batch_first, with_hx):
    t, g = twins(lambda lib: MODES[mode](lib, num_layers=2, bidirectional=True, batch_first=batch_first))
    out = _compare(t, g, (T, IN), with_hx=with_hx)
    assert tuple(out[0].shape) == (T, 2 * H)
    assert tuple(out[1].shape) == (4, H)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("loss", ["output", "final"])
def test_gradients_when_only_part_of_the_result_is_used(mode, loss):
    t, g = twins(lambda lib: MODES[mode](lib, num_layers=2, bidirectional=True))
    _compare(t, g, (T, B, IN), with_hx=True, loss=loss)


def test_only_last_time_step_used():
    """The usual classifier: loss on output[-1] only (most output gradients are zero)."""
    t, g = twins(lambda lib: lib.nn.LSTM(IN, H, num_layers=2, batch_first=True))
    x = np.random.default_rng(0).standard_normal((B, T, IN)).astype(np.float32)
    tx, gx = torch.from_numpy(x).requires_grad_(), to_glass(torch.from_numpy(x)).requires_grad_()
    t(tx)[0][:, -1].sum().backward()
    g(gx)[0][:, -1].sum().backward()
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), **TOL)
    for (name, tp), gp in zip(t.named_parameters(), g.parameters()):
        np.testing.assert_allclose(gp.grad.numpy(), tp.grad.numpy(), err_msg=name, **TOL)


def test_sequence_of_length_one_and_longer_sequence():
    t, g = twins(lambda lib: lib.nn.GRU(IN, H, num_layers=2, bidirectional=True))
    _compare(t, g, (1, B, IN), with_hx=True)
    _compare(t, g, (12, 2, IN), seed=3)


def test_float64_layer_matches_pytorch():
    t, g = twins(lambda lib: lib.nn.LSTM(IN, H, num_layers=2, bidirectional=True).double())
    x = np.random.default_rng(0).standard_normal((T, B, IN))
    t_out, (t_h, t_c) = t(torch.from_numpy(x))
    g_out, (g_h, g_c) = g(glasstorch.from_numpy(x.copy()))
    assert g_out.dtype == glasstorch.float64
    for gv, tv in ((g_out, t_out), (g_h, t_h), (g_c, t_c)):
        np.testing.assert_allclose(_np(gv), _np(tv), rtol=1e-10, atol=1e-12)


def test_no_grad_forward_builds_no_graph():
    g = glasstorch.nn.LSTM(IN, H, num_layers=2)
    with glasstorch.no_grad():
        out, (h, c) = g(glasstorch.randn(T, B, IN))
    assert not out.requires_grad and out.grad_fn is None and not h.requires_grad and not c.requires_grad


def test_backward_twice_with_retain_graph_doubles_the_gradients():
    """The step slices share one gradient array per sequence; a second pass must start from zeros."""
    g = glasstorch.nn.LSTM(IN, H, bidirectional=True)
    x = glasstorch.randn(T, B, IN, requires_grad=True)
    out, _ = g(x)
    loss = (out * out).sum()
    loss.backward(retain_graph=True)
    first = [x.grad.numpy().copy()] + [p.grad.numpy().copy() for p in g.parameters()]
    loss.backward()
    second = [x.grad.numpy()] + [p.grad.numpy() for p in g.parameters()]
    for a, b in zip(first, second):
        np.testing.assert_allclose(b, 2 * a, rtol=1e-5, atol=1e-6)


def test_autograd_grad_of_initial_state_matches_pytorch():
    t, g = twins(lambda lib: lib.nn.GRU(IN, H, num_layers=2))
    rng = np.random.default_rng(0)
    x, h0 = rng.standard_normal((T, B, IN)).astype(np.float32), rng.standard_normal((2, B, H)).astype(np.float32)
    th0 = torch.from_numpy(h0).requires_grad_()
    gh0 = glasstorch.from_numpy(h0.copy()).requires_grad_()
    (tg,) = torch.autograd.grad(t(torch.from_numpy(x), th0)[0].sum(), [th0])
    (gg,) = glasstorch.autograd.grad(g(glasstorch.from_numpy(x.copy()), gh0)[0].sum(), [gh0])
    np.testing.assert_allclose(gg.numpy(), tg.numpy(), **TOL)


# ---------------------------------------------------------------------------------------------------
# dropout between layers
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", list(MODES))
def test_dropout_layer_in_eval_mode_matches_pytorch(mode):
    t, g = twins(lambda lib: MODES[mode](lib, num_layers=3, dropout=0.5, bidirectional=True))
    t.eval()
    g.eval()
    _compare(t, g, (T, B, IN), with_hx=True)


@pytest.mark.parametrize("mode", list(MODES))
def test_dropout_one_in_training_matches_pytorch(mode):
    """p = 1 zeroes the first layer's output in both libraries: a deterministic check, gradients included,
    that dropout sits between the layers (the last layer still sees its biases and states)."""
    t, g = twins(lambda lib: MODES[mode](lib, num_layers=2, dropout=1.0))
    assert t.training and g.training
    _compare(t, g, (T, B, IN), with_hx=True)


def test_dropout_is_applied_between_layers_only_in_training():
    g = glasstorch.nn.LSTM(IN, H, num_layers=2, dropout=0.5)
    x = glasstorch.randn(T, B, IN)
    train_out = g(x)[0]
    train_again = g(x)[0]
    g.eval()
    eval_out = g(x)[0]
    assert not np.allclose(_np(train_out), _np(eval_out))
    assert not np.allclose(_np(train_out), _np(train_again))  # a fresh mask each call
    np.testing.assert_array_equal(_np(g(x)[0]), _np(eval_out))  # eval is deterministic


def test_dropout_zero_in_training_equals_eval():
    g = glasstorch.nn.GRU(IN, H, num_layers=3, dropout=0.0)
    x = glasstorch.randn(T, B, IN)
    train_out = g(x)[0]
    g.eval()
    np.testing.assert_array_equal(_np(train_out), _np(g(x)[0]))


def test_dropout_not_after_last_layer():
    """With one layer there is no 'between': dropout changes nothing (PyTorch warns about it)."""
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1, but got "
                                         "dropout=0.5 and num_layers=1"):
        g = glasstorch.nn.RNN(IN, H, dropout=0.5)
    x = glasstorch.randn(T, B, IN)
    train_out = g(x)[0]
    g.eval()
    np.testing.assert_array_equal(_np(train_out), _np(g(x)[0]))


# ---------------------------------------------------------------------------------------------------
# parameters, state_dict, repr, init
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("kwargs", [dict(), dict(num_layers=3, bidirectional=True), dict(num_layers=2, bias=False),
                                    dict(bidirectional=True, bias=False)], ids=str)
def test_parameters_and_state_dict_match_pytorch(mode, kwargs):
    t, g = MODES[mode](torch, **kwargs), MODES[mode](glasstorch, **kwargs)
    assert list(g.state_dict()) == list(t.state_dict())
    assert [(n, tuple(p.shape)) for n, p in g.named_parameters()] == \
           [(n, tuple(p.shape)) for n, p in t.named_parameters()]
    assert g._flat_weights_names == t._flat_weights_names
    assert [[tuple(p.shape) for p in ws] for ws in g.all_weights] == \
           [[tuple(p.shape) for p in ws] for ws in t.all_weights]
    g.flatten_parameters()  # a no-op


@pytest.mark.parametrize("build", [
    lambda lib: lib.nn.LSTM(10, 20, num_layers=2, batch_first=True),
    lambda lib: lib.nn.LSTM(10, 20),
    lambda lib: lib.nn.GRU(3, 4, bias=False, bidirectional=True),
    lambda lib: lib.nn.RNN(3, 4, num_layers=2, nonlinearity="relu", dropout=0.25, bidirectional=True),
    lambda lib: lib.nn.RNN(3, 4, 2, "tanh", False, True, 0.1),
    lambda lib: lib.nn.RNNCell(3, 4),
    lambda lib: lib.nn.RNNCell(3, 4, bias=False, nonlinearity="relu"),
    lambda lib: lib.nn.LSTMCell(3, 4),
    lambda lib: lib.nn.GRUCell(3, 4, bias=False),
    lambda lib: lib.nn.Sequential(lib.nn.LSTM(2, 3), lib.nn.GRU(3, 3)),
])
def test_repr_matches_pytorch(build):
    same_repr(build(torch), build(glasstorch))


@pytest.mark.parametrize("build", [
    lambda lib: lib.nn.LSTM(6, 16, num_layers=2, bidirectional=True),
    lambda lib: lib.nn.GRU(6, 9),
    lambda lib: lib.nn.RNN(6, 25),
    lambda lib: lib.nn.LSTMCell(6, 16),
    lambda lib: lib.nn.GRUCell(6, 9),
])
def test_init_is_uniform_in_plus_minus_one_over_sqrt_hidden(build):
    g = build(glasstorch)
    bound = 1 / math.sqrt(g.hidden_size)
    values = np.concatenate([p.detach().numpy().ravel() for p in g.parameters()])
    assert values.dtype == np.float32
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.9 * bound and abs(values.mean()) < 0.1 * bound
    assert np.std(values) == pytest.approx(bound / math.sqrt(3), rel=0.15)  # the std of U(−b, b)


def test_attributes_match_pytorch():
    t, g = torch.nn.LSTM(3, 4, 2, batch_first=True), glasstorch.nn.LSTM(3, 4, 2, batch_first=True)
    for name in ("mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                 "bidirectional", "proj_size"):
        assert getattr(g, name) == getattr(t, name), name
    assert isinstance(g.dropout, float)
    assert glasstorch.nn.RNN(3, 4, nonlinearity="relu").mode == "RNN_RELU"
    assert glasstorch.nn.RNN(3, 4).nonlinearity == "tanh"
    assert isinstance(g, glasstorch.nn.RNNBase) and isinstance(glasstorch.nn.GRUCell(2, 3), glasstorch.nn.RNNCellBase)


def test_model_with_lstm_trains_state_dict_round_trip():
    g = glasstorch.nn.LSTM(IN, H, num_layers=2, bidirectional=True)
    g2 = glasstorch.nn.LSTM(IN, H, num_layers=2, bidirectional=True)
    g2.load_state_dict(g.state_dict())
    x = glasstorch.randn(T, B, IN)
    np.testing.assert_array_equal(_np(g(x)[0]), _np(g2(x)[0]))


# ---------------------------------------------------------------------------------------------------
# cells
# ---------------------------------------------------------------------------------------------------
CELLS = {
    "rnn_tanh": lambda lib, **kw: lib.nn.RNNCell(IN, H, **kw),
    "rnn_relu": lambda lib, **kw: lib.nn.RNNCell(IN, H, nonlinearity="relu", **kw),
    "lstm": lambda lib, **kw: lib.nn.LSTMCell(IN, H, **kw),
    "gru": lambda lib, **kw: lib.nn.GRUCell(IN, H, **kw),
}


@pytest.mark.parametrize("mode", list(CELLS))
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_hx", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_cell_matches_pytorch(mode, batched, with_hx, bias):
    t, g = twins(lambda lib: CELLS[mode](lib, bias=bias))
    assert list(g.state_dict()) == list(t.state_dict())
    rng = np.random.default_rng(0)
    lead = (B,) if batched else ()
    x = rng.standard_normal(lead + (IN,)).astype(np.float32)
    t_in, g_in = [torch.from_numpy(x.copy()).requires_grad_()], [glasstorch.from_numpy(x.copy()).requires_grad_()]
    t_args, g_args = list(t_in), list(g_in)
    if with_hx:
        hs = [rng.standard_normal(lead + (H,)).astype(np.float32) for _ in range(2 if mode == "lstm" else 1)]
        t_h = [torch.from_numpy(h.copy()).requires_grad_() for h in hs]
        g_h = [glasstorch.from_numpy(h.copy()).requires_grad_() for h in hs]
        t_in, g_in = t_in + t_h, g_in + g_h
        t_args.append(tuple(t_h) if mode == "lstm" else t_h[0])
        g_args.append(tuple(g_h) if mode == "lstm" else g_h[0])
    t_res, g_res = _flat_states(t(*t_args)), _flat_states(g(*g_args))
    assert len(g_res) == len(t_res)
    t_loss, g_loss = 0, 0
    for tr, gr in zip(t_res, g_res):
        assert tuple(gr.shape) == tuple(tr.shape)
        np.testing.assert_allclose(_np(gr), _np(tr), **TOL)
        w = rng.standard_normal(tuple(tr.shape)).astype(np.float32)
        t_loss = t_loss + (tr * torch.from_numpy(w)).sum()
        g_loss = g_loss + (gr * glasstorch.from_numpy(w.copy())).sum()
    t_loss.backward()
    g_loss.backward()
    for i, (ti, gi) in enumerate(zip(t_in, g_in)):
        np.testing.assert_allclose(gi.grad.numpy(), ti.grad.numpy(), err_msg=f"input {i}", **TOL)
    for (name, tp), gp in zip(t.named_parameters(), g.parameters()):
        np.testing.assert_allclose(gp.grad.numpy(), tp.grad.numpy(), err_msg=name, **TOL)


def test_lstm_cell_unrolled_equals_lstm_layer():
    """An LSTMCell applied step by step gives the LSTM layer's output with the same weights."""
    layer = glasstorch.nn.LSTM(IN, H)
    cell = glasstorch.nn.LSTMCell(IN, H)
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    x = glasstorch.randn(T, B, IN)
    out, (h_n, c_n) = layer(x)
    h = c = None
    for t in range(T):
        h, c = cell(x[t], None if h is None else (h, c))
        np.testing.assert_allclose(_np(h), _np(out[t]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(c), _np(c_n[0]), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn,shapes,match", [
    (lambda lib, x: lib.nn.LSTM(10, 20)(x), [(5, 3, 7)],
     r"^input.size\(-1\) must be equal to input_size. Expected 10, got 7$"),
    (lambda lib, x: lib.nn.GRU(10, 20, batch_first=True)(x), [(3, 5, 7)], "Expected 10, got 7"),
    (lambda lib, x: lib.nn.RNN(10, 20)(x), [(5, 7)], "Expected 10, got 7"),
    (lambda lib, x, h: lib.nn.GRU(10, 20)(x, h), [(5, 3, 10), (2, 3, 20)],
     r"^Expected hidden size \(1, 3, 20\), got \[2, 3, 20\]$"),
    (lambda lib, x, h: lib.nn.RNN(10, 20, bidirectional=True)(x, h), [(5, 3, 10), (2, 4, 20)],
     r"Expected hidden size \(2, 3, 20\), got \[2, 4, 20\]"),
    (lambda lib, x, h, c: lib.nn.LSTM(10, 20)(x, (h, c)), [(5, 3, 10), (1, 3, 20), (1, 4, 20)],
     r"^Expected hidden\[1\] size \(1, 3, 20\), got \[1, 4, 20\]$"),
    (lambda lib, x, h, c: lib.nn.LSTM(10, 20)(x, (h, c)), [(5, 3, 10), (1, 3, 19), (1, 3, 20)],
     r"^Expected hidden\[0\] size"),
    (lambda lib, x, h, c: lib.nn.LSTM(10, 20)(x, (h, c)), [(5, 3, 10), (1, 3, 20), (3, 20)],
     r"^For batched 3-D input, hx and cx should also be 3-D but got \(3-D, 2-D\) tensors$"),
    (lambda lib, x, h: lib.nn.GRU(10, 20)(x, h), [(5, 10), (1, 3, 20)],
     r"^For unbatched 2-D input, hx should also be 2-D but got 3-D tensor$"),
    (lambda lib, x, h: lib.nn.RNN(10, 20)(x, h), [(5, 3, 10), (3, 20)],
     r"^For batched 3-D input, hx should also be 3-D but got 2-D tensor$"),
    (lambda lib, x: lib.nn.LSTM(10, 20)(x), [(0, 3, 10)], "^Expected sequence length to be larger than 0 in RNN$"),
    (lambda lib, x: lib.nn.GRU(10, 20)(x), [(5, 3, 10, 1)], r"^GRU: Expected input to be 2D or 3D, got 4D instead$"),
    (lambda lib, x: lib.nn.RNN(10, 20)(x), [(5,)], r"^RNN: Expected input to be 2D or 3D, got 1D tensor instead$"),
    (lambda lib, x: lib.nn.LSTM(10, 20)(x), [(5,)], r"^LSTM: Expected input to be 2D or 3D, got 1D instead$"),
    (lambda lib, x: lib.nn.LSTM(10, 20)(x.double()), [(5, 3, 10)], r"^RNN input dtype \(.*float64\) does not match"),
    (lambda lib, x: lib.nn.RNNCell(10, 20)(x), [(3, 7)], "^input has inconsistent input_size: got 7 expected 10$"),
    (lambda lib, x, h: lib.nn.GRUCell(10, 20)(x, h), [(3, 10), (4, 20)],
     "^Input batch size 3 doesn't match hidden0 batch size 4$"),
    (lambda lib, x, h: lib.nn.RNNCell(10, 20)(x, h), [(3, 10), (3, 21)],
     "^hidden0 has inconsistent hidden_size: got 21, expected 20$"),
    (lambda lib, x, h, c: lib.nn.LSTMCell(10, 20)(x, (h, c)), [(3, 10), (3, 20), (4, 20)],
     "^Input batch size 3 doesn't match hidden1 batch size 4$"),
    (lambda lib, x, h: lib.nn.GRUCell(10, 20)(x, h), [(3, 10), (3, 20, 1)],
     "^GRUCell: Expected hidden to be 1D or 2D, got 3D instead$"),
    (lambda lib, x, h, c: lib.nn.LSTMCell(10, 20)(x, (h, c)), [(3, 10), (3, 20), (1, 3, 20)],
     r"^LSTMCell: Expected hx\[1\] to be 1D or 2D, got 3D instead$"),
    (lambda lib, x: lib.nn.RNNCell(10, 20)(x), [(2, 3, 10)],
     "^RNNCell: Expected input to be 1D or 2D, got 3D instead$"),
    (lambda lib, x, h: lib.nn.GRUCell(10, 20)(x, h), [(10,), (3, 20)],
     "^hidden0 has inconsistent hidden_size: got 3, expected 20$"),
])
def test_bad_input_raises_like_pytorch(fn, shapes, match):
    check_error(fn, *shapes, match=match)


@pytest.mark.parametrize("build,match", [
    (lambda lib: lib.nn.RNN(3, 4, nonlinearity="sigmoid"), "^Unknown nonlinearity 'sigmoid'. Select from 'tanh'"),
    (lambda lib: lib.nn.LSTM(3, 4, dropout=1.5), "^dropout should be a number in range"),
    (lambda lib: lib.nn.GRU(3, 4, dropout=True), "^dropout should be a number in range"),
    (lambda lib: lib.nn.GRU(3, 0), "^hidden_size must be greater than zero$"),
    (lambda lib: lib.nn.GRU(0, 3), "^input_size must be greater than zero$"),
    (lambda lib: lib.nn.LSTM(3, 4, num_layers=0), "^num_layers must be greater than zero$"),
    (lambda lib: lib.nn.LSTM(3, 4, proj_size=4), "^proj_size has to be smaller than hidden_size$"),
    (lambda lib: lib.nn.LSTM(3, 4, proj_size=-1), "^proj_size should be a positive integer"),
    (lambda lib: lib.nn.LSTM(3.0, 4), "^input_size should be of type int, got: float$"),
    (lambda lib: lib.nn.LSTM(3, 4, bias=1), "^bias should be of type bool, got: int$"),
    (lambda lib: lib.nn.LSTM(3, 4, batch_first=None), "^batch_first should be of type bool, got: NoneType$"),
])
def test_bad_constructor_arguments_raise_like_pytorch(build, match):
    check_error(lambda lib: build(lib), match=match)


def test_proj_size_is_not_supported():
    with pytest.raises(NotImplementedError, match="proj_size"):
        glasstorch.nn.LSTM(10, 20, proj_size=5)


# ---------------------------------------------------------------------------------------------------
# float64 gradchecks of the step ops, chained through a short sequence
# ---------------------------------------------------------------------------------------------------
def _unroll(step, p, s0, w, b, time_dim=0, reverse=False):
    steps = rec.split_steps(p, time_dim)
    order = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
    s, outs = s0, []
    for t in order:
        s = step.apply(steps[t], s, w, b)
        outs.append(s)
    return glasstorch.stack(outs)


@pytest.mark.parametrize("step,gates", [(rec.RNNTanhStep, 1), (rec.RNNReluStep, 1), (rec.GRUStep, 3)],
                         ids=["rnn_tanh", "rnn_relu", "gru"])
@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck_step_through_three_steps(step, gates, bias):
    n, b = 3, 2
    shapes = [(3, b, gates * n), (b, n), (gates * n, n)] + ([(gates * n,)] if bias else [])
    gradcheck(lambda lib, p, h, w, *bb: _unroll(step, p, h, w, bb[0] if bb else None), *shapes)


@pytest.mark.parametrize("bias", [True, False])
def test_gradcheck_lstm_step_through_three_steps(bias):
    n, b = 3, 2
    shapes = [(3, b, 4 * n), (2, b, n), (4 * n, n)] + ([(4 * n,)] if bias else [])
    gradcheck(lambda lib, p, s, w, *bb: _unroll(rec.LSTMStep, p, s, w, bb[0] if bb else None), *shapes)


def test_gradcheck_steps_batch_first_and_reversed():
    shapes = [(2, 3, 8), (2, 2, 2), (8, 2), (8,)]  # p (B, T, 4H): steps read along dim 1
    gradcheck(lambda lib, p, s, w, b: _unroll(rec.LSTMStep, p, s, w, b, time_dim=1, reverse=True), *shapes)


def test_gradcheck_saturated_gates():
    """Large pre-activations (σ and tanh near 0 and 1, e^(−a) overflowing to inf) still give exact values."""
    p = glasstorch.full((1, 2, 8), 200.0, dtype=glasstorch.float64)
    p[0, 0] = -200.0
    s = glasstorch.zeros(2, 2, 2, dtype=glasstorch.float64)
    w = glasstorch.zeros(8, 2, dtype=glasstorch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = _unroll(rec.LSTMStep, p, s, w, None)
    assert np.isfinite(out.numpy()).all()
    np.testing.assert_allclose(out.numpy()[0, 1], [[0.0, 0.0], [1.0, 1.0]], atol=1e-12)  # c = i·g
    np.testing.assert_allclose(out.numpy()[0, 0], [[0.0, 0.0], [math.tanh(1.0)] * 2], atol=1e-12)


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh"])
def test_gradcheck_whole_layer_float64(mode):
    g = MODES[mode](glasstorch, num_layers=2, bidirectional=True, batch_first=True).double()
    g.eval()
    n = 2 * 2
    if mode == "lstm":
        fn = lambda lib, x, h, c: g(x, (h, c))[0]  # noqa: E731
        shapes = [(2, 3, IN), (n, 2, H), (n, 2, H)]
    else:
        fn = lambda lib, x, h: g(x, h)[0]  # noqa: E731
        shapes = [(2, 3, IN), (n, 2, H)]
    gradcheck(fn, *shapes)


# ---------------------------------------------------------------------------------------------------
# training sanity
# ---------------------------------------------------------------------------------------------------
def test_lstm_learns_to_recall_the_first_element():
    """Output the first element of a sequence of 6 numbers, read after the last one: the state must carry it."""
    glasstorch.manual_seed(0)
    rng = np.random.default_rng(0)
    lstm, head = glasstorch.nn.LSTM(1, 12, batch_first=True), glasstorch.nn.Linear(12, 1)
    opt = glasstorch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=0.03)
    losses = []
    for step in range(250):
        x = rng.uniform(-1, 1, (32, 6, 1)).astype(np.float32)
        out, _ = lstm(glasstorch.from_numpy(x))
        loss = ((head(out[:, -1]) - glasstorch.from_numpy(x[:, 0])) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[:10]) > 0.2
    assert np.mean(losses[-10:]) < 0.01
