"""Activation layers: each a Module around one function of ``glasstorch.nn.functional`` (ops/activation.py),
holding its settings (slopes, dims, ``inplace``) and printing them in its repr as PyTorch does.

``Step`` is a glasstorch addition (PyTorch has none): the perceptron's threshold unit.
"""
from ... import creation
from ...ops import activation as F
from ..parameter import Parameter
from .module import Module

__all__ = ["Sigmoid", "Tanh", "ReLU", "ReLU6", "LeakyReLU", "RReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish",
           "Softplus", "Softsign", "Softmax", "LogSoftmax", "Softmin", "Hardtanh", "Hardsigmoid", "Hardswish",
           "Tanhshrink", "PReLU", "Threshold", "LogSigmoid", "Hardshrink", "Softshrink", "Step", "GLU", "Softmax2d"]


def _inplace_text(inplace, first=False):
    """How PyTorch shows ``inplace``: only when True."""
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class Sigmoid(Module):
    """1 / (1 + e^(−x))"""

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    def forward(self, input):
        return F.tanh(input)


class ReLU(Module):
    """max(x, 0)"""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_text(self.inplace, first=True)


class Hardtanh(Module):
    """clamp(x, min_val, max_val)"""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__()
        if max_val <= min_val:
            raise ValueError("max_val must be greater than min_val")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + _inplace_text(self.inplace)


class ReLU6(Hardtanh):
    """min(max(x, 0), 6)"""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_text(self.inplace, first=True)


class LeakyReLU(Module):
    """x if x > 0 else negative_slope · x"""

    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + _inplace_text(self.inplace)


class RReLU(Module):
    """x if x > 0 else a · x, a ~ U(lower, upper) per element in training, (lower + upper) / 2 in evaluation"""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}" + _inplace_text(self.inplace)


class ELU(Module):
    """x if x > 0 else alpha · (eˣ − 1)"""

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + _inplace_text(self.inplace)


class CELU(ELU):
    """max(0, x) + min(0, alpha · (e^(x/alpha) − 1))"""

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)


class SELU(Module):
    """scale · elu(x, alpha), the self-normalizing constants"""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.selu(input, self.inplace)

    def extra_repr(self):
        return _inplace_text(self.inplace, first=True)


class GELU(Module):
    """x · Φ(x) (approximate='tanh': the tanh approximation)"""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(SELU):
    """x · σ(x)"""

    def forward(self, input):
        return F.silu(input, self.inplace)


class Mish(SELU):
    """x · tanh(softplus(x))"""

    def forward(self, input):
        return F.mish(input, self.inplace)


class Softplus(Module):
    """log(1 + e^(βx)) / β (linear above the threshold)"""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """x / (1 + |x|)"""

    def forward(self, input):
        return F.softsign(input)


class Softmax(Module):
    """exp(x) / Σ exp(x) along dim"""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log(softmax(x)) along dim"""

    def forward(self, input):
        return F.log_softmax(input, self.dim, _stacklevel=5)


class Softmin(Softmax):
    """softmax(−x) along dim"""

    def forward(self, input):
        return F.softmin(input, self.dim, _stacklevel=5)


class Hardsigmoid(SELU):
    """clamp(x/6 + ½, 0, 1)"""

    def forward(self, input):
        return F.hardsigmoid(input, self.inplace)

    def extra_repr(self):
        return ""


class Hardswish(Hardsigmoid):
    """x · clamp(x + 3, 0, 6) / 6"""

    def forward(self, input):
        return F.hardswish(input, self.inplace)


class Tanhshrink(Module):
    """x − tanh(x)"""

    def forward(self, input):
        return F.tanhshrink(input)


class LogSigmoid(Module):
    """log σ(x)"""

    def forward(self, input):
        return F.logsigmoid(input)


class Hardshrink(Module):
    """x where |x| > lambd, else 0"""

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self):
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """x − lambd · sign(x) where |x| > lambd, else 0"""

    def forward(self, input):
        return F.softshrink(input, self.lambd)


class PReLU(Module):
    """x if x > 0 else a · x, with a learned: one shared a, or one per channel (num_parameters = C)."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(creation.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        from .. import init as _init
        _init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Threshold(Module):
    """x if x > threshold else value"""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + _inplace_text(self.inplace)


class Step(Module):
    """The Heaviside step of Rosenblatt's perceptron: 1 where x ≥ 0, else 0, with gradient 0.

    A glasstorch addition: PyTorch has no Step module (``torch.heaviside(x, torch.tensor(1.))`` computes the
    same values but cannot be differentiated; here the gradient is 0, so the perceptron learns with its own
    update rule, not by backpropagation).
    """

    def forward(self, input):
        return F.step(input)


class GLU(Module):
    """The gated linear unit a ⊗ σ(b), input split in half along ``dim``."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels (dim −3) at every pixel of a (N, C, H, W) or (C, H, W) input."""

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return F.softmax(input, -3)
