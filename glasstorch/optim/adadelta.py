"""Adadelta: Adagrad's idea with running averages, and steps measured in the units of the weights.

The algorithm (Zeiler, 2012, as in PyTorch's documentation; γ = lr, ρ = rho, λ = weight_decay, ε = eps):

    g_t = ∇f(θ_{t-1})                   (or -∇f(θ_{t-1}) with maximize=True)
    if λ ≠ 0:   g_t = g_t + λ·θ_{t-1}
    v_t = ρ·v_{t-1} + (1 - ρ)·g_t²               running mean of squared gradients          (v_0 = 0)
    Δx_t = √(u_{t-1} + ε) / √(v_t + ε) · g_t     step: RMS of past steps / RMS of gradients
    u_t = ρ·u_{t-1} + (1 - ρ)·Δx_t²              running mean of squared steps              (u_0 = 0)
    θ_t = θ_{t-1} - γ·Δx_t

The ratio √(u)/√(v) has the units of θ, so Adadelta needs no learning rate in the paper (γ = 1, the
default). The first steps are about √ε/√v·g: tiny, and they grow as u fills up.

State per parameter: ``'step'``, ``'square_avg'`` (v) and ``'acc_delta'`` (u).
"""
import numpy as np

from .optimizer import check_tensor_lr, new_step_count, Optimizer, to_scalar, zeros_like


class Adadelta(Optimizer):
    """Adadelta, as ``torch.optim.Adadelta``."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, group):
        lr = to_scalar(group["lr"])
        rho = group["rho"]
        eps = group["eps"]
        weight_decay = group["weight_decay"]

        state = self.state[p]
        if len(state) == 0:
            state["step"] = new_step_count()
            state["square_avg"] = zeros_like(p)
            state["acc_delta"] = zeros_like(p)
        square_avg = state["square_avg"]._array
        acc_delta = state["acc_delta"]._array
        theta = p._array

        g = p.grad._array                     # g_t (never changed in place: it is p.grad's own array)
        if group["maximize"]:
            g = -g
        state["step"]._array += 1
        if weight_decay != 0:
            g = g + weight_decay * theta

        square_avg *= rho                     # v_t = ρ·v_{t-1} + (1 - ρ)·g_t²
        square_avg += (1 - rho) * g * g
        std = np.sqrt(square_avg + eps)       # √(v_t + ε)
        delta = np.sqrt(acc_delta + eps) / std * g   # Δx_t = √(u_{t-1} + ε) / √(v_t + ε) · g_t
        acc_delta *= rho                      # u_t = ρ·u_{t-1} + (1 - ρ)·Δx_t²
        acc_delta += (1 - rho) * delta * delta
        theta -= lr * delta                   # θ_t = θ_{t-1} - γ·Δx_t
