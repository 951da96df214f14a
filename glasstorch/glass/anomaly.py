"""detect_anomaly: stop at the first NaN/Inf and say where it came from: the op, the module and the line.

    with glass.detect_anomaly():
        loss = model(x).log().mean()
        loss.backward()
    # RuntimeError: the forward of Log gave -inf
    #   module:  fc2 (Linear)
    #   created: train.py:12, in main
    #              loss = model(x).log().mean()
    #   cause:   Log of 0.0 gave -inf (output element (3, 1) of shape (8, 2)) ...

How it works (only while the block is open; outside it nothing is attached and nothing is paid):
- forward: every op's forward runs through ``Hooks.forward``. The hook records on the op's ctx (its graph
  node) the first frame of user code on the stack (slot ``_anomaly``) and the module that is running (slot
  ``_module``; ``Module.__call__`` keeps the stack of running modules while ``_RunningModules.stack`` is a
  list), then checks the output for NaN/Inf and, for an elementwise op, shows which input values made it.
- backward: every node's backward runs through ``Hooks.backward``; its gradients are checked, and the error
  names the node together with what its forward recorded.

Module paths are the names of ``named_modules()`` of the outermost module entered (or of ``model`` when it is
given), so ``fc2`` or ``features.3``.

Deviations from ``torch.autograd.detect_anomaly``: the forward is checked too and Inf counts as well as NaN
(``forward=False, check_inf=False`` gives PyTorch's behaviour, which is what ``glasstorch.autograd.
detect_anomaly`` uses); the creating line is put into the error message instead of a warning with the traceback.
"""
import linecache
import os
import sys

import numpy as np

from ..autograd.anomaly import _AnomalyMode
from ..autograd.function import Hooks
from ..backend import get_array_module
from .. import _dtype
from ..nn.modules.module import _RunningModules

__all__ = ["detect_anomaly"]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
# glasstorch frames are skipped when looking for the user's line, except these folders of example code
_USER_FOLDERS = tuple(os.path.join(_PACKAGE, d) + os.sep for d in ("labs", "demos"))
_ELEMENTWISE_MODULES = ("glasstorch.ops.elementwise", "glasstorch.ops.activation")


class detect_anomaly:
    """Context manager: raise ``RuntimeError`` at the first op whose output (forward) or gradient (backward)
    holds NaN or Inf, naming the op, the module and the line of user code that created it.

    model: optional root module whose ``named_modules()`` give the module paths (default: the outermost
    module called). check_nan: check at all (False: record only). forward: check op outputs too.
    check_inf: Inf counts as an anomaly (PyTorch checks NaN only).
    """

    def __init__(self, model=None, *, check_nan=True, forward=True, check_inf=True):
        self.model = model
        self.check_nan = check_nan
        self.check_forward = forward
        self.check_inf = check_inf
        self._names = {}

    # -- attaching ------------------------------------------------------------------------------------
    def __enter__(self):
        self._saved = (Hooks.forward, Hooks.backward, _RunningModules.stack, _AnomalyMode.enabled)
        self._next_forward, self._next_backward = Hooks.forward, Hooks.backward
        Hooks.forward = self._forward
        Hooks.backward = self._backward
        if _RunningModules.stack is None:
            _RunningModules.stack = []
        _AnomalyMode.enabled = True
        return self

    def __exit__(self, *exc):
        Hooks.forward, Hooks.backward, _RunningModules.stack, _AnomalyMode.enabled = self._saved
        return False

    # -- the two hooks --------------------------------------------------------------------------------
    def _forward(self, cls, ctx, arrays):
        if self._next_forward is None:
            out = cls.forward(ctx, *arrays)
        else:
            out = self._next_forward(cls, ctx, arrays)
        if not _AnomalyMode.enabled:  # switched off inside the block by set_detect_anomaly(False)
            return out
        ctx._anomaly = _user_frame()
        stack = _RunningModules.stack
        ctx._module = (stack[0], stack[-1]) if stack else None
        if self.check_nan and self.check_forward and _is_bad(out, self.check_inf):
            raise RuntimeError(self._forward_message(cls, ctx, arrays, out))
        return out

    def _backward(self, node, grad):
        if self._next_backward is None:
            grads = type(node).backward(node, grad)
        else:
            grads = self._next_backward(node, grad)
        if self.check_nan and _AnomalyMode.enabled:
            for i, g in enumerate(grads if isinstance(grads, tuple) else (grads,)):
                if g is not None and _is_bad(g, self.check_inf):
                    raise RuntimeError(self._backward_message(node, i, g, grad))
        return grads

    # -- messages -------------------------------------------------------------------------------------
    def _forward_message(self, cls, ctx, arrays, out):
        xp = get_array_module(out)
        bad = ~xp.isfinite(out) if self.check_inf else xp.isnan(out)
        index = np.unravel_index(int(np.argmax(bad.reshape(-1))), out.shape)
        value = out[index]
        lines = [f"detect_anomaly: the forward of {cls.__name__} gave {_kind(value)} "
                 f"(the first NaN/Inf of this block)",
                 f"  op:      {cls.__name__}",
                 f"  module:  {self._module_text(ctx._module)}",
                 f"  created: {_frame_text(ctx._anomaly)}",
                 f"  cause:   {_cause(cls, arrays, out, index)}; {int(bad.sum())} of {out.size} output elements "
                 f"are NaN/Inf"]
        for i, a in enumerate(arrays):
            if hasattr(a, "dtype") and hasattr(a, "shape"):
                lines.append(f"  input {i}: {_describe(a)}")
        return "\n".join(lines)

    def _backward_message(self, node, i, g, grad):
        xp = get_array_module(g)
        kind = "nan" if xp.isnan(g).any() else "inf"
        upstream = ("the gradient arriving from above was finite, so this op's local derivative made it"
                    if not _is_bad(grad, True) else "the gradient arriving from above already held NaN/Inf")
        op = type(node).__name__
        return "\n".join([
            f"Function '{node.name()}' returned {kind} values in its {i}th output.",
            f"  op:      {op} (backward)",
            f"  module:  {self._module_text(getattr(node, '_module', None))}",
            f"  created: {_frame_text(getattr(node, '_anomaly', None))}",
            f"  cause:   {upstream}",
            f"  gradient of input {i}: {_describe(g)}"])

    def _module_text(self, entry):
        if entry is None:
            return "(none: created outside any nn.Module call)"
        root, module = entry
        root = self.model if self.model is not None else root
        names = self._names.get(id(root))
        if names is None:
            names = self._names[id(root)] = {id(m): n for n, m in root.named_modules()}
        name = names.get(id(module))
        kind = type(module).__name__
        if name is None:
            return f"{kind} (not part of {type(root).__name__})"
        if name == "":
            return f"{kind} (the model itself, in its own forward)"
        return f"{name} ({kind})"


def _is_bad(a, check_inf):
    """Whether the array holds NaN (or Inf). A sum is one fast pass; only a non-finite sum needs a full look."""
    if not hasattr(a, "dtype") or not _dtype.is_float_array(a.dtype):
        return False
    xp = get_array_module(a)
    if xp.isfinite(a.sum()):
        return False
    return not xp.isfinite(a).all() if check_inf else bool(xp.isnan(a).any())


def _user_frame():
    """(file, line, function) of the innermost caller outside glasstorch's own code, or None."""
    f = sys._getframe(2)
    while f is not None:
        name = f.f_code.co_filename
        if not name.startswith(_PACKAGE) or name.startswith(_USER_FOLDERS):
            return name, f.f_lineno, f.f_code.co_name
        f = f.f_back
    return None


def _frame_text(frame):
    if frame is None:
        return "(unknown: recorded outside detect_anomaly)"
    path, line, func = frame
    source = linecache.getline(path, line).strip()
    return f"{path}:{line}, in {func}" + (f"\n             {source}" if source else "")


def _kind(value):
    if value != value:
        return "nan"
    return "-inf" if value < 0 else "inf"


def _cause(cls, arrays, out, index):
    """For an elementwise op, the input values at the first bad element ('Log of 0.0 gave -inf')."""
    value = _kind(out[index])
    if cls.__module__ not in _ELEMENTWISE_MODULES:
        return f"output element {tuple(int(i) for i in index)} of shape {tuple(out.shape)} is {value}"
    shown = []
    for a in arrays:
        if hasattr(a, "shape") and hasattr(a, "dtype"):
            try:
                a = np.broadcast_to(a, out.shape)[index]
            except ValueError:
                return f"output element {tuple(int(i) for i in index)} of shape {tuple(out.shape)} is {value}"
            shown.append(repr(a.item()))
        elif isinstance(a, (int, float, complex, bool)):
            shown.append(repr(a))
    args = shown[0] if len(shown) == 1 else "(" + ", ".join(shown) + ")"
    return (f"{cls.__name__} of {args} gave {value} (output element {tuple(int(i) for i in index)} of shape "
            f"{tuple(out.shape)})")


def _describe(a):
    text = f"shape {tuple(a.shape)}, {a.dtype}"
    if not _dtype.is_float_array(a.dtype) or a.size == 0:
        return text
    xp = get_array_module(a)
    finite = xp.isfinite(a)
    n_bad = int(a.size - finite.sum())
    if n_bad:
        return text + f", {n_bad} NaN/Inf element(s) already in it"
    return text + f", finite, range [{a.min().item():.4g}, {a.max().item():.4g}]"
