"""Lab: a small MLP trained by backpropagation solves XOR, which no single perceptron can.

    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))    # 2 inputs → 4 hidden → 1 logit
    loss  = BCEWithLogitsLoss(model(X), t)                                 # sigmoid + binary cross-entropy
    SGD with momentum, full batch (the four points of the truth table)

The hidden layer learns features in which XOR becomes linearly separable: each hidden unit draws one line
across the input plane (where its pre-activation w·x + b is 0), and the output unit combines those
half-planes. The lab draws each hidden unit's activation over the input plane, the points in the space of
two hidden units, and the network's decision region.
"""
import glasstorch as torch
from glasstorch import nn
from glasstorch.datasets import logic_gate

from .report import write_report
from .runfolder import progress


def train_xor(hidden=4, epochs=2000, lr=0.1, seed=0, quiet=False):
    """Train the MLP on the XOR truth table; returns (model, list of losses)."""
    torch.manual_seed(seed)
    X, t = logic_gate("XOR")
    model = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, 1))
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses = []
    for _ in progress(range(epochs), "xor", quiet=quiet):
        optimizer.zero_grad()
        loss = loss_fn(model(X).squeeze(1), t)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, losses


def run(run_dir, quick=False, seed=0, log=print):
    epochs = 500 if quick else 2000
    model, losses = train_xor(epochs=epochs, seed=seed, quiet=quick)
    X, t = logic_gate("XOR")
    with torch.no_grad():
        prob = torch.sigmoid(model(X).squeeze(1))
        hidden = model[1](model[0](X))             # the hidden layer's features of the four points
    accuracy = ((prob > 0.5).float() == t).float().mean().item()
    log(f"  after {epochs} epochs: loss {losses[-1]:.4f}, accuracy {accuracy:.0%}")
    for x, p, h in zip(X.tolist(), prob.tolist(), hidden.tolist()):
        log(f"    x = {x}  →  hidden {[round(v, 2) for v in h]}  →  P(XOR = 1) = {p:.3f}")

    _plot(run_dir, model, losses, X, t, hidden)
    metrics = {"epochs": epochs, "final_loss": losses[-1], "accuracy": accuracy,
               "probabilities": prob.tolist(), "hidden_features": hidden.tolist()}
    write_report(run_dir, "XOR with an MLP trained by backpropagation", metrics, models={"MLP": model})
    return metrics


def _plot(run_dir, model, losses, X, t, hidden):
    grid = torch.linspace(-0.5, 1.5, 101)
    gx, gy = torch.meshgrid(grid, grid, indexing="xy")
    plane = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
    with torch.no_grad():
        h_plane = model[1](model[0](plane))
        p_plane = torch.sigmoid(model(plane)).reshape(gx.shape)
    n_hidden = h_plane.shape[1]
    with run_dir.figure("hidden_features.png", figsize=(3.2 * (n_hidden + 1), 3.2)) as fig:
        for k in range(n_hidden):
            ax = fig.add_subplot(1, n_hidden + 1, k + 1)
            ax.contourf(gx.numpy(), gy.numpy(), h_plane[:, k].reshape(gx.shape).numpy(), levels=20, cmap="RdBu_r")
            ax.set(title=f"hidden unit {k}", aspect="equal")
            _points(ax, X, t)
        ax = fig.add_subplot(1, n_hidden + 1, n_hidden + 1)
        ax.contourf(gx.numpy(), gy.numpy(), p_plane.numpy(), levels=[0, 0.5, 1], colors=["#f4cccc", "#cfe2f3"])
        ax.set(title="output: P(XOR = 1) > 0.5", aspect="equal")
        _points(ax, X, t)
    with run_dir.figure("hidden_space.png") as fig:
        ax = fig.gca()
        for (h0, h1), target in zip(hidden[:, :2].tolist(), t.tolist()):
            ax.scatter(h0, h1, c="tab:blue" if target else "tab:red", s=80, marker="o" if target else "x")
        ax.set(xlabel="hidden unit 0", ylabel="hidden unit 1",
               title="The four points seen by the output layer (two of the hidden units)")
    with run_dir.figure("loss.png") as fig:
        ax = fig.gca()
        ax.plot(losses)
        ax.set(xlabel="epoch", ylabel="binary cross-entropy", yscale="log", title="XOR training loss")


def _points(ax, X, t):
    for (x0, x1), target in zip(X.tolist(), t.tolist()):
        ax.scatter(x0, x1, c="tab:blue" if target else "tab:red", s=60, marker="o" if target else "x")
