"""``glasstorch.onnx.export``: a model to an ONNX file, by tracing one forward pass (PyTorch's
``torch.onnx.export``, the TorchScript-style tracing exporter).

How the graph is built (see _trace.py): the model runs once on ``args`` in eval mode under ``no_grad`` while
a tracer is attached to ``Function.apply`` through the existing instrument hook (``Hooks.forward``; apply
itself is not changed). Every op that runs is handed to its exporter (_exporters.py: one short function per
glasstorch op class, each emitting one ONNX node or a small fixed pattern); parameters and buffers become
initializers named as in the state_dict; tensors made inside the forward become constants. An op with no
exporter raises ``UnsupportedOperatorError`` naming it. The model is emitted with ``onnx.helper`` and checked
with ``onnx.checker``. ``nn.LSTM``/``nn.GRU``/``nn.RNN`` are exported whole as ONNX's LSTM/GRU/RNN op, one
node per layer (_recurrent.py: during the export their ``forward`` is replaced by a recorder), so the sequence
length can be a dynamic axis. Indexing and comparisons, which glasstorch runs without a Function when no
gradient is needed, are recorded too (_trace.py). The onnx package is imported only inside ``export``.

Why a hook and not a walk of the autograd graph: under ``no_grad`` (and for tensors that need no gradient:
integer ids, frozen weights, constants) no graph is recorded, and a node does not keep every input; the hook
sees every op with all its inputs and settings, whatever the grad mode, at no cost outside an export.

Never silently wrong: the forward is traced a second time on the same inputs with their elements shuffled;
if that runs other ops (Python control flow on tensor values) or any constant changes (a tensor computed
from the inputs outside the traced ops: NumPy, ``.item()``, a logic op without a Function, random numbers),
the export raises ``OnnxExporterError`` instead of writing a graph that would be wrong on other inputs. So does
a graph input that reaches no op, and a traced value changed in place in a way the tracer cannot follow.

Differences from PyTorch: a trace, as PyTorch's tracer, but where PyTorch's tracer warns and freezes Python
control flow or values computed outside the ops, glasstorch refuses (above). Graph inputs are named
``input_0``... unless ``input_names`` says otherwise. Shapes are baked in as traced except the dims named in ``dynamic_axes`` (reshapes keep leading dims that
are unchanged with ONNX's 0, so a dynamic batch dim carries through Flatten/view). ``export_params=False``,
``training=TrainingMode.TRAINING``, ``operator_export_type``, ``custom_opsets``, ``export_modules_as_functions``
and ``dynamo=True`` are refused; ``do_constant_folding``, ``keep_initializers_as_inputs``, ``verbose`` and
``report`` are accepted (``do_constant_folding`` is ignored: an op whose inputs are all constants still becomes
a node, left for onnxruntime's optimizer to fold; ``verbose`` prints the graph; ``report`` is ignored).
"""
import os

import numpy as np

from .errors import OnnxExporterError, UnsupportedOperatorError

__all__ = ["export", "OnnxExporterError", "UnsupportedOperatorError", "TrainingMode", "errors"]


class TrainingMode:
    """PyTorch's ``torch.onnx.TrainingMode``: EVAL (the default), PRESERVE, TRAINING."""
    EVAL = "EVAL"
    PRESERVE = "PRESERVE"
    TRAINING = "TRAINING"


def _flatten(obj, out):
    from ..tensor import Tensor
    if isinstance(obj, Tensor):
        out.append(obj)
    elif isinstance(obj, (tuple, list)):
        for o in obj:
            _flatten(o, out)
    elif isinstance(obj, dict):
        for o in obj.values():
            _flatten(o, out)
    return out


def _dims(spec):
    """dynamic_axes entry -> {axis: name}: a list [0, 2] or a dict {0: 'batch'}."""
    if isinstance(spec, dict):
        return {int(k): str(v) for k, v in spec.items()}
    return {int(k): None for k in spec}


def _value_info(name, array, dynamic):
    from onnx import helper
    from onnx.helper import np_dtype_to_tensor_dtype
    shape = list(array.shape)
    for axis, label in dynamic.get(name, {}).items():
        shape[axis] = label or f"{name}_dynamic_axes_{axis + 1}"
    return helper.make_tensor_value_info(name, np_dtype_to_tensor_dtype(array.dtype), shape)


def _run_traced(model, args, kwargs, inputs, input_names, named, opset_version):
    """One traced forward: (the tracer, the model's result)."""
    from .. import nn
    from ..autograd.grad_mode import no_grad
    from . import _recurrent
    from ._trace import Tracer
    tracer = Tracer(named, opset_version)
    for t, name in zip(inputs, input_names):
        if id(t._array) not in tracer.values:  # the same tensor passed twice: the first name is the one used
            tracer.define(t._array, name)
    patched = _recurrent.patch(model, tracer) if isinstance(model, nn.Module) else []
    try:
        with no_grad(), tracer:
            result = model(*args, **kwargs)
    finally:
        for m in patched:
            del m.forward
    return tracer, result


def _other_values(obj):
    """obj with every tensor's elements shuffled (the same values, so indices stay valid; fixed seed)."""
    from ..autograd.function import wrap
    from ..tensor import Tensor
    if isinstance(obj, Tensor):
        a = obj._array
        shuffled = np.random.default_rng(0).permutation(a.reshape(-1)).reshape(a.shape)
        if a.size and np.array_equal(shuffled, a) and a.dtype.kind == "f":
            shuffled = a + 1  # all elements equal: another value
        return wrap(np.ascontiguousarray(shuffled.astype(a.dtype)))
    if isinstance(obj, (tuple, list)):
        return type(obj)(_other_values(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _other_values(v) for k, v in obj.items()}
    return obj


def _check_same_trace(a, b):
    ops_a, ops_b = [n.op_type for n in a.nodes], [n.op_type for n in b.nodes]
    if ops_a != ops_b:
        raise OnnxExporterError("the traced graph depends on the input values (Python control flow on tensor "
                                "values): the same model traced on other inputs ran other ops")
    for name, value in a.initializers.items():
        if name.startswith("/Constant_"):
            other = b.initializers.get(name)
            if other is None or other.shape != value.shape or not np.array_equal(other, value, equal_nan=True):
                raise OnnxExporterError(
                    f"a tensor of shape {list(value.shape)} read by an op depends on the input values but was "
                    "computed outside glasstorch's traced ops (a comparison such as x > 0, NumPy, .item(), "
                    "random numbers): it would be exported as a constant")


def export(model, args=(), f=None, kwargs=None, export_params=True, verbose=None, input_names=None,
           output_names=None, opset_version=17, dynamic_axes=None, keep_initializers_as_inputs=False,
           training=TrainingMode.EVAL, do_constant_folding=True, operator_export_type=None,
           custom_opsets=None, export_modules_as_functions=False, dynamo=False, report=False, **unused):
    """Trace ``model(*args)`` once and write it to ``f`` (a path or a binary file object) as an ONNX model.

    args: a tensor or a tuple of them (nested tuples are flattened; a trailing dict is keyword arguments);
    input_names / output_names: the graph's names for the flattened tensor inputs / outputs (default
    ``input_0``..., ``output_0``...); dynamic_axes: ``{name: [axis, ...]}`` or ``{name: {axis: label}}``;
    opset_version: 17 by default (LayerNormalization needs ≥ 17; lower ones are refused).
    Returns None, as PyTorch's TorchScript exporter (the ``onnx.ModelProto`` is ``glasstorch.onnx._last``).
    """
    import onnx
    from onnx import helper

    from .. import nn
    from ..tensor import Tensor

    if not export_params:
        raise OnnxExporterError("export_params=False is not supported: the weights are always stored")
    if dynamo:
        raise OnnxExporterError("dynamo=True is not supported: glasstorch exports by tracing (dynamo=False)")
    if training == TrainingMode.TRAINING:
        raise OnnxExporterError("training=TrainingMode.TRAINING is not supported: glasstorch exports eval graphs")
    if operator_export_type not in (None, "ONNX") or custom_opsets or export_modules_as_functions:
        raise OnnxExporterError("operator_export_type, custom_opsets and export_modules_as_functions are not "
                                "supported")
    if opset_version is None:
        opset_version = 17
    if opset_version < 17:
        raise OnnxExporterError(f"opset_version {opset_version} is not supported: glasstorch exports opset ≥ 17")
    if f is None:
        raise OnnxExporterError("export needs f: a file path or a binary file object")

    if isinstance(args, Tensor):
        args = (args,)
    args = tuple(args)
    kwargs = dict(kwargs or {})
    if args and isinstance(args[-1], dict):
        kwargs.update(args[-1])
        args = args[:-1]
    inputs = _flatten((args, kwargs), [])
    input_names = list(input_names or [])
    input_names += [f"input_{i}" for i in range(len(input_names), len(inputs))]

    named = {}
    if isinstance(model, nn.Module):
        for name, t in list(model.named_parameters()) + list(model.named_buffers()):
            named.setdefault(id(t._array), name)
    was_training = getattr(model, "training", False)
    restore = []
    try:
        if isinstance(model, nn.Module) and training != TrainingMode.PRESERVE:
            model.train(False)
        tracer, result = _run_traced(model, args, kwargs, inputs, input_names, named, opset_version)
        # the same forward on other input values must give the same graph and the same constants: a constant
        # that changed was computed from the inputs outside the traced ops (a comparison, NumPy, .item()),
        # and a different graph means Python control flow that depends on the values
        other_args, other_kwargs = _other_values(args), _other_values(kwargs)
        other_inputs = _flatten((other_args, other_kwargs), [])
        _check_same_trace(tracer, _run_traced(model, other_args, other_kwargs, other_inputs, input_names, named,
                                              opset_version)[0])
    finally:
        if isinstance(model, nn.Module):
            model.train(was_training)

    outputs = _flatten(result, [])
    output_names = list(output_names or [])
    output_names += [f"output_{i}" for i in range(len(output_names), len(outputs))]
    for t, name in zip(outputs, output_names):
        tracer.node("Identity", [tracer.name_of(t._array)], [name])
    used = {i for n in tracer.nodes for i in n.input}
    first = {}
    for t, name in zip(inputs, input_names):
        first.setdefault(id(t._array), name)
    for name in first.values():
        if name not in used:
            raise OnnxExporterError(
                f"input {name} reaches no traced op: the model used it outside glasstorch's ops (NumPy, .item(), "
                "a comparison or mask made without a Function), so its use would be frozen into a constant")
    for name in [n for n in tracer.initializers if n not in used]:
        del tracer.initializers[name]  # registered but read by no node (a value only handed back as it was)
    dynamic = {k: _dims(v) for k, v in (dynamic_axes or {}).items()}
    graph_inputs = [_value_info(n, t._array, dynamic) for t, n in zip(inputs, input_names)]
    if keep_initializers_as_inputs:  # each initializer also listed as a graph input (overridable at run time)
        graph_inputs += [_value_info(n, a, {}) for n, a in tracer.initializers.items()]
    graph = helper.make_graph(
        tracer.nodes, type(model).__name__, graph_inputs,
        [_value_info(n, t._array, dynamic) for t, n in zip(outputs, output_names)],
        [onnx.numpy_helper.from_array(np.ascontiguousarray(a), name) for name, a in tracer.initializers.items()])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset_version)],
                              producer_name="glasstorch",
                              ir_version=8 if opset_version <= 18 else 9 if opset_version <= 20 else 10)
    onnx.checker.check_model(proto, full_check=True)
    global _last
    _last = proto
    if verbose:
        print(helper.printable_graph(proto.graph))
    data = proto.SerializeToString()
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            fh.write(data)
    else:
        f.write(data)
    return None


_last = None
from . import errors  # noqa: E402,F401
