"""``glasstorch.save`` and ``glasstorch.load``: checkpoints in PyTorch's own file format, never running code.

``glasstorch.save`` writes PyTorch's zip format (see glasstorch/_serialization_torch.py for its records), so real
``torch.load(f, weights_only=True)`` reads what glasstorch saves, and ``glasstorch.load`` reads what real
``torch.save`` writes: the zip format and the legacy non-zip one (``_use_new_zipfile_serialization=False``).

A PyTorch checkpoint's structure is a pickle, and Python's ``pickle.load`` would run whatever code the file
names. glasstorch never calls it: glasstorch/_serialization_pickle.py interprets the pickle's opcodes itself and
accepts only the globals PyTorch's ``weights_only=True`` accepts (tensor, Parameter and storage rebuilds, dtypes,
``torch.Size``, ``torch.device``, ``collections.OrderedDict``/``Counter``, ``builtins.set``/``complex``/
``bytearray``); any other global (``os.system``, ``builtins.eval``, a class with a ``__reduce__``) raises
``pickle.UnpicklingError`` naming it, before anything from the file is called. ``weights_only=False`` is refused
(glasstorch cannot run a file's code, and will not).

What can be saved: tensors of every glasstorch dtype (float16, bfloat16, float32, float64, int8..int64, uint8,
uint16/32/64, bool), any shape and layout; ``nn.Parameter`` (loads back as a Parameter); NumPy arrays (saved
as tensors, since PyTorch's ``weights_only=True`` refuses NumPy's own pickles: they load back as tensors, in
glasstorch and in PyTorch); dtypes, ``Size``, devices; None, bools, ints, floats, complex numbers, strings,
bytes; lists, tuples, sets, dicts and OrderedDicts (with their attributes, such as a state_dict's
``_metadata``) of these, nested up to ``MAX_DEPTH`` (100) levels (deeper, or a container that holds itself,
raises ``CheckpointError``). Other dict subclasses (defaultdict) load back as plain dicts. NumPy scalars are
saved as the Python number they hold. Anything else raises TypeError.

Sharing, as in PyTorch: tensors on one memory (``t`` and its views ``t[0]``, ``t.T``) are saved as one storage,
and after loading they are windows on one storage again (a write through one shows in the others). The same
tensor object twice loads as one object. (A storage viewed as two different dtypes, which PyTorch refuses to
save, is saved as a copy for the second dtype.) As in PyTorch, a view saves its whole storage.

Loading: ``f`` is a path or a binary file object. ``map_location`` may be None, 'cpu', a cpu device, a dict
mapping saved locations ('cuda:0') to locations, or a callable ``(storage, location) -> storage``; where a
storage ends up must be the CPU (a file saved from a GPU needs ``map_location='cpu'``, as on a CPU-only
PyTorch). ``mmap=True`` (a path, zip format) maps each storage record of the file copy-on-write instead of
reading it. Records are read in 1 MiB pieces with their CRC-32 checked; a truncated, corrupted or foreign file
raises ``CheckpointError`` (a RuntimeError) naming the path, and a file the restricted unpickler refuses raises
``pickle.UnpicklingError``.

Files of glasstorch's earlier format (a ZIP of ``data.json`` and ``tensors/N.bin``, described in
``_read_json_archive``) still load.

Saving to a path is atomic: the archive is written to a temporary file in the same directory
(``.NAME.tmp``), flushed and ``os.fsync``-ed, then moved over the target with ``os.replace``. A failure
midway (an unsupported object, a full disk) leaves any old file at the path unchanged, and the temporary
file is removed. A save that is killed leaves its temporary file behind: the next save to the same path
reuses it, so leftovers never pile up. Two saves to one path at once take turns (the temporary file is
locked while written, POSIX), and the last to finish wins. The path's directory must exist
(``RuntimeError: Parent directory X does not exist.``, as PyTorch).

Deviations from PyTorch: ``weights_only=False`` is refused; ``pickle_module``/``pickle_protocol`` are accepted
and ignored (protocol 2 is written); NumPy arrays are saved as tensors; arbitrary Python objects (modules,
optimizers, functions) cannot be saved: save their ``state_dict()``; quantized, sparse, nested and complex
tensors (which glasstorch lacks) are refused on loading with an error naming them.
"""
import collections
import copy
import io
import json
import math
import numbers
import os
import struct
import zipfile
import zlib

import numpy as np

try:
    import fcntl  # POSIX file locks, for two saves to one path at once
except ImportError:  # Windows: no locks (saves to one path at once are then the caller's business)
    fcntl = None

from pickle import UnpicklingError  # the error type PyTorch raises for a refused file (nothing is unpickled)

from . import _dtype, _serialization_torch
from ._device import check_device
from ._size import Size
from .autograd.function import wrap
from .tensor import Tensor

__all__ = ["save", "load"]

FORMAT_NAME = "glasstorch-checkpoint"
FORMAT_VERSION = 1
HEADER_FILE = "data.json"
MAX_DEPTH = 100  # lists, tuples and dicts inside each other: deeper is a mistake (or a container in itself)
CHUNK = 1 << 20  # members are read this many bytes at a time


class CheckpointError(RuntimeError):
    """The object cannot be saved as a checkpoint, or the file is not a valid, complete glasstorch checkpoint."""


# -- saving ---------------------------------------------------------------------------------------------
def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Write ``obj`` to ``f``, a path (str or os.PathLike) or a binary file object opened for writing, in
    PyTorch's zip format (only that one: ``_use_new_zipfile_serialization=False`` is refused)."""
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("glasstorch.save writes only PyTorch's zip format (it reads the legacy one)")
    if not isinstance(f, (str, os.PathLike)):
        _write_torch_zip(obj, f, getattr(f, "name", None) or repr(f))
        return
    path = os.fspath(f)
    parent = os.path.dirname(path)
    if parent and not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {parent} does not exist.")  # PyTorch's words
    write_atomically(path, lambda out: _write_torch_zip(obj, out, path))


def _write_torch_zip(obj, file, name):
    def too_deep():
        return CheckpointError(f"{name}: cannot save data nested more than {MAX_DEPTH} levels deep (lists, "
                               "tuples and dicts inside each other; does a container hold itself?)")
    _serialization_torch.write_zip(obj, file, MAX_DEPTH, too_deep)


def write_atomically(path, write):
    """Call ``write(out)`` on the temporary file ``.NAME.tmp`` beside ``path``, fsync it, then rename it over
    ``path``: a reader sees the old file or the whole new one, never half of it (a crash leaves no partial file
    at ``path``, and the next write reuses the temporary one). Shared by everything that writes files:
    checkpoints, downloads, saved images."""
    temp = _temp_path(path)
    out = _open_locked(temp)
    try:
        write(out)
        out.flush()
        os.fsync(out.fileno())
        if fcntl is None:
            out.close()  # (Windows cannot rename an open file)
        os.replace(temp, path)  # with the lock still held: no other save can empty the file being renamed
    except BaseException:
        if out.closed or _names(temp, out):  # never another save's new file of that name
            os.remove(temp)
        raise
    finally:
        out.close()
    _fsync_directory(os.path.dirname(temp))


def _temp_path(path):
    """The one temporary name for ``path``: what a killed save left there, the next save reuses."""
    path = os.path.abspath(path)
    return os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.tmp")


def _open_locked(temp):
    """``temp`` opened for writing, emptied, and locked (POSIX): a second save to the same path waits here
    until the first has renamed its file; a killed save's lock died with it, so its leftover is reused."""
    while True:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)  # no O_TRUNC yet
        out = os.fdopen(fd, "wb")  # (from a descriptor: does not truncate)
        if fcntl is None:
            break
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a file system without locks: write unlocked
            break
        except BaseException:  # interrupted while waiting
            out.close()
            raise
        if _names(temp, out):
            break
        out.close()  # while this save waited, the one holding the lock renamed that file away: open anew
    out.truncate(0)  # a killed save's leftover
    return out


def _names(path, file):
    """Whether ``path`` is (still) the name of the open ``file``."""
    try:
        return os.path.samestat(os.stat(path), os.fstat(file.fileno()))
    except FileNotFoundError:
        return False


def _fsync_directory(directory):
    """Make the rename itself durable (POSIX); not possible (nor needed) on every platform."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_archive(obj, file, name):
    """glasstorch's earlier format (JSON and raw tensors): no longer written by ``save``, kept for reference
    and for tests of the old reader."""
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        writer = _Writer(archive, name)
        header = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "byteorder": "little",
                  "object": writer.encode(obj)}
        archive.writestr(HEADER_FILE, json.dumps(header, allow_nan=False))


class _Writer:
    """Turns an object into JSON-ready values, writing each tensor's bytes into the archive as it goes."""

    def __init__(self, archive, name):
        self.archive = archive
        self.name = name  # the file, for errors
        self.written = {}  # id(tensor) -> its JSON reference, so a tensor used twice is stored once
        self.keep_alive = []  # the tensors in `written`, so that their ids stay unique while saving

    def encode(self, obj, depth=0):
        """``depth``: how many containers hold ``obj``."""
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
            obj = obj.item()  # a NumPy scalar: saved as the Python number it holds
        if isinstance(obj, numbers.Integral):
            return int(obj) if not isinstance(obj, bool) else obj
        if isinstance(obj, float):
            if math.isfinite(obj):
                return float(obj)
            return {"type": "float", "value": repr(float(obj))}  # 'nan', 'inf' or '-inf'
        if isinstance(obj, Tensor):
            return self.encode_tensor(obj)
        if isinstance(obj, _dtype.dtype):
            return {"type": "dtype", "name": obj.name}
        if isinstance(obj, Size):
            return {"type": "Size", "items": [int(n) for n in obj]}
        if isinstance(obj, (list, tuple, dict)) and depth >= MAX_DEPTH:
            raise CheckpointError(f"{self.name}: cannot save data nested more than {MAX_DEPTH} levels deep (lists, "
                                  "tuples and dicts inside each other; does a container hold itself?)")
        depth += 1
        if type(obj) is list:
            return [self.encode(v, depth) for v in obj]
        if type(obj) is tuple:
            return {"type": "tuple", "items": [self.encode(v, depth) for v in obj]}
        if isinstance(obj, dict):
            items = [[self.encode(k, depth), self.encode(v, depth)] for k, v in obj.items()]
            return {"type": "OrderedDict" if isinstance(obj, collections.OrderedDict) else "dict", "items": items}
        raise TypeError(f"glasstorch.save cannot save an object of type {type(obj).__name__}: it saves tensors, "
                        "numbers, strings, None, and lists, tuples and dicts of these (save a model's or an "
                        "optimizer's state_dict(), not the object itself)")

    def encode_tensor(self, t):
        if id(t) in self.written:
            return self.written[id(t)]
        array = t._array
        name = f"tensors/{len(self.written)}.bin"
        little_endian = array.dtype.newbyteorder("<")
        self.archive.writestr(name, np.ascontiguousarray(array, dtype=little_endian).tobytes())
        reference = {"type": "parameter" if _is_parameter(t) else "tensor", "file": name,
                     "dtype": _dtype.from_numpy(array.dtype).name, "shape": list(array.shape),
                     "requires_grad": bool(t.requires_grad)}
        self.written[id(t)] = reference
        self.keep_alive.append(t)
        return reference


def _parameter_class():
    """nn.Parameter, looked up when needed (glasstorch.nn imports this module's package first)."""
    from . import nn
    return getattr(nn, "Parameter", None)


def _is_parameter(t):
    cls = _parameter_class()
    return cls is not None and isinstance(t, cls)


# -- loading --------------------------------------------------------------------------------------------
def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Read an object written by ``torch.save`` or ``glasstorch.save`` from ``f`` (a path or a binary file
    object), running no code from the file (``weights_only=True`` semantics, always)."""
    if weights_only is False:
        raise UnpicklingError(
            "glasstorch.load(weights_only=False) is refused: it would mean unpickling arbitrary objects, which "
            "runs code from the file. glasstorch loads only what torch.load(weights_only=True) loads (tensors, "
            "Parameters, state_dicts, optimizer states, plain Python data): leave weights_only out. To keep "
            "other objects, save their data (a state_dict) instead of the objects.")
    if map_location is not None and not callable(map_location) and not isinstance(map_location, dict):
        check_device(map_location)
    if isinstance(f, (str, os.PathLike)):
        name = os.fspath(f)
        with open(name, "rb") as file:
            return _read(file, name, map_location, name if mmap else None)
    name = getattr(f, "name", None) or repr(f)
    if mmap:
        raise ValueError("f must be a file path in order to use the mmap argument")  # PyTorch's words
    if not (hasattr(f, "seekable") and f.seekable()):
        f = io.BytesIO(f.read())  # zipfile needs to seek
    return _read(f, name, map_location, None)


def _invalid(name, why):
    return CheckpointError(f"{name} is not a valid checkpoint (or it is incomplete): {why}")


def _read(file, name, map_location=None, mmap_path=None):
    start = file.read(2)
    file.seek(-len(start), io.SEEK_CUR)
    if start[:1] == b"\x80":  # a pickle: PyTorch's legacy format
        if mmap_path is not None:
            raise RuntimeError(f"{name}: mmap can only be used with files saved with "
                               "`torch.save(_use_new_zipfile_serialization=True)`")  # PyTorch's words
        try:
            return _serialization_torch.load_legacy(file, name, map_location)
        except (EOFError, struct.error, IndexError, KeyError, TypeError, ValueError, UnicodeDecodeError) as e:
            raise _invalid(name, f"{type(e).__name__}: {e}") from None
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise _invalid(name, f"not a complete ZIP archive ({e})") from None
    with archive:
        members = archive.namelist()
        prefix = _serialization_torch.find_prefix(members)
        if prefix is not None:  # PyTorch's zip format
            reader = _Reader(archive, name)
            try:
                return _serialization_torch.load_zip(archive, prefix, name, reader.read_member, map_location,
                                                     mmap_path)
            except CheckpointError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, TypeError, struct.error,
                    IndexError, UnicodeDecodeError) as e:
                raise _invalid(name, f"{type(e).__name__}: {e}") from None
        if mmap_path is not None:
            raise RuntimeError(f"{name}: mmap=True reads only PyTorch's zip format (this is glasstorch's earlier "
                               "format: load it without mmap)")
        return _read_json_archive(archive, members, name)


def _read_json_archive(archive, members, name):
    """glasstorch's earlier format: ``data.json`` (the structure, as JSON: tensors appear in it as
    ``{"type": "tensor", "file": "tensors/0.bin", "dtype": "float32", "shape": [2, 3], "requires_grad": false}``)
    and ``tensors/N.bin`` (each tensor's values, raw little-endian bytes in C order)."""
    if HEADER_FILE not in members:
        raise _invalid(name, f"it has no {HEADER_FILE}")
    reader = _Reader(archive, name)
    try:
        header = json.loads(str(reader.read_member(HEADER_FILE), "utf-8"))
    except RecursionError:  # JSON nested ~1000 deep: deeper than any checkpoint glasstorch writes
        raise _invalid(name, f"{HEADER_FILE} is nested too deeply to read") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise _invalid(name, f"{HEADER_FILE} cannot be read ({e})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise _invalid(name, f"{HEADER_FILE} does not name the format {FORMAT_NAME!r}")
    if header.get("version") != FORMAT_VERSION:
        raise _invalid(name, f"format version {header.get('version')!r}; this glasstorch reads version "
                             f"{FORMAT_VERSION} (was it written by a newer glasstorch?)")
    if header.get("byteorder") != "little" or "object" not in header:
        raise _invalid(name, f"{HEADER_FILE} lacks its byteorder or object")
    try:
        return reader.decode(header["object"])
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, TypeError, IndexError,
            RuntimeError) as e:
        raise _invalid(name, f"{type(e).__name__}: {e}") from None


class _Reader:
    """The inverse of _Writer: JSON values back to objects, reading tensor bytes from the archive."""

    def __init__(self, archive, name):
        self.archive = archive
        self.name = name
        self.loaded = {}  # file name -> tensor, so a tensor stored once loads as one object

    def decode(self, value, depth=0):
        """``depth``: how many containers hold ``value`` (as in _Writer.encode)."""
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if not isinstance(value, (list, dict)):
            raise _invalid(self.name, f"unexpected JSON value {value!r}")
        kind = "list" if isinstance(value, list) else value["type"]
        if kind in ("list", "tuple", "dict", "OrderedDict") and depth >= MAX_DEPTH:
            raise _invalid(self.name, f"its data is nested more than {MAX_DEPTH} levels deep")
        depth += 1
        if kind == "list":
            return [self.decode(v, depth) for v in value]
        if kind == "tuple":
            return tuple(self.decode(v, depth) for v in value["items"])
        if kind == "dict":
            return {self.decode(k, depth): self.decode(v, depth) for k, v in value["items"]}
        if kind == "OrderedDict":
            return collections.OrderedDict((self.decode(k, depth), self.decode(v, depth)) for k, v in value["items"])
        if kind == "float":
            if value["value"] not in ("nan", "inf", "-inf"):
                raise _invalid(self.name, f"bad float {value['value']!r}")
            return float(value["value"])
        if kind == "Size":
            return Size([int(n) for n in value["items"]])
        if kind == "dtype":
            return _dtype.from_name(value["name"])
        if kind in ("tensor", "parameter"):
            return self.decode_tensor(value)
        raise _invalid(self.name, f"unknown value type {kind!r}")

    def decode_tensor(self, ref):
        file = ref["file"]
        if file in self.loaded:
            return self.loaded[file]
        dtype = _dtype.from_name(ref["dtype"]).numpy_dtype
        shape = tuple(int(n) for n in ref["shape"])
        if any(n < 0 for n in shape):
            raise _invalid(self.name, f"negative size in shape {list(shape)}")
        expected = math.prod(shape) * dtype.itemsize
        size = self.archive.getinfo(file).file_size
        if size != expected:
            raise _invalid(self.name, f"{file} holds {size} bytes; shape {list(shape)} of {ref['dtype']} needs "
                                      f"{expected}")
        raw = self.read_member(file)  # a new, writable array, filled in place
        array = raw.view(dtype.newbyteorder("<")).astype(dtype, copy=False).reshape(shape)
        t = wrap(array)
        if ref["type"] == "parameter" and _parameter_class() is not None:
            t = _parameter_class()(t, requires_grad=bool(ref["requires_grad"]))
        elif ref["requires_grad"]:
            t.requires_grad_(True)
        self.loaded[file] = t
        return t

    def read_member(self, member):
        """The bytes of ``member`` as a new uint8 array of the size its header declares, read into it a chunk at
        a time (never more than a chunk held twice). A member that holds more than its header declares is
        refused before more than a chunk of the excess is inflated (zipfile alone would silently cut it off at
        the declared size, after inflating it all at once: a zip bomb)."""
        info = copy.copy(self.archive.getinfo(member))
        declared, crc = info.file_size, info.CRC
        info.file_size = declared + 1  # let zipfile give one byte past the declared size, if there is one
        info.CRC = None  # and not check the CRC-32 itself (it would, on that byte): checked below
        out = np.empty(declared, np.uint8)
        view = memoryview(out)
        running = zlib.crc32(b"")
        with self.archive.open(info) as stream:
            done = 0
            while done < declared:
                n = stream.readinto(view[done:done + CHUNK])
                if not n:
                    raise _invalid(self.name, f"{member} ends after {done} of the {declared} bytes its header "
                                              "declares")
                running = zlib.crc32(view[done:done + n], running)
                done += n
            if stream.read(1):
                raise _invalid(self.name, f"{member} holds more than the {declared} bytes its header declares (a "
                                          "lying ZIP header, or a zip bomb)")
        if running != crc:
            raise _invalid(self.name, f"{member} fails its CRC-32 check (its bytes are corrupted)")
        return out
