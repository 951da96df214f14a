"""Adamax: Adam with the infinity norm in place of the running mean of squares (Kingma & Ba, 2015),
as ``torch.optim.Adamax``.

The algorithm (PyTorch's documentation; γ = lr, β1, β2 = betas, λ = weight_decay):

    g_t = ∇f(θ_{t-1})                        (or -∇f with maximize=True)
    if λ ≠ 0:  g_t ← g_t + λθ_{t-1}
    m_t = β1·m_{t-1} + (1 - β1)·g_t
    u_t = max(β2·u_{t-1}, |g_t| + ε)          a decaying maximum of the gradient's size
    θ_t = θ_{t-1} - γ/(1 - β1^t) · m_t / u_t

State per parameter: ``'step'``, ``'exp_avg'`` (m), ``'exp_inf'`` (u).
"""
import numpy as np

from .optimizer import check_tensor_lr, new_step_count, Optimizer, to_scalar, zeros_like


class Adamax(Optimizer):
    """Adamax, as ``torch.optim.Adamax``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p, group):
        lr = to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps, weight_decay = group["eps"], group["weight_decay"]

        state = self.state[p]
        if len(state) == 0:
            state["step"] = new_step_count()
            state["exp_avg"] = zeros_like(p)
            state["exp_inf"] = zeros_like(p)
        m, u, theta = state["exp_avg"]._array, state["exp_inf"]._array, p._array

        g = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        t = state["step"].item()
        if weight_decay != 0:
            g = g + weight_decay * theta

        m += (1 - beta1) * (g - m)                       # m_t = β1·m_{t-1} + (1 - β1)·g_t
        u *= beta2
        np.maximum(u, np.abs(g) + eps, out=u)            # u_t = max(β2·u_{t-1}, |g_t| + ε)
        clr = lr / (1 - beta1 ** t)
        theta -= clr * (m / u)                           # θ_t = θ_{t-1} - γ/(1 - β1^t)·m_t/u_t
