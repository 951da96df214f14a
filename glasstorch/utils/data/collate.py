"""Collation: turning a list of examples into one batch.

``default_collate([ex0, ex1, ...])`` looks at the first example and builds a batch of the same shape of
structure, with a new first dimension of size len(batch):

- tensors are stacked: B tensors of shape (3, 4) become one of shape (B, 3, 4);
- NumPy arrays become tensors and are stacked; NumPy scalars become a 1-d tensor of their dtype;
- Python floats become a float64 tensor, ints an int64 tensor, bools a bool tensor (as in PyTorch);
- strings and bytes stay as they are, in a list;
- dicts are collated key by key; namedtuples field by field (and stay namedtuples);
- tuples and lists are collated position by position, and come back as a *list* (PyTorch does the same,
  which is why ``for x, y in loader`` works for a TensorDataset whose examples are ``(x, y)`` tuples).

``default_convert`` is what the DataLoader uses when batching is off (``batch_size=None``): it only turns
NumPy arrays and scalars into tensors, inside the same kind of nested structures.

Same behaviour and errors as ``torch.utils.data.default_collate`` / ``default_convert``. Not provided:
the ``collate_fn_map`` extension mechanism of ``torch.utils.data._utils.collate.collate``.
"""
import collections.abc

import numpy as np

from ... import _dtype
from ...creation import as_tensor
from ...ops.shape import stack
from ...tensor import Tensor

__all__ = ["default_collate", "default_convert"]

_ERROR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _is_string_array(array):
    return array.dtype.kind in "SUO"  # bytes, unicode text or Python objects: no tensor for these


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def default_collate(batch):
    """Stack a list of examples into a batch (see the module docstring for the rules)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if isinstance(elem, np.ndarray):
        if _is_string_array(elem):
            raise TypeError(_ERROR.format(elem.dtype))
        return default_collate([as_tensor(b) for b in batch])
    if isinstance(elem, np.generic) and not isinstance(elem, (np.str_, np.bytes_)):  # a NumPy scalar
        return as_tensor(batch)
    if isinstance(elem, float):
        return as_tensor(batch, dtype=_dtype.float64)
    if isinstance(elem, int):  # bool included: [True, False] gives a bool tensor
        return as_tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([example[key] for example in batch]) for key in elem}
        return _same_type(elem, collated)
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(example) != size for example in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        collated = [default_collate(list(position)) for position in zip(*batch)]
        if isinstance(elem, tuple):
            return collated
        return _same_type(elem, collated)
    raise TypeError(_ERROR.format(type(elem)))


def default_convert(data):
    """NumPy arrays and scalars inside ``data`` become tensors; everything else is kept."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if _is_string_array(data) else as_tensor(data)
    if isinstance(data, np.generic) and not isinstance(data, (np.str_, np.bytes_)):
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _same_type(data, {key: default_convert(data[key]) for key in data})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _same_type(data, [default_convert(d) for d in data])
    return data


def _same_type(example, collated):
    """``collated`` (a dict or list) as the container type of ``example`` (e.g. an OrderedDict) when that
    type can be built from it; else left as it is."""
    if type(example) is type(collated):
        return collated
    try:
        return type(example)(collated)
    except TypeError:
        return collated
