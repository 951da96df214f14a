"""glasstorch.nn.parallel: PyTorch's import path for the data-parallel wrappers.

``DataParallel`` is a transparent wrapper on glasstorch's one CPU device (see nn/modules/data_parallel.py).
``DistributedDataParallel`` needs a process group (``glasstorch.distributed.init_process_group``); until the
distributed package is there, building one raises PyTorch's own error for a script that has not initialized a
group, so ``from torch.nn.parallel import DistributedDataParallel`` at the top of a single-process script
imports fine and its single-process path runs.
"""
from ..modules.data_parallel import DataParallel
from ..modules.module import Module

__all__ = ["DataParallel", "DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Data parallelism over processes. Deviation (for now): glasstorch has no process groups yet, so the
    constructor raises ValueError, as PyTorch's does before ``init_process_group``."""

    def __init__(self, module, *args, **kwargs):
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         "init_process_group.")
