"""torch.autocast: the mixed-precision switch, and the functions that read and set its state.

What autocast is in PyTorch: inside ``with torch.autocast("cpu"):`` some ops (matmul, linear, conv, ...)
cast their floating inputs to a lower-precision "fast" dtype (bfloat16 on the CPU, float16 on CUDA) and run
there, others (softmax, losses, reductions ...) stay in float32. The state is thread-local, one
(enabled, dtype) pair per device type, and nests: each ``with`` saves the previous state and restores it on
exit.

Deviation, on purpose: glasstorch keeps the switch and its state exactly as PyTorch (``is_autocast_enabled``,
``get_autocast_dtype``, nesting, ``enabled=False`` inside, the warnings) but no op reads it yet: every op
computes in its inputs' dtype, so under CPU autocast a matmul or linear layer gives float32 where PyTorch gives
bfloat16. Values are therefore the float32 ones (more precise than PyTorch's), and dtypes differ for the
matmul-like ops. ``custom_fwd(cast_inputs=...)`` does cast, as PyTorch's does.
"""
import collections.abc
import functools
import threading
import warnings

import numpy as np

from .. import _dtype
from .. import cuda as _cuda

__all__ = ["autocast", "is_autocast_available", "custom_fwd", "custom_bwd"]

# The device types PyTorch's device strings accept, in the order its error message lists them.
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                 "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
# The device types with autocast state, and their default fast dtype (by name: resolved in get_autocast_dtype).
_DEFAULT_DTYPE_NAMES = {"cpu": "bfloat16", "cuda": "float16", "xpu": "float16", "mps": "float16",
                        "hpu": "bfloat16", "mtia": "float16", "maia": "bfloat16", "xla": "bfloat16",
                        "ipu": "float16", "privateuseone": "float16"}


class _AutocastState(threading.local):
    """One per thread (``threading.local`` runs ``__init__`` afresh in each thread), as PyTorch's."""

    def __init__(self):
        self.enabled = {}            # device type -> bool; absent means False
        self.dtype = {}              # device type -> dtype; absent means the device's default
        self.cache_enabled = True
        self.nesting = 0


_state = _AutocastState()


def _type_name(x):
    return type(x).__name__


def _device_type(device_type, func, position=1):
    """'cuda:0' -> 'cuda', checking it as PyTorch's device parser and autocast's state table do."""
    if not isinstance(device_type, str):
        raise TypeError(f"{func}(): argument 'device_type' (position {position}) must be str, "
                        f"not {_type_name(device_type)}")
    name = device_type.split(":")[0]
    if name not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device string: "
                           f"{device_type}")
    if name not in _DEFAULT_DTYPE_NAMES:
        raise RuntimeError(f"unsupported scalarType (autocast has no state for device type '{name}')")
    return name


def _check_bool(value, func, arg, position):
    if not isinstance(value, bool):
        raise TypeError(f"{func}(): argument '{arg}' (position {position}) must be bool, not {_type_name(value)}")


def is_autocast_available(device_type):
    """Whether autocast has state for ``device_type`` ('cpu', 'cuda', 'xpu', 'mps', ...), as PyTorch's list."""
    try:
        _device_type(device_type, "is_autocast_available")
    except RuntimeError:
        return False
    return True


def is_autocast_enabled(device_type=None):
    """Whether autocast is on for ``device_type`` in this thread. With no argument: CUDA's (PyTorch's legacy
    meaning of the call)."""
    name = "cuda" if device_type is None else _device_type(device_type, "is_autocast_enabled")
    return _state.enabled.get(name, False)


def set_autocast_enabled(device_type, enabled=None):
    """Turn autocast on or off for ``device_type``. The legacy one-argument form ``set_autocast_enabled(True)``
    sets CUDA's, as PyTorch."""
    if enabled is None and isinstance(device_type, bool):  # legacy overload: set_autocast_enabled(enabled)
        device_type, enabled = "cuda", device_type
    name = _device_type(device_type, "set_autocast_enabled")
    _check_bool(enabled, "set_autocast_enabled", "enabled", 2)
    _state.enabled[name] = enabled


def get_autocast_dtype(device_type):
    """The fast dtype autocast uses on ``device_type``: bfloat16 on the CPU and float16 on CUDA by default."""
    name = _device_type(device_type, "get_autocast_dtype")
    if name in _state.dtype:
        return _state.dtype[name]
    return _dtype.from_name(_DEFAULT_DTYPE_NAMES[name])


def set_autocast_dtype(device_type, dtype):
    """Set the fast dtype for ``device_type`` (PyTorch does not check it here; ``autocast`` does)."""
    name = _device_type(device_type, "set_autocast_dtype")
    if not isinstance(dtype, _dtype.dtype):
        raise TypeError(f"set_autocast_dtype(): argument 'dtype' (position 2) must be torch.dtype, "
                        f"not {_type_name(dtype)}")
    _state.dtype[name] = dtype


def is_autocast_cache_enabled():
    """Whether autocast's weight-cast cache is on (glasstorch casts nothing, so the cache stays empty)."""
    return _state.cache_enabled


def set_autocast_cache_enabled(enabled):
    _check_bool(enabled, "set_autocast_cache_enabled", "enabled", 1)
    _state.cache_enabled = enabled


def autocast_increment_nesting():
    """Count one more open autocast region in this thread; returns the new depth."""
    _state.nesting += 1
    return _state.nesting


def autocast_decrement_nesting():
    """Count one autocast region closed; returns the new depth (PyTorch lets it go below 0 too)."""
    _state.nesting -= 1
    return _state.nesting


def clear_autocast_cache():
    """Empty autocast's cache of cast weights: nothing to do, glasstorch caches no casts."""


# Deprecated per-device spellings, as PyTorch (which warns with DeprecationWarning).
def _deprecated(old, new):
    warnings.warn(f"torch.{old}() is deprecated. Please use torch.{new} instead.", DeprecationWarning,
                  stacklevel=3)


def is_autocast_cpu_enabled():
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


def set_autocast_cpu_enabled(enabled):
    _deprecated("set_autocast_cpu_enabled", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def set_autocast_cpu_dtype(dtype):
    _deprecated("set_autocast_cpu_dtype", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


def set_autocast_gpu_dtype(dtype):
    _deprecated("set_autocast_gpu_dtype", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


def autocast_decorator(autocast_instance, func):
    """``func`` run inside ``with autocast_instance:``."""
    @functools.wraps(func)
    def decorate_autocast(*args, **kwargs):
        with autocast_instance:
            return func(*args, **kwargs)
    return decorate_autocast


class autocast:
    """Context manager and decorator that turns autocast on (or off) for one device type, as ``torch.autocast``.

    ``autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: ``dtype`` defaults to
    ``get_autocast_dtype(device_type)`` (bfloat16 for 'cpu', float16 for 'cuda'); ``cache_enabled`` to
    ``is_autocast_cache_enabled()``. On entry it saves the thread's state for ``device_type`` and sets
    (``enabled``, ``dtype``); on exit it restores what it saved, so regions nest and ``enabled=False`` inside
    switches it off for the inner region only. As in PyTorch: 'cuda' without CUDA (always, here) warns and
    disables itself; a dtype other than bfloat16/float16 warns and disables itself.

    Deviation: glasstorch's ops ignore the switch and compute in their inputs' dtype, so under CPU autocast
    matmul/linear/conv give float32 where PyTorch gives bfloat16 (see this module's docstring).
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not is_autocast_available(self.device):
            raise RuntimeError(f"User specified an unsupported autocast device_type '{self.device}'")
        supported = [_dtype.bfloat16, _dtype.float16]
        self._cache_enabled = is_autocast_cache_enabled() if cache_enabled is None else cache_enabled
        device_name = self.device.upper()
        if enabled:
            if self.device == "cuda":
                if not _cuda.is_available():  # always, in glasstorch
                    warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                                  stacklevel=2)
                    enabled = False
            elif self.fast_dtype not in supported:
                warnings.warn(f"In {device_name} autocast, but the target dtype is not supported. Disabling "
                              f"autocast.\n{device_name} Autocast only supports dtypes of "
                              + ", ".join(map(str, supported)) + " currently.", stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if autocast_decrement_nesting() == 0:  # the outermost region closes: its cast cache goes
            clear_autocast_cache()
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                            f"Did you mean to use autocast as a context manager? For example:\n"
                            f"    with torch.autocast(device_type=...):\n"
                            f"        output = model(input)")
        return autocast_decorator(self, func)


def _cast(value, device_type, dtype):
    """Cast the floating tensors (not float64) inside ``value`` (nested lists, tuples, dicts) to ``dtype``."""
    from ..tensor import Tensor
    if isinstance(value, Tensor):
        eligible = value.is_floating_point() and value.device.type == device_type and value.dtype != _dtype.float64
        return value.to(dtype) if eligible else value
    if isinstance(value, (str, bytes, np.ndarray)):
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype) for k, v in value.items()}
    if isinstance(value, collections.abc.Iterable):
        iterable = (_cast(v, device_type, dtype) for v in value)
        return type(value)(iterable) if isinstance(value, (list, tuple)) else iterable
    return value


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom ``Function.forward``: records the autocast state on ctx for ``custom_bwd``; with
    ``cast_inputs``, inside an enabled region casts floating tensor inputs to it and runs forward with autocast
    off, as PyTorch."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        in_autocast = is_autocast_enabled(device_type)
        args[0]._fwd_used_autocast = False
        if in_autocast:
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast(args, device_type, cast_inputs), **_cast(kwargs, device_type, cast_inputs))
        return fwd(*args, **kwargs)

    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom ``Function.backward``: runs it with the autocast state its forward had."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast, dtype=args[0]._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd
