"""max_pool3d, avg_pool3d, adaptive_max_pool3d, max_unpool1d/2d/3d (F., torch. and modules) against PyTorch:
values, indices, gradients (ties included), ceil_mode, padding, dilation, count_include_pad, divisor_override,
errors; float64 gradchecks."""
import numpy as np
import pytest

from parity import check, check_error, gradcheck
from twins import compare_forward_backward, same_repr, twins

MAX = [
    ((2, 3, 4, 4, 4), dict(kernel_size=2)),
    ((2, 3, 5, 6, 7), dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), dilation=(1, 1, 2),
                           ceil_mode=True)),
    ((3, 5, 5, 5), dict(kernel_size=3, stride=2, padding=1)),
    ((1, 2, 6, 5, 4), dict(kernel_size=(3, 2, 2), stride=1, dilation=2)),
    ((2, 2, 5, 5, 5), dict(kernel_size=2, stride=2, ceil_mode=True)),
]


@pytest.mark.parametrize("shape,kw", MAX, ids=[str(i) for i in range(len(MAX))])
def test_max_pool3d(shape, kw):
    check(lambda t, x: t.nn.functional.max_pool3d(x, **kw), shape)
    check(lambda t, x: t.nn.functional.max_pool3d(x, return_indices=True, **kw), shape)
    check(lambda t, x: t.max_pool3d(x, **kw), shape)


def test_max_pool3d_ties_and_nan():
    x = np.zeros((1, 1, 4, 4, 4), np.float32)
    x[0, 0, 1, 1, 1] = np.nan
    check(lambda t, x: t.nn.functional.max_pool3d(x, 2, 1, return_indices=True), x)
    check(lambda t, x: t.nn.functional.max_pool3d(x, 3, 1, 1, return_indices=True), np.ones((1, 2, 3, 3, 3)))


AVG = [
    ((2, 3, 4, 4, 4), dict(kernel_size=2)),
    ((2, 3, 5, 6, 7), dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), ceil_mode=True)),
    ((2, 3, 5, 6, 7), dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), ceil_mode=True,
                           count_include_pad=False)),
    ((3, 5, 5, 5), dict(kernel_size=3, stride=2, padding=1, divisor_override=5)),
    ((1, 2, 5, 5, 5), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
]


@pytest.mark.parametrize("shape,kw", AVG, ids=[str(i) for i in range(len(AVG))])
def test_avg_pool3d(shape, kw):
    check(lambda t, x: t.nn.functional.avg_pool3d(x, **kw), shape)


@pytest.mark.parametrize("shape,out", [((2, 3, 5, 7, 4), (2, 3, None)), ((3, 6, 6, 6), 2), ((1, 2, 4, 5, 6), 1),
                                       ((1, 2, 3, 4, 5), (5, 3, 7))])
def test_adaptive_max_pool3d(shape, out):
    check(lambda t, x: t.nn.functional.adaptive_max_pool3d(x, out), shape)
    check(lambda t, x: t.nn.functional.adaptive_max_pool3d(x, out, return_indices=True), shape)


@pytest.mark.parametrize("dims,shape,kw,size", [
    (1, (2, 3, 9), dict(kernel_size=3, stride=2), None),
    (2, (2, 3, 7, 6), dict(kernel_size=2, stride=2, padding=1), (7, 6)),
    (2, (3, 6, 6), dict(kernel_size=2), None),
    (3, (2, 3, 4, 6, 4), dict(kernel_size=2), None),
    (3, (1, 2, 5, 5, 5), dict(kernel_size=2, stride=2), (1, 2, 5, 5, 5)),
])
def test_max_unpool(dims, shape, kw, size):
    def f(t, x):
        y, i = getattr(t.nn.functional, f"max_pool{dims}d")(x, return_indices=True, **kw)
        return getattr(t.nn.functional, f"max_unpool{dims}d")(y, i, output_size=size, **kw)
    check(f, shape)


def test_gradcheck():
    gradcheck(lambda t, x: t.nn.functional.max_pool3d(x, 2, 1, 1, dilation=(1, 2, 1)), (1, 2, 4, 5, 4))
    gradcheck(lambda t, x: t.nn.functional.avg_pool3d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
              (1, 2, 5, 4, 5))
    gradcheck(lambda t, x: t.nn.functional.adaptive_max_pool3d(x, (2, 3, 2)), (1, 2, 5, 4, 5))

    def unpool(t, x):
        y, i = t.nn.functional.max_pool3d(x.detach(), 2, return_indices=True)
        return t.nn.functional.max_unpool3d(x[..., ::2, ::2, ::2] * 1.0, i, 2)
    gradcheck(unpool, (1, 2, 4, 4, 4))


ERRORS = [
    lambda t, x: t.nn.functional.max_pool3d(x.reshape(2, 3, 4, 4, 1, 4), 2),
    lambda t, x: t.nn.functional.max_pool3d(x, (2, 2)),
    lambda t, x: t.nn.functional.max_pool3d(x, 2, padding=2),
    lambda t, x: t.nn.functional.max_pool3d(x, 5),
    lambda t, x: t.nn.functional.max_pool3d(x, 2, stride=0),
    lambda t, x: t.nn.functional.avg_pool3d(x, 2, padding=2),
    lambda t, x: t.nn.functional.avg_pool3d(x, 5),
    lambda t, x: t.nn.functional.avg_pool3d(x, 2, divisor_override=0),
    lambda t, x: t.nn.functional.avg_pool3d(x, (2, 2)),
    lambda t, x: t.nn.functional.adaptive_max_pool3d(x[0, 0], 2),
    lambda t, x: t.nn.functional.max_unpool2d(x[0, 0], t.zeros(4, 4, 4, dtype=t.long) + 99, 2),
    lambda t, x: t.nn.functional.max_unpool2d(x[0, 0], t.zeros(4, 4, 4, dtype=t.long), 2, output_size=(20, 20)),
    lambda t, x: t.nn.functional.max_unpool2d(x[0, 0], t.zeros(4, 4, 3, dtype=t.long), 2),
]


@pytest.mark.parametrize("fn", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn):
    check_error(fn, (2, 3, 4, 4, 4))


MODULES = [
    (lambda nn: nn.MaxPool3d(2), (2, 3, 4, 4, 4)),
    (lambda nn: nn.MaxPool3d((2, 1, 2), stride=1, padding=(1, 0, 1), dilation=1, ceil_mode=True), (2, 3, 4, 5, 4)),
    (lambda nn: nn.AvgPool3d(2), (2, 3, 4, 4, 4)),
    (lambda nn: nn.AvgPool3d(3, 2, 1, count_include_pad=False, divisor_override=None), (3, 5, 5, 5)),
    (lambda nn: nn.AdaptiveMaxPool3d((2, 3, None)), (2, 3, 5, 7, 4)),
    (lambda nn: nn.AdaptiveAvgPool3d(2), (2, 3, 5, 7, 4)),
]


@pytest.mark.parametrize("build,shape", MODULES, ids=[str(i) for i in range(len(MODULES))])
def test_modules(build, shape):
    t, g = twins(lambda lib: build(lib.nn))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict()) == []
    compare_forward_backward(t, g, shape)


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_max_unpool_modules(dims):
    t, g = twins(lambda lib: getattr(lib.nn, f"MaxUnpool{dims}d")(2, stride=2, padding=0))
    same_repr(t, g)

    def f(lib, x):
        pool = getattr(lib.nn, f"MaxPool{dims}d")(2, return_indices=True)
        unpool = t if lib.__name__ == "torch" else g
        return unpool(*pool(x))
    check(f, (2, 3) + (4,) * dims)
