"""Dropout: during training, zero each element with probability p and scale the survivors by 1/(1 − p).

The scaling ("inverted dropout") keeps the expected value of every element unchanged, so nothing needs to
change at evaluation time, where dropout is the identity. The mask is drawn from glasstorch's global
generator as PyTorch draws it (``noise.bernoulli_(1 - p)``, then ``noise.div_(1 - p)``), so a seeded
glasstorch program drops the same elements as the same PyTorch program; it is kept, pre-scaled, in the input's dtype: backward multiplies by the same mask.

With kernels on (glasstorch/kernels/__init__.py), a mask of 256 or more float32/float64 elements is made by
glasstorch/kernels/dropout.py from the same generator words: the same values, the same state afterwards.

The channel ("feature") variants dropout1d/2d/3d and feature_alpha_dropout draw one value per (sample,
channel) and broadcast it over the spatial dims, so whole feature maps are kept or dropped together.
"""
import math
import warnings

from ..autograd.function import Function
import numpy as np

from .. import kernels
from ..random import _gen, bernoulli_scalar_array
from . import inplace as _inplace

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]


class Dropout(Function):
    """y = x · m, where m = [u ≥ p] / (1 − p) was drawn once for this call."""

    saves = ()

    @staticmethod
    def forward(ctx, x, mask):
        ctx.mask = mask
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.mask, None  # dL/dx = dL/dy · m   (0 where dropped, 1/(1 − p) where kept)


class AlphaDropout(Function):
    """y = a·m·x + b: dropped units go to SELU's negative saturation, then an affine map restores mean/variance."""

    saves = ()

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
    return bernoulli_scalar_array(shape, 1.0 - p).astype(dtype)  # noise.bernoulli_(1 - p)


_KERNEL_MIN = 256   # elements: below, the kernel's call costs about what the reference's passes do


def _scaled_mask(shape, p, dtype):
    if p == 1.0:  # PyTorch multiplies by zero without drawing
        return np.zeros(shape, dtype=dtype)
    if kernels.enabled() and np.dtype(dtype) in kernels.FLOATS and 0.0 < p < 1.0 and math.prod(shape) >= _KERNEL_MIN:
        # the same words, the same mask, the same state afterwards, in two passes (glasstorch/kernels/dropout.py)
        from ..kernels.dropout import mask_from_generator
        mask = mask_from_generator(_gen(None), shape, p, dtype)   # the default generator
        if mask is not None:
            return mask
    return _keep_mask(shape, p, dtype) / np.dtype(dtype).type(1.0 - p)  # noise.div_(1 - p), in dtype


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


def _feature_shape(shape):
    """One draw per (sample, channel): (N, C, 1, 1, ..) — PyTorch's feature noise shape."""
    if len(shape) < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return shape[:2] + (1,) * (len(shape) - 2)


def _feature_dropout(input, p, training, inplace, shape):
    if not training or p == 0.0 or input._array.size == 0:
        return input
    return _apply_mask(input, _scaled_mask(shape, p, input._array.dtype), inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) input with probability p; scale the rest by 1/(1 − p).

    As in PyTorch 2.13, a 3-D input is read as (N, C, L), not as an unbatched (C, H, W): channel-wise 1-D
    dropout, with PyTorch's warning; other dims than 3 or 4 warn that they are deprecated.
    """
    _check_p(p)
    ndim = input._array.ndim
    if ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated and will result in "
                      "an error in a future release. To retain the behavior and silence this warning, please use "
                      "dropout instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      "inputs).", stacklevel=2)
    if ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a "
                      "batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, "
                      "please switch to using dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace, _feature_shape(input._array.shape))


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or unbatched (C, D, H, W) input with probability p."""
    _check_p(p)
    shape = input._array.shape
    if len(shape) not in (4, 5):
        warnings.warn(f"dropout3d: Received a {len(shape)}-D input to dropout3d, which is deprecated and will "
                      "result in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout3d exists to provide channel-wise dropout on "
                      "inputs with 3 spatial dimensions, a channel dimension, and an optional batch dimension (i.e. "
                      "4D or 5D inputs).", stacklevel=2)
    if len(shape) != 5:  # unbatched: one draw per channel (dim 0)
        return _feature_dropout(input, p, training, inplace, _feature_shape((1,) + shape)[1:])
    return _feature_dropout(input, p, training, inplace, _feature_shape(shape))


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout with one draw per (sample, channel): whole channels go to SELU's saturation value."""
    _check_p(p)
    shape = _feature_shape(input._array.shape)
    if not training or p == 0.0:
        return input
    a = input._array
    if p == 1.0:
        return _apply_mask(input, a.dtype.type(0), inplace)
    keep = _keep_mask(shape, p, a.dtype)
    scale_a = ((_SELU_SATURATION ** 2 * p + 1.0) * (1.0 - p)) ** -0.5
    scale = keep * scale_a
    shift = (keep - 1.0 + p) * (_SELU_SATURATION * scale_a)  # −a α' where dropped, plus b everywhere
    if inplace:
        return _inplace.apply_(input, AlphaDropout.apply, scale, shift)
    return AlphaDropout.apply(input, scale, shift)
