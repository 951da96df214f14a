"""Poisson, Geometric, Cauchy against PyTorch (values, gradients, KL, samples, validation)."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check, gradcheck

BATCHES = [(), (3,), (2, 3)]
DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson(batch, dtype):
    k = Const(np.random.default_rng(1).integers(0, 6, (4,) + batch).astype(dtype))

    def fn(torch, rate, k):
        d = torch.distributions.Poisson(rate)
        return d.log_prob(k), d.mean * 1, d.variance * 2, d.mode

    tol = {"rtol": 1e-7} if dtype == np.float64 else {}  # lgamma ~1e-8
    check(fn, batch, k, dtype=dtype, positive=True, **tol)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("param", ["probs", "logits"])
def test_geometric(batch, dtype, param):
    k = Const(np.random.default_rng(1).integers(0, 6, (4,) + batch).astype(dtype))

    def fn(torch, x, k):
        d = (torch.distributions.Geometric(probs=torch.sigmoid(x)) if param == "probs"
             else torch.distributions.Geometric(logits=x))
        return d.log_prob(k), d.entropy(), d.mean, d.variance, d.mode

    check(fn, batch, k, dtype=dtype)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_cauchy(batch, dtype):
    x = Const(np.random.default_rng(1).standard_normal((4,) + batch).astype(dtype) * 3)
    u = Const(np.random.default_rng(2).uniform(0.05, 0.95, batch).astype(dtype))

    def fn(torch, loc, scale, x, u):
        d = torch.distributions.Cauchy(loc, scale)
        return d.log_prob(x), d.entropy(), d.mean, d.variance, d.mode * 1, d.icdf(u), d.cdf(x)

    check(fn, batch, batch, x, u, dtype=dtype, positive=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_kl_poisson_geometric_cauchy(dtype):
    def fn(torch, a, b, c, d):
        D = torch.distributions
        return (D.kl_divergence(D.Poisson(a), D.Poisson(b)),
                D.kl_divergence(D.Geometric(probs=a / (a + 1)), D.Geometric(probs=b / (b + 1))),
                D.kl_divergence(D.Cauchy(a, b), D.Cauchy(c, d)))

    check(fn, (3,), (3,), (3,), (3,), dtype=dtype, positive=True)


def test_samples():
    D = glasstorch.distributions
    rate = glasstorch.tensor([0.5, 4.0, 30.0], dtype=glasstorch.float64)
    x = D.Poisson(rate).sample((200_000,))
    assert x.dtype == glasstorch.float64 and tuple(x.shape) == (200_000, 3)
    np.testing.assert_allclose(x.numpy().mean(0), rate.numpy(), rtol=0.01)
    np.testing.assert_allclose(x.numpy().var(0), rate.numpy(), rtol=0.03)
    p = glasstorch.tensor([0.2, 0.7])
    g = D.Geometric(p).sample((200_000,)).numpy()
    np.testing.assert_allclose(g.mean(0), (1 / p.numpy() - 1), rtol=0.03)
    assert (g == np.floor(g)).all() and (g >= 0).all()
    c = D.Cauchy(glasstorch.tensor([1.0]), glasstorch.tensor([2.0])).sample((200_000,)).numpy()
    np.testing.assert_allclose(np.median(c), 1.0, atol=0.03)
    np.testing.assert_allclose(np.percentile(c, 75) - np.percentile(c, 25), 4.0, rtol=0.03)


def test_cauchy_rsample_gradcheck():
    def fn(t, loc, s):
        t.manual_seed(5)
        return t.distributions.Cauchy(loc, s).rsample((3,))

    gradcheck(fn, (3,), (3,), positive=True)


def test_validation():
    for lib in (torch, glasstorch):
        D = lib.distributions
        with pytest.raises(ValueError, match="Expected parameter rate"):
            D.Poisson(-lib.ones(2))
        with pytest.raises(ValueError, match="Expected parameter probs .* to be positive but found invalid values"):
            D.Geometric(lib.tensor([0.0, 0.5]))
        with pytest.raises(ValueError, match="Expected value argument"):
            D.Poisson(lib.ones(2)).log_prob(lib.tensor([0.5, 1.0]))
        with pytest.raises(ValueError, match="Expected value argument"):
            D.Geometric(lib.tensor([0.3, 0.5])).log_prob(lib.tensor([-1.0, 1.0]))
        with pytest.raises(ValueError, match="Expected parameter scale"):
            D.Cauchy(lib.zeros(2), lib.zeros(2))
