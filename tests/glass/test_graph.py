"""glass.graph: the autograd graph behind a tensor as nodes, edges, DOT text and (with Graphviz) a picture."""
import re
import shutil
import sys
import timeit

import numpy as np
import pytest

import glasstorch as torch
from glasstorch import glass, nn

HAS_DOT = shutil.which("dot") is not None


def small_expression():
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    w = nn.Parameter(torch.tensor([0.5, 0.5, -1.0]))
    b = torch.tensor([0.1, 0.2, 0.3], requires_grad=True)
    return (x * w + b).relu().sum(), (x, w, b)


def by_name(g):
    return {n["name"]: n for n in g.nodes}


def test_known_expression_nodes_and_edges():
    out, (x, w, b) = small_expression()
    g = glass.graph(out)
    ops = [n["name"] for n in g.nodes if n["kind"] == "op"]
    leaves = [n["name"] for n in g.nodes if n["kind"] == "leaf"]
    assert ops == ["MulBackward0", "AddBackward0", "ReluBackward0", "SumBackward0"]  # forward order
    assert leaves == ["input0", "param0", "input1"]          # x, w (an nn.Parameter), b, as first used
    assert len(g.edges) == 6
    named = {n["id"]: n["name"] for n in g.nodes}
    edges = sorted((named[a], named[b]) for a, b in g.edges)
    assert edges == sorted([("input0", "MulBackward0"), ("param0", "MulBackward0"), ("MulBackward0", "AddBackward0"),
                            ("input1", "AddBackward0"), ("AddBackward0", "ReluBackward0"),
                            ("ReluBackward0", "SumBackward0")])
    nodes = by_name(g)
    assert nodes["MulBackward0"]["shape"] == (3,) and nodes["MulBackward0"]["dtype"] == "float32"
    assert nodes["SumBackward0"]["shape"] == () and nodes["SumBackward0"]["output"]
    assert nodes["input0"]["shape"] == (3,)
    np.testing.assert_array_equal(nodes["input0"]["value"], x.detach().numpy())
    assert nodes["input0"]["grad"] is None


def test_values_and_gradients_of_small_graphs_are_shown():
    out, (x, w, b) = small_expression()
    out.backward()
    g = glass.graph(out)
    np.testing.assert_array_equal(by_name(g)["param0"]["grad"], w.grad.numpy())
    assert "value [ 1., -2.,  3.]" in g.dot and "grad [0.5, 0. , 0. ]" in g.dot  # x, dL/dx = w·[x·w + b > 0]
    assert "value" not in glass.graph(out, values=False).dot


def test_large_tensors_show_only_their_range():
    x = torch.arange(100.0).requires_grad_()
    g = glass.graph((x * 2).sum())
    assert "value in [0, 99]" in g.dot


def test_module_paths_name_the_parameters_of_an_mlp():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    loss = nn.functional.cross_entropy(model(torch.randn(5, 4)), torch.tensor([0, 1, 0, 1, 1]))
    g = glass.graph(loss, model)
    nodes = by_name(g)
    assert {"0.weight", "0.bias", "2.weight", "2.bias"} <= set(nodes)
    assert nodes["0.weight"]["shape"] == (8, 4) and nodes["2.bias"]["shape"] == (2,)
    linear = [n for n in g.nodes if n["kind"] == "op" and n["shape"] == (5, 8)]
    assert linear, "the first layer's output (5, 8) is recorded on its node"
    named = {n["id"]: n["name"] for n in g.nodes}
    assert any(named[a] == "0.weight" for a, _ in g.edges)
    assert "0.weight\\n(8, 4) float32" in g.dot


def test_named_tensors_by_dict_and_a_leaf_alone():
    a = torch.tensor(2.0, requires_grad=True)
    g = glass.graph(a * a, {"a": a})
    assert [n["name"] for n in g.nodes] == ["a", "MulBackward0"]
    assert len(g.edges) == 2  # a feeds both inputs of the multiplication
    alone = glass.graph(a)
    assert len(alone.nodes) == 1 and alone.edges == [] and alone.nodes[0]["kind"] == "leaf"


def test_dot_text_is_well_formed():
    out, _ = small_expression()
    dot = glass.graph(out).dot
    assert dot.startswith("digraph autograd {") and dot.rstrip().endswith("}")
    declared = set(re.findall(r"^\s+(n\d+) \[label=", dot, flags=re.M))
    used = re.findall(r"^\s+(n\d+) -> (n\d+);", dot, flags=re.M)
    assert len(declared) == 7 and len(used) == 6
    assert all(a in declared and b in declared for a, b in used)
    for label in re.findall(r'label="((?:[^"\\]|\\.)*)"', dot):
        assert '"' not in label.replace('\\"', "")


def test_save_dot_file(tmp_path):
    out, _ = small_expression()
    path = glass.graph(out).save(tmp_path / "g.dot")
    assert open(path).read().startswith("digraph")


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot program is not installed")
def test_svg_and_png_through_graphviz(tmp_path):
    out, _ = small_expression()
    g = glass.graph(out)
    g.save(tmp_path / "g.svg")
    svg = (tmp_path / "g.svg").read_text()
    for label in ("MulBackward0", "AddBackward0", "ReluBackward0", "SumBackward0", "param0", "input1"):
        assert label in svg
    g.save(tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in g._repr_svg_()


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot program is not installed")
def test_graphviz_package_and_plain_dot_draw_the_same_picture(monkeypatch):
    pytest.importorskip("graphviz")
    graph_module = sys.modules["glasstorch.glass.graph"]   # the module (glass.graph is the function)
    out, _ = small_expression()
    g = glass.graph(out)
    source = g.source()                      # the graphviz package's object, as notebooks show it
    assert source.source == g.dot
    through_package = g.render("svg")
    monkeypatch.setattr(graph_module, "graphviz", None)   # as if the package were not installed
    assert g.render("svg") == through_package
    with pytest.raises(ImportError, match="pip install graphviz"):
        g.source()


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot program is not installed")
def test_a_format_graphviz_does_not_know_is_a_clear_error():
    out, _ = small_expression()
    with pytest.raises((RuntimeError, ValueError), match="nosuchformat"):
        glass.graph(out).render("nosuchformat")


def test_missing_dot_program_says_to_install_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without dot
    out, _ = small_expression()
    g = glass.graph(out)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        g.save(tmp_path / "g.png")
    assert g._repr_svg_() is None           # notebooks fall back to the text repr
    g.save(tmp_path / "g.dot")               # DOT text needs nothing
    assert "Graph(4 ops, 3 leaves, 6 edges" in repr(g)


def test_unknown_extension_is_refused(tmp_path):
    out, _ = small_expression()
    with pytest.raises(ValueError, match="format"):
        glass.graph(out).save(tmp_path / "graph")


def test_deep_chain_needs_no_recursion():
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    g = glass.graph(y, values=False)
    assert len(g.nodes) == 3001 and len(g.edges) == 3000


def test_recording_output_meta_is_cheap():
    """Function.apply notes (shape, dtype) on each node for graph(); that line costs a small fraction of the
    cheapest op (timed in isolation, lambda overhead included in both, so it is stable on a loaded machine)."""
    class Ctx:
        pass
    ctx, out = Ctx(), np.zeros((4, 4), np.float32)
    line = min(timeit.repeat(lambda: setattr(ctx, "_output_meta", (out.shape, out.dtype)), number=2000, repeat=5))
    a = torch.randn(4, 4, requires_grad=True)
    op = min(timeit.repeat(lambda: a + a, number=2000, repeat=5))
    assert line < 0.25 * op


def test_ops_built_inside_detect_anomaly_show_their_module():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    x = torch.randn(5, 4)
    with glass.detect_anomaly():                 # notes on every node the module that ran it
        out = model(x)
        loss = out.sum() * 2                     # outside any module
    g = glass.graph(loss, model)
    ops = [n for n in g.nodes if n["kind"] == "op"]
    modules = {n["name"]: n["module"] for n in ops}
    assert [n["module"] for n in ops if n["shape"] == (5, 8)] == ["0 (Linear)", "1 (ReLU)"]
    assert [n["module"] for n in ops if n["shape"] == (5, 2)] == ["2 (Linear)"]
    assert modules["MulBackward0"] is None and modules["SumBackward0"] is None
    assert "in 0 (Linear)" in g.dot and "in 2 (Linear)" in g.dot
    # without model= the outermost module called names them; outside detect_anomaly nothing is known
    assert "in 2 (Linear)" in glass.graph(loss).dot
    assert "\\nin " not in glass.graph(model(x).sum(), model).dot
