"""Activation functions (``glasstorch.nn.functional``'s relu, gelu, softmax, ...).

Each activation with a non-trivial derivative is its own Function, forward and backward side by side,
with dL/dx in a comment. Everything is elementwise NumPy through ``xp = get_array_module(x)``; constants
are Python floats, so float32 inputs give float32 results (NumPy 2 treats Python numbers as "weak").
Where a derivative has a kink (relu at 0, hardtanh at its bounds ...) the value at the kink is PyTorch's.

``inplace=True`` arguments follow PyTorch's rules through ``ops/inplace.py``. glasstorch additions:
``step`` (the Heaviside step of the perceptron) and a zero gradient for ``heaviside``, which PyTorch
cannot differentiate.
"""
import math
import warnings

import numpy as np

from ..autograd.function import Function
from ..backend import get_array_module
from .special import erf
from ..tensor import Tensor
from . import elementwise as _ew
from . import inplace as _inplace
from . import softmax as _softmax
from .elementwise import sigmoid, tanh
from .index import one_hot

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "rrelu", "rrelu_", "elu", "elu_", "selu", "celu",
           "gelu", "silu",
           "mish", "softplus", "softsign", "hardtanh", "hardtanh_", "hardsigmoid", "hardswish", "tanhshrink",
           "prelu", "threshold", "threshold_", "logsigmoid", "hardshrink", "softshrink", "sigmoid", "tanh",
           "softmax", "log_softmax", "softmin", "one_hot", "heaviside", "step", "glu", "gumbel_softmax", "celu_",
           "selu_"]


def _sigmoid(x):
    """σ(x) = 1 / (1 + e^(−x)), without overflow for large |x|."""
    xp = get_array_module(x)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(x):
    """log(1 + eˣ) = max(x, 0) + log(1 + e^(−|x|)), without overflow."""
    xp = get_array_module(x)
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


def _maybe_inplace(input, inplace, fn, *args):
    """fn(input, *args), written into input when inplace (PyTorch's in-place rules apply)."""
    if inplace:
        return _inplace.apply_(input, fn, *args)
    return fn(input, *args)


# ---------------------------------------------------------------------------------------------------
# rectifiers
# ---------------------------------------------------------------------------------------------------
def relu(input, inplace=False):
    """max(x, 0) (the Relu Function lives in ops/elementwise.py)."""
    return _maybe_inplace(input, inplace, _ew.Relu.apply)


def relu_(input):
    return relu(input, inplace=True)


class Hardtanh(Function):
    """y = clamp(x, lo, hi)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.x, ctx.lo, ctx.hi = x, lo, hi
        return get_array_module(x).clip(x, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        return grad * ((x > ctx.lo) & (x < ctx.hi)), None, None  # dL/dx = dL/dy · [lo < x < hi]


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, inplace, Hardtanh.apply, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(x, 0), 6) = hardtanh(x, 0, 6)"""
    return hardtanh(input, 0.0, 6.0, inplace)


class LeakyRelu(Function):
    """y = x if x > 0 else slope · x"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x, slope):
        ctx.x, ctx.slope = x, slope
        return get_array_module(x).where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy · (1 if x > 0 else slope)
        return get_array_module(grad).where(ctx.x > 0, grad, grad * ctx.slope), None


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _maybe_inplace(input, inplace, LeakyRelu.apply, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


class RRelu(Function):
    """y = x · a, with a = 1 where x > 0 and a random slope r ~ U(lower, upper) elsewhere (drawn by rrelu)."""

    saves = ()

    @staticmethod
    def forward(ctx, x, slopes):
        ctx.slopes = slopes
        return x * slopes

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.slopes, None  # dL/dx = dL/dy · a (the slope each element was given)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False, generator=None):
    """Randomized leaky ReLU. Training: each non-positive element gets its own slope from U(lower, upper)
    (glasstorch's generator: values differ from PyTorch's, the distribution is the same); evaluation: the fixed
    slope (lower + upper) / 2, i.e. leaky_relu. ``generator`` is the keyword torch.rrelu takes."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return _maybe_inplace(input, inplace, LeakyRelu.apply, (lower + upper) / 2)
    from ..random import uniform_array
    xp = get_array_module(input._array)
    x = input._array
    r = uniform_array(x.shape, lower, upper, x.dtype, generator)
    slopes = xp.where(x > 0, x.dtype.type(1), r).astype(x.dtype, copy=False)
    return _maybe_inplace(input, inplace, RRelu.apply, slopes)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return rrelu(input, lower, upper, training, inplace=True, generator=generator)


class Elu(Function):
    """y = scale · x if x > 0 else scale · alpha · (e^(input_scale · x) − 1)   (elu, selu and celu)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        xp = get_array_module(x)
        em1 = xp.expm1(xp.minimum(x, 0) * input_scale)  # e^(s·x) − 1 on the negative side (no overflow)
        ctx.x, ctx.em1, ctx.coefs = x, em1, (alpha, scale, input_scale)
        return xp.where(x > 0, x * scale, em1 * (scale * alpha))

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy · (scale if x > 0 else scale · alpha · input_scale · e^(input_scale · x))
        alpha, scale, input_scale = ctx.coefs
        xp = get_array_module(grad)
        negative = (ctx.em1 + 1) * (scale * alpha * input_scale)
        return grad * xp.where(ctx.x > 0, scale, negative), None, None, None


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha · (eˣ − 1)"""
    return _maybe_inplace(input, inplace, Elu.apply, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False):
    """scale · elu(x, alpha) with the self-normalizing constants (alpha ≈ 1.6733, scale ≈ 1.0507)"""
    return _maybe_inplace(input, inplace, Elu.apply, _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha · (e^(x/alpha) − 1))"""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _maybe_inplace(input, inplace, Elu.apply, alpha, 1.0, 1.0 / alpha)


class Threshold(Function):
    """y = x if x > threshold else value"""

    saves = ()

    @staticmethod
    def forward(ctx, x, threshold, value):
        ctx.keep = x > threshold
        return get_array_module(x).where(ctx.keep, x, value).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.keep, None, None  # dL/dx = dL/dy · [x > threshold]


def threshold(input, threshold, value, inplace=False):
    return _maybe_inplace(input, inplace, Threshold.apply, threshold, value)


def threshold_(input, threshold, value):
    return _maybe_inplace(input, True, Threshold.apply, threshold, value)


class Prelu(Function):
    """y = x if x > 0 else w · x, with one learned w per channel (dim 1), or one shared w."""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, w):
        xp = get_array_module(x)
        wb = w.reshape(w.shape + (1,) * (x.ndim - 2)) if x.ndim >= 2 and w.size > 1 else w.reshape(-1)[0]
        ctx.x, ctx.w_shape, ctx.wb = x, w.shape, wb
        return xp.where(x > 0, x, x * wb)

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        x, wb = ctx.x, ctx.wb
        positive = x > 0
        gx = xp.where(positive, grad, grad * wb) if ctx.needs_input_grad[0] else None  # dL/dx = dL/dy · (1 or w)
        gw = None
        if ctx.needs_input_grad[1]:
            gw_full = xp.where(positive, 0, x * grad)  # dL/dw = Σ dL/dy · x over the x ≤ 0 of w's channel
            if len(ctx.w_shape) and math.prod(ctx.w_shape) > 1:
                axes = tuple(i for i in range(x.ndim) if i != 1)
                gw = gw_full.sum(axis=axes).reshape(ctx.w_shape)
            else:
                gw = xp.asarray(gw_full.sum(), dtype=grad.dtype).reshape(ctx.w_shape)
        return gx, gw


def prelu(input, weight):
    """x if x > 0 else weight · x; weight has one value, or one per channel (input dim 1)."""
    n = weight._array.size
    channels = input._array.shape[1] if input._array.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = {n} "
                           f"and channel size = {channels}.")
    return Prelu.apply(input, weight)


# ---------------------------------------------------------------------------------------------------
# smooth activations
# ---------------------------------------------------------------------------------------------------
class Gelu(Function):
    """y = x · Φ(x), Φ the standard normal CDF = ½(1 + erf(x/√2))"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        cdf = 0.5 * (1.0 + erf(x * x.dtype.type(1 / math.sqrt(2.0))))  # erf from ops/special.py
        ctx.x, ctx.cdf = x, cdf
        return x * cdf

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy · (Φ(x) + x · φ(x)),  φ(x) = e^(−x²/2) / √(2π)
        x = ctx.x
        pdf = get_array_module(x).exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
        return grad * (ctx.cdf + x * pdf)


_K = math.sqrt(2 / math.pi)


class GeluTanh(Function):
    """y = ½ x (1 + tanh(u)),  u = √(2/π) (x + 0.044715 x³)   (GELU's tanh approximation)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        t = get_array_module(x).tanh(_K * (x + 0.044715 * x * x * x))
        ctx.x, ctx.t = x, t
        return 0.5 * x * (1 + t)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy · (½(1 + t) + ½ x (1 − t²) · √(2/π)(1 + 3 · 0.044715 x²))
        x, t = ctx.x, ctx.t
        du = _K * (1 + 3 * 0.044715 * x * x)
        return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)


def gelu(input, approximate="none"):
    if approximate == "none":
        return Gelu.apply(input)
    if approximate == "tanh":
        return GeluTanh.apply(input)
    raise RuntimeError("approximate argument must be either none or tanh.")


class Silu(Function):
    """y = x · σ(x)   (also called swish)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        s = _sigmoid(x)
        ctx.x, ctx.s = x, s
        return x * s

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.x, ctx.s
        return grad * (s * (1 + x * (1 - s)))  # dL/dx = dL/dy · σ(x)(1 + x(1 − σ(x)))


def silu(input, inplace=False):
    return _maybe_inplace(input, inplace, Silu.apply)


class Mish(Function):
    """y = x · tanh(softplus(x))"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        t = get_array_module(x).tanh(_softplus(x))
        ctx.x, ctx.t = x, t
        return x * t

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy · (t + x (1 − t²) σ(x)),  t = tanh(softplus(x)), since softplus' = σ
        x, t = ctx.x, ctx.t
        return grad * (t + x * (1 - t * t) * _sigmoid(x))


def mish(input, inplace=False):
    return _maybe_inplace(input, inplace, Mish.apply)


class Softplus(Function):
    """y = log(1 + e^(βx)) / β, and y = x where βx > threshold (there the two agree to float precision)"""

    saves = ()

    @staticmethod
    def forward(ctx, x, beta, threshold):
        z = x * beta
        ctx.z, ctx.linear = z, z > threshold
        return get_array_module(x).where(ctx.linear, x, _softplus(z) / beta)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy · σ(βx)   (1 in the linear region)
        return grad * get_array_module(grad).where(ctx.linear, 1, _sigmoid(ctx.z)), None, None


def softplus(input, beta=1.0, threshold=20.0):
    return Softplus.apply(input, beta, threshold)


class LogSigmoid(Function):
    """y = log σ(x) = −softplus(−x)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return -_softplus(-x)

    @staticmethod
    def backward(ctx, grad):
        return grad * _sigmoid(-ctx.x)  # dL/dx = dL/dy · (1 − σ(x)) = dL/dy · σ(−x)


def logsigmoid(input):
    return LogSigmoid.apply(input)


class Softsign(Function):
    """y = x / (1 + |x|)"""

    saves = ()

    @staticmethod
    def forward(ctx, x):
        d = 1 + get_array_module(x).abs(x)
        ctx.d = d
        return x / d

    @staticmethod
    def backward(ctx, grad):
        d = ctx.d
        return grad / (d * d)  # dL/dx = dL/dy / (1 + |x|)²


def softsign(input):
    return Softsign.apply(input)


class Tanhshrink(Function):
    """y = x − tanh(x)"""

    saves = ()

    @staticmethod
    def forward(ctx, x):
        t = get_array_module(x).tanh(x)
        ctx.t = t
        return x - t

    @staticmethod
    def backward(ctx, grad):
        t = ctx.t
        return grad * (t * t)  # dL/dx = dL/dy · (1 − (1 − tanh²x)) = dL/dy · tanh²(x)


def tanhshrink(input):
    return Tanhshrink.apply(input)


# ---------------------------------------------------------------------------------------------------
# hard (piecewise-linear) versions
# ---------------------------------------------------------------------------------------------------
class Hardsigmoid(Function):
    """y = clamp(x/6 + ½, 0, 1)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return get_array_module(x).clip(x * (1 / 6) + 0.5, 0, 1)

    @staticmethod
    def backward(ctx, grad):
        x = ctx.x
        return grad * ((x > -3) & (x < 3)) * (1 / 6)  # dL/dx = dL/dy · [−3 < x < 3] / 6


def hardsigmoid(input, inplace=False):
    return _maybe_inplace(input, inplace, Hardsigmoid.apply)


class Hardswish(Function):
    """y = x · clamp(x + 3, 0, 6) / 6"""

    saves = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return x * get_array_module(x).clip(x + 3, 0, 6) * (1 / 6)

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy · (0 if x ≤ −3, x/3 + ½ if −3 < x < 3, 1 if x ≥ 3)   (PyTorch's values at the corners)
        x = ctx.x
        xp = get_array_module(x)
        local = xp.where(x <= -3, 0, xp.where(x < 3, x * (1 / 3) + 0.5, 1))
        return grad * local


def hardswish(input, inplace=False):
    return _maybe_inplace(input, inplace, Hardswish.apply)


class Shrink(Function):
    """hardshrink: y = x where |x| > λ, else 0;  softshrink: y = x − λ·sign(x) where |x| > λ, else 0"""

    saves = ()

    @staticmethod
    def forward(ctx, x, lambd, soft):
        xp = get_array_module(x)
        keep = xp.abs(x) > lambd
        ctx.keep = keep
        y = x - xp.sign(x) * lambd if soft else x
        return xp.where(keep, y, 0).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.keep, None, None  # dL/dx = dL/dy · [|x| > λ]


def hardshrink(input, lambd=0.5):
    return Shrink.apply(input, lambd, False)


def softshrink(input, lambd=0.5):
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return Shrink.apply(input, lambd, True)


# ---------------------------------------------------------------------------------------------------
# softmax family (the Functions live in ops/softmax.py)
# ---------------------------------------------------------------------------------------------------
def _implicit_dim(name, ndim, stacklevel):
    """PyTorch's legacy rule when dim is not given: dim 0 for 0-, 1- and 3-D inputs, else dim 1 (with a warning)."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as "
                  "an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / Σ exp(x) along dim."""
    if dim is None:
        dim = _implicit_dim("softmax", input.ndim, _stacklevel)
    return _softmax.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)), computed stably as x − logsumexp(x)."""
    if dim is None:
        dim = _implicit_dim("log_softmax", input.ndim, _stacklevel)
    return _softmax.log_softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(−x) along dim."""
    if dim is None:
        dim = _implicit_dim("softmin", input.ndim, _stacklevel)
    return _softmax.softmax(_ew.neg(input), dim, dtype)


# ---------------------------------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------------------------------
class Heaviside(Function):
    """y = 0 if x < 0, values if x == 0, 1 if x > 0. Piecewise constant: its gradient is 0.

    (PyTorch defines no derivative for heaviside and raises on backward; glasstorch returns zeros, so a
    perceptron built on it trains with its own update rule while the graph still works.)
    """

    saves = ()

    @staticmethod
    def forward(ctx, x, values):
        xp = get_array_module(x)
        ctx.shapes = (x.shape, np.shape(values))
        dtype = np.result_type(x, values)
        return xp.where(x > 0, 1, xp.where(x == 0, values, 0)).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        gx = xp.zeros(ctx.shapes[0], grad.dtype)  # dL/dx = 0
        gv = xp.zeros(ctx.shapes[1], grad.dtype) if ctx.needs_input_grad[1] else None  # (no gradient to values)
        return gx, gv


def heaviside(input, values):
    """The Heaviside step: 0 below 0, ``values`` at 0, 1 above (``values`` must be a Tensor, as in PyTorch)."""
    if not isinstance(values, Tensor):
        raise TypeError(f"heaviside(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
    a, v = input._array, values._array
    if a.dtype != v.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes")
    return Heaviside.apply(input, values)


def step(input):
    """The perceptron's threshold unit: 1 where x ≥ 0, else 0, in x's dtype; gradient 0.

    A glasstorch addition (PyTorch has no ``step``): ``heaviside(x, 1)``.
    """
    return Heaviside.apply(input, input._array.dtype.type(1))


# ---------------------------------------------------------------------------------------------------
# gated linear unit, Gumbel-softmax, the in-place selu/celu
# ---------------------------------------------------------------------------------------------------
class Glu(Function):
    """glu(x) = a · σ(b), with a, b the first and second half of x along dim"""

    saves = (0,)  # ctx.a is a view of the input

    @staticmethod
    def forward(ctx, x, dim):
        xp = get_array_module(x)
        a, b = xp.split(x, 2, axis=dim)
        sb = _sigmoid(b)
        ctx.a, ctx.sb, ctx.dim = a, sb, dim
        return a * sb

    @staticmethod
    def backward(ctx, grad):
        # dL/da = dL/dy · σ(b),  dL/db = dL/dy · a · σ(b)(1 − σ(b))
        xp = get_array_module(grad)
        a, sb = ctx.a, ctx.sb
        return xp.concatenate([grad * sb, grad * a * sb * (1 - sb)], axis=ctx.dim), None


def glu(input, dim=-1):
    """The gated linear unit: a ⊗ σ(b), where input is split in half along ``dim`` into a and b."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim + input.ndim if dim < 0 else dim
    if not 0 <= d < input.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.ndim}, {input.ndim - 1}], "
                         f"but got {dim})")
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}")
    return Glu.apply(input, d)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + g) / tau) with g ~ Gumbel(0, 1) drawn from glasstorch's generator (so samples differ
    from PyTorch's). ``hard=True`` returns the one-hot of the argmax in the forward pass and the soft sample's
    gradient (straight-through: y_hard − y_soft.detach() + y_soft). ``eps`` is deprecated, as in PyTorch."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    from ..random import _rng
    x = logits._array
    xp = get_array_module(x)
    g = -xp.log(xp.asarray(_rng(None).standard_exponential(x.shape)).astype(x.dtype))   # ~Gumbel(0, 1)
    y_soft = _softmax.softmax(_ew.div(_ew.add(logits, _wrap(g)), tau), dim)
    if not hard:
        return y_soft
    index = y_soft._array.argmax(axis=dim)
    y_hard = xp.zeros_like(y_soft._array)
    xp.put_along_axis(y_hard, xp.expand_dims(index, dim), 1, axis=dim)
    return _ew.add(_ew.sub(_wrap(y_hard), y_soft.detach()), y_soft)


def _wrap(array):
    from ..autograd.function import wrap
    return wrap(array)


def celu_(input, alpha=1.0):
    """In-place celu."""
    return celu(input, alpha, inplace=True)


def selu_(input):
    """In-place selu."""
    return selu(input, inplace=True)
