"""The launcher: a torchrun script with backend="gloo" runs unmodified under `glasstorch run --nproc-per-node 2`,
output comes with rank prefixes, torchrun's variables are set, and a crashing rank ends the job with its error."""
import json
import os
import time

import pytest

from glasstorch.distributed import run as launcher
from mpi_helpers import launch, needs_mpi


@needs_mpi
def test_torchrun_script_runs_unmodified(tmp_path):
    out = tmp_path / "model.pt"
    proc = launch("torchrun_gloo.py", via="cli", env={"OUT": str(out)})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    lines = [line for line in proc.stdout.splitlines() if "mean loss" in line]
    assert [line.split(" mean")[0] for line in lines] == ["[rank0]: epoch 0", "[rank0]: epoch 1"], proc.stdout
    import glasstorch
    state = glasstorch.load(str(out))
    assert sorted(state) == ["0.bias", "0.weight", "2.bias", "2.weight"]   # model.module's keys, saved by rank 0


@needs_mpi
def test_environment_of_each_rank():
    proc = launch("env_report.py")
    assert proc.returncode == 0, proc.stderr[-2000:]
    envs = {}
    for line in proc.stdout.splitlines():
        prefix, _, rest = line.partition(": ENV ")
        if rest:
            envs[prefix] = json.loads(rest)
    assert sorted(envs) == ["[rank0]", "[rank1]"]
    for r in (0, 1):
        e = envs[f"[rank{r}]"]
        assert (e["RANK"], e["LOCAL_RANK"], e["WORLD_SIZE"], e["LOCAL_WORLD_SIZE"]) == (str(r), str(r), "2", "2")
        assert (e["rank"], e["size"]) == (r, 2)
        assert e["MASTER_ADDR"] == "127.0.0.1" and e["MASTER_PORT"] == "29500"
        if "OMP_NUM_THREADS" not in os.environ:   # torchrun's default: one thread per process
            assert e["OMP_NUM_THREADS"] == "1" and e["threads"] == 1


@needs_mpi
def test_a_crashing_rank_ends_the_job():
    start = time.perf_counter()
    proc = launch("crash.py", timeout=120)
    assert proc.returncode == 1
    assert "[rank1]: ValueError: rank one fails on purpose" in proc.stderr
    assert "rank 1 failed (ValueError: rank one fails on purpose)" in proc.stderr
    assert "rank 0 passed the barrier" not in proc.stdout      # rank 0 was ended, not left waiting
    assert time.perf_counter() - start < 100


def test_mpirun_command_flags(monkeypatch):
    monkeypatch.setattr(launcher.shutil, "which", lambda name: "/usr/bin/mpirun")
    monkeypatch.setattr(launcher.os, "geteuid", lambda: 0)
    monkeypatch.setattr(launcher.os, "cpu_count", lambda: 2)
    env = {"MASTER_ADDR": "h", "OMP_NUM_THREADS": "1"}
    cmd = launcher.mpirun_command("s.py", ["--x", "1"], nproc_per_node=4, env=env, torch_alias=True)
    assert cmd[:3] == ["/usr/bin/mpirun", "-n", "4"]
    assert "--allow-run-as-root" in cmd and "--oversubscribe" in cmd and "--tag-output" in cmd
    assert cmd[cmd.index("--bind-to") + 1] == "none"
    assert [cmd[i + 1] for i, c in enumerate(cmd) if c == "-x"] == ["MASTER_ADDR", "OMP_NUM_THREADS"]
    assert cmd[-5:] == ["glasstorch.distributed._worker", "--torch-alias", "s.py", "--x", "1"]
    multi = launcher.mpirun_command("s.py", [], nproc_per_node=2, nnodes=3, hostfile="hosts", env={})
    assert multi[2] == "6" and multi[multi.index("--hostfile") + 1] == "hosts"
    assert multi[multi.index("--map-by") + 1] == "ppr:2:node" and "--oversubscribe" not in multi
    monkeypatch.setattr(launcher.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install openmpi-bin"):
        launcher.mpirun_command("s.py", [], env={})


def test_worker_sets_torchrun_variables():
    from glasstorch.distributed._worker import set_rank_variables
    env = {"OMPI_COMM_WORLD_RANK": "3", "OMPI_COMM_WORLD_SIZE": "4", "OMPI_COMM_WORLD_LOCAL_RANK": "1",
           "OMPI_COMM_WORLD_LOCAL_SIZE": "2"}
    assert set_rank_variables(env) == 3
    assert (env["RANK"], env["WORLD_SIZE"], env["LOCAL_RANK"], env["LOCAL_WORLD_SIZE"], env["GROUP_RANK"]) == \
        ("3", "4", "1", "2", "1")


def test_glasstorch_run_help_names_the_option():
    from glasstorch.cli import build_parser
    args = build_parser().parse_args(["run", "--nproc-per-node", "2", "train.py", "--lr", "0.1"])
    assert (args.nproc_per_node, args.script, args.args) == (2, "train.py", ["--lr", "0.1"])


@needs_mpi
def test_plain_mpirun_gives_mpis_own_ranks():
    """Started by mpirun directly (no launcher, no RANK variables), the ranks are MPI's."""
    import subprocess
    import sys
    from mpi_helpers import HERE, REPO
    cmd = ["mpirun", "-n", "2", "--oversubscribe", "--bind-to", "none"]
    if os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env["PYTHONPATH"] = REPO
    proc = subprocess.run(cmd + [sys.executable, os.path.join(HERE, "scripts", "env_report.py")], capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    import re   # without the launcher, the two processes' output may interleave within a line
    reports = [json.loads(m) for m in re.findall(r"ENV (\{[^{}]*\})", proc.stdout)]
    assert sorted((r["rank"], r["size"], r["RANK"]) for r in reports) == [(0, 2, None), (1, 2, None)]


@needs_mpi
def test_hostfile_path_on_this_machine(tmp_path):
    """The multi-node path (--hostfile, --nnodes) with a hostfile naming this machine only."""
    hosts = tmp_path / "hosts"
    hosts.write_text("localhost slots=2\n")
    import subprocess
    import sys
    from mpi_helpers import REPO
    proc = subprocess.run([sys.executable, "-m", "glasstorch.distributed.run", "--nproc-per-node", "2", "--nnodes",
                           "1", "--hostfile", str(hosts), os.path.join(REPO, "tests", "distributed", "scripts",
                                                                        "env_report.py")],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count(": ENV ") == 2
