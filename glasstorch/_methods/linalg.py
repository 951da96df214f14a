"""Linear algebra (det, inverse, qr, svd, cholesky ...): Tensor methods, each a one-line call into glasstorch.ops (see _methods/__init__.py)."""
from .. import ops  # noqa: F401  (ops.<family> is looked up at call time)


class LinalgMethods:
    """Linear algebra (det, inverse, qr, svd, cholesky ...)."""
