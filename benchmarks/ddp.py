"""Distributed benchmarks (issue 18): data-parallel throughput and the all-reduce's bandwidth.

    python benchmarks/ddp.py                  # both, on this machine: 1 and 2 processes
    python benchmarks/ddp.py --json out.json

1. **Throughput.** The course CNN's training step (batch 64 per process, Adam, synthetic MNIST-shaped data),
   under DistributedDataParallel with 1 and 2 processes started by glasstorch's launcher: images per second
   over all processes, the all-reduce time per step and the part of it not hidden behind backward. The
   1-process run uses every core's threads; with 2 processes the launcher gives each 1 thread (torchrun's rule).
2. **Bandwidth.** ``glasstorch.distributed.all_reduce`` on float32 tensors of 4 KiB to 64 MiB, 2 processes,
   against mpi4py's own ``Allreduce`` on NumPy buffers of the same size (the floor glasstorch adds to):
   algorithm bandwidth = bytes / time, and the ratio.
Each measurement is the median of several timed repeats inside one job.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = [1 << k for k in (12, 16, 20, 22, 24, 26)]     # bytes: 4 KiB ... 64 MiB


def _launch(procs, *args):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        cmd = [sys.executable, "-m", "glasstorch.distributed.run", "--nproc-per-node", str(procs), __file__,
               "--worker", *args, "--out", out]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(proc.stdout[-2000:] + proc.stderr[-3000:])
        with open(out) as f:
            return json.load(f)


def worker_throughput(out, steps, warmup):
    import glasstorch as torch
    import glasstorch.distributed as dist
    from glasstorch import nn
    from glasstorch.labs.mnist_models import cnn
    dist.init_process_group("gloo")
    rank, procs = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(0)
    ddp = nn.parallel.DistributedDataParallel(cnn(nn))
    opt = torch.optim.Adam(ddp.parameters(), lr=1e-3)
    rng = np.random.default_rng(rank)
    x = torch.from_numpy(rng.standard_normal((64 * 20, 1, 28, 28), dtype=np.float32))
    y = torch.from_numpy(rng.integers(0, 10, 64 * 20))
    comm, wait = [], []

    def step(i):
        i = (i % 20) * 64
        opt.zero_grad()
        nn.functional.cross_entropy(ddp(x[i:i + 64]), y[i:i + 64]).backward()
        opt.step()

    for i in range(warmup):
        step(i)
    repeats = []
    for r in range(5):
        dist.barrier()
        start = time.perf_counter()
        for i in range(steps):
            step(i)
            s = ddp.comm_stats()
            comm.append(s["comm_seconds"])
            wait.append(s["wait_seconds"])
        dist.barrier()
        repeats.append((time.perf_counter() - start) / steps)
    if rank == 0:
        sec = float(np.median(repeats))
        with open(out, "w") as f:
            json.dump({"procs": procs, "step_ms": sec * 1e3, "images_per_second": 64 * procs / sec,
                       "comm_ms": float(np.median(comm) * 1e3), "exposed_ms": float(np.median(wait) * 1e3),
                       "threads": torch.get_num_threads(), "buckets": ddp.comm_stats()["buckets"]}, f)
    dist.destroy_process_group()


def worker_bandwidth(out):
    import glasstorch as torch
    import glasstorch.distributed as dist
    from mpi4py import MPI
    dist.init_process_group("gloo")
    comm = MPI.COMM_WORLD.Dup()
    rows = []
    for size in SIZES:
        n = size // 4
        t = torch.ones(n)
        a = np.ones(n, np.float32)
        reps = max(5, min(200, (1 << 26) // size))
        timings = {"glasstorch": [], "mpi4py": []}
        for _ in range(2):   # warm-up of both
            dist.all_reduce(t)
            comm.Allreduce(MPI.IN_PLACE, a, op=MPI.SUM)
        for r in range(7):   # interleaved repeats
            for name in ("mpi4py", "glasstorch"):
                dist.barrier()
                start = time.perf_counter()
                for _ in range(reps):
                    if name == "glasstorch":
                        dist.all_reduce(t)
                    else:
                        comm.Allreduce(MPI.IN_PLACE, a, op=MPI.SUM)
                timings[name].append((time.perf_counter() - start) / reps)
        g, m = float(np.median(timings["glasstorch"])), float(np.median(timings["mpi4py"]))
        rows.append({"bytes": size, "glasstorch_us": g * 1e6, "mpi4py_us": m * 1e6,
                     "glasstorch_GBps": size / g / 1e9, "mpi4py_GBps": size / m / 1e9, "ratio": m / g})
    if dist.get_rank() == 0:
        with open(out, "w") as f:
            json.dump(rows, f)
    comm.Free()
    dist.destroy_process_group()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--json", help="also write the results to this file")
    a = p.parse_args(argv)
    if a.worker is not None:
        if a.worker == ["throughput"]:
            worker_throughput(a.out, a.steps, a.warmup)
        else:
            worker_bandwidth(a.out)
        return
    sys.path.insert(0, os.path.dirname(HERE))
    results = {"throughput": [], "bandwidth": None}
    for procs in (1, 2):
        r = _launch(procs, "throughput", "--steps", str(a.steps), "--warmup", str(a.warmup))
        results["throughput"].append(r)
        print(f"{procs} process{'es' if procs > 1 else ''} ({r['threads']} thread{'s' if r['threads'] > 1 else ''} "
              f"each): {r['step_ms']:.1f} ms a step, {r['images_per_second']:.0f} images/s; all-reduce "
              f"{r['comm_ms']:.2f} ms a step, {r['exposed_ms']:.2f} ms of it not hidden ({r['buckets']} buckets)")
    one, two = results["throughput"]
    print(f"2 processes / 1 process: {two['images_per_second'] / one['images_per_second']:.2f}x the images per second")
    results["bandwidth"] = _launch(2, "bandwidth")
    print(f"{'size':>10} {'glasstorch':>14} {'mpi4py':>14} {'ratio':>7}   (all_reduce, 2 processes, algorithm bandwidth)")
    for row in results["bandwidth"]:
        print(f"{row['bytes']:>10} {row['glasstorch_GBps']:>10.2f} GB/s {row['mpi4py_GBps']:>9.2f} GB/s "
              f"{row['ratio']:>6.2f}x")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
