"""kl_divergence for the pairs registered with the new distributions, against PyTorch (values, gradients)."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check


def _tril(lib, a):
    return a.tril(-1) + a.diagonal(dim1=-2, dim2=-1).exp().diag_embed()


# name -> (make p, make q), parameters a, b, c, d are positive (U(0.5, 2)) of the batch shape
PAIRS = {
    "Binomial": (lambda D, a, b: D.Binomial(5, probs=a / (a + b)), lambda D, c, d: D.Binomial(5, probs=c / (c + d))),
    "ContinuousBernoulli": (lambda D, a, b: D.ContinuousBernoulli(a / (a + b)),
                            lambda D, c, d: D.ContinuousBernoulli(logits=c - d)),
    "Gumbel": (lambda D, a, b: D.Gumbel(a, b), lambda D, c, d: D.Gumbel(c, d)),
    "HalfNormal": (lambda D, a, b: D.HalfNormal(a * b), lambda D, c, d: D.HalfNormal(c)),
    "Pareto": (lambda D, a, b: D.Pareto(a, b), lambda D, c, d: D.Pareto(c * 0.4, d)),
    "LogNormal": (lambda D, a, b: D.LogNormal(a, b), lambda D, c, d: D.LogNormal(c, d)),
    "Exponential-Gumbel": (lambda D, a, b: D.Exponential(a), lambda D, c, d: D.Gumbel(c, d)),
    "Gamma-Gumbel": (lambda D, a, b: D.Gamma(a, b), lambda D, c, d: D.Gumbel(c, d)),
    "Gumbel-Normal": (lambda D, a, b: D.Gumbel(a, b), lambda D, c, d: D.Normal(c, d)),
    "Normal-Gumbel": (lambda D, a, b: D.Normal(a, b), lambda D, c, d: D.Gumbel(c, d)),
    "Uniform-Gumbel": (lambda D, a, b: D.Uniform(-a, b), lambda D, c, d: D.Gumbel(c, d)),
    "Pareto-Exponential": (lambda D, a, b: D.Pareto(a, b + 0.6), lambda D, c, d: D.Exponential(c)),
    "Pareto-Gamma": (lambda D, a, b: D.Pareto(a, b + 0.6), lambda D, c, d: D.Gamma(c, d)),
    "Pareto-Normal": (lambda D, a, b: D.Pareto(a, b + 1.6), lambda D, c, d: D.Normal(c, d)),
    "Uniform-Pareto": (lambda D, a, b: D.Uniform(a, a + b), lambda D, c, d: D.Pareto(c * 0.4, d)),
    "Beta-ContinuousBernoulli": (lambda D, a, b: D.Beta(a, b), lambda D, c, d: D.ContinuousBernoulli(c / (c + d))),
    "ContinuousBernoulli-Exponential": (lambda D, a, b: D.ContinuousBernoulli(a / (a + b)),
                                        lambda D, c, d: D.Exponential(c)),
    "ContinuousBernoulli-Normal": (lambda D, a, b: D.ContinuousBernoulli(a / (a + b)), lambda D, c, d: D.Normal(c, d)),
    "ContinuousBernoulli-Uniform": (lambda D, a, b: D.ContinuousBernoulli(a / (a + b)),
                                    lambda D, c, d: D.Uniform(-c, d)),
    "Uniform-ContinuousBernoulli": (lambda D, a, b: D.Uniform(a * 0.1, a * 0.1 + b * 0.2),
                                    lambda D, c, d: D.ContinuousBernoulli(c / (c + d))),
    "Gumbel-Exponential (inf)": (lambda D, a, b: D.Gumbel(a, b), lambda D, c, d: D.Exponential(c)),
    "Normal-Pareto (inf)": (lambda D, a, b: D.Normal(a, b), lambda D, c, d: D.Pareto(c, d)),
    "Poisson-Binomial (inf)": (lambda D, a, b: D.Poisson(a), lambda D, c, d: D.Binomial(3, c / (c + d))),
    "Gamma-Pareto (inf)": (lambda D, a, b: D.Gamma(a, b), lambda D, c, d: D.Pareto(c, d)),
}


@pytest.mark.parametrize("batch", [(), (3,), (2, 3)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(PAIRS))
def test_kl_pairs(name, dtype, batch):
    mp, mq = PAIRS[name]
    tol = {"rtol": 1e-7} if dtype == np.float64 else {"rtol": 1e-3, "atol": 1e-4}
    if dtype == np.float32 and "ContinuousBernoulli" in name:
        tol["atol"] = 2e-3  # near probs ½ its closed forms cancel badly in float32 (in both libraries)
    check(lambda lib, a, b, c, d: lib.distributions.kl_divergence(mp(lib.distributions, a, b),
                                                                  mq(lib.distributions, c, d)),
          batch, batch, batch, batch, dtype=dtype, positive=True, **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("pair", ["lowrank-lowrank", "mvn-lowrank", "lowrank-mvn"])
def test_kl_lowrank(dtype, pair):
    def fn(lib, l1, W1, d1, l2, W2, d2, a):
        D = lib.distributions
        lr1 = D.LowRankMultivariateNormal(l1, W1, d1.exp())
        lr2 = D.LowRankMultivariateNormal(l2, W2, d2.exp())
        mvn = D.MultivariateNormal(l2, scale_tril=_tril(lib, a))
        p, q = {"lowrank-lowrank": (lr1, lr2), "mvn-lowrank": (mvn, lr1), "lowrank-mvn": (lr1, mvn)}[pair]
        return D.kl_divergence(p, q)

    tol = {"rtol": 2e-3, "atol": 1e-4} if dtype == np.float32 else {}
    check(fn, (2, 3), (2, 3, 2), (2, 3), (3,), (3, 1), (3,), (2, 3, 3), dtype=dtype, **tol)


def test_kl_edge_cases():
    """Binomials with different counts: +inf or NotImplementedError; Paretos with a wider support; transforms
    that differ."""
    def binomials(lib, p):
        D = lib.distributions
        return D.kl_divergence(D.Binomial(lib.tensor([5.0, 4.0], dtype=p.dtype), p), D.Binomial(4, p))

    def paretos(lib, s):
        D = lib.distributions
        return D.kl_divergence(D.Pareto(s, 2.0), D.Pareto(lib.tensor([0.5, 1.5], dtype=s.dtype), 2.0))

    check(binomials, Const(np.array([0.3, 0.6])), dtype=np.float64)
    check(paretos, Const(np.array([1.0, 1.0])), dtype=np.float64)
    for lib in (torch, glasstorch):
        D = lib.distributions
        with pytest.raises(NotImplementedError):
            D.kl_divergence(D.Binomial(2, lib.tensor([0.5])), D.Binomial(4, lib.tensor([0.5])))
        with pytest.raises(NotImplementedError):
            sigmoid_normal = D.TransformedDistribution(D.Normal(lib.zeros(2), lib.ones(2)),
                                                       D.transforms.SigmoidTransform())
            D.kl_divergence(D.LogNormal(lib.zeros(2), lib.ones(2)), sigmoid_normal)
