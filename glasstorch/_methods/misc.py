"""Types, storage, device and property methods, new_* and *_like helpers: Tensor methods, each a one-line call into glasstorch.ops (see _methods/__init__.py)."""
from .. import ops  # noqa: F401  (ops.<family> is looked up at call time)


class MiscMethods:
    """Types, storage, device and property methods, new_* and *_like helpers."""
