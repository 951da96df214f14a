"""End-to-end benchmark: one real MNIST epoch of a PyTorch-style training script, wall time.

Written for PyTorch alone (no torchvision: its wheel does not import beside this machine's torch), so the very
same file runs under both libraries:

    python benchmarks/mnist_e2e.py                      # PyTorch
    glasstorch run benchmarks/mnist_e2e.py              # glasstorch, unmodified
    python benchmarks/mnist_e2e.py --compare 3          # both, alternated 3 times, and the ratio

What one run does, as tests/scripts/mnist_pytorch.py does with torchvision: read the 60,000 + 10,000 images from
../shared/data/mnist (the original idx files), normalize them, a shuffled DataLoader (batch 64) over a
TensorDataset, the course CNN (glasstorch/labs/mnist_models.py's ``cnn``, written out here), Adam lr 1e-3,
cross-entropy; one epoch, then the test pass (batch 1000) and its accuracy. It prints one JSON line with the
wall time of the epoch and of the test pass (the data reading is not timed).
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data", "mnist")


def _idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def run_once(threads):
    import torch
    import torch.nn as nn
    torch.set_num_threads(threads)
    torch.manual_seed(0)

    def images(name):
        x = _idx(name).astype(np.float32) / 255.0
        return torch.from_numpy(((x - 0.1307) / 0.3081)[:, None])

    train = torch.utils.data.TensorDataset(images("train-images-idx3-ubyte.gz"),
                                           torch.from_numpy(_idx("train-labels-idx1-ubyte.gz").astype(np.int64)))
    test = torch.utils.data.TensorDataset(images("t10k-images-idx3-ubyte.gz"),
                                          torch.from_numpy(_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64)))
    train_loader = torch.utils.data.DataLoader(train, batch_size=64, shuffle=True)
    test_loader = torch.utils.data.DataLoader(test, batch_size=1000)
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Dropout(0.25), nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    epoch = time.perf_counter() - start
    start = time.perf_counter()
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in test_loader:
            correct += (model(x).argmax(1) == y).sum().item()
    evaluation = time.perf_counter() - start
    print(json.dumps({"library": torch.__name__ if not hasattr(torch, "kernels") else "glasstorch",
                      "epoch_s": epoch, "test_s": evaluation, "accuracy": correct / len(test),
                      "last_loss": loss.item(), "threads": threads}))


def compare(repeats, threads):
    """Alternate PyTorch and glasstorch processes; print each run and the median ratio of wall times."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    runs = {"torch": [], "glasstorch": []}
    for r in range(repeats):
        order = ["torch", "glasstorch"] if r % 2 == 0 else ["glasstorch", "torch"]
        for lib in order:
            cmd = ([sys.executable, __file__] if lib == "torch" else
                   [sys.executable, "-m", "glasstorch", "run", __file__])
            out = subprocess.run(cmd + ["--threads", str(threads)], capture_output=True, text=True, check=True,
                                 env=env)
            res = json.loads(out.stdout.strip().splitlines()[-1])
            runs[lib].append(res)
            print(lib, json.dumps(res), flush=True)
    ratios = [(g["epoch_s"] + g["test_s"]) / (t["epoch_s"] + t["test_s"]) for t, g in zip(runs["torch"], runs["glasstorch"])]
    ratios.sort()
    print(f"epoch + test wall time, glasstorch / PyTorch: median {ratios[len(ratios) // 2]:.2f}x "
          f"(min {ratios[0]:.2f}, max {ratios[-1]:.2f}) over {repeats} alternated runs, {threads} thread(s)")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--compare", type=int, metavar="REPEATS", default=0)
    args = p.parse_args()
    if args.compare:
        compare(args.compare, args.threads)
    else:
        run_once(args.threads)
