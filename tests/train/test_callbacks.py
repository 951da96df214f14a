"""Callbacks of glasstorch.train.fit: the hooks' order, EarlyStopping (patience, min_delta, mode, restoring
the best weights) and ModelCheckpoint (save_best_only, the monitor), with scripted validation losses."""
import numpy as np
import pytest

import glasstorch
from glasstorch import nn
from glasstorch.train import Callback, EarlyStopping, LambdaCallback, ModelCheckpoint, fit
from glasstorch.utils.data import DataLoader, TensorDataset


def _setup():
    rng = np.random.default_rng(0)
    X = glasstorch.tensor(rng.standard_normal((12, 4)).astype(np.float32))
    y = glasstorch.tensor(rng.integers(0, 2, 12))
    model = nn.Linear(4, 2)
    loader = DataLoader(TensorDataset(X, y), batch_size=4)
    return model, loader, glasstorch.optim.SGD(model.parameters(), lr=0.1)


def _scripted(values):
    """A callback that replaces each epoch's val_loss by the next scripted value (runs before the others)."""
    return LambdaCallback(on_epoch_end=lambda state, epoch, logs: logs.__setitem__("val_loss", values[epoch]))


def _weights_log():
    saved = []
    return saved, LambdaCallback(on_epoch_end=lambda state, epoch, logs: saved.append(
        state.model.weight.detach().clone().numpy()))


def test_hook_order():
    calls = []

    class Recorder(Callback):
        def on_train_begin(self, state):
            calls.append("train_begin")

        def on_epoch_begin(self, state, epoch):
            calls.append(f"epoch_begin {epoch}")

        def on_batch_end(self, state, batch, logs):
            calls.append(f"batch {batch} {sorted(logs)}")

        def on_epoch_end(self, state, epoch, logs):
            calls.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, state):
            calls.append("train_end")

    model, loader, opt = _setup()
    fit(model, loader, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=2, quiet=True,
        callbacks=[Recorder()], metrics=["accuracy"])
    keys = "['epoch_time', 'lr', 'train_accuracy', 'train_loss', 'val_accuracy', 'val_loss']"
    epoch = lambda e: [f"epoch_begin {e}"] + [f"batch {b} ['accuracy', 'loss']" for b in range(3)] + [
        f"epoch_end {e} {keys}"]
    assert calls == ["train_begin"] + epoch(0) + epoch(1) + ["train_end"]


def test_stop_training_flag():
    model, loader, opt = _setup()
    stopper = LambdaCallback(on_epoch_end=lambda state, epoch, logs: setattr(state, "stop_training", epoch == 1))
    history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=10, quiet=True,
                  callbacks=[stopper])
    assert history.epoch == [0, 1]


def test_early_stopping_patience_and_restore_best_weights():
    model, loader, opt = _setup()
    weights, log_weights = _weights_log()
    stop = EarlyStopping(patience=2)
    history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=10, quiet=True,
                  callbacks=[_scripted([3.0, 1.0, 2.0, 1.5, 0.5, 0.1]), log_weights, stop])
    assert history.epoch == [0, 1, 2, 3]          # epochs 2 and 3 did not improve on 1.0
    assert stop.best == 1.0 and stop.best_epoch == 1 and stop.stopped_epoch == 3
    assert np.array_equal(model.weight.detach().numpy(), weights[1])
    assert not np.array_equal(weights[1], weights[3])


def test_early_stopping_without_restore_keeps_the_last_weights():
    model, loader, opt = _setup()
    weights, log_weights = _weights_log()
    fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=10, quiet=True,
        callbacks=[_scripted([1.0, 2.0, 2.0]), log_weights, EarlyStopping(patience=1, restore_best_weights=False)])
    assert len(weights) == 2 and np.array_equal(model.weight.detach().numpy(), weights[-1])


def test_early_stopping_min_delta_and_max_mode():
    model, loader, opt = _setup()
    stop = EarlyStopping(patience=2, min_delta=0.1)
    history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=10, quiet=True,
                  callbacks=[_scripted([1.0, 0.95, 0.92, 0.5]), stop])
    assert history.epoch == [0, 1, 2] and stop.best == 1.0   # improvements of < 0.1 do not count
    model, loader, opt = _setup()
    acc = LambdaCallback(on_epoch_end=lambda state, epoch, logs: logs.__setitem__("val_acc", [0.5, 0.7, 0.6][epoch]))
    stop = EarlyStopping(monitor="val_acc", mode="max", patience=1)
    history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=10, quiet=True,
                  callbacks=[acc, stop])
    assert history.epoch == [0, 1, 2] and stop.best == 0.7


def test_monitor_errors():
    model, loader, opt = _setup()
    with pytest.raises(KeyError, match="val_loss.*need a val_loader"):
        fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, quiet=True, callbacks=[EarlyStopping()])
    with pytest.raises(ValueError, match="mode must be 'min' or 'max'"):
        EarlyStopping(mode="best")
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="every"):
        ModelCheckpoint("x.pt", every=0)
    # without a validation loader, train_loss can be monitored
    stop = EarlyStopping(monitor="train_loss", patience=3)
    fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=2, quiet=True, callbacks=[stop])
    assert stop.best_epoch == 1


def test_model_checkpoint_save_best_only(tmp_path):
    model, loader, opt = _setup()
    weights, log_weights = _weights_log()
    ckpt = ModelCheckpoint(tmp_path / "best-{epoch}.pt", save_best_only=True)
    fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=5, quiet=True,
        callbacks=[ckpt, _scripted([2.0, 1.0, 1.5, 0.5, 0.7]), log_weights])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best-1.pt", "best-2.pt", "best-4.pt"]
    assert ckpt.last_path == str(tmp_path / "best-4.pt")
    saved = glasstorch.load(ckpt.last_path)
    assert saved["epoch"] == 4
    assert np.array_equal(saved["model"]["weight"].numpy(), weights[3])
    assert len(saved["history"]["train_loss"]) == 4


def test_checkpoint_holds_the_other_callbacks_state_of_the_same_epoch(tmp_path):
    """The checkpoint runs after the other callbacks whatever the list order, so EarlyStopping's state in it
    is that of the epoch saved."""
    model, loader, opt = _setup()
    stop = EarlyStopping(patience=5)
    fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=3, quiet=True,
        callbacks=[ModelCheckpoint(tmp_path / "c.pt"), _scripted([3.0, 2.0, 1.0]), stop])
    saved = glasstorch.load(tmp_path / "c.pt")["callbacks"]
    states = [s for s in saved if "wait" in s]
    assert len(states) == 1 and states[0]["best"] == 1.0 and states[0]["best_epoch"] == 2


def _stopping_run(path, resume=False, callbacks=None):
    glasstorch.manual_seed(5 if resume else 4)   # resumed: the weights must come from the checkpoint
    model, loader, opt = _setup()
    stop = EarlyStopping(patience=2)
    callbacks = callbacks if callbacks is not None else [_scripted([3.0, 2.0, 2.5, 2.6, 2.7, 2.8, 2.9]), stop,
                                                         ModelCheckpoint(path)]
    history = fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=7, quiet=True,
                  callbacks=callbacks, resume_from=path if resume else None)
    return model, history


def _without_times(history):
    d = history.to_dict()
    d.pop("epoch_time")
    return d


def test_resuming_after_early_stopping_ends_where_the_run_ended(tmp_path):
    m1, h1 = _stopping_run(tmp_path / "c.pt")          # best at epoch 1, stops after epoch 3
    assert h1.epoch == [0, 1, 2, 3]
    assert glasstorch.load(tmp_path / "c.pt")["stop_training"] is True
    m2, h2 = _stopping_run(tmp_path / "c.pt", resume=True)
    assert _without_times(h2) == _without_times(h1)
    for k, v in m1.state_dict().items():
        assert np.array_equal(m2.state_dict()[k].numpy(), v.numpy()), k


def test_resuming_with_other_callbacks_raises(tmp_path):
    _stopping_run(tmp_path / "c.pt")
    with pytest.raises(ValueError, match=r"callbacks \[LambdaCallback, EarlyStopping, ModelCheckpoint\] but fit "
                                         r"was given \[ModelCheckpoint\]"):
        _stopping_run(tmp_path / "c.pt", resume=True, callbacks=[ModelCheckpoint(tmp_path / "c.pt")])
    with pytest.raises(ValueError, match=r"was given \[LambdaCallback, LambdaCallback, ModelCheckpoint\]"):
        _stopping_run(tmp_path / "c.pt", resume=True, callbacks=[LambdaCallback(), LambdaCallback(),
                                                                 ModelCheckpoint(tmp_path / "c.pt")])
