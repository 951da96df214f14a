"""Gradient clipping: keep one bad batch from throwing the weights far away (``torch.nn.utils``).

- ``clip_grad_norm_``: treat all the gradients as one long vector g; if its norm ‖g‖ is above max_norm,
  scale every gradient by the same factor so that the norm becomes max_norm. The direction is kept:

      total = ‖(‖g_1‖, ‖g_2‖, ...)‖          the norm of the per-tensor norms = the norm of everything
      coef  = min(max_norm / (total + 1e-6), 1)
      g_i  ← coef · g_i

- ``clip_grad_value_``: clamp every gradient element into [-clip_value, clip_value] (changes direction).

Call them between ``loss.backward()`` and ``optimizer.step()``. They change ``p.grad`` in place and
record nothing for autograd. ``foreach`` is accepted and ignored (one NumPy implementation).
"""
import math

import numpy as np

from ...autograd.function import wrap
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _as_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _vector_norm(a, norm_type):
    """The p-norm of all the elements of array a: (Σ|a|^p)^(1/p); max|a| for inf, min|a| for -inf, and
    the count of non-zeros for p = 0 (as ``torch.linalg.vector_norm``)."""
    magnitudes = np.abs(a)
    if norm_type == math.inf:
        return magnitudes.max()
    if norm_type == -math.inf:
        return magnitudes.min()
    if norm_type == 0:
        return np.asarray(np.count_nonzero(a), dtype=a.dtype)
    if norm_type == 2:
        return np.sqrt(np.sum(magnitudes * magnitudes))
    return np.sum(magnitudes ** norm_type) ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of all the given tensors seen as one vector: the norm of their norms (a 0-d tensor)."""
    arrays = [t._array for t in _as_list(tensors)]
    norm_type = float(norm_type)
    if len(arrays) == 0:
        return wrap(np.asarray(0.0, dtype=np.float32))
    dtype = np.result_type(*arrays)
    norms = np.array([_vector_norm(a, norm_type) for a in arrays], dtype=dtype)
    total = np.asarray(_vector_norm(norms, norm_type), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return wrap(total)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the parameters' gradients by min(max_norm / (total_norm + 1e-6), 1)."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if len(grads) == 0:
        return
    total = total_norm._array if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    clip_coef = max_norm / (total + 1e-6)     # 1e-6 keeps it finite when every gradient is 0
    clip_coef = np.minimum(clip_coef, 1.0)    # only ever shrink (PyTorch multiplies by 1 when not clipping)
    with np.errstate(invalid="ignore"):       # an infinite norm gives coef 0, and inf·0 = NaN, silently as in PyTorch
        for g in grads:
            g._array *= clip_coef
            g._version += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale the gradients so that their total norm is at most ``max_norm``; returns the total norm
    computed before clipping (a 0-d tensor), as ``torch.nn.utils.clip_grad_norm_``."""
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            np.clip(p.grad._array, -clip_value, clip_value, out=p.grad._array)
            p.grad._version += 1


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The deprecated name of ``clip_grad_norm_`` (it warns, then does the same)."""
    import warnings
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)
