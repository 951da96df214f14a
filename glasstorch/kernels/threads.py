"""Both cores for one pass: split a loop's range into chunks and run them on a small pool of threads.

A kernel here is a numba function compiled with ``nogil=True`` that takes ``(start, stop, *arrays)`` and does
its loop for the rows ``start <= i < stop`` (rows: samples, or (sample, channel) planes). ``parallel_for``
cuts ``range(n)`` into one chunk per thread, hands all chunks but the first to the pool and runs the first
itself; numba releases the GIL, so the chunks run at the same time on different cores. This is the whole of
glasstorch's threading: no thread-pool library, no nested parallelism, safe to call from several Python
threads at once and in a forked DataLoader worker (a child process makes its own pool).

The thread count is ``glasstorch.get_num_threads()`` (``set_num_threads`` changes it), which defaults to the
cores this process may use.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

_pool = {"pid": None, "executor": None, "size": 0}
_lock = threading.Lock()


def num_threads():
    from ..settings import get_num_threads
    return get_num_threads()


def _executor(size):
    """The pool of ``size`` worker threads for this process (a forked child builds its own)."""
    with _lock:
        if _pool["pid"] != os.getpid() or _pool["size"] < size:
            _pool.update(pid=os.getpid(), size=size,
                         executor=ThreadPoolExecutor(max_workers=size, thread_name_prefix="glasstorch-kernel"))
        return _pool["executor"]


def chunks(n, parts):
    """``range(n)`` cut into at most ``parts`` contiguous (start, stop) pieces of near-equal size."""
    parts = max(1, min(parts, n))
    bounds = [n * k // parts for k in range(parts + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(parts)]


def parallel_for(kernel, n, *args, min_rows=1):
    """Run ``kernel(start, stop, *args)`` over ``range(n)`` split between the threads; returns when all are done.

    With one thread, or fewer than ``2·min_rows`` rows, the kernel runs once over the whole range in this thread
    (the hand-off costs some tens of microseconds: not worth it for small passes).
    """
    threads = num_threads()
    parts = min(threads, n // max(1, min_rows))
    if parts <= 1:
        kernel(0, n, *args)
        return
    pieces = chunks(n, parts)
    pool = _executor(threads - 1)
    futures = [pool.submit(kernel, a, b, *args) for a, b in pieces[1:]]
    kernel(*pieces[0], *args)
    for f in futures:
        f.result()   # re-raises a worker's exception here


def drop_stale_cache(module_file, *helper_files):
    """Clear numba's on-disk cache of ``module_file``'s kernels when a helper file they inline has changed.

    numba keys a cached kernel by the stamp (time, size) of the file that defines it only, so a kernel that
    inlines a helper from another file (kernels/rows.py) would go on running the old helper's code after only
    that file changed. Called at the import of such a module: the helpers' stamps are recorded beside the
    cache, and when they differ, the module's cached kernels are deleted (numba compiles them again)."""
    import glob
    folder = os.path.join(os.path.dirname(os.path.abspath(module_file)), "__pycache__")
    stem = os.path.splitext(os.path.basename(module_file))[0]
    try:
        stamp = " ".join(f"{os.stat(h).st_mtime_ns}:{os.stat(h).st_size}" for h in helper_files)
        record = os.path.join(folder, f"{stem}.helpers.stamp")
        if os.path.exists(record) and open(record).read() == stamp:
            return False
        for cached in glob.glob(os.path.join(folder, f"{stem}.*.nb[ci]")):
            os.remove(cached)
        os.makedirs(folder, exist_ok=True)
        with open(record, "w") as f:
            f.write(stamp)
        return True
    except OSError:   # a read-only install: numba then caches elsewhere or not at all
        return False
