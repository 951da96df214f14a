"""One pool of threads for BLAS and the kernels: OpenBLAS runs the pieces of its parallel products on the threads of
``threads.py``'s pool instead of its own.

Why: with two pools, OpenBLAS's worker keeps spinning on a core after each product (0.4 ms here, see
``threads.share_cores_with_blas``), while the kernel that runs next hands half its rows to the kernels' worker,
which then shares that core with the spinner. Measured on the tiny ViT's shapes (2 cores): a 3136x64x192 product
and then a layer-norm pass took 540-640 us together, against 380 us one after the other with time between. PyTorch
does not pay this: its products and its elementwise loops share one OpenMP pool. OpenBLAS (0.3.27 and later)
lets a program do the same: ``openblas_set_threads_callback_function(callback)`` makes it call

    callback(sync, dojob, numjobs, jobdata_elsize, jobdata, dojob_data)

instead of waking its own threads; the callback must run ``dojob(i, jobdata + i * jobdata_elsize, dojob_data)``
for every i < numjobs *at the same time* (the pieces of a product wait for each other while they run) and return
when all are done.

How (the callback below, compiled by numba as a C function, runs in the thread that called BLAS, without the
GIL): a pool thread that has finished its task and is spinning (waiting for the next one, ``threads.py``) is
*serving*: it looks for a BLAS piece in its slot as well as for its next task. The callback, under each slot's
mutex, checks that enough threads are serving and none is busy, posts piece i to slot i − 1, runs piece 0 itself,
then waits for the others. When some thread is not serving (asleep on its lock, or running a task), the callback
takes the slow road (``_run_in_python``): with the GIL it hands the pieces to the pool as an ordinary pass, or, when
the pool is busy (another Python thread's pass), to fresh threads. Each slot's mutex (libc's pthread_mutex, from
compiled code) guards its counters, so that a piece is posted only to a thread that will take it, and taken once.

Measured (2 cores, the same process switched back and forth, benchmarks/RESULTS.md "sixth round"): the tiny ViT
step 0.88-0.91x; the MLP, CNN, ImprovedCNN and LSTM steps and the eval passes within their noise (0.95-1.02x).

The switch: installed with the kernels on (``GLASSTORCH_KERNELS``) when the pool starts; ``GLASSTORCH_BLAS_POOL=own``
leaves OpenBLAS on its own threads. Once installed it stays, also when the kernels are switched off later (the
products are the same either way). ``uninstall()`` hands OpenBLAS back its own pool (also at exit, and in a forked
child until its own pool starts). The products' arithmetic does not change: OpenBLAS splits a product the same way
whichever threads run the pieces.
"""
import atexit
import ctypes
import os
import threading

import numba
import numpy as np
from numba import types
from numba.extending import intrinsic

from .spin import _libc, _sched_yield

SLOTS = 64                                   # OpenBLAS's MAX_THREADS in NumPy's wheels
SERVING, POSTED, TAKEN, DONE, INDEX, JOBDATA, DATA = range(7)   # the fields of a slot (one cache line each)

# the slots' counters and their mutexes; allocated once, so that compiled code can keep their addresses
_state = np.zeros((SLOTS, 8), np.int64)
_mutexes = np.zeros((SLOTS, 8), np.int64)    # 64 bytes each, zeros = an unlocked default pthread mutex (glibc)

_lock = _libc.pthread_mutex_lock
_unlock = _libc.pthread_mutex_unlock
for _f in (_lock, _unlock):
    _f.argtypes, _f.restype = [ctypes.c_int64], ctypes.c_int

# the C types of OpenBLAS's dojob and of the callback; their pointers (dojob, jobdata) taken as 64-bit integers,
# the same registers on x86-64 (so compiled code and Python pass plain integers)
_DOJOB = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_int64, ctypes.c_int)
_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_int64, ctypes.c_int, ctypes.c_size_t, ctypes.c_int64,
                             ctypes.c_int)
_SIGNATURE = types.void(types.intc, types.int64, types.intc, types.uint64, types.int64, types.intc)

# this process's callback: the library's setter, the compiled callback and serving spin, and whether it is on
_installed = {"pid": None, "setter": None, "callback": None, "serve": None, "on": False}
_install_lock = threading.RLock()   # re-entered when the probe's product starts a bigger pool (which installs)


@intrinsic
def _int64_array_at(typingctx, address):
    """The int64 memory at ``address`` (an integer) as a pointer, for numba.carray (compiled code cannot take a
    NumPy array from a global: numba would freeze a copy of it)."""
    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(signature.return_type))
    return types.CPointer(types.int64)(types.int64), codegen


def _compile(dojob_address):
    """The compiled callback and the pool threads' serving spin, for OpenBLAS's ``dojob`` at this address."""
    dojob = ctypes.cast(dojob_address, _DOJOB)
    state_at, mutex_at, fallback = _state.ctypes.data, _mutexes.ctypes.data, _fallback
    jit = numba.njit(nogil=True, cache=False)   # ctypes globals: numba cannot cache these on disk

    @jit
    def serve_and_spin(slot, flags, set_index, set_value, index, value, rounds):
        """threads.py's set_and_spin, also serving BLAS pieces posted to ``slot`` while it spins."""
        state = numba.carray(_int64_array_at(state_at), (SLOTS, 8))
        mutex = mutex_at + 64 * slot
        flags[set_index] = set_value
        _lock(mutex)
        state[slot, SERVING] += 1
        _unlock(mutex)
        looks = 0
        while True:
            job = False
            _lock(mutex)
            if state[slot, POSTED] != state[slot, TAKEN]:       # a piece for this slot: take it (once)
                state[slot, TAKEN] = state[slot, POSTED]
                i, jobdata, data, job = state[slot, INDEX], state[slot, JOBDATA], state[slot, DATA], True
            elif flags[index] == value or looks >= rounds:      # the next task, or time to sleep: stop serving
                state[slot, SERVING] -= 1
                _unlock(mutex)
                return flags[index] == value
            _unlock(mutex)
            if job:
                dojob(i, jobdata, data)
                state[slot, DONE] = state[slot, TAKEN]          # the caller spins on this
                looks = 0
            else:
                _sched_yield()
                looks += 1

    @numba.cfunc(_SIGNATURE, nopython=True)
    def callback(sync, job, numjobs, elsize, jobdata, data):
        state = numba.carray(_int64_array_at(state_at), (SLOTS, 8))
        helpers = numjobs - 1
        if helpers <= 0:
            dojob(0, jobdata, data)
            return
        ready = helpers <= SLOTS
        locked = 0
        while ready and locked < helpers:                   # every helper slot: serving, and no piece pending
            _lock(mutex_at + 64 * locked)
            locked += 1
            slot = locked - 1
            ready = state[slot, SERVING] > 0 and state[slot, POSTED] == state[slot, DONE]
        if ready:
            for slot in range(helpers):
                state[slot, INDEX] = slot + 1
                state[slot, JOBDATA] = jobdata + (slot + 1) * elsize
                state[slot, DATA] = data
                state[slot, POSTED] += 1
        for slot in range(locked):
            _unlock(mutex_at + 64 * slot)
        if not ready:
            fallback(sync, job, numjobs, elsize, jobdata, data)  # with the GIL: threads.py's pool, or new threads
            return
        dojob(0, jobdata, data)
        for slot in range(helpers):
            while state[slot, DONE] != state[slot, POSTED]:
                _sched_yield()

    return callback, serve_and_spin


def _run_pieces(start, stop, dojob, jobdata, elsize, data):
    for i in range(start, stop):
        dojob(i, jobdata + i * elsize, data)    # ctypes releases the GIL for the call


def _run_in_python(sync, job, numjobs, elsize, jobdata, data):
    """The slow road: with the GIL, all pieces at once on the kernels' pool, or on fresh threads if it is busy."""
    from . import threads
    dojob = _DOJOB(job)
    if threads.run_together(_run_pieces, numjobs, dojob, jobdata, elsize, data):
        return
    helpers = [threading.Thread(target=dojob, args=(i, jobdata + i * elsize, data)) for i in range(1, numjobs)]
    for t in helpers:
        t.start()
    dojob(0, jobdata, data)
    for t in helpers:
        t.join()


_fallback = _CALLBACK(_run_in_python)


def _setters():
    """``set_threads_callback_function`` of every OpenBLAS this process loaded that has one."""
    from .threads import _openblas_libraries
    found = []
    for lib in _openblas_libraries():
        for name in ("openblas_set_threads_callback_function", "scipy_openblas_set_threads_callback_function64_",
                     "scipy_openblas_set_threads_callback_function", "openblas_set_threads_callback_function64_"):
            setter = getattr(lib, name, None)
            if setter is not None:
                setter.argtypes, setter.restype = [ctypes.c_void_p], None
                found.append(setter)
                break
    return found


def _probe_dojob(setter):
    """The address of the ``dojob`` function OpenBLAS hands a callback (one static function per library), found
    by a product NumPy makes on two threads with a recording callback in place; None if no piece came."""
    seen = []

    def record(sync, job, numjobs, elsize, jobdata, data):
        seen.append(job)
        _run_in_python(sync, job, numjobs, elsize, jobdata, data)

    recorder = _CALLBACK(record)
    setter(ctypes.cast(recorder, ctypes.c_void_p).value)
    try:
        a = np.ones((512, 512), np.float32)
        a @ a
    finally:
        setter(None)
    return seen[0] if seen else None


def install():
    """Route OpenBLAS's parallel pieces to the kernels' pool (called when the pool starts). Returns True if done."""
    if os.environ.get("GLASSTORCH_BLAS_POOL", "").strip().lower() == "own":
        return False
    with _install_lock:
        if _installed["pid"] != os.getpid():             # first time in this process: find and compile
            _installed.update(pid=os.getpid(), setter=None, callback=None, serve=None, on=False)
            for setter in _setters():
                address = _probe_dojob(setter)
                if address is not None:              # NumPy's BLAS (others are not called by a NumPy product)
                    callback, serve = _compile(address)
                    _installed.update(setter=setter, callback=callback, serve=serve)
                    break
        if _installed["setter"] is not None and not _installed["on"]:
            _installed["setter"](_installed["callback"].address)
            _installed["on"] = True
        return _installed["on"]


def uninstall():
    """Give OpenBLAS back its own threads (``install()`` routes them to the pool again)."""
    with _install_lock:
        if _installed["on"] and _installed["pid"] == os.getpid():
            _installed["setter"](None)
        _installed["on"] = False


def installed():
    """True while OpenBLAS runs its parallel pieces on the kernels' pool in this process."""
    return _installed["on"] and _installed["pid"] == os.getpid()


def serving_spin():
    """The serving spin (``serve_and_spin(slot, flags, ...)``) while installed in this process, else None."""
    return _installed["serve"] if installed() else None


def _reset_in_child():
    # a forked child has none of the parent's pool threads: nobody serves, no mutex is held, no piece is pending;
    # BLAS goes back to its own threads until the child's pool starts and installs the callback again. The
    # compiled callback stays valid (the child has the parent's memory at the same addresses): install() only sets
    # it, without probing and compiling again.
    _state[:] = 0
    _mutexes[:] = 0
    if _installed["setter"] is not None:
        _installed["setter"](None)
    if _installed["pid"] is not None:
        _installed["pid"] = os.getpid()
    _installed["on"] = False


os.register_at_fork(after_in_child=_reset_in_child)
atexit.register(uninstall)
