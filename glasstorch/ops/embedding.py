"""Embedding: a lookup table. Row i of the weight (V, D) is the vector of token i.

Forward is a gather, y[..., :] = W[idx[...], :], for an index tensor of any shape (output idx.shape + (D,)).
Backward is the matching scatter-add: every row of W receives the sum of the upstream gradient rows of the
positions that read it (0 for rows nobody read),

    dL/dW[i] = Σ_{positions n with idx[n] = i} dL/dy[n]

and the ``padding_idx`` row receives nothing (a fixed "pad" vector). With ``scale_grad_by_freq`` each
contribution is divided by how often its index occurs in this batch.

How the scatter-add is done: ``np.add.at(gW, idx, G)`` over (rows, D) takes NumPy's slow general path, so the
rows are flattened to element positions idx·D + column, and a 1-D ``np.add.at`` over those (NumPy's fast
path for 1-D indices) adds them — several times faster than row-wise add.at or a sort + reduceat here.
Repeated indices are handled correctly by add.at (plain ``gW[idx] += G`` would keep only one of them).
"""
import numpy as np

from ..autograd.function import Function
from ..backend import get_array_module
from ..tensor import Tensor

__all__ = ["embedding"]


class Embedding(Function):
    """y = W[idx]; inputs: weight (V, D), idx (any shape, integer), padding_idx (or −1), scale_grad_by_freq."""

    saves = (1,)

    @staticmethod
    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq):
        ctx.idx, ctx.num, ctx.padding_idx, ctx.by_freq = idx, weight.shape[0], padding_idx, scale_grad_by_freq
        return get_array_module(weight).take(weight, idx, axis=0)

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        V, D = ctx.num, grad.shape[-1]
        idx = ctx.idx.reshape(-1)
        g = grad.reshape(-1, D)
        if ctx.by_freq:  # each contribution divided by the count of its index in this batch
            counts = xp.bincount(idx, minlength=V)
            g = g / counts[idx].astype(g.dtype)[:, None]
        # dL/dW[i] = Σ_{n: idx[n] = i} G[n], as a 1-D add.at over element positions idx·D + column
        flat = (idx[:, None] * D + xp.arange(D)).reshape(-1)
        gw = xp.zeros(V * D, grad.dtype)
        np.add.at(gw, flat, g.reshape(-1))
        gw = gw.reshape(V, D)
        if ctx.padding_idx >= 0:
            gw[ctx.padding_idx] = 0  # the pad row gets no gradient
        return gw, None, None, None


_TYPE_NAMES = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "float16": "torch.HalfTensor",
               "int16": "torch.ShortTensor", "int8": "torch.CharTensor", "uint8": "torch.ByteTensor",
               "bool": "CPUBoolType"}


def _check_indices(input, weight):
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding(): argument 'indices' (position 2) must be Tensor, not {type(input).__name__}")
    idx, w = input._array, weight._array
    if idx.dtype not in (np.int64, np.int32):
        name = _TYPE_NAMES.get(idx.dtype.name, idx.dtype.name)
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {name} instead (while checking arguments for embedding)")
    if w.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if idx.size and (idx.min() < 0 or idx.max() >= w.shape[0]):
        raise IndexError("index out of range in self")


def _padding(padding_idx, num):
    """padding_idx in [0, num), or −1 for none (negative values count from the end), as PyTorch."""
    if padding_idx is None:
        return -1
    if padding_idx >= num or padding_idx < -num:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx + num if padding_idx < 0 else padding_idx


def _renorm_(weight, idx, max_norm, norm_type):
    """The rows of weight that idx refers to and whose p-norm exceeds max_norm are multiplied, in place and
    without gradient, by max_norm / (norm + 1e-7) (PyTorch's embedding_renorm_)."""
    xp = get_array_module(weight._array)
    w = weight._array
    rows = xp.unique(idx)
    sel = w[rows]
    norms = xp.linalg.norm(sel.astype(np.float64), ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        scale = (max_norm / (norms[over] + 1e-7)).astype(w.dtype)
        w[rows[over]] = sel[over] * scale[:, None]
        weight._version += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of weight (V, D) picked by the integer tensor input (any shape): output input.shape + (D,).

    padding_idx: that row gets no gradient. max_norm: rows looked up whose norm_type-norm exceeds max_norm
    are renormalized in place first (they change in ``weight`` itself, as in PyTorch).
    Deviation: ``sparse=True`` (sparse gradients) is not supported and raises NotImplementedError.
    """
    _check_indices(input, weight)
    pad = _padding(padding_idx, weight._array.shape[0])
    if sparse:
        raise NotImplementedError("embedding(sparse=True): glasstorch has no sparse tensors; use sparse=False "
                                  "(the gradient of the weight is then a dense (num_embeddings, embedding_dim) "
                                  "array)")
    if max_norm is not None:
        _renorm_(weight, input._array, max_norm, norm_type)
    return Embedding.apply(weight, input, pad, scale_grad_by_freq)
