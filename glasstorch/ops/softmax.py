"""softmax and log_softmax along one dim, each a Function with its own backward.

Both subtract the maximum along ``dim`` before exponentiating, so large inputs do not overflow:
softmax(x) = exp(x − m) / Σ exp(x − m) for any constant m.
"""
import math

import numpy as np

from .. import _dtype
from ..autograd.function import Function
from ..backend import get_array_module
from . import elementwise as _ew
from .reduce import _torch_name, _wrap_dim


def _shifted(x, axis):
    """x − max(x) along axis (rows of −inf give nan, as in PyTorch)."""
    with np.errstate(invalid="ignore"):
        return x - x.max(axis=axis, keepdims=True, initial=-math.inf)


def _exp(a):
    """exp(a), in place when a is a fresh array (saves an allocation)."""
    xp = get_array_module(a)
    return xp.exp(a, out=a) if a.ndim and a.flags.writeable else xp.exp(a)


class Softmax(Function):
    saves = (-1,)

    @staticmethod
    def forward(ctx, x, axis):
        y = _exp(_shifted(x, axis))
        with np.errstate(invalid="ignore"):
            y /= y.sum(axis=axis, keepdims=True)
        ctx.y, ctx.axis = y, axis
        return y

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = y · (dL/dy − Σ dL/dy · y)
        y = ctx.y
        gx = grad - (grad * y).sum(axis=ctx.axis, keepdims=True)
        gx *= y
        return gx, None


class LogSoftmax(Function):
    saves = (-1,)

    @staticmethod
    def forward(ctx, x, axis):
        xp = get_array_module(x)
        s = _shifted(x, axis)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = s - xp.log(xp.exp(s).sum(axis=axis, keepdims=True))
        ctx.y, ctx.axis = y, axis
        return y

    @staticmethod
    def backward(ctx, grad):
        # dL/dx = dL/dy − exp(y) · Σ dL/dy
        e = get_array_module(grad).exp(ctx.y)  # (not in place: y stays saved for a retained graph)
        e *= grad.sum(axis=ctx.axis, keepdims=True)
        return grad - e, None


def _apply(cls, input, dim, dtype, kernel):
    if dim is None or isinstance(dim, (tuple, list)):
        raise TypeError(f"{kernel}(): argument 'dim' (position 2) must be int, not {type(dim).__name__}")
    if dtype is not None:
        dt = _dtype.as_dtype(dtype)
        if input._array.dtype != dt.numpy_dtype:
            input = _ew.to_dtype(input, dt)
    x = input._array
    axis = _wrap_dim(dim, x.ndim)
    if not _dtype.is_float_array(x):
        where = "lastdim_" if axis == x.ndim - 1 and kernel == "softmax" else ""
        raise NotImplementedError(f'"{kernel}_{where}kernel_impl" not implemented for \'{_torch_name(x.dtype)}\'')
    return cls.apply(input, axis if x.ndim else None)


def softmax(input, dim, dtype=None):
    """exp(x) / Σ exp(x) along dim (computed in dtype when one is given)."""
    return _apply(Softmax, input, dim, dtype, "softmax")


def log_softmax(input, dim, dtype=None):
    """x − log Σ exp(x) along dim: more accurate than log(softmax(x))."""
    return _apply(LogSoftmax, input, dim, dtype, "log_softmax")


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = ['softmax', 'log_softmax']
