"""Lab: an MLP reads 8×8 handwritten digits (the UCI digits shipped with glasstorch).

    64 pixels (0..16, scaled to 0..1) → 128 (ReLU) → 64 (ReLU) → 10 class scores
    cross-entropy, Adam (lr 1e-3), mini-batches of 32 from a DataLoader, 20% of the images held out

It reports the accuracy on the held-out images, draws the confusion matrix (row: true digit, column:
predicted digit; the diagonal is what it gets right) and the held-out images it got wrong.
"""
import numpy as np

import glasstorch as torch
from glasstorch import nn
from glasstorch.datasets import load_digits, split
from glasstorch.metrics import confusion_matrix
from glasstorch.utils.data import DataLoader, TensorDataset

from .report import write_report
from .runfolder import progress


def evaluate(model, X, y, loss_fn):
    with torch.no_grad():
        model.eval()
        scores = model(X)
        return loss_fn(scores, y).item(), scores.argmax(1)


def run(run_dir, quick=False, seed=0, log=print):
    torch.manual_seed(seed)
    data = load_digits()
    X, y = data.data / 16.0, data.target
    X_tr, X_te, y_tr, y_te = split(X, y, test_fraction=0.2, generator=torch.Generator().manual_seed(seed))
    loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=32, shuffle=True)

    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    epochs = 15 if quick else 30
    history = {"train_loss": [], "test_loss": [], "test_accuracy": []}
    for epoch in range(epochs):
        model.train()
        total, n = 0.0, 0
        for xb, yb in progress(loader, f"epoch {epoch + 1}/{epochs}", quiet=quick):
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
            n += len(yb)
        test_loss, pred = evaluate(model, X_te, y_te, loss_fn)
        acc = (pred == y_te).float().mean().item()
        history["train_loss"].append(total / n)
        history["test_loss"].append(test_loss)
        history["test_accuracy"].append(acc)
        log(f"  epoch {epoch + 1:>2}: train loss {total / n:.4f}, held-out loss {test_loss:.4f}, "
            f"held-out accuracy {acc:.2%}")

    _, pred = evaluate(model, X_te, y_te, loss_fn)
    cm = confusion_matrix(y_te, pred, 10)
    wrong = (pred != y_te).nonzero().reshape(-1)
    log(f"  held-out accuracy {history['test_accuracy'][-1]:.2%} on {len(y_te)} images; {len(wrong)} mistakes")
    _plot(run_dir, history, cm, X_te.reshape(-1, 8, 8), y_te, pred, wrong)
    metrics = {"epochs": epochs, "train_size": len(y_tr), "test_size": len(y_te),
               "test_accuracy": history["test_accuracy"][-1], "final_train_loss": history["train_loss"][-1],
               "history": history, "confusion_matrix": cm.tolist()}
    write_report(run_dir, "An MLP on the 8x8 handwritten digits", metrics, models={"MLP": model})
    return metrics


def _plot(run_dir, history, cm, images, y_true, y_pred, wrong):
    with run_dir.figure("learning_curves.png", figsize=(10, 4)) as fig:
        ax = fig.add_subplot(1, 2, 1)
        ax.plot(history["train_loss"], label="training")
        ax.plot(history["test_loss"], label="held out")
        ax.set(xlabel="epoch", ylabel="cross-entropy")
        ax.legend()
        ax = fig.add_subplot(1, 2, 2)
        ax.plot(history["test_accuracy"])
        ax.set(xlabel="epoch", ylabel="held-out accuracy")
    with run_dir.figure("confusion_matrix.png", figsize=(6, 5.5)) as fig:
        ax = fig.gca()
        counts = cm.numpy()
        im = ax.imshow(counts, cmap="Blues")
        for i in range(10):
            for j in range(10):
                if counts[i, j]:
                    ax.text(j, i, str(counts[i, j]), ha="center", va="center",
                            color="white" if counts[i, j] > counts.max() / 2 else "black", fontsize=8)
        ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit",
               title="Confusion matrix (held-out images)")
        fig.colorbar(im, ax=ax)
    shown = wrong[:24].tolist()
    if shown:
        cols = min(8, len(shown))
        rows = int(np.ceil(len(shown) / cols))
        with run_dir.figure("misclassified.png", figsize=(1.6 * cols, 1.9 * rows)) as fig:
            for k, i in enumerate(shown):
                ax = fig.add_subplot(rows, cols, k + 1)
                ax.imshow(images[i].numpy(), cmap="gray_r")
                ax.set_title(f"true {y_true[i].item()}, said {y_pred[i].item()}", fontsize=8)
                ax.axis("off")
