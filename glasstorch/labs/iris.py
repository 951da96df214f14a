"""Lab: the course's first real classifier, an MLP on Iris, then how its size changes what it learns.

1. The recipe: 4 measurements → 5 hidden units (ReLU) → 3 class scores; cross-entropy loss; plain SGD with
   learning rate 0.1, 100 iterations over the data (epochs) in shuffled mini-batches of 16. The features
   are standardized (zero mean, unit variance, with the training set's statistics) so one learning rate
   suits all four. (100 full-batch steps at lr 0.1 are too few: such a net stops at 80-93% accuracy.)
2. A sweep of hidden sizes: more neurons reach a lower training loss in the same 100 epochs (the mean over
   three seeds: one run's loss depends on its initialization as much as on its size).
3. Train/validation: a held-out 30% of the flowers (stratified), longer training. The training loss keeps
   falling; the validation loss stops falling (and a large network's starts to rise) — the gap between
   the two is the signal of overfitting.
"""
import glasstorch as torch
from glasstorch import nn
from glasstorch.datasets import load_iris, split
from glasstorch.utils.data import DataLoader, TensorDataset

from .report import write_report
from .runfolder import progress

HIDDEN_SIZES = (1, 2, 5, 10, 25, 100)


def standardize(X_train, *others):
    """(x − mean) / std with the training set's statistics, applied to every given set."""
    mean, std = X_train.mean(0), X_train.std(0)
    return [(X - mean) / std for X in (X_train, *others)]


def train(X, y, hidden, epochs, lr=0.1, batch_size=16, seed=0, X_val=None, y_val=None, quiet=True):
    """Mini-batch SGD on a 4-hidden-3 MLP; returns (model, history of the loss on the whole training set and,
    if given, on the validation set, after each epoch)."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(X.shape[1], hidden), nn.ReLU(), nn.Linear(hidden, 3))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    history = {"train_loss": [], "val_loss": []}
    for _ in progress(range(epochs), f"iris hidden={hidden}", quiet=quiet):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            history["train_loss"].append(loss_fn(model(X), y).item())
            if X_val is not None:
                history["val_loss"].append(loss_fn(model(X_val), y_val).item())
    return model, history


def accuracy(model, X, y):
    with torch.no_grad():
        return (model.eval()(X).argmax(1) == y).float().mean().item()


def run(run_dir, quick=False, seed=0, log=print):
    data = load_iris()
    X_all, y_all = data.data, data.target
    X_tr_raw, X_val_raw, y_tr, y_val = split(X_all, y_all, test_fraction=0.3,
                                             generator=torch.Generator().manual_seed(seed))
    X_all_std, = standardize(X_all)
    metrics = {}

    # 1. the recipe, on all 150 flowers
    model, hist = train(X_all_std, y_all, hidden=5, epochs=100, seed=seed, quiet=quick)
    acc = accuracy(model, X_all_std, y_all)
    metrics["recipe"] = {"hidden": 5, "epochs": 100, "batch_size": 16, "lr": 0.1,
                         "final_loss": hist["train_loss"][-1], "train_accuracy": acc}
    log(f"  4-5-3 MLP, SGD lr 0.1, 100 epochs of mini-batches of 16: loss {hist['train_loss'][0]:.3f} → "
        f"{hist['train_loss'][-1]:.3f}, training accuracy {acc:.1%}")
    with run_dir.figure("loss.png") as fig:
        ax = fig.gca()
        ax.plot(range(1, 101), hist["train_loss"])
        ax.set(xlabel="epoch", ylabel="cross-entropy (whole training set)", title="Iris, 4-5-3 MLP, SGD lr 0.1")

    # 2. more hidden units, lower training loss in the same budget
    sizes, seeds = ((1, 5, 100), 2) if quick else (HIDDEN_SIZES, 3)
    sweep = {}
    for h in sizes:
        finals = [train(X_all_std, y_all, hidden=h, epochs=100, seed=seed + k)[1]["train_loss"][-1]
                  for k in range(seeds)]
        sweep[h] = sum(finals) / seeds
        log(f"  hidden {h:>3}: training loss after 100 epochs {sweep[h]:.4f} (mean of {seeds} seeds)")
    metrics["sweep_final_train_loss"] = {str(h): v for h, v in sweep.items()}
    with run_dir.figure("hidden_size_sweep.png") as fig:
        ax = fig.gca()
        ax.plot(list(sweep), list(sweep.values()), marker="o")
        ax.set(xscale="log", xlabel="hidden units", ylabel="training loss after 100 epochs",
               title="More neurons fit the training set better")

    # 3. held-out flowers: the train/validation gap
    X_tr, X_val = standardize(X_tr_raw, X_val_raw)
    epochs = 100 if quick else 400
    gap = {}
    with run_dir.figure("train_validation.png", figsize=(10, 4)) as fig:
        for k, h in enumerate((5, 100)):
            model, hh = train(X_tr, y_tr, hidden=h, epochs=epochs, seed=seed, X_val=X_val, y_val=y_val,
                              quiet=quick)
            best = min(range(epochs), key=hh["val_loss"].__getitem__)
            gap[str(h)] = {"train_loss": hh["train_loss"][-1], "val_loss": hh["val_loss"][-1],
                           "best_val_loss": hh["val_loss"][best], "best_val_epoch": best + 1,
                           "train_accuracy": accuracy(model, X_tr, y_tr), "val_accuracy": accuracy(model, X_val, y_val)}
            log(f"  hidden {h:>3}, {epochs} epochs: train loss {gap[str(h)]['train_loss']:.4f}, "
                f"validation loss {gap[str(h)]['val_loss']:.4f} (lowest {gap[str(h)]['best_val_loss']:.4f} at "
                f"epoch {best + 1}); accuracy train {gap[str(h)]['train_accuracy']:.1%}, "
                f"validation {gap[str(h)]['val_accuracy']:.1%}")
            ax = fig.add_subplot(1, 2, k + 1)
            ax.plot(hh["train_loss"], label="training")
            ax.plot(hh["val_loss"], label="validation")
            ax.axvline(best + 1, color="gray", ls=":", label="lowest validation loss")
            ax.set(yscale="log", xlabel="epoch", ylabel="cross-entropy", title=f"hidden = {h}")
            ax.legend()
    metrics["train_validation"] = gap
    write_report(run_dir, "Iris: a 4-5-3 MLP with SGD, hidden sizes, the train/validation gap", metrics,
                 models={"4-5-3 MLP": nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))})
    return metrics
