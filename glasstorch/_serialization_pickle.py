"""The pickle side of PyTorch's checkpoint format, in plain Python: a restricted reader and a small writer.

``torch.save`` stores an object's structure as a pickle (protocol 2). Python's own ``pickle.load`` would call
whatever the file names (``os.system``, ``eval``...), so glasstorch never uses it: ``Unpickler`` below is a
small interpreter of the pickle opcodes PyTorch's ``weights_only=True`` unpickler knows (the same list as
torch/_weights_only_unpickler.py), and a ``GLOBAL`` opcode may only name the globals in ``ALLOWED`` (PyTorch's
default allow-list, less what glasstorch cannot represent). Nothing from the file is ever looked up with
``import`` or ``getattr``: each allowed name maps to a marker, and ``REDUCE`` on a marker calls glasstorch's own
rebuild function for it (``rebuild`` below). Anything else raises ``pickle.UnpicklingError`` naming the global.

``Pickler`` writes the same opcodes back: plain values, lists, tuples, dicts, OrderedDicts (with their
attributes, such as a state_dict's ``_metadata``), sets, and tensors as PyTorch writes them
(``torch._utils._rebuild_tensor_v2`` over a persistent ``('storage', ...)`` id).
"""
import collections
import struct
from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING  # tables of names only
from pickle import UnpicklingError  # the error type only: nothing here calls pickle

__all__ = ["Unpickler", "Pickler", "Global", "UnpicklingError"]


class Global:
    """A name the file may use (``torch._utils._rebuild_tensor_v2``): a marker, never the real object."""

    def __init__(self, path):
        self.path = path

    def __repr__(self):
        return self.path


# PyTorch's legacy storage classes, by the glasstorch dtype each holds (None: PyTorch's own dtype glasstorch lacks)
STORAGE_DTYPES = {"DoubleStorage": "float64", "FloatStorage": "float32", "HalfStorage": "float16",
                  "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16", "CharStorage": "int8",
                  "ByteStorage": "uint8", "BoolStorage": "bool", "BFloat16Storage": "bfloat16",
                  "ComplexDoubleStorage": None, "ComplexFloatStorage": None, "QInt8Storage": None,
                  "QInt32Storage": None, "QUInt8Storage": None, "QUInt4x2Storage": None, "QUInt2x4Storage": None}
# torch.<name> dtypes in PyTorch's allow-list; those glasstorch has map to its names
TORCH_DTYPES = {"float64": "float64", "float32": "float32", "float16": "float16", "bfloat16": "bfloat16",
                "int64": "int64", "int32": "int32", "int16": "int16", "int8": "int8", "uint8": "uint8",
                "bool": "bool", "uint16": "uint16", "uint32": "uint32", "uint64": "uint64"}
UNSUPPORTED_DTYPES = ("complex32", "complex64", "complex128", "qint8", "qint32", "quint8", "quint4x2", "quint2x4",
                      "float8_e5m2", "float8_e4m3fn", "float8_e5m2fnuz", "float8_e4m3fnuz", "float8_e8m0fnu",
                      "float4_e2m1fn_x2", "bits8", "bits16", "bits1x8", "bits2x4", "bits4x2",
                      "uint1", "uint2", "uint3", "uint4", "uint5", "uint6", "uint7",
                      "int1", "int2", "int3", "int4", "int5", "int6", "int7")

ALLOWED = {"collections.OrderedDict", "collections.Counter", "torch.nn.parameter.Parameter",
           "torch.serialization._get_layout", "torch.Size", "torch.Tensor", "torch.device", "_codecs.encode",
           "builtins.bytearray", "builtins.set", "builtins.complex",
           "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
           "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
           "torch._tensor._rebuild_from_type_v2", "torch.storage.UntypedStorage", "torch.storage.TypedStorage"}
ALLOWED |= {f"torch.{name}" for name in STORAGE_DTYPES} | {f"torch.cuda.{name}" for name in STORAGE_DTYPES}
ALLOWED |= {f"torch.{name}" for name in TORCH_DTYPES} | {f"torch.{name}" for name in UNSUPPORTED_DTYPES}
# in PyTorch's allow-list, but tensors glasstorch cannot represent: refused with this reason
NOT_SUPPORTED = {"torch._utils._rebuild_qtensor": "quantized tensors",
                 "torch._utils._rebuild_sparse_tensor": "sparse tensors",
                 "torch._utils._rebuild_meta_tensor_no_storage": "meta tensors",
                 "torch._utils._rebuild_nested_tensor": "nested tensors",
                 "torch._utils._rebuild_wrapper_subclass": "tensor subclasses",
                 "torch._utils._rebuild_device_tensor_from_numpy": "device tensors",
                 "torch._utils._rebuild_device_tensor_from_cpu_tensor": "device tensors"}
BLOCKED_MODULES = ("sys", "os", "posix", "nt")  # never allowed, as in PyTorch

# opcodes (pickle protocol 2; the names of Python's pickle.py)
MARK, STOP, POP, NONE, NEWTRUE, NEWFALSE = b"(", b".", b"0", b"N", b"\x88", b"\x89"
BININT, BININT1, BININT2, LONG1, BINFLOAT = b"J", b"K", b"M", b"\x8a", b"G"
BINUNICODE, SHORT_BINSTRING = b"X", b"U"
EMPTY_TUPLE, TUPLE, TUPLE1, TUPLE2, TUPLE3 = b")", b"t", b"\x85", b"\x86", b"\x87"
EMPTY_LIST, APPEND, APPENDS, EMPTY_DICT, SETITEM, SETITEMS, EMPTY_SET = b"]", b"a", b"e", b"}", b"s", b"u", b"\x8f"
GLOBAL, REDUCE, BUILD, NEWOBJ, BINPERSID = b"c", b"R", b"b", b"\x81", b"Q"
BINGET, LONG_BINGET, BINPUT, LONG_BINPUT, PROTO = b"h", b"j", b"q", b"r", b"\x80"


class Unpickler:
    """Reads one pickle from ``file`` (``read``/``readline``), allowing only PyTorch's weights-only globals.

    ``loader`` does what the opcodes ask of the allowed globals: ``resolve(path)`` gives the value a ``GLOBAL``
    pushes (a glasstorch dtype for ``torch.float32``, else a ``Global`` marker), ``reduce(path, args)`` performs a
    ``REDUCE``, ``new_object(path, args)`` a ``NEWOBJ``, ``build(obj, state)`` a ``BUILD``, and
    ``persistent_load(pid)`` turns a ``('storage', ...)`` id into a storage.
    """

    def __init__(self, file, loader):
        self.read, self.readline = file.read, file.readline
        self.loader = loader  # persistent_load, resolve, reduce, new_object, build (see _serialization_torch)
        self.memo = {}

    def read_exactly(self, n):
        data = self.read(n)
        if len(data) != n:
            raise EOFError("the pickle ends early")
        return data

    def read_global(self):
        module = self.readline()[:-1].decode("utf-8")
        name = self.readline()[:-1].decode("utf-8")
        if (module, name) in NAME_MAPPING:  # Python 2 names, which protocol 2 writes (as PyTorch maps them)
            module, name = NAME_MAPPING[(module, name)]
        elif module in IMPORT_MAPPING:
            module = IMPORT_MAPPING[module]
        path = f"{module}.{name}"
        if module in BLOCKED_MODULES:
            raise UnpicklingError(f"Trying to load unsupported GLOBAL {path} whose module {module} is blocked.")
        if path in NOT_SUPPORTED:
            raise UnpicklingError(f"GLOBAL {path}: the file holds {NOT_SUPPORTED[path]}, which glasstorch does "
                                  "not support")
        if path not in ALLOWED:
            raise UnpicklingError(f"Unsupported global: GLOBAL {path} was not an allowed global by default "
                                  "(glasstorch.load, like torch.load(weights_only=True), loads only tensors, "
                                  "storages, dtypes, sizes, OrderedDicts and plain Python data; it never runs code "
                                  "from a file)")
        return self.loader.resolve(path)

    def load(self):
        stack, metastack = [], []

        def pop_mark():
            nonlocal stack
            items = stack
            stack = metastack.pop()
            return items

        read = self.read_exactly
        while True:
            key = self.read(1)
            if not key:
                raise EOFError("the pickle ends before its STOP")
            if key == GLOBAL:
                stack.append(self.read_global())
            elif key == REDUCE:
                args = stack.pop()
                func = stack[-1]
                if not isinstance(func, Global) or type(args) is not tuple:
                    raise UnpicklingError(f"Trying to call reduce for unrecognized function {func!r}")
                stack[-1] = self.loader.reduce(func.path, args)
            elif key == NEWOBJ:
                args = stack.pop()
                cls = stack.pop()
                if not isinstance(cls, Global) or type(args) is not tuple:
                    raise UnpicklingError(f"Can only create new object for allowed classes, but got {cls!r}")
                stack.append(self.loader.new_object(cls.path, args))
            elif key == BUILD:
                state = stack.pop()
                self.loader.build(stack[-1], state)
            elif key == APPEND:
                item = stack.pop()
                if type(stack[-1]) is not list:
                    raise UnpicklingError(f"Can only append to lists, but got {type(stack[-1]).__name__}")
                stack[-1].append(item)
            elif key == APPENDS:
                items = pop_mark()
                if type(stack[-1]) is not list:
                    raise UnpicklingError(f"Can only extend lists, but got {type(stack[-1]).__name__}")
                stack[-1].extend(items)
            elif key == SETITEM:
                value, k = stack.pop(), stack.pop()
                self.check_dict(stack[-1], "SETITEM")
                stack[-1][k] = value
            elif key == SETITEMS:
                items = pop_mark()
                self.check_dict(stack[-1], "SETITEMS")
                for i in range(0, len(items) - 1, 2):
                    stack[-1][items[i]] = items[i + 1]
            elif key == MARK:
                metastack.append(stack)
                stack = []
            elif key == TUPLE:
                items = pop_mark()  # (first: pop_mark rebinds `stack`)
                stack.append(tuple(items))
            elif key == TUPLE1:
                stack[-1] = (stack[-1],)
            elif key == TUPLE2:
                stack[-2:] = [(stack[-2], stack[-1])]
            elif key == TUPLE3:
                stack[-3:] = [(stack[-3], stack[-2], stack[-1])]
            elif key == NONE:
                stack.append(None)
            elif key == NEWFALSE:
                stack.append(False)
            elif key == NEWTRUE:
                stack.append(True)
            elif key == EMPTY_TUPLE:
                stack.append(())
            elif key == EMPTY_LIST:
                stack.append([])
            elif key == EMPTY_DICT:
                stack.append({})
            elif key == EMPTY_SET:
                stack.append(set())
            elif key == BININT:
                stack.append(struct.unpack("<i", read(4))[0])
            elif key == BININT1:
                stack.append(read(1)[0])
            elif key == BININT2:
                stack.append(struct.unpack("<H", read(2))[0])
            elif key == LONG1:
                stack.append(int.from_bytes(read(read(1)[0]), "little", signed=True))
            elif key == BINFLOAT:
                stack.append(struct.unpack(">d", read(8))[0])
            elif key == BINUNICODE:
                stack.append(str(read(struct.unpack("<I", read(4))[0]), "utf-8", "surrogatepass"))
            elif key == SHORT_BINSTRING:  # a Python 2 str: decoded, as torch.load's default encoding does
                stack.append(read(read(1)[0]).decode("utf-8"))
            elif key == BINPERSID:
                pid = stack.pop()
                if type(pid) is not tuple or not pid or pid[0] not in ("storage", b"storage"):
                    raise UnpicklingError(f"Only persistent_load of storage is allowed, but got {pid!r:.80}")
                stack.append(self.loader.persistent_load(pid))
            elif key in (BINGET, LONG_BINGET):
                index = read(1)[0] if key == BINGET else struct.unpack("<I", read(4))[0]
                if index not in self.memo:
                    raise UnpicklingError(f"Memo value not found at index {index}")
                stack.append(self.memo[index])
            elif key in (BINPUT, LONG_BINPUT):
                index = read(1)[0] if key == BINPUT else struct.unpack("<I", read(4))[0]
                self.memo[index] = stack[-1]
            elif key == POP:
                stack.pop()
            elif key == PROTO:
                read(1)
            elif key == STOP:
                return stack.pop()
            else:
                raise UnpicklingError(f"Unsupported operand {key[0]}")

    @staticmethod
    def check_dict(target, opcode):
        if type(target) not in (dict, collections.OrderedDict, collections.Counter):
            raise UnpicklingError(f"Can only {opcode} for dict, collections.OrderedDict, collections.Counter, but "
                                  f"got {type(target).__name__}")


class PlainData:
    """A loader for pickles of plain data only (no globals, no storages): the legacy format's header records."""

    def refuse(self, *args):
        raise UnpicklingError("this record of the file may hold only plain data")

    resolve = reduce = new_object = build = persistent_load = refuse


class Pickler:
    """Writes protocol-2 pickles of the values PyTorch's weights-only unpickler reads.

    ``save_other(obj)`` is called for what this class does not know (tensors, dtypes, Size...): it returns
    False, or writes the object's opcodes with the helpers below and returns True."""

    def __init__(self, out, save_other, max_depth, too_deep):
        self.out = out
        self.save_other = save_other
        self.max_depth, self.too_deep, self.depth = max_depth, too_deep, 0
        self.memo = {}  # id(obj) -> memo index, for objects that must load as one object (tensors)
        self.keep_alive = []

    def dump(self, obj):
        self.out.write(PROTO + b"\x02")
        self.save(obj)
        self.out.write(STOP)

    def write(self, data):
        self.out.write(data)

    def global_(self, module, name):
        self.out.write(GLOBAL + f"{module}\n{name}\n".encode("utf-8"))

    def memoize(self, obj):
        index = len(self.memo)
        self.memo[id(obj)] = index
        self.keep_alive.append(obj)
        self.out.write(BINPUT + bytes([index]) if index < 256 else LONG_BINPUT + struct.pack("<I", index))

    def get(self, obj):
        """Write a reference to ``obj`` if it was saved before; whether it was."""
        index = self.memo.get(id(obj))
        if index is None:
            return False
        self.out.write(BINGET + bytes([index]) if index < 256 else LONG_BINGET + struct.pack("<I", index))
        return True

    def save(self, obj):
        if isinstance(obj, (list, tuple, dict, set)):
            if self.depth >= self.max_depth:
                raise self.too_deep()
            self.depth += 1
            try:
                self.save_value(obj)
            finally:
                self.depth -= 1
        else:
            self.save_value(obj)

    def save_value(self, obj):
        write = self.out.write
        if obj is None:
            write(NONE)
        elif obj is True or obj is False:
            write(NEWTRUE if obj else NEWFALSE)
        elif type(obj) is int:
            if 0 <= obj < 256:
                write(BININT1 + bytes([obj]))
            elif 0 <= obj < 65536:
                write(BININT2 + struct.pack("<H", obj))
            elif -2 ** 31 <= obj < 2 ** 31:
                write(BININT + struct.pack("<i", obj))
            else:
                data = obj.to_bytes((obj.bit_length() + 8) // 8, "little", signed=True)
                write(LONG1 + bytes([len(data)]) + data)
        elif type(obj) is float:
            write(BINFLOAT + struct.pack(">d", obj))
        elif type(obj) is str:
            data = obj.encode("utf-8", "surrogatepass")
            write(BINUNICODE + struct.pack("<I", len(data)) + data)
        elif type(obj) in (bytes, bytearray):  # as protocol 2 writes bytes: _codecs.encode(latin-1 text)
            if type(obj) is bytearray:
                self.global_("builtins", "bytearray")
            self.global_("_codecs", "encode")
            self.save((bytes(obj).decode("latin1"), "latin1"))
            write(REDUCE)
            if type(obj) is bytearray:
                write(TUPLE1 + REDUCE)
        elif type(obj) is complex:
            self.global_("builtins", "complex")
            self.save((obj.real, obj.imag))
            write(REDUCE)
        elif type(obj) is tuple:
            if not obj:
                write(EMPTY_TUPLE)
                return
            if len(obj) > 3:
                write(MARK)
            for item in obj:
                self.save(item)
            write({1: TUPLE1, 2: TUPLE2, 3: TUPLE3}.get(len(obj), TUPLE))
        elif type(obj) is list:
            write(EMPTY_LIST)
            self.batches(obj, APPENDS, lambda item: self.save(item))
        elif type(obj) is set:
            self.global_("builtins", "set")
            self.save((list(obj),))
            write(REDUCE)
        elif isinstance(obj, dict) and self.save_other(obj):
            return
        elif type(obj) is dict:
            write(EMPTY_DICT)
            self.save_items(obj)
        elif not self.save_other(obj):
            raise TypeError(f"glasstorch.save cannot save an object of type {type(obj).__name__}: it saves "
                            "tensors, NumPy arrays and numbers, strings, None, and lists, tuples, sets and dicts "
                            "of these (save a model's or an optimizer's state_dict(), not the object itself)")

    def save_items(self, mapping):
        self.batches(list(mapping.items()), SETITEMS, lambda kv: (self.save(kv[0]), self.save(kv[1])))

    def batches(self, items, opcode, save_one):
        for start in range(0, len(items), 1000):  # as pickle: MARK ... APPENDS/SETITEMS, 1000 at a time
            self.out.write(MARK)
            for item in items[start:start + 1000]:
                save_one(item)
            self.out.write(opcode)
