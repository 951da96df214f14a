"""Rank 1 raises while rank 0 waits in a barrier: the launcher must end the job and name rank 1's error."""
import glasstorch.distributed as dist

dist.init_process_group("gloo")
if dist.get_rank() == 1:
    raise ValueError("rank one fails on purpose")
dist.barrier()   # rank 0 would wait here for ever
print("rank 0 passed the barrier")
