"""Dropout: during training, zero each element with probability p and scale the survivors by 1/(1 − p).

The scaling ("inverted dropout") keeps the expected value of every element unchanged, so nothing needs to
change at evaluation time, where dropout is the identity. The mask is drawn from glasstorch's global
generator (``glasstorch.manual_seed`` makes it reproducible; the masks differ from PyTorch's for the same
seed) and is kept, pre-scaled, in the input's dtype: backward multiplies by the same mask.
"""
from ..autograd.function import Function
from ..random import uniform_array
from . import inplace as _inplace

__all__ = ["dropout", "dropout1d", "alpha_dropout"]


class Dropout(Function):
    """y = x · m, where m = [u ≥ p] / (1 − p) was drawn once for this call."""

    @staticmethod
    def forward(ctx, x, mask):
        ctx.mask = mask
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.mask, None  # dL/dx = dL/dy · m   (0 where dropped, 1/(1 − p) where kept)


class AlphaDropout(Function):
    """y = a·m·x + b: dropped units go to SELU's negative saturation, then an affine map restores mean/variance."""

    @staticmethod
    def forward(ctx, x, scale, shift):
        ctx.scale = scale
        return x * scale + shift

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.scale, None, None  # dL/dx = dL/dy · a·m


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(shape, p, dtype):
    """1 where an element is kept (probability 1 − p), 0 where it is dropped, as an array of ``dtype``."""
    return (uniform_array(shape, 0.0, 1.0, dtype) >= p).astype(dtype)


def _scaled_mask(shape, p, dtype):
    mask = _keep_mask(shape, p, dtype)
    if p < 1.0:
        mask *= 1.0 / (1.0 - p)  # a Python float: the mask stays in dtype
    return mask


def _apply_mask(input, mask, inplace):
    if inplace:
        return _inplace.apply_(input, Dropout.apply, mask)
    return Dropout.apply(input, mask)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1 − p); the identity when not training."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    a = input._array
    return _apply_mask(input, _scaled_mask(a.shape, p, a.dtype), inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels: input (N, C, L) or (C, L); one draw per (sample, channel), shared along L."""
    _check_p(p)
    a = input._array
    if a.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {a.ndim}D input. Note that dropout1d "
                           "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
                           "dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    if not training or p == 0.0:
        return input
    return _apply_mask(input, _scaled_mask(a.shape[:-1] + (1,), p, a.dtype), inplace)


_SELU_SATURATION = 1.7580993408473766  # −SELU(−∞) = scale · alpha


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: keeps zero mean and unit variance of a standardized input.

    A dropped unit is set to SELU's saturation value −α' (α' = 1.7581); then y = a·(x or −α') + b with
    a = ((1 − p)(1 + p α'²))^(−1/2) and b = a α' p. Note ``training=False`` is the default, as in PyTorch.
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    a = input._array
    if p == 1.0:
        return _apply_mask(input, a.dtype.type(0), inplace)
    keep = _keep_mask(a.shape, p, a.dtype)
    scale_a = ((_SELU_SATURATION ** 2 * p + 1.0) * (1.0 - p)) ** -0.5
    scale = keep * scale_a
    shift = (keep - 1.0 + p) * (_SELU_SATURATION * scale_a)  # −a α' where dropped, plus b everywhere
    if inplace:
        return _inplace.apply_(input, AlphaDropout.apply, scale, shift)
    return AlphaDropout.apply(input, scale, shift)
