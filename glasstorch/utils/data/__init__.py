"""glasstorch.utils.data: datasets, samplers, collation and the DataLoader, as in ``torch.utils.data``.

- ``dataset.py``: Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, ChainDataset, random_split;
- ``sampler.py``: the order of the indices (SequentialSampler, RandomSampler, ...) and BatchSampler;
- ``collate.py``: default_collate (a list of examples → one batch) and default_convert;
- ``dataloader.py``: DataLoader, which ties them together.
"""
from .dataset import (Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, ChainDataset,  # noqa: F401
                      random_split)
from .sampler import (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,  # noqa: F401
                      WeightedRandomSampler, BatchSampler)
from .collate import default_collate, default_convert  # noqa: F401
from .dataloader import DataLoader, get_worker_info  # noqa: F401


from ..._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
