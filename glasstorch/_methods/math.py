"""Elementwise maths, special functions, comparisons and bitwise ops: Tensor methods, each a one-line call into glasstorch.ops (see _methods/__init__.py)."""
from .. import ops  # noqa: F401  (ops.<family> is looked up at call time)


class MathMethods:
    """Elementwise maths, special functions, comparisons and bitwise ops."""
