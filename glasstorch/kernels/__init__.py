"""Compiled fast paths ("kernels") beside the plain array code, and the one switch that chooses between them.

Every op in ``glasstorch/ops`` is written once in plain array code (NumPy), short enough to read: that is the
reference, and it is what runs on any array library behind the seam (``backend.py``). For the passes where
plain NumPy wastes the machine -- one elementwise pass at a time, one core, a temporary array per step -- a
few ops also have a *kernel*: the same arithmetic written as explicit loops, compiled by ``numba`` to machine
code, fusing several passes into one (ReLU + max-pool + the argmax backward needs) and splitting the work over
the cores (``threads.py``). Each kernel file says which reference it reproduces, and ``tests/kernels`` checks
every kernel against its reference on the same inputs, in CI.

The switch (one, process-wide):

    GLASSTORCH_KERNELS=reference python train.py     # plain array code everywhere (set before the import)
    glasstorch.kernels.set_enabled(False)            # the same, from Python, until set_enabled(True)
    with glasstorch.kernels.reference(): ...         # the same, for one block

Kernels are on by default when numba can be imported (it is a dependency). An op uses its kernel only for
NumPy arrays of the dtypes the kernel was written for (float32, float64), and only where the kernel pays
(each op states its threshold); everything else takes the reference. ``numba`` is imported the first time a
kernel runs, not with ``import glasstorch``; compiled code is cached on disk (``cache=True``), so only the
first run on a machine waits for the compiler (a few seconds per kernel family).

With the kernels on, ``import glasstorch`` also makes OpenBLAS's idle threads sleep ~0.4 ms after a product instead
of spinning ~0.1 s, so that they leave the cores to the kernels' threads (``threads.share_cores_with_blas`` says
why and what it measured); ``GLASSTORCH_BLAS_WAIT=default`` or the user's own ``OPENBLAS_THREAD_TIMEOUT`` leaves
OpenBLAS as it is. The kernels' thread pool starts when an op first takes a fast path (``threads.start_pool``), and
from then on OpenBLAS also runs the pieces of its parallel products on that pool's threads instead of its own
(``blas_pool.py`` says why and what it measured); ``GLASSTORCH_BLAS_POOL=own`` leaves OpenBLAS on its own threads.
"""
import contextlib
import importlib.util
import os

import numpy as np

_state = {"enabled": os.environ.get("GLASSTORCH_KERNELS", "fast").strip().lower() not in ("reference", "0", "off",
                                                                                           "false", "no"),
          "available": None, "pool_started": False}

FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def available():
    """True when numba can be imported (checked once, without importing it)."""
    if _state["available"] is None:
        _state["available"] = importlib.util.find_spec("numba") is not None
    return _state["available"]


def enabled():
    """True when ops take their compiled kernels (the switch is on and numba is there)."""
    return _state["enabled"] and available()


def set_enabled(flag):
    """Turn the kernels on (True) or off (False: every op takes its plain reference). Returns the old setting."""
    old = _state["enabled"]
    _state["enabled"] = bool(flag)
    return old


@contextlib.contextmanager
def reference():
    """A block in which every op runs its plain array reference."""
    old = set_enabled(False)
    try:
        yield
    finally:
        set_enabled(old)


@contextlib.contextmanager
def fast():
    """A block in which ops take their kernels (where numba is there)."""
    old = set_enabled(True)
    try:
        yield
    finally:
        set_enabled(old)


def wants(*arrays, min_size=0):
    """Whether an op should take its kernel for these arrays: the switch is on, every array is a NumPy float32 or
    float64 array (all of one dtype), and the first holds at least ``min_size`` elements."""
    if not _state["enabled"] or not available():
        return False
    dtype = None
    for a in arrays:
        if type(a) is not np.ndarray or a.dtype not in FLOATS or (dtype is not None and a.dtype != dtype):
            return False
        dtype = a.dtype
    if arrays[0].size < min_size:
        return False
    if not _state["pool_started"]:   # the first kernel in this process: start the threads (threads.start_pool)
        _state["pool_started"] = True
        from .threads import start_pool
        start_pool()
    return True


def _forget_pool():
    _state["pool_started"] = False   # a forked child has no pool threads: its first kernel starts its own


os.register_at_fork(after_in_child=_forget_pool)


# the kernels' threads share the cores with BLAS's: make BLAS's idle threads sleep soon (threads.py says why)
if enabled():
    from .threads import share_cores_with_blas
    BLAS_LIBRARIES_TUNED = share_cores_with_blas()
else:
    BLAS_LIBRARIES_TUNED = 0
