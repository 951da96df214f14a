"""In-place ops (``add_``, ``mul_``, ``x[i] = v`` ...), with PyTorch's rules.

- An in-place op on a leaf that requires grad raises while gradients are recorded: the leaf's old value
  would be lost to backward. Under ``no_grad()`` it is allowed (that is how optimizers update weights).
- The result must fit the tensor's dtype and shape: ``int_tensor.add_(0.5)`` raises, as in PyTorch.
- When nothing needs a gradient, the array is changed in place (NumPy ``out=``), so views of it see the
  change, as in PyTorch.
- While an instrument watches every op (``Hooks.forward`` is set: ``glass.detect_anomaly``, ``glass.profile``),
  the arithmetic in-place ops (``add_``, ``sub_``, ``mul_``, ``div_``, ``clamp_``, ``addcmul_``, ``addcdiv_``)
  compute through the out-of-place op, so that the instrument sees them (``ones(3).div_(0)`` is reported by
  ``detect_anomaly`` as the ``Div`` that gave inf), and then write into the array as above. Outside
  instruments this costs one class-attribute check. Writes of given values (``fill_``, ``copy_``,
  ``x[i] = v``) are not checked, as creating a tensor is not.
- When the op must be recorded, glasstorch computes the op out of place and rebinds the tensor to the new
  values and the new ``grad_fn``. Deviation from PyTorch: views taken earlier do not see that change, and
  values saved for an earlier backward stay valid instead of raising a version-counter error.
"""
import numpy as np

from .. import _dtype
from ..autograd.function import Hooks
from ..autograd.grad_mode import GradMode
from ..tensor import Tensor
from . import elementwise as ew

_LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."


def _records(t, *others):
    """Whether this in-place op must be recorded in the graph (and is allowed to be)."""
    if not GradMode.enabled:
        return False
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError(_LEAF_MESSAGE)
    return t._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in others)


def _check_cast(t, *others):
    rt = _dtype.result_type(t, *[ew._operand(o) for o in others if o is not None])
    target = t.dtype
    if _dtype._category(rt) > _dtype._category(target):
        raise RuntimeError(f"result type {rt.name.capitalize()} can't be cast to the desired output type "
                           f"{target.name.capitalize()}")


def _rebind(t, result):
    """Make ``t`` hold the result of an out-of-place op (values and graph node)."""
    if result._array.shape != t._array.shape:
        raise RuntimeError(f"output with shape {list(t._array.shape)} doesn't match the broadcast shape "
                           f"{list(result._array.shape)}")
    if result._array.dtype != t._array.dtype:
        result = ew.to_dtype(result, t.dtype)
    t._array = result._array
    t.grad_fn = result.grad_fn
    t._requires_grad = result._requires_grad
    t._version += 1
    return t


def _write(t, values):
    """Write ``values`` (an array or number) into t's own array: views of t see the change."""
    a = t._array
    shape = np.broadcast_shapes(a.shape, np.shape(values))
    if shape != a.shape:
        raise RuntimeError(f"output with shape {list(a.shape)} doesn't match the broadcast shape {list(shape)}")
    np.copyto(a, values, casting="unsafe")
    t._version += 1
    return t


def apply_(t, fn, *args, **kwargs):
    """The in-place version of any out-of-place op: ``t = fn(t, *args)`` keeping t's identity."""
    if _records(t, *args):
        return _rebind(t, fn(t, *args, **kwargs))
    from ..autograd.grad_mode import no_grad
    with no_grad():
        result = fn(t, *args, **kwargs)
    _check_cast(t, result)
    return _write(t, result._array)


def _through_op(t, fn, *args, **kwargs):
    """``t = fn(t, *args)`` in t's own array, computed by the out-of-place op so that the instrument attached
    to ``Hooks.forward`` sees it (detect_anomaly checks its result; profile counts it)."""
    from ..autograd.grad_mode import no_grad
    with no_grad():
        result = fn(t, *args, **kwargs)
    return _write(t, result._array)


def add_(t, other, alpha=1):
    if _records(t, other):
        return _rebind(t, ew.add(t, other, alpha=alpha))
    _check_cast(t, other)
    if Hooks.forward is not None:
        return _through_op(t, ew.add, other, alpha=alpha)
    o = ew.as_array(ew._operand(other))
    _shape_ok(t, o)
    np.add(t._array, o if alpha == 1 else o * alpha, out=t._array, casting="unsafe")
    t._version += 1
    return t


def sub_(t, other, alpha=1):
    return add_(t, ew.neg(other) if isinstance(other, Tensor) else -other, alpha=alpha)


def mul_(t, other):
    if _records(t, other):
        return _rebind(t, ew.mul(t, other))
    _check_cast(t, other)
    if Hooks.forward is not None:
        return _through_op(t, ew.mul, other)
    o = ew.as_array(ew._operand(other))
    _shape_ok(t, o)
    np.multiply(t._array, o, out=t._array, casting="unsafe")
    t._version += 1
    return t


def div_(t, other, rounding_mode=None):
    if rounding_mode is not None or _records(t, other) or t._array.dtype.kind != "f" or Hooks.forward is not None:
        return apply_(t, ew.div, other, rounding_mode=rounding_mode)
    o = ew.as_array(ew._operand(other))
    _shape_ok(t, o)
    np.divide(t._array, o, out=t._array, casting="unsafe")
    t._version += 1
    return t


def clamp_(t, min=None, max=None):
    if _records(t, min, max):
        return _rebind(t, ew.clamp(t, min, max))
    if Hooks.forward is not None:
        return _through_op(t, ew.clamp, min, max)
    np.clip(t._array, ew.as_array(min), ew.as_array(max), out=t._array, casting="unsafe")
    t._version += 1
    return t


def addcmul_(t, tensor1, tensor2, value=1):
    if _records(t, tensor1, tensor2):
        return _rebind(t, t.addcmul(tensor1, tensor2, value=value))
    prod = tensor1._array * tensor2._array
    return add_(t, prod if value == 1 else prod * value)


def addcdiv_(t, tensor1, tensor2, value=1):
    if _records(t, tensor1, tensor2):
        return _rebind(t, t.addcdiv(tensor1, tensor2, value=value))
    q = tensor1._array / tensor2._array
    return add_(t, q if value == 1 else q * value)


def fill_(t, value):
    if _records(t, value):
        return _rebind(t, ew.add(_zeros_from(t), value))
    _check_cast(t, value)
    t._array.fill(ew.as_array(value))
    t._version += 1
    return t


def copy_(t, src):
    """Copy src's values into t (broadcasting, casting to t's dtype); gradients flow to src."""
    src = ew._operand(src)
    if _records(t, src):
        from .shape import expand
        s = src if isinstance(src, Tensor) else ew.as_array(src)
        s = expand(s.to(t.dtype), t._array.shape) if isinstance(s, Tensor) else s
        return _rebind(t, ew.add(_zeros_from(t), s))
    return _write(t, ew.as_array(src))


def _zeros_from(t):
    """Zeros shaped like t, on t's graph: t's old values are overwritten, so dL/dt_old = 0 (PyTorch gives zeros
    too, not None). Unlike ``t * 0`` this stays 0 where t held inf or NaN."""
    return ew.ZeroGrad.apply(t, np.zeros_like)


def set_values_(t, values):
    """Fill t with freshly generated values (random init): allowed under no_grad or on non-leaves' data."""
    _records(t)
    return _write(t, values)


def setitem(t, key, value):
    """``t[key] = value``"""
    from . import index
    value = ew._operand(value)
    if _records(t, value):
        return _rebind(t, index.index_put(t, key, value))
    v = ew.as_array(value)
    t._array[index.numpy_key(key)] = v
    t._version += 1
    return t


def _shape_ok(t, o):
    s = np.shape(o)
    if s and np.broadcast_shapes(t._array.shape, s) != t._array.shape:
        raise RuntimeError(f"output with shape {list(t._array.shape)} doesn't match the broadcast shape "
                           f"{list(np.broadcast_shapes(t._array.shape, s))}")
