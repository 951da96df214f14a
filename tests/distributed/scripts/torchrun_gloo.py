"""A script written for torchrun with backend="gloo", unmodified: run by test_launcher.py under `glasstorch run --nproc-per-node 2`."""
import os
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

def main():
    dist.init_process_group(backend="gloo")
    rank = int(os.environ["RANK"]); local_rank = int(os.environ["LOCAL_RANK"])
    torch.manual_seed(0)
    x = torch.randn(64, 10); y = torch.randint(0, 3, (64,))
    ds = TensorDataset(x, y)
    sampler = DistributedSampler(ds, shuffle=True, seed=1)
    loader = DataLoader(ds, batch_size=8, sampler=sampler)
    model = DDP(nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 3)))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
        t = loss.detach().clone()
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
        if rank == 0:
            print(f"epoch {epoch} mean loss {t.item() / dist.get_world_size():.4f}")
    if rank == 0:
        torch.save(model.module.state_dict(), os.environ.get("OUT", "/tmp/ddp_model.pt"))
    dist.barrier()
    dist.destroy_process_group()

if __name__ == "__main__":
    main()
