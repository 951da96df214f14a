"""Adafactor: Adam-like steps with a factored second moment (Shazeer & Stern, 2018), as
``torch.optim.Adafactor`` (PyTorch 2.5+).

For a matrix gradient, instead of one running mean of g² per weight it keeps one per row (R) and one per
column (C), and estimates the whole matrix as their outer product: memory O(n + m) instead of O(nm).
γ = lr, ε1, ε2 = eps (ε1 None means the dtype's machine epsilon), d = clipping threshold, λ = weight_decay:

    g_t = ∇f(θ_{t-1})                          (or -∇f with maximize=True)
    β̂_t = 1 - t^beta2_decay                      the averaging weight is t^beta2_decay (1 at t = 1)
    ρ_t = min(γ, 1/√t)
    α_t = max(ε2, RMS(θ_{t-1}))·ρ_t              relative step size: RMS(x) = ‖x‖₂/√numel
    if λ ≠ 0:  θ_{t-1} ← θ_{t-1}(1 - γλ)
    matrix (the last two dims):  R_t = lerp(R_{t-1}, mean(g², dim=-1), t^beta2_decay)
                                 C_t = lerp(C_{t-1}, mean(g², dim=-2), t^beta2_decay)
                                 v̂_t = R_t·C_t / mean(R_t)          (outer product over the last two dims)
    vector:                      v̂_t = lerp(v̂_{t-1}, g², t^beta2_decay)
    u_t = g_t / √max(v̂_t, ε1²)
    θ_t = θ_{t-1} - α_t / max(1, RMS(u_t)/d) · u_t

State per parameter: ``'step'`` and ``'row_var'`` and ``'col_var'`` (shapes with the last, respectively
the second-last, dim 1), or ``'variance'`` for vectors.
"""
import numpy as np

from ..autograd.function import wrap
from .optimizer import check_tensor_lr, new_step_count, Optimizer, to_scalar, zeros_like


class Adafactor(Optimizer):
    """Adafactor, as ``torch.optim.Adafactor``."""

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _update(self, p, group):
        lr = to_scalar(group["lr"])
        eps1, eps2 = group["eps"]
        d, weight_decay = group["d"], group["weight_decay"]
        if p.is_complex():
            raise RuntimeError("Adafactor does not support complex parameters")

        state = self.state[p]
        g = p.grad._array
        if len(state) == 0:
            state["step"] = new_step_count()
            if g.ndim > 1:
                state["row_var"] = wrap(np.zeros(g.shape[:-1] + (1,), dtype=g.dtype))
                state["col_var"] = wrap(np.zeros(g.shape[:-2] + (1,) + g.shape[-1:], dtype=g.dtype))
            else:
                state["variance"] = zeros_like(p)
        theta = p._array
        if group["maximize"]:
            g = -g
        if eps1 is None:
            eps1 = float(np.finfo(theta.dtype).eps)

        state["step"]._array += 1
        t = state["step"].item()
        weight = t ** group["beta2_decay"]                  # 1 - β̂_t: the weight of the new g²
        rho = min(lr, 1 / t ** 0.5)
        alpha = max(eps2, float(np.linalg.norm(theta.ravel())) / theta.size ** 0.5) * rho
        if weight_decay != 0:
            theta *= 1 - lr * weight_decay

        if g.ndim > 1:
            row_var, col_var = state["row_var"]._array, state["col_var"]._array
            row_var += weight * (np.mean(g * g, axis=-1, keepdims=True) - row_var)   # R_t
            col_var += weight * (np.mean(g * g, axis=-2, keepdims=True) - col_var)   # C_t
            var_estimate = row_var @ col_var                                         # R_t·C_t
            var_estimate /= np.maximum(np.mean(row_var, axis=-2, keepdims=True), eps1)
        else:
            variance = state["variance"]._array
            variance += weight * (g * g - variance)
            var_estimate = variance.copy()
        update = g / np.sqrt(np.maximum(var_estimate, eps1 * eps1))                 # u_t
        denominator = max(1.0, float(np.linalg.norm(update.ravel())) / (update.size ** 0.5 * d))
        theta -= (alpha / denominator) * update
