"""Samplers: the "which examples, in which order" half of data loading.

A sampler is an iterable of dataset indices (plain Python ints). ``SequentialSampler`` gives 0, 1, 2, ...;
``RandomSampler`` a fresh random order on every pass (one pass = one epoch); ``SubsetRandomSampler`` a
random order of given indices; ``WeightedRandomSampler`` draws indices with given weights.
``BatchSampler`` groups another sampler's indices into lists of ``batch_size``: the DataLoader fetches
one such list per batch.

Same names, arguments and errors as ``torch.utils.data``. The random orders come from
glasstorch's generator (the same Mersenne Twister stream as PyTorch's: randperm, randint and multinomial,
so for a given seed the orders are PyTorch's).
"""
import itertools
import math

import numpy as np

from ... import random as _random

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler", "DistributedSampler"]


def _int64_draw(generator):
    """``torch.empty((), dtype=torch.int64).random_(generator=generator).item()``: how PyTorch draws a seed."""
    from ...creation import empty
    from ... import _dtype
    return int(empty((), dtype=_dtype.int64).random_(generator=generator).item())


class Sampler:
    """Base class: subclasses define ``__iter__`` (yielding indices) and usually ``__len__``."""

    def __init__(self, data_source=None):
        pass

    def __iter__(self):
        raise NotImplementedError


class SequentialSampler(Sampler):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of the indices, new on each pass.

    Without replacement, each pass is a permutation (``num_samples`` larger than the dataset gives several
    permutations one after another, the last one cut short). With ``replacement=True`` each index is drawn
    independently, uniformly. ``generator=None`` uses the global generator.
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got replacement={self.replacement}")
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={self.num_samples}")

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        generator = self.generator
        if generator is None:  # as PyTorch: a fresh generator seeded by one draw from the global one
            seed = _int64_draw(None)
            generator = _random.Generator().manual_seed(seed)
        # the draws PyTorch makes, in its order (so a seeded generator gives PyTorch's indices and is left in
        # PyTorch's state): chunks of 32 with replacement; else whole permutations, then one more permutation
        # cut to the rest (drawn even when the rest is 0)
        if self.replacement:
            sizes = [32] * (self.num_samples // 32) + [self.num_samples % 32]
            parts = [_random.randint_array(0, n, (size,), generator) for size in sizes]
        else:
            parts = [_random.permutation_array(n, generator) for _ in range(self.num_samples // n)]
            parts.append(_random.permutation_array(n, generator)[:self.num_samples % n])
        return iter(np.concatenate(parts).tolist())  # a list iterator: BatchSampler slices it at C speed

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order, new on each pass."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        for i in _random.permutation_array(len(self.indices), self.generator).tolist():
            yield self.indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in [0, len(weights)), index i drawn with probability weights[i] / sum(weights).

    The weights need not sum to 1. ``replacement=False`` draws each index at most once.
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got replacement={replacement}")
        weights = np.asarray(weights, dtype=np.float64)
        if weights.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape {tuple(weights.shape)}")
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        from ...creation import as_tensor, multinomial
        drawn = multinomial(as_tensor(self.weights), self.num_samples, self.replacement, generator=self.generator)
        yield from drawn.tolist()  # torch.multinomial's draws, as PyTorch's sampler makes them

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Lists of ``batch_size`` indices taken in order from ``sampler``; the last list may be shorter,
    unless ``drop_last=True`` drops it."""

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        indices = iter(self.sampler)
        while True:
            batch = list(itertools.islice(indices, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield batch

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size


class DistributedSampler(Sampler):
    """The share of ``dataset`` for replica ``rank`` of ``num_replicas`` (one per process of a distributed
    job): every ``num_replicas``-th index of one order, starting at ``rank``. The order is a permutation
    seeded with ``seed + epoch`` (call ``set_epoch`` each epoch) when ``shuffle``; it is padded by repeating
    its start to a multiple of ``num_replicas`` (``drop_last=True``: cut instead).

    Left out, ``num_replicas`` and ``rank`` come from the default process group (glasstorch.distributed), and
    without one they raise PyTorch's error for an uninitialized default process group.
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            from ... import distributed as dist
            if not dist.is_available() or not dist.is_initialized():
                raise ValueError("Default process group has not been initialized, please make sure to call "
                                 "init_process_group.")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            g = _random.Generator().manual_seed(self.seed + self.epoch)
            indices = _random.permutation_array(n, g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            indices += (indices * math.ceil(padding / len(indices)))[:padding] if padding > len(indices) \
                else indices[:padding]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Use ``seed + epoch`` for the next order (so each epoch is shuffled differently)."""
        self.epoch = epoch
