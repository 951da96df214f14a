"""Adam: gradient descent with per-weight step sizes from running averages of the gradient and its square.

The algorithm (Kingma & Ba, 2015, as in PyTorch's documentation; step t = 1, 2, ...; γ = lr,
β1, β2 = betas, λ = weight_decay, ε = eps):

    g_t = ∇f(θ_{t-1})                   (or -∇f(θ_{t-1}) with maximize=True)
    if λ ≠ 0:   g_t = g_t + λ·θ_{t-1}     ("L2" weight decay; AdamW decays θ directly instead, see adamw.py)
    m_t = β1·m_{t-1} + (1 - β1)·g_t      first moment: a running mean of the gradient      (m_0 = 0)
    v_t = β2·v_{t-1} + (1 - β2)·g_t²     second moment: a running mean of its square        (v_0 = 0)
    m̂_t = m_t / (1 - β1^t)               bias correction: m and v start at 0, so early averages are
    v̂_t = v_t / (1 - β2^t)               too small by exactly these factors
    with amsgrad:  v_t^max = max(v_{t-1}^max, v_t)  and  v̂_t = v_t^max / (1 - β2^t)
    θ_t = θ_{t-1} - γ·m̂_t / (√v̂_t + ε)

Each weight moves by about γ in the direction of its recent gradients, whatever the gradient's scale:
m̂/√v̂ is close to ±1 when the gradient's sign is steady, and small when it keeps changing sign.

The code computes the same thing the way PyTorch does, folding the corrections into two numbers:
step_size = γ / (1 - β1^t) and denominator = √v_t / √(1 - β2^t) + ε (ε is added after the correction).

State per parameter: ``'step'`` (t, a 0-d float tensor), ``'exp_avg'`` (m), ``'exp_avg_sq'`` (v) and with
amsgrad ``'max_exp_avg_sq'`` (v^max), created at the parameter's first step.
"""
import math

import numpy as np

from .. import kernels
from .optimizer import check_tensor_lr, new_step_count, Optimizer, to_scalar, zeros_like


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (``decoupled_weight_decay=True`` makes it AdamW, as in PyTorch 2.x)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
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
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, p, group):
        lr = to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        weight_decay = group["weight_decay"]

        state = self.state[p]
        if len(state) == 0:                   # first step for this parameter: t = 0, m_0 = v_0 = 0
            state["step"] = new_step_count()
            state["exp_avg"] = zeros_like(p)
            state["exp_avg_sq"] = zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_like(p)
        m = state["exp_avg"]._array           # these arrays are changed in place
        v = state["exp_avg_sq"]._array
        theta = p._array

        g = p.grad._array                     # g_t (never changed in place: it is p.grad's own array)
        state["step"]._array += 1
        t = state["step"].item()
        v_max = state["max_exp_avg_sq"]._array if group["amsgrad"] else None
        if kernels.wants(theta, g, m, v, *(() if v_max is None else (v_max,))) and _contiguous(theta, g, m, v, v_max):
            # the same update in one pass over the elements (glasstorch/kernels/optim.py), bit for bit; its scalars
            # are the same for every parameter of the group at this step, so they are cast once (_kernel_constants)
            _optim_kernels().adam_update(theta, g, m, v, v_max, self._kernel_constants(group, lr, t, theta.dtype))
            return
        if group["maximize"]:
            g = -g

        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                theta *= 1 - lr * weight_decay      # AdamW: θ ← θ - γλθ, outside the averages
            else:
                g = g + weight_decay * theta        # Adam: add λθ to the gradient

        m += (1 - beta1) * (g - m)            # m_t = β1·m_{t-1} + (1 - β1)·g_t  (moves m toward g)
        v *= beta2                            # v_t = β2·v_{t-1} + (1 - β2)·g_t²
        v += (1 - beta2) * g * g

        bias_correction1 = 1 - beta1 ** t
        bias_correction2 = 1 - beta2 ** t
        step_size = lr / bias_correction1     # γ / (1 - β1^t)
        if group["amsgrad"]:
            v_max = state["max_exp_avg_sq"]._array
            np.maximum(v_max, v, out=v_max)   # v_t^max = max(v_{t-1}^max, v_t)
            v = v_max
        denominator = np.sqrt(v) / math.sqrt(bias_correction2) + eps   # √v̂_t + ε

        theta -= step_size * (m / denominator)   # θ_t = θ_{t-1} - γ·m̂_t / (√v̂_t + ε)

    def _kernel_constants(self, group, lr, t, dtype):
        """The kernel's scalars for this group at step t (kernels/optim.py ``adam_constants``), computed for the
        group's first parameter and reused for the others (they are the same numbers: a cache keyed by them)."""
        beta1, beta2 = group["betas"]
        eps, weight_decay = group["eps"], group["weight_decay"]
        decoupled = weight_decay != 0 and group["decoupled_weight_decay"]
        key = (lr, beta1, beta2, eps, weight_decay, decoupled, group["maximize"], t, dtype)
        cacheable = (type(lr) in _NUMBERS and type(beta1) in _NUMBERS and type(beta2) in _NUMBERS
                     and type(eps) in _NUMBERS and type(weight_decay) in _NUMBERS)   # else: read afresh each time
        constants = self._constants_cache.get(key) if cacheable else None
        if constants is None:
            constants = _optim_kernels().adam_constants(
                dtype, maximize=group["maximize"], l2=0.0 if decoupled else weight_decay,
                decay=1 - lr * weight_decay if decoupled else 1.0, beta1=beta1, beta2=beta2,
                sqrt_bc2=math.sqrt(1 - beta2 ** t), eps=eps, step_size=lr / (1 - beta1 ** t))
            if cacheable:
                if len(self._constants_cache) >= 16:   # older steps' entries
                    self._constants_cache.clear()
                self._constants_cache[key] = constants
        return constants

    @property
    def _constants_cache(self):
        cache = self.__dict__.get("_kernel_constants_cache")
        if cache is None:
            cache = self.__dict__["_kernel_constants_cache"] = {}
        return cache


_NUMBERS = (float, int, bool)
_kernels = []   # glasstorch.kernels.optim once imported (numba loads on the first kernel update only)


def _optim_kernels():
    if not _kernels:
        from ..kernels import optim
        _kernels.append(optim)
    return _kernels[0]


def _contiguous(*arrays):
    """All of these arrays (None skipped) are C-contiguous: the kernel updates them through flat views."""
    for a in arrays:
        if a is not None and not a.flags.c_contiguous:
            return False
    return True
