"""``fit``: the standard training loop, for those who do not want to write one.

    history = fit(model, train_loader, val_loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt,
                  epochs=10, metrics=["accuracy"], callbacks=[EarlyStopping(patience=3)])
    history.history["val_loss"]          # one number per epoch

Each epoch: ``model.train()``, for every batch ``(inputs, targets)``: zero the gradients, forward, loss,
backward, (clip the gradient norm), ``optimizer.step()``; then ``model.eval()`` and the validation loss and
metrics under ``no_grad``; then the scheduler steps once (``ReduceLROnPlateau`` gets the validation loss, or
the training loss without a validation loader); then the callbacks' ``on_epoch_end``.

Losses and metrics of an epoch are means over its examples (each batch's value weighted by its size). That
is exact for the loss (a mean-reduced loss) and for accuracy; for a metric that is not a mean over examples
(F1, say) it is an approximation — compute those on the whole set with ``glasstorch.metrics`` instead.

Resuming: ``fit(..., resume_from=path)`` loads a checkpoint written by ``ModelCheckpoint`` (model,
optimizer and scheduler state, completed epochs, history, callback states and the random-number states:
glasstorch's global generator and any generator of the training loader's sampler) and continues with the
next epoch up to ``epochs`` in all, so that the weights and history equal those of a run never stopped.
"""
import time

from .. import random as _random
from ..autograd.grad_mode import no_grad
from ..labs.runfolder import progress
from .callbacks import Callback

__all__ = ["fit", "History", "accuracy", "CHECKPOINT_FORMAT"]

CHECKPOINT_FORMAT = "glasstorch-fit-checkpoint"


def accuracy(outputs, targets):
    """The fraction of examples whose highest class score (``outputs.argmax(1)``) is the target class."""
    if outputs.dim() != targets.dim() + 1:
        raise ValueError(f"accuracy expects class scores (N, C) and class indices (N), got outputs of shape "
                         f"{tuple(outputs.shape)} and targets of shape {tuple(targets.shape)}")
    return (outputs.argmax(1) == targets).float().mean().item()


METRICS = {"accuracy": accuracy}


class History:
    """What ``fit`` recorded: ``history`` maps a name (``train_loss``, ``val_loss``, ``train_<metric>``,
    ``val_<metric>``, ``lr``, ``epoch_time``) to one value per epoch; ``epoch`` lists the epoch numbers
    (0-based, as Keras)."""

    def __init__(self):
        self.epoch = []
        self.history = {}

    def append(self, epoch, logs):
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key):
        return self.history[key]

    def __len__(self):
        return len(self.epoch)

    def to_dict(self):
        """``{"epoch": [...], "train_loss": [...], ...}``: plain lists, ready for JSON."""
        return {"epoch": list(self.epoch), **{key: list(values) for key, values in self.history.items()}}

    @classmethod
    def from_dict(cls, data):
        history = cls()
        data = dict(data)
        history.epoch = list(data.pop("epoch", []))
        history.history = {key: list(values) for key, values in data.items()}
        return history

    def __repr__(self):
        last = {key: values[-1] for key, values in self.history.items() if values}
        return f"History(epochs={len(self)}, last={last})"


class FitState:
    """What the callbacks see: the objects being trained, the history so far, and ``stop_training``."""

    def __init__(self, model, optimizer, scheduler, train_loader, history, epochs):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.train_loader = train_loader
        self.history = history
        self.epochs = epochs
        self.epoch = 0            # the epoch running now (0-based)
        self.stop_training = False
        self.callbacks = []

    def checkpoint(self):
        """Everything needed to continue exactly from the end of the current epoch (see ``fit``)."""
        return {"format": CHECKPOINT_FORMAT, "epoch": self.epoch + 1,
                "model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
                "history": self.history.to_dict(),
                "rng": {"global": _random.get_rng_state(),
                        "loader": [g.get_state() for g in loader_generators(self.train_loader)]},
                "callbacks": [cb.state_dict() for cb in self.callbacks]}


def loader_generators(loader):
    """The distinct ``Generator`` objects a DataLoader's shuffling draws from (beside the global one)."""
    found = []
    for owner in (loader, getattr(loader, "sampler", None), getattr(getattr(loader, "batch_sampler", None),
                                                                       "sampler", None)):
        g = getattr(owner, "generator", None)
        if isinstance(g, _random.Generator) and all(g is not h for h in found):
            found.append(g)
    return found


def _metric_fns(metrics):
    fns = {}
    for m in metrics:
        if isinstance(m, str):
            if m not in METRICS:
                raise ValueError(f"unknown metric {m!r}; known names: {', '.join(METRICS)} (or pass a callable "
                                 f"(outputs, targets) -> float)")
            fns[m] = METRICS[m]
        elif callable(m):
            fns[getattr(m, "__name__", type(m).__name__)] = m
        else:
            raise TypeError(f"a metric must be a name or a callable (outputs, targets) -> float, got {m!r}")
    return fns


def _split(batch, device):
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise TypeError("fit expects each batch to be (inputs, targets); got "
                        f"{type(batch).__name__}{'' if not isinstance(batch, (tuple, list)) else f' of {len(batch)}'}")
    inputs, targets = batch[0], batch[1]
    if device is not None:
        inputs, targets = inputs.to(device), targets.to(device)
    return inputs, targets


def _run_epoch(state, loader, loss_fn, metric_fns, train, clip_grad_norm, device, desc, quiet):
    """One pass over ``loader``; returns {"loss": mean, name: mean, ...} over its examples."""
    totals = dict.fromkeys(["loss", *metric_fns], 0.0)
    count = 0
    bar = progress(loader, desc, quiet=quiet)
    for i, batch in enumerate(bar):
        inputs, targets = _split(batch, device)
        if train:
            state.optimizer.zero_grad()
            outputs = state.model(inputs)
            loss = loss_fn(outputs, targets)
            loss.backward()
            if clip_grad_norm is not None:
                from ..nn.utils import clip_grad_norm_
                clip_grad_norm_(state.model.parameters(), clip_grad_norm)
            state.optimizer.step()
        else:
            outputs = state.model(inputs)
            loss = loss_fn(outputs, targets)
        n = len(targets)
        logs = {"loss": loss.item()}
        with no_grad():
            detached = outputs.detach()
            for name, fn in metric_fns.items():
                logs[name] = float(fn(detached, targets))
        for key, value in logs.items():
            totals[key] += value * n
        count += n
        if train:
            bar.set_postfix(loss=f"{logs['loss']:.4f}", refresh=False)
            for cb in state.callbacks:
                cb.on_batch_end(state, i, logs)
    if count == 0:
        raise ValueError(f"the {'training' if train else 'validation'} loader gave no batches")
    return {key: value / count for key, value in totals.items()}


def fit(model, train_loader, val_loader=None, loss_fn=None, optimizer=None, epochs=1, scheduler=None,
        callbacks=(), metrics=(), clip_grad_norm=None, device=None, quiet=False, log=print, run_dir=None,
        resume_from=None):
    """Train ``model`` for ``epochs`` epochs in all (see the module docstring); returns a ``History``.

    ``metrics``: names (``"accuracy"``) or callables ``(outputs, targets) -> float``. ``clip_grad_norm``: a
    max norm for ``nn.utils.clip_grad_norm_``. ``log``: where the one line per epoch goes (None: nowhere).
    ``run_dir``: a ``RunFolder`` or a path; the learning curves, ``metrics.json`` and ``report.html`` are
    written there at the end. ``resume_from``: a checkpoint of ``ModelCheckpoint``.
    """
    if loss_fn is None or optimizer is None:
        raise ValueError("fit needs a loss_fn and an optimizer, e.g. loss_fn=nn.CrossEntropyLoss(), "
                         "optimizer=torch.optim.Adam(model.parameters())")
    if not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    metric_fns = _metric_fns(metrics)
    state = FitState(model, optimizer, scheduler, train_loader, History(), epochs)
    state.callbacks = sorted(callbacks, key=lambda cb: getattr(cb, "runs_last", False))  # checkpoints last,
    # so that they save the other callbacks' state as of the end of the epoch
    for cb in state.callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks must be Callback instances, got {type(cb).__name__}")
    if device is not None:
        model.to(device)
    start = 0
    if resume_from is not None:
        start = _resume(state, resume_from)
    say = log if (log is not None and not quiet) else (lambda *a: None)

    for cb in state.callbacks:
        cb.on_train_begin(state)
    for epoch in range(start, epochs):
        state.epoch = epoch
        for cb in state.callbacks:
            cb.on_epoch_begin(state, epoch)
        began = time.perf_counter()
        lr = optimizer.param_groups[0]["lr"]
        model.train()
        logs = {"train_" + k: v for k, v in _run_epoch(state, train_loader, loss_fn, metric_fns, True,
                                                          clip_grad_norm, device, f"epoch {epoch + 1}/{epochs}",
                                                          quiet).items()}
        if val_loader is not None:
            model.eval()
            with no_grad():
                logs.update({"val_" + k: v for k, v in _run_epoch(state, val_loader, loss_fn, metric_fns, False,
                                                                   None, device, "validation", True).items()})
        logs["lr"] = float(lr)
        logs["epoch_time"] = time.perf_counter() - began
        if scheduler is not None:
            _step_scheduler(scheduler, logs)
        state.history.append(epoch, logs)
        say(f"epoch {epoch + 1}/{epochs}: " + ", ".join(
            f"{k} {v:.4g}" for k, v in logs.items() if k not in ("epoch_time",)) + f" ({logs['epoch_time']:.1f} s)")
        for cb in state.callbacks:
            cb.on_epoch_end(state, epoch, logs)
        if state.stop_training:
            say(f"stopped after epoch {epoch + 1}")
            break
    for cb in state.callbacks:
        cb.on_train_end(state)
    if run_dir is not None:
        write_fit_report(run_dir, model, state.history, train_loader, device, quiet=quiet or log is None)
    return state.history


def _step_scheduler(scheduler, logs):
    from ..optim.lr_scheduler import ReduceLROnPlateau
    if isinstance(scheduler, ReduceLROnPlateau):
        scheduler.step(logs.get("val_loss", logs["train_loss"]))
    else:
        scheduler.step()


def _resume(state, path):
    """Load a ``ModelCheckpoint`` file into the model, optimizer, scheduler, history, callbacks and the
    random-number generators; returns the number of epochs already done."""
    from ..serialization import load
    ckpt = load(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not a checkpoint written by ModelCheckpoint (no {CHECKPOINT_FORMAT!r} "
                         "format mark); to load bare weights use model.load_state_dict(glasstorch.load(path))")
    state.model.load_state_dict(ckpt["model"])
    state.optimizer.load_state_dict(ckpt["optimizer"])
    if state.scheduler is not None:
        if ckpt["scheduler"] is None:
            raise ValueError(f"{path} was saved without a scheduler, but fit was given one")
        state.scheduler.load_state_dict(ckpt["scheduler"])
    state.history = History.from_dict(ckpt["history"])
    _random.set_rng_state(ckpt["rng"]["global"])
    generators = loader_generators(state.train_loader)
    if len(generators) != len(ckpt["rng"]["loader"]):
        raise ValueError(f"{path} holds {len(ckpt['rng']['loader'])} loader generator state(s) but the training "
                         f"loader has {len(generators)} generator(s); build the loader as in the first run")
    for g, saved in zip(generators, ckpt["rng"]["loader"]):
        g.set_state(saved)
    saved_callbacks = ckpt.get("callbacks") or []
    if len(saved_callbacks) == len(state.callbacks):
        for cb, saved in zip(state.callbacks, saved_callbacks):
            cb.load_state_dict(saved)
    return int(ckpt["epoch"])


def write_fit_report(run_dir, model, history, train_loader=None, device=None, quiet=False):
    """Learning curves (``learning_curves.png``), ``metrics.json`` (the history and the final values) and
    ``report.html`` (with the model summary) in ``run_dir`` (a ``RunFolder`` or a path); returns the folder."""
    from ..labs.report import write_report
    from ..labs.runfolder import RunFolder
    run_dir = run_dir if isinstance(run_dir, RunFolder) else RunFolder(run_dir)
    data = history.to_dict()
    curves = [k[len("train_"):] for k in data if k.startswith("train_")]
    if len(history):
        with run_dir.figure("learning_curves.png", figsize=(5 * len(curves), 4)) as fig:
            for i, name in enumerate(curves):
                ax = fig.add_subplot(1, len(curves), i + 1)
                epochs = [e + 1 for e in data["epoch"]]
                ax.plot(epochs, data["train_" + name], marker="o", label="training")
                if "val_" + name in data:
                    ax.plot(epochs, data["val_" + name], marker="o", label="validation")
                ax.set(xlabel="epoch", ylabel=name)
                ax.legend()
    final = {k: v[-1] for k, v in data.items() if k != "epoch" and v}
    metrics = {"epochs": len(history), "final": final, "history": data}
    run_dir.write_metrics(metrics)
    example = _example_input(train_loader, device)
    from .summary import summary
    text = str(summary(model, example)) if example is not None else str(summary(model))
    write_report(run_dir, f"Training {type(model).__name__}", metrics, summaries={"model": text})
    return run_dir


def _example_input(loader, device):
    """One example from the loader's dataset (with a batch dimension), for the summary's output shapes; None
    when the dataset cannot be indexed. Draws no random numbers."""
    dataset = getattr(loader, "dataset", None)
    try:
        item = dataset[0]
        x = item[0] if isinstance(item, (tuple, list)) else item
        x = x.unsqueeze(0)
    except Exception:  # an IterableDataset, or examples that are not tensors
        return None
    return x.to(device) if device is not None else x
