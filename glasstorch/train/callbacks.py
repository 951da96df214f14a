"""Callbacks: code that ``fit`` calls at fixed points of training.

A callback subclasses ``Callback`` and overrides any of

    on_train_begin(state)                 on_epoch_begin(state, epoch)
    on_batch_end(state, batch, logs)      on_epoch_end(state, epoch, logs)      on_train_end(state)

``state`` holds ``model``, ``optimizer``, ``scheduler``, ``history``, ``epoch`` and ``stop_training``
(set it to True to end training after this epoch). ``logs`` of an epoch: ``train_loss``, ``val_loss``,
``train_<metric>``, ``val_<metric>``, ``lr`` and ``epoch_time``; of a batch: ``loss`` and the metrics.

A callback that keeps state across epochs returns it from ``state_dict()`` so that ``ModelCheckpoint``
saves it and a resumed ``fit`` restores it.
"""
import math

__all__ = ["Callback", "EarlyStopping", "ModelCheckpoint", "LambdaCallback"]


class Callback:
    """Base class: every hook does nothing."""

    def on_train_begin(self, state):
        pass

    def on_epoch_begin(self, state, epoch):
        pass

    def on_batch_end(self, state, batch, logs):
        pass

    def on_epoch_end(self, state, epoch, logs):
        pass

    def on_train_end(self, state):
        pass

    def state_dict(self):
        return {}

    def load_state_dict(self, state_dict):
        pass


class LambdaCallback(Callback):
    """A callback from plain functions: ``LambdaCallback(on_epoch_end=lambda state, epoch, logs: ...)``."""

    def __init__(self, on_train_begin=None, on_epoch_begin=None, on_batch_end=None, on_epoch_end=None,
                 on_train_end=None):
        for name, fn in (("on_train_begin", on_train_begin), ("on_epoch_begin", on_epoch_begin),
                         ("on_batch_end", on_batch_end), ("on_epoch_end", on_epoch_end),
                         ("on_train_end", on_train_end)):
            if fn is not None:
                setattr(self, name, fn)


def _monitored(logs, monitor, who):
    if monitor not in logs:
        raise KeyError(f"{who} monitors {monitor!r}, which fit did not record; recorded: {', '.join(logs)} "
                       "(val_* values need a val_loader)")
    return logs[monitor]


class _Improvement:
    """'Is this value better than the best so far?' for mode 'min' or 'max', by more than ``min_delta``."""

    def __init__(self, mode, min_delta, who):
        if mode not in ("min", "max"):
            raise ValueError(f"{who}: mode must be 'min' or 'max', got {mode!r}")
        self.mode = mode
        self.min_delta = abs(min_delta)
        self.best = math.inf if mode == "min" else -math.inf

    def better(self, value):
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved (by more than ``min_delta``) for ``patience`` epochs.

    With ``restore_best_weights=True`` the model gets back the weights of its best epoch when training ends
    (Keras restores them only when it stopped early; glasstorch always does, so the model fit returns is the
    best one seen).
    """

    def __init__(self, monitor="val_loss", patience=0, min_delta=0.0, mode="min", restore_best_weights=True,
                 verbose=False):
        if patience < 0:
            raise ValueError(f"patience must be >= 0, got {patience}")
        self.monitor = monitor
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.verbose = verbose
        self._criterion = _Improvement(mode, min_delta, "EarlyStopping")
        self.wait = 0
        self.best_epoch = None
        self.best_weights = None
        self.stopped_epoch = None

    @property
    def best(self):
        return self._criterion.best

    def on_epoch_end(self, state, epoch, logs):
        value = _monitored(logs, self.monitor, "EarlyStopping")
        if self._criterion.better(value):
            self._criterion.best = value
            self.best_epoch = epoch
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = {k: v.detach().clone() for k, v in state.model.state_dict().items()}
            return
        self.wait += 1
        if self.wait >= self.patience:
            state.stop_training = True
            self.stopped_epoch = epoch
            if self.verbose:
                print(f"EarlyStopping: {self.monitor} has not improved for {self.wait} epochs; best "
                      f"{self.best:.4g} at epoch {self.best_epoch + 1}")

    def on_train_end(self, state):
        if self.restore_best_weights and self.best_weights is not None:
            state.model.load_state_dict(self.best_weights)

    def state_dict(self):
        return {"best": self.best, "wait": self.wait, "best_epoch": self.best_epoch,
                "best_weights": self.best_weights, "stopped_epoch": self.stopped_epoch}

    def load_state_dict(self, state_dict):
        self._criterion.best = state_dict["best"]
        self.wait = state_dict["wait"]
        self.best_epoch = state_dict["best_epoch"]
        self.best_weights = state_dict["best_weights"]
        self.stopped_epoch = state_dict["stopped_epoch"]


class ModelCheckpoint(Callback):
    """Save a resumable checkpoint every ``every`` epochs (or, with ``save_best_only``, only when
    ``monitor`` improved) through ``glasstorch.save``, which writes atomically: a crash mid-write leaves the
    previous file intact.

    The file holds the model, optimizer and scheduler ``state_dict``s, the number of epochs done, the
    history, the other callbacks' state and the random-number states; ``fit(..., resume_from=path)``
    continues from it exactly. ``path`` may contain ``{epoch}`` (1-based) to keep one file per epoch.
    ``last_path`` is the file written last. Bare weights: ``glasstorch.load(path)["model"]``.
    """

    runs_last = True  # fit runs it after the other callbacks, so it saves their state for this epoch

    def __init__(self, path, monitor="val_loss", save_best_only=False, every=1, mode="min"):
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        self.path = str(path)
        self.monitor = monitor
        self.save_best_only = save_best_only
        self.every = every
        self._criterion = _Improvement(mode, 0.0, "ModelCheckpoint")
        self.last_path = None

    def on_epoch_end(self, state, epoch, logs):
        if (epoch + 1) % self.every != 0:
            return
        if self.save_best_only:
            value = _monitored(logs, self.monitor, "ModelCheckpoint")
            if not self._criterion.better(value):
                return
            self._criterion.best = value
        from ..serialization import save
        target = self.path.format(epoch=epoch + 1) if "{" in self.path else self.path
        save(state.checkpoint(), target)
        self.last_path = target

    def state_dict(self):
        return {"best": self._criterion.best}

    def load_state_dict(self, state_dict):
        self._criterion.best = state_dict["best"]
