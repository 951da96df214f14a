"""The backprop lab: explain_backward's chain rule, autograd and numerical differentiation agree."""
import json
import shutil

import pytest

from glasstorch import cli


def run_backprop(tmp_path, **env):
    lines = []
    folder = tmp_path / "backprop"
    metrics = cli.run_lab("backprop", quick=True, seed=0, out_dir=folder, log=lines.append)
    assert json.loads((folder / "metrics.json").read_text()) == json.loads(json.dumps(metrics))
    return metrics, lines, folder


def test_backprop_lab_agrees_with_numerical_differentiation(tmp_path):
    m, lines, folder = run_backprop(tmp_path)
    for key in ("two_layer_scalar", "mlp_2_3_1"):
        assert m[key]["max_abs_autograd_vs_numerical"] < 1e-6, key
        assert m[key]["max_abs_chain_rule_vs_numerical"] < 1e-6, key
        assert m[key]["max_abs_chain_rule_vs_autograd"] < 1e-12, key
    assert m["two_layer_scalar"]["steps"] == 7
    assert m["mlp_2_3_1"]["steps"] == 6
    report = (folder / "report.html").read_text()
    for text in ("TanhBackward0", "SigmoidBackward0", "dL/dw1", "0.weight", "numerical"):
        assert text in report
    assert (folder / "graph_two_layer_scalar.dot").read_text().startswith("digraph")
    assert (folder / "graph_mlp_2_3_1.dot").exists()
    assert any("TanhBackward0" in line for line in lines)
    if shutil.which("dot"):
        assert m["graph_drawn"]
        assert (folder / "graph_mlp_2_3_1.png").read_bytes()[:4] == b"\x89PNG"
        assert report.count("data:image/png;base64,") == 2
    else:
        assert not m["graph_drawn"] and "install Graphviz" in report


def test_backprop_lab_without_graphviz_saves_dot_and_a_note(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot program on PATH
    m, _, folder = run_backprop(tmp_path)
    assert m["graph_drawn"] is False
    assert not list(folder.glob("*.png")) and len(list(folder.glob("*.dot"))) == 2
    assert "apt-get install graphviz" in (folder / "report.html").read_text()
    assert m["mlp_2_3_1"]["max_abs_autograd_vs_numerical"] < 1e-6
