"""The tracer: records every glasstorch op that one forward pass runs, as ONNX nodes.

How: ``Function.apply`` already calls ``Hooks.forward(cls, ctx, arrays)`` (autograd/function.py) when an
instrument is attached, in place of ``cls.forward(ctx, *arrays)``; the tracer is such an instrument (it is
set only on the exporting thread, only during ``export``, and chains to any instrument already attached).
So glasstorch's ``apply`` is unchanged and costs nothing more outside an export.

Values are known by the identity of their arrays: the input tensors' arrays are the graph inputs, the
model's parameters and buffers (by identity of their arrays) are initializers named as in its state_dict,
each op's result array becomes a new ONNX value, and any other array an op reads (a tensor the forward made,
e.g. a zero initial state) is a constant: an initializer holding its value at the time of the trace.

In-place ops (``relu_``, ``out += identity``): while an instrument is attached they compute through the
out-of-place op and copy the result into the tensor's array (ops/inplace.py, ``_write``); during an export
``_write`` is wrapped so that the array then names the op's result. Every value read is also compared with
the copy taken when it was made: an array changed in any other way (``x[i] = v``, ``fill_``) raises instead
of exporting a wrong graph (those copies double the memory of the activations during an export).

Indexing (``x[:, -1]``) of a tensor that needs no gradient runs without a Function (ops/index.py), unseen by
``apply``; during an export ``ops.index.getitem`` is wrapped so that it always runs as the ``GetItem`` op.
Comparisons (``x > 0``) make bool tensors without a Function too (``ops.elementwise._no_grad_binary``): that
is wrapped to record Greater, Equal ... All three wraps (``_write``, ``getitem``, ``_no_grad_binary``) are
module attributes, restored on exit, and act only on the exporting thread. An array read by an op that shares
memory with a traced value yet was not made by a traced op (a view taken some other way) raises; so does a
graph input that reaches no op (used through NumPy or ``.item()``); and export re-traces on shuffled inputs
to catch any other value computed outside the ops (see __init__.py).
"""
import threading

import numpy as np

from ..autograd import function as _function
from ..ops import elementwise as _ew
from ..ops import index as _index
from ..ops import inplace as _inplace
from .errors import OnnxExporterError, UnsupportedOperatorError

_COMPARISONS = {np.equal: "Equal", np.not_equal: "NotEqual", np.less: "Less", np.less_equal: "LessOrEqual",
                np.greater: "Greater", np.greater_equal: "GreaterOrEqual"}


class Tracer:
    """Collects nodes, initializers and the names of values while the forward runs."""

    def __init__(self, named_arrays, opset):
        self.opset = opset
        self.nodes = []           # onnx NodeProto, in execution order
        self.initializers = {}    # name -> numpy array
        self.values = {}          # id(array) -> (name, array, copy when made)
        self.named = named_arrays  # id(array) -> state_dict name, for parameters and buffers
        self.count = 0
        self.consts = 0

    # -- names --------------------------------------------------------------------------------------
    def fresh(self, hint):
        self.count += 1
        return f"/{hint}_{self.count}"

    def define(self, array, name):
        """Make ``array`` the value called ``name`` (a graph input or an op's result)."""
        self.values[id(array)] = (name, array, np.array(array, copy=True))

    def name_of(self, array):
        """The ONNX name of the value held in ``array`` (registering a parameter or constant on first use)."""
        entry = self.values.get(id(array))
        if entry is not None and entry[1] is array:
            name, _, snapshot = entry
            if snapshot.shape != array.shape or not np.array_equal(snapshot, array, equal_nan=True):
                raise OnnxExporterError(
                    f"value {name} was changed in place by a write the exporter cannot follow (x[i] = v, "
                    "fill_, copy_ or a write through a view): rewrite it out of place to export")
            return name
        name = self.named.get(id(array))
        if name is None:
            self._check_not_derived(array)
            self.consts += 1
            name = f"/Constant_{self.consts}"
        self.initializers[name] = np.array(array, copy=True)
        self.define(array, name)
        return name

    def _check_not_derived(self, array):
        """An array that shares memory with a traced value but was not made by a traced op (a view taken
        outside glasstorch's Functions) would be frozen into a constant: refuse it."""
        root = _function._root(array)
        for name, a, _ in self.values.values():
            if _function._root(a) is root and not self.named.get(id(a)):
                raise OnnxExporterError(
                    f"a tensor read by an op is a view of {name} made outside glasstorch's traced ops: it would "
                    "be exported as a constant")

    def const(self, value, dtype=np.int64, hint="const"):
        """An initializer holding a small constant (shapes, axes, scalars) for a node's input."""
        self.consts += 1
        name = f"/{hint}_{self.consts}"
        self.initializers[name] = np.asarray(value, dtype=dtype)
        return name

    def node(self, op_type, inputs, outputs=None, hint=None, **attrs):
        """Add one ONNX node; returns its (first) output name."""
        from onnx import helper
        if outputs is None:
            outputs = [self.fresh(hint or op_type)]
        self.nodes.append(helper.make_node(op_type, list(inputs), list(outputs),
                                           name=self.fresh(op_type + "_node"), **attrs))
        return outputs[0]

    # -- the hook -----------------------------------------------------------------------------------
    def record(self, cls, ctx, arrays, out):
        from ._exporters import EXPORTERS
        if not isinstance(out, np.ndarray):
            out = np.asarray(out)
        for a in arrays:
            if a is out:  # the op handed its input back unchanged: the value keeps its name
                return out
        exporter = EXPORTERS.get(cls)
        if exporter is None:
            raise UnsupportedOperatorError(
                f"Exporting the operator '{cls.__module__}.{cls.__name__}' to ONNX opset version {self.opset} "
                f"is not supported: glasstorch.onnx has no exporter for it (see glasstorch/onnx/_exporters.py)")
        names = [self.name_of(a) if isinstance(a, np.ndarray) else None for a in arrays]
        try:
            result = exporter(self, ctx, names, list(arrays), out)
        except NotImplementedError as e:
            raise UnsupportedOperatorError(
                f"Exporting the operator '{cls.__module__}.{cls.__name__}' to ONNX is not supported: {e}") from None
        self.define(out, result)
        return out

    def __enter__(self):
        hooks = _function.Hooks
        self._previous_forward = previous = hooks.forward
        tracer = self

        def forward(cls, ctx, arrays):
            out = previous(cls, ctx, arrays) if previous is not None else cls.forward(ctx, *arrays)
            return tracer.record(cls, ctx, arrays, out)

        hooks.forward = forward
        self._previous_write = write = _inplace._write

        owner = threading.get_ident()  # the module-level patches act for the exporting thread only

        def traced_write(t, values):
            result = write(t, values)
            if threading.get_ident() != owner:
                return result
            entry = self.values.get(id(values))
            if isinstance(values, np.ndarray) and entry is not None and entry[1] is values:
                self.define(t._array, entry[0])  # the tensor's array now holds that op's result
            return result

        _inplace._write = traced_write
        self._previous_getitem = getitem = _index.getitem

        def traced_getitem(input, key):
            if threading.get_ident() != owner:
                return getitem(input, key)
            # x[key] always as the GetItem op while tracing (outside, a tensor that needs no grad is indexed
            # directly, unseen by the tracer)
            a = input._array
            k, kind = _index._convert(key, a.shape)
            try:
                return _index.GetItem.apply(input, k, kind)
            except IndexError:
                return getitem(input, key)

        _index.getitem = traced_getitem
        self._previous_compare = compare = _ew._no_grad_binary

        def traced_compare(fn, input, other):
            # comparisons (x > 0, x == y) make bool tensors without a Function: recorded here as one node
            result = compare(fn, input, other)
            if threading.get_ident() == owner and fn in _COMPARISONS:
                self.define(result._array, self._comparison(fn, input, other))
            return result

        _ew._no_grad_binary = traced_compare
        return self

    def _comparison(self, fn, input, other):
        from onnx.helper import np_dtype_to_tensor_dtype
        a, b, _ = _ew._promote(input, other)
        dtype = np.result_type(_ew.as_array(a), _ew.as_array(b))
        names = []
        for x in (input, other):
            if isinstance(x, np.ndarray) or hasattr(x, "_array"):
                arr = x if isinstance(x, np.ndarray) else x._array
                name = self.name_of(arr)
                if arr.dtype != dtype:
                    name = self.node("Cast", [name], to=np_dtype_to_tensor_dtype(dtype))
            else:
                name = self.const(x, dtype)
            names.append(name)
        op = _COMPARISONS[fn]
        if op == "NotEqual":
            return self.node("Not", [self.node("Equal", names)])
        return self.node(op, names)

    def __exit__(self, *exc):
        _function.Hooks.forward = self._previous_forward
        _inplace._write = self._previous_write
        _index.getitem = self._previous_getitem
        _ew._no_grad_binary = self._previous_compare
        return False
