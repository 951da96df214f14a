"""Numerical differentiation as a public tool: gradcheck and numerical_grad."""
import numpy as np
import pytest

import glasstorch
from glasstorch.autograd import GradcheckError, gradcheck, numerical_grad
from glasstorch.autograd.function import Function


def test_numerical_grad_matches_backprop():
    x = glasstorch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    f = lambda t: (t ** 3 + t.sin()).exp().log()  # noqa: E731
    f(x).backward(glasstorch.ones(3))
    num = numerical_grad(lambda t: f(t).sum(), x)
    np.testing.assert_allclose(num.numpy(), x.grad.numpy(), rtol=1e-4)


def test_numerical_grad_of_the_course_example():
    x = glasstorch.tensor(2.0)
    g = numerical_grad(lambda t: t ** 2 + 3 * t + 1, x)
    assert abs(g.item() - 7.0) < 1e-6


def test_gradcheck_accepts_correct_and_rejects_wrong_backward():
    x = glasstorch.randn(3, 2, dtype=glasstorch.float64, requires_grad=True)
    y = glasstorch.randn(2, dtype=glasstorch.float64, requires_grad=True)
    assert gradcheck(lambda a, b: a * b.exp() / (1 + a * a), (x, y))

    class WrongSquare(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.a = a
            return a * a

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.a  # should be 2a

    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradcheck(WrongSquare.apply, (x,))
    assert gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False


def test_gradcheck_leaves_inputs_unchanged():
    x = glasstorch.randn(4, dtype=glasstorch.float64, requires_grad=True)
    before = x.detach().numpy().copy()
    gradcheck(lambda a: a.tanh(), (x,))
    np.testing.assert_array_equal(x.detach().numpy(), before)

