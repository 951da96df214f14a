"""LayerNorm, GroupNorm, RMSNorm and LocalResponseNorm: normalizations that look at one sample at a time.

Unlike BatchNorm they have no running statistics and behave the same in train and eval mode:

- LayerNorm: μ and σ over the last dims (``normalized_shape``) of each sample; γ, β of that shape.
- GroupNorm: μ and σ per sample over each group of C/G channels (and their positions); γ, β per channel.
  One group is LayerNorm over (C, *); C groups is InstanceNorm with affine parameters.
- RMSNorm: divide by √(mean(x²) + ε) over the last dims, no centering; γ only.
- LocalResponseNorm: divide each value by (k + α/size · Σ x² over ``size`` neighbouring channels)^β.
"""
import numbers

import numpy as np

from ...autograd.function import Function
from ...backend import get_array_module

from ... import creation
from ...ops import norm as _norm
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm", "CrossMapLRN2d"]


def _as_shape(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(normalized_shape)


def register_affine(module, shape, affine, bias, device=None, dtype=None):
    """Give ``module`` its γ (``weight``) and β (``bias``) of ``shape``, or register them as None (PyTorch keeps
    both names in the module either way). BatchNorm, LayerNorm and GroupNorm share this."""
    if affine:
        module.weight = Parameter(creation.empty(shape, device=device, dtype=dtype))
        if bias:
            module.bias = Parameter(creation.empty(shape, device=device, dtype=dtype))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def reset_affine(module):
    """γ = 1 and β = 0, where the module has them."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class LayerNorm(Module):
    """y = (x − μ)/√(var + eps) · γ + β, with μ, var over the last ``len(normalized_shape)`` dims of x."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        register_affine(self, self.normalized_shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        reset_affine(self)

    def forward(self, input):
        return _norm.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """Split the C channels of x (N, C, *) into ``num_groups`` groups; normalize each sample's group, then
    scale and shift per channel."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        register_affine(self, num_channels, affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        reset_affine(self)

    def forward(self, input):
        return _norm.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(Module):
    """y = x / √(mean(x²) + eps) · γ over the last dims; eps=None uses the input dtype's machine epsilon."""

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _as_shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(creation.empty(self.normalized_shape, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x):
        return _norm.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class LocalResponseNorm(Module):
    """y_c = x_c / (k + α/size · Σ x_j²)^β, the sum over the ``size`` channels around c (input (N, C, *))."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return _norm.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


# ---------------------------------------------------------------------------------------------------
# CrossMapLRN2d: the legacy (Lua Torch) cross-channel LRN, forward and backward as PyTorch's own Function
# ---------------------------------------------------------------------------------------------------
def _lrn_windows(channels, size):
    """0/1 matrices (C, C): which channels' squares enter scale[c] (forward) and which ratios enter channel c's
    gradient (backward), exactly as PyTorch's running-sum loops pick them (channel 0 always stays in the
    forward sum once the window has passed it, a quirk of the original code that PyTorch keeps)."""
    pre_pad = int((size - 1) / 2 + 1)
    c = np.arange(channels)[:, None]
    j = np.arange(channels)[None, :]
    fwd = (j <= c + pre_pad - 1) & ~((j >= 1) & (j <= c - pre_pad))
    inverse_pre_pad = int(size - (size - 1) / 2)
    bwd = (j >= c - inverse_pre_pad) & (j <= c + size - 1 - inverse_pre_pad)
    return fwd, bwd


class _CrossMapLRN2dFunction(Function):
    """y = x · scale^(−β),  scale[c] = k + α/size · Σ_{j in window(c)} x[j]²  (over channels)"""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        xp = get_array_module(x)
        fwd, bwd = _lrn_windows(x.shape[1], size)
        sums = xp.einsum("cj,njhw->nchw", fwd.astype(x.dtype), x * x)
        scale = sums * (alpha / size) + k
        y = x * scale ** (-beta)
        ctx.x, ctx.y, ctx.scale, ctx.bwd, ctx.args = x, y, scale, bwd, (size, alpha, beta)
        return y

    @staticmethod
    def backward(ctx, grad):
        # dL/dx[c] = scale[c]^(−β)·g[c] − (2αβ/size)·x[c]·Σ_{j near c} g[j]·y[j]/scale[j]   (PyTorch's formula)
        xp = get_array_module(grad)
        size, alpha, beta = ctx.args
        ratio = grad * ctx.y / ctx.scale
        near = xp.einsum("cj,njhw->nchw", ctx.bwd.astype(grad.dtype), ratio)
        gx = ctx.scale ** (-beta) * grad - (2 * alpha * beta / size) * ctx.x * near
        return gx, None, None, None, None


class CrossMapLRN2d(Module):
    """Local response normalization across channels of a 4-D input (the legacy form of LocalResponseNorm,
    with PyTorch's own forward and backward formulas)."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        return _CrossMapLRN2dFunction.apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)
