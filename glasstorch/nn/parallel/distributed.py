"""DistributedDataParallel: the same model in every process, each on its own share of the data, gradients
averaged over the processes during backward (glasstorch/distributed/reducer.py says how), so every process
takes the same optimizer step and the models stay equal.

    dist.init_process_group("gloo")
    model = DistributedDataParallel(model)          # rank 0's parameters and buffers are copied to all
    loss_fn(model(x_shard), y_shard).backward()     # .grad = the mean over the processes' gradients
    optimizer.step()

With P processes each on a batch of B, the gradient equals one process's gradient on the concatenated batch of
P·B when the loss is a mean over the batch (the reducer averages). ``no_sync()`` skips the averaging (gradient
accumulation: the next synchronized backward averages what has accumulated). ``broadcast_buffers`` (default)
copies rank 0's buffers (batch norm's running statistics) to every process at each forward, as PyTorch does.

Accepted and not used, since glasstorch has one CPU device: ``device_ids``, ``output_device``, ``dim``
(PyTorch ignores them too for CPU modules). ``gradient_as_bucket_view`` and ``static_graph`` are accepted;
the gradients are copies of the bucket values either way (deviation: the memory saving is not made).
"""
import contextlib

from ...autograd.grad_mode import is_grad_enabled
from ..modules.module import Module

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 init_sync=True, process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False, delay_all_reduce_named_params=None,
                 param_to_hook_all_reduce=None, mixed_precision=None, device_mesh=None):
        from ...distributed import process_group as pgs
        from ...distributed.reducer import Reducer
        pg = pgs.resolve(process_group)   # PyTorch's error when no group was initialized
        super().__init__()
        self.module = module
        self.device_ids = None
        self.output_device = None
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.process_group = pg
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        params, seen = [], set()
        for p in module.parameters():
            if p.requires_grad and id(p) not in seen:
                seen.add(id(p))
                params.append(p)
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter "
                               "that requires a gradient.")
        self._check_shapes(params)
        if init_sync:
            self._sync_from_rank0(list(module.parameters()) + list(module.buffers()))
        self.reducer = Reducer(params, pg, self.bucket_bytes_cap, find_unused_parameters)

    def _check_shapes(self, params):
        """Every process must wrap the same model: compare the parameter shapes (PyTorch's check)."""
        from ...distributed.objects import all_gather_object
        shapes = [tuple(p.shape) for p in params]
        everyone = [None] * self.process_group.size()
        all_gather_object(everyone, shapes, group=self.process_group)
        for r, theirs in enumerate(everyone):
            if theirs != shapes:
                raise RuntimeError(f"DDP expects same model across all ranks, but rank {r}'s parameters have "
                                   f"shapes {theirs} and rank {self.process_group.rank()}'s {shapes}")

    def _sync_from_rank0(self, tensors):
        from ...autograd.grad_mode import no_grad
        from ...distributed.collectives import broadcast
        with no_grad():
            for t in tensors:
                broadcast(t.detach(), src=self.process_group.ranks[0], group=self.process_group)

    def forward(self, *inputs, **kwargs):
        sync = is_grad_enabled() and self.require_backward_grad_sync
        if sync:
            self.reducer.raise_if_unfinished()   # before the module runs, as PyTorch does
        if self.broadcast_buffers and self.require_forward_param_sync:
            buffers = list(self.module.buffers())
            if buffers:
                self._sync_from_rank0(buffers)
        outputs = self.module(*inputs, **kwargs)
        if sync:
            self.reducer.prepare_for_backward(outputs if self.find_unused_parameters else ())
        else:
            self.reducer.expecting = False
        return outputs

    @contextlib.contextmanager
    def no_sync(self):
        """Inside, backward leaves each process's gradients local (they accumulate in .grad)."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    @contextlib.contextmanager
    def join(self, divide_by_initial_world_size=True, enable=True, throw_on_early_termination=False):
        """Accepted; uneven inputs are not handled (every process must run the same number of steps)."""
        yield

    def comm_stats(self):
        """The last synchronized backward's communication: comm_seconds, wait_seconds, overlap, buckets."""
        return dict(self.reducer.stats)

    def __del__(self):
        reducer = self.__dict__.get("reducer")
        if reducer is not None:
            try:
                reducer.close()
            except Exception:
                pass
