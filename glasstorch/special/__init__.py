"""torch.special: special functions of real arguments (the ops are in glasstorch/ops/math.py)."""
from .._missing import missing_api

__getattr__ = missing_api(__name__)
