"""torch.amp: automatic mixed precision, i.e. ``autocast`` (the switch) and ``GradScaler`` (loss scaling).

Deviation: glasstorch's ops do not read the autocast switch: they compute in their inputs' dtype, so under
``autocast('cpu')`` matmul/linear/conv stay float32 where PyTorch gives bfloat16 (see autocast_mode.py).
GradScaler behaves as PyTorch's (grad_scaler.py)."""
from .._missing import missing_api
from .autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from .grad_scaler import GradScaler

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available", "GradScaler"]

__getattr__ = missing_api(__name__)
