"""pixel_shuffle, pixel_unshuffle, channel_shuffle (F., torch. and modules) against PyTorch: values, gradients,
extra leading dims, errors; float64 gradchecks."""
import numpy as np
import pytest

from parity import check, check_error, gradcheck
from twins import compare_forward_backward, same_repr, twins


@pytest.mark.parametrize("shape,r", [((2, 8, 3, 4), 2), ((9, 2, 3), 3), ((2, 3, 4, 2, 2), 2), ((1, 5, 3, 3), 1),
                                     ((0, 4, 2, 2), 2)])
def test_pixel_shuffle(shape, r):
    grad = shape[0] != 0  # PyTorch's own backward fails on an empty batch
    check(lambda t, x: t.nn.functional.pixel_shuffle(x, r), shape, grad=grad)
    check(lambda t, x: t.pixel_shuffle(x, r), shape, grad=grad)


@pytest.mark.parametrize("shape,r", [((2, 2, 4, 6), 2), ((1, 6, 9), 3), ((2, 3, 2, 4, 4), 2), ((1, 2, 3, 3), 1)])
def test_pixel_unshuffle(shape, r):
    check(lambda t, x: t.nn.functional.pixel_unshuffle(x, r), shape)
    check(lambda t, x: t.pixel_unshuffle(x, r), shape)
    check(lambda t, x: t.pixel_shuffle(t.pixel_unshuffle(x, r), r), shape)


@pytest.mark.parametrize("shape,g", [((2, 6, 3), 2), ((2, 6, 3, 4), 3), ((1, 4, 2, 2, 2), 4), ((2, 5, 3), 1)])
def test_channel_shuffle(shape, g):
    check(lambda t, x: t.nn.functional.channel_shuffle(x, g), shape)
    check(lambda t, x: t.channel_shuffle(x, g), shape)


def test_gradcheck():
    gradcheck(lambda t, x: t.nn.functional.pixel_shuffle(x, 2), (2, 8, 2, 3))
    gradcheck(lambda t, x: t.nn.functional.pixel_unshuffle(x, 2), (2, 2, 4, 2))
    gradcheck(lambda t, x: t.nn.functional.channel_shuffle(x, 3), (2, 6, 2))


ERRORS = [
    (lambda t, x: t.nn.functional.pixel_shuffle(x, 2), (2, 5, 3, 3)),
    (lambda t, x: t.nn.functional.pixel_shuffle(x, 2), (4, 3)),
    (lambda t, x: t.nn.functional.pixel_shuffle(x, 0), (2, 4, 3, 3)),
    (lambda t, x: t.nn.functional.pixel_unshuffle(x, 2), (2, 5, 3, 4)),
    (lambda t, x: t.nn.functional.pixel_unshuffle(x, 2), (2, 5, 4, 3)),
    (lambda t, x: t.nn.functional.pixel_unshuffle(x, 2), (4, 3)),
    (lambda t, x: t.nn.functional.channel_shuffle(x, 2), (2, 5, 3)),
    (lambda t, x: t.nn.functional.channel_shuffle(x, 2), (5,)),
    (lambda t, x: t.nn.functional.channel_shuffle(x, 2), (2, 4)),
    (lambda t, x: t.nn.functional.channel_shuffle(x, 0), (2, 4, 3)),
]


@pytest.mark.parametrize("fn,shape", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn, shape):
    check_error(fn, shape)


@pytest.mark.parametrize("build,shape", [(lambda nn: nn.PixelShuffle(2), (2, 8, 3, 3)),
                                         (lambda nn: nn.PixelUnshuffle(3), (2, 1, 6, 3)),
                                         (lambda nn: nn.ChannelShuffle(2), (2, 4, 3, 3))])
def test_modules(build, shape):
    t, g = twins(lambda lib: build(lib.nn))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict()) == []
    compare_forward_backward(t, g, shape)
