"""glasstorch.optim against torch.optim: the same parameters and the same gradients go into both, and the
parameters and every state tensor must agree after each step."""
import copy
import math

import numpy as np
import pytest
import torch

import glasstorch

SHAPES = [(4, 3), (5,), (2, 3, 2), (1,)]
STEPS = 20

# (name, constructor options) for every option combination that changes the update
CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.1, weight_decay=0.2, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, nesterov=True, weight_decay=0.3, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, maximize=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.2, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.5, betas=(0.5, 0.9))),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, eps=1e-6, maximize=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.1, weight_decay=0.2)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5)),
    ("Adadelta", dict(rho=0.95, eps=1e-4, weight_decay=0.1)),
    ("Adadelta", dict(lr=2.0, maximize=True, weight_decay=0.05)),
]
CASE_IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in opts.items()) or 'defaults'}" for name, opts in CASES]

# Relative tolerances. One-ulp differences (PyTorch's vectorized sqrt, fused multiply-adds) are unavoidable,
# and a momentum buffer may cancel (9.99 - 10.8), so the absolute tolerance scales with the array's largest value.
TOL = {np.float32: 1e-6, np.float64: 1e-12}


def assert_close(got, want, rel, message):
    scale = max(1.0, float(np.abs(want).max())) if np.size(want) else 1.0
    np.testing.assert_allclose(got, want, rtol=rel, atol=rel * scale, err_msg=message)


def initial_arrays(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def gradient_arrays(dtype, step, seed=100):
    """The gradients fed at ``step``: seeded random values, the same for both libraries. At step 4 the
    third parameter gets no gradient (its update is skipped), and the last one has none before step 3 (its
    state starts late)."""
    rng = np.random.default_rng(seed + step)
    grads = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    if step == 4:
        grads[2] = None
    if step < 3:
        grads[3] = None
    return grads


def build(lib, name, opts, arrays):
    """Two param groups: the first with its own lr, the second with the constructor's options."""
    params = [lib.tensor(a.copy(), requires_grad=True) for a in arrays]
    lr0 = opts.get("lr", 1e-3) * 0.5
    groups = [{"params": params[:2], "lr": lr0}, {"params": params[2:]}]
    return params, getattr(lib.optim, name)(groups, **opts)


def set_grads(lib, params, grads):
    for p, g in zip(params, grads):
        p.grad = None if g is None else lib.tensor(g.copy())


def assert_state_matches(g_opt, t_opt, g_params, t_params, tol, where):
    for i, (gp, tp) in enumerate(zip(g_params, t_params)):
        assert_close(gp.detach().numpy(), tp.detach().numpy(), tol, f"{where}: param {i}")
        t_state, g_state = t_opt.state.get(tp, {}), g_opt.state.get(gp, {})
        assert list(g_state) == list(t_state), f"{where}: param {i} state keys {list(g_state)} != {list(t_state)}"
        for key, t_value in t_state.items():
            g_value = g_state[key]
            assert isinstance(g_value, glasstorch.Tensor), f"{where}: state {key} is not a Tensor"
            assert str(g_value.dtype).split(".")[-1] == str(t_value.dtype).split(".")[-1], f"{where}: {key} dtype"
            assert tuple(g_value.shape) == tuple(t_value.shape), f"{where}: {key} shape"
            assert_close(g_value.numpy(), t_value.numpy(), tol, f"{where}: param {i} {key}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name,opts", CASES, ids=CASE_IDS)
def test_steps_match_torch(name, opts, dtype):
    arrays = initial_arrays(dtype)
    t_params, t_opt = build(torch, name, opts, arrays)
    g_params, g_opt = build(glasstorch, name, opts, arrays)
    for step in range(STEPS):
        grads = gradient_arrays(dtype, step)
        set_grads(torch, t_params, grads)
        set_grads(glasstorch, g_params, grads)
        t_opt.step()
        g_opt.step()
        assert_state_matches(g_opt, t_opt, g_params, t_params, TOL[dtype], f"step {step + 1}")
    for p in g_params:
        assert p._array.dtype == dtype


@pytest.mark.parametrize("name,opts", CASES[::3], ids=CASE_IDS[::3])
def test_state_dict_structure_matches_torch(name, opts):
    arrays = initial_arrays(np.float32)
    t_params, t_opt = build(torch, name, opts, arrays)
    g_params, g_opt = build(glasstorch, name, opts, arrays)
    assert g_opt.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]
    assert list(g_opt.state_dict()["state"]) == list(t_opt.state_dict()["state"])
    for step in range(5):
        grads = gradient_arrays(np.float32, step)
        set_grads(torch, t_params, grads)
        set_grads(glasstorch, g_params, grads)
        t_opt.step()
        g_opt.step()
    t_sd, g_sd = t_opt.state_dict(), g_opt.state_dict()
    assert list(g_sd) == ["state", "param_groups"]
    assert g_sd["param_groups"] == t_sd["param_groups"]
    assert [list(group) for group in g_sd["param_groups"]] == [list(group) for group in t_sd["param_groups"]]
    assert list(g_sd["state"]) == list(t_sd["state"])
    for index, t_state in t_sd["state"].items():
        assert list(g_sd["state"][index]) == list(t_state)
        for key, t_value in t_state.items():
            np.testing.assert_allclose(g_sd["state"][index][key].numpy(), t_value.numpy(), rtol=1e-5, atol=1e-7)
    assert repr(g_opt) == repr(t_opt)


@pytest.mark.parametrize("name,opts", CASES, ids=CASE_IDS)
def test_save_and_resume_equals_uninterrupted(name, opts):
    arrays = initial_arrays(np.float32)
    params, opt = build(glasstorch, name, opts, arrays)
    for step in range(10):
        set_grads(glasstorch, params, gradient_arrays(np.float32, step))
        opt.step()
    uninterrupted = [p.detach().numpy().copy() for p in params]

    params, opt = build(glasstorch, name, opts, arrays)
    for step in range(5):
        set_grads(glasstorch, params, gradient_arrays(np.float32, step))
        opt.step()
    saved = copy.deepcopy(opt.state_dict())
    saved_params = [p.detach().numpy().copy() for p in params]
    del opt
    params, opt = build(glasstorch, name, opts, saved_params)
    opt.load_state_dict(saved)
    for step in range(5, 10):
        set_grads(glasstorch, params, gradient_arrays(np.float32, step))
        opt.step()
    for p, want in zip(params, uninterrupted):
        np.testing.assert_array_equal(p.detach().numpy(), want)


def test_load_torch_state_dict_values_and_continue():
    """A state dict with torch's layout (tensors converted) loads, and the run continues like torch's."""
    arrays = initial_arrays(np.float32)
    t_params, t_opt = build(torch, "Adam", dict(lr=0.01, amsgrad=True), arrays)
    for step in range(5):
        set_grads(torch, t_params, gradient_arrays(np.float32, step))
        t_opt.step()
    t_sd = t_opt.state_dict()
    converted = {"state": {i: {k: glasstorch.tensor(v.numpy().copy()) for k, v in s.items()}
                           for i, s in t_sd["state"].items()},
                 "param_groups": copy.deepcopy(t_sd["param_groups"])}
    g_params, g_opt = build(glasstorch, "Adam", dict(lr=0.01, amsgrad=True), [p.detach().numpy() for p in t_params])
    g_opt.load_state_dict(converted)
    for step in range(5, 10):
        grads = gradient_arrays(np.float32, step)
        set_grads(torch, t_params, grads)
        set_grads(glasstorch, g_params, grads)
        t_opt.step()
        g_opt.step()
        assert_state_matches(g_opt, t_opt, g_params, t_params, TOL[np.float32], f"step {step + 1}")


def test_load_state_dict_casts_to_param_dtype_and_copies():
    p = glasstorch.zeros(3, dtype=glasstorch.float64, requires_grad=True)
    opt = glasstorch.optim.Adam([p])
    state = {"step": glasstorch.tensor(2.0), "exp_avg": glasstorch.ones(3), "exp_avg_sq": glasstorch.ones(3)}
    opt.load_state_dict({"state": {0: state}, "param_groups": [opt.state_dict()["param_groups"][0]]})
    loaded = opt.state[p]
    assert loaded["exp_avg"].dtype == glasstorch.float64
    assert loaded["step"].dtype == glasstorch.float32
    assert loaded["exp_avg"] is not state["exp_avg"]
    assert opt.param_groups[0]["params"][0] is p


def test_load_state_dict_errors_match_torch():
    for lib in (torch, glasstorch):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
        opt = lib.optim.SGD([a, b], lr=0.1)
        two_groups = lib.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict()
        with pytest.raises(ValueError, match="loaded state dict has a different number of parameter groups"):
            opt.load_state_dict(two_groups)
        one_param = lib.optim.SGD([a], lr=0.1).state_dict()
        with pytest.raises(ValueError, match="loaded state dict contains a parameter group that doesn't match the "
                                             "size of optimizer's group"):
            opt.load_state_dict(one_param)


def test_loaded_group_options_replace_constructor_options():
    a = glasstorch.zeros(2, requires_grad=True)
    saved = glasstorch.optim.SGD([a], lr=0.5, momentum=0.9).state_dict()
    opt = glasstorch.optim.SGD([a], lr=0.1)
    opt.load_state_dict(saved)
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["momentum"] == 0.9


INVALID = [
    ("SGD", dict(lr=-1)), ("SGD", dict(momentum=-0.5)), ("SGD", dict(weight_decay=-1e-3)),
    ("SGD", dict(nesterov=True)), ("SGD", dict(momentum=0.9, dampening=0.1, nesterov=True)),
    ("Adam", dict(lr=-1)), ("Adam", dict(eps=-1)), ("Adam", dict(betas=(1.0, 0.999))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-1)), ("AdamW", dict(lr=-0.5)),
    ("AdamW", dict(betas=(0.9, 1.5))),
    ("RMSprop", dict(lr=-1)), ("RMSprop", dict(eps=-1)), ("RMSprop", dict(momentum=-1)),
    ("RMSprop", dict(weight_decay=-1)), ("RMSprop", dict(alpha=-1)),
    ("Adagrad", dict(lr=-1)), ("Adagrad", dict(lr_decay=-1)), ("Adagrad", dict(weight_decay=-1)),
    ("Adagrad", dict(initial_accumulator_value=-1)), ("Adagrad", dict(eps=-1)),
    ("Adadelta", dict(lr=-1)), ("Adadelta", dict(rho=1.5)), ("Adadelta", dict(eps=-1)),
    ("Adadelta", dict(weight_decay=-1)),
]


@pytest.mark.parametrize("name,opts", INVALID)
def test_invalid_options_raise_like_torch(name, opts):
    with pytest.raises(ValueError) as t_err:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **opts)
    with pytest.raises(ValueError) as g_err:
        getattr(glasstorch.optim, name)([glasstorch.zeros(2, requires_grad=True)], **opts)
    assert str(g_err.value) == str(t_err.value)


def test_invalid_learning_rate_message():
    with pytest.raises(ValueError, match="^Invalid learning rate: -1$"):
        glasstorch.optim.SGD([glasstorch.zeros(1, requires_grad=True)], lr=-1)


def test_param_argument_errors_match_torch():
    for lib, typename in ((torch, "torch.FloatTensor"), (glasstorch, "torch.FloatTensor")):
        p = lib.zeros(2, requires_grad=True)
        with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got " + typename):
            lib.optim.SGD(p, lr=0.1)
        with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
            lib.optim.SGD([], lr=0.1)
        with pytest.raises(TypeError, match="ordering of tensors in sets will change"):
            lib.optim.SGD([{"params": {p}}], lr=0.1)
        with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is int"):
            lib.optim.SGD([p, 3], lr=0.1)
        with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
            lib.optim.SGD([p * 2], lr=0.1)
        opt = lib.optim.SGD([p], lr=0.1)
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            opt.add_param_group({"params": [p]})
        with pytest.raises(TypeError, match="param_group must be a dict"):
            opt.add_param_group([p])


def test_add_param_group_fills_defaults_and_steps():
    a, b = glasstorch.ones(2, requires_grad=True), glasstorch.ones(3, requires_grad=True)
    opt = glasstorch.optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
    assert opt.param_groups[1]["params"] == [b] or opt.param_groups[1]["params"][0] is b
    a.grad, b.grad = glasstorch.ones(2), glasstorch.ones(3)
    opt.step()
    np.testing.assert_allclose(b.detach().numpy(), 0.99, rtol=1e-6)
    np.testing.assert_allclose(a.detach().numpy(), 0.9, rtol=1e-6)


def test_params_from_a_generator_and_one_group():
    params = [glasstorch.ones(2, requires_grad=True) for _ in range(3)]
    opt = glasstorch.optim.Adam(p for p in params)
    assert len(opt.param_groups) == 1 and len(opt.param_groups[0]["params"]) == 3


def test_adamw_is_adam_with_decoupled_decay():
    p = glasstorch.ones(2, requires_grad=True)
    opt = glasstorch.optim.AdamW([p])
    assert isinstance(opt, glasstorch.optim.Adam)
    assert opt.defaults["weight_decay"] == 1e-2 and opt.defaults["decoupled_weight_decay"] is True


def test_adagrad_state_exists_before_the_first_step():
    arrays = initial_arrays(np.float32)
    t_params, t_opt = build(torch, "Adagrad", dict(initial_accumulator_value=0.25), arrays)
    g_params, g_opt = build(glasstorch, "Adagrad", dict(initial_accumulator_value=0.25), arrays)
    assert_state_matches(g_opt, t_opt, g_params, t_params, TOL[np.float32], "before step")


def test_sgd_without_momentum_keeps_no_state():
    p = glasstorch.ones(2, requires_grad=True)
    opt = glasstorch.optim.SGD([p], lr=0.1)
    p.grad = glasstorch.ones(2)
    opt.step()
    assert opt.state_dict()["state"] == {}


def test_state_is_float32_for_float32_params_and_step_is_a_0d_float32_tensor():
    p = glasstorch.ones(3, requires_grad=True)
    for cls in (glasstorch.optim.Adam, glasstorch.optim.RMSprop, glasstorch.optim.Adadelta, glasstorch.optim.Adagrad):
        opt = cls([p], **({"momentum": 0.9, "centered": True} if cls is glasstorch.optim.RMSprop else {}))
        p.grad = glasstorch.full((3,), 1e-3)
        opt.step()
        for key, value in opt.state[p].items():
            assert value.dtype == glasstorch.float32, (cls.__name__, key)
        assert opt.state[p]["step"].shape == () and opt.state[p]["step"].item() == 1.0


def test_zero_grad():
    for lib in (torch, glasstorch):
        p = lib.ones(2, requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1)
        (p * 3).sum().backward()
        grad = p.grad
        opt.zero_grad(set_to_none=False)
        assert p.grad is grad and p.grad.tolist() == [0.0, 0.0]
        opt.zero_grad()
        assert p.grad is None
        opt.zero_grad()  # nothing to do


def test_step_with_closure_runs_with_grad_enabled_and_returns_the_loss():
    x = glasstorch.tensor([1.0, 2.0], requires_grad=True)
    opt = glasstorch.optim.SGD([x], lr=0.1)
    calls = []

    def closure():
        opt.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        calls.append(glasstorch.is_grad_enabled())
        return loss

    with glasstorch.no_grad():
        loss = opt.step(closure)
    assert calls == [True] and loss.item() == 5.0
    np.testing.assert_allclose(x.detach().numpy(), [0.8, 1.6], rtol=1e-6)
    assert opt.step() is None


def test_step_does_not_record_a_graph_and_bumps_the_version():
    x = glasstorch.tensor([1.0, 2.0], requires_grad=True)
    opt = glasstorch.optim.Adam([x], lr=0.1)
    (x * x).sum().backward()
    version = x._version
    opt.step()
    assert x.grad_fn is None and x.is_leaf and x.requires_grad
    assert x._version > version


def test_step_hooks():
    p = glasstorch.ones(2, requires_grad=True)
    opt = glasstorch.optim.SGD([p], lr=0.1)
    seen = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(("pre", o is opt)))
    post = opt.register_step_post_hook(lambda o, args, kwargs: seen.append(("post", p.tolist())))
    p.grad = glasstorch.ones(2)
    opt.step()
    assert seen[0] == ("pre", True) and seen[1][0] == "post"
    np.testing.assert_allclose(seen[1][1], [0.9, 0.9], rtol=1e-6)
    pre.remove()
    post.remove()
    opt.step()
    assert len(seen) == 2


def test_changing_group_lr_between_steps_is_used():
    p = glasstorch.zeros(1, requires_grad=True)
    opt = glasstorch.optim.SGD([p], lr=1.0)
    p.grad = glasstorch.ones(1)
    opt.step()
    opt.param_groups[0]["lr"] = 0.5
    opt.step()
    assert p.item() == -1.5


def test_differentiable_is_not_supported():
    with pytest.raises(NotImplementedError):
        glasstorch.optim.Adam([glasstorch.ones(1, requires_grad=True)], differentiable=True)


@pytest.mark.parametrize("name,opts", [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
                                       ("Adam", dict(lr=0.05)), ("AdamW", dict(lr=0.05, amsgrad=True)),
                                       ("RMSprop", dict(lr=0.01, centered=True)), ("Adagrad", dict(lr=0.1)),
                                       ("Adadelta", dict(lr=1.0))])
def test_fit_a_least_squares_model_like_torch(name, opts):
    """A real loop: forward, backward, step, zero_grad; the losses and weights follow torch's."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((32, 4)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0, 0.5, 3.0], dtype=np.float32) + 0.7).astype(np.float32)
    w0, b0 = rng.standard_normal(4).astype(np.float32), np.zeros(1, dtype=np.float32)
    results = {}
    for lib in (torch, glasstorch):
        w, b = lib.tensor(w0.copy(), requires_grad=True), lib.tensor(b0.copy(), requires_grad=True)
        opt = getattr(lib.optim, name)([w, b], **opts)
        Xt, yt = lib.tensor(X), lib.tensor(y)
        losses = []
        for _ in range(30):
            opt.zero_grad()
            loss = ((Xt @ w + b - yt) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        results[lib.__name__] = (losses, w.detach().numpy().copy(), b.detach().numpy().copy())
    t_losses, t_w, t_b = results["torch"]
    g_losses, g_w, g_b = results["glasstorch"]
    assert g_losses[-1] < g_losses[0]
    np.testing.assert_allclose(g_losses, t_losses, rtol=1e-4)
    np.testing.assert_allclose(g_w, t_w, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(g_b, t_b, rtol=1e-4, atol=1e-5)
    assert math.isfinite(g_losses[-1])
