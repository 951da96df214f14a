"""Rprop: resilient backpropagation (Riedmiller & Braun, 1993), as ``torch.optim.Rprop``.

Only the gradient's sign is used. Each weight has its own step size that grows while the gradient keeps
its sign and shrinks when the sign flips (a minimum was jumped over). η-, η+ = etas; Γmin, Γmax = step_sizes:

    g_t = ∇f(θ_{t-1})                        (or -∇f with maximize=True)
    s = sign(g_t · g_{t-1})
    η_t = η_{t-1}·η+  where s > 0,   η_{t-1}·η-  where s < 0,   η_{t-1}  where s = 0;   clamped to [Γmin, Γmax]
    g_t = 0           where s < 0     (after a sign flip: no step now, and no flip counted next time)
    θ_t = θ_{t-1} - η_t·sign(g_t)

State per parameter: ``'step'``, ``'prev'`` (g_{t-1}, zeros at first), ``'step_size'`` (η, starts at lr).
"""
import numpy as np

from ..autograd.function import wrap
from .optimizer import check_tensor_lr, new_step_count, Optimizer, to_scalar, zeros_like


class Rprop(Optimizer):
    """Rprop, as ``torch.optim.Rprop``."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p, group):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]

        state = self.state[p]
        if len(state) == 0:
            state["step"] = new_step_count()
            state["prev"] = zeros_like(p)
            state["step_size"] = wrap(np.full_like(p.grad._array, to_scalar(group["lr"])))
        prev, step_size, theta = state["prev"]._array, state["step_size"]._array, p._array

        g = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1

        sign = np.sign(g * prev)
        factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1.0)).astype(step_size.dtype)
        step_size *= factor                                            # η_t = η_{t-1}·(η+ | η- | 1)
        np.clip(step_size, step_size_min, step_size_max, out=step_size)

        g = np.where(sign < 0, 0, g).astype(g.dtype)                   # no step right after a sign flip
        theta -= np.sign(g) * step_size                                # θ_t = θ_{t-1} - η_t·sign(g_t)
        prev[...] = g
