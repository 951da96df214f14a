"""nn.init: gains equal to PyTorch's, fans, and every initializer's statistics against its formula and against
PyTorch's on a large tensor; in-place on Parameters, returns the tensor, generator=, PyTorch's errors."""
import math
import warnings

import numpy as np
import pytest
import torch

import glasstorch

init = glasstorch.nn.init
SHAPE = (300, 200)  # fan_in 200, fan_out 300


def test_gains_equal_pytorch():
    for name in ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                 "sigmoid", "tanh", "relu", "leaky_relu", "selu"]:
        assert init.calculate_gain(name) == torch.nn.init.calculate_gain(name), name
    for slope in [0, 0.2, 1, math.sqrt(5)]:
        assert init.calculate_gain("leaky_relu", slope) == torch.nn.init.calculate_gain("leaky_relu", slope)
    for bad in [("foo",), ("leaky_relu", True), ("leaky_relu", "x")]:
        with pytest.raises(ValueError) as g:
            init.calculate_gain(*bad)
        with pytest.raises(ValueError) as t:
            torch.nn.init.calculate_gain(*bad)
        assert str(g.value) == str(t.value)


def test_fans_equal_pytorch():
    for shape in [(3, 4), (8, 3, 5), (16, 8, 3, 3), (2, 4, 3, 3, 3)]:
        assert (init._calculate_fan_in_and_fan_out(glasstorch.empty(*shape))
                == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape)))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(glasstorch.empty(3))


def _stats(fill, lib, shape=SHAPE):
    t = lib.empty(*shape)
    out = fill(lib.nn.init, t)
    assert out is t
    a = t.numpy().astype(np.float64)
    return a.mean(), a.std(), a.min(), a.max()


# name: (how to call it, expected std, bound or None); a normal truncated at ±2σ has std 0.8796σ, at ±1σ 0.5396σ
CASES = {
    "uniform": (lambda I, t: I.uniform_(t, -2.0, 3.0), 5 / math.sqrt(12), None),
    "normal": (lambda I, t: I.normal_(t, 0.0, 0.3), 0.3, None),
    "xavier_uniform": (lambda I, t: I.xavier_uniform_(t), math.sqrt(2 / 500), math.sqrt(6 / 500)),
    "xavier_uniform_gain": (lambda I, t: I.xavier_uniform_(t, gain=5 / 3), 5 / 3 * math.sqrt(2 / 500),
                            5 / 3 * math.sqrt(6 / 500)),
    "xavier_normal": (lambda I, t: I.xavier_normal_(t, gain=2.0), 2 * math.sqrt(2 / 500), None),
    "kaiming_uniform": (lambda I, t: I.kaiming_uniform_(t), math.sqrt(2 / 200), math.sqrt(6 / 200)),
    "kaiming_uniform_a5": (lambda I, t: I.kaiming_uniform_(t, a=math.sqrt(5)), 1 / math.sqrt(3 * 200),
                           1 / math.sqrt(200)),
    "kaiming_uniform_out": (lambda I, t: I.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"),
                            math.sqrt(2 / 300), math.sqrt(6 / 300)),
    "kaiming_normal": (lambda I, t: I.kaiming_normal_(t, nonlinearity="relu"), math.sqrt(2 / 200), None),
    "kaiming_normal_out": (lambda I, t: I.kaiming_normal_(t, a=0.2, mode="fan_out"),
                           math.sqrt(2 / (1.04 * 300)), None),
    "trunc_normal": (lambda I, t: I.trunc_normal_(t, 0.0, 1.0, -2.0, 2.0), 0.8796, 2.0),
    "trunc_normal_narrow": (lambda I, t: I.trunc_normal_(t, 1.0, 0.02, 0.98, 1.02), 0.02 * 0.5396, None),
    "orthogonal": (lambda I, t: I.orthogonal_(t), None, None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_statistics_match_formula_and_pytorch(name):
    fill, std, bound = CASES[name]
    g_mean, g_std, g_min, g_max = _stats(fill, glasstorch)
    t_mean, t_std, t_min, t_max = _stats(fill, torch)
    n = math.prod(SHAPE)
    assert abs(g_std - t_std) < 0.02 * t_std, (g_std, t_std)
    assert abs(g_mean - t_mean) < 6 * t_std / math.sqrt(n) + 1e-12
    if std is not None:
        assert abs(g_std - std) < 0.02 * std, (g_std, std)
    if bound is not None:
        assert g_min >= -bound - 1e-6 and g_max <= bound + 1e-6
        assert g_max > bound * 0.99 and g_min < -bound * 0.99  # the whole range is used


def test_lecun():
    for fill, std in [(init.lecun_normal_, 1 / math.sqrt(200)), (init.lecun_uniform_, 1 / math.sqrt(200))]:
        w = glasstorch.empty(*SHAPE)
        assert fill(w) is w
        assert abs(w.numpy().std() - std) < 0.02 * std
    w = init.lecun_uniform_(glasstorch.empty(*SHAPE)).numpy()
    assert np.abs(w).max() <= math.sqrt(3 / 200) + 1e-7
    assert "glasstorch addition" in init.lecun_normal_.__doc__ and "glasstorch addition" in init.lecun_uniform_.__doc__


def test_constant_ones_zeros_eye_dirac_equal_pytorch():
    for fill in [lambda I, t: I.constant_(t, 0.3), lambda I, t: I.ones_(t), lambda I, t: I.zeros_(t),
                 lambda I, t: I.eye_(t)]:
        for shape in [(3, 5), (4, 2)]:
            g, t = glasstorch.empty(*shape), torch.empty(*shape)
            assert fill(glasstorch.nn.init, g) is g
            fill(torch.nn.init, t)
            np.testing.assert_array_equal(g.numpy(), t.numpy())
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 4, 3, 3, 3), 1), ((4, 4, 5), 4)]:
        g, t = glasstorch.empty(*shape), torch.empty(*shape)
        init.dirac_(g, groups)
        torch.nn.init.dirac_(t, groups)
        np.testing.assert_array_equal(g.numpy(), t.numpy())


def test_orthogonal():
    for shape in [(50, 30), (30, 50), (20, 4, 3)]:
        w = init.orthogonal_(glasstorch.empty(*shape), gain=2.0).numpy().reshape(shape[0], -1)
        if w.shape[0] <= w.shape[1]:
            np.testing.assert_allclose(w @ w.T, 4 * np.eye(w.shape[0]), atol=1e-5)
        else:
            np.testing.assert_allclose(w.T @ w, 4 * np.eye(w.shape[1]), atol=1e-5)


def test_sparse():
    w = init.sparse_(glasstorch.empty(40, 30), 0.25, std=0.5).numpy()
    assert ((w == 0).sum(0) == 10).all()  # ceil(0.25 · 40) zeros in every column
    assert abs(w[w != 0].std() - 0.5) < 0.06


def test_parameters_in_place_and_generators():
    m = glasstorch.nn.Linear(20, 10)
    w = m.weight
    assert init.xavier_uniform_(m.weight) is w and w.requires_grad and w.grad_fn is None
    init.zeros_(m.bias)
    assert not m.bias.detach().numpy().any()
    g1 = glasstorch.Generator().manual_seed(7)
    g2 = glasstorch.Generator().manual_seed(7)
    a = init.kaiming_normal_(glasstorch.empty(5, 5), generator=g1).numpy().copy()
    b = init.kaiming_normal_(glasstorch.empty(5, 5), generator=g2).numpy()
    np.testing.assert_array_equal(a, b)
    for fill in [init.uniform_, init.normal_, init.trunc_normal_, init.xavier_normal_, init.orthogonal_,
                 init.kaiming_uniform_]:
        x = fill(glasstorch.empty(4, 4), generator=glasstorch.Generator().manual_seed(1)).numpy().copy()
        y = fill(glasstorch.empty(4, 4), generator=glasstorch.Generator().manual_seed(1)).numpy()
        np.testing.assert_array_equal(x, y)
    d = init.normal_(glasstorch.empty(3, 3, dtype=glasstorch.float64))
    assert d.dtype == glasstorch.float64


def test_errors_match_pytorch():
    cases = [lambda I, lib: I.xavier_uniform_(lib.empty(3)),
             lambda I, lib: I.kaiming_normal_(lib.empty(3, 3), mode="fan_avg"),
             lambda I, lib: I.eye_(lib.empty(2, 2, 2)),
             lambda I, lib: I.orthogonal_(lib.empty(3)),
             lambda I, lib: I.dirac_(lib.empty(3, 3)),
             lambda I, lib: I.sparse_(lib.empty(3, 3, 3), 0.1)]
    for case in cases:
        with pytest.raises(ValueError) as g:
            case(glasstorch.nn.init, glasstorch)
        with pytest.raises(ValueError) as t:
            case(torch.nn.init, torch)
        assert str(g.value) == str(t.value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        e = glasstorch.empty(0, 3)
        assert init.kaiming_uniform_(e) is e
    assert "zero-element" in str(caught[0].message)
