"""Dropout, Dropout1d and AlphaDropout: the fraction zeroed is p, survivors are scaled by 1/(1 − p), eval is
the identity, the gradient uses the same mask, manual_seed makes masks reproducible, PyTorch's errors."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import check_error
from twins import same_repr

F = glasstorch.nn.functional


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_fraction_and_scale(p):
    x = glasstorch.ones(200, 500)
    y = F.dropout(x, p).numpy()
    n = y.size
    zero = (y == 0).mean()
    assert abs(zero - p) < 4 * np.sqrt(p * (1 - p) / n)  # within 4 standard errors
    np.testing.assert_allclose(np.unique(y[y != 0]), [1 / (1 - p)], rtol=1e-6)
    assert y.dtype == np.float32
    assert abs(y.mean() - 1.0) < 0.02  # inverted dropout keeps the expectation


def test_gradient_uses_the_same_mask():
    x = glasstorch.randn(50, 40, requires_grad=True)
    y = F.dropout(x, 0.3)
    w = glasstorch.randn(50, 40)
    (y * w).sum().backward()
    kept = y.detach().numpy() != 0
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, w.numpy() / 0.7, 0), rtol=1e-6)
    assert x.grad.dtype == glasstorch.float32
    xd = glasstorch.randn(20, 20, dtype=glasstorch.float64, requires_grad=True)
    yd = F.dropout(xd, 0.5)
    assert yd.dtype == glasstorch.float64
    yd.sum().backward()
    assert set(np.unique(xd.grad.numpy())) <= {0.0, 2.0}


def test_identity_when_not_training_and_edge_p():
    x = glasstorch.randn(4, 5)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert not F.dropout(x, 1.0).numpy().any()
    m = glasstorch.nn.Dropout(0.5)
    m.eval()
    assert m(x) is x
    m.train()
    assert (m(glasstorch.ones(1000)).numpy() == 0).any()
    net = glasstorch.nn.Sequential(glasstorch.nn.Linear(5, 5), glasstorch.nn.Dropout(0.9))
    net.eval()
    np.testing.assert_array_equal(net(x).detach().numpy(), net[0](x).detach().numpy())


def test_reproducible_with_manual_seed():
    glasstorch.manual_seed(123)
    a = F.dropout(glasstorch.ones(100), 0.5).numpy().copy()
    b = F.dropout(glasstorch.ones(100), 0.5).numpy().copy()
    glasstorch.manual_seed(123)
    np.testing.assert_array_equal(F.dropout(glasstorch.ones(100), 0.5).numpy(), a)
    assert not np.array_equal(a, b)


def test_inplace():
    x = glasstorch.ones(10, 10)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x and (x.numpy() == 0).any() and set(np.unique(x.numpy())) <= {0.0, 2.0}
    leaf = glasstorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        F.dropout(leaf, 0.5, inplace=True)
    h = leaf * 1
    out = glasstorch.nn.Dropout(0.5, inplace=True)(h)
    assert out is h
    out.sum().backward()
    assert set(np.unique(leaf.grad.numpy())) <= {0.0, 2.0}


def test_errors_and_repr():
    for p in (-0.1, 1.5):
        check_error(lambda t, x: t.nn.functional.dropout(x, p), (3,), exc=ValueError,
                    match="dropout probability has to be between 0 and 1, but got")
        with pytest.raises(ValueError):
            glasstorch.nn.Dropout(p)
    for args in [(), (0.2,), (0.3, True)]:
        same_repr(torch.nn.Dropout(*args), glasstorch.nn.Dropout(*args))
        same_repr(torch.nn.Dropout1d(*args), glasstorch.nn.Dropout1d(*args))
        same_repr(torch.nn.AlphaDropout(*args), glasstorch.nn.AlphaDropout(*args))


def test_dropout1d_zeroes_whole_channels():
    y = F.dropout1d(glasstorch.ones(40, 50, 7), 0.4).numpy()
    per_channel = y.reshape(-1, 7)
    assert ((per_channel == 0).all(1) | (per_channel != 0).all(1)).all()  # each channel dropped as a whole
    assert abs((per_channel[:, 0] == 0).mean() - 0.4) < 0.05
    y2 = F.dropout1d(glasstorch.ones(30, 6), 0.5).numpy()  # (C, L) without a batch dim
    assert ((y2 == 0).all(1) | (y2 == 2).all(1)).all()
    check_error(lambda t, x: t.nn.functional.dropout1d(x, 0.5), (2, 3, 4, 5), exc=RuntimeError,
                match="dropout1d: Expected 2D or 3D input, but received a 4D input")
    m = glasstorch.nn.Dropout1d(0.5).eval()
    x = glasstorch.randn(2, 3, 4)
    assert m(x) is x


def test_alpha_dropout_keeps_mean_and_variance():
    x = glasstorch.randn(400, 500)
    for p in (0.2, 0.5):
        y = F.alpha_dropout(x, p, training=True).numpy()
        assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
        t = torch.nn.functional.alpha_dropout(torch.from_numpy(x.numpy()), p, training=True).numpy()
        # a dropped unit becomes a·(−α') + b = −α' a (1 − p), the same value in both libraries
        alpha = 1.7580993408473766
        a = ((alpha ** 2 * p + 1) * (1 - p)) ** -0.5
        dropped = -alpha * a * (1 - p)
        assert abs(np.isclose(y, dropped, rtol=1e-5).mean() - p) < 0.01
        assert abs(np.isclose(t, dropped, rtol=1e-5).mean() - p) < 0.01
        assert abs(y.std() - t.std()) < 0.02 and abs(y.mean() - t.mean()) < 0.02
    assert F.alpha_dropout(x, 0.5) is x  # training=False by default, as in PyTorch
    z = glasstorch.randn(10, requires_grad=True)
    F.alpha_dropout(z * 1, 0.5, training=True).sum().backward()
    assert z.grad is not None and z.grad.dtype == glasstorch.float32
    m = glasstorch.nn.AlphaDropout(0.3)
    assert (m(x).numpy() != x.numpy()).any() and m.eval()(x) is x
