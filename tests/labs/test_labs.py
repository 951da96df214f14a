"""The labs, each run in its quick mode: they must reach their results and write their figures and metrics."""
import json
import pathlib

import pytest

from glasstorch import cli, labs
from glasstorch.labs.runfolder import RunFolder


def run_lab(name, tmp_path, seed=0):
    lines = []
    metrics = cli.run_lab(name, quick=True, seed=seed, out_dir=tmp_path / name, log=lines.append)
    written = json.loads((tmp_path / name / "metrics.json").read_text())
    assert written == json.loads(json.dumps(metrics))  # metrics.json holds what run() returned
    page = (tmp_path / name / "report.html").read_text()  # every lab writes its page, figures embedded
    assert page.count("<img") == len(list((tmp_path / name).glob("*.png")))
    return metrics, lines, tmp_path / name


def pngs(folder):
    return sorted(p.name for p in folder.glob("*.png"))


def test_every_lab_is_listed_and_importable():
    assert set(labs.LABS) >= {"perceptron", "xor", "activations", "iris", "digits"}
    for name in labs.LABS:
        assert callable(labs.load(name).run)
    with pytest.raises(KeyError):
        labs.load("nope")


def test_lab_list_keeps_names_and_descriptions_apart():
    from glasstorch import cli
    lines = []
    cli.list_labs(out=lines.append)
    rows = lines[1:]
    assert len(rows) == len(labs.LABS)
    starts = set()
    for row, (name, description) in zip(rows, sorted(labs.LABS.items())):
        assert row.startswith(f"  {name}  ") and row.endswith(description), row  # the longest names too
        starts.add(row.index(description))
    assert len(starts) == 1  # one column of descriptions


def test_perceptron_learns_and_or_nand_but_not_xor(tmp_path):
    m, lines, folder = run_lab("perceptron", tmp_path)
    for gate in ("AND", "OR", "NAND"):
        assert m["gates"][gate]["accuracy"] == 1.0 and m["gates"][gate]["converged"], gate
    assert m["gates"]["XOR"]["accuracy"] < 1.0 and not m["gates"]["XOR"]["converged"]
    assert m["two_layer_xor_accuracy"] == 1.0
    assert pngs(folder) == ["decision_boundaries.png", "mistakes.png"]
    assert any("XOR" in line for line in lines)


def test_perceptron_rule_updates_only_on_mistakes():
    import glasstorch as torch
    from glasstorch.labs.perceptron import Perceptron
    unit = Perceptron(lr=0.5)
    X = torch.tensor([[1.0, 0.0]])
    unit.fit(X, torch.tensor([0.0]), max_epochs=3)   # step(0) = 0 is already right: no update
    assert unit.w.tolist() == [0.0, 0.0] and unit.b.item() == 0.0
    unit.fit(X, torch.tensor([1.0]), max_epochs=1)   # one mistake: w += 0.5·(1 − 0)·x, b += 0.5
    assert unit.w.tolist() == [0.5, 0.0] and unit.b.item() == 0.5


def test_xor_mlp_solves_xor(tmp_path):
    m, _, folder = run_lab("xor", tmp_path)
    assert m["accuracy"] == 1.0
    assert m["final_loss"] < 0.1
    assert pngs(folder) == ["hidden_features.png", "hidden_space.png", "loss.png"]


def test_activation_derivatives_from_autograd_match_the_formulas(tmp_path):
    m, _, folder = run_lab("activations", tmp_path)
    for name in ("step", "sigmoid", "tanh", "relu", "leaky_relu", "gelu"):
        assert m[name]["max_abs_error_vs_formula"] < 1e-6, name
    assert abs(m["sigmoid"]["max_derivative"] - 0.25) < 1e-3   # σ' peaks at 1/4
    assert m["leaky_relu"]["min_derivative"] == pytest.approx(0.01)
    assert pngs(folder) == ["activations.png"]


def test_iris_recipe_sweep_and_gap(tmp_path):
    m, _, folder = run_lab("iris", tmp_path)
    assert m["recipe"]["train_accuracy"] >= 0.95
    sweep = {int(k): v for k, v in m["sweep_final_train_loss"].items()}
    assert sweep[100] < sweep[5] < sweep[1]                     # more neurons, lower training loss
    for h, r in m["train_validation"].items():
        assert r["val_loss"] >= r["best_val_loss"]
        assert r["train_loss"] < r["val_loss"]                    # the gap
        assert r["val_accuracy"] >= 0.85, h
    assert pngs(folder) == ["hidden_size_sweep.png", "loss.png", "train_validation.png"]


def test_digits_mlp_accuracy_and_confusion_matrix(tmp_path):
    m, _, folder = run_lab("digits", tmp_path)
    assert m["test_accuracy"] >= 0.93
    cm = m["confusion_matrix"]
    assert sum(map(sum, cm)) == m["test_size"] and 350 <= m["test_size"] <= 370  # 20% of 1,797
    correct = sum(cm[i][i] for i in range(10))
    assert correct / m["test_size"] == pytest.approx(m["test_accuracy"])
    assert {"confusion_matrix.png", "learning_curves.png"} <= set(pngs(folder))


def test_run_folder_names_are_unique_and_metrics_are_json(tmp_path):
    a = RunFolder.create("x", root=tmp_path)
    b = RunFolder.create("x", root=tmp_path)
    assert a.path != b.path and a.path.is_dir() and b.path.is_dir()
    import numpy as np
    path = a.write_metrics({"acc": np.float32(0.5), "n": np.int64(3), "list": np.arange(2)})
    assert json.loads(path.read_text()) == {"acc": 0.5, "n": 3, "list": [0, 1]}


def test_cli_lists_labs(capsys):
    assert cli.main(["lab", "--list"]) == 0
    out = capsys.readouterr().out
    for name in labs.LABS:
        assert name in out


def test_mnist_lab_writes_everything_on_the_digits(tmp_path):
    # the digits need no data folder; every model, report and file of the lab
    lines = []
    m = cli.run_lab("mnist", quick=True, out_dir=tmp_path / "m", log=lines.append, dataset="digits", epochs=3)
    folder = tmp_path / "m"
    assert set(m["models"]) == {"mlp", "cnn", "improved-cnn"}
    for name, r in m["models"].items():
        assert r["test_accuracy"] > 0.6, name          # 10 classes: chance is 0.1
        assert (folder / f"{name}.pt").exists() and (folder / f"classification_report_{name}.txt").exists()
        assert {f"confusion_matrix_{name}.png", f"misclassified_{name}.png"} <= set(pngs(folder))
        assert sum(map(sum, r["confusion_matrix"])) == 360
        assert len(r["history"]["test_accuracy"]) == 3
    assert {"samples.png", "learning_curves.png"} <= set(pngs(folder))
    for name in m["models"]:  # one line per epoch with the train and test loss and accuracy
        epoch_lines = [line for line in lines if line.strip().startswith(f"{name} ") and " epoch " in line]
        assert len(epoch_lines) == 3 and all("train loss" in e and "| test loss" in e for e in epoch_lines)
    page = (folder / "report.html").read_text()
    assert page.count("<img") == len(pngs(folder)) and "precision" in page
    assert "Model: cnn" in page and "Total params: 53,002" in page  # the model summary, parameters per layer
    import glasstorch
    from glasstorch.labs.mnist_models import MODELS
    model = MODELS["cnn"](glasstorch.nn, size=8)
    model.load_state_dict(glasstorch.load(folder / "cnn.pt"))  # the saved weights load back


def test_mnist_lab_command_line(tmp_path, capsys):
    # the flags of the issue, through the command line itself
    out = tmp_path / "cli"
    assert cli.main(["lab", "mnist", "--model", "cnn", "--dataset", "digits", "--epochs", "2", "--quick",
                     "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "cnn          epoch  2:" in printed and "cnn: test accuracy" in printed
    assert "cnn.pt" in printed and "classification_report_cnn.txt" in printed  # the results line names every file
    metrics = json.loads((out / "metrics.json").read_text())
    assert list(metrics["models"]) == ["cnn"] and metrics["epochs"] == 2 and metrics["dataset"] == "digits"
    for bad in (["--dataset", "cifar"], ["--model", "vgg"]):  # argparse names the choices, no traceback
        with pytest.raises(SystemExit) as stop:
            cli.main(["lab", "mnist", *bad])
        assert stop.value.code == 2
        assert "invalid choice" in capsys.readouterr().err


FASHION = pathlib.Path("/usr/share/datasets/fashion-mnist")  # Debian's dataset-fashion-mnist (.ci/run installs it)


@pytest.mark.skipif(not FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_mnist_lab_on_fashion_mnist_quick(tmp_path):
    # an empty --data folder: FashionMNIST falls back to Debian's files
    m = cli.run_lab("mnist", quick=True, out_dir=tmp_path / "f", log=lambda line: None, model="cnn",
                    dataset="fashion-mnist", data=str(tmp_path / "nothing-here"))
    assert m["models"]["cnn"]["test_accuracy"] > 0.7  # one epoch of 6,000 images; chance is 0.1
    report = (tmp_path / "f" / "classification_report_cnn.txt").read_text()
    assert "Ankle boot" in report and "Sneaker" in report  # Fashion-MNIST's class names


MNIST = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mnist"


@pytest.mark.skipif(not MNIST.is_dir(), reason=f"the MNIST files are not at {MNIST}")
def test_cnn_reaches_98_percent_on_real_mnist_in_one_epoch():
    from glasstorch.labs.mnist import load_data, train_model
    x_tr, y_tr, x_te, y_te, _ = load_data("mnist", str(MNIST))
    _, history = train_model("cnn", x_tr, y_tr, x_te, y_te, epochs=1, log=lambda line: None, quiet=True)
    assert history["test_accuracy"][-1] >= 0.98
