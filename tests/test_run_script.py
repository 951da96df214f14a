"""`glasstorch run`: unmodified PyTorch code runs with glasstorch standing in for torch and torchvision."""
import os
import pathlib
import subprocess
import sys

import pytest

import glasstorch
from glasstorch.aliasing import glasstorch_name, run_script, torch_aliases

ROOT = pathlib.Path(__file__).resolve().parent.parent
MNIST = ROOT.parent / "shared" / "data" / "mnist"


def test_names_map_to_glasstorch():
    assert glasstorch_name("torch") == "glasstorch"
    assert glasstorch_name("torch.nn.functional") == "glasstorch.nn.functional"
    assert glasstorch_name("torchvision.transforms") == "glasstorch.vision.transforms"
    assert glasstorch_name("torchtext") is None and glasstorch_name("numpy") is None


def test_imports_inside_the_aliases_are_glasstorch_and_are_undone_after():
    import torch as real_torch  # the test oracle, imported before: it must not answer inside
    with torch_aliases():
        import torch
        import torch.nn.functional as F
        from torch.optim.lr_scheduler import StepLR
        from torch.utils.data import DataLoader
        import torchvision
        from torchvision import transforms
        assert torch is glasstorch and F is glasstorch.nn.functional
        assert StepLR is glasstorch.optim.lr_scheduler.StepLR and DataLoader is glasstorch.utils.data.DataLoader
        assert torchvision is glasstorch.vision and transforms is glasstorch.vision.transforms
        import torch.distributed as dist
        assert dist is glasstorch.distributed
        with pytest.raises(ModuleNotFoundError, match="glasstorch has no torch.distributed.fsdp"):
            import torch.distributed.fsdp  # noqa: F401
    import torch
    assert torch is real_torch and sys.modules["torch"] is real_torch


def test_missing_api_is_named():
    with pytest.raises(AttributeError, match="glasstorch has no torch.fft"):
        glasstorch.fft


@pytest.mark.parametrize("expression, named", [
    # names left out on purpose (FP8 kernels, quantization, the removed DataPipes, video models)
    ("torch.nn.functional.scaled_mm", "torch.nn.functional.scaled_mm"),
    ("torch.nn.quantized", "torch.nn.quantized"),
    ("torch.optim.lr_scheduler.NoSuchScheduler", "torch.optim.lr_scheduler.NoSuchScheduler"),
    ("torch.utils.data.IterDataPipe", "torch.utils.data.IterDataPipe"),
    ("torchvision.models.video", "torchvision.models.video"),
    ("torchvision.datasets.Kinetics", "torchvision.datasets.Kinetics"),
    ("torchvision.transforms.NoSuchTransform", "torchvision.transforms.NoSuchTransform"),
])
def test_missing_api_in_a_submodule_is_named(tmp_path, expression, named):
    # what a PyTorch script reaches for in a submodule and glasstorch lacks: the error says which API it is
    script = tmp_path / "s.py"
    module = expression.rsplit(".", 1)[0]
    script.write_text(f"import {module}\nimport torch, torchvision\nprint({expression})\n")
    with pytest.raises(AttributeError, match=f"glasstorch has no {named} "):
        run_script(str(script), [])


def test_existing_names_are_untouched_by_the_missing_api_hook():
    assert hasattr(glasstorch.nn, "Linear") and not hasattr(glasstorch.nn, "NoSuchLayer")
    assert getattr(glasstorch.optim, "NoSuchOptimizer", None) is None
    with pytest.raises(ImportError, match="scaled_mm"):  # from-imports: Python's own ImportError, naming it
        from glasstorch.nn.functional import scaled_mm  # noqa: F401


def test_run_script_passes_argv_and_runs_as_main(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import sys, torch\n"
                      "if __name__ == '__main__':\n"
                      "    x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                      "    (x * x).sum().backward()\n"
                      "    RESULT = (sys.argv[1:], x.grad.tolist(), torch.__name__)\n")
    namespace = run_script(script, ["--a", "1"])
    assert namespace["RESULT"] == (["--a", "1"], [2.0, 4.0], "glasstorch")


@pytest.mark.skipif(not MNIST.is_dir(), reason=f"the MNIST files are not at {MNIST}")
def test_pytorch_mnist_script_runs_and_learns(tmp_path):
    """The PyTorch-example-style script (argparse, datasets.MNIST(download=True), transforms, DataLoader, a conv
    Net with dropout and log_softmax, nll_loss, Adadelta, StepLR, torch.save) runs unmodified and learns."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "glasstorch", "run", str(ROOT / "tests" / "scripts" / "mnist_pytorch.py"),
                           "--epochs", "1", "--max-batches", "40", "--data", str(MNIST), "--save-model",
                           "--log-interval", "20"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Train Epoch: 1 [0/60000]" in proc.stdout
    accuracy = float(proc.stdout.strip().splitlines()[-1].split()[-1])
    assert accuracy >= 0.85, proc.stdout  # 40 batches of 64 images: far above chance (0.1)
    state = glasstorch.load(tmp_path / "mnist_cnn.pt")
    assert list(state) == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
                           "fc2.weight", "fc2.bias"]


def test_safetensors_torch_api_under_run_is_glasstorchs(tmp_path):
    # safetensors.torch imports torch itself (and would stop at torch.complex64): glasstorch's module with the
    # same names answers for it
    pytest.importorskip("safetensors")
    script = tmp_path / "s.py"
    script.write_text("import torch\nfrom safetensors.torch import save_file, load_file\n"
                      f"save_file({{'w': torch.ones(2, 3)}}, {str(tmp_path / 'w.st')!r})\n"
                      f"RESULT = load_file({str(tmp_path / 'w.st')!r})['w']\n")
    out = run_script(str(script), [])
    assert isinstance(out["RESULT"], glasstorch.Tensor) and out["RESULT"].shape == (2, 3)
