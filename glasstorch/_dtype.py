"""Data types: glasstorch's names for NumPy's dtypes, and PyTorch's type-promotion rules.

A ``glasstorch.dtype`` wraps one NumPy dtype. Promotion follows PyTorch, not NumPy, where the two differ:
``int64 tensor + float32 tensor`` is float32 (NumPy says float64), and a Python float combined with an
integer tensor gives the *default* float dtype (float32), not float64.

bfloat16 (8 exponent bits like float32, 7 mantissa bits) is not a NumPy type: its arrays use ml_dtypes'
``bfloat16`` (the NumPy extension type JAX uses), whose ufuncs compute in float32 and round back, as
PyTorch's CPU kernels do. NumPy sees it as kind ``"V"``, not ``"f"``: ask ``is_float_array(a)`` rather
than ``a.dtype.kind == "f"``. uint16/uint32/uint64 are PyTorch's "limited support" unsigned types: they
promote with nothing but themselves and floats (``promote_types`` raises RuntimeError otherwise).
"""
import ml_dtypes
import numpy as np

# The namespace glasstorch's objects print under: ``torch``, because under ``import glasstorch as torch`` (and
# ``glasstorch run``) that is the name the program uses, and a program that prints or compares
# ``str(x.dtype) == "torch.float32"`` must see PyTorch's text. Dtypes, Size, layouts, memory formats, the legacy
# tensor types and the return_types tuples print with it. (``type(x)`` is still glasstorch's class.)
PRINTED = "torch"


class dtype:
    """A tensor element type, e.g. ``glasstorch.float32``."""

    def __init__(self, name, numpy_dtype, is_floating_point, is_signed):
        self.name = name
        self.numpy_dtype = np.dtype(numpy_dtype)
        self.is_floating_point = is_floating_point
        self.is_complex = False
        self.is_signed = is_signed
        self.itemsize = self.numpy_dtype.itemsize

    def to_real(self):
        return self

    def __repr__(self):
        return PRINTED + "." + self.name

    def __reduce__(self):  # dtypes are singletons; keep them so under copy/deepcopy
        return (from_name, (self.name,))


float16 = dtype("float16", np.float16, True, True)
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, True, True)
float32 = dtype("float32", np.float32, True, True)
float64 = dtype("float64", np.float64, True, True)
uint8 = dtype("uint8", np.uint8, False, False)
int8 = dtype("int8", np.int8, False, True)
int16 = dtype("int16", np.int16, False, True)
int32 = dtype("int32", np.int32, False, True)
int64 = dtype("int64", np.int64, False, True)
uint16 = dtype("uint16", np.uint16, False, False)
uint32 = dtype("uint32", np.uint32, False, False)
uint64 = dtype("uint64", np.uint64, False, False)
bool_ = dtype("bool", np.bool_, False, False)

ALL = (float16, bfloat16, float32, float64, uint8, int8, int16, int32, int64, uint16, uint32, uint64, bool_)
_BY_NUMPY = {d.numpy_dtype: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update({"float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
                 "short": int16})
_LIMITED = (uint16, uint32, uint64)  # PyTorch's unsigned types with limited support
# ATen's ScalarType names, used in error messages ("... attempted to promote UInt16 and Char")
SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64"}
_BFLOAT16_NUMPY = bfloat16.numpy_dtype


def is_float_array(a):
    """Whether a NumPy array (or dtype) is floating: kind "f", or bfloat16 (which NumPy calls kind "V")."""
    dt = getattr(a, "dtype", a)
    return dt.kind == "f" or dt == _BFLOAT16_NUMPY


def from_name(name):
    return _BY_NAME[name]


def from_numpy(numpy_dtype):
    """The glasstorch dtype of a NumPy dtype (raises TypeError for types glasstorch lacks)."""
    try:
        return _BY_NUMPY[np.dtype(numpy_dtype)]
    except (KeyError, TypeError):
        raise TypeError(f"glasstorch has no dtype for NumPy's {numpy_dtype!r}") from None


def to_numpy(d):
    """NumPy dtype for a glasstorch dtype (also accepts NumPy dtypes, Python types and names)."""
    if d.__class__ is dtype:
        return d.numpy_dtype
    if d is float:
        return get_default_dtype().numpy_dtype
    if d is int:
        return np.dtype(np.int64)
    if d is bool:
        return np.dtype(np.bool_)
    if isinstance(d, str):
        return from_name(d).numpy_dtype
    return from_numpy(d).numpy_dtype


def as_dtype(d):
    """Normalize anything `to_numpy` accepts into a glasstorch dtype."""
    if d.__class__ is dtype:
        return d
    return from_numpy(to_numpy(d))


_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    """Set the dtype of new floating tensors (float32 or float64), as ``torch.set_default_dtype``."""
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def _category(d):
    # 0 bool, 1 integer, 2 floating
    return 2 if d.is_floating_point else (0 if d is bool_ else 1)


def promote_types(a, b):
    """PyTorch's ``promote_types``: the smallest dtype both can be converted to.

    Differs from NumPy when an integer meets a float: the float wins unchanged (int64 + float32 = float32).
    """
    if a is b:
        return a
    ca, cb = _category(a), _category(b)
    if (a in _LIMITED or b in _LIMITED) and ca != 2 and cb != 2:  # floats are the only partners they accept
        raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
                           f"{SCALAR_NAMES[a.name]} and {SCALAR_NAMES[b.name]}")
    if ca != cb:
        return a if ca > cb else b
    # floats: NumPy's table, which ml_dtypes extends (bfloat16 with float16 -> float32: neither holds the other)
    return from_numpy(np.promote_types(a.numpy_dtype, b.numpy_dtype))


def _python_scalar_dtype(x):
    if isinstance(x, bool):
        return bool_
    if isinstance(x, int):
        return int64
    return get_default_dtype()


def _combine(higher, lower):
    # ATen's combine_categories: the operand group of higher priority keeps its dtype unless
    # the lower-priority group is of a higher category (bool < int < float).
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """The dtype PyTorch gives an elementwise op on these operands (tensors and Python numbers).

    Three groups are promoted separately and then combined by category: tensors with dimensions,
    zero-dimensional tensors, and Python numbers (which count as int64 / default float / bool).
    So ``float32 tensor * 2.5`` stays float32 and ``int32 tensor + 1`` stays int32.
    """
    dim_result = zero_result = scalar_result = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is None:
            d = _python_scalar_dtype(x)
            scalar_result = d if scalar_result is None else promote_types(scalar_result, d)
        elif x.ndim == 0:
            zero_result = d if zero_result is None else promote_types(zero_result, d)
        else:
            dim_result = d if dim_result is None else promote_types(dim_result, d)
    return _combine(dim_result, _combine(zero_result, scalar_result))
