"""``fit``: the standard training loop, for those who do not want to write one.

    history = fit(model, train_loader, val_loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt,
                  epochs=10, metrics=["accuracy"], callbacks=[EarlyStopping(patience=3)])
    history.history["val_loss"]          # one number per epoch

Each epoch: ``model.train()``, for every batch ``(inputs, targets)``: zero the gradients, forward, loss,
backward, (clip the gradient norm), ``optimizer.step()``; then ``model.eval()`` and the validation loss and
metrics under ``no_grad``; then the scheduler steps once (``ReduceLROnPlateau`` gets the validation loss, or
the training loss without a validation loader); then the callbacks' ``on_epoch_end``.

The loss of an epoch is the mean over its examples (each batch's loss weighted by its size: exact for a
mean-reduced loss). Metrics are computed once per epoch on all of its examples: the predicted class of each
example is ``outputs.argmax(1)``, collected over the epoch with the targets, and each metric is called as
``metric(y_true, y_pred)`` on those class labels, so F1 is the F1 of the epoch, not a mean over batches. The
names ``"accuracy"``, ``"precision"``, ``"recall"`` and ``"f1"`` (macro averages over the classes, as the
``macro avg`` row of ``glasstorch.metrics.classification_report``) and any function of that form, such as
``glasstorch.metrics.accuracy``, are accepted; the history key is the name (or the function's ``__name__``).
A batch's logs (for ``on_batch_end``) hold the metrics of that batch alone.

Resuming: ``fit(..., resume_from=path)`` loads a checkpoint written by ``ModelCheckpoint`` (model,
optimizer and scheduler state, completed epochs, history, callback states, whether a callback had stopped
training, and the random-number states: glasstorch's global generator and any generator of the training
loader's sampler) and continues with the next epoch up to ``epochs`` in all, so that the weights and history
equal those of a run never stopped. A checkpoint written at the epoch where a callback (``EarlyStopping``)
stopped training resumes to that same end: no further epoch is trained. The callbacks must be the same, in
the same order, as in the run that wrote the checkpoint (their states are matched by position and class
name); otherwise fit raises instead of silently starting them afresh.
"""
import time

import numpy as np

from .. import metrics as _metrics
from .. import random as _random
from ..autograd.grad_mode import no_grad
from ..labs.runfolder import progress
from .callbacks import Callback

__all__ = ["fit", "History", "accuracy", "CHECKPOINT_FORMAT"]

CHECKPOINT_FORMAT = "glasstorch-fit-checkpoint"


def _macro(i):
    """The macro average (plain mean over the classes) of precision (i=0), recall (1) or F1 (2)."""
    def metric(y_true, y_pred):
        return float(_metrics.precision_recall_f1(y_true, y_pred)[i].mean())
    return metric


accuracy = _metrics.accuracy
METRICS = {"accuracy": _metrics.accuracy, "precision": _macro(0), "recall": _macro(1), "f1": _macro(2)}


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
        return {"format": CHECKPOINT_FORMAT, "epoch": self.epoch + 1, "stop_training": bool(self.stop_training),
                "model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
                "history": self.history.to_dict(),
                "rng": {"global": _random.get_rng_state(),
                        "loader": [g.get_state() for g in loader_generators(self.train_loader)]},
                "callbacks": [cb.state_dict() for cb in self.callbacks],
                "callback_classes": [type(cb).__name__ for cb in self.callbacks]}


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
                                 f"(y_true, y_pred) -> float on class labels, as glasstorch.metrics.accuracy)")
            fns[m] = METRICS[m]
        elif callable(m):
            fns[getattr(m, "__name__", type(m).__name__)] = m
        else:
            raise TypeError(f"a metric must be a name or a callable (y_true, y_pred) -> float on class labels, "
                            f"got {m!r}")
    return fns


def _predicted_labels(outputs, targets):
    """(y_true, y_pred) as NumPy int64 arrays: the targets and the highest-scoring class of each example."""
    if outputs.dim() != targets.dim() + 1:
        raise ValueError(f"fit's metrics expect class scores (N, C) and class indices (N), got outputs of shape "
                         f"{tuple(outputs.shape)} and targets of shape {tuple(targets.shape)}")
    return (targets.detach().cpu().numpy().astype(np.int64),
            outputs.detach().argmax(1).cpu().numpy().astype(np.int64))


def _split(batch, device):
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise TypeError("fit expects each batch to be (inputs, targets); got "
                        f"{type(batch).__name__}{'' if not isinstance(batch, (tuple, list)) else f' of {len(batch)}'}")
    inputs, targets = batch[0], batch[1]
    if device is not None:
        inputs, targets = inputs.to(device), targets.to(device)
    return inputs, targets


def _run_epoch(state, loader, loss_fn, metric_fns, train, clip_grad_norm, device, desc, quiet):
    """One pass over ``loader``; returns {"loss": mean over its examples, name: metric of all its examples}."""
    total_loss, count = 0.0, 0
    true_labels, predicted = [], []
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
        total_loss += logs["loss"] * n
        count += n
        if metric_fns:
            y_true, y_pred = _predicted_labels(outputs, targets)
            true_labels.append(y_true)
            predicted.append(y_pred)
            for name, fn in metric_fns.items():
                logs[name] = float(fn(y_true, y_pred))   # this batch's value, for on_batch_end
        if train:
            bar.set_postfix(loss=f"{logs['loss']:.4f}", refresh=False)
            for cb in state.callbacks:
                cb.on_batch_end(state, i, logs)
    if count == 0:
        raise ValueError(f"the {'training' if train else 'validation'} loader gave no batches")
    result = {"loss": total_loss / count}
    if metric_fns:
        y_true, y_pred = np.concatenate(true_labels), np.concatenate(predicted)
        for name, fn in metric_fns.items():
            result[name] = float(fn(y_true, y_pred))
    return result


def fit(model, train_loader, val_loader=None, loss_fn=None, optimizer=None, epochs=1, scheduler=None,
        callbacks=(), metrics=(), clip_grad_norm=None, device=None, quiet=False, log=print, run_dir=None,
        resume_from=None, writer=None):
    """Train ``model`` for ``epochs`` epochs in all (see the module docstring); returns a ``History``.

    ``metrics``: for classifiers, computed per epoch on all its examples from the predicted classes
    ``outputs.argmax(1)``: the names ``"accuracy"``, ``"precision"``, ``"recall"``, ``"f1"`` (the last three
    macro averages over the classes) or callables ``(y_true, y_pred) -> float`` on class labels, the form of
    ``glasstorch.metrics`` (e.g. ``metrics=[glasstorch.metrics.accuracy]``); recorded as ``train_<name>`` and
    ``val_<name>``. ``clip_grad_norm``: a max norm for ``nn.utils.clip_grad_norm_``. ``log``: where the one
    line per epoch goes (None: nowhere). ``run_dir``: a ``RunFolder`` or a path; the learning curves,
    ``metrics.json`` and ``report.html`` (with the command line of this process) are written there at the
    end. ``resume_from``: a checkpoint of ``ModelCheckpoint``. ``writer``: a TensorBoard ``SummaryWriter``
    (``glasstorch.utils.tensorboard``) that gets each epoch's logs as scalars at step ``epoch`` (0-based, as
    the history): ``train_<name>``/``val_<name>`` as ``<name>/train``/``<name>/val`` (so TensorBoard groups
    a quantity's two curves), ``lr`` and ``epoch_time`` as they are; it is flushed at the end, not closed.
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
    if state.stop_training:     # the checkpoint was written at the epoch where a callback stopped training
        say(f"the checkpoint was written when training stopped (after epoch {start}); no epoch left to train")
        start = epochs

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
        if writer is not None:
            _write_scalars(writer, epoch, logs)
        say(f"epoch {epoch + 1}/{epochs}: " + ", ".join(
            f"{k} {v:.4g}" for k, v in logs.items() if k not in ("epoch_time",)) + f" ({logs['epoch_time']:.1f} s)")
        for cb in state.callbacks:
            cb.on_epoch_end(state, epoch, logs)
        if state.stop_training:
            say(f"stopped after epoch {epoch + 1}")
            break
    for cb in state.callbacks:
        cb.on_train_end(state)
    if writer is not None:
        writer.flush()
    if run_dir is not None:
        write_fit_report(run_dir, model, state.history, train_loader, device, quiet=quiet or log is None)
    return state.history


def _write_scalars(writer, epoch, logs):
    """One epoch's logs to a SummaryWriter: ``train_loss`` -> ``loss/train``, ``val_loss`` -> ``loss/val``."""
    for key, value in logs.items():
        split, _, name = key.partition("_")
        tag = f"{name}/{split}" if split in ("train", "val") and name else key
        writer.add_scalar(tag, value, epoch)


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
    given = [type(cb).__name__ for cb in state.callbacks]
    saved_classes = ckpt.get("callback_classes")  # absent in checkpoints of older versions: count only
    if (saved_classes is not None and saved_classes != given) or len(saved_callbacks) != len(given):
        raise ValueError(f"{path} holds the state of the callbacks "
                         f"[{', '.join(saved_classes or ['?'] * len(saved_callbacks))}] but fit was given "
                         f"[{', '.join(given)}] (in the order fit runs them: ModelCheckpoint last); pass the "
                         "same callbacks as the run that wrote it, or their state (EarlyStopping's patience "
                         "count, best value and weights) would be lost")
    for cb, saved in zip(state.callbacks, saved_callbacks):
        cb.load_state_dict(saved)
    state.stop_training = bool(ckpt.get("stop_training", False))
    return int(ckpt["epoch"])


def write_fit_report(run_dir, model, history, train_loader=None, device=None, quiet=False, command=None):
    """Learning curves (``learning_curves.png``), ``metrics.json`` (the history and the final values) and
    ``report.html`` (with the model summary and ``command``, by default this process's command line) in
    ``run_dir`` (a ``RunFolder`` or a path); returns the folder."""
    from ..labs.report import command_line, write_report
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
    write_report(run_dir, f"Training {type(model).__name__}", metrics, summaries={"model": text},
                 command=command if command is not None else command_line())
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
