"""scaled_dot_product_attention, attention_weights and nn.MultiheadAttention against PyTorch.

sdpa: values and gradients of query, key, value and of float masks over batch/head dims, L ≠ S, broadcast
batch dims, bool/float masks of broadcast shapes, is_causal, scale, fully masked rows, grouped-query heads,
dropout's statistics; float64 gradchecks. MultiheadAttention: both layouts, unbatched, self- and
cross-attention, kdim/vdim, masks of every kind (gradients of float masks included), need_weights,
average_attn_weights, bias, add_bias_kv, add_zero_attn, dropout; state_dict keys, init, reprs and errors.
"""
import math
import warnings

import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check, check_error, gradcheck
from twins import compare_forward_backward, same_repr, twins

SDPA = "scaled_dot_product_attention"


def sdpa(**kwargs):
    return lambda lib, q, k, v: getattr(lib.nn.functional, SDPA)(q, k, v, **kwargs)


def sdpa_mask(**kwargs):
    return lambda lib, q, k, v, m: getattr(lib.nn.functional, SDPA)(q, k, v, attn_mask=m, **kwargs)


def bool_mask(shape, seed=0):
    """A random bool mask (True = may attend) in which every row lets at least one key through."""
    m = np.random.default_rng(seed).random(shape) < 0.6
    m[..., 0] = True
    return m


# ---------------------------------------------------------------------------------------------------
# scaled_dot_product_attention
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shapes", [
    ((4, 8), (6, 8), (6, 8)),                          # no batch dims
    ((3, 4, 8), (3, 4, 8), (3, 4, 8)),                 # L = S
    ((2, 3, 5, 8), (2, 3, 7, 8), (2, 3, 7, 6)),        # batch and heads, L ≠ S, Ev ≠ E
    ((2, 3, 5, 4), (3, 6, 4), (1, 3, 6, 5)),           # batch dims that broadcast
], ids=str)
def test_sdpa_matches_pytorch(shapes):
    check(sdpa(), *shapes)


def test_sdpa_scale_and_float64():
    check(sdpa(scale=0.3), (2, 4, 8), (2, 5, 8), (2, 5, 8))
    check(sdpa(scale=2.0), (2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 8), dtype=np.float64)


def test_sdpa_float32_mask_with_float64_inputs():
    # PyTorch 2.13 takes a float32 mask with float64 q/k/v: the output is float64, the mask's gradient float32
    # (the reverse, a float64 mask with float32 inputs, is an error: see test_sdpa_errors)
    m = np.random.default_rng(3).standard_normal((4, 5)).astype(np.float32)
    check(sdpa_mask(), (2, 4, 8), (2, 5, 8), (2, 5, 8), m, dtype=np.float64)
    check(sdpa_mask(), (2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 8), m[None, None], dtype=np.float64)


@pytest.mark.parametrize("mask_shape", [(5, 7), (2, 1, 5, 7), (1, 7), (3, 1, 7)], ids=str)
def test_sdpa_bool_masks(mask_shape):
    check(sdpa_mask(), (2, 3, 5, 8), (2, 3, 7, 8), (2, 3, 7, 8), bool_mask(mask_shape))


@pytest.mark.parametrize("mask_shape", [(5, 7), (2, 3, 5, 7), (3, 1, 7), (1, 5, 1)], ids=str)
def test_sdpa_float_masks_get_gradients(mask_shape):
    check(sdpa_mask(), (2, 3, 5, 8), (2, 3, 7, 8), (2, 3, 7, 8), mask_shape)


def test_sdpa_float_mask_with_minus_inf():
    m = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)
    m[1, 2:] = -np.inf
    m[3, ::2] = -np.inf
    check(sdpa_mask(), (2, 4, 8), (2, 6, 8), (2, 6, 8), Const(m))


def test_fully_masked_rows_give_zeros_like_pytorch():
    m = bool_mask((5, 7))
    m[2] = False                                    # query 2 may attend to nothing
    out = check(sdpa_mask(), (2, 5, 8), (2, 7, 8), (2, 7, 8), m)
    assert not out.detach().numpy()[:, 2].any() and np.isfinite(out.detach().numpy()).all()
    f = np.zeros((5, 7), np.float32)
    f[4] = -np.inf
    check(sdpa_mask(), (2, 5, 8), (2, 7, 8), (2, 7, 8), Const(f))


@pytest.mark.parametrize("L,S", [(5, 5), (4, 7), (7, 4)])
def test_sdpa_is_causal(L, S):
    check(sdpa(is_causal=True), (2, 2, L, 8), (2, 2, S, 8), (2, 2, S, 8))
    # the same as an explicit lower-triangular boolean mask
    q, k, v = (glasstorch.randn(2, n, 4) for n in (L, S, S))
    tri = glasstorch.from_numpy(np.tril(np.ones((L, S), bool)))
    F = glasstorch.nn.functional
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, k, v, is_causal=True).numpy(),
                               F.scaled_dot_product_attention(q, k, v, attn_mask=tri).numpy(), rtol=1e-6)


def test_sdpa_grouped_query_heads():
    check(sdpa(enable_gqa=True), (2, 6, 4, 8), (2, 2, 5, 8), (2, 3, 5, 8))
    check(sdpa(enable_gqa=True), (4, 3, 8), (2, 5, 8), (2, 5, 8))
    check_error(sdpa(enable_gqa=True), (2, 4, 3, 8), (2, 3, 5, 8), (2, 3, 5, 8), exc=RuntimeError,
                match="must divide the number of heads")


def test_sdpa_gradcheck_float64():
    gradcheck(sdpa(), (2, 3, 4), (2, 5, 4), (2, 5, 3))
    gradcheck(sdpa(is_causal=True, scale=0.7), (2, 4, 3), (2, 4, 3), (2, 4, 2))
    gradcheck(sdpa_mask(), (2, 3, 4), (2, 5, 4), (5, 2), (1, 3, 5))       # the float mask's gradient too
    gradcheck(sdpa_mask(), (3, 4), (5, 4), (5, 2), bool_mask((3, 5)))
    gradcheck(lambda lib, q, k, m: lib.nn.functional.attention_weights(q, k, m), (2, 3, 4), (2, 5, 4), (3, 5))


def test_attention_weights_are_sdpa_weights():
    """attention_weights (a glasstorch extension) = softmax(Q Kᵀ · scale + mask), as PyTorch computes it."""
    def weights(lib, q, k, m):
        if lib is torch:
            return torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + m, dim=-1)
        return lib.nn.functional.attention_weights(q, k, m)
    p = check(weights, (2, 3, 5, 8), (2, 3, 7, 8), (5, 7))
    np.testing.assert_allclose(p.detach().numpy().sum(-1), 1.0, rtol=1e-6)
    q, k, v = glasstorch.randn(2, 4, 8), glasstorch.randn(2, 6, 8), glasstorch.randn(2, 6, 3)
    F = glasstorch.nn.functional
    p = F.attention_weights(q, k, is_causal=True)
    np.testing.assert_allclose((p @ v).numpy(), F.scaled_dot_product_attention(q, k, v, is_causal=True).numpy(),
                               rtol=1e-5, atol=1e-6)
    assert not np.triu(p.numpy()[0], 1).any()
    m = glasstorch.ones(4, 6, dtype=glasstorch.bool)
    m[1] = False
    assert (F.attention_weights(q, k, m).numpy()[:, 1] == 0).all()
    assert np.isnan(F.attention_weights(q, k, m, safe=False).numpy()[:, 1]).all()


def test_sdpa_dropout_statistics():
    """With Q = 0 every weight is 1/S; with V = I the output rows are the dropped, rescaled weights."""
    L, S, p = 64, 50, 0.3
    q = glasstorch.zeros(4, L, 8)
    k = glasstorch.randn(4, S, 8)
    v = glasstorch.eye(S).expand(4, S, S).contiguous().requires_grad_()
    out = glasstorch.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=p)
    o = out.detach().numpy()
    kept = o != 0
    assert abs(1 - kept.mean() - p) < 0.02                           # about p of the weights dropped
    np.testing.assert_allclose(o[kept], 1 / (S * (1 - p)), rtol=1e-5)  # the others scaled by 1/(1 − p)
    g = np.random.default_rng(0).standard_normal(o.shape).astype(np.float32)
    out.backward(glasstorch.from_numpy(g))
    np.testing.assert_allclose(v.grad.numpy(), np.swapaxes(o, -1, -2) @ g, rtol=1e-4, atol=1e-5)  # dV = P'ᵀ G
    # dropout_p = 0: deterministic, the plain result
    v2 = glasstorch.randn(4, S, 8)
    F = glasstorch.nn.functional
    a = F.scaled_dot_product_attention(q + 1, k, v2, dropout_p=0.0).numpy()
    b = F.scaled_dot_product_attention(q + 1, k, v2).numpy()
    np.testing.assert_array_equal(a, b)
    # dropout_p = 1 drops everything, as in PyTorch
    assert not F.scaled_dot_product_attention(q + 1, k, v2, dropout_p=1.0).numpy().any()


def test_sdpa_errors():
    check_error(sdpa(), (4,), (4,), (4,), exc=RuntimeError, match="at least 2 dimensional")
    check_error(sdpa(), (2, 4, 8), (2, 5, 7), (2, 5, 8), exc=RuntimeError, match=r"\[2, 5, 7\]")
    check_error(sdpa(), (2, 4, 8), (2, 5, 8), (2, 6, 8), exc=RuntimeError, match="sequence length")
    check_error(sdpa(), (2, 4, 8), (3, 5, 8), (3, 5, 8), exc=RuntimeError, match="broadcast")
    check_error(sdpa_mask(is_causal=True), (2, 4, 8), (2, 5, 8), (2, 5, 8), np.ones((4, 5), bool),
                exc=RuntimeError, match="is_causal")
    check_error(sdpa_mask(), (2, 4, 8), (2, 5, 8), (2, 5, 8), np.ones((4, 5), np.int64), exc=RuntimeError,
                match="attn_mask dtype")
    check_error(sdpa_mask(), (2, 4, 8), (2, 5, 8), (2, 5, 8), np.ones((4, 5), np.float64), exc=RuntimeError,
                match="attn_mask.dtype: double and  query.dtype: float")    # a float64 mask, float32 inputs
    check_error(sdpa_mask(), (2, 4, 8), (2, 5, 8), (2, 5, 8), np.ones((4, 5), np.float16), exc=RuntimeError,
                match="attn_mask.dtype: c10::Half", dtype=np.float64)       # only float32 or query's dtype
    check_error(sdpa_mask(), (2, 4, 8), (2, 5, 8), (2, 5, 8), np.ones((4, 4), bool), exc=RuntimeError,
                match=r"\[4, 4\]")
    check_error(sdpa_mask(), (2, 4, 8), (2, 5, 8), (2, 5, 8), (3, 2, 4, 5), exc=RuntimeError, match=r"\[3, 2, 4, 5\]")
    check_error(sdpa(dropout_p=1.5), (2, 4, 8), (2, 5, 8), (2, 5, 8), exc=RuntimeError, match="between 0 and 1")
    check_error(lambda lib, q, k, v: getattr(lib.nn.functional, SDPA)(q, k.double(), v), (2, 4, 8), (2, 5, 8),
                (2, 5, 8), exc=RuntimeError, match="same dtype")


# ---------------------------------------------------------------------------------------------------
# MultiheadAttention
# ---------------------------------------------------------------------------------------------------
def _pair(a, requires_grad):
    t, g = torch.from_numpy(a.copy()), glasstorch.from_numpy(a.copy())
    if requires_grad:
        t.requires_grad_()
        g.requires_grad_()
    return t, g


def run_mha(build, q_shape, k_shape=None, v_shape=None, masks=None, seed=0, tol=None, **kwargs):
    """Both modules (same weights) on the same query/key/value (key is value is query when no shapes are
    given; value is key when only k_shape is); compares outputs, weights, and the gradients of the inputs,
    of float masks and of every parameter after backpropagating random gradients through both outputs.
    masks: {"attn_mask" / "key_padding_mask": array}; float masks require grad."""
    tol = tol or dict(rtol=1e-4, atol=1e-5)
    t_mod, g_mod = twins(build)
    rng = np.random.default_rng(seed)
    ins = [_pair(rng.standard_normal(s).astype(np.float32), True) for s in (q_shape, k_shape, v_shape) if s]
    q = ins[0]
    k = ins[1] if k_shape else q
    v = ins[2] if v_shape else k
    mask_pairs = {name: _pair(a, a.dtype.kind == "f") for name, a in (masks or {}).items()}
    t_out, t_w = t_mod(q[0], k[0], v[0], **{n: p[0] for n, p in mask_pairs.items()}, **kwargs)
    g_out, g_w = g_mod(q[1], k[1], v[1], **{n: p[1] for n, p in mask_pairs.items()}, **kwargs)
    assert tuple(g_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(g_out.detach().numpy(), t_out.detach().numpy(), err_msg="output", **tol)
    assert (g_w is None) == (t_w is None)
    w = rng.standard_normal(t_out.shape).astype(np.float32)
    t_loss = (t_out * torch.from_numpy(w)).sum()
    g_loss = (g_out * glasstorch.from_numpy(w)).sum()
    if t_w is not None:
        assert tuple(g_w.shape) == tuple(t_w.shape)
        np.testing.assert_allclose(g_w.detach().numpy(), t_w.detach().numpy(), err_msg="weights", **tol)
        w = rng.standard_normal(t_w.shape).astype(np.float32)
        t_loss = t_loss + (t_w * torch.from_numpy(w)).sum()
        g_loss = g_loss + (g_w * glasstorch.from_numpy(w)).sum()
    t_loss.backward()
    g_loss.backward()
    for i, (t, g) in enumerate(ins + list(mask_pairs.values())):
        if t.requires_grad:
            np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), err_msg=f"input {i}", **tol)
    t_params, g_params = dict(t_mod.named_parameters()), dict(g_mod.named_parameters())
    assert list(g_params) == list(t_params)
    for name, t in t_params.items():
        np.testing.assert_allclose(g_params[name].grad.numpy(), t.grad.numpy(), err_msg=name, **tol)
    return t_out, g_out, t_w, g_w


def mha(*args, **kwargs):
    return lambda lib: lib.nn.MultiheadAttention(*args, **kwargs)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_self_attention(batch_first, need_weights):
    run_mha(mha(8, 2, batch_first=batch_first), (5, 3, 8), need_weights=need_weights)


@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_cross_attention(batch_first):
    L, S, N = (4, 6, 3)
    q, kv = ((N, L, 8), (N, S, 8)) if batch_first else ((L, N, 8), (S, N, 8))
    run_mha(mha(8, 4, batch_first=batch_first), q, kv)                     # key is value
    run_mha(mha(8, 4, batch_first=batch_first), q, kv, kv, need_weights=False)  # three distinct tensors


@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_unbatched(batch_first):
    run_mha(mha(6, 3, batch_first=batch_first), (5, 6))
    run_mha(mha(6, 3, batch_first=batch_first), (4, 6), (7, 6), masks={"key_padding_mask": bool_mask(7) == 0},
            need_weights=False)
    run_mha(mha(6, 3), (4, 6), (7, 6), masks={"attn_mask": np.random.default_rng(2).standard_normal((3, 4, 7))
                                              .astype(np.float32)})


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_kdim_vdim(need_weights):
    build = mha(8, 2, kdim=5, vdim=3)
    t, g = twins(build)
    assert g.in_proj_weight is None and tuple(g.k_proj_weight.shape) == (8, 5)
    assert list(g.state_dict()) == list(t.state_dict())
    run_mha(build, (4, 2, 8), (6, 2, 5), (6, 2, 3), need_weights=need_weights)
    run_mha(mha(8, 2, vdim=3, batch_first=True, bias=False), (2, 4, 8), (2, 6, 8), (2, 6, 3))


@pytest.mark.parametrize("kind", ["bool", "float"])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_key_padding_mask(kind, need_weights):
    pad = np.zeros((3, 6), bool)
    pad[0, 4:] = True
    pad[2, 1] = True
    mask = pad if kind == "bool" else np.where(pad, -np.inf, np.random.default_rng(1).standard_normal(pad.shape))
    mask = mask.astype(np.float32) if kind == "float" else mask
    run_mha(mha(8, 2, batch_first=True), (3, 4, 8), (3, 6, 8), masks={"key_padding_mask": mask},
            need_weights=need_weights)


@pytest.mark.parametrize("dims", [2, 3])
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_mha_attn_mask(dims, kind):
    shape = (4, 6) if dims == 2 else (3 * 2, 4, 6)
    mask = ~bool_mask(shape, seed=3) if kind == "bool" else np.random.default_rng(3).standard_normal(shape)
    mask = mask.astype(np.float32) if kind == "float" else mask
    for need_weights in (True, False):
        run_mha(mha(8, 2), (4, 3, 8), (6, 3, 8), masks={"attn_mask": mask}, need_weights=need_weights)


def test_mha_both_masks_and_causal():
    causal = np.triu(np.ones((5, 5), bool), 1)        # True = may not attend (MultiheadAttention's convention)
    pad = np.zeros((2, 5), bool)
    pad[1, 3:] = True
    run_mha(mha(8, 2, batch_first=True), (2, 5, 8), masks={"attn_mask": causal, "key_padding_mask": pad})
    for need_weights in (True, False):
        run_mha(mha(8, 2, batch_first=True), (2, 5, 8), masks={"attn_mask": causal}, is_causal=True,
                need_weights=need_weights)
    run_mha(mha(8, 2), (5, 2, 8), masks={"attn_mask": causal, "key_padding_mask": pad}, is_causal=True,
            need_weights=False)
    with warnings.catch_warnings():                     # mismatched mask types: PyTorch's deprecation warning
        warnings.simplefilter("ignore")
        run_mha(mha(8, 2), (5, 2, 8), masks={"attn_mask": np.where(causal, -1e9, 0).astype(np.float32),
                                             "key_padding_mask": pad})
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        glasstorch.nn.MultiheadAttention(8, 2)(*(3 * [glasstorch.randn(5, 2, 8)]),
                                               attn_mask=glasstorch.zeros(5, 5),
                                               key_padding_mask=glasstorch.from_numpy(pad))


def test_mha_fully_masked_query_like_pytorch():
    """As PyTorch: NaN when the weights are computed (need_weights=True), 0 through sdpa."""
    pad = np.zeros((2, 3), bool)
    pad[1] = True
    t, g = twins(mha(8, 2))
    x = np.random.default_rng(0).standard_normal((3, 2, 8)).astype(np.float32)
    for need_weights in (True, False):
        to, tw = t(*3 * [torch.from_numpy(x)], key_padding_mask=torch.from_numpy(pad), need_weights=need_weights)
        go, gw = g(*3 * [glasstorch.from_numpy(x)], key_padding_mask=glasstorch.from_numpy(pad),
                   need_weights=need_weights)
        np.testing.assert_allclose(go.detach().numpy(), to.detach().numpy(), rtol=1e-5, atol=1e-6, equal_nan=True)
        assert np.isnan(go.detach().numpy()[:, 1]).all() == need_weights
        if need_weights:
            np.testing.assert_allclose(gw.detach().numpy(), tw.detach().numpy(), rtol=1e-5, equal_nan=True)


@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_per_head_weights_and_no_bias(batch_first):
    _, _, t_w, g_w = run_mha(mha(8, 4, bias=False, batch_first=batch_first), (3, 5, 8),
                             average_attn_weights=False)
    assert tuple(g_w.shape) == ((3, 4, 5, 5) if batch_first else (5, 4, 3, 3))
    np.testing.assert_allclose(g_w.detach().numpy().sum(-1), 1.0, rtol=1e-5)
    run_mha(mha(8, 4), (4, 8), average_attn_weights=False)  # unbatched: (num_heads, L, S)


def test_mha_bias_kv_and_zero_attn():
    pad = np.zeros((2, 6), np.float32)
    pad[0, 5] = -np.inf
    mask = np.random.default_rng(4).standard_normal((4, 6)).astype(np.float32)
    for kwargs in (dict(add_bias_kv=True), dict(add_zero_attn=True), dict(add_bias_kv=True, add_zero_attn=True)):
        t, g = twins(mha(8, 2, **kwargs))
        assert list(dict(g.named_parameters())) == list(dict(t.named_parameters()))
        same_repr(t, g)
        for need_weights in (True, False):
            run_mha(mha(8, 2, **kwargs), (4, 2, 8), (6, 2, 8), masks={"attn_mask": mask, "key_padding_mask": pad},
                    need_weights=need_weights)
        run_mha(mha(8, 2, kdim=3, vdim=5, batch_first=True, **kwargs), (2, 4, 8), (2, 6, 3), (2, 6, 5))


def test_mha_eval_mode_and_no_grad_match_pytorch():
    """eval() under no_grad: PyTorch takes its fused fast path; the values are the same."""
    t, g = twins(mha(8, 2, dropout=0.5, batch_first=True))
    t.eval()
    g.eval()
    x = np.random.default_rng(0).standard_normal((3, 5, 8)).astype(np.float32)
    pad = np.zeros((3, 5), bool)
    pad[2, 3:] = True
    with torch.no_grad(), glasstorch.no_grad():
        for kwargs in ({}, dict(need_weights=False), dict(average_attn_weights=False)):
            to, tw = t(*3 * [torch.from_numpy(x)], key_padding_mask=torch.from_numpy(pad), **kwargs)
            go, gw = g(*3 * [glasstorch.from_numpy(x)], key_padding_mask=glasstorch.from_numpy(pad), **kwargs)
            np.testing.assert_allclose(go.numpy(), to.numpy(), rtol=1e-4, atol=1e-5)
            if tw is not None:
                np.testing.assert_allclose(gw.numpy(), tw.numpy(), rtol=1e-4, atol=1e-5)
            assert not go.requires_grad


def test_mha_dropout_in_training_only():
    glasstorch.manual_seed(0)
    m = glasstorch.nn.MultiheadAttention(8, 2, dropout=0.5)
    x = glasstorch.randn(6, 2, 8)
    _, w = m(x, x, x, average_attn_weights=False)
    w = w.detach().numpy()
    assert abs((w == 0).mean() - 0.5) < 0.1                      # about half the weights dropped ...
    np.testing.assert_allclose(w.sum(-1).mean(), 1.0, atol=0.2)  # ... the rest doubled: rows sum to 1 on average
    a = m(x, x, x, need_weights=False)[0].detach().numpy()
    b = m(x, x, x, need_weights=False)[0].detach().numpy()
    assert not np.allclose(a, b)                                  # fresh masks each call
    m.eval()
    _, w = m(x, x, x, average_attn_weights=False)
    np.testing.assert_allclose(w.detach().numpy().sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(m(x, x, x)[0].detach().numpy(), m(x, x, x)[0].detach().numpy())


def test_mha_float64_in_a_model():
    def build(lib):
        class SelfAttention(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.attn = lib.nn.MultiheadAttention(8, 2, batch_first=True, dtype=lib.float64)
                self.norm = lib.nn.LayerNorm(8, dtype=lib.float64)

            def forward(self, x):
                return self.norm(x + self.attn(x, x, x)[0])
        return SelfAttention()
    t, g = twins(build)
    assert g.attn.in_proj_weight.dtype == glasstorch.float64
    compare_forward_backward(t, g, (3, 5, 8), dtype=np.float64, tol=dict(rtol=1e-10, atol=1e-12))


def test_mha_parameters_state_dict_and_load():
    for kwargs in ({}, dict(bias=False), dict(kdim=3, vdim=5), dict(add_bias_kv=True)):
        t, g = twins(mha(8, 2, **kwargs))
        assert list(g.state_dict()) == list(t.state_dict())
        for (tn, tp), (gn, gp) in zip(t.named_parameters(), g.named_parameters()):
            assert tn == gn and tuple(tp.shape) == tuple(gp.shape)
    assert list(glasstorch.nn.MultiheadAttention(8, 2).state_dict()) == [
        "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    g = glasstorch.nn.MultiheadAttention(8, 2)
    assert type(g.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert isinstance(g.out_proj, glasstorch.nn.Linear)
    assert (g.head_dim, g.kdim, g.vdim, g._qkv_same_embed_dim, g.batch_first) == (4, 8, 8, True, False)
    assert g.bias_k is None and g.bias_v is None


def test_mha_init():
    glasstorch.manual_seed(0)
    m = glasstorch.nn.MultiheadAttention(64, 4)
    w = m.in_proj_weight.detach().numpy()
    bound = math.sqrt(6 / (64 + 3 * 64))  # xavier_uniform_ on (3E, E)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert not m.in_proj_bias.detach().numpy().any() and not m.out_proj.bias.detach().numpy().any()
    o = m.out_proj.weight.detach().numpy()
    assert np.abs(o).max() <= 1 / 8   # Linear's U(±1/√in_features)
    m = glasstorch.nn.MultiheadAttention(8, 2, kdim=4, add_bias_kv=True)
    assert m.q_proj_weight.detach().numpy().std() > 0 and m.bias_k.detach().numpy().any()


def test_mha_reprs():
    for kwargs in ({}, dict(bias=False), dict(kdim=3, vdim=5, batch_first=True, dropout=0.1)):
        same_repr(torch.nn.MultiheadAttention(8, 2, **kwargs), glasstorch.nn.MultiheadAttention(8, 2, **kwargs))


def _both_raise(exc, match, build, *shapes, **kwargs):
    """The torch and glasstorch modules both raise ``exc`` for these inputs (shapes, or arrays for masks)."""
    t, g = twins(build)
    for lib, mod in ((torch, t), (glasstorch, g)):
        args = [lib.from_numpy(np.ones(s, np.float32)) for s in shapes]
        kw = {k: lib.from_numpy(v) for k, v in kwargs.items() if isinstance(v, np.ndarray)}
        kw.update({k: v for k, v in kwargs.items() if not isinstance(v, np.ndarray)})
        with pytest.raises(exc, match=match if lib is glasstorch else None):
            mod(*args, **kw)


def test_mha_errors():
    with pytest.raises(AssertionError, match="divisible"):
        glasstorch.nn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="greater than 0"):
        glasstorch.nn.MultiheadAttention(0, 2)
    _both_raise(AssertionError, "expected `key` and `value` to be 3-D", mha(8, 2), (4, 2, 8), (4, 8), (4, 8))
    _both_raise(AssertionError, "query should be unbatched 2D or batched 3D", mha(8, 2), (8,), (8,), (8,))
    _both_raise(AssertionError, "expecting embedding dimension of 8, but got 6", mha(8, 2), (4, 2, 6), (4, 2, 6),
                (4, 2, 6))
    _both_raise(AssertionError, "does not match value shape", mha(8, 2), (4, 2, 8), (5, 2, 8), (6, 2, 8))
    _both_raise(RuntimeError, r"2D attn_mask .* should be \(4, 5\)", mha(8, 2), (4, 2, 8), (5, 2, 8), (5, 2, 8),
                attn_mask=np.zeros((4, 4), np.float32))
    _both_raise(RuntimeError, r"3D attn_mask .* should be \(4, 4, 5\)", mha(8, 2), (4, 2, 8), (5, 2, 8), (5, 2, 8),
                attn_mask=np.zeros((2, 4, 5), np.float32))
    _both_raise(AssertionError, r"key_padded_mask.shape\[1\] to be 5", mha(8, 2), (4, 2, 8), (5, 2, 8), (5, 2, 8),
                key_padding_mask=np.zeros((2, 4), bool))
    _both_raise(AssertionError, "only bool and floating types of attn_mask", mha(8, 2), (4, 2, 8), (4, 2, 8),
                (4, 2, 8), attn_mask=np.zeros((4, 4), np.int64))
    _both_raise(RuntimeError, "Need attn_mask if specifying the is_causal hint", mha(8, 2), (4, 2, 8), (4, 2, 8),
                (4, 2, 8), is_causal=True)
    _both_raise(AssertionError, r"Expected `attn_mask` shape to be \(2, 4, 5\)", mha(8, 2), (4, 8), (5, 8), (5, 8),
                attn_mask=np.zeros((3, 4, 5), np.float32))
