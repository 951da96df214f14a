"""Elementwise maths beyond elementwise.py: inverse trigonometric and hyperbolic functions, special functions (lgamma, digamma, erfinv ...), float and integer utilities.

Each op is a Function with its forward and backward side by side (see autograd/function.py). The numeric
kernels of the special functions come from ``scipy.special`` (their derivatives are again special functions:
lgamma' = digamma, digamma' = polygamma(1, ·), ...). Integer inputs to float functions compute in the default
float dtype, as PyTorch.

Deviations from PyTorch: the kernels are NumPy/scipy arrays only (scipy.special has no other backend), so these
ops use ``np`` rather than ``get_array_module``; binary ops whose ``other`` PyTorch requires to be a Tensor
(atan2, hypot, logaddexp, igamma, gcd ...) also accept a Python number; the orthogonal polynomials are computed
in float64 by their recurrences and cast (PyTorch computes in the input's dtype, with closed forms for large n);
ldexp's gradient is 2^other also for negative integer exponents (PyTorch 2.x gives 0 there: its integer 2^other).
"""
import math

import numpy as np
import scipy.special as sc

from .. import _dtype
from ..autograd.function import Function, unbroadcast, wrap
from ..tensor import Tensor
from . import elementwise as ew
from .elementwise import _float_input, _promote, _shape, as_array

_SQRT_PI = math.sqrt(math.pi)
_LN2 = math.log(2.0)


def _to_out(out, name, fn, *args, **kwargs):
    """``fn(*args)`` written into ``out`` (no graph; ops/out.py has PyTorch's rules)."""
    _out.check_out(out, name, *args)
    return _out.write_out(out, fn(*args, **kwargs), name)


def _like(values, x):
    """A kernel's result in x's dtype (some scipy kernels always return float64)."""
    return np.asarray(values).astype(x.dtype, copy=False)


def _float_pair(input, other):
    """Promote two operands; integer results compute in the default float dtype (atan2, hypot, xlogy ...)."""
    a, b, rt = _promote(input, other)
    if not _dtype.is_float_array(rt):
        fd = _dtype.get_default_dtype()
        a = ew.to_dtype(a, fd) if isinstance(a, Tensor) else float(a)
        b = ew.to_dtype(b, fd) if isinstance(b, Tensor) else float(b)
    return a, b


# ---------------------------------------------------------------------------------------------------
# gamma and error functions
# ---------------------------------------------------------------------------------------------------
class Lgamma(Function):
    """y = ln|Γ(x)|"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.where(x == -np.inf, np.inf, sc.gammaln(x)).astype(x.dtype)  # ln|Γ(−∞)| = ∞, as PyTorch

    @staticmethod
    def backward(ctx, grad):
        return grad * sc.digamma(ctx.x)  # dL/dx = dL/dy · ψ(x)


class Digamma(Function):
    """y = ψ(x) = d/dx ln Γ(x)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return sc.digamma(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * _like(sc.polygamma(1, ctx.x), ctx.x)  # dL/dx = dL/dy · ψ⁽¹⁾(x)


class Polygamma(Function):
    """y = ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x, n):
        ctx.x, ctx.n = x, n
        return _like(sc.polygamma(n, x), x)

    @staticmethod
    def backward(ctx, grad):
        return grad * _like(sc.polygamma(ctx.n + 1, ctx.x), ctx.x), None  # dL/dx = dL/dy · ψ⁽ⁿ⁺¹⁾(x)


class Erfinv(Function):
    """y = erf⁻¹(x)"""

    saves = (-1,)

    @staticmethod
    def forward(ctx, x):
        y = sc.erfinv(x)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.y
        return grad * (_SQRT_PI / 2 * np.exp(y * y))  # dL/dx = dL/dy · √π/2 · e^(y²)


class Erfc(Function):
    """y = 1 − erf(x)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return sc.erfc(x)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        return grad * (-2 / _SQRT_PI * np.exp(-x * x))  # dL/dx = dL/dy · (−2/√π) e^(−x²)


class Mvlgamma(Function):
    """y = ln Γ_p(x) = p(p−1)/4 · ln π + Σ_{i<p} ln Γ(x − i/2)   (the multivariate log-gamma)"""

    saves = ()

    @staticmethod
    def forward(ctx, x, p):
        shifted = x[..., None] - np.arange(p, dtype=x.dtype) / 2   # x − i/2 along a new last dim
        ctx.shifted = shifted
        return _like(p * (p - 1) / 4 * math.log(math.pi) + sc.gammaln(shifted).sum(-1), x)

    @staticmethod
    def backward(ctx, grad):
        return grad * sc.digamma(ctx.shifted).sum(-1), None  # dL/dx = dL/dy · Σᵢ ψ(x − i/2)


def lgamma(input, *, out=None):
    """ln|Γ(x)| elementwise."""
    if out is not None:
        return _to_out(out, "lgamma", lgamma, input)
    return Lgamma.apply(_float_input(input))


def digamma(input, *, out=None):
    """ψ(x) = Γ'(x)/Γ(x) (−inf at 0, nan at the negative integers, as PyTorch)."""
    if out is not None:
        return _to_out(out, "digamma", digamma, input)
    return Digamma.apply(_float_input(input))


def polygamma(n, input, *, out=None):
    """ψ⁽ⁿ⁾(x), n ≥ 0 an integer (n = 0 is digamma)."""
    if out is not None:
        return _to_out(out, "polygamma", polygamma, n, input)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return Polygamma.apply(_float_input(input), int(n))


def erfinv(input, *, out=None):
    """The inverse error function on (−1, 1) (±inf at ±1, nan outside)."""
    if out is not None:
        return _to_out(out, "erfinv", erfinv, input)
    return Erfinv.apply(_float_input(input))


def erfc(input, *, out=None):
    """The complementary error function 1 − erf(x)."""
    if out is not None:
        return _to_out(out, "erfc", erfc, input)
    return Erfc.apply(_float_input(input))


def mvlgamma(input, p, *, out=None):
    """The multivariate log-gamma function of dimension p (inf where an element is ≤ (p − 1)/2, as PyTorch 2.x,
    which no longer checks the domain)."""
    if out is not None:
        return _to_out(out, "mvlgamma", mvlgamma, input, p)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return Mvlgamma.apply(_float_input(input), int(p))


# ---------------------------------------------------------------------------------------------------
# inverse trigonometric and hyperbolic functions
# ---------------------------------------------------------------------------------------------------
class Asin(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(invalid="ignore"):
            return np.arcsin(x)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad / np.sqrt(1 - x * x)  # dL/dx = dL/dy / √(1 − x²)


class Acos(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(invalid="ignore"):
            return np.arccos(x)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        with np.errstate(divide="ignore", invalid="ignore"):
            return -grad / np.sqrt(1 - x * x)  # dL/dx = −dL/dy / √(1 − x²)


class Atan(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.arctan(x)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        return grad / (1 + x * x)  # dL/dx = dL/dy / (1 + x²)


class Sinh(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(over="ignore"):
            return np.sinh(x)

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(over="ignore"):
            return grad * np.cosh(ctx.x)  # dL/dx = dL/dy · cosh(x)


class Cosh(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(over="ignore"):
            return np.cosh(x)

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(over="ignore"):
            return grad * np.sinh(ctx.x)  # dL/dx = dL/dy · sinh(x)


class Asinh(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        with np.errstate(over="ignore"):
            return grad / np.sqrt(x * x + 1)  # dL/dx = dL/dy / √(x² + 1)


class Acosh(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(invalid="ignore"):
            return np.arccosh(x)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return grad / np.sqrt(x * x - 1)  # dL/dx = dL/dy / √(x² − 1)   (inf at x = 1)


class Atanh(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.arctanh(x)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        with np.errstate(divide="ignore"):
            return grad / (1 - x * x)  # dL/dx = dL/dy / (1 − x²)


def asin(input, *, out=None):
    if out is not None:
        return _to_out(out, "asin", asin, input)
    return Asin.apply(_float_input(input))


def acos(input, *, out=None):
    if out is not None:
        return _to_out(out, "acos", acos, input)
    return Acos.apply(_float_input(input))


def atan(input, *, out=None):
    if out is not None:
        return _to_out(out, "atan", atan, input)
    return Atan.apply(_float_input(input))


def sinh(input, *, out=None):
    if out is not None:
        return _to_out(out, "sinh", sinh, input)
    return Sinh.apply(_float_input(input))


def cosh(input, *, out=None):
    if out is not None:
        return _to_out(out, "cosh", cosh, input)
    return Cosh.apply(_float_input(input))


def asinh(input, *, out=None):
    if out is not None:
        return _to_out(out, "asinh", asinh, input)
    return Asinh.apply(_float_input(input))


def acosh(input, *, out=None):
    if out is not None:
        return _to_out(out, "acosh", acosh, input)
    return Acosh.apply(_float_input(input))


def atanh(input, *, out=None):
    if out is not None:
        return _to_out(out, "atanh", atanh, input)
    return Atanh.apply(_float_input(input))


arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh


class WithoutDerivative(Function):
    """y = f(x) for an op whose derivative PyTorch does not implement (the in-place acosh_, asinh_, atanh_):
    the result is recorded, and backward raises PyTorch's NotImplementedError."""

    saves = ()

    @staticmethod
    def forward(ctx, x, kernel, name):
        ctx.op_name = name
        with np.errstate(divide="ignore", invalid="ignore"):
            return kernel(x)

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError(f"the derivative for '{ctx.op_name}' is not implemented.")


def _acosh_for_inplace(input):
    return WithoutDerivative.apply(_float_input(input), np.arccosh, "inplace version of acosh")


def _asinh_for_inplace(input):
    return WithoutDerivative.apply(_float_input(input), np.arcsinh, "inplace version of asinh")


def _atanh_for_inplace(input):
    return WithoutDerivative.apply(_float_input(input), np.arctanh, "inplace version of atanh")


# ---------------------------------------------------------------------------------------------------
# binary float functions: atan2, hypot, fmod, copysign, xlogy, logaddexp, igamma
# ---------------------------------------------------------------------------------------------------
def _type_name(x):
    d = x.dtype if isinstance(x, Tensor) else _dtype.result_type(x)
    return _out._type_name(d)


def _floats_only(name, *xs):
    """PyTorch has no integer kernel for some float functions (hypot, logaddexp, nextafter, frac, igamma)."""
    for x in xs:
        if isinstance(x, Tensor) and not _dtype.is_float_array(x._array.dtype):
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_type_name(x)}\'')


def _integers_only(name, *xs):
    """gcd, lcm and the shifts have only integer kernels."""
    for x in xs:
        if isinstance(x, Tensor) and _dtype.is_float_array(x._array.dtype) or isinstance(x, float):
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_type_name(x)}\'')


class Atan2(Function):
    """z = atan2(y, x), the angle of the point (x, y)"""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, y, x):
        ctx.y, ctx.x = y, x
        return np.arctan2(y, x)

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.y, ctx.x
        with np.errstate(divide="ignore", invalid="ignore"):
            r = grad / (x * x + y * y)
        # dL/dy = dL/dz · x / (x² + y²),  dL/dx = −dL/dz · y / (x² + y²)
        gy = unbroadcast(r * x, _shape(y)) if ctx.needs_input_grad[0] else None
        gx = unbroadcast(-r * y, _shape(x)) if ctx.needs_input_grad[1] else None
        return gy, gx


class Hypot(Function):
    """z = √(x² + y²)"""

    saves = (0, 1, -1)

    @staticmethod
    def forward(ctx, x, y):
        z = np.hypot(x, y)
        ctx.x, ctx.y, ctx.z = x, y, z
        return z

    @staticmethod
    def backward(ctx, grad):
        x, y, z = ctx.x, ctx.y, ctx.z
        with np.errstate(divide="ignore", invalid="ignore"):
            r = grad / z
        # dL/dx = dL/dz · x / z,  dL/dy = dL/dz · y / z
        gx = unbroadcast(r * x, _shape(x)) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(r * y, _shape(y)) if ctx.needs_input_grad[1] else None
        return gx, gy


class Fmod(Function):
    """z = x − trunc(x / y) · y  (the sign follows x, as C's fmod; remainder's follows y)"""

    saves = (0, 1)
    saved_for = {0: 1, 1: 1}  # both are read only for dL/dy

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        if np.asarray(x).dtype.kind in "iu":
            ew._check_integer_divisor(x, y)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.fmod(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.x, ctx.y
        gx = unbroadcast(grad, _shape(x)) if ctx.needs_input_grad[0] else None  # dL/dx = dL/dz
        gy = None
        if ctx.needs_input_grad[1]:
            with np.errstate(invalid="ignore", divide="ignore"):
                gy = unbroadcast(-grad * np.trunc(x / y), _shape(y))  # dL/dy = −dL/dz · trunc(x / y)
        return gx, gy


class Copysign(Function):
    """z = |x| with the sign of y"""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, x, y):
        z = np.copysign(x, y)
        ctx.x, ctx.z, ctx.y_shape = x, z, _shape(y)
        return z

    @staticmethod
    def backward(ctx, grad):
        x, z = ctx.x, ctx.z
        # dL/dx = dL/dz · z / x = dL/dz · (±1)  (0 at x = 0, as PyTorch);  dL/dy = 0
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(x == 0, 0, z / np.where(x == 0, 1, x))
        gx = unbroadcast(grad * ratio, _shape(x)) if ctx.needs_input_grad[0] else None
        gy = np.zeros(ctx.y_shape, grad.dtype) if ctx.needs_input_grad[1] else None
        return gx, gy


class Xlogy(Function):
    """z = x · ln y, and 0 where x = 0 (unless y is nan): the entropy terms p ln p stay finite at p = 0"""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((np.asarray(x) == 0) & ~np.isnan(y), 0, x * np.log(y)).astype(np.result_type(x, y))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.x, ctx.y
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if ctx.needs_input_grad[0]:  # dL/dx = dL/dz · ln y   (0 where x = 0 and y ≤ 0, as PyTorch)
                local = np.where((np.asarray(x) == 0) & (np.asarray(y) <= 0), 0, np.log(y))
                gx = unbroadcast(grad * local, _shape(x))
            if ctx.needs_input_grad[1]:  # dL/dy = dL/dz · x / y
                gy = unbroadcast(grad * x / y, _shape(y))
        return gx, gy


class Xlog1py(Function):
    """z = x · ln(1 + y), and 0 where x = 0 (unless y is nan)"""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where((np.asarray(x) == 0) & ~np.isnan(y), 0, x * np.log1p(y)).astype(np.result_type(x, y))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.x, ctx.y
        gx = gy = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if ctx.needs_input_grad[0]:  # dL/dx = dL/dz · ln(1 + y)   (0 where x = 0 and y ≤ −1, as PyTorch)
                local = np.where((np.asarray(x) == 0) & (np.asarray(y) <= -1), 0, np.log1p(y))
                gx = unbroadcast(grad * local, _shape(x))
            if ctx.needs_input_grad[1]:  # dL/dy = dL/dz · x / (1 + y)
                gy = unbroadcast(grad * x / (1 + y), _shape(y))
        return gx, gy


class Logaddexp(Function):
    """z = ln(eˣ + eʸ) = max(x, y) + ln(1 + e^(−|x − y|)), without overflow"""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return np.logaddexp(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.x, ctx.y
        # dL/dx = dL/dz · eˣ / (eˣ + eʸ) = dL/dz / (1 + e^(y − x)),  and symmetrically for y
        with np.errstate(over="ignore", invalid="ignore"):
            gx = unbroadcast(grad / (1 + np.exp(y - x)), _shape(x)) if ctx.needs_input_grad[0] else None
            gy = unbroadcast(grad / (1 + np.exp(x - y)), _shape(y)) if ctx.needs_input_grad[1] else None
        return gx, gy


class Logaddexp2(Function):
    """z = log₂(2ˣ + 2ʸ)"""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return np.logaddexp2(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.x, ctx.y
        # dL/dx = dL/dz · 2ˣ / (2ˣ + 2ʸ) = dL/dz / (1 + 2^(y − x)),  and symmetrically for y
        with np.errstate(over="ignore", invalid="ignore"):
            gx = unbroadcast(grad / (1 + np.exp2(y - x)), _shape(x)) if ctx.needs_input_grad[0] else None
            gy = unbroadcast(grad / (1 + np.exp2(x - y)), _shape(y)) if ctx.needs_input_grad[1] else None
        return gx, gy


class Igamma(Function):
    """z = P(a, x) = γ(a, x) / Γ(a), the regularized lower incomplete gamma function (Q = 1 − P if upper)"""

    saves = (0, 1)
    saved_for = {0: 1, 1: 1}  # PyTorch differentiates only in x

    @staticmethod
    def forward(ctx, a, x, upper):
        ctx.a, ctx.x, ctx.upper = a, x, upper
        return (sc.gammaincc if upper else sc.gammainc)(a, x)

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.a, ctx.x
        name = "igammac" if ctx.upper else "igamma"
        if ctx.needs_input_grad[0]:
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
        # dL/dx = ± dL/dz · x^(a−1) e^(−x) / Γ(a)   (− for the upper function Q)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            local = np.exp((a - 1) * np.log(x) - x - sc.gammaln(a))
        gx = unbroadcast(grad * (-local if ctx.upper else local), _shape(x))
        return None, gx, None


def atan2(input, other, *, out=None):
    """The angle of the point (other, input), in (−π, π]."""
    if out is not None:
        return _to_out(out, "atan2", atan2, input, other)
    return Atan2.apply(*_float_pair(input, other))


arctan2 = atan2


def hypot(input, other, *, out=None):
    """√(input² + other²) without overflow."""
    if out is not None:
        return _to_out(out, "hypot", hypot, input, other)
    a, b, _ = _promote(input, other)
    _floats_only("hypot", a, b)
    return Hypot.apply(a, b)


def fmod(input, other, *, out=None):
    """The C remainder: its sign follows the dividend (``remainder`` follows the divisor)."""
    if out is not None:
        return _to_out(out, "fmod", fmod, input, other)
    a, b, _ = _promote(input, other)
    return Fmod.apply(a, b)


def copysign(input, other, *, out=None):
    """|input| with the sign of other (integers give the default float dtype)."""
    if out is not None:
        return _to_out(out, "copysign", copysign, input, other)
    return Copysign.apply(*_float_pair(input, other))


def xlogy(input, other, *, out=None):
    """input · ln(other), 0 where input is 0 (nan if other is nan); either may be a Python number."""
    if out is not None:
        return _to_out(out, "xlogy", xlogy, input, other)
    return Xlogy.apply(*_float_pair(input, other))


def xlog1py(input, other, *, out=None):
    """input · ln(1 + other), 0 where input is 0 (torch.special.xlog1py)."""
    if out is not None:
        return _to_out(out, "xlog1py", xlog1py, input, other)
    return Xlog1py.apply(*_float_pair(input, other))


def logaddexp(input, other, *, out=None):
    """ln(e^input + e^other), computed without overflow."""
    if out is not None:
        return _to_out(out, "logaddexp", logaddexp, input, other)
    a, b, _ = _promote(input, other)
    _floats_only("logaddexp", a, b)
    return Logaddexp.apply(a, b)


def logaddexp2(input, other, *, out=None):
    """log₂(2^input + 2^other), computed without overflow."""
    if out is not None:
        return _to_out(out, "logaddexp2", logaddexp2, input, other)
    a, b, _ = _promote(input, other)
    _floats_only("logaddexp2", a, b)
    return Logaddexp2.apply(a, b)


def igamma(input, other, *, out=None):
    """The regularized lower incomplete gamma function P(input, other); differentiable in other only."""
    if out is not None:
        return _to_out(out, "igamma", igamma, input, other)
    a, b, _ = _promote(input, other)
    _floats_only("igamma", a, b)
    return Igamma.apply(a, b, False)


def igammac(input, other, *, out=None):
    """The regularized upper incomplete gamma function Q(input, other) = 1 − P(input, other)."""
    if out is not None:
        return _to_out(out, "igammac", igammac, input, other)
    a, b, _ = _promote(input, other)
    _floats_only("igammac", a, b)
    return Igamma.apply(a, b, True)


class Nextafter(Function):
    """z = the next float after x in the direction of y"""

    saves = ()

    @staticmethod
    def forward(ctx, x, y):
        ctx.x_shape, ctx.y_shape = _shape(x), _shape(y)
        return np.nextafter(x, y)

    @staticmethod
    def backward(ctx, grad):
        # as PyTorch: dL/dx = dL/dz (z is x up to one ulp),  dL/dy = 0
        gy = np.zeros(ctx.y_shape, grad.dtype) if ctx.needs_input_grad[1] else None
        return unbroadcast(grad, ctx.x_shape), gy


def nextafter(input, other, *, out=None):
    """The next float after input towards other."""
    if out is not None:
        return _to_out(out, "nextafter", nextafter, input, other)
    a, b, _ = _promote(input, other)
    _floats_only("nextafter", a, b)
    return Nextafter.apply(a, b)


# ---------------------------------------------------------------------------------------------------
# unary float functions: exp2, logit, sinc, i0, nan_to_num, frac, angles
# ---------------------------------------------------------------------------------------------------
class Exp2(Function):
    saves = (-1,)

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            y = np.exp2(x)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        return grad * (ctx.y * _LN2)  # dL/dx = dL/dy · 2ˣ ln 2


class Logit(Function):
    """y = ln(x / (1 − x)), x first clamped to [eps, 1 − eps] when eps is given"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x, eps):
        ctx.x, ctx.eps = x, eps
        z = x if eps is None else np.clip(x, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(z / (1 - z))

    @staticmethod
    def backward(ctx, grad):
        x, eps = ctx.x, ctx.eps
        with np.errstate(divide="ignore", invalid="ignore"):
            g = grad / (x * (1 - x))  # dL/dx = dL/dy / (x (1 − x))
        if eps is None:
            return np.where((x < 0) | (x > 1), np.nan, g), None
        return np.where((x < eps) | (x > 1 - eps), 0, g), None  # 0 where x was clamped


class Sinc(Function):
    """y = sin(πx) / (πx), 1 at x = 0"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return np.sinc(x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        px = math.pi * x
        with np.errstate(divide="ignore", invalid="ignore"):
            local = (np.cos(px) * px - np.sin(px)) / (px * x)  # d/dx sin(πx)/(πx) = (πx cos πx − sin πx) / (πx²)
        return grad * np.where(x == 0, 0, local)


class I0(Function):
    """y = I₀(x), the modified Bessel function of the first kind, order 0"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return sc.i0(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * sc.i1(ctx.x)  # dL/dx = dL/dy · I₁(x)


class NanToNum(Function):
    saves = ()

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.finite = np.isfinite(x)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.finite, None, None, None  # dL/dx = dL/dy where x is finite, else 0


class Frac(Function):
    saves = ()

    @staticmethod
    def forward(ctx, x):
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad  # dL/dx = dL/dy  (the trunc part is piecewise constant)


class Frexp(Function):
    """mantissa m with x = m · 2ᵉ, 0.5 ≤ |m| < 1 (the exponent e is an integer output, without gradient)"""

    saves = ()

    @staticmethod
    def forward(ctx, x):
        m, e = np.frexp(x)
        ctx.e = e
        return m

    @staticmethod
    def backward(ctx, grad):
        return grad / np.exp2(ctx.e).astype(grad.dtype)  # dL/dx = dL/dm / 2ᵉ


def exp2(input, *, out=None):
    if out is not None:
        return _to_out(out, "exp2", exp2, input)
    return Exp2.apply(_float_input(input))


def logit(input, eps=None, *, out=None):
    """ln(p / (1 − p)); with eps, p is clamped to [eps, 1 − eps] first (and the gradient is 0 outside)."""
    if out is not None:
        return _to_out(out, "logit", logit, input, eps)
    return Logit.apply(_float_input(input), eps)


def sinc(input, *, out=None):
    """The normalized sinc sin(πx) / (πx)."""
    if out is not None:
        return _to_out(out, "sinc", sinc, input)
    return Sinc.apply(_float_input(input))


def i0(input, *, out=None):
    """The modified Bessel function of the first kind, order 0."""
    if out is not None:
        return _to_out(out, "i0", i0, input)
    return I0.apply(_float_input(input))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """nan → nan, +inf → posinf, −inf → neginf (the dtype's largest/smallest finite value by default)."""
    if out is not None:
        return _to_out(out, "nan_to_num", nan_to_num, input, nan, posinf, neginf)
    if not _dtype.is_float_array(input._array.dtype):
        return ew.clone(input)
    return NanToNum.apply(input, nan, posinf, neginf)


def frac(input, *, out=None):
    """input − trunc(input): the fractional part, with input's sign."""
    if out is not None:
        return _to_out(out, "frac", frac, input)
    _floats_only("frac", input)
    return Frac.apply(input)


def fix(input, *, out=None):
    """Alias of trunc."""
    if out is not None:
        return _to_out(out, "fix", fix, input)
    return ew.trunc(input)


_frexp_result = None


def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa · 2^exponent, 0.5 ≤ |mantissa| < 1; exponent is int32."""
    global _frexp_result
    if _frexp_result is None:
        from .reduce import _named_result
        _frexp_result = _named_result("frexp", ("mantissa", "exponent"))
    if not _dtype.is_float_array(input._array.dtype):
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    if out is not None:
        m, e = frexp(input)
        _out.check_out(out[0], "frexp", input)
        return _frexp_result(_out.write_out(out[0], m, "frexp"), _out.write_out(out[1], e, "frexp"))
    exponent = wrap(np.frexp(input._array)[1].astype(np.int32))
    return _frexp_result(Frexp.apply(input), exponent)


def ldexp(input, other, *, out=None):
    """input · 2^other."""
    if out is not None:
        return _to_out(out, "ldexp", ldexp, input, other)
    return ew.mul(input, ew.pow(2.0, other))


def deg2rad(input, *, out=None):
    if out is not None:
        return _to_out(out, "deg2rad", deg2rad, input)
    return ew.mul(_float_input(input), math.pi / 180)


def rad2deg(input, *, out=None):
    if out is not None:
        return _to_out(out, "rad2deg", rad2deg, input)
    return ew.mul(_float_input(input), 180 / math.pi)


def float_power(input, exponent, *, out=None):
    """input ** exponent computed in float64 (the result is float64, whatever the inputs)."""
    if out is not None:
        return _to_out(out, "float_power", float_power, input, exponent)
    a = ew.to_dtype(input, _dtype.float64) if isinstance(input, Tensor) else float(input)
    b = ew.to_dtype(exponent, _dtype.float64) if isinstance(exponent, Tensor) else float(exponent)
    return ew.pow(a, b)


def float_power_(input, exponent):
    """In place: PyTorch requires input to be float64 already."""
    if input.dtype is not _dtype.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype {_out._type_name(input.dtype)} but the "
                           "operation's result requires dtype Double")
    return _inplace.apply_(input, float_power, exponent)


# ---------------------------------------------------------------------------------------------------
# angle and conjugates of real tensors
# ---------------------------------------------------------------------------------------------------
class Angle(Function):
    """The argument of a real number: π where x < 0, 0 where x ≥ 0 (nan stays nan)."""

    saves = ()

    @staticmethod
    def forward(ctx, x):
        return np.where(np.isnan(x), x, np.where(x < 0, np.pi, 0.0)).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0  # dL/dx = 0: the argument is piecewise constant (PyTorch's gradient for real x too)


def angle(input, *, out=None):
    if out is not None:
        return _to_out(out, "angle", angle, input)
    return Angle.apply(_float_input(input))


def conj_physical(input, *, out=None):
    """The complex conjugate, materialized; for real tensors a copy (glasstorch's tensors are real)."""
    if out is not None:
        return _to_out(out, "conj_physical", conj_physical, input)
    return ew.clone(input)


def conj_physical_(input):
    """In place; nothing to change for a real tensor."""
    return input


# ---------------------------------------------------------------------------------------------------
# sign tests, integer functions, membership, shifts (no gradient)
# ---------------------------------------------------------------------------------------------------
def sgn(input, *, out=None):
    """The sign; for real tensors the same as sign."""
    if out is not None:
        return _to_out(out, "sgn", sgn, input)
    return ew.sign(input)


def signbit(input, *, out=None):
    """Whether the sign bit is set (True for −0.0)."""
    if out is not None:
        return _to_out(out, "signbit", signbit, input)
    return wrap(np.signbit(input._array))


def isneginf(input, *, out=None):
    if out is not None:
        return _to_out(out, "isneginf", isneginf, input)
    return wrap(np.isneginf(input._array))


def isposinf(input, *, out=None):
    if out is not None:
        return _to_out(out, "isposinf", isposinf, input)
    return wrap(np.isposinf(input._array))


def isreal(input):
    """True everywhere: glasstorch has no complex tensors."""
    return wrap(np.ones(input._array.shape, dtype=bool))


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` is in ``test_elements`` (either may be a number)."""
    e, t = _promote(elements, test_elements)[:2]
    return wrap(np.asarray(np.isin(as_array(e), as_array(t), assume_unique=assume_unique, invert=invert)))


def positive(input):
    """input itself (PyTorch refuses bool tensors)."""
    if input._array.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def gcd(input, other, *, out=None):
    """The greatest common divisor (integers only)."""
    if out is not None:
        return _to_out(out, "gcd", gcd, input, other)
    _integers_only("gcd", input, other)
    return ew._no_grad_binary(np.gcd, input, other)


def lcm(input, other, *, out=None):
    """The least common multiple (integers only)."""
    if out is not None:
        return _to_out(out, "lcm", lcm, input, other)
    _integers_only("lcm", input, other)
    return ew._no_grad_binary(np.lcm, input, other)


def bitwise_left_shift(input, other, *, out=None):
    """input · 2^other for integers (the ``<<`` operator)."""
    if out is not None:
        return _to_out(out, "bitwise_left_shift", bitwise_left_shift, input, other)
    _integers_only("lshift", input, other)
    return ew._no_grad_binary(np.left_shift, input, other)


def bitwise_right_shift(input, other, *, out=None):
    """input // 2^other for integers, keeping the sign (the ``>>`` operator)."""
    if out is not None:
        return _to_out(out, "bitwise_right_shift", bitwise_right_shift, input, other)
    _integers_only("rshift", input, other)
    return ew._no_grad_binary(np.right_shift, input, other)


def rsub(input, other, *, alpha=1):
    """other − alpha · input (subtraction with the operands reversed)."""
    return ew.sub(other, input, alpha=alpha)


# ---------------------------------------------------------------------------------------------------
# torch.special only (glasstorch/special/__init__.py exports them): entr, erfcx, ndtr, Bessel functions ...
# ---------------------------------------------------------------------------------------------------
class Entr(Function):
    """y = −x ln x  (0 at x = 0, −inf for x < 0)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return sc.entr(x)

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad * -(1 + np.log(ctx.x))  # dL/dx = −dL/dy · (1 + ln x)


class Erfcx(Function):
    """y = e^(x²) erfc(x), the scaled complementary error function"""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, x):
        y = sc.erfcx(x)
        ctx.x, ctx.y = x, y
        return y

    @staticmethod
    def backward(ctx, grad):
        return grad * (2 * ctx.x * ctx.y - 2 / _SQRT_PI)  # dL/dx = dL/dy · (2xy − 2/√π)


class Ndtr(Function):
    """y = Φ(x), the standard normal distribution function"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return sc.ndtr(x)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        return grad * (np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi))  # dL/dx = dL/dy · φ(x)


class LogNdtr(Function):
    """y = ln Φ(x), accurate far in the left tail"""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, x):
        y = sc.log_ndtr(x)
        ctx.x, ctx.y = x, y
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.x, ctx.y
        return grad * (np.exp(-(y + x * x / 2)) / math.sqrt(2 * math.pi))  # dL/dx = dL/dy · φ(x) / Φ(x)


class Ndtri(Function):
    """y = Φ⁻¹(p), the standard normal quantile function"""

    saves = (-1,)

    @staticmethod
    def forward(ctx, p):
        y = sc.ndtri(p)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.y
        with np.errstate(over="ignore"):
            return grad * (math.sqrt(2 * math.pi) * np.exp(y * y / 2))  # dL/dp = dL/dy / φ(y)


class I0e(Function):
    """y = e^(−|x|) I₀(x)"""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, x):
        y = sc.i0e(x)
        ctx.x, ctx.y = x, y
        return y

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        return grad * (sc.i1e(x) - np.sign(x) * ctx.y)  # dL/dx = dL/dy · (I₁e(x) − sgn(x) I₀e(x))


class I1(Function):
    """y = I₁(x), the modified Bessel function of the first kind, order 1"""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, x):
        y = sc.i1(x)
        ctx.x, ctx.y = x, y
        return y

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        with np.errstate(divide="ignore", invalid="ignore"):
            local = np.where(x == 0, 0.5, sc.i0(x) - ctx.y / x)  # I₁'(x) = I₀(x) − I₁(x)/x  (½ at 0)
        return grad * local.astype(grad.dtype)


class I1e(Function):
    """y = e^(−|x|) I₁(x)"""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, x):
        y = sc.i1e(x)
        ctx.x, ctx.y = x, y
        return y

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        with np.errstate(divide="ignore", invalid="ignore"):
            local = np.where(x == 0, 0.5, sc.i0e(x) - ctx.y * (np.sign(x) + 1 / x))  # I₀e − I₁e (sgn x + 1/x)
        return grad * local.astype(grad.dtype)


class Zeta(Function):
    """z = ζ(x, q) = Σₖ (k + q)^(−x), the Hurwitz zeta function; PyTorch differentiates only in q"""

    saves = (0, 1)
    saved_for = {0: 1, 1: 1}

    @staticmethod
    def forward(ctx, x, q):
        ctx.x, ctx.q = x, q
        return sc.zeta(x, q)

    @staticmethod
    def backward(ctx, grad):
        x, q = ctx.x, ctx.q
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        gq = unbroadcast(grad * (-x * sc.zeta(x + 1, q)), _shape(q))  # dL/dq = −dL/dz · x ζ(x + 1, q)
        return None, gq


def entr(input, *, out=None):
    if out is not None:
        return _to_out(out, "entr", entr, input)
    return Entr.apply(_float_input(input))


def erfcx(input, *, out=None):
    if out is not None:
        return _to_out(out, "erfcx", erfcx, input)
    return Erfcx.apply(_float_input(input))


def ndtr(input, *, out=None):
    if out is not None:
        return _to_out(out, "ndtr", ndtr, input)
    return Ndtr.apply(_float_input(input))


def log_ndtr(input, *, out=None):
    if out is not None:
        return _to_out(out, "log_ndtr", log_ndtr, input)
    return LogNdtr.apply(_float_input(input))


def ndtri(input, *, out=None):
    if out is not None:
        return _to_out(out, "ndtri", ndtri, input)
    return Ndtri.apply(_float_input(input))


def i0e(input, *, out=None):
    if out is not None:
        return _to_out(out, "i0e", i0e, input)
    return I0e.apply(_float_input(input))


def i1(input, *, out=None):
    if out is not None:
        return _to_out(out, "i1", i1, input)
    return I1.apply(_float_input(input))


def i1e(input, *, out=None):
    if out is not None:
        return _to_out(out, "i1e", i1e, input)
    return I1e.apply(_float_input(input))


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function ζ(input, other); either may be a Python number."""
    if out is not None:
        return _to_out(out, "zeta", zeta, input, other)
    return Zeta.apply(*_float_pair(input, other))


def _no_grad_float(kernel, input):
    """A function PyTorch does not differentiate (the Bessel family): its result does not require grad."""
    x = as_array(_float_input(input))
    with np.errstate(all="ignore"):
        return wrap(_like(kernel(x), x))


def _nan_at_inf(kernel):
    """PyTorch's Bessel kernels give nan at ±inf where scipy gives the limit 0."""
    return lambda x: np.where(np.isinf(x), np.nan, kernel(x))


def _spherical_j0(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 1.0, np.where(np.isinf(x), 0.0, np.sin(x) / x))  # sin x / x → 0 at ±inf


def airy_ai(input, *, out=None):
    if out is not None:
        return _to_out(out, "airy_ai", airy_ai, input)
    return _no_grad_float(_nan_at_inf(lambda x: sc.airy(x)[0]), input)


def bessel_j0(input, *, out=None):
    if out is not None:
        return _to_out(out, "bessel_j0", bessel_j0, input)
    return _no_grad_float(_nan_at_inf(sc.j0), input)


def bessel_j1(input, *, out=None):
    if out is not None:
        return _to_out(out, "bessel_j1", bessel_j1, input)
    return _no_grad_float(_nan_at_inf(sc.j1), input)


def bessel_y0(input, *, out=None):
    if out is not None:
        return _to_out(out, "bessel_y0", bessel_y0, input)
    return _no_grad_float(_nan_at_inf(sc.y0), input)


def bessel_y1(input, *, out=None):
    if out is not None:
        return _to_out(out, "bessel_y1", bessel_y1, input)
    return _no_grad_float(_nan_at_inf(sc.y1), input)


def modified_bessel_i0(input, *, out=None):
    if out is not None:
        return _to_out(out, "modified_bessel_i0", modified_bessel_i0, input)
    return _no_grad_float(sc.i0, input)


def modified_bessel_i1(input, *, out=None):
    if out is not None:
        return _to_out(out, "modified_bessel_i1", modified_bessel_i1, input)
    return _no_grad_float(sc.i1, input)


def modified_bessel_k0(input, *, out=None):
    if out is not None:
        return _to_out(out, "modified_bessel_k0", modified_bessel_k0, input)
    return _no_grad_float(sc.k0, input)


def modified_bessel_k1(input, *, out=None):
    if out is not None:
        return _to_out(out, "modified_bessel_k1", modified_bessel_k1, input)
    return _no_grad_float(sc.k1, input)


def scaled_modified_bessel_k0(input, *, out=None):
    if out is not None:
        return _to_out(out, "scaled_modified_bessel_k0", scaled_modified_bessel_k0, input)
    return _no_grad_float(sc.k0e, input)


def scaled_modified_bessel_k1(input, *, out=None):
    if out is not None:
        return _to_out(out, "scaled_modified_bessel_k1", scaled_modified_bessel_k1, input)
    return _no_grad_float(sc.k1e, input)


def spherical_bessel_j0(input, *, out=None):
    if out is not None:
        return _to_out(out, "spherical_bessel_j0", spherical_bessel_j0, input)
    return _no_grad_float(_spherical_j0, input)


# orthogonal polynomials p_n(x), by their three-term recurrences p_{k+1} = a_k(x) p_k − b_k p_{k−1}, vectorized
# over the elements (the loop runs over the degree k only); n is truncated to an integer and p_n = 0 for n < 0,
# as PyTorch. PyTorch computes in the input's dtype; glasstorch in float64, then casts.
def _recurrence(x, n, p1, step):
    """p_n(x) elementwise for integer degrees n (an array broadcast with x): p_0 = 1, p_1 = p1(x),
    p_{k+1} = step(k, x, p_k, p_{k−1})."""
    x, n = np.broadcast_arrays(np.asarray(x, np.float64), np.trunc(np.nan_to_num(np.asarray(n, np.float64))))
    result = np.where(n == 0, 1.0, 0.0)
    if n.size == 0 or n.max() < 1:
        return result
    prev, cur = np.ones_like(x), p1(x)
    result = np.where(n == 1, cur, result)
    with np.errstate(all="ignore"):
        for k in range(1, int(n.max())):
            prev, cur = cur, step(k, x, cur, prev)
            result = np.where(n == k + 1, cur, result)
    return result


def _chebyshev(x, n, p1):
    return _recurrence(x, n, p1, lambda k, x, p, q: 2 * x * p - q)


_POLYNOMIALS = {
    "chebyshev_polynomial_t": lambda x, n: _chebyshev(x, n, lambda x: x),
    "chebyshev_polynomial_u": lambda x, n: _chebyshev(x, n, lambda x: 2 * x),
    "chebyshev_polynomial_v": lambda x, n: _chebyshev(x, n, lambda x: 2 * x - 1),
    "chebyshev_polynomial_w": lambda x, n: _chebyshev(x, n, lambda x: 2 * x + 1),
    "hermite_polynomial_h": lambda x, n: _recurrence(x, n, lambda x: 2 * x, lambda k, x, p, q: 2 * x * p - 2 * k * q),
    "hermite_polynomial_he": lambda x, n: _recurrence(x, n, lambda x: x, lambda k, x, p, q: x * p - k * q),
    "laguerre_polynomial_l": lambda x, n: _recurrence(x, n, lambda x: 1 - x,
                                                      lambda k, x, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1)),
    "legendre_polynomial_p": lambda x, n: _recurrence(x, n, lambda x: x,
                                                      lambda k, x, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1)),
}


def _polynomial(name, input, n, out, shifted=False):
    """The polynomial family ``name`` of degree n at input (PyTorch does not differentiate them)."""
    if out is not None:
        _out.check_out(out, name, input, n)
        return _out.write_out(out, _polynomial(name, input, n, None, shifted), name)
    x, k = _float_pair(input, n)
    xa = as_array(x)
    if shifted:
        xa = 2 * xa - 1   # the shifted families live on [0, 1]: p*(x) = p(2x − 1)
    dt = x.dtype.numpy_dtype if isinstance(x, Tensor) else k.dtype.numpy_dtype
    return wrap(np.asarray(_POLYNOMIALS[name](xa, as_array(k))).astype(dt))


def chebyshev_polynomial_t(input, n, *, out=None):
    return _polynomial("chebyshev_polynomial_t", input, n, out)


def chebyshev_polynomial_u(input, n, *, out=None):
    return _polynomial("chebyshev_polynomial_u", input, n, out)


def chebyshev_polynomial_v(input, n, *, out=None):
    return _polynomial("chebyshev_polynomial_v", input, n, out)


def chebyshev_polynomial_w(input, n, *, out=None):
    return _polynomial("chebyshev_polynomial_w", input, n, out)


def shifted_chebyshev_polynomial_t(input, n, *, out=None):
    return _polynomial("chebyshev_polynomial_t", input, n, out, shifted=True)


def shifted_chebyshev_polynomial_u(input, n, *, out=None):
    return _polynomial("chebyshev_polynomial_u", input, n, out, shifted=True)


def shifted_chebyshev_polynomial_v(input, n, *, out=None):
    return _polynomial("chebyshev_polynomial_v", input, n, out, shifted=True)


def shifted_chebyshev_polynomial_w(input, n, *, out=None):
    return _polynomial("chebyshev_polynomial_w", input, n, out, shifted=True)


def hermite_polynomial_h(input, n, *, out=None):
    return _polynomial("hermite_polynomial_h", input, n, out)


def hermite_polynomial_he(input, n, *, out=None):
    return _polynomial("hermite_polynomial_he", input, n, out)


def laguerre_polynomial_l(input, n, *, out=None):
    return _polynomial("laguerre_polynomial_l", input, n, out)


def legendre_polynomial_p(input, n, *, out=None):
    return _polynomial("legendre_polynomial_p", input, n, out)


# ---------------------------------------------------------------------------------------------------
# torch-level in-place functions (torch.asin_(x) is x.asin_(): the Tensor methods call ops/inplace.py)
# ---------------------------------------------------------------------------------------------------
def abs_(input):
    return input.abs_()


def acos_(input):
    return input.acos_()


def acosh_(input):
    return input.acosh_()


def arccos_(input):
    return input.arccos_()


def arccosh_(input):
    return input.arccosh_()


def arcsin_(input):
    return input.arcsin_()


def arcsinh_(input):
    return input.arcsinh_()


def arctan_(input):
    return input.arctan_()


def arctanh_(input):
    return input.arctanh_()


def asin_(input):
    return input.asin_()


def asinh_(input):
    return input.asinh_()


def atan_(input):
    return input.atan_()


def atanh_(input):
    return input.atanh_()


def ceil_(input):
    return input.ceil_()


def cos_(input):
    return input.cos_()


def cosh_(input):
    return input.cosh_()


def deg2rad_(input):
    return input.deg2rad_()


def erf_(input):
    return input.erf_()


def erfc_(input):
    return input.erfc_()


def exp2_(input):
    return input.exp2_()


def exp_(input):
    return input.exp_()


def expm1_(input):
    return input.expm1_()


def fix_(input):
    return input.fix_()


def floor_(input):
    return input.floor_()


def frac_(input):
    return input.frac_()


def i0_(input):
    return input.i0_()


def log10_(input):
    return input.log10_()


def log1p_(input):
    return input.log1p_()


def log2_(input):
    return input.log2_()


def log_(input):
    return input.log_()


def neg_(input):
    return input.neg_()


def negative_(input):
    return input.negative_()


def rad2deg_(input):
    return input.rad2deg_()


def reciprocal_(input):
    return input.reciprocal_()


def rsqrt_(input):
    return input.rsqrt_()


def sigmoid_(input):
    return input.sigmoid_()


def sin_(input):
    return input.sin_()


def sinc_(input):
    return input.sinc_()


def sinh_(input):
    return input.sinh_()


def sqrt_(input):
    return input.sqrt_()


def square_(input):
    return input.square_()


def tan_(input):
    return input.tan_()


def tanh_(input):
    return input.tanh_()


def trunc_(input):
    return input.trunc_()


def zero_(input):
    return input.zero_()


def gcd_(input, other):
    return input.gcd_(other)


def lcm_(input, other):
    return input.lcm_(other)


def ldexp_(input, other):
    return input.ldexp_(other)


def xlogy_(input, other):
    return input.xlogy_(other)


def logit_(input, eps=None):
    return input.logit_(eps)


def nan_to_num_(input, nan=0.0, posinf=None, neginf=None):
    return input.nan_to_num_(nan, posinf, neginf)


def round_(input, *, decimals=0):
    return input.round_(decimals=decimals)


def clamp_(input, min=None, max=None):
    return input.clamp_(min, max)


def clamp_min_(input, min):
    return input.clamp_min_(min)


def clamp_max_(input, max):
    return input.clamp_max_(max)


def fill_(input, value):
    return input.fill_(value)


clip_ = clamp_


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = ["angle", "conj_physical", "conj_physical_", "lgamma", "digamma", "polygamma", "erfinv", "erfc", "mvlgamma",
           "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh",
           "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
           "atan2", "arctan2", "hypot", "fmod", "copysign", "xlogy", "logaddexp", "logaddexp2", "igamma", "igammac",
           "nextafter", "exp2", "logit", "sinc", "i0", "nan_to_num", "frac", "fix", "frexp", "ldexp", "deg2rad",
           "rad2deg", "float_power", "sgn", "signbit", "isneginf", "isposinf", "isreal", "isin", "positive",
           "gcd", "lcm", "bitwise_left_shift", "bitwise_right_shift", "rsub",
           "abs_", "acos_", "acosh_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_", "asin_",
           "asinh_", "atan_", "atanh_", "ceil_", "cos_", "cosh_", "deg2rad_", "erf_", "erfc_", "exp2_",
           "exp_", "expm1_", "fix_", "floor_", "frac_", "i0_", "log10_", "log1p_", "log2_", "log_",
           "neg_", "negative_", "rad2deg_", "reciprocal_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_", "sqrt_",
           "square_", "tan_", "tanh_", "trunc_", "zero_", "gcd_", "lcm_", "ldexp_", "xlogy_", "logit_",
           "nan_to_num_", "round_", "clamp_", "clamp_min_", "clamp_max_", "clip_", "fill_"]


from . import inplace as _inplace  # noqa: E402
from . import out as _out  # noqa: E402  (out.py imports inplace, which imports elementwise)
