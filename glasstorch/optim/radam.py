"""RAdam: Adam whose adaptive step is switched on only once the variance estimate can be trusted
(Liu et al., 2020), as ``torch.optim.RAdam``.

The algorithm (PyTorch's documentation; γ = lr, β1, β2 = betas, λ = weight_decay):

    g_t = ∇f(θ_{t-1})                       (or -∇f with maximize=True)
    if λ ≠ 0:  θ_{t-1} ← θ_{t-1}(1 - γλ)   with decoupled_weight_decay,   else  g_t ← g_t + λθ_{t-1}
    m_t = β1·m_{t-1} + (1 - β1)·g_t,    v_t = β2·v_{t-1} + (1 - β2)·g_t²
    m̂_t = m_t / (1 - β1^t)
    ρ_∞ = 2/(1 - β2) - 1,   ρ_t = ρ_∞ - 2t·β2^t / (1 - β2^t)     (the length of the average v_t stands for)
    if ρ_t > 5:   r_t = √((ρ_t - 4)(ρ_t - 2)ρ_∞ / ((ρ_∞ - 4)(ρ_∞ - 2)ρ_t))     the rectification
                  θ_t = θ_{t-1} - γ·m̂_t·r_t·√(1 - β2^t) / (√v_t + ε)
    else:         θ_t = θ_{t-1} - γ·m̂_t                                         (plain momentum SGD)

State per parameter: ``'step'``, ``'exp_avg'``, ``'exp_avg_sq'``.
"""
import math

import numpy as np

from .optimizer import check_tensor_lr, new_step_count, Optimizer, to_scalar, zeros_like


class RAdam(Optimizer):
    """RAdam, as ``torch.optim.RAdam``."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
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
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, group):
        lr = to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps, weight_decay = group["eps"], group["weight_decay"]

        state = self.state[p]
        if len(state) == 0:
            state["step"] = new_step_count()
            state["exp_avg"] = zeros_like(p)
            state["exp_avg_sq"] = zeros_like(p)
        m, v, theta = state["exp_avg"]._array, state["exp_avg_sq"]._array, p._array

        g = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        t = state["step"].item()

        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                theta *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * theta

        m += (1 - beta1) * (g - m)
        v *= beta2
        v += (1 - beta2) * g * g

        bias_correction1 = 1 - beta1 ** t
        bias_correction2 = 1 - beta2 ** t
        m_hat = m / bias_correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2 ** t) / bias_correction2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive_lr = bias_correction2 ** 0.5 / (np.sqrt(v) + eps)
            theta -= m_hat * lr * adaptive_lr * rect
        else:
            theta -= m_hat * lr
