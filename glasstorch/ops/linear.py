"""The linear layer as one fused op: y = x Wᵀ + b (and the optional bilinear y_k = x1ᵀ W_k x2 + b_k).

``linear`` is the hot path of every MLP, so it is a single Function rather than matmul + transpose + add:
the input's leading dims are folded into rows (a view, no copy), the product is one BLAS call with Wᵀ as a
transposed view, and the bias is added in place into the fresh result. Backward, with G = dL/dy as rows:

    dL/dx = G W,    dL/dW = Gᵀ x,    dL/db = Σ_rows G

Deviation from PyTorch's graph: its node is ``LinearBackward0`` with next_functions (x, weight, bias), where
PyTorch records ``AddmmBackward0`` with (bias, x, ``TBackward0`` of weight) for 2-D input (and views around
it for more dims). Written out by hand, ``torch.addmm(b, x, w.t())`` gives PyTorch's nodes here too.
"""
import math

import numpy as np

from .. import kernels
from ..autograd.function import Function, unbroadcast
from ..backend import get_array_module
from ..tensor import Tensor
from .matmul import _cpp, _scalar

__all__ = ["linear", "bilinear"]


# the fast path for the bias gradient (kernels switch on, NumPy float arrays of at least this many elements):
# NumPy's sum over the rows of G (rows, out) walks the rows with a pairwise sum per column, several times slower
# than one matrix-vector product 1ᵀ G (3136 x 192, the tiny ViT's projection: 0.12 ms -> 0.035 ms). The two
# add in different orders: they agree to rounding (float32: about 1e-6 relative), not bit for bit.
_COLUMN_SUM_MIN = 4096


def _ones(g):
    """A vector of ones, one per row of g."""
    return np.ones(g.shape[0], g.dtype)


def _rows(a):
    """a (..., k) as a matrix (rows, k): the leading dims folded into the rows (a view when possible)."""
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


class Linear(Function):
    """y = x Wᵀ + b, for x (..., in), W (out, in), b (out,) or None."""

    saves = (0, 1)
    saved_for = {0: 1, 1: 0}  # each factor is read only for the other's gradient

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.x, ctx.w, ctx.b_shape = x, w, (None if b is None else b.shape)
        if x.ndim == 2:
            y = x @ w.T
        else:  # (..., in): one (rows, in) @ (in, out) product
            y = (_rows(x) @ w.T).reshape(x.shape[:-1] + w.shape[:1])
        if b is not None:
            y += b
        return y.astype(x.dtype, copy=False)  # NumPy multiplies bfloat16 in float32: round back, as PyTorch

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.x, ctx.w
        g = _rows(grad) if grad.ndim != 2 else grad
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            gx = (g @ w).reshape(x.shape)            # dL/dx = G W
        if ctx.needs_input_grad[1]:
            gw = g.T @ (_rows(x) if x.ndim != 2 else x)  # dL/dW = Gᵀ x   (summed over every row)
        if ctx.needs_input_grad[2]:
            if ctx.b_shape == w.shape[:1] and kernels.wants(g, min_size=_COLUMN_SUM_MIN):
                gb = _ones(g) @ g                  # dL/db = 1ᵀ G: the column sums as one BLAS product
            else:
                gb = unbroadcast(grad, ctx.b_shape)      # dL/db = Σ_rows G
        return gx, gw, gb


def _check_linear(x, w, b):
    """PyTorch's argument checks, with its messages (mat1 is x as rows, mat2 is Wᵀ)."""
    if x.ndim == 0 or w.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and {w.ndim}D")
    if w.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {w.ndim}D")
    if x.shape[-1] != w.shape[-1]:
        rows = math.prod(x.shape[:-1])
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} and "
                           f"{w.shape[-1]}x{w.shape[0] if w.ndim == 2 else 1})")
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_cpp(x)} != {_cpp(w)}")
    if b is not None:
        if b.dtype != w.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {_scalar(b)} and {_scalar(w)}")
        out = x.shape[:-1] + (w.shape[:1] if w.ndim == 2 else ())
        if not _fits(b.shape, out):
            raise RuntimeError(_expand_message(b.shape, out))


def _expand_message(shape, target):
    """PyTorch's message when the bias cannot be expanded to the output's shape."""
    if len(shape) > len(target):
        return (f"the number of sizes provided ({len(target)}) must be greater or equal to the number of "
                f"dimensions in the tensor ({len(shape)})")
    n = len(target) - len(shape)
    dim = next(i for i, s in enumerate(shape) if s not in (1, target[n + i]))
    return (f"The expanded size of the tensor ({target[n + dim]}) must match the existing size ({shape[dim]}) at "
            f"non-singleton dimension {n + dim}.  Target sizes: {list(target)}.  Tensor sizes: {list(shape)}")


def _fits(shape, target):
    """Whether ``shape`` broadcasts to exactly ``target``."""
    return len(shape) <= len(target) and all(s in (1, t) for s, t in zip(shape[::-1], target[::-1]))


def linear(input, weight, bias=None):
    """y = input Weightᵀ + bias for input (*, in_features), weight (out_features, in_features)."""
    b = bias._array if isinstance(bias, Tensor) else bias
    _check_linear(input._array, weight._array, b)
    if weight._array.ndim == 1:  # a vector of weights: y = x · w (+ b), shape (*)
        from .matmul import matmul
        y = matmul(input, weight)
        return y if bias is None else y + bias
    return Linear.apply(input, weight, bias)


class Bilinear(Function):
    """y_k = Σ_ij x1_i W_kij x2_j + b_k, for x1 (N, in1), x2 (N, in2), W (out, in1, in2)."""

    saves = (0, 1, 2)

    @staticmethod
    def forward(ctx, x1, x2, w, b):
        xp = get_array_module(x1, x2, w)
        ctx.x1, ctx.x2, ctx.w = x1, x2, w
        y = xp.einsum("ni,kij,nj->nk", x1, w, x2, optimize=True)
        if b is not None:
            y += b
        return y

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        x1, x2, w = ctx.x1, ctx.x2, ctx.w
        need = ctx.needs_input_grad
        g1 = xp.einsum("nk,kij,nj->ni", grad, w, x2, optimize=True) if need[0] else None  # dL/dx1 = Σ_k g_k W_k x2
        g2 = xp.einsum("nk,kij,ni->nj", grad, w, x1, optimize=True) if need[1] else None  # dL/dx2 = Σ_k g_k W_kᵀ x1
        gw = xp.einsum("nk,ni,nj->kij", grad, x1, x2, optimize=True) if need[2] else None  # dL/dW_k = Σ_n g_k x1 x2ᵀ
        gb = grad.sum(axis=0) if need[3] else None  # dL/db = Σ_n g
        return g1, g2, gw, gb


def bilinear(input1, input2, weight, bias=None):
    """y = x1ᵀ W x2 + b over the last dims; inputs (*, in1) and (*, in2) with the same leading dims."""
    a1, a2 = input1._array, input2._array
    if a1.shape[:-1] != a2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(a1.shape[:-1])} and "
                           f"{list(a2.shape[:-1])}")
    w = weight._array
    if a1.shape[-1] != w.shape[1] or a2.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear(): input sizes {a1.shape[-1]} and {a2.shape[-1]} do not match weight size "
                           f"{list(w.shape)}")
    lead = a1.shape[:-1]
    x1 = input1.reshape(-1, a1.shape[-1])
    x2 = input2.reshape(-1, a2.shape[-1])
    return Bilinear.apply(x1, x2, weight, bias).reshape(*lead, w.shape[0])
