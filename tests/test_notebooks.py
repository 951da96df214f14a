"""A real notebook, run by nbclient in an ipykernel: the glass-box instruments and reports display inline.

The kernel is started from a kernel spec written for this test (the running interpreter, ``sys.executable``,
in a folder on ``JUPYTER_PATH``), so it is the Python that runs the tests whatever ``python`` is on PATH;
``PYTHONPATH`` gets the repository root, so the kernel imports this checkout's glasstorch even where the
package is not installed. Skipped when nbclient, nbformat or ipykernel are not installed.
"""
import json
import os
import pathlib
import shutil
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = pathlib.Path(__file__).resolve().parent.parent
KERNEL = "glasstorch-test"

CELLS = [
    """import glasstorch as torch
from glasstorch import glass, metrics, nn
torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
x, y = torch.randn(8, 1, 6, 6), torch.tensor([0, 1, 2, 1, 0, 2, 1, 0])""",
    "glass.graph(nn.functional.cross_entropy(model(x), y), model)",
    "metrics.confusion_matrix(y, model(x).argmax(1), 3)",
    """opt = torch.optim.SGD(model.parameters(), lr=0.1)
with glass.watch(model, every=1) as w:
    for _ in range(3):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
w""",
    "glass.feature_maps(model, x[0])",
    "metrics.classification_report(y, model(x).argmax(1), target_names=['a', 'b', 'c'])",
]


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    spec = tmp_path / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "glasstorch test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path) + os.pathsep + os.environ.get("JUPYTER_PATH", ""))
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return KERNEL


def run_notebook(kernel_name, cells, cwd):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nbclient.NotebookClient(nb, kernel_name=kernel_name, timeout=120,
                            resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def results(cell):
    """The MIME types of a cell's displayed result."""
    return {key for out in cell.outputs if out.output_type in ("execute_result", "display_data") for key in out.data}


@pytest.mark.parametrize("graphviz", ["as installed", "missing"])
def test_notebook_shows_the_instruments_inline(kernel, tmp_path, monkeypatch, graphviz):
    if graphviz == "missing":   # a PATH with only the interpreter's folder: no dot program for the kernel
        monkeypatch.setenv("PATH", os.path.dirname(sys.executable))
        if shutil.which("dot") is not None:
            pytest.skip("dot sits next to the interpreter")
    nb = run_notebook(kernel, CELLS, tmp_path)
    errors = [out for cell in nb.cells for out in cell.outputs if out.output_type == "error"]
    assert not errors, errors
    graph, confusion, watch, maps, report = (results(cell) for cell in nb.cells[1:])
    if shutil.which("dot") is not None:
        assert graph == {"text/plain", "image/svg+xml"}
        assert "<svg" in nb.cells[1].outputs[0].data["image/svg+xml"]
    else:
        assert graph == {"text/plain", "text/html"}   # the table that stands in for the picture
        assert "DOT source" in nb.cells[1].outputs[0].data["text/html"]
    assert confusion == {"text/plain", "text/html"}
    assert "pred 2" in nb.cells[2].outputs[0].data["text/html"]
    assert {"text/plain", "text/html", "image/png"} <= watch
    assert nb.cells[3].outputs[-1].data["text/plain"].startswith("Watch(Sequential: 3 recorded steps")
    assert {"text/plain", "image/png"} <= maps
    assert report == {"text/plain", "text/html"}
    assert "precision" in nb.cells[5].outputs[0].data["text/plain"]
    nbformat.validate(nb)
