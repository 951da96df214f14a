"""kl_divergence against PyTorch's values and gradients, and its dispatch (register_kl, unknown pairs)."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check

BATCHES = [(), (3,), (2, 3)]


def _tril(lib, a):
    return a.tril(-1) + a.diagonal(dim1=-2, dim2=-1).exp().unsqueeze(-1) * lib.eye(a.shape[-1], dtype=a.dtype)


PAIRS = {
    "Normal": (lambda D, a, b: D.Normal(a, b), True),
    "Exponential": (lambda D, a, b: D.Exponential(a * b), True),
    "Laplace": (lambda D, a, b: D.Laplace(a, b), True),
    "Gamma": (lambda D, a, b: D.Gamma(a, b), True),
    "Beta": (lambda D, a, b: D.Beta(a, b), True),
    "Bernoulli": (lambda D, a, b: D.Bernoulli(logits=a - b), False),
    "Uniform": (lambda D, a, b: D.Uniform(-a, b), True),
}


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(PAIRS))
def test_kl_scalar_pairs(name, dtype, batch):
    make, _ = PAIRS[name]
    tol = {"rtol": 1e-7} if dtype == np.float64 and name in ("Gamma", "Beta") else {}  # lgamma/digamma ~1e-8
    check(lambda torch, a, b, c, d: torch.distributions.kl_divergence(make(torch.distributions, a, b),
                                                                      make(torch.distributions, c, d)),
          batch, batch, batch, batch, dtype=dtype, positive=True, **tol)


def test_kl_uniform_not_contained_is_inf():
    check(lambda torch, a, b: torch.distributions.kl_divergence(torch.distributions.Uniform(a, b),
                                                                torch.distributions.Uniform(a * 0 + 0.6, b)),
          Const(np.array([0.0, 0.7], np.float32)), Const(np.array([1.0, 1.0], np.float32)))


def test_kl_bernoulli_edges():
    """p = 0 or 1 and q = 0 or 1: 0 or +inf as PyTorch."""
    p = np.array([0.0, 1.0, 0.3, 0.3, 0.0])
    q = np.array([0.5, 0.5, 0.0, 1.0, 0.0])
    check(lambda torch, p, q: torch.distributions.kl_divergence(torch.distributions.Bernoulli(p),
                                                                torch.distributions.Bernoulli(q)),
          Const(p), Const(q), dtype=np.float64)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kl_categorical_and_one_hot(batch, dtype):
    def fn(torch, a, b):
        D = torch.distributions
        return (D.kl_divergence(D.Categorical(logits=a), D.Categorical(logits=b)),
                D.kl_divergence(D.OneHotCategorical(probs=a.softmax(-1)), D.OneHotCategorical(probs=b.softmax(-1))))

    check(fn, batch + (4,), batch + (4,), dtype=dtype)


def test_kl_categorical_zeros():
    p = np.array([[0.0, 0.5, 0.5], [0.2, 0.8, 0.0]])
    q = np.array([[0.3, 0.7, 0.0], [0.5, 0.5, 0.0]])
    check(lambda torch, p, q: torch.distributions.kl_divergence(torch.distributions.Categorical(p),
                                                                torch.distributions.Categorical(q)),
          Const(p), Const(q), dtype=np.float64)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kl_dirichlet(batch, dtype):
    tol = {"rtol": 1e-7} if dtype == np.float64 else {}
    check(lambda torch, a, b: torch.distributions.kl_divergence(torch.distributions.Dirichlet(a),
                                                                torch.distributions.Dirichlet(b)),
          batch + (4,), batch + (4,), dtype=dtype, positive=True, **tol)


@pytest.mark.parametrize("shapes", [((), ()), ((2,), (2,)), ((2,), ()), ((), (2, 1))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kl_multivariate_normal(shapes, dtype):
    bp, bq = shapes

    def fn(torch, mp, ap, mq, aq):
        D = torch.distributions
        p = D.MultivariateNormal(mp, scale_tril=_tril(torch, ap))
        L = _tril(torch, aq)
        q = D.MultivariateNormal(mq, covariance_matrix=L @ L.mT)
        return D.kl_divergence(p, q)

    tol = dict(rtol=1e-3, atol=1e-4) if dtype == np.float32 else {}
    check(fn, bp + (3,), bp + (3, 3), bq + (3,), bq + (3, 3), dtype=dtype, **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kl_independent(dtype):
    def fn(torch, a, b, c, d):
        D = torch.distributions
        return D.kl_divergence(D.Independent(D.Normal(a, b), 1), D.Independent(D.Normal(c, d), 1))

    check(fn, (2, 3), (2, 3), (2, 3), (2, 3), dtype=dtype, positive=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kl_cross_pairs(dtype):
    def fn(torch, r, c, s, loc):
        D = torch.distributions
        return (D.kl_divergence(D.Exponential(r), D.Gamma(c, s)), D.kl_divergence(D.Exponential(r), D.Normal(loc, s)))

    check(fn, (3,), (3,), (3,), (3,), dtype=dtype, positive=True)


def test_kl_unknown_pair():
    for lib in (torch, glasstorch):
        D = lib.distributions
        with pytest.raises(NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented for p type Categorical "
                                                      "and q type Normal"):
            D.kl_divergence(D.Categorical(lib.ones(3)), D.Normal(0.0, 1.0))
        with pytest.raises(NotImplementedError):
            D.kl_divergence(D.Independent(D.Normal(lib.zeros(2, 2), lib.ones(2, 2)), 1),
                            D.Independent(D.Normal(lib.zeros(2, 2), lib.ones(2, 2)), 2))


def test_register_kl_subclass_dispatch():
    D = glasstorch.distributions

    class MyNormal(D.Normal):
        pass

    # a subclass falls back to the parent's pair ...
    p, q = MyNormal(glasstorch.zeros(2), glasstorch.ones(2)), D.Normal(glasstorch.ones(2), glasstorch.ones(2))
    np.testing.assert_allclose(D.kl_divergence(p, q).numpy(), [0.5, 0.5], rtol=1e-6)

    # ... until a more specific pair is registered
    @D.register_kl(MyNormal, D.Normal)
    def _kl_mine(p, q):
        return glasstorch.zeros(2)

    try:
        assert D.kl_divergence(p, q).sum().item() == 0.0
    finally:
        from glasstorch.distributions import kl
        del kl._KL_REGISTRY[MyNormal, D.Normal]
        kl._KL_MEMOIZE.clear()
    with pytest.raises(TypeError, match="Expected type_p to be a Distribution subclass"):
        D.register_kl(int, D.Normal)
