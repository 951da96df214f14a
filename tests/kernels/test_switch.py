"""The one switch between the compiled kernels and the plain array code (glasstorch/kernels/__init__.py)."""
import os
import subprocess
import sys
import threading

import numpy as np

import glasstorch
from glasstorch import kernels
from glasstorch.kernels import threads


def test_environment_variable_turns_the_kernels_off():
    code = "import glasstorch.kernels as k; print(k.enabled(), k.wants(__import__('numpy').zeros(3)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, GLASSTORCH_KERNELS="reference")).stdout.split()
    assert out == ["False", "False"]


def test_context_managers_restore_the_setting():
    before = kernels.enabled()
    with kernels.reference():
        assert not kernels.enabled()
        assert not kernels.wants(np.zeros(10, np.float32))
        with kernels.fast():
            assert kernels.enabled() == kernels.available()
        assert not kernels.enabled()
    assert kernels.enabled() == before


def test_wants_only_numpy_floats_of_one_dtype():
    with kernels.fast():
        if not kernels.available():
            return
        assert kernels.wants(np.zeros(10, np.float32), np.zeros(3, np.float32))
        assert not kernels.wants(np.zeros(10, np.float32), np.zeros(3, np.float64))
        assert not kernels.wants(np.zeros(10, np.int64))
        assert not kernels.wants(np.zeros(10, np.float16))
        assert not kernels.wants(np.zeros(10, np.float32), min_size=11)


def test_chunks_cover_the_range_once():
    for n in (0, 1, 5, 64, 1001):
        for parts in (1, 2, 3, 8):
            pieces = threads.chunks(n, parts)
            covered = [i for a, b in pieces for i in range(a, b)]
            assert covered == list(range(n))


def test_parallel_for_from_several_python_threads_at_once():
    """Two Python threads running kernels at the same time share the pool safely (numba's own workqueue layer
    would abort the process here)."""
    def fill(start, stop, out, value):
        out[start:stop] = value

    outs = [np.zeros(100000) for _ in range(4)]
    workers = [threading.Thread(target=lambda o=o, v=v: [threads.parallel_for(fill, o.size, o, v) for _ in range(50)])
               for v, o in enumerate(outs)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for v, o in enumerate(outs):
        assert (o == v).all()


def test_parallel_for_re_raises_a_worker_error():
    def boom(start, stop):
        if start > 0:
            raise ValueError("from the second chunk")

    old = glasstorch.get_num_threads()
    glasstorch.set_num_threads(2)
    try:
        try:
            threads.parallel_for(boom, 10)
        except ValueError as e:
            assert "second chunk" in str(e)
        else:
            raise AssertionError("the worker's error was lost")
    finally:
        glasstorch.set_num_threads(old)


def test_stale_cache_of_inlined_helpers_is_dropped(tmp_path):
    import os
    from glasstorch.kernels.threads import drop_stale_cache
    module, helper = tmp_path / "mod.py", tmp_path / "helpers.py"
    module.write_text("x = 1\n")
    helper.write_text("y = 1\n")
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    cached = [cache / "mod.kernel-3.py311.nbi", cache / "mod.kernel-3.py311.1.nbc"]
    for c in cached:
        c.write_text("old code")
    assert drop_stale_cache(str(module), str(helper))          # first sight: no record, the cache goes
    assert not any(c.exists() for c in cached)
    for c in cached:
        c.write_text("new code")
    assert not drop_stale_cache(str(module), str(helper))      # unchanged helper: the cache stays
    assert all(c.exists() for c in cached)
    helper.write_text("y = 22\n")                              # the helper changed: its inliners' cache goes
    os.utime(helper, ns=(1, 1))
    assert drop_stale_cache(str(module), str(helper)) and not any(c.exists() for c in cached)
