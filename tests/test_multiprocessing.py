"""glasstorch.multiprocessing: shared-memory tensors through queues, pipes, Pool and spawn; Hogwild."""
import pickle

import numpy as np
import pytest

import glasstorch
import glasstorch.multiprocessing as mp
from glasstorch import nn


def _add_ten(q, done):
    t = q.get()
    t.add_(10)
    done.put(t.is_shared())


def _write_index(i, t):
    t[i] = 100 + i


def _fail(i):
    if i == 1:
        raise ValueError("child one fails")


def _double(t):
    t.mul_(2)  # in the Pool worker: the parent's memory
    return t


def _hogwild_train(model, steps, seed):
    glasstorch.manual_seed(seed)
    opt = glasstorch.optim.SGD(model.parameters(), lr=0.05)
    x = glasstorch.randn(32, 3)
    y = x.sum(1, keepdim=True)
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_tensor_through_a_queue_shares_memory(method):
    ctx = mp.get_context(method)
    q, done = ctx.Queue(), ctx.Queue()
    x = glasstorch.zeros(2, 3)
    p = ctx.Process(target=_add_ten, args=(q, done))
    p.start()
    q.put(x)  # moves x into shared memory, in place
    assert done.get(timeout=60) is True
    p.join()
    assert x.is_shared()
    assert x.tolist() == [[10.0] * 3] * 2  # the child's write is seen here


def test_pipe_and_pool_share_memory():
    ctx = mp.get_context("fork")
    x = glasstorch.arange(4.).share_memory_()
    with ctx.Pool(1) as pool:
        back = pool.apply(_double, (x,))
    assert x.tolist() == [0.0, 2.0, 4.0, 6.0]
    assert back.tolist() == x.tolist() and back.is_shared()
    back[0] = -1.0  # the returned tensor is a view of x's memory
    assert x[0].item() == -1.0
    a, b = ctx.Pipe()
    a.send(x[1:])  # a view: its offset in the block goes with it
    y = b.recv()
    y[0] = 7.0
    assert x.tolist() == [-1.0, 7.0, 4.0, 6.0]


def test_spawn_writes_one_shared_tensor():
    t = glasstorch.zeros(2).share_memory_()
    mp.spawn(_write_index, args=(t,), nprocs=2, start_method="fork")
    assert t.tolist() == [100.0, 101.0]


def test_spawn_reraises_the_childs_exception():
    with pytest.raises(mp.ProcessRaisedException, match="child one fails") as info:
        mp.spawn(_fail, nprocs=2, start_method="fork")
    assert "-- Process 1 terminated with the following error:" in str(info.value)
    assert info.value.error_index == 1


def test_spawn_start_method_default():
    t = glasstorch.zeros(1).share_memory_()
    context = mp.spawn(_write_index, args=(t,), nprocs=1, join=False)  # 'spawn', as PyTorch's default
    while not context.join():
        pass
    assert t.tolist() == [100.0]


def test_share_memory_in_place():
    x = glasstorch.arange(6.).reshape(2, 3)
    assert not x.is_shared()
    assert x.share_memory_() is x and x.is_shared()
    assert x.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert x.data.is_shared() and x[1].is_shared() and x.t().is_shared()
    assert x[1].untyped_storage().data_ptr() == x.untyped_storage().data_ptr() and x[1].storage_offset() == 3
    assert x.untyped_storage().is_shared()
    x.add_(1)
    assert x.sum().item() == 21.0
    empty = glasstorch.zeros(0, 3).share_memory_()
    assert empty.is_shared() and empty.shape == (0, 3)


def test_ordinary_pickle_still_copies():
    x = glasstorch.ones(3).share_memory_()
    y = pickle.loads(pickle.dumps(x))
    y.add_(1)
    assert x.tolist() == [1.0, 1.0, 1.0] and not y.is_shared()


def test_non_leaf_requiring_grad_is_refused():
    from multiprocessing.reduction import ForkingPickler
    w = glasstorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Cowardly refusing to serialize non-leaf tensor"):
        ForkingPickler.dumps(w * 2)
    p = nn.Parameter(glasstorch.ones(2))
    q = ForkingPickler.loads(ForkingPickler.dumps(p))
    assert type(q) is nn.Parameter and q.requires_grad and q.is_shared()


def test_hogwild_two_processes_train_one_shared_model():
    glasstorch.manual_seed(0)
    model = nn.Linear(3, 1)
    model.share_memory()  # the official Hogwild example's call
    before = [p.detach().clone() for p in model.parameters()]
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_hogwild_train, args=(model, 30, seed)) for seed in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        assert p.exitcode == 0
    after = list(model.parameters())
    assert all(not np.allclose(a.detach().numpy(), b.numpy()) for a, b in zip(after, before))
    # both children moved the weights towards the target y = x·1 (w → [1, 1, 1], b → 0)
    assert np.abs(model.weight.detach().numpy() - 1).max() < np.abs(before[0].numpy() - 1).max()


def test_module_share_memory_shares_the_parameters():
    model = nn.Linear(2, 2)
    assert model.share_memory() is model
    assert all(p.is_shared() for p in model.parameters())


def test_the_namespace_mirrors_python_multiprocessing():
    import multiprocessing
    for name in ("Process", "Queue", "SimpleQueue", "Pipe", "Pool", "Lock", "Event", "Value", "Array",
                 "get_context", "set_start_method", "get_start_method", "get_all_start_methods", "cpu_count",
                 "current_process"):
        assert hasattr(mp, name), name
    assert mp.cpu_count() == multiprocessing.cpu_count()
    assert mp.get_sharing_strategy() == "file_descriptor"
    assert "file_descriptor" in mp.get_all_sharing_strategies()
    assert glasstorch.multiprocessing is mp
