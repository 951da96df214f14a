"""Round 3: CrossMapLRN2d, multi_head_attention_forward, conv_tbc, native_channel_shuffle against PyTorch."""
import numpy as np
import pytest
import torch

import glasstorch
from tests.parity import check, check_error, gradcheck
from tests.nn.twins import same_repr, twins


@pytest.mark.parametrize("size,channels", [(3, 6), (5, 7), (2, 4), (4, 3)])
def test_cross_map_lrn2d(size, channels):
    check(lambda t, x: t.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.75, k=1.5)(x), (2, channels, 3, 3))
    same_repr(torch.nn.CrossMapLRN2d(size), glasstorch.nn.CrossMapLRN2d(size))


def test_cross_map_lrn2d_error():
    check_error(lambda t, x: t.nn.CrossMapLRN2d(3)(x), (2, 3, 4), exc=ValueError)


def _mha_call(lib, m, q, k, v, **kw):
    sep = not m._qkv_same_embed_dim
    return lib.nn.functional.multi_head_attention_forward(
        q, k, v, m.embed_dim, m.num_heads, m.in_proj_weight, m.in_proj_bias, m.bias_k, m.bias_v, m.add_zero_attn,
        0.0, m.out_proj.weight, m.out_proj.bias, training=False, use_separate_proj_weight=sep,
        q_proj_weight=m.q_proj_weight, k_proj_weight=m.k_proj_weight, v_proj_weight=m.v_proj_weight, **kw)


@pytest.mark.parametrize("mkw", [dict(), dict(add_bias_kv=True, add_zero_attn=True), dict(kdim=3, vdim=5, bias=False)])
@pytest.mark.parametrize("ckw", [dict(), dict(need_weights=False), dict(average_attn_weights=False)])
def test_multi_head_attention_forward(mkw, ckw):
    t_m, g_m = twins(lambda lib: lib.nn.MultiheadAttention(8, 2, **mkw))
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((4, 2, 8)), rng.standard_normal((5, 2, mkw.get("kdim", 8))),
              rng.standard_normal((5, 2, mkw.get("vdim", 8)))]
    outs, grads = [], []
    for lib, m in ((torch, t_m), (glasstorch, g_m)):
        q, k, v = (lib.from_numpy(a.astype(np.float32)).requires_grad_() for a in arrays)
        out, w = _mha_call(lib, m, q, k, v, **ckw)
        out.sum().backward()
        outs.append((out.detach().numpy(), None if w is None else w.detach().numpy()))
        grads.append([t.grad.numpy() for t in (q, k, v)])
    np.testing.assert_allclose(outs[1][0], outs[0][0], rtol=1e-4, atol=1e-5)
    if outs[0][1] is None:
        assert outs[1][1] is None
    else:
        np.testing.assert_allclose(outs[1][1], outs[0][1], rtol=1e-4, atol=1e-5)
    for a, b in zip(grads[1], grads[0]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_multi_head_attention_forward_mask_and_errors():
    t_m, g_m = twins(lambda lib: lib.nn.MultiheadAttention(8, 2))
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 2, 8)).astype(np.float32)
    pad = np.array([[False, False, True, False], [False, True, False, False]])
    res = [_mha_call(lib, m, lib.from_numpy(x), lib.from_numpy(x), lib.from_numpy(x),
                     key_padding_mask=lib.from_numpy(pad))[0].detach().numpy()
           for lib, m in ((torch, t_m), (glasstorch, g_m))]
    np.testing.assert_allclose(res[1], res[0], rtol=1e-4, atol=1e-5)
    with pytest.raises(AssertionError):
        glasstorch.nn.functional.multi_head_attention_forward(
            glasstorch.from_numpy(x), glasstorch.from_numpy(x), glasstorch.from_numpy(x), 8, 3, g_m.in_proj_weight,
            g_m.in_proj_bias, None, None, False, 0.0, g_m.out_proj.weight, g_m.out_proj.bias)


@pytest.mark.parametrize("pad", [0, 1, 2])
def test_conv_tbc(pad):
    check(lambda t, x, w, b: t.nn.functional.conv_tbc(x, w, b, pad), (7, 2, 3), (3, 3, 4), (4,))
    check(lambda t, x, w, b: t.conv_tbc(x, w, b, pad) if t is torch else t.nn.functional.conv_tbc(x, w, b, pad),
          (5, 1, 2), (2, 2, 3), (3,))


def test_conv_tbc_gradcheck_and_errors():
    gradcheck(lambda t, x, w, b: t.nn.functional.conv_tbc(x, w, b, 1), (5, 2, 3), (3, 3, 2), (2,))
    check_error(lambda t, x, w, b: t.nn.functional.conv_tbc(x, w, b), (5, 2, 3), (3, 2, 2), (2,))
    check_error(lambda t, x, w, b: t.nn.functional.conv_tbc(x, w, b), (5, 2, 3), (3, 3, 2), (3,))
    check_error(lambda t, x, w, b: t.nn.functional.conv_tbc(x, w, b), (5, 3), (3, 3, 2), (2,))


def test_native_channel_shuffle():
    # PyTorch has no derivative for it; glasstorch's is channel_shuffle's
    check(lambda t, x: t.nn.functional.native_channel_shuffle(x, 3), (2, 6, 2, 2), grad=False)
