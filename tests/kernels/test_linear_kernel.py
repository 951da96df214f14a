"""ops/linear.py's fast bias gradient (dL/db = 1ᵀ G as one BLAS product) against the reference Σ_rows G.

The two add the rows in different orders: they agree to rounding (float32: within 1e-5 of the largest column sum
here), and everything else in Linear (x Wᵀ, G W, Gᵀ x) is the same code on both paths, so bit for bit.
"""
import numpy as np
import pytest

import glasstorch
from glasstorch import kernels


def _linear(x, w, b, g, fast):
    tx, tw, tb = (glasstorch.tensor(a, requires_grad=True) for a in (x, w, b))
    with (kernels.fast() if fast else kernels.reference()):
        y = glasstorch.nn.functional.linear(tx, tw, tb)
        y.backward(glasstorch.tensor(g))
    return y.detach().numpy(), tx.grad.numpy(), tw.grad.numpy(), tb.grad.numpy()


@pytest.mark.parametrize("lead,n_in,n_out", [((64,), 784, 256),      # the MLP's first layer
                                             ((64, 49), 64, 192),    # the tiny ViT's in-projection
                                             ((1000,), 128, 10),     # an eval-size batch
                                             ((7, 3, 5), 11, 13),    # below the threshold: the reference
                                             ((4097,), 1, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_gradient_close_to_reference(lead, n_in, n_out, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(lead + (n_in,)).astype(dtype)
    w = rng.standard_normal((n_out, n_in)).astype(dtype)
    b = rng.standard_normal(n_out).astype(dtype)
    g = rng.standard_normal(lead + (n_out,)).astype(dtype)
    fast, ref = _linear(x, w, b, g, True), _linear(x, w, b, g, False)
    for a, r in zip(fast[:3], ref[:3]):
        np.testing.assert_array_equal(a, r)
    tol = 1e-5 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(fast[3], ref[3], rtol=0, atol=tol * np.abs(ref[3]).max())


def test_broadcast_bias_shape_takes_the_reference():
    """A bias of shape (1, out) is not the (out,) vector the fast path handles."""
    rng = np.random.default_rng(1)
    x = glasstorch.tensor(rng.standard_normal((5000, 4)).astype(np.float32))
    w = glasstorch.tensor(rng.standard_normal((3, 4)).astype(np.float32))
    b = glasstorch.tensor(rng.standard_normal((1, 3)).astype(np.float32), requires_grad=True)
    with kernels.fast():
        glasstorch.nn.functional.linear(x, w, b).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), np.full((1, 3), 5000, np.float32))


def test_fast_path_matches_pytorch():
    from parity import check
    with kernels.fast():
        check(lambda torch, x, w, b: torch.nn.functional.linear(x, w, b), (64, 49, 64), (192, 64), (192,),
              atol=1e-3)   # dL/dW, dL/db: sums over 3,136 rows
