"""Every collective on 2 processes against the single-process NumPy answer (scripts/collectives_worker.py)."""
import pytest

from mpi_helpers import checks_fixture, needs_mpi

CHECKS = ["all_reduce_ops", "all_reduce_bitwise_and_bool", "all_reduce_in_place_views_and_version",
          "all_reduce_float16", "async_all_reduce_work", "broadcast", "reduce", "all_gather",
          "all_gather_into_tensor", "reduce_scatter", "gather_scatter", "all_to_all", "send_recv",
          "isend_irecv_batch", "objects", "groups", "errors"]


outcome = checks_fixture("collectives_worker.py", CHECKS)


@needs_mpi
@pytest.mark.parametrize("name", CHECKS)
def test_collective(outcome, name):
    for rank in (0, 1):
        assert outcome[rank].get(name) == "ok", f"rank {rank}: {outcome[rank].get(name)}"

