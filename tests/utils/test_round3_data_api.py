"""The rest of torch.utils.data against PyTorch: StackDataset, DistributedSampler, Subset and ChainDataset
checks, the seeded random samplers (PyTorch's orders), and a shuffled loader with workers."""
import collections

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import glasstorch
import glasstorch.utils.data as gdata


def both(fn):
    return fn(torch, tdata), fn(glasstorch, gdata)


def same_error(fn):
    errors = []
    for lib, data in ((torch, tdata), (glasstorch, gdata)):
        with pytest.raises(Exception) as info:
            fn(lib, data)
        errors.append(info.value)
    assert type(errors[1]) is type(errors[0]) and str(errors[1]) == str(errors[0]), errors


def plain(x):
    """Tensors as nested lists, containers kept, to compare results of the two libraries."""
    if isinstance(x, (torch.Tensor, glasstorch.Tensor)):
        return ("tensor", str(x.dtype).split(".")[-1], np.asarray(x).tolist())
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x).__name__, [plain(v) for v in x]
    return x


def test_stack_dataset_matches_pytorch():
    def make(lib, data, **kw):
        a = data.TensorDataset(lib.arange(6.).reshape(3, 2))
        b = lib.arange(3) * 10
        return data.StackDataset(a, b) if not kw else data.StackDataset(x=a, y=b)
    for kw in ({}, {"named": True}):
        t, g = both(lambda lib, data: make(lib, data, **kw))
        assert len(g) == len(t) == 3
        assert plain(g[1]) == plain(t[1])
        assert plain(g.__getitems__([2, 0])) == plain(t.__getitems__([2, 0]))
        t_batches, g_batches = both(lambda lib, data: list(data.DataLoader(make(lib, data, **kw), batch_size=2)))
        assert plain(g_batches) == plain(t_batches)
    same_error(lambda lib, data: data.StackDataset())
    same_error(lambda lib, data: data.StackDataset(range(2), x=range(2)))
    same_error(lambda lib, data: data.StackDataset(range(2), range(3)))


@pytest.mark.parametrize("n, replicas, shuffle, drop_last", [(5, 2, False, False), (5, 2, False, True),
                                                             (10, 3, True, False), (10, 3, True, True),
                                                             (2, 5, False, False)])
def test_distributed_sampler_matches_pytorch(n, replicas, shuffle, drop_last):
    for rank in range(replicas):
        t, g = both(lambda lib, data: data.DistributedSampler(range(n), num_replicas=replicas, rank=rank,
                                                              shuffle=shuffle, seed=4, drop_last=drop_last))
        assert len(g) == len(t) and g.total_size == t.total_size
        assert list(g) == list(t)
        t.set_epoch(1)
        g.set_epoch(1)
        assert list(g) == list(t)


def test_distributed_sampler_errors_match_pytorch():
    same_error(lambda lib, data: data.DistributedSampler(range(4)))  # no process group
    same_error(lambda lib, data: data.DistributedSampler(range(4), num_replicas=2, rank=2))
    same_error(lambda lib, data: data.DistributedSampler(range(4), num_replicas=2, rank=-1))


def test_subset_subclass_overriding_getitem_only_is_refused():
    def make(lib, data):
        cls = type("MySubset", (data.Subset,), {"__getitem__": lambda self, i: 0})
        return cls(range(3), [0])
    same_error(make)
    ok = type("Fine", (gdata.Subset,), {"__getitem__": lambda self, i: 0, "__getitems__": lambda self, ix: ix})
    assert len(ok(range(3), [0, 1])) == 2


def test_chain_and_concat_checks_match_pytorch():
    same_error(lambda lib, data: data.ConcatDataset([]))
    same_error(lambda lib, data: list(data.ChainDataset([range(3)])))
    same_error(lambda lib, data: data.ConcatDataset([data.ChainDataset([])]))


def test_seeded_samplers_give_pytorchs_orders():
    def draws(lib, data):
        def gen():
            return lib.Generator().manual_seed(3)
        return [list(data.RandomSampler(range(7), generator=gen())),
                list(data.RandomSampler(range(7), replacement=True, num_samples=5, generator=gen())),
                list(data.RandomSampler(range(3), num_samples=7, generator=gen())),
                list(data.SubsetRandomSampler([5, 6, 7], generator=gen())),
                list(data.WeightedRandomSampler([0.1, 0.5, 0.4], 6, generator=gen())),
                list(data.WeightedRandomSampler([0.1, 0.5, 0.4, 1.0], 3, replacement=False, generator=gen())),
                [list(s) for s in data.random_split(range(7), [0.5, 0.5], generator=gen())]]
    t, g = both(draws)
    assert g == t


def test_random_sampler_without_generator_follows_the_global_seed_as_pytorch():
    def draws(lib, data):
        lib.manual_seed(9)
        out = [list(data.RandomSampler(range(6))), list(data.RandomSampler(range(5), True, num_samples=70))]
        return out + [[b.tolist() for b in data.DataLoader(range(7), batch_size=4, shuffle=True)]]
    t, g = both(draws)
    assert g == t


@pytest.mark.parametrize("workers", [0, 2])
def test_shuffled_loader_gives_pytorchs_batches(workers):
    """The base seed each iterator draws, then randperm: the same generator stream as PyTorch's, so the
    shuffled batches (two epochs) are PyTorch's, with or without worker processes."""
    def batches(lib, data, workers):
        loader = data.DataLoader(range(11), batch_size=3, shuffle=True, num_workers=workers,
                                 generator=lib.Generator().manual_seed(5))
        return [b.tolist() for _ in range(2) for b in loader]
    assert batches(glasstorch, gdata, workers) == batches(torch, tdata, 0)


Point = collections.namedtuple("Point", "x y")


def nested(lib, i):
    return {"p": Point(np.float32(i), np.arange(2) + i), "s": f"s{i}", "l": [i, float(i)],
            "t": lib.full((2,), float(i))}


def test_nested_collate_through_workers_matches_pytorch():
    class Nested(gdata.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return nested(glasstorch, i)
    t = [tdata.default_collate([nested(torch, i) for i in idx]) for idx in ([0, 1], [2, 3], [4])]
    g = list(gdata.DataLoader(Nested(), batch_size=2, num_workers=2))
    assert plain(g) == plain(t)
    assert type(g[0]["p"]) is Point


@pytest.mark.parametrize("name", ["IterDataPipe", "MapDataPipe", "DFIterDataPipe", "DataChunk",
                                  "functional_datapipe", "guaranteed_datapipes_determinism", "non_deterministic",
                                  "runtime_validation", "runtime_validation_disabled", "argument_validation"])
def test_datapipe_names_are_left_out_with_a_clear_error(name):
    assert hasattr(tdata, name)
    with pytest.raises(AttributeError, match=f"torch.utils.data.{name}"):
        getattr(gdata, name)
