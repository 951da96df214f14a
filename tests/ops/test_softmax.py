"""softmax and log_softmax against PyTorch: every dim, dtype=, extreme and infinite inputs, empty and 0-d
inputs, integer inputs, gradcheck, and the properties Σ softmax = 1 and log_softmax = log(softmax)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from parity import Const, check, check_error, gradcheck

import glasstorch

OPS = {
    "softmax": lambda t, x, d: x.softmax(d),
    "torch.softmax": lambda t, x, d: t.softmax(x, d),
    "log_softmax": lambda t, x, d: x.log_softmax(dim=d),
    "torch.log_softmax": lambda t, x, d: t.log_softmax(x, dim=d),
}


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2])
def test_dims(name, dim):
    check(lambda t, x: OPS[name](t, x, dim), (2, 3, 4))


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("shape,dim", [((5,), 0), ((), 0), ((), -1), ((3, 1), 1), ((1, 4), 0), ((0, 3), 1),
                                       ((3, 0), 1), ((3, 0), 0)], ids=str)
def test_shapes(name, shape, dim):
    check(lambda t, x: OPS[name](t, x, dim), shape)


@pytest.mark.parametrize("name", sorted(OPS))
def test_float64_and_gradcheck(name):
    check(lambda t, x: OPS[name](t, x, 1), (3, 4), dtype=np.float64)
    gradcheck(lambda t, x: OPS[name](t, x, 1), (3, 4))
    gradcheck(lambda t, x: OPS[name](t, x, 0), (2, 3, 2))


@pytest.mark.parametrize("name", sorted(OPS))
def test_noncontiguous(name):
    check(lambda t, x: OPS[name](t, x, 0), (3, 5), noncontiguous=True)
    check(lambda t, x: OPS[name](t, x, -1), (3, 5), noncontiguous=True)


@pytest.mark.parametrize("name", sorted(OPS))
def test_large_values_do_not_overflow(name):
    x = np.array([[1000.0, 999.0, -1000.0], [-1e4, -1e4 + 1, -1e4 - 1], [88.0, 89.0, 90.0]], dtype=np.float32)
    check(lambda t, x: OPS[name](t, x, 1), x)
    check(lambda t, x: OPS[name](t, x, 0), x)


@pytest.mark.parametrize("name", sorted(OPS))
def test_infinities(name):
    # a −inf entry gets probability 0; a row of −inf (or with +inf) gives nan, as in PyTorch
    x = np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf], [np.inf, 1.0, 2.0], [-np.inf, 2.0, -np.inf]],
                 dtype=np.float32)
    check(lambda t, x: OPS[name](t, x, 1), x)


@pytest.mark.parametrize("name", sorted(OPS))
def test_dtype_argument(name):
    check(lambda t, x: t.softmax(x, 1, dtype=t.float64) if "log" not in name else x.log_softmax(1, t.float64),
          (3, 4))
    check(lambda t, x: OPS[name](t, x.double(), 0).float(), (3, 4))
    a = Const(np.array([[1, 2, 3], [0, -1, 5]], np.int64))
    check(lambda t, x: x.softmax(1, dtype=t.float32), a)
    check(lambda t, x: t.log_softmax(x, 0, dtype=t.float64), a)


def test_integer_input_raises():
    a = Const(np.array([[1, 2, 3]], np.int64))
    check_error(lambda t, x: x.softmax(1), a, exc=NotImplementedError, match="softmax_lastdim_kernel_impl")
    check_error(lambda t, x: x.softmax(0), a, exc=NotImplementedError, match="softmax_kernel_impl")
    check_error(lambda t, x: x.log_softmax(0), a, exc=NotImplementedError, match="log_softmax_kernel_impl")


def test_bad_dims_raise():
    check_error(lambda t, x: x.softmax(2), (3, 4), exc=IndexError)
    check_error(lambda t, x: x.log_softmax(-3), (3, 4), exc=IndexError)
    check_error(lambda t, x: t.softmax(x, None), (3, 4), exc=TypeError)


def test_softmax_in_a_loss():
    # the usual classifier loss: −mean log p[target], through log_softmax and a one-hot mask
    onehot = Const(np.eye(4, dtype=np.float32)[[0, 3, 1, 1, 2]])
    check(lambda t, x, m: -(x.log_softmax(1) * m).sum(1).mean(), (5, 4), onehot)
    check(lambda t, x, m: (x.softmax(-1) - m).square().sum(), (5, 4), onehot)


@settings(max_examples=40, deadline=None)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                    elements=st.floats(-50, 50)), data=st.data())
def test_properties(x, data):
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    t = glasstorch.from_numpy(x)
    p = t.softmax(dim).numpy()
    np.testing.assert_allclose(p.sum(axis=dim), 1.0, rtol=1e-12)
    assert (p >= 0).all()
    np.testing.assert_allclose(t.log_softmax(dim).numpy(), np.log(p), rtol=1e-9, atol=1e-9)
    # invariant to adding a constant along the dim
    np.testing.assert_allclose((t + 7.5).softmax(dim).numpy(), p, rtol=1e-9, atol=1e-12)
    check(lambda t, x: (x.softmax(dim), x.log_softmax(dim)), x, dtype=np.float64)


def test_backward_twice_with_retained_graph():
    for op in ("softmax", "log_softmax"):
        x = glasstorch.randn(3, 4, requires_grad=True)
        y = getattr(x, op)(1)
        w = glasstorch.randn(3, 4)
        y.backward(w, retain_graph=True)
        first = x.grad.clone()
        y.backward(w)
        np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy(), rtol=1e-6, atol=1e-7)
