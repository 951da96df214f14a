"""Helpers for the distributed tests (imported by name: pytest puts tests/distributed on sys.path): they
start 2 processes through glasstorch's launcher (which calls mpirun) and read what each rank printed. Without Open MPI and mpi4py they skip, saying so."""
import json
import os
import shutil
import subprocess
import sys
import importlib.util

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def mpi_missing():
    """Why MPI cannot be used here, or None."""
    if shutil.which("mpirun") is None:
        return "Open MPI's mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)"
    if importlib.util.find_spec("mpi4py") is None:
        return "mpi4py is not installed (pip install mpi4py)"
    return None


needs_mpi = pytest.mark.skipif(mpi_missing() is not None, reason=str(mpi_missing()))


def launch(script, *args, nproc=2, via="module", timeout=180, env=None):
    """Run ``script`` on ``nproc`` processes; returns the CompletedProcess (text)."""
    path = script if os.path.isabs(script) else os.path.join(HERE, "scripts", script)
    if via == "cli":
        cmd = [sys.executable, "-m", "glasstorch", "run", "--nproc-per-node", str(nproc), path, *args]
    else:
        cmd = [sys.executable, "-m", "glasstorch.distributed.run", "--nproc-per-node", str(nproc), path, *args]
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (REPO, full_env.get("PYTHONPATH")) if p)
    full_env.update(env or {})
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env, cwd=REPO)


def results(proc, nproc=2):
    """The ``RESULT {json}`` line of each rank, by rank."""
    out = {}
    for line in proc.stdout.splitlines():
        if "RESULT " in line:
            d = json.loads(line.split("RESULT ", 1)[1])
            out[d["rank"]] = d["results"]
    assert sorted(out) == list(range(nproc)), proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def checks_fixture(script, names, nproc=2):
    """A module-scoped fixture: run the worker ``script`` once; its value is {rank: {check: "ok" or error}}.
    Every rank must have run exactly the checks ``names``."""
    @pytest.fixture(scope="module")
    def outcome():
        proc = launch(script, nproc=nproc)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        found = results(proc, nproc)
        assert all(sorted(found[r]) == sorted(names) for r in found), (sorted(found[0]), sorted(names))
        return found
    return outcome
