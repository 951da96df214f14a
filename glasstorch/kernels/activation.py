"""ReLU forward and backward as one pass each, split between the threads.

Reproduces glasstorch/ops/elementwise.py's ``Relu``: forward y = np.maximum(x, 0) (NaN stays NaN, as in
PyTorch), backward dL/dx = dL/dy · [y > 0]. The reference makes two passes in backward (the mask y > 0 as a
boolean array, then the product) and one in forward, each on one core; here each is one loop over the
elements on both cores. Values equal the reference's bit for bit (a comparison and a select, no arithmetic),
except the sign of a zero output in forward: max(-0, 0) may give either zero in NumPy, this gives +0.
"""
import numba
import numpy as np

from .threads import parallel_for

_jit = numba.njit(nogil=True, cache=True, error_model="numpy")

# elements per thread below which one thread does the whole pass
CHUNK_MIN = 1 << 17


@_jit
def _relu_rows(start, stop, x, y, zero):
    x, y = x[start:stop], y[start:stop]
    for i in range(x.size):
        v = x[i]
        y[i] = v if (v > zero or v != v) else zero        # max(x, 0), NaN propagates


@_jit
def _relu_grad_rows(start, stop, grad, y, gx, zero, one):
    grad, y, gx = grad[start:stop], y[start:stop], gx[start:stop]
    for i in range(y.size):
        gx[i] = grad[i] * (one if y[i] > zero else zero)   # dL/dy · [y > 0], the reference's own product


def relu(x):
    """max(x, 0) of a C-contiguous float array, as a new array."""
    y = np.empty_like(x)
    parallel_for(_relu_rows, x.size, x.reshape(-1), y.reshape(-1), x.dtype.type(0), min_rows=CHUNK_MIN)
    return y


def relu_backward(grad, y):
    """dL/dx = dL/dy · [y > 0] for C-contiguous arrays of one shape."""
    gx = np.empty_like(y)
    parallel_for(_relu_grad_rows, y.size, grad.reshape(-1), y.reshape(-1), gx.reshape(-1), y.dtype.type(0), y.dtype.type(1), min_rows=CHUNK_MIN)
    return gx
