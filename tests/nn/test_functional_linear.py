"""F.linear and F.bilinear against PyTorch: every rank of input, with and without bias, float64 gradcheck,
broadcast biases, and PyTorch's error messages; plus the fused op's graph (one node) and dtypes."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check, check_error, gradcheck


@pytest.mark.parametrize("x_shape", [(4,), (5, 4), (2, 3, 4), (2, 1, 3, 4), (0, 4)], ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_pytorch(x_shape, bias):
    if bias:
        check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), x_shape, (3, 4), (3,))
        check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), x_shape, (3, 4), (3,), dtype=np.float64)
    else:
        check(lambda t, x, w: t.nn.functional.linear(x, w), x_shape, (3, 4))
        check(lambda t, x, w: t.nn.functional.linear(x, w, None), x_shape, (3, 4), dtype=np.float64)


def test_linear_gradcheck():
    gradcheck(lambda t, x, w, b: t.nn.functional.linear(x, w, b), (5, 4), (3, 4), (3,))
    gradcheck(lambda t, x, w, b: t.nn.functional.linear(x, w, b), (2, 3, 4), (3, 4), (3,))
    gradcheck(lambda t, x, w: t.nn.functional.linear(x, w), (4,), (2, 4))
    gradcheck(lambda t, x, w, b: t.nn.functional.linear(x, w, b), (3, 4), (2, 4), (3, 2))


def test_linear_special_operands():
    check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), (3, 4), (5, 4), (1,))    # broadcast bias
    check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), (3, 4), (5, 4), ())      # 0-d bias
    check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), (3, 4), (5, 4), (3, 5))  # full bias
    check(lambda t, x, w: t.nn.functional.linear(x, w), (3, 4), (4,))                 # 1-D weight
    check(lambda t, x, w: t.nn.functional.linear(x, w), (3, 4), Const((5, 4)))         # weight without grad
    check(lambda t, x, w, b: t.nn.functional.linear(x, w, b), Const((3, 4)), (5, 4), (5,))
    check(lambda t, x, w: t.nn.functional.linear(x, w), (6, 4), (5, 4), noncontiguous=True)


def test_linear_errors_match_pytorch():
    lin = lambda t, *a: t.nn.functional.linear(*a)  # noqa: E731
    e = check_error(lin, (64, 100), (10, 784), exc=RuntimeError)
    assert str(e) == "mat1 and mat2 shapes cannot be multiplied (64x100 and 784x10)"
    e = check_error(lin, (2, 3, 100), (10, 784), exc=RuntimeError)
    assert str(e) == "mat1 and mat2 shapes cannot be multiplied (6x100 and 784x10)"
    e = check_error(lin, (100,), (10, 784), exc=RuntimeError)
    assert str(e) == "mat1 and mat2 shapes cannot be multiplied (1x100 and 784x10)"
    e = check_error(lin, (3, 4), (5, 4), (4,), exc=RuntimeError)
    assert str(e) == ("The expanded size of the tensor (5) must match the existing size (4) at non-singleton "
                      "dimension 1.  Target sizes: [3, 5].  Tensor sizes: [4]")
    e = check_error(lambda t, x, w: lin(t, x, w.double()), (3, 4), (5, 4), exc=RuntimeError)
    assert str(e) == "expected m1 and m2 to have the same dtype, but got: float != double"
    e = check_error(lambda t, x, w, b: lin(t, x, w, b.double()), (3, 4), (5, 4), (5,), exc=RuntimeError)
    assert str(e) == "self and mat2 must have the same dtype, but got Double and Float"
    check_error(lin, (), (5, 4), exc=RuntimeError, match="at least 1D")
    check_error(lin, (3, 4), (2, 5, 4), exc=RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions")


def test_linear_is_one_node_and_keeps_dtype():
    x = glasstorch.randn(5, 4, requires_grad=True)
    w = glasstorch.randn(3, 4, requires_grad=True)
    b = glasstorch.randn(3, requires_grad=True)
    y = glasstorch.nn.functional.linear(x, w, b)
    assert y.grad_fn.name() == "LinearBackward0"
    assert [n is not None for n, _ in y.grad_fn.next_functions] == [True, True, True]
    assert y.dtype == glasstorch.float32
    y.sum().backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == glasstorch.float32
    with glasstorch.no_grad():
        assert glasstorch.nn.functional.linear(x, w, b).grad_fn is None


@pytest.mark.parametrize("lead", [(5,), (2, 3), ()], ids=str)
def test_bilinear_matches_pytorch(lead):
    check(lambda t, a, b, w, bias: t.nn.functional.bilinear(a, b, w, bias), lead + (3,), lead + (4,), (2, 3, 4), (2,))
    check(lambda t, a, b, w: t.nn.functional.bilinear(a, b, w), lead + (3,), lead + (4,), (2, 3, 4),
          dtype=np.float64)


def test_bilinear_gradcheck_and_module():
    gradcheck(lambda t, a, b, w, bias: t.nn.functional.bilinear(a, b, w, bias), (3, 2), (3, 4), (5, 2, 4), (5,))
    from twins import compare_forward_backward, same_repr, twins
    t, g = twins(lambda lib: lib.nn.Bilinear(3, 4, 2))
    same_repr(t, g)
    compare_forward_backward(t, g, (5, 3), (5, 4))
    bound = 1 / np.sqrt(3)
    m = glasstorch.nn.Bilinear(3, 4, 200)
    w = m.weight.detach().numpy()
    assert -bound <= w.min() < -0.9 * bound and 0.9 * bound < w.max() <= bound
    assert list(glasstorch.nn.Bilinear(3, 4, 2, bias=False).state_dict()) == ["weight"]
    check_error(lambda t, a, b, w: t.nn.functional.bilinear(a, b, w), (5, 3), (4, 4), (2, 3, 4), exc=RuntimeError)


def test_pytorch_reference_is_not_imported_by_library():
    import sys
    import subprocess
    code = "import glasstorch, sys; glasstorch.nn.Linear(2, 2); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
    assert torch is not None
