"""glass.explain_backward: the chain-rule table's products equal autograd's and the numerical gradients."""
import numpy as np
import pytest

import glasstorch as torch
from glasstorch import glass, nn
from glasstorch.autograd import numerical_grad
from glasstorch.demos.backprop import net

X_COURSE, T_COURSE = 0.5, 1.0


def course_params():
    return {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
            for k, v in (("w1", 0.8), ("b1", -0.1), ("w2", 1.5), ("b2", 0.2))}


def course_loss(w1, b1, w2, b2):
    return net(X_COURSE, T_COURSE, w1, b1, w2, b2)[-1]  # z = w2·tanh(w1·x + b1) + b2, L = (z − t)²


def mlp_and_data():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1)).double()
    X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    t = torch.tensor([[0.0], [1.0], [1.0], [0.0]], dtype=torch.float64)
    return model, X, t


def test_course_two_layer_example_matches_autograd_and_numerical():
    params = course_params()
    loss = course_loss(*params.values())
    lines = []
    e = glass.explain_backward(loss, params, out=lines.append)
    assert list(e.grads) == ["w1", "b1", "w2", "b2"]
    assert all(p.grad is None for p in params.values())        # explain_backward touches no .grad
    loss.backward()                                             # and leaves the graph usable
    numerical = numerical_grad(course_loss, *params.values())
    for (name, p), num in zip(params.items(), numerical):
        assert abs(e.grads[name].item() - p.grad.item()) < 1e-12, name
        assert abs(e.grads[name].item() - num.item()) < 1e-6, name
    # by hand: dL/dw2 = 2(z − t)·h, dL/dw1 = 2(z − t)·w2·(1 − h²)·x
    h = np.tanh(0.8 * 0.5 - 0.1)
    z = 1.5 * h + 0.2
    assert e.grads["w2"].item() == pytest.approx(2 * (z - 1) * h, abs=1e-12)
    assert e.grads["w1"].item() == pytest.approx(2 * (z - 1) * 1.5 * (1 - h ** 2) * 0.5, abs=1e-12)
    text = lines[0]
    assert "TanhBackward0" in text and "upstream dL/dy" in text and "dL/dw1" in text


def test_steps_follow_backward_order_and_upstreams_match_retained_grads():
    params = course_params()
    a, h, z, e_, loss = net(X_COURSE, T_COURSE, *params.values())
    for v in (a, h, z, e_):
        v.retain_grad()
    e = glass.explain_backward(loss, params, out=None)
    assert [s.op for s in e] == ["PowBackward0", "SubBackward0", "AddBackward0", "MulBackward0", "TanhBackward0",
                                 "AddBackward0", "MulBackward0"]
    assert e[0].output == "L" and e[0].upstream.item() == 1.0   # backward starts from dL/dL = 1
    loss.backward()
    by_op = {s.op: s for s in e}
    assert by_op["TanhBackward0"].upstream.item() == pytest.approx(h.grad.item(), abs=1e-12)  # dL/dh
    assert e[1].upstream.item() == pytest.approx(e_.grad.item(), abs=1e-12)                   # dL/de
    tanh_step = by_op["TanhBackward0"]
    assert tanh_step.inputs[0].product.item() == pytest.approx(a.grad.item(), abs=1e-12)      # dL/da


def test_every_product_is_upstream_times_local_jacobian():
    model, X, t = mlp_and_data()
    loss = nn.MSELoss()(model(X), t)
    e = glass.explain_backward(loss, model, out=None)
    checked = 0
    for step in e:
        for inp in step.inputs:
            if inp.local is None:
                continue
            assert inp.local.shape == (step.upstream.size, inp.product.size)
            np.testing.assert_allclose(step.upstream.reshape(-1) @ inp.local, inp.product.reshape(-1), atol=1e-12)
            checked += 1
    assert checked >= 8  # every input of every op of this small network has its Jacobian


def test_mlp_with_mse_matches_autograd_and_numerical():
    model, X, t = mlp_and_data()
    loss = nn.MSELoss()(model(X), t)
    e = glass.explain_backward(loss, model, out=None)
    assert list(e.grads) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert set(e.leaves) == set(e.grads) and e.leaves["0.weight"] is model[0].weight
    loss.backward()
    params = dict(model.named_parameters())
    for name, p in params.items():
        np.testing.assert_allclose(e.grads[name], p.grad.numpy(), atol=1e-12)

    def f(w1, b1, w2, b2):
        hidden = torch.sigmoid(nn.functional.linear(X, w1, b1))
        return nn.functional.mse_loss(nn.functional.linear(hidden, w2, b2), t)
    numerical = numerical_grad(f, *params.values())
    for (name, _), num in zip(params.items(), numerical):
        assert np.abs(e.grads[name] - num.numpy()).max() < 1e-6, name


def test_local_jacobian_of_tanh_is_diag_one_minus_y_squared():
    x = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
    y = torch.tanh(x)
    e = glass.explain_backward(y.sum(), {"x": x}, out=None)
    tanh = next(s for s in e if s.op == "TanhBackward0")
    y_ = y.detach().numpy()
    np.testing.assert_allclose(tanh.inputs[0].local, np.diag(1 - y_ ** 2), atol=1e-14)
    np.testing.assert_allclose(e.grads["x"], 1 - y_ ** 2, atol=1e-14)


def test_a_value_used_twice_adds_its_gradients():
    x = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    e = glass.explain_backward(x * x + x, {"x": x}, out=None)  # d/dx = 2x + 1
    assert e.grads["x"].item() == pytest.approx(7.0)
    mul = next(s for s in e if s.op == "MulBackward0")
    assert [i.name for i in mul.inputs] == ["x", "x"] and [i.product.item() for i in mul.inputs] == [3.0, 3.0]


def test_large_tensors_keep_the_product_and_skip_the_jacobian():
    w = torch.randn(10, 10, requires_grad=True)  # 100 elements > 64
    e = glass.explain_backward((w * w).sum(), out=None)
    mul = next(s for s in e if s.op == "MulBackward0")
    assert mul.inputs[0].local is None and mul.inputs[0].product.shape == (10, 10)
    np.testing.assert_allclose(e.grads["input0"], 2 * w.detach().numpy(), rtol=1e-6)
    assert "too large" in e.details()


def test_existing_grads_are_left_alone():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * 3).sum().backward()
    before = w.grad.numpy().copy()
    glass.explain_backward((w * w).sum(), out=None)
    np.testing.assert_array_equal(w.grad.numpy(), before)


def test_bad_input_errors():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"scalar outputs .*\(2,\)"):
        glass.explain_backward(w * 2, out=None)
    with pytest.raises(RuntimeError, match="does not require grad"):
        glass.explain_backward(torch.tensor(1.0), out=None)
    loss = (w * w).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        glass.explain_backward(loss, out=None)


def test_table_and_details_are_readable():
    model, X, t = mlp_and_data()
    e = glass.explain_backward(nn.MSELoss()(model(X), t), model, out=None)
    table = e.table()
    for word in ("LinearBackward0", "SigmoidBackward0", "0.weight (3, 2)", "passed on dL/dx", "dL/d2.bias"):
        assert word in table
    assert "local dsigmoid1/dlinear1 =" in e.details()
    assert repr(e).startswith("Explanation(6 steps")
