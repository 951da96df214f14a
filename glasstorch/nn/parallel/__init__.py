"""glasstorch.nn.parallel: PyTorch's import path for the data-parallel wrappers.

``DataParallel`` is a transparent wrapper on glasstorch's one CPU device (see nn/modules/data_parallel.py).
``DistributedDataParallel`` (distributed.py) averages gradients over the processes of a process group
(``glasstorch.distributed.init_process_group``); built before one exists it raises PyTorch's own error.
"""
from ..modules.data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
