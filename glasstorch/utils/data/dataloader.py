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

Worker processes (``num_workers > 0``), as in PyTorch (see _worker.py for a worker's side):
- the main process runs the sampler and hands lists of indices to the workers in turn (worker 0, 1, ...,
  at most ``prefetch_factor`` (default 2) tasks per worker outstanding); each worker fetches and collates
  its batch and sends it back through a queue, the tensors in shared memory (the main process gets views
  of that memory, no copy of the values); batches come out in the sampler's order (``in_order=False``: as
  they arrive), so the batches are the ones ``num_workers=0`` gives;
- processes start with Python's default start method ('fork' on Linux) or ``multiprocessing_context``
  ('spawn', 'forkserver' or a context object; the dataset and functions must then be picklable);
- every iterator draws a base seed from ``generator`` (or the global generator) as PyTorch does, also with
  ``num_workers=0``; worker i seeds Python's ``random`` and glasstorch with ``base_seed + i`` and NumPy's
  legacy global generator with PyTorch's hash of (base_seed, i); ``get_worker_info()`` in a worker gives
  (id, num_workers, seed, dataset); ``worker_init_fn(i)`` runs in the worker after seeding;
- an IterableDataset is iterated whole by *each* worker (split it with ``get_worker_info()``, or each
  example comes ``num_workers`` times); batches alternate between the workers until each is exhausted;
- an exception in a worker is raised in the main process as the same type, with the worker's traceback:
  "Caught ValueError in DataLoader worker process 0. Original Traceback ...";
- ``timeout`` > 0: RuntimeError "DataLoader timed out after N seconds" when a batch takes longer; a worker
  that dies raises RuntimeError "DataLoader worker (pid(s) ...) exited unexpectedly";
- ``persistent_workers=True`` keeps the workers (and their dataset copies) between epochs.

Deviations from ``torch.utils.data.DataLoader``, all of them documented here:
- ``pin_memory`` and ``pin_memory_device`` are accepted and have no effect (there is only the CPU);
- ``iter(loader)`` with ``num_workers=0`` is a Python generator (PyTorch returns an iterator object with
  ``__len__``); with workers it is an iterator object with ``__len__``;
- no ``__getitems__`` batching across workers and no IterDataPipe graph seeding (datapipes are not provided).
"""
import itertools
import multiprocessing as python_multiprocessing
import os
import queue
import weakref

import numpy as np

from ...autograd.function import wrap
from .collate import default_collate, default_convert
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, _int64_draw
from . import _worker
from ._worker import get_worker_info
from ... import multiprocessing as _gt_multiprocessing  # noqa: F401  (registers the shared-memory pickling)

__all__ = ["DataLoader", "get_worker_info"]


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
        self.multiprocessing_context = _check_context(multiprocessing_context, num_workers)
        self.generator = generator
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        self.prefetch_factor = prefetch_factor
        self._iterator = None  # the persistent workers' iterator
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

    @property
    def _index_sampler(self):
        """What the main process iterates: lists of indices (batching on) or single indices (off)."""
        return self.batch_sampler if self._auto_collation else self.sampler

    def _draw_base_seed(self):
        """The iterator's base seed: one int64 draw from ``generator`` (PyTorch draws it for every iterator,
        with or without workers, so the generator's stream is the same for both)."""
        return _int64_draw(self.generator)

    def __iter__(self):
        if self.num_workers > 0:
            if not self.persistent_workers:
                return _MultiProcessingDataLoaderIter(self)
            if self._iterator is None:
                self._iterator = _MultiProcessingDataLoaderIter(self)
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._single_process_iter()

    def _single_process_iter(self):
        if isinstance(self.dataset, IterableDataset):
            self._draw_base_seed()
            yield from self._iter_stream()
            return
        indices_iter = iter(self._index_sampler)
        self._draw_base_seed()
        if self.batch_sampler is None:
            for index in indices_iter:
                yield self.collate_fn(self.dataset[index])
        else:
            tensors = _tensor_source(self.dataset) if self.collate_fn is default_collate else None
            for indices in indices_iter:
                if tensors is not None:
                    yield _tensor_batch(*tensors, indices)
                else:
                    yield self.collate_fn(_fetch(self.dataset, indices))

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


def _check_context(context, num_workers):
    """``multiprocessing_context``: None, a start method's name or a context object, as PyTorch checks it."""
    if context is None:
        return None
    if num_workers <= 0:
        raise ValueError("multiprocessing_context can only be used with multi-process loading (num_workers > 0), "
                         f"but got num_workers={num_workers}")
    if isinstance(context, str):
        methods = python_multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(f"multiprocessing_context option should specify a valid start method in {methods!r}, "
                             f"but got multiprocessing_context={context!r}")
        context = python_multiprocessing.get_context(context)
    if not isinstance(context, python_multiprocessing.context.BaseContext):
        raise TypeError("multiprocessing_context option should be a valid context object or a string specifying "
                        f"the start method, but got multiprocessing_context={context}")
    return context


def _fetch(dataset, indices):
    """The examples at ``indices``: ``dataset.__getitems__(indices)`` if the dataset has it, else one by one."""
    if callable(getattr(dataset, "__getitems__", None)):
        return dataset.__getitems__(indices)
    return [dataset[i] for i in indices]


def _fetch_batch(dataset, indices, collate_fn):
    """One collated batch (a worker's fetch), with the TensorDataset fast path."""
    tensors = _tensor_source(dataset) if collate_fn is default_collate else None
    if tensors is not None:
        return _tensor_batch(*tensors, indices)
    return collate_fn(_fetch(dataset, indices))


class _MultiProcessingDataLoaderIter:
    """One epoch of a DataLoader with worker processes (see the module docstring); its ``_reset`` starts
    the next epoch on the same workers when they are persistent."""

    def __init__(self, loader):
        self._dataset = loader.dataset
        self._iterable = isinstance(loader.dataset, IterableDataset)
        self._num_workers = loader.num_workers
        self._prefetch_factor = loader.prefetch_factor
        self._timeout = loader.timeout
        self._in_order = loader.in_order
        self._persistent_workers = loader.persistent_workers
        self._shutdown = False
        ctx = loader.multiprocessing_context or python_multiprocessing
        self._sampler_iter = self._make_sampler_iter(loader)
        base_seed = loader._draw_base_seed()
        self._data_queue = ctx.Queue()
        self._done_event = ctx.Event()
        self._index_queues, self._workers = [], []
        for worker_id in range(self._num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()  # never block exit on tasks nobody will read
            worker = ctx.Process(target=_worker.worker_loop, daemon=True, args=(
                self._dataset, self._iterable, index_queue, self._data_queue, self._done_event,
                loader._auto_collation, loader.collate_fn, loader.drop_last, base_seed, loader.worker_init_fn,
                worker_id, self._num_workers, self._persistent_workers))
            worker.start()
            self._index_queues.append(index_queue)
            self._workers.append(worker)
        self._finalizer = weakref.finalize(self, _shutdown_workers, os.getpid(), self._workers,
                                           self._index_queues, self._data_queue, self._done_event)
        self._reset(loader, first_iter=True)

    @staticmethod
    def _make_sampler_iter(loader):
        if isinstance(loader.dataset, IterableDataset):  # a stream: "indices" only say how many examples
            return itertools.repeat(None if loader.batch_size is None else [None] * loader.batch_size)
        return iter(loader._index_sampler)

    def _reset(self, loader, first_iter=False):
        if not first_iter:
            self._sampler_iter = self._make_sampler_iter(loader)
        self._len = len(loader) if not self._iterable or hasattr(self._dataset, "__len__") else None
        self._send_idx = 0  # the next task's number
        self._rcvd_idx = 0  # the next task's number to hand out
        self._task_info = {}  # task number -> (worker_id,) while outstanding, (worker_id, data) once here early
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:  # persistent workers: tell each a new epoch starts; drop what was left of the last
            for index_queue in self._index_queues:
                index_queue.put(_worker._ResumeIteration())
            waiting = self._num_workers
            while waiting > 0:
                _, data = self._get_data()
                if isinstance(_, _worker._ResumeIteration):
                    waiting -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def __iter__(self):
        return self

    def __len__(self):
        if self._len is None:
            raise TypeError("object of type 'DataLoader iterator' has no len()")
        return self._len

    def _try_put_index(self):
        if self._tasks_outstanding >= self._prefetch_factor * self._num_workers:
            return
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):  # the next worker in turn that still has data
            worker_id = next(self._worker_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _get_data(self):
        """The next (task number, data) from any worker; checks timeout and that the workers are alive."""
        if self._timeout > 0:
            try:
                return self._data_queue.get(timeout=self._timeout)
            except queue.Empty:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None
        while True:
            try:
                return self._data_queue.get(timeout=_worker.MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                dead = [w.pid for w in self._workers if not w.is_alive()]
                if dead:
                    self._shutdown_workers()
                    pids = ", ".join(str(pid) for pid in dead)
                    raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly") from None

    def __next__(self):
        if self._shutdown:
            raise StopIteration
        while True:
            while self._rcvd_idx < self._send_idx:  # skip the tasks of workers that have ended their stream
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:  # arrived earlier, out of order
                data = self._task_info.pop(self._rcvd_idx)[1]
                self._rcvd_idx += 1
                return self._process_data(data)
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if isinstance(data, _worker._IterableDatasetStopIteration):
                self._workers_status[data.worker_id] = False
                self._try_put_index()
                continue
            if idx == self._rcvd_idx:
                del self._task_info[idx]
                self._rcvd_idx += 1
                return self._process_data(data)
            if not self._in_order:
                del self._task_info[idx]
                return self._process_data(data)
            self._task_info[idx] += (data,)

    def _process_data(self, data):
        self._try_put_index()
        if isinstance(data, _worker.ExceptionWrapper):
            data.reraise()
        return data

    def _shutdown_workers(self):
        if not self._shutdown:
            self._shutdown = True
            self._finalizer()


def _shutdown_workers(owner_pid, workers, index_queues, data_queue, done_event):
    """Tell the workers to exit, wait a little for them, and stop the ones that do not."""
    if os.getpid() != owner_pid:  # a forked child's copy of an iterator: the workers are not its own
        return
    done_event.set()
    for index_queue in index_queues:
        try:
            index_queue.put(None)
        except (OSError, ValueError):
            pass
    for worker in workers:
        worker.join(timeout=_worker.MP_STATUS_CHECK_INTERVAL * 5)
        if worker.is_alive():
            worker.terminate()
            worker.join()
    for index_queue in index_queues:
        index_queue.close()
    data_queue.cancel_join_thread()
    data_queue.close()


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
