"""Lab: data-parallel training over processes (DistributedDataParallel on MPI).

    glasstorch lab ddp [--epochs N] [--data DIR] [--quick] [--seed N]

The course CNN on MNIST, Adam (lr 1e-3), 64 images per process per step, run by 1 and 2 processes (4 too on
a machine with at least 4 cores), each started through glasstorch's launcher (glasstorch/distributed/run.py,
i.e. ``mpirun``). Every process computes the gradient of its own 64 images; DDP averages the gradients over
the processes during backward; every process then takes the same step. So P processes compute exactly what
one process computes with batches of 64·P images in the same order: ``loss_curves.png`` lays the two curves
on top of each other (dropout is switched off, since each process would draw its own masks).

What it shows:
- ``loss_curves.png``: the per-step training loss of P processes (the mean over processes) and of one
  process with the large batch, and their difference: float32 rounding (the sums run in another order),
  about 1e-7 at first; training amplifies such differences, so over a full epoch (469 steps) it grows to about
  1e-2 while the curves stay on top of each other;
- ``time_per_epoch.png``: seconds per epoch and images per second for each P. On this 2-core machine, 2
  processes of 1 thread each against 1 process of 2 threads: how much the second process gains when the
  cores are the limit;
- ``communication.png``: per step, the time the all-reduces took (on DDP's communication thread) and the
  part of it the main thread still had to wait for after backward: the rest was hidden behind backward.

Measured (full size, one epoch, this 2-core machine): 1 process (2 threads) 28.1 s, 2 processes (1 thread each)
19.3 s (1.45x the images per second); all-reduce 3.7 ms a step, 0.67 ms of it not hidden; test accuracy 98.4% /
98.2%.

Quick mode (the tests): 1,024 training and 500 test images, one epoch.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

from .report import write_report


def _run_processes(procs, args, log):
    """Start ``procs`` processes of ddp_train.py through the launcher; returns rank 0's record."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "record.json")
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ddp_train.py")
        cmd = [sys.executable, "-m", "glasstorch.distributed.run", "--nproc-per-node", str(procs), script,
               "--out", out, *args]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"the {procs}-process run failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
        with open(out) as f:
            return json.load(f)


def run(run_dir, quick=False, seed=0, log=print, epochs=None, data="data"):
    from .ddp_train import single_process
    epochs = epochs if epochs is not None else 1
    train_size, test_size = (1024, 500) if quick else (60000, 10000)
    counts = [1, 2] + ([4] if (os.cpu_count() or 1) >= 4 else [])
    args = ["--data", str(data), "--train-size", str(train_size), "--test-size", str(test_size), "--epochs",
            str(epochs), "--seed", str(seed)]
    runs, references = {}, {}
    for p in counts:
        log(f"  {p} process{'es' if p > 1 else ''}: DistributedDataParallel, 64 images each per step")
        runs[p] = _run_processes(p, args, log)
        log(f"    {runs[p]['epoch_seconds'][-1]:.1f} s per epoch, test accuracy {runs[p]['test_accuracy']:.2%}")
        if p > 1:
            references[p] = single_process(data, train_size, test_size, epochs, 64, p, seed, 1e-3)
            diff = np.abs(np.array(runs[p]["losses"]) - np.array(references[p]["losses"])).max()
            log(f"    one process with batch {64 * p}: largest difference of the loss curves {diff:.2e}")
    metrics = {"epochs": epochs, "train_size": train_size, "processes": counts}
    for p in counts:
        r = runs[p]
        seconds = r["epoch_seconds"][-1]
        entry = {"epoch_seconds": seconds, "images_per_second": r["train_size"] / seconds,
                 "test_accuracy": r["test_accuracy"], "steps": len(r["losses"]), "buckets": r["buckets"]}
        if p > 1:
            comm, wait = np.array(r["comm_seconds"]), np.array(r["wait_seconds"])
            entry.update(comm_ms_per_step=float(comm.mean() * 1e3), exposed_comm_ms_per_step=float(wait.mean() * 1e3),
                         step_ms=float(np.mean(r["step_seconds"]) * 1e3),
                         hidden_share=float(1 - wait.sum() / comm.sum()) if comm.sum() else None,
                         max_loss_difference_vs_large_batch=float(np.abs(np.array(r["losses"]) -
                                                                         np.array(references[p]["losses"])).max()))
        metrics[f"{p}_processes"] = entry
    metrics["speedup_2_vs_1"] = runs[1]["epoch_seconds"][-1] / runs[2]["epoch_seconds"][-1]
    log(f"  2 processes vs 1: {metrics['speedup_2_vs_1']:.2f}x the images per second; communication "
        f"{metrics['2_processes']['comm_ms_per_step']:.2f} ms a step, of which "
        f"{metrics['2_processes']['exposed_comm_ms_per_step']:.2f} ms not hidden behind backward")
    _plot(run_dir, runs, references, counts)
    write_report(run_dir, "Data-parallel training over processes (DistributedDataParallel on MPI)", metrics)
    return metrics


def _plot(run_dir, runs, references, counts):
    with run_dir.figure("loss_curves.png", figsize=(11, 4)) as fig:
        ax = fig.add_subplot(1, 2, 1)
        for p in counts[1:]:
            ax.plot(references[p]["losses"], label=f"1 process, batch {64 * p}", linewidth=3, alpha=0.4)
            ax.plot(runs[p]["losses"], label=f"{p} processes × 64 (DDP)", linestyle="--")
        ax.set(xlabel="step", ylabel="training loss", title="The same steps")
        ax.legend()
        ax = fig.add_subplot(1, 2, 2)
        for p in counts[1:]:
            ax.plot(np.array(runs[p]["losses"]) - np.array(references[p]["losses"]), label=f"{p} processes")
        ax.set(xlabel="step", ylabel="DDP loss − large-batch loss", title="Their difference: float32 rounding, amplified by training")
        ax.legend()
    with run_dir.figure("time_per_epoch.png", figsize=(9, 4)) as fig:
        ax = fig.add_subplot(1, 2, 1)
        ax.bar([str(p) for p in counts], [runs[p]["epoch_seconds"][-1] for p in counts])
        ax.set(xlabel="processes", ylabel="seconds per epoch")
        ax = fig.add_subplot(1, 2, 2)
        ax.bar([str(p) for p in counts], [runs[p]["train_size"] / runs[p]["epoch_seconds"][-1] for p in counts])
        ax.set(xlabel="processes", ylabel="images per second")
    with run_dir.figure("communication.png", figsize=(7, 4)) as fig:
        ax = fig.gca()
        r = runs[2]
        ax.plot(np.array(r["comm_seconds"]) * 1e3, label="all-reduce time (communication thread)")
        ax.plot(np.array(r["wait_seconds"]) * 1e3, label="waited for after backward (not hidden)")
        ax.set(xlabel="step", ylabel="ms", title="2 processes: gradient averaging per step")
        ax.legend()
