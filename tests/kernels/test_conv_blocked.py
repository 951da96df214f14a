"""The blocked convolution (glasstorch/kernels/conv.py ``forward_blocked`` / ``backward_blocked``: each thread its
own samples, a few at a time, OpenBLAS on one thread per product) against the reference, and what it must not
break: the version check on the input it keeps, BLAS's thread count, calls from several threads at once."""
import threading

import numpy as np
import pytest
import threadpoolctl

import glasstorch as torch
import glasstorch.kernels as K
from glasstorch.kernels import conv as kc
from glasstorch.kernels import threads as kt
from kernel_calls import count_calls

F = torch.nn.functional
EPS = {np.float32: 1e-6, np.float64: 1e-14}


def _close(u, v, dtype, ulps=8):
    scale = max(1.0, float(np.abs(v).max()))
    np.testing.assert_allclose(u, v, rtol=ulps * EPS[dtype], atol=ulps * EPS[dtype] * scale)


def _blas_threads():
    return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i.get("internal_api") == "openblas"]


def _grads(xa, wa, ba, ga, need, kw):
    """y, then dL/dx, dL/dW, dL/db for the inputs flagged in ``need`` (None for the others)."""
    x = torch.tensor(xa, requires_grad=need[0])
    w = torch.tensor(wa, requires_grad=need[1])
    b = None if ba is None else torch.tensor(ba, requires_grad=need[2])
    y = F.conv2d(x, w, b, **kw)
    y.backward(torch.tensor(ga))
    return [y.detach().numpy()] + [None if t is None or t.grad is None else t.grad.numpy() for t in (x, w, b)]


@pytest.fixture
def counted(monkeypatch):
    """How many times the blocked forward and backward ran."""
    return count_calls(monkeypatch, kc, "forward_blocked", "backward_blocked")


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("need", [(True, True, True), (True, False, False), (False, True, True),
                                  (False, False, True), (True, True, None)])
@pytest.mark.parametrize("block_bytes", [1, 3 * 9 * 8 * 8 * 6 * 8, 1 << 20])   # 1 sample, 3 (10 = 3+3+3+1), all
def test_blocked_matches_reference(need, block_bytes, dtype, threads, counted, monkeypatch):
    """Several blocks per thread with a short last one, one block, one sample per block; every subset of wanted
    gradients; with and without a bias (need[2] None: no bias)."""
    monkeypatch.setattr(kc, "BLOCK_BYTES", block_bytes)
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        rng = np.random.default_rng(7)
        xa = rng.standard_normal((10, 6, 9, 8)).astype(dtype)
        wa = rng.standard_normal((5, 6, 3, 3)).astype(dtype)
        ba = None if need[2] is None else rng.standard_normal(5).astype(dtype)
        ga = rng.standard_normal((10, 5, 5, 8)).astype(dtype)
        kw = dict(stride=(2, 1), padding=1, dilation=(1, 1))
        with K.fast():
            fast = _grads(xa, wa, ba, ga, need, kw)
        assert counted == {"forward": 1, "backward": 1}
        with K.reference():
            ref = _grads(xa, wa, ba, ga, need, kw)
        np.testing.assert_array_equal(fast[0], ref[0])   # y: the same copies and per-row products
        for u, v in zip(fast[1:], ref[1:]):
            assert (u is None) == (v is None)
            if u is not None:
                assert u.dtype == v.dtype and u.shape == v.shape
                _close(u, v, dtype)
    finally:
        torch.set_num_threads(old)


def test_backward_with_the_kernels_switched_off(counted):
    """A blocked forward (it keeps x, not the columns), then the backward with the kernels off: the reference's
    backward makes the columns again from x, and the gradients agree with the blocked backward's."""
    rng = np.random.default_rng(8)
    xa, wa, ba = (rng.standard_normal(s).astype(np.float32) for s in ((6, 8, 10, 10), (12, 8, 3, 3), (12,)))
    ga = rng.standard_normal((6, 12, 10, 10)).astype(np.float32)
    grads = []
    for mode in (K.fast, K.reference):
        x, w, b = (torch.tensor(a, requires_grad=True) for a in (xa, wa, ba))
        with K.fast():
            y = F.conv2d(x, w, b, padding=1)
        with mode():
            y.backward(torch.tensor(ga))
        grads.append([t.grad.numpy() for t in (x, w, b)])
    assert counted == {"forward": 2, "backward": 1}
    for u, v in zip(*grads):
        _close(u, v, np.float32)


@pytest.mark.parametrize("mode", [K.fast, K.reference])
def test_input_changed_in_place_after_forward(mode):
    """The blocked path keeps x for dL/dW, as PyTorch's convolution does: x written in place before backward is
    PyTorch's version error when W wants a gradient, and no error when only x does (nothing of x is read then)."""
    rng = np.random.default_rng(9)
    with mode():
        x = torch.tensor(rng.standard_normal((4, 8, 9, 9)).astype(np.float32), requires_grad=True)
        h = x * 1.0
        w = torch.tensor(rng.standard_normal((6, 8, 3, 3)).astype(np.float32), requires_grad=True)
        y = F.conv2d(h, w, padding=1)
        h.add_(1.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
        h = x * 1.0
        y = F.conv2d(h, w.detach(), padding=1)
        h.add_(1.0)
        y.sum().backward()
        assert x.grad is not None


def test_blas_thread_count_is_restored():
    before = _blas_threads()
    if not kt.can_run_blas_in_threads():
        pytest.skip("NumPy's BLAS is not an OpenBLAS whose thread count can be set")
    with kt.blas_one_thread():
        assert all(n == 1 for n in _blas_threads())
        with kt.blas_one_thread():                     # nested: still one, and the outer block restores
            assert all(n == 1 for n in _blas_threads())
        assert all(n == 1 for n in _blas_threads())
    assert _blas_threads() == before
    x = torch.randn(8, 16, 12, 12, requires_grad=True)
    F.conv2d(x, torch.randn(8, 16, 3, 3, requires_grad=True), padding=1).sum().backward()
    assert _blas_threads() == before


def test_blas_one_thread_restores_after_an_error():
    before = _blas_threads()
    with pytest.raises(ZeroDivisionError):
        with kt.blas_one_thread():
            1 / 0
    assert _blas_threads() == before


def test_concurrent_calls_from_several_threads(counted):
    """Blocked convolutions run from 3 Python threads at once (their blocks overlap in time): each gets its own
    right answer, and BLAS's thread count is what it was when all are done."""
    before = _blas_threads()
    rng = np.random.default_rng(10)
    w = rng.standard_normal((16, 8, 3, 3)).astype(np.float32)
    inputs = [rng.standard_normal((6, 8, 12, 12)).astype(np.float32) for _ in range(3)]
    with K.reference():
        want = [F.conv2d(torch.tensor(x), torch.tensor(w), padding=1).numpy() for x in inputs]
    got, errors = [[] for _ in inputs], []

    def work(i):
        try:
            for _ in range(20):
                with torch.no_grad():
                    got[i].append(F.conv2d(torch.tensor(inputs[i]), torch.tensor(w), padding=1).numpy())
        except Exception as e:   # pragma: no cover - reported below
            errors.append(e)
    workers = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors
    assert counted == {"forward": 60, "backward": 0}
    for i, outs in enumerate(got):
        for y in outs:
            np.testing.assert_array_equal(y, want[i])
    assert _blas_threads() == before


def test_fewer_samples_than_threads_take_the_whole_batch_path(counted):
    """A batch of one on two threads would leave a core idle with BLAS on one thread: the whole-batch path then."""
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        x = torch.randn(1, 16, 20, 20, requires_grad=True)
        F.conv2d(x, torch.randn(8, 16, 3, 3), padding=1).sum().backward()
        assert counted == {"forward": 0, "backward": 0}
        F.conv2d(torch.randn(2, 16, 20, 20), torch.randn(8, 16, 3, 3), padding=1)
        assert counted == {"forward": 1, "backward": 0}
    finally:
        torch.set_num_threads(old)
