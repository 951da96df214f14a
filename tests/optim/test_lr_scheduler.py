"""glasstorch.optim.lr_scheduler against torch.optim.lr_scheduler: the same schedule, step by step."""
import copy
import math
import warnings

import pytest
import torch

import glasstorch

REL = 1e-12


def make_optimizer(lib, kind="SGD", lrs=(0.1, 0.05)):
    groups = [{"params": [lib.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    if kind == "SGD":
        return lib.optim.SGD(groups, lr=lrs[0], momentum=0.9)
    return lib.optim.Adam(groups, lr=lrs[0])


def run(lib, make_scheduler, steps, kind="SGD", lrs=(0.1, 0.05), metrics=None):
    """Build the optimizer and scheduler(s), then step them ``steps`` times; returns the lrs (and momenta)
    of every group after construction and after each step."""
    opt = make_optimizer(lib, kind, lrs)
    schedulers = make_scheduler(lib.optim.lr_scheduler, opt)
    if not isinstance(schedulers, list):
        schedulers = [schedulers]
    history = [snapshot(opt, schedulers)]
    for i in range(steps):
        opt.step()
        for s in schedulers:
            if metrics is not None:
                s.step(metrics[i])
            else:
                s.step()
        history.append(snapshot(opt, schedulers))
    return history


def snapshot(opt, schedulers):
    lrs = [group["lr"] for group in opt.param_groups]
    momenta = [group.get("momentum", group.get("betas", (None,))[0]) for group in opt.param_groups]
    return lrs, momenta, [list(s.get_last_lr()) for s in schedulers]


def assert_same_history(got, want):
    assert len(got) == len(want)
    for step, ((g_lrs, g_mom, g_last), (t_lrs, t_mom, t_last)) in enumerate(zip(got, want)):
        for g, t in zip(g_lrs + g_mom + sum(g_last, []), t_lrs + t_mom + sum(t_last, [])):
            assert type(g) is type(t), f"step {step}: {g!r} vs {t!r}"
            if t is not None:
                assert math.isclose(g, t, rel_tol=REL, abs_tol=1e-15), f"step {step}: {g!r} != {t!r}"


def compare(make_scheduler, steps=60, kind="SGD", lrs=(0.1, 0.05), metrics=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the order optimizer.step() then scheduler.step() must not warn
        want = run(torch, make_scheduler, steps, kind, lrs, metrics)
        got = run(glasstorch, make_scheduler, steps, kind, lrs, metrics)
    assert_same_history(got, want)
    return got


SCHEDULES = {
    "StepLR-3-0.5": lambda S, o: S.StepLR(o, step_size=3, gamma=0.5),
    "StepLR-7": lambda S, o: S.StepLR(o, step_size=7),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[5, 10, 10, 25], gamma=0.3),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.95),
    "CosineAnnealingLR-10": lambda S, o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
    "CosineAnnealingLR-25": lambda S, o: S.CosineAnnealingLR(o, T_max=25),
    "CosineAnnealingLR-7": lambda S, o: S.CosineAnnealingLR(o, T_max=7, eta_min=0.02),
    "LambdaLR": lambda S, o: S.LambdaLR(o, lambda e: 0.97 ** e),
    "LambdaLR-list": lambda S, o: S.LambdaLR(o, [lambda e: 1 / (1 + e), lambda e: min(1.0, (e + 1) / 10)]),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 0.99),
    "LinearLR-warmup": lambda S, o: S.LinearLR(o, start_factor=0.25, total_iters=8),
    "LinearLR-decay": lambda S, o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=20),
    "LinearLR-defaults": lambda S, o: S.LinearLR(o),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=4),
    "ConstantLR-defaults": lambda S, o: S.ConstantLR(o),
    "SequentialLR-warmup-cosine": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=5), S.CosineAnnealingLR(o, T_max=20)], milestones=[5]),
    "SequentialLR-three": lambda S, o: S.SequentialLR(
        o, [S.ConstantLR(o, factor=0.2, total_iters=10), S.ExponentialLR(o, gamma=0.9), S.StepLR(o, 4, 0.5)],
        milestones=[3, 12]),
    "SequentialLR-lambda-multistep": lambda S, o: S.SequentialLR(
        o, [S.LambdaLR(o, lambda e: (e + 1) / 4), S.MultiStepLR(o, [10, 20])], milestones=[4]),
    "chained-by-hand": lambda S, o: [S.ExponentialLR(o, gamma=0.9), S.StepLR(o, step_size=3, gamma=0.5)],
    "chained-cosine-linear": lambda S, o: [S.CosineAnnealingLR(o, T_max=12), S.LinearLR(o, 0.5, total_iters=6)],
    "ChainedScheduler": lambda S, o: S.ChainedScheduler([S.ConstantLR(o, factor=0.1, total_iters=2),
                                                         S.ExponentialLR(o, gamma=0.9)]),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_matches_torch(name):
    compare(SCHEDULES[name], steps=60)


ONE_CYCLE = {
    "cos": dict(max_lr=1.0, total_steps=50),
    "linear": dict(max_lr=[0.5, 0.2], total_steps=40, anneal_strategy="linear", pct_start=0.25),
    "three-phase": dict(max_lr=0.3, total_steps=60, three_phase=True, div_factor=10.0, final_div_factor=100.0),
    "epochs": dict(max_lr=0.1, epochs=5, steps_per_epoch=9, base_momentum=0.8, max_momentum=[0.9, 0.99]),
    "no-momentum": dict(max_lr=0.1, total_steps=30, cycle_momentum=False),
}


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
@pytest.mark.parametrize("name", list(ONE_CYCLE))
def test_one_cycle_matches_torch_with_momentum(name, kind):
    opts = ONE_CYCLE[name]
    total = opts.get("total_steps") or opts["epochs"] * opts["steps_per_epoch"]
    history = compare(lambda S, o: S.OneCycleLR(o, **opts), steps=total - 1, kind=kind)
    if opts.get("cycle_momentum", True):
        momenta = [m[0] for _, m, _ in history]
        assert min(momenta) < max(momenta)  # the momentum did cycle


def test_one_cycle_sets_betas_and_group_keys():
    opt = make_optimizer(glasstorch, "Adam")
    glasstorch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10)
    group = opt.param_groups[0]
    assert group["betas"] == (0.95, 0.999)
    assert group["initial_lr"] == 0.5 / 25 and group["max_lr"] == 0.5 and group["min_lr"] == 0.5 / 25 / 1e4


def test_one_cycle_errors_match_torch():
    for lib in (torch, glasstorch):
        S = lib.optim.lr_scheduler
        with pytest.raises(ValueError, match="You must define either total_steps OR"):
            S.OneCycleLR(make_optimizer(lib), max_lr=0.1)
        with pytest.raises(ValueError, match="Expected float between 0 and 1 pct_start"):
            S.OneCycleLR(make_optimizer(lib), max_lr=0.1, total_steps=10, pct_start=1)
        with pytest.raises(ValueError, match="anneal_strategy must be one of"):
            S.OneCycleLR(make_optimizer(lib), max_lr=0.1, total_steps=10, anneal_strategy="exp")
        opt = make_optimizer(lib)
        s = S.OneCycleLR(opt, max_lr=0.1, total_steps=3)
        with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
            for _ in range(4):
                opt.step()
                s.step()
        rms = lib.optim.Adagrad([lib.zeros(1, requires_grad=True)])
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            S.OneCycleLR(rms, max_lr=0.1, total_steps=10)


METRICS = [1.0, 0.9, 0.91, 0.92, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75,
           0.76, 0.77, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
PLATEAU = {
    "defaults": dict(),
    "min-rel": dict(mode="min", factor=0.5, patience=2, cooldown=1, min_lr=0.01),
    "min-abs": dict(mode="min", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs"),
    "max-rel": dict(mode="max", factor=0.5, patience=0, threshold=0.01),
    "max-abs-minlrs": dict(mode="max", factor=0.2, patience=1, threshold=0.0, threshold_mode="abs",
                           min_lr=[0.02, 0.001], cooldown=2),
    "eps": dict(factor=0.5, patience=0, eps=0.02),
}


@pytest.mark.parametrize("name", list(PLATEAU))
def test_reduce_lr_on_plateau_matches_torch(name):
    opts = PLATEAU[name]
    for metrics in (METRICS, [-m for m in METRICS]):
        got = compare(lambda S, o: S.ReduceLROnPlateau(o, **opts), steps=len(metrics), metrics=metrics)
    if name != "defaults":
        assert got[-1][0] != got[0][0]  # it did reduce


def test_reduce_lr_on_plateau_accepts_a_tensor_metric_and_state_dict():
    opt = make_optimizer(glasstorch)
    s = glasstorch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    s.step(glasstorch.tensor(1.0))
    s.step(glasstorch.tensor(2.0))
    assert s.get_last_lr() == [0.1 * 0.1, 0.05 * 0.1]
    state = s.state_dict()
    assert "optimizer" not in state and state["best"] == 1.0 and state["num_bad_epochs"] == 0
    t_state = torch.optim.lr_scheduler.ReduceLROnPlateau(make_optimizer(torch)).state_dict()
    assert set(t_state) <= set(state)


def test_reduce_lr_on_plateau_errors():
    for lib in (torch, glasstorch):
        S = lib.optim.lr_scheduler
        with pytest.raises(ValueError, match="Factor should be < 1.0."):
            S.ReduceLROnPlateau(make_optimizer(lib), factor=1.0)
        with pytest.raises(ValueError, match="mode avg is unknown!"):
            S.ReduceLROnPlateau(make_optimizer(lib), mode="avg")
        with pytest.raises(ValueError, match="threshold mode x is unknown!"):
            S.ReduceLROnPlateau(make_optimizer(lib), threshold_mode="x")
        with pytest.raises(ValueError, match="expected 2 min_lrs, got 3"):
            S.ReduceLROnPlateau(make_optimizer(lib), min_lr=[0, 0, 0])


@pytest.mark.parametrize("name", ["StepLR-3-0.5", "CosineAnnealingLR-10", "LambdaLR", "MultiplicativeLR",
                                  "LinearLR-warmup", "SequentialLR-warmup-cosine", "SequentialLR-three",
                                  "ChainedScheduler"])
def test_state_dict_round_trip(name):
    """Save optimizer and scheduler after 12 steps, restore into new ones, continue: same lrs as never stopping."""
    make = SCHEDULES[name]
    S = glasstorch.optim.lr_scheduler
    whole = run(glasstorch, make, 30)

    opt = make_optimizer(glasstorch)
    sched = make(S, opt)
    for _ in range(12):
        opt.step()
        sched.step()
    opt_state = copy.deepcopy(opt.state_dict())
    sched_state = copy.deepcopy(sched.state_dict())
    assert "optimizer" not in sched_state

    opt = make_optimizer(glasstorch)
    sched = make(S, opt)
    opt.load_state_dict(opt_state)
    sched.load_state_dict(sched_state)
    lrs = []
    for _ in range(18):
        opt.step()
        sched.step()
        lrs.append([group["lr"] for group in opt.param_groups])
    assert lrs == [h[0] for h in whole[13:]]


@pytest.mark.parametrize("name", ["StepLR-3-0.5", "MultiStepLR", "CosineAnnealingLR-10", "LambdaLR", "LinearLR-warmup",
                                  "ConstantLR", "ExponentialLR", "SequentialLR-warmup-cosine", "ChainedScheduler"])
def test_state_dict_keys_include_torchs(name):
    t_opt, g_opt = make_optimizer(torch), make_optimizer(glasstorch)
    t_state = SCHEDULES[name](torch.optim.lr_scheduler, t_opt).state_dict()
    g_state = SCHEDULES[name](glasstorch.optim.lr_scheduler, g_opt).state_dict()
    wanted = {k for k in t_state if k != "_get_lr_called_within_step"}
    assert wanted <= set(g_state), wanted - set(g_state)
    for key in ("base_lrs", "last_epoch", "_step_count", "_last_lr"):
        if key in t_state:
            assert g_state[key] == t_state[key], key
    assert [g["initial_lr"] for g in g_opt.param_groups] == [g["initial_lr"] for g in t_opt.param_groups]


def test_lambda_state_dict_saves_callable_objects_not_functions():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, epoch):
            return self.rate ** epoch

    opt = make_optimizer(glasstorch)
    s = glasstorch.optim.lr_scheduler.LambdaLR(opt, [Decay(), lambda e: 1.0])
    state = s.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.5}, None]
    state["lr_lambdas"][0]["rate"] = 0.25
    s.load_state_dict(state)
    assert s.lr_lambdas[0].rate == 0.25


def test_warns_when_scheduler_steps_before_optimizer():
    for lib in (torch, glasstorch):
        opt = make_optimizer(lib)
        s = lib.optim.lr_scheduler.StepLR(opt, 2)
        with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
            s.step()


def test_step_with_epoch_uses_the_closed_form_and_warns():
    results = []
    for lib in (torch, glasstorch):
        opt = make_optimizer(lib)
        s = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
        opt.step()
        with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
            s.step(7)
        results.append(s.get_last_lr())
    assert results[0] == pytest.approx(results[1], rel=REL)


def test_resume_with_last_epoch():
    """Built with last_epoch=k (resuming), a scheduler needs 'initial_lr' and continues from epoch k+1."""
    for lib in (torch, glasstorch):
        opt = make_optimizer(lib)
        with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
            lib.optim.lr_scheduler.StepLR(opt, 3, last_epoch=5)
    got = compare(lambda S, o: [S.ExponentialLR(o, 0.5), S.CosineAnnealingLR(o, T_max=10, last_epoch=4)], steps=15)
    assert got[1][0] != got[0][0]


def test_constructor_errors_match_torch():
    for lib in (torch, glasstorch):
        S = lib.optim.lr_scheduler
        with pytest.raises(TypeError, match="list is not an Optimizer"):
            S.StepLR([], 3)
        with pytest.raises(ValueError, match="Constant multiplicative factor expected to be between 0 and 1."):
            S.ConstantLR(make_optimizer(lib), factor=2)
        with pytest.raises(ValueError, match="Starting multiplicative factor expected to be greater than 0"):
            S.LinearLR(make_optimizer(lib), start_factor=0)
        with pytest.raises(ValueError, match="Ending multiplicative factor expected to be between 0 and 1."):
            S.LinearLR(make_optimizer(lib), end_factor=1.5)
        with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
            S.LambdaLR(make_optimizer(lib), [lambda e: 1.0])
        opt = make_optimizer(lib)
        with pytest.raises(ValueError, match="Sequential Schedulers expects number of schedulers provided to be one "
                                             "more than the number of milestone points"):
            S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(opt, 3)], milestones=[2, 4])
        other = make_optimizer(lib)
        with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
            S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(other, 3)], milestones=[2])
        with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
            S.ChainedScheduler([S.StepLR(opt, 2), S.ReduceLROnPlateau(opt)])


def test_scheduler_drives_a_real_optimizer_like_torch():
    """lr changes must reach the parameters: SGD + StepLR on the same gradients in both libraries."""
    finals = []
    for lib in (torch, glasstorch):
        w = lib.ones(3, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.5)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        for _ in range(6):
            opt.zero_grad()
            (w * w).sum().backward()
            opt.step()
            sched.step()
        finals.append(w.detach().numpy().copy())
    assert finals[0].tolist() == pytest.approx(finals[1].tolist(), rel=1e-6)
