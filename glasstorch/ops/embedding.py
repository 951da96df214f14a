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

__all__ = ["embedding", "embedding_bag"]


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


# ---------------------------------------------------------------------------------------------------
# embedding_bag: the rows of each bag of indices, summed, averaged or maxed, without the (M, D) lookup
# kept for the caller
# ---------------------------------------------------------------------------------------------------
_MODES = {"sum": 0, "mean": 1, "max": 2}


class EmbeddingBag(Function):
    """out[b] = reduce over the indices i of bag b (padding excluded) of w_i · W[idx[i]]; reduce is the sum, the
    mean (over the bag's size) or the elementwise max. Inputs: weight (V, D), per_sample_weights (M,) or None.

    Backward: sum/mean send dL/dout[b] (/ size, · w_i) to row idx[i] (a scatter-add); max sends it to the row
    that won each column; dL/dw_i = dL/dout[b] · W[idx[i]]."""

    saves = (0, 1)

    @staticmethod
    def forward(ctx, weight, psw, idx, bag, keep, n_bags, mode, size, max_index):
        xp = get_array_module(weight)
        d = weight.shape[1]
        if mode == 2:  # the winners are known (_bag_argmax): out[b, j] = W[max_index[b, j], j], 0 for empty bags
            out = weight[max_index, xp.arange(d)]
            out[size == 0] = 0
        else:
            rows = xp.take(weight, idx, axis=0)                              # (M, D)
            if psw is not None:
                rows = rows * psw[:, None]
            out = xp.zeros((n_bags, d), weight.dtype)
            np.add.at(out, bag[keep], rows[keep])
            if mode == 1:
                out /= xp.maximum(size, 1).astype(weight.dtype)[:, None]
        ctx.weight, ctx.psw, ctx.max_index = weight, psw, max_index
        ctx.args = (idx, bag, keep, mode, size)
        return out

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        idx, bag, keep, mode, size = ctx.args
        weight, psw = ctx.weight, ctx.psw
        v, d = weight.shape
        gw = gpsw = None
        if mode == 2:
            if ctx.needs_input_grad[0]:  # each column's gradient to the row that won it
                flat = (ctx.max_index * d + xp.arange(d)).reshape(-1)
                filled = xp.repeat(size > 0, d)
                gw = xp.zeros(v * d, grad.dtype)
                np.add.at(gw, flat[filled], grad.reshape(-1)[filled])
                gw = gw.reshape(v, d)
            return gw, None, None, None, None, None, None, None, None
        g_rows = grad[bag]                                                   # dL/dout of each index's bag
        if mode == 1:
            g_rows = g_rows / xp.maximum(size, 1).astype(grad.dtype)[bag][:, None]
        g_rows = xp.where(keep[:, None], g_rows, grad.dtype.type(0))
        if ctx.needs_input_grad[0]:
            gw = xp.zeros((v, d), grad.dtype)
            np.add.at(gw, idx, g_rows if psw is None else g_rows * psw[:, None])
        if psw is not None and ctx.needs_input_grad[1]:
            gpsw = (g_rows * xp.take(weight, idx, axis=0)).sum(axis=1)       # dL/dw_i = G[b] · W[idx[i]]
        return gw, gpsw, None, None, None, None, None, None, None


def _bag_argmax(w, idx, bag, keep, n_bags):
    """For each bag and column, the row index (into the weight) of the maximum: the first one in the bag wins
    (PyTorch's scan); 0 for an empty bag."""
    rows = w[idx]                                                            # (M, D)
    best = np.full((n_bags, w.shape[1]), -np.inf, w.dtype)
    np.maximum.at(best, bag[keep], rows[keep])
    hit = keep[:, None] & (rows == best[bag])
    order = np.where(hit, np.arange(idx.size)[:, None], idx.size)           # positions of maxima, M elsewhere
    first = np.full(best.shape, idx.size, np.int64)
    np.minimum.at(first, bag, order)
    return np.append(idx, 0)[first]                                          # M (no winner) reads the 0


def _bags(input, offsets, include_last_offset, padding_idx, num):
    """The flat indices, each one's bag (offset2bag), the kept mask (not padding), the bag count and sizes."""
    idx = input._array
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             "fixed length sequences. However, found offsets of type Tensor")
        n_bags, length = idx.shape
        offs = np.arange(n_bags, dtype=np.int64) * length
        idx = idx.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        offs = np.asarray(offsets._array, dtype=np.int64)
        if offs.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        if include_last_offset:
            offs = offs[:-1]
        n_bags = offs.size
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("expected scalar type Long or Int for the indices of embedding_bag")
    idx = idx.astype(np.int64, copy=False)
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError("index out of range in self")
    bag = np.searchsorted(offs, np.arange(idx.size), side="right") - 1 if n_bags else np.zeros(0, np.int64)
    bag = np.maximum(bag, 0)
    keep = idx != padding_idx
    size = np.bincount(bag[keep], minlength=n_bags)[:n_bags] if n_bags else np.zeros(0, np.int64)
    return idx, bag, keep, n_bags, size


def embedding_bag_forward(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                          mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                          padding_idx=None):
    """embedding_bag returning ATen's 4-tuple (output, offset2bag, bag_size, max_indices): see torch.embedding_bag."""
    from ..autograd.function import wrap
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if sparse:
        raise NotImplementedError("embedding_bag(sparse=True): glasstorch has no sparse tensors")
    if scale_grad_by_freq:
        raise NotImplementedError("embedding_bag(scale_grad_by_freq=True) is not supported by glasstorch")
    if weight._array.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    num = weight._array.shape[0]
    pad = _padding(padding_idx, num)
    idx, bag, keep, n_bags, size = _bags(input, offsets, include_last_offset, pad, num)
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                      f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                                      f"on GitHub.")
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)}) is not None, "
                             f"then it must have the same shape as the input ({tuple(input.shape)})")
        per_sample_weights = per_sample_weights.reshape(-1)
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    max_indices = _bag_argmax(weight._array, idx, bag, keep, n_bags) if mode == "max" else np.zeros(n_bags, np.int64)
    out = EmbeddingBag.apply(weight, per_sample_weights, idx, bag, keep, n_bags, _MODES[mode], size,
                             max_indices if mode == "max" else None)
    bag_size = size if mode != "sum" else np.zeros(n_bags, np.int64)
    if mode == "mean":  # ATen's max_indices for 'mean' is a copy of bag_size
        max_indices = bag_size
    if mode == "sum" and pad < 0:  # ATen's fast 'sum' path fills no offset2bag
        bag = np.zeros(0, np.int64)
    return out, wrap(bag), wrap(bag_size.astype(np.int64)), wrap(max_indices)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxes of bags of embeddings, without building the (M, D) lookup as an output.

    input (B, L): each row is a bag (offsets must be None); or input (M,) with offsets (B,) (or (B + 1,) with
    include_last_offset): bag b is input[offsets[b]:offsets[b+1]]. padding_idx entries are left out (and not
    counted by 'mean'); an empty bag gives zeros. per_sample_weights (mode 'sum' only) scales each row.
    Deviation: sparse=True and scale_grad_by_freq=True raise NotImplementedError."""
    return embedding_bag_forward(input, weight, offsets, max_norm, norm_type, scale_grad_by_freq, mode, sparse,
                                 per_sample_weights, include_last_offset, padding_idx)[0]
