"""Storage: the memory under a tensor, as ``tensor.untyped_storage()`` shows it.

glasstorch keeps no storage object of its own: a tensor's values are a NumPy array, and a view's array is a
NumPy view of its base's. The memory they share is owned by one object (the array at the end of the
``.base`` chain); this class describes that memory, so that ``x.untyped_storage().data_ptr()`` is the same
for a tensor and all its views, and ``x.storage_offset()`` says where a view starts in it.
"""
import numpy as np

from .autograd.function import _root


class UntypedStorage:
    """The bytes a tensor's array lives in (read-only description: no resizing, no separate copy)."""

    def __init__(self, array):
        root = _root(array)
        self._owner = root if isinstance(root, np.ndarray) else array  # an owner outside NumPy: the array itself
        self._start = self._owner.__array_interface__["data"][0]  # an owner's first element is its lowest
        self._nbytes = self._owner.nbytes

    def data_ptr(self):
        return self._start

    def nbytes(self):
        return self._nbytes

    size = nbytes

    def offset_of(self, array):
        """Where ``array`` starts in this storage, in elements (its first element's address, not its lowest
        one: with negative strides the two differ)."""
        first = array.__array_interface__["data"][0]
        return (first - self._start) // array.itemsize

    def __len__(self):
        return self._nbytes

    def __repr__(self):
        return f"glasstorch.UntypedStorage(data_ptr={self._start:#x}, nbytes={self._nbytes})"
