"""Reductions and statistics (median, quantile, histc, cummax ...): Tensor methods, each a one-line call into glasstorch.ops (see _methods/__init__.py)."""
from .. import ops  # noqa: F401  (ops.<family> is looked up at call time)


class StatsMethods:
    """Reductions and statistics (median, quantile, histc, cummax ...)."""
