"""Adagrad: each weight's step shrinks with the sum of all the squared gradients it has seen.

The algorithm (Duchi, Hazan & Singer, 2011, as in PyTorch's documentation; γ = lr, η = lr_decay,
λ = weight_decay, τ = initial_accumulator_value, ε = eps):

    g_t = ∇f(θ_{t-1})                   (or -∇f(θ_{t-1}) with maximize=True)
    γ̃ = γ / (1 + (t - 1)·η)              optional decay of the learning rate itself
    if λ ≠ 0:   g_t = g_t + λ·θ_{t-1}
    sum_t = sum_{t-1} + g_t²             every squared gradient so far                  (sum_0 = τ)
    θ_t = θ_{t-1} - γ̃·g_t / (√sum_t + ε)

Weights with large or frequent gradients slow down, rarely-updated ones keep large steps. Since the sum
only grows, the steps only shrink (RMSprop and Adam replace the sum by a running average).

State per parameter: ``'step'`` (t) and ``'sum'``. As in PyTorch, Adagrad creates the state of every
parameter when it is built, not at its first step (a group added later gets its state at its first
step; PyTorch fails there).
"""
import numpy as np

from .optimizer import check_tensor_lr, full_like, new_step_count, Optimizer, to_scalar


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad``."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p, group):
        state = self.state[p]
        state["step"] = new_step_count()
        state["sum"] = full_like(p, group["initial_accumulator_value"])   # sum_0 = τ

    def _update(self, p, group):
        lr = to_scalar(group["lr"])
        lr_decay = group["lr_decay"]
        weight_decay = group["weight_decay"]
        eps = group["eps"]

        state = self.state[p]
        if len(state) == 0:                   # a parameter of a group added after construction
            self._init_state(p, group)
        state_sum = state["sum"]._array
        theta = p._array

        g = p.grad._array                     # g_t (never changed in place: it is p.grad's own array)
        if group["maximize"]:
            g = -g
        state["step"]._array += 1
        t = state["step"].item()
        if weight_decay != 0:
            g = g + weight_decay * theta

        clr = lr / (1 + (t - 1) * lr_decay)   # γ̃ = γ / (1 + (t - 1)·η)
        state_sum += g * g                    # sum_t = sum_{t-1} + g_t²
        theta -= clr * (g / (np.sqrt(state_sum) + eps))   # θ_t = θ_{t-1} - γ̃·g_t / (√sum_t + ε)
