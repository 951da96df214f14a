"""Scaled dot-product attention, softmax(Q Kᵀ · scale + M) V, as one fused Function.

Shapes: Q (..., L, E), K (..., S, E), V (..., S, Ev) -> (..., L, Ev); the leading dims broadcast. Each of the
L queries scores every one of the S keys, the scores become weights by a softmax along S, and the output is
the weighted sum of the values. The steps, forward, with the values backward keeps:

    S = (Q · scale) Kᵀ + M          scores (..., L, S); M is the additive mask (0 or −inf, or any float)
    P = softmax(S) along S          the attention weights
    P' = P ⊙ D                      dropout on the weights: D = [u ≥ p] / (1 − p), only when dropout_p > 0
    O = P' V

and backward, with G = dL/dO:

    dV = P'ᵀ G
    dP' = G Vᵀ,   dP = dP' ⊙ D
    dS = P ⊙ (dP − rowsum(dP ⊙ P))  the softmax's backward, row by row
    dQ = dS K · scale,   dK = dSᵀ (Q · scale),   dM = dS summed to M's shape (when a float mask needs grad)

Masks: a boolean ``attn_mask`` says True = may attend (it becomes 0 / −inf), a float mask is added to the
scores, ``is_causal`` lets query i see keys 0..i (the top-left lower triangle of an (L, S) matrix). As in
PyTorch 2.13, a row whose scores are all −inf (a query that may attend to nothing) gets weights 0, so its
output and gradients are 0, not NaN. ``attention_weights`` (a glasstorch extension, not in PyTorch) returns
P itself, for MultiheadAttention's ``need_weights`` and for drawing attention maps.
"""
import math

import numpy as np

from ..autograd.function import Function, unbroadcast
from ..backend import get_array_module
from .. import _dtype, kernels
from . import elementwise as _ew
from . import shape as _shape
from .dropout import _scaled_mask
from .matmul import _scalar

__all__ = ["scaled_dot_product_attention", "attention_weights"]


# ---------------------------------------------------------------------------------------------------
# the shared steps: scores and softmax, forward and backward
# ---------------------------------------------------------------------------------------------------
_KERNEL_MIN = 16384   # scores (products) of at least this many elements take kernels/attention.py


def _softmax_scores(qs, k, mask, safe):
    """P = softmax((Q · scale) Kᵀ + M) along the last axis, computed in place in the fresh scores array.

    ``safe``: rows whose scores are all −inf give weights 0 (PyTorch's sdpa); otherwise 0/0 = NaN (PyTorch's
    plain softmax, as in MultiheadAttention with need_weights=True).
    """
    xp = get_array_module(qs, k)
    s = xp.matmul(qs, xp.swapaxes(k, -1, -2))
    if mask is not None:
        s += mask
    if kernels.wants(s, min_size=_KERNEL_MIN) and s.flags.c_contiguous:
        from ..kernels import attention as _k      # the same steps, row by row on both cores
        return _k.softmax_rows(s, safe)
    m = s.max(axis=-1, keepdims=True, initial=-math.inf)
    if safe:
        m[m == -math.inf] = 0.0  # exp(−inf − 0) = 0: the row sums to 0 instead of NaN
    with np.errstate(invalid="ignore"):
        s -= m                   # exp(s − max) cannot overflow
        xp.exp(s, out=s)
        total = s.sum(axis=-1, keepdims=True)
        if safe:
            total[total == 0] = 1.0
        s /= total
    return s


def _softmax_backward(p, dp):
    """dS = P ⊙ (dP − rowsum(dP ⊙ P)), written into dp (a fresh array)."""
    if kernels.wants(p, dp, min_size=_KERNEL_MIN) and p.flags.c_contiguous and dp.flags.c_contiguous:
        from ..kernels import attention as _k      # one pass per row, both cores
        return _k.softmax_backward_rows(p, dp)
    r = (dp * p).sum(axis=-1, keepdims=True)
    dp -= r
    dp *= p
    return dp


def _scores_backward(ctx, ds):
    """Gradients of Q, K and the float mask from dS (the scores' gradient)."""
    xp = get_array_module(ds)
    need = ctx.needs_input_grad
    dq = dk = dm = None
    if need[0]:
        dq = unbroadcast(xp.matmul(ds, ctx.k), ctx.q_shape)          # dQ = dS K · scale
        dq *= ctx.scale
    if need[1]:
        dk = unbroadcast(xp.matmul(xp.swapaxes(ds, -1, -2), ctx.qs), ctx.k.shape)  # dK = dSᵀ (Q · scale)
    if ctx.mask_shape is not None and need[ctx.mask_slot]:
        dm = unbroadcast(ds, ctx.mask_shape)                          # dM = dS, summed where M was broadcast
    return dq, dk, dm


def _save_scores(ctx, q, qs, k, mask, scale, mask_slot):
    ctx.q_shape, ctx.qs, ctx.k, ctx.scale = q.shape, qs, k, scale
    ctx.mask_shape, ctx.mask_slot = (None if mask is None else mask.shape), mask_slot


def _whole_kernel(ctx, q, k, v, mask):
    """Whether the whole attention takes kernels/attention.py's per-thread path: NumPy float arrays, q, k, v of
    one batch shape whose first dim can be shared out, scores big enough, and no gradient wanted for the mask."""
    batch = q.shape[:-2]
    if not batch or batch[0] < 2 or k.shape[:-2] != batch or v.shape[:-2] != batch:
        return False
    if mask is not None and (ctx.needs_input_grad and ctx.needs_input_grad[3]):
        return False
    size = math.prod(batch) * q.shape[-2] * k.shape[-2]
    return kernels.wants(q, k, v, *(() if mask is None else (mask,))) and size >= _KERNEL_MIN


class ScaledDotProductAttention(Function):
    """O = dropout(softmax((Q · scale) Kᵀ + M)) V; inputs q, k, v, mask (array or None), scale, keep, safe."""

    @staticmethod
    def forward(ctx, q, k, v, mask, scale, keep, safe):
        if _whole_kernel(ctx, q, k, v, mask):   # kernels/attention.py: the same steps, a share of the batch per thread
            from ..kernels import attention as _k
            o, p, pd, qs = _k.attention_forward(q, k, v, mask, keep, scale, safe)
            if ctx.needs_input_grad:
                _save_scores(ctx, q, qs, k, mask, scale, 3)
                ctx.v, ctx.p, ctx.pd, ctx.keep, ctx.whole = v, p, pd, keep, True
            return o
        ctx.whole = False
        qs = q * scale
        p = _softmax_scores(qs, k, mask, safe)
        pd = p if keep is None else p * keep
        if ctx.needs_input_grad:
            _save_scores(ctx, q, qs, k, mask, scale, 3)
            ctx.v, ctx.p, ctx.pd, ctx.keep = v, p, pd, keep
        return get_array_module(pd, v).matmul(pd, v)

    @staticmethod
    def backward(ctx, grad):
        xp = get_array_module(grad)
        need = ctx.needs_input_grad
        if ctx.whole and not need[3]:
            from ..kernels import attention as _k
            dq, dk, dv = _k.attention_backward(grad, ctx.p, ctx.pd, ctx.keep, ctx.k, ctx.v, ctx.qs, ctx.scale,
                                               need[0], need[1], need[2])
            return dq, dk, dv, None, None, None, None
        dv = None
        if need[2]:
            dv = unbroadcast(xp.matmul(xp.swapaxes(ctx.pd, -1, -2), grad), ctx.v.shape)  # dV = P'ᵀ G
        dq = dk = dm = None
        if need[0] or need[1] or need[3]:
            dp = xp.matmul(grad, xp.swapaxes(ctx.v, -1, -2))                          # dP' = G Vᵀ
            if ctx.keep is not None:
                dp *= ctx.keep                                                        # dP = dP' ⊙ D
            dq, dk, dm = _scores_backward(ctx, _softmax_backward(ctx.p, dp))
        return dq, dk, dv, dm, None, None, None


class AttentionWeights(Function):
    """P = softmax((Q · scale) Kᵀ + M); inputs q, k, mask (array or None), scale, safe."""

    @staticmethod
    def forward(ctx, q, k, mask, scale, safe):
        qs = q * scale
        p = _softmax_scores(qs, k, mask, safe)
        if ctx.needs_input_grad:
            _save_scores(ctx, q, qs, k, mask, scale, 2)
            ctx.p = p
        return p

    @staticmethod
    def backward(ctx, grad):
        # dS = P ⊙ (dP − rowsum(dP ⊙ P)), on a copy: grad is not ours to overwrite
        dq, dk, dm = _scores_backward(ctx, _softmax_backward(ctx.p, grad.copy()))
        return dq, dk, dm, None, None


# ---------------------------------------------------------------------------------------------------
# self-attention from a packed projection: the heads read and written in place
# ---------------------------------------------------------------------------------------------------
def packed_heads(y, heads, batch_first):
    """The (N, H, L, D) views Q, K, V of a packed projection y, (N, L, 3E) when batch_first, else (L, N, 3E): y's
    last dim holds Q, K and V side by side, each the H heads side by side (MultiheadAttention's split into three
    and _split_heads, as views: nothing is copied)."""
    return tuple(_heads_view(part, heads, batch_first) for part in np.split(y, 3, axis=-1))


def _heads_view(t, heads, batch_first):
    """The (N, H, L, D) view of merged heads t, (N, L, E) when batch_first, else (L, N, E)."""
    a, b, width = t.shape
    return t.reshape(a, b, heads, width // heads).transpose((0, 2, 1, 3) if batch_first else (1, 2, 0, 3))


class PackedSelfAttention(Function):
    """The heads' attention of a self-attention, in one node from its packed projection to the heads side by side:
    y (..., 3E) → Q, K, V its three E-wide parts, each cut into H heads (N, H, L, D) → O = the heads' attention
    (ScaledDotProductAttention's steps) → O's heads side by side (..., E). Inputs y, mask (array or None), heads,
    batch_first, scale, keep.

    Its reference is the steps it replaces in MultiheadAttention (split, _split_heads, scaled_dot_product_attention,
    _merge_heads): the same arithmetic on the same views, so the values are equal bit for bit. What it saves is
    memory traffic: forward writes each head's output straight into the merged array (the reference writes
    (N, H, L, D), then copies it), and backward writes dQ, dK, dV straight into one gradient,

        dL/dy = [dQ | dK | dV]      (each the heads side by side again)

    where the reference copies each into a zero-filled (..., 3E) gradient of its own and the engine sums the
    three. The per-thread kernel (kernels/attention.py) computes; MultiheadAttention takes this node only where
    that kernel applies (``packs``), so it has no NumPy-only form: with the kernels off, the reference steps run.
    """

    saves = (0,)

    @staticmethod
    def forward(ctx, y, mask, heads, batch_first, scale, keep):
        from ..kernels import attention as _k
        q, k, v = packed_heads(y, heads, batch_first)
        merged = np.empty(y.shape[:-1] + (y.shape[-1] // 3,), y.dtype)
        _, p, pd, qs = _k.attention_forward(q, k, v, mask, keep, scale, True, o=_heads_view(merged, heads, batch_first))
        if ctx.needs_input_grad:
            ctx.k, ctx.v, ctx.p, ctx.pd, ctx.qs, ctx.keep, ctx.scale = k, v, p, pd, qs, keep, scale
            ctx.heads, ctx.batch_first, ctx.y_shape = heads, batch_first, y.shape
        return merged

    @staticmethod
    def backward(ctx, grad):
        from ..kernels import attention as _k
        dy = np.empty(ctx.y_shape, grad.dtype)   # every element written below: [dQ | dK | dV]
        _k.attention_backward(_heads_view(grad, ctx.heads, ctx.batch_first), ctx.p, ctx.pd, ctx.keep, ctx.k, ctx.v,
                              ctx.qs, ctx.scale, True, True, True, out=packed_heads(dy, ctx.heads, ctx.batch_first))
        return dy, None, None, None, None, None


def packs(query, heads, batch_first, dropout_p, *masks):
    """Whether a self-attention on query (3-D, (N, L, E) when batch_first) takes ``packed_self_attention``: the
    kernels are on for its array, at least 2 sequences to share out, scores big enough, and no mask that wants a
    gradient."""
    a = query._array
    if a.ndim != 3 or dropout_p > 1.0 or not kernels.wants(a):
        return False
    n, length = (a.shape[0], a.shape[1]) if batch_first else (a.shape[1], a.shape[0])
    if n < 2 or n * heads * length * length < _KERNEL_MIN:
        return False
    return not any(m is not None and m.requires_grad for m in masks)


def packed_self_attention(y, heads, batch_first, attn_mask, dropout_p, is_causal):
    """The heads' attention of self-attention from the packed projection y (``PackedSelfAttention``), the heads
    side by side; attn_mask, dropout_p and is_causal as in ``scaled_dot_product_attention``. Only where ``packs``."""
    q, k, _ = packed_heads(y._array, heads, batch_first)
    bias, keep = _mask_and_keep(q, k, attn_mask, is_causal, dropout_p, q.shape[:-2])
    return PackedSelfAttention.apply(y, bias, heads, batch_first, _scale(None, q.shape[-1]), keep)


# ---------------------------------------------------------------------------------------------------
# argument checks and masks
# ---------------------------------------------------------------------------------------------------
def _check_qkv(q, k, v):
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{q.ndim} key.dim: {k.ndim} and value.dim: {v.ndim} instead.")
    if not q.dtype == k.dtype == v.dtype:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_cpp_name(q)} key.dtype: {_cpp_name(k)} and value.dtype: {_cpp_name(v)} instead.")
    if not _dtype.is_float_array(q.dtype):
        raise RuntimeError(f"expected scalar type Float but found {_scalar(q)}")
    if k.shape[-1] != q.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: query (shape {list(q.shape)}) and key (shape "
                           f"{list(k.shape)}) must have the same last dim, got {q.shape[-1]} and {k.shape[-1]}")
    if v.shape[-2] != k.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: key (shape {list(k.shape)}) and value (shape "
                           f"{list(v.shape)}) must have the same sequence length, got {k.shape[-2]} and "
                           f"{v.shape[-2]}")
    try:
        np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
        return np.broadcast_shapes(q.shape[:-2], k.shape[:-2])  # the scores' batch dims
    except ValueError:
        raise RuntimeError(f"scaled_dot_product_attention: the batch dims of query {list(q.shape)}, key "
                           f"{list(k.shape)} and value {list(v.shape)} do not broadcast") from None


def _cpp_name(a):
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(a.dtype.name, a.dtype.name)


def _causal_bias(L, S, dtype, xp):
    """0 where key j ≤ query i (the lower triangle, from the top-left corner), −inf above it."""
    return xp.triu(xp.full((L, S), -math.inf, dtype), 1)


def _mask_bias(mask, dtype, scores_shape):
    """The additive mask: a float tensor in the query's dtype (its gradient may be wanted), a bool one as
    0 / −inf. As in PyTorch 2.13, a float mask must be float32 or the query's dtype; a float32 one is cast to
    it (float64 queries with a float32 mask give float64; a float64 mask with float32 queries is an error)."""
    a = mask._array
    if a.dtype != np.bool_ and a.dtype != dtype and a.dtype != np.float32:
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_cpp_name(a) if _dtype.is_float_array(a.dtype) else _int_name(a)} and  "
                           f"query.dtype: {_cpp_name(np.empty(0, dtype))} instead.")
    try:
        fits = np.broadcast_shapes(a.shape, scores_shape) == tuple(scores_shape)
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"scaled_dot_product_attention: attn_mask of shape {list(a.shape)} does not broadcast "
                           f"to the attention scores' shape {list(scores_shape)} (..., L, S)")
    if a.dtype == np.bool_:
        xp = get_array_module(a)
        bias = xp.zeros(a.shape, dtype)
        bias[~a] = -math.inf  # False = may not attend
        return bias
    if a.dtype != dtype:
        return _ew.to_dtype(mask, dtype)  # differentiable: dM comes back cast to float32
    return mask


def _int_name(a):
    return {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char"}.get(a.dtype.name, a.dtype.name)


def _scale(scale, E):
    if scale is not None:
        return float(scale)
    return 1.0 / math.sqrt(E) if E > 0 else math.inf


def _bias_for(q, k, attn_mask, is_causal, batch):
    """The additive mask for scores of shape batch + (L, S): an array, a float Tensor, or None."""
    L, S = q.shape[-2], k.shape[-2]
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True")
        return _causal_bias(L, S, q.dtype, get_array_module(q))
    if attn_mask is None:
        return None
    return _mask_bias(attn_mask, q.dtype, tuple(batch) + (L, S))


def _mask_and_keep(q, k, attn_mask, is_causal, dropout_p, batch):
    """The additive mask (``_bias_for``) and the dropout mask D of the weights (None when dropout_p is 0), drawn
    for scores of shape batch + (L, S)."""
    bias = _bias_for(q, k, attn_mask, is_causal, batch)   # first: its errors come before any random draw
    keep = None
    if dropout_p > 0.0:
        keep = _scaled_mask(tuple(batch) + (q.shape[-2], k.shape[-2]), dropout_p, q.dtype)
    return bias, keep


def _repeat_heads(t, groups):
    """(..., H, S, E) -> (..., H·groups, S, E), each head repeated ``groups`` times in a row
    (``repeat_interleave`` along dim −3), by expand + reshape: backward sums the copies."""
    shape = tuple(t.shape)
    big = shape[:-3] + (shape[-3], groups) + shape[-2:]
    return _shape.reshape(_shape.expand(_shape.unsqueeze(t, -3), big),
                          shape[:-3] + (shape[-3] * groups,) + shape[-2:])


def _group_query_heads(query, key, value):
    """enable_gqa: key/value with fewer heads (dim −3) than query are shared by groups of query heads."""
    hq = query._array.shape[-3] if query._array.ndim >= 3 else 1
    out = []
    for t in (key, value):
        h = t._array.shape[-3] if t._array.ndim >= 3 else 1
        if h != hq and (t._array.ndim < 3 or hq % h):
            raise RuntimeError("Number of heads in key and value must divide the number of heads in query")
        out.append(t if h == hq else _repeat_heads(t, hq // h))
    return out


# ---------------------------------------------------------------------------------------------------
# the public functions
# ---------------------------------------------------------------------------------------------------
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(Q Kᵀ · scale + mask) V over the last two dims; scale defaults to 1/√E.

    attn_mask: bool (True = may attend) or float (added to the scores), broadcast to (..., L, S).
    dropout_p > 0 drops attention weights (always: this function has no training flag, as in PyTorch).
    enable_gqa: key/value may have fewer heads (dim −3) than query; each serves a group of query heads.
    """
    if enable_gqa:
        key, value = _group_query_heads(query, key, value)
    q, k, v = query._array, key._array, value._array
    batch = _check_qkv(q, k, v)
    if dropout_p > 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    bias, keep = _mask_and_keep(q, k, attn_mask, is_causal, dropout_p, batch)
    return ScaledDotProductAttention.apply(query, key, value, bias, _scale(scale, q.shape[-1]), keep, True)


def attention_weights(query, key, attn_mask=None, is_causal=False, scale=None, safe=True):
    """The attention weights P = softmax(Q Kᵀ · scale + mask) (..., L, S) of scaled_dot_product_attention
    (without dropout), differentiable. A glasstorch extension: PyTorch's sdpa does not return them.

    ``safe=False`` gives NaN rows where every key is masked (PyTorch's MultiheadAttention with
    need_weights=True); the default gives 0, as PyTorch's scaled_dot_product_attention does.
    """
    q, k = query._array, key._array
    batch = _check_qkv(q, k, k)
    bias = _bias_for(q, k, attn_mask, is_causal, batch)
    return AttentionWeights.apply(query, key, bias, _scale(scale, q.shape[-1]), safe)
