"""F.conv1d, F.conv2d, F.conv_transpose1d and F.conv_transpose2d against PyTorch: values and the gradients of
input, weight and bias over strides, paddings (ints, pairs, 'same', 'valid'), dilations, groups, odd sizes and
non-square kernels; float64 gradchecks; the loop reference agrees with the fast path; PyTorch's error messages."""
import numpy as np
import pytest
import torch

import glasstorch
from glasstorch.ops import conv as conv_ops
from parity import Const, check, check_error, gradcheck

# PyTorch warns that 'same' with an even kernel makes a padded copy; so does glasstorch, silently
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")

# (input shape, weight shape, keyword arguments): both column layouts (C <= 4 and C > 4) appear
CONV2D_CASES = [
    ((2, 1, 6, 6), (4, 1, 3, 3), dict(padding=1)),
    ((2, 3, 7, 5), (4, 3, 3, 2), dict()),
    ((2, 3, 9, 8), (5, 3, 3, 3), dict(stride=2, padding=1)),
    ((2, 6, 9, 8), (5, 6, 3, 3), dict(stride=2, padding=1)),
    ((2, 6, 9, 7), (4, 6, 2, 3), dict(stride=(2, 3), padding=(0, 2), dilation=(2, 1))),
    ((2, 2, 10, 9), (3, 2, 3, 3), dict(dilation=2, padding=2)),
    ((2, 8, 6, 7), (6, 4, 3, 3), dict(groups=2, padding=1)),
    ((2, 6, 7, 7), (6, 1, 3, 3), dict(groups=6, padding=1)),           # depthwise
    ((2, 6, 7, 7), (12, 1, 3, 3), dict(groups=6, stride=2)),           # depthwise, channel multiplier 2
    ((2, 6, 8, 8), (5, 6, 4, 4), dict(stride=4)),                      # patchify: windows do not overlap
    ((2, 6, 8, 7), (5, 6, 3, 2), dict(padding="same")),
    ((2, 3, 8, 7), (5, 3, 4, 2), dict(padding="same", dilation=(1, 3))),  # even kernels: extra on the right
    ((2, 6, 8, 7), (5, 6, 4, 4), dict(padding="same", dilation=2)),
    ((2, 6, 8, 7), (5, 6, 3, 3), dict(padding="valid")),
    ((1, 6, 5, 5), (3, 6, 1, 1), dict()),                              # batch 1, 1x1 kernel
    ((6, 5, 6), (4, 6, 3, 3), dict(padding=(1, 0))),                   # unbatched
    ((2, 5, 5), (4, 2, 3, 3), dict(padding=1)),                        # unbatched, few channels
    ((2, 8, 4, 4), (8, 8, 4, 4), dict()),                              # kernel as large as the input
]


def _ids(cases):
    return [f"{x}-{w}-{kw}" for x, w, kw in cases]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape,w_shape,kwargs", CONV2D_CASES, ids=_ids(CONV2D_CASES))
def test_conv2d_matches_pytorch(x_shape, w_shape, kwargs, bias):
    if bias:
        check(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, **kwargs), x_shape, w_shape, (w_shape[0],))
    else:
        check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, **kwargs), x_shape, w_shape)


@pytest.mark.parametrize("x_shape,w_shape,kwargs", CONV2D_CASES[:8], ids=_ids(CONV2D_CASES[:8]))
def test_conv2d_float64_and_partial_gradients(x_shape, w_shape, kwargs):
    check(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, **kwargs), x_shape, w_shape, (w_shape[0],),
          dtype=np.float64)
    # only the weight needs a gradient (a first layer), then only the input (a frozen layer)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, **kwargs), Const(x_shape), w_shape)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, **kwargs), x_shape, Const(w_shape))


def test_conv2d_noncontiguous_input_and_grad_fn():
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=1), (2, 6, 5, 7), (4, 6, 3, 3), noncontiguous=True)
    x = glasstorch.randn(2, 3, 5, 5, requires_grad=True)
    y = glasstorch.nn.functional.conv2d(x, glasstorch.randn(4, 3, 3, 3))
    assert y.grad_fn.name() == "ConvolutionBackward0" and y.is_contiguous()
    with glasstorch.no_grad():
        assert not glasstorch.nn.functional.conv2d(x, glasstorch.randn(4, 3, 3, 3)).requires_grad
    y = glasstorch.nn.functional.conv2d(glasstorch.randn(0, 3, 5, 5), glasstorch.randn(4, 3, 3, 3))
    assert tuple(y.shape) == (0, 4, 3, 3)


CONV1D_CASES = [
    ((2, 3, 9), (4, 3, 3), dict(padding=1)),
    ((2, 6, 11), (4, 6, 4), dict(stride=2, padding=2, dilation=2)),
    ((2, 6, 10), (6, 2, 3), dict(groups=3, padding="same")),
    ((2, 6, 10), (5, 6, 4), dict(padding="same")),
    ((6, 10), (5, 6, 3), dict(padding="valid")),                       # unbatched
]


@pytest.mark.parametrize("x_shape,w_shape,kwargs", CONV1D_CASES, ids=_ids(CONV1D_CASES))
def test_conv1d_matches_pytorch(x_shape, w_shape, kwargs):
    check(lambda lib, x, w, b: lib.nn.functional.conv1d(x, w, b, **kwargs), x_shape, w_shape, (w_shape[0],))


TRANSPOSED_CASES = [
    ((2, 4, 5, 5), (4, 3, 3, 3), dict()),
    ((2, 4, 5, 4), (4, 3, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ((2, 6, 4, 5), (6, 2, 3, 2), dict(stride=(2, 3), padding=(0, 1), output_padding=(1, 2), groups=3)),
    ((2, 4, 4, 5), (4, 2, 3, 3), dict(stride=1, dilation=2, output_padding=1)),  # output_padding < dilation
    ((2, 4, 4, 4), (4, 2, 2, 2), dict(stride=3, output_padding=2)),          # gaps between the copies
    ((2, 4, 5, 5), (4, 2, 4, 4), dict(stride=2, padding=3)),                  # padding crops the border
    ((4, 5, 5), (4, 3, 3, 3), dict(stride=2)),                                # unbatched
]


@pytest.mark.parametrize("x_shape,w_shape,kwargs", TRANSPOSED_CASES, ids=_ids(TRANSPOSED_CASES))
def test_conv_transpose2d_matches_pytorch(x_shape, w_shape, kwargs):
    out = w_shape[1] * kwargs.get("groups", 1)
    check(lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(x, w, b, **kwargs), x_shape, w_shape, (out,))
    check(lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, **kwargs), x_shape, w_shape)


def test_conv_transpose1d_matches_pytorch():
    check(lambda lib, x, w, b: lib.nn.functional.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1),
          (2, 4, 7), (4, 3, 3), (3,))
    check(lambda lib, x, w: lib.nn.functional.conv_transpose1d(x, w, stride=3, groups=2), (4, 7), (4, 3, 2))


def test_gradcheck_float64():
    gradcheck(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, padding=1), (2, 2, 4, 4), (3, 2, 3, 3), (3,))
    gradcheck(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, stride=2, padding=(1, 0), dilation=(1, 2),
                                                            groups=2), (2, 6, 5, 6), (4, 3, 2, 2), (4,))
    gradcheck(lambda lib, x, w: lib.nn.functional.conv1d(x, w, padding="same"), (2, 5, 6), (3, 5, 4))
    gradcheck(lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1,
                                                                      groups=2), (2, 4, 3, 3), (4, 2, 3, 3), (4,))


@pytest.mark.parametrize("c,o,groups,stride,padding,dilation", [
    (1, 4, 1, 1, 1, 1), (3, 5, 1, 2, 0, 1), (6, 4, 2, 1, 2, 2), (6, 6, 6, 2, 1, 1), (8, 4, 1, 3, 1, 2)])
def test_reference_agrees_with_fast_path(c, o, groups, stride, padding, dilation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, c, 9, 8))
    w = rng.standard_normal((o, c // groups, 3, 2))
    b = rng.standard_normal(o)
    want = conv_ops.conv2d_reference(x, w, b, stride, padding, dilation, groups)
    got = glasstorch.nn.functional.conv2d(glasstorch.from_numpy(x), glasstorch.from_numpy(w),
                                          glasstorch.from_numpy(b), stride, padding, dilation, groups)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(want, torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w),
                                                                torch.from_numpy(b), stride, padding, dilation,
                                                                groups).numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("fn,shapes,match", [
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w), [(4, 3, 8, 8), (5, 1, 3, 3)],
     r"^Given groups=1, weight of size \[5, 1, 3, 3\], expected input\[4, 3, 8, 8\] to have 1 channels, but got 3 "
     r"channels instead$"),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w), [(3, 8, 8), (5, 1, 3, 3)],
     r"expected input\[1, 3, 8, 8\] to have 1 channels"),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, groups=2), [(4, 3, 8, 8), (6, 3, 3, 3)],
     r"Given groups=2, weight of size \[6, 3, 3, 3\], expected input\[4, 3, 8, 8\] to have 6 channels"),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, stride=2, padding="same"), [(1, 3, 8, 8), (6, 3, 3, 3)],
     "^padding='same' is not supported for strided convolutions$"),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding="full"), [(1, 3, 8, 8), (6, 3, 3, 3)],
     "^Invalid padding string: 'full'$"),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=-1), [(1, 3, 8, 8), (6, 3, 3, 3)],
     "^negative padding is not supported$"),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, stride=0), [(1, 3, 8, 8), (6, 3, 3, 3)],
     "^non-positive stride is not supported$"),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, dilation=0), [(1, 3, 8, 8), (6, 3, 3, 3)],
     "^non-positive dilation is not supported$"),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, groups=0), [(1, 3, 8, 8), (6, 3, 3, 3)],
     "^non-positive groups is not supported$"),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, stride=(1, 2, 3)), [(1, 3, 8, 8), (6, 3, 3, 3)],
     r"^expected stride to be a single integer value or a list of 2 values to match the convolution dimensions, "
     r"but got stride=\[1, 2, 3\]$"),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w), [(1, 3, 2, 2), (6, 3, 3, 3)],
     r"^Calculated padded input size per channel: \(2 x 2\). Kernel size: \(3 x 3\). Kernel size can't be greater "
     r"than actual input size$"),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w), [(8, 8), (6, 3, 3, 3)],
     r"^Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[8, 8\]$"),
    (lambda lib, x, w: lib.nn.functional.conv1d(x, w), [(2, 2, 3, 8), (6, 3, 3)],
     r"^Expected 2D \(unbatched\) or 3D \(batched\) input to conv1d, but got input of size: \[2, 2, 3, 8\]$"),
    (lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b), [(1, 3, 8, 8), (6, 3, 3, 3), (5,)],
     r"^Given weight of size \[6, 3, 3, 3\], expected bias to be 1-dimensional with 6 elements, but got bias of "
     r"size \[5\] instead$"),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w.double()), [(1, 3, 8, 8), (6, 3, 3, 3)],
     r"^Input type \(torch.FloatTensor\) and weight type \(torch.DoubleTensor\) should be the same"),
    (lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b.double()), [(1, 3, 8, 8), (6, 3, 3, 3), (6,)],
     r"^Input type \(float\) and bias type \(double\) should be the same$"),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w), [(1, 3, 8, 8), (4, 2, 3, 3)],
     r"^Given transposed=1, weight of size \[4, 2, 3, 3\], expected input\[1, 3, 8, 8\] to have 4 channels, but got "
     r"3 channels instead$"),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, output_padding=1), [(1, 3, 8, 8), (3, 2, 3, 3)],
     "^output padding must be smaller than either stride or dilation, but got output_padding_height: 1 "
     "output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1$"),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, groups=2), [(1, 3, 8, 8), (3, 2, 3, 3)],
     r"^Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size "
     r"\[\[3, 2, 3, 3\]\] instead$"),
])
def test_errors_match_pytorch(fn, shapes, match):
    check_error(fn, *shapes, match=match)


def test_conv_transpose_rejects_string_padding():
    check_error(lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, padding="same"), (1, 3, 8, 8),
                (3, 2, 3, 3), exc=TypeError, match="argument 'padding' must be tuple of ints, not str")
