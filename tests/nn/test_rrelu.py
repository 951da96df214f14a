"""rrelu / rrelu_ / torch.rrelu / nn.RReLU: evaluation mode is PyTorch's leaky_relu with slope (lower + upper)/2;
training mode draws one slope per non-positive element from U(lower, upper) (glasstorch's generator: checked
by distribution, by the gradient being the slope, and by reproducibility under a seed); float64 gradcheck."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import check, check_error, gradcheck
from twins import compare_forward_backward, same_repr, twins


@pytest.mark.parametrize("lower,upper", [(1 / 8, 1 / 3), (0.1, 0.1), (0.0, 0.5)])
def test_eval_matches_pytorch(lower, upper):
    check(lambda t, x: t.nn.functional.rrelu(x, lower, upper, training=False), (3, 4))
    check(lambda t, x: t.rrelu(x, lower, upper, False), (3, 4))
    check(lambda t, x: t.rrelu_(x * 1.0, lower, upper), (3, 4))
    check(lambda t, x: t.nn.functional.rrelu(x * 1.0, lower, upper, inplace=True), (2, 5))


def test_training_slopes():
    glasstorch.manual_seed(0)
    x = glasstorch.cat([glasstorch.full((20000,), -1.0), glasstorch.full((100,), 2.0)]).requires_grad_()
    y = glasstorch.nn.functional.rrelu(x, 0.1, 0.3, training=True)
    y.sum().backward()
    slopes = -y.detach().numpy()[:20000]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.003 and abs(slopes.std() - 0.2 / np.sqrt(12)) < 0.003
    np.testing.assert_array_equal(y.detach().numpy()[20000:], 2.0)             # positives pass through
    np.testing.assert_allclose(x.grad.numpy()[:20000], slopes, rtol=1e-6)      # gradient = the slope
    np.testing.assert_array_equal(x.grad.numpy()[20000:], 1.0)
    glasstorch.manual_seed(0)
    again = glasstorch.nn.functional.rrelu(x.detach(), 0.1, 0.3, training=True)
    np.testing.assert_array_equal(again.numpy(), y.detach().numpy())


def test_training_inplace_and_dtype():
    x = glasstorch.randn(4, 5, dtype=glasstorch.float64)
    before = x.numpy().copy()
    out = glasstorch.rrelu_(x, 0.2, 0.4, True)
    assert out is x and x.dtype == glasstorch.float64
    ratio = x.numpy()[before < 0] / before[before < 0]
    assert ((ratio >= 0.2) & (ratio <= 0.4)).all()


def test_gradcheck():
    gradcheck(lambda t, x: t.nn.functional.rrelu(x, 0.1, 0.4, training=False), (3, 4))

    def fixed(t, x):  # training: reseed before each evaluation so every call draws the same slopes
        t.manual_seed(3)
        return t.nn.functional.rrelu(x, 0.1, 0.4, training=True)
    gradcheck(fixed, (3, 4))


def test_errors():
    check_error(lambda t, x: t.nn.functional.rrelu(x, 0.5, 0.2, True), (3,))


def test_module():
    for args in [(), (0.1, 0.3, True)]:
        t, g = twins(lambda lib: lib.nn.RReLU(*args))
        same_repr(t, g)
        if not args:  # (an in-place module cannot run on the leaf inputs compare_forward_backward makes)
            t.eval(), g.eval()
            compare_forward_backward(t, g, (3, 4))
    g = glasstorch.nn.RReLU(0.2, 0.2)
    x = glasstorch.full((5,), -1.0)
    np.testing.assert_allclose(g(x).numpy(), -0.2, rtol=1e-6)  # training, lower == upper
