"""ops/stats.py against PyTorch: median, mode, quantile, nan-reductions, cumulative max/min, logcumsumexp,
differences and integrals, cov/corrcoef, histograms, searchsorted, unique_consecutive: values, dtypes,
gradients, ties, nans, empty and 0-d inputs, the axis= alias, and a float64 gradcheck of each differentiable op."""
import numpy as np
import pytest

from parity import Const, check, check_error, gradcheck

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

NAN = float("nan")
TIES = np.array([[1., 1., 1., 2.], [3., 0., 3., 0.], [2., 2., 1., 1.]], np.float32)
WITH_NAN = np.array([[1., NAN, 2., NAN], [NAN, NAN, NAN, NAN], [3., 1., 2., 0.]], np.float32)
INTS = np.array([[1, 2, 2, 1, 3], [3, 3, 1, 1, 0], [5, 5, 5, 4, 4]], np.int64)


# ---------------------------------------------------------------------------------------------------
# values and gradients on random input, dims and keepdim
# ---------------------------------------------------------------------------------------------------
DIM_OPS = {
    "median": lambda t, x, d, k: t.median(x, d, k),
    "nanmedian": lambda t, x, d, k: x.nanmedian(d, keepdim=k),
    "mode": lambda t, x, d, k: t.mode(x, d, k),
    "kthvalue": lambda t, x, d, k: t.kthvalue(x, 2, d, k),
    "quantile": lambda t, x, d, k: t.quantile(x, 0.3, d, k),
    "quantile_q": lambda t, x, d, k: x.quantile(t.tensor([0.0, 0.25, 0.9, 1.0]), d, keepdim=k),
    "nanquantile": lambda t, x, d, k: t.nanquantile(x, 0.6, d, k),
    "nansum": lambda t, x, d, k: t.nansum(x, d, k),
    "nanmean": lambda t, x, d, k: x.nanmean(d, k),
    "aminmax": lambda t, x, d, k: t.aminmax(x, dim=d, keepdim=k),
}


@pytest.mark.parametrize("name", sorted(DIM_OPS))
@pytest.mark.parametrize("dim", [0, 1, -1, -3], ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
def test_dim_reductions(name, dim, keepdim):
    check(lambda t, x: DIM_OPS[name](t, x, dim, keepdim), (2, 3, 4))


@pytest.mark.parametrize("fn", [
    lambda t, x: t.median(x), lambda t, x: x.nanmedian(), lambda t, x: t.quantile(x, 0.5),
    lambda t, x: t.quantile(x, t.tensor([0.1, 0.5]), keepdim=True), lambda t, x: x.quantile(0.7, keepdim=True),
    lambda t, x: t.nanquantile(x, 0.2), lambda t, x: t.nansum(x), lambda t, x: t.nanmean(x),
    lambda t, x: t.nansum(x, (0, 2)), lambda t, x: t.nanmean(x, [0, -1], True), lambda t, x: t.aminmax(x),
    lambda t, x: t.aminmax(x, keepdim=True), lambda t, x: t.msort(x), lambda t, x: x.msort(),
], ids=lambda f: "")
def test_full_reductions(fn):
    check(fn, (2, 3, 4))


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("nan", [False, True])
def test_quantile_interpolation(interpolation, nan):
    q = [0.0, 0.1, 0.25, 0.5, 0.6, 0.75, 1.0]
    x = np.arange(24, dtype=np.float32).reshape(3, 8) * 0.5
    np.random.default_rng(0).shuffle(x, axis=1)
    if nan:
        x[1, 3] = NAN
    for name in ("quantile", "nanquantile"):
        check(lambda t, a: getattr(t, name)(a, t.tensor(q), 1, interpolation=interpolation), x)
        check(lambda t, a: getattr(t, name)(a, 0.4, interpolation=interpolation), x)


def test_quantile_q_gradient():
    check(lambda t, x, q: t.quantile(x, q, 1), (3, 5), np.array([0.2, 0.5, 0.7], np.float32))
    check(lambda t, x, q: t.nanquantile(x, q), (3, 5), np.array([0.3], np.float32))


# ---------------------------------------------------------------------------------------------------
# ties, nans, integers: PyTorch's index choice
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_median_ties_and_nans(dim):
    check(lambda t, x: t.median(x, dim), TIES)
    check(lambda t, x: t.median(x), TIES)
    check(lambda t, x: t.median(x, dim), WITH_NAN)
    check(lambda t, x: t.median(x), WITH_NAN)
    check(lambda t, x: t.nanmedian(x), WITH_NAN)
    check(lambda t, x: t.nanmedian(x[[0, 2]], dim), WITH_NAN)  # the all-nan row's index is unspecified
    check(lambda t, x: t.median(x, dim), INTS)
    check(lambda t, x: t.nanmedian(x, dim), INTS)


def test_median_random_ties():
    x = np.random.default_rng(3).integers(0, 4, (50, 33)).astype(np.float32)
    for n in (3, 4, 8, 33):
        check(lambda t, a: t.median(a[:, :n], 1), x)
        check(lambda t, a: t.median(a[:, :n], 0), x)


def test_median_all_gradient_shared_among_ties():
    check(lambda t, x: t.median(x), np.array([1., 2., 2., 3., 2.], np.float32))
    check(lambda t, x: t.nanmedian(x), np.array([NAN, 2., 2., NAN], np.float32))
    check(lambda t, x: t.median(x), np.array([NAN, 2., 2., NAN], np.float32))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_mode_ties(dim):
    check(lambda t, x: t.mode(x, dim), INTS)
    check(lambda t, x: t.mode(x, dim), TIES)
    check(lambda t, x: t.mode(x), np.array([1., 2., 2., 1., NAN, NAN, NAN], np.float32))
    x = np.random.default_rng(1).integers(0, 3, (16, 9))
    check(lambda t, a: t.mode(a, dim % 2), x)
    # past 16 elements PyTorch's index among equal values is unspecified (an unstable sort): values only
    check(lambda t, a: t.mode(a, dim % 2)[0], np.random.default_rng(2).integers(0, 3, (40, 30)))


def test_kthvalue():
    for k in (1, 3, 4):
        check(lambda t, x: t.kthvalue(x, k, 1), (3, 4))
        check(lambda t, x: x.kthvalue(k, 0, keepdim=True), (4, 2))
    check(lambda t, x: t.kthvalue(x, 2, 1)[0], TIES, grad=False)  # values agree on ties; the index is quickselect's
    check(lambda t, x: t.kthvalue(x, 4, 1), np.array([[1., NAN, 0., 2.]], np.float32))
    check_error(lambda t, x: t.kthvalue(x, 5, 1), (3, 4), exc=RuntimeError, match="out of range")
    check_error(lambda t, x: t.kthvalue(x, 0), (3, 4), exc=RuntimeError)


def test_nan_reductions():
    for fn in (lambda t, x: t.nansum(x), lambda t, x: t.nansum(x, 1), lambda t, x: t.nanmean(x, 1),
               lambda t, x: t.nanmean(x), lambda t, x: t.nansum(x, 0, True, dtype=t.float64)):
        check(fn, WITH_NAN)
    check(lambda t, x: t.nansum(x, 1), INTS)
    check(lambda t, x: t.nansum(x), np.array([True, False, True]))
    check(lambda t, x: t.nanmean(x, 0, dtype=t.float64), (3, 2))
    check_error(lambda t, x: t.nanmean(x), INTS, exc=RuntimeError, match="floating point")


def test_aminmax():
    check(lambda t, x: t.aminmax(x, dim=1), TIES)
    check(lambda t, x: t.aminmax(x), TIES)
    check(lambda t, x: t.aminmax(x, dim=0), INTS.astype(np.int32))
    check(lambda t, x: x.aminmax(dim=-1, keepdim=True), (3, 4))
    check_error(lambda t, x: t.aminmax(x), np.zeros(0, np.float32), exc=RuntimeError, match="empty")
    check_error(lambda t, x: t.aminmax(x, dim=1), np.zeros((2, 0), np.float32), exc=IndexError)


# ---------------------------------------------------------------------------------------------------
# empty, zero-size and 0-d inputs
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["median", "nanmedian", "mode", "kthvalue"])
def test_empty_dims(name):
    f = (lambda t, x: t.kthvalue(x, 1, 1)) if name == "kthvalue" else (lambda t, x: getattr(t, name)(x, 1))
    exc = RuntimeError if name == "kthvalue" else IndexError
    check_error(f, np.zeros((2, 0), np.float32), exc=exc)
    g = (lambda t, x: t.kthvalue(x, 1, 1)) if name == "kthvalue" else (lambda t, x: getattr(t, name)(x, 1))
    check(g, np.zeros((0, 2), np.float32))  # reducing a non-empty dim of an empty tensor: empty results


@pytest.mark.parametrize("fn", [
    lambda t, x: t.median(x), lambda t, x: t.median(x, 0), lambda t, x: t.nanmedian(x, -1, True),
    lambda t, x: t.mode(x), lambda t, x: t.kthvalue(x, 1), lambda t, x: t.quantile(x, 0.3),
    lambda t, x: t.quantile(x, 0.3, 0), lambda t, x: t.nansum(x), lambda t, x: t.nanmean(x, 0),
    lambda t, x: t.aminmax(x), lambda t, x: t.cummax(x, 0), lambda t, x: t.cummin(x, -1),
    lambda t, x: t.logcumsumexp(x, 0), lambda t, x: t.msort(x) if x.dim() else x * 1,
], ids=lambda f: "")
def test_zero_dim(fn):
    check(fn, ())


def test_empty_inputs():
    e = np.zeros(0, np.float32)
    check(lambda t, x: t.median(x), e)
    check(lambda t, x: t.nanmedian(x), e)
    check(lambda t, x: t.nansum(x), e)
    check(lambda t, x: t.nanmean(x), e)
    check(lambda t, x: t.cummax(x, 0), e)
    check(lambda t, x: t.logcumsumexp(x, 0), e)
    check(lambda t, x: t.histc(x, 4), e, grad=False)
    check_error(lambda t, x: t.quantile(x, 0.5), e, exc=RuntimeError, match="non-empty")
    check_error(lambda t, x: t.mode(x), e, exc=IndexError)


def test_quantile_errors():
    check_error(lambda t, x: t.quantile(x, 1.5), (3,), exc=RuntimeError, match=r"range \[0, 1\]")
    check_error(lambda t, x: t.quantile(x, t.tensor([0.5], dtype=t.float64)), (3,), exc=RuntimeError,
                match="same dtype")
    check_error(lambda t, x: t.quantile(x, 0.5), INTS, exc=RuntimeError, match="float or double")
    check_error(lambda t, x: t.quantile(x, t.tensor([[0.5]])), (3,), exc=RuntimeError, match="1D")
    check_error(lambda t, x: t.quantile(x, 0.5, interpolation="foo"), (3,), exc=RuntimeError,
                match="interpolation")


# ---------------------------------------------------------------------------------------------------
# cummax, cummin, logcumsumexp, cumsum_/cumprod_
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["cummax", "cummin", "logcumsumexp"])
@pytest.mark.parametrize("dim", [0, 1, -1, 2])
def test_cumulative(name, dim):
    check(lambda t, x: getattr(t, name)(x, dim), (2, 3, 4))
    check(lambda t, x: getattr(x, name)(dim), (2, 3, 4))


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_ties_nans_ints(name):
    check(lambda t, x: getattr(t, name)(x, 1), TIES)
    check(lambda t, x: getattr(t, name)(x, 0), TIES)
    check(lambda t, x: getattr(t, name)(x, 1), WITH_NAN)
    check(lambda t, x: getattr(t, name)(x, 1), np.array([[1., NAN, 2., NAN, 0.]], np.float32))
    check(lambda t, x: getattr(t, name)(x, 1), INTS)
    check(lambda t, x: getattr(t, name)(x, 0), np.array([True, False, True, False]))
    x = np.random.default_rng(0).integers(0, 3, (5, 12)).astype(np.float32)
    check(lambda t, a: getattr(t, name)(a, 1), x)


def test_logcumsumexp_large_and_inf():
    check(lambda t, x: t.logcumsumexp(x, 0), np.array([1000., -1000., 500., 1001.], np.float32))
    check(lambda t, x: t.logcumsumexp(x, 0), np.array([-np.inf, 0., -np.inf, 2.], np.float32))
    check_error(lambda t, x: t.logcumsumexp(x, 0), INTS, exc=NotImplementedError)


@pytest.mark.parametrize("name", ["cumsum_", "cumprod_"])
def test_cumulative_inplace(name):
    def f(t, x):
        y = x * 1
        getattr(y, name)(1)
        return y
    check(f, (3, 4))
    check(lambda t, x: getattr(x.detach().double(), name)(0, dtype=t.float64), (3, 4))
    check_error(lambda t, x: getattr(x, name)(0, dtype=t.float64), (3, 4), exc=RuntimeError)


# ---------------------------------------------------------------------------------------------------
# diff, trapezoid, cumulative_trapezoid, gradient
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda t, x: t.diff(x), lambda t, x: t.diff(x, 2, 0), lambda t, x: x.diff(dim=1),
    lambda t, x: t.diff(x, n=3, dim=-1), lambda t, x: t.diff(x, 0), lambda t, x: t.diff(x, 9),
    lambda t, x: t.diff(x, 1, 1, prepend=x[:, :1] * 2, append=x[:, -2:]),
    lambda t, x: t.diff(x, 2, 0, prepend=t.zeros(1, 4)),
], ids=lambda f: "")
def test_diff(fn):
    check(fn, (3, 4))


def test_diff_bool_int_errors():
    check(lambda t, x: t.diff(x), np.array([True, False, False, True]))
    check(lambda t, x: t.diff(x, 2), INTS)
    check_error(lambda t, x: t.diff(x), np.array(1.0, np.float32), exc=RuntimeError, match="one-dimensional")
    check_error(lambda t, x: t.diff(x, -1), (3,), exc=RuntimeError, match="non-negative")


@pytest.mark.parametrize("fn", [
    lambda t, y: t.trapezoid(y), lambda t, y: t.trapezoid(y, dx=0.5, dim=0), lambda t, y: t.trapz(y, dim=1),
    lambda t, y: t.trapezoid(y, t.tensor([0., 1., 3., 3.5])), lambda t, y: t.trapz(y, t.tensor([0., 2., 3.]), dim=0),
    lambda t, y: t.cumulative_trapezoid(y), lambda t, y: t.cumulative_trapezoid(y, dx=2.0, dim=0),
    lambda t, y: t.cumulative_trapezoid(y, t.tensor([0., 1., 3., 3.5])),
    lambda t, y: t.trapezoid(y, t.arange(12.).reshape(3, 4) ** 0.5),
], ids=lambda f: "")
def test_trapezoid(fn):
    check(fn, (3, 4))


def test_trapezoid_edges():
    check(lambda t, y: t.trapezoid(y), np.zeros((3, 0), np.float32))
    check(lambda t, y: t.cumulative_trapezoid(y), np.zeros((3, 0), np.float32))
    check(lambda t, y: t.trapezoid(y, dx=2), np.arange(4))
    check(lambda t, y: t.trapezoid(y), np.arange(4))
    check_error(lambda t, y: t.trapezoid(y, t.tensor([0., 1.])), (3, 4), exc=RuntimeError)


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize("kw", [
    {}, {"dim": 1}, {"dim": (0, -1)}, {"spacing": 2.0}, {"spacing": [0.5, 2.0]},
    {"spacing": [0.5], "dim": 0}, {"spacing": "coords"},
], ids=str)
def test_gradient(edge_order, kw):
    def f(t, x):
        k = dict(kw)
        if k.get("spacing") == "coords":
            k["spacing"] = [t.tensor([0., 1., 3., 3.5]), t.tensor([0., 0.5, 2., 2.2, 4.])]
        return t.gradient(x, edge_order=edge_order, **k)
    check(f, (4, 5))


def test_gradient_int_and_errors():
    check(lambda t, x: t.gradient(x), INTS)
    check_error(lambda t, x: t.gradient(x, edge_order=2), (2,), exc=RuntimeError, match="edge_order")


# ---------------------------------------------------------------------------------------------------
# cov, corrcoef, dist, renorm, sum_to_size
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda t, x: t.cov(x), lambda t, x: x.cov(correction=0), lambda t, x: t.cov(x[0]),
    lambda t, x: t.cov(x, fweights=t.tensor([1, 2, 0, 3, 1])),
    lambda t, x: t.cov(x, aweights=t.tensor([0.5, 1., 2., 0.1, 1.])),
    lambda t, x: t.cov(x, correction=2, fweights=t.tensor([1, 2, 1, 3, 1]), aweights=t.tensor([0.5, 1., 2., 0.1, 1.])),
    lambda t, x: t.cov(x, correction=0, aweights=t.tensor([0.5, 1., 2., 0.1, 1.])),
    lambda t, x: t.corrcoef(x), lambda t, x: x.corrcoef(), lambda t, x: t.corrcoef(x[1]),
], ids=lambda f: "")
def test_cov_corrcoef(fn):
    check(fn, (3, 5))


def test_cov_edges():
    check(lambda t, x: t.cov(x), INTS)
    check(lambda t, x: t.cov(x), (3, 1))  # no degrees of freedom: inf/nan with a warning, as PyTorch
    check_error(lambda t, x: t.cov(x), (2, 3, 4), exc=RuntimeError, match="two or fewer")
    check_error(lambda t, x: t.cov(x, fweights=t.ones(3)), (2, 3), exc=RuntimeError, match="integral")
    check_error(lambda t, x: t.cov(x, aweights=t.ones(4)), (2, 3), exc=RuntimeError, match="numel")
    check_error(lambda t, x: t.cov(x, fweights=-t.ones(3, dtype=t.int64)), (2, 3), exc=RuntimeError,
                match="negative")


@pytest.mark.parametrize("p", [2, 1, 3, 0, float("inf"), -float("inf"), 0.5])
def test_dist(p):
    check(lambda t, x, y: t.dist(x, y, p), (3, 4), (4,), grad=p != 0)  # PyTorch's backward fails for p=0
    check(lambda t, x, y: x.dist(y, p=p), (2, 3), (2, 3), grad=p != 0)


@pytest.mark.parametrize("p,dim,maxnorm", [(2, 0, 1.0), (1, 1, 2.0), (3, -1, 0.5), (2.5, 2, 1.0), (2, 1, 100.0)])
def test_renorm(p, dim, maxnorm):
    check(lambda t, x: t.renorm(x, p, dim, maxnorm), (3, 4, 2))
    check(lambda t, x: (x * 1).renorm_(p, dim, maxnorm), (3, 4, 2))


def test_renorm_errors():
    check_error(lambda t, x: t.renorm(x, 2, 0, 1.), (3,), exc=RuntimeError, match="2 dimensions")
    check_error(lambda t, x: t.renorm(x, 0, 0, 1.), (3, 2), exc=RuntimeError, match="non-positive")
    check_error(lambda t, x: t.renorm(x, 2, 0, -1.), (3, 2), exc=RuntimeError, match="maxnorm")


@pytest.mark.parametrize("size", [(3, 4), (1, 4), (4,), (3, 1), (1, 1), (1,), (2, 1, 4)])
def test_sum_to_size(size):
    shape = (2, 3, 4) if len(size) == 3 else (3, 4)
    check(lambda t, x: x.sum_to_size(*size), shape)
    check(lambda t, x: x.sum_to_size(size), shape)


def test_sum_to_size_error():
    check_error(lambda t, x: x.sum_to_size(3, 2), (3, 4), exc=RuntimeError, match="not expandable")


# ---------------------------------------------------------------------------------------------------
# histc, histogram, histogramdd, bucketize, searchsorted, bincount, unique_consecutive, count_nonzero
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda t, x: t.histc(x), lambda t, x: t.histc(x, 7), lambda t, x: x.histc(5, -1, 1),
    lambda t, x: t.histc(x, bins=4, min=0, max=3), lambda t, x: t.histc(x * 0 + 1, 4),
])
def test_histc(fn):
    check(fn, (50,), grad=False)
    check(lambda t, x: t.histc(x, 4, 0, 4), np.array([0., 1., 2., 3., 4., 4., 5., -1.], np.float32), grad=False)


def test_histc_errors():
    check_error(lambda t, x: t.histc(x, 4, 2, 1), (5,), exc=RuntimeError, match="max must be larger")
    check_error(lambda t, x: t.histc(x, 0), (5,), exc=RuntimeError)


@pytest.mark.parametrize("fn", [
    lambda t, x: t.histogram(x, 5), lambda t, x: t.histogram(x, 4, range=(-1., 1.)),
    lambda t, x: t.histogram(x, 6, density=True), lambda t, x: x.histogram(3, weight=x.abs()),
    lambda t, x: t.histogram(x, t.tensor([-2., -0.5, 0., 0.1, 3.])),
    lambda t, x: t.histogram(x, t.tensor([-1., 0., 1.]), weight=x * x, density=True),
    lambda t, x: t.histogram(x * 0 + 1, 4),
])
def test_histogram(fn):
    check(fn, (40,), grad=False)


def test_histogram_exact_edges():
    x = np.array([0., 1., 2., 3., 4., 4.], np.float32)
    check(lambda t, a: t.histogram(a, 4), x, grad=False)
    check(lambda t, a: t.histogram(a, t.tensor([0., 1., 2.5, 4.])), x, grad=False)
    check_error(lambda t, a: t.histogram(a, 4), INTS, exc=NotImplementedError)


def test_histogramdd():
    for kw in ({"bins": 3}, {"bins": [2, 4]}, {"bins": [3, 2], "density": True},
               {"bins": [2, 2], "range": [-1., 1., -2., 2.]}):
        def f(t, x):
            h, edges = t.histogramdd(x, **kw)
            return (h, *edges)
        check(f, (30, 2), grad=False)


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("out_int32", [False, True])
def test_bucketize_searchsorted(right, out_int32):
    b = np.array([-1., 0., 0., 0.5, 2.], np.float32)
    v = np.array([[-3., -1., 0., 0.2], [0.5, 1., 2., 9.]], np.float32)
    k = dict(right=right, out_int32=out_int32)
    check(lambda t, bb, vv: t.bucketize(vv, bb, **k), Const(b), Const(v))
    check(lambda t, bb, vv: t.searchsorted(bb, vv, **k), Const(b), Const(v))
    check(lambda t, bb: t.searchsorted(bb, 0.0, **k), Const(b))
    check(lambda t, bb: t.bucketize(0.5, bb, **k), Const(b))
    check(lambda t, bb, vv: t.searchsorted(bb, vv, side="right" if right else "left"), Const(b), Const(v))
    seq = np.sort(np.random.default_rng(0).integers(0, 5, (2, 3, 6)), axis=-1)
    vals = np.random.default_rng(1).integers(-1, 6, (2, 3, 4))
    check(lambda t, s, vv: t.searchsorted(s, vv, **k), seq, vals)
    order = np.array([3, 0, 4, 1, 2])
    unsorted = b[np.argsort(order)]
    check(lambda t, s, vv, o: t.searchsorted(s, vv, sorter=o, **k), Const(unsorted), Const(v),
          np.argsort(unsorted).astype(np.int64))


def test_searchsorted_errors():
    check_error(lambda t, b, v: t.searchsorted(b, v, side="left", right=True), Const(np.arange(3.)),
                Const(np.arange(2.)), exc=RuntimeError, match="opposites")
    check_error(lambda t, b, v: t.searchsorted(b, v), Const(np.zeros((1, 3))), Const(np.zeros((2, 2))),
                exc=RuntimeError, match="boundaries")
    check_error(lambda t, b, v: t.bucketize(v, b), Const(np.zeros((1, 3))), Const(np.zeros(2)),
                exc=RuntimeError, match="1 dimension")


def test_bincount():
    x = np.array([0, 3, 1, 3, 3, 7])
    check(lambda t, a: t.bincount(a), x)
    check(lambda t, a: a.bincount(minlength=10), x)
    check(lambda t, a, w: t.bincount(a, w), x, Const(np.linspace(0, 1, 6).astype(np.float32)))
    check(lambda t, a, w: t.bincount(a, weights=w, minlength=9), x, Const(np.linspace(0, 1, 6)))
    check(lambda t, a: t.bincount(a), np.zeros(0, np.int64))
    check_error(lambda t, a: t.bincount(a), np.array([-1, 2]), exc=RuntimeError)


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("inverse", [False, True])
@pytest.mark.parametrize("counts", [False, True])
def test_unique_consecutive(dim, inverse, counts):
    x = np.array([[1, 1, 2], [1, 1, 2], [3, 1, 2], [3, 1, 2], [1, 1, 2]])
    check(lambda t, a: t.unique_consecutive(a, return_inverse=inverse, return_counts=counts, dim=dim), x)
    check(lambda t, a: a.unique_consecutive(inverse, counts, dim), np.array([[2, 2], [2, 2]]))
    check(lambda t, a: t.unique_consecutive(a, return_inverse=inverse, return_counts=counts),
          np.array([1., 1., NAN, NAN, 2.], np.float32), grad=False)
    if dim is None:
        check(lambda t, a: t.unique_consecutive(a, return_inverse=inverse, return_counts=counts),
              np.zeros(0, np.int64))


@pytest.mark.parametrize("dim", [None, 0, -1, (0, 1), [1, 2], ()], ids=str)
def test_count_nonzero(dim):
    x = np.array([[[0, 1], [2, 0]], [[0, 0], [3, 4]]], np.float32)
    check(lambda t, a: t.count_nonzero(a, dim), Const(x))
    check(lambda t, a: a.count_nonzero(dim=dim), Const(x))


# ---------------------------------------------------------------------------------------------------
# axis= (and keepdims=) accepted wherever PyTorch accepts them
# ---------------------------------------------------------------------------------------------------
AXIS = {
    "median": lambda t, x: t.median(x, axis=1, keepdims=True), "nanmedian": lambda t, x: x.nanmedian(axis=0),
    "mode": lambda t, x: t.mode(x, axis=0), "kthvalue": lambda t, x: t.kthvalue(x, 2, axis=0, keepdims=True),
    "quantile": lambda t, x: t.quantile(x, 0.4, axis=1), "nanquantile": lambda t, x: x.nanquantile(0.4, axis=0),
    "nansum": lambda t, x: t.nansum(x, axis=1, keepdims=True), "nanmean": lambda t, x: x.nanmean(axis=0),
    "aminmax": lambda t, x: t.aminmax(x, axis=1, keepdims=True), "cummax": lambda t, x: t.cummax(x, axis=1),
    "cummin": lambda t, x: x.cummin(axis=0), "logcumsumexp": lambda t, x: t.logcumsumexp(x, axis=1),
    "diff": lambda t, x: t.diff(x, axis=0), "trapezoid": lambda t, x: t.trapezoid(x, axis=0),
    "cumulative_trapezoid": lambda t, x: t.cumulative_trapezoid(x, axis=0),
    "gradient": lambda t, x: t.gradient(x, axis=1), "renorm": lambda t, x: t.renorm(x, 2, maxnorm=1.0, axis=0),
    "cumsum_": lambda t, x: (x * 1).cumsum_(axis=0),
}


@pytest.mark.parametrize("name", sorted(AXIS))
def test_axis_alias(name):
    check(AXIS[name], (3, 4))


def test_gradients_float64():
    gradcheck(lambda t, x: t.median(x, 1)[0], (3, 5))
    gradcheck(lambda t, x: t.median(x), (3, 5))
    gradcheck(lambda t, x: t.nanmedian(x, 0, True)[0], (4, 3))
    gradcheck(lambda t, x: t.mode(x * 0 + t.arange(3.), 1)[0] * x.sum(), (2, 3))
    gradcheck(lambda t, x: t.kthvalue(x, 2, 0)[0], (4, 3))
    gradcheck(lambda t, x: t.msort(x), (4, 3))
    for interp in ("linear", "midpoint", "lower", "nearest"):
        gradcheck(lambda t, x: t.quantile(x, t.tensor([0.3, 0.8], dtype=t.float64), 1, interpolation=interp), (3, 6))
    gradcheck(lambda t, x, q: t.quantile(x, q, 0), (5, 2), np.array([0.35, 0.8]))
    gradcheck(lambda t, x: t.nanquantile(x, 0.3), (3, 4))
    gradcheck(lambda t, x: t.nansum(x, 1), (3, 4))
    gradcheck(lambda t, x: t.nanmean(x, 0), (3, 4))
    gradcheck(lambda t, x: t.aminmax(x, dim=1)[0] + t.aminmax(x, dim=1)[1], (3, 4))
    gradcheck(lambda t, x: t.cummax(x, 1)[0], (3, 5))
    gradcheck(lambda t, x: t.cummin(x, 0)[0], (4, 3))
    gradcheck(lambda t, x: t.logcumsumexp(x, 1), (3, 5))
    gradcheck(lambda t, x: t.diff(x, 2, 1, append=x[:, :2]), (3, 5))
    gradcheck(lambda t, x, y: t.trapezoid(x, y.cumsum(0)), (3, 4), (4,), positive=True)
    gradcheck(lambda t, x: t.cumulative_trapezoid(x, dx=0.3, dim=0), (3, 4))
    gradcheck(lambda t, x: t.gradient(x, edge_order=2, spacing=[t.tensor([0., 1., 3.5]), 2.0]), (3, 4))
    gradcheck(lambda t, x: t.cov(x, aweights=t.tensor([0.5, 1., 2., 1.], dtype=t.float64)), (3, 4))
    gradcheck(lambda t, x: t.corrcoef(x), (3, 4))
    gradcheck(lambda t, x, y: t.dist(x, y, 3), (3, 4), (4,))
    gradcheck(lambda t, x: t.renorm(x, 2, 0, 1.0), (3, 4))
    gradcheck(lambda t, x: x.sum_to_size(1, 4), (3, 4))


def test_small_edges():
    check(lambda t, x: t.median(x), np.zeros(0, np.int64))  # PyTorch's value for no integers: int64 min
    check_error(lambda t, x: t.histc(x), INTS, exc=NotImplementedError, match="histogram_cpu")
    check_error(lambda t, x: t.cov(x, correction=1.5), (2, 3), exc=TypeError)
    check(lambda t, x: t.var(x, 1, correction=0.5), (3, 4))
    check(lambda t, x: t.std(x, correction=2), (3, 4))
    check(lambda t, x: t.std(x, 0, unbiased=False), (3, 4))
    check_error(lambda t, x: t.histogram(x, t.tensor([0., 1.], dtype=t.float64)), (4,), exc=RuntimeError,
                match="same dtype")
