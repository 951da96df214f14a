"""glasstorch.multiprocessing: Python's multiprocessing, with tensors shared between processes.

Everything of Python's ``multiprocessing`` is here under the same name (Process, Queue, SimpleQueue, Pipe,
Pool, Lock, Value, Array, get_context, set_start_method, get_start_method, cpu_count, ...), as in
``torch.multiprocessing``. What glasstorch adds:

- tensors sent between processes (queues, pipes, Pool arguments/results, arguments of a spawned Process)
  arrive as views of the *same shared memory*, not copies: see reductions.py for how (the sender's tensor is
  moved into shared memory in place; its file descriptor is sent, never the values);
- ``tensor.share_memory_()`` / ``module.share_memory()`` put values in shared memory ahead of time, so that
  children started with 'fork' (the Linux default) or 'spawn' all update one copy: the Hogwild pattern

      model.share_memory()
      procs = [mp.Process(target=train, args=(model,)) for _ in range(2)]

- ``spawn(fn, args, nprocs)`` (spawn.py), and the sharing-strategy functions (only 'file_descriptor', the
  strategy PyTorch uses by default on Linux; 'file_system', a named file per tensor, is not provided).

Gradients (``.grad``) are not shared, as in PyTorch: each process computes its own.
"""
import multiprocessing
from multiprocessing import *  # noqa: F401,F403

from .reductions import init_reductions
from .spawn import (spawn, start_processes, ProcessContext, SpawnContext, ProcessException,  # noqa: F401
                    ProcessRaisedException, ProcessExitedException)

__all__ = list(multiprocessing.__all__) + [
    "spawn", "start_processes", "ProcessContext", "SpawnContext", "ProcessException", "ProcessRaisedException",
    "ProcessExitedException", "get_sharing_strategy", "set_sharing_strategy", "get_all_sharing_strategies",
    "init_reductions"]

_sharing_strategy = "file_descriptor"


def get_all_sharing_strategies():
    """The strategies available: only 'file_descriptor' (see the module docstring)."""
    return {"file_descriptor"}


def get_sharing_strategy():
    return _sharing_strategy


def set_sharing_strategy(new_strategy):
    if new_strategy not in get_all_sharing_strategies():
        raise AssertionError(f"sharing strategy {new_strategy!r} is not available in glasstorch "
                             f"(available: {sorted(get_all_sharing_strategies())})")


init_reductions()


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
