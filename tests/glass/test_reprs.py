"""Notebook reprs of the instruments and reports: which MIME types each object offers, and what they hold."""
import importlib
import shutil
from collections import OrderedDict

import numpy as np
import pytest

import glasstorch as torch
from glasstorch import glass, metrics, nn

graph_module = importlib.import_module("glasstorch.glass.graph")   # glass.graph itself is the function

PNG = b"\x89PNG\r\n\x1a\n"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


def tiny_cnn():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))


def batch():
    torch.manual_seed(1)
    return torch.randn(4, 1, 6, 6), torch.tensor([0, 1, 2, 1])


def trained_watch(steps=2):
    model = tiny_cnn()
    x, y = batch()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with glass.watch(model, every=1) as w:
        for _ in range(steps):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
    return w


def mime_types(obj):
    """The MIME types IPython's display machinery gets from ``obj`` (what a notebook cell would carry)."""
    formatters = pytest.importorskip("IPython.core.formatters")
    data, _ = formatters.DisplayFormatter().format(obj)
    return set(data)


# -- the autograd graph ------------------------------------------------------------------------------------
def small_graph():
    model = tiny_cnn()
    x, y = batch()
    return glass.graph(nn.functional.cross_entropy(model(x), y), model)


@needs_dot
def test_graph_shows_svg_when_dot_is_installed():
    g = small_graph()
    svg = g._repr_svg_()
    assert isinstance(svg, str) and "<svg" in svg and "3.weight" in svg
    assert g._repr_svg_() is svg                      # drawn once
    assert g._repr_html_() is None                    # else the HTML would be shown instead of the picture


def test_graph_falls_back_to_an_html_table_without_dot(monkeypatch):
    monkeypatch.setattr(graph_module.shutil, "which", lambda name: None)
    g = small_graph()
    assert g._repr_svg_() is None
    page = g._repr_html_()
    assert "dot</code> program was not found" in page and "DOT source" in page
    assert "3.weight" in page and "ConvolutionBackward0" in page and "<td>n4, n5, n6</td>" in page
    assert page.count("<tr>") == len(g.nodes) + 1     # a header and one row per node
    assert "&quot;" in page or '"' not in g.dot       # the DOT text is escaped
    assert mime_types(g) == {"text/plain", "text/html"}


# -- watch records -----------------------------------------------------------------------------------------
def test_watch_png_and_html():
    w = trained_watch()
    assert repr(w).startswith("Watch(Sequential: 2 recorded steps (every 1), last step 1")
    png = w._repr_png_()
    assert png.startswith(PNG) and w._repr_png_() is png        # drawn once per state of the history
    page = w._repr_html_()
    for name in ("<th>layer</th>", "<td>1</td><td>ReLU</td>", "0.weight", "3.bias", "grad norm"):
        assert name in page
    assert '<img src="data:image/png;base64,' in page
    assert {"text/html", "image/png"} <= mime_types(w)


def test_watch_before_any_step_has_tables_and_no_picture():
    model = tiny_cnn()
    w = glass.watch(model)
    try:
        assert w._repr_png_() is None
        page = w._repr_html_()
        assert "0 recorded steps" in page and "<img" not in page and "0.weight" in page
    finally:
        w.close()


def test_watch_repr_draws_outside_pyplot():
    pytest.importorskip("matplotlib")
    import matplotlib
    import matplotlib.pyplot as plt
    backend, figures = matplotlib.get_backend(), plt.get_fignums()
    trained_watch(1)._repr_png_()
    assert matplotlib.get_backend() == backend and plt.get_fignums() == figures


def test_watch_without_gradients_shows_activation_histograms():
    model = tiny_cnn()
    x, _ = batch()
    with glass.watch(model, every=1, what={"activations", "histograms"}) as w:
        model(x)
    assert w._repr_png_().startswith(PNG)


# -- feature maps ------------------------------------------------------------------------------------------
def test_feature_maps_png_and_repr():
    model = tiny_cnn()
    x, _ = batch()
    maps = glass.feature_maps(model, x[0])
    assert isinstance(maps, OrderedDict) and list(maps) == ["0", "1"]
    assert repr(maps) == "FeatureMaps(2 layers: 0 (2, 4, 4), 1 (2, 4, 4))"
    assert maps._repr_png_().startswith(PNG)
    assert "image/png" in mime_types(maps)


def test_feature_maps_without_images_have_no_png():
    model = tiny_cnn()
    x, _ = batch()
    maps = glass.feature_maps(model, x[0], layers=["3"])
    assert maps._repr_png_() is None


# -- confusion matrix and classification report ------------------------------------------------------------
def test_confusion_matrix_is_a_tensor_with_an_html_table():
    cm = metrics.confusion_matrix([0, 1, 1, 2, 2, 2], [0, 1, 0, 2, 2, 1])
    assert isinstance(cm, torch.Tensor) and cm.dtype == torch.int64
    assert cm.tolist() == [[1, 0, 0], [1, 1, 0], [0, 1, 2]]
    assert type(cm + 1) is torch.Tensor                # ops give plain tensors
    assert repr(cm).startswith("tensor([[1, 0, 0],")
    page = cm._repr_html_()
    assert "<th>pred 2</th>" in page and "<th>true 2</th>" in page
    assert "<td><b>2</b></td>" in page and "<td><b>1</b></td>" in page   # the diagonal, bold
    assert page.count("<td>") == 9
    assert "6 examples, 4 on the diagonal" in page
    assert "text/html" in mime_types(cm)


def test_classification_report_is_text_with_an_html_table():
    y, p = [0, 1, 1, 2, 2, 2], [0, 1, 0, 2, 2, 1]
    report = metrics.classification_report(y, p, target_names=["cat", "dog", "<fox>"], digits=2)
    assert isinstance(report, str) and report.splitlines()[0].split() == ["precision", "recall", "f1-score",
                                                                         "support"]
    page = report._repr_html_()
    assert "<th>cat</th>" in page and "<th>&lt;fox&gt;</th>" in page and "<th>macro avg</th>" in page
    assert "<td>0.67</td>" in page                     # the accuracy, 4/6, with digits=2
    assert page.count("<tr>") == 1 + 3 + 3
    pretty = pytest.importorskip("IPython.lib.pretty")
    assert pretty.pretty(report) == str(report)        # plain-text view: the table, not a quoted string
    assert metrics.classification_report(y, p, output_dict=True)["accuracy"] == pytest.approx(4 / 6)


# -- explain_backward and profile --------------------------------------------------------------------------
def test_explanation_and_profile_html():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    page = glass.explain_backward(loss, {"x": x}, out=None)._repr_html_()
    assert "SumBackward0" in page and "MulBackward0" in page and "dL/dx" in page
    with glass.profile() as prof:
        tiny_cnn()(batch()[0]).sum().backward()
    page = prof._repr_html_()
    assert "<th>forward ms</th>" in page and "Linear" in page and "Ops forward:" in page
    assert np.isfinite(len(page))
