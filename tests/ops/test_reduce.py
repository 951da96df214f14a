"""Reductions against PyTorch: dims (None, int, negative, tuple), keepdim, dtypes, ties, empty and 0-d
inputs, the (values, indices) result of max/min, and a numerical gradcheck of every differentiable op."""
import pickle

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from parity import Const, check, check_error, gradcheck

import glasstorch

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # PyTorch warns when var has no dof

# ops that take a dim list: fn(torch, x, dim, keepdim)
MULTI = {
    "sum": lambda t, x, d, k: x.sum(d, keepdim=k),
    "mean": lambda t, x, d, k: t.mean(x, d, k),
    "amax": lambda t, x, d, k: x.amax(d, k) if d is not None else x.amax(keepdim=k),
    "amin": lambda t, x, d, k: t.amin(x, d, keepdim=k) if d is not None else t.amin(x, keepdim=k),
    "var": lambda t, x, d, k: x.var(d, keepdim=k),
    "std": lambda t, x, d, k: t.std(x, d, keepdim=k),
    "var_mean": lambda t, x, d, k: t.var_mean(x, d, keepdim=k),
    "std_mean": lambda t, x, d, k: t.std_mean(x, d, correction=0, keepdim=k),
    "logsumexp": lambda t, x, d, k: x.logsumexp(d if d is not None else (0, 1, 2), k),
    "norm": lambda t, x, d, k: x.norm(2, dim=d, keepdim=k),
    "norm3": lambda t, x, d, k: t.norm(x, 3, d, k),
}
MULTI_DIMS = [None, 0, -1, 1, (0, 2), [-1, 0], (0, 1, 2)]


@pytest.mark.parametrize("name", sorted(MULTI))
@pytest.mark.parametrize("dim", MULTI_DIMS, ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
def test_multi_dim_reductions(name, dim, keepdim):
    check(lambda t, x: MULTI[name](t, x, dim, keepdim), (2, 3, 4))


# ops that take one dim: fn(torch, x, dim, keepdim)
SINGLE = {
    "prod": lambda t, x, d, k: x.prod(d, keepdim=k),
    "max": lambda t, x, d, k: x.max(d, keepdim=k),
    "min": lambda t, x, d, k: t.min(x, d, k),
    "argmax": lambda t, x, d, k: x.argmax(d, keepdim=k),
    "argmin": lambda t, x, d, k: t.argmin(x, dim=d, keepdim=k),
}


@pytest.mark.parametrize("name", sorted(SINGLE))
@pytest.mark.parametrize("dim", [0, 1, -1, -3], ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
def test_single_dim_reductions(name, dim, keepdim):
    check(lambda t, x: SINGLE[name](t, x, dim, keepdim), (2, 3, 4))


@pytest.mark.parametrize("fn", [
    lambda t, x: x.sum(), lambda t, x: x.mean(), lambda t, x: x.prod(), lambda t, x: x.max(),
    lambda t, x: t.min(x), lambda t, x: x.argmax(), lambda t, x: x.argmin(keepdim=True), lambda t, x: x.var(),
    lambda t, x: x.std(), lambda t, x: x.norm(), lambda t, x: t.argmax(x, keepdim=True), lambda t, x: x.amax(),
    lambda t, x: x.sum(dim=()), lambda t, x: x.mean(dim=[]), lambda t, x: x.amin(dim=()),
])
def test_full_reductions(fn):
    check(fn, (3, 4))


SIZE_ONE = [lambda t, x: x.sum(1), lambda t, x: x.mean(1, True), lambda t, x: x.prod(1), lambda t, x: x.max(1),
            lambda t, x: x.amax((1, 2)), lambda t, x: x.argmin(1), lambda t, x: x.var(1),
            lambda t, x: x.std((0, 1), keepdim=True), lambda t, x: x.logsumexp(1), lambda t, x: x.norm(1, dim=1),
            lambda t, x: x.cumsum(1), lambda t, x: x.cumprod(1), lambda t, x: x.var(0, correction=0)]


@pytest.mark.parametrize("i", range(len(SIZE_ONE)))
def test_size_one_dims(i):
    check(SIZE_ONE[i], (1, 1, 4))
    check(SIZE_ONE[i], (3, 1, 4))


ZERO_DIM = [lambda t, x: x.sum(), lambda t, x: x.sum(0), lambda t, x: x.mean(-1, True), lambda t, x: x.prod(0),
            lambda t, x: x.max(), lambda t, x: x.max(0), lambda t, x: t.min(x, -1, True), lambda t, x: x.amax(0),
            lambda t, x: x.argmax(), lambda t, x: x.argmax(0), lambda t, x: x.argmin(keepdim=True),
            lambda t, x: x.std(correction=0), lambda t, x: x.var(0), lambda t, x: x.logsumexp(0),
            lambda t, x: x.norm(), lambda t, x: x.norm(1, dim=0), lambda t, x: x.cumsum(0), lambda t, x: x.cumprod(-1),
            lambda t, x: x.all(), lambda t, x: (x > 0).any(0), lambda t, x: x.count_nonzero()]


@pytest.mark.parametrize("i", range(len(ZERO_DIM)))
def test_zero_dim_tensor(i):
    check(ZERO_DIM[i], ())


EMPTY = [lambda t, x: x.sum(), lambda t, x: x.sum(0), lambda t, x: x.sum(1, keepdim=True), lambda t, x: x.mean(),
         lambda t, x: x.mean(0), lambda t, x: x.prod(), lambda t, x: x.prod(0), lambda t, x: x.max(1),
         lambda t, x: x.amax(1), lambda t, x: x.argmin(1), lambda t, x: x.var(0), lambda t, x: x.std(1),
         lambda t, x: x.logsumexp(0), lambda t, x: x.logsumexp(1), lambda t, x: x.norm(), lambda t, x: x.norm(dim=0),
         lambda t, x: x.norm(float("inf"), dim=1), lambda t, x: x.cumsum(0), lambda t, x: x.cumprod(1),
         lambda t, x: x.all(), lambda t, x: x.any(0), lambda t, x: x.count_nonzero(1)]


@pytest.mark.parametrize("i", range(len(EMPTY)))
def test_empty(i):
    check(EMPTY[i], (0, 3))


@pytest.mark.parametrize("fn,exc", [
    (lambda t, x: x.max(), RuntimeError), (lambda t, x: x.min(), RuntimeError), (lambda t, x: x.amax(), RuntimeError),
    (lambda t, x: x.max(0), IndexError), (lambda t, x: x.amin(0), IndexError), (lambda t, x: x.argmax(), IndexError),
    (lambda t, x: x.argmin(0), IndexError), (lambda t, x: x.norm(float("inf")), RuntimeError),
])
def test_empty_without_identity_raises(fn, exc):
    check_error(fn, (0, 3), exc=exc)


def test_bad_dims_raise():
    check_error(lambda t, x: x.sum(2), (3, 4), exc=IndexError, match="Dimension out of range")
    check_error(lambda t, x: x.max(-3), (3, 4), exc=IndexError)
    check_error(lambda t, x: x.sum((0, -2)), (3, 4), exc=RuntimeError, match="appears multiple times")
    check_error(lambda t, x: x.cumsum(2), (3, 4), exc=IndexError)


NONCONTIGUOUS = [lambda t, x: x.sum(0), lambda t, x: x.mean(-1), lambda t, x: x.prod(1), lambda t, x: x.max(0),
                 lambda t, x: x.amin(1), lambda t, x: x.argmax(0), lambda t, x: x.var((0, 1)), lambda t, x: x.std(1),
                 lambda t, x: x.logsumexp(0), lambda t, x: x.norm(dim=1), lambda t, x: x.cumsum(1),
                 lambda t, x: x.cumprod(0), lambda t, x: (x > 0).all(0)]


@pytest.mark.parametrize("i", range(len(NONCONTIGUOUS)))
def test_noncontiguous(i):
    check(NONCONTIGUOUS[i], (3, 4), noncontiguous=True)


@pytest.mark.parametrize("name", sorted(MULTI))
def test_float64(name):
    check(lambda t, x: MULTI[name](t, x, (0, 2), False), (2, 3, 4), dtype=np.float64)
    check(lambda t, x: MULTI[name](t, x, None, True), (2, 3, 4), dtype=np.float64)


@pytest.mark.parametrize("name", sorted(SINGLE))
def test_float64_single(name):
    check(lambda t, x: SINGLE[name](t, x, 1, False), (2, 3, 4), dtype=np.float64)


# -- gradients ---------------------------------------------------------------------------------------
GRADCHECK = {
    "sum": lambda t, x: x.sum((0, 2)),
    "sum_all": lambda t, x: x.sum(),
    "mean": lambda t, x: x.mean(1, keepdim=True),
    "prod": lambda t, x: x.prod(1),
    "prod_all": lambda t, x: x.prod(),
    "max_dim": lambda t, x: x.max(-1).values,
    "min_dim": lambda t, x: t.min(x, 0, True)[0],
    "max": lambda t, x: x.max(),
    "amax": lambda t, x: x.amax((0, 1)),
    "amin": lambda t, x: x.amin(-1, True),
    "var": lambda t, x: x.var(1),
    "var_all": lambda t, x: x.var(correction=0),
    "std": lambda t, x: x.std((0, 2), keepdim=True),
    "std_mean": lambda t, x: t.std_mean(x, 1),
    "var_mean": lambda t, x: t.var_mean(x, 2, correction=2),
    "logsumexp": lambda t, x: x.logsumexp((1, 2)),
    "norm": lambda t, x: x.norm(),
    "norm_dim": lambda t, x: x.norm(dim=1),
    "norm1": lambda t, x: x.norm(1, dim=(0, 2)),
    "norm3": lambda t, x: x.norm(3, dim=-1),
    "norm1.5": lambda t, x: x.norm(1.5),
    "norm0.5": lambda t, x: x.norm(0.5, dim=0),
    "norm-1": lambda t, x: x.norm(-1, dim=1),
    "norm_inf": lambda t, x: x.norm(float("inf"), dim=1),
    "norm_-inf": lambda t, x: x.norm(float("-inf"), dim=2),
    "nuc": lambda t, x: x.norm("nuc", dim=(0, 2)),
    "cumsum": lambda t, x: x.cumsum(1),
    "cumprod": lambda t, x: x.cumprod(-1),
}


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck(name):
    gradcheck(GRADCHECK[name], (2, 3, 4))


def test_gradcheck_with_zeros():
    x = np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 0.0, 3.0, 0.5], [1.0, 2.0, -0.5, 0.0]])
    gradcheck(lambda t, x: x.prod(1), x)
    gradcheck(lambda t, x: x.cumprod(1), x)
    gradcheck(lambda t, x: x.cumprod(0), x)


def test_prod_gradient_with_zeros():
    x = np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 0.0, 3.0, 0.5], [1.0, 2.0, -0.5, 0.25]], dtype=np.float32)
    check(lambda t, x: x.prod(1), x)
    check(lambda t, x: x.prod(0, keepdim=True), x)
    check(lambda t, x: x.prod(), x)
    check(lambda t, x: x.prod(), x[2])


def test_cumprod_gradient_with_zeros():
    x = np.array([[2.0, 0.0, 3.0, 0.0, 4.0], [0.0, 1.5, 2.0, -1.0, 0.5], [1.0, 2.0, 3.0, 4.0, 0.0],
                  [1.0, -2.0, 0.5, 3.0, 1.5]], dtype=np.float32)
    check(lambda t, x: x.cumprod(1), x)
    check(lambda t, x: x.cumprod(0), x)


def test_max_min_ties():
    x = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 0.0, 2.0], [5.0, 5.0, 5.0, 5.0]], dtype=np.float32)
    check(lambda t, x: x.max(), x)                  # the gradient is shared among the tied maxima
    check(lambda t, x: x.min(), x)
    check(lambda t, x: x.amax(1), x)
    check(lambda t, x: x.amin(0, keepdim=True), x)
    check(lambda t, x: x.amax((0, 1)), x)
    check(lambda t, x: x.max(1), x)                 # the first index; the gradient goes there only
    check(lambda t, x: x.min(1, keepdim=True), x)
    check(lambda t, x: x.max(0), x)
    check(lambda t, x: x.argmax(1), x)
    check(lambda t, x: x.argmin(0), x)
    check(lambda t, x: x.argmax(), x)
    check(lambda t, x: x.norm(float("inf"), dim=1), x)
    check(lambda t, x: x.norm(float("-inf"), dim=0), x)


def test_max_min_with_nan():
    x = np.array([[1.0, np.nan, 3.0], [2.0, 0.0, 1.0]], dtype=np.float32)
    check(lambda t, x: x.max(1), x, grad=False)
    check(lambda t, x: x.min(1), x, grad=False)
    check(lambda t, x: x.argmax(1), x)
    check(lambda t, x: x.amax(1), x, grad=False)
    check(lambda t, x: x.max(), x)                  # the gradient goes to the nan
    check(lambda t, x: t.min(x), x)
    check(lambda t, x: x.amax(), x)                 # amax: nan gradients everywhere, as PyTorch


def test_max_other_tensor_is_elementwise():
    check(lambda t, x, y: t.max(x, y) + t.min(x, y), (3, 4), (4,))
    check(lambda t, x, y: x.max(y) * x.min(y), (3, 4), (3, 4))


def test_max_returns_named_tuple():
    x = glasstorch.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    r = x.max(1)
    assert isinstance(r, tuple) and len(r) == 2
    values, indices = r
    assert values is r[0] and indices is r[1] and r.values is values and r.indices is indices
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert indices.dtype == glasstorch.int64
    assert repr(r).startswith("torch.return_types.max(")
    assert type(glasstorch.min(x, 0)).__name__ == "min"
    back = pickle.loads(pickle.dumps(r))
    assert back.values.tolist() == [5.0, 7.0]
    v, i = glasstorch.max(x, dim=0, keepdim=True)
    assert tuple(v.shape) == (1, 3) and i.tolist() == [[1, 0, 1]]


# -- var and std -------------------------------------------------------------------------------------
VAR_ARGS = [
    lambda t, x: x.var(False), lambda t, x: x.std(True), lambda t, x: x.var(0, False),
    lambda t, x: t.var(x, 1, True, True),
    lambda t, x: x.var(unbiased=False), lambda t, x: x.std(dim=1, correction=0), lambda t, x: x.var(correction=2),
    lambda t, x: t.std(x, 0, correction=0.5, keepdim=True), lambda t, x: t.var_mean(x, False),
    lambda t, x: t.std_mean(x, [0, 1], unbiased=False),
]


@pytest.mark.parametrize("i", range(len(VAR_ARGS)))
def test_var_std_arguments(i):
    check(VAR_ARGS[i], (3, 4))


def test_var_std_constant_input():
    x = np.full((3, 4), 2.5, dtype=np.float32)
    check(lambda t, x: x.std(), x)                  # std = 0: PyTorch's gradient is 0, not nan
    check(lambda t, x: x.std(1), x)
    check(lambda t, x: x.var(0), x)


def test_var_std_without_degrees_of_freedom():
    # n <= correction: the value is inf or nan, the gradient nan or ±inf, all as PyTorch
    x = np.array([[1.0, 2.0]], dtype=np.float32)
    check(lambda t, x: x.var(0), x)
    check(lambda t, x: x.std(0), x)
    check(lambda t, x: x.var(1, correction=3), x)
    check(lambda t, x: x.var(correction=2), x)
    check(lambda t, x: x.var(correction=3), x)
    check(lambda t, x: x.std(correction=3), x)
    check(lambda t, x: x.std(correction=2), np.array([[1.0, 1.0]], dtype=np.float32))


def test_var_std_reject_integers():
    check_error(lambda t, x: x.var(), Const(np.array([1, 2, 3])), exc=RuntimeError)
    check_error(lambda t, x: x.std(0), Const(np.array([1, 2, 3])), exc=RuntimeError)


# -- logsumexp and norm ------------------------------------------------------------------------------
def test_logsumexp_is_stable():
    x = np.array([[1000.0, 1000.0, -1000.0], [-1e4, -1e4, -1e4], [-np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf],
                  [np.inf, 1.0, 2.0]], dtype=np.float32)
    check(lambda t, x: x.logsumexp(1), x)
    check(lambda t, x: t.logsumexp(x, (0, 1), keepdim=True), x[:3])


def test_logsumexp_integer_input_and_dim_required():
    check(lambda t, x: t.logsumexp(x, 0), Const(np.array([1, 2, 3])))
    check_error(lambda t, x: x.logsumexp(None), (3,), exc=TypeError)


NORM_P = ["fro", 2, 1, 3, 1.5, 0.5, 0, -1, float("inf"), float("-inf")]


@pytest.mark.parametrize("p", NORM_P, ids=str)
@pytest.mark.parametrize("dim", [None, 1, (0, 1), -1], ids=str)
def test_norm(p, dim):
    if p == "fro" and dim == -1:
        dim = (-1,)
    check(lambda t, x: x.norm(p, dim), (3, 4))
    check(lambda t, x: t.norm(x, p, dim, keepdim=True), (3, 4), dtype=np.float64)


@pytest.mark.parametrize("p", NORM_P, ids=str)
def test_norm_with_zeros(p):
    x = np.array([[0.0, 0.0, 0.0], [0.0, 1.0, -2.0], [3.0, -3.0, 0.0]], dtype=np.float32)
    check(lambda t, x: x.norm(p, dim=1), x)         # the zero row's gradient is 0 for every p


def test_norm_dtype_nuclear_and_errors():
    check(lambda t, x: x.norm(dtype=t.float64), (3, 4))
    check(lambda t, x: t.norm(x, "nuc"), (3, 4), rtol=1e-3)
    check(lambda t, x: t.norm(x, "nuc", dim=(2, 0), keepdim=True), (3, 2, 4), dtype=np.float64)
    check(lambda t, x: t.norm(x, "fro", dim=(0, 1)), (3, 4))
    check_error(lambda t, x: x.norm(), Const(np.array([1, 2])), exc=RuntimeError)
    check_error(lambda t, x: x.norm("abc"), (3, 4), exc=RuntimeError)
    check_error(lambda t, x: x.norm("fro", dim=(0, 1, 2)), (2, 3, 4), exc=RuntimeError)


# -- cumulative --------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dim", [0, 1, -1, 2])
def test_cumulative(op, dim):
    check(lambda t, x: getattr(x, op)(dim), (2, 3, 4))
    check(lambda t, x: getattr(t, op)(x, dim=dim), (2, 3, 4), dtype=np.float64)


def test_cumulative_dtypes():
    for a in (np.array([1, 2, 3], np.int32), np.array([True, False, True]), np.array([3, 200, 100], np.uint8)):
        check(lambda t, x: x.cumsum(0), Const(a))
        check(lambda t, x: x.cumprod(0), Const(a))
    check(lambda t, x: x.cumsum(0, dtype=t.float64), (3, 2))
    check(lambda t, x: x.cumprod(1, dtype=t.float64), (3, 2))
    check(lambda t, x: x.cumsum(0, dtype=t.int32), Const(np.array([1, 2, 3], np.int64)))


# -- dtypes ------------------------------------------------------------------------------------------
INT_INPUTS = [np.array([[1, -2, 3], [4, 0, 6]], np.int64), np.array([[1, 2, 3], [4, 0, 6]], np.int32),
              np.array([[1, 200, 3], [4, 0, 6]], np.uint8), np.array([[True, False, True], [True, True, True]])]


@pytest.mark.parametrize("a", INT_INPUTS, ids=lambda a: a.dtype.name)
def test_integer_and_bool_inputs(a):
    for fn in (lambda t, x: x.sum(), lambda t, x: x.sum(1), lambda t, x: x.prod(), lambda t, x: x.prod(0),
               lambda t, x: x.amax(1), lambda t, x: t.max(x, 1), lambda t, x: x.min(), lambda t, x: x.count_nonzero(),
               lambda t, x: x.all(), lambda t, x: x.any(1, keepdim=True), lambda t, x: t.all(x, (0, 1)),
               lambda t, x: x.count_nonzero((0, 1)), lambda t, x: x.sum(dtype=t.float32)):
        check(fn, Const(a))
    if a.dtype != np.bool_:
        check(lambda t, x: x.argmax(1), Const(a))
        check(lambda t, x: x.argmin(), Const(a))
        check(lambda t, x: x.mean(dtype=t.float64), Const(a))
        check(lambda t, x: x.sum(dtype=t.int32), Const(a))
        check(lambda t, x: x.all(()), Const(a))


def test_mean_of_integers_raises():
    check_error(lambda t, x: x.mean(), Const(np.array([1, 2])), exc=RuntimeError, match="could not infer output dtype")
    check_error(lambda t, x: x.mean(dtype=t.int64), (3,), exc=RuntimeError, match="could not infer output dtype")


def test_dtype_argument_casts_first():
    check(lambda t, x: x.sum(1, dtype=t.float64), (3, 4))
    check(lambda t, x: t.mean(x, 0, dtype=t.float64), (3, 4))
    check(lambda t, x: x.prod(dtype=t.float64), (3, 4))


def test_all_any_count_nonzero():
    x = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0], [0.0, -1.0, np.nan]], dtype=np.float32)
    for fn in (lambda t, x: x.all(), lambda t, x: x.any(), lambda t, x: x.all(0), lambda t, x: x.any(-1, True),
               lambda t, x: t.any(x, (0, 1)), lambda t, x: t.count_nonzero(x, 0), lambda t, x: x.count_nonzero([1, 0]),
               lambda t, x: t.all(x > 0, 1)):
        check(fn, Const(x))


def test_mean_backward_dtype_and_gradient_accumulation():
    x = glasstorch.randn(4, 5, requires_grad=True)
    (x.sum() + x.mean(0).sum() + x.sum(1, keepdim=True).sum()).backward()
    assert x.grad.dtype == glasstorch.float32
    np.testing.assert_allclose(x.grad.numpy(), np.full((4, 5), 1 + 1 / 4 + 1, np.float32), rtol=1e-6)


# -- properties --------------------------------------------------------------------------------------
@st.composite
def shape_and_dims(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    dims = draw(st.lists(st.integers(-len(shape), len(shape) - 1), unique_by=lambda d: d % len(shape), min_size=1))
    return shape, tuple(dims), draw(st.booleans())


@settings(max_examples=40, deadline=None)
@given(case=shape_and_dims())
def test_reduction_property(case):
    shape, dims, keepdim = case
    check(lambda t, x: (x.sum(dims, keepdim), x.mean(dims, keepdim), x.amax(dims, keepdim),
                        x.std(dims, keepdim=keepdim), x.logsumexp(dims, keepdim), x.norm(2, dims, keepdim)), shape)
    check(lambda t, x: (*x.max(dims[0], keepdim), x.prod(dims[0], keepdim), x.cumsum(dims[0])), shape)


def test_backward_twice_with_retained_graph():
    x0 = np.array([[1.5, 0.0, 2.0], [0.5, -1.0, 3.0]], dtype=np.float32)
    for f in (lambda x: x.sum(0), lambda x: x.mean(), lambda x: x.prod(1), lambda x: x.max(1).values,
              lambda x: x.amax(), lambda x: x.std(1), lambda x: x.logsumexp(0), lambda x: x.norm(3, dim=1),
              lambda x: x.cumsum(1), lambda x: x.cumprod(1)):
        x = glasstorch.tensor(x0, requires_grad=True)
        y = f(x)
        w = glasstorch.ones(*y.shape)
        y.backward(w, retain_graph=True)
        first = x.grad.clone()
        y.backward(w)
        np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy(), rtol=1e-6)


def test_prod_rejects_a_dim_list():
    check_error(lambda t, x: x.prod((0, 1)), (2, 3), exc=TypeError)


def test_bincount():
    idx = np.array([1, 1, 3, 0, 7], dtype=np.int64)
    check(lambda torch, i: torch.bincount(i), idx, grad=False)
    check(lambda torch, i: torch.bincount(i, minlength=10), idx, grad=False)
    check(lambda torch, i: torch.bincount(i[:0], minlength=3), idx, grad=False)
    for wdt in (np.float32, np.float64, np.int64):
        w = np.array([0.5, 1, 2, 3, 4]).astype(wdt)
        check(lambda torch, i, w: torch.bincount(i, weights=w), idx, Const(w), grad=False)
    check_error(lambda torch, i: torch.bincount(i - 2), idx)


# axis= and keepdims=: PyTorch accepts NumPy's names for dim= and keepdim= on every native reduction
AXIS_ALIAS = {
    "sum": lambda t, x: t.sum(x, axis=1, keepdims=True), "sum_m": lambda t, x: x.sum(axis=(0, 1)),
    "mean": lambda t, x: t.mean(x, axis=-1), "mean_m": lambda t, x: x.mean(axis=0, keepdims=True),
    "prod": lambda t, x: t.prod(x, axis=1), "prod_m": lambda t, x: x.prod(axis=0, keepdims=True),
    "max": lambda t, x: t.max(x, axis=1), "max_m": lambda t, x: x.max(axis=0, keepdims=True),
    "min": lambda t, x: t.min(x, axis=1, keepdims=True), "min_m": lambda t, x: x.min(axis=-1),
    "amax": lambda t, x: t.amax(x, axis=(0, 2)), "amin_m": lambda t, x: x.amin(axis=1, keepdims=True),
    "argmax": lambda t, x: t.argmax(x, axis=1), "argmin_m": lambda t, x: x.argmin(axis=0, keepdims=True),
    "var": lambda t, x: t.var(x, axis=1, correction=0), "std_m": lambda t, x: x.std(axis=0, keepdims=True),
    "var_mean": lambda t, x: t.var_mean(x, axis=1), "std_mean": lambda t, x: t.std_mean(x, axis=(0, 1)),
    "logsumexp": lambda t, x: t.logsumexp(x, axis=1), "logsumexp_m": lambda t, x: x.logsumexp(axis=0, keepdims=True),
    "cumsum": lambda t, x: t.cumsum(x, axis=1), "cumprod_m": lambda t, x: x.cumprod(axis=0),
    "all": lambda t, x: t.all(x > 0, axis=1), "any_m": lambda t, x: (x > 0).any(axis=0, keepdims=True),
    "count_nonzero": lambda t, x: t.count_nonzero(x > 0, axis=1),
    "count_nonzero_m": lambda t, x: (x > 0).count_nonzero(axis=(0, 2)),
}


@pytest.mark.parametrize("name", sorted(AXIS_ALIAS))
def test_axis_alias(name):
    check(AXIS_ALIAS[name], (2, 3, 4))


def test_dim_and_axis_together():
    check_error(lambda t, x: t.sum(x, 0, axis=1), (2, 3), exc=TypeError)
    check_error(lambda t, x: t.mean(x, dim=0, axis=1), (2, 3), exc=TypeError)


# out= for the reductions that have it
@pytest.mark.parametrize("fn", [
    lambda t, x, o: t.sum(x, 1, out=o), lambda t, x, o: t.mean(x, 0, out=o), lambda t, x, o: t.prod(x, 1, out=o),
    lambda t, x, o: t.amax(x, 1, out=o), lambda t, x, o: t.amin(x, out=o), lambda t, x, o: t.var(x, 1, out=o),
    lambda t, x, o: t.std(x, 0, out=o), lambda t, x, o: t.logsumexp(x, 1, out=o),
    lambda t, x, o: t.cumsum(x, 1, out=o), lambda t, x, o: t.cumprod(x, 0, out=o),
    lambda t, x, o: t.max(x, out=o),
], ids=lambda f: "")
def test_out(fn):
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    for lib in (torch, glasstorch):
        o = lib.zeros(0)
        r = fn(lib, lib.from_numpy(x.copy()), o)
        assert r is o
        if lib is torch:
            want = o.numpy()
    np.testing.assert_allclose(o.numpy(), want, rtol=1e-5, atol=1e-6)


def test_out_named_tuple_and_index():
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    res = {}
    for lib in (torch, glasstorch):
        v, i, a = lib.zeros(0), lib.zeros(0, dtype=lib.int64), lib.zeros(0, dtype=lib.int64)
        r = lib.max(lib.from_numpy(x), 1, out=(v, i))
        assert r.values is v and r.indices is i
        lib.argmax(lib.from_numpy(x), 0, out=a)
        res[lib.__name__] = (v.numpy(), i.numpy(), a.numpy())
    for got, want in zip(res["glasstorch"], res["torch"]):
        np.testing.assert_allclose(got, want)


def test_out_refuses_grad():
    check_error(lambda t, x: t.sum(x.requires_grad_(), 0, out=t.zeros(3)), (2, 3), exc=RuntimeError,
                match="don't support automatic differentiation")
