"""torch-level settings and introspection: default device, thread counts, print options, finfo/iinfo ...

Small functions that configure glasstorch or describe its types, as PyTorch's top-level ones do. Several
settings exist so that PyTorch code which sets or reads them runs; where glasstorch has nothing for a setting
to change (its kernels are NumPy's, on the CPU), the docstring says so.

This module imports no tensor code at its top: tensor.py's method mixins read ``strided`` from it early.
"""
import os
import warnings

import numpy as np

from . import _dtype, _tensor_str
from ._device import CPU, check_device


# -- layouts and memory formats ------------------------------------------------------------------------------
class layout:
    """How a tensor's elements are stored. glasstorch has one: ``strided`` (dense; no sparse layouts)."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return _dtype.PRINTED + "." + self._name

    def __reduce__(self):  # a singleton under copy and pickle: found again by its name in this module
        return self._name


strided = layout("strided")


class memory_format:
    """The order of a tensor's dims in memory, as ``*_like``, ``empty`` and ``contiguous`` take it:
    ``contiguous_format`` (row-major), ``channels_last`` (NCHW tensors stored as NHWC), ``channels_last_3d``
    (NCDHW as NDHWC) and ``preserve_format`` (keep the input's)."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return _dtype.PRINTED + "." + self._name

    def __reduce__(self):
        return self._name


contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")
legacy_contiguous_format = contiguous_format  # PyTorch's internal alias; it prints as contiguous_format too


# -- the default device and the legacy default tensor type ---------------------------------------------------
_default_device = [CPU]


def get_default_device():
    """The device new tensors are made on: always the cpu here."""
    return _default_device[0]


def set_default_device(device):
    """Set the device factory functions (zeros, tensor, ...) use when none is given. glasstorch has only the
    cpu, so "cpu" (or None, the reset) is accepted; "cuda" raises the CPU-only build's AssertionError at once.
    PyTorch's CPU-only build accepts it here and raises at the next tensor made: glasstorch says it earlier."""
    _default_device[0] = check_device(device)


_DEFAULT_TENSOR_TYPE_WARNING = ("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                                "torch.set_default_dtype() and torch.set_default_device() as alternatives.")


def set_default_tensor_type(t):
    """Deprecated: ``set_default_tensor_type(torch.DoubleTensor)`` (or its name) sets the default float dtype."""
    from .creation import parse_type
    warnings.warn(_DEFAULT_TENSOR_TYPE_WARNING, UserWarning, stacklevel=2)
    d = parse_type(t)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtype.set_default_dtype(d)


# -- finfo and iinfo -----------------------------------------------------------------------------------------
class finfo:
    """The limits of a floating dtype (the default dtype if none given): ``bits``, ``eps`` (the gap between 1
    and the next number), ``max``, ``min``, ``tiny`` = ``smallest_normal`` (the smallest positive normal
    number), ``resolution`` (10^-digits, the decimal precision) and ``dtype`` (its name)."""

    def __init__(self, type=None):
        d = _dtype.get_default_dtype() if type is None else type
        if not isinstance(d, _dtype.dtype):
            raise TypeError(f"finfo(): argument 'type' (position 1) must be glasstorch.dtype, not {d.__class__.__name__}")
        if not d.is_floating_point:
            raise TypeError("glasstorch.finfo() requires a floating point input type. Use glasstorch.iinfo to "
                            "handle 'glasstorch.finfo'")
        info = np.finfo(d.numpy_dtype)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = d.name

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """The limits of an integer dtype: ``bits``, ``max``, ``min`` and ``dtype`` (its name)."""

    def __init__(self, type):
        if not isinstance(type, _dtype.dtype):
            raise TypeError(f"iinfo(): argument 'type' (position 1) must be glasstorch.dtype, not "
                            f"{type.__class__.__name__}")
        if type is _dtype.bool_:
            raise TypeError("glasstorch.bool is not supported by glasstorch.iinfo")
        if type.is_floating_point:
            raise TypeError("glasstorch.iinfo() requires an integer input type. Use glasstorch.finfo to handle "
                            "'glasstorch.iinfo'")
        info = np.iinfo(type.numpy_dtype)
        self.bits = int(info.bits)
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"


def can_cast(from_, to):
    """Whether PyTorch's casting rule allows ``from_`` into ``to`` (the rule ``out=`` uses, ops/out.py): no
    float into an integer or bool, nothing but bool into bool; narrowing within a kind is allowed."""
    from .ops.out import can_cast as _can_cast
    for name, d in (("from_", from_), ("to", to)):
        if not isinstance(d, _dtype.dtype):
            raise TypeError(f"can_cast(): argument '{name}' must be glasstorch.dtype, not {d.__class__.__name__}")
    return _can_cast(from_.numpy_dtype, to.numpy_dtype)


# -- describing tensors and objects --------------------------------------------------------------------------
def typename(obj):
    """A type's name: 'torch.FloatTensor' for a float32 tensor, else the module and qualified name of the
    object's class (or of the object itself, if it is a class or function), glasstorch's modules printed under
    the torch namespace as everything else (_dtype.PRINTED): 'torch.nn.modules.linear.Linear'."""
    from .tensor import Tensor
    from .creation import legacy_type_name
    if isinstance(obj, Tensor):
        return legacy_type_name(obj.dtype)
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        name = obj.__qualname__
    elif hasattr(obj, "__name__"):
        name = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        name = obj.__class__.__qualname__
    if module == "glasstorch" or module.startswith("glasstorch."):
        module = _dtype.PRINTED + module[len("glasstorch"):]
    return name if module in ("", "builtins") else f"{module}.{name}"


def is_storage(obj):
    """Whether obj is a storage (``x.untyped_storage()`` or the legacy ``x.storage()``)."""
    from ._storage import UntypedStorage
    from ._methods.misc import TypedStorage
    return isinstance(obj, (UntypedStorage, TypedStorage))


def is_nonzero(input):
    """The truth of a one-element tensor; PyTorch's RuntimeError for none or several elements."""
    return bool(input)


def is_same_size(input, other):
    return input._array.shape == other._array.shape


def is_signed(input):
    return input.dtype.is_signed


def is_complex(input):
    return False  # glasstorch's tensors are real


def is_conj(input):
    """False: a real tensor has no lazily conjugated view (conj is the identity)."""
    return False


def is_neg(input):
    """False: glasstorch keeps no lazily negated views."""
    return False


def is_inference(input):
    """False: glasstorch's ``inference_mode`` is ``no_grad`` and makes ordinary tensors (no inference tensors)."""
    return False


def is_inference_mode_enabled():
    """False: glasstorch's ``inference_mode`` works as ``no_grad`` and keeps no separate inference state, so
    inside an ``inference_mode()`` block this still answers False (PyTorch: True)."""
    return False


def get_device(input):
    """-1: the cpu (CUDA tensors would give their device index)."""
    return input.get_device()


def is_distributed(input):
    return False


def conj(input):
    """The complex conjugate: for a real tensor, the tensor itself (as PyTorch returns it)."""
    return input


def resolve_conj(input):
    """Materialize a lazy conjugation: a real tensor has none, so the tensor itself."""
    return input


def resolve_neg(input):
    """Materialize a lazy negation: glasstorch makes none, so the tensor itself."""
    return input


def real(input):
    """The real part: for a real tensor, the tensor itself."""
    return input


def adjoint(input):
    """The conjugate transpose of the last two dims (for real tensors, ``input.mT``)."""
    return input.adjoint()


# -- threads -------------------------------------------------------------------------------------------------
def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _default_threads():
    """OMP_NUM_THREADS when set to a positive number (PyTorch honours it too; the launcher sets it to 1 per
    process), else the cores this process may use."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else _cores()


_threads = {"intra": _default_threads(), "interop": _cores()}


def get_num_threads():
    """The number of threads set for intra-op parallelism (the cores this process may use by default)."""
    return _threads["intra"]


def set_num_threads(int):
    """Set the intra-op thread count. glasstorch's parallel work is NumPy's BLAS (matmul, linalg) and the
    compiled kernels (glasstorch/kernels/threads.py, which read this count at each call); the BLAS thread
    pool is limited to ``int`` threads through ``threadpoolctl`` (a dependency), as PyTorch limits its own.
    (Should threadpoolctl be missing, the value is only kept for get_num_threads.)"""
    if not isinstance(int, numbers_Integral) or int <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _threads["intra"] = int
    try:
        import threadpoolctl
    except ImportError:
        return
    threadpoolctl.threadpool_limits(limits=int, user_api="blas")  # applies until changed again


def get_num_interop_threads():
    return _threads["interop"]


def set_num_interop_threads(int):
    """Record the inter-op thread count (glasstorch runs ops one after another: nothing uses it)."""
    if not isinstance(int, numbers_Integral) or int <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    _threads["interop"] = int


# -- printing ------------------------------------------------------------------------------------------------
def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """How tensors print: ``precision`` (digits after the point, 4), ``threshold`` (more elements than this are
    summarized, 1000), ``edgeitems`` (elements shown at each end of a summarized dim, 3), ``linewidth`` (80),
    ``profile`` ('default', 'short': precision 2 and 2 edge items, 'full': never summarize) and ``sci_mode``
    (True/False forces scientific notation on/off; None chooses, as by default)."""
    _tensor_str.set_printoptions(precision=precision, threshold=threshold, edgeitems=edgeitems,
                                 linewidth=linewidth, profile=profile, sci_mode=sci_mode)


# -- determinism, matmul precision, denormals, warnings ------------------------------------------------------
_deterministic = {"enabled": False, "warn_only": False}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Ask for deterministic algorithms only. Every glasstorch kernel is already deterministic (NumPy on the
    CPU, no atomics), so the flag is recorded and read back but changes no result."""
    _deterministic["enabled"] = bool(mode)
    _deterministic["warn_only"] = bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _deterministic["enabled"]


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic["warn_only"]


def get_deterministic_debug_mode():
    """0 (off), 1 (warn) or 2 (error), from use_deterministic_algorithms' settings."""
    if not _deterministic["enabled"]:
        return 0
    return 1 if _deterministic["warn_only"] else 2


def set_deterministic_debug_mode(debug_mode):
    """'default' or 0, 'warn' or 1, 'error' or 2: the same switch as use_deterministic_algorithms."""
    if isinstance(debug_mode, str):
        names = {"default": 0, "warn": 1, "error": 2}
        if debug_mode not in names:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = names[debug_mode]
    elif not isinstance(debug_mode, numbers_Integral):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode).__name__}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


_matmul_precision = ["highest"]


def get_float32_matmul_precision():
    return _matmul_precision[0]


def set_float32_matmul_precision(precision):
    """'highest', 'high' or 'medium': how much precision float32 matmuls may trade for speed (TF32 or bfloat16
    on GPUs). NumPy's float32 matmul is always full precision ('highest'); the value is recorded only."""
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      f"setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _matmul_precision[0] = precision


def set_flush_denormal(mode):
    """Returns whether flushing denormal floats to zero is supported: False here, as NumPy offers no way to set
    the CPU's flush-to-zero flag (PyTorch returns True on x86 CPUs and flushes them). Nothing is changed."""
    return False


_warn_always = [False]


def set_warn_always(b):
    """Warnings that PyTorch gives once per process would be given every time (recorded: glasstorch's warnings
    go through Python's ``warnings`` module, whose filters decide that)."""
    _warn_always[0] = bool(b)


def is_warn_always_enabled():
    return _warn_always[0]


# -- anomaly detection (glasstorch.autograd's mode) ----------------------------------------------------------
_anomaly_check_nan = [True]


def is_anomaly_enabled():
    """Whether autograd's anomaly detection is on (``autograd.detect_anomaly`` / ``set_detect_anomaly``)."""
    from .autograd import anomaly
    return anomaly.is_anomaly_enabled()


def is_anomaly_check_nan_enabled():
    """Whether anomaly detection, when on, checks backward results for NaN (set by set_anomaly_enabled)."""
    return _anomaly_check_nan[0]


def set_anomaly_enabled(enabled, check_nan=True):
    """Switch anomaly detection on or off for good (``autograd.set_detect_anomaly(mode)`` called as a function)."""
    from .autograd import anomaly
    _anomaly_check_nan[0] = bool(check_nan)
    if bool(enabled) != anomaly.is_anomaly_enabled():
        anomaly.set_detect_anomaly(bool(enabled), check_nan=bool(check_nan))


from numbers import Integral as numbers_Integral  # noqa: E402  (set_num_threads' parameter is named int)

# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = ['layout', 'strided', 'memory_format', 'contiguous_format', 'channels_last', 'channels_last_3d',
           'preserve_format', 'legacy_contiguous_format', 'get_default_device', 'set_default_device',
           'set_default_tensor_type', 'finfo', 'iinfo', 'can_cast', 'typename', 'is_storage', 'is_nonzero',
           'is_same_size', 'is_signed', 'is_complex', 'is_conj', 'is_neg', 'is_inference',
           'is_inference_mode_enabled', 'get_device', 'is_distributed', 'conj', 'resolve_conj', 'resolve_neg',
           'real', 'adjoint', 'get_num_threads', 'set_num_threads', 'get_num_interop_threads',
           'set_num_interop_threads', 'set_printoptions', 'use_deterministic_algorithms',
           'are_deterministic_algorithms_enabled', 'is_deterministic_algorithms_warn_only_enabled',
           'get_deterministic_debug_mode', 'set_deterministic_debug_mode', 'get_float32_matmul_precision',
           'set_float32_matmul_precision', 'set_flush_denormal', 'set_warn_always', 'is_warn_always_enabled',
           'is_anomaly_enabled', 'is_anomaly_check_nan_enabled', 'set_anomaly_enabled']
