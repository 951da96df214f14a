"""`glasstorch run --watch script.py`: an unmodified PyTorch script runs with every model it trains watched,
and a report is written when it ends."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

from glasstorch.glass.script_watch import watch_script
from glasstorch.nn.modules.module import Module

ROOT = pathlib.Path(__file__).resolve().parents[2]
MNIST = ROOT.parent / "shared" / "data" / "mnist"

SCRIPT = '''
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))

if __name__ == "__main__":
    torch.manual_seed(0)
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(32, 4)
    y = (x[:, 0] > 0).long()
    for step in range(STEPS):
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        print("accuracy", (model(x).argmax(1) == y).float().mean().item())
    FAIL
'''


def write_script(tmp_path, steps=12, fail=False):
    path = tmp_path / "train.py"
    path.write_text(SCRIPT.replace("STEPS", str(steps)).replace("FAIL", "raise ValueError('boom')" if fail else ""))
    return path


def test_the_trained_model_is_watched_and_reported(tmp_path):
    original = Module.__call__
    lines = []
    run_dir = watch_script(write_script(tmp_path), out_dir=tmp_path / "out", every=3, log=lines.append)
    assert Module.__call__ is original                      # the plain call is back: no cost afterwards
    m = json.loads((run_dir.path / "metrics.json").read_text())
    assert list(m["models"]) == ["Net"]                     # the loss module (no parameters) is not watched
    net = m["models"]["Net"]
    assert net["steps"] == [0, 3, 6, 9]                     # 12 training steps, every 3rd; eval pass not counted
    assert list(net["layers"]) == ["fc1", "act", "fc2"]
    assert len(net["params"]["fc1.weight"]["grad_norm"]) == 4
    assert all(g > 0 for g in net["params"]["fc2.bias"]["grad_norm"])
    assert "dead" in net["layers"]["act"]
    page = (run_dir.path / "report.html").read_text()
    pngs = sorted(p.name for p in run_dir.path.glob("*.png"))
    assert pngs == ["Net_activation_histograms.png", "Net_dead_units.png", "Net_gradient_flow.png"]
    assert page.count("<img") == 3 and "accuracy" in page and "fc1.weight" in page
    assert "run --watch" in page and "Net" in lines[-1]
    # the command shown is the whole command line, --every and --out included
    assert f"glasstorch run --watch --every 3 --out {tmp_path / 'out'} {tmp_path / 'train.py'}" in page
    watch_script(write_script(tmp_path, steps=2), out_dir=tmp_path / "out2", log=lambda s: None,
                 command="my own words")
    assert "<code>my own words</code>" in (tmp_path / "out2" / "report.html").read_text()


DEAD_SCRIPT = '''
import torch
from torch import nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
with torch.no_grad():
    model[0].weight.zero_()
    model[0].bias.fill_(-1.0)       # every pre-activation is -1: the ReLU is dead and gets no gradient
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
for step in range(7):
    opt.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    opt.step()
print("done")
'''


def test_the_run_watch_command_line_on_a_tiny_script(tmp_path, capsys):
    from glasstorch import cli
    script = tmp_path / "dead.py"
    script.write_text(DEAD_SCRIPT)
    d = tmp_path / "report"
    assert cli.main(["run", "--watch", "--every", "3", "--out", str(d), str(script)]) == 0
    assert (d / "report.html").exists() and (d / "metrics.json").exists()
    net = json.loads((d / "metrics.json").read_text())["models"]["Sequential"]
    assert net["steps"] == [0, 3, 6]                         # 7 steps, every 3rd recorded
    assert net["layers"]["1"]["dead"] == [1.0, 1.0, 1.0]     # the ReLU, 100% dead on every recorded step
    page = (d / "report.html").read_text()
    relu_row = [line.split() for line in page.splitlines() if line.split()[:2] == ["1", "ReLU"]]
    assert relu_row and relu_row[0][-1] == "100.0%"            # the per-layer table's dead column
    assert "done" in page and f"--every 3 --out {d}" in page


def test_a_failing_script_still_gets_its_report_and_the_error_goes_on(tmp_path):
    original = Module.__call__
    with pytest.raises(ValueError, match="boom"):
        watch_script(write_script(tmp_path, fail=True), out_dir=tmp_path / "out", every=2, log=lambda s: None)
    assert Module.__call__ is original
    m = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert m["error"] == "ValueError: boom" and "Net" in m["models"]
    assert (tmp_path / "out" / "report.html").exists()


@pytest.mark.skipif(not MNIST.is_dir(), reason=f"the MNIST files are not at {MNIST}")
def test_run_watch_on_the_pytorch_mnist_script(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "glasstorch", "run", "--watch", "--every", "5", "--out",
                           str(tmp_path / "report"), str(ROOT / "tests" / "scripts" / "mnist_pytorch.py"),
                           "--epochs", "1", "--max-batches", "20", "--data", str(MNIST), "--log-interval", "10"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    m = json.loads((tmp_path / "report" / "metrics.json").read_text())
    net = m["models"]["Net"]
    assert net["steps"] == [0, 5, 10, 15]
    assert {"conv1", "conv2", "fc1", "fc2"} <= set(net["layers"])
    assert set(net["params"]) == {"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
                                  "fc2.weight", "fc2.bias"}
    page = (tmp_path / "report" / "report.html").read_text()
    # the script applies F.relu, not nn.ReLU modules: nothing for the dead-units figure, and the page says so
    assert page.count("<img") == 2 and "Train Epoch: 1" in page and "no dead-units figure" in page
