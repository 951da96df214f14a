"""The layer norm kernels (glasstorch/kernels/layernorm.py) against ops/norm.py's NumPy LayerNorm.

Not bit for bit: the kernel's Σ (x − μ)² and Σ ĝ · x̂ are pairwise sums where the reference uses BLAS dot
products, and dL/dγ, dL/dβ add the rows in blocks of 64 (kernels/layernorm.py's docstring). Tolerances: y and
dL/dx within 2e-6 of the largest value in float32 (a few ulp), 1e-14 in float64; dL/dγ, dL/dβ (sums over
thousands of rows) within 1e-5 (float32) of the largest.
"""
import numpy as np
import pytest

import glasstorch
from glasstorch import kernels
from kernel_calls import count_calls
from glasstorch.ops import norm as norm_op

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")


@pytest.fixture
def every_size(monkeypatch):
    monkeypatch.setattr(norm_op, "_LAYER_KERNEL_MIN", 0)


@pytest.fixture
def calls(monkeypatch):
    """Count the kernel calls, to see that the fast path really ran."""
    from glasstorch.kernels import layernorm as k
    return count_calls(monkeypatch, k, "forward", "backward")


def _layer_norm(x, g, normalized, weight, bias, fast):
    t = glasstorch.tensor(x, requires_grad=True)
    w = None if weight is None else glasstorch.tensor(weight, requires_grad=True)
    b = None if bias is None else glasstorch.tensor(bias, requires_grad=True)
    with (kernels.fast() if fast else kernels.reference()):
        y = glasstorch.nn.functional.layer_norm(t, normalized, w, b, eps=1e-5)
        y.backward(glasstorch.tensor(g))
    out = [y.detach().numpy(), t.grad.numpy()]
    return out + [p.grad.numpy() for p in (w, b) if p is not None]


def _close(got, want, dtype):
    y_tol, sum_tol = (2e-6, 1e-5) if dtype == np.float32 else (1e-14, 1e-13)
    for i, (a, b) in enumerate(zip(got, want)):
        scale = max(np.abs(b).max(), 1.0)
        np.testing.assert_allclose(a, b, rtol=0, atol=(y_tol if i < 2 else sum_tol) * scale, err_msg=f"output {i}")


CASES = [((64, 49, 64), (64,)),          # the tiny ViT's
         ((3, 5, 7), (5, 7)),            # two normalized dims, 35 features
         ((1, 9), (9,)),                 # one row
         ((131, 3), (3,)),               # rows shorter than the kernels' 8-wide sums, an odd row count
         ((4, 300), (300,))]             # rows longer than 128


@pytest.mark.parametrize("shape,normalized", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("threads", [1, 2])
def test_layer_norm_kernel_close_to_reference(shape, normalized, dtype, threads, every_size, calls):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal(normalized).astype(dtype)
    b = rng.standard_normal(normalized).astype(dtype)
    old = glasstorch.get_num_threads()
    glasstorch.set_num_threads(threads)
    try:
        fast = _layer_norm(x, g, normalized, w, b, True)
        ref = _layer_norm(x, g, normalized, w, b, False)
    finally:
        glasstorch.set_num_threads(old)
    assert calls == {"forward": 1, "backward": 1}
    _close(fast, ref, dtype)


@pytest.mark.parametrize("affine", ["none", "weight", "bias"])
def test_without_weight_or_bias(affine, every_size, calls):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((70, 33)).astype(np.float32)
    g = rng.standard_normal((70, 33)).astype(np.float32)
    w = rng.standard_normal(33).astype(np.float32) if affine == "weight" else None
    b = rng.standard_normal(33).astype(np.float32) if affine == "bias" else None
    _close(_layer_norm(x, g, (33,), w, b, True), _layer_norm(x, g, (33,), w, b, False), np.float32)
    assert calls == {"forward": 1, "backward": 1}


def test_constant_rows_and_the_model_threshold(calls):
    """A constant row (var 0: x̂ = 0, 1/σ = 1/√ε) and the default threshold at the ViT's size."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((64, 49, 64)).astype(np.float32)
    x[3, 7] = 2.5
    g = rng.standard_normal(x.shape).astype(np.float32)
    w, b = np.ones(64, np.float32), np.zeros(64, np.float32)
    fast, ref = _layer_norm(x, g, (64,), w, b, True), _layer_norm(x, g, (64,), w, b, False)
    assert calls == {"forward": 1, "backward": 1}
    np.testing.assert_array_equal(fast[0][3, 7], ref[0][3, 7])
    _close(fast, ref, np.float32)


def test_fast_path_matches_pytorch():
    from parity import check
    with kernels.fast():
        check(lambda torch, x, w, b: torch.nn.functional.layer_norm(x, (64,), w, b), (64, 49, 64), (64,), (64,),
              rtol=1e-4, atol=1e-4)
