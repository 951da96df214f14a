"""How tensors cross process boundaries: what ``pickle`` does with a tensor inside glasstorch.multiprocessing.

Python's multiprocessing pickles everything it sends (Queue.put, Pipe.send, Pool arguments and results,
the arguments of a spawned Process) with ``multiprocessing.reduction.ForkingPickler``. Registering a
reducer for Tensor there (as torch.multiprocessing does) changes what is sent:

- the tensor is first moved into shared memory (``share_memory_()``, in place, as PyTorch does: a tensor
  put on a queue is shared from then on);
- what is pickled is a *file descriptor* of that shared memory (duplicated for the receiver by
  multiprocessing's resource sharer, PyTorch's default 'file_descriptor' strategy), the byte offset, shape,
  strides and dtype: never the values;
- the receiver maps the same memory and builds a tensor viewing it, so its writes are seen by the sender.

Ordinary ``pickle.dumps`` / ``copy.deepcopy`` are not affected: they still copy the values.
Like PyTorch, a non-leaf tensor that requires grad is refused (autograd graphs do not cross processes).
"""
from multiprocessing.reduction import ForkingPickler, DupFd

from .. import _storage
from ..tensor import Tensor, _rebuild

__all__ = ["init_reductions", "reduce_tensor", "rebuild_tensor"]


def rebuild_tensor(cls, dup_fd, offset, shape, strides, dtype, requires_grad):
    """The receiving side: map the sent shared memory and view it as a tensor of class ``cls``."""
    block = _storage.open_shared_block(dup_fd.detach())
    array = _storage.array_in_block(block, offset, shape, strides, dtype)
    return _rebuild(array, requires_grad, cls)


def reduce_tensor(tensor):
    if tensor.requires_grad and not tensor.is_leaf:
        raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd "
                           "does not support crossing process boundaries.  If you just want to transfer the "
                           "data, call detach() on the tensor before serializing (e.g., putting it on the queue).")
    tensor.share_memory_()
    array = tensor._array
    block, offset = _storage.block_offset(array)
    return (rebuild_tensor, (type(tensor), DupFd(block.fd), offset, array.shape, array.strides, array.dtype.str,
                             tensor.requires_grad))


def init_reductions():
    """Register the tensor reducer with multiprocessing's pickler (done on ``import glasstorch``)."""
    from ..nn.parameter import Parameter, Buffer
    for cls in (Tensor, Parameter, Buffer):
        ForkingPickler.register(cls, reduce_tensor)
