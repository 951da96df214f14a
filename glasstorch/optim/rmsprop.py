"""RMSprop: divide each weight's gradient by a running root-mean-square of its recent gradients.

The algorithm (Hinton's lecture notes; centered version from Graves, 2013; as in PyTorch's
documentation; γ = lr, α = alpha, λ = weight_decay, μ = momentum, ε = eps):

    g_t = ∇f(θ_{t-1})                   (or -∇f(θ_{t-1}) with maximize=True)
    if λ ≠ 0:   g_t = g_t + λ·θ_{t-1}
    v_t = α·v_{t-1} + (1 - α)·g_t²       running mean of the squared gradient            (v_0 = 0)
    ṽ_t = v_t
    if centered:
        ḡ_t = α·ḡ_{t-1} + (1 - α)·g_t     running mean of the gradient                    (ḡ_0 = 0)
        ṽ_t = v_t - ḡ_t²                  an estimate of the gradient's variance instead
    if μ > 0:
        b_t = μ·b_{t-1} + g_t / (√ṽ_t + ε)                                                (b_0 = 0)
        θ_t = θ_{t-1} - γ·b_t
    else:
        θ_t = θ_{t-1} - γ·g_t / (√ṽ_t + ε)

Unlike Adam there is no bias correction: the first steps, where v is still small, are larger.

State per parameter: ``'step'``, ``'square_avg'`` (v), ``'momentum_buffer'`` (b, when momentum > 0) and
``'grad_avg'`` (ḡ, when centered).
"""
import numpy as np

from .optimizer import check_tensor_lr, new_step_count, Optimizer, to_scalar, zeros_like


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, group):
        lr = to_scalar(group["lr"])
        alpha = group["alpha"]
        eps = group["eps"]
        weight_decay = group["weight_decay"]
        momentum = group["momentum"]

        state = self.state[p]
        if len(state) == 0:
            state["step"] = new_step_count()
            state["square_avg"] = zeros_like(p)
            if momentum > 0:
                state["momentum_buffer"] = zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = zeros_like(p)
        square_avg = state["square_avg"]._array
        theta = p._array

        g = p.grad._array                     # g_t (never changed in place: it is p.grad's own array)
        if group["maximize"]:
            g = -g
        state["step"]._array += 1
        if weight_decay != 0:
            g = g + weight_decay * theta

        square_avg *= alpha                   # v_t = α·v_{t-1} + (1 - α)·g_t²
        square_avg += (1 - alpha) * g * g
        if group["centered"]:
            grad_avg = state["grad_avg"]._array
            grad_avg += (1 - alpha) * (g - grad_avg)   # ḡ_t = α·ḡ_{t-1} + (1 - α)·g_t
            denominator = np.sqrt(square_avg - grad_avg * grad_avg) + eps   # √(v_t - ḡ_t²) + ε
        else:
            denominator = np.sqrt(square_avg) + eps                         # √v_t + ε

        if momentum > 0:
            buf = state["momentum_buffer"]._array
            buf *= momentum                   # b_t = μ·b_{t-1} + g_t / (√ṽ_t + ε)
            buf += g / denominator
            theta -= lr * buf                 # θ_t = θ_{t-1} - γ·b_t
        else:
            theta -= lr * (g / denominator)   # θ_t = θ_{t-1} - γ·g_t / (√ṽ_t + ε)
