"""glasstorch.distributed in one process: what works without a launcher, and the errors PyTorch gives."""
import subprocess
import sys

import pytest

import glasstorch
import glasstorch.distributed as dist
from glasstorch import nn
from mpi_helpers import REPO, needs_mpi


def run_python(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)


def test_api_without_a_group():
    assert dist.is_available() and not dist.is_initialized() and not dist.is_nccl_available()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.get_rank()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.all_reduce(glasstorch.ones(1))
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    assert dist.ReduceOp.SUM is dist.reduce_op.SUM
    assert dist.Backend("GLOO") == dist.Backend.GLOO == "gloo"


def test_importing_does_not_start_mpi():
    proc = run_python("import sys, glasstorch.distributed, glasstorch.nn.parallel; "
                      "print('mpi4py.MPI' in sys.modules)")
    assert proc.returncode == 0 and proc.stdout.strip() == "False", proc.stderr


@needs_mpi
def test_a_group_of_one_process():
    proc = run_python(
        "import glasstorch as torch, glasstorch.distributed as dist\n"
        "dist.init_process_group('gloo', init_method='tcp://127.0.0.1:23456', rank=0, world_size=1)\n"
        "t = torch.arange(3.); dist.all_reduce(t); dist.broadcast(t, 0)\n"
        "m = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(3, 1))\n"
        "m(t).sum().backward()\n"
        "print(dist.get_rank(), dist.get_world_size(), t.tolist(), m.module.weight.grad.tolist())\n"
        "dist.destroy_process_group()\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["0", "1", "[0.0,", "1.0,", "2.0]", "[[0.0,", "1.0,", "2.0]]"]


@needs_mpi
@pytest.mark.parametrize("call, message", [
    ("dist.init_process_group('nccl')", "doesn't have NCCL built in"),
    ("dist.init_process_group('gloo', rank=0, world_size=2)", "glasstorch run --nproc-per-node 2"),
    ("dist.init_process_group('gloo', rank=1, world_size=1)", "rank is 1 but MPI numbers this process 0"),
    ("dist.init_process_group('smoke')", "Invalid backend"),
])
def test_init_errors(call, message):
    proc = run_python(f"import glasstorch.distributed as dist\n{call}\n")
    assert proc.returncode != 0 and message in proc.stderr, proc.stderr[-1500:]


def test_elastic_record_decorator_passes_through():
    from glasstorch.distributed.elastic.multiprocessing.errors import record

    @record
    def main(x):
        return x + 1
    assert main(1) == 2 and record()(main) is main
