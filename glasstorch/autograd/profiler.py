"""torch.autograd.profiler: ``profile`` and ``record_function``, on glasstorch's own profiler (glass/profile.py).

``with torch.autograd.profiler.profile() as prof:`` records, per op, its calls and forward/backward time
(and FLOPs); ``prof.key_averages().table(sort_by=...)`` prints them. ``record_function(name)`` (a context
manager or decorator) adds a row ``name`` with the time of its block to every open profile. PyTorch's
options (use_cuda, record_shapes, profile_memory, with_stack ...) are accepted and change nothing: glasstorch
records its own columns (glass.profile), on the CPU. ``enabled=False`` records nothing.
"""
import functools
import time

from ..glass.profile import profile as _glass_profile

__all__ = ["profile", "record_function", "emit_nvtx", "emit_itt"]

_open = []  # the profiles recording now (innermost last)
_labels = {}  # record_function name -> the row key (rows are keyed by an object with a __name__)


class _Label:
    def __init__(self, name):
        self.__name__ = name


class profile(_glass_profile):
    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False, with_flops=False,
                 profile_memory=False, with_stack=False, with_modules=False, use_kineto=False, use_cpu=True,
                 experimental_config=None, acc_events=False, custom_trace_id_callback=None):
        super().__init__()
        self.enabled = enabled

    def __enter__(self):
        if not self.enabled:
            return self
        _open.append(self)
        return super().__enter__()

    def __exit__(self, *exc):
        if not self.enabled:
            return False
        _open.remove(self)
        return super().__exit__(*exc)


class record_function:
    """Time a block under ``name`` in the open profiles (a context manager, or a decorator)."""

    def __init__(self, name, args=None):
        self.name, self.args = name, args

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        seconds = time.perf_counter() - self._start
        label = _labels.get(self.name)
        if label is None:
            label = _labels[self.name] = _Label(self.name)
        for prof in _open:
            row = prof._stats.get(label)
            if row is None:
                row = prof._stats[label] = [0, 0.0, 0, 0.0, 0, 0]
            row[0] += 1
            row[1] += seconds
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with record_function(self.name):
                return fn(*args, **kwargs)
        return wrapped


class emit_nvtx:
    """NVTX ranges are for NVIDIA's profilers: no CUDA here, the block runs plainly."""

    def __init__(self, enabled=True, record_shapes=False):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


emit_itt = emit_nvtx
