"""The ddp lab in quick mode: 1 and 2 processes under DistributedDataParallel, and one process with the large
batch; the 2-process loss curve must be the large-batch one (float32 rounding only)."""
import shutil
import importlib.util

import pytest

from labruns import MNIST, pngs, run_lab

pytestmark = pytest.mark.skipif(shutil.which("mpirun") is None or importlib.util.find_spec("mpi4py") is None,
                                reason="the ddp lab needs Open MPI's mpirun and mpi4py")


@pytest.mark.skipif(not MNIST.is_dir(), reason=f"the MNIST files are not at {MNIST}")
def test_ddp_lab_curves_coincide_with_large_batch_training(tmp_path):
    folder = tmp_path / "ddp"
    m, lines = run_lab("ddp", folder, data=str(MNIST))
    assert pngs(folder) == ["communication.png", "loss_curves.png", "time_per_epoch.png"]
    two = m["2_processes"]
    assert two["steps"] == 1024 // 128 and m["1_processes"]["steps"] == 1024 // 64
    assert two["max_loss_difference_vs_large_batch"] < 1e-5        # the same steps, summed in another order
    assert two["comm_ms_per_step"] > 0 and 0 <= two["exposed_comm_ms_per_step"]
    assert m["1_processes"]["test_accuracy"] > 0.4 and two["test_accuracy"] > 0.4   # it learned (chance: 0.1)
    assert any("largest difference of the loss curves" in line for line in lines)
