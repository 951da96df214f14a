"""Waiting for another thread without the GIL and without falling asleep: the spin half of ``threads.py``'s hand-off.

A thread that sleeps on a lock takes some tens of microseconds to run again once woken (measured here: 80 us
median from a task handed to a sleeping pool thread to its start, and as long again for the caller, asleep
waiting for the result, to notice it is done). For passes of a few hundred microseconds that is a large part of
the pass. So each side first *spins* for a short while: it looks at a flag in shared memory, and between looks
gives the core to any other runnable thread (``sched_yield``), so that a spinning thread never keeps BLAS's or
the caller's threads from a core. Only when the flag has not changed after ``rounds`` looks does it go to sleep on
a lock as before. These functions are compiled with ``nogil``: the GIL is free while they spin.

``flags`` is an int64 array shared by the threads; a flag only ever grows (it counts the tasks).
"""
import ctypes
import ctypes.util

import numba

_libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
_sched_yield = _libc.sched_yield
_sched_yield.restype = ctypes.c_int
_sched_yield.argtypes = []

# not cached on disk: numba cannot cache a function that calls a ctypes function (a few tenths of a second to
# compile, once per process, when the first pass runs on two threads)
_jit = numba.njit(nogil=True, cache=False)


@_jit
def spin_until(flags, index, value, rounds):
    """Look at flags[index] up to ``rounds`` times (yielding the core between looks); True once it equals value.
    (The call between looks is opaque to the compiler, so every look reads the memory again.)"""
    for _ in range(rounds):
        if flags[index] == value:
            return True
        _sched_yield()
    return flags[index] == value


@_jit
def set_and_spin(flags, set_index, set_value, index, value, rounds):
    """flags[set_index] = set_value, then ``spin_until(flags, index, value, rounds)``: a worker says "done" and
    waits for its next task in one call, so that it holds no GIL from the moment the caller can see it is done."""
    flags[set_index] = set_value
    return spin_until(flags, index, value, rounds)


def round_seconds():
    """About how long one look + yield takes here (measured once: rounds = seconds / this)."""
    import time
    import numpy as np
    flags = np.zeros(1, np.int64)
    spin_until(flags, 0, 1, 10)
    start = time.perf_counter()
    spin_until(flags, 0, 1, 20000)
    return max(1e-8, (time.perf_counter() - start) / 20000)
