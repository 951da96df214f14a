"""glasstorch.train.fit: the loop itself (against a hand-written PyTorch loop), its history, schedulers,
clipping, metrics, exact resumption from a checkpoint, the run-folder report, and summary."""
import json

import numpy as np
import pytest
import torch

import glasstorch
from glasstorch import nn
from glasstorch.labs.mnist_models import cnn
from glasstorch.train import EarlyStopping, ModelCheckpoint, fit, summary
from glasstorch.utils.data import DataLoader, TensorDataset


def _data(n=48, d=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = (X[:, :classes].argmax(1)).astype(np.int64)
    return X, y


def _loaders(shuffle=True, generator=None, batch_size=8):
    X, y = _data()
    train = DataLoader(TensorDataset(glasstorch.tensor(X), glasstorch.tensor(y)), batch_size=batch_size,
                       shuffle=shuffle, generator=generator)
    val = DataLoader(TensorDataset(glasstorch.tensor(X[:16]), glasstorch.tensor(y[:16])), batch_size=5)
    return train, val


def _mlp(dropout=0.3):
    return nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Dropout(dropout), nn.Linear(12, 3))


def test_fit_equals_a_pytorch_loop():
    X, y = _data()
    t_model = torch.nn.Sequential(torch.nn.Linear(6, 12), torch.nn.Tanh(), torch.nn.Linear(12, 3))
    g_model = nn.Sequential(nn.Linear(6, 12), nn.Tanh(), nn.Linear(12, 3))
    g_model.load_state_dict({k: glasstorch.tensor(v.detach().numpy()) for k, v in t_model.state_dict().items()})
    t_opt = torch.optim.SGD(t_model.parameters(), lr=0.2, momentum=0.9)
    t_sched = torch.optim.lr_scheduler.StepLR(t_opt, step_size=1, gamma=0.5)
    t_losses, t_val = [], []
    for _ in range(3):
        total = 0.0
        for i in range(0, len(X), 8):
            xb, yb = torch.tensor(X[i:i + 8]), torch.tensor(y[i:i + 8])
            t_opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(t_model(xb), yb)
            loss.backward()
            t_opt.step()
            total += loss.item() * len(yb)
        t_losses.append(total / len(X))
        with torch.no_grad():
            t_val.append(torch.nn.functional.cross_entropy(t_model(torch.tensor(X[:16])), torch.tensor(y[:16])).item())
        t_sched.step()
    g_opt = glasstorch.optim.SGD(g_model.parameters(), lr=0.2, momentum=0.9)
    train, _ = _loaders(shuffle=False)
    val = DataLoader(TensorDataset(glasstorch.tensor(X[:16]), glasstorch.tensor(y[:16])), batch_size=16)
    history = fit(g_model, train, val, loss_fn=nn.CrossEntropyLoss(), optimizer=g_opt, epochs=3,
                  scheduler=glasstorch.optim.lr_scheduler.StepLR(g_opt, step_size=1, gamma=0.5), quiet=True)
    np.testing.assert_allclose(history["train_loss"], t_losses, rtol=1e-5)
    np.testing.assert_allclose(history["val_loss"], t_val, rtol=1e-5)
    assert history["lr"] == pytest.approx([0.2, 0.1, 0.05])
    for k, v in t_model.state_dict().items():
        np.testing.assert_allclose(g_model.state_dict()[k].numpy(), v.numpy(), rtol=1e-4, atol=1e-6)


def test_history_metrics_and_modes():
    seen = []

    class Probe(nn.Module):
        def forward(self, x):
            seen.append((self.training, glasstorch.is_grad_enabled()))
            return x

    model = nn.Sequential(_mlp(), Probe())
    train, val = _loaders()
    lines = []
    history = fit(model, train, val, loss_fn=nn.CrossEntropyLoss(), optimizer=glasstorch.optim.Adam(
        model.parameters(), lr=0.01), epochs=4, metrics=["accuracy", lambda out, t: 1.0], quiet=False,
        log=lines.append)
    assert set(history.history) == {"train_loss", "val_loss", "train_accuracy", "val_accuracy", "train_<lambda>",
                                     "val_<lambda>", "lr", "epoch_time"}
    assert history.epoch == [0, 1, 2, 3] and len(lines) == 4
    assert all(len(v) == 4 for v in history.history.values())
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert all(0 <= a <= 1 for a in history["val_accuracy"]) and history["val_<lambda>"] == [1.0] * 4
    # 6 training batches (train mode, grad on) then 4 validation batches (eval mode, no grad) per epoch
    assert seen == ([(True, True)] * 6 + [(False, False)] * 4) * 4
    d = history.to_dict()
    assert d["epoch"] == [0, 1, 2, 3] and d["val_loss"] == history["val_loss"]
    # the validation accuracy is the accuracy over all its examples
    model.eval()
    with glasstorch.no_grad():
        X, y = _data()
        pred = model(glasstorch.tensor(X[:16])).argmax(1).numpy()
    assert history["val_accuracy"][-1] == pytest.approx((pred == y[:16]).mean())


def test_reduce_lr_on_plateau_gets_the_validation_loss():
    got = []

    class Recording(glasstorch.optim.lr_scheduler.ReduceLROnPlateau):
        def step(self, metrics, epoch=None):
            got.append(metrics)
            super().step(metrics)

    model = _mlp(0.0)
    opt = glasstorch.optim.SGD(model.parameters(), lr=0.1)
    train, val = _loaders()
    history = fit(model, train, val, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=3,
                  scheduler=Recording(opt), quiet=True)
    assert got == history["val_loss"]


def test_gradient_clipping_bounds_the_step():
    model = nn.Linear(6, 3)
    before = [p.detach().clone() for p in model.parameters()]
    X, y = _data(n=8)
    loader = DataLoader(TensorDataset(glasstorch.tensor(X * 100), glasstorch.tensor(y)), batch_size=8)
    fit(model, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=glasstorch.optim.SGD(model.parameters(), lr=1.0),
        clip_grad_norm=0.01, quiet=True)
    step = np.sqrt(sum(((p.detach() - b) ** 2).sum().item() for p, b in zip(model.parameters(), before)))
    assert step == pytest.approx(0.01, rel=1e-3)


def test_bad_arguments():
    model = _mlp()
    train, _ = _loaders()
    with pytest.raises(ValueError, match="loss_fn and an optimizer"):
        fit(model, train, optimizer=glasstorch.optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="unknown metric 'f2'"):
        fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=glasstorch.optim.SGD(model.parameters(), lr=0.1),
            metrics=["f2"])
    with pytest.raises(TypeError, match="Callback"):
        fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=glasstorch.optim.SGD(model.parameters(), lr=0.1),
            callbacks=[print])
    with pytest.raises(ValueError, match="not a checkpoint"):
        path = "/tmp/_glasstorch_not_a_checkpoint.pt"
        glasstorch.save(model.state_dict(), path)
        fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=glasstorch.optim.SGD(model.parameters(), lr=0.1),
            resume_from=path)


def _run(tmp_path, epochs, resume=False, own_generator=False):
    """A run with shuffling, dropout, Adam, a scheduler and early stopping (which never triggers)."""
    glasstorch.manual_seed(7)
    model = _mlp()
    generator = glasstorch.Generator().manual_seed(3) if own_generator else None
    train, val = _loaders(generator=generator)
    opt = glasstorch.optim.Adam(model.parameters(), lr=0.01)
    sched = glasstorch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.8)
    if resume:  # a different seed: everything must come from the checkpoint
        glasstorch.manual_seed(999)
    stop = EarlyStopping(patience=100)
    history = fit(model, train, val, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=epochs, scheduler=sched,
                  metrics=["accuracy"], quiet=True,
                  callbacks=[ModelCheckpoint(tmp_path / "ckpt.pt"), stop],
                  resume_from=(tmp_path / "ckpt.pt") if resume else None)
    return model, opt, history, stop


def _without_times(history):
    d = history.to_dict()
    d.pop("epoch_time")
    return d


@pytest.mark.parametrize("own_generator", [False, True])
def test_resume_reproduces_the_uninterrupted_run_exactly(tmp_path, own_generator):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    m1, o1, h1, s1 = _run(tmp_path / "a", 4, own_generator=own_generator)
    after1 = glasstorch.rand(3).numpy()
    _run(tmp_path / "b", 2, own_generator=own_generator)
    m2, o2, h2, s2 = _run(tmp_path / "b", 4, resume=True, own_generator=own_generator)
    after2 = glasstorch.rand(3).numpy()
    for k, v in m1.state_dict().items():
        assert np.array_equal(v.numpy(), m2.state_dict()[k].numpy()), k
    st1, st2 = o1.state_dict(), o2.state_dict()
    assert st1["param_groups"] == st2["param_groups"]
    for i in st1["state"]:
        for name, value in st1["state"][i].items():
            assert np.array_equal(np.asarray(value.numpy() if hasattr(value, "numpy") else value),
                                  np.asarray(st2["state"][i][name].numpy() if hasattr(value, "numpy")
                                             else st2["state"][i][name]))
    assert _without_times(h1) == _without_times(h2)
    assert len(h2["epoch_time"]) == 4
    assert s1.best == s2.best and s1.best_epoch == s2.best_epoch
    assert np.array_equal(after1, after2)  # the global generator continues identically afterwards


def test_checkpoint_contents_and_every(tmp_path):
    _run(tmp_path, 3)
    ckpt = glasstorch.load(tmp_path / "ckpt.pt")
    assert ckpt["epoch"] == 3 and set(ckpt) >= {"model", "optimizer", "scheduler", "history", "rng", "callbacks"}
    assert len(ckpt["history"]["train_loss"]) == 3 and ckpt["scheduler"]["last_epoch"] == 3
    model = _mlp()
    train, _ = _loaders()
    fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=glasstorch.optim.SGD(model.parameters(), lr=0.1),
        epochs=5, quiet=True, callbacks=[ModelCheckpoint(tmp_path / "e{epoch}.pt", every=2)])
    assert sorted(p.name for p in tmp_path.glob("e*.pt")) == ["e2.pt", "e4.pt"]
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic writes left no temporary file behind


def test_run_dir_writes_curves_metrics_and_report(tmp_path):
    model = _mlp()
    train, val = _loaders()
    history = fit(model, train, val, loss_fn=nn.CrossEntropyLoss(), optimizer=glasstorch.optim.SGD(
        model.parameters(), lr=0.1), epochs=2, metrics=["accuracy"], quiet=True, run_dir=tmp_path / "run")
    files = {p.name for p in (tmp_path / "run").iterdir()}
    assert {"learning_curves.png", "metrics.json", "report.html"} <= files
    saved = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert saved["history"] == json.loads(json.dumps(history.to_dict()))
    assert saved["final"]["val_loss"] == pytest.approx(history["val_loss"][-1])
    page = (tmp_path / "run" / "report.html").read_text()
    assert page.count("<img") == 1 and "Total params: 123" in page and "[1, 12]" in page


def test_summary_of_the_course_cnn():
    model = cnn(nn)
    s = summary(model, (2, 1, 28, 28))
    assert s.total_params == sum(p.numel() for p in model.parameters()) == 421_642
    assert s.trainable_params == s.total_params and s.non_trainable_params == 0
    assert sum(r["params"] for r in s.rows) == s.total_params
    expected = {"0": 1 * 32 * 9 + 32, "3": 32 * 64 * 9 + 64, "8": 3136 * 128 + 128, "10": 128 * 10 + 10}
    for path, n in expected.items():
        assert s.params_of(path) == n
    assert s.params_of("1") == 0
    shapes = {r["path"]: r["output_shape"] for r in s.rows}
    assert shapes["2"] == [2, 32, 14, 14] and shapes["7"] == [2, 3136] and shapes["10"] == [2, 10]
    assert model.training  # the summary's forward pass left the model's mode alone
    # the same counts as PyTorch's own model
    t_model = cnn(torch.nn)
    assert s.total_params == sum(p.numel() for p in t_model.parameters())
    text = str(s)
    assert "Total params: 421,642" in text and "401,536" in text and "Conv2d" in text


def test_summary_nested_frozen_and_shared():
    inner = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5))
    model = nn.Sequential(inner, nn.ReLU(), nn.Linear(5, 2))
    for p in inner[0].parameters():
        p.requires_grad_(False)
    s = summary(model, input_data=glasstorch.randn(3, 4))
    assert s.total_params == 25 + 10 + 12
    assert s.non_trainable_params == 25 and s.trainable_params == 22
    assert [r["path"] for r in s.rows] == ["0", "0.0", "0.1", "1", "2"]
    assert [r["depth"] for r in s.rows] == [1, 2, 2, 1, 1]
    assert s.rows[0]["output_shape"] == [3, 5] and s.rows[0]["params"] == 0
    assert summary(model).rows[0]["output_shape"] is None
    shared = nn.Linear(3, 3)
    tied = nn.Sequential(shared, nn.ReLU(), shared)
    assert summary(tied).total_params == 12
    with pytest.raises(TypeError, match="input_size"):
        summary(model, "big")


def test_metrics_by_name_and_glasstorch_metrics_callables_are_per_epoch():
    glasstorch.manual_seed(1)
    model = _mlp(0.0)
    train, val = _loaders()                    # validation: 16 examples in batches of 5, 5, 5, 1
    history = fit(model, train, val, loss_fn=nn.CrossEntropyLoss(), optimizer=glasstorch.optim.SGD(
        model.parameters(), lr=0.05), epochs=2, quiet=True,
        metrics=["precision", "recall", "f1", glasstorch.metrics.accuracy])
    assert {"val_precision", "val_recall", "val_f1", "val_accuracy", "train_f1"} <= set(history.history)
    X, y = _data()
    model.eval()
    with glasstorch.no_grad():
        pred = model(glasstorch.tensor(X[:16])).argmax(1).numpy()
    macro = glasstorch.metrics.classification_report(y[:16], pred, output_dict=True)["macro avg"]
    # the metrics of the whole validation set, not a mean over its batches
    assert history["val_precision"][-1] == pytest.approx(macro["precision"])
    assert history["val_recall"][-1] == pytest.approx(macro["recall"])
    assert history["val_f1"][-1] == pytest.approx(macro["f1-score"])
    assert history["val_accuracy"][-1] == pytest.approx((pred == y[:16]).mean())
    with pytest.raises(ValueError, match="class scores"):  # metrics of a regression: a clear error
        fit(nn.Linear(6, 1), DataLoader(TensorDataset(glasstorch.randn(4, 6), glasstorch.randn(4, 1))),
            loss_fn=nn.MSELoss(), optimizer=glasstorch.optim.SGD(model.parameters(), lr=0.1), quiet=True,
            metrics=["accuracy"])


def test_the_report_names_the_command_that_ran_fit(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.argv", ["f1.py", "a", "b c"])
    monkeypatch.setattr("sys.executable", "/usr/bin/python3")
    model = _mlp()
    train, _ = _loaders()
    fit(model, train, loss_fn=nn.CrossEntropyLoss(), optimizer=glasstorch.optim.SGD(model.parameters(), lr=0.1),
        quiet=True, run_dir=tmp_path / "run")
    page = (tmp_path / "run" / "report.html").read_text()
    assert "<code>python3 f1.py a &#x27;b c&#x27;</code>" in page
