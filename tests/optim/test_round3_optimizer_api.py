"""Round 3: the Optimizer base class against PyTorch 2.13: state_dict round trips, hooks, add_param_group,
zero_grad, swap_in_optimizer_params_and_state."""
import copy
import importlib

import numpy as np
import pytest
import torch

import glasstorch
from tests.optim.test_round3_optimizers import CASES, groups, loss_fn, make_params, run


def _same_structure(g, t):
    if isinstance(t, torch.Tensor):
        assert isinstance(g, glasstorch.Tensor)
        assert tuple(g.shape) == tuple(t.shape)
        assert str(g.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    elif isinstance(t, dict):
        assert set(g) == set(t)
        for k in t:
            _same_structure(g[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert type(g) is type(t) and len(g) == len(t)
        for a, b in zip(g, t):
            _same_structure(a, b)
    else:
        assert g == t


@pytest.mark.parametrize("name,opts,lr2", CASES[::2])
def test_state_dict_round_trip(name, opts, lr2):
    """Save after 3 steps, load into a fresh optimizer on fresh tensors, go on 3 steps: the same as 6 steps."""
    g_params, g_opt = run(glasstorch, name, opts, lr2, steps=3)
    t_params, t_opt = run(torch, name, opts, lr2, steps=3)
    _same_structure(g_opt.state_dict(), t_opt.state_dict())
    saved = copy.deepcopy(g_opt.state_dict())

    params = [glasstorch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in g_params]
    fresh = getattr(glasstorch.optim, name)(groups(params, opts, 123.0), **opts)
    fresh.load_state_dict(saved)
    assert fresh.param_groups[1]["lr"] == g_opt.param_groups[1]["lr"]
    for _ in range(3):
        fresh.zero_grad()
        loss_fn(glasstorch, params).backward()
        fresh.step()
    full, _ = run(glasstorch, name, opts, lr2, steps=6)
    for a, b in zip(params, full):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_state_dict_hooks_as_pytorch():
    logs = {}
    for lib in (glasstorch, torch):
        log = logs[lib.__name__] = []
        opt = lib.optim.Adam(make_params(lib))
        h1 = opt.register_state_dict_pre_hook(lambda o: log.append("pre"))
        opt.register_state_dict_pre_hook(lambda o: log.append("pre-first"), prepend=True)

        def post(o, sd):
            log.append("post")
            sd["extra"] = 1
        opt.register_state_dict_post_hook(post)
        opt.register_state_dict_post_hook(lambda o, sd: {**sd, "replaced": True})
        sd = opt.state_dict()
        log.append(sorted(sd))
        h1.remove()
        opt.state_dict()

        def load_pre(o, sd):
            log.append("load-pre")
            sd = dict(sd)
            sd.pop("extra", None)
            sd.pop("replaced", None)
            return sd
        opt.register_load_state_dict_pre_hook(load_pre)
        opt.register_load_state_dict_post_hook(lambda o: log.append("load-post"))
        opt.load_state_dict(sd)
        log.append(sorted(sd))  # the caller's dict is not changed
    assert logs["glasstorch"] == logs["torch"]


def test_step_hooks_as_pytorch():
    logs = {}
    for lib in (glasstorch, torch):
        log = logs[lib.__name__] = []
        params = make_params(lib)
        opt = lib.optim.NAdam(params)
        pre = opt.register_step_pre_hook(lambda o, args, kwargs: log.append(("pre", len(args), sorted(kwargs))))
        opt.register_step_post_hook(lambda o, args, kwargs: log.append(("post", len(args))))
        loss_fn(lib, params).backward()
        opt.step()
        pre.remove()
        opt.step()
    assert logs["glasstorch"] == logs["torch"]


def test_add_param_group_and_zero_grad():
    for lib in (glasstorch, torch):
        params = make_params(lib)
        opt = lib.optim.RAdam(params[:2], lr=0.1)
        opt.add_param_group({"params": params[2], "lr": 0.5})
        assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
        assert opt.param_groups[1]["betas"] == (0.9, 0.999)
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            opt.add_param_group({"params": [params[0]]})
        loss_fn(lib, params).backward()
        opt.zero_grad(set_to_none=False)
        assert all(float(p.grad.abs().sum()) == 0 for p in params)
        opt.zero_grad()
        assert all(p.grad is None for p in params)


def test_repr_of_every_optimizer():
    for name in ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "NAdam", "RAdam", "Adamax", "Rprop",
                 "ASGD", "Adafactor", "SparseAdam", "LBFGS"]:
        g = getattr(glasstorch.optim, name)(make_params(glasstorch))
        t = getattr(torch.optim, name)(make_params(torch))
        assert repr(g) == repr(t), name
        assert g.state_dict()["param_groups"] == t.state_dict()["param_groups"], name


def test_swap_in_optimizer_params_and_state():
    outs = []
    for lib in (glasstorch, torch):
        params = make_params(lib)
        opt = lib.optim.Adam(params, lr=0.1)
        loss_fn(lib, params).backward()
        opt.step()
        osd = copy.deepcopy(opt.state_dict())
        other = {f"p{i}": lib.tensor(p.detach().numpy() * 2, requires_grad=True) for i, p in enumerate(params)}
        for p in other.values():
            p.grad = lib.ones_like(p)
        before = [p.detach().numpy().copy() for p in params]
        with lib.optim.swap_in_optimizer_params_and_state(opt, other, osd):
            opt.step()
        for b, p in zip(before, params):
            np.testing.assert_array_equal(b, p.detach().numpy())       # the live parameters are untouched
        assert opt.param_groups[0]["params"][0] is params[0]
        outs.append(([p.detach().numpy() for p in other.values()], float(osd["state"][0]["step"])))
        bad = copy.deepcopy(osd)
        bad["param_groups"][0]["unknown"] = 1
        with pytest.raises(RuntimeError, match="Keys only in swap-in"):
            with lib.optim.swap_in_optimizer_params_and_state(opt, other, bad):
                pass
    for a, b in zip(outs[0][0], outs[1][0]):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert outs[0][1] == outs[1][1] == 2.0


def test_signatures_and_names_as_pytorch():
    import inspect

    def sig(f):
        return [(p.name, p.kind, repr(p.default)) for p in inspect.signature(f).parameters.values()]
    for name in torch.optim.__all__:
        t = getattr(torch.optim, name)
        g = getattr(glasstorch.optim, name)
        if inspect.isclass(t):
            assert sig(g.__init__) == sig(t.__init__), name
    assert set(torch.optim.lr_scheduler.__all__) <= set(glasstorch.optim.lr_scheduler.__all__)
    for name in torch.optim.lr_scheduler.__all__:
        t = getattr(torch.optim.lr_scheduler, name)
        if inspect.isclass(t) and name != "LRScheduler":
            assert sig(getattr(glasstorch.optim.lr_scheduler, name).__init__) == sig(t.__init__), name
    for name in torch.optim.swa_utils.__all__:
        t, g = getattr(torch.optim.swa_utils, name), getattr(glasstorch.optim.swa_utils, name)
        f, h = (t.__init__, g.__init__) if inspect.isclass(t) else (t, g)
        assert [p[:1] + p[2:] for p in sig(h)] == [p[:1] + p[2:] for p in sig(f)], name


def test_lbfgs_scheduler_order_warning():
    for lib in (glasstorch, torch):
        opt = lib.optim.LBFGS([lib.zeros(2, requires_grad=True)])
        s = lib.optim.lr_scheduler.StepLR(opt, 2)
        with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before"):
            s.step()


def test_global_step_hooks():
    logs = {}
    for lib in (glasstorch, torch):
        log = logs[lib.__name__] = []
        mod = importlib.import_module(lib.__name__ + ".optim.optimizer")
        h1 = mod.register_optimizer_step_pre_hook(lambda o, a, k: log.append(("gpre", type(o).__name__)))
        h2 = mod.register_optimizer_step_post_hook(lambda o, a, k: log.append(("gpost", len(a))))
        params = make_params(lib)
        opt = lib.optim.Adamax(params)
        opt.register_step_pre_hook(lambda o, a, k: log.append("pre"))
        opt.register_step_post_hook(lambda o, a, k: log.append("post"))
        loss_fn(lib, params).backward()
        opt.step()
        h1.remove()
        h2.remove()
        opt.step()
        bad = lib.optim.SGD(make_params(lib))
        bad.register_step_pre_hook(lambda o, a, k: 5)
        with pytest.raises(RuntimeError, match="must return None or a tuple of \\(new_args, new_kwargs\\)"):
            bad.step()
    assert logs["glasstorch"] == logs["torch"]
