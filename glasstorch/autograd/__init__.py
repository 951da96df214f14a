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


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """Checks second derivatives, which need double backward (create_graph=True): not in glasstorch."""
    raise NotImplementedError("glasstorch has no double backward (create_graph=True), which gradgradcheck "
                              "needs; gradcheck checks first derivatives")


_multithreading = [True]


class set_multithreading_enabled:
    """Whether the backward engine may use threads (a context manager or a call, as PyTorch's). glasstorch's
    engine runs in the calling thread always; the flag is kept for is_multithreading_enabled()."""

    def __init__(self, mode):
        self.prev = _multithreading[0]
        _multithreading[0] = bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _multithreading[0] = self.prev
        return False


def is_multithreading_enabled():
    return _multithreading[0]


def is_view_replay_enabled():
    """False: glasstorch does not replay views (PyTorch's default too)."""
    return False


def kineto_available():
    """False: glasstorch's profiler is its own (glass.profile), not Kineto."""
    return False


class enforce_grad_layout_policy:
    """(PyTorch's switch for the memory layout of accumulated .grad): glasstorch's .grad is always a fresh
    contiguous array; the switch (a context manager) is accepted and changes nothing."""

    def __init__(self, enabled=True):
        self.enabled = enabled

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class SavedTensor:
    """(PyTorch's type of the objects in ``grad_fn._raw_saved_*``): glasstorch exposes saved values as tensors
    (``grad_fn._saved_self``), so no SavedTensor is ever made; the name exists for isinstance checks."""


class NestedIOFunction(Function):
    """PyTorch's legacy Function with nested inputs (deprecated there): not supported in glasstorch."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("glasstorch does not support the legacy NestedIOFunction: subclass "
                                  "torch.autograd.Function with static forward/backward")


from . import function, grad_mode, anomaly, engine, graph, variable, functional, forward_ad  # noqa: E402
from .variable import Variable  # noqa: E402
anomaly_mode = anomaly  # PyTorch's name for the module of detect_anomaly / set_detect_anomaly

__all__ = ["Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "gradcheck", "numerical_grad", "numerical_jacobian", "GradcheckError",
           "detect_anomaly", "set_detect_anomaly", "Variable", "gradgradcheck", "set_multithreading_enabled",
           "is_multithreading_enabled", "is_view_replay_enabled", "kineto_available", "enforce_grad_layout_policy",
           "SavedTensor", "NestedIOFunction", "graph", "variable", "functional", "profiler", "forward_ad",
           "function", "grad_mode", "anomaly_mode"]


from .._missing import missing_api  # noqa: E402

_missing = missing_api(__name__)  # names the PyTorch API glasstorch lacks


def __getattr__(name):
    # torch.autograd.profiler is loaded on first use: it builds on glass.profile, which needs glasstorch.nn
    # (not importable yet while the tensor module imports autograd)
    if name == "profiler":
        import importlib
        return importlib.import_module(".profiler", __name__)
    return _missing(name)
