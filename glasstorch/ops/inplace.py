"""In-place ops (``add_``, ``mul_``, ``x[i] = v`` ...), with PyTorch's rules.

Every in-place op writes into the tensor's own memory, so its views (and the tensor a view was taken from)
see the change, and bumps the version counter that the tensor shares with them (autograd/function.py): a
backward that saved the old values then refuses to run instead of computing a wrong gradient.

Refused, as in PyTorch, while gradients are recorded:
- a leaf that requires grad, or a view of one (its old value would be lost to backward); under ``no_grad()``
  it is allowed, which is how optimizers update weights;
- a view made by split/chunk/unbind, and a view made under ``no_grad`` of a tensor that requires grad.
Always refused: writing into a tensor whose elements share memory (an ``expand``-ed one); a result that does
not fit the tensor's dtype or shape (``int_tensor.add_(0.5)``).

When nothing needs a gradient the op runs in the array itself (NumPy ``out=``). When it must be recorded
(``_record``), glasstorch computes the op out of place, as a node of the graph, writes the result into the
tensor's memory and makes that node the tensor's history; if the tensor is a view, its base's history is
rewritten around it (CopySlices, ops/views.py). Nodes that the op itself made and that kept the tensor's old
values get private copies of them first, so writing the memory does not change what they saw. A tensor whose
memory nobody else sees (no views, never saved, never handed out) simply takes the result's array.

While an instrument watches every op (``Hooks.forward`` is set: ``glass.detect_anomaly``, ``glass.profile``),
the arithmetic in-place ops compute through the out-of-place op, so that the instrument sees them
(``ones(3).div_(0)`` is reported by ``detect_anomaly`` as the ``Div`` that gave inf). Writes of given values
(``fill_``, ``copy_``, ``x[i] = v``) are not checked, as creating a tensor is not.
"""
import threading

import numpy as np

from .. import _dtype
from ..autograd.function import INPLACE_RECORDING, Hooks, VersionCounter, _root, refresh_view, version_counter
from ..autograd.grad_mode import GradMode, no_grad
from ..tensor import Tensor
from . import elementwise as ew
from . import views

_COUNT_LOCK = threading.Lock()  # INPLACE_RECORDING is shared by the threads
_LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
_VIEW_OF_LEAF_MESSAGE = "a view of a leaf Variable that requires grad is being used in an in-place operation."
_MULTI_VIEW_MESSAGE = (
    "Output {nr} of {op} is a view and is being modified inplace. This view is the output of a function that "
    "returns multiple views. Such functions do not allow the output views to be modified inplace. You should "
    "replace the inplace operation by an out-of-place one.")
_NO_GRAD_VIEW_MESSAGE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use "
    "case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the "
    "inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if "
    "you want the inplace to be tracked).")
_OVERLAP_MESSAGE = (
    "unsupported operation: more than one element of the written-to tensor refers to a single memory location. "
    "Please clone() the tensor before performing the operation.")


def _records(t, *others):
    """Whether this in-place op must be recorded in the graph; raises where PyTorch refuses it."""
    if t._base is not None or not t._array.flags.writeable:
        _check_writable(t)
    if not GradMode.enabled:
        return False
    base = t._base
    if base is not None:
        refresh_view(t)
        if t._view_no_grad:
            raise RuntimeError(_NO_GRAD_VIEW_MESSAGE)
        if base._requires_grad and base._grad_fn is None:
            raise RuntimeError(_VIEW_OF_LEAF_MESSAGE)
    if t._requires_grad and t._grad_fn is None:
        raise RuntimeError(_LEAF_MESSAGE)
    recorded = t._requires_grad or any(isinstance(o, Tensor) and o._requires_grad for o in others)
    if recorded and t._view_of is not None and t._requires_grad:
        raise RuntimeError(_MULTI_VIEW_MESSAGE.format(nr=t._view_output_nr, op=t._view_of.__name__))
    return recorded


def _check_writable(t):
    """PyTorch refuses a write where a dim of several elements has stride 0 (an expand); other overlaps, such
    as unfold's windows, it leaves alone, and so does glasstorch."""
    a = t._array
    for n, s in zip(a.shape, a.strides):
        if s == 0 and n > 1:
            raise RuntimeError(_OVERLAP_MESSAGE)


def _record(t, fn, *args, **kwargs):
    """``t = fn(t, *args)`` in place, recorded: see the module docstring."""
    previous, Hooks.saved_log = Hooks.saved_log, []
    with _COUNT_LOCK:
        INPLACE_RECORDING[0] += 1
    try:
        result = fn(t, *args, **kwargs)
        made = Hooks.saved_log  # the nodes fn made that saved some memory
    finally:
        Hooks.saved_log = previous
        with _COUNT_LOCK:
            INPLACE_RECORDING[0] -= 1
    if result._array.shape != t._array.shape:
        raise RuntimeError(f"output with shape {list(t._array.shape)} doesn't match the broadcast shape "
                           f"{list(result._array.shape)}")
    if result._array.dtype != t._array.dtype:
        result = ew.to_dtype(result, t.dtype)
    if t._base is None and t._vc is None:
        # nobody else sees t's memory: t simply takes the result's array (and its counter, one write later)
        vc = result._vc if result._vc is not None else VersionCounter()
        _renumber(made, vc, vc.value + 1)
        vc.value += 1
        t._array, t._vc = result._array, vc
        t._grad_fn, t._requires_grad = result._grad_fn, True
        return t
    _privatize(made, _root(t._array))
    np.copyto(t._array, result._array)
    vc = t._vc
    vc.value += 1
    base = t._base
    if base is None:
        t._grad_fn = result._grad_fn
    else:  # base_new = base_old with the view's region replaced; the view is then re-read from base_new
        base._grad_fn = views.copy_slices_node(base, t, result)
        base._requires_grad = True
        t._grad_fn = views.as_strided_node(base, t)
        t._view_version = vc.value
    t._requires_grad = True
    return t


def _privatize(nodes, root):
    """Give the nodes that kept arrays of this memory copies of them (the memory is about to be written)."""
    for node in nodes:
        d = node.__dict__
        for k, v in list(d.items()):
            if v.__class__ is np.ndarray and _root(v) is root:
                d[k] = v.copy()
            elif (v.__class__ is tuple or v.__class__ is list) and k != "_saved_versions":
                if any(e.__class__ is np.ndarray and _root(e) is root for e in v):
                    d[k] = v.__class__(e.copy() if e.__class__ is np.ndarray and _root(e) is root else e for e in v)
        kept = [r for r in node._saved_versions if _root(r[2]) is not root]
        node._saved_versions = kept or None


def _renumber(nodes, vc, value):
    """The nodes that saved the result saved it as it is after the op: at the counter's next value."""
    for node in nodes:
        node._saved_versions = [(c, value if c is vc else v, a, p) for c, v, a, p in node._saved_versions]


def _check_cast(t, *others):
    rt = _dtype.result_type(t, *[ew._operand(o) for o in others if o is not None])
    target = t.dtype
    if _dtype._category(rt) > _dtype._category(target):
        raise RuntimeError(f"result type {rt.name.capitalize()} can't be cast to the desired output type "
                           f"{target.name.capitalize()}")


def bump(t):
    """Count one in-place write into t's memory (seen by its views and by every node that saved it)."""
    version_counter(t).value += 1
    return t


def _write(t, values):
    """Write ``values`` (an array or number) into t's own array: views of t see the change."""
    a = t._array
    shape = np.broadcast_shapes(a.shape, np.shape(values))
    if shape != a.shape:
        raise RuntimeError(f"output with shape {list(a.shape)} doesn't match the broadcast shape {list(shape)}")
    np.copyto(a, values, casting="unsafe")
    return bump(t)


def apply_(t, fn, *args, **kwargs):
    """The in-place version of any out-of-place op: ``t = fn(t, *args)`` keeping t's identity."""
    if _records(t, *args):
        return _record(t, fn, *args, **kwargs)
    with no_grad():
        result = fn(t, *args, **kwargs)
    _check_cast(t, result)
    return _write(t, result._array)


def _through_op(t, fn, *args, **kwargs):
    """``t = fn(t, *args)`` in t's own array, computed by the out-of-place op so that the instrument attached
    to ``Hooks.forward`` sees it (detect_anomaly checks its result; profile counts it)."""
    with no_grad():
        result = fn(t, *args, **kwargs)
    return _write(t, result._array)


def add_(t, other, alpha=1):
    if _records(t, other):
        return _record(t, ew.add, other, alpha=alpha)
    _check_cast(t, other)
    if Hooks.forward is not None:
        return _through_op(t, ew.add, other, alpha=alpha)
    o = ew.as_array(ew._operand(other))
    _shape_ok(t, o)
    np.add(t._array, o if alpha == 1 else o * alpha, out=t._array, casting="unsafe")
    return bump(t)


def sub_(t, other, alpha=1):
    return add_(t, ew.neg(other) if isinstance(other, Tensor) else -other, alpha=alpha)


def mul_(t, other):
    if _records(t, other):
        return _record(t, ew.mul, other)
    _check_cast(t, other)
    if Hooks.forward is not None:
        return _through_op(t, ew.mul, other)
    o = ew.as_array(ew._operand(other))
    _shape_ok(t, o)
    np.multiply(t._array, o, out=t._array, casting="unsafe")
    return bump(t)


def div_(t, other, rounding_mode=None):
    if rounding_mode is not None or not _dtype.is_float_array(t._array.dtype) or Hooks.forward is not None:
        return apply_(t, ew.div, other, rounding_mode=rounding_mode)
    if _records(t, other):
        return _record(t, ew.div, other)
    o = ew.as_array(ew._operand(other))
    _shape_ok(t, o)
    np.divide(t._array, o, out=t._array, casting="unsafe")
    return bump(t)


def clamp_(t, min=None, max=None):
    if _records(t, min, max):
        return _record(t, ew.clamp, min, max)
    if Hooks.forward is not None:
        return _through_op(t, ew.clamp, min, max)
    np.clip(t._array, ew.as_array(min), ew.as_array(max), out=t._array, casting="unsafe")
    return bump(t)


def addcmul_(t, tensor1, tensor2, value=1):
    if _records(t, tensor1, tensor2):
        return _record(t, Tensor.addcmul, tensor1, tensor2, value=value)
    prod = tensor1._array * tensor2._array
    return add_(t, prod if value == 1 else prod * value)


def addcdiv_(t, tensor1, tensor2, value=1):
    if _records(t, tensor1, tensor2):
        return _record(t, Tensor.addcdiv, tensor1, tensor2, value=value)
    q = tensor1._array / tensor2._array
    return add_(t, q if value == 1 else q * value)


def fill_(t, value):
    if _records(t, value):
        return _record(t, lambda t, v: ew.add(_zeros_from(t), v), value)
    _check_cast(t, value)
    t._array.fill(ew.as_array(value))
    return bump(t)


def copy_(t, src):
    """Copy src's values into t (broadcasting, casting to t's dtype); gradients flow to src."""
    src = ew._operand(src)
    if _records(t, src):
        from .shape import expand
        s = src if isinstance(src, Tensor) else ew.as_array(src)
        s = expand(s.to(t.dtype), t._array.shape) if isinstance(s, Tensor) else s
        return _record(t, lambda t, s: ew.add(_zeros_from(t), s), s)
    return _write(t, ew.as_array(src))


def _zeros_from(t):
    """Zeros shaped like t, on t's graph: t's old values are overwritten, so dL/dt_old = 0 (PyTorch gives zeros
    too, not None). Unlike ``t * 0`` this stays 0 where t held inf or NaN."""
    return ew.ZeroGrad.apply(t, np.zeros_like)


def set_values_(t, values):
    """Fill t with freshly generated values (random init): allowed under no_grad or on non-leaves' data."""
    _records(t)
    return _write(t, values)


def _shape_ok(t, o):
    s = np.shape(o)
    if s and np.broadcast_shapes(t._array.shape, s) != t._array.shape:
        raise RuntimeError(f"output with shape {list(t._array.shape)} doesn't match the broadcast shape "
                           f"{list(np.broadcast_shapes(t._array.shape, s))}")
