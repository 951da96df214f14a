"""Self-attention from the packed projection in one node (ops/attention.py ``PackedSelfAttention``) against the
steps it replaces in MultiheadAttention (split, _split_heads, scaled_dot_product_attention, _merge_heads): values
and every gradient bit for bit with the kernels on, close to the kernels-off reference, and close to PyTorch."""
import numpy as np
import pytest

import glasstorch
from glasstorch import kernels
from glasstorch.ops import attention as attention_op
from kernel_calls import count_calls

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")


@pytest.fixture
def calls(monkeypatch):
    """Count the packed node's forwards and backwards."""
    return count_calls(monkeypatch, attention_op.PackedSelfAttention, "forward", "backward")


def _unpacked(monkeypatch):
    """MultiheadAttention's reference steps, with the kernels still on (the per-thread sdpa among them)."""
    monkeypatch.setattr(attention_op, "packs", lambda *a: False)


def _layer(E, H, batch_first, dtype, bias=True, dropout=0.0, seed=0):
    glasstorch.manual_seed(seed)
    layer = glasstorch.nn.MultiheadAttention(E, H, dropout=dropout, bias=bias, batch_first=batch_first,
                                             dtype=glasstorch.float64 if dtype == np.float64 else None)
    if bias:  # non-zero biases, so their gradients and the bias add are exercised
        with glasstorch.no_grad():
            layer.in_proj_bias.copy_(glasstorch.linspace(-1, 1, 3 * E))
            layer.out_proj.bias.copy_(glasstorch.linspace(1, -1, E))
    return layer


def _run(layer, x, grad, seed=None, **kw):
    """Output, dL/dx and every parameter's gradient."""
    xt = glasstorch.tensor(x, requires_grad=True)
    layer.zero_grad()
    if seed is not None:
        glasstorch.manual_seed(seed)
    out = layer(xt, xt, xt, need_weights=False, **kw)[0]
    out.backward(glasstorch.tensor(grad))
    return [out.detach().numpy(), xt.grad.numpy()] + [p.grad.numpy() for p in layer.parameters()]


def _both(monkeypatch, layer, x, grad, **kw):
    fast = _run(layer, x, grad, **kw)
    with monkeypatch.context() as m:
        _unpacked(m)
        reference = _run(layer, x, grad, **kw)
    return fast, reference


def _equal(got, want):
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def _inputs(rng, N, L, E, batch_first, dtype):
    shape = (N, L, E) if batch_first else (L, N, E)
    return rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("threads", [1, 2])
def test_vit_size_equals_reference_steps(dtype, batch_first, threads, calls, monkeypatch):
    """The tiny ViT's attention (64 sequences of 49 tokens, 64 wide, 4 heads): bit for bit, on 1 and 2 threads."""
    old = glasstorch.get_num_threads()
    glasstorch.set_num_threads(threads)
    try:
        x, g = _inputs(np.random.default_rng(0), 64, 49, 64, batch_first, dtype)
        fast, reference = _both(monkeypatch, _layer(64, 4, batch_first, dtype), x, g)
    finally:
        glasstorch.set_num_threads(old)
    assert calls == {"forward": 1, "backward": 1}
    _equal(fast, reference)


@pytest.mark.parametrize("N, L, E, H", [(2, 91, 24, 3), (3, 80, 20, 5), (7, 50, 16, 1), (5, 64, 12, 4)])
def test_odd_sizes_equal_reference_steps(N, L, E, H, calls, monkeypatch):
    """Odd sequence lengths, head widths and batch sizes that do not split evenly between the threads."""
    x, g = _inputs(np.random.default_rng(1), N, L, E, True, np.float32)
    fast, reference = _both(monkeypatch, _layer(E, H, True, np.float32), x, g)
    assert calls["backward"] == 1
    _equal(fast, reference)


def _masks(rng, N, L, H):
    causal = np.triu(np.ones((L, L), bool), 1)                   # True = may not attend (MultiheadAttention)
    padding = np.zeros((N, L), bool)
    padding[0, -5:] = padding[1, -1:] = True
    return {
        "bool attn_mask": dict(attn_mask=glasstorch.tensor(causal)),
        "float attn_mask": dict(attn_mask=glasstorch.tensor(rng.standard_normal((L, L)).astype(np.float32))),
        "3-D attn_mask": dict(attn_mask=glasstorch.tensor(rng.standard_normal((N * H, L, L)).astype(np.float32))),
        "key_padding_mask": dict(key_padding_mask=glasstorch.tensor(padding)),
        "both": dict(attn_mask=glasstorch.tensor(causal), key_padding_mask=glasstorch.tensor(padding)),
        "is_causal": dict(attn_mask=glasstorch.tensor(causal), is_causal=True),
    }


@pytest.mark.parametrize("which", ["bool attn_mask", "float attn_mask", "3-D attn_mask", "key_padding_mask",
                                   "both", "is_causal"])
def test_masks_equal_reference_steps(which, calls, monkeypatch):
    N, L, E, H = 4, 40, 16, 4
    rng = np.random.default_rng(2)
    x, g = _inputs(rng, N, L, E, True, np.float32)
    fast, reference = _both(monkeypatch, _layer(E, H, True, np.float32), x, g, **_masks(rng, N, L, H)[which])
    assert calls["backward"] == 1
    _equal(fast, reference)


def test_dropout_equals_reference_steps(calls, monkeypatch):
    """Training with dropout on the weights: the same mask is drawn at the same point (same seed), so bit for bit."""
    x, g = _inputs(np.random.default_rng(3), 8, 49, 32, True, np.float32)
    layer = _layer(32, 4, True, np.float32, dropout=0.3)
    fast, reference = _both(monkeypatch, layer, x, g, seed=11)
    assert calls["backward"] == 1
    _equal(fast, reference)
    assert not np.array_equal(fast[0], _run(layer.eval(), x, g)[0])   # the dropout really dropped


def test_no_bias_and_eval_no_grad(calls, monkeypatch):
    x, g = _inputs(np.random.default_rng(4), 6, 60, 32, False, np.float32)
    fast, reference = _both(monkeypatch, _layer(32, 2, False, np.float32, bias=False), x, g)
    _equal(fast, reference)
    layer = _layer(32, 2, False, np.float32).eval()
    with glasstorch.no_grad():
        out = layer(*(glasstorch.tensor(x),) * 3, need_weights=False)[0]
    assert calls["forward"] == 2 and calls["backward"] == 1   # the one with gradients, then the no_grad one
    with monkeypatch.context() as m:
        _unpacked(m)
        with glasstorch.no_grad():
            want = layer(*(glasstorch.tensor(x),) * 3, need_weights=False)[0]
    _equal([out.numpy()], [want.numpy()])


def test_close_to_kernels_off_reference(monkeypatch):
    """Against the plain NumPy steps (every kernel off): equal to rounding (the bias gradients sum in another order)."""
    x, g = _inputs(np.random.default_rng(5), 16, 49, 64, True, np.float64)
    layer = _layer(64, 4, True, np.float64)
    fast = _run(layer, x, g)
    with kernels.reference():
        reference = _run(layer, x, g)
    for a, b in zip(fast, reference):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("batch_first", [True, False])
def test_matches_pytorch_with_padding_mask(batch_first):
    """Against PyTorch's MultiheadAttention, forward and gradients, with a key_padding_mask, above the threshold."""
    import torch as real_torch
    N, L, E, H = 8, 49, 32, 4
    rng = np.random.default_rng(6)
    x, g = _inputs(rng, N, L, E, batch_first, np.float32)
    padding = np.zeros((N, L), bool)
    padding[:, -3:] = True
    real_torch.manual_seed(0)
    ref = real_torch.nn.MultiheadAttention(E, H, batch_first=batch_first)
    with real_torch.no_grad():
        ref.in_proj_bias.copy_(real_torch.linspace(-1, 1, 3 * E))
    ours = glasstorch.nn.MultiheadAttention(E, H, batch_first=batch_first)
    ours.load_state_dict({k: glasstorch.tensor(v.detach().numpy()) for k, v in ref.state_dict().items()})
    results = []
    for lib, layer in ((real_torch, ref), (glasstorch, ours)):
        xt = lib.tensor(x, requires_grad=True)
        out = layer(xt, xt, xt, key_padding_mask=lib.tensor(padding), need_weights=False)[0]
        out.backward(lib.tensor(g))
        results.append([out.detach().numpy(), xt.grad.numpy()] + [p.grad.numpy() for p in layer.parameters()])
    for a, b in zip(results[1], results[0]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_gradcheck_float64():
    """The numerical gradient of dL/dx in float64 on the packed path (4 sequences of 64, one head: just above the
    threshold)."""
    from glasstorch.autograd.gradcheck import gradcheck
    layer = _layer(4, 1, True, np.float64)
    x = glasstorch.tensor(np.random.default_rng(7).standard_normal((4, 64, 4)), requires_grad=True)
    assert attention_op.packs(x, 1, True, 0.0)
    assert gradcheck(lambda t: layer(t, t, t, need_weights=False)[0], (x,), eps=1e-6, atol=1e-6, rtol=1e-4)


def test_which_calls_take_it(calls):
    """The packed node only for self-attention with weights not wanted, big enough, kernels on, masks without
    gradients; everything else takes the reference steps."""
    rng = np.random.default_rng(8)
    layer = _layer(16, 4, True, np.float32)
    x = glasstorch.tensor(rng.standard_normal((4, 40, 16)).astype(np.float32), requires_grad=True)
    other = glasstorch.tensor(rng.standard_normal((4, 40, 16)).astype(np.float32))

    def taken(*qkv, **kw):
        before = calls["forward"]
        kw.setdefault("need_weights", False)
        out = layer(*qkv, **kw)[0]
        assert out.shape == qkv[0].shape
        return calls["forward"] - before

    assert taken(x, x, x) == 1
    assert taken(x, x, x, need_weights=True) == 0                               # the weights are computed
    assert taken(x, other, other) == 0                                           # not self-attention
    one, short = x[:1], x[:, :8]
    assert taken(one, one, one) == 0                                             # one sequence: nothing to share
    assert taken(short, short, short) == 0                                       # scores below the threshold
    mask = glasstorch.zeros(40, 40, requires_grad=True)
    assert taken(x, x, x, attn_mask=mask) == 0                                   # the mask wants a gradient
    with kernels.reference():
        assert taken(x, x, x) == 0                                               # the switch: kernels off
    assert glasstorch.nn.MultiheadAttention(16, 4, batch_first=True, add_bias_kv=True)(
        x, x, x, need_weights=False)[0].shape == (4, 40, 16) and calls["forward"] == 1


def test_graph_node_and_saved_version(calls):
    """The node is named in the graph, and changing its saved input in place is refused at backward."""
    layer = _layer(16, 4, True, np.float32)
    x = glasstorch.tensor(np.random.default_rng(9).standard_normal((4, 40, 16)).astype(np.float32),
                          requires_grad=True)
    y = glasstorch.nn.functional.linear(x, layer.in_proj_weight, layer.in_proj_bias)
    merged = attention_op.packed_self_attention(y, 4, True, None, 0.0, False)
    assert type(merged.grad_fn).__name__ == "PackedSelfAttention"
    with glasstorch.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        merged.sum().backward()
