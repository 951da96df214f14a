"""Distributions against PyTorch: log_prob, entropy, cdf, moments and their gradients (parity.check runs the
same lambda on torch.distributions and glasstorch.distributions), argument and support validation errors."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check, check_error

BATCHES = [(), (3,), (2, 3)]
DTYPES = [np.float32, np.float64]


def _u(shape, dtype, lo=0.05, hi=0.95, seed=7):
    return Const(np.random.default_rng(seed).uniform(lo, hi, shape).astype(dtype))


def _stats(d, value, cdf=True):
    """The numbers every continuous scalar distribution is compared on."""
    out = [d.log_prob(value), d.entropy(), d.mean, d.variance, d.stddev, d.perplexity()]
    if cdf:
        out.append(d.cdf(value))
    return tuple(out)


# --- scalar continuous distributions -----------------------------------------------------------------------
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_normal(batch, dtype):
    value = Const(np.random.default_rng(3).standard_normal((4,) + batch).astype(dtype))
    check(lambda torch, loc, s, v: _stats(torch.distributions.Normal(loc, s.exp()), v) + (
        torch.distributions.Normal(loc, s.exp()).mode * 1,), batch, batch, value, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_normal_icdf(dtype):
    check(lambda torch, loc, s, u: torch.distributions.Normal(loc, s.exp()).icdf(u), (3,), (3,),
          _u((3,), dtype), dtype=dtype)


def test_normal_numbers():
    """Python numbers as parameters: batch_shape (), the default dtype."""
    for lib in (torch, glasstorch):
        d = lib.distributions.Normal(0.0, 2.0)
        assert tuple(d.batch_shape) == () and str(d.loc.dtype).endswith("float32")
    g = glasstorch.distributions.Normal(0.0, 2.0).log_prob(glasstorch.tensor(1.0))
    t = torch.distributions.Normal(0.0, 2.0).log_prob(torch.tensor(1.0))
    np.testing.assert_allclose(g.item(), t.item(), rtol=1e-6)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_uniform(batch, dtype):
    def fn(torch, low, w, u):
        d = torch.distributions.Uniform(low, low + w)
        return _stats(d, low + w * u) + (d.icdf(u),)

    check(fn, batch, batch, _u((4,) + batch, dtype), dtype=dtype, positive=True)


def test_uniform_outside_support_without_validation():
    """log_prob is -inf outside [low, high) when validation is off."""
    for lib in (torch, glasstorch):
        d = lib.distributions.Uniform(lib.tensor([0.0, 0.0]), lib.tensor([1.0, 1.0]), validate_args=False)
        lp = d.log_prob(lib.tensor([2.0, 0.5]))
        assert np.isneginf(lp[0].item()) and np.isclose(lp[1].item(), 0.0)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_exponential(batch, dtype):
    def fn(torch, rate, x, u):
        d = torch.distributions.Exponential(rate)
        return _stats(d, x) + (d.icdf(u), d.mode)

    check(fn, batch, (4,) + batch, _u(batch, dtype), dtype=dtype, positive=True)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_laplace(batch, dtype):
    def fn(torch, loc, scale, x, u):
        d = torch.distributions.Laplace(loc, scale)
        return _stats(d, x) + (d.icdf(u), d.mode * 1)

    check(fn, batch, batch, Const(np.random.default_rng(2).standard_normal((4,) + batch).astype(dtype) * 3),
          _u(batch, dtype), dtype=dtype, positive=True)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_gamma(batch, dtype):
    def fn(torch, conc, rate, x):
        d = torch.distributions.Gamma(conc, rate)
        return _stats(d, x, cdf=False) + (d.mode,)

    check(fn, batch, batch, (4,) + batch, dtype=dtype, positive=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gamma_cdf(dtype):
    """cdf (the regularized incomplete gamma) and its gradient with respect to the value."""
    x = np.random.default_rng(5).uniform(0.2, 4, (4, 3)).astype(dtype)
    check(lambda torch, c, r, x: torch.distributions.Gamma(c, r).cdf(x), Const(np.array([0.7, 2.0, 5.0], dtype)),
          Const(np.array([1.0, 0.5, 2.0], dtype)), x, dtype=dtype)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_beta(batch, dtype):
    def fn(torch, a, b, u):
        d = torch.distributions.Beta(a, b)
        return _stats(d, u, cdf=False) + (d.concentration1, d.concentration0)

    check(fn, batch, batch, _u((4,) + batch, dtype), dtype=dtype, positive=True)


def test_beta_mode():
    a, b = np.array([2.0, 3.0, 0.5]), np.array([3.0, 1.5, 4.0])
    check(lambda torch, a, b: torch.distributions.Beta(a, b).mode, Const(a), Const(b), dtype=np.float64)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_dirichlet(batch, dtype):
    def fn(torch, conc, w):
        d = torch.distributions.Dirichlet(conc)
        value = w / w.sum(-1, keepdim=True)
        return d.log_prob(value), d.entropy(), d.mean, d.variance, d.mode

    # rtol 1e-7 in float64: lgamma/digamma agree with PyTorch's to ~1e-8 relative
    check(fn, batch + (4,), (5,) + batch + (4,), dtype=dtype, positive=True, rtol=1e-7 if dtype == np.float64 else None)


def test_dirichlet_mode_corner():
    """All concentrations below 1: the mode is the argmax corner."""
    conc = np.array([[0.5, 0.3, 0.9], [2.0, 3.0, 1.5]])
    check(lambda torch, c: torch.distributions.Dirichlet(c).mode, Const(conc), dtype=np.float64)


# --- discrete distributions --------------------------------------------------------------------------------
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("param", ["probs", "logits"])
def test_bernoulli(batch, dtype, param):
    value = Const(np.random.default_rng(1).integers(0, 2, (4,) + batch).astype(dtype))

    def fn(torch, x, v):
        d = (torch.distributions.Bernoulli(probs=torch.sigmoid(x)) if param == "probs"
             else torch.distributions.Bernoulli(logits=x))
        return d.log_prob(v), d.entropy(), d.mean * 1, d.variance, d.probs, d.logits, d.mode

    check(fn, batch, value, dtype=dtype)


def test_bernoulli_mode_half_and_enumerate():
    check(lambda torch, p: torch.distributions.Bernoulli(p).mode, Const(np.array([0.2, 0.5, 0.9])),
          dtype=np.float64)
    for batch in BATCHES:
        check(lambda torch, p: (torch.distributions.Bernoulli(p).enumerate_support(),
                                torch.distributions.Bernoulli(p).enumerate_support(expand=False)),
              Const(np.full(batch, 0.3, np.float32)))


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("param", ["probs", "logits"])
def test_categorical(batch, dtype, param):
    value = Const(np.random.default_rng(1).integers(0, 4, (5,) + batch))

    def fn(torch, x, v):
        d = (torch.distributions.Categorical(probs=torch.softmax(x, -1) * 3) if param == "probs"
             else torch.distributions.Categorical(logits=x))
        return d.log_prob(v), d.entropy(), d.probs, d.logits, d.mode, d.mean, d.variance, d.perplexity()

    check(fn, batch + (4,), value, dtype=dtype)


def test_categorical_zero_probability():
    """A zero probability: entropy stays finite, log_prob of that class is -inf."""
    p = np.array([[0.0, 0.25, 0.75], [0.5, 0.5, 0.0]])
    check(lambda torch, p, v: (torch.distributions.Categorical(p).entropy(),
                               torch.distributions.Categorical(p).log_prob(v)), Const(p), Const(np.array([0, 1])),
          dtype=np.float64)


@pytest.mark.parametrize("batch", BATCHES)
def test_categorical_enumerate_support(batch):
    check(lambda torch, p: (torch.distributions.Categorical(p).enumerate_support(),
                            torch.distributions.Categorical(p).enumerate_support(False)),
          Const(np.full(batch + (3,), 1 / 3, np.float32)))


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_one_hot_categorical(batch, dtype):
    idx = np.random.default_rng(1).integers(0, 4, (5,) + batch)
    value = Const(np.eye(4, dtype=dtype)[idx])

    def fn(torch, x, v):
        d = torch.distributions.OneHotCategorical(logits=x)
        return (d.log_prob(v), d.entropy(), d.mean * 1, d.variance, d.mode, d.probs, d.enumerate_support(),
                d.enumerate_support(False))

    check(fn, batch + (4,), value, dtype=dtype)


# --- multivariate ------------------------------------------------------------------------------------------
def _tril(lib, a):
    """A lower Cholesky factor made from an unconstrained matrix: tril with a positive (exp) diagonal."""
    return a.tril(-1) + torch_like_diag_embed(lib, a.diagonal(dim1=-2, dim2=-1).exp())


def torch_like_diag_embed(lib, d):
    n = d.shape[-1]
    return d.unsqueeze(-1) * lib.eye(n, dtype=d.dtype)


@pytest.mark.parametrize("batch", [(), (2,), (2, 3)])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("param", ["scale_tril", "covariance_matrix", "precision_matrix"])
def test_multivariate_normal(batch, dtype, param):
    def fn(torch, loc, a, x):
        L = _tril(torch, a)
        if param == "scale_tril":
            d = torch.distributions.MultivariateNormal(loc, scale_tril=L)
        elif param == "covariance_matrix":
            d = torch.distributions.MultivariateNormal(loc, covariance_matrix=L @ L.mT)
        else:
            d = torch.distributions.MultivariateNormal(loc, precision_matrix=L @ L.mT)
        return (d.log_prob(x), d.entropy(), d.mean, d.variance, d.mode * 1, d.scale_tril, d.covariance_matrix,
                d.precision_matrix)

    tol = dict(rtol=2e-3, atol=1e-4) if dtype == np.float32 else {}
    check(fn, batch + (3,), batch + (3, 3), (4,) + batch + (3,), dtype=dtype, **tol)


def test_multivariate_normal_broadcast_loc():
    """loc batched, one shared scale_tril (and the other way round)."""
    check(lambda torch, loc, a, x: torch.distributions.MultivariateNormal(loc, scale_tril=_tril(torch, a)).log_prob(x),
          (2, 3), (3, 3), (5, 2, 3), dtype=np.float64)
    check(lambda torch, loc, a, x: torch.distributions.MultivariateNormal(loc, scale_tril=_tril(torch, a)).log_prob(x),
          (3,), (2, 3, 3), (5, 1, 3), dtype=np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
def test_independent(dtype):
    def fn(torch, loc, s, x):
        d = torch.distributions.Independent(torch.distributions.Normal(loc, s.exp()), 1)
        return d.log_prob(x), d.entropy(), d.mean, d.variance, d.mode * 1

    check(fn, (2, 3), (2, 3), (4, 2, 3), dtype=dtype)


def test_independent_shapes():
    for lib in (torch, glasstorch):
        base = lib.distributions.Normal(lib.zeros(4, 2, 3), lib.ones(4, 2, 3))
        d = lib.distributions.Independent(base, 2)
        assert tuple(d.batch_shape) == (4,) and tuple(d.event_shape) == (2, 3)
        assert tuple(d.sample((5,)).shape) == (5, 4, 2, 3)
        assert d.has_rsample and not d.has_enumerate_support
        e = d.expand((6, 4))
        assert tuple(e.batch_shape) == (6, 4) and tuple(e.log_prob(lib.zeros(2, 3)).shape) == (6, 4)
        with pytest.raises(ValueError, match="reinterpreted_batch_ndims"):
            lib.distributions.Independent(base, 4)


# --- shapes: expand, batch/event shapes ----------------------------------------------------------------------
def _makers(lib):
    D = lib.distributions
    return {
        "Normal": lambda: D.Normal(lib.zeros(3), lib.ones(3)),
        "Bernoulli": lambda: D.Bernoulli(lib.full((3,), 0.3)),
        "Categorical": lambda: D.Categorical(lib.ones(3, 4)),
        "OneHotCategorical": lambda: D.OneHotCategorical(lib.ones(3, 4)),
        "Uniform": lambda: D.Uniform(lib.zeros(3), lib.ones(3)),
        "Exponential": lambda: D.Exponential(lib.ones(3)),
        "Laplace": lambda: D.Laplace(lib.zeros(3), lib.ones(3)),
        "Gamma": lambda: D.Gamma(lib.ones(3), lib.ones(3)),
        "Beta": lambda: D.Beta(lib.ones(3), lib.ones(3)),
        "Dirichlet": lambda: D.Dirichlet(lib.ones(3, 4)),
        "MultivariateNormal": lambda: D.MultivariateNormal(lib.zeros(3, 2), lib.eye(2)),
        "Independent": lambda: D.Independent(D.Normal(lib.zeros(3, 2), lib.ones(3, 2)), 1),
        "Poisson": lambda: D.Poisson(lib.full((3,), 2.0)),
        "Geometric": lambda: D.Geometric(lib.full((3,), 0.3)),
        "Cauchy": lambda: D.Cauchy(lib.zeros(3), lib.ones(3)),
    }


@pytest.mark.parametrize("name", list(_makers(torch)))
def test_shapes_and_expand(name):
    t, g = _makers(torch)[name](), _makers(glasstorch)[name]()
    assert tuple(g.batch_shape) == tuple(t.batch_shape) and tuple(g.event_shape) == tuple(t.event_shape)
    assert g.has_rsample == t.has_rsample and g.has_enumerate_support == t.has_enumerate_support
    for sample_shape in [(), (5,), (2, 4)]:
        ts, gs = t.sample(sample_shape), g.sample(sample_shape)
        assert tuple(gs.shape) == tuple(ts.shape) and str(gs.dtype).split(".")[-1] == str(ts.dtype).split(".")[-1]
        assert not gs.requires_grad
    te, ge = t.expand((2, 3)), g.expand((2, 3))
    assert tuple(ge.batch_shape) == tuple(te.batch_shape) == (2, 3)
    assert tuple(ge.sample((4,)).shape) == tuple(te.sample((4,)).shape)
    v = te.sample()
    gv = glasstorch.from_numpy(v.numpy().copy())
    np.testing.assert_allclose(ge.log_prob(gv).numpy(), te.log_prob(v).numpy(), rtol=1e-5, atol=1e-6)
    assert ge._validate_args == te._validate_args


@pytest.mark.parametrize("name", ["Normal", "Uniform", "Exponential", "Laplace", "Gamma", "Beta", "Bernoulli"])
def test_sample_dtype_float64(name):
    D = glasstorch.distributions
    p = glasstorch.full((3,), 0.5, dtype=glasstorch.float64)
    d = {"Normal": lambda: D.Normal(p, p), "Uniform": lambda: D.Uniform(p, p + 1),
         "Exponential": lambda: D.Exponential(p),
         "Laplace": lambda: D.Laplace(p, p), "Gamma": lambda: D.Gamma(p, p), "Beta": lambda: D.Beta(p, p),
         "Bernoulli": lambda: D.Bernoulli(p)}[name]()
    assert d.sample((2,)).dtype == glasstorch.float64
    if d.has_rsample:
        assert d.rsample((2,)).dtype == glasstorch.float64


# --- validation --------------------------------------------------------------------------------------------
INVALID = [
    ("Normal", lambda D, x: D.Normal(x, -x.abs() - 1), "scale"),
    ("Normal loc nan", lambda D, x: D.Normal(x * float("nan"), x.abs() + 1), "loc"),
    ("Bernoulli", lambda D, x: D.Bernoulli(probs=x.abs() + 1), "probs"),
    ("Categorical", lambda D, x: D.Categorical(probs=x.abs() - (x.abs().max() + 1) * (x == x.max())), "probs"),
    ("Uniform", lambda D, x: D.Uniform(x + 1, x), "low"),
    ("Exponential", lambda D, x: D.Exponential(-x.abs()), "rate"),
    ("Laplace", lambda D, x: D.Laplace(x, x * 0), "scale"),
    ("Gamma", lambda D, x: D.Gamma(-x.abs(), x.abs() + 1), "concentration"),
    ("Beta", lambda D, x: D.Beta(x.abs() + 1, -x.abs()), "concentration"),
    ("Dirichlet", lambda D, x: D.Dirichlet(-x.abs()), "concentration"),
    ("MVN scale_tril", lambda D, x: D.MultivariateNormal(x, scale_tril=-D_eye(x)), "scale_tril"),
    ("MVN covariance", lambda D, x: D.MultivariateNormal(x, covariance_matrix=-D_eye(x)), "covariance_matrix"),
]


def D_eye(x):
    return (x.unsqueeze(-1) * 0 + 1).tril() * (x.unsqueeze(-1) * 0 + 1).triu()


@pytest.mark.parametrize("name,make,param", INVALID, ids=[c[0] for c in INVALID])
def test_invalid_arguments(name, make, param):
    err = check_error(lambda torch, x: make(torch.distributions, x), (3,), exc=ValueError,
                      match=f"Expected parameter {param} ")
    assert "to satisfy the constraint" in str(err) and "but found invalid values" in str(err)


def test_invalid_argument_message():
    with pytest.raises(ValueError) as info:
        glasstorch.distributions.Normal(glasstorch.zeros(3), glasstorch.tensor([1.0, -1.0, 2.0]))
    msg = str(info.value)
    assert msg.startswith("Expected parameter scale (Tensor of shape (3,)) of distribution Normal(")
    assert "to satisfy the constraint GreaterThan(lower_bound=0.0), but found invalid values:\ntensor(" in msg


def test_validate_args_off():
    for lib in (torch, glasstorch):
        d = lib.distributions.Normal(lib.zeros(2), -lib.ones(2), validate_args=False)
        assert d.log_prob(lib.zeros(2)).shape == (2,)
    assert glasstorch.distributions.Distribution._validate_args is True  # PyTorch's default (__debug__)
    try:
        glasstorch.distributions.Distribution.set_default_validate_args(False)
        glasstorch.distributions.Exponential(-glasstorch.ones(2))  # no error
    finally:
        glasstorch.distributions.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        glasstorch.distributions.Distribution.set_default_validate_args(3)


OUT_OF_SUPPORT = [
    ("Bernoulli", lambda D, lib: D.Bernoulli(lib.full((2,), 0.3)), lambda lib: lib.tensor([0.5, 1.0])),
    ("Categorical", lambda D, lib: D.Categorical(lib.ones(2, 3)), lambda lib: lib.tensor([0, 3])),
    ("OneHotCategorical", lambda D, lib: D.OneHotCategorical(lib.ones(3)), lambda lib: lib.tensor([1.0, 1.0, 0.0])),
    ("Exponential", lambda D, lib: D.Exponential(lib.ones(2)), lambda lib: lib.tensor([-1.0, 1.0])),
    ("Uniform", lambda D, lib: D.Uniform(lib.zeros(2), lib.ones(2)), lambda lib: lib.tensor([0.5, 1.5])),
    ("Gamma", lambda D, lib: D.Gamma(lib.ones(2), lib.ones(2)), lambda lib: lib.tensor([-0.5, 1.5])),
    ("Beta", lambda D, lib: D.Beta(lib.ones(2), lib.ones(2)), lambda lib: lib.tensor([0.5, 1.5])),
    ("Dirichlet", lambda D, lib: D.Dirichlet(lib.ones(3)), lambda lib: lib.tensor([0.5, 0.6, 0.1])),
    ("Normal", lambda D, lib: D.Normal(lib.zeros(2), lib.ones(2)), lambda lib: lib.tensor([float("nan"), 0.0])),
]


@pytest.mark.parametrize("name,make,value", OUT_OF_SUPPORT, ids=[c[0] for c in OUT_OF_SUPPORT])
def test_log_prob_outside_support(name, make, value):
    for lib in (torch, glasstorch):
        with pytest.raises(ValueError, match="Expected value argument"):
            make(lib.distributions, lib).log_prob(value(lib))


def test_log_prob_shape_errors():
    for lib in (torch, glasstorch):
        d = lib.distributions.MultivariateNormal(lib.zeros(2, 3), lib.eye(3))
        with pytest.raises(ValueError, match="The right-most size of value must match event_shape"):
            d.log_prob(lib.zeros(2, 4))
        with pytest.raises(ValueError, match="Value is not broadcastable with batch_shape"):
            lib.distributions.Normal(lib.zeros(3), lib.ones(3)).log_prob(lib.zeros(4))
        with pytest.raises(ValueError, match="must be a Tensor"):
            lib.distributions.Normal(lib.zeros(3), lib.ones(3)).log_prob(1.0)


def test_constructor_errors():
    for lib in (torch, glasstorch):
        D = lib.distributions
        with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified, but not both."):
            D.Bernoulli()
        with pytest.raises(ValueError, match="Either `probs` or `logits`"):
            D.Categorical(lib.ones(3), lib.ones(3))
        with pytest.raises(ValueError, match="at least one-dimensional"):
            D.Categorical(lib.tensor(1.0))
        with pytest.raises(ValueError, match="Exactly one of covariance_matrix or precision_matrix or scale_tril"):
            D.MultivariateNormal(lib.zeros(2))
        with pytest.raises(ValueError, match="loc must be at least one-dimensional"):
            D.MultivariateNormal(lib.tensor(0.0), lib.eye(2))
        with pytest.raises(ValueError, match="at least one-dimensional"):
            D.Dirichlet(lib.tensor(1.0))


def test_support_and_arg_constraints_repr():
    D, C = glasstorch.distributions, glasstorch.distributions.constraints
    T = torch.distributions
    for name in ["Normal", "Bernoulli", "Exponential", "Laplace", "Gamma", "Beta", "Dirichlet", "MultivariateNormal",
                 "OneHotCategorical"]:
        assert repr(getattr(D, name).support) == repr(getattr(T, name).support), name
        assert ({k: repr(v) for k, v in getattr(D, name).arg_constraints.items()}
                == {k: repr(v) for k, v in getattr(T, name).arg_constraints.items()}), name
    assert repr(D.Uniform(0.0, 2.0).support) == repr(T.Uniform(0.0, 2.0).support)
    assert repr(D.Categorical(glasstorch.ones(4)).support) == "IntegerInterval(lower_bound=0, upper_bound=3)"
    assert C.is_dependent(D.Uniform.support) and not C.is_dependent(C.real)
