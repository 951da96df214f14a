"""Transformer layers against PyTorch, with copied (randomized) weights: encoder/decoder layers and stacks and
the full nn.Transformer, in eval mode and in train mode with dropout 0; masks (float and bool, causal,
key padding), is_causal, batch_first, norm_first, relu/gelu/callable activations; outputs and the gradients
of inputs and every parameter; reprs and state_dict keys; errors; float64 gradchecks; the causal mask; the
glasstorch-only sinusoidal positional encoding; and a tiny training run that learns to shift a sequence."""
import math

import numpy as np
import pytest
import torch

import glasstorch
from parity import check_error, gradcheck
from twins import compare_forward_backward, same_repr, to_glass, twins

pytestmark = [pytest.mark.filterwarnings("ignore:enable_nested_tensor is True"),
              pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")]

TOL = dict(rtol=1e-4, atol=3e-5)  # a few float32 roundings deeper than one op
D, H, FF = 8, 2, 16                 # d_model, nhead, dim_feedforward of the small layers
S, T, N = 5, 4, 3                   # source length, target length, batch


class _Call:
    """A model called with fixed keyword arguments (masks made for its library), for compare_forward_backward."""

    def __init__(self, model, **kwargs):
        self.model = model
        self.kwargs = kwargs

    def __call__(self, *inputs):
        return self.model(*inputs, **self.kwargs)

    def named_parameters(self):
        return self.model.named_parameters()


def _randomize(t_model, g_model, seed=0):
    """Random values for every parameter (zero biases and unit LayerNorm weights would hide mistakes)."""
    rng = np.random.default_rng(seed)
    state = {}
    for k, v in t_model.state_dict().items():
        a = rng.uniform(-0.5, 0.5, tuple(v.shape))
        if "norm" in k and k.endswith("weight"):
            a += 1.0
        state[k] = torch.from_numpy(a.astype(np.float32))
    t_model.load_state_dict(state)
    g_model.load_state_dict({k: to_glass(v) for k, v in state.items()})


def _set_mode(mode, *models):
    for m in models:
        m.train(mode == "train")


def _dropout_for(mode):
    return 0.0 if mode == "train" else 0.1  # eval mode must switch a nonzero dropout off


def _masks(**arrays):
    """{name: array} -> ({name: torch tensor}, {name: glasstorch tensor}); None values stay None."""
    t, g = {}, {}
    for name, a in arrays.items():
        if a is None or isinstance(a, bool):
            t[name] = g[name] = a
        else:
            t[name], g[name] = torch.from_numpy(a.copy()), glasstorch.from_numpy(a.copy())
    return t, g


def _causal(n, dtype=np.float32):
    m = np.triu(np.full((n, n), -np.inf, dtype=np.float32), 1)
    return m if dtype == np.float32 else np.isinf(m)


def _causal_rect(rows, cols, dtype=np.float32):
    """The causal mask of an (rows, cols) score matrix from the top-left corner, as sdpa's is_causal makes it:
    query i may see keys 0..i. float: 0 / −inf; bool: True = may not attend (MultiheadAttention's meaning)."""
    m = np.triu(np.full((rows, cols), -np.inf, dtype=np.float32), 1)
    return m if dtype == np.float32 else np.isinf(m)


def _padding(batch, length, seed=0):
    """A bool key-padding mask (batch, length): each row keeps at least its first position."""
    rng = np.random.default_rng(seed)
    pad = rng.random((batch, length)) < 0.4
    pad[:, 0] = False
    return pad


def _seq_shape(length, batch_first, batch=N, d=D):
    return (batch, length, d) if batch_first else (length, batch, d)


def _compare(t_model, g_model, shapes, tol=TOL, **arrays):
    t_kw, g_kw = _masks(**arrays)
    return compare_forward_backward(_Call(t_model, **t_kw), _Call(g_model, **g_kw), *shapes, tol=tol)


# ---------------------------------------------------------------------------------------------- encoder layer

@pytest.mark.parametrize("batch_first,mode", [(False, "eval"), (True, "train"), (True, "eval")])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_matches_pytorch(norm_first, activation, batch_first, mode):
    t, g = twins(lambda lib: lib.nn.TransformerEncoderLayer(D, H, FF, _dropout_for(mode), activation,
                                                            batch_first=batch_first, norm_first=norm_first))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict())
    _randomize(t, g)
    _set_mode(mode, t, g)
    _compare(t, g, [_seq_shape(S, batch_first)])


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("masks", ["float_causal", "bool_causal", "is_causal", "padding", "float_3d",
                                   "bool_mask_and_padding"])
def test_encoder_layer_masks_match_pytorch(masks, batch_first):
    t, g = twins(lambda lib: lib.nn.TransformerEncoderLayer(D, H, FF, 0.0, batch_first=batch_first))
    _randomize(t, g, seed=1)
    arrays = dict(float_causal=dict(src_mask=_causal(S)),
                  bool_causal=dict(src_mask=_causal(S, bool)),
                  is_causal=dict(src_mask=_causal(S), is_causal=True),
                  padding=dict(src_key_padding_mask=_padding(N, S)),
                  float_3d=dict(src_mask=np.random.default_rng(2).standard_normal((N * H, S, S)).astype(np.float32)),
                  bool_mask_and_padding=dict(src_mask=_causal(S, bool), src_key_padding_mask=_padding(N, S)))[masks]
    _compare(t, g, [_seq_shape(S, batch_first)], **arrays)


def test_encoder_layer_mismatched_mask_types_warn_like_pytorch():
    t, g = twins(lambda lib: lib.nn.TransformerEncoderLayer(D, H, FF, 0.0))
    _randomize(t, g)
    arrays = dict(src_mask=_causal(S), src_key_padding_mask=_padding(N, S))
    with pytest.warns(UserWarning, match="mismatched src_key_padding_mask and src_mask"):
        _compare(t, g, [(S, N, D)], **arrays)


def test_encoder_layer_unbatched_input():
    t, g = twins(lambda lib: lib.nn.TransformerEncoderLayer(D, H, FF, 0.0, norm_first=True))
    _randomize(t, g)
    _compare(t, g, [(S, D)], src_mask=_causal(S, bool), src_key_padding_mask=_padding(1, S)[0])


@pytest.mark.parametrize("activation", ["function", "module"])
def test_encoder_layer_callable_activation(activation):
    def build(lib):
        act = lib.nn.functional.gelu if activation == "function" else lib.nn.GELU(approximate="tanh")
        return lib.nn.TransformerEncoderLayer(D, H, FF, 0.0, act, bias=False)

    t, g = twins(build)
    same_repr(t, g)  # a Module activation is a registered child, printed last
    assert list(g.state_dict()) == list(t.state_dict())
    assert g.activation_relu_or_gelu == t.activation_relu_or_gelu == 2
    _randomize(t, g)
    _compare(t, g, [(S, N, D)])


def test_encoder_layer_eval_without_grad_matches_pytorch_fast_path():
    """With no_grad in eval mode PyTorch takes _transformer_encoder_layer_fwd; the plain path agrees."""
    t, g = twins(lambda lib: lib.nn.TransformerEncoderLayer(D, H, FF, batch_first=True))
    _randomize(t, g)
    t.eval(), g.eval()
    x = np.random.default_rng(3).standard_normal((N, S, D)).astype(np.float32)
    pad = _padding(N, S)
    with torch.no_grad():
        want = t(torch.from_numpy(x), src_key_padding_mask=torch.from_numpy(pad))
    with glasstorch.no_grad():
        got = g(glasstorch.from_numpy(x), src_key_padding_mask=glasstorch.from_numpy(pad))
    np.testing.assert_allclose(got.numpy(), want.numpy(), **TOL)


def test_encoder_layer_errors_like_pytorch():
    check_error(lambda lib: lib.nn.TransformerEncoderLayer(D, H, activation="tanh"), exc=RuntimeError,
                match="activation should be relu/gelu, not tanh")
    int_mask = np.zeros((S, S), dtype=np.int64)
    layer = {lib: lib.nn.TransformerEncoderLayer(D, H, FF) for lib in (torch, glasstorch)}
    check_error(lambda lib, x, m: layer[lib](x, src_mask=m), (S, N, D), int_mask, exc=AssertionError,
                match="only bool and floating types of src_mask are supported")


# ---------------------------------------------------------------------------------------------- encoder stack

@pytest.mark.parametrize("masks,batch_first,mode", [("none", False, "eval"), ("none", True, "train"),
                                                    ("causal_and_padding", True, "eval"),
                                                    ("causal_and_padding", False, "train"),
                                                    ("bool_causal_detected", False, "eval"),
                                                    ("bool_causal_detected", True, "train")])
def test_encoder_stack_with_final_norm_matches_pytorch(masks, batch_first, mode):
    def build(lib):
        layer = lib.nn.TransformerEncoderLayer(D, H, FF, _dropout_for(mode), batch_first=batch_first)
        return lib.nn.TransformerEncoder(layer, 2, norm=lib.nn.LayerNorm(D), enable_nested_tensor=False)

    t, g = twins(build)
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict())
    assert "layers.1.self_attn.in_proj_weight" in g.state_dict()
    _randomize(t, g)
    _set_mode(mode, t, g)
    arrays = dict(none={}, causal_and_padding=dict(mask=_causal(S, bool), src_key_padding_mask=_padding(N, S)),
                  bool_causal_detected=dict(mask=_causal(S, bool)))[masks]
    _compare(t, g, [_seq_shape(S, batch_first)], **arrays)


def test_encoder_stack_holds_deep_copies():
    layer = glasstorch.nn.TransformerEncoderLayer(D, H, FF)
    enc = glasstorch.nn.TransformerEncoder(layer, 3)
    assert isinstance(enc.layers, glasstorch.nn.ModuleList) and len(enc.layers) == 3 and enc.num_layers == 3
    assert enc.norm is None and enc.layers[0] is not layer
    w = [m.self_attn.in_proj_weight for m in enc.layers]
    assert w[0] is not w[1] and np.array_equal(w[0].detach().numpy(), w[1].detach().numpy())
    assert len(list(enc.parameters())) == 3 * len(list(layer.parameters()))


def test_encoder_stack_with_padding_in_inference_matches_pytorch_where_not_padded():
    """PyTorch's nested-tensor path zeroes padded positions; every other position agrees."""
    def build(lib):
        return lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(D, H, FF, batch_first=True), 2)

    t, g = twins(build)
    _randomize(t, g)
    t.eval(), g.eval()
    x = np.random.default_rng(4).standard_normal((N, S, D)).astype(np.float32)
    pad = np.zeros((N, S), dtype=bool)
    pad[0, 3:] = pad[2, 4:] = True  # left-aligned, as the nested-tensor path wants
    with torch.no_grad():
        want = t(torch.from_numpy(x), src_key_padding_mask=torch.from_numpy(pad)).numpy()
    with glasstorch.no_grad():
        got = g(glasstorch.from_numpy(x), src_key_padding_mask=glasstorch.from_numpy(pad)).numpy()
    np.testing.assert_allclose(got[~pad], want[~pad], **TOL)
    assert (want[pad] == 0).all() and (got[pad] != 0).all()  # the documented difference


# ---------------------------------------------------------------------------------------------- decoder

@pytest.mark.parametrize("mode", ["eval", "train"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_matches_pytorch(norm_first, batch_first, mode):
    t, g = twins(lambda lib: lib.nn.TransformerDecoderLayer(D, H, FF, _dropout_for(mode), "gelu",
                                                            batch_first=batch_first, norm_first=norm_first))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict())
    _randomize(t, g)
    _set_mode(mode, t, g)
    shapes = [_seq_shape(T, batch_first), _seq_shape(S, batch_first)]
    _compare(t, g, shapes, tgt_mask=_causal(T), memory_key_padding_mask=_padding(N, S))


@pytest.mark.parametrize("masks", ["tgt_padding", "memory_mask", "tgt_is_causal", "bool_masks"])
def test_decoder_layer_masks_match_pytorch(masks):
    t, g = twins(lambda lib: lib.nn.TransformerDecoderLayer(D, H, FF, 0.0))
    _randomize(t, g, seed=2)
    memory_mask = np.random.default_rng(5).standard_normal((T, S)).astype(np.float32)
    arrays = dict(tgt_padding=dict(tgt_key_padding_mask=_padding(N, T, seed=1)),
                  memory_mask=dict(memory_mask=memory_mask),
                  tgt_is_causal=dict(tgt_mask=_causal(T), tgt_is_causal=True),
                  bool_masks=dict(tgt_mask=_causal(T, bool), memory_mask=memory_mask > 1.0,
                                  tgt_key_padding_mask=_padding(N, T, seed=1),
                                  memory_key_padding_mask=_padding(N, S)))[masks]
    _compare(t, g, [(T, N, D), (S, N, D)], **arrays)


@pytest.mark.parametrize("masks", ["float", "bool", "with_padding"])
@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_memory_is_causal_matches_pytorch(norm_first, masks):
    """memory_is_causal: a hint that memory_mask is the (T, S) causal mask; PyTorch then lets sdpa build the
    triangle itself, unless a memory_key_padding_mask is given, when the mask is used as it is."""
    t, g = twins(lambda lib: lib.nn.TransformerDecoderLayer(D, H, FF, 0.0, batch_first=True, norm_first=norm_first))
    _randomize(t, g, seed=4)
    kind = np.float32 if masks == "float" else bool  # bool with the bool padding masks: no mismatch warning
    arrays = dict(tgt_mask=_causal(T, kind), tgt_is_causal=True, memory_mask=_causal_rect(T, S, kind),
                  memory_is_causal=True)
    if masks == "with_padding":
        arrays.update(tgt_key_padding_mask=_padding(N, T, seed=1), memory_key_padding_mask=_padding(N, S))
    _compare(t, g, [_seq_shape(T, True), _seq_shape(S, True)], **arrays)


@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_stack_memory_is_causal_matches_pytorch(batch_first):
    def build(lib):
        layer = lib.nn.TransformerDecoderLayer(D, H, FF, 0.0, batch_first=batch_first)
        return lib.nn.TransformerDecoder(layer, 2, norm=lib.nn.LayerNorm(D))

    t, g = twins(build)
    _randomize(t, g, seed=5)
    shapes = [_seq_shape(T, batch_first), _seq_shape(S, batch_first)]
    _compare(t, g, shapes, tgt_mask=_causal(T), memory_mask=_causal_rect(T, S), memory_is_causal=True)
    _compare(t, g, shapes, tgt_mask=_causal(T, bool), tgt_is_causal=True, memory_mask=_causal_rect(T, S, bool),
             memory_is_causal=True, memory_key_padding_mask=_padding(N, S))


@pytest.mark.parametrize("mode", ["eval", "train"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_stack_with_final_norm_matches_pytorch(batch_first, mode):
    def build(lib):
        layer = lib.nn.TransformerDecoderLayer(D, H, FF, _dropout_for(mode), batch_first=batch_first,
                                               norm_first=True)
        return lib.nn.TransformerDecoder(layer, 2, norm=lib.nn.LayerNorm(D))

    t, g = twins(build)
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict())
    _randomize(t, g)
    _set_mode(mode, t, g)
    shapes = [_seq_shape(T, batch_first), _seq_shape(S, batch_first)]
    _compare(t, g, shapes, tgt_mask=_causal(T), memory_key_padding_mask=_padding(N, S))


# ---------------------------------------------------------------------------------------------- Transformer

def _small_transformer(lib, **kwargs):
    kwargs = dict(dict(d_model=16, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=32,
                       dropout=0.0), **kwargs)
    return lib.nn.Transformer(**kwargs)


@pytest.mark.parametrize("mode", ["eval", "train"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_matches_pytorch(norm_first, activation, batch_first, mode):
    t, g = twins(lambda lib: _small_transformer(lib, batch_first=batch_first, dropout=_dropout_for(mode),
                                                norm_first=norm_first, activation=activation))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict())
    _randomize(t, g)
    _set_mode(mode, t, g)
    shapes = [_seq_shape(S, batch_first, d=16), _seq_shape(T, batch_first, d=16)]
    _compare(t, g, shapes, tgt_mask=_causal(T), src_key_padding_mask=_padding(N, S),
             memory_key_padding_mask=_padding(N, S), tol=dict(rtol=1e-4, atol=5e-5))


def test_transformer_norm_first_unbatched_matches_pytorch():
    t, g = twins(lambda lib: _small_transformer(lib, norm_first=True, activation="gelu"))
    _randomize(t, g, seed=3)
    _compare(t, g, [(S, 16), (T, 16)], tgt_mask=_causal(T), tgt_is_causal=True,
             tol=dict(rtol=1e-4, atol=5e-5))


@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_causal_hints_match_pytorch(batch_first):
    """src_is_causal / tgt_is_causal / memory_is_causal with the causal src, tgt and (T, S) memory masks, with
    and without key padding masks (which make PyTorch use the masks instead of the hints)."""
    t, g = twins(lambda lib: _small_transformer(lib, batch_first=batch_first, norm_first=True))
    _randomize(t, g, seed=6)
    shapes = [_seq_shape(S, batch_first, d=16), _seq_shape(T, batch_first, d=16)]
    tol = dict(rtol=1e-4, atol=5e-5)
    for kind, padding in ((np.float32, {}),
                          (bool, dict(src_key_padding_mask=_padding(N, S), tgt_key_padding_mask=_padding(N, T, 1),
                                      memory_key_padding_mask=_padding(N, S)))):  # bool with bool: no warning
        _compare(t, g, shapes, tol=tol, src_mask=_causal(S, kind), src_is_causal=True, tgt_mask=_causal(T, kind),
                 tgt_is_causal=True, memory_mask=_causal_rect(T, S, kind), memory_is_causal=True, **padding)


def test_transformer_structure_and_init():
    g = _small_transformer(glasstorch, bias=False)
    t = _small_transformer(torch, bias=False)
    assert list(g.state_dict()) == list(t.state_dict())
    assert "encoder.norm.weight" in g.state_dict() and "decoder.norm.weight" in g.state_dict()
    assert (g.d_model, g.nhead, g.batch_first) == (16, 2, False)
    # _reset_parameters: xavier_uniform_ on every >1-D parameter, each drawn separately
    for name, p in g.named_parameters():
        a = p.detach().numpy()
        if a.ndim > 1:
            fan_out, fan_in = a.shape
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            assert np.abs(a).max() <= bound and np.abs(a).max() > 0.5 * bound, name
    w0 = g.encoder.layers[0].linear1.weight.detach().numpy()
    w1 = g.encoder.layers[1].linear1.weight.detach().numpy()
    assert not np.array_equal(w0, w1)


def test_factory_dtype_reaches_every_parameter():
    model = glasstorch.nn.Transformer(D, H, 1, 1, FF, dtype=glasstorch.float64)
    assert {p.dtype for p in model.parameters()} == {glasstorch.float64}
    f64 = glasstorch.float64
    out = model(glasstorch.randn(S, N, D, dtype=f64), glasstorch.randn(T, N, D, dtype=f64))
    assert out.dtype == glasstorch.float64 and tuple(out.shape) == (T, N, D)


def test_transformer_custom_encoder_decoder():
    enc = glasstorch.nn.TransformerEncoder(glasstorch.nn.TransformerEncoderLayer(D, H, FF), 1)
    dec = glasstorch.nn.TransformerDecoder(glasstorch.nn.TransformerDecoderLayer(D, H, FF), 1)
    model = glasstorch.nn.Transformer(D, H, custom_encoder=enc, custom_decoder=dec)
    assert model.encoder is enc and model.decoder is dec
    out = model(glasstorch.randn(S, N, D), glasstorch.randn(T, N, D))
    assert tuple(out.shape) == (T, N, D)


def test_transformer_shape_errors_like_pytorch():
    model = {lib: _small_transformer(lib) for lib in (torch, glasstorch)}
    err = check_error(lambda lib, s, t: model[lib](s, t), (S, 2, 16), (T, 3, 16), exc=RuntimeError,
                      match="the batch number of src and tgt must be equal")
    assert "(5, 2, 16)" in str(err) and "(4, 3, 16)" in str(err)
    check_error(lambda lib, s, t: model[lib](s, t), (S, N, 16), (T, N, 12), exc=RuntimeError,
                match="the feature number of src and tgt must be equal to d_model")
    model_bf = {lib: _small_transformer(lib, batch_first=True) for lib in (torch, glasstorch)}
    check_error(lambda lib, s, t: model_bf[lib](s, t), (2, S, 16), (3, T, 16), exc=RuntimeError,
                match="the batch number of src and tgt must be equal")


@pytest.mark.parametrize("sz", [1, 4, 7])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_generate_square_subsequent_mask_matches_pytorch(sz, dtype):
    want = torch.nn.Transformer.generate_square_subsequent_mask(sz, dtype=dtype and getattr(torch, dtype))
    got = glasstorch.nn.Transformer.generate_square_subsequent_mask(sz, dtype=dtype and getattr(glasstorch, dtype))
    assert str(got.dtype) == str(want.dtype)
    assert not got.requires_grad
    np.testing.assert_array_equal(got.numpy(), want.numpy())


# ---------------------------------------------------------------------------------------------- gradcheck

def test_encoder_layer_gradcheck_float64():
    glasstorch.manual_seed(0)
    layer = glasstorch.nn.TransformerEncoderLayer(4, 2, 6, 0.0, "gelu", norm_first=True).double()
    mask = glasstorch.nn.Transformer.generate_square_subsequent_mask(3, dtype=glasstorch.float64)
    gradcheck(lambda lib, x: layer(x, src_mask=mask), (3, 2, 4))


def test_transformer_gradcheck_float64():
    glasstorch.manual_seed(0)
    model = glasstorch.nn.Transformer(4, 2, 1, 1, 6, 0.0).double()
    mask = glasstorch.nn.Transformer.generate_square_subsequent_mask(2, dtype=glasstorch.float64)
    gradcheck(lambda lib, s, t: model(s, t, tgt_mask=mask), (3, 2, 4), (2, 2, 4))


# ---------------------------------------------------------------------------------------------- positions

def _pe_formula(length, d):
    pe = np.zeros((length, d))
    for pos in range(length):
        for j in range(d):
            i2 = j - j % 2  # the 2i shared by columns 2i and 2i+1
            angle = pos / 10000 ** (i2 / d)
            pe[pos, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return pe


@pytest.mark.parametrize("length,d", [(1, 4), (7, 6), (50, 9)])
def test_sinusoidal_positional_encoding_values(length, d):
    pe = glasstorch.nn.sinusoidal_positional_encoding(length, d)
    assert tuple(pe.shape) == (length, d) and pe.dtype == glasstorch.float32 and not pe.requires_grad
    np.testing.assert_allclose(pe.numpy(), _pe_formula(length, d), rtol=1e-6, atol=1e-6)
    pe64 = glasstorch.nn.sinusoidal_positional_encoding(length, d, dtype=glasstorch.float64)
    assert pe64.dtype == glasstorch.float64
    np.testing.assert_allclose(pe64.numpy(), _pe_formula(length, d), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape,batch_first", [((5, 3, 6), False), ((3, 5, 6), True), ((5, 6), False),
                                               ((5, 6), True)], ids=str)
def test_positional_encoding_module_adds_the_table(shape, batch_first):
    module = glasstorch.nn.PositionalEncoding(6, max_len=20, batch_first=batch_first)
    assert tuple(module.pe.shape) == (20, 6) and "pe" in dict(module.named_buffers())
    assert list(module.state_dict()) == []  # non-persistent: a fixed function of (max_len, d_model)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    xt = glasstorch.from_numpy(x.copy()).requires_grad_()
    out = module(xt)
    table = _pe_formula(5, 6).astype(np.float32)
    if len(shape) == 3:
        table = table[None] if batch_first else table[:, None]
    np.testing.assert_allclose(out.detach().numpy(), x + table, rtol=1e-6, atol=1e-6)
    out.sum().backward()
    np.testing.assert_array_equal(xt.grad.numpy(), np.ones(shape, np.float32))


def test_positional_encoding_module_dropout_dtype_repr_and_errors():
    module = glasstorch.nn.PositionalEncoding(4, max_len=8, dropout=0.5)
    assert repr(module) == ("PositionalEncoding(\n  d_model=4, max_len=8, batch_first=False\n"
                            "  (dropout): Dropout(p=0.5, inplace=False)\n)")
    x = glasstorch.zeros(8, 2, 4)
    module.eval()
    np.testing.assert_allclose(module(x).numpy(), np.broadcast_to(_pe_formula(8, 4)[:, None], (8, 2, 4)),
                               rtol=1e-6, atol=1e-6)
    module.train()
    glasstorch.manual_seed(0)
    assert (module(glasstorch.ones(8, 2, 4) * 5).numpy() == 0).any()  # dropout acts in training
    module.double()
    assert module.pe.dtype == glasstorch.float64
    assert module(glasstorch.zeros(3, 1, 4, dtype=glasstorch.float64)).dtype == glasstorch.float64
    with pytest.raises(RuntimeError, match=r"sequence length 9 .*\(9, 2, 4\).* max_len=8"):
        module(glasstorch.zeros(9, 2, 4))
    with pytest.raises(RuntimeError, match=r"E=4, got shape \(3, 2, 5\)"):
        module(glasstorch.zeros(3, 2, 5))


# ---------------------------------------------------------------------------------------------- training

def test_one_layer_causal_encoder_learns_to_shift_a_sequence():
    """Output t must be input token t−1: a causal one-layer encoder with positions learns it in 300 steps."""
    nn = glasstorch.nn
    glasstorch.manual_seed(0)
    vocab, length, batch, d = 6, 8, 16, 32
    embed = nn.Linear(vocab, d, bias=False)  # one-hot tokens through a Linear (an embedding)
    positions = nn.PositionalEncoding(d, max_len=length, batch_first=True)
    layer = nn.TransformerEncoderLayer(d, 2, 2 * d, dropout=0.0, batch_first=True)
    head = nn.Linear(d, vocab)
    params = list(embed.parameters()) + list(layer.parameters()) + list(head.parameters())
    optimizer = glasstorch.optim.Adam(params, lr=5e-3)
    mask = nn.Transformer.generate_square_subsequent_mask(length)
    rng = np.random.default_rng(0)
    for step in range(300):
        tokens = rng.integers(0, vocab, size=(batch, length))
        x = glasstorch.from_numpy(np.eye(vocab, dtype=np.float32)[tokens])
        target = glasstorch.from_numpy(tokens[:, :-1].copy())  # position t predicts token t−1
        logits = head(layer(positions(embed(x) * math.sqrt(d)), src_mask=mask, is_causal=True))
        loss = nn.functional.cross_entropy(logits[:, 1:].reshape(-1, vocab), target.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if loss.item() < 0.05:
            break
    assert loss.item() < 0.05, f"loss {loss.item():.3f} after {step + 1} steps"
