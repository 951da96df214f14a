"""Lab: how the optimizers move — on a 2-D function you can draw, then on handwritten digits.

    glasstorch lab optimizers --dataset mnist --epochs 3 --data DIR

1. The course's bowl f(x, y) = x²/20 + y², minimum at (0, 0), start (−7, 2). It is 20 times steeper along
   y than along x, the shape that makes plain gradient descent zig-zag across the valley while it crawls
   along it. SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam and AdamW (``glasstorch.optim``), each with
   a learning rate that suits it, take the same number of steps from the same start; their paths are
   drawn on the contour plot, one panel each. A second run gives SGD and momentum the *same* learning
   rate: momentum's velocity accumulates the small, constant x-gradient and covers the shallow direction
   much faster.
2. The same MLP (same initial weights) trained on MNIST — or the 8×8 digits with ``--dataset digits`` and
   in quick mode — by each optimizer, mini-batches of 64: loss curves side by side.
3. Batch size: full-batch gradient descent (one step per pass over the data) against SGD with batches of
   1 (only a limited number of steps: one example at a time is slow in Python) and mini-batches of 64,
   all plain SGD; the training loss against passes over the data (epochs) and against wall-clock time.

Metrics: the final point and f value per optimizer on the bowl; the final training loss and test accuracy
per optimizer on the digits; the loss per batch size after one pass over the data.
"""
import math
import time

import numpy as np

import glasstorch as torch
from glasstorch import nn
from glasstorch.utils.data import DataLoader, TensorDataset

from .mnist import load_data
from .report import write_report
from .runfolder import progress

START = (-7.0, 2.0)
STEPS = 50


def bowl(p):
    """The course's f(x, y) = x²/20 + y² of a tensor p = (x, y)."""
    return p[0] ** 2 / 20.0 + p[1] ** 2


# name -> how to build it from a list of parameters, for the bowl (learning rates as in the course)
BOWL_OPTIMIZERS = {
    "SGD": lambda ps: torch.optim.SGD(ps, lr=0.95),
    "momentum": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
    "Nesterov": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "AdaGrad": lambda ps: torch.optim.Adagrad(ps, lr=1.5),
    "RMSProp": lambda ps: torch.optim.RMSprop(ps, lr=0.25, alpha=0.9),
    "Adam": lambda ps: torch.optim.Adam(ps, lr=0.3),
    "AdamW": lambda ps: torch.optim.AdamW(ps, lr=0.3, weight_decay=0.01),
}

# the same optimizers for a network, each at a learning rate usual for it
NET_OPTIMIZERS = {
    "SGD": lambda ps: torch.optim.SGD(ps, lr=0.1),
    "momentum": lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9),
    "Nesterov": lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9, nesterov=True),
    "AdaGrad": lambda ps: torch.optim.Adagrad(ps, lr=0.01),
    "RMSProp": lambda ps: torch.optim.RMSprop(ps, lr=1e-3),
    "Adam": lambda ps: torch.optim.Adam(ps, lr=1e-3),
    "AdamW": lambda ps: torch.optim.AdamW(ps, lr=1e-3, weight_decay=0.01),
}


def descend(make_optimizer, f=bowl, start=START, steps=STEPS):
    """Minimize f from ``start`` with the optimizer; returns the path as a (steps + 1, 2) NumPy array."""
    p = torch.tensor(start, requires_grad=True)
    optimizer = make_optimizer([p])
    path = [p.detach().numpy().copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        f(p).backward()
        optimizer.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


def flat_data(dataset, data, quick):
    """(x_train, y_train, x_test, y_test) with each image flattened to a row; a slice of MNIST when quick."""
    x_tr, y_tr, x_te, y_te, _ = load_data(dataset, data)
    if quick and dataset != "digits":
        x_tr, y_tr, x_te, y_te = x_tr[:3000], y_tr[:3000], x_te[:1000], y_te[:1000]
    return x_tr.reshape(len(x_tr), -1), y_tr, x_te.reshape(len(x_te), -1), y_te


def make_mlp(n_in, seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(n_in, 100), nn.ReLU(), nn.Linear(100, 10))


def mean_loss(model, x, y):
    with torch.no_grad():
        return nn.functional.cross_entropy(model(x), y).item()


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def train_with(name, x_tr, y_tr, x_te, y_te, epochs, seed, quiet):
    """Train the MLP (initial weights fixed by ``seed``) with one optimizer; the training loss is recorded
    every tenth of an epoch (the mean over the batches since the last record)."""
    model = make_mlp(x_tr.shape[1], seed)
    optimizer = NET_OPTIMIZERS[name](model.parameters())
    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    every = max(1, len(loader) // 10)
    curve, epochs_at, window = [], [], []
    for epoch in range(epochs):
        for k, (xb, yb) in enumerate(progress(loader, f"{name} epoch {epoch + 1}/{epochs}", quiet=quiet)):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            window.append(loss.item())
            if (k + 1) % every == 0 or k + 1 == len(loader):
                curve.append(sum(window) / len(window))
                epochs_at.append(epoch + (k + 1) / len(loader))
                window = []
    return {"epochs": epochs_at, "train_loss": curve, "final_train_loss": mean_loss(model, x_tr, y_tr),
            "test_accuracy": accuracy(model, x_te, y_te)}


def batch_size_race(x_tr, y_tr, batch_size, epochs, max_steps, lr, seed, quiet):
    """Plain SGD with one batch size from the same initial weights; the loss on the whole training set
    (evaluated about 20 times per run) against passes over the data and against training seconds."""
    model = make_mlp(x_tr.shape[1], seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    n = len(x_tr)
    steps = min(max_steps, epochs * math.ceil(n / batch_size))
    every = max(1, steps // 20)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    record = {"epochs": [0.0], "seconds": [0.0], "train_loss": [mean_loss(model, x_tr, y_tr)]}
    seconds, seen, cursor = 0.0, 0, 0
    for step in progress(range(steps), f"batch {batch_size}", quiet=quiet):
        if cursor >= n:  # a new pass over the data: reshuffle
            order, cursor = torch.randperm(n), 0
        idx = order[cursor:cursor + batch_size]  # the last batch of a pass may be smaller
        cursor += batch_size
        tic = time.perf_counter()
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x_tr[idx]), y_tr[idx]).backward()
        optimizer.step()
        seconds += time.perf_counter() - tic
        seen += len(idx)
        if (step + 1) % every == 0 or step + 1 == steps:
            record["epochs"].append(seen / n)
            record["seconds"].append(seconds)
            record["train_loss"].append(mean_loss(model, x_tr, y_tr))
    return record


def loss_after_one_epoch(record):
    """The training loss at the first record at or after one full pass over the data (None if never)."""
    for e, loss in zip(record["epochs"], record["train_loss"]):
        if e >= 1.0 - 1e-9:
            return loss
    return None


def run(run_dir, quick=False, seed=0, log=print, dataset=None, epochs=None, data="data"):
    torch.manual_seed(seed)
    metrics = {"bowl": {"function": "x**2/20 + y**2", "start": list(START), "steps": STEPS, "optimizers": {}}}

    # 1. the bowl
    paths = {}
    for name, make in BOWL_OPTIMIZERS.items():
        paths[name] = path = descend(make)
        end = path[-1]
        metrics["bowl"]["optimizers"][name] = {"final_point": end.tolist(), "final_value": float(
            end[0] ** 2 / 20 + end[1] ** 2), "distance_to_minimum": float(np.hypot(*end))}
        log(f"  bowl, {name:<9}: {STEPS} steps from {START} end at ({end[0]:+.3f}, {end[1]:+.3f}), "
            f"f = {metrics['bowl']['optimizers'][name]['final_value']:.4f}")
    same = {"lr": 0.1, "steps": STEPS}
    for name, momentum in (("SGD", 0.0), ("momentum", 0.9)):
        path = descend(lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=momentum))
        paths[f"{name}, lr 0.1"] = path
        same[name] = {"final_point": path[-1].tolist(), "final_abs_x": float(abs(path[-1][0]))}
    metrics["bowl"]["same_lr"] = same
    log(f"  same lr 0.1: after {STEPS} steps |x| is {same['SGD']['final_abs_x']:.3f} for SGD, "
        f"{same['momentum']['final_abs_x']:.3f} with momentum (shallow direction)")
    _plot_bowl(run_dir, paths)

    # 2. every optimizer on the digits, same model, same initial weights
    dataset = dataset or ("digits" if quick else "mnist")
    x_tr, y_tr, x_te, y_te = flat_data(dataset, data, quick)
    epochs = epochs if epochs is not None else (2 if quick else 5)
    log(f"  {dataset}: {len(x_tr)} training and {len(x_te)} test images; {epochs} epochs per optimizer")
    runs = {}
    for name in NET_OPTIMIZERS:
        runs[name] = train_with(name, x_tr, y_tr, x_te, y_te, epochs, seed, quiet=quick)
        log(f"  {name:<9}: first loss {runs[name]['train_loss'][0]:.3f}, final training loss "
            f"{runs[name]['final_train_loss']:.4f}, test accuracy {runs[name]['test_accuracy']:.2%}")
    metrics["network"] = {"dataset": dataset, "epochs": epochs, "batch_size": 64,
                          "initial_train_loss": mean_loss(make_mlp(x_tr.shape[1], seed), x_tr, y_tr),
                          "optimizers": runs}
    _plot_network(run_dir, runs, dataset)

    # 3. full batch vs one example vs mini-batches of 64, plain SGD
    races = {
        "full batch (GD)": batch_size_race(x_tr, y_tr, len(x_tr), 30 if quick else 20, 10 ** 9, 0.1, seed, quick),
        "batch 1 (SGD)": batch_size_race(x_tr, y_tr, 1, 1, 500 if quick else 10000, 0.01, seed, quick),
        "mini-batch 64": batch_size_race(x_tr, y_tr, 64, 3, 10 ** 9, 0.1, seed, quick),
    }
    metrics["batch_size"] = {name: {**r, "loss_after_one_epoch": loss_after_one_epoch(r)} for name, r in
                             races.items()}
    for name, r in races.items():
        after = loss_after_one_epoch(r)
        log(f"  {name:<16}: loss after one pass {'—' if after is None else f'{after:.4f}'}; "
            f"{r['epochs'][-1]:.2f} passes in {r['seconds'][-1]:.2f} s → loss {r['train_loss'][-1]:.4f}")
    _plot_batch_sizes(run_dir, races, dataset)
    write_report(run_dir, f"Optimizers: a 2-D bowl and an MLP on {dataset}", metrics,
                 models={"MLP": make_mlp(x_tr.shape[1], seed)})
    return metrics


def _plot_bowl(run_dir, paths):
    xs, ys = np.meshgrid(np.linspace(-10, 10, 200), np.linspace(-5, 5, 200))
    zs = xs ** 2 / 20 + ys ** 2
    cols = 3
    rows = math.ceil(len(paths) / cols)
    with run_dir.figure("bowl_paths.png", figsize=(13, 3.3 * rows)) as fig:
        for k, (name, path) in enumerate(paths.items()):
            ax = fig.add_subplot(rows, cols, k + 1)
            ax.contour(xs, ys, zs, levels=np.geomspace(0.05, 30, 12), cmap="Greys", linewidths=0.7)
            ax.plot(path[:, 0], path[:, 1], "o-", color="tab:red", markersize=2.5, linewidth=1)
            ax.plot(0, 0, "+", color="black", markersize=10)
            ax.set(title=name, xlim=(-10, 10), ylim=(-5, 5), xlabel="x", ylabel="y")


def _plot_network(run_dir, runs, dataset):
    with run_dir.figure("network_loss_curves.png", figsize=(12, 4.5)) as fig:
        ax = fig.add_subplot(1, 2, 1)
        for name, r in runs.items():
            ax.plot(r["epochs"], r["train_loss"], label=name)
        ax.set(xlabel="epoch", ylabel="training loss (running mean)", yscale="log",
               title=f"the same MLP and initial weights on {dataset}")
        ax.legend(fontsize=8)
        ax = fig.add_subplot(1, 2, 2)
        names = list(runs)
        ax.bar(names, [runs[n]["test_accuracy"] for n in names], color="tab:blue")
        low = min(runs[n]["test_accuracy"] for n in names)
        ax.set(ylabel="test accuracy", ylim=(max(0.0, low - 0.05), 1.0), title="after the last epoch")
        ax.tick_params(axis="x", labelrotation=30)


def _plot_batch_sizes(run_dir, races, dataset):
    with run_dir.figure("batch_sizes.png", figsize=(12, 4.5)) as fig:
        for k, (key, label) in enumerate((("epochs", "passes over the training set"),
                                          ("seconds", "training time (s)"))):
            ax = fig.add_subplot(1, 2, k + 1)
            for name, r in races.items():
                ax.plot(r[key], r["train_loss"], marker=".", label=name)
            ax.set(xlabel=label, ylabel="loss on the whole training set", title=f"plain SGD on {dataset}")
            ax.legend(fontsize=8)
