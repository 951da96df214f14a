"""SGD: stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay.

The algorithm (PyTorch's documentation, step t = 1, 2, ...; γ = lr, λ = weight_decay, μ = momentum,
τ = dampening):

    g_t = ∇f(θ_{t-1})                 (or -∇f(θ_{t-1}) with maximize=True: climb instead of descend)
    if λ ≠ 0:   g_t = g_t + λ·θ_{t-1}             weight decay = the gradient of (λ/2)·Σθ²
    if μ ≠ 0:
        b_t = g_t                        at the first step (the buffer starts as the gradient itself)
        b_t = μ·b_{t-1} + (1 - τ)·g_t    afterwards   (a running, decaying sum of gradients)
        g_t = g_t + μ·b_t  if nesterov   (look one momentum step ahead)
        g_t = b_t          otherwise
    θ_t = θ_{t-1} - γ·g_t

State per parameter: ``'momentum_buffer'`` (b_t), only when momentum ≠ 0. Plain SGD keeps no state.
"""
from ..autograd.function import wrap
from .optimizer import check_tensor_lr, Optimizer, to_scalar


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_tensor_lr(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self, p, group):
        lr = to_scalar(group["lr"])
        weight_decay = group["weight_decay"]
        momentum = group["momentum"]
        dampening = group["dampening"]

        theta = p._array                      # θ, changed in place below
        g = p.grad._array                     # g_t (never changed in place: it is p.grad's own array)
        if group["maximize"]:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * theta

        if momentum != 0:
            state = self.state[p]
            if "momentum_buffer" not in state:
                buf = g.copy()                # b_1 = g_1
                state["momentum_buffer"] = wrap(buf)
            else:
                buf = state["momentum_buffer"]._array
                buf *= momentum               # b_t = μ·b_{t-1} + (1 - τ)·g_t
                buf += (1 - dampening) * g
            if group["nesterov"]:
                g = g + momentum * buf
            else:
                g = buf

        theta -= lr * g                       # θ_t = θ_{t-1} - γ·g_t
