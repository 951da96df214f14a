"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

Adam's weight decay adds λθ to the gradient, so the decay goes through the running averages and is then
divided by √v̂: weights with large gradients are barely decayed. AdamW shrinks the weights directly,
before and apart from the Adam step (γ = lr, λ = weight_decay):

    g_t = ∇f(θ_{t-1})                   (or -∇f(θ_{t-1}) with maximize=True)
    θ_{t-1} ← θ_{t-1} - γ·λ·θ_{t-1}      decoupled decay: every weight shrinks by the factor (1 - γλ)
    m_t = β1·m_{t-1} + (1 - β1)·g_t
    v_t = β2·v_{t-1} + (1 - β2)·g_t²
    m̂_t = m_t / (1 - β1^t),   v̂_t = v_t / (1 - β2^t)   (amsgrad: v̂_t from max(v_{t-1}^max, v_t))
    θ_t = θ_{t-1} - γ·m̂_t / (√v̂_t + ε)

The code is Adam's (adam.py) with ``decoupled_weight_decay=True``, exactly as PyTorch 2.x defines AdamW;
the default weight_decay is 1e-2 instead of Adam's 0.
"""
from .adam import Adam


class AdamW(Adam):
    """AdamW, as ``torch.optim.AdamW``: Adam whose weight decay shrinks the weights directly."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         foreach=foreach, maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)
