"""Run by tests/distributed/test_collectives.py under `python -m glasstorch.distributed.run --nproc-per-node 2`:
every collective against the answer computed here with NumPy from every rank's (seeded) input. Prints one
line ``RESULT {json}`` per rank: check name -> "ok" or the error."""
import numpy as np

import glasstorch as torch
import glasstorch.distributed as dist
from checks import check, report

dist.init_process_group("gloo")
R, P = dist.get_rank(), dist.get_world_size()


def data(rank, shape=(3, 4), dtype=np.float64, seed=0):
    """Rank ``rank``'s input: every process can compute every rank's."""
    rng = np.random.default_rng(1000 * seed + rank)
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return rng.random(shape) < 0.5
    return rng.integers(-5, 6, shape).astype(dtype)


def same(t, expected, tol=0.0):
    got = t.numpy() if hasattr(t, "numpy") else np.asarray(t)
    assert got.shape == np.shape(expected), (got.shape, np.shape(expected))
    if tol:
        assert np.allclose(got, expected, rtol=tol, atol=tol), (got, expected)
    else:
        assert np.array_equal(got, expected), (got, expected)


everyone = lambda **kw: [data(r, **kw) for r in range(P)]  # noqa: E731


@check("all_reduce_ops")
def _():
    for dtype in (np.float64, np.float32, np.int64, np.int32):
        inputs = everyone(dtype=dtype)
        for op, ref in ((dist.ReduceOp.SUM, np.sum), (dist.ReduceOp.MAX, np.max), (dist.ReduceOp.MIN, np.min),
                        (dist.ReduceOp.PRODUCT, np.prod)):
            t = torch.from_numpy(inputs[R].copy())
            dist.all_reduce(t, op=op)
            same(t, ref(np.stack(inputs), axis=0).astype(dtype), 1e-6 if dtype == np.float32 else 0)
    inputs = everyone(dtype=np.float64)
    t = torch.from_numpy(inputs[R].copy())
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    same(t, np.stack(inputs).sum(0) / P, 1e-15)


@check("all_reduce_bitwise_and_bool")
def _():
    inputs = everyone(dtype=np.int64)
    for op, ref in ((dist.ReduceOp.BAND, np.bitwise_and.reduce), (dist.ReduceOp.BOR, np.bitwise_or.reduce),
                    (dist.ReduceOp.BXOR, np.bitwise_xor.reduce)):
        t = torch.from_numpy(inputs[R].copy())
        dist.all_reduce(t, op=op)
        same(t, ref(np.stack(inputs), axis=0))
    flags = everyone(dtype=np.bool_)
    t = torch.from_numpy(flags[R].copy())
    dist.all_reduce(t)  # a boolean sum is an or, as in PyTorch
    same(t, np.logical_or.reduce(np.stack(flags), axis=0))


@check("all_reduce_in_place_views_and_version")
def _():
    base = torch.from_numpy(data(R, (4, 5)))
    view = base.t()                          # a non-contiguous view: the result lands in base's memory
    v0 = view._version
    dist.all_reduce(view)
    same(base, np.stack(everyone(shape=(4, 5))).sum(0), 1e-15)
    assert view._version == v0 + 1 and base._version == v0 + 1
    w = torch.from_numpy(data(R)).requires_grad_()
    y = torch.ones(3, 4, dtype=torch.float64) * 1.0
    y.requires_grad_()
    z = (w * y).sum()                          # Mul saved y
    with torch.no_grad():
        dist.all_reduce(y)                     # an in-place write into a saved tensor ...
    try:
        z.backward()                           # ... makes backward refuse, as in PyTorch
    except RuntimeError as e:
        assert "modified by an inplace operation" in str(e), e
    else:
        raise AssertionError("backward used a tensor all_reduce had overwritten")


@check("all_reduce_float16")
def _():
    inputs = [d.astype(np.float16) for d in everyone()]
    t = torch.from_numpy(inputs[R].copy())
    dist.all_reduce(t)
    assert t.dtype == torch.float16
    same(t, np.stack(inputs).astype(np.float32).sum(0).astype(np.float16))


@check("async_all_reduce_work")
def _():
    inputs = everyone(shape=(1000,))
    t = torch.from_numpy(inputs[R].copy())
    work = dist.all_reduce(t, async_op=True)
    assert work.wait() is True and work.is_completed()
    same(t, np.stack(inputs).sum(0), 1e-12)
    assert work.result()[0] is t


@check("broadcast")
def _():
    for src in range(P):
        t = torch.from_numpy(data(R, dtype=np.int64))
        dist.broadcast(t, src=src)
        same(t, data(src, dtype=np.int64))
    t = torch.from_numpy(data(R))
    dist.broadcast(t, src=1, async_op=True).wait()
    same(t, data(1))


@check("reduce")
def _():
    t = torch.from_numpy(data(R))
    dist.reduce(t, dst=1, op=dist.ReduceOp.MAX)
    same(t, np.stack(everyone()).max(0) if R == 1 else data(R))


@check("all_gather")
def _():
    out = [torch.zeros(3, 4, dtype=torch.float64) for _ in range(P)]
    dist.all_gather(out, torch.from_numpy(data(R)))
    for r in range(P):
        same(out[r], data(r))
    # uneven sizes: output r has rank r's size
    out = [torch.zeros(r + 1, dtype=torch.int64) for r in range(P)]
    dist.all_gather(out, torch.arange(R + 1) * 10 + R)
    for r in range(P):
        same(out[r], np.arange(r + 1) * 10 + r)


@check("all_gather_into_tensor")
def _():
    out = torch.zeros(3 * P, 4, dtype=torch.float64)
    dist.all_gather_into_tensor(out, torch.from_numpy(data(R)))
    same(out, np.concatenate(everyone()))
    stacked = torch.zeros(P, 3, 4, dtype=torch.float64)
    dist.all_gather_into_tensor(stacked, torch.from_numpy(data(R)))
    same(stacked, np.stack(everyone()))


@check("reduce_scatter")
def _():
    inputs = everyone(shape=(2 * P, 3))
    out = torch.zeros(2, 3, dtype=torch.float64)
    dist.reduce_scatter_tensor(out, torch.from_numpy(inputs[R]))
    same(out, np.stack(inputs).sum(0)[2 * R:2 * R + 2], 1e-15)
    out = torch.zeros(2, 3, dtype=torch.float64)
    dist.reduce_scatter_tensor(out, torch.from_numpy(inputs[R]), op=dist.ReduceOp.AVG)
    same(out, np.stack(inputs).sum(0)[2 * R:2 * R + 2] / P, 1e-15)
    lists = [[data(r, (r2 + 1,), seed=r2) for r2 in range(P)] for r in range(P)]
    out = torch.zeros(R + 1, dtype=torch.float64)
    dist.reduce_scatter(out, [torch.from_numpy(a) for a in lists[R]])
    same(out, sum(lists[r][R] for r in range(P)), 1e-15)


@check("gather_scatter")
def _():
    dst = 1
    gl = [torch.zeros(3, 4, dtype=torch.float64) for _ in range(P)] if R == dst else None
    dist.gather(torch.from_numpy(data(R)), gl, dst=dst)
    if R == dst:
        for r in range(P):
            same(gl[r], data(r))
    t = torch.zeros(3, 4, dtype=torch.float64)
    dist.scatter(t, [torch.from_numpy(data(r, seed=5)) for r in range(P)] if R == 0 else None, src=0)
    same(t, data(R, seed=5))


@check("all_to_all")
def _():
    inp = torch.from_numpy(np.arange(2 * P, dtype=np.float64) + 100 * R)
    out = torch.zeros(2 * P, dtype=torch.float64)
    dist.all_to_all_single(out, inp)
    same(out, np.concatenate([np.arange(2 * R, 2 * R + 2) + 100 * q for q in range(P)]))
    outs = [torch.zeros(2, dtype=torch.float64) for _ in range(P)]
    dist.all_to_all(outs, [torch.full((2,), float(10 * R + q), dtype=torch.float64) for q in range(P)])
    for q in range(P):
        same(outs[q], np.full(2, 10 * q + R, np.float64))


@check("send_recv")
def _():
    if R == 0:
        dist.send(torch.from_numpy(data(0)), dst=1)
        t = torch.zeros(5, dtype=torch.int64)
        assert dist.recv(t) == 1           # from any source: the sender's rank is returned
        same(t, np.arange(5) * 7)
    elif R == 1:
        t = torch.zeros(3, 4, dtype=torch.float64)
        assert dist.recv(t, src=0) == 0
        same(t, data(0))
        dist.send(torch.arange(5) * 7, dst=0)


@check("isend_irecv_batch")
def _():
    peer = 1 - R
    out = torch.zeros(6, dtype=torch.float64)
    works = dist.batch_isend_irecv([dist.P2POp(dist.isend, torch.full((6,), float(R), dtype=torch.float64), peer),
                                    dist.P2POp(dist.irecv, out, peer)])
    for w in works:
        w.wait()
    same(out, np.full(6, float(peer)))
    got = torch.zeros(2)
    sent = dist.isend(torch.tensor([1.0 + R, 2.0]), dst=peer)
    dist.irecv(got, src=peer).wait()
    sent.wait()
    same(got, np.array([1.0 + peer, 2.0], np.float32))


@check("objects")
def _():
    objs = [None] * P
    dist.all_gather_object(objs, {"rank": R, "loss": 0.5 * R, "t": torch.ones(2) * R, "name": f"r{R}"})
    for r in range(P):
        assert objs[r]["rank"] == r and objs[r]["name"] == f"r{r}" and objs[r]["loss"] == 0.5 * r
        same(objs[r]["t"], np.ones(2, np.float32) * r)
    lst = [{"lr": 0.1, "steps": [1, 2]}, "text", 3] if R == 0 else [None, None, None]
    dist.broadcast_object_list(lst, src=0)
    assert lst == [{"lr": 0.1, "steps": [1, 2]}, "text", 3], lst
    gathered = [None] * P if R == 1 else None
    dist.gather_object(("g", R), gathered, dst=1)
    if R == 1:
        assert gathered == [("g", r) for r in range(P)], gathered
    out = [None]
    dist.scatter_object_list(out, [f"piece{r}" for r in range(P)] if R == 0 else None, src=0)
    assert out == [f"piece{R}"], out
    import fractions                                   # not plain data: refused before anything is sent
    try:
        dist.all_gather_object([None] * P, fractions.Fraction(1, R + 2))
    except TypeError as e:
        assert "plain data only" in str(e), e
    else:
        raise AssertionError("an object that needs pickle was sent")


@check("groups")
def _():
    g = dist.new_group([1])
    if R == 1:
        assert dist.get_rank(g) == 0 and dist.get_world_size(g) == 1
        t = torch.ones(2) * 5
        dist.all_reduce(t, group=g)
        same(t, np.full(2, 5.0, np.float32))
        dist.broadcast(t, src=1, group=g)     # peers are global ranks, also inside a group
    else:
        assert g is dist.GroupMember.NON_GROUP_MEMBER and dist.get_rank(g) == -1
    whole = dist.new_group()
    t = torch.ones(1) * (R + 1)
    dist.all_reduce(t, group=whole)
    same(t, np.array([P * (P + 1) / 2], np.float32))
    assert dist.get_process_group_ranks(whole) == list(range(P))
    dist.barrier()
    dist.barrier(async_op=True).wait()


@check("errors")
def _():
    for bad, exc in ((lambda: dist.all_reduce([1.0]), TypeError),
                     (lambda: dist.all_reduce(torch.ones(2, dtype=torch.int64), op=dist.ReduceOp.AVG), ValueError),
                     (lambda: dist.all_gather([torch.zeros(1)], torch.zeros(1)), ValueError),
                     (lambda: dist.init_process_group("gloo"), RuntimeError)):
        try:
            bad()
        except exc:
            pass
        else:
            raise AssertionError(f"no {exc.__name__}")
    assert dist.is_initialized() and dist.get_backend() == "gloo"


dist.destroy_process_group()
assert not dist.is_initialized()
dist.init_process_group("mpi")         # again after destroy, with the other name
assert dist.get_backend() == "mpi" and dist.get_world_size() == P
dist.destroy_process_group()
report(R)
