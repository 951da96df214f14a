"""Prints what the launcher gave this process."""
import json
import os

import glasstorch
import glasstorch.distributed as dist

dist.init_process_group()      # env:// and the default backend
print("ENV " + json.dumps({k: os.environ.get(k) for k in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "LOCAL_WORLD_SIZE",
                                                        "MASTER_ADDR", "MASTER_PORT", "OMP_NUM_THREADS")}
                          | {"rank": dist.get_rank(), "size": dist.get_world_size(),
                             "threads": glasstorch.get_num_threads()}), flush=True)
dist.destroy_process_group()
