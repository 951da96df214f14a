"""ops/math.py against PyTorch: values, dtypes, gradients, edge values, in-place variants, out=, gradcheck."""
import numpy as np
import pytest
import torch as _torch

from parity import Const, check, check_error, gradcheck

import glasstorch

# name: (fn, input kind): "real" N(0, 1), "pos" U(0.5, 2), "unit" values inside (−1, 1), "big" values > 1
SPECIAL_FIRST = {
    "lgamma": (lambda torch, x: torch.lgamma(x), "real"),
    "lgamma_method": (lambda torch, x: x.lgamma(), "pos"),
    "digamma": (lambda torch, x: torch.digamma(x), "pos"),
    "digamma_method": (lambda torch, x: x.digamma(), "real"),
    "polygamma1": (lambda torch, x: torch.polygamma(1, x), "pos"),
    "polygamma3": (lambda torch, x: x.polygamma(3), "pos"),
    "polygamma0": (lambda torch, x: torch.polygamma(0, x), "pos"),
    "erfinv": (lambda torch, x: torch.erfinv(x), "unit"),
    "erfc": (lambda torch, x: torch.erfc(x), "real"),
    "erfc_method": (lambda torch, x: x.erfc(), "real"),
    "mvlgamma": (lambda torch, x: torch.mvlgamma(x + 2, 3), "pos"),
    "mvlgamma_method": (lambda torch, x: x.mvlgamma(1), "pos"),
}


def _input(kind, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    if kind == "real":
        return rng.standard_normal(shape).astype(np.float32)
    if kind == "pos":
        return rng.uniform(0.5, 2.0, shape).astype(np.float32)
    if kind == "unit":
        return rng.uniform(-0.9, 0.9, shape).astype(np.float32)
    if kind == "big":
        return rng.uniform(1.2, 3.0, shape).astype(np.float32)
    raise ValueError(kind)


def _run(table, name, dtype=np.float32, **kw):
    fn, kind = table[name]
    check(fn, _input(kind).astype(dtype), dtype=dtype, **kw)


@pytest.mark.parametrize("name", sorted(SPECIAL_FIRST))
def test_special_first_parity(name):
    _run(SPECIAL_FIRST, name, rtol=2e-4)


@pytest.mark.parametrize("name", sorted(SPECIAL_FIRST))
def test_special_first_gradcheck(name):
    fn, kind = SPECIAL_FIRST[name]
    gradcheck(fn, _input(kind, (2, 3)).astype(np.float64))


@pytest.mark.parametrize("name", ["lgamma", "digamma", "erfinv", "erfc"])
def test_special_first_integer_input(name):
    check(lambda torch, x: getattr(torch, name)(x), np.array([0, 1, 2, -3, 5]), rtol=1e-4)


def test_special_first_integer_polygamma_mvlgamma():
    check(lambda torch, x: torch.polygamma(2, x), np.array([1, 2, 5]))
    check(lambda torch, x: torch.mvlgamma(x, 2), np.array([1, 2, 5]))


def test_special_first_edges():
    x = np.array([0.0, -0.0, -1.0, -2.5, 1.0, 2.0, np.inf, -np.inf, np.nan], dtype=np.float32)
    for f in ("lgamma", "digamma", "erfc"):
        check(lambda torch, x: getattr(torch, f)(x), Const(x))
    check(lambda torch, x: torch.polygamma(1, x), Const(x[[0, 3, 4, 6, 8]]), rtol=1e-4)
    u = np.array([-1.0, 1.0, 0.0, -0.5, 0.999, 2.0, np.nan], dtype=np.float32)
    check(lambda torch, x: torch.erfinv(x), Const(u))
    check(lambda torch, x: torch.mvlgamma(x, 2), Const(np.array([0.5, 0.7, 3.0], dtype=np.float32)))


def test_polygamma_negative_n():
    check_error(lambda torch, x: torch.polygamma(-1, x), (3,))


# ---------------------------------------------------------------------------------------------------
# unary float functions
# ---------------------------------------------------------------------------------------------------
UNARY = {
    "asin": (lambda torch, x: torch.asin(x), "unit"),
    "arcsin": (lambda torch, x: torch.arcsin(x), "unit"),
    "acos": (lambda torch, x: x.acos(), "unit"),
    "arccos": (lambda torch, x: x.arccos(), "unit"),
    "atan": (lambda torch, x: torch.atan(x), "real"),
    "arctan": (lambda torch, x: x.arctan(), "real"),
    "sinh": (lambda torch, x: torch.sinh(x), "real"),
    "cosh": (lambda torch, x: x.cosh(), "real"),
    "asinh": (lambda torch, x: torch.asinh(x), "real"),
    "arcsinh": (lambda torch, x: x.arcsinh(), "real"),
    "acosh": (lambda torch, x: torch.acosh(x), "big"),
    "arccosh": (lambda torch, x: x.arccosh(), "big"),
    "atanh": (lambda torch, x: torch.atanh(x), "unit"),
    "arctanh": (lambda torch, x: x.arctanh(), "unit"),
    "exp2": (lambda torch, x: torch.exp2(x), "real"),
    "logit": (lambda torch, x: torch.logit(x * 0.5 + 0.5), "unit"),
    "logit_eps": (lambda torch, x: x.logit(eps=0.2), "unit"),
    "logit_eps_out_of_range": (lambda torch, x: torch.logit(x, 0.1), "real"),
    "sinc": (lambda torch, x: torch.sinc(x), "real"),
    "i0": (lambda torch, x: torch.i0(x), "real"),
    "frac": (lambda torch, x: torch.frac(x * 3), "real"),
    "fix": (lambda torch, x: torch.fix(x * 3), "real"),
    "deg2rad": (lambda torch, x: torch.deg2rad(x), "real"),
    "rad2deg": (lambda torch, x: x.rad2deg(), "real"),
    "sgn": (lambda torch, x: torch.sgn(x) + x, "real"),
    "positive": (lambda torch, x: torch.positive(x) * 2, "real"),
    "nan_to_num": (lambda torch, x: torch.nan_to_num(torch.log(x)), "real"),
    "nan_to_num_args": (lambda torch, x: (1 / x.round()).nan_to_num(nan=1.5, posinf=2.0, neginf=-3.0), "real"),
    "float_power": (lambda torch, x: torch.float_power(x, 2), "pos"),
    "float_power_scalar_base": (lambda torch, x: torch.float_power(2, x), "real"),
    "frexp": (lambda torch, x: torch.frexp(x * 10), "real"),
    "frexp_method": (lambda torch, x: x.frexp(), "real"),
    "ldexp": (lambda torch, x: torch.ldexp(x, torch.tensor([1, 2, 3, 0])), "real"),
}
NOT_DIFFERENTIABLE_AT_RANDOM = {"frexp", "frexp_method", "logit_eps_out_of_range", "ldexp"}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_parity(name):
    _run(UNARY, name)


@pytest.mark.parametrize("name", sorted(set(UNARY) - NOT_DIFFERENTIABLE_AT_RANDOM - {"nan_to_num", "nan_to_num_args"}))
def test_unary_gradcheck(name):
    fn, kind = UNARY[name]
    gradcheck(fn, _input(kind, (2, 3)).astype(np.float64))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_float64(name):
    _run(UNARY, name, dtype=np.float64)


INT_UNARY = ["asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "exp2", "logit", "sinc", "i0",
             "deg2rad", "rad2deg", "sgn", "fix", "nan_to_num", "signbit", "isneginf", "isposinf", "isreal",
             "positive"]


@pytest.mark.parametrize("name", INT_UNARY)
def test_unary_integer_input(name):
    check(lambda torch, x: getattr(torch, name)(x), np.array([[0, 1, -1], [2, -3, 5]]))


EDGES = np.array([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -2.0, np.inf, -np.inf, np.nan, 1e-8, 1e30], dtype=np.float32)


@pytest.mark.parametrize("name", ["asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "exp2",
                                  "logit", "sinc", "i0", "frac", "fix", "deg2rad", "sgn", "signbit", "isneginf",
                                  "isposinf", "nan_to_num", "lgamma", "digamma", "erfinv", "erfc"])
def test_unary_edge_values(name):
    check(lambda torch, x: getattr(torch, name)(x), Const(EDGES), rtol=1e-4)


@pytest.mark.parametrize("name,value", [("acosh", 1.0), ("atanh", 1.0), ("atanh", -1.0), ("logit", 0.0),
                                        ("logit", 1.0), ("asin", 1.0), ("acos", -1.0), ("sinc", 0.0)])
def test_domain_edge_gradients(name, value):
    check(lambda torch, x: getattr(torch, name)(x), np.array([value, 0.25 if name != "acosh" else 2.0], np.float32))


def test_logit_eps_gradient_at_bounds():
    x = np.array([0.0, 0.1, 0.5, 0.95, 1.0], np.float32)
    check(lambda torch, x: torch.logit(x, eps=0.1), x)


def test_nan_to_num_integer_and_bool():
    check(lambda torch, x: torch.nan_to_num(x, nan=2.0), np.array([1, 2, 3]))
    check(lambda torch, x: torch.nan_to_num(x), np.array([True, False]))


def test_zero_size_and_scalar():
    for f in ("asin", "lgamma", "exp2", "sinc", "frac"):
        check(lambda torch, x: getattr(torch, f)(x), (0, 3))
        check(lambda torch, x: getattr(torch, f)(x * 0.1), ())


def test_ldexp_gradcheck():
    gradcheck(lambda torch, x, e: torch.ldexp(x, e), (2, 3), (3,))


def test_float_power_dtypes():
    check(lambda torch, x, y: torch.float_power(x, y), np.array([1, 2, 3]), np.array([2, 0, 1]))
    check(lambda torch, x, y: torch.float_power(x, y), (3,), np.array([2, 0, 1]))
    check(lambda torch, x, y: x.float_power(y), (2, 3), (3,), positive=True)


def test_frexp_integer_raises():
    check_error(lambda torch, x: torch.frexp(x), np.array([1, 2]))


# ---------------------------------------------------------------------------------------------------
# binary float functions
# ---------------------------------------------------------------------------------------------------
BINARY = {
    "atan2": (lambda torch, x, y: torch.atan2(x, y), False),
    "arctan2": (lambda torch, x, y: x.arctan2(y), False),
    "hypot": (lambda torch, x, y: torch.hypot(x, y), False),
    "fmod": (lambda torch, x, y: torch.fmod(x, y), True),
    "remainder": (lambda torch, x, y: torch.remainder(x, y), True),
    "copysign": (lambda torch, x, y: torch.copysign(x, y), False),
    "xlogy": (lambda torch, x, y: torch.xlogy(x, y), True),
    "logaddexp": (lambda torch, x, y: torch.logaddexp(x, y), False),
    "logaddexp2": (lambda torch, x, y: x.logaddexp2(y), False),
    "igamma": (lambda torch, x, y: torch.igamma(x, y) + torch.igammac(x, y) * 2, True),
    "igammac": (lambda torch, x, y: x.igammac(y), True),
    "nextafter": (lambda torch, x, y: torch.nextafter(x, y), False),
    "ldexp": (lambda torch, x, y: torch.ldexp(x, y), False),
    "float_power": (lambda torch, x, y: torch.float_power(x, y), True),
    "fmax": (lambda torch, x, y: torch.fmax(x, y), False),
    "fmin": (lambda torch, x, y: x.fmin(y), False),
    "rsub": (lambda torch, x, y: torch.rsub(x, y, alpha=2), False),
}
SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((0, 3), (3,))]


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_binary_parity(name, shapes):
    fn, positive = BINARY[name]
    first = Const(shapes[0]) if name.startswith("igamma") else shapes[0]  # PyTorch: no derivative in a
    check(fn, first, shapes[1], positive=positive, rtol=2e-4)


@pytest.mark.parametrize("name", sorted(set(BINARY) - {"nextafter"}))
def test_binary_gradcheck(name):
    fn, positive = BINARY[name]
    first = Const((2, 3)) if name.startswith("igamma") else (2, 3)
    gradcheck(fn, first, (3,), positive=positive)


@pytest.mark.parametrize("name", ["atan2", "fmod", "remainder", "copysign", "xlogy", "ldexp", "float_power", "rsub",
                                  "gcd", "lcm", "bitwise_left_shift", "bitwise_right_shift"])
def test_binary_integer_inputs(name):
    check(lambda torch, x, y: getattr(torch, name)(x, y), np.array([[6, -7, 9], [4, 1, 12]]), np.array([2, 3, 1]))


@pytest.mark.parametrize("name", ["hypot", "logaddexp", "logaddexp2", "nextafter", "igamma", "frac"])
def test_integer_inputs_not_implemented(name):
    if name == "frac":
        check_error(lambda torch, x: torch.frac(x), np.array([1, 2]))
    else:
        check_error(lambda torch, x: getattr(torch, name)(x, x), np.array([1, 2]))


@pytest.mark.parametrize("name", ["gcd", "lcm", "bitwise_left_shift"])
def test_integer_only_functions_reject_floats(name):
    check_error(lambda torch, x: getattr(torch, name)(x, x), (3,))


def test_mixed_dtypes_and_scalars():
    check(lambda torch, x, y: torch.atan2(x, y), (3,), np.array([1, -2, 0]))
    check(lambda torch, x: torch.copysign(x, -1), (3,))
    check(lambda torch, x: torch.xlogy(2, x), (3,), positive=True)
    check(lambda torch, x: torch.xlogy(x, 3), (3,))
    check(lambda torch, x: torch.fmod(x, 1.5), (3, 2))
    check(lambda torch, x: torch.float_power(x, 2.5), (3,), positive=True)
    check(lambda torch, x, y: torch.fmax(x, y), (3,), np.array([1, 2, 3]))


def test_binary_edges():
    x = np.array([0.0, 0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 0.0, 2.0], np.float32)
    y = np.array([0.0, np.nan, 0.0, -0.0, np.inf, 1.0, 1.0, -1.0, np.nan], np.float32)
    for f in ("atan2", "hypot", "fmod", "copysign", "xlogy", "logaddexp", "logaddexp2", "nextafter", "fmax", "fmin"):
        check(lambda torch, a, b: getattr(torch, f)(a, b), Const(x), Const(y))


def test_xlogy_zero_gives_zero_and_gradient():
    x = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 2.0, 0.0], np.float32)
    y = np.array([0.0, 2.0, np.nan, -1.0, 0.0, 3.0, -2.0], np.float32)
    check(lambda torch, x, y: torch.xlogy(x, y), x, y)
    check(lambda torch, x, y: torch.special.xlogy(x, y), x, y)
    check(lambda torch, x, y: torch.special.xlog1py(x, y), x, y)


def test_fmax_ties_and_nan_gradients():
    x = np.array([1.0, np.nan, 2.0, np.nan], np.float32)
    y = np.array([1.0, 3.0, np.nan, np.nan], np.float32)
    check(lambda torch, x, y: torch.fmax(x, y), x, y)
    check(lambda torch, x, y: torch.fmin(x, y), x, y)


def test_fmod_by_zero_integer_raises():
    check_error(lambda torch, x: torch.fmod(x, 0), np.array([1, 2]))


def test_igamma_input_gradient_not_implemented():
    check_error(lambda torch, a, x: torch.igamma(a, x).sum().backward(),
                np.array([1.0, 2.0], np.float32), np.array([0.5, 1.0], np.float32), dtype=np.float32)


# ---------------------------------------------------------------------------------------------------
# bool results, membership, integer functions
# ---------------------------------------------------------------------------------------------------
def test_sign_tests():
    x = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan], np.float32)
    for f in ("signbit", "isneginf", "isposinf", "isreal", "sgn"):
        check(lambda torch, x: getattr(torch, f)(x), Const(x))
        check(lambda torch, x: getattr(x, f)(), Const(x))
    check(lambda torch, x: torch.sgn(x), np.array([True, False]))


def test_positive_bool_raises():
    check_error(lambda torch, x: torch.positive(x), np.array([True, False]))
    check_error(lambda torch, x: x.positive(), np.array([True]))


@pytest.mark.parametrize("invert", [False, True])
def test_isin(invert):
    e, t = np.array([[1, 2, 3], [4, 5, 6]]), np.array([2, 4, 7])
    check(lambda torch, e, t: torch.isin(e, t, invert=invert), e, t)
    check(lambda torch, e: torch.isin(e, 3, invert=invert), e)
    check(lambda torch, t: torch.isin(4, t, invert=invert), t)
    check(lambda torch, e, t: torch.isin(e, t), Const(np.array([1.0, 2.5])), np.array([1, 2]))


def test_shift_operators():
    a = np.array([1, 5, -8, 3])
    check(lambda torch, x: (x << 2, x >> 1, 1 << x.abs(), 64 >> x.abs()), a)
    check(lambda torch, x, y: (x << y, x >> y), a, np.array([0, 1, 2, 3]))
    check(lambda torch, x: x.bitwise_left_shift(1), a.astype(np.int32))


def test_inplace_operators():
    def fn(torch, x, y):
        x = x.clone()
        x <<= 1
        x >>= 1
        x &= y
        x |= y
        x ^= y
        x //= 2
        x %= 5
        x **= 2
        return x
    check(fn, np.array([3, 7, 12, 9]), np.array([1, 6, 5, 2]))


def test_bitwise_methods():
    a, b = np.array([3, 7, 12]), np.array([1, 6, 5])
    check(lambda torch, x, y: (x.bitwise_and(y), x.bitwise_or(y), x.bitwise_xor(y), x.bitwise_not()), a, b)
    check(lambda torch, x, y: (x.greater(y), x.greater_equal(y), x.less(y), x.less_equal(y), x.not_equal(y)), a, b)


# ---------------------------------------------------------------------------------------------------
# where with numbers, clamp with tensor bounds
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("a,b", [(1, 0), (1.0, 0), (True, False), (2.5, -1.5), (1, 0.5)])
def test_where_two_numbers(a, b):
    check(lambda torch, x: torch.where(x > 0, a, b), Const((3, 4)))


def test_where_one_number():
    check(lambda torch, x: torch.where(x > 0, x, 2.5), (3, 4))
    check(lambda torch, x: torch.where(x > 0, 0, x), (3, 4))
    check(lambda torch, x: torch.where(x > 0, x, 1), np.array([1, -2, 3]))


@pytest.mark.parametrize("shapes", [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((3, 4), (), ())], ids=str)
def test_clamp_tensor_bounds(shapes):
    check(lambda torch, x, lo, hi: torch.clamp(x, lo - 0.5, hi + 0.5), *shapes)
    check(lambda torch, x, lo: torch.clamp(x, min=lo), *shapes[:2])
    check(lambda torch, x, hi: x.clip(max=hi), *shapes[::2])
    gradcheck(lambda torch, x, lo, hi: torch.clamp(x, lo - 0.5, hi + 0.5), *shapes)


def test_clamp_tensor_bounds_ties_and_crossed():
    x = np.array([0.0, 1.0, 2.0, 3.0, -1.0], np.float32)
    lo = np.array([0.0, 1.0, 2.5, 1.0, 0.0], np.float32)
    hi = np.array([1.0, 1.0, 2.0, 3.0, 0.0], np.float32)
    check(lambda torch, x, lo, hi: torch.clamp(x, lo, hi), x, lo, hi)
    check(lambda torch, x, lo: torch.clamp(x, lo), x, lo)


def test_clamp_integer_tensor_bounds():
    check(lambda torch, x, lo: torch.clamp(x, lo, lo + 4), np.array([1, 5, -2]), np.array([0, 0, 0]))
    check(lambda torch, x, lo: torch.clamp(x, lo), np.array([1, 5, -2]), np.array([0.5, 0, 0], np.float32))


# ---------------------------------------------------------------------------------------------------
# in-place variants
# ---------------------------------------------------------------------------------------------------
INPLACE = {
    "asin_": ("unit", lambda x: x.asin_()), "arcsin_": ("unit", lambda x: x.arcsin_()),
    "acos_": ("unit", lambda x: x.acos_()), "arccos_": ("unit", lambda x: x.arccos_()),
    "atan_": ("real", lambda x: x.atan_()), "arctan_": ("real", lambda x: x.arctan_()),
    "sinh_": ("real", lambda x: x.sinh_()), "cosh_": ("real", lambda x: x.cosh_()),
    "asinh_": ("real", lambda x: x.asinh_()), "arcsinh_": ("real", lambda x: x.arcsinh_()),
    "acosh_": ("big", lambda x: x.acosh_()), "arccosh_": ("big", lambda x: x.arccosh_()),
    "atanh_": ("unit", lambda x: x.atanh_()), "arctanh_": ("unit", lambda x: x.arctanh_()),
    "lgamma_": ("pos", lambda x: x.lgamma_()), "digamma_": ("pos", lambda x: x.digamma_()),
    "polygamma_": ("pos", lambda x: x.polygamma_(1)), "erfinv_": ("unit", lambda x: x.erfinv_()),
    "erfc_": ("real", lambda x: x.erfc_()), "mvlgamma_": ("big", lambda x: x.mvlgamma_(2)),
    "erf_": ("real", lambda x: x.erf_()), "exp2_": ("real", lambda x: x.exp2_()),
    "expm1_": ("real", lambda x: x.expm1_()), "log2_": ("pos", lambda x: x.log2_()),
    "log10_": ("pos", lambda x: x.log10_()), "log1p_": ("pos", lambda x: x.log1p_()),
    "rsqrt_": ("pos", lambda x: x.rsqrt_()), "reciprocal_": ("pos", lambda x: x.reciprocal_()),
    "sin_": ("real", lambda x: x.sin_()), "cos_": ("real", lambda x: x.cos_()), "tan_": ("unit", lambda x: x.tan_()),
    "ceil_": ("real", lambda x: x.ceil_()), "floor_": ("real", lambda x: x.floor_()),
    "round_": ("real", lambda x: x.round_()), "round_decimals_": ("real", lambda x: x.round_(decimals=1)),
    "trunc_": ("real", lambda x: x.trunc_()), "frac_": ("real", lambda x: x.frac_()), "fix_": ("real", lambda x: x.fix_()),
    "square_": ("real", lambda x: x.square_()), "sign_": ("real", lambda x: x.sign_()), "sgn_": ("real", lambda x: x.sgn_()),
    "absolute_": ("real", lambda x: x.absolute_()), "negative_": ("real", lambda x: x.negative_()),
    "logit_": ("unit", lambda x: x.mul_(0.5).add_(0.5).logit_()), "logit_eps_": ("unit", lambda x: x.logit_(0.3)),
    "sinc_": ("real", lambda x: x.sinc_()), "i0_": ("real", lambda x: x.i0_()),
    "deg2rad_": ("real", lambda x: x.deg2rad_()), "rad2deg_": ("real", lambda x: x.rad2deg_()),
    "nan_to_num_": ("real", lambda x: x.log_().nan_to_num_(nan=1.0)),
    "xlogy_": ("pos", lambda x: x.xlogy_(2.0)), "hypot_": ("real", lambda x: x.hypot_(x * 2)),
    "fmod_": ("real", lambda x: x.fmod_(0.3)), "remainder_": ("real", lambda x: x.remainder_(0.3)),
    "copysign_": ("real", lambda x: x.copysign_(-1.0)), "atan2_": ("real", lambda x: x.atan2_(x * 0 + 0.5)),
    "arctan2_": ("real", lambda x: x.arctan2_(x * 0 - 0.5)), "ldexp_": ("real", lambda x: x.ldexp_(x.detach().round())),
    "nextafter_": ("real", lambda x: x.nextafter_(x * 0)),
    "igamma_": ("pos", lambda x: x.igamma_(x.detach() * 0 + 1)), "igammac_": ("pos", lambda x: x.igammac_(x.detach() * 0 + 1)),
    "heaviside_": ("real", lambda x: x.heaviside_(x.detach() * 0 + 0.5)),
    "subtract_": ("real", lambda x: x.subtract_(x * 2, alpha=0.5)), "multiply_": ("real", lambda x: x.multiply_(x.detach() + 1)),
    "divide_": ("pos", lambda x: x.divide_(x.detach() * 2 + 1)), "true_divide_": ("pos", lambda x: x.true_divide_(2.0)),
    "divide_floor_": ("real", lambda x: x.divide_(0.3, rounding_mode="floor")),
    "floor_divide_": ("real", lambda x: x.floor_divide_(0.3)),
    "eq_": ("real", lambda x: x.round_().eq_(0)), "ne_": ("real", lambda x: x.ne_(0.5)),
    "lt_": ("real", lambda x: x.lt_(0)), "le_": ("real", lambda x: x.le_(0)), "gt_": ("real", lambda x: x.gt_(0)),
    "ge_": ("real", lambda x: x.ge_(0)), "greater_": ("real", lambda x: x.greater_(0)),
    "greater_equal_": ("real", lambda x: x.greater_equal_(0)), "less_": ("real", lambda x: x.less_(0)),
    "less_equal_": ("real", lambda x: x.less_equal_(0)), "not_equal_": ("real", lambda x: x.not_equal_(0)),
    "logical_and_": ("real", lambda x: x.logical_and_(x > 0)), "logical_or_": ("real", lambda x: x.logical_or_(x > 0)),
    "logical_xor_": ("real", lambda x: x.logical_xor_(x > 0)), "logical_not_": ("real", lambda x: x.logical_not_()),
    "clamp_min_": ("real", lambda x: x.clamp_min_(0.1)), "clamp_max_": ("real", lambda x: x.clamp_max_(0.1)),
    "lerp_": ("real", lambda x: x.lerp_(x * 0 + 1, 0.3)),
}
NO_GRAD_INPLACE = {"floor_divide_", "sgn_", "igamma_", "igammac_", "acosh_", "arccosh_", "asinh_", "arcsinh_", "atanh_",
                   "arctanh_", "eq_", "ne_", "lt_", "le_", "gt_", "ge_", "greater_", "greater_equal_", "less_", "less_equal_",
                   "not_equal_", "logical_and_", "logical_or_", "logical_xor_", "logical_not_", "heaviside_"}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_value_and_version(name):
    kind, fn = INPLACE[name]
    a = _input(kind)
    t, g = _torch.from_numpy(a.copy()), glasstorch.from_numpy(a.copy())
    tv, gv = t._version, g._version
    rt, rg = fn(t), fn(g)
    assert rg is g and rt is t
    assert g._version > gv and t._version > tv
    np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-4, atol=1e-5, equal_nan=True)


@pytest.mark.parametrize("name", sorted(set(INPLACE) - NO_GRAD_INPLACE))
def test_inplace_gradient_on_non_leaf(name):
    kind, fn = INPLACE[name]
    check(lambda torch, x: fn(x * 1.0) * 2, _input(kind), rtol=2e-4)


@pytest.mark.parametrize("name", ["acosh_", "asinh_", "atanh_", "igamma_", "igammac_"])
def test_inplace_without_derivative_raises_on_backward(name):
    kind, fn = INPLACE[name]
    check_error(lambda torch, x: fn(x.requires_grad_() * 1.0).sum().backward(), _input(kind))


def test_inplace_on_leaf_raises():
    check_error(lambda torch, x: x.requires_grad_().asin_(), (3,))
    check_error(lambda torch, x: torch.asin_(x.requires_grad_()), (3,))


def test_inplace_sees_views():
    check(lambda torch, x: (lambda y: (y[0].atan_(), y)[1])(x * 1.0), (3, 4))


def test_inplace_integer_tensor_refuses_float_result():
    check_error(lambda torch, x: x.asin_(), np.array([1, 2]))
    check_error(lambda torch, x: x.float_power_(2), (3,))


def test_inplace_integer_functions():
    a, b = np.array([6, 10, 9]), np.array([4, 4, 6])

    def fn(torch, x, y):
        x = x.clone()
        x.gcd_(y)
        z = x.clone().lcm_(y)
        w = x.clone().bitwise_left_shift_(y)
        v = w.clone().bitwise_right_shift_(y).bitwise_and_(y).bitwise_or_(y).bitwise_xor_(y).bitwise_not_()
        return x, z, w, v
    check(fn, a, b)


def test_float_power_inplace_float64():
    check(lambda torch, x: (x * 1).float_power_(2), (3,), dtype=np.float64)


TORCH_LEVEL_INPLACE = ["abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_",
                       "asin_", "asinh_", "atan_", "atanh_", "ceil_", "cos_", "cosh_", "deg2rad_", "erf_", "erfc_",
                       "exp2_", "exp_", "expm1_", "fix_", "floor_", "frac_", "i0_", "log10_", "log1p_", "log2_", "log_",
                       "logit_", "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_", "round_",
                       "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_",
                       "zero_"]


@pytest.mark.parametrize("name", TORCH_LEVEL_INPLACE)
def test_torch_level_inplace(name):
    a = np.random.default_rng(0).uniform(1.1, 1.5, (2, 3)).astype(np.float32)
    grad = name not in ("acosh_", "arccosh_", "asinh_", "arcsinh_", "atanh_", "arctanh_")
    check(lambda torch, x: getattr(torch, name)(x * 0.5) * 2, a, rtol=2e-4, grad=grad)


def test_torch_level_inplace_with_arguments():
    check(lambda torch, x: (torch.xlogy_(x * 1, 2.0), torch.ldexp_(x * 1, x.detach().round()),
                            torch.clamp_(x * 1, -0.5, 0.5), torch.clip_(x * 1, -0.5), torch.clamp_min_(x * 1, 0.2),
                            torch.clamp_max_(x * 1, 0.2), torch.fill_(x * 1, 1.5)), (3, 4))
    check(lambda torch, x, y: (torch.gcd_(x.clone(), y), torch.lcm_(x.clone(), y)), np.array([4, 6]), np.array([6, 9]))


# ---------------------------------------------------------------------------------------------------
# out=
# ---------------------------------------------------------------------------------------------------
OUT_UNARY = ["asin", "acos", "atan", "sinh", "cosh", "asinh", "atanh", "exp2", "logit", "sinc", "i0", "frac", "fix",
             "deg2rad", "rad2deg", "sgn", "nan_to_num", "lgamma", "digamma", "erfinv", "erfc",
             "abs", "neg", "exp", "expm1", "log1p", "sqrt", "rsqrt", "square", "reciprocal", "sin", "cos", "tan",
             "tanh", "sigmoid", "erf", "sign", "floor", "ceil", "round", "trunc", "negative", "absolute"]
OUT_BINARY = ["atan2", "arctan2", "hypot", "fmod", "remainder", "copysign", "xlogy", "logaddexp", "logaddexp2",
              "nextafter", "ldexp", "sub", "mul", "div", "true_divide", "floor_divide", "pow", "maximum",
              "minimum", "fmax", "fmin", "igamma", "igammac", "subtract", "multiply", "divide"]
OUT_BOOL = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "less_equal", "not_equal", "logical_and", "logical_or",
            "logical_xor"]


def _out_check(call, dtype=None):
    """call(torch, out) on both libraries: the same values in out, out returned, out's version bumped."""
    results = []
    for lib in (_torch, glasstorch):
        out = lib.empty(0, dtype=getattr(lib, dtype) if dtype else None)
        v = out._version
        r = call(lib, out)
        assert r is out and out._version > v
        results.append(out.numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-5, atol=1e-6, equal_nan=True)
    assert results[1].dtype == results[0].dtype


@pytest.mark.parametrize("name", OUT_UNARY)
def test_out_unary(name):
    a = _input("unit")
    _out_check(lambda lib, out: getattr(lib, name)(lib.from_numpy(a.copy()), out=out))


@pytest.mark.parametrize("name", OUT_BINARY)
def test_out_binary(name):
    a, b = _input("pos"), _input("pos", (4,), seed=1)
    _out_check(lambda lib, out: getattr(lib, name)(lib.from_numpy(a.copy()), lib.from_numpy(b.copy()), out=out))


@pytest.mark.parametrize("name", OUT_BOOL)
def test_out_bool(name):
    a, b = _input("real"), _input("real", (4,), seed=1)
    _out_check(lambda lib, out: getattr(lib, name)(lib.from_numpy(a.copy()) > 0, lib.from_numpy(b.copy()), out=out),
               dtype="bool")


def test_out_other_functions():
    a, b = _input("pos"), _input("pos", (4,), seed=1)
    T = lambda lib, v: lib.from_numpy(v.copy())
    _out_check(lambda lib, out: lib.clamp(T(lib, a), 0.7, 1.5, out=out))
    _out_check(lambda lib, out: lib.clamp_min(T(lib, a), 0.7, out=out))
    _out_check(lambda lib, out: lib.clamp_max(T(lib, a), 0.7, out=out))
    _out_check(lambda lib, out: lib.clip(T(lib, a), T(lib, b), out=out))
    _out_check(lambda lib, out: lib.where(T(lib, a) > 1, T(lib, a), T(lib, b), out=out))
    _out_check(lambda lib, out: lib.lerp(T(lib, a), T(lib, b), 0.3, out=out))
    _out_check(lambda lib, out: lib.polygamma(2, T(lib, a), out=out))
    _out_check(lambda lib, out: lib.mvlgamma(T(lib, a) + 1, 2, out=out))
    _out_check(lambda lib, out: lib.float_power(T(lib, a), 2, out=out), dtype="float64")
    _out_check(lambda lib, out: lib.sub(T(lib, a), T(lib, b), alpha=2, out=out))
    _out_check(lambda lib, out: lib.round(T(lib, a), decimals=1, out=out))
    _out_check(lambda lib, out: lib.logit(T(lib, a) / 3, 0.2, out=out))
    i, j = np.array([3, 4, 12]), np.array([2, 6, 8])
    for n in ("gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift"):
        _out_check(lambda lib, out: getattr(lib, n)(T(lib, i), T(lib, j), out=out), dtype="int64")
    _out_check(lambda lib, out: lib.bitwise_not(T(lib, i), out=out), dtype="int64")
    _out_check(lambda lib, out: lib.logical_not(T(lib, i), out=out), dtype="bool")
    for n in ("signbit", "isneginf", "isposinf"):
        _out_check(lambda lib, out: getattr(lib, n)(T(lib, a), out=out), dtype="bool")


def test_out_frexp():
    a = _input("real") * 10
    res = []
    for lib in (_torch, glasstorch):
        m, e = lib.empty(0), lib.empty(0, dtype=lib.int32)
        r = lib.frexp(lib.from_numpy(a.copy()), out=(m, e))
        assert r[0] is m and r[1] is e
        res.append((m.numpy(), e.numpy()))
    np.testing.assert_array_equal(res[0][0], res[1][0])
    np.testing.assert_array_equal(res[0][1], res[1][1])


def test_out_refuses_grad_and_bad_cast():
    check_error(lambda torch, x: torch.asin(x.requires_grad_(), out=torch.empty(3)), (3,))
    check_error(lambda torch, x: torch.atan2(x, x, out=torch.empty(3, dtype=torch.int64)), (3,))
    check_error(lambda torch, x: torch.sin(x, out=torch.empty(3, dtype=torch.int64)), (3,))
