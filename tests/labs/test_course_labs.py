"""The labs optimizers, regularization and vanishing-gradients in quick mode (the 8×8 digits, no files
needed), and the pieces they are built from. Margins below were set from measured runs (seed 0) and leave room
for small numerical differences between machines."""
import math

import numpy as np
import pytest

import glasstorch as torch
from glasstorch import nn, train
from glasstorch.labs import optimizers, regularization, vanishing_gradients

from labruns import MNIST, pngs, run_lab


def report_shows_all_figures(folder):
    page = (folder / "report.html").read_text()
    return page.count("<img") == len(pngs(folder)) > 0


# ---------------------------------------------------------------- optimizers

@pytest.fixture(scope="module")
def optimizers_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("optimizers")
    metrics, lines = run_lab("optimizers", folder)
    return metrics, lines, folder


def test_descend_follows_the_gradient_of_the_bowl():
    # one SGD step from (-7, 2) with lr 0.1: ∇f = (2x/20, 2y) = (-0.7, 4) → (-6.93, 1.6)
    path = optimizers.descend(lambda ps: torch.optim.SGD(ps, lr=0.1), steps=1)
    np.testing.assert_allclose(path, [[-7.0, 2.0], [-6.93, 1.6]], rtol=1e-6)


def test_every_optimizer_approaches_the_bowls_minimum(optimizers_run):
    m, _, _ = optimizers_run
    start = math.hypot(*optimizers.START)
    results = m["bowl"]["optimizers"]
    assert set(results) == {"SGD", "momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "AdamW"}
    for name, r in results.items():
        assert r["distance_to_minimum"] < 0.2 * start, name       # all much closer than the start (7.3)
        assert r["final_value"] < 0.1 * (49 / 20 + 4), name
    for name in ("momentum", "Adam"):                              # measured: 0.41, 0.50
        assert results[name]["distance_to_minimum"] < 0.8, name


def test_momentum_is_faster_than_sgd_along_the_shallow_direction(optimizers_run):
    same = optimizers_run[0]["bowl"]["same_lr"]
    # same lr 0.1, 50 steps: SGD's x shrinks by (1 - 0.01) per step, 7·0.99^50 = 4.23; momentum reaches ~0.4
    assert same["SGD"]["final_abs_x"] == pytest.approx(7 * 0.99 ** 50, rel=1e-4)
    assert same["momentum"]["final_abs_x"] < 0.3 * same["SGD"]["final_abs_x"]


def test_every_optimizer_lowers_the_loss_on_the_digits(optimizers_run):
    m, _, _ = optimizers_run
    net = m["network"]
    assert net["dataset"] == "digits" and net["initial_train_loss"] > 2.0   # ~ln 10 before training
    for name, r in net["optimizers"].items():
        assert r["final_train_loss"] < 0.7 * net["initial_train_loss"], name   # measured: 0.21 to 0.54
        assert r["test_accuracy"] > 0.75, name
        assert r["epochs"][-1] == pytest.approx(net["epochs"])


def test_mini_batches_beat_full_batch_gradient_descent_after_one_pass(optimizers_run):
    races = optimizers_run[0]["batch_size"]
    gd, one, mini = races["full batch (GD)"], races["batch 1 (SGD)"], races["mini-batch 64"]
    assert mini["loss_after_one_epoch"] < gd["loss_after_one_epoch"] - 0.5   # 1.09 vs 2.22: 22 steps vs 1
    assert one["loss_after_one_epoch"] is None                 # quick mode: 500 single examples, not a pass
    assert one["train_loss"][-1] < 0.7 * one["train_loss"][0]
    assert gd["train_loss"][-1] < gd["train_loss"][0]
    for r in races.values():
        assert r["seconds"] == sorted(r["seconds"]) and r["epochs"] == sorted(r["epochs"])


def test_optimizers_lab_writes_its_figures_and_report(optimizers_run):
    _, lines, folder = optimizers_run
    assert pngs(folder) == ["batch_sizes.png", "bowl_paths.png", "network_loss_curves.png"]
    assert report_shows_all_figures(folder)
    assert any("momentum" in line for line in lines)


# ---------------------------------------------------------------- regularization

def test_random_shift_moves_each_image_by_at_most_the_given_pixels():
    x = torch.zeros(50, 1, 8, 8)
    x[:, 0, 4, 4] = 1.0                                  # one bright pixel in the middle
    moved = regularization.random_shift(x, 2, torch.Generator().manual_seed(0)).numpy()
    assert moved.shape == (50, 1, 8, 8) and moved.dtype == np.float32
    assert (moved.sum(axis=(1, 2, 3)) == 1).all()        # the pixel is still there, once
    rows, cols = np.nonzero(moved[:, 0])[1:]
    assert (np.abs(rows - 4) <= 2).all() and (np.abs(cols - 4) <= 2).all()
    assert len(set(zip(rows.tolist(), cols.tolist()))) > 10   # different images get different shifts


def test_regularization_variants_share_the_initial_weights():
    a = regularization.make_model(64, "baseline", seed=3)
    b = regularization.make_model(64, "batch norm", seed=3)
    c = regularization.make_model(64, "dropout", seed=3)
    la, lb, lc = ([m for m in model if isinstance(m, nn.Linear)] for model in (a, b, c))
    for x, y, z in zip(la, lb, lc):
        assert torch.equal(x.weight, y.weight) and torch.equal(x.weight, z.weight)
    assert any(isinstance(m, nn.BatchNorm1d) for m in b) and any(isinstance(m, nn.Dropout) for m in c)


@pytest.fixture(scope="module")
def regularization_run(tmp_path_factory):
    """Every variant, batch norm included (~3 s of the run on 200 digits); the EarlyStopping callbacks the lab
    makes are kept, to check that its early stopping is the library's."""
    folder = tmp_path_factory.mktemp("regularization")
    stoppers = []

    class KeptEarlyStopping(train.EarlyStopping):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stoppers.append(self)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(regularization, "EarlyStopping", KeptEarlyStopping)
        metrics, lines = run_lab("regularization", folder)
    return metrics, lines, folder, stoppers


def test_the_baseline_overfits_and_regularizers_narrow_the_gap(regularization_run):
    v = regularization_run[0]["variants"]
    base = v["baseline"]
    assert base["train_accuracy"] == 1.0 and base["train_loss"] < 0.01       # memorized the training set
    assert base["gap"] > 0.03 and base["loss_gap"] > 0.15
    # measured loss gaps: baseline 0.197, L2 0.143, augmentation 0.147, L1 0.161, dropout 0.186
    for name in ("L2", "augmentation"):
        assert v[name]["loss_gap"] < 0.85 * base["loss_gap"], name
    assert v["L1"]["loss_gap"] < 0.95 * base["loss_gap"]
    assert v["dropout"]["loss_gap"] < base["loss_gap"]
    assert v["L1"]["zero_weight_fraction"] > 0.3                              # L1 makes weights vanish


def test_early_stopping_restores_an_epoch_before_the_last(regularization_run):
    m = regularization_run[0]
    r = m["variants"]["early stopping"]
    val = m["variants"]["baseline"]["history"]["val_loss"]
    assert r["best_epoch"] < r["stopped_epoch"] <= m["epochs"]
    assert r["stopped_epoch"] - r["best_epoch"] == m["patience"] or r["stopped_epoch"] == m["epochs"]
    # the same run as the baseline until it stops: its best epoch is the baseline's lowest validation loss so far
    assert r["best_epoch"] - 1 == int(np.argmin(val[:r["stopped_epoch"]]))
    assert r["val_loss"] == pytest.approx(min(val[:r["stopped_epoch"]]), rel=1e-5)
    assert r["val_loss"] < val[-1]                                 # better than the baseline's last epoch
    assert len(r["history"]["val_loss"]) == r["stopped_epoch"]     # training really ended there


def test_early_stopping_is_the_librarys_callback(regularization_run):
    m, _, _, stoppers = regularization_run
    r = m["variants"]["early stopping"]
    assert len(stoppers) == 1                                      # fit ran with train.EarlyStopping
    s = stoppers[0]
    assert (s.monitor, s.patience, s.restore_best_weights) == ("val_loss", m["patience"], True)
    assert s.best_epoch + 1 == r["best_epoch"]                     # the callback's epochs count from 0
    assert s.stopped_epoch is not None and s.stopped_epoch + 1 == r["stopped_epoch"]   # measured: 23, 33
    assert s.best == pytest.approx(r["val_loss"], rel=1e-5)        # the restored weights are the best epoch's


def test_batch_norm_trains_faster_and_still_memorizes(regularization_run):
    v = regularization_run[0]["variants"]
    base, bn = v["baseline"]["history"], v["batch norm"]["history"]
    assert v["batch norm"]["train_accuracy"] == 1.0                 # no regularizer: it fits the 200 digits
    # measured over seeds 0-3 (PyTorch's random streams): 100% training accuracy after 3-5 epochs instead of
    # 9-11; training loss 0.46-0.65 of the baseline's over epochs 3-9 and 0.56-0.82 over epochs 10-12, when
    # both are near zero (each layer's inputs renormalized, so Adam's steps are not slowed by badly scaled layers)
    assert bn["train_accuracy"].index(1.0) < 0.6 * base["train_accuracy"].index(1.0)
    for epoch in range(2, 12):
        assert bn["train_loss"][epoch] < (0.75 if epoch < 9 else 0.9) * base["train_loss"][epoch], epoch
    assert min(bn["val_loss"]) < min(base["val_loss"])             # measured: 0.169 vs 0.181


def test_regularization_lab_writes_its_figures_and_report(regularization_run):
    folder = regularization_run[2]
    assert pngs(folder) == ["final_gap.png", "train_validation_accuracy.png", "train_validation_loss.png"]
    assert tuple(regularization_run[0]["variants"]) == regularization.VARIANTS
    assert report_shows_all_figures(folder)


# ---------------------------------------------------------------- vanishing gradients

def test_deep_mlp_variants_have_the_right_layers():
    for variant in vanishing_gradients.VARIANTS:
        model = vanishing_gradients.DeepMLP(64, 16, 4, variant)
        assert model(torch.randn(5, 1, 8, 8)).shape == (5, 10)
        assert len(model.linears()) == 6
        assert (model.norms is not None) == (variant == "sigmoid + batch norm")
    he = vanishing_gradients.DeepMLP(400, 400, 1, "relu + He")
    assert he.hidden[0].weight.std().item() == pytest.approx(math.sqrt(2 / 400), rel=0.05)


def test_gradient_norms_are_read_from_glass_watch(monkeypatch):
    watches = []

    def kept_watch(model, **options):
        watches.append(real_watch(model, **options))
        return watches[-1]

    real_watch = vanishing_gradients.watch
    monkeypatch.setattr(vanishing_gradients, "watch", kept_watch)
    torch.manual_seed(0)
    model = vanishing_gradients.DeepMLP(64, 16, 3, "sigmoid")
    x, y = torch.randn(32, 1, 8, 8), torch.randint(0, 10, (32,))
    named = [(label, f"{label}.weight") for label, _ in model.linears()]
    norms = vanishing_gradients.gradient_norms(model, named, x, y)
    assert len(watches) == 1                                       # one watched forward/backward
    records = watches[0].history["params"]
    assert norms == {label: records[name]["grad_norm"][-1] for label, name in named}
    assert all(p.grad is None or not p.grad.any() for p in model.parameters())   # cleared again
    # the same numbers as ‖p.grad‖ from a plain backward; and the watch is closed: it records nothing more
    nn.functional.cross_entropy(model(x), y).backward()
    params = dict(model.named_parameters())
    for label, name in named:
        assert norms[label] == pytest.approx(float(np.linalg.norm(params[name].grad.numpy())), rel=1e-5)
        assert len(records[name]["grad_norm"]) == 1


@pytest.fixture(scope="module")
def vanishing_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vanishing-gradients")
    metrics, lines = run_lab("vanishing-gradients", folder)
    return metrics, lines, folder


def test_deep_sigmoid_gradients_vanish_and_the_fixes_keep_them(vanishing_run):
    v = vanishing_run[0]["variants"]
    sig = v["sigmoid"]["grad_norm_init"]
    assert sig["hidden.0"] < 1e-4 * sig[f"hidden.{vanishing_gradients.DEPTH - 1}"]   # measured: 1.6e-12
    norms = list(sig.values())
    assert norms == sorted(norms)                     # smaller and smaller toward the input
    for name in ("relu + He", "sigmoid + batch norm", "sigmoid + residual"):
        for key in ("ratio_init", "ratio_trained"):
            assert 0.05 < v[name][key] < 20, (name, key)      # measured: 0.76-1.8 (1e-12 for sigmoid)


def test_only_the_fixed_deep_networks_learn(vanishing_run):
    v = vanishing_run[0]["variants"]
    assert v["sigmoid"]["test_accuracy"] < 0.25        # stuck near chance (0.1)
    for name in ("relu + He", "sigmoid + batch norm", "sigmoid + residual"):
        h = v[name]["history"]["train_loss"]
        assert h[-1] < h[0], name
        assert v[name]["test_accuracy"] > 0.3, name    # measured after 2 epochs: 0.47 to 0.70 (chance 0.1)


def test_the_small_resnet_learns_and_its_gradients_reach_the_first_convolution(vanishing_run):
    r = vanishing_run[0]["resnet"]
    assert r["test_accuracy"] > 0.6                    # measured 0.89 after one epoch on the digits
    assert 0.05 < r["first_conv_to_fc_ratio"] < 20
    assert r["parameters"] == 77_754


def test_vanishing_gradients_lab_writes_its_figures_and_report(vanishing_run):
    folder = vanishing_run[2]
    assert pngs(folder) == ["gradient_norm_per_layer.png", "training_curves.png"]
    assert report_shows_all_figures(folder)


# ---------------------------------------------------------------- real MNIST (skipped without the files)

@pytest.mark.skipif(not MNIST.is_dir(), reason=f"the MNIST files are not at {MNIST}")
def test_on_3000_mnist_images_every_optimizer_learns_and_mini_batches_beat_gd():
    # the optimizers lab's network part on its quick MNIST slice, one epoch each (~2 s; the whole lab ~10 s+)
    x_tr, y_tr, x_te, y_te = optimizers.flat_data("mnist", str(MNIST), quick=True)
    assert tuple(x_tr.shape) == (3000, 784) and tuple(x_te.shape) == (1000, 784)
    start = optimizers.mean_loss(optimizers.make_mlp(784, seed=0), x_tr, y_tr)
    assert start == pytest.approx(math.log(10), abs=0.1)           # untrained: about uniform over 10 classes
    runs = {name: optimizers.train_with(name, x_tr, y_tr, x_te, y_te, 1, 0, True)
            for name in optimizers.NET_OPTIMIZERS}
    for name, r in runs.items():                                   # measured: 0.33 to 0.42, 82% to 86%
        assert r["final_train_loss"] < 0.25 * start, name
        assert r["test_accuracy"] > 0.78, name
    for name in ("AdaGrad", "RMSProp"):                            # per-weight step sizes: 0.34, 0.33 vs 0.41
        assert runs[name]["final_train_loss"] < 0.9 * runs["SGD"]["final_train_loss"], name
    # one pass of plain SGD, lr 0.1: 47 mini-batch steps against the single step of full-batch GD
    gd = optimizers.batch_size_race(x_tr, y_tr, len(x_tr), 1, 10 ** 9, 0.1, 0, True)
    mini = optimizers.batch_size_race(x_tr, y_tr, 64, 1, 10 ** 9, 0.1, 0, True)
    gd_loss, mini_loss = optimizers.loss_after_one_epoch(gd), optimizers.loss_after_one_epoch(mini)
    assert gd_loss > 0.9 * start and mini_loss < 0.3 * gd_loss     # measured: 2.11 vs 0.41


@pytest.mark.skipif(not MNIST.is_dir(), reason=f"the MNIST files are not at {MNIST}")
def test_on_500_mnist_images_the_baseline_overfits_and_augmentation_helps(tmp_path):
    m, _ = run_lab("regularization", tmp_path, dataset="mnist", data=str(MNIST), epochs=10, train_size=500,
                   variants=("baseline", "augmentation"))
    assert m["train_size"] == 500 and m["val_size"] == 2000
    assert list(m["variants"]) == ["baseline", "augmentation"]     # the variants asked for, only
    base, aug = m["variants"]["baseline"], m["variants"]["augmentation"]
    assert base["train_accuracy"] > 0.99 and base["gap"] > 0.1
    assert aug["gap"] < base["gap"] - 0.03                   # measured: 0.11 vs 0.18
    assert aug["val_accuracy"] > base["val_accuracy"] - 0.01  # measured: 0.82 vs 0.82
