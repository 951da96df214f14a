"""The launcher, glasstorch's ``torchrun``: start N processes of a script through ``mpirun``.

    python -m glasstorch.distributed.run --nproc-per-node 2 train.py ARGS      # a glasstorch script
    glasstorch run --nproc-per-node 2 train.py ARGS                           # a torch script, unmodified
    glasstorch run --nproc-per-node 2 --nnodes 2 --hostfile hosts train.py    # two machines

Each process gets torchrun's variables (``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``LOCAL_WORLD_SIZE``,
``GROUP_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``, ``TORCHELASTIC_RUN_ID``), set from MPI's own numbering by
glasstorch/distributed/_worker.py, which then runs the script. Their output is streamed line by line with a
``[rankR]:`` prefix (mpirun's ``--tag-output``, rewritten). A process that raises prints its traceback and
aborts the whole job (``MPI_Abort``): the other ranks end too, and the launcher names the failed rank and
exits with status 1.

Like torchrun, it sets ``OMP_NUM_THREADS=1`` (and OpenBLAS's thread count) for each process when more than
one runs and the variable is not set, so N processes do not each start a thread per core.

Several machines: ``--hostfile FILE`` is handed to mpirun (Open MPI's format, one line per machine,
``node1 slots=2``), with ``--nnodes`` machines and ``--nproc-per-node`` processes on each; every machine needs
the same Python, glasstorch and script at the same path, and password-less ssh from this one (Open MPI starts
the remote processes over ssh). Only the one-machine case is tested here.

Flags added to mpirun: ``--bind-to none`` (torchrun does not pin processes to cores either),
``--oversubscribe`` when more processes than cores are asked for on one machine, and ``--allow-run-as-root``
when run as root (containers), which Open MPI otherwise refuses.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import uuid

FAILED = "glasstorch.distributed.run: rank {rank} failed: "
_TAG = re.compile(r"\[\d+,(\d+)\]<(stdout|stderr)>:")   # mpirun --tag-output: [job,rank]<stream>:
_FAILED = re.compile(r"glasstorch\.distributed\.run: rank (\d+) failed: (.*)")


def build_parser():
    p = argparse.ArgumentParser(prog="python -m glasstorch.distributed.run",
                                description="Start N processes of a script over MPI (glasstorch's torchrun).")
    add_arguments(p)
    p.add_argument("--torch-alias", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("script", help="the Python script")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    return p


def add_arguments(p):
    """The launcher's options (also `glasstorch run`'s)."""
    p.add_argument("--nproc-per-node", "--nproc_per_node", dest="nproc_per_node", type=int, default=None,
                   help="processes on each machine (default 1)")
    p.add_argument("--nnodes", type=int, default=1, help="machines (with --hostfile; default 1)")
    p.add_argument("--hostfile", metavar="FILE", help="Open MPI hostfile naming the machines (multi-node)")
    p.add_argument("--master-addr", "--master_addr", dest="master_addr", default="127.0.0.1",
                   help="MASTER_ADDR for the scripts (MPI does the rendezvous itself)")
    p.add_argument("--master-port", "--master_port", dest="master_port", type=int, default=29500,
                   help="MASTER_PORT for the scripts")


# the variables handed to every process (mpirun -x NAME), where this process's environment has them
EXPORTED = ("MASTER_ADDR", "MASTER_PORT", "TORCHELASTIC_RUN_ID", "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS", "PYTHONPATH", "GLASSTORCH_KERNELS")


def mpirun_command(script, args, nproc_per_node=1, nnodes=1, hostfile=None, torch_alias=False, env=None):
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        raise RuntimeError("mpirun was not found: install Open MPI (apt-get install openmpi-bin libopenmpi-dev) "
                           "and mpi4py (pip install mpi4py)")
    total = nproc_per_node * nnodes
    cmd = [mpirun, "-n", str(total), "--tag-output", "--bind-to", "none"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    if hostfile:
        cmd += ["--hostfile", hostfile, "--map-by", f"ppr:{nproc_per_node}:node"]
    elif total > (os.cpu_count() or 1):
        cmd.append("--oversubscribe")
    env = os.environ if env is None else env
    for name in EXPORTED:
        if name in env:
            cmd += ["-x", name]
    cmd += [sys.executable, "-m", "glasstorch.distributed._worker"]
    if torch_alias:
        cmd.append("--torch-alias")
    return cmd + [script, *args]


def _environment(nproc_per_node, master_addr, master_port, nnodes, err):
    """This process's environment plus what every rank is to see."""
    env = dict(os.environ)
    env.update(MASTER_ADDR=str(master_addr), MASTER_PORT=str(master_port),
               TORCHELASTIC_RUN_ID=env.get("TORCHELASTIC_RUN_ID", uuid.uuid4().hex[:12]))
    if nproc_per_node * nnodes > 1 and "OMP_NUM_THREADS" not in env:
        print("glasstorch.distributed.run: setting OMP_NUM_THREADS=1 for each process (as torchrun does); set "
              "it yourself to use more threads per process", file=err)
        env["OMP_NUM_THREADS"] = "1"
    if "OMP_NUM_THREADS" in env:
        env.setdefault("OPENBLAS_NUM_THREADS", env["OMP_NUM_THREADS"])
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    return env


def launch(script, args=(), nproc_per_node=1, nnodes=1, hostfile=None, master_addr="127.0.0.1", master_port=29500,
           torch_alias=False, out=None, err=None):
    """Run the job; returns its exit status (0 when every rank ended normally)."""
    out = out or sys.stdout
    err = err or sys.stderr
    env = _environment(nproc_per_node, master_addr, master_port, nnodes, err)
    cmd = mpirun_command(script, list(args), nproc_per_node, nnodes, hostfile, torch_alias, env)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                            errors="replace", bufsize=1)
    failures = {}

    partial = {}   # (rank, stream) -> the start of a line mpirun handed over in pieces

    def pump(stream, default):
        for line in stream:
            # a line may hold several tagged pieces (a rank's line can arrive split, its pieces tagged anew)
            parts = _TAG.split(line)
            if parts[0]:
                default.write(parts[0])
                default.flush()
            for rank, which, text in zip(parts[1::3], parts[2::3], parts[3::3]):
                key = (rank, which)
                text = partial.pop(key, "") + text
                if not text.endswith("\n"):
                    if text:
                        partial[key] = text   # the rest of this rank's line comes in a later piece
                    continue
                f = _FAILED.search(text)
                if f:
                    failures.setdefault(int(f.group(1)), f.group(2).strip())
                target = out if which == "stdout" else err
                target.write(f"[rank{rank}]: {text}")
                target.flush()

    readers = [threading.Thread(target=pump, args=(proc.stdout, out), daemon=True),
               threading.Thread(target=pump, args=(proc.stderr, err), daemon=True)]
    for r in readers:
        r.start()
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        code = proc.wait()
    for r in readers:
        r.join()
    for (rank, which), text in partial.items():   # a last line without its newline
        (out if which == "stdout" else err).write(f"[rank{rank}]: {text}\n")
    if code != 0 or failures:
        if failures:
            rank = next(iter(failures))   # the first rank to report a failure
            err.write(f"glasstorch.distributed.run: rank {rank} failed ({failures[rank]}); the job was ended "
                      f"on every rank\n")
        else:
            err.write(f"glasstorch.distributed.run: the job ended with status {code}\n")
        err.flush()
        return 1
    return 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    return launch(args.script, args.args, args.nproc_per_node or 1, args.nnodes, args.hostfile, args.master_addr,
                  args.master_port, torch_alias=args.torch_alias)


if __name__ == "__main__":
    raise SystemExit(main())
