"""DataLoader with real worker processes (num_workers > 0), against num_workers=0 and against PyTorch.

Kept small: each loader with workers costs a process start (fork: milliseconds; spawn: an import)."""
import os
import time

import numpy as np
import pytest
import torch

import glasstorch
from glasstorch.utils import data as gdata
from glasstorch.utils.data import _worker


class Squares(gdata.Dataset):
    """A map-style dataset with dict examples (the slow path: no TensorDataset fast path)."""

    def __len__(self):
        return 10

    def __getitem__(self, i):
        return {"x": glasstorch.tensor([float(i), float(i * i)]), "i": i, "name": f"n{i}"}


class Failing(gdata.Dataset):
    def __init__(self, bad=5):
        self.bad = bad

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == self.bad:
            raise ValueError(f"bad index {i}")
        return i


class WhoAmI(gdata.Dataset):
    """Each example tells which worker made it, with which seed, and a random draw made there."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = gdata.get_worker_info()
        return (info.id, info.num_workers, info.seed, os.getpid(), glasstorch.rand(1).item(),
                np.random.randint(1 << 30), getattr(info.dataset, "initialised_by", None))


class Sleepy(gdata.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(1)
        return i


def _make_stream(lib):
    class Stream(lib.utils.data.IterableDataset):
        """0..10, split between the workers by get_worker_info (each worker takes every num_workers-th)."""

        def __iter__(self):
            info = lib.utils.data.get_worker_info()
            start, step = (0, 1) if info is None else (info.id, info.num_workers)
            return iter(range(start, 11, step))
    return Stream()


class GStream(gdata.IterableDataset):
    def __iter__(self):
        info = gdata.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, 11, step))


def _init(worker_id):
    gdata.get_worker_info().dataset.initialised_by = worker_id


def test_shuffled_tensor_dataset_two_workers_same_batches_as_none():
    ds = gdata.TensorDataset(glasstorch.arange(26.).reshape(13, 2), glasstorch.arange(13))
    runs = {}
    for workers in (0, 2):
        loader = gdata.DataLoader(ds, batch_size=3, shuffle=True, num_workers=workers,
                                  generator=glasstorch.Generator().manual_seed(7))
        runs[workers] = [[b[0].tolist(), b[1].tolist()] for _ in range(2) for b in loader]  # 2 epochs
    assert runs[0] == runs[2]
    assert runs[0][:5] != runs[0][5:]  # the second epoch is shuffled anew


def test_custom_dataset_batches_in_order_and_in_shared_memory():
    ref = list(gdata.DataLoader(Squares(), batch_size=4))
    got = list(gdata.DataLoader(Squares(), batch_size=4, num_workers=2))
    assert len(got) == len(ref) == 3
    for g, r in zip(got, ref):
        assert g["x"].tolist() == r["x"].tolist() and g["x"].dtype == r["x"].dtype
        assert g["i"].tolist() == r["i"].tolist() and g["name"] == r["name"]
        assert g["x"].is_shared()  # the worker's batch arrives as a view of shared memory


@pytest.mark.parametrize("kwargs", [{"batch_size": None}, {"batch_size": 3, "drop_last": True},
                                    {"batch_size": 4, "prefetch_factor": 1}, {"batch_size": 2, "in_order": False}])
def test_worker_options_match_num_workers_0(kwargs):
    def plain(b):
        return b.tolist() if isinstance(b, glasstorch.Tensor) else b
    ref = [plain(b) for b in gdata.DataLoader(range(10), **{k: v for k, v in kwargs.items()
                                                         if k not in ("prefetch_factor", "in_order")})]
    loader = gdata.DataLoader(range(10), num_workers=2, **kwargs)
    it = iter(loader)
    assert len(it) == len(loader) == len(ref)
    got = [plain(b) for b in it]
    if kwargs.get("in_order", True):
        assert got == ref
    else:
        assert sorted(got) == sorted(ref)


@pytest.mark.parametrize("batch_size", [2, None])
def test_iterable_dataset_split_by_worker_info_matches_pytorch(batch_size):
    t = [np.asarray(b).tolist() for b in torch.utils.data.DataLoader(_make_stream(torch), batch_size=batch_size,
                                                                     num_workers=2)]
    g = [np.asarray(b).tolist() for b in gdata.DataLoader(GStream(), batch_size=batch_size, num_workers=2)]
    assert g == t  # batches alternate between the workers until each is exhausted
    assert sorted(sum(g, []) if batch_size else g) == list(range(11))


def test_worker_exception_is_reraised_with_the_worker_traceback():
    for lib, data in ((torch, torch.utils.data), (glasstorch, gdata)):
        ds = type("F", (data.Dataset,), {"__len__": Failing.__len__, "__getitem__": Failing.__getitem__,
                                         "bad": 5})() if lib is torch else Failing()
        with pytest.raises(ValueError) as info:
            list(data.DataLoader(ds, batch_size=2, num_workers=2))
        text = str(info.value)
        first, second = text.splitlines()[:2]
        assert first == "Caught ValueError in DataLoader worker process 0."  # index 5 is batch 2: worker 0
        assert second == "Original Traceback (most recent call last):"
        assert "ValueError: bad index 5" in text and "__getitem__" in text


def test_worker_init_fn_get_worker_info_and_seeds():
    glasstorch.manual_seed(3)
    rows = [tuple(b) for b in gdata.DataLoader(WhoAmI(), batch_size=None, num_workers=2, worker_init_fn=_init)]
    ids = [r[0] for r in rows]
    assert ids == [0, 1, 0, 1] and all(r[1] == 2 for r in rows)
    seeds = {r[0]: r[2] for r in rows}
    assert seeds[1] == seeds[0] + 1  # base_seed + worker_id
    assert [r[6] for r in rows] == ids  # worker_init_fn ran in each worker, on its own copy of the dataset
    assert gdata.get_worker_info() is None  # in the main process
    # each worker seeded glasstorch with its seed: its first draw is the one manual_seed(seed) gives
    for worker in (0, 1):
        glasstorch.manual_seed(seeds[worker])
        assert rows[worker][4] == glasstorch.rand(1).item()
        # and NumPy's legacy global generator with PyTorch's hash of (base_seed, worker_id)
        np.random.seed(_worker._generate_state(seeds[0], worker))
        assert rows[worker][5] == np.random.randint(1 << 30)


@pytest.mark.parametrize("base_seed, worker_id", [(0, 0), (12345678901234, 3), (2 ** 63 - 2, 1)])
def test_numpy_seed_hash_matches_pytorch(base_seed, worker_id):
    from torch.utils.data._utils.worker import _generate_state
    assert _worker._generate_state(base_seed, worker_id) == _generate_state(base_seed, worker_id)


def test_base_seed_comes_from_the_generator():
    seeds = []
    for _ in range(2):
        loader = gdata.DataLoader(WhoAmI(), batch_size=None, num_workers=1,
                                  generator=glasstorch.Generator().manual_seed(11))
        seeds.append([r[2] for r in loader])
    assert seeds[0] == seeds[1]


def test_persistent_workers_keep_their_processes_over_epochs():
    loader = gdata.DataLoader(WhoAmI(), batch_size=None, num_workers=2, persistent_workers=True,
                              worker_init_fn=_init)
    epochs = [[tuple(r) for r in loader] for _ in range(2)]
    assert [r[0] for r in epochs[1]] == [0, 1, 0, 1]
    assert {r[3] for r in epochs[0]} == {r[3] for r in epochs[1]}  # the same worker processes
    assert {r[2] for r in epochs[0]} == {r[2] for r in epochs[1]}  # seeded once
    # an epoch left half-way: the next one still starts from the beginning
    it = iter(loader)
    next(it)
    assert [r[0] for r in loader] == [0, 1, 0, 1]
    plain = gdata.DataLoader(WhoAmI(), batch_size=None, num_workers=1)
    assert {r[3] for r in plain}.isdisjoint({r[3] for r in plain})  # not persistent: new workers each epoch


def test_persistent_iterable_dataset_restarts_each_epoch():
    loader = gdata.DataLoader(GStream(), batch_size=3, num_workers=2, persistent_workers=True)
    first = [b.tolist() for b in loader]
    assert [b.tolist() for b in loader] == first


def test_timeout():
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        next(iter(gdata.DataLoader(Sleepy(), batch_size=None, num_workers=1, timeout=0.2)))


def test_spawn_context():
    from test_round3_spawn_datasets import SquaresLight  # its module imports no torch: a quick spawn
    loader = gdata.DataLoader(SquaresLight(), batch_size=5, num_workers=1, multiprocessing_context="spawn")
    assert [b["i"].tolist() for b in loader] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


@pytest.mark.parametrize("kwargs", [{"multiprocessing_context": "fork"},
                                    {"num_workers": 1, "multiprocessing_context": "nonsense"},
                                    {"num_workers": 1, "multiprocessing_context": 3}])
def test_multiprocessing_context_errors_match_pytorch(kwargs):
    errors = []
    for data in (torch.utils.data, gdata):
        with pytest.raises(Exception) as info:
            data.DataLoader(range(4), **kwargs)
        errors.append(type(info.value))
    assert errors[0] is errors[1]


def test_pin_memory_is_accepted():
    loader = gdata.DataLoader(range(4), batch_size=2, num_workers=1, pin_memory=True)
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3]]
