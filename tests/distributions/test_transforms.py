"""Transforms against PyTorch: forward, inverse, log_abs_det_jacobian (values and gradients), shapes, domains,
caching; biject_to / transform_to."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check, gradcheck

DTYPES = [np.float32, np.float64]


def _T(lib):
    return lib.distributions.transforms


# name -> (make(lib) -> transform, input shape, x maker from a normal array)
def _affine_tensor(lib):
    return _T(lib).AffineTransform(lib.tensor([1.0, -2.0, 0.5]), lib.tensor([2.0, -0.5, 3.0]))


UNIVARIATE = {
    "Exp": lambda lib: _T(lib).ExpTransform(),
    "Sigmoid": lambda lib: _T(lib).SigmoidTransform(),
    "Tanh": lambda lib: _T(lib).TanhTransform(),
    "Softplus": lambda lib: _T(lib).SoftplusTransform(),
    "AffineNumber": lambda lib: _T(lib).AffineTransform(1.5, -2.0),
    "AffineTensor": _affine_tensor,
    "Compose": lambda lib: _T(lib).ComposeTransform([_T(lib).AffineTransform(0.5, 2.0), _T(lib).SigmoidTransform()]),
    "ExpInv": lambda lib: _T(lib).ComposeTransform([_T(lib).ExpTransform(), _T(lib).ExpTransform().inv]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(UNIVARIATE))
def test_univariate_transforms(name, dtype):
    make = UNIVARIATE[name]

    def fn(lib, x):
        t = make(lib)
        if dtype == np.float64 and name == "AffineTensor":
            t = _T(lib).AffineTransform(t.loc.double(), t.scale.double())
        y = t(x)
        return y, t.inv(y), t.log_abs_det_jacobian(x, y), t.inv.log_abs_det_jacobian(y, x)

    check(fn, (4, 3), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_power_transform(dtype):
    check(lambda lib, x, e: (_T(lib).PowerTransform(e)(x), _T(lib).PowerTransform(e).inv(x),
                             _T(lib).PowerTransform(e).log_abs_det_jacobian(x, _T(lib).PowerTransform(e)(x))),
          (4, 3), Const(np.array([0.5, -1.0, 2.5])), dtype=dtype, positive=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_abs_transform(dtype):
    check(lambda lib, x: (_T(lib).AbsTransform()(x), _T(lib).AbsTransform().inv(x.abs())), (4, 3), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch", [(), (3,), (2, 3)])
def test_stick_breaking(dtype, batch):
    def fn(lib, x):
        t = _T(lib).StickBreakingTransform()
        y = t(x)
        return y, t.inv(y), t.log_abs_det_jacobian(x, y)

    check(fn, batch + (4,), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax(dtype):
    check(lambda lib, x: (_T(lib).SoftmaxTransform()(x), _T(lib).SoftmaxTransform().inv(x.softmax(-1))),
          (2, 4), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_lower_cholesky_positive_definite(dtype):
    def fn(lib, x):
        L = _T(lib).LowerCholeskyTransform()
        P = _T(lib).PositiveDefiniteTransform()
        return L(x), L.inv(L(x)), P(x), P.inv(P(x))

    tol = {"rtol": 1e-3, "atol": 1e-4} if dtype == np.float32 else {}
    check(fn, (2, 3, 3), dtype=dtype, **tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 3, 6])
def test_corr_cholesky(dtype, n):
    def fn(lib, x):
        t = _T(lib).CorrCholeskyTransform()
        y = t(x)
        return y, t.inv(y), t.log_abs_det_jacobian(x, y)

    tol = {"rtol": 1e-3, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-7}
    check(fn, (2, n), dtype=dtype, **tol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_reshape_independent(dtype):
    def fn(lib, x):
        T = _T(lib)
        r = T.ReshapeTransform((2, 3), (6,))
        i = T.IndependentTransform(T.ExpTransform(), 2)
        return r(x), r.inv(r(x)), r.log_abs_det_jacobian(x, r(x)), i(x), i.log_abs_det_jacobian(x, i(x))

    check(fn, (4, 2, 3), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_stack(dtype, dim):
    def fn(lib, x):
        T = _T(lib)
        parts = [T.ExpTransform(), T.AffineTransform(1.0, 3.0), T.SigmoidTransform()]
        c = T.CatTransform(parts, dim=dim, lengths=[1, 2, 1])
        s = T.StackTransform(parts[:3], dim=dim)
        xc = x if dim != 0 else x
        xs = x.narrow(dim, 0, 3)
        yc, ys = c(xc), s(xs)
        return yc, c.inv(yc), c.log_abs_det_jacobian(xc, yc), ys, s.inv(ys), s.log_abs_det_jacobian(xs, ys)

    check(fn, (4, 4), dtype=dtype)


def test_cumulative_distribution_transform():
    def fn(lib, x, loc):
        d = lib.distributions.Normal(loc, 2.0)
        t = _T(lib).CumulativeDistributionTransform(d)
        y = t(x)
        return y, t.inv(y), t.log_abs_det_jacobian(x, y)

    check(fn, (4, 3), (3,), dtype=np.float64, rtol=1e-7)


@pytest.mark.parametrize("name", list(UNIVARIATE) + ["StickBreaking", "CorrCholesky"])
def test_gradcheck(name):
    if name == "StickBreaking":
        make, shape = (lambda lib: _T(lib).StickBreakingTransform()), (2, 3)
    elif name == "CorrCholesky":
        make, shape = (lambda lib: _T(lib).CorrCholeskyTransform()), (2, 3)
    else:
        make, shape = UNIVARIATE[name], (3,)
    if name == "AffineTensor":
        make = lambda lib: _T(lib).AffineTransform(lib.tensor([1.0, 2.0, 0.5], dtype=lib.float64), 2.0)  # noqa: E731

    def fn(lib, x):
        t = make(lib)
        y = t(x)
        return y, t.log_abs_det_jacobian(x, y)

    gradcheck(fn, shape)


def _props(t):
    out = {}
    for attr in ["bijective", "event_dim", "sign"]:
        try:
            v = getattr(t, attr)
            out[attr] = v if not hasattr(v, "numpy") else v.numpy().tolist()
        except (NotImplementedError, ValueError) as e:
            out[attr] = type(e).__name__
    out["domain"] = repr(t.domain)
    out["codomain"] = repr(t.codomain)
    out["repr"] = repr(t)
    return out


ALL = dict(UNIVARIATE)
ALL.update({
    "Abs": lambda lib: _T(lib).AbsTransform(),
    "Power": lambda lib: _T(lib).PowerTransform(lib.tensor([2.0, -1.0])),
    "Softmax": lambda lib: _T(lib).SoftmaxTransform(),
    "StickBreaking": lambda lib: _T(lib).StickBreakingTransform(),
    "LowerCholesky": lambda lib: _T(lib).LowerCholeskyTransform(),
    "PositiveDefinite": lambda lib: _T(lib).PositiveDefiniteTransform(),
    "CorrCholesky": lambda lib: _T(lib).CorrCholeskyTransform(),
    "Reshape": lambda lib: _T(lib).ReshapeTransform((2, 3), (6,)),
    "Independent": lambda lib: _T(lib).IndependentTransform(_T(lib).SigmoidTransform(), 2),
    "AffineEvent": lambda lib: _T(lib).AffineTransform(0.0, 2.0, event_dim=1),
    "ComposeEvent": lambda lib: _T(lib).ComposeTransform([_T(lib).ExpTransform(), _T(lib).StickBreakingTransform()]),
    "Identity": lambda lib: _T(lib).identity_transform,
    "Inv": lambda lib: _T(lib).StickBreakingTransform().inv,
})


@pytest.mark.parametrize("name", list(ALL))
def test_properties(name):
    assert _props(ALL[name](glasstorch)) == _props(ALL[name](torch))


def test_inverse_and_equality():
    T = glasstorch.distributions.transforms
    t = T.ExpTransform()
    assert t.inv.inv is t and t.inv == T.ExpTransform().inv and t == T.ExpTransform()
    assert T.AffineTransform(1.0, 2.0) == T.AffineTransform(1.0, 2.0) != T.AffineTransform(1.0, 3.0)
    c = T.ComposeTransform([T.ExpTransform(), T.SigmoidTransform()])
    assert c.inv.inv is c and c.inv.parts[0] == T.SigmoidTransform().inv
    assert T.PowerTransform(2.0) == T.PowerTransform(2.0) and T.PowerTransform(2.0) != T.PowerTransform(3.0)
    with pytest.raises(TypeError):
        hash(t)  # as PyTorch: transforms define __eq__, so they are not hashable


def test_caching():
    T = glasstorch.distributions.transforms
    for lib in (torch, glasstorch):
        t = lib.distributions.transforms.SigmoidTransform(cache_size=1)
        x = lib.tensor([50.0, 0.0])
        y = t(x)
        assert t(x) is y and t.inv(y) is x  # the cached pair, even where sigmoid rounded to 1
        t0 = lib.distributions.transforms.SigmoidTransform()
        assert t0.inv(t0(x)) is not x and not np.isclose(t0.inv(t0(x))[0].item(), 50.0)
        assert t0.with_cache(1)._cache_size == 1 and t0.with_cache(0) is t0
        with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
            lib.distributions.transforms.ExpTransform(cache_size=2)
        c = lib.distributions.transforms.ComposeTransform([lib.distributions.transforms.ExpTransform()], cache_size=1)
        assert c.parts[0]._cache_size == 1
    with pytest.raises(NotImplementedError, match="with_cache is not implemented"):
        _Custom().with_cache(1)  # a subclass with its own __init__ must define with_cache


class _Custom(glasstorch.distributions.transforms.Transform):
    def __init__(self, a=1, cache_size=0):
        super().__init__(cache_size=cache_size)


def test_shapes_and_errors():
    for lib in (torch, glasstorch):
        T = lib.distributions.transforms
        assert tuple(T.StickBreakingTransform().forward_shape((2, 3))) == (2, 4)
        assert tuple(T.StickBreakingTransform().inverse_shape((2, 4))) == (2, 3)
        assert tuple(T.CorrCholeskyTransform().forward_shape((5, 6))) == (5, 4, 4)
        assert tuple(T.CorrCholeskyTransform().inverse_shape((5, 4, 4))) == (5, 6)
        assert tuple(T.ReshapeTransform((6,), (2, 3)).forward_shape((4, 6))) == (4, 2, 3)
        assert tuple(T.AffineTransform(lib.zeros(3), 1.0).forward_shape((2, 1))) == (2, 3)
        with pytest.raises(ValueError, match="different numbers of elements"):
            T.ReshapeTransform((2, 3), (5,))
        with pytest.raises(ValueError, match="Shape mismatch"):
            T.ReshapeTransform((2, 3), (6,)).forward_shape((4, 6))
        with pytest.raises(ValueError, match="flattened lower-diagonal"):
            T.CorrCholeskyTransform().forward_shape((4,))
        with pytest.raises(ValueError, match="Too few dimensions"):
            T.IndependentTransform(T.ExpTransform(), 2)(lib.zeros(3))
        with pytest.raises(ValueError, match="Please use either"):
            T.CorrCholeskyTransform().event_dim
        with pytest.raises(NotImplementedError):
            T.AbsTransform().log_abs_det_jacobian(lib.ones(1), lib.ones(1))


# --- biject_to / transform_to ------------------------------------------------------------------------------
def _constraints(lib):
    C = lib.distributions.constraints
    return {
        "real": C.real, "positive": C.positive, "nonnegative": C.nonnegative, "greater_than": C.greater_than(2.0),
        "greater_than_eq": C.greater_than_eq(-1.0), "less_than": C.less_than(3.0),
        "unit_interval": C.unit_interval, "interval": C.interval(-2.0, 5.0),
        "half_open_interval": C.half_open_interval(1.0, 2.0), "simplex": C.simplex, "real_vector": C.real_vector,
        "independent": C.independent(C.positive, 1), "corr_cholesky": C.corr_cholesky,
        "lower_cholesky": C.lower_cholesky, "positive_definite": C.positive_definite,
        "cat": C.cat([C.positive, C.unit_interval], -1, [2, 2]), "stack": C.stack([C.positive, C.real, C.unit_interval,
                                                                                   C.less_than(0.0)], -1),
    }


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name", list(_constraints(torch)))
def test_registries(registry, name):
    shapes = {"corr_cholesky": (2, 6), "lower_cholesky": (2, 3, 3), "positive_definite": (2, 3, 3)}

    def get(lib):
        return getattr(lib.distributions, registry)(_constraints(lib)[name])

    try:
        t_t = get(torch)
    except NotImplementedError:
        with pytest.raises(NotImplementedError, match="Cannot transform"):
            get(glasstorch)
        return
    g_t = get(glasstorch)
    assert repr(g_t) == repr(t_t) and type(g_t).__name__ == type(t_t).__name__

    def fn(lib, x):
        t = get(lib)
        y = t(x)
        out = [y, t.inv(y)]
        if t.bijective or name in ("positive_definite", "lower_cholesky"):
            try:
                out.append(t.log_abs_det_jacobian(x, y))
            except NotImplementedError:
                pass
        return tuple(out)

    check(fn, shapes.get(name, (3, 4)), dtype=np.float64, rtol=1e-7)
    C = glasstorch.distributions.constraints
    y = g_t(glasstorch.randn(*shapes.get(name, (3, 4)), dtype=glasstorch.float64))
    assert bool(_constraints(glasstorch)[name].check(y).all())
    assert isinstance(_constraints(glasstorch)[name], C.Constraint)


def test_registry_register_errors():
    reg = glasstorch.distributions.constraint_registry.ConstraintRegistry()
    with pytest.raises(TypeError, match="Expected constraint to be either a Constraint subclass or instance"):
        reg.register(3, lambda c: None)
    C = glasstorch.distributions.constraints
    reg.register(C.positive)(lambda c: "made")
    assert reg(C.greater_than(1.0)) == "made"
    with pytest.raises(NotImplementedError, match="Cannot transform _Real constraints"):
        reg(C.real)
