"""OpenBLAS's parallel products on the kernels' pool (kernels/blas_pool.py): right answers, both roads (a serving pool
thread, and the slow road when none serves), other Python threads calling BLAS at the same time, a forked child,
the thread count changed, and the switch that leaves OpenBLAS on its own threads."""
import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import glasstorch
from glasstorch import kernels

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")


def _pool_started():
    """Start the kernels' pool (two threads), which installs the callback where NumPy's BLAS takes one."""
    from glasstorch.kernels import blas_pool, threads
    threads._get_pool(1)
    if not blas_pool.installed():
        pytest.skip("NumPy's BLAS is not an OpenBLAS with a threads callback (or it runs on one thread)")
    return blas_pool, threads


@pytest.fixture
def two_threads():
    old = glasstorch.get_num_threads()
    glasstorch.set_num_threads(2)
    try:
        yield
    finally:
        glasstorch.set_num_threads(old)


def _product_cases(rng):
    for m, k, n in ((512, 512, 512), (3136, 64, 192), (64, 784, 256), (1000, 784, 256), (7, 3, 5), (300, 1, 400)):
        for dtype in (np.float32, np.float64):
            a = rng.standard_normal((m, k)).astype(dtype)
            b = rng.standard_normal((n, k)).astype(dtype)
            yield a, b


def _kernel_pass():
    """A pass of a kernel split over the pool (layer norm over 4,096 rows), so that its thread then serves."""
    from glasstorch.kernels import layernorm
    x = np.ones((4096, 64), np.float32)
    layernorm.forward(x, None, None, 1e-5)


def test_products_equal_openblas_own_threads_bit_for_bit(two_threads):
    blas_pool, _ = _pool_started()
    rng = np.random.default_rng(0)
    cases = list(_product_cases(rng))
    posted = blas_pool._state[0, blas_pool.POSTED]
    ours = []
    for a, b in cases:
        _kernel_pass()
        ours.append((a @ b.T, b @ a.T, a.T @ a))
    assert blas_pool._state[0, blas_pool.POSTED] > posted      # the serving thread ran pieces
    blas_pool.uninstall()
    try:
        for (a, b), got in zip(cases, ours):
            for x, y in zip(got, (a @ b.T, b @ a.T, a.T @ a)):
                np.testing.assert_array_equal(x, y)             # OpenBLAS splits the same way on either pool
                assert x.dtype == a.dtype
    finally:
        blas_pool.install()
    for (a, b), got in zip(cases, ours):
        ref = a.astype(np.float64) @ b.T.astype(np.float64)
        np.testing.assert_allclose(got[0], ref, rtol=1e-4, atol=1e-3 * np.sqrt(a.shape[1]))


def test_slow_road_when_no_thread_serves(two_threads):
    blas_pool, _ = _pool_started()
    rng = np.random.default_rng(1)
    a = rng.standard_normal((512, 512)).astype(np.float32)
    expected = a @ a
    posted = blas_pool._state[0, blas_pool.POSTED]
    for _ in range(5):
        time.sleep(0.01)                       # the pool's thread has gone to sleep: the callback takes the slow road
        np.testing.assert_array_equal(a @ a, expected)
    assert blas_pool._state[0, blas_pool.POSTED] == posted


def test_other_python_threads_calling_blas_meanwhile(two_threads):
    blas_pool, threads = _pool_started()
    rng = np.random.default_rng(2)
    a = rng.standard_normal((400, 300)).astype(np.float32)
    b = rng.standard_normal((300, 500)).astype(np.float32)
    expected = a @ b
    errors = []

    def products():
        try:
            for _ in range(30):
                if not np.array_equal(a @ b, expected):
                    errors.append("wrong product")
        except Exception as e:                 # pragma: no cover - reported below
            errors.append(repr(e))

    workers = [threading.Thread(target=products) for _ in range(3)]
    for t in workers:
        t.start()
    for _ in range(30):                        # meanwhile: kernel passes and products on the main thread
        _kernel_pass()
        np.testing.assert_array_equal(a @ b, expected)
    for t in workers:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in workers), "a thread calling BLAS did not finish"
    assert errors == []


def test_thread_count_changed_between_products():
    blas_pool, _ = _pool_started()
    old = glasstorch.get_num_threads()
    rng = np.random.default_rng(3)
    a = rng.standard_normal((512, 512)).astype(np.float32)
    expected = a.astype(np.float64) @ a.astype(np.float64)
    try:
        for count in (1, 2, 3, 2):
            glasstorch.set_num_threads(count)
            _kernel_pass()
            np.testing.assert_allclose(a @ a, expected, rtol=1e-4, atol=1e-2)
    finally:
        glasstorch.set_num_threads(old)


def _run(code, env=None, timeout=120):
    full = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, env=full)


def test_forked_child_multiplies_and_runs_kernels():
    code = """
        import os, numpy as np, glasstorch
        from glasstorch.kernels import blas_pool, layernorm, threads
        glasstorch.set_num_threads(2)
        threads._get_pool(1)
        a = np.random.default_rng(0).standard_normal((512, 512)).astype(np.float32)
        expected = a @ a
        layernorm.forward(np.ones((4096, 64), np.float32), None, None, 1e-5)
        pid = os.fork()
        if pid == 0:
            ok = np.array_equal(a @ a, expected)          # before the child's pool starts: OpenBLAS's own threads
            layernorm.forward(np.ones((4096, 64), np.float32), None, None, 1e-5)
            ok = ok and np.array_equal(a @ a, expected) and np.array_equal(a @ a, expected)
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        print("child", os.waitstatus_to_exitcode(status), "parent", np.array_equal(a @ a, expected))
    """
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert "child 0 parent True" in result.stdout


def test_switch_leaves_openblas_on_its_own_threads():
    code = """
        import numpy as np, glasstorch
        from glasstorch.kernels import blas_pool, layernorm, threads
        glasstorch.set_num_threads(2)
        threads._get_pool(1)
        layernorm.forward(np.ones((4096, 64), np.float32), None, None, 1e-5)
        a = np.ones((512, 512), np.float32)
        print("installed", blas_pool.installed(), "posted", int(blas_pool._state[0, blas_pool.POSTED]),
              "right", bool((a @ a == 512).all()))
    """
    result = _run(code, {"GLASSTORCH_BLAS_POOL": "own"})
    assert result.returncode == 0, result.stderr
    assert "installed False posted 0 right True" in result.stdout


def test_pool_starts_at_the_first_fast_path():
    """An MLP step splits none of its own passes; the pool (and BLAS on it) starts at its first fast path anyway, in
    each process, and not with one thread or with the kernels off."""
    _pool_started()   # skips where NumPy's BLAS takes no callback
    code = """
        import sys, numpy as np, glasstorch
        from glasstorch import kernels
        from glasstorch.kernels import blas_pool, threads
        glasstorch.set_num_threads(int(sys.argv[1]))
        if sys.argv[2] == "off":
            kernels.set_enabled(False)
        model = glasstorch.nn.Sequential(glasstorch.nn.Linear(784, 256), glasstorch.nn.ReLU(), glasstorch.nn.Linear(256, 10))
        x = glasstorch.randn(64, 784)
        print("before", threads._pool["pool"] is not None)
        model(x).sum().backward()
        print("after", threads._pool["pool"] is not None, "installed", blas_pool.installed())
    """
    for threads, switch, after in ((2, "on", "after True installed True"), (1, "on", "after False installed False"),
                                   (2, "off", "after False installed False")):
        result = subprocess.run([sys.executable, "-c", textwrap.dedent(code), str(threads), switch],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "before False" in result.stdout and after in result.stdout, (threads, switch, result.stdout)
