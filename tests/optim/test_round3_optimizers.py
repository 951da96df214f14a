"""Round 3: every torch.optim optimizer against PyTorch 2.13 on the same model and data, with two param
groups (the second with its own lr), for 10 steps: parameters and state tensors must agree."""
import copy
import warnings

import numpy as np
import pytest
import torch

import glasstorch

RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 3)).astype(np.float32)
Y = RNG.standard_normal((8, 2)).astype(np.float32)
W1 = RNG.standard_normal((4, 3)).astype(np.float32) * 0.5
B1 = RNG.standard_normal((4,)).astype(np.float32) * 0.1
W2 = RNG.standard_normal((2, 4)).astype(np.float32) * 0.5


def make_params(lib):
    return [lib.tensor(a.copy(), requires_grad=True) for a in (W1, B1, W2)]


def loss_fn(lib, params):
    w1, b1, w2 = params
    h = lib.tanh(lib.tensor(X) @ w1.T + b1)
    return ((h @ w2.T - lib.tensor(Y)) ** 2).mean()


def groups(params, opts, lr2):
    second = dict(params=[params[2]])
    if lr2 is not None:
        second["lr"] = lr2
    return [dict(params=params[:2]), second]


CASES = [
    ("NAdam", dict(), 0.01),
    ("NAdam", dict(lr=0.01, weight_decay=0.1), None),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True), 0.02),
    ("NAdam", dict(lr=0.01, momentum_decay=0.01, betas=(0.8, 0.99)), 0.005),
    ("RAdam", dict(), 0.01),
    ("RAdam", dict(lr=0.01, weight_decay=0.1), 0.02),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True), None),
    ("RAdam", dict(lr=0.01, betas=(0.5, 0.6)), 0.02),       # ρ_t > 5 early: the rectified branch
    ("Adamax", dict(), 0.01),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True), None),
    ("Adamax", dict(lr=0.05, betas=(0.5, 0.9), eps=1e-4), 0.01),
    ("Rprop", dict(), 0.02),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.1)), None),
    ("Rprop", dict(lr=0.05, maximize=True), 0.01),
    ("ASGD", dict(), 0.05),
    ("ASGD", dict(lr=0.1, lambd=0.01, alpha=0.5, t0=3, weight_decay=0.1), 0.05),
    ("ASGD", dict(lr=0.1, t0=0, maximize=True), None),
    ("Adafactor", dict(), 0.05),
    ("Adafactor", dict(lr=0.05, weight_decay=0.1, beta2_decay=-0.5, d=1.5), None),
    ("Adafactor", dict(lr=0.05, eps=(1e-20, 1e-2), maximize=True), 0.02),
    # the existing ones, on two groups, with options
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True), 0.05),
    ("SGD", dict(lr=0.1, momentum=0.5, fused=True), 0.05),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True), 0.02),
    ("Adam", dict(lr=0.01, fused=True), 0.02),
    ("AdamW", dict(lr=0.01, weight_decay=0.2, foreach=False), 0.02),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, maximize=True), 0.02),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, fused=True), 0.05),
    ("Adadelta", dict(lr=1.0, rho=0.8, weight_decay=0.1, maximize=True), 0.5),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in o.items()) or 'defaults'}-lr2={lr2}" for n, o, lr2 in CASES]


def run(lib, name, opts, lr2, steps=10, tensor_lr=False):
    params = make_params(lib)
    o = dict(opts)
    if tensor_lr:
        o["lr"] = lib.tensor(o["lr"])
    opt = getattr(lib.optim, name)(groups(params, o, lr2), **o)
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(lib, params).backward()
        opt.step()
    return params, opt


def to_np(v):
    return v.detach().numpy() if hasattr(v, "detach") else np.asarray(v)


def compare_states(g_opt, t_opt, rtol, atol):
    gs, ts = g_opt.state_dict(), t_opt.state_dict()
    assert set(gs) == set(ts) == {"state", "param_groups"}
    assert sorted(gs["state"]) == sorted(ts["state"])
    for k in ts["state"]:
        assert set(gs["state"][k]) == set(ts["state"][k]), k
        for key, tv in ts["state"][k].items():
            gv = gs["state"][k][key]
            if isinstance(tv, torch.Tensor):
                assert isinstance(gv, glasstorch.Tensor), key
                assert str(gv.dtype).split(".")[-1] == str(tv.dtype).split(".")[-1], key
                assert tuple(gv.shape) == tuple(tv.shape), key
                np.testing.assert_allclose(to_np(gv), to_np(tv), rtol=rtol, atol=atol, err_msg=key)
            else:
                assert gv == tv, key
    for gg, tg in zip(gs["param_groups"], ts["param_groups"]):
        assert set(gg) == set(tg)
        assert gg["params"] == tg["params"]


@pytest.mark.parametrize("name,opts,lr2", CASES, ids=IDS)
def test_trajectory(name, opts, lr2):
    g_params, g_opt = run(glasstorch, name, opts, lr2)
    t_params, t_opt = run(torch, name, opts, lr2)
    tol = 2e-5 if name != "Rprop" else 1e-5
    for g, t in zip(g_params, t_params):
        np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=tol, atol=tol)
    compare_states(g_opt, t_opt, rtol=1e-4, atol=1e-5)
    assert repr(g_opt) == repr(t_opt)


@pytest.mark.parametrize("name,opts,lr2", [c for c in CASES if "lr" in c[1] and "fused" not in c[1]][::2])
def test_tensor_lr(name, opts, lr2):
    """A 1-element tensor lr gives the same trajectory as the number."""
    g_params, _ = run(glasstorch, name, opts, lr2, steps=4, tensor_lr=True)
    t_params, _ = run(torch, name, opts, lr2, steps=4)
    for g, t in zip(g_params, t_params):
        np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=2e-5, atol=2e-5)


def test_tensor_lr_must_be_one_element():
    for lib in (glasstorch, torch):
        with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
            lib.optim.NAdam(make_params(lib), lr=lib.tensor([0.1, 0.2]))


ALL = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "NAdam", "RAdam", "Adamax", "Rprop", "ASGD"]


@pytest.mark.parametrize("name", ALL)
def test_differentiable_refused(name):
    with pytest.raises(NotImplementedError, match="differentiable"):
        getattr(glasstorch.optim, name)(make_params(glasstorch), differentiable=True)


@pytest.mark.parametrize("name", ALL + ["Adafactor", "LBFGS", "SparseAdam", "Muon"])
def test_fused_accepted_where_pytorch_has_it(name):
    """fused= exists (and works on CPU) for SGD, Adam, AdamW, Adagrad in PyTorch 2.13; elsewhere TypeError."""
    def build(lib):
        params = make_params(lib) if name != "Muon" else [lib.tensor(W1.copy(), requires_grad=True)]
        return getattr(lib.optim, name)(params, fused=True)
    try:
        build(torch)
    except TypeError:
        with pytest.raises(TypeError):
            build(glasstorch)
        return
    build(glasstorch)


def test_fused_and_foreach_together():
    for lib in (glasstorch, torch):
        with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together."):
            lib.optim.Adam(make_params(lib), fused=True, foreach=True)


BAD = [
    ("NAdam", dict(lr=-1)), ("NAdam", dict(eps=-1)), ("NAdam", dict(betas=(1.0, 0.9))),
    ("NAdam", dict(betas=(0.9, 1.0))), ("NAdam", dict(weight_decay=-1)), ("NAdam", dict(momentum_decay=-1)),
    ("RAdam", dict(lr=-1)), ("RAdam", dict(betas=(0.9, -0.1))), ("RAdam", dict(weight_decay=-1)),
    ("Adamax", dict(lr=-1)), ("Adamax", dict(eps=-1)), ("Adamax", dict(betas=(-0.1, 0.9))),
    ("Rprop", dict(lr=-1)), ("Rprop", dict(etas=(1.2, 0.5))), ("Rprop", dict(etas=(0.0, 1.2))),
    ("ASGD", dict(lr=-1)), ("ASGD", dict(weight_decay=-1)),
    ("Adafactor", dict(lr=-1)), ("Adafactor", dict(beta2_decay=0.5)), ("Adafactor", dict(eps=(-1, 1e-3))),
    ("Adafactor", dict(eps=(None, -1))), ("Adafactor", dict(d=0.5)), ("Adafactor", dict(weight_decay=-1)),
    ("SparseAdam", dict(lr=0)), ("SparseAdam", dict(eps=0)), ("SparseAdam", dict(betas=(1.0, 0.9))),
    ("LBFGS", dict(lr=-1)),
    ("Muon", dict(lr=-1)), ("Muon", dict(momentum=-1)), ("Muon", dict(weight_decay=-1)),
    ("Muon", dict(adjust_lr_fn="nope")),
]


@pytest.mark.parametrize("name,opts", BAD, ids=[f"{n}-{o}" for n, o in BAD])
def test_bad_hyper_parameters(name, opts):
    msgs = []
    for lib in (torch, glasstorch):
        params = [lib.tensor(W1.copy(), requires_grad=True)]
        with pytest.raises(ValueError) as info:
            getattr(lib.optim, name)(params, **opts)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_sparse_adam_refuses_dense_gradients():
    for lib in (torch, glasstorch):
        params = make_params(lib)
        opt = lib.optim.SparseAdam(params, lr=0.01)
        loss_fn(lib, params).backward()
        with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients, please consider Adam"):
            opt.step()
    g, t = glasstorch.optim.SparseAdam(make_params(glasstorch)), torch.optim.SparseAdam(make_params(torch))
    assert repr(g) == repr(t)
    assert g.state_dict()["param_groups"] == t.state_dict()["param_groups"]


def test_muon_close_to_pytorch():
    """Muon's Newton-Schulz iteration runs in bfloat16: agreement to bfloat16 precision."""
    def run_muon(lib, **opts):
        w = [lib.tensor(W1.copy(), requires_grad=True), lib.tensor(W2.copy(), requires_grad=True)]
        opt = lib.optim.Muon([dict(params=[w[0]]), dict(params=[w[1]], lr=0.01)], lr=0.02, **opts)
        for _ in range(5):
            opt.zero_grad()
            h = lib.tanh(lib.tensor(X) @ w[0].T)
            ((h @ w[1].T - lib.tensor(Y)) ** 2).mean().backward()
            opt.step()
        return w, opt
    for opts in (dict(), dict(nesterov=False, weight_decay=0.0), dict(adjust_lr_fn="match_rms_adamw")):
        g, g_opt = run_muon(glasstorch, **opts)
        t, t_opt = run_muon(torch, **opts)
        for a, b in zip(g, t):
            np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=0, atol=2e-3)
        assert repr(g_opt) == repr(t_opt)
    for lib in (torch, glasstorch):
        with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
            lib.optim.Muon([lib.tensor(B1.copy(), requires_grad=True)])


# -- LBFGS --------------------------------------------------------------------------------------------------
def rosenbrock(lib, xy):
    x, y = xy[0], xy[1]
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


LBFGS_CASES = [
    dict(line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", history_size=3, max_iter=5),
    dict(lr=0.1),
    dict(lr=0.5, history_size=2, max_iter=7, max_eval=9),
    dict(line_search_fn="strong_wolfe", tolerance_grad=1e-3, tolerance_change=1e-6),
]


@pytest.mark.parametrize("opts", LBFGS_CASES, ids=[str(o) for o in LBFGS_CASES])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_lbfgs_rosenbrock(opts, dtype):
    results = []
    for lib in (glasstorch, torch):
        xy = lib.tensor([-1.5, 2.0], dtype=getattr(lib, dtype), requires_grad=True)
        opt = lib.optim.LBFGS([xy], **opts)
        calls = []

        def closure():
            opt.zero_grad()
            loss = rosenbrock(lib, xy)
            loss.backward()
            calls.append(1)
            return loss
        # float32 on Rosenbrock is chaotic (one-ulp differences grow), so it is compared after one step
        losses = [float(opt.step(closure)) for _ in range(6 if dtype == "float64" else 1)]
        st = opt.state[xy]
        results.append((xy.detach().numpy().copy(), losses, len(calls), st["func_evals"], st["n_iter"],
                        len(st["old_dirs"]), opt.state_dict()))
    (gx, gl, gc, gf, gn, gd, gsd), (tx, tl, tc, tf, tn, td, tsd) = results
    tol = 1e-6 if dtype == "float64" else 1e-3
    np.testing.assert_allclose(gx, tx, rtol=tol, atol=tol)
    np.testing.assert_allclose(gl, tl, rtol=tol, atol=tol)
    assert (gc, gf, gn, gd) == (tc, tf, tn, td)
    assert set(gsd["state"][0]) == set(tsd["state"][0])
    assert gsd["param_groups"] == tsd["param_groups"]


def test_lbfgs_converges_to_rosenbrock_minimum():
    xy = glasstorch.tensor([-1.5, 2.0], dtype=glasstorch.float64, requires_grad=True)
    opt = glasstorch.optim.LBFGS([xy], line_search_fn="strong_wolfe", max_iter=100)

    def closure():
        opt.zero_grad()
        loss = rosenbrock(glasstorch, xy)
        loss.backward()
        return loss
    for _ in range(3):
        opt.step(closure)
    np.testing.assert_allclose(xy.detach().numpy(), [1.0, 1.0], atol=1e-5)


def test_lbfgs_on_a_model_and_errors():
    results = []
    for lib in (glasstorch, torch):
        params = make_params(lib)
        opt = lib.optim.LBFGS(params, lr=0.5, line_search_fn="strong_wolfe", history_size=5, max_iter=8)

        def closure():
            opt.zero_grad()
            loss = loss_fn(lib, params)
            loss.backward()
            return loss
        for _ in range(3):
            opt.step(closure)
        results.append([p.detach().numpy().copy() for p in params])
        assert "LBFGS" in repr(opt)
        with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
            lib.optim.LBFGS(groups(make_params(lib), {}, 0.1))
        bad = lib.optim.LBFGS(make_params(lib), line_search_fn="armijo")
        p = bad.param_groups[0]["params"]

        def closure2():
            bad.zero_grad()
            loss = loss_fn(lib, p)
            loss.backward()
            return loss
        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            bad.step(closure2)
    for g, t in zip(*results):
        np.testing.assert_allclose(g, t, rtol=1e-4, atol=1e-4)
    assert repr(glasstorch.optim.LBFGS(make_params(glasstorch))) == repr(torch.optim.LBFGS(make_params(torch)))


@pytest.mark.parametrize("name,opts", [("Adafactor", dict(lr=0.05)), ("Adafactor", dict(lr=0.05, weight_decay=0.1)),
                                       ("NAdam", dict(lr=0.05)), ("RAdam", dict(lr=0.05)), ("Rprop", dict()),
                                       ("ASGD", dict(t0=2)), ("Adamax", dict())])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_higher_dim_and_float64(name, opts, dtype):
    """A 3-D parameter (Adafactor factors the last two dims) and float64 parameters."""
    rng = np.random.default_rng(3)
    w0 = rng.standard_normal((2, 3, 4))
    target = rng.standard_normal((2, 3, 4))
    out = []
    for lib in (glasstorch, torch):
        w = lib.tensor(w0.astype(dtype), requires_grad=True)
        opt = getattr(lib.optim, name)([w], **opts)
        for _ in range(10):
            opt.zero_grad()
            ((w - lib.tensor(target.astype(dtype))) ** 4).sum().backward()
            opt.step()
        out.append((w.detach().numpy(), opt.state_dict()))
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=tol, atol=tol)
    for key, tv in out[1][1]["state"][0].items():
        gv = out[0][1]["state"][0][key]
        assert tuple(gv.shape) == tuple(tv.shape), key
        assert str(gv.dtype).split(".")[-1] == str(tv.dtype).split(".")[-1], key


def test_lbfgs_state_dict_round_trip():
    def closure_for(opt, xy):
        def closure():
            opt.zero_grad()
            loss = rosenbrock(glasstorch, xy)
            loss.backward()
            return loss
        return closure
    xy = glasstorch.tensor([-1.5, 2.0], dtype=glasstorch.float64, requires_grad=True)
    opt = glasstorch.optim.LBFGS([xy], max_iter=4, line_search_fn="strong_wolfe")
    opt.step(closure_for(opt, xy))
    saved = copy.deepcopy(opt.state_dict())
    xy2 = glasstorch.tensor(xy.detach().numpy().copy(), requires_grad=True)
    opt2 = glasstorch.optim.LBFGS([xy2], max_iter=4, line_search_fn="strong_wolfe")
    opt2.load_state_dict(saved)
    opt.step(closure_for(opt, xy))
    opt2.step(closure_for(opt2, xy2))
    np.testing.assert_array_equal(xy.detach().numpy(), xy2.detach().numpy())
