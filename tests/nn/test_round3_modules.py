"""Round 3: Lazy modules and Uninitialized tensors, DataParallel, SyncBatchNorm, Container, factory_kwargs."""
import warnings

import numpy as np
import pytest
import torch

import glasstorch
from tests.nn.twins import compare_forward_backward, same_repr, twins, to_glass

LAZY = [(lambda n: n.LazyLinear(3), (2, 5)),
        (lambda n: n.LazyLinear(4, bias=False), (2, 3, 6)),
        (lambda n: n.LazyConv1d(4, 3), (2, 3, 7)),
        (lambda n: n.LazyConv2d(4, 3, padding=1, bias=False), (2, 3, 5, 5)),
        (lambda n: n.LazyConv3d(2, 2), (1, 3, 4, 4, 4)),
        (lambda n: n.LazyConvTranspose1d(4, 3), (2, 3, 5)),
        (lambda n: n.LazyConvTranspose2d(4, 3, stride=2), (2, 3, 4, 4)),
        (lambda n: n.LazyConvTranspose3d(2, 2), (1, 3, 3, 3, 3)),
        (lambda n: n.LazyBatchNorm1d(), (4, 3)),
        (lambda n: n.LazyBatchNorm2d(affine=False), (4, 3, 2, 2)),
        (lambda n: n.LazyBatchNorm3d(momentum=None), (2, 3, 2, 2, 2)),
        (lambda n: n.LazyInstanceNorm1d(), (2, 3, 5)),
        (lambda n: n.LazyInstanceNorm2d(affine=False, track_running_stats=False), (2, 3, 4, 4)),
        (lambda n: n.LazyInstanceNorm3d(), (2, 3, 2, 2, 2))]


@pytest.mark.parametrize("build,shape", LAZY)
def test_lazy_before_and_after_first_forward(build, shape):
    t_m, g_m = build(torch.nn), build(glasstorch.nn)
    same_repr(t_m, g_m)
    t_sd, g_sd = t_m.state_dict(), g_m.state_dict()
    assert list(g_sd) == list(t_sd)
    for k in t_sd:
        assert type(g_sd[k]).__name__ == type(t_sd[k]).__name__, k
    assert g_m.has_uninitialized_params() == t_m.has_uninitialized_params()
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    t_m(torch.from_numpy(x))
    g_m(glasstorch.from_numpy(x))
    assert type(g_m).__name__ == type(t_m).__name__
    same_repr(t_m, g_m)
    assert list(g_m.state_dict()) == list(t_m.state_dict())
    for k, v in t_m.state_dict().items():
        assert tuple(g_m.state_dict()[k].shape) == tuple(v.shape), k
    # with PyTorch's weights loaded, the same numbers
    g_m.load_state_dict({k: to_glass(v) for k, v in t_m.state_dict().items()})
    compare_forward_backward(t_m, g_m, shape)


def test_lazy_load_state_dict_materializes():
    for lib in (torch, glasstorch):
        m = lib.nn.LazyLinear(3)
        m.load_state_dict(lib.nn.Linear(4, 3).state_dict())
        assert type(m).__name__ == "LazyLinear"
        assert tuple(m.weight.shape) == (3, 4) and not m.has_uninitialized_params()
        assert type(m.weight).__name__ == "Parameter"


def test_lazy_parameters_are_the_same_objects():
    m = glasstorch.nn.LazyLinear(3)
    opt = glasstorch.optim.SGD(m.parameters(), lr=0.1)
    w = m.weight
    m(glasstorch.randn(2, 4)).sum().backward()
    opt.step()
    assert m.weight is w and isinstance(w, glasstorch.nn.Parameter) and w.grad.shape == (3, 4)


def test_uninitialized_tensors():
    for lib in (torch, glasstorch):
        p = lib.nn.UninitializedParameter()
        b = lib.nn.UninitializedBuffer()
        assert repr(p) == "<UninitializedParameter>" and repr(b) == "<UninitializedBuffer>"
        assert isinstance(p, lib.nn.Parameter) and not isinstance(b, lib.nn.Parameter)
        assert p.requires_grad and not b.requires_grad
        with pytest.raises(ValueError):
            p + 1
        with pytest.raises(RuntimeError):
            p.shape
        p.materialize((2, 3))
        assert type(p) is lib.nn.Parameter and tuple(p.shape) == (2, 3) and p.requires_grad
        b.materialize((4,), dtype=lib.float64)
        assert type(b) is lib.Tensor and b.dtype == lib.float64


def test_lazy_conv_wrong_dims():
    for lib in (torch, glasstorch):
        with pytest.raises(RuntimeError, match="Expected 3D \\(unbatched\\) or 4D \\(batched\\) input"):
            lib.nn.LazyConv2d(3, 2)(lib.randn(2, 3))


def test_data_parallel():
    t_m, g_m = twins(lambda lib: lib.nn.DataParallel(lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.ReLU())))
    same_repr(t_m, g_m)
    assert list(g_m.state_dict()) == list(t_m.state_dict()) == ["module.0.weight", "module.0.bias"]
    assert g_m.device_ids == t_m.device_ids == []
    compare_forward_backward(t_m, g_m, (5, 4))


@pytest.mark.parametrize("train", [True, False])
def test_sync_batchnorm(train):
    t_m, g_m = twins(lambda lib: lib.nn.SyncBatchNorm(3))
    t_m.train(train), g_m.train(train)
    same_repr(t_m, g_m)
    assert list(g_m.state_dict()) == list(t_m.state_dict())
    compare_forward_backward(t_m, g_m, (4, 3, 5))
    np.testing.assert_allclose(g_m.running_mean.numpy(), t_m.running_mean.numpy(), rtol=1e-5, atol=1e-6)
    for lib in (torch, glasstorch):
        with pytest.raises(ValueError):
            lib.nn.SyncBatchNorm(3)(lib.randn(3))


def test_convert_sync_batchnorm():
    t_m, g_m = twins(lambda lib: lib.nn.Sequential(lib.nn.Conv2d(3, 4, 1), lib.nn.BatchNorm2d(4),
                                                   lib.nn.Sequential(lib.nn.BatchNorm2d(4, affine=False))))
    t_c = torch.nn.SyncBatchNorm.convert_sync_batchnorm(t_m)
    g_c = glasstorch.nn.SyncBatchNorm.convert_sync_batchnorm(g_m)
    same_repr(t_c, g_c)
    assert g_c[1].weight is g_m[1].weight
    assert list(g_c.state_dict()) == list(t_c.state_dict())
    compare_forward_backward(t_c, g_c, (2, 3, 4, 4))


def test_container_warns():
    for lib in (torch, glasstorch):
        with pytest.warns(FutureWarning, match="deprecated"):
            c = lib.nn.Container(a=lib.nn.Linear(2, 2))
        assert list(c.state_dict()) == ["a.weight", "a.bias"]


def test_factory_kwargs():
    for lib in (torch, glasstorch):
        assert lib.nn.factory_kwargs(None) == {}
        assert lib.nn.factory_kwargs({"device": "cpu", "factory_kwargs": {"dtype": lib.float64}}) == \
            {"dtype": lib.float64, "device": "cpu"}
        with pytest.raises(TypeError, match="unexpected kwargs"):
            lib.nn.factory_kwargs({"x": 1})
        with pytest.raises(TypeError, match="specified twice"):
            lib.nn.factory_kwargs({"dtype": 1, "factory_kwargs": {"dtype": 2}})
