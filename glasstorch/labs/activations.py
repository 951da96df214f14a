"""Lab: the activation functions and their derivatives, the derivatives taken by autograd.

For each activation f we evaluate y = f(x) on a grid of x, call ``y.sum().backward()``, and read f'(x)
from ``x.grad`` (the derivative of Σ f(x_i) with respect to x_i is f'(x_i)). The lab then checks autograd
against the formula a learner would write by hand:

    step       f = 1 if x > 0 else 0          f' = 0 (undefined at 0: no gradient flows, the perceptron's problem)
    sigmoid    f = 1 / (1 + e^−x)             f' = f (1 − f)             at most 0.25: gradients shrink layer by layer
    tanh       f = (e^x − e^−x)/(e^x + e^−x)  f' = 1 − f²                at most 1
    ReLU       f = max(0, x)                  f' = 1 if x > 0 else 0
    LeakyReLU  f = x if x > 0 else 0.01 x     f' = 1 if x > 0 else 0.01  (never exactly 0: no dead units)
    GELU       f = x Φ(x)                     f' = Φ(x) + x φ(x)         (Φ, φ: the standard normal cdf, pdf)
"""
import math

import numpy as np

import glasstorch as torch
import glasstorch.nn.functional as F


def _normal_pdf(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _normal_cdf(x):
    return 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


# name -> (the activation on tensors, its derivative by hand on NumPy arrays)
ACTIVATIONS = {
    "step": (lambda x: F.step(x), lambda x: np.zeros_like(x)),
    "sigmoid": (torch.sigmoid, lambda x: (1 / (1 + np.exp(-x))) * (1 - 1 / (1 + np.exp(-x)))),
    "tanh": (torch.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "relu": (F.relu, lambda x: (x > 0).astype(x.dtype)),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.01), lambda x: np.where(x > 0, 1.0, 0.01)),
    "gelu": (F.gelu, lambda x: _normal_cdf(x) + x * _normal_pdf(x)),
}


def derivative_by_autograd(f, x_values):
    """f'(x) at each point, from one backward pass: d(Σ f(x_i))/dx_i = f'(x_i)."""
    x = torch.tensor(x_values, dtype=torch.float64, requires_grad=True)
    y = f(x)
    if y.requires_grad:
        y.sum().backward()
        grad = x.grad.numpy()
    else:  # an op with no gradient at all (the step function): autograd has nothing to give
        grad = np.zeros_like(x_values)
    return y.detach().numpy(), grad


def run(run_dir, quick=False, seed=0, log=print):
    # a grid that avoids x = 0 exactly, where step and ReLU have no derivative
    xs = np.linspace(-4, 4, 161 if quick else 801) + 1e-3
    metrics = {}
    curves = {}
    for name, (f, by_hand) in ACTIVATIONS.items():
        y, dy = derivative_by_autograd(f, xs)
        err = float(np.abs(dy - by_hand(xs)).max())
        curves[name] = (y, dy)
        metrics[name] = {"max_abs_error_vs_formula": err, "max_derivative": float(dy.max()),
                         "min_derivative": float(dy.min())}
        log(f"  {name:<10} f'(x) from autograd vs the formula: max |difference| = {err:.2e};  "
            f"f' ranges over [{dy.min():.3f}, {dy.max():.3f}]")

    with run_dir.figure("activations.png", figsize=(12, 6.5)) as fig:
        for k, (name, (y, dy)) in enumerate(curves.items()):
            ax = fig.add_subplot(2, 3, k + 1)
            ax.plot(xs, y, label="f(x)")
            ax.plot(xs, dy, "--", label="f'(x) (autograd)")
            ax.axhline(0, color="gray", lw=0.5)
            ax.axvline(0, color="gray", lw=0.5)
            ax.set(title=name, xlabel="x")
            ax.legend(fontsize=8)
    return metrics
