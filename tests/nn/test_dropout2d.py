"""Dropout2d, Dropout3d and FeatureAlphaDropout: whole channels are kept or dropped together, the fraction
dropped is p, survivors are scaled by 1/(1 − p), eval is the identity, the gradient uses the same mask;
PyTorch 2.13's handling of 3-D input to dropout2d (read as (N, C, L), with a warning); reprs and errors."""
import warnings

import numpy as np
import pytest
import torch

import glasstorch
from twins import same_repr

F = glasstorch.nn.functional


def _channels(y):
    """(N, C, ...) as rows, one per (sample, channel)."""
    return y.reshape(y.shape[0] * y.shape[1], -1)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_whole_channels_fraction_and_scale(p):
    y = F.dropout2d(glasstorch.ones(100, 50, 3, 4), p).numpy()
    flat = _channels(y)
    assert (flat == flat[:, :1]).all()  # one decision per channel
    dropped = (flat[:, 0] == 0).mean()
    n = flat.shape[0]
    assert abs(dropped - p) < 4 * np.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(np.unique(flat[flat != 0]), [1 / (1 - p)], rtol=1e-6)
    assert y.dtype == np.float32


def test_gradient_uses_the_same_mask():
    x = glasstorch.randn(8, 6, 5, 5, requires_grad=True)
    y = F.dropout2d(x, 0.4)
    w = glasstorch.randn(8, 6, 5, 5)
    (y * w).sum().backward()
    kept = y.detach().numpy() != 0
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, w.numpy() / 0.6, 0), rtol=1e-6)
    xd = glasstorch.randn(4, 3, 2, 2, dtype=glasstorch.float64, requires_grad=True)
    F.dropout2d(xd, 0.5).sum().backward()
    assert xd.grad.dtype == glasstorch.float64 and set(np.unique(xd.grad.numpy())) <= {0.0, 2.0}


def test_identity_in_eval_and_edge_p():
    x = glasstorch.randn(2, 3, 4, 4)
    assert F.dropout2d(x, 0.5, training=False) is x
    assert F.dropout2d(x, 0.0) is x
    assert not F.dropout2d(x, 1.0).numpy().any()
    m = glasstorch.nn.Dropout2d(0.5)
    m.eval()
    assert m(x) is x
    m.train()
    assert (m(glasstorch.ones(20, 20, 2, 2)).numpy() == 0).any()


def test_three_d_input_is_read_as_n_c_l_like_pytorch():
    """PyTorch 2.13 treats a 3-D input to dropout2d as (N, C, L): one draw per (dim 0, dim 1) pair."""
    with pytest.warns(UserWarning, match="assuming that channel-wise 1D dropout"):
        y = F.dropout2d(glasstorch.ones(40, 30, 6), 0.5).numpy()
    assert (y == y[:, :, :1]).all()
    assert 0 < (y[:, :, 0] == 0).mean() < 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.nn.functional.dropout2d(torch.ones(40, 30, 6), 0.5)
    assert any("assuming that channel-wise 1D dropout" in str(w.message) for w in caught)
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        y2 = F.dropout2d(glasstorch.ones(40, 30), 0.5).numpy()
    assert set(np.unique(y2)) <= {0.0, 2.0}


def test_dropout3d():
    y = F.dropout3d(glasstorch.ones(10, 20, 2, 3, 4), 0.5).numpy()
    flat = _channels(y)
    assert (flat == flat[:, :1]).all() and 0 < (flat[:, 0] == 0).mean() < 1
    y4 = F.dropout3d(glasstorch.ones(20, 2, 3, 4), 0.5).numpy()  # unbatched (C, D, H, W)
    per_channel = y4.reshape(20, -1)
    assert (per_channel == per_channel[:, :1]).all()
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        F.dropout3d(glasstorch.ones(3, 4, 5), 0.5)


def test_feature_alpha_dropout():
    x = glasstorch.randn(200, 100, 2, 2)
    assert F.feature_alpha_dropout(x, 0.5) is x  # training=False is the default, as in PyTorch
    y = F.feature_alpha_dropout(x, 0.3, training=True).numpy()
    assert abs(y.mean()) < 0.05 and abs(y.std() - 1) < 0.05  # keeps zero mean and unit variance
    flat = _channels(y)
    constant = np.isclose(flat, flat[:, :1]).all(axis=1)  # a dropped channel holds one value everywhere
    assert abs(constant.mean() - 0.3) < 0.02
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        F.feature_alpha_dropout(glasstorch.ones(5), 0.5, True)


def test_inplace_and_errors_and_repr():
    x = glasstorch.ones(10, 10, 2, 2)
    y = F.dropout2d(x, 0.5, inplace=True)
    assert y is x and set(np.unique(x.numpy())) <= {0.0, 2.0}
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            F.dropout2d(x, p)
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
            glasstorch.nn.Dropout2d(p)
    same_repr(torch.nn.Dropout2d(0.3), glasstorch.nn.Dropout2d(0.3))
    same_repr(torch.nn.Dropout3d(), glasstorch.nn.Dropout3d())
    same_repr(torch.nn.Dropout2d(0.1, inplace=True), glasstorch.nn.Dropout2d(0.1, inplace=True))
    same_repr(torch.nn.FeatureAlphaDropout(0.2), glasstorch.nn.FeatureAlphaDropout(0.2))
