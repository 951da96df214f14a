"""Activation functions and modules against PyTorch: values and gradients (float32 and float64), float64
gradcheck, kinks, in-place variants, reprs, softmax's implicit dim, PReLU's weight gradient, step/heaviside."""
import warnings

import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check, check_error, gradcheck
from twins import compare_forward_backward, same_repr, twins

F_OPS = {
    "relu": lambda F, x: F.relu(x),
    "relu6": lambda F, x: F.relu6(x * 4),
    "leaky_relu": lambda F, x: F.leaky_relu(x),
    "leaky_relu_0.2": lambda F, x: F.leaky_relu(x, 0.2),
    "elu": lambda F, x: F.elu(x),
    "elu_0.5": lambda F, x: F.elu(x, alpha=0.5),
    "selu": lambda F, x: F.selu(x),
    "celu": lambda F, x: F.celu(x, alpha=1.5),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x),
    "mish": lambda F, x: F.mish(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta": lambda F, x: F.softplus(x * 10, beta=2, threshold=5),
    "softsign": lambda F, x: F.softsign(x),
    "hardtanh": lambda F, x: F.hardtanh(x * 2),
    "hardtanh_args": lambda F, x: F.hardtanh(x, -0.5, 0.3),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x * 4),
    "hardswish": lambda F, x: F.hardswish(x * 4),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
    "threshold": lambda F, x: F.threshold(x, 0.1, 20.0),
    "logsigmoid": lambda F, x: F.logsigmoid(x * 5),
    "hardshrink": lambda F, x: F.hardshrink(x),
    "softshrink": lambda F, x: F.softshrink(x, 0.3),
    "sigmoid": lambda F, x: F.sigmoid(x),
    "tanh": lambda F, x: F.tanh(x),
    "softmax": lambda F, x: F.softmax(x, dim=-1),
    "log_softmax": lambda F, x: F.log_softmax(x, 1),
    "softmin": lambda F, x: F.softmin(x, dim=0),
    "softmax_dtype": lambda F, x: F.softmax(x, 1, dtype=torch.float64 if F is torch.nn.functional else
                                            glasstorch.float64),
}


@pytest.mark.parametrize("name", sorted(F_OPS))
def test_functional_matches_pytorch(name):
    fn = F_OPS[name]
    check(lambda t, x: fn(t.nn.functional, x), (4, 5))
    # (PyTorch's hardsigmoid backward multiplies by the float32 constant 1/6 even in float64: 3e-8 off)
    rtol = 1e-7 if name == "hardsigmoid" else None
    check(lambda t, x: fn(t.nn.functional, x), (2, 3, 4), dtype=np.float64, rtol=rtol)


@pytest.mark.parametrize("name", sorted(set(F_OPS) - {"softmax_dtype"}))
def test_functional_gradcheck(name):
    fn = F_OPS[name]
    gradcheck(lambda t, x: fn(t.nn.functional, x), (3, 4), seed=3)


@pytest.mark.parametrize("name", sorted(F_OPS))
def test_float32_stays_float32(name):
    if name == "softmax_dtype":
        return
    x = glasstorch.randn(3, 4, requires_grad=True)
    y = F_OPS[name](glasstorch.nn.functional, x)
    assert y.dtype == glasstorch.float32
    y.sum().backward()
    assert x.grad.dtype == glasstorch.float32


def test_kinks_and_extremes_match_pytorch():
    # the derivative at the corners is PyTorch's choice; large inputs must not overflow
    # (the ops above scale x by 2 or 4 before hardtanh/relu6/hardsigmoid/hardswish: ±0.75 and 1.5 hit their kinks)
    x = np.array([-1e4, -50.0, -6.0, -3.0, -1.0, -0.75, -0.5, 0.0, 0.3, 0.5, 0.75, 1.0, 1.5, 3.0, 6.0, 50.0, 1e4],
                 np.float32)
    for name, fn in F_OPS.items():
        if "softm" in name or "log_softmax" in name:
            continue
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            check(lambda t, x: fn(t.nn.functional, x), x, atol=1e-4)
    check(lambda t, x: t.nn.functional.threshold(x, 0.3, -1.0), x)
    check(lambda t, x: t.nn.functional.softplus(x, beta=0.5, threshold=1.0), x)


def test_inplace_variants():
    F, tF = glasstorch.nn.functional, torch.nn.functional
    for name, kwargs in [("relu", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {}), ("selu", {}),
                         ("celu", {}), ("silu", {}), ("mish", {}), ("hardtanh", {}), ("relu6", {}),
                         ("hardsigmoid", {}), ("hardswish", {})]:
        a = np.linspace(-4, 4, 9, dtype=np.float32)
        g, t = glasstorch.from_numpy(a.copy()), torch.from_numpy(a.copy())
        out = getattr(F, name)(g, inplace=True, **kwargs)
        getattr(tF, name)(t, inplace=True, **kwargs)
        assert out is g, name
        np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-6, atol=1e-6, err_msg=name)
    g = glasstorch.tensor([-1.0, 2.0])
    assert F.relu_(g) is g and g.tolist() == [0.0, 2.0]
    # in place on a non-leaf that requires grad: recorded, gradients as PyTorch's
    check(lambda t, x: t.nn.functional.relu((x * 2), inplace=True), (3, 4))
    check(lambda t, x: t.nn.functional.elu((x + 0), inplace=True), (3, 4))
    check(lambda t, x: t.nn.functional.threshold((x + 0), 0.2, 5.0, inplace=True), (3, 4))
    # in place on a leaf that requires grad raises, as in PyTorch
    check_error(lambda t, x: t.nn.functional.relu(x.requires_grad_(), inplace=True), (3,), exc=RuntimeError)


MODULES = [
    lambda nn: nn.Sigmoid(), lambda nn: nn.Tanh(), lambda nn: nn.ReLU(), lambda nn: nn.ReLU(inplace=True),
    lambda nn: nn.ReLU6(), lambda nn: nn.LeakyReLU(0.2), lambda nn: nn.LeakyReLU(inplace=True),
    lambda nn: nn.ELU(alpha=0.7), lambda nn: nn.SELU(), lambda nn: nn.CELU(2.0), lambda nn: nn.GELU(),
    lambda nn: nn.GELU(approximate="tanh"), lambda nn: nn.SiLU(), lambda nn: nn.Mish(),
    lambda nn: nn.Softplus(beta=2.0, threshold=10.0), lambda nn: nn.Softsign(), lambda nn: nn.Softmax(dim=1),
    lambda nn: nn.LogSoftmax(dim=-1), lambda nn: nn.Softmin(0), lambda nn: nn.Hardtanh(-2.0, 2.0),
    lambda nn: nn.Hardsigmoid(), lambda nn: nn.Hardswish(), lambda nn: nn.Tanhshrink(), lambda nn: nn.PReLU(),
    lambda nn: nn.Threshold(0.1, 20.0), lambda nn: nn.Threshold(0.1, 20.0, inplace=True), lambda nn: nn.LogSigmoid(),
    lambda nn: nn.Hardshrink(0.4), lambda nn: nn.Softshrink(), lambda nn: nn.Identity(),
]


@pytest.mark.parametrize("i", range(len(MODULES)))
def test_modules_match_pytorch(i):
    make = MODULES[i]
    # after a Linear, so that in-place activations act on a non-leaf and every parameter gets a gradient
    t, g = twins(lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 6), make(lib.nn)))
    same_repr(t, g)
    compare_forward_backward(t, g, (5, 4))
    assert list(g.state_dict()) == list(t.state_dict())


def test_prelu_per_channel():
    def build(lib):
        m = lib.nn.PReLU(num_parameters=3, init=0.1)
        with lib.no_grad():
            m.weight.copy_(lib.tensor([0.1, -0.5, 2.0]))
        return m
    t, g = twins(build)
    same_repr(t, g)
    compare_forward_backward(t, g, (4, 3))
    compare_forward_backward(t, g, (2, 3, 5))
    compare_forward_backward(*twins(lambda lib: lib.nn.PReLU()), (2, 3, 5))
    gradcheck(lambda t, x, w: t.nn.functional.prelu(x, w), (2, 3, 4), (3,))
    gradcheck(lambda t, x, w: t.nn.functional.prelu(x, w), (2, 3), (1,))
    check_error(lambda t, x, w: t.nn.functional.prelu(x, w), (2, 4), (3,), exc=RuntimeError,
                match="Mismatch of parameter numbers and input channel size")


def test_softmax_implicit_dim_warns():
    F = glasstorch.nn.functional
    for shape, dim in [((4,), 0), ((2, 3), 1), ((2, 3, 4), 0), ((2, 3, 4, 5), 1)]:
        x = glasstorch.randn(*shape)
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
            y = F.softmax(x)
        np.testing.assert_allclose(y.numpy(), F.softmax(x, dim).numpy())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = torch.nn.functional.softmax(torch.from_numpy(x.numpy()))
        np.testing.assert_allclose(y.numpy(), t.numpy(), rtol=1e-5)
    with pytest.warns(UserWarning, match="log_softmax"):
        F.log_softmax(glasstorch.randn(2, 3))
    with pytest.warns(UserWarning):
        glasstorch.nn.Softmax()(glasstorch.randn(2, 3))


def test_errors_match_pytorch():
    check_error(lambda t, x: t.nn.functional.gelu(x, approximate="foo"), (3,), exc=RuntimeError,
                match="approximate argument must be either none or tanh")
    check_error(lambda t, x: t.nn.functional.softshrink(x, -1.0), (3,), exc=RuntimeError)
    check_error(lambda t, x: (t.heaviside if t is torch else t.nn.functional.heaviside)(x, 0.5), (3,),
                exc=TypeError)


def test_heaviside_and_step():
    F = glasstorch.nn.functional
    a = np.array([-2.0, -0.0, 0.0, 1e-8, 3.0], np.float32)
    v = np.float32(0.5)
    t = torch.heaviside(torch.from_numpy(a), torch.tensor(v))
    g = F.heaviside(glasstorch.from_numpy(a), glasstorch.tensor(v))
    np.testing.assert_array_equal(g.numpy(), t.numpy())
    s = F.step(glasstorch.from_numpy(a))
    assert s.dtype == glasstorch.float32 and s.tolist() == [0.0, 1.0, 1.0, 1.0, 1.0]
    # the gradient is zero (PyTorch has none); it still flows through the graph without error
    x = glasstorch.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    (glasstorch.nn.Step()(x) * 3 + x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    assert repr(glasstorch.nn.Step()) == "Step()"
    assert "glasstorch addition" in glasstorch.nn.Step.__doc__


def test_one_hot_is_exported():
    F = glasstorch.nn.functional
    y = F.one_hot(glasstorch.tensor([0, 2, 1]), num_classes=4)
    np.testing.assert_array_equal(y.numpy(), torch.nn.functional.one_hot(torch.tensor([0, 2, 1]), 4).numpy())


def test_every_name_is_exported():
    for name in ["relu", "relu_", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus",
                 "softsign", "hardtanh", "hardsigmoid", "hardswish", "tanhshrink", "prelu", "threshold", "sigmoid",
                 "tanh", "softmax", "log_softmax", "softmin", "one_hot", "heaviside", "step"]:
        assert callable(getattr(glasstorch.nn.functional, name)), name
    x = Const((2, 3))
    check(lambda t, x: t.nn.functional.relu(x), x)
