"""``out=`` arguments: ``torch.add(a, b, out=c)`` writes the result into c, with PyTorch's rules.

A function that takes ``out=`` computes its result as usual, then calls ``write_out(out, result, "add")``:
- ``out=`` does not record a graph: if grad mode is on and an input or ``out`` requires grad, PyTorch's
  RuntimeError ("functions with out=... arguments don't support automatic differentiation");
- the result is cast to out's dtype, except where PyTorch refuses the cast (a float result into an integer
  or bool tensor: "result type Float can't be cast to the desired output type Long");
- an out of another shape is resized (a new array: its old views no longer see it), with PyTorch's warning
  when it had elements; an empty out is resized silently;
- out is written in place: its version counter is bumped, so a backward that saved it refuses to run.
Returns out (the function returns it in turn, as PyTorch does).
"""
import warnings

import numpy as np

from ..autograd.grad_mode import GradMode
from ..tensor import Tensor
from . import inplace

_NO_GRAD = ("{name}(): functions with out=... arguments don't support automatic differentiation, but one of "
            "the arguments requires grad.")
_RESIZED = ("An output with one or more elements was resized since it had shape {old}, which does not match the "
            "required output shape {new}. This behavior is deprecated, and in a future PyTorch release outputs "
            "will not be resized unless they have zero elements. You can explicitly reuse an out tensor t by "
            "resizing it, inplace, to zero elements with t.resize_(0).")


def _kind(dtype):
    from .._dtype import is_float_array
    return "b" if dtype.kind == "b" else ("f" if is_float_array(dtype) else ("c" if dtype.kind == "c" else "i"))


def can_cast(from_dtype, to_dtype):
    """PyTorch's rule for writing a result into an out tensor (torch.can_cast): no float into an integer,
    nothing but bool into bool; narrowing within a kind (int64 into int32, float64 into float32) is allowed."""
    order = "bifc"
    return order.index(_kind(np.dtype(from_dtype))) <= order.index(_kind(np.dtype(to_dtype)))


def check_out(out, name, *inputs):
    """Refuse ``out=`` under autograd, before anything is computed (PyTorch checks first, too)."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if GradMode.enabled and (out._requires_grad or any(isinstance(t, Tensor) and t._requires_grad
                                                        for t in inputs)):
        raise RuntimeError(_NO_GRAD.format(name=name))


def write_out(out, result, name, *inputs):
    """Write ``result`` (a Tensor) into ``out`` with PyTorch's rules (module docstring); return out."""
    check_out(out, name, *inputs)
    values = result._array if isinstance(result, Tensor) else np.asarray(result)
    if not can_cast(values.dtype, out._array.dtype):
        from .. import _dtype
        raise RuntimeError(f"result type {_type_name(_dtype.from_numpy(values.dtype))} can't be cast to the "
                           f"desired output type {_type_name(_dtype.from_numpy(out._array.dtype))}")
    if out._array.shape != values.shape:
        if out._array.size:
            warnings.warn(_RESIZED.format(old=list(out._array.shape), new=list(values.shape)), UserWarning,
                          stacklevel=3)
        out._array = np.empty(values.shape, dtype=out._array.dtype)
    np.copyto(out._array, values, casting="unsafe")
    return inplace.bump(out)


_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                 "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                 "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64"}


def _type_name(dt):
    return _SCALAR_NAMES.get(dt.name, dt.name)
