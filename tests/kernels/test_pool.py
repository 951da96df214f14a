"""The max-pool kernel (glasstorch/kernels/pool.py) against its reference (ops/pool.py MaxPool2d)."""
import numpy as np
import pytest

import glasstorch as torch
import glasstorch.kernels as K

F = torch.nn.functional


def _run(a, g, k):
    x = torch.tensor(a, requires_grad=True)
    y = F.max_pool2d(x, k)
    y.backward(torch.tensor(g))
    with torch.no_grad():
        y2 = F.max_pool2d(torch.tensor(a), k)
    return y.detach().numpy(), x.grad.numpy(), y2.numpy()


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,k", [((64, 32, 28, 28), 2), ((3, 64, 7, 7), 2), ((1, 5, 9, 11), 3),
                                     ((65, 7, 14, 14), 2), ((1, 40, 10, 10), (2, 5)), ((33, 17, 8, 8), 4)])
def test_maxpool_matches_reference(shape, k, dtype, threads):
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        rng = np.random.default_rng(1)
        a = rng.integers(-2, 3, shape).astype(dtype)   # small integers: many ties
        a.flat[::97] = np.nan
        a.flat[1::89] = -0.0
        kk = (k, k) if isinstance(k, int) else k
        out = (shape[0], shape[1], shape[2] // kk[0], shape[3] // kk[1])
        g = rng.standard_normal(out).astype(dtype)
        with K.fast():
            fast = _run(a, g, k)
        with K.reference():
            ref = _run(a, g, k)
        for u, v in zip(fast, ref):
            assert np.array_equal(u, v, equal_nan=True)
    finally:
        torch.set_num_threads(old)


def test_maxpool_against_pytorch():
    pt = pytest.importorskip("torch")
    a = np.random.default_rng(2).standard_normal((8, 16, 13, 13)).astype(np.float32)
    with K.fast():
        x = torch.tensor(a, requires_grad=True)
        y = F.max_pool2d(x, 2)
        y.sum().backward()
    xt = pt.tensor(a, requires_grad=True)
    yt = pt.nn.functional.max_pool2d(xt, 2)
    yt.sum().backward()
    assert np.array_equal(y.detach().numpy(), yt.detach().numpy())
    assert np.array_equal(x.grad.numpy(), xt.grad.numpy())
