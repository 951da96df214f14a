"""Recurrent layers: RNN, LSTM, GRU (whole sequences) and RNNCell, LSTMCell, GRUCell (one step).

A recurrent layer reads a sequence x_1 … x_T and carries a state from step to step, always with the
same weights:  h_t = cell(x_t, h_{t−1}),  starting from h_0 (zeros unless given as ``hx``).

    RNN:   h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh)            (or relu)

    LSTM:  i = σ(x W_iiᵀ + b_ii + h W_hiᵀ + b_hi)     input gate      (how much new content to write)
           f = σ(x W_ifᵀ + b_if + h W_hfᵀ + b_hf)     forget gate     (how much of the old cell to keep)
           g = tanh(x W_igᵀ + b_ig + h W_hgᵀ + b_hg)  cell candidate  (the new content)
           o = σ(x W_ioᵀ + b_io + h W_hoᵀ + b_ho)     output gate     (how much of the cell to show)
           c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)

    GRU:   r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr),   z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz)
           n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn)),   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}

The gate weights are stacked as in PyTorch: ``weight_ih_l0`` of an LSTM is [W_ii; W_if; W_ig; W_io], shape
(4·hidden_size, input_size); a GRU's is [W_ir; W_iz; W_in].

Training is backpropagation through time (BPTT): the loop over t builds one graph node per step, and
backward walks them from the last step to the first, carrying dL/dh (and dL/dc) backwards and adding up the
gradients of the shared weights from every step. The LSTM's cell path c_t = f ⊙ c_{t−1} + … lets the
gradient flow through many steps multiplied only by the forget gates, which is why it remembers longer than
a plain RNN, whose gradient is multiplied by W_hh and tanh' at every step.

For speed the input part x W_ihᵀ + b_ih is computed for all T steps as one matrix product before the loop;
each step then does one product h W_hhᵀ for all its gates (see ``glasstorch/ops/recurrent.py``). With kernels
on, an LSTM layer runs as one graph node with its own backward through time (``LSTMLayer``, same arithmetic);
``with glasstorch.kernels.reference():`` gives the per-step graph described above.

With ``num_layers`` > 1 each layer reads the previous layer's output sequence (dropout in between, in
training mode); ``bidirectional`` runs a second pass from t = T down to 1 and concatenates both outputs.

Deviations from PyTorch: LSTM ``proj_size`` > 0 is not supported (NotImplementedError; PackedSequence input
is, through nn/utils/rnn.py); RNN and GRU have no ``proj_size`` argument at all (TypeError where PyTorch raises
ValueError); the LSTM and RNN layers add b_ih + b_hh once, to the input projection (the same
sum, rounded in another order: differences of ~1e-7).
"""
import math
import numbers
import warnings

from ... import creation, kernels
from ...ops import dropout as _dropout
from ...ops import recurrent as _rec
from ...ops import shape as _shape
from ...ops.linear import linear
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_STEPS = {"LSTM": _rec.LSTMStep, "GRU": _rec.GRUStep, "RNN_TANH": _rec.RNNTanhStep, "RNN_RELU": _rec.RNNReluStep}


def _run_direction(step, x, state, w_ih, w_hh, b_ih, b_hh, fold_bias, reverse, time_dim):
    """One direction of one layer over the whole sequence: returns (the state after each step, last state)."""
    b_step = b_hh
    if fold_bias and b_ih is not None:  # b_ih and b_hh add to the same sum: add them once, to the projection
        b_ih, b_step = b_ih + b_hh, None
    steps = _rec.split_steps(linear(x, w_ih, b_ih), time_dim)  # x W_ihᵀ + b for all steps: one product
    n = len(steps)
    states = [None] * n
    for t in (range(n - 1, -1, -1) if reverse else range(n)):
        state = step.apply(steps[t], state, w_hh, b_step)
        states[t] = state
    return states, state


def _fast_lstm(x, state, params):
    """Whether an LSTM layer takes the one-node fast path (``_rec.LSTMLayer``): kernels on and every array a
    NumPy float32/float64 array of one dtype (glasstorch/kernels: the switch)."""
    return kernels.wants(x._array, state._array, *(p._array for p in params))


def run_layers(mode, x, states, params, has_biases, num_layers, dropout, train, bidirectional, batch_first):
    """The multi-layer recurrence shared by nn.RNN/LSTM/GRU and torch.lstm & co.: ``params[k]`` holds
    (w_ih, w_hh[, b_ih, b_hh]) of (layer, direction) k = layer · directions + direction, ``states[k]`` its
    initial state ((2, B, H) for an LSTM). Returns (the last layer's output sequence, [final state per k])."""
    step = _STEPS[mode]
    lstm = mode == "LSTM"
    time_dim = 1 if batch_first else 0
    directions = 2 if bidirectional else 1
    finals = []
    for layer in range(num_layers):
        outputs = []
        for direction in range(directions):
            k = layer * directions + direction
            w_ih, w_hh = params[k][0], params[k][1]
            b_ih, b_hh = (params[k][2], params[k][3]) if has_biases else (None, None)
            if lstm and _fast_lstm(x, states[k], params[k]):
                # kernels on: the whole sequence as one node with its own backward through time (the same
                # arithmetic as the per-step graph below, which is its reference)
                seq, last = _rec.lstm_layer(x, states[k], w_ih, w_hh, b_ih, b_hh, direction == 1, batch_first)
                outputs.append(seq)
                finals.append(last)
                continue
            seq, last = _run_direction(step, x, states[k], w_ih, w_hh, b_ih, b_hh, mode != "GRU",
                                       direction == 1, time_dim)
            if lstm:  # states (2, B, H) stacked to (2, T, B, H) or (2, B, T, H); the h part is [0]
                outputs.append(_shape.stack(seq, time_dim + 1)[0])
            else:
                outputs.append(_shape.stack(seq, time_dim))
            finals.append(last)
        x = outputs[0] if directions == 1 else _shape.cat(outputs, -1)
        if dropout and train and layer < num_layers - 1:
            # PyTorch's kernel works time-major, so its mask is drawn in (T, B, H) order: drawn that way here
            # too, the same seed gives the same mask with batch_first
            if batch_first:
                x = _shape.transpose(_dropout.dropout(_shape.transpose(x, 0, 1), dropout, True), 0, 1)
            else:
                x = _dropout.dropout(x, dropout, True)
    return x, finals


class RNNBase(Module):
    """The machinery shared by RNN, LSTM and GRU: parameters, checks and the loop over layers."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        _check_arguments(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        if proj_size:
            raise NotImplementedError("glasstorch's LSTM does not support proj_size > 0")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                names = []
                for name, shape in shapes:
                    full = f"{name}_l{layer}{suffix}"
                    setattr(self, full, Parameter(creation.empty(shape, device=device, dtype=dtype)))
                    names.append(full)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=3)
        self.reset_parameters()

    def reset_parameters(self):
        # every weight and bias ~ U(−1/√hidden_size, 1/√hidden_size)
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """A no-op: PyTorch uses it to pack weights for cuDNN."""

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # -- checks, with PyTorch's messages --------------------------------------------------------------
    def _check_input(self, input):
        w = self.weight_ih_l0
        if input.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({w.dtype}). Convert "
                             f"input: input.to({w.dtype}), or convert model: model.to({input.dtype})")
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def _expected_hidden_size(self, input):
        batch = input.size(0) if self.batch_first else input.size(1)
        return (self.num_layers * (2 if self.bidirectional else 1), batch, self.hidden_size)

    @staticmethod
    def _check_hidden_size(hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    # -- the layers -----------------------------------------------------------------------------------
    def _run(self, x, states):
        """Run all layers over x (T, B, in) — or (B, T, in) — from the initial state of each (layer,
        direction); returns (the last layer's output sequence, [final state of each (layer, direction)])."""
        params = [[getattr(self, name) for name in names] for names in self._all_weights]
        return run_layers(self.mode, x, states, params, self.bias, self.num_layers, self.dropout, self.training,
                          self.bidirectional, self.batch_first)

    def _initial_states(self, hx, input, lstm):
        """The initial state of each (layer, direction): hx[k] ((h0[k], c0[k]) stacked for an LSTM)."""
        n = self.num_layers * (2 if self.bidirectional else 1)
        if hx is None:
            batch = input.size(0) if self.batch_first else input.size(1)
            shape = ((2,) if lstm else ()) + (batch, self.hidden_size)
            zeros = creation.zeros(shape, dtype=input.dtype)
            return [zeros] * n
        if lstm:
            hx = _shape.stack([hx[0], hx[1]], 1)  # (n, 2, B, H)
        return list(_shape.unbind(hx, 0)) if n > 1 else [hx[0]]

    def forward(self, input, hx=None):
        if not hasattr(input, "dim"):  # a PackedSequence: nn/utils/rnn.py runs each sequence over its own steps
            from ..utils.rnn import _packed_rnn_forward
            return _packed_rnn_forward(self, input, hx)
        lstm = self.mode == "LSTM"
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(self.mode, self.mode)
        if input.dim() not in (2, 3):
            word = " tensor" if name == "RNN" else ""
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{word} instead")
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)
        if hx is not None:
            hx = self._check_hx(hx, batched, lstm)
        self._check_input(input)
        expected = self._expected_hidden_size(input)
        if lstm and hx is not None:
            self._check_hidden_size(hx[0], expected, "Expected hidden[0] size {}, got {}")
            self._check_hidden_size(hx[1], expected, "Expected hidden[1] size {}, got {}")
        elif hx is not None:
            self._check_hidden_size(hx, expected)
        if input.size(1 - batch_dim) == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        output, finals = self._run(input, self._initial_states(hx, input, lstm))
        hidden = _shape.stack(finals, 0)
        if lstm:
            hidden = (hidden[:, 0], hidden[:, 1])
        if not batched:
            output = output.squeeze(batch_dim)
            hidden = (hidden[0].squeeze(1), hidden[1].squeeze(1)) if lstm else hidden.squeeze(1)
        return output, hidden

    @staticmethod
    def _check_hx(hx, batched, lstm):
        """hx of the right number of dims (made batched for unbatched input), as in PyTorch."""
        want = 3 if batched else 2
        kind = "batched 3-D" if batched else "unbatched 2-D"
        if lstm:
            h, c = hx
            if h.dim() != want or c.dim() != want:
                raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got ({h.dim()}-D, "
                                   f"{c.dim()}-D) tensors")
            return hx if batched else (h.unsqueeze(1), c.unsqueeze(1))
        if hx.dim() != want:
            raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got {hx.dim()}-D tensor")
        return hx if batched else hx.unsqueeze(1)


def _check_arguments(input_size, hidden_size, num_layers, bias, batch_first, dropout, proj_size):
    if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
        raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                         "being zeroed")
    if not isinstance(bias, bool):
        raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
    if not isinstance(batch_first, bool):
        raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
    if not isinstance(input_size, int):
        raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh) (nonlinearity 'tanh' or 'relu').

    input (T, B, input_size) — (B, T, input_size) with batch_first — or unbatched (T, input_size);
    hx (num_layers·D, B, hidden_size). Returns output (T, B, D·hidden_size) and h_n (num_layers·D, B,
    hidden_size), with D = 2 if bidirectional else 1.
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o; see the module docstring).

    Returns output (T, B, D·hidden_size) and (h_n, c_n), each (num_layers·D, B, hidden_size); hx is an
    optional (h_0, c_0) of those shapes. ``proj_size`` > 0 is not supported (NotImplementedError).
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n; see the module docstring). Shapes as for RNN."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


# ---------------------------------------------------------------------------------------------------
# cells: one time step, input (B, input_size) or unbatched (input_size,)
# ---------------------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """Parameters weight_ih (G·H, in), weight_hh (G·H, H), bias_ih, bias_hh (G·H), all U(±1/√H)."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gates = num_chunks * hidden_size
        self.weight_ih = Parameter(creation.empty((gates, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(creation.empty((gates, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(creation.empty(gates, device=device, dtype=dtype))
            self.bias_hh = Parameter(creation.empty(gates, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, hx, n_states):
        """(input, [n_states hidden tensors], batched), with PyTorch's checks: unbatched input gets a batch
        dim of 1; a missing hx is zeros."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected "
                               f"{self.input_size}")
        if hx is None:
            zeros = creation.zeros((input.size(0), self.hidden_size), dtype=input.dtype)
            return input, [zeros] * n_states, batched
        hidden = list(hx) if isinstance(hx, (tuple, list)) else [hx]
        for i, h in enumerate(hidden):
            if h.dim() not in (1, 2):
                what = f"hx[{i}]" if n_states > 1 else "hidden"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {h.dim()}D instead")
        if not batched:
            hidden = [h.unsqueeze(0) for h in hidden]
        for i, h in enumerate(hidden):
            if h.size(0) != input.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{i} batch size "
                                   f"{h.size(0)}")
            if h.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(1)}, expected "
                                   f"{self.hidden_size}")
        return input, hidden, batched


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, (h,), batched = self._prepare(input, hx, 1)
        if self.nonlinearity == "tanh":
            cell = _rec.rnn_tanh_cell
        elif self.nonlinearity == "relu":
            cell = _rec.rnn_relu_cell
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        out = cell(input, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: (h', c') from input and hx = (h, c) (zeros when hx is None)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (h, c), batched = self._prepare(input, hx, 2)
        h, c = _rec.lstm_cell(input, (h, c), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: h' from input and hx (zeros when hx is None)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (h,), batched = self._prepare(input, hx, 1)
        out = _rec.gru_cell(input, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out if batched else out.squeeze(0)
