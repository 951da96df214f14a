"""torch.jit: TorchScript. glasstorch has no compiler; scripts that use torch.jit still run, eagerly.

* ``script(obj)`` and ``trace(fn, example_inputs)`` return ``obj``/``fn`` itself, unchanged (with a warning,
  once): the model then runs as plain Python, giving the same results. PyTorch returns a ScriptModule with a
  graph (``.graph``, ``.code``), which glasstorch has not.
* ``save`` and ``load`` raise NotImplementedError: a TorchScript archive holds compiled code. Save the weights
  with ``torch.save(model.state_dict(), path)`` instead.
* The decorators (``ignore``, ``unused``, ``export``, ``interface``, ``script_method``, ``script_if_tracing``)
  return what they decorate; ``is_scripting()`` and ``is_tracing()`` are False; ``annotate(T, v)`` is ``v``;
  ``fork``/``wait`` run the call at once; ``freeze``/``optimize_for_inference`` return the module.
"""
import typing
import warnings

Final = typing.Final

_warned = set()


def _warn_once(what):
    if what not in _warned:
        _warned.add(what)
        warnings.warn(f"glasstorch.jit.{what} compiles nothing: it returns its argument unchanged, which runs "
                      "eagerly as Python (glasstorch has no TorchScript)", UserWarning, stacklevel=3)


class Error(RuntimeError):
    """torch.jit.Error (a RuntimeError, as PyTorch's JITException)."""


class ScriptModule:
    """For ``isinstance`` checks only: glasstorch's script() returns the module itself, never one of these."""


class ScriptFunction:
    """For ``isinstance`` checks only (see ScriptModule)."""


RecursiveScriptModule = ScriptModule
TracedModule = TopLevelTracedModule = ScriptModule


class TracerWarning(Warning):
    pass


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Return ``obj`` unchanged (a module, function or class): it runs eagerly."""
    _warn_once("script")
    return obj


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-5,
          strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
          example_kwarg_inputs=None, _store_inputs=True):
    """Return ``func`` unchanged (PyTorch records the ops one call makes): it runs eagerly."""
    _warn_once("trace")
    return func


def trace_module(mod, inputs, *args, **kwargs):
    _warn_once("trace_module")
    return mod


def save(m, f, _extra_files=None):
    raise NotImplementedError("glasstorch has no TorchScript: torch.jit.save cannot write a compiled model. Save "
                              "the weights instead: torch.save(model.state_dict(), path)")


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    raise NotImplementedError("glasstorch has no TorchScript: torch.jit.load cannot read a compiled model "
                              "(rebuild the model in Python and load its state_dict)")


def _decorator(fn=None, **kwargs):
    if fn is None or isinstance(fn, bool):  # used as @ignore(drop=True) or @ignore(True)
        return lambda f: f
    return fn


def ignore(drop=False, **kwargs):
    """Leave a function to Python: here everything is Python, so the function is returned as it is."""
    return _decorator(drop, **kwargs)


def unused(fn):
    return fn


def export(fn):
    return fn


def interface(obj):
    return obj


def script_method(fn):
    return fn


def script_if_tracing(fn):
    return fn


def is_scripting():
    """False: glasstorch code always runs as Python."""
    return False


def is_tracing():
    return False


def annotate(the_type, the_value):
    return the_value


def isinstance(obj, target_type):  # noqa: A001  (torch.jit.isinstance)
    import builtins
    return builtins.isinstance(obj, typing.get_origin(target_type) or target_type)


class Future:
    """What ``fork`` returns: the call has already run; ``wait()`` gives its result."""

    def __init__(self, value):
        self._value = value

    def wait(self):
        return self._value


def fork(func, *args, **kwargs):
    return Future(func(*args, **kwargs))


def wait(future):
    return future.wait()


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    return mod


def optimize_for_inference(mod, other_methods=None):
    return mod


class optimized_execution:
    """``with torch.jit.optimized_execution(False):`` does nothing here."""

    def __init__(self, should_optimize):
        self.should_optimize = should_optimize

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def enable_onednn_fusion(enabled):
    pass


def onednn_fusion_enabled():
    return False


def set_fusion_strategy(strategy):
    return []


__all__ = ["script", "trace", "trace_module", "save", "load", "ignore", "unused", "export", "interface",
           "script_method", "script_if_tracing", "is_scripting", "is_tracing", "annotate", "isinstance", "fork",
           "wait", "Future", "freeze", "optimize_for_inference", "optimized_execution", "Final", "Error",
           "ScriptModule", "ScriptFunction", "TracerWarning", "enable_onednn_fusion", "onednn_fusion_enabled",
           "set_fusion_strategy"]


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)
