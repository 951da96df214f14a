"""glasstorch: deep learning from scratch on NumPy, with PyTorch's API. ``import glasstorch as torch``.

Where to look:
- ``tensor.py``: the Tensor class (its methods are one-line calls into ``ops``);
- ``ops/``: every op as a Function, forward and backward side by side;
- ``autograd/``: the Function base class, the backward engine, no_grad, gradcheck.
"""
__version__ = "0.1.0"

from . import _dtype
from ._dtype import (float16, float32, float64, uint8, int8, int16, int32, int64, dtype, get_default_dtype,
                     set_default_dtype, promote_types, result_type)
from ._size import Size
from ._device import device
from .tensor import Tensor
from . import autograd, cuda, accelerator, backend
from .autograd import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled
from .random import Generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state, default_generator
from .creation import (tensor, as_tensor, asarray, from_numpy, zeros, ones, empty, full, zeros_like, ones_like,
                       empty_like, full_like, rand_like, randn_like, randint_like, arange, linspace, logspace, eye,
                       rand, randn, randint, randperm, normal, bernoulli, multinomial)
from .ops.elementwise import (add, sub, subtract, mul, multiply, div, divide, true_divide, floor_divide, remainder,
                              pow, neg, negative, abs, absolute, exp, expm1, log, log2, log10, log1p, sqrt, rsqrt,
                              square, reciprocal, sin, cos, tan, tanh, sigmoid, relu, erf, sign, floor, ceil, round,
                              trunc, clamp, clip, clamp_min, clamp_max, maximum, minimum, fmax, fmin, where, lerp,
                              eq, ne, lt, le, gt, ge, greater, greater_equal, less, less_equal, not_equal,
                              logical_and, logical_or, logical_xor, logical_not, bitwise_and, bitwise_or,
                              bitwise_xor, bitwise_not, isnan, isinf, isfinite, clone)
from .ops.reduce import (sum, mean, prod, max, min, amax, amin, argmax, argmin, var, std, var_mean, std_mean,
                         logsumexp, norm, cumsum, cumprod, all, any, count_nonzero, bincount)
from .ops.softmax import softmax, log_softmax
from .ops.matmul import matmul, mm, bmm, mv, dot, outer, einsum
from .ops.views import select, diagonal, as_strided
from .ops.shape import (reshape, flatten, unflatten, squeeze, unsqueeze, permute, transpose, t, movedim, tile,
                        split, chunk, unbind, flip, roll, narrow, cat, stack, broadcast_tensors, meshgrid)
from .ops.index import (gather, scatter, scatter_add, index_select, masked_fill, masked_select, take, topk, sort,
                        argsort, tril, triu, nonzero, unique)

# PyTorch's short names for dtypes (defined last: they shadow Python builtins inside this module)
float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
bool = _dtype.bool_

concat = concatenate = cat
swapaxes = swapdims = transpose
moveaxis = movedim


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def numel(input):
    return input.numel()


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return input.allclose(other, rtol=rtol, atol=atol, equal_nan=equal_nan)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return input.isclose(other, rtol=rtol, atol=atol, equal_nan=equal_nan)


def equal(input, other):
    return input.equal(other)


def broadcast_to(input, size):
    return input.broadcast_to(size)


def broadcast_shapes(*shapes):
    import numpy
    return Size(numpy.broadcast_shapes(*shapes))


from .serialization import save, load  # noqa: E402
from . import nn, optim, utils, datasets  # noqa: E402
from .ops.activation import heaviside  # noqa: E402  (torch.heaviside; also F.step for the perceptron)


from ._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # a PyTorch name glasstorch lacks: 'glasstorch has no torch.compile'

