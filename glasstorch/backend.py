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
