"""What each process started by the launcher (run.py) runs: torchrun's variables from MPI's numbering, then
the script; a failure prints its traceback and ends the whole job.

    mpirun ... python -m glasstorch.distributed._worker [--torch-alias] script.py ARGS
"""
import os
import runpy
import sys
import traceback

from .run import FAILED


def set_rank_variables(environ=os.environ):
    """RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK from Open MPI's OMPI_COMM_WORLD_* variables."""
    rank = int(environ.get("OMPI_COMM_WORLD_RANK", environ.get("PMIX_RANK", 0)))
    size = int(environ.get("OMPI_COMM_WORLD_SIZE", 1))
    local_rank = int(environ.get("OMPI_COMM_WORLD_LOCAL_RANK", 0))
    local_size = int(environ.get("OMPI_COMM_WORLD_LOCAL_SIZE", 1))
    environ.update(RANK=str(rank), WORLD_SIZE=str(size), LOCAL_RANK=str(local_rank),
                   LOCAL_WORLD_SIZE=str(local_size), GROUP_RANK=str(rank // max(1, local_size)),
                   ROLE_RANK=str(rank), ROLE_WORLD_SIZE=str(size))
    return rank


def _abort(rank, error):
    """Tell the launcher which rank failed, then end every process of the job."""
    print(FAILED.format(rank=rank) + error, file=sys.stderr, flush=True)
    sys.stdout.flush()
    if "mpi4py.MPI" in sys.modules:
        sys.modules["mpi4py.MPI"].COMM_WORLD.Abort(1)
    os._exit(1)   # MPI not started yet: a process that exits non-zero also makes mpirun end the job


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    alias = bool(argv) and argv[0] == "--torch-alias"
    if alias:
        argv = argv[1:]
    script, args = argv[0], argv[1:]
    rank = set_rank_variables()
    sys.stdout.reconfigure(line_buffering=True)   # whole lines reach the launcher, each with its rank prefix
    try:
        if alias:
            from ..aliasing import run_script
            run_script(script, args)
        else:
            sys.argv = [script, *args]
            sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
            runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        if e.code not in (None, 0):
            _abort(rank, f"SystemExit({e.code!r})")
        raise
    except BaseException as e:  # noqa: B902 - any failure must end the job, not leave the others waiting
        traceback.print_exc()
        _abort(rank, f"{type(e).__name__}: {e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
