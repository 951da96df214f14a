"""DistributedDataParallel on 2 processes against single-process training (scripts/ddp_worker.py): gradients
equal those of the concatenated batch (float64, 1e-12), three optimizer steps give the same parameters,
no_sync accumulates, unused parameters are handled as PyTorch does, SyncBatchNorm normalizes with the whole
batch's statistics."""
import pytest

from mpi_helpers import checks_fixture, needs_mpi

CHECKS = ["construction_broadcasts_rank0", "gradients_equal_concatenated_batch", "three_steps_equal_single_process",
          "no_sync_accumulates", "find_unused_parameters", "unused_without_detection_raises", "wrapper_api",
          "sync_batchnorm", "sync_batchnorm_numerical_gradient", "sampler_defaults_from_group"]


outcome = checks_fixture("ddp_worker.py", CHECKS)


@needs_mpi
@pytest.mark.parametrize("name", CHECKS)
def test_ddp(outcome, name):
    for rank in (0, 1):
        assert outcome[rank].get(name) == "ok", f"rank {rank}: {outcome[rank].get(name)}"

