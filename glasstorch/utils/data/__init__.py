"""glasstorch.utils.data: datasets, samplers, collation and the DataLoader, as in ``torch.utils.data``.

- ``dataset.py``: Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, ChainDataset, random_split;
- ``sampler.py``: the order of the indices (SequentialSampler, RandomSampler, ...) and BatchSampler;
- ``collate.py``: default_collate (a list of examples → one batch) and default_convert;
- ``dataloader.py``: DataLoader, which ties them together, in the main process or in worker processes;
- ``_worker.py``: what a worker process runs (get_worker_info, seeding, exceptions sent back).

Not provided, on purpose: the DataPipe API (IterDataPipe, MapDataPipe, DFIterDataPipe, DataChunk,
functional_datapipe, guaranteed_datapipes_determinism, non_deterministic, runtime_validation,
runtime_validation_disabled, argument_validation). It is deprecated: torchdata removed its datapipes in
0.10 and PyTorch keeps these names only for old code; new code uses Dataset/IterableDataset.
"""
from .dataset import (Dataset, IterableDataset, TensorDataset, StackDataset, Subset, ConcatDataset,  # noqa: F401
                      ChainDataset, random_split)
from .sampler import (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,  # noqa: F401
                      WeightedRandomSampler, BatchSampler, DistributedSampler)
from .collate import default_collate, default_convert  # noqa: F401
from .dataloader import DataLoader, get_worker_info  # noqa: F401


from ..._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
