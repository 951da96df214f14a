"""Elementwise ops: arithmetic, powers, exponentials, trigonometry, activations, comparisons, casts.

Each op is a Function: ``forward`` on arrays, ``backward`` returning dL/d(input) for each input, with the
chain-rule term in a comment. Binary ops broadcast like PyTorch; their backward sums the gradient back to
each input's shape (``unbroadcast``). The public functions at the bottom of each section apply PyTorch's
type promotion first (``_promote``).
"""
import math

import numpy as np

from .. import _dtype
from .. import kernels as _kernels
from ..autograd.function import Function, unbroadcast, wrap
from ..backend import get_array_module
from . import special as _special
from ..tensor import Tensor


def _shape(v):
    return v.shape if isinstance(v, np.ndarray) else ()


def as_array(v):
    """The array inside a Tensor, or the value itself (a Python number or an array)."""
    return v._array if isinstance(v, Tensor) else v


def _operand(v):
    """Python numbers stay numbers; NumPy scalars become numbers; lists and arrays become tensors."""
    if isinstance(v, (Tensor, bool, int, float)):
        return v
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return wrap(v)
    if isinstance(v, (list, tuple)):
        from ..creation import tensor
        return tensor(v)
    if isinstance(v, complex):
        raise TypeError("glasstorch does not support complex numbers")
    raise TypeError(f"unsupported operand type: {type(v).__name__}")


def _promote(a, b):
    """Cast the operands of a binary op to PyTorch's result dtype (cast differentiably if needed)."""
    # fast paths for the common cases: two tensors of one dtype, a float tensor and a Python number
    if a.__class__ is Tensor:
        if b.__class__ is Tensor:
            if a._array.dtype == b._array.dtype:
                return a, b, a._array.dtype
        elif (b.__class__ is float or b.__class__ is int) and _dtype.is_float_array(a._array):
            return a, b, a._array.dtype
    elif b.__class__ is Tensor and (a.__class__ is float or a.__class__ is int) and _dtype.is_float_array(b._array):
        return a, b, b._array.dtype
    a, b = _operand(a), _operand(b)
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    if ta and tb and a._array.dtype == b._array.dtype:
        return a, b, a._array.dtype
    rt = _dtype.result_type(a, b).numpy_dtype
    if ta and a._array.dtype != rt:
        a = to_dtype(a, _dtype.from_numpy(rt))
    if tb and b._array.dtype != rt:
        b = to_dtype(b, _dtype.from_numpy(rt))
    if not ta and not tb:
        raise TypeError("at least one operand must be a Tensor")
    return a, b, rt


# ---------------------------------------------------------------------------------------------------
# arithmetic
# ---------------------------------------------------------------------------------------------------
class Add(Function):
    """z = x + y"""

    saves = ()

    @staticmethod
    def forward(ctx, x, y):
        ctx.x_shape, ctx.y_shape = _shape(x), _shape(y)
        return x + y

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dz · 1,  dL/dy = dL/dz · 1   (each summed over the dims it was broadcast along)
        return unbroadcast(grad, ctx.x_shape), unbroadcast(grad, ctx.y_shape)


class Sub(Function):
    """z = x − y"""

    saves = ()

    @staticmethod
    def forward(ctx, x, y):
        ctx.x_shape, ctx.y_shape = _shape(x), _shape(y)
        return x - y

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dz,  dL/dy = −dL/dz
        gy = unbroadcast(-grad, ctx.y_shape) if ctx.needs_input_grad[1] else None
        return unbroadcast(grad, ctx.x_shape), gy


class Mul(Function):
    """z = x · y"""

    saves = (0, 1)
    saved_for = {0: 1, 1: 0}  # x is read only for dL/dy, y only for dL/dx

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return x * y

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dz · y,  dL/dy = dL/dz · x
        x, y = ctx.x, ctx.y
        gx = unbroadcast(grad * y, _shape(x)) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * x, _shape(y)) if ctx.needs_input_grad[1] else None
        return gx, gy


class Div(Function):
    """z = x / y"""

    saves = (0, 1)
    saved_for = {0: 1}  # x is read only for dL/dy

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return x / y

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dz / y,  dL/dy = −dL/dz · x / y²
        x, y = ctx.x, ctx.y
        gx = unbroadcast(grad / y, _shape(x)) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(-grad * x / (y * y), _shape(y)) if ctx.needs_input_grad[1] else None
        return gx, gy


class Pow(Function):
    """z = x ** p  (x or p may be a Python number)"""

    saves = (0, 1, -1)

    @staticmethod
    def forward(ctx, x, p):
        z = get_array_module(x, p).power(x, p)
        ctx.x, ctx.p, ctx.z = x, p, z
        return z

    @staticmethod
    def backward(ctx, grad):
        x, p, z = ctx.x, ctx.p, ctx.z
        gx = gp = None
        if ctx.needs_input_grad[0]:
            # dL/dx = dL/dz · p · x^(p−1)   (PyTorch's convention: 0 where p == 0)
            xp = get_array_module(x)
            if isinstance(p, np.ndarray):
                local = xp.where(p == 0, 0, p * xp.power(x, p - 1))
            else:
                local = 0 if p == 0 else p * xp.power(x, p - 1)
            gx = unbroadcast(grad * local, _shape(x))
        if ctx.needs_input_grad[1]:
            # dL/dp = dL/dz · x^p · ln x   (0 where x == 0 and p ≥ 0, as PyTorch)
            xp = get_array_module(p)
            with np.errstate(divide="ignore", invalid="ignore"):
                local = z * xp.log(x)
            local = xp.where((xp.asarray(x) == 0) & (p >= 0), 0, local)
            gp = unbroadcast(grad * local, _shape(p))
        return gx, gp


class Neg(Function):
    saves = ()

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad  # dL/dx = −dL/dy


def add(input, other, *, alpha=1, out=None):
    """input + alpha · other"""
    if out is not None:  # computed without a graph, then written into out (ops/out.py)
        _out.check_out(out, "add", input, other)
        return _out.write_out(out, add(input, other, alpha=alpha), "add")
    if alpha != 1:
        other = mul(other, alpha)
    a, b, _ = _promote(input, other)
    return Add.apply(a, b)


def sub(input, other, *, alpha=1, out=None):
    """input − alpha · other"""
    if out is not None:
        _out.check_out(out, "sub", input, other)
        return _out.write_out(out, sub(input, other, alpha=alpha), "sub")
    if alpha != 1:
        other = mul(other, alpha)
    a, b, rt = _promote(input, other)
    if rt == np.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    return Sub.apply(a, b)


subtract = sub


def mul(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "mul", input, other)
        return _out.write_out(out, mul(input, other), "mul")
    a, b, _ = _promote(input, other)
    return Mul.apply(a, b)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """True division (integers give the default float dtype); rounding_mode 'trunc' or 'floor'."""
    if out is not None:
        _out.check_out(out, "div", input, other)
        return _out.write_out(out, div(input, other, rounding_mode=rounding_mode), "div")
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        a, b, rt = _promote(input, other)
        if rt.kind in "iu":  # exact in integers (through floats, int64 beyond 2**24 would round)
            return wrap(_trunc_divide(as_array(a), as_array(b)))
        return trunc(div(a, b)).to(rt)
    a, b, rt = _promote(input, other)
    if not _dtype.is_float_array(rt):
        fd = _dtype.get_default_dtype()
        a = to_dtype(a, fd) if isinstance(a, Tensor) else a
        b = to_dtype(b, fd) if isinstance(b, Tensor) else b
    return Div.apply(a, b)


divide = div


def true_divide(dividend, divisor, *, out=None):
    return div(dividend, divisor, out=out)


def neg(input, *, out=None):
    if out is not None:
        _out.check_out(out, "neg", input)
        return _out.write_out(out, neg(input), "neg")
    return Neg.apply(input)


negative = neg


def pow(input, exponent, *, out=None):
    """input ** exponent; either may be a Python number (``2 ** x`` works too)."""
    if out is not None:
        _out.check_out(out, "pow", input, exponent)
        return _out.write_out(out, pow(input, exponent), "pow")
    a, b, _ = _promote(input, exponent)
    return Pow.apply(a, b)


def _check_integer_divisor(x, y):
    """Integers have no inf: an integer ``//``, ``%`` or trunc division by zero raises, as PyTorch does on the
    CPU (NumPy would warn and give 0). An empty result divides nothing, so it does not raise."""
    kind = (x if isinstance(x, np.ndarray) else y).dtype.kind  # _promote left one dtype (or a Python number)
    if kind in "iu" and not get_array_module(x, y).all(y) and math.prod(np.broadcast_shapes(_shape(x), _shape(y))):
        raise RuntimeError("ZeroDivisionError: integer division or remainder by zero")


def _trunc_divide(x, y):
    """x / y rounded toward zero, for integers: floor division, plus 1 where it rounded a negative quotient
    down (a nonzero remainder and operands of opposite signs)."""
    _check_integer_divisor(x, y)
    q = get_array_module(x, y).floor_divide(x, y)
    return q + ((x - q * y != 0) & ((x < 0) != (y < 0)))


class FloorDivide(Function):
    saves = ()

    @staticmethod
    def forward(ctx, x, y):
        ctx.x_shape, ctx.y_shape = _shape(x), _shape(y)
        _check_integer_divisor(x, y)
        return get_array_module(x, y).floor_divide(x, y)

    @staticmethod
    def backward(ctx, grad):
        # floor(x / y) is piecewise constant: its derivative is 0 almost everywhere
        gx = np.zeros(ctx.x_shape, grad.dtype) if ctx.needs_input_grad[0] else None
        gy = np.zeros(ctx.y_shape, grad.dtype) if ctx.needs_input_grad[1] else None
        return gx, gy


class Remainder(Function):
    """z = x − floor(x / y) · y  (the sign follows y, as Python's % and torch.remainder)"""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        _check_integer_divisor(x, y)
        return get_array_module(x, y).remainder(x, y)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dz,  dL/dy = −dL/dz · floor(x / y)
        x, y = ctx.x, ctx.y
        gx = unbroadcast(grad, _shape(x)) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(-grad * np.floor_divide(x, y), _shape(y)) if ctx.needs_input_grad[1] else None
        return gx, gy


def floor_divide(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "floor_divide", input, other)
        return _out.write_out(out, floor_divide(input, other), "floor_divide")
    a, b, _ = _promote(input, other)
    return FloorDivide.apply(a, b)


def remainder(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "remainder", input, other)
        return _out.write_out(out, remainder(input, other), "remainder")
    a, b, _ = _promote(input, other)
    return Remainder.apply(a, b)


# ---------------------------------------------------------------------------------------------------
# unary maths
# ---------------------------------------------------------------------------------------------------
def _float_input(x):
    """Unary maths on integer tensors computes in the default float dtype, as PyTorch."""
    if isinstance(x, Tensor):
        if not _dtype.is_float_array(x._array):
            return to_dtype(x, _dtype.get_default_dtype())
        return x
    from ..creation import tensor
    return tensor(x, dtype=_dtype.get_default_dtype()) if not isinstance(x, Tensor) else x


class Abs(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return get_array_module(x).abs(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * get_array_module(grad).sign(ctx.x)  # dL/dx = dL/dy · sign(x)  (0 at x = 0)


class Exp(Function):
    saves = (-1,)

    @staticmethod
    def forward(ctx, x):
        y = get_array_module(x).exp(x)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.y  # dL/dx = dL/dy · exp(x) = dL/dy · y


class Expm1(Function):
    saves = (-1,)

    @staticmethod
    def forward(ctx, x):
        y = get_array_module(x).expm1(x)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        return grad * (ctx.y + 1)  # dL/dx = dL/dy · exp(x) = dL/dy · (y + 1)


class Log(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return get_array_module(x).log(x)

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(divide="ignore"):
            return grad / ctx.x  # dL/dx = dL/dy / x


class Log2(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return get_array_module(x).log2(x)

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(divide="ignore"):
            return grad / (ctx.x * math.log(2.0))  # dL/dx = dL/dy / (x · ln 2)


class Log10(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return get_array_module(x).log10(x)

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(divide="ignore"):
            return grad / (ctx.x * math.log(10.0))  # dL/dx = dL/dy / (x · ln 10)


class Log1p(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        with np.errstate(divide="ignore", invalid="ignore"):
            return get_array_module(x).log1p(x)

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(divide="ignore"):
            return grad / (1 + ctx.x)  # dL/dx = dL/dy / (1 + x)


class Sqrt(Function):
    saves = (-1,)

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            y = get_array_module(x).sqrt(x)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad / (2 * ctx.y)  # dL/dx = dL/dy / (2·sqrt(x))


class Rsqrt(Function):
    saves = (-1,)

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            y = 1 / get_array_module(x).sqrt(x)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.y
        return grad * (-0.5 * y * y * y)  # dL/dx = dL/dy · (−½ x^(−3/2)) = dL/dy · (−½ y³)


class Square(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return x * x

    @staticmethod
    def backward(ctx, grad):
        return grad * (2 * ctx.x)  # dL/dx = dL/dy · 2x


class Reciprocal(Function):
    saves = (-1,)

    @staticmethod
    def forward(ctx, x):
        with np.errstate(divide="ignore"):
            y = 1 / x
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        return grad * -(ctx.y * ctx.y)  # dL/dx = dL/dy · (−1/x²) = dL/dy · (−y²)


class Sin(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return get_array_module(x).sin(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * get_array_module(grad).cos(ctx.x)  # dL/dx = dL/dy · cos(x)


class Cos(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return get_array_module(x).cos(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * -get_array_module(grad).sin(ctx.x)  # dL/dx = dL/dy · (−sin(x))


class Tan(Function):
    saves = (-1,)

    @staticmethod
    def forward(ctx, x):
        y = get_array_module(x).tan(x)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        return grad * (1 + ctx.y * ctx.y)  # dL/dx = dL/dy · (1 + tan²(x))


class Tanh(Function):
    saves = (-1,)

    @staticmethod
    def forward(ctx, x):
        y = get_array_module(x).tanh(x)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.y
        return grad * (1 - y * y)  # dL/dx = dL/dy · (1 − y²)


class Sigmoid(Function):
    """y = 1 / (1 + e^(−x)), computed without overflow for large |x|."""

    saves = (-1,)

    @staticmethod
    def forward(ctx, x):
        xp = get_array_module(x)
        e = xp.exp(-xp.abs(x))                     # in (0, 1]: never overflows
        y = xp.where(x >= 0, 1 / (1 + e), e / (1 + e))
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.y
        return grad * (y * (1 - y))  # dL/dx = dL/dy · y(1 − y)


class Relu(Function):
    saves = (-1,)

    @staticmethod
    def forward(ctx, x):
        if _kernels.wants(x, min_size=_RELU_KERNEL_MIN) and x.flags.c_contiguous:
            from ..kernels.activation import relu   # the same max(x, 0), one pass on both cores
            y = relu(x)
        else:
            y = get_array_module(x).maximum(x, 0)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        y = ctx.y
        if _kernels.wants(grad, y, min_size=_RELU_KERNEL_MIN) and grad.flags.c_contiguous and \
                y.flags.c_contiguous and grad.shape == y.shape:
            from ..kernels.activation import relu_backward
            return relu_backward(grad, y)
        return grad * (y > 0)  # dL/dx = dL/dy · [x > 0]


_RELU_KERNEL_MIN = 1 << 16  # elements: below this NumPy's own pass is as fast as the hand-off to the threads


# NumPy has no erf: this applies Python's math.erf element by element (exact, but a Python call per
# element: fine for checks and small tensors, too slow for large activations).
class Erf(Function):
    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return _special.erf(x)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        return grad * ((2 / math.sqrt(math.pi)) * np.exp(-x * x))  # dL/dx = dL/dy · 2/√π · e^(−x²)


def _unary(cls):
    def op(input, *, out=None):
        if out is not None:  # computed without a graph, then written into out (ops/out.py)
            _out.check_out(out, op.__name__, input)
            return _out.write_out(out, cls.apply(_float_input(input)), op.__name__)
        return cls.apply(_float_input(input))
    op.__name__ = cls.__name__.lower()
    op.__doc__ = f"Elementwise {op.__name__} (the {cls.__name__} Function: forward and backward in ops/elementwise.py)."
    return op


exp = _unary(Exp)
expm1 = _unary(Expm1)
log = _unary(Log)
log2 = _unary(Log2)
log10 = _unary(Log10)
log1p = _unary(Log1p)
sqrt = _unary(Sqrt)
rsqrt = _unary(Rsqrt)
reciprocal = _unary(Reciprocal)
sin = _unary(Sin)
cos = _unary(Cos)
tan = _unary(Tan)
tanh = _unary(Tanh)
sigmoid = _unary(Sigmoid)
erf = _unary(Erf)


def abs(input, *, out=None):
    if out is not None:
        _out.check_out(out, "abs", input)
        return _out.write_out(out, abs(input), "abs")
    return Abs.apply(input)


absolute = abs


def square(input, *, out=None):
    if out is not None:
        _out.check_out(out, "square", input)
        return _out.write_out(out, square(input), "square")
    return Square.apply(input)


def relu(input):
    return Relu.apply(input)


# ---------------------------------------------------------------------------------------------------
# piecewise-constant ops: their gradient is zero (PyTorch returns zeros too)
# ---------------------------------------------------------------------------------------------------
class ZeroGrad(Function):
    """An op whose derivative is 0 almost everywhere: sign, floor, ceil, round, trunc."""

    saves = ()

    @staticmethod
    def forward(ctx, x, fn):
        ctx.shape = x.shape
        return fn(x)

    @staticmethod
    def backward(ctx, grad):
        return get_array_module(grad).zeros(ctx.shape, grad.dtype), None  # dL/dx = 0


def sign(input, *, out=None):
    if out is not None:
        _out.check_out(out, "sign", input)
        return _out.write_out(out, sign(input), "sign")
    if input._array.dtype == np.bool_:  # the sign of a bool is itself
        return wrap(input._array.copy())
    return ZeroGrad.apply(input, _sign)


def _sign(a):
    """np.sign, with 0 for nan as PyTorch."""
    s = np.sign(a)
    return np.where(np.isnan(s), 0, s).astype(s.dtype) if _dtype.is_float_array(s.dtype) else s


def floor(input, *, out=None):
    if out is not None:
        _out.check_out(out, "floor", input)
        return _out.write_out(out, floor(input), "floor")
    return ZeroGrad.apply(input, np.floor)


def ceil(input, *, out=None):
    if out is not None:
        _out.check_out(out, "ceil", input)
        return _out.write_out(out, ceil(input), "ceil")
    return ZeroGrad.apply(input, np.ceil)


def trunc(input, *, out=None):
    if out is not None:
        _out.check_out(out, "trunc", input)
        return _out.write_out(out, trunc(input), "trunc")
    return ZeroGrad.apply(input, np.trunc)


def round(input, *, decimals=0, out=None):
    if out is not None:
        _out.check_out(out, "round", input)
        return _out.write_out(out, round(input, decimals=decimals), "round")
    # NumPy rounds half to even, as PyTorch does
    return ZeroGrad.apply(input, lambda a: np.round(a, decimals))


# ---------------------------------------------------------------------------------------------------
# clamp, maximum/minimum, where, lerp
# ---------------------------------------------------------------------------------------------------
class Clamp(Function):
    """y = min(max(x, lo), hi); lo and hi may be numbers, arrays or None."""

    saves = (0, 1, 2)

    @staticmethod
    def forward(ctx, x, lo, hi):
        xp = get_array_module(x)
        y = x
        if lo is not None:
            y = xp.maximum(y, lo)
        if hi is not None:
            y = xp.minimum(y, hi)
        ctx.x, ctx.lo, ctx.hi = x, lo, hi
        return y

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy · [lo ≤ x ≤ hi]; a tensor bound gets the gradient where it was chosen
        x, lo, hi = ctx.x, ctx.lo, ctx.hi
        inside = np.ones(x.shape, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        gx = grad * inside
        glo = ghi = None
        if ctx.needs_input_grad[1]:
            below = x < lo
            if hi is not None:
                below &= lo < hi   # PyTorch: a bound equal to the other gets no gradient from below
            glo = unbroadcast(grad * below, lo.shape)
        if ctx.needs_input_grad[2]:
            above = (x > hi) if lo is None else (np.maximum(x, lo) > hi)
            ghi = unbroadcast(grad * above, hi.shape)
        return unbroadcast(gx, x.shape), glo, ghi


def clamp(input, min=None, max=None, *, out=None):
    if out is not None:
        _out.check_out(out, "clamp", input, min, max)
        return _out.write_out(out, clamp(input, min, max), "clamp")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    lo = _operand(min) if min is not None else None
    hi = _operand(max) if max is not None else None
    x = input
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        from ..creation import tensor as _t
        rt = _dtype.result_type(*[v for v in (x, lo, hi) if v is not None])
        x = x.to(rt)
        lo = lo.to(rt) if isinstance(lo, Tensor) else lo
        hi = hi.to(rt) if isinstance(hi, Tensor) else hi
    elif not _dtype.is_float_array(x._array) and any(isinstance(v, float) for v in (lo, hi)):
        x = to_dtype(x, _dtype.get_default_dtype())
    return Clamp.apply(x, lo, hi)


clip = clamp


def clamp_min(input, min, *, out=None):
    if out is not None:
        _out.check_out(out, "clamp_min", input, min)
        return _out.write_out(out, clamp(input, min, None), "clamp_min")
    return clamp(input, min, None)


def clamp_max(input, max, *, out=None):
    if out is not None:
        _out.check_out(out, "clamp_max", input, max)
        return _out.write_out(out, clamp(input, None, max), "clamp_max")
    return clamp(input, None, max)


class Maximum(Function):
    """z = max(x, y) elementwise; at ties each input gets half the gradient, as PyTorch."""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return get_array_module(x, y).maximum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.x, ctx.y
        # dL/dx = dL/dz · ([x > y] + ½[x = y]),  dL/dy = dL/dz · ([y > x] + ½[x = y])
        tie = (x == y) * 0.5
        gx = unbroadcast(grad * ((x > y) + tie), _shape(x)) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * ((y > x) + tie), _shape(y)) if ctx.needs_input_grad[1] else None
        return gx, gy


class Minimum(Function):
    """z = min(x, y) elementwise; at ties each input gets half the gradient, as PyTorch."""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return get_array_module(x, y).minimum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.x, ctx.y
        # dL/dx = dL/dz · ([x < y] + ½[x = y]),  dL/dy = dL/dz · ([y < x] + ½[x = y])
        tie = (x == y) * 0.5
        gx = unbroadcast(grad * ((x < y) + tie), _shape(x)) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * ((y < x) + tie), _shape(y)) if ctx.needs_input_grad[1] else None
        return gx, gy


def _two_tensors(input, other):
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        raise TypeError("expected both arguments to be Tensors")
    a, b, _ = _promote(input, other)
    return a, b


def maximum(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "maximum", input, other)
        return _out.write_out(out, maximum(input, other), "maximum")
    return Maximum.apply(*_two_tensors(input, other))


def minimum(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "minimum", input, other)
        return _out.write_out(out, minimum(input, other), "minimum")
    return Minimum.apply(*_two_tensors(input, other))


class Fmax(Function):
    """z = max(x, y), ignoring a nan operand (nan only where both are); at ties x gets the gradient, as PyTorch."""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return get_array_module(x, y).fmax(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.x, ctx.y
        pick_x = (x >= y) | np.isnan(y)  # dL/dx = dL/dz where x was chosen, dL/dy = dL/dz elsewhere
        gx = unbroadcast(grad * pick_x, _shape(x)) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * ~pick_x, _shape(y)) if ctx.needs_input_grad[1] else None
        return gx, gy


class Fmin(Function):
    """z = min(x, y), ignoring a nan operand (nan only where both are); at ties x gets the gradient, as PyTorch."""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, y):
        ctx.x, ctx.y = x, y
        return get_array_module(x, y).fmin(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.x, ctx.y
        pick_x = (x <= y) | np.isnan(y)  # dL/dx = dL/dz where x was chosen, dL/dy = dL/dz elsewhere
        gx = unbroadcast(grad * pick_x, _shape(x)) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * ~pick_x, _shape(y)) if ctx.needs_input_grad[1] else None
        return gx, gy


def fmax(input, other, *, out=None):
    """The maximum, where a nan loses to a number (maximum propagates nan)."""
    if out is not None:
        _out.check_out(out, "fmax", input, other)
        return _out.write_out(out, fmax(input, other), "fmax")
    return Fmax.apply(*_two_tensors(input, other))


def fmin(input, other, *, out=None):
    """The minimum, where a nan loses to a number (minimum propagates nan)."""
    if out is not None:
        _out.check_out(out, "fmin", input, other)
        return _out.write_out(out, fmin(input, other), "fmin")
    return Fmin.apply(*_two_tensors(input, other))


class Where(Function):
    """z = x where cond else y"""

    saves = ()

    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.cond, ctx.x_shape, ctx.y_shape = cond, _shape(x), _shape(y)
        return get_array_module(x, y).where(cond, x, y)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dz · [cond],  dL/dy = dL/dz · [not cond]
        c = ctx.cond
        gx = unbroadcast(np.where(c, grad, 0), ctx.x_shape) if ctx.needs_input_grad[1] else None
        gy = unbroadcast(np.where(c, 0, grad), ctx.y_shape) if ctx.needs_input_grad[2] else None
        return None, gx, gy


def where(condition, input=None, other=None, *, out=None):
    """``where(cond, x, y)``: x where cond holds, else y; ``where(cond)`` is ``nonzero(cond, as_tuple=True)``.
    x and y may be tensors or Python numbers (two numbers give int64, the default float dtype or bool)."""
    if input is None and other is None:
        from .index import nonzero
        return nonzero(condition, as_tuple=True)
    if out is not None:
        _out.check_out(out, "where", condition, input, other)
        return _out.write_out(out, where(condition, input, other), "where")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):  # two numbers: tensors of their dtype
        from ..creation import tensor
        rt = _dtype.result_type(_operand(input), _operand(other))
        input, other = tensor(input, dtype=rt), tensor(other, dtype=rt)
    cond = as_array(_operand(condition))
    if cond.dtype != np.bool_:
        cond = cond.astype(bool)
    a, b, _ = _promote(input, other)
    return Where.apply(cond, a, b)


def lerp(input, end, weight, *, out=None):
    """input + weight · (end − input)"""
    if out is not None:
        _out.check_out(out, "lerp", input, end, weight)
        return _out.write_out(out, lerp(input, end, weight), "lerp")
    return add(input, mul(sub(end, input), weight))


# ---------------------------------------------------------------------------------------------------
# casts and copies
# ---------------------------------------------------------------------------------------------------
class ToDtype(Function):
    saves = ()

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.dtype = x.dtype
        if x.dtype.name == "bfloat16" and dtype.numpy_dtype.kind in "iu":
            x = x.astype(np.float32)  # ml_dtypes' own bfloat16 -> integer cast saturates; PyTorch's converts as C
        return x.astype(dtype.numpy_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.dtype), None  # dL/dx = dL/dy, cast back to x's dtype


def to_dtype(input, dtype):
    return ToDtype.apply(input, _dtype.as_dtype(dtype))


class Clone(Function):
    saves = ()

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad  # dL/dx = dL/dy


def clone(input, memory_format=None):
    return Clone.apply(input)


# ---------------------------------------------------------------------------------------------------
# comparisons and logic: results are bool tensors and carry no gradient
# ---------------------------------------------------------------------------------------------------
def _no_grad_binary(fn, input, other):
    a, b, _ = _promote(input, other)
    return wrap(fn(as_array(a), as_array(b)))


def eq(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "eq", input, other)
        return _out.write_out(out, eq(input, other), "eq")
    return _no_grad_binary(np.equal, input, other)


def ne(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "ne", input, other)
        return _out.write_out(out, ne(input, other), "ne")
    return _no_grad_binary(np.not_equal, input, other)


def lt(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "lt", input, other)
        return _out.write_out(out, lt(input, other), "lt")
    return _no_grad_binary(np.less, input, other)


def le(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "le", input, other)
        return _out.write_out(out, le(input, other), "le")
    return _no_grad_binary(np.less_equal, input, other)


def gt(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "gt", input, other)
        return _out.write_out(out, gt(input, other), "gt")
    return _no_grad_binary(np.greater, input, other)


def ge(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "ge", input, other)
        return _out.write_out(out, ge(input, other), "ge")
    return _no_grad_binary(np.greater_equal, input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def logical_and(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "logical_and", input, other)
        return _out.write_out(out, logical_and(input, other), "logical_and")
    return wrap(np.logical_and(as_array(input), as_array(other)))


def logical_or(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "logical_or", input, other)
        return _out.write_out(out, logical_or(input, other), "logical_or")
    return wrap(np.logical_or(as_array(input), as_array(other)))


def logical_xor(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "logical_xor", input, other)
        return _out.write_out(out, logical_xor(input, other), "logical_xor")
    return wrap(np.logical_xor(as_array(input), as_array(other)))


def logical_not(input, *, out=None):
    if out is not None:
        _out.check_out(out, "logical_not", input)
        return _out.write_out(out, logical_not(input), "logical_not")
    return wrap(np.logical_not(input._array))


def _check_integral(*xs):
    for x in xs:
        if isinstance(x, Tensor) and _dtype.is_float_array(x._array.dtype) or isinstance(x, float):
            raise TypeError("bitwise ops are only supported for integer and bool tensors")


def bitwise_and(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "bitwise_and", input, other)
        return _out.write_out(out, bitwise_and(input, other), "bitwise_and")
    _check_integral(input, other)
    return _no_grad_binary(np.bitwise_and, input, other)


def bitwise_or(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "bitwise_or", input, other)
        return _out.write_out(out, bitwise_or(input, other), "bitwise_or")
    _check_integral(input, other)
    return _no_grad_binary(np.bitwise_or, input, other)


def bitwise_xor(input, other, *, out=None):
    if out is not None:
        _out.check_out(out, "bitwise_xor", input, other)
        return _out.write_out(out, bitwise_xor(input, other), "bitwise_xor")
    _check_integral(input, other)
    return _no_grad_binary(np.bitwise_xor, input, other)


def bitwise_not(input, *, out=None):
    if out is not None:
        _out.check_out(out, "bitwise_not", input)
        return _out.write_out(out, bitwise_not(input), "bitwise_not")
    _check_integral(input)
    return wrap(np.invert(input._array))


def isnan(input):
    return wrap(np.isnan(input._array))


def isinf(input):
    return wrap(np.isinf(input._array))


def isfinite(input):
    return wrap(np.isfinite(input._array))


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = ['add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'floor_divide',
           'remainder', 'pow', 'neg', 'negative', 'abs', 'absolute', 'exp', 'expm1', 'log', 'log2', 'log10',
           'log1p', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'relu',
           'erf', 'sign', 'floor', 'ceil', 'round', 'trunc', 'clamp', 'clip', 'clamp_min', 'clamp_max',
           'maximum', 'minimum', 'fmax', 'fmin', 'where', 'lerp', 'eq', 'ne', 'lt', 'le', 'gt', 'ge',
           'greater', 'greater_equal', 'less', 'less_equal', 'not_equal', 'logical_and', 'logical_or',
           'logical_xor', 'logical_not', 'bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_not', 'isnan',
           'isinf', 'isfinite', 'clone']


from . import out as _out  # noqa: E402  (out.py imports inplace, which imports this module)
