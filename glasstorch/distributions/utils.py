"""Helpers shared by the distributions (torch.distributions.utils): broadcasting parameters, probs <-> logits."""
import numpy as np

import glasstorch as torch
from ..tensor import Tensor

euler_constant = 0.57721566490153286060  # Euler–Mascheroni constant

__all__ = ["broadcast_all", "logits_to_probs", "clamp_probs", "probs_to_logits", "lazy_property",
           "tril_matrix_to_vec", "vec_to_tril_matrix"]


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) or isinstance(v, (bool, np.number))


def broadcast_all(*values):
    """Broadcast tensors and numbers together; numbers become tensors of the first tensor's dtype
    (the default dtype when all are numbers), as PyTorch."""
    if not all(isinstance(v, Tensor) or _is_number(v) for v in values):
        raise ValueError("Input arguments must all be instances of Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        dtype = torch.get_default_dtype()
        for v in values:
            if isinstance(v, Tensor):
                dtype = v.dtype
                break
        values = [v if isinstance(v, Tensor) else torch.tensor(float(v) if dtype.is_floating_point else v,
                                                                dtype=dtype) for v in values]
    return torch.broadcast_tensors(*values)


def _standard_normal(shape, dtype):
    """N(0, 1) draws from glasstorch's default generator (not the numbers PyTorch draws for a seed)."""
    return torch.randn(tuple(shape), dtype=dtype)


def _sum_rightmost(value, dim):
    """Sum out the ``dim`` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.dim() - dim]) + (-1,)).sum(-1)


def _finfo(dtype):
    return np.finfo(dtype.numpy_dtype)


def logits_to_probs(logits, is_binary=False):
    """Log-odds -> probability (sigmoid) when binary, else unnormalized log-probabilities -> softmax(-1)."""
    if is_binary:
        return torch.sigmoid(logits)
    return torch.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Clamp to [eps, 1 − eps] with eps the dtype's machine epsilon."""
    eps = float(_finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Probability -> log-odds when binary, else -> log-probabilities (after clamping)."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return torch.log(ps_clamped) - torch.log1p(-ps_clamped)
    return torch.log(ps_clamped)


class lazy_property:
    """A property computed on first access and then stored on the instance (PyTorch's lazy_property):
    ``Bernoulli(probs=p).logits`` is made from probs the first time it is read."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with torch.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


def _tril_mask(n, diag):
    arange = np.arange(n)
    return arange[None, :] < arange[:, None] + (diag + 1)


def tril_matrix_to_vec(mat, diag=0):
    """The lower-triangular entries of a (batch of) D x D matrix, in row order."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    rows, cols = np.nonzero(_tril_mask(n, diag))
    return mat[..., torch.tensor(rows), torch.tensor(cols)]


def vec_to_tril_matrix(vec, diag=0):
    """The inverse of tril_matrix_to_vec: a (batch of) D x D lower-triangular matrix."""
    m = vec.shape[-1]
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * m + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > float(_finfo(vec.dtype).eps):
        raise ValueError(f"The size of last dimension is {m} which cannot be expressed as "
                         "the lower triangular part of a square D x D matrix.")
    n = round(n)
    rows, cols = np.nonzero(_tril_mask(n, diag))
    flat = torch.zeros(tuple(vec.shape[:-1]) + (n * n,), dtype=vec.dtype)
    index = torch.tensor(rows * n + cols).expand(tuple(vec.shape[:-1]) + (m,))
    return flat.scatter(-1, index, vec).reshape(tuple(vec.shape[:-1]) + (n, n))
