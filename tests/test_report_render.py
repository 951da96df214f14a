"""A report page renders in a real browser with every figure present: headless Chromium (Debian's
``chromium``, installed by .ci/run) loads the page, a small script counts the <img> elements that decoded
(naturalWidth > 0) and those that did not, and writes both into the title, which ``--dump-dom`` returns."""
import re
import shutil
import subprocess

import pytest

import glasstorch
from glasstorch import nn
from glasstorch.labs.report import write_report
from glasstorch.labs.runfolder import RunFolder
from glasstorch.train import fit
from glasstorch.utils.data import DataLoader, TensorDataset

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

PROBE = """<script>
window.addEventListener('load', function () {
  var images = Array.from(document.images);
  var ok = images.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length;
  document.title = 'images:' + ok + ' broken:' + (images.length - ok);
});
</script></body>"""


def _render(page, tmp_path):
    """(decoded images, broken images) of ``page`` as Chromium renders it."""
    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE), encoding="utf-8")
    result = subprocess.run([CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000",
                             "--dump-dom", probed.as_uri()],
                            capture_output=True, text=True, timeout=120)
    found = re.search(r"<title>images:(\d+) broken:(\d+)</title>", result.stdout)
    assert found, f"Chromium gave no result (exit {result.returncode}): {result.stderr[-2000:]}"
    return int(found.group(1)), int(found.group(2))


def _fit_report(tmp_path):
    glasstorch.manual_seed(0)
    X = glasstorch.randn(32, 5)
    y = (X[:, 0] > 0).long()
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2))
    loader = DataLoader(TensorDataset(X, y), batch_size=8, shuffle=True)
    run = RunFolder(tmp_path / "run")
    fit(model, loader, loader, loss_fn=nn.CrossEntropyLoss(), metrics=["accuracy"], epochs=2, quiet=True,
        optimizer=glasstorch.optim.SGD(model.parameters(), lr=0.1), run_dir=run)
    with run.figure("weights.png", figsize=(3, 2)) as fig:   # a second figure, drawn by hand
        fig.gca().imshow(model[0].weight.detach().numpy())
    return write_report(run, "fit report", {"note": "rendered by Chromium"}, models={"classifier": model}), model


def test_report_page_is_self_contained(tmp_path):
    page, _ = _fit_report(tmp_path)
    text = page.read_text(encoding="utf-8")
    assert text.count("<img") == 2 and text.count("src='data:image/png;base64,") == 2
    assert "Model: classifier" in text and "Total params: 66" in text
    assert "src='http" not in text and "src=\"http" not in text and "<link" not in text


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get install chromium)")
def test_report_renders_in_chromium_with_every_figure(tmp_path):
    page, _ = _fit_report(tmp_path)
    figures = [p for p in (tmp_path / "run").iterdir() if p.suffix == ".png"]
    assert len(figures) == 2
    assert _render(page, tmp_path) == (2, 0)


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get install chromium)")
def test_probe_sees_a_broken_figure(tmp_path):
    """The check has teeth: a figure whose data is not an image is counted as broken."""
    page, _ = _fit_report(tmp_path)
    text = page.read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(text.replace("src='data:image/png;base64,", "src='data:image/png;base64,AAAA", 1),
                      encoding="utf-8")
    assert _render(broken, tmp_path) == (1, 1)
