"""PyTorch's import path for the distributed sampler: ``torch.utils.data.distributed.DistributedSampler``
(written in sampler.py, beside the other samplers)."""
from .sampler import DistributedSampler

__all__ = ["DistributedSampler"]
