"""torch.linalg: linear algebra (the ops are in glasstorch/ops/linalg.py)."""
from .._missing import missing_api

__getattr__ = missing_api(__name__)
