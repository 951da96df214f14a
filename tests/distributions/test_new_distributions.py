"""TransformedDistribution and the distributions added with the transforms, against PyTorch: log_prob,
entropy, cdf/icdf, moments and their gradients; shapes, expand, validation; sample moments and rsample
gradchecks."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check, check_error, gradcheck

BATCHES = [(), (3,), (2, 3)]
DTYPES = [np.float32, np.float64]


def _u(shape, dtype, lo=0.05, hi=0.95, seed=7):
    return Const(np.random.default_rng(seed).uniform(lo, hi, shape).astype(dtype))


def _pos(shape, dtype, lo=0.3, hi=3.0, seed=5):
    return Const(np.random.default_rng(seed).uniform(lo, hi, shape).astype(dtype))


def _tol(dtype):
    return {"rtol": 1e-7} if dtype == np.float64 else {"rtol": 2e-4, "atol": 1e-5}  # lgamma/digamma ~1e-8


# name -> (make(D, a, b), value maker(shape, dtype), which extra stats)
CONTINUOUS = {
    "LogNormal": (lambda D, a, b: D.LogNormal(a - 1, b), _pos, ("entropy", "cdf", "icdf", "mode")),
    "HalfNormal": (lambda D, a, b: D.HalfNormal(a * b), _pos, ("entropy", "cdf", "icdf", "mode")),
    "HalfCauchy": (lambda D, a, b: D.HalfCauchy(a * b), _pos, ("entropy", "cdf", "icdf", "mode")),
    "Gumbel": (lambda D, a, b: D.Gumbel(a - 1, b), _pos, ("entropy", "mode")),
    "Weibull": (lambda D, a, b: D.Weibull(a, b + 0.5), _pos, ("entropy", "mode")),
    "Pareto": (lambda D, a, b: D.Pareto(a * 0.2, b + 1.5), _pos, ("entropy", "mode")),
    "Kumaraswamy": (lambda D, a, b: D.Kumaraswamy(a, b), _u, ("entropy",)),
    "StudentT": (lambda D, a, b: D.StudentT(a * 2, a - 1, b), _pos, ("entropy", "mode")),
    "Chi2": (lambda D, a, b: D.Chi2(a * b), _pos, ("entropy", "mode")),
    "FisherSnedecor": (lambda D, a, b: D.FisherSnedecor(a * 3, b * 4), _pos, ("mode",)),
    "InverseGamma": (lambda D, a, b: D.InverseGamma(a + 2, b), _pos, ("entropy", "mode")),
}


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(CONTINUOUS))
def test_continuous(name, dtype, batch):
    make, value, extra = CONTINUOUS[name]

    def fn(lib, a, b, x, u):
        d = make(lib.distributions, a, b)
        out = [d.log_prob(x), d.mean, d.variance, d.stddev]
        for e in extra:
            out.append({"entropy": d.entropy, "cdf": lambda: d.cdf(x), "icdf": lambda: d.icdf(u),
                        "mode": lambda: d.mode * 1}[e]())
        return tuple(out)

    check(fn, batch, batch, value((4,) + batch, dtype), _u(batch, dtype), dtype=dtype, positive=True, **_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_moments_edge_values(dtype):
    """Moments PyTorch defines piecewise: NaN/inf where they do not exist."""
    df = Const(np.array([0.5, 1.0, 1.5, 2.0, 3.0, 5.0], dtype))

    def fn(lib, df):
        D = lib.distributions
        return (D.StudentT(df).mean, D.StudentT(df).variance, D.Pareto(1.0, df).mean, D.Pareto(1.0, df).variance,
                D.FisherSnedecor(df, df).mean, D.FisherSnedecor(df, df).variance, D.FisherSnedecor(df, df).mode,
                D.InverseGamma(df, 1.0).mean, D.InverseGamma(df, 1.0).variance, D.Kumaraswamy(df, df).mode,
                D.Weibull(1.0, df).mode)

    check(fn, df, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch", [(), (3,), (2, 3)])
def test_logistic_normal(dtype, batch):
    def fn(lib, loc, s, w):
        d = lib.distributions.LogisticNormal(loc, s)
        return d.log_prob(w.softmax(-1)), d.loc * 1, d.scale * 1

    check(fn, batch + (3,), Const(np.random.default_rng(2).uniform(0.5, 2, batch + (3,)).astype(dtype)),
          (5,) + batch + (4,), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_transformed_distribution_generic(dtype):
    """A Normal through a chain with a decreasing affine part: log_prob, cdf (monotonized), icdf."""
    def fn(lib, loc, x, u):
        D, T = lib.distributions, lib.distributions.transforms
        base = D.Normal(loc, 1.5)
        d = D.TransformedDistribution(base, [T.AffineTransform(1.0, -2.0), T.ExpTransform()])
        return d.log_prob(x), d.cdf(x), d.icdf(u)

    check(fn, (3,), _pos((4, 3), dtype), _u((3,), dtype), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_transformed_distribution_event_dims(dtype):
    """A base with batch dims made into an event by the transforms (StickBreaking, Reshape, Independent)."""
    def fn(lib, loc, x):
        D, T = lib.distributions, lib.distributions.transforms
        d1 = D.TransformedDistribution(D.Normal(loc, 1.0), [T.ReshapeTransform((2, 3), (6,))])
        d2 = D.TransformedDistribution(D.Normal(loc, 1.0), [T.IndependentTransform(T.ExpTransform(), 1)])
        return d1.log_prob(x.reshape(4, 6)), d2.log_prob(x.exp()), d1.batch_shape, d1.event_shape, d2.event_shape

    check(fn, (2, 3), (4, 2, 3), dtype=dtype)


# --- discrete -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("param", ["probs", "logits"])
def test_binomial(batch, dtype, param):
    k = Const(np.random.default_rng(1).integers(0, 6, (4,) + batch).astype(dtype))

    def fn(lib, x, k):
        D = lib.distributions
        d = D.Binomial(5, probs=lib.sigmoid(x)) if param == "probs" else D.Binomial(5, logits=x)
        return (d.log_prob(k), d.entropy(), d.mean, d.variance, d.mode, d.probs, d.logits, d.enumerate_support(),
                d.enumerate_support(False))

    check(fn, batch, k, dtype=dtype, **_tol(dtype))


def test_binomial_tensor_total_count_and_edges():
    n = Const(np.array([0.0, 3.0, 10.0, 10.0]))
    k = Const(np.array([0.0, 3.0, 0.0, 10.0]))
    p = Const(np.array([0.3, 1.0, 0.0, 0.5]))
    check(lambda lib, n, k, p: (lib.distributions.Binomial(n, p).log_prob(k), lib.distributions.Binomial(n, p).mode,
                                lib.distributions.Binomial(n, p).mean), n, k, p, dtype=np.float64)
    for lib in (torch, glasstorch):
        with pytest.raises(NotImplementedError, match="Inhomogeneous total count"):
            lib.distributions.Binomial(lib.tensor([1.0, 2.0]), lib.tensor([0.5, 0.5])).entropy()


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("param", ["probs", "logits"])
def test_multinomial(batch, dtype, param):
    counts = np.random.default_rng(1).multinomial(6, [0.2, 0.3, 0.5], (4,) + batch).astype(dtype)

    def fn(lib, x, v):
        D = lib.distributions
        d = D.Multinomial(6, probs=x.softmax(-1)) if param == "probs" else D.Multinomial(6, logits=x)
        return d.log_prob(v), d.entropy(), d.mean, d.variance, d.probs, d.logits

    check(fn, batch + (3,), Const(counts), dtype=dtype, **_tol(dtype))


def test_multinomial_zero_probability():
    p = Const(np.array([[0.0, 0.4, 0.6], [0.5, 0.5, 0.0]]))
    v = Const(np.array([[0.0, 2.0, 1.0], [1.0, 2.0, 0.0]]))
    check(lambda lib, p, v: lib.distributions.Multinomial(3, p).log_prob(v), p, v, dtype=np.float64)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("param", ["probs", "logits"])
def test_negative_binomial(batch, dtype, param):
    k = Const(np.random.default_rng(1).integers(0, 8, (4,) + batch).astype(dtype))

    def fn(lib, r, x, k):
        D = lib.distributions
        d = (D.NegativeBinomial(r * 2, probs=lib.sigmoid(x)) if param == "probs"
             else D.NegativeBinomial(r * 2, logits=x))
        return d.log_prob(k), d.mean, d.variance, d.mode, d.probs, d.logits

    check(fn, _pos(batch, dtype).value, batch, k, dtype=dtype, **_tol(dtype))


def test_negative_binomial_zero_count():
    check(lambda lib, p: lib.distributions.NegativeBinomial(lib.tensor([0.0, 0.0, 2.0], dtype=p.dtype), p).log_prob(
        lib.tensor([0.0, 1.0, 0.0], dtype=p.dtype)), Const(np.array([0.3, 0.3, 0.3])), dtype=np.float64)


# --- relaxed ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("param", ["probs", "logits"])
def test_relaxed_bernoulli(batch, dtype, param):
    def fn(lib, t, x, v):
        D = lib.distributions
        d = (D.RelaxedBernoulli(t, probs=lib.sigmoid(x)) if param == "probs"
             else D.RelaxedBernoulli(t, logits=x))
        return d.log_prob(v), d.probs, d.logits, d.temperature * 1

    check(fn, (), batch, _u((4,) + batch, dtype), dtype=dtype, rtol=1e-3 if dtype == np.float32 else None)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("param", ["probs", "logits"])
def test_relaxed_one_hot_categorical(batch, dtype, param):
    def fn(lib, t, x, w):
        D = lib.distributions
        d = (D.RelaxedOneHotCategorical(t.exp(), probs=x.softmax(-1)) if param == "probs"
             else D.RelaxedOneHotCategorical(t.exp(), logits=x))
        return d.log_prob(w.softmax(-1)), d.probs, d.logits

    check(fn, (), batch + (4,), Const(np.random.default_rng(3).standard_normal((5,) + batch + (4,)).astype(dtype)),
          dtype=dtype, rtol=1e-3 if dtype == np.float32 else None)


# --- shapes, expand, samples ------------------------------------------------------------------------------
def _makers(lib):
    D = lib.distributions
    z, o = lib.zeros(3), lib.ones(3)
    return {
        "LogNormal": lambda: D.LogNormal(z, o), "HalfNormal": lambda: D.HalfNormal(o),
        "HalfCauchy": lambda: D.HalfCauchy(o), "Gumbel": lambda: D.Gumbel(z, o), "Weibull": lambda: D.Weibull(o, o * 2),
        "Pareto": lambda: D.Pareto(o, o * 3), "Kumaraswamy": lambda: D.Kumaraswamy(o * 2, o * 3),
        "LogisticNormal": lambda: D.LogisticNormal(lib.zeros(3, 2), lib.ones(3, 2)),
        "StudentT": lambda: D.StudentT(o * 4), "Chi2": lambda: D.Chi2(o * 3),
        "FisherSnedecor": lambda: D.FisherSnedecor(o * 3, o * 5), "InverseGamma": lambda: D.InverseGamma(o * 3, o),
        "Binomial": lambda: D.Binomial(5, o * 0.3), "Multinomial": lambda: D.Multinomial(5, lib.ones(3, 4)),
        "NegativeBinomial": lambda: D.NegativeBinomial(o * 3, o * 0.4),
        "RelaxedBernoulli": lambda: D.RelaxedBernoulli(lib.tensor(0.5), o * 0.3),
        "RelaxedOneHotCategorical": lambda: D.RelaxedOneHotCategorical(lib.tensor(0.5), lib.ones(3, 4)),
        "TransformedDistribution": lambda: D.TransformedDistribution(D.Normal(z, o), D.transforms.ExpTransform()),
    }


@pytest.mark.parametrize("name", list(_makers(torch)))
def test_shapes_and_expand(name):
    t, g = _makers(torch)[name](), _makers(glasstorch)[name]()
    assert tuple(g.batch_shape) == tuple(t.batch_shape) and tuple(g.event_shape) == tuple(t.event_shape)
    assert g.has_rsample == t.has_rsample and g.has_enumerate_support == t.has_enumerate_support
    assert repr(g.support) == repr(t.support)
    for sample_shape in [(), (5,), (2, 4)]:
        ts, gs = t.sample(sample_shape), g.sample(sample_shape)
        assert tuple(gs.shape) == tuple(ts.shape) and str(gs.dtype).split(".")[-1] == str(ts.dtype).split(".")[-1]
        assert not gs.requires_grad
        if g.has_rsample:
            assert tuple(g.rsample(sample_shape).shape) == tuple(ts.shape)
    te, ge = t.expand((2, 3)), g.expand((2, 3))
    assert type(ge) is type(g) and tuple(ge.batch_shape) == tuple(te.batch_shape) == (2, 3)
    assert tuple(ge.sample((4,)).shape) == tuple(te.sample((4,)).shape)
    v = te.sample()
    gv = glasstorch.from_numpy(v.numpy().copy())
    np.testing.assert_allclose(ge.log_prob(gv).numpy(), te.log_prob(v).numpy(), rtol=1e-4, atol=1e-5)
    assert ge._validate_args == te._validate_args


def _t(*values):
    return glasstorch.tensor(values, dtype=glasstorch.float64)


N = 200_000
D = glasstorch.distributions
MOMENTS = {
    "LogNormal": lambda: D.LogNormal(_t(-1.0, 0.5), _t(0.3, 0.6)),
    "HalfNormal": lambda: D.HalfNormal(_t(0.5, 3.0)),
    "Gumbel": lambda: D.Gumbel(_t(-1.0, 2.0), _t(0.5, 3.0)),
    "Weibull": lambda: D.Weibull(_t(0.5, 3.0), _t(1.5, 4.0)),
    "Pareto": lambda: D.Pareto(_t(0.5, 3.0), _t(5.0, 7.0)),
    "Kumaraswamy": lambda: D.Kumaraswamy(_t(0.5, 3.0), _t(2.0, 1.5)),
    "StudentT": lambda: D.StudentT(_t(6.0, 10.0), _t(1.0, -1.0), _t(0.5, 2.0)),
    "Chi2": lambda: D.Chi2(_t(0.7, 5.0)),
    "FisherSnedecor": lambda: D.FisherSnedecor(_t(5.0, 10.0), _t(12.0, 20.0)),
    "InverseGamma": lambda: D.InverseGamma(_t(6.0, 9.0), _t(1.0, 3.0)),
    "Binomial": lambda: D.Binomial(_t(5.0, 20.0), _t(0.3, 0.8)),
    "Multinomial": lambda: D.Multinomial(7, _t(0.2, 0.3, 0.5)),
    "NegativeBinomial": lambda: D.NegativeBinomial(_t(3.0, 0.5), _t(0.4, 0.7)),
}


@pytest.mark.parametrize("name", list(MOMENTS))
def test_sample_moments(name):
    d = MOMENTS[name]()
    glasstorch.manual_seed(0)
    x = d.sample((N,)).numpy()
    mean, std = d.mean.detach().numpy(), d.stddev.detach().numpy()
    np.testing.assert_allclose(x.mean(0), mean, atol=6 * std.max() / np.sqrt(N))
    np.testing.assert_allclose(x.std(0), std, rtol=0.04)
    assert bool(d.support.check(glasstorch.from_numpy(x)).all())


def test_relaxed_samples():
    glasstorch.manual_seed(0)
    p = _t(0.2, 0.7)
    x = D.RelaxedBernoulli(glasstorch.tensor(0.05, dtype=glasstorch.float64), p).sample((N,)).numpy()
    np.testing.assert_allclose((x > 0.5).mean(0), p.numpy(), atol=0.01)  # near-hard draws at low temperature
    y = D.RelaxedOneHotCategorical(glasstorch.tensor(0.05, dtype=glasstorch.float64), _t(0.1, 0.3, 0.6)).sample((N,))
    np.testing.assert_allclose(y.numpy().sum(-1), 1.0, rtol=1e-9)
    np.testing.assert_allclose(np.bincount(y.numpy().argmax(-1), minlength=3) / N, [0.1, 0.3, 0.6], atol=0.01)


def _seeded(fn):
    def run(lib, *xs):
        lib.manual_seed(11)
        return fn(lib, *xs)
    return run


RSAMPLE = {
    "LogNormal": (lambda D, a, b: D.LogNormal(a, b), 2),
    "HalfNormal": (lambda D, a: D.HalfNormal(a), 1),
    "HalfCauchy": (lambda D, a: D.HalfCauchy(a), 1),
    "Kumaraswamy": (lambda D, a, b: D.Kumaraswamy(a, b), 2),
    "LogisticNormal": (lambda D, a, b: D.LogisticNormal(a, b), 2),
    # gamma-based draws are not smooth in the concentration (rejection sampling): check the other parameters
    "StudentT": (lambda D, a, b: D.StudentT(D_const(a, 4.0), a, b), 2),
    "InverseGamma": (lambda D, b: D.InverseGamma(D_const(b, 3.0), b), 1),
    "RelaxedBernoulli": (lambda D, a, b: D.RelaxedBernoulli(a, logits=b), 2),
    "RelaxedOneHotCategorical": (lambda D, a, b: D.RelaxedOneHotCategorical(a[0], logits=b), 2),
}


@pytest.mark.parametrize("name", list(RSAMPLE))
def test_rsample_gradcheck(name):
    make, n = RSAMPLE[name]
    gradcheck(_seeded(lambda lib, *ps: make(lib.distributions, *ps).rsample((4,))), *([(3,)] * n), positive=True)


def D_const(like, value):
    return like.detach() * 0 + value


def test_gamma_based_rsample_gradient_unbiased():
    """d E[x]/d θ over many draws for the distributions whose draws go through gamma draws."""
    glasstorch.manual_seed(0)
    df = _t(3.0, 7.0).requires_grad_()
    D.Chi2(df).rsample((N,)).mean(0).sum().backward()
    np.testing.assert_allclose(df.grad.numpy(), [1.0, 1.0], rtol=0.03)  # E = df
    c = _t(4.0, 6.0).requires_grad_()
    D.InverseGamma(c, _t(2.0, 3.0)).rsample((N,)).mean(0).sum().backward()
    np.testing.assert_allclose(c.grad.numpy(), [-2.0 / 9, -3.0 / 25], rtol=0.05)  # E = rate/(c − 1)
    d2 = _t(8.0, 12.0).requires_grad_()
    D.FisherSnedecor(_t(5.0, 6.0), d2).rsample((N,)).mean(0).sum().backward()
    np.testing.assert_allclose(d2.grad.numpy(), [-2.0 / 36, -2.0 / 100], rtol=0.1)  # E = d2/(d2 − 2)


@pytest.mark.parametrize("name", ["LogNormal", "HalfNormal", "StudentT", "Kumaraswamy", "Gumbel", "Weibull",
                                  "InverseGamma", "Pareto"])
def test_log_prob_gradcheck(name):
    make = CONTINUOUS[name][0]
    if name == "Kumaraswamy":
        fn = lambda lib, a, b, x: make(lib.distributions, a, b).log_prob(x.sigmoid())  # noqa: E731
    elif name == "Pareto":
        fn = lambda lib, a, b, x: make(lib.distributions, a, b).log_prob(x + 0.4)  # noqa: E731
    else:
        fn = lambda lib, a, b, x: make(lib.distributions, a, b).log_prob(x)  # noqa: E731
    gradcheck(fn, (3,), (3,), (2, 3), positive=True)


# --- validation ---------------------------------------------------------------------------------------------
INVALID = [
    ("LogNormal", lambda D, x: D.LogNormal(x, -x.abs()), "scale"),
    ("HalfNormal", lambda D, x: D.HalfNormal(-x.abs()), "scale"),
    ("HalfCauchy", lambda D, x: D.HalfCauchy(-x.abs()), "scale"),
    ("Gumbel", lambda D, x: D.Gumbel(x, -x.abs()), "scale"),
    ("Weibull", lambda D, x: D.Weibull(x.abs() + 1, -x.abs()), "concentration"),
    ("Pareto", lambda D, x: D.Pareto(-x.abs(), x.abs() + 1), "scale"),
    ("Kumaraswamy", lambda D, x: D.Kumaraswamy(-x.abs(), x.abs() + 1), "concentration1"),
    ("StudentT", lambda D, x: D.StudentT(-x.abs()), "df"),
    ("Chi2", lambda D, x: D.Chi2(-x.abs()), "df"),
    # as PyTorch: the inner Gamma(df2/2, df2) is validated first
    ("FisherSnedecor", lambda D, x: D.FisherSnedecor(x.abs() + 1, -x.abs()), "concentration"),
    ("InverseGamma", lambda D, x: D.InverseGamma(-x.abs(), x.abs() + 1), "concentration"),
    ("Binomial count", lambda D, x: D.Binomial(x.abs() + 0.5, probs=x.sigmoid()), "total_count"),
    ("Binomial probs", lambda D, x: D.Binomial(3, probs=x.abs() + 1), "probs"),
    ("Multinomial", lambda D, x: D.Multinomial(3, probs=x), "probs"),
    ("NegativeBinomial", lambda D, x: D.NegativeBinomial(-x.abs() - 1, probs=x.sigmoid()), "total_count"),
    ("RelaxedBernoulli", lambda D, x: D.RelaxedBernoulli(D_t(x), probs=x.abs() + 1), "probs"),
]


def D_t(x):
    return x[0].abs() + 1


@pytest.mark.parametrize("name,make,param", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_arguments(name, make, param):
    check_error(lambda lib, x: make(lib.distributions, x), (3,), exc=ValueError, match=f"Expected parameter {param} ")


OUT_OF_SUPPORT = [
    ("LogNormal", lambda D, lib: D.LogNormal(lib.zeros(2), lib.ones(2)), lambda lib: lib.tensor([-1.0, 1.0])),
    ("HalfNormal", lambda D, lib: D.HalfNormal(lib.ones(2)), lambda lib: lib.tensor([-1.0, 1.0])),
    ("Kumaraswamy", lambda D, lib: D.Kumaraswamy(lib.ones(2), lib.ones(2)), lambda lib: lib.tensor([0.5, 1.5])),
    ("Pareto", lambda D, lib: D.Pareto(lib.ones(2), lib.ones(2)), lambda lib: lib.tensor([0.5, 1.5])),
    ("Binomial", lambda D, lib: D.Binomial(3, lib.full((2,), 0.5)), lambda lib: lib.tensor([4.0, 1.0])),
    ("Binomial frac", lambda D, lib: D.Binomial(3, lib.full((2,), 0.5)), lambda lib: lib.tensor([0.5, 1.0])),
    ("Multinomial", lambda D, lib: D.Multinomial(3, lib.ones(3)), lambda lib: lib.tensor([2.0, 2.0, 0.0])),
    ("NegativeBinomial", lambda D, lib: D.NegativeBinomial(2.0, lib.full((2,), 0.5)),
     lambda lib: lib.tensor([-1.0, 1.0])),
    ("RelaxedBernoulli", lambda D, lib: D.RelaxedBernoulli(lib.tensor(0.5), lib.full((2,), 0.5)),
     lambda lib: lib.tensor([1.5, 0.5])),
    ("RelaxedOneHotCategorical", lambda D, lib: D.RelaxedOneHotCategorical(lib.tensor(0.5), lib.ones(3)),
     lambda lib: lib.tensor([0.5, 0.6, 0.1])),
]


@pytest.mark.parametrize("name,make,value", OUT_OF_SUPPORT, ids=[c[0] for c in OUT_OF_SUPPORT])
def test_log_prob_outside_support(name, make, value):
    for lib in (torch, glasstorch):
        with pytest.raises(ValueError, match="Expected value argument"):
            make(lib.distributions, lib).log_prob(value(lib))


def test_constructor_errors():
    for lib in (torch, glasstorch):
        D = lib.distributions
        for cls in (D.Binomial, D.NegativeBinomial):
            with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both."):
                cls(2)
        with pytest.raises(ValueError, match="Either `probs` or `logits`"):
            D.RelaxedBernoulli(lib.tensor(1.0))
        with pytest.raises(NotImplementedError, match="inhomogeneous total_count"):
            D.Multinomial(lib.tensor(3), lib.ones(3))
        with pytest.raises(ValueError, match="transforms must be a Transform or"):
            D.TransformedDistribution(D.Normal(0.0, 1.0), 3)
        with pytest.raises(ValueError, match="base_distribution needs to have shape with size at least 1"):
            D.TransformedDistribution(D.Normal(0.0, 1.0), D.transforms.StickBreakingTransform())


def test_arg_constraints_repr():
    for name in ["LogNormal", "HalfNormal", "HalfCauchy", "Gumbel", "Weibull", "Pareto", "Kumaraswamy", "StudentT",
                 "Chi2", "FisherSnedecor", "InverseGamma", "Binomial", "Multinomial", "NegativeBinomial",
                 "RelaxedBernoulli", "RelaxedOneHotCategorical", "LogisticNormal"]:
        g, t = getattr(glasstorch.distributions, name), getattr(torch.distributions, name)
        assert ({k: repr(v) for k, v in g.arg_constraints.items()}
                == {k: repr(v) for k, v in t.arg_constraints.items()}), name
