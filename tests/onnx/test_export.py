"""glasstorch.onnx.export: each model's ONNX file, run in onnxruntime, gives glasstorch's own output."""
import io

import numpy as np
import pytest

import glasstorch as torch
import glasstorch.onnx  # noqa: F401
from glasstorch import nn
from glasstorch.labs import mnist_models

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

RTOL = 1e-5


def _export(model, args, **kw):
    f = io.BytesIO()
    torch.onnx.export(model, args, f, **kw)
    data = f.getvalue()
    onnx.checker.check_model(onnx.load_from_string(data))
    return ort.InferenceSession(data, providers=["CPUExecutionProvider"])


def _rel_err(got, want):
    """max |got - want| / max |want|: the error relative to the output's scale."""
    want = np.asarray(want)
    scale = max(float(np.abs(want).max()), 1e-30) if want.size else 1.0
    return float(np.abs(got - want).max()) / scale if want.size else 0.0


def _check(session, feeds, expected):
    got = session.run(None, feeds)
    assert len(got) == len(expected)
    errs = []
    for g, e in zip(got, expected):
        e = e.numpy() if hasattr(e, "numpy") else e
        assert g.shape == e.shape and g.dtype == e.dtype
        errs.append(_rel_err(g, e))
    assert max(errs) <= RTOL, errs
    return max(errs)


def _reference(model, *args):
    model.eval()
    with torch.no_grad():
        return model(*args)


@pytest.mark.parametrize("head", [None, "softmax", "log_softmax"])
def test_mlp(head):
    torch.manual_seed(0)
    layers = list(mnist_models.mlp(nn))
    if head == "softmax":
        layers.append(nn.Softmax(dim=1))
    elif head == "log_softmax":
        layers.append(nn.LogSoftmax(dim=1))
    model = nn.Sequential(*layers)
    x = torch.randn(4, 1, 28, 28)
    s = _export(model, (x,), input_names=["x"], output_names=["y"])
    _check(s, {"x": x.numpy()}, [_reference(model, x)])


def test_model_stays_in_training_mode_after_export():
    model = mnist_models.mlp(nn)
    model.train()
    torch.onnx.export(model, torch.randn(2, 1, 28, 28), io.BytesIO())
    assert model.training


@pytest.mark.parametrize("factory", [mnist_models.cnn, mnist_models.improved_cnn])
def test_cnn(factory):
    torch.manual_seed(0)
    model = factory(nn)
    if factory is mnist_models.improved_cnn:  # non-trivial running statistics for BatchNorm in eval
        model.train()
        with torch.no_grad():
            model(torch.randn(8, 1, 28, 28) * 2 + 0.5)
    x = torch.randn(3, 1, 28, 28)
    s = _export(model, x, input_names=["image"])
    _check(s, {"image": x.numpy()}, [_reference(model, x)])


def test_resnet18(tmp_path):
    from glasstorch.vision.models import resnet18
    torch.manual_seed(0)
    model = resnet18(num_classes=10)
    model.train()
    with torch.no_grad():
        model(torch.randn(4, 3, 64, 64))  # running stats away from 0 / 1
    x = torch.randn(2, 3, 64, 64)
    path = tmp_path / "resnet18.onnx"
    torch.onnx.export(model, (x,), str(path), input_names=["x"], output_names=["logits"])
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    names = {i.name for i in proto.graph.initializer}
    assert "conv1.weight" in names and "layer4.1.bn2.running_var" in names
    s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    _check(s, {"x": x.numpy()}, [_reference(model, x)])


def test_dynamic_batch_axis():
    torch.manual_seed(0)
    model = mnist_models.improved_cnn(nn).eval()
    s = _export(model, torch.randn(2, 1, 28, 28), input_names=["x"], output_names=["y"],
                dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    for n in (1, 5):
        x = torch.randn(n, 1, 28, 28)
        _check(s, {"x": x.numpy()}, [_reference(model, x)])


def test_dynamic_batch_axis_resnet():
    from glasstorch.vision.models import resnet18
    torch.manual_seed(0)
    model = resnet18(num_classes=5).eval()
    s = _export(model, torch.randn(1, 3, 32, 32), input_names=["x"], output_names=["y"],
                dynamic_axes={"x": [0], "y": [0]})
    for n in (1, 3):
        x = torch.randn(n, 3, 32, 32)
        _check(s, {"x": x.numpy()}, [_reference(model, x)])


class LanguageModel(nn.Module):
    """Embedding -> LSTM/GRU -> Linear, the state in and out (as the course's CharLSTM)."""

    def __init__(self, kind, vocab=20, hidden=16, num_layers=1, batch_first=True, bidirectional=False):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.rnn = getattr(nn, kind)(hidden, hidden, num_layers=num_layers, batch_first=batch_first,
                                     bidirectional=bidirectional)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), vocab)

    def forward(self, x, state):
        out, state = self.rnn(self.embed(x), state)
        return self.head(out), state


@pytest.mark.parametrize("kind,num_layers,batch_first,bidirectional", [
    ("LSTM", 1, True, False), ("LSTM", 2, False, False), ("LSTM", 2, True, True),
    ("GRU", 1, True, False), ("GRU", 2, True, False), ("GRU", 2, False, True),
    ("RNN", 2, True, False), ("RNN", 1, True, True)])
def test_recurrent_language_model(kind, num_layers, batch_first, bidirectional):
    torch.manual_seed(0)
    model = LanguageModel(kind, num_layers=num_layers, batch_first=batch_first, bidirectional=bidirectional).eval()
    B, T, D = 3, 7, 2 if bidirectional else 1
    x = torch.randint(0, 20, (B, T) if batch_first else (T, B))
    h = torch.randn(num_layers * D, B, 16)
    c = torch.randn(num_layers * D, B, 16)
    state = (h, c) if kind == "LSTM" else h
    in_names = ["x", "h0", "c0"] if kind == "LSTM" else ["x", "h0"]
    out_names = ["logits", "h1", "c1"] if kind == "LSTM" else ["logits", "h1"]
    seq = 1 if batch_first else 0
    dyn = {"x": {seq: "time"}, "logits": {seq: "time"}}
    s = _export(model, (x, state), input_names=in_names, output_names=out_names, dynamic_axes=dyn)
    for steps in (T, 4):  # the ONNX LSTM/GRU op keeps the sequence length free
        xs = torch.randint(0, 20, (B, steps) if batch_first else (steps, B))  # new ids, another length
        logits, new = _reference(model, xs, state)
        expected = [logits, *new] if kind == "LSTM" else [logits, new]
        feeds = {"x": xs.numpy(), "h0": h.numpy()}
        if kind == "LSTM":
            feeds["c0"] = c.numpy()
        _check(s, feeds, expected)


def test_char_lstm_without_state():
    from glasstorch.labs.char_lm import CharLSTM
    torch.manual_seed(0)
    model = CharLSTM(12, 8).eval()
    x = torch.randint(0, 12, (2, 5))
    s = _export(model, (x,), input_names=["x"])
    logits, (h, c) = _reference(model, x)
    _check(s, {"x": x.numpy()}, [logits, h, c])


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_encoder(norm_first):
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.1, batch_first=True,
                                       norm_first=norm_first)
    model = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(16), enable_nested_tensor=False)
    x = torch.randn(2, 5, 16)
    s = _export(model, x, input_names=["x"], output_names=["y"], dynamic_axes={"x": [0], "y": [0]})
    for n in (2, 3):
        x = torch.randn(n, 5, 16)
        _check(s, {"x": x.numpy()}, [_reference(model, x)])
    assert {"LayerNormalization", "Softmax", "MatMul"} <= {n.op_type for n in onnx.load_from_string(
        _bytes(model, x)).graph.node}


def _bytes(model, args, **kw):
    f = io.BytesIO()
    torch.onnx.export(model, args, f, **kw)
    return f.getvalue()


def test_causal_char_transformer():
    from glasstorch.labs.char_lm import CharTransformer
    torch.manual_seed(0)
    model = CharTransformer(12, 8, 16).eval()
    x = torch.randint(0, 12, (2, 6))
    s = _export(model, (x,), input_names=["x"], output_names=["logits"])
    x2 = torch.randint(0, 12, (2, 6))  # new ids: the ids are a real input, not a constant
    _check(s, {"x": x2.numpy()}, [_reference(model, x2)[0]])


class LastStep(nn.Module):
    """An LSTM classifier reading the last step: out[:, -1] (indexing is traced too)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 8, batch_first=True)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1]), x[:, 0, None, 1:3] * 2


def test_indexing_is_traced():
    torch.manual_seed(0)
    model = LastStep().eval()
    s = _export(model, torch.randn(2, 5, 4), input_names=["x"])
    x = torch.randn(2, 5, 4)
    _check(s, {"x": x.numpy()}, list(_reference(model, x)))


class Cumsum(nn.Module):
    def forward(self, x):
        return torch.cumsum(x, 0)


def test_op_without_exporter_raises_naming_it():
    with pytest.raises(torch.onnx.UnsupportedOperatorError, match="Cumsum|CumSum|cumsum"):
        torch.onnx.export(Cumsum(), torch.randn(3), io.BytesIO())
    assert issubclass(torch.onnx.errors.UnsupportedOperatorError, RuntimeError)


class FillsInPlace(nn.Module):
    def forward(self, x):
        y = x * 2
        y[0] = 5.0  # a write of given values: the exporter cannot follow it
        return y + 1


def test_untraceable_in_place_write_raises():
    with pytest.raises(torch.onnx.OnnxExporterError, match="in place"):
        torch.onnx.export(FillsInPlace(), torch.randn(3), io.BytesIO())


class UsesNumpy(nn.Module):
    def forward(self, x):
        return torch.tensor(x.numpy() * 2) + 1


def test_input_used_outside_the_ops_raises():
    with pytest.raises(torch.onnx.OnnxExporterError, match="depends on the input values"):
        torch.onnx.export(UsesNumpy(), torch.randn(3), io.BytesIO())


class Ignores(nn.Module):
    def forward(self, x, y):
        return x * 2


def test_unused_input_raises():
    with pytest.raises(torch.onnx.OnnxExporterError, match="input y reaches no traced op"):
        torch.onnx.export(Ignores(), (torch.randn(3), torch.randn(3)), io.BytesIO(), input_names=["x", "y"])


class BranchesOnValues(nn.Module):
    def forward(self, x):
        return x * 2 if x[0] > 0 else x - 1


def test_control_flow_on_values_raises():
    x = torch.tensor([1.0, -2.0, -3.0])
    with pytest.raises(torch.onnx.OnnxExporterError, match="control flow|depends on the input"):
        torch.onnx.export(BranchesOnValues(), x, io.BytesIO())


def test_in_place_relu_and_add_follow_the_value():
    class M(nn.Module):
        def forward(self, x):
            y = x * 1.5
            y.relu_()
            y += x
            return y

    x = torch.randn(4, 3)
    s = _export(M(), x, input_names=["x"])
    x2 = torch.randn(4, 3)
    _check(s, {"x": x2.numpy()}, [M()(x2)])


def test_file_object_path_and_options(tmp_path, capsys):
    model = mnist_models.mlp(nn).eval()
    x = torch.randn(1, 1, 28, 28)
    with open(tmp_path / "m.onnx", "wb") as fh:
        torch.onnx.export(model, (x,), fh, export_params=True, do_constant_folding=True, verbose=True,
                          opset_version=18)
    assert "Gemm" in capsys.readouterr().out
    proto = onnx.load(str(tmp_path / "m.onnx"))
    assert proto.opset_import[0].version == 18
    assert [i.name for i in proto.graph.input] == ["input_0"]
    with pytest.raises(torch.onnx.OnnxExporterError, match="export_params"):
        torch.onnx.export(model, (x,), io.BytesIO(), export_params=False)
    with pytest.raises(torch.onnx.OnnxExporterError, match="opset"):
        torch.onnx.export(model, (x,), io.BytesIO(), opset_version=13)


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *xs):
        return self.fn(*xs)


F = nn.functional
OPS = {
    "gelu": lambda x: F.gelu(x),
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": lambda x: F.silu(x),
    "mish": lambda x: F.mish(x),
    "leaky_relu": lambda x: F.leaky_relu(x, 0.1),
    "elu": lambda x: F.elu(x, 0.7),
    "selu": lambda x: F.selu(x),
    "softplus": lambda x: F.softplus(x * 10, beta=2, threshold=5),
    "hardtanh": lambda x: F.hardtanh(x, -0.5, 0.5),
    "hardsigmoid": lambda x: F.hardsigmoid(x * 4),
    "hardswish": lambda x: F.hardswish(x * 4),
    "clamp": lambda x: x.clamp(min=-0.3),
    "clamp_both": lambda x: torch.clamp(x, -0.3, 0.2),
    "abs_sqrt_log": lambda x: torch.log(torch.sqrt(x.abs() + 1)),
    "sin_cos_erf": lambda x: torch.sin(x) + torch.cos(x) * torch.erf(x),
    "reciprocal_pow": lambda x: torch.reciprocal(x.abs() + 1) ** 2 + 2 ** x,
    "max_min_where": lambda x: torch.where(x > 0, torch.maximum(x, x * 2), torch.minimum(x, -x)),
    "to_dtype_clone": lambda x: x.double().float().clone(),
    "cat_stack": lambda x: torch.cat([x, torch.stack([x, x], 0).sum(0)], dim=1),
    "expand_transpose": lambda x: x[:, :1].expand(4, 6).t().transpose(0, 1) + x.permute(1, 0).T,
    "squeeze_unsqueeze": lambda x: x.unsqueeze(0).unsqueeze(-1).squeeze(0).squeeze(-1) * 1.0,
    "select_narrow_chunk": lambda x: x.select(1, 2) + x.narrow(1, 1, 1).reshape(4) + x.chunk(2, 1)[1].sum(1),
    "pad": lambda x: F.pad(x, (1, 2, 0, 1), value=0.5),
    "reductions": lambda x: x.sum(1) + x.mean(1, keepdim=True).squeeze(1) + x.amax(1) + x.amin(0).sum(),
    "matmuls": lambda x: torch.mm(x, x.t()) + torch.bmm(x[None], x.t()[None])[0] + torch.mv(x, x[0]),
    "comparisons": lambda x: (x > 0).float() * x + (x <= -0.5).float() + (x != x[0]).float() + (0.2 == x).float(),
    "more_math": lambda x: torch.rsqrt(x.abs() + 1) + x.square() + torch.tan(x * 0.5) + torch.log2(x.abs() + 1)
    + torch.log10(x.abs() + 2) + torch.log1p(x.abs()) + torch.expm1(x) + F.softsign(x) + F.logsigmoid(x),
    "addmm": lambda x: torch.addmm(x[:, :4], x, x.t(), beta=0.5, alpha=2.0) + torch.addmm(x[:, :4], x, x.t()),
    "div_sub_neg_exp": lambda x: -(x / 3 - 1) + torch.exp(x) * torch.sigmoid(x) - torch.tanh(x),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_functional_ops(name):
    torch.manual_seed(0)
    model = Lambda(OPS[name])
    x = torch.randn(4, 6)
    s = _export(model, x, input_names=["x"])
    x2 = torch.randn(4, 6)
    _check(s, {"x": x2.numpy()}, [model(x2)])


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
                                dict(kernel_size=3, stride=2, ceil_mode=True)])
def test_avg_pool(kw):
    torch.manual_seed(0)
    model = nn.AvgPool2d(**kw)
    x = torch.randn(2, 3, 9, 9)
    s = _export(model, x, input_names=["x"])
    _check(s, {"x": x.numpy()}, [model(x)])


@pytest.mark.parametrize("kw", [dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=3, stride=2, ceil_mode=True),
                                dict(kernel_size=2, dilation=2)])
def test_max_pool(kw):
    model = nn.MaxPool2d(**kw)
    x = torch.randn(2, 3, 9, 9)
    s = _export(model, x, input_names=["x"])
    _check(s, {"x": x.numpy()}, [model(x)])


def test_logic_op_on_inputs_is_refused_not_frozen():
    model = Lambda(lambda x: torch.logical_and(x > 0, x < 1).float() * x)
    with pytest.raises(torch.onnx.OnnxExporterError, match="depends on the input values"):
        torch.onnx.export(model, torch.randn(4, 6), io.BytesIO())


@pytest.mark.parametrize("make,shape", [
    (lambda: nn.Conv1d(3, 5, 3, stride=2, padding=1, dilation=1), (2, 3, 11)),
    (lambda: nn.Conv2d(3, 4, 3, padding=2, dilation=2, groups=1, bias=False), (3, 9, 9)),  # unbatched
    (lambda: nn.Conv2d(4, 4, 3, groups=2, stride=(2, 1)), (2, 4, 9, 8)),
    (lambda: nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1), (2, 3, 5, 5)),
    (lambda: nn.ConvTranspose1d(3, 2, 4, stride=3, padding=1), (2, 3, 6)),
])
def test_convolutions(make, shape):
    torch.manual_seed(0)
    model = make()
    x = torch.randn(*shape)
    s = _export(model, x, input_names=["x"])
    _check(s, {"x": x.numpy()}, [_reference(model, x)])


@pytest.mark.parametrize("make,shape", [(lambda: nn.GroupNorm(2, 4), (2, 4, 3, 3)),
                                        (lambda: nn.GroupNorm(3, 6, affine=False), (1, 6, 5)),
                                        (lambda: nn.RMSNorm(6), (2, 3, 6)),
                                        (lambda: nn.RMSNorm([3, 6], eps=1e-3, elementwise_affine=False), (2, 3, 6)),
                                        (lambda: nn.LayerNorm(6, bias=False), (2, 3, 6))])
def test_norms(make, shape):
    torch.manual_seed(0)
    model = make()
    for p in model.parameters():
        with torch.no_grad():
            p.copy_(torch.randn(p.shape))
    x = torch.randn(*shape) * 3 + 1
    s = _export(model, x, input_names=["x"])
    _check(s, {"x": x.numpy()}, [_reference(model, x)])


@pytest.mark.parametrize("channels", [1, 3])
def test_prelu(channels):
    model = nn.PReLU(channels)
    with torch.no_grad():
        model.weight.copy_(torch.linspace(0.1, 0.5, channels))
    x = torch.randn(2, 3, 4, 4)
    s = _export(model, x, input_names=["x"])
    _check(s, {"x": x.numpy()}, [_reference(model, x)])


def test_multihead_attention_with_weights():
    torch.manual_seed(0)
    model = nn.MultiheadAttention(16, 4, batch_first=True).eval()
    q, kv = torch.randn(2, 5, 16), torch.randn(2, 7, 16)
    s = _export(model, (q, kv, kv.clone()), input_names=["q", "k", "v"])
    q2, k2, v2 = torch.randn(2, 5, 16), torch.randn(2, 7, 16), torch.randn(2, 7, 16)
    _check(s, {"q": q2.numpy(), "k": k2.numpy(), "v": v2.numpy()}, list(_reference(model, q2, k2, v2)))
    s = _export(model, (q, kv, kv), input_names=["q", "kv", "kv_again"])  # one tensor twice: the first name
    _check(s, {"q": q2.numpy(), "kv": k2.numpy(), "kv_again": k2.numpy()}, list(_reference(model, q2, k2, k2)))
