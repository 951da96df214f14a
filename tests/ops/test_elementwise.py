"""Elementwise ops against PyTorch: values, dtypes, gradients (broadcasting included), and gradcheck."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from parity import Const, check, check_error, gradcheck

import glasstorch

BROADCAST_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3, 4), (3, 1)), ((1,), (5, 2)), ((), (2, 3)),
                   ((2, 1, 4), (1, 3, 1)), ((0, 3), (3,)), ((4, 1), ())]

BINARY = {
    "add": lambda torch, x, y: x + y,
    "sub": lambda torch, x, y: x - y,
    "mul": lambda torch, x, y: x * y,
    "div": lambda torch, x, y: x / y,
    "add_alpha": lambda torch, x, y: torch.add(x, y, alpha=2.5),
    "sub_alpha": lambda torch, x, y: x.sub(y, alpha=0.5),
    "maximum": lambda torch, x, y: torch.maximum(x, y),
    "minimum": lambda torch, x, y: torch.minimum(x, y),
    "where": lambda torch, x, y: torch.where(x > 0, x, y),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=str)
def test_binary_broadcasting(name, shapes):
    check(BINARY[name], *shapes)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "maximum", "minimum"])
def test_binary_gradcheck(name):
    gradcheck(BINARY[name], (2, 3), (3,), positive=True)


def test_binary_noncontiguous():
    check(lambda torch, x, y: x * y + x / (y.abs() + 1), (3, 4), (3, 4), noncontiguous=True)


def test_scalar_operands_both_sides():
    check(lambda torch, x: (2 - x) * 3 + 1 / (x.abs() + 1) - x / 4 + 2 ** x + x ** 2, (3, 4))


def test_pow_tensor_exponent():
    check(lambda torch, x, p: x ** p, (3, 4), (4,), positive=True)
    gradcheck(lambda torch, x, p: x ** p, (3, 4), (4,), positive=True)


def test_pow_zero_base_and_zero_exponent():
    x = np.array([0.0, 1.0, 2.0, -1.5], dtype=np.float32)
    check(lambda torch, x: x ** 0, x)
    check(lambda torch, x: x ** 2, x)
    check(lambda torch, x: x ** 3.0, x)


UNARY = {
    "neg": (lambda torch, x: -x, False),
    "abs": (lambda torch, x: x.abs(), False),
    "exp": (lambda torch, x: torch.exp(x), False),
    "expm1": (lambda torch, x: x.expm1(), False),
    "log": (lambda torch, x: torch.log(x), True),
    "log2": (lambda torch, x: x.log2(), True),
    "log10": (lambda torch, x: x.log10(), True),
    "log1p": (lambda torch, x: torch.log1p(x), True),
    "sqrt": (lambda torch, x: x.sqrt(), True),
    "rsqrt": (lambda torch, x: torch.rsqrt(x), True),
    "square": (lambda torch, x: x.square(), False),
    "reciprocal": (lambda torch, x: x.reciprocal(), True),
    "sin": (lambda torch, x: torch.sin(x), False),
    "cos": (lambda torch, x: x.cos(), False),
    "tan": (lambda torch, x: x.tan(), True),
    "tanh": (lambda torch, x: torch.tanh(x), False),
    "sigmoid": (lambda torch, x: torch.sigmoid(x), False),
    "relu": (lambda torch, x: torch.relu(x), False),
    "erf": (lambda torch, x: torch.erf(x), False),
    "sign": (lambda torch, x: x.sign(), False),
    "floor": (lambda torch, x: x.floor(), False),
    "ceil": (lambda torch, x: x.ceil(), False),
    "round": (lambda torch, x: x.round(), False),
    "trunc": (lambda torch, x: torch.trunc(x), False),
    "clamp": (lambda torch, x: x.clamp(-0.5, 0.7), False),
    "clamp_min": (lambda torch, x: torch.clamp(x, min=0.1), False),
    "clip_max": (lambda torch, x: x.clip(max=0.2), False),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(3, 4), (), (0, 2), (2, 1, 3)], ids=str)
def test_unary(name, shape):
    fn, positive = UNARY[name]
    check(fn, shape, positive=positive)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_float64_and_gradcheck(name):
    fn, positive = UNARY[name]
    check(fn, (2, 3), positive=positive, dtype=np.float64)
    if name not in ("sign", "floor", "ceil", "round", "trunc"):  # piecewise constant: gradient 0
        gradcheck(fn, (2, 3), positive=positive)


def test_unary_noncontiguous():
    check(lambda torch, x: x.exp() * x.tanh() + x.sigmoid(), (3, 5), noncontiguous=True)


def test_relu_abs_clamp_at_their_kinks():
    x = np.array([-1.0, 0.0, 0.5, 1.0, -0.5], dtype=np.float32)
    check(lambda torch, x: x.relu() + x.abs() + x.clamp(-0.5, 0.5), x)


def test_maximum_ties_split_the_gradient():
    x = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    y = np.array([1.0, 1.0, 4.0], dtype=np.float32)
    check(lambda torch, x, y: torch.maximum(x, y) + torch.minimum(x, y) * 2, x, y)


def test_clamp_with_tensor_bounds():
    check(lambda torch, x, lo, hi: torch.clamp(x, lo, hi), (3, 4), (4,), (3, 1))


def test_sigmoid_does_not_overflow():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=np.float32)
    check(lambda torch, x: torch.sigmoid(x), x)


def test_comparisons_and_logic():
    x = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], dtype=np.float32)
    y = np.array([2.0, 2.0, 2.0], dtype=np.float32)
    for f in (lambda t, x, y: x == y, lambda t, x, y: x != y, lambda t, x, y: x < y, lambda t, x, y: x <= y,
              lambda t, x, y: x > y, lambda t, x, y: x >= y, lambda t, x, y: x > 2.5,
              lambda t, x, y: (x > 1) & (y < 3), lambda t, x, y: (x > 1) | (y > 2), lambda t, x, y: ~(x > 1),
              lambda t, x, y: t.logical_xor(x > 1, y > 1), lambda t, x, y: t.isnan(x / 0 * 0)):
        check(f, Const(x), Const(y))


def test_integer_arithmetic_and_division():  # (integer tensors carry no gradient)
    a = np.array([7, -7, 3, 0], dtype=np.int64)
    b = np.array([2, 2, -2, 5], dtype=np.int64)
    for f in (lambda t, a, b: a + b, lambda t, a, b: a * b, lambda t, a, b: a - b, lambda t, a, b: a / b,
              lambda t, a, b: a // b, lambda t, a, b: a % b, lambda t, a, b: a * 2, lambda t, a, b: a + 1.5,
              lambda t, a, b: t.div(a, b, rounding_mode="floor"), lambda t, a, b: t.div(a, b, rounding_mode="trunc"),
              lambda t, a, b: a.abs(), lambda t, a, b: -a, lambda t, a, b: t.exp(a)):
        check(f, a, b)


def test_remainder_and_floor_divide_floats():
    check(lambda torch, x, y: x % y, (3, 4), (4,), positive=True)
    check(lambda torch, x, y: x // y + x, Const((3, 4)), Const((4,)), positive=True)
    # PyTorch has no derivative for floor_divide; glasstorch gives its true derivative, 0
    x = glasstorch.tensor([2.5, -1.5], requires_grad=True)
    (x // 1.0 + x).backward(glasstorch.ones(2))
    assert x.grad.tolist() == [1.0, 1.0]


INT_ZERO_DIVISIONS = {
    "floordiv_scalar": lambda t, a, z: a // 0,
    "floordiv_tensor": lambda t, a, z: a // z,
    "rfloordiv": lambda t, a, z: 7 // z,
    "mod_scalar": lambda t, a, z: a % 0,
    "mod_tensor": lambda t, a, z: a % z,
    "rmod": lambda t, a, z: 7 % z,
    "remainder": lambda t, a, z: t.remainder(a, z),
    "div_floor": lambda t, a, z: t.div(a, 0, rounding_mode="floor"),
    "div_trunc": lambda t, a, z: t.div(a, z, rounding_mode="trunc"),
    "method_div_trunc": lambda t, a, z: a.div(0, rounding_mode="trunc"),
    "broadcast": lambda t, a, z: a.reshape(3, 1) // t.cat([z, z + 1]),
    "inplace_floordiv": lambda t, a, z: a.__ifloordiv__(z) if hasattr(a, "__ifloordiv__") else a.__floordiv__(z),
    "inplace_div_floor": lambda t, a, z: a.div_(0, rounding_mode="floor"),
    "inplace_div_trunc": lambda t, a, z: a.div_(z, rounding_mode="trunc"),
}


@pytest.mark.parametrize("name", sorted(INT_ZERO_DIVISIONS))
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8], ids=lambda d: np.dtype(d).name)
def test_integer_division_by_zero_raises_like_pytorch(name, dtype):
    # PyTorch on the CPU: RuntimeError('ZeroDivisionError'); NumPy alone would warn and give 0
    a, z = np.array([5, 0, 3], dtype=dtype), np.array([0], dtype=dtype)
    check_error(INT_ZERO_DIVISIONS[name], a, z, exc=RuntimeError, match="ZeroDivisionError")


def test_integer_zero_division_leaves_inplace_target_unchanged():
    a = glasstorch.tensor([5, 6])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a.div_(0, rounding_mode="floor")
    assert a.tolist() == [5, 6]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a //= glasstorch.tensor([1, 0])
    assert a.tolist() == [5, 6]


def test_division_by_zero_that_does_not_raise():
    # floats keep inf / nan; an empty integer result divides nothing; true division of integers is float
    x = np.array([1.0, -1.0, 0.0], dtype=np.float32)
    for f in (lambda t, x: x / 0, lambda t, x: x // 0, lambda t, x: x % 0, lambda t, x: t.remainder(x, 0.0),
              lambda t, x: t.div(x, 0, rounding_mode="floor"), lambda t, x: t.div(x, 0, rounding_mode="trunc")):
        check(f, Const(x))
    ints, empty = np.array([1, -1, 0]), np.zeros(0, dtype=np.int64)
    check(lambda t, a: a / 0, ints)
    check(lambda t, a: a // 0.0, ints)  # promoted to float
    check(lambda t, a: a % t.zeros(1), ints)
    check(lambda t, e: e // 0, empty)
    check(lambda t, e: e % t.zeros(1, dtype=t.int64), empty)
    check(lambda t, e: t.div(e, 0, rounding_mode="trunc"), empty)


def test_integer_trunc_division_is_exact():
    # through float32, int64 values beyond 2**24 rounded; PyTorch divides the integers themselves
    a = np.array([-7, 7, -7, 7, 0, -(2 ** 62) - 1, 2 ** 40 + 3, -6], dtype=np.int64)
    b = np.array([2, -2, -2, 2, -3, 3, -7, 3], dtype=np.int64)
    check(lambda t, a, b: t.div(a, b, rounding_mode="trunc"), a, b)
    check(lambda t, a, b: a.div(3, rounding_mode="trunc"), a, b)
    check(lambda t, a, b: (-(2 ** 40)) // b, a, b)
    check(lambda t, a, b: t.div(a.to(t.int8), 2, rounding_mode="trunc"), a % 100, b)


DTYPES = [np.float32, np.float64, np.int64, np.int32, np.bool_, np.uint8]


@pytest.mark.parametrize("da", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("db", DTYPES, ids=lambda d: np.dtype(d).name)
def test_type_promotion_tensor_tensor(da, db):
    a = Const(np.array([[1, 0, 1]], dtype=da))
    b = Const(np.array([1, 1, 0], dtype=db))
    if np.dtype(da) == np.bool_ and np.dtype(db) == np.bool_:
        check(lambda torch, a, b: a * b, a, b)
    else:
        check(lambda torch, a, b: a + b, a, b)
    check(lambda torch, a, b: a * b[0], a, b)      # a zero-dim tensor
    check(lambda torch, a, b: a[0, 0] * b, a, b)


@pytest.mark.parametrize("da", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("scalar", [2, 2.5, True], ids=repr)
def test_type_promotion_tensor_scalar(da, scalar):
    a = Const(np.array([1, 0, 1], dtype=da))
    check(lambda torch, a: a * scalar, a)
    check(lambda torch, a: scalar * a, a)


def test_default_dtype_float64():
    glasstorch.set_default_dtype(glasstorch.float64)
    assert glasstorch.tensor([1.5]).dtype == glasstorch.float64
    assert (glasstorch.tensor([1, 2]) * 0.5).dtype == glasstorch.float64
    assert glasstorch.randn(2).dtype == glasstorch.float64


def test_casts_carry_gradients():
    check(lambda torch, x: x.double().exp().float() * 2, (3,))
    check(lambda torch, x: (x.to(torch.float64) * x).sum(), (3,))


def test_bad_shapes_raise():
    check_error(lambda torch, x, y: x + y, (2, 3), (4,))


@settings(max_examples=40, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4))
def test_broadcast_property(shapes):
    a, b = shapes.input_shapes
    check(lambda torch, x, y: x * y + (x - y) / (y.abs() + 1), a, b)


def test_vectorized_erf_is_accurate_to_float32():
    import math
    from glasstorch.ops.special import erf
    x = np.concatenate([np.linspace(-6, 6, 20001), np.geomspace(1e-8, 1, 200), -np.geomspace(1e-8, 1, 200)])
    want = np.array([math.erf(v) for v in x.astype(np.float32).astype(np.float64)])
    got = erf(x.astype(np.float32)).astype(np.float64)
    np.testing.assert_allclose(got, want, rtol=2e-7, atol=0)
    np.testing.assert_array_equal(erf(x), [math.erf(v) for v in x])  # float64: exact
