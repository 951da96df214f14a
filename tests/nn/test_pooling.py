"""Pooling parity with PyTorch: max/avg pooling over grids of kernel, stride, padding, dilation, ceil_mode,
count_include_pad and divisor_override on odd sizes; ties (gradients equal to PyTorch's exactly);
return_indices; adaptive pooling with sizes that do not divide; LP pooling; the modules and their reprs;
PyTorch's errors; float64 gradcheck."""
import itertools
import warnings

import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check, check_error, gradcheck, run_both
from twins import same_repr


def _valid(k, p):
    """PyTorch allows padding up to half the kernel."""
    return p <= k // 2


MAX_GRID = [(k, s, p, d, c) for k, s, p, d, c in itertools.product([1, 2, 3], [None, 1, 2, 3], [0, 1], [1, 2],
                                                                     [False, True]) if _valid(k, p)]


@pytest.mark.parametrize("k,s,p,d,ceil", MAX_GRID)
def test_max_pool2d_grid(k, s, p, d, ceil):
    check(lambda t, x: t.nn.functional.max_pool2d(x, k, s, p, d, ceil), (2, 3, 9, 8))


INDEX_CASES = [(2, None, 0, 1, False), (3, 2, 1, 1, True), ((2, 3), (1, 2), (1, 0), (2, 1), True),
               (3, 1, 1, 2, False)]


@pytest.mark.parametrize("k,s,p,d,ceil", INDEX_CASES)
def test_max_pool2d_return_indices_and_unbatched(k, s, p, d, ceil):
    check(lambda t, x: t.nn.functional.max_pool2d(x, k, s, p, d, ceil, return_indices=True), (2, 3, 9, 8))
    check(lambda t, x: t.nn.functional.max_pool2d(x, k, s, p, d, ceil, return_indices=True), (3, 7, 10))


def _exact_grads(fn, a):
    """Run fn on both libraries with the same input values and the same output gradient; require the input
    gradients to be *equal* (ties must go to the same cell as in PyTorch). The output gradient holds small
    integers, so that sums over overlapping windows are exact in any order."""
    t_in, t_out, g_in, g_out = run_both(fn, a)
    t_out = t_out[0] if isinstance(t_out, tuple) else t_out
    g_out = g_out[0] if isinstance(g_out, tuple) else g_out
    np.testing.assert_array_equal(g_out.detach().numpy(), t_out.detach().numpy())
    w = np.random.default_rng(5).integers(-4, 5, size=tuple(t_out.shape)).astype(a.dtype)
    t_out.backward(torch.from_numpy(w))
    g_out.backward(glasstorch.from_numpy(w.copy()))
    np.testing.assert_array_equal(g_in[0].grad.numpy(), t_in[0].grad.numpy())


@pytest.mark.parametrize("k,s,p,d,ceil", [(2, None, 0, 1, False), (3, 1, 1, 1, False), (3, 2, 1, 1, True),
                                          (2, 1, 0, 2, True), ((3, 2), (2, 1), (1, 1), 1, True)])
def test_max_pool2d_ties_match_pytorch_exactly(k, s, p, d, ceil):
    rng = np.random.default_rng(0)
    ints = rng.integers(0, 3, size=(2, 3, 9, 8)).astype(np.float32)  # many ties
    _exact_grads(lambda t, x: t.nn.functional.max_pool2d(x, k, s, p, d, ceil), ints)
    _exact_grads(lambda t, x: t.nn.functional.max_pool2d(x, k, s, p, d, ceil), np.zeros((1, 2, 7, 7), np.float32))
    _exact_grads(lambda t, x: t.nn.functional.max_pool2d(x, k, s, p, d, ceil, return_indices=True), ints)
    _exact_grads(lambda t, x: t.nn.functional.adaptive_max_pool2d(x, (4, 3)), ints)


def test_max_pool_nan_and_integers():
    x = np.array([[[[1.0, np.nan, 3.0, 0.0], [np.nan, 2.0, 1.0, 5.0]]]], np.float32)
    out = check(lambda t, x: t.nn.functional.max_pool2d(x, 2, return_indices=True), x)
    assert np.isnan(out[0].detach().numpy()[0, 0, 0, 0])
    check(lambda t, x: t.nn.functional.adaptive_max_pool2d(x, (1, 3), return_indices=True), x)
    ints = np.arange(-20, 16).reshape(1, 1, 6, 6)
    check(lambda t, x: t.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True), ints)
    check(lambda t, x: t.nn.functional.avg_pool2d(x, 3, 2, 1), ints)
    check(lambda t, x: t.nn.functional.avg_pool2d(x, 2), np.array([[[[-3, 0], [0, 0]]]]))


@pytest.mark.parametrize("k,s", [(2, None), (3, 1)])
def test_max_pool_infinite_gradient_reaches_only_the_winner(k, s):
    x = np.random.default_rng(0).standard_normal((1, 2, 6, 6)).astype(np.float32)
    t_x, g_x = torch.from_numpy(x).requires_grad_(), glasstorch.from_numpy(x.copy()).requires_grad_()
    t_y, g_y = torch.nn.functional.max_pool2d(t_x, k, s), glasstorch.nn.functional.max_pool2d(g_x, k, s)
    w = np.ones(tuple(t_y.shape), np.float32)
    w[0, 0, 0, 0], w[0, 1, 1, 1] = np.inf, np.nan
    t_y.backward(torch.from_numpy(w))
    g_y.backward(glasstorch.from_numpy(w.copy()))
    np.testing.assert_array_equal(g_x.grad.numpy(), t_x.grad.numpy())


AVG_GRID = [(k, s, p, c, cip, dv) for k, s, p, c, cip, dv in
            itertools.product([1, 2, 3, (2, 3)], [None, 1, 2], [0, 1], [False, True], [False, True], [None, 3])
            if _valid(min(k) if isinstance(k, tuple) else k, p)]


@pytest.mark.parametrize("k,s,p,ceil,cip,dv", AVG_GRID)
def test_avg_pool2d_grid(k, s, p, ceil, cip, dv):
    check(lambda t, x: t.nn.functional.avg_pool2d(x, k, s, p, ceil, cip, dv), (2, 3, 9, 8))


def test_avg_pool_unbatched_float64_and_1d():
    check(lambda t, x: t.nn.functional.avg_pool2d(x, 3, 2, 1, True, False), (3, 7, 10), dtype=np.float64)
    check(lambda t, x: t.nn.functional.max_pool2d(x, 3, 2, 1, 1, True), (3, 7, 10), dtype=np.float64)
    avg_cases = [(2, None, 0, False, True), (3, 2, 1, True, False), (3, 1, 1, False, True),
                 ((3,), (2,), (1,), True, True)]
    for k, s, p, c, cip in avg_cases:
        check(lambda t, x: t.nn.functional.avg_pool1d(x, k, s, p, c, cip), (2, 3, 11))
        check(lambda t, x: t.nn.functional.avg_pool1d(x, k, s, p, c, cip), (3, 11))
    max_cases = [(2, None, 0, 1, False), (3, 2, 1, 2, True), (3, 1, 1, 1, False), ((2,), (1,), (1,), (2,), True)]
    for k, s, p, d, c in max_cases:
        check(lambda t, x: t.nn.functional.max_pool1d(x, k, s, p, d, c), (2, 3, 11))
        check(lambda t, x: t.nn.functional.max_pool1d(x, k, s, p, d, c, return_indices=True), (3, 11))


ADAPTIVE_SIZES = [1, 2, 3, 4, 5, 7, 9, 12, (None, 3), (3, None), (7, 2), (4, 8)]


@pytest.mark.parametrize("out", ADAPTIVE_SIZES)
def test_adaptive_pool2d(out):
    check(lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, out), (2, 3, 9, 8))
    check(lambda t, x: t.nn.functional.adaptive_max_pool2d(x, out), (2, 3, 9, 8))
    check(lambda t, x: t.nn.functional.adaptive_max_pool2d(x, out, return_indices=True), (3, 9, 8))
    check(lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, out), (3, 9, 8), dtype=np.float64)


@pytest.mark.parametrize("out", [1, 2, 3, 4, 6, 13])
def test_adaptive_pool1d(out):
    check(lambda t, x: t.nn.functional.adaptive_avg_pool1d(x, out), (2, 3, 10))
    check(lambda t, x: t.nn.functional.adaptive_avg_pool1d(x, out), (3, 10))
    check(lambda t, x: t.nn.functional.adaptive_max_pool1d(x, out, return_indices=True), (2, 3, 10))


def test_adaptive_avg_pool3d_and_empty_output():
    check(lambda t, x: t.nn.functional.adaptive_avg_pool3d(x, (2, None, 3)), (2, 2, 5, 4, 7))
    check(lambda t, x: t.nn.functional.adaptive_avg_pool3d(x, 2), (2, 4, 6, 8))
    check(lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, 0), (2, 3, 5, 4), grad=False)


def test_lp_pool():
    check(lambda t, x: t.nn.functional.lp_pool2d(x, 2, 3, 2), (2, 3, 9, 8), positive=True)
    check(lambda t, x: t.nn.functional.lp_pool2d(x, 3, (2, 3), ceil_mode=True), (2, 3, 9, 8), positive=True)
    check(lambda t, x: t.nn.functional.lp_pool1d(x, 2, 3), (2, 3, 10), positive=True)
    check(lambda t, x: t.nn.functional.lp_pool2d(x, float("inf"), 2), (2, 3, 8, 8))
    check(lambda t, x: t.nn.LPPool2d(2, 2)(x), (2, 3, 8, 8), positive=True)


def test_gradcheck_float64():
    gradcheck(lambda t, x: t.nn.functional.max_pool2d(x, 3, 2, 1, 2, True), (2, 2, 7, 6))
    gradcheck(lambda t, x: t.nn.functional.avg_pool2d(x, 3, 2, 1, True, False), (2, 2, 7, 6))
    gradcheck(lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, (3, 4)), (2, 2, 7, 5))
    gradcheck(lambda t, x: t.nn.functional.adaptive_max_pool2d(x, (3, 4)), (2, 2, 7, 5))
    gradcheck(lambda t, x: t.nn.functional.adaptive_avg_pool1d(x, 7), (2, 5))


MODULES = ["MaxPool2d(2)", "MaxPool2d(3, 1, 1, ceil_mode=True)", "MaxPool2d((2, 3), dilation=(1, 2))",
           "MaxPool1d(3)", "MaxPool1d(2, 1, 1, 2, ceil_mode=True)", "AvgPool1d(3)", "AvgPool1d(3, 2, 1, True, False)",
           "AvgPool2d((2, 3), 1)", "AvgPool2d(3, 2, 1, count_include_pad=False, divisor_override=2)",
           "AdaptiveAvgPool1d(4)", "AdaptiveAvgPool2d((None, 3))", "AdaptiveAvgPool2d(1)", "AdaptiveMaxPool1d(3)",
           "AdaptiveMaxPool2d((2, 3))", "LPPool2d(2, 3)", "LPPool1d(1.5, 2, 1)"]


@pytest.mark.parametrize("spec", MODULES)
def test_modules_repr_and_forward(spec):
    t_mod, g_mod = eval("torch.nn." + spec), eval("glasstorch.nn." + spec)
    same_repr(t_mod, g_mod)
    shape = (2, 3, 11) if "1d" in spec else (2, 3, 9, 8)
    check(lambda t, x: (t_mod if t is torch else g_mod)(x), shape, positive="LP" in spec)


def test_module_return_indices():
    check(lambda t, x: t.nn.MaxPool2d(2, return_indices=True)(x), (2, 3, 8, 8))
    check(lambda t, x: t.nn.AdaptiveMaxPool2d(3, return_indices=True)(x), (2, 3, 8, 8))
    same_repr(torch.nn.AdaptiveMaxPool2d(3, True), glasstorch.nn.AdaptiveMaxPool2d(3, True))


def test_errors():
    for fn in [lambda t, x: t.nn.functional.max_pool2d(x, 2, padding=2),  # same message as PyTorch
               lambda t, x: t.nn.functional.avg_pool2d(x, 2, padding=2),
               lambda t, x: t.nn.functional.max_pool2d(x, 2, stride=0),
               lambda t, x: t.nn.functional.max_pool2d(x, 2, dilation=0),
               lambda t, x: t.nn.functional.max_pool2d(x, (2, 2, 2)),
               lambda t, x: t.nn.functional.max_pool2d(x, 9)]:
        g_err = check_error(fn, (1, 2, 7, 7))
        t_err = None
        try:
            fn(torch, torch.zeros(1, 2, 7, 7))
        except RuntimeError as e:
            t_err = e
        assert str(g_err) == str(t_err)
    check_error(lambda t, x: t.nn.functional.max_pool2d(x, 2), (7, 7), match="3D or 4D")
    check_error(lambda t, x: t.nn.functional.max_pool1d(x, 2), (7,), match="2D or 3D")
    check_error(lambda t, x: t.nn.functional.avg_pool2d(x, 2), (7, 7))
    check_error(lambda t, x: t.nn.functional.avg_pool1d(x, 2), (7,), match="Expected 2 to 3 dimensions")
    check_error(lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, 2), (7, 7), match="Expected 3D or 4D")
    check_error(lambda t, x: t.nn.functional.adaptive_max_pool2d(x, 2), (1, 1, 1, 7, 7))
    check_error(lambda t, x: t.nn.functional.avg_pool2d(x, 2, divisor_override=0), (1, 1, 4, 4))


def test_training_shapes_of_the_course_cnn():
    """The course CNN's pooling layers: values and gradients equal on realistic shapes."""
    check(lambda t, x: t.nn.functional.max_pool2d(x, 2), (8, 32, 28, 28))
    check(lambda t, x: t.nn.functional.max_pool2d(t.relu(x), 2), (8, 64, 14, 14))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warnings on the common path
        glasstorch.nn.MaxPool2d(2)(glasstorch.randn(2, 3, 8, 8, requires_grad=True)).sum().backward()


def test_non_contiguous_input():
    check(lambda t, x: t.nn.functional.max_pool2d(x, 2), (2, 3, 8, 6), noncontiguous=True)
    check(lambda t, x: t.nn.functional.avg_pool2d(x, 3, 1, 1), (2, 3, 8, 6), noncontiguous=True)
    check(lambda t, x: t.nn.functional.adaptive_avg_pool2d(x, (3, 4)), (2, 3, 8, 6), noncontiguous=True)
    check(lambda t, w, x: t.nn.functional.max_pool2d(x * w, 2), Const((1, 3, 1, 1)), (2, 3, 8, 6))
