"""NAdam: Adam with Nesterov momentum (Dozat, 2016), as ``torch.optim.NAdam``.

The algorithm (PyTorch's documentation; γ = lr, β1, β2 = betas, λ = weight_decay, ψ = momentum_decay):

    g_t = ∇f(θ_{t-1})                       (or -∇f with maximize=True)
    if λ ≠ 0:  θ_{t-1} ← θ_{t-1}(1 - γλ)   with decoupled_weight_decay,   else  g_t ← g_t + λθ_{t-1}
    μ_t     = β1·(1 - ½·0.96^(t·ψ))          the momentum coefficient warms up with t
    μ_{t+1} = β1·(1 - ½·0.96^((t+1)·ψ))
    Π_t = μ_1·μ_2·…·μ_t                     (kept in the state as 'mu_product')
    m_t = β1·m_{t-1} + (1 - β1)·g_t
    v_t = β2·v_{t-1} + (1 - β2)·g_t²
    denominator = √(v_t / (1 - β2^t)) + ε
    θ_t = θ_{t-1} - γ(1 - μ_t)/(1 - Π_t) · g_t/denominator - γ·μ_{t+1}/(1 - Π_t·μ_{t+1}) · m_t/denominator

The last line is the Nesterov look-ahead: the current gradient and the momentum one step ahead.

State per parameter: ``'step'``, ``'mu_product'`` (0-d float tensors), ``'exp_avg'``, ``'exp_avg_sq'``.
"""
import numpy as np

from .optimizer import check_tensor_lr, new_step_count, Optimizer, to_scalar, zeros_like


class NAdam(Optimizer):
    """NAdam, as ``torch.optim.NAdam``."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
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
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, group):
        lr = to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps, weight_decay, psi = group["eps"], group["weight_decay"], group["momentum_decay"]

        state = self.state[p]
        if len(state) == 0:
            state["step"] = new_step_count()
            state["mu_product"] = new_step_count()
            state["mu_product"]._array += 1          # Π_0 = 1
            state["exp_avg"] = zeros_like(p)
            state["exp_avg_sq"] = zeros_like(p)
        m, v, theta = state["exp_avg"]._array, state["exp_avg_sq"]._array, p._array

        g = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        t = state["step"].item()
        bias_correction2 = 1 - beta2 ** t

        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                theta *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * theta

        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))               # μ_t
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))    # μ_{t+1}
        state["mu_product"]._array *= mu                           # Π_t = Π_{t-1}·μ_t
        mu_product = state["mu_product"].item()
        mu_product_next = mu_product * mu_next

        m += (1 - beta1) * (g - m)                 # m_t = β1·m_{t-1} + (1 - β1)·g_t
        v *= beta2                                 # v_t = β2·v_{t-1} + (1 - β2)·g_t²
        v += (1 - beta2) * g * g
        denominator = np.sqrt(v / bias_correction2) + eps

        theta += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denominator)
        theta += (-lr * mu_next / (1.0 - mu_product_next)) * (m / denominator)
