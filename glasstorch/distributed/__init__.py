"""glasstorch.distributed: PyTorch's ``torch.distributed`` on MPI (mpi4py over Open MPI).

    import glasstorch.distributed as dist          # `import torch.distributed as dist` under glasstorch run
    dist.init_process_group("gloo")                # "gloo" and "mpi" are both served by MPI
    rank, world = dist.get_rank(), dist.get_world_size()
    dist.all_reduce(t, op=dist.ReduceOp.SUM)       # in place, on every process
    dist.destroy_process_group()

Start the processes with the launcher, the torchrun equivalent (it calls ``mpirun``):

    glasstorch run --nproc-per-node 2 train.py ARGS          # torch scripts, unmodified
    python -m glasstorch.distributed.run --nproc-per-node 2 train.py ARGS

Files: ``process_group.py`` (init, groups, ranks), ``collectives.py`` (collectives on tensors, Work handles),
``objects.py`` (collectives on Python objects), ``reducer.py`` (DistributedDataParallel's bucketed gradient
averaging), ``sync_batchnorm.py`` (SyncBatchNorm's op), ``run.py`` (the launcher), ``_worker.py`` (what each
launched process runs) and ``elastic/`` (the one name torchrun scripts import from it).
"""
from .collectives import (P2POp, ReduceOp, Work, all_gather, all_gather_into_tensor, all_reduce, all_to_all,
                          all_to_all_single, barrier, batch_isend_irecv, broadcast, gather, irecv, isend,
                          monitored_barrier, recv, reduce, reduce_op, reduce_scatter, reduce_scatter_tensor,
                          scatter, send)
from .objects import (all_gather_object, broadcast_object_list, gather_object, recv_object_list,
                      scatter_object_list, send_object_list)
from .process_group import (Backend, GroupMember, ProcessGroup, destroy_process_group, get_backend,
                            get_global_rank, get_group_rank, get_node_local_rank, get_process_group_ranks,
                            get_rank, get_world_size, group, init_process_group, is_available,
                            is_gloo_available, is_initialized, is_mpi_available, is_nccl_available,
                            is_torchelastic_launched, new_group)

# PyTorch's older name for the shared-tensor all_gather
_all_gather_base = all_gather_into_tensor
_reduce_scatter_base = reduce_scatter_tensor

__all__ = ["P2POp", "ReduceOp", "Work", "all_gather", "all_gather_into_tensor", "all_reduce", "all_to_all",
           "all_to_all_single", "barrier", "batch_isend_irecv", "broadcast", "gather", "irecv", "isend",
           "monitored_barrier", "recv", "reduce", "reduce_op", "reduce_scatter", "reduce_scatter_tensor",
           "scatter", "send", "all_gather_object", "broadcast_object_list", "gather_object", "recv_object_list",
           "scatter_object_list", "send_object_list", "Backend", "GroupMember", "ProcessGroup",
           "destroy_process_group", "get_backend", "get_global_rank", "get_group_rank", "get_node_local_rank",
           "get_process_group_ranks", "get_rank", "get_world_size", "group", "init_process_group",
           "is_available", "is_gloo_available", "is_initialized", "is_mpi_available", "is_nccl_available",
           "is_torchelastic_launched", "new_group"]
