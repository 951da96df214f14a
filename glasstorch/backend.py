"""The one array seam: every op asks its inputs which array library they live in.

Today every array is a NumPy array. A GPU library with NumPy's interface (CuPy) can be added here,
and only here, without touching any op: an op writes ``xp = get_array_module(x)`` and then uses
``xp.exp``, ``xp.zeros`` ... instead of ``numpy.exp``.
"""
import numpy

_numpy_types = (numpy.ndarray, numpy.generic)


def get_array_module(*arrays):
    """The array module (``numpy`` today) that owns these arrays; Python numbers are ignored."""
    for a in arrays:
        if isinstance(a, _numpy_types) or not hasattr(a, "__array_namespace__"):
            continue
        return a.__array_namespace__()  # a non-NumPy array library (e.g. CuPy) answers for itself
    return numpy


def device_of(array):
    """The device name an array lives on: 'cpu' for NumPy arrays."""
    return "cpu"


def tune_allocator():
    """Keep freed large blocks in the process instead of handing them back to the kernel at once.

    glibc returns every freed block above 128 KiB to the operating system, and the next big temporary array
    of a training step then page-faults its memory in again, page by page. A CNN step makes thousands of
    such faults; raising glibc's mmap and trim thresholds to 1 GiB lets it reuse the memory instead, which
    cut a CNN training step's time by about 20% here. The price: the process keeps up to that much freed
    memory for reuse. glasstorch does this once, at import, on Linux with glibc; set the environment
    variable ``GLASSTORCH_TUNE_MALLOC=0`` before importing glasstorch to leave the allocator alone.
    Returns True when the thresholds were set.
    """
    import ctypes
    import os
    import sys
    if os.environ.get("GLASSTORCH_TUNE_MALLOC", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, ...): nothing to tune
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's <malloc.h> parameter numbers
    one_gib = 1 << 30
    return bool(mallopt(M_MMAP_THRESHOLD, one_gib)) and bool(mallopt(M_TRIM_THRESHOLD, one_gib))


ALLOCATOR_TUNED = tune_allocator()
