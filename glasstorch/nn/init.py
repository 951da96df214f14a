"""Weight initialization: fill a tensor in place with values of a chosen distribution.

The schemes keep the variance of activations roughly constant from layer to layer:

- Xavier/Glorot (tanh, sigmoid):  std = gain · √(2 / (fan_in + fan_out))
- Kaiming/He (ReLU family):       std = gain / √fan          (fan = fan_in or fan_out)
- LeCun (SELU; glasstorch addition, not in torch.nn.init): std = 1 / √fan_in

where fan_in = inputs per output unit (``size(1)`` × receptive field) and fan_out = ``size(0)`` × receptive
field. A uniform U(−b, b) has std b/√3, so each uniform variant uses b = √3 · std.

Every function writes under ``no_grad`` (so it works on Parameters), accepts ``generator=`` and returns the
tensor, as in PyTorch. The draws are PyTorch's: after the same ``manual_seed`` a layer starts from the same
weights (bounds computed with PyTorch's exact float expressions; ``uniform_``/``normal_`` of the tensor).
"""
import math
import warnings

import numpy as np

from .. import random as _random
from ..autograd.grad_mode import no_grad
from ..ops.inplace import set_values_

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
           "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
           "sparse_", "lecun_uniform_", "lecun_normal_",
           "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal", "kaiming_uniform",
           "kaiming_normal", "orthogonal", "sparse"]

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity, param=None):
    """The factor by which to scale the std for a given nonlinearity (PyTorch's table):
    linear/conv/sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2 / (1 + slope²)), selu 3/4."""
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fill(tensor, values):
    """Write values (an array or number) into tensor, allowed on Parameters because of no_grad."""
    with no_grad():
        set_values_(tensor, values)
    return tensor


def _shape_dtype(tensor):
    return tensor._array.shape, tensor._array.dtype


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """U(a, b)"""
    shape, dtype = _shape_dtype(tensor)
    return _fill(tensor, _random.uniform_array(shape, a, b, dtype, generator))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """N(mean, std²)"""
    shape, dtype = _shape_dtype(tensor)
    return _fill(tensor, _random.normal_array(shape, mean, std, dtype, generator, contiguous=tensor.is_contiguous()))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """N(mean, std²) restricted to [a, b] (a and b are values, not multiples of std), drawn as PyTorch 2.13:

    - when [a, b] holds more than 30% of the mass: normal_ the tensor, then while any value lies outside
      [a, b], draw a whole fresh tensor of normals and take its values where the old ones were outside;
    - otherwise: uniform candidates on [a, b], each accepted when log(u) <= its log density minus the
      peak's (u a fresh uniform); rejected ones are redrawn (both tensors whole) until all are accepted."""
    def norm_cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    shape, dtype = _shape_dtype(tensor)
    contiguous = tensor.is_contiguous()
    p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)
    if p > 0.3:
        lo, hi = float(dtype.type(a)), float(dtype.type(b))  # the bounds as the tensor's dtype holds them
        result = _random.normal_array(shape, mean, std, dtype, generator, contiguous=contiguous)
        while True:
            outside = (result < lo) | (result > hi)
            if not outside.any():
                break
            fresh = _random.normal_array(shape, mean, std, dtype, generator)  # empty_like(result).normal_
            result = np.where(outside, fresh, result)
        return _fill(tensor, result)
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2
    t = dtype.type

    def log_pdf(x):  # candidates.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(log_peak), each in dtype
        z = (x - t(mean)) / t(std)
        return z * z * t(-0.5) - t(log_peak)

    result = _random.uniform_array(shape, a, b, dtype, generator)
    pending = np.log(_random.uniform_array(shape, 0.0, 1.0, dtype, generator)) > log_pdf(result)
    while pending.any():
        candidates = _random.uniform_array(shape, a, b, dtype, generator)
        result = np.where(pending, candidates, result)
        accept = np.log(_random.uniform_array(shape, 0.0, 1.0, dtype, generator)) > log_pdf(candidates)
        pending = np.where(pending, accept, pending)
    return _fill(tensor, result)


def constant_(tensor, val):
    return _fill(tensor, val)


def ones_(tensor):
    return _fill(tensor, 1)


def zeros_(tensor):
    return _fill(tensor, 0)


def eye_(tensor):
    """The identity matrix (2-D tensors only)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor._array.shape, dtype=tensor._array.dtype))


def dirac_(tensor, groups=1):
    """The Dirac delta for convolution weights (3-, 4- or 5-D): each output channel copies one input channel."""
    dims = tensor.ndim
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    shape = tensor._array.shape
    if shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = shape[0] // groups
    n = min(per_group, shape[1])
    values = np.zeros(shape, dtype=tensor._array.dtype)
    out_ch = (np.arange(groups)[:, None] * per_group + np.arange(n)).ravel()
    in_ch = np.tile(np.arange(n), groups)
    centre = tuple(s // 2 for s in shape[2:])
    values[(out_ch, in_ch) + centre] = 1
    return _fill(tensor, values)


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) = (size(1) · receptive field, size(0) · receptive field)."""
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    shape = tensor._array.shape
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """U(−b, b), b = gain · √(6 / (fan_in + fan_out))"""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # PyTorch's expression, so the bound rounds as PyTorch's
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """N(0, std²), std = gain · √(2 / (fan_in + fan_out))"""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _empty_no_op(tensor):
    if 0 in tensor._array.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """U(−b, b), b = gain · √(3 / fan), gain = calculate_gain(nonlinearity, a)"""
    if _empty_no_op(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std  # PyTorch's expression, so the bound rounds as PyTorch's
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """N(0, std²), std = gain / √fan, gain = calculate_gain(nonlinearity, a)"""
    if _empty_no_op(tensor):
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)


def lecun_uniform_(tensor, generator=None):
    """U(−b, b), b = √(3 / fan_in): std 1/√fan_in (glasstorch addition; PyTorch has no LeCun init)."""
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0 / fan_in)
    return uniform_(tensor, -bound, bound, generator)


def lecun_normal_(tensor, generator=None):
    """N(0, 1/fan_in) (glasstorch addition; the self-normalizing init for SELU networks)."""
    fan_in, _ = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, 1.0 / math.sqrt(fan_in), generator)


def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix from the QR decomposition of a normal matrix, times gain.

    The tensor is viewed as (size(0), rest); its rows (or columns, whichever are fewer) are orthonormal.
    """
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    shape = tensor._array.shape
    rows, cols = shape[0], tensor.numel() // shape[0]
    flat = _random.normal_array((rows, cols), 0.0, 1.0, tensor._array.dtype, generator)  # new_empty(...).normal_
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))  # makes the decomposition unique, so q is uniformly distributed
    if rows < cols:
        q = q.T
    return _fill(tensor, (q.reshape(shape) * tensor._array.dtype.type(gain)))


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """N(0, std²) with a fraction ``sparsity`` of each column set to zero (2-D tensors only)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor._array.shape
    num_zeros = int(math.ceil(sparsity * rows))
    values = _random.normal_array((rows, cols), 0.0, std, tensor._array.dtype, generator)
    # as PyTorch: for each column in turn, torch.randperm(rows) from the default generator (not ``generator``);
    # its first num_zeros rows are zeroed
    for col in range(cols):
        values[_random.permutation_array(rows)[:num_zeros], col] = 0
    return _fill(tensor, values)


def _make_deprecate(meth):
    """The old name without the trailing underscore (``nn.init.uniform``): warns, then calls the new one."""
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.", FutureWarning,
                      stacklevel=2)
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = f"{old_name}(...): deprecated, use nn.init.{new_name}."
    deprecated_init.__name__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)

from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
