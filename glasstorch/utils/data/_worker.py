"""What runs inside a DataLoader worker process, as ``torch.utils.data._utils.worker``.

Each worker is started once per epoch (or once for all epochs with ``persistent_workers=True``) with its
own copy of the dataset (inherited with 'fork', pickled with 'spawn'). It seeds its random number
generators as PyTorch's workers do, calls ``worker_init_fn(worker_id)``, then loops:

    index_queue  →  (send_idx, indices)  →  fetch + collate  →  result_queue  ←  (send_idx, batch)

A batch's tensors are put in shared memory when the batch is pickled onto the result queue (see
glasstorch/multiprocessing/reductions.py): the main process receives views of that memory, not copies.
An exception is caught and sent back as an ``ExceptionWrapper``, which the main process re-raises with
the worker's traceback text. ``None`` on the index queue means "exit"; ``_ResumeIteration`` means "a new
epoch starts" (persistent workers: an IterableDataset's iterator is made again).
"""
import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

__all__ = ["WorkerInfo", "get_worker_info"]

MP_STATUS_CHECK_INTERVAL = 1.0  # seconds between "is the other side still alive?" checks (PyTorch: 5.0)

_worker_info = None


class WorkerInfo:
    """``id``, ``num_workers``, ``seed`` and ``dataset`` (the worker's copy) of the current worker."""

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__dict__.get("_WorkerInfo__initialized", False):
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{self.__class__.__name__}({items})"


def get_worker_info():
    """In a DataLoader worker process: its WorkerInfo (e.g. to split an IterableDataset); elsewhere None."""
    return _worker_info


class ExceptionWrapper:
    """An exception with its traceback text, sent from a worker to be re-raised in the main process."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """``Caught ValueError in DataLoader worker process 0.\\nOriginal Traceback (most recent call last): ...``"""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:  # KeyError's str() would show the message as one quoted line
            msg = _KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # an exception class that cannot be built from one message
            raise RuntimeError(msg) from None
        raise exception


class _KeyErrorMessage(str):
    def __repr__(self):
        return self


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose IterableDataset is exhausted."""
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to (and echoed back by) persistent workers at the start of a new epoch."""
    seed: int = None


def _generate_state(base_seed, worker_id):
    """NumPy's legacy global seed for a worker: four 32-bit words hashed from (worker_id, base_seed), the
    SeedSequence-style mixing PyTorch's worker uses (so that workers get unrelated NumPy streams)."""
    mask = 0xFFFFFFFF
    xshift = 16
    mult_a, mult_b = 0x931E8875, 0x58F38DED
    hash_a = [0x43B0D7E5]

    def hash32(value):
        value = (value ^ hash_a[0]) & mask
        hash_a[0] = (hash_a[0] * mult_a) & mask
        value = (value * hash_a[0]) & mask
        return (value ^ (value >> xshift)) & mask

    def mix(x, y):
        result = ((0xCA01F9DD * x) - (0x4973F715 * y)) & mask
        return (result ^ (result >> xshift)) & mask

    pool = [hash32(v) for v in (worker_id, base_seed & mask, base_seed >> 32, 0)]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hash32(pool[src]))
    hash_b = 0x8B51F9DD
    state = []
    for value in pool:
        value = (value ^ hash_b) & mask
        hash_b = (hash_b * mult_b) & mask
        value = (value * hash_b) & mask
        state.append((value ^ (value >> xshift)) & mask)
    return state


class MapFetcher:
    """Batches of a map-style dataset: ``collate_fn([dataset[i] for i in indices])``."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn

    def fetch(self, index):
        from .dataloader import _fetch_batch
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        return _fetch_batch(self.dataset, index, self.collate_fn)


class IterableFetcher:
    """Batches of an IterableDataset: the next ``len(indices)`` examples of its iterator (StopIteration at
    the end, or at a short last batch with ``drop_last``)."""

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        self.drop_last = drop_last
        self.iterator = iter(dataset)
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        data = []
        for _ in index:
            try:
                data.append(next(self.iterator))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def worker_loop(dataset, iterable, index_queue, data_queue, done_event, auto_collation, collate_fn, drop_last,
                base_seed, init_fn, worker_id, num_workers, persistent_workers):
    """The body of one worker process (see the module docstring)."""
    global _worker_info
    from ... import random as _random
    parent = os.getppid()
    seed = base_seed + worker_id
    random.seed(seed)
    _random.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))  # PyTorch seeds NumPy's legacy global too
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    fetcher_class = IterableFetcher if iterable else MapFetcher

    init_exception = None
    fetcher = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = fetcher_class(dataset, auto_collation, collate_fn, drop_last)
    except Exception:
        init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

    iteration_end = False
    try:
        while True:
            try:
                r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent:  # the main process is gone: nobody to load for
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                try:
                    fetcher = fetcher_class(dataset, auto_collation, collate_fn, drop_last)
                except Exception:
                    init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue  # shutting down, or nothing left: drain the queue until None comes
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
                    else:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
