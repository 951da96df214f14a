"""Both cores for one pass: split a loop's range into chunks and run them on a small pool of threads.

A kernel here is a numba function compiled with ``nogil=True`` that takes ``(start, stop, *arrays)`` and does
its loop for the rows ``start <= i < stop`` (rows: samples, or (sample, channel) planes). ``parallel_for``
cuts ``range(n)`` into one chunk per thread, hands all chunks but the first to the pool and runs the first
itself; numba releases the GIL, so the chunks run at the same time on different cores. This is the whole of
glasstorch's threading: no thread-pool library, no nested parallelism (a kernel that calls ``parallel_for``
itself, or a second Python thread calling it while the pool is busy, runs its loop in its own thread), and a
forked DataLoader worker makes its own pool.

The hand-off: each pool thread has a task slot, two locks and two counters in shared memory (tasks handed to it,
tasks it finished). The caller fills the slot, releases the thread's "go" lock and counts the task; the thread,
when done, releases its "done" lock and counts that. A thread asleep on a lock takes tens of microseconds to run
again once woken (80 us median measured here, both ways: 0.16 ms a pass); so both sides first look at the
counter for a while (``SPIN_SECONDS``, without the GIL, yielding the core between looks: kernels/spin.py), and
only then sleep on the lock. The locks are what makes it correct (each is released once and acquired once per
task); the counters only make it fast. Each counter is written with the GIL free (inside the compiled spin), so
the thread that sees it can take the GIL at once: a thread that finds the GIL taken sleeps too.

Measured (2 cores, a numba kernel, against the ThreadPoolExecutor this replaced): an empty pass 86 -> 19 us, two
halves of 30 us each 146 -> 90 us; whole steps, processes alternated, CNN 18.2 -> 16.2 ms and ImprovedCNN 33.5
-> 29.3 ms together with the compiled per-thread convolution parts (kernels/conv.py). What is left of the
hand-off is mostly the GIL: when both threads finish at once, one of them waits asleep for it.

BLAS's products run on this pool too, when NumPy's BLAS is an OpenBLAS that takes a threads callback
(blas_pool.py): a thread waiting for its next task also runs the pieces of products posted to it.
The thread count is ``glasstorch.get_num_threads()`` (``set_num_threads`` changes it), which defaults to the
cores this process may use.
"""
import contextlib
import os
import threading

import numpy as np

# how long a pool thread (and the caller) look for the next hand-off before they sleep on its lock; about
# libgomp's own spin before sleeping (PyTorch's threads) and OpenBLAS's here (BLAS_WAIT_EXPONENT below)
SPIN_SECONDS = 2e-4

# how long a pool thread that also runs BLAS's pieces (blas_pool.py) looks for the next task or piece before it
# sleeps. With SPIN_SECONDS instead, the MLP step measured 1.26x slower: its products come further apart than 0.2 ms,
# and a piece for a sleeping thread takes the slow road (blas_pool.py). A thread that went to sleep also costs the
# next product dearly on this (virtual) machine: a 3136x64x192 product took 313 us right after another, 415 us after
# 0.5 ms with nothing to do, 487 us after 3 ms. 2 ms instead of 0.4 ms (the same process switched back and forth, 8
# rounds, median): tiny ViT step 0.94-0.98x (0.79-0.81x in a slow phase of the machine), CNN 0.945x. The look
# yields the core between looks (spin.py), so the wait takes nothing from a thread that has work.
SERVE_SECONDS = 2e-3

# after handing a piece over, the caller waits this long (without the GIL) before it runs its own piece: the
# worker's call into its kernel needs the GIL for a few microseconds, and a thread that finds the GIL taken
# sleeps until it is given back (tens of microseconds here)
GIL_GRACE_SECONDS = 5e-6

_pool = {"pid": None, "pool": None}
_lock = threading.Lock()


_settings = []   # glasstorch.settings, once this file first needs it (it is not loaded yet when this file is)


def num_threads():
    """``glasstorch.get_num_threads()``, read without an import statement per call (parallel_for's every pass)."""
    if not _settings:
        from .. import settings
        _settings.append(settings)
    return _settings[0].get_num_threads()


class _Worker:
    """One pool thread: runs the task in its slot each time its "go" lock is released, then releases "done"."""

    def __init__(self, pool, k):
        # its counters, on separate cache lines: tasks handed over, tasks finished
        self.pool, self.go_at, self.done_at, self.slot = pool, 16 * k, 16 * k + 8, k
        self.go, self.done = threading.Lock(), threading.Lock()
        self.go.acquire()
        self.done.acquire()
        self.task, self.error, self.sent = None, None, 0
        threading.Thread(target=self._run, name=f"glasstorch-kernel-{k}", daemon=True).start()

    def _run(self):
        flags, spin = self.pool.flags, self.pool.spin
        finished = 0
        if spin is not None:
            self._spin(flags, self.done_at, 0, self.go_at, 1)
        while True:
            self.go.acquire()                    # at once when the caller already released it
            kernel, start, stop, args = self.task
            self.task = None
            try:
                kernel(start, stop, *args)
            except BaseException as e:           # handed to the caller, which raises it
                self.error = e
            del kernel, args
            finished += 1
            self.done.release()
            if spin is not None:                 # count it done (without the GIL), then look for the next task
                self._spin(flags, self.done_at, finished, self.go_at, finished + 1)

    def _spin(self, flags, set_index, set_value, index, value):
        """flags[set_index] = set_value, then look for flags[index] == value a while; meanwhile run the pieces of
        BLAS's products posted to this thread, when BLAS runs on this pool (blas_pool.py)."""
        serve = self.pool.blas.serving_spin() if self.pool.blas is not None else None
        if serve is None:
            self.pool.spin.set_and_spin(flags, set_index, set_value, index, value, self.pool.rounds)
        else:
            serve(self.slot, flags, set_index, set_value, index, value, self.pool.serve_rounds)


class _Pool:
    def __init__(self, size):
        try:
            from . import spin
            look = spin.round_seconds()
            self.spin, self.rounds, self.grace = spin, max(1, int(SPIN_SECONDS / look)), int(GIL_GRACE_SECONDS / look)
            from . import blas_pool      # BLAS's products on these threads too (blas_pool.py)
            self.blas, self.serve_rounds = blas_pool, max(1, int(SERVE_SECONDS / look))
        except Exception:   # no numba: the locks alone (correct, only slower to hand over), BLAS on its own threads
            self.spin, self.rounds, self.grace, self.blas = None, 0, 0, None
        self.pid, self.size, self.busy = os.getpid(), size, threading.Lock()
        self.flags = np.zeros(16 * size + 8, np.int64)   # the last slot never changes (spun on to wait a little)
        self.workers = [_Worker(self, k) for k in range(size)]


def _get_pool(size):
    """The pool of ``size`` worker threads for this process (a forked child builds its own; a bigger count makes
    a new pool, and the old one's threads stay asleep)."""
    with _lock:
        pool = _pool["pool"]
        if pool is None or _pool["pid"] != os.getpid() or pool.size < size:
            pool = _Pool(size)
            _pool.update(pid=os.getpid(), pool=pool)
            started = True
        else:
            started = False
    if started and pool.blas is not None:
        pool.blas.install()                  # BLAS's products on this pool too (once per process)
    return pool


def chunks(n, parts):
    """``range(n)`` cut into at most ``parts`` contiguous (start, stop) pieces of near-equal size."""
    parts = max(1, min(parts, n))
    bounds = [n * k // parts for k in range(parts + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(parts)]


def start_pool():
    """Start the pool now when there is more than one thread, so that OpenBLAS's products run on it (blas_pool.py)
    from the first kernel on, also in a model none of whose own passes is big enough to split (the MLP step, the
    LSTM's). Called by ``kernels.wants`` when a kernel is first taken. Measured with the pool started this way
    against OpenBLAS's own threads (the same process switched back and forth): MLP step 0.93x, LSTM step 0.97x,
    MLP eval 1.00x."""
    threads = num_threads()
    if threads > 1:
        _get_pool(threads - 1)


def run_together(kernel, n, *args):
    """Run ``kernel(i, i + 1, *args)`` for every i < n *at the same time*, one per thread (i = 0 in this one), for
    work whose pieces wait for each other (BLAS's, blas_pool.py); returns False, having run nothing, when the pool
    is busy."""
    pool = _get_pool(n - 1)
    if not pool.busy.acquire(blocking=False):
        return False
    try:
        _hand_out(pool, kernel, [(i, i + 1) for i in range(n)], args)
    finally:
        pool.busy.release()
    return True


def parallel_for(kernel, n, *args, min_rows=1):
    """Run ``kernel(start, stop, *args)`` over ``range(n)`` split between the threads; returns when all are done.

    With one thread, or fewer than ``2·min_rows`` rows, the kernel runs once over the whole range in this thread
    (the hand-off costs some microseconds: not worth it for small passes); so it does when the pool is already
    busy (another Python thread's pass, or a kernel calling this from inside the pool).
    """
    if n < 2 * min_rows:                 # too small to split, whatever the thread count
        kernel(0, n, *args)
        return
    threads = num_threads()
    parts = min(threads, n // max(1, min_rows))
    if parts <= 1:
        kernel(0, n, *args)
        return
    pool = _get_pool(threads - 1)
    if not pool.busy.acquire(blocking=False):
        kernel(0, n, *args)
        return
    try:
        _hand_out(pool, kernel, chunks(n, parts), args)
    finally:
        pool.busy.release()


def _hand_out(pool, kernel, pieces, args):
    """Run ``kernel(a, b, *args)`` for each (a, b) of pieces: the first here, the others on the pool's threads
    (the caller holds pool.busy); returns when all are done."""
    used = pool.workers[:len(pieces) - 1]
    flags, spin = pool.flags, pool.spin
    for worker, (a, b) in zip(used, pieces[1:]):
        worker.task, worker.error = (kernel, a, b, args), None
        worker.sent += 1
        worker.go.release()                      # wakes it if it sleeps ...
        if spin is not None:  # ... this is what it sees if it is still looking: counted with the GIL already
            # free, so that the worker takes the GIL at once; then a short wait without it (GIL_GRACE_SECONDS)
            spin.set_and_spin(flags, worker.go_at, worker.sent, len(flags) - 1, 1, pool.grace)
    try:
        kernel(*pieces[0], *args)
    finally:                                     # the workers use the arrays: wait for them even after an error
        for worker in used:
            if spin is not None:
                spin.spin_until(flags, worker.done_at, worker.sent, pool.rounds)
            worker.done.acquire()
    for worker in used:
        if worker.error is not None:
            error, worker.error = worker.error, None
            raise error                          # re-raises a worker's exception here


# the thread-count controls of the OpenBLAS libraries this process loaded (see blas_one_thread)
_blas = {"pid": None, "controls": (), "depth": 0, "saved": ()}
_blas_lock = threading.Lock()


def _openblas_libraries():
    """Every OpenBLAS library this process loaded, opened with ctypes ([] when threadpoolctl cannot say)."""
    import ctypes
    try:
        import threadpoolctl
        paths = [info["filepath"] for info in threadpoolctl.threadpool_info()
                 if info.get("internal_api") == "openblas"]
    except Exception:   # threadpoolctl missing or unable to inspect this process: leave BLAS as it is
        return []
    libraries = []
    for path in paths:
        try:
            libraries.append(ctypes.CDLL(path))
        except OSError:
            continue
    return libraries


def _openblas_controls():
    """((get, set) of ``openblas_get/set_num_threads``, ...) for every OpenBLAS this process loaded, looked up once
    per process; () when NumPy's BLAS is not OpenBLAS or the libraries cannot be inspected."""
    if _blas["pid"] != os.getpid():
        import ctypes
        try:
            import numpy as np
            numpy_blas = str(np.__config__.CONFIG["Build Dependencies"]["blas"].get("name", ""))
        except Exception:   # a NumPy that does not say its BLAS: leave BLAS alone
            numpy_blas = ""
        controls = []
        for lib in _openblas_libraries() if "openblas" in numpy_blas.lower() else ():
            # NumPy's wheels rename the symbols: scipy_openblas_get_num_threads64_
            for prefix, suffix in (("", ""), ("", "64_"), ("scipy_", ""), ("scipy_", "64_")):
                get = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
                put = getattr(lib, f"{prefix}openblas_set_num_threads{suffix}", None)
                if get is not None and put is not None:
                    get.restype, put.argtypes = ctypes.c_int, [ctypes.c_int]
                    controls.append((get, put))
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
    if "OPENBLAS_THREAD_TIMEOUT" in os.environ or os.environ.get("GLASSTORCH_BLAS_WAIT", "") == "default":
        return 0
    libraries = _openblas_libraries()
    changed = 0
    os.environ["OPENBLAS_THREAD_TIMEOUT"] = str(exponent)
    try:
        for blas in libraries:
            try:
                read_env, stop, start = blas.openblas_read_env, blas.blas_thread_shutdown_, blas.blas_thread_init
            except AttributeError:
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
