"""Collectives on Python objects: ``all_gather_object``, ``broadcast_object_list``, ``gather_object``,
``scatter_object_list``, ``send_object_list`` / ``recv_object_list``.

Each object travels as bytes, in PyTorch's checkpoint format, and is read back by glasstorch's weights-only
loader, which never runs code: plain data (numbers, strings, None, lists/tuples/dicts/sets of them, tensors,
NumPy arrays: what ``glasstorch.save`` writes), which is what scripts send (metrics, state_dicts, config dicts).
Deviation: PyTorch pickles any object and unpickles it on the receiving side (its docs warn that this can run
arbitrary code); glasstorch never unpickles, so another object raises a TypeError on the sending process, before
anything is sent.
"""
import io

import numpy as np

from .process_group import resolve

__all__ = ["all_gather_object", "broadcast_object_list", "gather_object", "scatter_object_list",
           "send_object_list", "recv_object_list"]


def _encode(obj):
    from .. import save
    buf = io.BytesIO()
    try:
        save(obj, buf)
    except TypeError as e:  # not plain data: glasstorch does not pickle (see the module docstring)
        raise TypeError(f"glasstorch.distributed sends objects as plain data only (no pickle, so receiving never "
                        f"runs code): {e}") from None
    return buf.getvalue()


def _decode(data):
    from .. import load
    return load(io.BytesIO(bytes(data)), weights_only=True)   # the allow-listed reader: no code runs


def _sizes(pg, n, root=None):
    """Every process's byte count (as int64 buffers: no pickle involved), on every process or on ``root``."""
    mine = np.array([n], np.int64)
    out = np.empty(pg.size(), np.int64)
    if root is None:
        pg.comm.Allgather(mine, out)
    else:
        pg.comm.Gather(mine, out if pg.rank() == root else None, root=root)
    return [int(s) for s in out]


def _gathered(pg, data, root=None):
    """Every process's bytes (on ``root`` only, when given): lengths first, then one gather of the bytes."""
    sizes = _sizes(pg, len(data), root)
    mine = root is None or pg.rank() == root
    recv = np.empty(sum(sizes), np.uint8) if mine else None
    send = np.frombuffer(data, np.uint8)
    if root is None:
        pg.comm.Allgatherv(send, [recv, sizes])
    else:
        pg.comm.Gatherv(send, [recv, sizes] if mine else None, root=root)
    if not mine:
        return None
    out, at = [], 0
    for s in sizes:
        out.append(recv[at:at + s])
        at += s
    return out


def all_gather_object(object_list, obj, group=None):
    """object_list[r] = process r's ``obj``, on every process."""
    pg = resolve(group)
    if len(object_list) != pg.size():
        raise ValueError(f"all_gather_object: object_list has {len(object_list)} entries, expected {pg.size()}")
    for r, data in enumerate(_gathered(pg, _encode(obj))):
        object_list[r] = _decode(data)


def gather_object(obj, object_gather_list=None, dst=0, group=None):
    """On process ``dst``: object_gather_list[r] = process r's ``obj``."""
    pg = resolve(group)
    root = pg.group_rank(dst)
    parts = _gathered(pg, _encode(obj), root=root)
    if parts is not None:
        if object_gather_list is None or len(object_gather_list) != pg.size():
            raise ValueError("gather_object: the destination needs an object_gather_list of the group's size")
        for r, data in enumerate(parts):
            object_gather_list[r] = _decode(data)


def broadcast_object_list(object_list, src=0, group=None, device=None):
    """object_list (in place) = process ``src``'s object_list, on every process (lists of the same length)."""
    pg = resolve(group)
    root = pg.group_rank(src)
    data = _encode(list(object_list)) if pg.rank() == root else b""
    data = _bcast_bytes(pg, data, root)
    if pg.rank() != root:
        received = _decode(data)
        object_list[:len(received)] = received


def _bcast_bytes(pg, data, root):
    size = np.array([len(data)], np.int64)
    pg.comm.Bcast(size, root=root)
    buf = np.frombuffer(data, np.uint8).copy() if pg.rank() == root else np.empty(int(size[0]), np.uint8)
    pg.comm.Bcast(buf, root=root)
    return buf


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=0, group=None):
    """scatter_object_output_list[0] on process r = process ``src``'s scatter_object_input_list[r]."""
    pg = resolve(group)
    root = pg.group_rank(src)
    if pg.rank() == root:
        if scatter_object_input_list is None or len(scatter_object_input_list) != pg.size():
            raise ValueError("scatter_object_list: the source needs an input list of the group's size")
        parts = [_encode(o) for o in scatter_object_input_list]
        sizes = np.array([len(p) for p in parts], np.int64)
        send = np.frombuffer(b"".join(parts), np.uint8)
    else:
        sizes, send = np.empty(pg.size(), np.int64), None
    pg.comm.Bcast(sizes, root=root)
    recv = np.empty(int(sizes[pg.rank()]), np.uint8)
    pg.comm.Scatterv([send, [int(s) for s in sizes]] if pg.rank() == root else None, recv, root=root)
    scatter_object_output_list[0] = _decode(recv)


def send_object_list(object_list, dst, group=None, device=None):
    pg = resolve(group)
    data = np.frombuffer(_encode(list(object_list)), np.uint8)
    pg.comm.Send(np.array([data.size], np.int64), dest=pg.group_rank(dst), tag=7)
    pg.comm.Send(data, dest=pg.group_rank(dst), tag=8)


def recv_object_list(object_list, src=None, group=None, device=None):
    """Fill object_list from process ``src``; returns the sender's global rank."""
    from .process_group import _mpi
    pg = resolve(group)
    MPI = _mpi()
    status = MPI.Status()
    source = MPI.ANY_SOURCE if src is None else pg.group_rank(src)
    size = np.empty(1, np.int64)
    pg.comm.Recv(size, source=source, tag=7, status=status)
    sender = status.Get_source()
    buf = np.empty(int(size[0]), np.uint8)
    pg.comm.Recv(buf, source=sender, tag=8)
    received = _decode(buf)
    object_list[:len(received)] = received
    return pg.ranks[sender]
