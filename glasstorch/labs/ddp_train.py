"""One process of the ddp lab (glasstorch/labs/ddp.py starts P of them through the launcher): the course CNN on
its share of MNIST under DistributedDataParallel, batch 64 per process, Adam; rank 0 writes what it measured.

    python -m glasstorch.distributed.run --nproc-per-node 2 glasstorch/labs/ddp_train.py --out run.json ...

Also the reference run (``single_process``): one process, no DDP, batch 64·P over the same order of images,
which is what DDP computes, step for step.
"""
import argparse
import json
import time

import glasstorch as torch
from glasstorch import nn
from glasstorch.utils.data import DataLoader, TensorDataset
from glasstorch.utils.data.distributed import DistributedSampler

from glasstorch.labs.mnist import evaluate, load_data
from glasstorch.labs.mnist_models import cnn


def make_model(seed):
    """The course CNN with dropout off (p = 0): each process would draw its own dropout masks, and the
    point here is that the curves can be compared step by step."""
    torch.manual_seed(seed)
    model = cnn(nn)
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    return model


def data(root, train_size, test_size):
    x_tr, y_tr, x_te, y_te, _ = load_data("mnist", root)
    return x_tr[:train_size], y_tr[:train_size], x_te[:test_size], y_te[:test_size]


def single_process(root, train_size, test_size, epochs, batch, procs, seed, lr):
    """Large-batch training in this process: batch ``batch·procs``, the images in DistributedSampler's order."""
    x_tr, y_tr, x_te, y_te = data(root, train_size, test_size)
    model = make_model(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    ds = TensorDataset(x_tr, y_tr)
    sampler = DistributedSampler(ds, num_replicas=1, rank=0, shuffle=True, seed=seed)
    # DistributedSampler hands rank r the indices order[r::P]; batch k of every rank together is the slice
    # order[k·b·P:(k+1)·b·P] of the one permutation: the same images as one batch of b·P in this order
    loader = DataLoader(ds, batch_size=batch * procs, sampler=sampler)
    losses, seconds = [], []
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        model.train()
        start = time.perf_counter()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        seconds.append(time.perf_counter() - start)
    _, pred = evaluate(model, x_te, y_te, nn.CrossEntropyLoss())
    return {"losses": losses, "epoch_seconds": seconds, "test_accuracy": (pred == y_te).float().mean().item(),
            "train_size": len(x_tr)}


def distributed(root, train_size, test_size, epochs, batch, seed, lr):
    """This process's part of the DDP run; rank 0 returns the record (the others None)."""
    import glasstorch.distributed as dist
    dist.init_process_group("gloo")
    rank, procs = dist.get_rank(), dist.get_world_size()
    x_tr, y_tr, x_te, y_te = data(root, train_size, test_size)
    ddp = nn.parallel.DistributedDataParallel(make_model(seed))
    optimizer = torch.optim.Adam(ddp.parameters(), lr=lr)
    ds = TensorDataset(x_tr, y_tr)
    sampler = DistributedSampler(ds, shuffle=True, seed=seed)
    loader = DataLoader(ds, batch_size=batch, sampler=sampler)
    losses, seconds, comm, wait, step_seconds = [], [], [], [], []
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        ddp.train()
        dist.barrier()
        start = time.perf_counter()
        for xb, yb in loader:
            t0 = time.perf_counter()
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(ddp(xb), yb)
            loss.backward()
            optimizer.step()
            step_seconds.append(time.perf_counter() - t0)
            stats = ddp.comm_stats()
            comm.append(stats["comm_seconds"])
            wait.append(stats["wait_seconds"])
            total = loss.detach().clone()
            dist.all_reduce(total, op=dist.ReduceOp.AVG)   # the mean over processes = the large batch's loss
            losses.append(total.item())
        dist.barrier()
        seconds.append(time.perf_counter() - start)
    record = None
    if rank == 0:
        _, pred = evaluate(ddp.module, x_te, y_te, nn.CrossEntropyLoss())
        record = {"procs": procs, "losses": losses, "epoch_seconds": seconds, "step_seconds": step_seconds,
                  "comm_seconds": comm, "wait_seconds": wait, "buckets": ddp.comm_stats()["buckets"],
                  "test_accuracy": (pred == y_te).float().mean().item(), "train_size": len(x_tr)}
    dist.destroy_process_group()
    return record


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--data", default="data")
    p.add_argument("--train-size", type=int, default=60000)
    p.add_argument("--test-size", type=int, default=10000)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    record = distributed(a.data, a.train_size, a.test_size, a.epochs, a.batch, a.seed, a.lr)
    if record is not None:
        with open(a.out, "w") as f:
            json.dump(record, f)


if __name__ == "__main__":
    main()
