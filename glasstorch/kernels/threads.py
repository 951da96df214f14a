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
import contextlib
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


# the thread-count controls of the OpenBLAS libraries this process loaded (see blas_one_thread)
_blas = {"pid": None, "controls": (), "depth": 0, "saved": ()}
_blas_lock = threading.Lock()


def _openblas_controls():
    """((get, set) of ``openblas_get/set_num_threads``, ...) for every OpenBLAS this process loaded, looked up once
    per process; () when NumPy's BLAS is not OpenBLAS or the libraries cannot be inspected."""
    if _blas["pid"] != os.getpid():
        import ctypes
        controls = []
        try:
            import numpy as np
            import threadpoolctl
            numpy_blas = str(np.__config__.CONFIG["Build Dependencies"]["blas"].get("name", ""))
            infos = threadpoolctl.threadpool_info() if "openblas" in numpy_blas.lower() else []
        except Exception:   # no threadpoolctl, or a NumPy that does not say its BLAS: leave BLAS alone
            infos = []
        for info in infos:
            if info.get("internal_api") != "openblas":
                continue
            try:
                lib = ctypes.CDLL(info["filepath"])
            except OSError:
                continue
            for prefix in ("", "scipy_"):          # NumPy's wheels rename the symbols: scipy_openblas_..._64_
                for suffix in ("", "64_"):
                    get = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
                    put = getattr(lib, f"{prefix}openblas_set_num_threads{suffix}", None)
                    if get is not None and put is not None:
                        get.restype, put.argtypes = ctypes.c_int, [ctypes.c_int]
                        controls.append((get, put))
                        break
                else:
                    continue
                break
        _blas.update(pid=os.getpid(), controls=tuple(controls), depth=0, saved=())
    return _blas["controls"]


def can_run_blas_in_threads():
    """True when ``blas_one_thread`` can really make BLAS single-threaded (NumPy's BLAS is an OpenBLAS it found)."""
    return bool(_openblas_controls())


@contextlib.contextmanager
def blas_one_thread():
    """A block in which OpenBLAS runs every product in the calling thread, alone (``openblas_set_num_threads(1)``),
    so that each of ``parallel_for``'s threads can run its own products on its own core, without BLAS's threads
    competing for the cores. Nested and concurrent blocks share one setting: the first in saves BLAS's thread
    counts, the last out puts them back. (A ``set_num_threads`` made in another thread during the block is undone
    at its end.) The setting is process-wide: a product another thread runs meanwhile runs on one thread too."""
    controls = _openblas_controls()
    with _blas_lock:
        if _blas["depth"] == 0:
            _blas["saved"] = tuple(get() for get, _ in controls)
            for _, put in controls:
                put(1)
        _blas["depth"] += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas["depth"] -= 1
            if _blas["depth"] == 0:
                for (_, put), count in zip(controls, _blas["saved"]):
                    put(count)


# OpenBLAS's idle threads spin for 2**BLAS_WAIT_EXPONENT clock ticks before they sleep (see share_cores_with_blas)
BLAS_WAIT_EXPONENT = 20


def share_cores_with_blas(exponent=BLAS_WAIT_EXPONENT):
    """Make OpenBLAS's idle threads go to sleep after ~0.4 ms instead of spinning for ~0.1 s.

    After each matrix product, OpenBLAS's worker threads keep polling for the next one for 2**28 clock ticks
    (about 0.1 s here) before they sleep. In a training step the next thing to run is often a kernel of this
    file, whose chunks then share the cores with a thread that only spins: with 2 cores, the 3 runnable
    threads (the main one, the pool's, BLAS's) slow each other down. Measured on the course's CNN step (2 cores,
    the same process switched back and forth): 28.5 -> 25.5 ms, ImprovedCNN 47.4 -> 40.6 ms, the CNN's eval
    pass 159 -> 141 ms; the MLP, LSTM and ViT steps (many small products in a row, which a short wait makes
    wake a sleeping thread) within their noise. 2**20 ticks is about libgomp's own default spin before
    sleeping (PyTorch's threads).

    How: OpenBLAS reads ``OPENBLAS_THREAD_TIMEOUT`` when its thread pool starts, so this sets it, has OpenBLAS
    read its environment again (``openblas_read_env``) and restarts the pool (``blas_thread_shutdown_``, then
    ``blas_thread_init``): all three are exported functions of every OpenBLAS build. Called once, at import
    (glasstorch/kernels/__init__.py), before any other thread runs. Nothing is done when the user set
    ``OPENBLAS_THREAD_TIMEOUT`` (their value stands), when ``GLASSTORCH_BLAS_WAIT=default`` is set, or when
    NumPy's BLAS is not OpenBLAS. Returns the number of BLAS libraries changed.
    """
    import ctypes
    if "OPENBLAS_THREAD_TIMEOUT" in os.environ or os.environ.get("GLASSTORCH_BLAS_WAIT", "") == "default":
        return 0
    try:
        import threadpoolctl
        libraries = [info["filepath"] for info in threadpoolctl.threadpool_info()
                     if info.get("internal_api") == "openblas"]
    except Exception:   # threadpoolctl missing or unable to inspect this process: leave BLAS as it is
        return 0
    changed = 0
    os.environ["OPENBLAS_THREAD_TIMEOUT"] = str(exponent)
    try:
        for path in libraries:
            try:
                blas = ctypes.CDLL(path)
                read_env, stop, start = blas.openblas_read_env, blas.blas_thread_shutdown_, blas.blas_thread_init
            except (OSError, AttributeError):
                continue
            read_env()
            stop()
            start()
            changed += 1
    finally:
        del os.environ["OPENBLAS_THREAD_TIMEOUT"]   # the process's environment stays as it was
    return changed


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
