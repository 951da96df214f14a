"""glasstorch: deep learning from scratch on NumPy, with PyTorch's API. ``import glasstorch as torch``.

Where to look:
- ``tensor.py``: the Tensor class (its methods are one-line calls into ``ops``);
- ``ops/``: every op as a Function, forward and backward side by side;
- ``autograd/``: the Function base class, the backward engine, no_grad, gradcheck.
"""
__version__ = "0.1.0"

from . import _dtype
from ._dtype import (float16, bfloat16, float32, float64, uint8, int8, int16, int32, int64, uint16, uint32, uint64,
                     dtype, get_default_dtype, set_default_dtype, promote_types, result_type)
from ._size import Size
from ._device import device
from .tensor import Tensor
from . import autograd, cuda, accelerator, backend
from .autograd import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled
from .random import Generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state, default_generator
from .creation import *  # noqa: F401,F403  (the module's __all__)
from .ops.elementwise import *  # noqa: F401,F403  (the module's __all__)
from .ops.reduce import *  # noqa: F401,F403  (the module's __all__)
from .ops.softmax import *  # noqa: F401,F403  (the module's __all__)
from .ops.matmul import *  # noqa: F401,F403  (the module's __all__)
from .ops.views import *  # noqa: F401,F403  (the module's __all__)
from .ops.shape import *  # noqa: F401,F403  (the module's __all__)
from .ops.index import *  # noqa: F401,F403  (the module's __all__)
from .ops.math import *  # noqa: F401,F403  (the module's __all__)
from .ops.stats import *  # noqa: F401,F403  (the module's __all__)
from .ops.linalg import *  # noqa: F401,F403  (the module's __all__)
from .settings import *  # noqa: F401,F403  (the module's __all__)
from ._function_forms import *  # noqa: F401,F403  (torch.detach(x), torch.fill(x, v) ...: methods as functions)

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
from . import linalg, special, distributions, distributed  # noqa: E402  (distributed: no MPI until init_process_group)
from .nn._torch_level import *  # noqa: E402,F401,F403  (torch.conv2d, torch.dropout ... with ATen's signatures)
from ._eager import *  # noqa: E402,F401,F403  (compile, vmap, cond, while_loop: run eagerly)

# constants, as in PyTorch
import math as _math  # noqa: E402
e, pi, inf, nan = _math.e, _math.pi, _math.inf, _math.nan
newaxis = None
from .ops.activation import heaviside  # noqa: E402  (torch.heaviside; also F.step for the perceptron)

from . import amp, cpu  # noqa: E402  (torch.amp, torch.cpu.amp: mixed precision)
from .amp import autocast, GradScaler  # noqa: E402
from .amp.autocast_mode import (is_autocast_enabled, set_autocast_enabled, get_autocast_dtype,  # noqa: E402
                                set_autocast_dtype, is_autocast_cache_enabled, set_autocast_cache_enabled,
                                autocast_increment_nesting, autocast_decrement_nesting, clear_autocast_cache,
                                is_autocast_cpu_enabled, set_autocast_cpu_enabled, get_autocast_cpu_dtype,
                                set_autocast_cpu_dtype, get_autocast_gpu_dtype, set_autocast_gpu_dtype)
from . import multiprocessing  # noqa: E402  (torch.multiprocessing: tensors shared between processes)

from . import backends, jit, func, functional  # noqa: E402  (torch.backends flags, torch.jit run eagerly, torch.func)
from . import onnx  # noqa: E402,F401  (torch.onnx.export: ONNX graphs traced from one forward pass)

from ._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # a PyTorch name glasstorch lacks: 'glasstorch has no torch.compile'

