"""Data types: glasstorch's names for NumPy's dtypes, and PyTorch's type-promotion rules.

A ``glasstorch.dtype`` wraps one NumPy dtype. Promotion follows PyTorch, not NumPy, where the two differ:
``int64 tensor + float32 tensor`` is float32 (NumPy says float64), and a Python float combined with an
integer tensor gives the *default* float dtype (float32), not float64.
"""
import numpy as np


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
        return "glasstorch." + self.name

    def __reduce__(self):  # dtypes are singletons; keep them so under copy/deepcopy
        return (from_name, (self.name,))


float16 = dtype("float16", np.float16, True, True)
float32 = dtype("float32", np.float32, True, True)
float64 = dtype("float64", np.float64, True, True)
uint8 = dtype("uint8", np.uint8, False, False)
int8 = dtype("int8", np.int8, False, True)
int16 = dtype("int16", np.int16, False, True)
int32 = dtype("int32", np.int32, False, True)
int64 = dtype("int64", np.int64, False, True)
bool_ = dtype("bool", np.bool_, False, False)

ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool_)
_BY_NUMPY = {d.numpy_dtype: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update({"float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
                 "short": int16})


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
    if ca != cb:
        return a if ca > cb else b
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
