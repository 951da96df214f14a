"""ContinuousBernoulli, VonMises, GeneralizedPareto, LowRankMultivariateNormal, MixtureSameFamily, Wishart,
LKJCholesky against PyTorch: values and gradients, shapes and expand, samples, validation."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check, check_error, gradcheck

BATCHES = [(), (3,), (2, 3)]
DTYPES = [np.float32, np.float64]


def _u(shape, dtype, lo=0.05, hi=0.95, seed=7):
    return Const(np.random.default_rng(seed).uniform(lo, hi, shape).astype(dtype))


def _tol(dtype, f32=None):
    return {"rtol": 1e-7} if dtype == np.float64 else (f32 or {"rtol": 2e-4, "atol": 1e-5})


# --- ContinuousBernoulli ------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("param", ["probs", "logits"])
def test_continuous_bernoulli(batch, dtype, param):
    def fn(lib, x, v, u):
        D = lib.distributions
        d = D.ContinuousBernoulli(probs=lib.sigmoid(x)) if param == "probs" else D.ContinuousBernoulli(logits=x)
        return (d.log_prob(v), d.entropy(), d.mean, d.variance, d.stddev, d.cdf(v), d.icdf(u), d.probs, d.logits)

    check(fn, batch, _u((4,) + batch, dtype), _u(batch, dtype, seed=3), dtype=dtype,
          **_tol(dtype, {"rtol": 1e-3, "atol": 1e-4}))


def test_continuous_bernoulli_unstable_region():
    """probs near ½ use the Taylor expansions."""
    p = Const(np.array([0.4995, 0.5, 0.5005, 0.3, 0.9]))
    check(lambda lib, p, v: (lib.distributions.ContinuousBernoulli(p).log_prob(v),
                             lib.distributions.ContinuousBernoulli(p).mean,
                             lib.distributions.ContinuousBernoulli(p).variance,
                             lib.distributions.ContinuousBernoulli(p).cdf(v)), p, Const(np.full(5, 0.3)),
          dtype=np.float64)
    for lib in (torch, glasstorch):
        with pytest.raises(ValueError, match="The parameter probs has invalid values"):
            lib.distributions.ContinuousBernoulli(lib.tensor([1.5]), validate_args=True)


def test_continuous_bernoulli_rsample_gradcheck():
    def fn(lib, x):
        lib.manual_seed(3)
        return lib.distributions.ContinuousBernoulli(logits=x).rsample((4,))

    gradcheck(fn, (3,))


# --- VonMises -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_von_mises(batch, dtype):
    x = Const(np.random.default_rng(1).uniform(-4, 4, (4,) + batch).astype(dtype))
    conc = Const(np.random.default_rng(2).uniform(0.1, 8, batch).astype(dtype))

    def fn(lib, loc, conc, x):
        conc = conc.requires_grad_() if False else conc
        d = lib.distributions.VonMises(loc, conc)
        return d.log_prob(x), d.mean * 1, d.mode * 1, d.variance

    check(fn, batch, conc, x, dtype=dtype)


def test_von_mises_concentration_gradient():
    check(lambda lib, c, x: lib.distributions.VonMises(lib.zeros(4, dtype=c.dtype), c * 3).log_prob(x), (4,),
          Const(np.array([0.1, 1.0, -2.0, 3.0])), dtype=np.float64, positive=True)


def test_von_mises_samples():
    glasstorch.manual_seed(0)
    loc = glasstorch.tensor([0.5, -2.0, 3.0], dtype=glasstorch.float64)
    conc = glasstorch.tensor([0.5, 4.0, 20.0], dtype=glasstorch.float64)
    d = glasstorch.distributions.VonMises(loc, conc)
    x = d.sample((100_000,)).numpy()
    assert x.dtype == np.float64 and ((x >= -np.pi) & (x < np.pi)).all()
    # circular mean direction and mean resultant length I1/I0 = 1 − variance
    z = np.exp(1j * x).mean(0)
    np.testing.assert_allclose(np.angle(z), loc.numpy(), atol=0.03)
    np.testing.assert_allclose(np.abs(z), 1 - d.variance.numpy(), atol=0.01)
    assert glasstorch.distributions.VonMises(glasstorch.zeros(2), glasstorch.ones(2)).sample((3,)).dtype == \
        glasstorch.float32


# --- GeneralizedPareto -------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", [np.float32])  # PyTorch's log_prob fails for float64 (isclose vs a float32 zero)
def test_generalized_pareto(batch, dtype):
    conc = Const(np.resize(np.array([0.3, -0.2, 0.0, 0.6, 0.1, -0.4]), batch).astype(dtype))

    def fn(lib, loc, scale, conc, z, u):
        d = lib.distributions.GeneralizedPareto(loc, scale, conc)
        x = loc + z * 0.4 * scale  # inside the support even for negative concentration
        return (d.log_prob(x), d.cdf(x), d.icdf(u), d.mean, d.variance, d.entropy(), d.mode * 1,
                d.log_survival_function(x))

    check(fn, batch, _u(batch, dtype, 0.5, 2.0).value, conc, _u((4,) + batch, dtype), _u(batch, dtype, seed=2),
          dtype=dtype, **_tol(dtype, {"rtol": 1e-3, "atol": 1e-4}))


def test_generalized_pareto_float64_gradcheck():
    """float64 works here (a deviation: PyTorch raises); gradients of log_prob, cdf and icdf."""
    def fn(lib, loc, s, z, u):
        d = lib.distributions.GeneralizedPareto(loc, s, lib.tensor([0.3, 0.0, -0.2], dtype=s.dtype))
        x = loc + z * 0.4 * s
        return d.log_prob(x), d.cdf(x), d.icdf(u.sigmoid())

    gradcheck(fn, (3,), (3,), (2, 3), (3,), positive=True)


def test_generalized_pareto_rsample():
    gradcheck(lambda lib, loc, s: (lib.manual_seed(2), lib.distributions.GeneralizedPareto(
        loc, s, lib.tensor([0.2, 0.0, -0.3], dtype=s.dtype)).rsample((4,)))[1], (3,), (3,), positive=True)
    glasstorch.manual_seed(0)
    d = glasstorch.distributions.GeneralizedPareto(glasstorch.tensor([0.0, 1.0], dtype=glasstorch.float64),
                                                   glasstorch.tensor([1.0, 2.0], dtype=glasstorch.float64),
                                                   glasstorch.tensor([0.1, -0.3], dtype=glasstorch.float64))
    x = d.sample((200_000,)).numpy()
    np.testing.assert_allclose(x.mean(0), d.mean.numpy(), rtol=0.01)
    np.testing.assert_allclose(x.var(0), d.variance.numpy(), rtol=0.04)
    assert bool(d.support.check(glasstorch.from_numpy(x)).all())


# --- LowRankMultivariateNormal -----------------------------------------------------------------------------
@pytest.mark.parametrize("batch", [(), (2,), (2, 3)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lowrank_mvn(batch, dtype):
    def fn(lib, loc, W, d, x):
        dist = lib.distributions.LowRankMultivariateNormal(loc, W, d.exp())
        return (dist.log_prob(x), dist.entropy(), dist.mean, dist.variance, dist.scale_tril, dist.covariance_matrix,
                dist.precision_matrix)

    tol = {"rtol": 2e-3, "atol": 1e-4} if dtype == np.float32 else {}
    check(fn, batch + (4,), batch + (4, 2), batch + (4,), (5,) + batch + (4,), dtype=dtype, **tol)


def test_lowrank_mvn_matches_mvn_and_samples():
    glasstorch.manual_seed(0)
    D = glasstorch.distributions
    loc = glasstorch.tensor([1.0, -1.0, 0.5], dtype=glasstorch.float64)
    W = glasstorch.tensor([[1.0, 0.2], [0.3, -0.5], [0.0, 0.8]], dtype=glasstorch.float64)
    d = D.LowRankMultivariateNormal(loc, W, glasstorch.tensor([0.5, 1.0, 0.2], dtype=glasstorch.float64))
    x = d.sample((200_000,)).numpy()
    np.testing.assert_allclose(x.mean(0), loc.numpy(), atol=0.02)
    np.testing.assert_allclose(np.cov(x.T), d.covariance_matrix.numpy(), atol=0.03)
    gradcheck(lambda lib, loc, W, dd: (lib.manual_seed(1), lib.distributions.LowRankMultivariateNormal(
        loc, W, dd).rsample((2,)))[1], (3,), (3, 2), (3,), positive=True)
    for lib in (torch, glasstorch):
        with pytest.raises(ValueError, match="cov_factor must be a batch of matrices with shape 3 x m"):
            lib.distributions.LowRankMultivariateNormal(lib.zeros(3), lib.ones(2, 1), lib.ones(3))
        with pytest.raises(ValueError, match="cov_diag must be a batch of vectors"):
            lib.distributions.LowRankMultivariateNormal(lib.zeros(3), lib.ones(3, 1), lib.ones(2))
        with pytest.raises(ValueError, match="Expected parameter cov_diag"):
            lib.distributions.LowRankMultivariateNormal(lib.zeros(3), lib.zeros(3, 1), -lib.ones(3))


# --- MixtureSameFamily ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch", [(), (2,)])
def test_mixture_same_family(dtype, batch):
    def fn(lib, logits, loc, s, x, loc2):
        D = lib.distributions
        m = D.MixtureSameFamily(D.Categorical(logits=logits), D.Normal(loc, s.exp()))
        m2 = D.MixtureSameFamily(D.Categorical(logits=logits), D.Independent(D.Normal(loc2, s.exp().unsqueeze(-1)), 1))
        return (m.log_prob(x), m.mean, m.variance, m.cdf(x), m2.log_prob(x.unsqueeze(-1).expand(x.shape + (2,))),
                m2.mean, m2.variance)

    check(fn, batch + (3,), batch + (3,), batch + (3,), (4,) + batch, batch + (3, 2), dtype=dtype)


def test_mixture_same_family_shapes_samples_errors():
    glasstorch.manual_seed(0)
    for lib in (torch, glasstorch):
        D = lib.distributions
        m = D.MixtureSameFamily(D.Categorical(lib.ones(4, 3)), D.Normal(lib.zeros(4, 3), lib.ones(4, 3)))
        assert tuple(m.batch_shape) == (4,) and tuple(m.sample((5,)).shape) == (5, 4)
        assert tuple(m.expand((2, 4)).sample((3,)).shape) == (3, 2, 4)
        assert repr(m.support) == "MixtureSameFamilyConstraint(Real())"
        with pytest.raises(ValueError, match="does not equal `component_distribution.batch_shape"):
            D.MixtureSameFamily(D.Categorical(lib.ones(2)), D.Normal(lib.zeros(3), lib.ones(3)))
        with pytest.raises(ValueError, match="The Mixture distribution needs to be an"):
            D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(lib.zeros(3), lib.ones(3)))
    D = glasstorch.distributions
    probs = glasstorch.tensor([0.2, 0.8], dtype=glasstorch.float64)
    m = D.MixtureSameFamily(D.Categorical(probs), D.Normal(glasstorch.tensor([-3.0, 2.0], dtype=glasstorch.float64),
                                                           glasstorch.tensor([0.5, 1.0], dtype=glasstorch.float64)))
    x = m.sample((200_000,)).numpy()
    np.testing.assert_allclose(x.mean(), m.mean.item(), atol=0.02)
    np.testing.assert_allclose(x.var(), m.variance.item(), rtol=0.02)


# --- Wishart ------------------------------------------------------------------------------------------------
def _tril(lib, a):
    return a.tril(-1) + a.diagonal(dim1=-2, dim2=-1).exp().diag_embed()


@pytest.mark.parametrize("batch", [(), (2,)])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("param", ["scale_tril", "covariance_matrix", "precision_matrix"])
def test_wishart(batch, dtype, param):
    def fn(lib, df, a, b):
        L = _tril(lib, a)
        M = L if param == "scale_tril" else L @ L.mT
        d = lib.distributions.Wishart(df + 3, **{param: M})
        X = _tril(lib, b) @ _tril(lib, b).mT
        return (d.log_prob(X), d.entropy(), d.mean, d.variance, d.mode, d.covariance_matrix, d.precision_matrix,
                d.scale_tril)

    check(fn, batch, batch + (3, 3), (4,) + batch + (3, 3), dtype=dtype, positive=True,
          **_tol(dtype, {"rtol": 2e-3, "atol": 1e-3}))


def test_wishart_samples_and_errors():
    glasstorch.manual_seed(0)
    D = glasstorch.distributions
    cov = glasstorch.tensor([[2.0, 0.3], [0.3, 1.0]], dtype=glasstorch.float64)
    d = D.Wishart(glasstorch.tensor(5.0, dtype=glasstorch.float64), covariance_matrix=cov)
    x = d.sample((100_000,)).numpy()
    np.testing.assert_allclose(x.mean(0), d.mean.numpy(), rtol=0.02)
    np.testing.assert_allclose(x.var(0), d.variance.numpy(), rtol=0.05)
    assert tuple(d.expand((3,)).sample((2,)).shape) == (2, 3, 2, 2)
    for lib in (torch, glasstorch):
        with pytest.raises(ValueError, match="expected to be greater than ndim - 1"):
            lib.distributions.Wishart(lib.tensor(0.5), covariance_matrix=lib.eye(2))
        with pytest.raises(ValueError, match="Expected parameter covariance_matrix"):
            lib.distributions.Wishart(lib.tensor(3.0), covariance_matrix=-lib.eye(2))


def test_wishart_rsample_gradient():
    """Through the scale: E[X] = df Σ, so d E[X]_00 / d L_00 = 2 df L_00 (a Monte Carlo estimate)."""
    glasstorch.manual_seed(0)
    L = glasstorch.tensor([[1.5, 0.0], [0.5, 1.0]], dtype=glasstorch.float64, requires_grad=True)
    glasstorch.distributions.Wishart(4.0, scale_tril=L).rsample((50_000,))[:, 0, 0].mean().backward()
    np.testing.assert_allclose(L.grad.numpy()[0, 0], 2 * 4.0 * 1.5, rtol=0.03)


# --- LKJCholesky --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [2, 3, 5])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lkj_cholesky(dim, dtype):
    def fn(lib, conc, x):
        L = lib.distributions.transforms.CorrCholeskyTransform()(x)
        return lib.distributions.LKJCholesky(dim, conc).log_prob(L)

    check(fn, (3,), (3, dim * (dim - 1) // 2), dtype=dtype, positive=True, **_tol(dtype, {"rtol": 1e-3, "atol": 1e-4}))


def test_lkj_cholesky_samples_and_errors():
    glasstorch.manual_seed(0)
    D = glasstorch.distributions
    d = D.LKJCholesky(3, glasstorch.tensor([0.5, 2.0], dtype=glasstorch.float64))
    L = d.sample((50_000,))
    assert tuple(L.shape) == (50_000, 2, 3, 3) and bool(d.support.check(L).all())
    C = (L @ L.mT).numpy()
    # the off-diagonal correlations are Beta(η + (d−2)/2, same) on [−1, 1]: mean 0, variance 1/(2η + d − 1)
    np.testing.assert_allclose(C[..., 1, 0].mean(0), 0.0, atol=0.01)
    np.testing.assert_allclose(C[..., 1, 0].var(0), 1 / (2 * np.array([0.5, 2.0]) + 2), rtol=0.03)
    assert tuple(d.expand((4, 2)).sample().shape) == (4, 2, 3, 3)
    for lib in (torch, glasstorch):
        with pytest.raises(ValueError, match="Expected dim to be an integer greater than or equal to 2"):
            lib.distributions.LKJCholesky(1)
        with pytest.raises(ValueError, match="Expected parameter concentration"):
            lib.distributions.LKJCholesky(3, -1.0)


# --- shapes / validation of the lot ---------------------------------------------------------------------------
def _makers(lib):
    D = lib.distributions
    o = lib.ones(3)
    return {
        "ContinuousBernoulli": lambda: D.ContinuousBernoulli(o * 0.3),
        "VonMises": lambda: D.VonMises(lib.zeros(3), o),
        "GeneralizedPareto": lambda: D.GeneralizedPareto(lib.zeros(3), o, o * 0.2),
        "LowRankMultivariateNormal": lambda: D.LowRankMultivariateNormal(lib.zeros(3, 2), lib.ones(3, 2, 1),
                                                                         lib.ones(3, 2)),
        "MixtureSameFamily": lambda: D.MixtureSameFamily(D.Categorical(lib.ones(3, 2)),
                                                         D.Normal(lib.zeros(3, 2), lib.ones(3, 2))),
        "Wishart": lambda: D.Wishart(o * 4, covariance_matrix=lib.eye(2)),
        "LKJCholesky": lambda: D.LKJCholesky(3, o),
    }


@pytest.mark.parametrize("name", list(_makers(torch)))
def test_shapes_and_expand(name):
    t, g = _makers(torch)[name](), _makers(glasstorch)[name]()
    assert tuple(g.batch_shape) == tuple(t.batch_shape) and tuple(g.event_shape) == tuple(t.event_shape)
    assert g.has_rsample == t.has_rsample and repr(g.support) == repr(t.support)
    for sample_shape in [(), (5,), (2, 4)]:
        ts, gs = t.sample(sample_shape), g.sample(sample_shape)
        assert tuple(gs.shape) == tuple(ts.shape) and str(gs.dtype).split(".")[-1] == str(ts.dtype).split(".")[-1]
    te, ge = t.expand((2, 3)), g.expand((2, 3))
    assert tuple(ge.batch_shape) == tuple(te.batch_shape) == (2, 3)
    v = te.sample()
    np.testing.assert_allclose(ge.log_prob(glasstorch.from_numpy(v.numpy().copy())).numpy(), te.log_prob(v).numpy(),
                               rtol=1e-4, atol=1e-5)


INVALID = [
    ("VonMises", lambda D, x: D.VonMises(x, -x.abs()), "concentration"),
    ("GeneralizedPareto", lambda D, x: D.GeneralizedPareto(x, -x.abs(), x), "scale"),
    ("ContinuousBernoulli", lambda D, x: D.ContinuousBernoulli(logits=x * float("nan")), "logits"),
]


@pytest.mark.parametrize("name,make,param", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_arguments(name, make, param):
    check_error(lambda lib, x: make(lib.distributions, x), (3,), exc=ValueError, match=f"Expected parameter {param} ")


def test_arg_constraints_repr():
    for name in ["ContinuousBernoulli", "VonMises", "GeneralizedPareto", "LowRankMultivariateNormal", "LKJCholesky"]:
        g, t = getattr(glasstorch.distributions, name), getattr(torch.distributions, name)
        assert ({k: repr(v) for k, v in g.arg_constraints.items()}
                == {k: repr(v) for k, v in t.arg_constraints.items()}), name
