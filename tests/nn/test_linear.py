"""Linear, Identity, Flatten and Unflatten modules against PyTorch: outputs and gradients with the same
weights, default init ranges, the layer-naming shape error, dtype/device arguments, reset_parameters."""
import math

import numpy as np
import pytest
import torch

import glasstorch
from twins import compare_forward_backward, same_repr, twins


@pytest.mark.parametrize("shape", [(6, 4), (2, 3, 4), (4,)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_pytorch(shape, bias):
    t, g = twins(lambda lib: lib.nn.Linear(4, 3, bias=bias))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict())
    assert g.weight.shape == (3, 4)
    compare_forward_backward(t, g, shape)


def test_linear_float64():
    t, g = twins(lambda lib: lib.nn.Linear(4, 3, dtype=lib.float64))
    assert g.weight.dtype == g.bias.dtype == glasstorch.float64
    compare_forward_backward(t, g, (5, 4), dtype=np.float64, tol=dict(rtol=1e-12, atol=1e-12))
    t, g = twins(lambda lib: lib.nn.Linear(4, 3).double())
    compare_forward_backward(t, g, (5, 4), dtype=np.float64, tol=dict(rtol=1e-12, atol=1e-12))
    assert glasstorch.nn.Linear(2, 2, device="cpu").weight.dtype == glasstorch.float32


def test_mlp_matches_pytorch():
    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Flatten(), nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(),
                             nn.Linear(8, 3), nn.LogSoftmax(dim=1))
    t, g = twins(build)
    same_repr(t, g)
    compare_forward_backward(t, g, (7, 3, 4))


def test_default_init_ranges():
    glasstorch.manual_seed(0)
    m = glasstorch.nn.Linear(100, 300)
    bound = 1 / math.sqrt(100)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.dtype == np.float32
    assert -bound <= w.min() < -0.98 * bound and 0.98 * bound < w.max() <= bound
    assert -bound <= b.min() < -0.9 * bound and 0.9 * bound < b.max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound   # U(−a, a) has std a/√3
    t = torch.nn.Linear(100, 300).weight.detach().numpy()
    assert abs(w.std() - t.std()) < 0.02 * bound and abs(w.mean() - t.mean()) < 0.01 * bound
    # reset_parameters redraws
    old = w.copy()
    m.reset_parameters()
    assert not np.array_equal(old, m.weight.detach().numpy())
    # reproducible with manual_seed
    glasstorch.manual_seed(5)
    a = glasstorch.nn.Linear(3, 2).weight.detach().numpy().copy()
    glasstorch.manual_seed(5)
    np.testing.assert_array_equal(a, glasstorch.nn.Linear(3, 2).weight.detach().numpy())


def test_wrong_input_size_names_the_layer():
    m = glasstorch.nn.Linear(784, 10)
    with pytest.raises(RuntimeError) as info:
        m(glasstorch.zeros(64, 100))
    assert str(info.value) == ("Linear(in_features=784, out_features=10): mat1 and mat2 shapes cannot be multiplied "
                               "(64x100 and 784x10)")
    net = glasstorch.nn.Sequential(glasstorch.nn.Linear(4, 3), glasstorch.nn.Linear(4, 2))
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=4, out_features=2\): mat1 and mat2 shapes cannot "
                                           r"be multiplied \(5x3 and 4x2\)"):
        net(glasstorch.zeros(5, 4))
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype"):
        m(glasstorch.zeros(2, 784, dtype=glasstorch.float64))


def test_identity_flatten_unflatten():
    t, g = twins(lambda lib: lib.nn.Sequential(lib.nn.Identity(54, unused=1), lib.nn.Flatten(),
                                               lib.nn.Unflatten(1, (4, 6)), lib.nn.Flatten(0, 1),
                                               lib.nn.Unflatten(0, (2, -1))))
    same_repr(t, g)
    compare_forward_backward(t, g, (2, 3, 8))
    for args in [(), (0,), (2, 3), (-2, -1), (1, 1)]:
        t, g = twins(lambda lib: lib.nn.Flatten(*args))
        same_repr(t, g)
        compare_forward_backward(t, g, (2, 3, 4, 5))
    x = glasstorch.randn(3)
    assert glasstorch.nn.Identity()(x) is x
    same_repr(torch.nn.Unflatten(-1, [2, 2]), glasstorch.nn.Unflatten(-1, [2, 2]))
    with pytest.raises(TypeError):
        glasstorch.nn.Unflatten(1, 4)
    with pytest.raises(TypeError):
        glasstorch.nn.Unflatten(1, (2, 2.0))
