"""DataLoader: iterate over a dataset in batches.

    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)
    for epoch in range(10):
        for xb, yb in loader:          # a new random order every epoch
            ...

One pass over the loader (an epoch) goes:
    sampler  →  indices  →  BatchSampler  →  lists of batch_size indices
    for each list: examples = [dataset[i] for i in indices]  (or dataset.__getitems__(indices) if defined)
                   batch = collate_fn(examples)

``shuffle=True`` makes the sampler a ``RandomSampler`` (else a ``SequentialSampler``); ``batch_size=None``
turns batching off: each example comes out on its own, only converted by ``default_convert``.

Fast path: for a ``TensorDataset`` (or a ``Subset`` of one, at any depth) with the default collate, a batch
is made with one fancy index per stored tensor, ``X[indices]``, instead of building B examples and stacking
them. The result is the same list of tensors the slow path gives; only the Python work per example is gone.

Deviations from ``torch.utils.data.DataLoader``, all of them documented here:
- ``num_workers > 0`` is accepted but loading still runs in the main process, one batch at a time (there are
  no worker processes, so ``worker_init_fn`` is never called and ``get_worker_info()`` is always None);
  ``timeout``, ``pin_memory``, ``prefetch_factor``, ``persistent_workers``, ``multiprocessing_context`` and
  ``in_order`` are accepted and checked as PyTorch checks them, then have no effect.
- the shuffled order comes from glasstorch's generator, so it is reproducible (a fixed ``generator=`` or
  ``glasstorch.manual_seed``) but is not the order PyTorch gives for the same seed.
- ``iter(loader)`` is a Python generator (PyTorch returns an iterator object with ``__len__``).
"""
import itertools

import numpy as np

from ...autograd.function import wrap
from .collate import default_collate, default_convert
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]


def get_worker_info():
    """Information about the current worker process: always None here, as glasstorch loads in-process."""
    return None


class DataLoader:
    """Batches from ``dataset``, in order or shuffled (see the module docstring)."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                             "to enable multiprocessing, otherwise set prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        if isinstance(dataset, IterableDataset):
            # a stream has no indices: no sampling, no shuffling; batches are consecutive examples
            for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value is not None and value is not False:
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, "
                                     f"but got {name}={value}")
            if batch_size is not None:
                BatchSampler([], batch_size, drop_last)  # only to check batch_size and drop_last as PyTorch does
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size = None
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")

        if sampler is None and not isinstance(dataset, IterableDataset):
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_sampler is None and batch_size is not None and not isinstance(dataset, IterableDataset):
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @property
    def _auto_collation(self):
        """Whether examples are grouped into batches (False when batch_size=None)."""
        return self.batch_sampler is not None or self.batch_size is not None

    def __len__(self):
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            if self.drop_last:
                return n // self.batch_size
            return (n + self.batch_size - 1) // self.batch_size
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        return len(self.sampler)

    def __iter__(self):
        if isinstance(self.dataset, IterableDataset):
            yield from self._iter_stream()
        elif self.batch_sampler is None:
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
        else:
            tensors = _tensor_source(self.dataset) if self.collate_fn is default_collate else None
            for indices in self.batch_sampler:
                if tensors is not None:
                    yield _tensor_batch(*tensors, indices)
                else:
                    yield self.collate_fn(self._fetch(indices))

    def _fetch(self, indices):
        """The examples at ``indices``: ``dataset.__getitems__(indices)`` if the dataset has it, else one by one."""
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__(indices)
        return [self.dataset[i] for i in indices]

    def _iter_stream(self):
        examples = iter(self.dataset)
        if self.batch_size is None:
            for example in examples:
                yield self.collate_fn(example)
            return
        while True:
            batch = list(itertools.islice(examples, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield self.collate_fn(batch)


def _tensor_source(dataset):
    """For a TensorDataset, or Subsets of one: (its tensors, the array mapping a loader index to a row of the
    tensors, or None for "the same index"). For any other dataset: None, meaning "no fast path"."""
    rows = None
    while type(dataset) is Subset:
        indices = np.asarray(dataset.indices, dtype=np.int64)
        rows = indices if rows is None else indices[rows]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:  # a subclass may change __getitem__: use the slow path
        return None
    return dataset.tensors, rows


def _tensor_batch(tensors, rows, indices):
    """``[t[indices] for t in tensors]``: the batch default_collate would stack, made by one fancy index each."""
    index = np.asarray(indices, dtype=np.int64)
    if rows is not None:
        index = rows[index]
    # NumPy indexing directly, unless autograd has to record the indexing
    return [t[index] if t.requires_grad else wrap(t._array[index]) for t in tensors]
