"""DistributedDataParallel's reducer: average the gradients over the processes while backward still runs.

Every process computes the gradient of its own batch; training on all the batches at once needs their mean,
∂L/∂θ = (1/P) Σ_p ∂L_p/∂θ. All-reducing each parameter's gradient separately would pay MPI's start-up cost
hundreds of times a step, and waiting until backward has ended would leave the network idle while the
processor works and then the processor idle while the network works. PyTorch's reducer, and this one:

1. **Buckets.** The parameters, in reverse order of ``model.parameters()`` (roughly the order backward reaches
   them), are packed into flat buffers of about ``bucket_cap_mb`` (the first one only 1 MiB, so that
   communication starts early), one dtype per bucket.
2. **Hooks.** A post-accumulate-grad hook on each parameter copies its new ``.grad``, divided by P, into its
   slot of the bucket. When a bucket's last slot is filled the bucket is *ready*.
3. **Overlap.** Ready buckets are handed, strictly in bucket order (every process must start the same
   collectives in the same order), to a communication thread that all-reduces them (MPI's ``Allreduce``
   releases the GIL, so backward's NumPy work goes on at the same time on the main thread).
4. **The end of backward.** A callback waits for the last buckets and writes the averaged values back into
   each ``.grad`` (in place: its version counter counts the write).

``find_unused_parameters=True``: at forward time the graph is walked from the outputs; parameters it does not
reach are marked ready at once with a zero slot, and at the end a bitmap of which parameters each process
used is all-reduced, so that a parameter no process used keeps its ``.grad`` untouched, as in PyTorch.
Without it, a backward that leaves some bucket unfilled makes the next forward raise PyTorch's error.

``stats`` holds the last step's timing: ``comm_seconds`` (time inside Allreduce, on the communication
thread), ``wait_seconds`` (time the main thread waited for it after backward) and ``overlap`` (the share of
communication hidden behind backward, 1 - wait/comm).
"""
import queue
import threading
import time

import numpy as np

from .process_group import _mpi

FIRST_BUCKET_BYTES = 1 << 20   # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES

UNFINISHED = ("Expected to have finished reduction in the prior iteration before starting a new one. This error "
              "indicates that your module has parameters that were not used in producing loss. You can enable "
              "unused parameter detection by passing the keyword argument `find_unused_parameters=True` to "
              "`torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` function outputs "
              "participate in calculating loss. Parameter indices which did not receive grad for rank {rank}: "
              "{missing}")


class Bucket:
    """A flat buffer holding the (pre-divided) gradients of some parameters, and where each one sits."""

    def __init__(self, params, indices):
        self.params, self.indices = params, indices
        self.offsets, at = [], 0
        for p in params:
            self.offsets.append(at)
            at += p._array.size
        self.buffer = np.zeros(at, params[0]._array.dtype)
        self.pending = len(params)
        self.done = threading.Event()


def assign_buckets(params, cap_bytes, first_bytes=FIRST_BUCKET_BYTES):
    """Lists of parameter indices, one per bucket: reverse parameter order, split by dtype and size."""
    buckets, open_ = [], {}
    limits = {}
    for i in reversed(range(len(params))):
        dtype = params[i]._array.dtype
        current = open_.setdefault(dtype, [])
        current.append(i)
        limit = limits.get(dtype, first_bytes)
        if sum(params[j]._array.nbytes for j in current) >= limit:
            buckets.append(current)
            open_[dtype] = []
            limits[dtype] = cap_bytes
    buckets.extend(b for b in open_.values() if b)
    return buckets


class Reducer:
    def __init__(self, params, process_group, bucket_cap_bytes, find_unused_parameters=False):
        self.params = params
        self.size = process_group.size()
        self.rank = process_group.rank()
        self.comm = process_group.comm.Dup()    # the communication thread's own communicator
        self.find_unused = find_unused_parameters
        self.buckets = [Bucket([params[i] for i in b], b)
                        for b in assign_buckets(params, bucket_cap_bytes, min(FIRST_BUCKET_BYTES, bucket_cap_bytes))]
        self.where = {}
        for bi, b in enumerate(self.buckets):
            for slot, i in enumerate(b.indices):
                self.where[id(params[i])] = (bi, slot, i)
        self.expecting = False      # a forward prepared a synchronized backward
        self.unfinished = None      # parameter indices left without a gradient by the last backward
        self.stats = {"comm_seconds": 0.0, "wait_seconds": 0.0, "overlap": None, "buckets": len(self.buckets)}
        self.handles = [p.register_post_accumulate_grad_hook(self._grad_ready) for p in params]
        self.queue = queue.Queue()
        self.thread = None

    # -- the communication thread ---------------------------------------------------------------------
    def _serve(self):
        MPI = _mpi()
        while True:
            bucket = self.queue.get()
            if bucket is None:
                return
            start = time.perf_counter()
            self.comm.Allreduce(MPI.IN_PLACE, bucket.buffer, op=MPI.SUM)   # Σ_p g_p / P
            self.stats["comm_seconds"] += time.perf_counter() - start
            bucket.done.set()

    def _launch(self, bucket):
        if self.thread is None:
            self.thread = threading.Thread(target=self._serve, name="glasstorch-ddp-reducer", daemon=True)
            self.thread.start()
        self.queue.put(bucket)

    # -- one iteration ----------------------------------------------------------------------------------
    def raise_if_unfinished(self):
        """PyTorch's error when the last synchronized backward left some parameter without a gradient."""
        if self.unfinished is not None:
            missing, self.unfinished = self.unfinished, None
            raise RuntimeError(UNFINISHED.format(rank=self.rank, missing=missing))

    def prepare_for_backward(self, outputs):
        """Called by DDP's forward when a synchronized backward is to follow."""
        self.raise_if_unfinished()
        for b in self.buckets:
            b.pending = len(b.params)
            b.done.clear()
        self.next_bucket = 0
        self.used = np.zeros(len(self.params), np.int32)
        self.marked = np.zeros(len(self.params), bool)
        self.started = False
        self.expecting = True
        self.stats.update(comm_seconds=0.0, wait_seconds=0.0, overlap=None)
        if self.find_unused:
            reached = _reached_leaves(outputs)
            for p in self.params:
                if id(p) not in reached:
                    self._mark(p, None)

    def _grad_ready(self, param):
        if not self.expecting:
            return   # no_sync(), or a backward DDP's forward did not prepare: gradients stay local
        if not self.started:
            from ..autograd import engine
            self.started = True
            engine.at_end(self._finalize)
        self._mark(param, param._grad._array)

    def _mark(self, param, grad):
        bi, slot, i = self.where[id(param)]
        bucket = self.buckets[bi]
        at, n = bucket.offsets[slot], param._array.size
        if grad is None:
            bucket.buffer[at:at + n] = 0
        else:
            np.divide(grad.reshape(-1), self.size, out=bucket.buffer[at:at + n])   # g_p / P
            self.used[i] = 1
        if self.marked[i]:
            return   # a second gradient for the same parameter in one backward: the slot was overwritten
        self.marked[i] = True
        bucket.pending -= 1
        while self.next_bucket < len(self.buckets) and self.buckets[self.next_bucket].pending == 0:
            self._launch(self.buckets[self.next_bucket])   # in bucket order, on every process alike
            self.next_bucket += 1

    def _finalize(self):
        """End of backward: wait for the all-reduces, write the averages into the .grad tensors."""
        from ..ops import inplace
        self.expecting = False
        start = time.perf_counter()
        for b in self.buckets[:self.next_bucket]:
            b.done.wait()
        self.stats["wait_seconds"] = time.perf_counter() - start
        if self.next_bucket < len(self.buckets):   # some parameter got no gradient
            self.unfinished = [int(i) for i in np.flatnonzero(~self.marked)]
            return
        used = self.used
        if self.find_unused:
            MPI = _mpi()
            used = used.copy()
            self.comm.Allreduce(MPI.IN_PLACE, used, op=MPI.MAX)
        for b in self.buckets:
            for p, i, at in zip(b.params, b.indices, b.offsets):
                if not used[i]:
                    continue   # no process used it: its .grad stays as it was
                values = b.buffer[at:at + p._array.size].reshape(p._array.shape)
                if p._grad is None:
                    from ..autograd.function import wrap
                    p._grad = wrap(values.copy())
                else:
                    inplace._write(p._grad, values)
        comm = self.stats["comm_seconds"]
        self.stats["overlap"] = None if comm == 0 else max(0.0, 1.0 - self.stats["wait_seconds"] / comm)

    def close(self):
        for h in self.handles:
            h.remove()
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None
        if self.comm is not None:
            self.comm.Free()
            self.comm = None


def _reached_leaves(outputs):
    """ids of the leaf tensors the graph of ``outputs`` reaches (the parameters used by this forward), found by the
    backward engine's own walk of the graph (engine._count_dependencies)."""
    from ..autograd.engine import _count_dependencies
    from ..autograd.function import AccumulateGrad
    from ..tensor import Tensor
    roots, leaves = [], set()

    def collect(obj):
        if isinstance(obj, Tensor):
            if obj.grad_fn is not None:
                roots.append(obj.grad_fn)
            elif obj.requires_grad:
                leaves.add(id(obj))
        elif isinstance(obj, (list, tuple)):
            for o in obj:
                collect(o)
        elif isinstance(obj, dict):
            for o in obj.values():
                collect(o)
    collect(outputs)
    for node in list(_count_dependencies(roots)) + roots:
        if node.__class__ is AccumulateGrad:
            leaves.add(id(node.variable))
    return leaves
