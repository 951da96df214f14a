"""glasstorch.autograd: Function, backward(), grad(), the grad-mode switches and numerical gradient checks."""
import numpy as np

from .function import Function, wrap as _wrap, _edge
from .grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled
from . import engine as _engine
from .gradcheck import gradcheck, numerical_grad, numerical_jacobian, GradcheckError
from .anomaly import detect_anomaly, set_detect_anomaly


def _as_grad_array(t, gradient):
    if gradient is None:
        if t._array.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        return np.ones_like(t._array)
    g = gradient._array if hasattr(gradient, "_array") else np.asarray(gradient, dtype=t._array.dtype)
    if g.shape != t._array.shape:
        raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {tuple(g.shape)} and output[0] "
                           f"has a shape of {tuple(t._array.shape)}.")
    return g


def _roots(tensors, grad_tensors):
    roots, grads = [], []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        roots.append(_edge(t))
        grads.append(_as_grad_array(t, g))
    return roots, grads


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate into each leaf's ``.grad`` the gradient of ``tensors`` (weighted by ``grad_tensors``)."""
    if create_graph:
        raise NotImplementedError("glasstorch does not support create_graph=True (higher-order gradients)")
    tensors = _as_list(tensors)
    grad_tensors = _as_list(grad_tensors) if grad_tensors is not None else [None] * len(tensors)
    roots, grads = _roots(tensors, grad_tensors)
    if inputs is not None:
        inputs = _as_list(inputs)
        capture = {_edge(t): None for t in inputs}
        _engine.run_backward(roots, grads, bool(retain_graph), capture=capture, accumulate=False)
        for t in inputs:
            g = capture[_edge(t)]
            if g is not None:
                _engine._accumulate(t, g)
        return
    _engine.run_backward(roots, grads, bool(retain_graph))


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         materialize_grads=False):
    """Return d(outputs)/d(inputs) as a tuple, without touching any ``.grad``."""
    if create_graph:
        raise NotImplementedError("glasstorch does not support create_graph=True (higher-order gradients)")
    outputs = _as_list(outputs)
    single = not isinstance(inputs, (list, tuple))
    inputs = _as_list(inputs)
    grad_outputs = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots, grads = _roots(outputs, grad_outputs)
    edges = [_edge(t) for t in inputs]
    capture = {e: None for e in edges}
    _engine.run_backward(roots, grads, bool(retain_graph), capture=capture, accumulate=False)
    result = []
    for t, e in zip(inputs, edges):
        g = capture[e]
        if g is None:
            if materialize_grads:
                result.append(_wrap(np.zeros_like(t._array)))
                continue
            if not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. "
                                   "Set allow_unused=True if this is the desired behavior.")
            result.append(None)
        else:
            result.append(_wrap(g))
    return tuple(result)


__all__ = ["Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "gradcheck", "numerical_grad", "numerical_jacobian", "GradcheckError",
           "detect_anomaly", "set_detect_anomaly"]


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
