"""The autograd engine: accumulation, retain_graph, freeing the graph, deep graphs, hooks, autograd.grad."""
import gc
import weakref

import numpy as np
import pytest
import torch

import glasstorch
from glasstorch.autograd.function import Function


def test_chain_rule_examples_from_the_course():
    x = glasstorch.tensor(2.0, requires_grad=True)
    y = x ** 2 + 3 * x + 1
    y.backward()
    assert x.grad.item() == 7.0
    x = glasstorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x ** 2).backward(glasstorch.ones(3))
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def test_gradients_accumulate_in_leaves_across_backward_calls():
    x = glasstorch.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        (x * x).backward(glasstorch.ones(2))
    assert x.grad.tolist() == [6.0, 12.0]


def test_shared_subexpression_gets_summed_gradient():
    # y = a*a + a*3 uses `a` (a non-leaf) twice: its gradient is the sum of both paths
    for lib in (torch, glasstorch):
        x = lib.tensor([0.5, -1.0], requires_grad=True)
        a = x.exp()
        y = a * a + a * 3
        y.backward(lib.ones(2))
        if lib is torch:
            want = x.grad.numpy().copy()
        else:
            np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-6)


def test_backward_needs_scalar_or_gradient():
    x = glasstorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        glasstorch.ones(1).backward()


def test_second_backward_through_freed_graph_raises_and_retain_graph_allows_it():
    x = glasstorch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * 2).tanh()
    y.backward(glasstorch.ones(2), retain_graph=True)
    y.backward(glasstorch.ones(2))  # the graph was kept the first time
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward(glasstorch.ones(2))


def test_graph_is_freed_after_backward():
    class Probe(Function):  # keeps an array in ctx, like every op's saved inputs
        @staticmethod
        def forward(ctx, x):
            ctx.saved = x.copy()
            refs.append(weakref.ref(ctx.saved))
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    refs = []
    x = glasstorch.ones(1000, requires_grad=True)
    loss = Probe.apply(x.exp()).tanh()
    gc.collect()
    assert refs[0]() is not None
    loss.backward(glasstorch.ones(1000))
    gc.collect()
    assert refs[0]() is None, "the saved array of an intermediate node survived backward"
    # and intermediate tensors die as soon as the user drops them (the graph holds arrays, not tensors)
    h = x * 3
    out = h.sigmoid()
    ref = weakref.ref(h)
    del h
    gc.collect()
    assert ref() is None
    out.backward(glasstorch.ones(1000))


def test_deep_chain_of_10000_ops_backpropagates_iteratively():
    x = glasstorch.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward(glasstorch.ones(1))
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 10_000], rtol=1e-3)


def test_detach_and_requires_grad_flags():
    x = glasstorch.ones(2, requires_grad=True)
    y = x * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn.name() == "MulBackward0"
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert np.shares_memory(d.numpy(), y.detach().numpy())
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)
    z = glasstorch.zeros(2)
    assert z.requires_grad_() is z and z.requires_grad


def test_no_grad_enable_grad_set_grad_enabled():
    x = glasstorch.ones(2, requires_grad=True)
    with glasstorch.no_grad():
        assert not (x * 2).requires_grad
        with glasstorch.enable_grad():
            assert (x * 2).requires_grad
    assert (x * 2).requires_grad

    @glasstorch.no_grad()
    def f(t):
        return t * 2

    @glasstorch.no_grad
    def g(t):
        return t * 2

    assert not f(x).requires_grad and not g(x).requires_grad
    with glasstorch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert glasstorch.is_grad_enabled()
    glasstorch.set_grad_enabled(False)
    assert not (x * 2).requires_grad
    glasstorch.set_grad_enabled(True)

    @glasstorch.set_grad_enabled(False)
    def h(t):
        return t * 2

    assert glasstorch.is_grad_enabled()  # decorating switched nothing
    assert not h(x).requires_grad
    with glasstorch.inference_mode():
        assert not (x * 2).requires_grad


def test_autograd_grad_returns_gradients_without_touching_dot_grad():
    x = glasstorch.tensor([1.0, 2.0], requires_grad=True)
    w = glasstorch.tensor([3.0, 4.0], requires_grad=True)
    h = x * w
    y = (h * h)
    gx, gh = glasstorch.autograd.grad(y, [x, h], grad_outputs=glasstorch.ones(2))
    assert gx.tolist() == [2 * 1 * 9, 2 * 2 * 16]   # d(x²w²)/dx = 2xw²
    assert gh.tolist() == [6.0, 16.0]               # d(h²)/dh = 2h
    assert x.grad is None and w.grad is None


def test_autograd_grad_unused_input():
    x = glasstorch.ones(2, requires_grad=True)
    z = glasstorch.ones(2, requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match="not have been used"):
        glasstorch.autograd.grad(y, [x, z], glasstorch.ones(2), retain_graph=True)
    gx, gz = glasstorch.autograd.grad(y, [x, z], glasstorch.ones(2), allow_unused=True)
    assert gz is None and gx.tolist() == [2.0, 2.0]


def test_tensor_hooks_on_leaf_and_non_leaf_can_replace_the_gradient():
    for lib in (torch, glasstorch):
        seen = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        h.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
        handle = x.register_hook(lambda g: g + 1)
        (h * h).backward(lib.ones(2))
        assert seen == [[6.0, 12.0]]
        assert x.grad.tolist() == [181.0, 361.0]  # (2h · 10) · 3 + 1
        handle.remove()
        x.grad = None
        (x * 1).backward(lib.ones(2))
        assert x.grad.tolist() == [1.0, 1.0]


def test_register_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        glasstorch.ones(2).register_hook(lambda g: g)


def test_retain_grad_keeps_non_leaf_gradients():
    x = glasstorch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    assert h.retains_grad
    y = h * h
    y.backward(glasstorch.ones(2))
    assert h.grad.tolist() == [6.0, 12.0]
    assert y.grad is None


def test_backward_with_inputs_only_fills_those():
    x = glasstorch.ones(2, requires_grad=True)
    w = glasstorch.ones(2, requires_grad=True)
    (x * w * 2).backward(glasstorch.ones(2), inputs=[w])
    assert x.grad is None and w.grad.tolist() == [2.0, 2.0]


def test_grad_fn_names_and_next_functions():
    x = glasstorch.ones(2, requires_grad=True)
    y = (x * 2).exp()
    assert y.grad_fn.name() == "ExpBackward0"
    (mul_node, _), = y.grad_fn.next_functions
    assert mul_node.name() == "MulBackward0"
    (acc, _), (none, _) = mul_node.next_functions
    assert acc.name() == "torch::autograd::AccumulateGrad" and acc.variable is x and none is None
    assert "grad_fn=<ExpBackward0>" in repr(y)


def test_leaf_grads_do_not_share_memory():
    # Add's backward hands the same array to both inputs; each leaf must get its own copy
    a = glasstorch.ones(3, requires_grad=True)
    b = glasstorch.ones(3, requires_grad=True)
    (a + b).backward(glasstorch.ones(3))
    a.grad.mul_(5)
    assert b.grad.tolist() == [1.0, 1.0, 1.0]


def test_mixed_dtype_gradients_come_back_in_each_inputs_dtype():
    a = glasstorch.ones(2, requires_grad=True)
    b = glasstorch.ones(2, dtype=glasstorch.float64, requires_grad=True)
    y = a * b
    assert y.dtype == glasstorch.float64
    y.backward(glasstorch.ones(2, dtype=glasstorch.float64))
    assert a.grad.dtype == glasstorch.float32 and b.grad.dtype == glasstorch.float64


def test_custom_function_written_like_pytorch():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2  # dL/dx = dL/dy · 3x²

    x = glasstorch.tensor([1.0, 2.0], requires_grad=True)
    Cube.apply(x).backward(glasstorch.ones(2))
    assert x.grad.tolist() == [3.0, 12.0]


def test_detect_anomaly_names_the_op_that_produced_nan():
    x = glasstorch.tensor([0.0, 1.0], requires_grad=True)
    y = x.sqrt() * 0  # backward of sqrt at 0 gives inf, times 0 → nan
    with pytest.raises(RuntimeError, match="SqrtBackward0"):
        with glasstorch.autograd.detect_anomaly():
            y.backward(glasstorch.ones(2))
