"""OpenBLAS's idle threads sleep soon after a product (kernels/threads.py ``share_cores_with_blas``).

The check is what the setting is for: after a matrix product, a process that then sleeps should burn no CPU.
With OpenBLAS's own default its idle worker spins for ~0.1 s, burning a core; after glasstorch's import it spins
for ~0.4 ms. Each case runs in a fresh process (OpenBLAS's pool is set up at import).
"""
import json
import os
import subprocess
import sys

import pytest

_PROBE = r"""
import json, time
import numpy as np
import glasstorch
from glasstorch import kernels
a = np.random.default_rng(0).standard_normal((600, 600)).astype(np.float32)
for _ in range(3):
    b = a @ a                     # wakes BLAS's worker threads
spent = []
for _ in range(3):
    b = a @ a
    t = time.process_time()       # CPU time of every thread of the process
    time.sleep(0.1)               # the main thread sleeps: only an idle spinning BLAS thread would use CPU
    spent.append(time.process_time() - t)
ok = np.allclose(a @ a, a.astype(np.float64) @ a.astype(np.float64), rtol=1e-4, atol=1e-2)
print(json.dumps({"tuned": kernels.BLAS_LIBRARIES_TUNED, "cpu_ms": 1000 * min(spent), "ok": bool(ok),
                  "env": "OPENBLAS_THREAD_TIMEOUT" in __import__("os").environ}))
"""


def _blas_is_threaded_openblas():
    try:
        import threadpoolctl
    except ImportError:
        return False
    import numpy  # noqa: F401  (loads NumPy's BLAS, so that threadpoolctl sees it)
    return any(i.get("internal_api") == "openblas" and i.get("num_threads", 1) > 1
               for i in threadpoolctl.threadpool_info())


needs_openblas = pytest.mark.skipif(not _blas_is_threaded_openblas(), reason="NumPy's BLAS is not a threaded OpenBLAS")


def _probe(**env):
    base = {k: v for k, v in os.environ.items()
            if k not in ("OPENBLAS_THREAD_TIMEOUT", "GLASSTORCH_BLAS_WAIT", "GLASSTORCH_KERNELS")}
    base.update(OPENBLAS_NUM_THREADS="2", **env)
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, env=base)
    return json.loads(out.stdout.strip().splitlines()[-1])


@needs_openblas
def test_idle_blas_threads_sleep_after_import():
    r = _probe()
    if r["tuned"] == 0:
        pytest.skip("kernels off (numba missing): the BLAS wait is left as it is")
    assert r["ok"]                       # products are still right after the pool was restarted
    assert r["cpu_ms"] < 15, r           # a 100 ms sleep costs no CPU: nothing spins
    assert not r["env"]                  # the process's environment is left as it was


@needs_openblas
def test_user_settings_are_left_alone():
    default = _probe(GLASSTORCH_BLAS_WAIT="default")
    assert default["tuned"] == 0 and default["ok"]
    # OpenBLAS's own default: the idle worker keeps spinning through most of the 100 ms sleep (the reason for
    # the setting); allow for a loaded machine
    assert default["cpu_ms"] > 30, default
    assert _probe(OPENBLAS_THREAD_TIMEOUT="28")["tuned"] == 0     # the user's own value stands
    assert _probe(GLASSTORCH_KERNELS="reference")["tuned"] == 0    # no kernels, no pool to share the cores with
