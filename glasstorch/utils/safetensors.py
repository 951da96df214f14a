"""safetensors files for glasstorch tensors: ``save_file``, ``load_file``, ``save``, ``load``, ``safe_open``.

The same names and arguments as the ``safetensors`` package's PyTorch API (``safetensors.torch``), built on
the package's own NumPy API and its Rust reader/writer (so the files are exactly the ones PyTorch writes and
reads)::

    from glasstorch.utils.safetensors import save_file, load_file
    save_file(model.state_dict(), "model.safetensors")
    model.load_state_dict(load_file("model.safetensors"))

A safetensors file is a small JSON header (name -> dtype, shape, byte range, plus optional text metadata)
followed by the raw little-endian bytes of each tensor. Nothing in it is code, which is why it is safe to load.

bfloat16: NumPy has no bfloat16; glasstorch's bfloat16 arrays use ml_dtypes' ``bfloat16``. Writing goes
through ``safetensors.numpy`` unchanged (the writer takes the dtype's name, ``"bfloat16"``, and the raw bytes)
and ``safe_open(framework="np")`` reads BF16 as ml_dtypes' bfloat16 already; only ``safetensors.numpy.load``
(from bytes) lacks BF16 in its table, so ``load`` here decodes the bytes itself with its own table ``_TYPES``,
which maps BF16 to ml_dtypes' bfloat16.

Deviations from ``safetensors.torch`` (no silent ones): glasstorch has no complex or float8 dtypes, so a file
holding C64 or F8_* tensors raises TypeError naming the tensor and its dtype; glasstorch runs on the CPU only,
so ``device`` other than "cpu" raises as a CPU-only PyTorch does. Loaded tensors own their memory (a copy of
the file's bytes), so they are writable and independent of the file.
"""
import os

import ml_dtypes
import numpy as np

try:
    import safetensors
    import safetensors.numpy as _st_numpy
except ImportError as e:  # pragma: no cover - a dependency, but glasstorch works without it
    raise ImportError("glasstorch.utils.safetensors needs the safetensors package: pip install safetensors") from e

from .._device import check_device
from ..creation import from_numpy
from ..tensor import Tensor

# safetensors' dtype codes -> NumPy dtypes (the codes glasstorch has a dtype for; see the module docstring)
_TYPES = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16, "BF16": ml_dtypes.bfloat16,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
    "U64": np.uint64, "U32": np.uint32, "U16": np.uint16, "U8": np.uint8, "BOOL": np.bool_,
}


def _check_framework(framework):
    if framework not in ("pt", "torch", "pytorch", "glasstorch", "numpy", "np"):
        raise ValueError(f"framework {framework!r} is not supported here: use framework=\"pt\" (glasstorch tensors) "
                         "or \"np\" (NumPy arrays)")
    return framework in ("numpy", "np")


def _check_code(name, code):
    if code not in _TYPES:
        raise TypeError(f"tensor {name!r} has dtype {code}, which glasstorch has no dtype for")


def _to_tensor(array):
    """A glasstorch tensor owning a native-byte-order copy of ``array`` (a view of the file's bytes)."""
    return from_numpy(np.array(array, dtype=array.dtype.newbyteorder("="), copy=True))


def _arrays_for_save(tensors):
    """Check ``tensors`` as safetensors.torch does and return {name: contiguous NumPy array}."""
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    arrays = {}
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received {type(v)}")
        if not v.is_contiguous():
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{k}` which is not allowed. It either means you"
                " are trying to save tensors which are reference of each other in which case it's recommended to save"
                " only the full tensors, and reslice at load time, or simply call `.contiguous()` on your tensor to"
                " pack it before saving.")
        arrays[k] = v.detach()._array
    shared = _overlapping(arrays)
    if shared:
        raise RuntimeError(
            f"Some tensors share memory, this will lead to duplicate memory on disk and potential differences when "
            f"loading them again: {shared}. A potential way to correctly save your model is to use `save_model`.")
    return arrays


def _overlapping(arrays):
    """Groups of names whose memory overlaps (tied weights, views of one another), as safetensors refuses them."""
    spans = []
    for name, a in arrays.items():
        if a.nbytes:
            start = a.__array_interface__["data"][0]
            spans.append((start, start + a.nbytes, name))
    spans.sort()
    groups, stop = [], -1
    for start, end, name in spans:
        if start < stop:
            groups[-1].add(name)
        else:
            groups.append({name})
        stop = max(stop, end)
    return [g for g in groups if len(g) > 1]


def save(tensors, metadata=None):
    """The bytes of a safetensors file holding ``tensors`` (a dict name -> contiguous tensor, none sharing
    memory) and the optional text ``metadata`` (dict str -> str)."""
    return _st_numpy.save(_arrays_for_save(tensors), metadata=metadata)


def save_file(tensors, filename, metadata=None):
    """Write ``tensors`` (a dict name -> contiguous tensor, none sharing memory) to ``filename``."""
    _st_numpy.save_file(_arrays_for_save(tensors), os.fspath(filename), metadata=metadata)


def load(data):
    """The tensors of a safetensors file given as ``bytes``: dict name -> tensor."""
    result = {}
    for name, view in safetensors.deserialize(data):
        _check_code(name, view["dtype"])
        little_endian = np.dtype(_TYPES[view["dtype"]]).newbyteorder("<")
        result[name] = _to_tensor(np.frombuffer(view["data"], dtype=little_endian).reshape(view["shape"]))
    return result


def load_file(filename, device="cpu", *, backend="mmap"):
    """The tensors of the safetensors file ``filename``: dict name -> tensor (on ``device``, which must be cpu).
    ``backend``: how the package reads the bytes, "mmap" (default) or "pread"."""
    with safe_open(filename, framework="pt", device=device, backend=backend) as f:
        return {k: f.get_tensor(k) for k in f.keys()}


def _is_complete(a):
    """Whether array ``a`` covers the whole buffer it is a view of (so keeping it keeps every shared byte)."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    return (a.__array_interface__["data"][0] == root.__array_interface__["data"][0]) and a.nbytes == root.nbytes


def _duplicates(state_dict, preferred=()):
    """{kept name: [names dropped]} for the groups of entries sharing memory (tied weights), as safetensors'
    ``_remove_duplicate_names``: keep the first name (sorted; a ``preferred`` one if any) covering the memory."""
    drop = {}
    for group in _overlapping({k: v.detach()._array for k, v in state_dict.items()}):
        complete = sorted(k for k in group if _is_complete(state_dict[k].detach()._array))
        if not complete:
            raise RuntimeError(f"Error while trying to find names to remove to save state dict, but found no suitable "
                               f"name to keep for saving amongst: {group}. None is covering the entire storage.")
        keep = ([k for k in complete if k in preferred] or complete)[0]
        drop[keep] = sorted(group - {keep})
    return drop


def save_model(model, filename, metadata=None, force_contiguous=True):
    """Save ``model.state_dict()`` to ``filename``, writing tied (shared) tensors once; the metadata records
    each dropped name -> the name kept (as safetensors.torch.save_model)."""
    state_dict = model.state_dict()
    for keep, names in _duplicates(state_dict).items():
        for name in names:
            metadata = {} if metadata is None else metadata
            metadata.setdefault(name, keep)
            del state_dict[name]
    if force_contiguous:
        state_dict = {k: v.contiguous() for k, v in state_dict.items()}
    save_file(state_dict, filename, metadata=metadata)


def load_model(model, filename, strict=True, device="cpu", *, backend="mmap"):
    """Load a file written by ``save_model`` into ``model``; returns (missing, unexpected) name lists. Tied
    tensors written once count as loaded."""
    state_dict = load_file(filename, device=device, backend=backend)
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    missing = set(missing)
    for names in _duplicates(model.state_dict(), preferred=state_dict.keys()).values():
        for name in names:
            if name in missing:
                missing.remove(name)
            else:
                unexpected.append(name)
    if strict and (missing or unexpected):
        error = f"Error(s) in loading state_dict for {model.__class__.__name__}:"
        if missing:
            error += "\n    Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in sorted(missing))
        if unexpected:
            error += "\n    Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in sorted(unexpected))
        raise RuntimeError(error)
    return missing, unexpected


class safe_open:
    """Open a safetensors file lazily: ``keys()``, ``metadata()``, ``get_tensor(name)``, ``get_slice(name)[...]``,
    used as ``with safe_open(path, framework="pt") as f:``. Only the tensors asked for are read.

    ``framework="pt"`` gives glasstorch tensors (``"np"``: NumPy arrays, the package's own reader unchanged).
    """

    def __init__(self, filename, framework, device="cpu", *, backend="mmap"):
        self._numpy = _check_framework(framework)
        check_device(device)
        self._file = safetensors.safe_open(os.fspath(filename), framework="np", backend=backend)

    def __enter__(self):
        self._file.__enter__()
        return self

    def __exit__(self, *exc):
        return self._file.__exit__(*exc)

    def keys(self):
        return self._file.keys()

    def offset_keys(self):
        return self._file.offset_keys()

    def metadata(self):
        return self._file.metadata()

    def get_tensor(self, name):
        if not self._numpy:  # refuse dtypes glasstorch lacks before the reader tries to make NumPy arrays of them
            _check_code(name, self._file.get_slice(name).get_dtype())
        array = self._file.get_tensor(name)
        return array if self._numpy else _to_tensor(array)

    def get_slice(self, name):
        return _Slice(name, self._file.get_slice(name), self._numpy)


class _Slice:
    """One tensor of an open file, read in part: ``get_shape()``, ``get_dtype()`` (the file's code, e.g. "F32"),
    and ``[index]`` (slices, ints, ``...``) reading only the bytes that index needs."""

    def __init__(self, name, view, numpy):
        self._name, self._view, self._numpy = name, view, numpy

    def get_shape(self):
        return self._view.get_shape()

    def get_dtype(self):
        return self._view.get_dtype()

    def __getitem__(self, index):
        if not self._numpy:
            _check_code(self._name, self._view.get_dtype())
        array = self._view[index]
        return array if self._numpy else _to_tensor(array)


__all__ = ["save", "save_file", "load", "load_file", "safe_open", "save_model", "load_model"]
