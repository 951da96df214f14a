"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky, 1992), as ``torch.optim.ASGD``.

Plain SGD with a decaying step, plus a running average of the iterates (the average is what converges; it
is kept in the state as ``'ax'`` and not written into the parameters). λ = lambd, α = alpha, t0 = t0:

    g_t = ∇f(θ_{t-1})                   (or -∇f with maximize=True);   g_t ← g_t + wd·θ_{t-1} if weight_decay
    θ_t = θ_{t-1}·(1 - λη_t) - η_t·g_t   η: the current step size (starts at lr)
    ax_t = θ_t                          while μ_t = 1 (before t0),   ax_t = ax_{t-1} + μ_t(θ_t - ax_{t-1}) after
    η_{t+1} = lr / (1 + λ·lr·t)^α
    μ_{t+1} = 1 / max(1, t - t0)

State per parameter: ``'step'``, ``'eta'``, ``'mu'`` (0-d float tensors), ``'ax'``.
"""
from .optimizer import check_tensor_lr, new_step_count, Optimizer, to_scalar, zeros_like


class ASGD(Optimizer):
    """ASGD, as ``torch.optim.ASGD``."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p, group):
        lr = to_scalar(group["lr"])
        lambd, alpha, t0, weight_decay = group["lambd"], group["alpha"], group["t0"], group["weight_decay"]

        state = self.state[p]
        if len(state) == 0:
            state["step"] = new_step_count()
            state["eta"] = new_step_count()
            state["eta"]._array[...] = lr
            state["mu"] = new_step_count()
            state["mu"]._array[...] = 1
            state["ax"] = zeros_like(p)
        ax, theta = state["ax"]._array, p._array

        g = -p.grad._array if group["maximize"] else p.grad._array
        state["step"]._array += 1
        t = state["step"].item()
        if weight_decay != 0:
            g = g + weight_decay * theta

        eta = state["eta"].item()
        theta *= 1 - lambd * eta                # decay term
        theta -= eta * g                        # θ_t = θ_{t-1}(1 - λη) - η·g_t
        mu = state["mu"].item()
        if mu != 1:
            ax += (theta - ax) * mu             # ax_t = ax_{t-1} + μ(θ_t - ax_{t-1})
        else:
            ax[...] = theta
        state["eta"]._array[...] = lr / ((1 + lambd * lr * t) ** alpha)
        state["mu"]._array[...] = 1 / max(1, t - t0)
