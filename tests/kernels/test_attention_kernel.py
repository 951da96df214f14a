"""The attention softmax kernels (glasstorch/kernels/attention.py, kernels/rows.py) against ops/attention.py's
NumPy reference: forward values and gradients bit for bit (the products are the same BLAS calls on both paths;
the softmax's sums run in NumPy's pairwise order, its exp is NumPy's)."""
import types

import numpy as np
import pytest

import glasstorch
import glasstorch.nn.functional as F
from glasstorch import kernels
from kernel_calls import count_calls
from glasstorch.ops import attention as attention_op

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")


@pytest.fixture
def every_size(monkeypatch):
    """Let every size take the kernels (their threshold would send the small cases to the reference)."""
    monkeypatch.setattr(attention_op, "_KERNEL_MIN", 0)


@pytest.fixture
def calls(monkeypatch):
    """Count the kernel calls, to see that a fast path really ran: the softmax's row passes alone (``rows``), or
    the whole attention a share of the batch per thread (``whole``: q, k, v of one batch shape, first dim ≥ 2)."""
    from glasstorch.kernels import attention as k
    return types.SimpleNamespace(rows=count_calls(monkeypatch, k, "softmax_rows", "softmax_backward_rows"),
                                 whole=count_calls(monkeypatch, k, "attention_forward", "attention_backward"))


def _either(calls, key):
    """Calls of either fast path."""
    return calls.rows[key] + calls.whole[key]


def _threads(n):
    old = glasstorch.get_num_threads()
    glasstorch.set_num_threads(n)
    return old


def _sdpa(arrays, fast, mask=None, mask_grad=False, seed=None, **kw):
    """Output and gradients of q, k, v (and a float mask) under the kernels (fast) or the reference."""
    ts = [glasstorch.tensor(a, requires_grad=True) for a in arrays[:3]]
    m = None
    if mask is not None:
        m = glasstorch.tensor(mask, requires_grad=mask_grad)
    with (kernels.fast() if fast else kernels.reference()):
        if seed is not None:
            glasstorch.manual_seed(seed)
        out = F.scaled_dot_product_attention(*ts, attn_mask=m, **kw)
        out.backward(glasstorch.tensor(arrays[3]))
    grads = [t.grad.numpy() for t in ts]
    if mask_grad:
        grads.append(m.grad.numpy())
    return [out.detach().numpy()] + grads


def _inputs(rng, batch, L, S, E, F_, dtype):
    return [rng.standard_normal(batch + (L, E)).astype(dtype), rng.standard_normal(batch + (S, E)).astype(dtype),
            rng.standard_normal(batch + (S, F_)).astype(dtype), rng.standard_normal(batch + (L, F_)).astype(dtype)]


def _equal(got, want):
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("threads", [1, 2])
def test_vit_heads_equal_reference(dtype, threads, calls):
    """The tiny ViT's attention (64 images, 4 heads, 49 patches, head size 16), heads as strided views of one
    (N, L, 3E) projection, as MultiheadAttention makes them; at the model's size (the default threshold)."""
    rng = np.random.default_rng(0)
    qkv = rng.standard_normal((64, 49, 192)).astype(dtype)
    g = rng.standard_normal((64, 49, 64)).astype(dtype)
    old = _threads(threads)
    try:
        res = []
        for fast in (True, False):
            t = glasstorch.tensor(qkv, requires_grad=True)
            with (kernels.fast() if fast else kernels.reference()):
                q, k, v = (a.reshape(64, 49, 4, 16).permute(0, 2, 1, 3) for a in t.split(64, -1))
                o = F.scaled_dot_product_attention(q, k, v).permute(0, 2, 1, 3).reshape(64, 49, 64)
                o.backward(glasstorch.tensor(g))
            res.append((o.detach().numpy(), t.grad.numpy()))
    finally:
        glasstorch.set_num_threads(old)
    assert calls.whole == {"forward": 1, "backward": 1}     # the model's heads take the whole-attention path
    _equal(res[0], res[1])


@pytest.mark.parametrize("shape", [((2, 3), 5, 7, 4, 3), ((1,), 1, 1, 8, 8), ((3,), 33, 17, 5, 6),
                                   ((), 130, 129, 3, 2)])   # (batch, L, S, E, F)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("threads", [1, 2])
def test_odd_sizes_equal_reference(shape, dtype, threads, every_size, calls):
    batch, L, S, E, F_ = shape
    arrays = _inputs(np.random.default_rng(1), batch, L, S, E, F_, dtype)
    old = _threads(threads)
    try:
        fast, ref = _sdpa(arrays, True), _sdpa(arrays, False)
    finally:
        glasstorch.set_num_threads(old)
    assert _either(calls, "forward") == 1 and _either(calls, "backward") == 1
    if S <= 128:
        _equal(fast, ref)
    else:   # rows longer than 128: the kernel's sums are no longer NumPy's pairwise order (kernels/rows.py)
        for g, w in zip(fast, ref):
            np.testing.assert_allclose(g, w, rtol=3e-5 if dtype == np.float32 else 1e-13, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_masks_equal_reference(dtype, every_size, calls):
    rng = np.random.default_rng(2)
    arrays = _inputs(rng, (2, 3), 6, 9, 4, 5, dtype)
    allowed = rng.random((6, 9)) > 0.3
    allowed[2] = False                                           # a query that may attend to nothing: 0, not NaN
    _equal(_sdpa(arrays, True, mask=allowed), _sdpa(arrays, False, mask=allowed))
    bias = rng.standard_normal((3, 6, 9)).astype(dtype)          # a float mask, broadcast over the batch, with grad
    _equal(_sdpa(arrays, True, mask=bias, mask_grad=True), _sdpa(arrays, False, mask=bias, mask_grad=True))
    _equal(_sdpa(arrays, True, is_causal=True), _sdpa(arrays, False, is_causal=True))
    _equal(_sdpa(arrays, True, dropout_p=0.3, seed=5), _sdpa(arrays, False, dropout_p=0.3, seed=5))
    assert _either(calls, "forward") == 4 and _either(calls, "backward") == 4


def test_special_values_and_unsafe_weights(every_size):
    """NaN and inf scores give NaN rows on both paths; attention_weights(safe=False) gives NaN for a query with
    no key left, as PyTorch's MultiheadAttention does, on both paths."""
    rng = np.random.default_rng(3)
    arrays = _inputs(rng, (2,), 5, 8, 4, 3, np.float32)
    arrays[0][0, 1, 2] = np.nan
    arrays[1][1, 3, 0] = np.inf
    _equal(_sdpa(arrays, True), _sdpa(arrays, False))
    allowed = np.ones((5, 8), bool)
    allowed[4] = False
    res = []
    gw = rng.standard_normal((2, 5, 8)).astype(np.float32)
    for fast in (True, False):
        q = glasstorch.tensor(arrays[0], requires_grad=True)
        k = glasstorch.tensor(arrays[1], requires_grad=True)
        with (kernels.fast() if fast else kernels.reference()):
            w = attention_op.attention_weights(q, k, attn_mask=glasstorch.tensor(allowed), safe=False)
            w.backward(glasstorch.tensor(gw))
        res.append((w.detach().numpy(), q.grad.numpy(), k.grad.numpy()))
    assert np.isnan(res[0][0][:, 4]).all()
    _equal(res[0], res[1])


def test_row_reductions_equal_numpy():
    """kernels/rows.py: row_sum and row_dot add in NumPy's pairwise order (bit for bit up to 128 per row), row_max
    is NumPy's max (NaN-free rows)."""
    import numba
    from glasstorch.kernels.rows import row_dot, row_max, row_sum

    @numba.njit
    def reduce_rows(a, s, d, m):
        m16 = np.empty(16, a.dtype)
        zero = a.dtype.type(0)
        for i in range(a.shape[0]):
            s[i] = row_sum(a[i], zero)
            d[i] = row_dot(a[i], a[i], zero)
            m[i] = row_max(a[i], -np.inf, m16)

    rng = np.random.default_rng(4)
    for dtype in (np.float32, np.float64):
        for n in (1, 7, 8, 9, 16, 49, 64, 100, 128, 129, 500):
            a = (rng.standard_normal((20, n)) * 100).astype(dtype)
            s, d, m = (np.empty(20, dtype) for _ in range(3))
            reduce_rows(a, s, d, m)
            np.testing.assert_array_equal(m, a.max(axis=1))
            if n <= 128:
                np.testing.assert_array_equal(s, a.sum(axis=1))
                np.testing.assert_array_equal(d, (a * a).sum(axis=1))
            else:
                np.testing.assert_allclose(s, a.sum(axis=1), rtol=1e-4, atol=1e-3 * n)
                np.testing.assert_allclose(d, (a * a).sum(axis=1), rtol=1e-5)


def test_fast_path_matches_pytorch():
    """MultiheadAttention of the tiny ViT's size on the fast path against PyTorch's."""
    from parity import check
    x = np.random.default_rng(5).standard_normal((64, 49, 64)).astype(np.float32)

    # the two libraries draw different initial weights from one seed: give both the same
    import torch as real_torch
    real_torch.manual_seed(0)
    ref = real_torch.nn.MultiheadAttention(64, 4, batch_first=True)
    w_in, w_out = ref.in_proj_weight.detach().numpy(), ref.out_proj.weight.detach().numpy()

    def same_weights(torch, x):
        layer = torch.nn.MultiheadAttention(64, 4, batch_first=True)
        with torch.no_grad():
            layer.in_proj_weight.copy_(torch.tensor(w_in))
            layer.out_proj.weight.copy_(torch.tensor(w_out))
            layer.in_proj_bias.copy_(torch.linspace(-1, 1, 192))
        return layer(x, x, x, need_weights=False)[0]
    with kernels.fast():
        check(same_weights, x, rtol=1e-4, atol=1e-5)


def test_which_path_runs(every_size, calls):
    """The whole-attention path takes q, k, v of one batch shape with a first dim ≥ 2 and no mask gradient wanted;
    everything else keeps the row passes alone."""
    rng = np.random.default_rng(4)
    cases = [((2, 3), {}, "whole"), ((5,), {"is_causal": True}, "whole"), ((1, 4), {}, "rows"), ((), {}, "rows"),
             ((2, 3), {"mask": rng.random((6, 9)) > 0.3}, "whole"),
             ((2, 3), {"mask": rng.standard_normal((6, 9)).astype(np.float32), "mask_grad": True}, "rows")]
    for batch, kw, path in cases:
        before = dict(getattr(calls, path))
        arrays = _inputs(rng, batch, 6, 9, 4, 5, np.float32)
        _equal(_sdpa(arrays, True, **kw), _sdpa(arrays, False, **kw))
        assert getattr(calls, path)["forward"] == before["forward"] + 1, (batch, kw)
    k_batch = _inputs(rng, (2, 3), 6, 9, 4, 5, np.float32)
    k_batch[1] = k_batch[1][:, :1]                               # keys broadcast over the heads: the row passes
    before = dict(calls.rows)
    _equal(_sdpa(k_batch, True), _sdpa(k_batch, False))
    assert calls.rows["forward"] == before["forward"] + 1


@pytest.mark.parametrize("wanted", [(True, False, False), (False, False, True), (False, True, True)])
def test_whole_path_some_gradients(wanted, every_size, calls):
    """Only the gradients asked for (the others stay None), equal to the reference's."""
    rng = np.random.default_rng(5)
    arrays = _inputs(rng, (4, 2), 7, 11, 3, 5, np.float32)
    res = []
    for fast in (True, False):
        ts = [glasstorch.tensor(a, requires_grad=w) for a, w in zip(arrays[:3], wanted)]
        with (kernels.fast() if fast else kernels.reference()):
            F.scaled_dot_product_attention(*ts).backward(glasstorch.tensor(arrays[3]))
        res.append([None if t.grad is None else t.grad.numpy() for t in ts])
    assert calls.whole == {"forward": 1, "backward": 1}
    for got, want, w in zip(res[0], res[1], wanted):
        assert (got is not None) == w
        if w:
            np.testing.assert_array_equal(got, want)
