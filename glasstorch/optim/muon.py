"""Muon: momentum SGD whose update matrix is orthogonalized by a Newton-Schulz iteration (Jordan et al.,
2024), as ``torch.optim.Muon`` (PyTorch 2.9+). Only for 2-D parameters (hidden layers' weights).

γ = lr, λ = weight_decay, μ = momentum, (a, b, c) = ns_coefficients, k = ns_steps:

    B_t = μ·B_{t-1} + (1 - μ)·g_t               (PyTorch's lerp form)
    B̃_t = (1 - μ)·g_t + μ·B_t  if nesterov,   else B_t
    O_t = NS_k(B̃_t):  X = B̃ / max(‖B̃‖_F, ε) in bfloat16 (transposed if tall), then k times
                      A = X·Xᵀ,   X ← a·X + (b·A + c·A·A)·X
                      (a quintic that pushes every singular value of X towards about 1)
    θ_t = θ_{t-1}(1 - γλ) - γ'·O_t,   γ' = γ·√max(1, rows/cols)       ('original')
                                     γ' = 0.2·γ·√max(rows, cols)      ('match_rms_adamw')

The iteration runs in bfloat16 as PyTorch's; glasstorch's bfloat16 products are computed in float32 and
rounded once, PyTorch's CPU kernels may round differently, so results agree to bfloat16 precision.
State per parameter: ``'momentum_buffer'``.
"""
import math

import numpy as np

from .. import _dtype
from .optimizer import check_tensor_lr, Optimizer, to_scalar, zeros_like

EPS = 1e-7
DEFAULT_A, DEFAULT_B, DEFAULT_C = 3.4445, -4.7750, 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(array):
    return array.astype(_dtype.bfloat16.numpy_dtype)


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """The Newton-Schulz orthogonalization of a 2-D array, in bfloat16 (products in float32, rounded)."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = ns_coefficients
    x = _bf16(grad).astype(np.float32)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = float(np.linalg.norm(x))
    x = _bf16(x / max(norm, eps)).astype(np.float32)
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T).astype(np.float32)                          # A = X·Xᵀ
        gram_update = _bf16(b * gram + c * (gram @ gram)).astype(np.float32)   # b·A + c·A·A
        x = _bf16(a * x + gram_update @ x).astype(np.float32)             # X ← a·X + (b·A + c·A²)·X
    return x.T if tall else x


def _adjust_lr(lr, adjust_lr_fn, shape):
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    """Muon, as ``torch.optim.Muon``."""

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS, ns_steps=DEFAULT_NS_STEPS,
                 adjust_lr_fn=None):
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    def _update(self, p, group):
        lr = to_scalar(group["lr"])
        momentum = group["momentum"]
        if p.is_complex():
            raise RuntimeError("Muon does not support complex parameters")
        state = self.state[p]
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = zeros_like(p)
        buf, theta = state["momentum_buffer"]._array, p._array
        g = p.grad._array
        if g.ndim != 2:
            raise ValueError("Param gradient must be a 2D matrix")

        buf += (1 - momentum) * (g - buf)                         # B_t = lerp(B_{t-1}, g_t, 1 - μ)
        update = g + momentum * (buf - g) if group["nesterov"] else buf
        update = _zeropower_via_newtonschulz(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
        adjusted_lr = _adjust_lr(lr, group["adjust_lr_fn"], theta.shape)
        theta *= 1 - lr * group["weight_decay"]
        theta -= adjusted_lr * update.astype(theta.dtype)
