"""The Transformer of "Attention Is All You Need": encoder/decoder layers, their stacks, the full model, and a
sinusoidal positional encoding (a glasstorch addition).

One encoder layer, post-norm (``norm_first=False``, the paper's) or pre-norm (``norm_first=True``):

    post-norm:  x = norm1(x + SA(x));          x = norm2(x + FF(x))
    pre-norm:   x = x + SA(norm1(x));          x = x + FF(norm2(x))

with SA the self-attention block ``dropout1(self_attn(x, x, x))`` and FF the feed-forward block
``dropout2(linear2(dropout(activation(linear1(x)))))``. A decoder layer adds a cross-attention block
``dropout2(multihead_attn(x, memory, memory))`` between them (norms norm1..3, dropouts dropout1..3).

Submodule names, state_dict keys, defaults, masks and errors follow PyTorch 2.x. Masks: a bool mask is True
where attention is NOT allowed; a float mask is added to the attention scores (−inf blocks).

Deviation: PyTorch's inference fast path (``torch._transformer_encoder_layer_fwd`` and nested tensors for
``src_key_padding_mask``) does not exist here; glasstorch always takes the plain path, which computes the
same values. One visible difference: in inference with a padding mask, PyTorch's nested-tensor path returns
zeros (before the final norm) at padded positions of ``TransformerEncoder``; glasstorch computes those
positions like any other (they attend to the unpadded keys). ``enable_nested_tensor`` is accepted and
stored, ``use_nested_tensor`` is always False, and no warning about it is given. Transformer's shape errors
carry PyTorch's text followed by the shapes involved.
"""
import copy
import math
import warnings

from ... import creation
from ..._dtype import bool_ as _bool
from ..._dtype import float64, get_default_dtype
from ...ops import activation as _activation
from .. import init
from .activation import GELU, ReLU
from .attention import MultiheadAttention
from .container import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
           "TransformerDecoderLayer", "sinusoidal_positional_encoding", "PositionalEncoding"]


def _generate_square_subsequent_mask(sz, device=None, dtype=None):
    """(sz, sz) float mask: −inf above the diagonal (future positions), 0 on and below it."""
    return creation.full((sz, sz), float("-inf"), dtype=dtype, device=device).triu(diagonal=1)


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask as a float mask of ``target_type`` (−inf where True, 0 elsewhere); float masks pass."""
    if mask is None:
        return None
    is_float = mask.is_floating_point()
    if mask.dtype != _bool and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=2)
    if not is_float:
        mask = creation.zeros_like(mask, dtype=target_type).masked_fill(mask, float("-inf"))
    return mask


def _dtype_or_none(mask):
    return None if mask is None else mask.dtype


def _seq_len(src, batch_first):
    if src.dim() == 2:
        return src.size(0)
    return src.size(1 if batch_first else 0)


def _detect_is_causal_mask(mask, is_causal=None, size=None):
    """``is_causal`` if given; otherwise whether ``mask`` equals the causal mask of ``size`` (or its own)."""
    if is_causal is not None or mask is None:
        return is_causal is True
    sz = size if size is not None else mask.size(-2)
    causal = _generate_square_subsequent_mask(sz, device=mask.device, dtype=mask.dtype)
    if mask.size() != causal.size():
        return False
    return bool((mask == causal).all())


def _get_activation_fn(activation):
    if activation == "relu":
        return _activation.relu
    if activation == "gelu":
        return _activation.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _get_clones(module, n):
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


class Transformer(Module):
    """Encoder (``num_encoder_layers`` layers + final LayerNorm) and decoder (``num_decoder_layers`` + final
    LayerNorm); ``forward(src, tgt)`` returns the decoder's output, shaped like ``tgt``.

    Every parameter with more than one dim starts as xavier_uniform_ (``_reset_parameters``), as in PyTorch.
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation=_activation.relu, custom_encoder=None, custom_decoder=None,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        factory = dict(device=device, dtype=dtype)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                                            batch_first, norm_first, bias, **factory)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                                            batch_first, norm_first, bias, **factory)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        self._check_shapes(src, tgt)
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)

    def _check_shapes(self, src, tgt):
        shapes = f"(src {tuple(src.shape)}, tgt {tuple(tgt.shape)}, batch_first={self.batch_first})"
        if src.dim() == 3:
            batch_dim = 0 if self.batch_first else 1
            if src.size(batch_dim) != tgt.size(batch_dim):
                raise RuntimeError(f"the batch number of src and tgt must be equal {shapes}")
        if src.size(-1) != self.d_model or tgt.size(-1) != self.d_model:
            raise RuntimeError(f"the feature number of src and tgt must be equal to d_model "
                               f"(d_model={self.d_model}) {shapes}")

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None):
        """The causal mask: (sz, sz), −inf above the diagonal, 0.0 elsewhere."""
        return _generate_square_subsequent_mask(sz, device=device, dtype=dtype)

    def _reset_parameters(self):
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)


class TransformerEncoder(Module):
    """``num_layers`` deep copies of ``encoder_layer`` (in ``layers``), then ``norm`` if given.

    A bool ``mask`` / ``src_key_padding_mask`` becomes a float −inf mask first; ``is_causal=None`` detects
    whether ``mask`` is the causal mask. ``enable_nested_tensor`` and ``mask_check`` are accepted for
    PyTorch's API; glasstorch has no nested-tensor fast path (see the module docstring).
    """

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = False  # glasstorch always takes the plain path
        self.mask_check = mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                               _dtype_or_none(mask), "mask", src.dtype)
        mask = _canonical_mask(mask, "mask", None, "", src.dtype, check_other=False)
        batch_first = self.layers[0].self_attn.batch_first
        is_causal = _detect_is_causal_mask(mask, is_causal, _seq_len(src, batch_first))
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, is_causal=is_causal, src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(Module):
    """``num_layers`` deep copies of ``decoder_layer`` (in ``layers``), then ``norm`` if given.

    ``tgt_is_causal=None`` detects whether ``tgt_mask`` is the causal mask.
    """

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        batch_first = self.layers[0].self_attn.batch_first
        tgt_is_causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, _seq_len(tgt, batch_first))
        output = tgt
        for layer in self.layers:
            output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                           tgt_key_padding_mask=tgt_key_padding_mask,
                           memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                           memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerEncoderLayer(Module):
    """Self-attention block and feed-forward block, each with a residual connection and a LayerNorm
    (after the residual sum, or before the block when ``norm_first``). ``activation``: "relu", "gelu" or a
    callable (a Module is registered as the submodule ``activation``, as in PyTorch).

    Input (S, E), (S, N, E) or, with ``batch_first``, (N, S, E); the output has the same shape.
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=_activation.relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        factory = dict(device=device, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            **factory)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        # PyTorch's flag for its fast path (1 relu, 2 gelu, 0 other); kept for API parity, unused here
        if activation is _activation.relu or isinstance(activation, ReLU):
            self.activation_relu_or_gelu = 1
        elif activation is _activation.gelu or isinstance(activation, GELU):
            self.activation_relu_or_gelu = 2
        else:
            self.activation_relu_or_gelu = 0
        self.activation = activation

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        src_key_padding_mask = _canonical_mask(src_key_padding_mask, "src_key_padding_mask",
                                               _dtype_or_none(src_mask), "src_mask", src.dtype)
        src_mask = _canonical_mask(src_mask, "src_mask", None, "", src.dtype, check_other=False)
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerDecoderLayer(Module):
    """Self-attention over ``tgt``, cross-attention to ``memory`` (the encoder's output) and a feed-forward
    block, each with a residual connection and a LayerNorm (after, or before with ``norm_first``).

    tgt (T, E), (T, N, E) or (N, T, E) with ``batch_first``; memory likewise with S positions.
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation=_activation.relu,
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        factory = dict(device=device, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias,
                                            **factory)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first,
                                                 bias=bias, **factory)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **factory)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **factory)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, **factory)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        self.activation = activation

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, is_causal=is_causal,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                is_causal=is_causal, need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout3(x)


def sinusoidal_positional_encoding(length, d_model, dtype=None):
    """The (length, d_model) table of "Attention Is All You Need" (glasstorch only; PyTorch has none):

        PE[pos, 2i]   = sin(pos / 10000^(2i / d_model))
        PE[pos, 2i+1] = cos(pos / 10000^(2i / d_model))

    Computed in float64, returned in ``dtype`` (default: the default dtype). An odd d_model ends on a sine
    column. No gradient flows into it.
    """
    position = creation.arange(length, dtype=float64).unsqueeze(1)               # (length, 1)
    two_i = creation.arange(0, d_model, 2, dtype=float64)                        # (⌈d/2⌉,)
    angle = position * (two_i * (-math.log(10000.0) / d_model)).exp()            # pos / 10000^(2i/d)
    table = creation.zeros((length, d_model), dtype=float64)
    table[:, 0::2] = angle.sin()
    table[:, 1::2] = angle[:, : d_model // 2].cos()
    return table.to(dtype if dtype is not None else get_default_dtype())


class PositionalEncoding(Module):
    """Adds the sinusoidal table (``sinusoidal_positional_encoding``) to its input, then dropout
    (glasstorch only; PyTorch has no such layer — it is the one of PyTorch's Transformer tutorial).

    Input (S, N, E), (N, S, E) with ``batch_first``, or unbatched (S, E), with S ≤ ``max_len`` and
    E = ``d_model``. The table is the buffer ``pe`` of shape (max_len, d_model), registered non-persistent:
    it is a fixed function of (max_len, d_model), so it stays out of ``state_dict`` (checkpoints do not
    depend on max_len) but moves with ``.to()``. Nothing here is learned; scale embeddings by √d_model
    beforehand if you follow the paper.
    """

    def __init__(self, d_model, max_len=5000, dropout=0.0, batch_first=False):
        super().__init__()
        self.d_model = d_model
        self.max_len = max_len
        self.batch_first = batch_first
        self.dropout = Dropout(p=dropout)
        self.register_buffer("pe", sinusoidal_positional_encoding(max_len, d_model), persistent=False)

    def forward(self, x):
        if x.dim() not in (2, 3) or x.size(-1) != self.d_model:
            raise RuntimeError(f"PositionalEncoding(d_model={self.d_model}) expects input (S, E), (S, N, E) or "
                               f"(N, S, E) with E={self.d_model}, got shape {tuple(x.shape)}")
        seq_dim = 1 if (self.batch_first and x.dim() == 3) else 0
        length = x.size(seq_dim)
        if length > self.max_len:
            raise RuntimeError(f"PositionalEncoding: sequence length {length} (input shape {tuple(x.shape)}) "
                               f"exceeds max_len={self.max_len}")
        pe = self.pe[:length]
        if pe.dtype != x.dtype:
            pe = pe.to(x.dtype)
        if x.dim() == 3 and not self.batch_first:
            pe = pe.unsqueeze(1)  # (S, 1, E): broadcast over the batch
        return self.dropout(x + pe)

    def extra_repr(self):
        return f"d_model={self.d_model}, max_len={self.max_len}, batch_first={self.batch_first}"
