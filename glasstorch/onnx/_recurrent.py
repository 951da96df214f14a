"""nn.LSTM / nn.GRU / nn.RNN exported whole, as ONNX's LSTM / GRU / RNN op (one node per layer, both
directions in it when bidirectional).

glasstorch runs a recurrent layer as one op per time step (ops/recurrent.py); ONNX has the whole layer as one
op, which also keeps the sequence length free. So during an export each LSTM/GRU module's ``forward`` is
replaced (an instance attribute, removed afterwards) by a recorder: it runs the real forward with the tracer
paused, emits the ONNX nodes, and names the results.

Gate order: PyTorch stacks the LSTM's gates (i, f, g, o) in W_ih, W_hh, b_ih, b_hh; ONNX's LSTM wants
(i, o, f, c) (its c is PyTorch's g); the GRU's (r, z, n) become ONNX's (z, r, h), with
``linear_before_reset=1`` (PyTorch applies r after the hidden product: n = tanh(W_in x + b_in + r·(W_hn h + b_hn))).
ONNX's X is (seq, batch, input): a batch_first input is transposed in and out. ONNX's Y is (seq, directions,
batch, hidden): transposed and reshaped into PyTorch's (seq, batch, directions·hidden).
"""
import numpy as np

from ..autograd import function as _function
from .errors import OnnxExporterError

_ORDER = {"LSTM": (0, 3, 1, 2), "GRU": (1, 0, 2), "RNN_TANH": (0,), "RNN_RELU": (0,)}  # PyTorch's gate
# blocks, in ONNX's order
_OP = {"LSTM": ("LSTM", {}), "GRU": ("GRU", {"linear_before_reset": 1}),
       "RNN_TANH": ("RNN", {"activations": ["Tanh"]}), "RNN_RELU": ("RNN", {"activations": ["Relu"]})}


def _reorder(w, mode):
    """Rows of w (G·H, ...) or (G·H,) regrouped from PyTorch's gate order into ONNX's."""
    blocks = np.split(np.asarray(w), len(_ORDER[mode]), axis=0)
    return np.concatenate([blocks[i] for i in _ORDER[mode]], axis=0)


def patch(model, tracer):
    """Replace the forward of every LSTM/GRU in model by a recorder; returns the modules patched."""
    from ..nn.modules.rnn import RNNBase
    patched = []
    for prefix, m in model.named_modules():
        if isinstance(m, RNNBase):
            m.forward = _recorder(m, prefix, tracer)
            patched.append(m)
    return patched


def _recorder(module, prefix, tracer):
    original = type(module).forward

    def forward(input, hx=None):
        previous = _function.Hooks.forward
        _function.Hooks.forward = tracer._previous_forward  # run the real layer untraced
        try:
            output, hidden = original(module, input, hx)
        finally:
            _function.Hooks.forward = previous
        _emit(module, prefix, tracer, input, hx, output, hidden)
        return output, hidden

    return forward


def _weights(m, layer, suffix, mode):
    """ONNX's W (G·H, in), R (G·H, H), B (2·G·H,) for one (layer, direction), gates in ONNX's order."""
    w_ih, w_hh = (getattr(m, f"{n}_l{layer}{suffix}")._array for n in ("weight_ih", "weight_hh"))
    if m.bias:
        b = np.concatenate([_reorder(getattr(m, f"bias_ih_l{layer}{suffix}")._array, mode),
                            _reorder(getattr(m, f"bias_hh_l{layer}{suffix}")._array, mode)])
    else:
        b = np.zeros(2 * w_ih.shape[0], w_ih.dtype)
    return _reorder(w_ih, mode), _reorder(w_hh, mode), b


def _emit(m, prefix, tr, input, hx, output, hidden):
    mode = m.mode
    if input.dim() != 3:
        raise OnnxExporterError(f"Exporting an unbatched {type(m).__name__} (2-D input) to ONNX is not supported")
    lstm = mode == "LSTM"
    op_type, attrs = _OP[mode]
    if "activations" in attrs:  # one per direction
        attrs = dict(attrs, activations=attrs["activations"] * (2 if m.bidirectional else 1))
    dirs = 2 if m.bidirectional else 1
    x = tr.name_of(input._array)
    if m.batch_first:
        x = tr.node("Transpose", [x], perm=[1, 0, 2])          # (B, T, in) -> (T, B, in)
    if hx is not None:
        h0 = tr.name_of((hx[0] if lstm else hx)._array)
        c0 = tr.name_of(hx[1]._array) if lstm else None
    finals_h, finals_c = [], []
    p = f"{prefix}." if prefix else ""
    for layer in range(m.num_layers):
        per_dir = [_weights(m, layer, suffix, mode) for suffix in ("", "_reverse")[:dirs]]
        dt = per_dir[0][0].dtype
        W = tr.const(np.stack([w for w, _, _ in per_dir]), dt, hint=f"{p}W_l{layer}")   # (dirs, G·H, in)
        R = tr.const(np.stack([r for _, r, _ in per_dir]), dt, hint=f"{p}R_l{layer}")   # (dirs, G·H, H)
        B = tr.const(np.stack([b for _, _, b in per_dir]), dt, hint=f"{p}B_l{layer}")   # (dirs, 2·G·H)
        inputs = [x, W, R, B]
        if hx is not None:
            if m.num_layers == 1:
                inputs += ["", h0] + ([c0] if lstm else [])
            else:  # this layer's (dirs, B, H) slice of h0 (and c0)
                sl = [tr.const([layer * dirs]), tr.const([(layer + 1) * dirs]), tr.const([0])]
                inputs += ["", tr.node("Slice", [h0] + sl)] + ([tr.node("Slice", [c0] + sl)] if lstm else [])
        outs = [tr.fresh(f"{mode}_Y"), tr.fresh(f"{mode}_Y_h")] + ([tr.fresh(f"{mode}_Y_c")] if lstm else [])
        tr.node(op_type, inputs, outs, hidden_size=m.hidden_size,
                direction="bidirectional" if dirs == 2 else "forward", **attrs)
        if dirs == 1:
            x = tr.node("Squeeze", [outs[0], tr.const([1])])          # (T, 1, B, H) -> (T, B, H)
        else:  # (T, 2, B, H) -> (T, B, 2, H) -> (T, B, 2H): forward then reverse features, as PyTorch
            x = tr.node("Reshape", [tr.node("Transpose", [outs[0]], perm=[0, 2, 1, 3]), tr.const([0, 0, -1])])
        finals_h.append(outs[1])
        if lstm:
            finals_c.append(outs[2])
    if m.batch_first:
        x = tr.node("Transpose", [x], perm=[1, 0, 2])
    tr.define(output._array, x)
    h_all = tr.node("Concat", finals_h, axis=0) if len(finals_h) > 1 else tr.node("Identity", finals_h)
    if lstm:
        c_all = tr.node("Concat", finals_c, axis=0) if len(finals_c) > 1 else tr.node("Identity", finals_c)
        tr.define(hidden[0]._array, h_all)
        tr.define(hidden[1]._array, c_all)
    else:
        tr.define(hidden._array, h_all)
