"""MultiheadAttention: num_heads scaled dot-product attentions side by side, each on its own projection.

    Q = query W_qᵀ + b_q,  K = key W_kᵀ + b_k,  V = value W_vᵀ + b_v        (embed_dim each)
    split each into num_heads heads of head_dim = embed_dim / num_heads
    head_h = softmax(Q_h K_hᵀ / √head_dim + mask) V_h                     (ops/attention.py)
    output = concat(head_1 .. head_H) W_oᵀ + b_o                           (out_proj)

The parameters are PyTorch's: ``in_proj_weight`` (3E, E) holds W_q, W_k, W_v stacked (or, when kdim/vdim
differ from embed_dim, ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight``), ``in_proj_bias`` (3E,), and
``out_proj``, a Linear; so state_dicts load both ways. The heads are kept as a (N, H, L, head_dim) view of
the projections in either layout (batch_first or not), so no transposed copy of the inputs is made.

As in PyTorch, with need_weights=True (the default) the weights are computed explicitly and returned
(averaged over heads unless average_attn_weights=False); a query whose keys are all masked then gives NaN.
With need_weights=False the fused scaled_dot_product_attention is used and such a query gives 0.

Self-attention (query is key is value) with the packed in-projection and need_weights=False, where the kernels
take it, runs the steps from the projection to the merged heads as one node (``_packed_attention``; ops/attention.py
``PackedSelfAttention``): the same values bit for bit, without the three zero-filled gradients and the copies the
separate steps make. Measured on the tiny ViT's training step (2 cores, the same process switched back and forth):
0.83-0.88x of the separate steps' time. ``glasstorch.kernels.reference()`` gives the separate steps.

Deviation: PyTorch's inference fast path (``_native_multi_head_attention``) is not reproduced; glasstorch
always takes the path PyTorch takes in training, which computes the same values.
"""
import math
import warnings

import numpy as np

from ... import creation
from ...autograd.function import wrap
from ...backend import get_array_module
from ... import _dtype
from ...ops import attention as _attention
from ...ops import dropout as _dropout
from ...ops import linear as _linear
from ...ops import shape as _shape
from .. import init
from ..parameter import Parameter
from .linear import Linear
from .module import Module

__all__ = ["MultiheadAttention", "multi_head_attention_forward"]


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under PyTorch's name for MultiheadAttention's out_proj (the name matters to its repr)."""


class MultiheadAttention(Module):
    """Attention from the L queries to the S keys/values with num_heads heads.

    Inputs (batch_first=False): query (L, N, E), key (S, N, kdim), value (S, N, vdim), or unbatched (L, E),
    (S, kdim), (S, vdim); batch_first=True: (N, L, E), (N, S, kdim), (N, S, vdim). Returns (output with
    query's shape, weights (N, L, S) — or (N, num_heads, L, S) — or None when need_weights=False).
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        factory = dict(device=device, dtype=dtype)
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(creation.empty((embed_dim, embed_dim), **factory))
            self.k_proj_weight = Parameter(creation.empty((embed_dim, self.kdim), **factory))
            self.v_proj_weight = Parameter(creation.empty((embed_dim, self.vdim), **factory))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(creation.empty((3 * embed_dim, embed_dim), **factory))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(creation.empty(3 * embed_dim, **factory))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **factory)
        if add_bias_kv:
            self.bias_k = Parameter(creation.empty((1, 1, embed_dim), **factory))
            self.bias_v = Parameter(creation.empty((1, 1, embed_dim), **factory))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self):
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        is_batched = _check_shapes(query, key, value, key_padding_mask, attn_mask, self.num_heads)
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", attn_mask, "attn_mask", query)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query)
        if not is_batched:  # one sequence: a batch of one, (L, 1, E)
            query, key, value = _unsqueeze_keeping_identity(query, key, value)
            if key_padding_mask is not None:
                key_padding_mask = _shape.unsqueeze(key_padding_mask, 0)
        bdim = 0 if self.batch_first and is_batched else 1  # where N is in query/key/value
        sdim = 1 - bdim
        L, N, E = query.shape[sdim], query.shape[bdim], query.shape[2]
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer "
                               "module method `generate_square_subsequent_mask` to create this mask.")
        if is_causal and key_padding_mask is None and not need_weights:
            attn_mask = None  # the hint alone: sdpa builds the causal mask itself
        elif key_padding_mask is not None:
            is_causal = False  # the merged mask is no longer causal
        if E != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but got {E}")
        self._check_key_value(key, value)
        mask = _heads_mask(attn_mask, L, key.shape[sdim], N, self.num_heads)
        p = self.dropout if self.training else 0.0
        merged = self._packed_attention(query, key, value, mask, key_padding_mask, p, is_causal, need_weights, bdim)
        weights = None
        if merged is None:
            q, k, v = self._in_projection(query, key, value)
            k, v, mask, key_padding_mask = self._add_bias_kv(k, v, mask, key_padding_mask, bdim)
            q, k, v = (_split_heads(t, self.num_heads, bdim) for t in (q, k, v))
            if self.add_zero_attn:
                k, v, mask, key_padding_mask = _add_zero_attn(k, v, mask, key_padding_mask)
            mask = _merge_padding(mask, key_padding_mask, N, k.shape[2])
            out, weights = _attend(q, k, v, mask, p, is_causal, need_weights, average_attn_weights)
            merged = _merge_heads(out, bdim)
        out = _linear.linear(merged, self.out_proj.weight, self.out_proj.bias)
        if not is_batched:
            out = _shape.squeeze(out, 1)
            if weights is not None:
                weights = _shape.squeeze(weights, 0)
        return out, weights

    def _check_key_value(self, key, value):
        if not self._qkv_same_embed_dim:
            if key.shape[:2] != value.shape[:2]:
                raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                     f"{value.shape[:2]}")
        elif key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    def _in_projection(self, query, key, value):
        """Q, K, V (each in its input's layout, last dim embed_dim); one product when query is key is value."""
        E, b = self.embed_dim, self.in_proj_bias
        bq = bk = bv = None
        if not self._qkv_same_embed_dim:
            if b is not None:
                bq, bk, bv = _shape.chunk(b, 3)
            return (_linear.linear(query, self.q_proj_weight, bq), _linear.linear(key, self.k_proj_weight, bk),
                    _linear.linear(value, self.v_proj_weight, bv))
        w = self.in_proj_weight
        if query is key and key is value:  # self-attention: one (.., E) @ (E, 3E) product, then three views
            return _shape.split(_linear.linear(query, w, b), E, -1)
        if b is not None:
            bq, bk, bv = _shape.chunk(b, 3)
        wq, wk, wv = _shape.chunk(w, 3)
        return _linear.linear(query, wq, bq), _linear.linear(key, wk, bk), _linear.linear(value, wv, bv)

    def _packed_attention(self, query, key, value, mask, key_padding_mask, p, is_causal, need_weights, bdim):
        """The steps below from the in-projection to the merged heads, for self-attention with the packed
        in-projection, as one node (ops/attention.py ``PackedSelfAttention``: the same values, the heads read from
        the projection and written to the merged output in place); None, having computed nothing, where the
        kernels do not take it (``packs``) or the steps differ (weights wanted, bias_kv, add_zero_attn)."""
        if (need_weights or query is not key or key is not value or not self._qkv_same_embed_dim
                or self.bias_k is not None or self.bias_v is not None or self.add_zero_attn
                or not _attention.packs(query, self.num_heads, bdim == 0, p, mask, key_padding_mask)):
            return None
        y = _linear.linear(query, self.in_proj_weight, self.in_proj_bias)       # one (.., E) @ (E, 3E) product
        mask = _merge_padding(mask, key_padding_mask, query.shape[bdim], query.shape[1 - bdim])
        return _attention.packed_self_attention(y, self.num_heads, bdim == 0, mask, p, is_causal)

    def _add_bias_kv(self, k, v, mask, key_padding_mask, bdim):
        """add_bias_kv: one more key and value (the learned bias_k, bias_v) at the end of every sequence."""
        if self.bias_k is None and self.bias_v is None:
            return k, v, mask, key_padding_mask
        if self.bias_k is None or self.bias_v is None:
            raise AssertionError("bias_k and bias_v must both be set or both be None")
        shape = list(k.shape)
        shape[1 - bdim] = 1
        k = _shape.cat([k, _shape.expand(_shape.reshape(self.bias_k, (1, 1, -1)), shape)], 1 - bdim)
        v = _shape.cat([v, _shape.expand(_shape.reshape(self.bias_v, (1, 1, -1)), shape)], 1 - bdim)
        return k, v, _pad_key(mask), _pad_key(key_padding_mask)

    def __setstate__(self, state):
        state.setdefault("_qkv_same_embed_dim", True)  # checkpoints of PyTorch 1.1 lack it
        self.__dict__.update(state)


class _OneCall:
    """The tensors of one ``multi_head_attention_forward`` call under the attribute names MultiheadAttention
    reads, with the module's own steps borrowed: the functional form runs exactly the module's code."""

    _in_projection = MultiheadAttention._in_projection
    _packed_attention = MultiheadAttention._packed_attention
    _check_key_value = MultiheadAttention._check_key_value
    _add_bias_kv = MultiheadAttention._add_bias_kv
    forward = MultiheadAttention.forward

    def __init__(self, **attributes):
        self.__dict__.update(attributes)


class _OutProj:
    def __init__(self, weight, bias):
        self.weight, self.bias = weight, bias


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """The functional form behind nn.MultiheadAttention: inputs (L, N, E), (S, N, kdim), (S, N, vdim) (or
    unbatched), the weights passed in; returns (output, weights or None), as the module's forward.

    Deviation: ``static_k``/``static_v`` (precomputed per-head keys/values) are not supported
    (NotImplementedError)."""
    if static_k is not None or static_v is not None:
        raise NotImplementedError("glasstorch's multi_head_attention_forward does not support static_k/static_v")
    head_dim = embed_dim_to_check // num_heads
    if head_dim * num_heads != embed_dim_to_check:
        raise AssertionError(f"embed_dim {embed_dim_to_check} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight and (q_proj_weight is None or k_proj_weight is None or v_proj_weight is None):
        raise AssertionError("use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight "
                             "is None")
    if not use_separate_proj_weight and in_proj_weight is None:
        raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    call = _OneCall(embed_dim=embed_dim_to_check, num_heads=num_heads, batch_first=False, training=training,
                    dropout=dropout_p, _qkv_same_embed_dim=not use_separate_proj_weight,
                    in_proj_weight=in_proj_weight, in_proj_bias=in_proj_bias, q_proj_weight=q_proj_weight,
                    k_proj_weight=k_proj_weight, v_proj_weight=v_proj_weight, bias_k=bias_k, bias_v=bias_v,
                    add_zero_attn=add_zero_attn, out_proj=_OutProj(out_proj_weight, out_proj_bias))
    return call.forward(query, key, value, key_padding_mask=key_padding_mask, need_weights=need_weights,
                        attn_mask=attn_mask, average_attn_weights=average_attn_weights, is_causal=is_causal)


# ---------------------------------------------------------------------------------------------------
# the steps of forward
# ---------------------------------------------------------------------------------------------------
def _unsqueeze_keeping_identity(query, key, value):
    """(L, E) -> (L, 1, E) for each; the same tensor passed twice stays one tensor (self-attention)."""
    q = _shape.unsqueeze(query, 1)
    k = q if key is query else _shape.unsqueeze(key, 1)
    v = k if value is key else _shape.unsqueeze(value, 1)
    return q, k, v


def _check_shapes(query, key, value, key_padding_mask, attn_mask, num_heads):
    """PyTorch's checks of the ranks; returns whether the input is batched (3-D) or one sequence (2-D)."""
    qd, kd, vd = query.dim(), key.dim(), value.dim()
    if qd == 3:
        if kd != 3 or vd != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{kd}-D and {vd}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.dim()}-D tensor instead")
        return True
    if qd == 2:
        if kd != 2 or vd != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{kd}-D and {vd}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                                 f"but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or "
                                     f"3-D but found {attn_mask.dim()}-D tensor instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {qd}-D query tensor")


def _canonical_mask(mask, name, other, other_name, query):
    """A bool mask (True = masked out) as an additive float mask (−inf / 0) of query's dtype; a float mask as
    it is. Warns, as PyTorch, when key_padding_mask and attn_mask are of different types."""
    if mask is None:
        return None
    a = mask._array
    if a.dtype != np.bool_ and not _dtype.is_float_array(a.dtype):
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if other is not None and other._array.dtype != a.dtype:
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=2)
    if a.dtype == np.bool_:
        bias = get_array_module(a).zeros(a.shape, query._array.dtype)
        bias[a] = -math.inf
        return wrap(bias)
    return mask


def _heads_mask(attn_mask, L, S, N, H):
    """attn_mask (L, S) as it is (it broadcasts), or (N·H, L, S) viewed as (N, H, L, S)."""
    if attn_mask is None:
        return None
    shape = tuple(attn_mask.shape)
    if attn_mask.dim() == 2:
        if shape != (L, S):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be {(L, S)}.")
        return attn_mask
    if shape != (N * H, L, S):
        raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be {(N * H, L, S)}.")
    return _shape.reshape(attn_mask, (N, H, L, S))


def _pad_key(mask):
    """One more key column, unmasked (0), at the end of the last dim."""
    if mask is None:
        return None
    zeros = wrap(get_array_module(mask._array).zeros(tuple(mask.shape[:-1]) + (1,), mask._array.dtype))
    return _shape.cat([mask, zeros], -1)


def _add_zero_attn(k, v, mask, key_padding_mask):
    """add_zero_attn: one more key and value of zeros at the end of every head's sequence (dim 2)."""
    xp = get_array_module(k._array)
    zk = wrap(xp.zeros(tuple(k.shape[:2]) + (1, k.shape[3]), k._array.dtype))
    zv = wrap(xp.zeros(tuple(v.shape[:2]) + (1, v.shape[3]), v._array.dtype))
    return _shape.cat([k, zk], 2), _shape.cat([v, zv], 2), _pad_key(mask), _pad_key(key_padding_mask)


def _merge_padding(mask, key_padding_mask, N, S):
    """attn_mask + key_padding_mask viewed as (N, 1, 1, S): both additive, broadcast over heads and queries."""
    if key_padding_mask is None:
        return mask
    if key_padding_mask.shape[0] != N:
        raise AssertionError(f"Expected key_padded_mask.shape[0] to be {N}, but got {key_padding_mask.shape[0]}")
    if key_padding_mask.shape[1] != S:
        raise AssertionError(f"Expected key_padded_mask.shape[1] to be {S}, but got {key_padding_mask.shape[1]}")
    kpm = _shape.reshape(key_padding_mask, (N, 1, 1, S))
    return kpm if mask is None else mask + kpm


def _attend(q, k, v, mask, p, is_causal, need_weights, average):
    """The heads' attention on (N, H, L, D) tensors: (output (N, H, L, D), weights or None).

    need_weights: the weights are computed explicitly (NaN rows where every key is masked, as PyTorch), then
    dropped out and applied; otherwise the fused scaled_dot_product_attention does it all.
    """
    if not need_weights:
        return _attention.scaled_dot_product_attention(q, k, v, mask, p, is_causal), None
    w = _attention.attention_weights(q, k, mask, safe=False)
    if p > 0.0:
        w = _dropout.dropout(w, p)
    return w @ v, (w.mean(dim=1) if average else w)


def _split_heads(t, H, bdim):
    """(L, N, E) or (N, L, E) -> (N, H, L, E/H): a view, the heads taken from the last dim."""
    a, b, E = t.shape
    t = _shape.reshape(t, (a, b, H, E // H))
    return _shape.permute(t, (1, 2, 0, 3) if bdim == 1 else (0, 2, 1, 3))


def _merge_heads(t, bdim):
    """(N, H, L, D) -> (L, N, H·D) or (N, L, H·D): the heads side by side again."""
    N, H, L, D = t.shape
    if bdim == 1:
        return _shape.reshape(_shape.permute(t, (2, 0, 1, 3)), (L, N, H * D))
    return _shape.reshape(_shape.permute(t, (0, 2, 1, 3)), (N, L, H * D))
