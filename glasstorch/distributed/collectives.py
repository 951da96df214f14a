"""Collectives on tensors, in place as PyTorch's: each is one MPI call on the tensor's NumPy array.

    all_reduce(t)          every process ends with Σ_r t_r (or AVG, MAX, MIN, PRODUCT, BAND, BOR, BXOR)
    broadcast(t, src)      every process ends with t_src
    reduce(t, dst)         process dst ends with Σ_r t_r (the others keep theirs)
    all_gather(ts, t)      ts[r] = t_r on every process (all_gather_into_tensor: one output tensor)
    reduce_scatter_tensor  output_r = (Σ_q input_q)[r-th chunk]
    gather / scatter       the list lives on one process
    send / recv, isend / irecv, batch_isend_irecv    point to point

Each writes into the tensor's own memory (views of it see the result) and counts one in-place write on its
version counter, as PyTorch's in-place ops do: a tensor saved for backward and then all-reduced makes that
backward fail instead of silently using the new values. A non-contiguous tensor is copied into a
contiguous buffer, sent, and copied back. Collectives sit outside autograd, as PyTorch's c10d ops do.

``async_op=True`` returns a ``Work``: the MPI request is started (MPI's non-blocking collective) and the
result lands in the tensor when ``wait()`` returns. Peers are named by global rank (``src``, ``dst``), also
inside a group. float16/bfloat16 are reduced in float32 (MPI has no 16-bit float sum) and written back.
"""
import numpy as np

from ..ops import inplace
from .process_group import _mpi, resolve

__all__ = ["ReduceOp", "reduce_op", "Work", "P2POp", "all_reduce", "broadcast", "reduce", "all_gather",
           "all_gather_into_tensor", "reduce_scatter", "reduce_scatter_tensor", "gather", "scatter",
           "all_to_all", "all_to_all_single", "send", "recv", "isend", "irecv", "batch_isend_irecv",
           "barrier", "monitored_barrier"]


class _Op:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<RedOpType.{self.name}: {self.name}>"


class ReduceOp:
    """The reductions of ``all_reduce``/``reduce``/``reduce_scatter``: ``ReduceOp.SUM`` and so on."""
    SUM = _Op("SUM")
    AVG = _Op("AVG")
    PRODUCT = _Op("PRODUCT")
    MIN = _Op("MIN")
    MAX = _Op("MAX")
    BAND = _Op("BAND")
    BOR = _Op("BOR")
    BXOR = _Op("BXOR")
    PREMUL_SUM = _Op("PREMUL_SUM")


reduce_op = ReduceOp  # the deprecated name PyTorch still has


_TABLES = {}


def _tables():
    """PyTorch's reduce ops -> MPI's, for numbers and for booleans (built once, when MPI is first used)."""
    if not _TABLES:
        MPI = _mpi()
        _TABLES["number"] = {"SUM": MPI.SUM, "AVG": MPI.SUM, "PRODUCT": MPI.PROD, "MIN": MPI.MIN, "MAX": MPI.MAX,
                             "BAND": MPI.BAND, "BOR": MPI.BOR, "BXOR": MPI.BXOR}
        # PyTorch reduces booleans as logic: sum/max = or, product/min = and
        _TABLES["bool"] = {"SUM": MPI.LOR, "MAX": MPI.LOR, "BOR": MPI.LOR, "PRODUCT": MPI.LAND, "MIN": MPI.LAND,
                           "BAND": MPI.LAND, "BXOR": MPI.LXOR}
    return _TABLES


def _mpi_op(op, dtype):
    table = _tables()["bool" if dtype == np.bool_ else "number"]
    name = getattr(op, "name", None)
    if name not in table:
        raise ValueError(f"Unsupported reduce op {op!r} for dtype {dtype} (glasstorch: SUM, AVG, PRODUCT, MIN, "
                         "MAX, BAND, BOR, BXOR)")
    if name == "AVG" and dtype.kind not in "fc":
        raise ValueError(f"ReduceOp.AVG needs a floating point tensor, got {dtype}")
    if name in ("BAND", "BOR", "BXOR") and dtype.kind not in "iub":
        raise ValueError(f"ReduceOp.{name} needs an integer or bool tensor, got {dtype}")
    return table[name]


_MPI_NUMBERS = "fdFDbBhHiIlLqQ?"   # NumPy type codes MPI reduces (no 16-bit floats)


def _tensor_class():
    from ..tensor import Tensor
    return Tensor


def _check(t, name):
    if not isinstance(t, _tensor_class()):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type torch.Tensor\n"
                        f"             but got {type(t)} instead.")


def _check_list(ts, name):
    if not isinstance(ts, (list, tuple)):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type List[torch.Tensor]\n"
                        f"             but got {type(ts)} instead.")
    for t in ts:
        _check(t, name)


class _Buffer:
    """A contiguous array holding a tensor's values for MPI (the tensor's own memory when possible), and
    ``done()``, which puts the result back and counts the in-place write."""

    def __init__(self, t, reduce=False):
        self.t = t
        a = t._array
        if reduce and a.dtype.char not in _MPI_NUMBERS:
            self.array = a.astype(np.float32)            # float16 / bfloat16: reduced in float32
        elif a.flags.c_contiguous and a.flags.writeable:
            self.array = a
        else:
            self.array = np.ascontiguousarray(a)

    def bytes(self):
        """The values as raw bytes (moves that do no arithmetic: broadcast, gather, send)."""
        return self.array.reshape(-1).view(np.uint8)

    def done(self):
        if self.array is self.t._array:
            inplace.bump(self.t)
        else:
            inplace._write(self.t, self.array.reshape(self.t._array.shape))

    def reduced(self, op, size):
        """``done()`` after a reduction over ``size`` processes: AVG is MPI's SUM, divided here."""
        if op is ReduceOp.AVG:
            self.array /= size
        self.done()


def _write(t, values):
    inplace._write(t, np.asarray(values).reshape(t._array.shape))


_outstanding = []   # Works started and not yet waited for (destroy_process_group waits for them)


class Work:
    """A collective in flight (``async_op=True``): ``wait()`` blocks until its result is in the tensors."""

    def __init__(self, requests, finish=None, result=()):
        self._requests = list(requests)
        self._finish = finish
        self._result = list(result)
        self._done = False
        _outstanding.append(self)

    def _complete(self):
        if not self._done:
            self._done = True
            if self._finish is not None:
                self._finish()
            if self in _outstanding:
                _outstanding.remove(self)

    def wait(self, timeout=None):
        if not self._done:
            _mpi().Request.Waitall(self._requests)
            self._complete()
        return True

    def is_completed(self):
        if not self._done and _mpi().Request.Testall(self._requests):
            self._complete()
        return self._done

    def is_success(self):
        return self.is_completed()

    def exception(self):
        return None

    def result(self):
        self.wait()
        return self._result

    def get_future(self):
        return _Future(self)


class _Future:
    """What ``Work.get_future()`` returns: ``wait()`` / ``value()`` give the result tensors."""

    def __init__(self, work):
        self._work = work

    def wait(self):
        return self._work.result()

    def value(self):
        return self._work.result()

    def done(self):
        return self._work.is_completed()


def _wait_outstanding():
    for work in list(_outstanding):
        work.wait()


def _run(start, finish, async_op, result=()):
    """Start an MPI call (``start(async)`` returns a request or None), finish at once or hand back a Work."""
    if async_op:
        return Work([start(True)], finish, result)
    start(False)
    if finish is not None:
        finish()
    return None


# ------------------------------------------------------------------------------------------------------------
# reductions
# ------------------------------------------------------------------------------------------------------------
def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """tensor = op over every process's tensor (AVG: the sum divided by the group's size), on every process."""
    _check(tensor, "tensor")
    pg = resolve(group)
    MPI = _mpi()
    buf = _Buffer(tensor, reduce=True)
    mpi_op = _mpi_op(op, buf.array.dtype)

    def finish():
        buf.reduced(op, pg.size())
    if not async_op:   # the common case, without the Work bookkeeping
        pg.comm.Allreduce(MPI.IN_PLACE, buf.array, op=mpi_op)
        finish()
        return None
    return Work([pg.comm.Iallreduce(MPI.IN_PLACE, buf.array, op=mpi_op)], finish, [tensor])


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """tensor on process ``dst`` = op over every process's tensor; the others' tensors are left as they were."""
    _check(tensor, "tensor")
    pg = resolve(group)
    MPI = _mpi()
    root = _root(pg, dst, group_dst)
    buf = _Buffer(tensor, reduce=True)
    mpi_op = _mpi_op(op, buf.array.dtype)
    mine = pg.rank() == root

    def start(nonblocking):
        call = pg.comm.Ireduce if nonblocking else pg.comm.Reduce
        if mine:
            return call(MPI.IN_PLACE, buf.array, op=mpi_op, root=root)
        return call(buf.array, None, op=mpi_op, root=root)

    def finish():
        if mine:
            buf.reduced(op, pg.size())
    return _run(start, finish, async_op, [tensor])


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """output on process r = the r-th of ``size`` equal chunks (along dim 0) of op over every process's input."""
    _check(output, "output")
    _check(input, "input")
    pg = resolve(group)
    if input.numel() != output.numel() * pg.size():
        raise ValueError(f"reduce_scatter_tensor: input has {input.numel()} elements, expected output's "
                         f"{output.numel()} × world size {pg.size()}")
    send = _Buffer(input, reduce=True).array
    out = _Buffer(output, reduce=True)
    mpi_op = _mpi_op(op, send.dtype)

    def start(nonblocking):
        call = pg.comm.Ireduce_scatter_block if nonblocking else pg.comm.Reduce_scatter_block
        return call(send.reshape(-1), out.array.reshape(-1), op=mpi_op)

    def finish():
        out.reduced(op, pg.size())
    return _run(start, finish, async_op, [output])


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """output on process r = op over every process's ``input_list[r]``."""
    _check(output, "output")
    _check_list(input_list, "input_list")
    pg = resolve(group)
    if len(input_list) != pg.size():
        raise ValueError(f"reduce_scatter: input_list has {len(input_list)} tensors, expected {pg.size()}")
    out = _Buffer(output, reduce=True)
    send = np.concatenate([np.asarray(t._array, out.array.dtype).reshape(-1) for t in input_list])
    counts = [t.numel() for t in input_list]
    mpi_op = _mpi_op(op, send.dtype)

    def start(nonblocking):
        call = pg.comm.Ireduce_scatter if nonblocking else pg.comm.Reduce_scatter
        return call(send, out.array.reshape(-1), recvcounts=counts, op=mpi_op)

    def finish():
        out.reduced(op, pg.size())
    return _run(start, finish, async_op, [output])


# ------------------------------------------------------------------------------------------------------------
# moves (no arithmetic: the bytes travel)
# ------------------------------------------------------------------------------------------------------------
def _root(pg, rank, group_rank=None):
    if group_rank is not None:
        return group_rank
    return pg.group_rank(0 if rank is None else rank)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """tensor = process ``src``'s tensor, on every process."""
    _check(tensor, "tensor")
    pg = resolve(group)
    root = _root(pg, src, group_src)
    buf = _Buffer(tensor)

    def start(nonblocking):
        return (pg.comm.Ibcast if nonblocking else pg.comm.Bcast)(buf.bytes(), root=root)
    return _run(start, buf.done, async_op, [tensor])


def _same_kind(t, ref, what):
    if t._array.dtype != ref._array.dtype:
        raise ValueError(f"{what}: tensors must all have dtype {ref.dtype}, got {t.dtype}")


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """tensor_list[r] = process r's tensor, on every process (sizes may differ: each output tensor's)."""
    _check_list(tensor_list, "tensor_list")
    _check(tensor, "tensor")
    pg = resolve(group)
    if len(tensor_list) != pg.size():
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors, expected the group's size "
                         f"{pg.size()}")
    for t in tensor_list:
        _same_kind(t, tensor, "all_gather")
    send = _Buffer(tensor).bytes()
    item = tensor._array.dtype.itemsize
    counts = [t.numel() * item for t in tensor_list]
    recv = np.empty(sum(counts), np.uint8)

    def start(nonblocking):
        call = pg.comm.Iallgatherv if nonblocking else pg.comm.Allgatherv
        return call(send, [recv, counts])

    def finish():
        at = 0
        for t, c in zip(tensor_list, counts):
            _write(t, recv[at:at + c].view(tensor._array.dtype))
            at += c
    return _run(start, finish, async_op, tensor_list)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """output_tensor = the processes' input tensors, one after the other along dim 0 (or stacked)."""
    _check(output_tensor, "output_tensor")
    _check(input_tensor, "input_tensor")
    pg = resolve(group)
    _same_kind(output_tensor, input_tensor, "all_gather_into_tensor")
    if output_tensor.numel() != input_tensor.numel() * pg.size():
        raise ValueError(f"all_gather_into_tensor: output has {output_tensor.numel()} elements, expected "
                         f"input's {input_tensor.numel()} × world size {pg.size()}")
    send = _Buffer(input_tensor).bytes()
    out = _Buffer(output_tensor)

    def start(nonblocking):
        return (pg.comm.Iallgather if nonblocking else pg.comm.Allgather)(send, out.bytes())
    return _run(start, out.done, async_op, [output_tensor])


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """On process ``dst``: gather_list[r] = process r's tensor. The other processes pass no list."""
    _check(tensor, "tensor")
    pg = resolve(group)
    root = _root(pg, dst, group_dst)
    mine = pg.rank() == root
    if mine:
        _check_list(gather_list, "gather_list")
        if len(gather_list) != pg.size():
            raise ValueError(f"gather: gather_list has {len(gather_list)} tensors, expected {pg.size()}")
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    send = _Buffer(tensor).bytes()
    recv = np.empty(send.size * pg.size(), np.uint8) if mine else None

    def start(nonblocking):
        return (pg.comm.Igather if nonblocking else pg.comm.Gather)(send, recv, root=root)

    def finish():
        if mine:
            for r, t in enumerate(gather_list):
                _write(t, recv[r * send.size:(r + 1) * send.size].view(tensor._array.dtype))
    return _run(start, finish, async_op, gather_list or [])


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """tensor on process r = scatter_list[r] of process ``src`` (only ``src`` passes the list)."""
    _check(tensor, "tensor")
    pg = resolve(group)
    root = _root(pg, src, group_src)
    mine = pg.rank() == root
    if mine:
        _check_list(scatter_list, "scatter_list")
        if len(scatter_list) != pg.size():
            raise ValueError(f"scatter: scatter_list has {len(scatter_list)} tensors, expected {pg.size()}")
        for t in scatter_list:
            _same_kind(t, tensor, "scatter")
        send = np.concatenate([np.ascontiguousarray(t._array).reshape(-1).view(np.uint8) for t in scatter_list])
    elif scatter_list:
        raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
    else:
        send = None
    out = _Buffer(tensor)

    def start(nonblocking):
        return (pg.comm.Iscatter if nonblocking else pg.comm.Scatter)(send, out.bytes(), root=root)
    return _run(start, out.done, async_op, [tensor])


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None, group=None,
                      async_op=False):
    """Process r sends the q-th slice (along dim 0) of its input to process q, which puts it at slice r."""
    _check(output, "output")
    _check(input, "input")
    pg = resolve(group)
    n = pg.size()
    row_in = input.numel() // max(1, input.shape[0]) if input.dim() else 1
    row_out = output.numel() // max(1, output.shape[0]) if output.dim() else 1
    ins = list(input_split_sizes) if input_split_sizes else [input.shape[0] // n] * n
    outs = list(output_split_sizes) if output_split_sizes else [output.shape[0] // n] * n
    item = input._array.dtype.itemsize
    send = _Buffer(input).bytes()
    out = _Buffer(output)
    sc = [s * row_in * item for s in ins]
    rc = [s * row_out * item for s in outs]

    def start(nonblocking):
        return (pg.comm.Ialltoallv if nonblocking else pg.comm.Alltoallv)([send, sc], [out.bytes(), rc])
    return _run(start, out.done, async_op, [output])


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """output_tensor_list[q] on process r = input_tensor_list[r] of process q."""
    _check_list(output_tensor_list, "output_tensor_list")
    _check_list(input_tensor_list, "input_tensor_list")
    pg = resolve(group)
    dtype = input_tensor_list[0]._array.dtype
    send = np.concatenate([np.ascontiguousarray(t._array).reshape(-1).view(np.uint8) for t in input_tensor_list])
    sc = [t.numel() * dtype.itemsize for t in input_tensor_list]
    rc = [t.numel() * dtype.itemsize for t in output_tensor_list]
    recv = np.empty(sum(rc), np.uint8)

    def start(nonblocking):
        return (pg.comm.Ialltoallv if nonblocking else pg.comm.Alltoallv)([send, sc], [recv, rc])

    def finish():
        at = 0
        for t, c in zip(output_tensor_list, rc):
            _write(t, recv[at:at + c].view(dtype))
            at += c
    return _run(start, finish, async_op, output_tensor_list)


# ------------------------------------------------------------------------------------------------------------
# point to point
# ------------------------------------------------------------------------------------------------------------
def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send tensor to process ``dst`` (blocks until MPI has taken the data)."""
    _check(tensor, "tensor")
    pg = resolve(group)
    pg.comm.Send(_Buffer(tensor).bytes(), dest=_root(pg, dst, group_dst), tag=tag)


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into tensor from process ``src`` (any process for None); returns the sender's global rank."""
    _check(tensor, "tensor")
    pg = resolve(group)
    MPI = _mpi()
    buf = _Buffer(tensor)
    status = MPI.Status()
    source = MPI.ANY_SOURCE if src is None and group_src is None else _root(pg, src, group_src)
    pg.comm.Recv(buf.bytes(), source=source, tag=tag, status=status)
    buf.done()
    return pg.ranks[status.Get_source()]


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending tensor to process ``dst``; returns a Work (do not change the tensor before ``wait()``)."""
    _check(tensor, "tensor")
    pg = resolve(group)
    data = _Buffer(tensor).bytes()
    return Work([pg.comm.Isend(data, dest=_root(pg, dst, group_dst), tag=tag)], None, [tensor])


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into tensor from process ``src`` (any, for None); returns a Work."""
    _check(tensor, "tensor")
    pg = resolve(group)
    MPI = _mpi()
    buf = _Buffer(tensor)
    source = MPI.ANY_SOURCE if src is None and group_src is None else _root(pg, src, group_src)
    return Work([pg.comm.Irecv(buf.bytes(), source=source, tag=tag)], buf.done, [tensor])


class P2POp:
    """One send or receive for ``batch_isend_irecv``: ``P2POp(dist.isend, tensor, peer)``."""

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type ``torch.distributed.isend`` or "
                             "``torch.distributed.irecv``.")
        _check(tensor, "tensor")
        self.op, self.tensor, self.peer, self.group, self.tag, self.group_peer = op, tensor, peer, group, tag, \
            group_peer


def batch_isend_irecv(p2p_op_list):
    """Start every send and receive of the list; returns their Works."""
    works = []
    for p in p2p_op_list:
        if p.op is isend:
            works.append(isend(p.tensor, p.peer, p.group, p.tag, group_dst=p.group_peer))
        else:
            works.append(irecv(p.tensor, p.peer, p.group, p.tag, group_src=p.group_peer))
    return works


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every process of the group has reached this call."""
    pg = resolve(group)

    def start(nonblocking):
        return pg.comm.Ibarrier() if nonblocking else pg.comm.Barrier()
    return _run(start, None, async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    """A barrier (MPI reports a missing process itself)."""
    return barrier(group)
