"""The glass-box labs in quick mode: init (activation statistics per layer, zero-init symmetry) and
cnn-features (filters and feature maps of the course CNN on the 8×8 digits, no files needed; on MNIST when its
files are there)."""
import json

import pytest

from glasstorch import cli

from labruns import MNIST


def run_lab(name, tmp_path, **options):
    metrics = cli.run_lab(name, quick=True, seed=0, out_dir=tmp_path / name, log=lambda line: None, **options)
    written = json.loads((tmp_path / name / "metrics.json").read_text())
    assert written == json.loads(json.dumps(metrics))
    return metrics, tmp_path / name


@pytest.fixture(scope="module")
def init_lab(tmp_path_factory):
    return run_lab("init", tmp_path_factory.mktemp("labs"))


def test_init_small_sigmoid_collapses_toward_half_but_xavier_does_not(init_lab):
    m, _ = init_lab
    small, xavier = m["activations"]["sigmoid"]["std 0.01"], m["activations"]["sigmoid"]["Xavier"]
    assert small["std"][4] < 0.02 and abs(small["mean"][4] - 0.5) < 0.01      # all near 0.5
    assert xavier["std"][4] > 0.08
    assert xavier["std"][4] > 5 * small["std"][4]


def test_init_unit_normal_sigmoid_and_tanh_saturate(init_lab):
    m, _ = init_lab
    acts = m["activations"]
    assert min(acts["sigmoid"]["N(0,1)"]["saturated"]) > 0.4            # near 0 or 1 (< 0.01 or > 0.99)
    assert acts["sigmoid"]["N(0,1)"]["saturated"][0] > 0.5
    assert min(acts["tanh"]["N(0,1)"]["saturated"]) > 0.6
    assert max(acts["sigmoid"]["Xavier"]["saturated"]) < 0.01
    assert max(acts["tanh"]["Xavier"]["saturated"][1:]) < 0.05


def test_init_relu_he_keeps_the_scale_small_std_vanishes(init_lab):
    m, _ = init_lab
    he, small, unit = (m["activations"]["relu"][k]["std"] for k in ("He", "std 0.01", "N(0,1)"))
    assert max(he) / min(he) < 1.5 and 0.4 < he[4] < 1.5                 # roughly constant across layers
    assert small[4] < 1e-4 and small[4] < small[0] / 100                  # shrinks to ~0
    assert unit[4] > 100 * unit[0]                                        # N(0,1): explodes
    lecun = m["activations"]["tanh"]["LeCun"]["std"]
    assert lecun[4] < lecun[0]                                            # tanh under LeCun shrinks slowly


def test_init_zero_init_keeps_hidden_units_identical(init_lab):
    m, folder = init_lab
    zero, rand = m["symmetry"]["zero"], m["symmetry"]["random"]
    assert zero["max_unit_spread"] < 1e-6 and zero["weights_moved"] > 0.1  # it learned, symmetrically
    assert zero["losses"][-1] < zero["losses"][0]
    assert rand["max_unit_spread"] > 0.1
    assert sorted(p.name for p in folder.glob("*.png")) == [
        "activation_histograms_relu.png", "activation_histograms_sigmoid.png", "activation_histograms_tanh.png",
        "activation_std_per_layer.png", "zero_init_symmetry.png"]
    html = (folder / "report.html").read_text()
    assert html.count("<img") == 5 and "symmetry" in html and "Model:" in html


def assert_filters_were_learned(m):
    """Training moved the first convolution's filters, every one of them, away from their initial values
    (measured after one quick epoch, 16 Adam steps of lr 1e-3: ‖W − W₀‖ ≈ 0.16, 5% of ‖W₀‖)."""
    assert m["filters_shape"] == [32, 1, 3, 3]
    assert 0.02 < m["filter_change_relative"] < 0.5
    assert m["filter_change_norm"] > 0.05
    per_filter = m["filter_change_per_filter"]
    assert len(per_filter) == 32 and min(per_filter) > 1e-3
    assert sum(d * d for d in per_filter) == pytest.approx(m["filter_change_norm"] ** 2, rel=1e-4)


def expected_map_shapes(size):
    """conv 3×3 (padding 1) keeps H×W, ReLU keeps it, 2×2 max-pooling halves it (rounding down)."""
    half, quarter = size // 2, size // 4
    return {"0": [32, size, size], "1": [32, size, size], "2": [32, half, half],
            "3": [64, half, half], "4": [64, half, half], "5": [64, quarter, quarter]}


def test_cnn_features_on_digits(tmp_path):
    m, folder = run_lab("cnn-features", tmp_path, dataset="digits")
    assert_filters_were_learned(m)
    assert m["feature_map_shapes"] == expected_map_shapes(8) == {
        "0": [32, 8, 8], "1": [32, 8, 8], "2": [32, 4, 4], "3": [64, 4, 4], "4": [64, 4, 4], "5": [64, 2, 2]}
    assert m["test_accuracy"] > 0.5                                       # one epoch already learns
    assert set(m["channels_silent_on_the_image"]) == {"1", "4"}
    assert sorted(p.name for p in folder.glob("*")) == ["feature_maps.png", "filters.png", "input.png",
                                                        "metrics.json", "report.html"]
    html = (folder / "report.html").read_text()
    assert html.count("<img") == 3 and "18,496" in html          # the model summary: conv2's parameters


@pytest.mark.skipif(not MNIST.is_dir(), reason=f"the MNIST files are not at {MNIST}")
def test_cnn_features_on_mnist(tmp_path):
    # quick mode: one epoch on 1,000 MNIST images (~6 s)
    m, folder = run_lab("cnn-features", tmp_path, dataset="mnist", data=str(MNIST))
    assert m["dataset"] == "mnist" and m["train_size"] == 1000
    assert_filters_were_learned(m)
    assert m["feature_map_shapes"] == expected_map_shapes(28)
    assert m["test_accuracy"] > 0.6                                       # measured: 0.72 after 16 steps
    assert m["image_label"] == "7"                                        # MNIST's first test image
    assert sorted(p.name for p in folder.glob("*.png")) == ["feature_maps.png", "filters.png", "input.png"]
