"""The command line (``glasstorch`` / ``python -m glasstorch``), the backprop demo's numbers, and the
README's example."""
import os
import pathlib
import re
import subprocess
import sys

import pytest

import glasstorch
from glasstorch import cli
from glasstorch.demos import DEMOS, backprop, load

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOL = 1e-4  # autograd (float32) against central differences (float64)


def run_cli(*args):
    """``python -m glasstorch ARGS`` in a fresh interpreter, with this checkout first on the path."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "glasstorch", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, stdin=subprocess.DEVNULL)


# -- the command line -------------------------------------------------------------------------------------
def test_python_m_glasstorch_demo_backprop():
    proc = run_cli("demo", "backprop")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "y.backward() leaves x.grad = 7" in out
    assert "dy/dx = dy/du * du/dx + dy/dv * dv/dx = 1*4 + 1*3 = 7" in out
    assert "numerical:  (y(x+eps) - y(x-eps)) / (2*eps) = 7.000000" in out
    assert "x.grad = [2, 4, 6]" in out
    assert "dh/da = 1 - h**2" in out and "dL/dw1" in out
    assert proc.stderr == ""


def test_python_m_glasstorch_help_and_list():
    proc = run_cli("--help")
    assert proc.returncode == 0 and "usage: glasstorch" in proc.stdout and "demo" in proc.stdout
    proc = run_cli("demo", "--list")
    assert proc.returncode == 0 and "backprop" in proc.stdout


def test_main_in_process(capsys):
    assert cli.main(["demo", "--list"]) == 0
    assert "backprop" in capsys.readouterr().out
    assert cli.main(["demo"]) == 0  # no name: the list, too
    assert "glasstorch demo NAME" in capsys.readouterr().out
    assert cli.main([]) == 0
    assert "usage: glasstorch" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        cli.main(["--version"])
    assert info.value.code == 0 and glasstorch.__version__ in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "no-such-demo"])
    assert info.value.code == 2 and "invalid choice" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        cli.main(["--help"])
    assert info.value.code == 0


def test_demo_registry():
    assert "backprop" in DEMOS
    assert load("backprop") is backprop
    with pytest.raises(KeyError, match="no demo called"):
        load("nope")


def test_console_script_is_declared():
    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^glasstorch = "glasstorch\.cli:main"$', text, re.M)


# -- the demo's numbers -----------------------------------------------------------------------------------
def test_one_input_numbers():
    lines = []
    r = backprop.one_input(lines.append)
    assert r["x"] == 2.0 and r["y"] == 11.0
    assert r["local"] == {"du/dx": 4.0, "dv/dx": 3.0, "dy/du": 1.0, "dy/dv": 1.0}
    assert r["chain_rule"] == 7.0 and r["autograd"] == 7.0
    assert abs(r["numerical"] - 7.0) < TOL
    assert all(isinstance(line, str) for line in lines) and len(lines) > 5


def test_two_layer_net_numbers():
    r = backprop.two_layer_net(lambda line: None)
    for name in ("w1", "b1", "w2", "b2"):
        assert abs(r["chain_rule"][name] - r["autograd"][name]) < TOL, name
        assert abs(r["numerical"][name] - r["autograd"][name]) < TOL, name
    for name in ("a", "h", "z", "e"):
        assert abs(r["intermediate_chain_rule"][name] - r["intermediate_autograd"][name]) < TOL, name
    # the same numbers straight from the formulas
    import math
    x, t, p = r["x"], r["t"], r["params"]
    h = math.tanh(p["w1"] * x + p["b1"])
    e = p["w2"] * h + p["b2"] - t
    assert abs(r["loss"] - e * e) < 1e-6
    assert abs(r["autograd"]["b2"] - 2 * e) < TOL
    assert abs(r["autograd"]["w2"] - 2 * e * h) < TOL
    assert abs(r["autograd"]["b1"] - 2 * e * p["w2"] * (1 - h * h)) < TOL
    assert abs(r["autograd"]["w1"] - 2 * e * p["w2"] * (1 - h * h) * x) < TOL
    assert r["loss_after_step"] < r["loss"]  # a step against the gradient helps


def test_run_returns_all_three_examples():
    lines = []
    r = backprop.run(out=lines.append)
    assert set(r) == {"a", "b", "c"}
    assert r["a"]["autograd"] == 7.0
    assert r["b"]["s"] == 14.0
    assert r["b"]["chain_rule"] == r["b"]["autograd"] == [2.0, 4.0, 6.0]
    assert max(abs(n - a) for n, a in zip(r["b"]["numerical"], r["b"]["autograd"])) < TOL
    assert abs(r["c"]["autograd"]["w1"] - r["c"]["numerical"]["w1"]) < TOL
    assert any("x.grad = [2, 4, 6]" in line for line in lines)


# -- the README -------------------------------------------------------------------------------------------
def _readme():
    return (ROOT / "README.md").read_text()


def test_readme_example_runs(capsys):
    code = re.findall(r"```python\n(.*?)```", _readme(), re.S)[0]
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["x"].grad.item() == 7.0
    assert abs(namespace["w"].item() - 3.0) < 1e-4
    assert capsys.readouterr().out.splitlines() == ["tensor(7.)", "3.0"]


def test_readme_names_the_two_commands():
    text = _readme()
    assert "pip install -e . && glasstorch lab digits" in text
    assert "pip install -e '.[test]' && python -m pytest -q" in text


def test_readme_training_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = re.findall(r"```python\n(.*?)```", _readme(), re.S)[1]
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["loss"].item() < 0.5
    state = glasstorch.load(tmp_path / "digits.pt")
    assert list(state) == ["0.weight", "0.bias", "3.weight", "3.bias"]
