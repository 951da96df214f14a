"""PyTorch's checkpoint format, read and written without running code (used by glasstorch/serialization.py).

The zip format (what ``torch.save`` writes since PyTorch 1.6), an uncompressed ZIP archive of records under one
folder (``archive/``):

- ``data.pkl``: the saved object as a pickle (protocol 2). A tensor appears in it as
  ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks)`` and its
  storage as a persistent id ``('storage', torch.FloatStorage, '0', 'cpu', numel)``: the key ``'0'`` names the
  record ``data/0``, which holds that storage's raw bytes (``numel`` elements). Two tensors on one storage name
  the same key: views stay views. dtypes PyTorch has no legacy storage class for (uint16/32/64) use
  ``torch.storage.UntypedStorage`` (numel counts bytes) and ``_rebuild_tensor_v3`` (which takes the dtype);
- ``byteorder`` (``little``), ``version`` (``3``), ``.format_version``, ``.storage_alignment`` (``64``: each
  storage record starts at a multiple of 64 bytes in the file, which lets ``mmap=True`` map it in place) and
  ``.data/serialization_id``.

The legacy format (``_use_new_zipfile_serialization=False``): five pickles one after another (a magic number,
the protocol version 1001, system info with the byte order, the object, the list of storage keys), then each
storage's bytes in that order, each after its element count (8 bytes, little-endian).
"""
import collections
import io
import math
import mmap as _mmap
import os
import zipfile

import numpy as np

from . import _dtype
from ._device import check_device, device as _device_class
from ._serialization_pickle import (ALLOWED, STORAGE_DTYPES, TORCH_DTYPES, UNSUPPORTED_DTYPES, Global, Pickler,
                                    PlainData, UnpicklingError, Unpickler)
from ._size import Size
from .autograd.function import _root, wrap
from .tensor import Tensor

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
ALIGNMENT = 64
STORAGE_CLASS = {v: k for k, v in STORAGE_DTYPES.items() if v is not None}  # glasstorch dtype name -> class name


def _parameter_class():
    from . import nn  # (glasstorch.nn imports glasstorch first)
    return nn.Parameter


# -- reading --------------------------------------------------------------------------------------------
class Storage:
    """A storage read from a file: its bytes (a uint8 array, filled later in the legacy format) and the dtype
    its persistent id declared (None for UntypedStorage: the tensor rebuild names it)."""

    def __init__(self, data, dtype, big_endian):
        self.data, self.dtype, self.big_endian, self.swapped = data, dtype, big_endian, None

    def cpu(self):
        return self  # (for a map_location callable such as ``lambda storage, loc: storage.cpu()``)

    def array(self, dtype):
        """The bytes, as ``dtype`` elements (byte-swapped in place once, for a big-endian file)."""
        if self.big_endian and dtype.itemsize > 1:
            if self.swapped is None:
                self.data.view(dtype.newbyteorder(">")).byteswap(inplace=True)
                self.swapped = dtype.itemsize
            elif self.swapped != dtype.itemsize:
                raise UnpicklingError("a big-endian storage viewed as dtypes of different sizes")
        return self.data


class Loader:
    """What the restricted unpickler asks of the allowed globals (see _serialization_pickle.Unpickler)."""

    def __init__(self, name, read_storage, map_location, big_endian=False):
        self.name = name
        self.read_storage = read_storage  # (key, nbytes) -> uint8 array
        self.map_location = map_location
        self.big_endian = big_endian
        self.storages = {}
        self.legacy_views = {}

    # GLOBAL
    def resolve(self, path):
        module, _, name = path.rpartition(".")
        if module == "torch" and name in TORCH_DTYPES:
            return _dtype.from_name(TORCH_DTYPES[name])
        if module == "torch" and name in UNSUPPORTED_DTYPES:
            raise UnpicklingError(f"GLOBAL {path}: glasstorch has no dtype {path} (complex, quantized and "
                                  "sub-byte dtypes are not supported)")
        return Global(path)

    # BINPERSID
    def persistent_load(self, pid):
        if len(pid) not in (5, 6) or not isinstance(pid[1], Global):
            raise UnpicklingError(f"a storage record of an unknown form: {pid!r:.100}")
        storage_type, key, location, numel = pid[1].path, str(pid[2]), _text(pid[3]), pid[4]
        class_name = storage_type.rpartition(".")[2]
        if storage_type in ("torch.storage.UntypedStorage",):
            dtype = None
        elif class_name in STORAGE_DTYPES and storage_type in ALLOWED:
            if STORAGE_DTYPES[class_name] is None:
                raise UnpicklingError(f"GLOBAL {storage_type}: glasstorch has no dtype for this storage")
            dtype = _dtype.from_name(STORAGE_DTYPES[class_name]).numpy_dtype
        else:
            raise UnpicklingError(f"{storage_type} is not a storage type")
        if type(numel) is not int or numel < 0:
            raise UnpicklingError(f"bad storage size {numel!r}")
        if key not in self.storages:
            nbytes = numel * (1 if dtype is None else dtype.itemsize)
            self.storages[key] = Storage(self.read_storage(key, nbytes), dtype, self.big_endian)
            self.check_location(location, self.storages[key])
        storage = self.storages[key]
        view = pid[5] if len(pid) == 6 else None
        if view is None:
            return storage
        view_key, offset, size = view  # legacy: a storage that is a slice of another one
        if view_key not in self.legacy_views:
            isz = 1 if dtype is None else dtype.itemsize
            if not (0 <= offset and offset + size <= numel):
                raise UnpicklingError("a storage view outside its storage")
            self.legacy_views[view_key] = Storage(storage.data[offset * isz:(offset + size) * isz], dtype,
                                                  self.big_endian)
        return self.legacy_views[view_key]

    def check_location(self, location, storage):
        """Where map_location sends a storage saved at ``location``: glasstorch has only the CPU."""
        target = self.map_location
        if callable(target) and not isinstance(target, (str, dict, _device_class)):
            result = target(storage, location)  # PyTorch's form: (storage, location) -> storage
            target = result if isinstance(result, (str, _device_class)) else "cpu"
        elif isinstance(target, dict):
            target = target.get(location, location)
        if target is None:
            target = location
            if not location.startswith("cpu"):
                kind = location.split(":")[0].upper()
                raise RuntimeError(f"{self.name}: Attempting to deserialize object on a {kind} device "
                                   "but glasstorch has only the CPU. Use glasstorch.load with "
                                   "map_location='cpu' (or map_location=torch.device('cpu')) to map your storages "
                                   "to the CPU.")
        check_device(target)

    # REDUCE
    def reduce(self, path, args):
        if path in ("collections.OrderedDict", "collections.Counter"):
            cls = collections.OrderedDict if path.endswith("OrderedDict") else collections.Counter
            if len(args) > 1 or (args and not isinstance(args[0], (list, tuple, dict))):
                raise UnpicklingError(f"{path}: unexpected arguments")
            return cls(*args)
        if path == "torch.Size":
            if len(args) != 1 or not all(type(n) is int for n in args[0]):
                raise UnpicklingError("torch.Size: expected a tuple of ints")
            return Size(list(args[0]))
        if path == "torch.device":
            if not args or not all(type(a) in (str, int) for a in args):
                raise UnpicklingError("torch.device: expected a device name")
            return _device_class(*args)
        if path == "torch.serialization._get_layout":
            from . import strided
            if args != ("torch.strided",):
                raise UnpicklingError(f"layout {args!r:.60}: glasstorch has only torch.strided")
            return strided
        if path == "_codecs.encode":
            if len(args) != 2 or type(args[0]) is not str or args[1] not in ("latin1", "latin-1"):
                raise UnpicklingError("_codecs.encode: expected (text, 'latin1')")
            return args[0].encode("latin1")
        if path == "builtins.bytearray":
            if len(args) > 1 or (args and type(args[0]) is not bytes):
                raise UnpicklingError("bytearray: expected bytes")
            return bytearray(*args)
        if path == "builtins.set":
            if len(args) > 1 or (args and type(args[0]) not in (list, tuple, set)):
                raise UnpicklingError("set: expected a list")
            return set(*args)
        if path == "builtins.complex":
            if not 1 <= len(args) <= 2 or not all(type(a) in (int, float) for a in args):
                raise UnpicklingError("complex: expected numbers")
            return complex(*args)
        if path == "torch._utils._rebuild_tensor":
            return self.tensor(*_arity(path, args, 4, 4))
        if path == "torch._utils._rebuild_tensor_v2":
            storage, offset, size, stride, requires_grad, hooks, *_ = _arity(path, args, 6, 7)
            return self.tensor(storage, offset, size, stride, requires_grad)
        if path == "torch._utils._rebuild_tensor_v3":
            storage, offset, size, stride, requires_grad, hooks, dtype, *_ = _arity(path, args, 7, 8)
            if not isinstance(dtype, _dtype.dtype):
                raise UnpicklingError(f"_rebuild_tensor_v3: {dtype!r} is not a dtype glasstorch has")
            return self.tensor(storage, offset, size, stride, requires_grad, dtype)
        if path in ("torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state"):
            data, requires_grad, hooks, *state = _arity(path, args, 3, 4)
            if not isinstance(data, Tensor) or type(requires_grad) is not bool:
                raise UnpicklingError(f"{path}: expected a tensor and a bool")
            if state and state[0]:
                raise UnpicklingError(f"{path}: a Parameter with extra attributes ({list(state[0])[:5]}) is not "
                                      "supported")
            return _parameter_class()(data, requires_grad=requires_grad)
        if path == "torch._tensor._rebuild_from_type_v2":
            func, new_type, inner, state = _arity(path, args, 4, 4)
            if not isinstance(func, Global) or not isinstance(new_type, Global) or type(inner) is not tuple:
                raise UnpicklingError(f"{path}: unexpected arguments")
            if new_type.path not in ("torch.Tensor", "torch.nn.parameter.Parameter"):
                raise UnpicklingError(f"{path}: a tensor subclass {new_type.path} is not supported")
            if state:
                raise UnpicklingError(f"{path}: a tensor with Python attributes ({', '.join(map(str, state))[:80]})"
                                      " is not supported")
            result = self.reduce(func.path, inner)
            if not isinstance(result, Tensor):
                raise UnpicklingError(f"{path}: {func.path} does not rebuild a tensor")
            if new_type.path.endswith("Parameter") and not isinstance(result, _parameter_class()):
                result = _parameter_class()(result, requires_grad=result.requires_grad)
            return result
        raise UnpicklingError(f"Trying to call reduce for unrecognized function {path}")

    def tensor(self, storage, offset, size, stride, requires_grad=False, dtype=None):
        if not isinstance(storage, Storage):
            raise UnpicklingError("a tensor rebuild without a storage")
        if not (_ints(size) and _ints(stride) and len(size) == len(stride) and type(offset) is int
                and offset >= 0 and type(requires_grad) is bool):
            raise UnpicklingError(f"a tensor of bad size {size!r:.60}, stride {stride!r:.60} or offset {offset!r}")
        if dtype is None:
            if storage.dtype is None:
                raise UnpicklingError("an UntypedStorage rebuilt without a dtype")
            np_dtype = storage.dtype
        else:
            np_dtype = dtype.numpy_dtype
        isz = np_dtype.itemsize
        data = storage.array(np_dtype)
        if math.prod(size) == 0:
            array = np.empty(size, np_dtype)
        else:
            end = (offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1) * isz
            if end > data.size:
                raise UnpicklingError(f"a tensor of size {list(size)}, stride {list(stride)} and offset {offset} "
                                      f"reaches past its storage of {data.size // isz} elements")
            # a window on the storage's bytes: tensors on one storage share memory, as in PyTorch
            array = np.ndarray(size, np_dtype, buffer=data, offset=offset * isz,
                               strides=tuple(s * isz for s in stride))
        t = wrap(array)
        if requires_grad:
            t.requires_grad_(True)
        return t

    # NEWOBJ
    def new_object(self, path, args):
        if path == "torch.nn.parameter.Parameter" and args and isinstance(args[0], Tensor):
            return _parameter_class()(*args[:2])
        raise UnpicklingError(f"Can only create new object for nn.Parameter, but got {path}")

    # BUILD
    def build(self, obj, state):
        if type(obj) in (collections.OrderedDict, collections.Counter) and type(state) is dict \
                and all(type(k) is str and not k.startswith("__") for k in state):
            obj.__dict__.update(state)  # a state_dict's _metadata
            return
        raise UnpicklingError(f"Can only build OrderedDict attributes, but got {type(obj).__name__}")


def _text(s):
    return s.decode("ascii") if isinstance(s, bytes) else str(s)


def _ints(values):
    return type(values) in (tuple, list, Size) and all(type(n) is int and n >= 0 for n in values)


def _arity(path, args, low, high):
    if not low <= len(args) <= high:
        raise UnpicklingError(f"{path}: {len(args)} arguments")
    return args


def find_prefix(members):
    """The folder holding ``data.pkl`` in a PyTorch zip archive, or None if it is not one."""
    for m in members:
        folder, _, base = m.rpartition("/")
        if base == "data.pkl" and folder and "/" not in folder:
            return folder + "/"
    return None


def load_zip(archive, prefix, name, read_member, map_location, mmap_path):
    """The object in a PyTorch zip archive; ``read_member(member)`` gives a record's bytes (checked)."""
    members = set(archive.namelist())
    byteorder = "little"
    if prefix + "byteorder" in members:
        byteorder = bytes(read_member(prefix + "byteorder")).decode("ascii").strip()
        if byteorder not in ("little", "big"):
            raise UnpicklingError(f"unknown byteorder {byteorder!r}")
    mapped = open(mmap_path, "rb") if mmap_path is not None else None

    def read_storage(key, nbytes):
        member = f"{prefix}data/{key}"
        if member not in members:
            raise UnpicklingError(f"the storage record {member} is missing")
        info = archive.getinfo(member)
        if info.file_size != nbytes:
            raise UnpicklingError(f"{member} holds {info.file_size} bytes; its storage needs {nbytes}")
        if mapped is None:
            return read_member(member)
        if info.compress_type != zipfile.ZIP_STORED:
            raise RuntimeError(f"{name}: mmap=True needs uncompressed storage records ({member} is compressed)")
        if nbytes == 0:
            return np.empty(0, np.uint8)
        mapped.seek(info.header_offset)
        local = mapped.read(30)
        start = info.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30],
                                                                                                    "little")
        return np.memmap(mapped, np.uint8, mode="c", offset=start, shape=(nbytes,))  # copy-on-write, as PyTorch

    try:
        loader = Loader(name, read_storage, map_location, big_endian=byteorder == "big")
        return Unpickler(io.BytesIO(bytes(read_member(prefix + "data.pkl"))), loader).load()
    finally:
        if mapped is not None:
            mapped.close()


def load_legacy(file, name, map_location):
    """The object in a legacy (non-zip) ``torch.save`` file, read from the binary file object ``file``."""
    plain = PlainData()
    if Unpickler(file, plain).load() != LEGACY_MAGIC:
        raise UnpicklingError("Invalid magic number; corrupt file?")
    protocol = Unpickler(file, plain).load()
    if protocol != LEGACY_PROTOCOL:
        raise UnpicklingError(f"Invalid protocol version: {protocol}")
    info = Unpickler(file, plain).load()
    big_endian = isinstance(info, dict) and info.get("little_endian") is False
    pending = {}
    here = file.tell()
    file_size = file.seek(0, io.SEEK_END)
    file.seek(here)

    def new_storage(key, nbytes):
        if nbytes + sum(a.size for a in pending.values()) > file_size:  # (a lying size: no huge allocation)
            raise UnpicklingError(f"storage {key} declares more bytes than the file holds")
        pending[key] = np.empty(nbytes, np.uint8)  # filled below, once the object is read
        return pending[key]

    loader = Loader(name, new_storage, map_location, big_endian=big_endian)
    result = Unpickler(file, loader).load()
    keys = Unpickler(file, plain).load()
    if type(keys) is not list:
        raise UnpicklingError("the list of storage keys is missing")
    for key in keys:
        key = str(key)
        if key not in pending:
            raise UnpicklingError(f"storage key {key!r} not found")
        data = pending[key]
        count = file.read(8)
        if len(count) != 8:
            raise EOFError("the file ends before its storages")
        itemsize = loader.storages[key].dtype.itemsize if loader.storages[key].dtype is not None else 1
        if int.from_bytes(count, "little") * itemsize != data.size:
            raise UnpicklingError(f"storage {key} holds another size than its record declares")
        if file.readinto(memoryview(data)) != data.size:
            raise EOFError("the file ends inside a storage")
    return result


# -- writing --------------------------------------------------------------------------------------------
class Saver:
    """Writes ``data.pkl`` and collects the storages it names (save_other for _serialization_pickle.Pickler)."""

    def __init__(self, max_depth, too_deep):
        self.buffer = io.BytesIO()
        self.pickler = Pickler(self.buffer, self.save_other, max_depth, too_deep)
        self.storages = {}  # id(memory owner) -> [key, glasstorch dtype, uint8 array]
        self.keep_alive = []

    def dump(self, obj):
        self.pickler.dump(obj)
        return self.buffer.getvalue()

    def save_other(self, obj):
        p = self.pickler
        if isinstance(obj, Tensor):
            self.save_tensor(obj)
        elif isinstance(obj, np.ndarray):
            if p.get(obj):
                return True
            try:
                _dtype.from_numpy(obj.dtype)
            except TypeError:
                raise TypeError(f"glasstorch.save cannot save a NumPy array of dtype {obj.dtype}") from None
            self.save_tensor(wrap(obj), memo_key=obj)  # as a tensor: PyTorch's weights_only loads it
        elif isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
            p.save(obj.item())  # a NumPy scalar: the Python number it holds
        elif isinstance(obj, _dtype.dtype):
            p.global_("torch", obj.name)
        elif isinstance(obj, Size):
            p.global_("torch", "Size")
            p.save((tuple(int(n) for n in obj),))
            p.write(b"R")
        elif isinstance(obj, _device_class):
            p.global_("torch", "device")
            p.save((str(obj),))
            p.write(b"R")
        elif type(obj) in (collections.OrderedDict, collections.Counter):
            p.global_("collections", type(obj).__name__)
            p.write(b")R")
            p.save_items(obj)
            state = vars(obj)
            if state:
                p.save(dict(state))
                p.write(b"b")  # BUILD: attributes, such as a state_dict's _metadata
        elif isinstance(obj, dict):  # other dict subclasses (defaultdict...): saved as plain dicts
            p.write(b"}")
            p.save_items(obj)
        else:
            return False
        return True

    def save_tensor(self, t, memo_key=None):
        p = self.pickler
        memo_key = t if memo_key is None else memo_key
        if p.get(memo_key):
            return
        dt = _dtype.from_numpy(t._array.dtype)
        key, numel, offset, stride = self.storage_of(t, dt)
        parameter = isinstance(t, _parameter_class())
        if parameter:
            p.global_("torch._utils", "_rebuild_parameter")
        untyped = dt.name not in STORAGE_CLASS
        p.global_("torch._utils", "_rebuild_tensor_v3" if untyped else "_rebuild_tensor_v2")
        p.write(b"(")  # the rebuild's arguments
        p.write(b"(")  # the storage's persistent id
        p.save("storage")
        if untyped:
            p.global_("torch.storage", "UntypedStorage")
        else:
            p.global_("torch", STORAGE_CLASS[dt.name])
        p.save(key)
        p.save("cpu")
        p.save(numel * dt.itemsize if untyped else numel)
        p.write(b"tQ")  # TUPLE, BINPERSID
        p.save(offset)
        p.save(tuple(t.shape))
        p.save(tuple(stride))
        p.save(bool(t.requires_grad) and not parameter)
        p.global_("collections", "OrderedDict")
        p.write(b")R")  # backward hooks: none
        if untyped:
            p.save(dt)
        p.write(b"tR")
        if parameter:
            p.save(bool(t.requires_grad))
            p.global_("collections", "OrderedDict")
            p.write(b")R\x87R")  # TUPLE3, REDUCE
        p.memoize(memo_key)

    def storage_of(self, t, dt):
        """(key, numel, offset, stride) of the storage holding ``t``: its memory's owner, shared with every
        other tensor on it; a tensor whose memory cannot be described so gets a contiguous copy of its own."""
        array = t._array
        isz = dt.itemsize
        memory = _memory_bytes(array) if array.size else None
        if memory is not None:
            owner, data = memory
            start = array.__array_interface__["data"][0] - data.__array_interface__["data"][0]
            if (start % isz == 0 and data.size % isz == 0 and start >= 0
                    and all(s >= 0 and s % isz == 0 for n, s in zip(array.shape, array.strides) if n > 1)):
                entry = self.storages.get(id(owner))
                if entry is None:
                    entry = self.storages[id(owner)] = [str(len(self.storages)), dt, data]
                    self.keep_alive.append(owner)
                if entry[1] == dt:  # (another dtype on the same memory: a copy, below)
                    return entry[0], data.size // isz, start // isz, t.stride()
        copy = np.ascontiguousarray(array)
        key = str(len(self.storages))
        self.storages[("copy", key)] = [key, dt, copy.reshape(-1).view(np.uint8)]
        strides = [1] * array.ndim
        for d in range(array.ndim - 2, -1, -1):
            strides[d] = strides[d + 1] * max(array.shape[d + 1], 1)
        return key, copy.size, 0, strides


def _memory_bytes(array):
    """(owner, the owner's whole memory as a uint8 array), or None where it cannot be had without a copy."""
    owner = _root(array)
    if not isinstance(owner, np.ndarray):  # memory outside NumPy (an mmap): its outermost array, if it has one
        outer = array
        while isinstance(getattr(outer, "base", None), np.ndarray):
            outer = outer.base
        if outer.flags.c_contiguous and outer is not array:  # (a memory-mapped record: that record only)
            owner = outer
    try:
        if isinstance(owner, np.ndarray):
            if owner.flags.c_contiguous:
                return owner, owner.reshape(-1).view(np.uint8)
            if owner.flags.f_contiguous:
                return owner, owner.T.reshape(-1).view(np.uint8)
            return None
        if isinstance(owner, (_mmap.mmap, bytes, bytearray, memoryview)):
            return owner, np.frombuffer(owner, np.uint8)
    except (ValueError, TypeError, BufferError):
        return None
    return None


def write_zip(obj, file, max_depth, too_deep):
    """Write ``obj`` to the binary file object ``file`` in PyTorch's zip format."""
    saver = Saver(max_depth, too_deep)
    pickled = saver.dump(obj)  # first: an unsupported object fails before anything is written
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        _record(archive, "archive/data.pkl", pickled)
        _record(archive, "archive/.format_version", b"1")
        _record(archive, "archive/.storage_alignment", str(ALIGNMENT).encode())
        _record(archive, "archive/byteorder", b"little")
        for key, dt, data in saver.storages.values():
            if np.little_endian is False and dt.itemsize > 1:
                data = data.view(dt.numpy_dtype).byteswap().view(np.uint8)
            _record(archive, f"archive/data/{key}", data)
        _record(archive, "archive/version", b"3\n")
        _record(archive, "archive/.data/serialization_id", str(int.from_bytes(os.urandom(16), "big")).zfill(40)
                .encode())


def _record(archive, member, data):
    """One stored record, its data starting at a multiple of ALIGNMENT bytes (padding in the header's extra
    field, as PyTorch's writer does)."""
    info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    nbytes = data.nbytes if isinstance(data, np.ndarray) else len(data)
    info.file_size = nbytes
    start = archive.fp.tell() + 30 + len(member.encode()) + 4
    if nbytes > zipfile.ZIP64_LIMIT:
        start += 20  # zipfile adds a zip64 field to the local header
    pad = -start % ALIGNMENT
    info.extra = b"FB" + pad.to_bytes(2, "little") + bytes(pad)
    with archive.open(info, "w", force_zip64=nbytes > zipfile.ZIP64_LIMIT) as out:
        if isinstance(data, np.ndarray):
            for at in range(0, nbytes, 1 << 24):
                out.write(memoryview(data[at:at + (1 << 24)]))
        else:
            out.write(data)
