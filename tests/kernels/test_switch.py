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


def test_parallel_for_inside_a_kernel_runs_in_that_thread():
    """A kernel that calls parallel_for itself (the pool is busy with it) runs the inner loop in its own thread:
    no deadlock, every row done once."""
    out = np.zeros(64)

    def inner(start, stop, out):
        out[start:stop] += 1

    def outer(start, stop, out):
        threads.parallel_for(inner, stop - start, out[start:stop])

    old = glasstorch.get_num_threads()
    glasstorch.set_num_threads(2)
    try:
        for _ in range(20):
            threads.parallel_for(outer, out.size, out)
        assert (out == 20).all()
    finally:
        glasstorch.set_num_threads(old)


def test_spin_sees_another_threads_count_and_gives_up_after_its_rounds():
    """The compiled wait reads the counter afresh at every look (it sees another thread's write), and returns
    False after its rounds when nothing comes."""
    import time
    from glasstorch.kernels import spin
    flags = np.zeros(16, np.int64)
    assert not spin.spin_until(flags, 0, 1, 1000)
    seen = {}

    def wait():
        seen["ok"] = spin.spin_until(flags, 8, 5, 10 ** 9)   # minutes of looks: only the write can end it early
    t = threading.Thread(target=wait)
    t.start()
    time.sleep(0.02)
    start = time.perf_counter()
    flags[8] = 5
    t.join(10)
    assert seen.get("ok") is True and time.perf_counter() - start < 5
    assert spin.set_and_spin(flags, 0, 3, 0, 3, 1) and flags[0] == 3


def test_an_idle_pool_sleeps():
    """After a pass the pool's thread looks for the next one for SPIN_SECONDS only, then sleeps: a process idle
    for 0.2 s after a pass uses little CPU."""
    import resource
    import time
    old = glasstorch.get_num_threads()
    glasstorch.set_num_threads(2)
    try:
        out = np.zeros(10)
        threads.parallel_for(lambda a, b, o: o.__setitem__(slice(a, b), 1), 10, out)
        before = resource.getrusage(resource.RUSAGE_SELF)
        time.sleep(0.2)
        after = resource.getrusage(resource.RUSAGE_SELF)
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        assert used < 0.05, used
        assert (out == 1).all()
    finally:
        glasstorch.set_num_threads(old)


def test_a_forked_child_makes_its_own_pool():
    import multiprocessing
    threads.parallel_for(lambda a, b: None, 10)                # the parent's pool exists
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as p:
        assert p.apply(_child_pass) == 45


def _child_pass():
    out = np.zeros(10)
    old = glasstorch.get_num_threads()
    glasstorch.set_num_threads(2)
    try:
        threads.parallel_for(lambda a, b, o: o.__setitem__(slice(a, b), np.arange(a, b)), 10, out)
    finally:
        glasstorch.set_num_threads(old)
    return int(out.sum())
