"""L1 and L2 penalties to add to a loss (a glasstorch addition for the regularization lesson: PyTorch has no
such functions; there you write ``sum(p.abs().sum() for p in model.parameters())`` yourself).

    loss = criterion(model(x), y) + l1_penalty(model, weight=1e-4)

- ``l1_penalty(params, weight)`` = weight · Σ|w|. Its gradient, weight·sign(w), pushes every weight
  toward 0 by the same amount whatever its size, so small weights reach exactly 0: sparse models.
- ``l2_penalty(params, weight)`` = weight · ½·Σw². Its gradient is weight·w: each step shrinks every
  weight in proportion to its size. That is exactly what ``SGD(..., weight_decay=λ)`` does: adding
  ``l2_penalty(params, weight=λ)`` to the loss and using SGD without weight_decay gives the same steps.
  (For Adam the two differ; AdamW's decoupled decay is yet another thing, see optim/adamw.py.)

Both are ordinary differentiable expressions: ``loss.backward()`` carries their gradients. They penalize
every parameter given, biases included; pass only the weights (e.g. ``[layer.weight for ...]``) to spare
the biases.
"""
from ...tensor import Tensor

__all__ = ["l1_penalty", "l2_penalty"]


def _parameters(parameters_or_module):
    if hasattr(parameters_or_module, "parameters") and callable(parameters_or_module.parameters):
        return list(parameters_or_module.parameters())
    if isinstance(parameters_or_module, Tensor):
        return [parameters_or_module]
    return list(parameters_or_module)


def l1_penalty(parameters_or_module, weight=1.0):
    """weight · Σ|w| over all the parameters (a module's ``.parameters()``, an iterable, or one tensor)."""
    total = 0.0
    for p in _parameters(parameters_or_module):
        total = total + p.abs().sum()
    return total * weight


def l2_penalty(parameters_or_module, weight=1.0):
    """weight · ½·Σw² over all the parameters; its gradient weight·w equals SGD's ``weight_decay=weight``."""
    total = 0.0
    for p in _parameters(parameters_or_module):
        total = total + (p * p).sum()
    return total * (0.5 * weight)
