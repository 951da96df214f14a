"""Elementwise maths, special functions, comparisons and bitwise ops: Tensor methods, each a one-line call into glasstorch.ops (see _methods/__init__.py)."""
from .. import ops  # noqa: F401  (ops.<family> is looked up at call time)


class MathMethods:
    """Elementwise maths, special functions, comparisons and bitwise ops."""

    # -- gamma and error functions ----------------------------------------------------------------------
    def lgamma(self):
        return ops.math.lgamma(self)

    def lgamma_(self):
        return ops.inplace.apply_(self, ops.math.lgamma)

    def digamma(self):
        return ops.math.digamma(self)

    def digamma_(self):
        return ops.inplace.apply_(self, ops.math.digamma)

    def polygamma(self, n):
        return ops.math.polygamma(n, self)

    def polygamma_(self, n):
        return ops.inplace.apply_(self, lambda t: ops.math.polygamma(n, t))

    def erfinv(self):
        return ops.math.erfinv(self)

    def erfinv_(self):
        return ops.inplace.apply_(self, ops.math.erfinv)

    def erfc(self):
        return ops.math.erfc(self)

    def erfc_(self):
        return ops.inplace.apply_(self, ops.math.erfc)

    def mvlgamma(self, p):
        return ops.math.mvlgamma(self, p)

    def mvlgamma_(self, p):
        return ops.inplace.apply_(self, ops.math.mvlgamma, p)

    # -- inverse trigonometric and hyperbolic functions --------------------------------------
    def asin(self):
        return ops.math.asin(self)

    def asin_(self):
        return ops.inplace.apply_(self, ops.math.asin)

    def acos(self):
        return ops.math.acos(self)

    def acos_(self):
        return ops.inplace.apply_(self, ops.math.acos)

    def atan(self):
        return ops.math.atan(self)

    def atan_(self):
        return ops.inplace.apply_(self, ops.math.atan)

    def sinh(self):
        return ops.math.sinh(self)

    def sinh_(self):
        return ops.inplace.apply_(self, ops.math.sinh)

    def cosh(self):
        return ops.math.cosh(self)

    def cosh_(self):
        return ops.inplace.apply_(self, ops.math.cosh)

    def asinh(self):
        return ops.math.asinh(self)

    def asinh_(self):
        return ops.inplace.apply_(self, ops.math._asinh_for_inplace)  # PyTorch: no derivative

    def acosh(self):
        return ops.math.acosh(self)

    def acosh_(self):
        return ops.inplace.apply_(self, ops.math._acosh_for_inplace)  # PyTorch: no derivative

    def atanh(self):
        return ops.math.atanh(self)

    def atanh_(self):
        return ops.inplace.apply_(self, ops.math._atanh_for_inplace)  # PyTorch: no derivative

    arcsin = asin

    arcsin_ = asin_

    arccos = acos

    arccos_ = acos_

    arctan = atan

    arctan_ = atan_

    arcsinh = asinh

    arcsinh_ = asinh_

    arccosh = acosh

    arccosh_ = acosh_

    arctanh = atanh

    arctanh_ = atanh_


    # -- binary float functions --------------------------------------------------------------
    def atan2(self, other):
        return ops.math.atan2(self, other)

    def atan2_(self, other):
        return ops.inplace.apply_(self, ops.math.atan2, other)

    def hypot(self, other):
        return ops.math.hypot(self, other)

    def hypot_(self, other):
        return ops.inplace.apply_(self, ops.math.hypot, other)

    def fmod(self, other):
        return ops.math.fmod(self, other)

    def fmod_(self, other):
        return ops.inplace.apply_(self, ops.math.fmod, other)

    def copysign(self, other):
        return ops.math.copysign(self, other)

    def copysign_(self, other):
        return ops.inplace.apply_(self, ops.math.copysign, other)

    def xlogy(self, other):
        return ops.math.xlogy(self, other)

    def xlogy_(self, other):
        return ops.inplace.apply_(self, ops.math.xlogy, other)

    def logaddexp(self, other):
        return ops.math.logaddexp(self, other)

    def logaddexp2(self, other):
        return ops.math.logaddexp2(self, other)

    def igamma(self, other):
        return ops.math.igamma(self, other)

    def igamma_(self, other):
        return ops.inplace.apply_(self, ops.math.igamma, other)

    def igammac(self, other):
        return ops.math.igammac(self, other)

    def igammac_(self, other):
        return ops.inplace.apply_(self, ops.math.igammac, other)

    def nextafter(self, other):
        return ops.math.nextafter(self, other)

    def nextafter_(self, other):
        return ops.inplace.apply_(self, ops.math.nextafter, other)

    def ldexp(self, other):
        return ops.math.ldexp(self, other)

    def ldexp_(self, other):
        return ops.inplace.apply_(self, ops.math.ldexp, other)

    def float_power(self, exponent):
        return ops.math.float_power(self, exponent)

    def float_power_(self, exponent):
        return ops.math.float_power_(self, exponent)

    arctan2 = atan2

    arctan2_ = atan2_

    def remainder_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.remainder, other)

    def heaviside(self, values):
        return ops.activation.heaviside(self, values)

    def heaviside_(self, values):
        return ops.inplace.apply_(self, ops.activation.heaviside, values)

    def fmax(self, other):
        return ops.elementwise.fmax(self, other)

    def fmin(self, other):
        return ops.elementwise.fmin(self, other)


    # -- unary float functions ---------------------------------------------------------------
    def exp2(self):
        return ops.math.exp2(self)

    def exp2_(self):
        return ops.inplace.apply_(self, ops.math.exp2)

    def sinc(self):
        return ops.math.sinc(self)

    def sinc_(self):
        return ops.inplace.apply_(self, ops.math.sinc)

    def i0(self):
        return ops.math.i0(self)

    def i0_(self):
        return ops.inplace.apply_(self, ops.math.i0)

    def frac(self):
        return ops.math.frac(self)

    def frac_(self):
        return ops.inplace.apply_(self, ops.math.frac)

    def fix(self):
        return ops.math.fix(self)

    def fix_(self):
        return ops.inplace.apply_(self, ops.math.fix)

    def deg2rad(self):
        return ops.math.deg2rad(self)

    def deg2rad_(self):
        return ops.inplace.apply_(self, ops.math.deg2rad)

    def rad2deg(self):
        return ops.math.rad2deg(self)

    def rad2deg_(self):
        return ops.inplace.apply_(self, ops.math.rad2deg)

    def logit(self, eps=None):
        return ops.math.logit(self, eps)

    def logit_(self, eps=None):
        return ops.inplace.apply_(self, ops.math.logit, eps)

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return ops.math.nan_to_num(self, nan, posinf, neginf)

    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        return ops.inplace.apply_(self, ops.math.nan_to_num, nan, posinf, neginf)

    def frexp(self):
        return ops.math.frexp(self)


    # -- in-place variants of the ops in elementwise.py --------------------------------------
    def expm1_(self):
        return ops.inplace.apply_(self, ops.elementwise.expm1)

    def log2_(self):
        return ops.inplace.apply_(self, ops.elementwise.log2)

    def log10_(self):
        return ops.inplace.apply_(self, ops.elementwise.log10)

    def log1p_(self):
        return ops.inplace.apply_(self, ops.elementwise.log1p)

    def rsqrt_(self):
        return ops.inplace.apply_(self, ops.elementwise.rsqrt)

    def reciprocal_(self):
        return ops.inplace.apply_(self, ops.elementwise.reciprocal)

    def sin_(self):
        return ops.inplace.apply_(self, ops.elementwise.sin)

    def cos_(self):
        return ops.inplace.apply_(self, ops.elementwise.cos)

    def tan_(self):
        return ops.inplace.apply_(self, ops.elementwise.tan)

    def erf_(self):
        return ops.inplace.apply_(self, ops.elementwise.erf)

    def ceil_(self):
        return ops.inplace.apply_(self, ops.elementwise.ceil)

    def floor_(self):
        return ops.inplace.apply_(self, ops.elementwise.floor)

    def trunc_(self):
        return ops.inplace.apply_(self, ops.elementwise.trunc)

    def square_(self):
        return ops.inplace.apply_(self, ops.elementwise.square)

    def sign_(self):
        return ops.inplace.apply_(self, ops.elementwise.sign)

    def round_(self, *, decimals=0):
        return ops.inplace.apply_(self, ops.elementwise.round, decimals=decimals)

    def absolute_(self):
        return ops.inplace.apply_(self, ops.elementwise.abs)

    def negative_(self):
        return ops.inplace.apply_(self, ops.elementwise.neg)

    def sgn(self):
        return ops.math.sgn(self)

    def sgn_(self):
        return ops.inplace.apply_(self, ops.math.sgn)

    def floor_divide_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.floor_divide, other)

    def subtract_(self, other, *, alpha=1):
        return ops.inplace.sub_(self, other, alpha=alpha)

    def multiply_(self, other):
        return ops.inplace.mul_(self, other)

    def divide_(self, other, *, rounding_mode=None):
        return ops.inplace.div_(self, other, rounding_mode=rounding_mode)

    def true_divide_(self, other):
        return ops.inplace.div_(self, other)


    # -- comparisons (the in-place ones write 1 or 0 in the tensor's own dtype) --------------
    def eq_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.eq, other)

    def ne_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.ne, other)

    def lt_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.lt, other)

    def le_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.le, other)

    def gt_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.gt, other)

    def ge_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.ge, other)

    def greater(self, other):
        return ops.elementwise.gt(self, other)

    def greater_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.gt, other)

    def greater_equal(self, other):
        return ops.elementwise.ge(self, other)

    def greater_equal_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.ge, other)

    def less(self, other):
        return ops.elementwise.lt(self, other)

    def less_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.lt, other)

    def less_equal(self, other):
        return ops.elementwise.le(self, other)

    def less_equal_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.le, other)

    def not_equal(self, other):
        return ops.elementwise.ne(self, other)

    def not_equal_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.ne, other)


    # -- sign and value tests ----------------------------------------------------------------
    def signbit(self):
        return ops.math.signbit(self)

    def isneginf(self):
        return ops.math.isneginf(self)

    def isposinf(self):
        return ops.math.isposinf(self)

    def isreal(self):
        return ops.math.isreal(self)

    def positive(self):
        return ops.math.positive(self)


    # -- logical and bitwise ops, integer functions ------------------------------------------
    def logical_and_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.logical_and, other)

    def logical_or_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.logical_or, other)

    def logical_xor_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.logical_xor, other)

    def logical_not_(self):
        return ops.inplace.apply_(self, ops.elementwise.logical_not)

    def bitwise_and(self, other):
        return ops.elementwise.bitwise_and(self, other)

    def bitwise_and_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.bitwise_and, other)

    def bitwise_or(self, other):
        return ops.elementwise.bitwise_or(self, other)

    def bitwise_or_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.bitwise_or, other)

    def bitwise_xor(self, other):
        return ops.elementwise.bitwise_xor(self, other)

    def bitwise_xor_(self, other):
        return ops.inplace.apply_(self, ops.elementwise.bitwise_xor, other)

    def bitwise_not(self):
        return ops.elementwise.bitwise_not(self)

    def bitwise_not_(self):
        return ops.inplace.apply_(self, ops.elementwise.bitwise_not)

    def bitwise_left_shift(self, other):
        return ops.math.bitwise_left_shift(self, other)

    def bitwise_left_shift_(self, other):
        return ops.inplace.apply_(self, ops.math.bitwise_left_shift, other)

    def bitwise_right_shift(self, other):
        return ops.math.bitwise_right_shift(self, other)

    def bitwise_right_shift_(self, other):
        return ops.inplace.apply_(self, ops.math.bitwise_right_shift, other)

    def gcd(self, other):
        return ops.math.gcd(self, other)

    def gcd_(self, other):
        return ops.inplace.apply_(self, ops.math.gcd, other)

    def lcm(self, other):
        return ops.math.lcm(self, other)

    def lcm_(self, other):
        return ops.inplace.apply_(self, ops.math.lcm, other)


    # -- operators: shifts and the in-place forms of //, %, **, &, |, ^, <<, >> --------------
    def __lshift__(self, other):
        return ops.math.bitwise_left_shift(self, other)

    def __rlshift__(self, other):
        return ops.math.bitwise_left_shift(other, self)

    def __rshift__(self, other):
        return ops.math.bitwise_right_shift(self, other)

    def __rrshift__(self, other):
        return ops.math.bitwise_right_shift(other, self)

    def __ilshift__(self, other):
        return ops.inplace.apply_(self, ops.math.bitwise_left_shift, other)

    def __irshift__(self, other):
        return ops.inplace.apply_(self, ops.math.bitwise_right_shift, other)

    def __iand__(self, other):
        return ops.inplace.apply_(self, ops.elementwise.bitwise_and, other)

    def __ior__(self, other):
        return ops.inplace.apply_(self, ops.elementwise.bitwise_or, other)

    def __ixor__(self, other):
        return ops.inplace.apply_(self, ops.elementwise.bitwise_xor, other)

    def __ifloordiv__(self, other):
        return ops.inplace.apply_(self, ops.elementwise.floor_divide, other)

    def __imod__(self, other):
        return ops.inplace.apply_(self, ops.elementwise.remainder, other)

    def __ipow__(self, other):
        return ops.inplace.apply_(self, ops.elementwise.pow, other)

    def angle(self):
        return ops.math.angle(self)

    def conj_physical(self):
        return ops.math.conj_physical(self)

    def conj_physical_(self):
        return ops.math.conj_physical_(self)

    def hardshrink(self, lambd=0.5):
        return ops.activation.hardshrink(self, lambd)

    def prelu(self, weight):
        return ops.activation.prelu(self, weight)
