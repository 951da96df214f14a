"""Round 3: fractional max pooling (2-D, 3-D, fixed _random_samples), lp_pool3d and their modules."""
import numpy as np
import pytest
import torch

import glasstorch
from tests.parity import Const, check, check_error, gradcheck
from tests.nn.twins import same_repr

F2 = [((2, 3, 9, 11), dict(kernel_size=(2, 3), output_size=(5, 4))),
      ((2, 3, 8, 8), dict(kernel_size=2, output_ratio=(0.5, 0.5))),
      ((3, 7, 6), dict(kernel_size=3, output_size=(3, 1))),
      ((1, 2, 5, 5), dict(kernel_size=2, output_size=4))]
F3 = [((2, 3, 7, 9, 8), dict(kernel_size=(2, 3, 2), output_ratio=0.5)),
      ((2, 5, 6, 5), dict(kernel_size=2, output_size=(3, 2, 3)))]


def _samples(shape, nd, seed=1):
    n = 1 if len(shape) == nd + 1 else shape[0]
    return Const(np.random.default_rng(seed).random((n, shape[-nd - 1], nd)).astype(np.float32))


@pytest.mark.parametrize("shape,kw", F2)
def test_fractional_max_pool2d(shape, kw):
    check(lambda t, x, s: t.nn.functional.fractional_max_pool2d(x, return_indices=True, _random_samples=s, **kw),
          shape, _samples(shape, 2))


@pytest.mark.parametrize("shape,kw", F3)
def test_fractional_max_pool3d(shape, kw):
    check(lambda t, x, s: t.nn.functional.fractional_max_pool3d_with_indices(x, _random_samples=s, **kw),
          shape, _samples(shape, 3))


def test_fractional_gradcheck_and_errors():
    s = np.array([[[0.3, 0.7]]])
    gradcheck(lambda t, x: t.nn.functional.fractional_max_pool2d(x, 2, output_size=3, _random_samples=t.tensor(s)),
              (1, 1, 5, 5))
    check_error(lambda t, x: t.nn.functional.fractional_max_pool2d(x, 3, output_size=3), (1, 1, 4, 4))
    check_error(lambda t, x: t.nn.functional.fractional_max_pool2d(x, 2), (1, 1, 4, 4), exc=ValueError)
    check_error(lambda t, x: t.nn.functional.fractional_max_pool3d(x, 2, output_size=4), (1, 1, 5, 5, 5))


def test_fractional_random_samples_from_generator():
    glasstorch.manual_seed(0)
    x = glasstorch.randn(2, 3, 10, 10)
    a = glasstorch.nn.functional.fractional_max_pool2d(x, 2, output_size=6)
    glasstorch.manual_seed(0)
    x = glasstorch.randn(2, 3, 10, 10)
    b = glasstorch.nn.functional.fractional_max_pool2d(x, 2, output_size=6)
    assert a.shape == (2, 3, 6, 6) and np.array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("build,shape", [(lambda n, s: n.FractionalMaxPool2d(2, output_size=(4, 3), _random_samples=s),
                                          (2, 3, 7, 7)),
                                         (lambda n, s: n.FractionalMaxPool3d(2, output_ratio=(0.5, 0.5, 0.6),
                                                                             _random_samples=s), (2, 3, 6, 6, 5))])
def test_fractional_modules(build, shape):
    nd = len(shape) - 2
    s = np.random.default_rng(3).random((shape[0], shape[1], nd)).astype(np.float32)
    t_m, g_m = build(torch.nn, torch.from_numpy(s)), build(glasstorch.nn, glasstorch.from_numpy(s))
    same_repr(t_m, g_m)
    assert list(g_m.state_dict()) == list(t_m.state_dict()) == ["_random_samples"]
    check(lambda t, x: build(t.nn, t.from_numpy(s))(x), shape)
    for lib in (torch, glasstorch):
        assert list(build(lib.nn, None).state_dict()) == []
        with pytest.raises(ValueError):
            lib.nn.FractionalMaxPool2d(2)
        with pytest.raises(ValueError):
            lib.nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5)
        with pytest.raises(ValueError):
            lib.nn.FractionalMaxPool2d(2, output_ratio=1.5)


@pytest.mark.parametrize("p", [2.0, 1.5, float("inf")])
@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=(2, 3, 2), stride=1),
                                dict(kernel_size=2, stride=2, ceil_mode=True)])
def test_lp_pool3d(p, kw):
    check(lambda t, x: t.nn.functional.lp_pool3d(x, p, **kw), (2, 2, 5, 5, 5), positive=True)
    check(lambda t, x: t.nn.LPPool3d(p, **kw)(x), (2, 5, 4, 5), positive=True)


def test_lp_pool3d_gradcheck_and_repr():
    gradcheck(lambda t, x: t.nn.functional.lp_pool3d(x, 2, 2), (1, 1, 3, 3, 3), positive=True)
    same_repr(torch.nn.LPPool3d(2, 3), glasstorch.nn.LPPool3d(2, 3))
    same_repr(torch.nn.LPPool3d(1.5, (2, 2, 3), stride=1, ceil_mode=True),
              glasstorch.nn.LPPool3d(1.5, (2, 2, 3), stride=1, ceil_mode=True))
