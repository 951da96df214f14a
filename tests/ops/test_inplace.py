"""In-place ops: PyTorch's leaf rule, dtype/shape checks, true in-place writes, gradients through them."""
import numpy as np
import pytest
import torch

from parity import check, check_error

import glasstorch

LEAF = "a leaf Variable that requires grad is being used in an in-place operation"


@pytest.mark.parametrize("op", [
    lambda t: t.add_(1), lambda t: t.sub_(1), lambda t: t.mul_(2), lambda t: t.div_(2), lambda t: t.zero_(),
    lambda t: t.fill_(3), lambda t: t.clamp_(0, 1), lambda t: t.copy_(t.detach() * 2), lambda t: t.exp_(),
    lambda t: t.masked_fill_(t.detach() > 0, 0.0), lambda t: t.normal_(), lambda t: t.uniform_(),
])
def test_in_place_on_leaf_that_requires_grad_raises_like_pytorch(op):
    for lib in (torch, glasstorch):
        x = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match=LEAF):
            op(x)
        with lib.no_grad():  # allowed while not recording: how optimizers update weights
            op(x)


def test_in_place_changes_the_same_array_and_its_views():
    x = glasstorch.zeros(2, 3)
    a = x.numpy()
    row = x[0]
    x.add_(1).mul_(3)
    row.sub_(1)
    x[1, 2] = 7
    assert np.shares_memory(a, x.numpy())
    assert x.tolist() == [[2.0, 2.0, 2.0], [3.0, 3.0, 7.0]]
    x += 1
    x *= 2
    x -= 1
    x /= 2
    assert x.tolist() == [[2.5, 2.5, 2.5], [3.5, 3.5, 7.5]]
    assert np.shares_memory(a, x.numpy())


def test_in_place_result_type_and_shape_checks():
    check_error(lambda torch, x: x.add_(0.5), np.array([1, 2], dtype=np.int64), match="can't be cast")
    check_error(lambda torch, x, y: x.add_(y), (3,), (2, 3), match="doesn't match the broadcast shape")
    x = glasstorch.tensor([1.0, 2.0])
    x.add_(glasstorch.tensor([1, 1]))      # int into float is fine
    assert x.dtype == glasstorch.float32 and x.tolist() == [2.0, 3.0]


def test_in_place_on_non_leaf_is_recorded():
    check(lambda torch, x, y: (x * 1).add_(y).mul_(y).clamp_(-0.5, 0.5), (3, 4), (4,))
    check(lambda torch, x, y: (x * 1).sub_(y, alpha=2).div_(2).exp_(), (3, 4), (3, 4))
    check(lambda torch, x: (x * 1).masked_fill_(x.detach() > 0.3, 0.0), (3, 4))
    check(lambda torch, x, y: (x * 1).copy_(y), (2, 3), (3,))


def test_in_place_on_tensor_without_grad_with_grad_operand_records():
    def f(torch, y):
        z = torch.zeros(4)
        z.add_(y)
        return z * y
    check(f, (4,))


def test_in_place_optimizer_style_update_under_no_grad():
    w = glasstorch.tensor([1.0, 2.0], requires_grad=True)
    (w * w).backward(glasstorch.ones(2))
    with glasstorch.no_grad():
        w.sub_(w.grad, alpha=0.1)
        w.grad.zero_()
    assert w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 1.6], rtol=1e-6)
    assert w.grad.tolist() == [0.0, 0.0]


def test_addcmul_addcdiv_in_place():
    check(lambda torch, x, a, b: (x * 1).addcmul_(a, b, value=0.5).addcdiv_(a, b.abs() + 1, value=-2),
          (3,), (3,), (3,))
    x = glasstorch.ones(3)
    x.addcmul_(glasstorch.ones(3) * 2, glasstorch.ones(3) * 3, value=0.5)
    assert x.tolist() == [4.0, 4.0, 4.0]
