"""Normalization ops: batch_norm, instance_norm, layer_norm, group_norm, rms_norm, local_response_norm, normalize.

Every normalization layer computes the same thing over a different set of elements:

    x̂ = (x − μ) / σ,   σ = √(var + ε),   y = γ · x̂ + β

batch_norm takes μ and var per channel (dim 1) over the batch and every spatial position; layer_norm per sample
over its last dims; group_norm per sample and group of channels. Each is ONE fused Function whose forward keeps
x̂ (batch_norm keeps x − μ, and folds the 1/σ into per-channel factors) and 1/σ, so that backward is the compact
formula (M = the number of elements one μ was taken over):

    dL/dx = γ/σ · (g − mean(g) − x̂ · mean(g · x̂)),   dL/dγ = Σ g · x̂,   dL/dβ = Σ g

(the three terms: g's direct path through x, its path through μ, its path through σ). The reductions run over
the axes where they lie (batch_norm sums over axes (0, 2, 3, ...) with keepdims; nothing is transposed) and
everything stays in the input's dtype.

Training batch_norm also updates the running statistics IN PLACE, as PyTorch does:
running = (1 − momentum) · running + momentum · batch_stat, where the variance that goes into running_var is
the unbiased one (Σ(x − μ)² / (M − 1)) while the normalization uses the biased one (/ M).
"""
import math

import numpy as np

from .. import kernels
from ..autograd.function import Function
from ..backend import get_array_module
from .channels import channel_dot, channel_shape, channel_sum, row_dot, spread

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "local_response_norm",
           "normalize"]


# -- batch norm ----------------------------------------------------------------------------------------------
_KERNEL_MIN = 4096   # inputs of at least this many elements take kernels/norm.py (4-D and other (N, C, *))


def _update_running(running_mean, running_var, mean, var_sum, m, momentum):
    """running = (1 − momentum)·running + momentum·batch stat, in place; the variance is the unbiased
    Σ(x − μ)²/(M − 1) over the M = N·H·W values of a channel."""
    if running_mean is not None:
        running_mean *= 1 - momentum
        running_mean += (momentum * mean).reshape(running_mean.shape).astype(running_mean.dtype)
    if running_var is not None:
        running_var *= 1 - momentum
        running_var += (momentum * var_sum / (m - 1)).reshape(running_var.shape).astype(running_var.dtype)


def _inv_std(var_sum, m, eps, dtype):
    """1/σ per channel from Σ (x − μ)² over its m values: normalized with the biased variance, as PyTorch."""
    xp = get_array_module(var_sum)
    return 1 / xp.sqrt(var_sum / dtype.type(m) + dtype.type(eps))


def _scale(inv_std, weight):
    """γ/σ per channel (1/σ without an affine weight), in 1/σ's channel shape."""
    return inv_std if weight is None else inv_std * weight.reshape(inv_std.shape)


def _normalize(x, xc, inv_std, weight, bias, shape):
    """y = (x − μ) · γ/σ + β from xc = x − μ and 1/σ per channel (BatchNorm's and SyncBatchNorm's training)."""
    scale = _scale(inv_std, weight)
    y = xc * spread(scale, x)
    if bias is not None:
        y += spread(bias.reshape(shape), x)
    return y


def _grad_input(grad, xc, inv_std, weight, sum_g, sum_gx, m):
    """dL/dx = γ/σ · (g − Σg/M − x̂ · Σ(g · x̂)/M), from xc = x − μ, 1/σ and the two channel sums over the M
    values of a channel (BatchNorm's reference, and SyncBatchNorm's with sums over every process)."""
    scale = _scale(inv_std, weight)
    gx = xc * spread(inv_std * sum_gx / m, xc)                        # x̂ · mean(g · x̂)
    gx += spread(sum_g / m, xc)
    get_array_module(grad).subtract(grad, gx, out=gx)                  # g − mean(g) − x̂ · mean(g · x̂)
    gx *= spread(scale, xc)                                           # dL/dx = γ/σ · (...)
    return gx


class BatchNorm(Function):
    """y = γ · (x − μ)/σ + β per channel; μ, σ² from the batch (training) or the running buffers (eval)."""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, training, momentum, eps):
        xp = get_array_module(x)
        shape = channel_shape(x)
        ctx.training, ctx.weight = training, weight
        ctx.fast = False
        fast = x.ndim >= 3 and kernels.wants(x, *(a for a in (weight, bias) if a is not None), min_size=_KERNEL_MIN)
        if fast:
            from ..kernels import norm as _k  # channel by channel over the cores: kernels/norm.py
        if fast and training:
            m = x.size // x.shape[1]
            x3, mean, var_sum = _k.channel_stats(x)    # μ and Σ (x − μ)², per channel
            mean, var_sum = mean.reshape(shape), var_sum.reshape(shape)
            inv_std = _inv_std(var_sum, m, eps, x.dtype)   # the reference's 1/σ and γ/σ
            y = _k.normalize(x3, mean.reshape(-1), _scale(inv_std, weight), bias, x.shape)   # (x − μ) · γ/σ + β
            ctx.fast, ctx.x3, ctx.mean, ctx.inv_std = True, x3, mean, inv_std   # x − μ is recomputed
            _update_running(running_mean, running_var, mean, var_sum, m, momentum)
            return y
        if training:
            m = x.size // x.shape[1]                        # elements per channel: N · H · W
            mean = channel_sum(x) / x.dtype.type(m)
            xc = x - spread(mean, x)                       # x − μ, kept for backward: x̂ = (x − μ) · 1/σ
            var_sum = channel_dot(xc, xc)                  # Σ (x − μ)²
            inv_std = _inv_std(var_sum, m, eps, x.dtype)  # normalize with the biased var
            y = _normalize(x, xc, inv_std, weight, bias, shape)   # y = (x − μ) · γ/σ + β
            ctx.xc, ctx.inv_std = xc, inv_std               # (x̂ itself is never formed: one pass saved)
            _update_running(running_mean, running_var, mean, var_sum, m, momentum)
            return y
        # eval: a fixed affine map per channel, y = x · γ/σ + (β − μ · γ/σ)
        inv_std = (1 / xp.sqrt(running_var + running_var.dtype.type(eps))).reshape(shape).astype(x.dtype)
        mean = running_mean.reshape(shape).astype(x.dtype)
        scale = inv_std if weight is None else inv_std * weight.reshape(shape)
        ctx.x, ctx.mean, ctx.inv_std, ctx.scale = x, mean, inv_std, scale
        shift = (-mean * scale) if bias is None else (bias.reshape(shape) - mean * scale)
        if fast:
            return _k.affine(x, scale, shift)              # the same map in one pass (kernels/norm.py)
        y = x * spread(scale, x)
        y += spread(shift, x)
        return y

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        weight = ctx.weight
        n_channels = grad.shape[1]
        gx = gw = gb = None
        if not ctx.training:
            if need[0]:
                gx = grad * spread(ctx.scale, grad)                           # dL/dx = γ/σ · g
            if need[1]:
                xhat = (ctx.x - ctx.mean) * ctx.inv_std
                gw = channel_dot(grad, xhat).reshape(n_channels)              # dL/dγ = Σ g · x̂
            if need[2]:
                gb = channel_sum(grad).reshape(n_channels)                    # dL/dβ = Σ g
            return gx, gw, gb, None, None, None, None, None
        if ctx.fast:                                                           # kernels/norm.py, same math
            from ..kernels import norm as _k
            x3, mean, inv_std = ctx.x3, ctx.mean, ctx.inv_std
            m = grad.dtype.type(grad.size // n_channels)
            g3, sum_g, sum_gxc = _k.grad_sums(grad, x3, mean.reshape(-1))   # Σ g, Σ g · (x − μ)
            sum_g, sum_gx = sum_g.reshape(inv_std.shape), sum_gxc.reshape(inv_std.shape) * inv_std
            if need[0]:
                gx = _k.grad_input(g3, x3, mean.reshape(-1), inv_std * sum_gx / m, sum_g / m, _scale(inv_std, weight),
                                   grad.shape)
            if need[1]:
                gw = sum_gx.reshape(n_channels)
            if need[2]:
                gb = sum_g.reshape(n_channels)
            return gx, gw, gb, None, None, None, None, None
        xc, inv_std = ctx.xc, ctx.inv_std                                      # x̂ = xc · inv_std
        m = grad.dtype.type(grad.size // n_channels)
        sum_g = channel_sum(grad)                                             # Σ g
        sum_gx = channel_dot(grad, xc) * inv_std                              # Σ g · x̂
        if need[0]:
            gx = _grad_input(grad, xc, inv_std, weight, sum_g, sum_gx, m)       # dL/dx = γ/σ · (...)
        if need[1]:
            gw = sum_gx.reshape(n_channels)                                    # dL/dγ = Σ g · x̂
        if need[2]:
            gb = sum_g.reshape(n_channels)                                     # dL/dβ = Σ g
        return gx, gw, gb, None, None, None, None, None


def _check_channel_vector(name, t, channels):
    if t is not None and t.numel() != channels:
        raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")


def _values_per_channel(shape):
    """N · (spatial size): how many values one channel's batch statistic is taken over."""
    return shape[0] * math.prod(shape[2:])


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalize each channel (dim 1) of input (N, C), (N, C, L), (N, C, H, W) or (N, C, D, H, W).

    training=True: use the batch statistics and, if running_mean/running_var are given, update them in place
    (running = (1 − momentum)·running + momentum·batch_stat, unbiased variance for running_var).
    training=False: use running_mean and running_var. ``momentum`` must be a number, as in PyTorch (the
    modules turn their ``momentum=None``, a cumulative average, into 1/num_batches_tracked).
    """
    if momentum is None:
        raise TypeError("batch_norm(): argument 'momentum' (position 7) must be float, not NoneType")
    shape = tuple(input.shape)
    if training and _values_per_channel(shape) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(f"running_{'mean' if running_mean is None else 'var'} must be defined in evaluation mode")
    channels = shape[1] if len(shape) > 1 else 1
    for name, t in (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                    ("running_var", running_var)):
        _check_channel_vector(name, t, channels)
    return BatchNorm.apply(input, weight, bias, running_mean, running_var, bool(training), float(momentum), eps)


# -- instance norm -------------------------------------------------------------------------------------------
def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalize each (sample, channel) plane of input (N, C, *) over its spatial positions.

    With ``use_input_stats`` it is group_norm with one group per channel; given running buffers are then
    updated with the per-instance statistics averaged over the batch (as PyTorch does). Without, it is
    batch_norm in eval mode with the running statistics.
    """
    shape = tuple(input.shape)
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    if math.prod(shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    if running_mean is not None or running_var is not None:
        xp = get_array_module(input._array)
        a = input._array.reshape(shape[0], shape[1], -1)
        m = a.shape[2]
        if running_mean is not None:  # running = (1 − momentum)·running + momentum · (batch mean of each instance's μ)
            mean = a.mean(axis=2).mean(axis=0)
            running_mean._array *= 1 - momentum
            running_mean._array += (momentum * mean).astype(running_mean._array.dtype)
        if running_var is not None:   # ... and of each instance's unbiased variance
            var = xp.var(a, axis=2, ddof=1).mean(axis=0)
            running_var._array *= 1 - momentum
            running_var._array += (momentum * var).astype(running_var._array.dtype)
    return group_norm(input, shape[1], weight, bias, eps)


# -- layer norm and group norm: normalization along the rows of a (R, K) view --------------------------------
def _standardize_rows(x2, eps):
    """x̂ = (x − μ)/σ along each row of a (R, K) array (biased variance); returns x̂ and 1/σ of shape (R, 1)."""
    xp = get_array_module(x2)
    k = x2.dtype.type(x2.shape[1])
    xhat = x2 - x2.sum(axis=1, keepdims=True) / k
    var = row_dot(xhat, xhat)[:, None] / k
    inv_std = 1 / xp.sqrt(var + x2.dtype.type(eps))
    xhat *= inv_std
    return xhat, inv_std


def _standardize_rows_backward(g2, xhat, inv_std):
    """dL/dx = (1/σ) · (g − mean(g) − x̂ · mean(g · x̂)) along each row (g already multiplied by γ)."""
    xp = get_array_module(g2)
    k = g2.dtype.type(g2.shape[1])
    gx = xhat * (row_dot(g2, xhat)[:, None] / k)
    gx += g2.sum(axis=1, keepdims=True) / k
    xp.subtract(g2, gx, out=gx)
    gx *= inv_std
    return gx


_LAYER_KERNEL_MIN = 4096   # layer norms of at least this many elements take kernels/layernorm.py


def _layer_fast(x2, *params):
    """Whether LayerNorm takes its kernel: NumPy float arrays (input, weight, bias) of one dtype, at least
    _LAYER_KERNEL_MIN elements."""
    return kernels.wants(x2, *(a for a in params if a is not None), min_size=_LAYER_KERNEL_MIN)


class LayerNorm(Function):
    """y = γ · (x − μ)/σ + β with μ, σ over the last k dims of x (one row per leading index); γ, β of those dims."""

    saves = (1,)

    @staticmethod
    def forward(ctx, x, weight, bias, k, eps):
        feature_shape = x.shape[x.ndim - k:]
        x2 = x.reshape(-1, math.prod(feature_shape))                  # (rows, features)
        ctx.shape, ctx.feature_shape = x.shape, feature_shape
        if _layer_fast(x2, weight, bias):                              # kernels/layernorm.py: row by row
            from ..kernels import layernorm as _k
            y, xhat, inv_std = _k.forward(np.ascontiguousarray(x2), weight, bias, eps)
            ctx.xhat, ctx.inv_std, ctx.weight = xhat, inv_std, weight
            return y.reshape(x.shape)
        xhat, inv_std = _standardize_rows(x2, eps)
        ctx.xhat, ctx.inv_std, ctx.weight = xhat, inv_std, weight
        y = xhat * weight.reshape(-1) if weight is not None else xhat.copy()
        if bias is not None:
            y += bias.reshape(-1)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        xhat, weight = ctx.xhat, ctx.weight
        g2 = grad.reshape(xhat.shape)
        gx = gw = gb = None
        if _layer_fast(g2, weight):                    # kernels/layernorm.py: one pass per row
            from ..kernels import layernorm as _k
            gx, gw, gb = _k.backward(np.ascontiguousarray(g2), xhat, ctx.inv_std, weight)
            return ((gx.reshape(ctx.shape) if need[0] else None), (gw.reshape(ctx.feature_shape) if need[1] else None),
                    (gb.reshape(ctx.feature_shape) if need[2] else None), None, None)
        if need[0]:
            gh = g2 * weight.reshape(-1) if weight is not None else g2         # dL/dx̂ = g · γ
            gx = _standardize_rows_backward(gh, xhat, ctx.inv_std).reshape(ctx.shape)
        if need[1]:
            xp = get_array_module(grad)
            gw = xp.einsum("rk,rk->k", g2, xhat).reshape(ctx.feature_shape)    # dL/dγ = Σ_rows g · x̂
        if need[2]:
            gb = g2.sum(axis=0).reshape(ctx.feature_shape)                     # dL/dβ = Σ_rows g
        return gx, gw, gb, None, None


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the last ``len(normalized_shape)`` dims of input, then scale by weight and shift by bias."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    shape = tuple(input.shape)
    k = len(normalized_shape)
    if k == 0:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           "element, but got normalized_shape = []")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(normalized_shape)}")
    if len(shape) < k or shape[len(shape) - k:] != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in normalized_shape)}], but got input of size"
                           f"{list(shape)}")
    return LayerNorm.apply(input, weight, bias, k, eps)


class GroupNorm(Function):
    """y = γ_c · (x − μ)/σ + β_c with μ, σ per sample and group of C/G channels (over those channels' positions)."""

    saves = (1,)

    @staticmethod
    def forward(ctx, x, weight, bias, groups, eps):
        n, c = x.shape[:2]
        xhat, inv_std = _standardize_rows(x.reshape(n * groups, -1), eps)   # one row per (sample, group)
        xhat = xhat.reshape(n, c, -1)                                     # (N, C, positions)
        ctx.xhat, ctx.inv_std, ctx.weight, ctx.shape, ctx.groups = xhat, inv_std, weight, x.shape, groups
        y = xhat * weight.reshape(c, 1) if weight is not None else xhat.copy()
        if bias is not None:
            y += bias.reshape(c, 1)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        xhat, weight = ctx.xhat, ctx.weight
        n, c = xhat.shape[:2]
        g3 = grad.reshape(xhat.shape)
        gx = gw = gb = None
        if need[0]:
            gh = g3 * weight.reshape(c, 1) if weight is not None else g3      # dL/dx̂ = g · γ_c
            gx = _standardize_rows_backward(gh.reshape(n * ctx.groups, -1), xhat.reshape(n * ctx.groups, -1),
                                            ctx.inv_std).reshape(ctx.shape)
        if need[1]:
            gw = channel_dot(g3, xhat).reshape(c)                            # dL/dγ_c = Σ_{n,l} g · x̂
        if need[2]:
            gb = channel_sum(g3).reshape(c)                                  # dL/dβ_c = Σ_{n,l} g
        return gx, gw, gb, None, None


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize input (N, C, *) per sample over groups of C/num_groups channels, then scale and shift per channel."""
    shape = tuple(input.shape)
    if len(shape) < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {len(shape)}")
    n, c = shape[:2]
    if (n * c // num_groups) * math.prod(shape[2:]) == 1:  # PyTorch's check, verbatim in effect
        raise ValueError("Expected more than 1 value per channel when training, got input size "
                         f"{[n * c // num_groups, num_groups] + list(shape[2:])}")
    if c % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(t.shape)} and input of shape {list(shape)}")
    return GroupNorm.apply(input, weight, bias, num_groups, eps)


# -- RMS norm ----------------------------------------------------------------------------------------------
class RMSNorm(Function):
    """y = γ · x / rms(x), rms(x) = √(mean(x²) + ε) over the last k dims (no centering, no β)."""

    saves = (1,)

    @staticmethod
    def forward(ctx, x, weight, k, eps):
        xp = get_array_module(x)
        x2 = x.reshape(-1, math.prod(x.shape[x.ndim - k:]))
        ms = row_dot(x2, x2)[:, None] / x.dtype.type(x2.shape[1])
        inv_rms = 1 / xp.sqrt(ms + x.dtype.type(eps))
        xhat = x2 * inv_rms                                           # x̂ = x / rms
        ctx.xhat, ctx.inv_rms, ctx.weight, ctx.shape = xhat, inv_rms, weight, x.shape
        y = xhat * weight.reshape(-1) if weight is not None else xhat.copy()
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        need = ctx.needs_input_grad
        xhat, weight = ctx.xhat, ctx.weight
        g2 = grad.reshape(xhat.shape)
        gx = gw = None
        if need[0]:
            gh = g2 * weight.reshape(-1) if weight is not None else g2       # dL/dx̂ = g · γ
            k = grad.dtype.type(xhat.shape[1])
            gx = xhat * (row_dot(gh, xhat)[:, None] / k)
            xp.subtract(gh, gx, out=gx)
            gx *= ctx.inv_rms                                                 # dL/dx = (gh − x̂ · mean(gh · x̂)) / rms
            gx = gx.reshape(ctx.shape)
        if need[1]:
            gw = xp.einsum("rk,rk->k", g2, xhat).reshape(weight.shape)        # dL/dγ = Σ_rows g · x̂
        return gx, gw, None, None


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / √(mean(x²) + eps) over the last dims, times weight; eps=None means the dtype's machine epsilon."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(int(s) for s in normalized_shape)
    shape = tuple(input.shape)
    k = len(normalized_shape)
    if weight is not None and tuple(weight.shape) != normalized_shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{list(weight.shape)} and normalized_shape = {list(normalized_shape)}")
    if len(shape) < k or shape[len(shape) - k:] != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*{', '.join(str(s) for s in normalized_shape)}], but got input of size{list(shape)}")
    if eps is None:
        eps = float(get_array_module(input._array).finfo(input._array.dtype).eps)
    return RMSNorm.apply(input, weight, k, eps)


# -- local response norm -----------------------------------------------------------------------------------
def _window_sum(a, before, after):
    """s_c = Σ a_j for j in [c − before, c + after] along axis 1 (zero outside), by a cumulative sum."""
    xp = get_array_module(a)
    c = a.shape[1]
    padded = xp.zeros((a.shape[0], c + 1) + a.shape[2:], dtype=a.dtype)
    xp.cumsum(a, axis=1, out=padded[:, 1:])                       # padded[:, j] = Σ_{i<j} a_i
    hi = xp.minimum(xp.arange(c) + after + 1, c)
    lo = xp.maximum(xp.arange(c) - before, 0)
    return padded[:, hi] - padded[:, lo]


class LocalResponseNorm(Function):
    """y_c = x_c / d_c^β,  d_c = k + α/size · Σ x_j² over the channels j in c's window (size of them)."""

    saves = (0,)

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        d = _window_sum(x * x, size // 2, (size - 1) // 2)
        d *= x.dtype.type(alpha / size)
        d += x.dtype.type(k)
        ctx.x, ctx.d, ctx.size, ctx.alpha, ctx.beta = x, d, size, alpha, beta
        return x * d ** -x.dtype.type(beta)

    @staticmethod
    def backward(ctx, grad):
        x, d, size, beta = ctx.x, ctx.d, ctx.size, ctx.beta
        # dL/dx_j = g_j · d_j^−β − 2αβ/size · x_j · Σ_{c: j in window(c)} g_c · x_c · d_c^(−β−1)
        t = grad * x * d ** x.dtype.type(-beta - 1)
        back = _window_sum(t, (size - 1) // 2, size // 2)  # the transposed window: c from j − after to j + before
        gx = grad * d ** x.dtype.type(-beta) - x.dtype.type(2 * ctx.alpha * beta / size) * x * back
        return gx, None, None, None, None


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalize each value by the sum of squares over ``size`` neighbouring channels (AlexNet's LRN)."""
    if input.dim() < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {input.dim()} "
                         "dimensions)")
    if input.numel() == 0:
        return input
    return LocalResponseNorm.apply(input, int(size), float(alpha), float(beta), float(k))


# -- normalize ---------------------------------------------------------------------------------------------
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(‖input‖_p, eps) along ``dim`` (composed of norm, clamp_min and division)."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result
