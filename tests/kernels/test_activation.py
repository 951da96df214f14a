"""The ReLU kernels (glasstorch/kernels/activation.py) against ops/elementwise.py's NumPy Relu."""
import numpy as np
import pytest

import glasstorch
from glasstorch import kernels

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")


def _relu(x, g, fast):
    t = glasstorch.tensor(x, requires_grad=True)
    with (kernels.fast() if fast else kernels.reference()):
        y = glasstorch.relu(t)
        y.backward(glasstorch.tensor(g))
    return y.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("shape", [(64, 32, 28, 28), (3, 70001), (1 << 16,), (5, 7)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("threads", [1, 2])
def test_relu_kernel_equals_reference(shape, dtype, threads):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(dtype)
    flat = x.reshape(-1)
    flat[::97] = 0
    flat[5::101] = np.nan
    flat[7::103] = np.inf
    flat[9::107] = -np.inf
    g = rng.standard_normal(shape).astype(dtype)
    g.reshape(-1)[11::89] = np.inf
    old = glasstorch.get_num_threads()
    glasstorch.set_num_threads(threads)
    try:
        y1, g1 = _relu(x, g, True)
        y2, g2 = _relu(x, g, False)
    finally:
        glasstorch.set_num_threads(old)
    np.testing.assert_array_equal(y1, y2)      # NaN where NaN
    np.testing.assert_array_equal(g1, g2)      # inf·0 = NaN on both paths


def test_relu_kernel_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((64, 32, 28, 28)).astype(np.float32)
    y, gx = _relu(x, np.ones_like(x), True)
    tx = torch.tensor(x, requires_grad=True)
    torch.relu(tx).sum().backward()
    np.testing.assert_array_equal(y, torch.relu(torch.tensor(x)).numpy())
    np.testing.assert_array_equal(gx, tx.grad.numpy())
