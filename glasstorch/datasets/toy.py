"""Small made-up data sets for first experiments: logic gates, XOR clouds, two moons, circles, spirals.

Every generator returns ``(X, y)`` tensors ready for ``TensorDataset(X, y)``: X is float32 of shape
(n, 2), points in the plane. Targets follow the loss they are meant for:
- ``logic_gate`` and ``xor``: y is float32 0./1. of shape (n,) (a truth table: for ``BCELoss`` or
  ``BCEWithLogitsLoss``);
- ``moons``, ``circles`` and ``spirals``: y is int64 class numbers of shape (n,) (for ``cross_entropy``;
  ``y.float()`` for a binary loss).

The random ones take ``generator=`` (a ``glasstorch.Generator``); without it they draw from the global
generator, so ``glasstorch.manual_seed`` makes them reproducible. Their points come out shuffled.
These are glasstorch additions (no PyTorch counterpart); moons and circles are shaped like
scikit-learn's ``make_moons`` and ``make_circles``.
"""
import numpy as np

from .. import random as _random
from ..autograd.function import wrap

__all__ = ["logic_gate", "xor", "moons", "circles", "spirals"]

# the output of each gate for the inputs (0, 0), (0, 1), (1, 0), (1, 1)
TRUTH_TABLES = {
    "AND": [0, 0, 0, 1],
    "OR": [0, 1, 1, 1],
    "NAND": [1, 1, 1, 0],
    "NOR": [1, 0, 0, 0],
    "XOR": [0, 1, 1, 0],
    "XNOR": [1, 0, 0, 1],
}


def logic_gate(name):
    """The truth table of a two-input gate ("AND", "OR", "NAND", "NOR", "XOR", "XNOR"): X (4, 2), y (4,)."""
    key = name.upper()
    if key not in TRUTH_TABLES:
        raise ValueError(f"unknown logic gate {name!r}; expected one of {sorted(TRUTH_TABLES)}")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array(TRUTH_TABLES[key], dtype=np.float32)
    return wrap(X), wrap(y)


def _shuffled(X, y, rng):
    order = rng.permutation(len(X))
    return wrap(X[order].astype(np.float32)), wrap(y[order])


def xor(n=200, noise=0.1, generator=None):
    """Noisy XOR: n points scattered (std ``noise``) around the corners (0,0), (0,1), (1,0), (1,1);
    y = 1. where exactly one coordinate of the corner is 1."""
    rng = _random._rng(generator)
    corners = rng.integers(0, 2, size=(n, 2))
    X = corners + noise * rng.standard_normal((n, 2))
    y = (corners[:, 0] ^ corners[:, 1]).astype(np.float32)
    return _shuffled(X, y, rng)


def moons(n=200, noise=0.1, generator=None):
    """Two interleaving half circles: class 0 the upper one (centre (0, 0)), class 1 the lower one
    (centre (1, 0.5)); Gaussian noise of std ``noise`` added to every coordinate."""
    rng = _random._rng(generator)
    n_upper = n // 2
    n_lower = n - n_upper
    t_upper = np.linspace(0, np.pi, n_upper)
    t_lower = np.linspace(0, np.pi, n_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    return _shuffled(X, y, rng)


def circles(n=200, noise=0.05, factor=0.5, generator=None):
    """Two circles around the origin: class 0 of radius 1, class 1 of radius ``factor``; Gaussian noise of
    std ``noise`` added to every coordinate."""
    if not 0 < factor < 1:
        raise ValueError(f"factor must be between 0 and 1, got {factor}")
    rng = _random._rng(generator)
    n_outer = n // 2
    n_inner = n - n_outer
    t_outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0, 2 * np.pi, n_inner, endpoint=False)
    outer = np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1)
    inner = factor * np.stack([np.cos(t_inner), np.sin(t_inner)], axis=1)
    X = np.concatenate([outer, inner]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n_inner, np.int64)])
    return _shuffled(X, y, rng)


def spirals(n=300, classes=3, noise=0.2, generator=None):
    """``classes`` spiral arms winding out from the origin, n points in all (split as evenly as possible).

    Arm k: radius r from 0 to 1, angle 2πk/classes + 4r, plus Gaussian noise of std ``noise`` (in radians)
    on the angle. Not linearly separable: a classic first test for a hidden layer.
    """
    rng = _random._rng(generator)
    points, labels = [], []
    for k in range(classes):
        m = n // classes + (1 if k < n % classes else 0)
        r = np.linspace(0.0, 1.0, m)
        angle = 2 * np.pi * k / classes + 4 * r + noise * rng.standard_normal(m)
        points.append(np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1))
        labels.append(np.full(m, k, dtype=np.int64))
    return _shuffled(np.concatenate(points), np.concatenate(labels), rng)
