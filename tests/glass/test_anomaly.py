"""glass.detect_anomaly: the first NaN/Inf, forward or backward, is named with its op, module and source line."""
import inspect

import numpy as np
import pytest
import torch

import glasstorch
from glasstorch import glass, nn
from glasstorch.autograd.anomaly import is_anomaly_enabled
from glasstorch.autograd.function import Function, Hooks
from glasstorch.nn.modules.module import _RunningModules

HERE = __file__


def _line_of(text):
    """The line number in this file of the (unique) source line containing ``text``."""
    lines = open(HERE).read().splitlines()
    found = [i + 1 for i, line in enumerate(lines) if text in line and "assert" not in line]
    assert len(found) == 1, found
    return found[0]


def _assert_off():
    assert Hooks.forward is None and Hooks.backward is None and Hooks.on_create is None
    assert _RunningModules.stack is None
    assert not is_anomaly_enabled()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.fc2 = nn.Linear(3, 2)

    def forward(self, x):
        h = self.fc1(x).relu()
        return self.fc2(h)


class Wrapper(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 4), LogLayer())

    def forward(self, x):
        return self.body(x)


class LogLayer(nn.Module):
    def forward(self, x):
        return x.log()  # the op that fails inside the nested module


def test_forward_log_of_zero_names_log_the_line_and_the_input():
    x = glasstorch.tensor([1.0, 2.0, 0.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        with glass.detect_anomaly():
            glasstorch.log(x)  # LOG-OF-ZERO
    message = str(info.value)
    assert "the forward of Log gave -inf" in message
    assert f"{HERE}:{_line_of('# LOG-OF-ZERO')}" in message
    assert "glasstorch.log(x)  # LOG-OF-ZERO" in message  # the source text
    assert "Log of 0.0 gave -inf" in message
    assert "output element (2,) of shape (4,)" in message
    assert "1 of 4 output elements" in message
    assert "(none: created outside any nn.Module call)" in message
    _assert_off()


def test_forward_check_works_without_grad_too():
    x = glasstorch.tensor([[1.0, -1.0]])
    with pytest.raises(RuntimeError, match=r"Sqrt of -1.0 gave nan"):
        with glass.detect_anomaly():
            x.sqrt()
    _assert_off()


def test_binary_op_shows_both_inputs():
    a = glasstorch.tensor([1.0, 2.0])
    b = glasstorch.tensor([[1.0, 0.0]])
    with pytest.raises(RuntimeError, match=r"Div of \(2.0, 0.0\) gave inf \(output element \(0, 1\)"):
        with glass.detect_anomaly():
            a / b
    _assert_off()


def test_backward_only_nan_names_op_and_creating_line():
    x = glasstorch.tensor([0.0, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        with glass.detect_anomaly():
            y = x.pow(0.5)  # FORWARD-IS-FINE
            assert np.isfinite(y.detach().numpy()).all()
            y.sum().backward()
    message = str(info.value)
    assert message.startswith("Function 'PowBackward0' returned inf values in its 0th output.")
    assert f"{HERE}:{_line_of('# FORWARD-IS-FINE')}" in message
    assert "y = x.pow(0.5)" in message
    assert "local derivative" in message  # the gradient from above (1) was finite
    assert x.grad is None
    _assert_off()


def test_custom_function_returning_nan_in_backward():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * np.nan

    x = glasstorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"'BadBackward0' returned nan values") as info:
        with glass.detect_anomaly():
            (Bad.apply(x) * 3).sum().backward()  # CUSTOM-OP
    assert f":{_line_of('# CUSTOM-OP')}" in str(info.value)


def test_nan_inside_a_model_layer_names_the_module_path():
    model = Net()
    with glasstorch.no_grad():
        model.fc2.weight[0, 0] = float("nan")
    x = glasstorch.ones(2, 4)
    with pytest.raises(RuntimeError) as info:
        with glass.detect_anomaly():
            model(x)
    message = str(info.value)
    assert "the forward of Linear gave nan" in message
    assert "module:  fc2 (Linear)" in message
    # the innermost line of user code: the model's forward, where fc2 is called
    assert f"{HERE}:{_line_of('return self.fc2(h)')}, in forward" in message
    assert "input 1: shape (2, 3), float32, 1 NaN/Inf element(s) already in it" in message
    _assert_off()


def test_nested_module_path_and_model_argument():
    model = Wrapper()
    with glasstorch.no_grad():
        model.body[0].weight.fill_(-1.0)
        model.body[0].bias.fill_(0.0)
    x = glasstorch.ones(1, 4)
    with pytest.raises(RuntimeError) as info:
        with glass.detect_anomaly():
            model(x)
    message = str(info.value)
    assert "module:  body.1 (LogLayer)" in message
    assert f"{HERE}:{_line_of('# the op that fails inside')}" in message  # user code inside the module
    with pytest.raises(RuntimeError, match=r"module:  1 \(LogLayer\)"):
        with glass.detect_anomaly(model.body):  # paths relative to the given model
            model(x)
    _assert_off()


class Root(nn.Module):
    def forward(self, x):
        return x.relu().sqrt()  # sqrt(0) = 0 is fine forward; its derivative 1/(2·sqrt(0)) is not


def test_backward_anomaly_in_a_module_names_the_module():
    model = nn.Sequential(nn.Linear(4, 3), Root())
    with glasstorch.no_grad():
        model[0].weight.fill_(-1.0)  # all pre-activations negative: relu gives 0
    x = glasstorch.ones(2, 4)
    with pytest.raises(RuntimeError) as info:
        with glass.detect_anomaly():
            out = model(x)
            assert (out.detach().numpy() == 0).all()
            out.sum().backward()
    message = str(info.value)
    assert message.startswith("Function 'SqrtBackward0' returned inf values")
    assert "module:  1 (Root)" in message
    assert f"{HERE}:{_line_of('# sqrt(0) = 0 is fine')}" in message
    _assert_off()


def test_clean_code_raises_nothing_and_matches_plain_results():
    model = Net()
    x = glasstorch.randn(5, 4)
    y = glasstorch.tensor([0, 1, 1, 0, 1])
    plain = nn.functional.cross_entropy(model(x), y)
    plain.backward()
    grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    with glass.detect_anomaly():
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        assert is_anomaly_enabled()
        assert _RunningModules.stack == []
    assert loss.item() == plain.item()
    for g, p in zip(grads, model.parameters()):
        np.testing.assert_array_equal(g.numpy(), p.grad.numpy())
    # the nodes recorded their creating line and module while the block was open
    assert loss.grad_fn._anomaly[0] == HERE
    _assert_off()


def test_hooks_removed_after_error_and_nested_use():
    x = glasstorch.tensor([0.0])
    with pytest.raises(RuntimeError):
        with glass.detect_anomaly():
            x.log()
    _assert_off()
    with glass.detect_anomaly():
        outer = Hooks.forward
        with glass.detect_anomaly(forward=False):
            assert Hooks.forward is not outer
            glasstorch.tensor([1.0]).log()  # clean: nothing raised by either
        assert Hooks.forward is outer
    _assert_off()


def test_nested_inner_raises_through_outer():
    x = glasstorch.tensor([0.0])
    with pytest.raises(RuntimeError, match="the forward of Log"):
        with glass.detect_anomaly(forward=False):
            with glass.detect_anomaly():
                x.log()
    _assert_off()


def test_inf_not_checked_when_check_inf_false_and_forward_false():
    x = glasstorch.tensor([0.0], requires_grad=True)
    with glass.detect_anomaly(forward=False, check_inf=False):
        x.log().sum().backward()  # forward -inf, backward inf: neither is a NaN
    assert x.grad.item() == float("inf")
    _assert_off()


def test_autograd_detect_anomaly_keeps_pytorch_behaviour():
    x = glasstorch.tensor([0.0, 1.0], requires_grad=True)
    y = x.sqrt() * 0  # created outside the block: no line recorded
    with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward0' returned nan values in its 0th output"):
        with glasstorch.autograd.detect_anomaly():
            y.backward(glasstorch.ones(2))
    _assert_off()
    with glasstorch.autograd.detect_anomaly():
        z = x.log()  # forward -inf is allowed, as in PyTorch
    assert z[0].item() == float("-inf")
    glasstorch.autograd.set_detect_anomaly(True)
    assert is_anomaly_enabled()
    with glasstorch.autograd.set_detect_anomaly(False):
        assert not is_anomaly_enabled()
        (x.sqrt() * 0).sum().backward()  # switched off: no error
    assert is_anomaly_enabled()
    # set_detect_anomaly(True) used as a function stays on, as in PyTorch; switch it off the same way
    Hooks.forward = Hooks.backward = None
    _RunningModules.stack = None
    from glasstorch.autograd.anomaly import _AnomalyMode
    _AnomalyMode.enabled = False
    _assert_off()


def test_same_message_start_as_pytorch():
    t = torch.tensor([0.0, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError) as want:
        with torch.autograd.detect_anomaly():
            (t.sqrt() * 0).sum().backward()
    x = glasstorch.tensor([0.0, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError) as got:
        with glasstorch.autograd.detect_anomaly():
            (x.sqrt() * 0).sum().backward()
    assert str(got.value).splitlines()[0] == str(want.value).splitlines()[0]


def test_module_calls_unchanged_outside_the_block():
    calls = []
    model = Net()
    model.fc1.register_forward_hook(lambda m, args, out: calls.append(out.shape))
    with glass.detect_anomaly():
        a = model(glasstorch.ones(1, 4))  # hooks still run inside the tracked call
    b = model(glasstorch.ones(1, 4))
    assert calls == [(1, 3), (1, 3)]
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    _assert_off()


def test_in_place_ops_without_grad_are_checked_too():
    """``div_``, ``add_``, ``mul_`` write straight into the array when no gradient is recorded; inside the block
    they are checked like every other op, and still change the array itself (views see it)."""
    with pytest.raises(RuntimeError, match=r"forward of Div gave inf(.|\n)*Div of \(1\.0, 0\) gave inf"):
        with glass.detect_anomaly():
            glasstorch.ones(3).div_(0)
    with pytest.raises(RuntimeError, match="forward of Add gave nan"):
        with glass.detect_anomaly():
            glasstorch.full((2,), float("inf")).add_(float("-inf"))
    with pytest.raises(RuntimeError, match="forward of Mul gave nan"):
        with glass.detect_anomaly():
            x = glasstorch.zeros(2)
            with glasstorch.no_grad():                       # as in an optimizer's update
                x.mul_(float("inf"))
    _assert_off()
    with glass.detect_anomaly():                             # finite results: written in place, views see them
        a = glasstorch.ones(4)
        view = a[1:]
        a.add_(1).mul_(3).div_(2).clamp_(max=2.5).sub_(0.5)
        assert view.tolist() == [2.0, 2.0, 2.0] and a.tolist() == [2.0] * 4
    # outside the block, and under PyTorch's own detect_anomaly (backward only), nothing is raised, as in PyTorch
    assert glasstorch.ones(2).div_(0).tolist() == [float("inf")] * 2
    with torch.autograd.detect_anomaly():
        assert torch.ones(2).div_(0).tolist() == [float("inf")] * 2
    with glasstorch.autograd.detect_anomaly():
        assert glasstorch.ones(2).div_(0).tolist() == [float("inf")] * 2
    _assert_off()
