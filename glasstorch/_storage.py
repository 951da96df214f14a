"""Storage: the memory under a tensor, as ``tensor.untyped_storage()`` shows it.

glasstorch keeps no storage object of its own: a tensor's values are a NumPy array, and a view's array is a
NumPy view of its base's. The memory they share is owned by one object (the array at the end of the
``.base`` chain); this class describes that memory, so that ``x.untyped_storage().data_ptr()`` is the same
for a tensor and all its views, and ``x.storage_offset()`` says where a view starts in it.
"""
import numpy as np

from .autograd.function import _root


class UntypedStorage:
    """The bytes a tensor's array lives in (read-only description: no resizing, no separate copy)."""

    def __init__(self, array):
        root = _root(array)
        if isinstance(root, SharedBlock):  # shared memory (share_memory_): the block is the storage
            self._owner, self._start, self._nbytes = root, root.address, root.nbytes
            return
        self._owner = root if isinstance(root, np.ndarray) else array  # an owner outside NumPy: the array itself
        self._start = self._owner.__array_interface__["data"][0]  # an owner's first element is its lowest
        self._nbytes = self._owner.nbytes

    def data_ptr(self):
        return self._start

    def nbytes(self):
        return self._nbytes

    size = nbytes

    def offset_of(self, array):
        """Where ``array`` starts in this storage, in elements (its first element's address, not its lowest
        one: with negative strides the two differ)."""
        first = array.__array_interface__["data"][0]
        return (first - self._start) // array.itemsize

    def __len__(self):
        return self._nbytes

    def is_shared(self):
        return isinstance(self._owner, SharedBlock)

    def __repr__(self):
        return f"glasstorch.UntypedStorage(data_ptr={self._start:#x}, nbytes={self._nbytes})"


# -- shared memory (tensor.share_memory_(), glasstorch.multiprocessing, DataLoader workers) ------------------
#
# A shared tensor's array lives in a ``SharedBlock``: an ``mmap`` (MAP_SHARED) of a file in /dev/shm (RAM; the
# temporary directory where there is no /dev/shm). The file's name is removed as soon as it is made, so
# nothing is left behind when processes end, even killed ones: the memory lives while some process maps it
# or holds its file descriptor. A forked child inherits the mapping (its writes are the parent's memory);
# any other process gets the block by receiving its file descriptor (multiprocessing.reduction.DupFd, what
# PyTorch's default 'file_descriptor' sharing strategy does) and mapping it again: see
# glasstorch/multiprocessing/reductions.py.
import mmap  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import weakref  # noqa: E402

_SHM_DIR = "/dev/shm" if os.path.isdir("/dev/shm") else None  # None: tempfile's default directory


class SharedBlock(mmap.mmap):
    """Bytes in shared memory; ``fd`` is an open file descriptor of them (sent to other processes)."""


def _block_from_fd(fd, nbytes):
    block = SharedBlock(fd, nbytes)
    block.fd = fd
    block.nbytes = nbytes
    block.address = np.frombuffer(block, np.uint8).__array_interface__["data"][0]
    weakref.finalize(block, os.close, fd)  # the descriptor goes with the block
    return block


def new_shared_block(nbytes):
    """A fresh, zero-filled shared block of ``nbytes`` bytes (at least 1: mmap has no empty mappings)."""
    nbytes = max(int(nbytes), 1)
    fd, path = tempfile.mkstemp(prefix="glasstorch_shm_", dir=_SHM_DIR)
    os.unlink(path)  # no name: the memory is freed when the last process lets go of it
    os.ftruncate(fd, nbytes)
    return _block_from_fd(fd, nbytes)


def open_shared_block(fd):
    """The block behind a received file descriptor (this process now owns ``fd``)."""
    return _block_from_fd(fd, os.fstat(fd).st_size)


def is_shared_array(array):
    return isinstance(_root(array), SharedBlock)


def shared_array_like(array):
    """A copy of ``array`` (same shape and dtype, C-contiguous) whose memory is a new SharedBlock."""
    block = new_shared_block(array.nbytes)
    shared = np.ndarray(array.shape, array.dtype, buffer=block)
    shared[...] = array
    return shared


def array_in_block(block, offset, shape, strides, dtype):
    """The array at byte ``offset`` of ``block`` (the receiving side of a shared tensor)."""
    return np.ndarray(shape, np.dtype(dtype), buffer=block, offset=offset, strides=strides)


def block_offset(array):
    """(the block holding a shared array, the byte offset of the array's first element in it)."""
    block = _root(array)
    return block, array.__array_interface__["data"][0] - block.address
