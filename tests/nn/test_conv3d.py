"""conv3d and conv_transpose3d (F., torch. and the Conv3d / ConvTranspose3d modules) against PyTorch: values,
gradients, strides, padding, dilation, groups, unbatched input, errors; float64 gradchecks."""
import numpy as np
import pytest

from parity import check, check_error, gradcheck
from twins import compare_forward_backward, same_repr, twins

CONV = [
    ((2, 4, 5, 6, 7), (6, 4, 3, 3, 3), {}),
    ((2, 4, 6, 7, 8), (6, 4, 3, 2, 3), dict(stride=(1, 2, 1), padding=(1, 0, 2), dilation=(2, 1, 1))),
    ((2, 6, 5, 5, 5), (4, 3, 3, 3, 3), dict(groups=2, padding="same")),
    ((2, 2, 5, 5, 5), (4, 2, 2, 3, 1), dict(padding="valid", stride=2)),
    ((4, 5, 5, 5), (3, 4, 1, 1, 1), {}),
    ((2, 6, 4, 4, 4), (6, 1, 2, 2, 2), dict(groups=6, dilation=2, padding=1)),
    ((0, 3, 4, 4, 4), (2, 3, 2, 2, 2), {}),
]


@pytest.mark.parametrize("x,w,kw", CONV, ids=[str(i) for i in range(len(CONV))])
@pytest.mark.parametrize("bias", [True, False])
def test_conv3d(x, w, kw, bias):
    if bias:
        check(lambda t, x, w, b: t.nn.functional.conv3d(x, w, b, **kw), x, w, (w[0],))
    else:
        check(lambda t, x, w: t.conv3d(x, w, None, **kw), x, w)


TRANSPOSED = [
    ((2, 4, 3, 4, 5), (4, 3, 3, 2, 3), dict(stride=(2, 1, 2), padding=(1, 0, 1), output_padding=(1, 0, 1), groups=2,
                                             dilation=(1, 2, 1))),
    ((4, 3, 4, 5), (4, 3, 3, 2, 3), dict(stride=2)),
    ((2, 3, 2, 3, 3), (3, 5, 2, 2, 2), dict(stride=3, output_padding=2)),
    ((2, 3, 3, 3, 3), (3, 2, 3, 3, 3), dict(padding=1)),
]


@pytest.mark.parametrize("x,w,kw", TRANSPOSED, ids=[str(i) for i in range(len(TRANSPOSED))])
def test_conv_transpose3d(x, w, kw):
    out = w[1] * kw.get("groups", 1)
    check(lambda t, x, w, b: t.nn.functional.conv_transpose3d(x, w, b, **kw), x, w, (out,))
    check(lambda t, x, w: t.conv_transpose3d(x, w, None, **kw), x, w)


def test_float64_and_gradcheck():
    check(lambda t, x, w, b: t.nn.functional.conv3d(x, w, b, stride=2, padding=1, groups=2), (2, 4, 5, 5, 5),
          (4, 2, 3, 3, 3), (4,), dtype=np.float64)
    gradcheck(lambda t, x, w, b: t.nn.functional.conv3d(x, w, b, stride=(1, 2, 1), padding=1, dilation=(1, 1, 2)),
              (1, 2, 4, 4, 5), (3, 2, 2, 2, 2), (3,))
    gradcheck(lambda t, x, w, b: t.nn.functional.conv3d(x, w, b, groups=2), (2, 4, 3, 3, 3), (2, 2, 2, 2, 2), (2,))
    gradcheck(lambda t, x, w, b: t.nn.functional.conv_transpose3d(x, w, b, stride=2, padding=1, output_padding=1,
                                                                  groups=2), (1, 4, 2, 3, 2), (4, 1, 3, 2, 2), (2,))


ERRORS = [
    (lambda t, x, w: t.nn.functional.conv3d(x, w), (2, 4, 5, 5), (6, 4, 3, 3, 3)),       # input 4-D with 2 channels
    (lambda t, x, w: t.nn.functional.conv3d(x, w), (2, 3, 5, 5, 5), (6, 4, 3, 3, 3)),    # channel mismatch
    (lambda t, x, w: t.nn.functional.conv3d(x, w), (2, 4, 2, 5, 5), (6, 4, 3, 3, 3)),    # kernel too large
    (lambda t, x, w: t.nn.functional.conv3d(x, w, stride=0), (2, 4, 5, 5, 5), (6, 4, 3, 3, 3)),
    (lambda t, x, w: t.nn.functional.conv3d(x, w, stride=2, padding="same"), (2, 4, 5, 5, 5), (6, 4, 3, 3, 3)),
    (lambda t, x, w: t.nn.functional.conv3d(x, w, groups=4), (2, 4, 5, 5, 5), (6, 1, 3, 3, 3)),
    (lambda t, x, w: t.nn.functional.conv3d(x, w), (2, 4, 5, 5, 5, 5), (6, 4, 3, 3, 3)),
    (lambda t, x, w: t.nn.functional.conv_transpose3d(x, w, stride=2, output_padding=2), (1, 4, 3, 3, 3),
     (4, 2, 3, 3, 3)),
    (lambda t, x, w: t.nn.functional.conv_transpose3d(x, w), (1, 3, 3, 3, 3), (4, 2, 3, 3, 3)),
]


@pytest.mark.parametrize("fn,x,w", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn, x, w):
    check_error(fn, x, w)


MODULES = [
    (lambda nn: nn.Conv3d(2, 4, 3, padding=1), (2, 2, 5, 5, 5)),
    (lambda nn: nn.Conv3d(4, 6, (3, 2, 1), stride=2, dilation=(1, 2, 1), groups=2, bias=False), (2, 4, 6, 6, 5)),
    (lambda nn: nn.Conv3d(3, 3, 3, padding="same", padding_mode="circular"), (3, 4, 5, 5)),
    (lambda nn: nn.Conv3d(3, 2, 2, padding=1, padding_mode="replicate"), (1, 3, 4, 4, 4)),
    (lambda nn: nn.ConvTranspose3d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2), (2, 4, 3, 3, 3)),
    (lambda nn: nn.ConvTranspose3d(2, 3, (1, 2, 3), bias=False, dilation=2), (2, 3, 4, 4)),
]


@pytest.mark.parametrize("build,shape", MODULES, ids=[str(i) for i in range(len(MODULES))])
def test_modules(build, shape):
    t, g = twins(lambda lib: build(lib.nn))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict())
    assert tuple(g.weight.shape) == tuple(t.weight.shape)
    compare_forward_backward(t, g, shape)


def test_transposed_module_output_size():
    t, g = twins(lambda lib: lib.nn.ConvTranspose3d(2, 3, 3, stride=2))
    import torch
    import glasstorch
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 3, 3)).astype(np.float32)
    want = t(torch.from_numpy(x), output_size=(8, 7, 8))
    got = g(glasstorch.from_numpy(x), output_size=(8, 7, 8))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-4, atol=1e-5)
