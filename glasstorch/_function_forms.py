"""Tensor methods PyTorch also offers as torch-level functions: ``torch.detach(x)``, ``torch.fill(x, v)`` ...

Each is the method, called on its first argument; and a few torch-level facts about this build.
"""
from .tensor import Tensor
from ._storage import UntypedStorage  # noqa: F401  (torch.UntypedStorage: what x.untyped_storage() returns)


def detach(input):
    return input.detach()


def detach_(input):
    return input.detach_()


def fill(input, value):
    """A new tensor of input's shape and dtype, every element ``value`` (differentiable w.r.t. a tensor value)."""
    return input.clone().fill_(value) if not isinstance(value, Tensor) else value.expand(input.shape).clone() \
        .to(input.dtype)


def as_strided_(input, size, stride, storage_offset=None):
    return input.as_strided_(size, stride, storage_offset)


def index_put_(input, indices, values, accumulate=False):
    return input.index_put_(indices, values, accumulate)


def resize_as_(input, the_template, *, memory_format=None):
    return input.resize_as_(the_template)


class OutOfMemoryError(RuntimeError):
    """torch.OutOfMemoryError (torch.cuda.OutOfMemoryError): raised when a device runs out of memory."""


# what this build has, as torch reports it: LAPACK through NumPy; no MKL, OpenMP or FFT kernels of its own
has_lapack = True
has_mkl = False
has_openmp = False
has_spectral = False

__all__ = ["detach", "detach_", "fill", "as_strided_", "index_put_", "resize_as_", "OutOfMemoryError",
           "UntypedStorage", "has_lapack", "has_mkl", "has_openmp", "has_spectral"]
