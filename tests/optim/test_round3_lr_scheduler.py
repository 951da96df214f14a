"""Round 3: every scheduler's 30-step curve against PyTorch 2.13 on an optimizer with two param groups,
get_last_lr, state_dict keys, the step-order warning and resuming from a state_dict."""
import math
import warnings

import numpy as np
import pytest
import torch

import glasstorch


def make_opt(lib, name="SGD", **kw):
    a = lib.zeros(3, requires_grad=True)
    b = lib.zeros(2, requires_grad=True)
    kw.setdefault("lr", 0.1)
    if name == "SGD":
        kw.setdefault("momentum", 0.9)
    return getattr(lib.optim, name)([{"params": [a]}, {"params": [b], "lr": 0.05}], **kw)


def sched(lib, key, opt):
    S = lib.optim.lr_scheduler
    if key == "LambdaLR":
        return S.LambdaLR(opt, [lambda e: 0.95 ** e, lambda e: 1 / (e + 1)])
    if key == "MultiplicativeLR":
        return S.MultiplicativeLR(opt, lambda e: 0.9)
    if key == "StepLR":
        return S.StepLR(opt, step_size=7, gamma=0.5)
    if key == "MultiStepLR":
        return S.MultiStepLR(opt, milestones=[3, 10, 10, 20], gamma=0.3)
    if key == "ConstantLR":
        return S.ConstantLR(opt, factor=0.25, total_iters=8)
    if key == "LinearLR":
        return S.LinearLR(opt, start_factor=0.1, end_factor=0.8, total_iters=12)
    if key == "ExponentialLR":
        return S.ExponentialLR(opt, gamma=0.9)
    if key == "PolynomialLR":
        return S.PolynomialLR(opt, total_iters=20, power=2.0)
    if key == "PolynomialLR-default":
        return S.PolynomialLR(opt)
    if key == "CosineAnnealingLR":
        return S.CosineAnnealingLR(opt, T_max=9, eta_min=0.001)
    if key == "CosineAnnealingWarmRestarts":
        return S.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2, eta_min=0.01)
    if key == "CosineAnnealingWarmRestarts-1":
        return S.CosineAnnealingWarmRestarts(opt, T_0=7)
    if key == "CyclicLR":
        return S.CyclicLR(opt, base_lr=0.01, max_lr=[0.1, 0.2], step_size_up=4, step_size_down=6)
    if key == "CyclicLR-triangular2":
        return S.CyclicLR(opt, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=3, mode="triangular2")
    if key == "CyclicLR-exp_range":
        return S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=5, mode="exp_range", gamma=0.9,
                          base_momentum=0.7, max_momentum=0.95)
    if key == "CyclicLR-scale_fn":
        return S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4, scale_fn=lambda x: 0.5 ** x,
                          scale_mode="iterations", cycle_momentum=False)
    if key == "SequentialLR":
        return S.SequentialLR(opt, [S.LinearLR(opt, start_factor=0.2, total_iters=5),
                                    S.ExponentialLR(opt, gamma=0.9)], milestones=[6])
    if key == "ChainedScheduler":
        return S.ChainedScheduler([S.ConstantLR(opt, factor=0.5, total_iters=4), S.ExponentialLR(opt, gamma=0.9)])
    if key == "OneCycleLR":
        return S.OneCycleLR(opt, max_lr=[0.5, 0.3], total_steps=31)
    if key == "OneCycleLR-linear":
        return S.OneCycleLR(opt, max_lr=0.5, epochs=3, steps_per_epoch=11, anneal_strategy="linear",
                            three_phase=True)
    raise KeyError(key)


KEYS = ["LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR",
        "PolynomialLR", "PolynomialLR-default", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
        "CosineAnnealingWarmRestarts-1", "CyclicLR", "CyclicLR-triangular2", "CyclicLR-exp_range",
        "CyclicLR-scale_fn", "SequentialLR", "ChainedScheduler", "OneCycleLR", "OneCycleLR-linear"]


def curve(lib, key, optname="SGD", steps=30):
    opt = make_opt(lib, optname)
    s = sched(lib, key, opt)
    lrs, moms = [s.get_last_lr()], []
    for _ in range(steps):
        opt.step()
        s.step()
        lrs.append(s.get_last_lr())
        moms.append([g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups])
    return np.array(lrs, dtype=float), moms, s, opt


@pytest.mark.parametrize("key", KEYS)
def test_curve(key):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g_lrs, g_moms, g_s, g_opt = curve(glasstorch, key)
        t_lrs, t_moms, t_s, t_opt = curve(torch, key)
    np.testing.assert_allclose(g_lrs, t_lrs, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.array(g_moms, dtype=float), np.array(t_moms, dtype=float), rtol=1e-12)
    assert set(g_s.state_dict()) == set(t_s.state_dict())
    assert set(g_opt.param_groups[0]) == set(t_opt.param_groups[0])


@pytest.mark.parametrize("key", ["CyclicLR", "CyclicLR-exp_range"])
def test_cyclic_beta1(key):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = curve(glasstorch, key, optname="Adam")
        t = curve(torch, key, optname="Adam")
    np.testing.assert_allclose(g[0], t[0], rtol=1e-12)
    np.testing.assert_allclose(np.array(g[1], dtype=float), np.array(t[1], dtype=float), rtol=1e-12)


def test_cyclic_needs_momentum():
    for lib in (glasstorch, torch):
        opt = lib.optim.Adagrad([lib.zeros(2, requires_grad=True)])
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1)
        with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
            lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, mode="bad", cycle_momentum=False)


@pytest.mark.parametrize("bad", [dict(T_0=0), dict(T_0=2.5), dict(T_0=3, T_mult=0), dict(T_0=3, eta_min="x")])
def test_warm_restarts_errors(bad):
    msgs = []
    for lib in (torch, glasstorch):
        with pytest.raises(ValueError) as info:
            lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(make_opt(lib), **bad)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_warm_restarts_fractional_epochs():
    out = []
    for lib in (glasstorch, torch):
        opt = make_opt(lib)
        s = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
        lrs = []
        for epoch in range(12):
            for i in range(4):
                opt.step()
                s.step(epoch + i / 4)
                lrs.append(s.get_last_lr())
        out.append(np.array(lrs))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-12)


@pytest.mark.parametrize("key", ["StepLR", "PolynomialLR", "ExponentialLR", "CosineAnnealingLR"])
def test_closed_form_with_epoch(key):
    out = []
    for lib in (glasstorch, torch):
        opt = make_opt(lib)
        s = sched(lib, key, opt)
        lrs = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for e in [3, 5, 9, 2, 17, 25]:
                opt.step()
                s.step(e)
                lrs.append(s.get_last_lr())
        out.append(np.array(lrs))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-12)


@pytest.mark.parametrize("key", ["StepLR", "PolynomialLR", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR",
                                 "LinearLR"])
def test_resume_from_state_dict(key):
    """15 steps, save, a new optimizer + scheduler load the dicts, 15 more steps: the same as 30 steps."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full, _, _, _ = curve(glasstorch, key)
        opt = make_opt(glasstorch)
        s = sched(glasstorch, key, opt)
        for _ in range(15):
            opt.step()
            s.step()
        osd, ssd = opt.state_dict(), s.state_dict()
        opt2 = make_opt(glasstorch)
        s2 = sched(glasstorch, key, opt2)
        opt2.load_state_dict(osd)
        s2.load_state_dict(ssd)
        lrs = [s2.get_last_lr()]
        for _ in range(15):
            opt2.step()
            s2.step()
            lrs.append(s2.get_last_lr())
    np.testing.assert_allclose(np.array(lrs), full[15:], rtol=1e-12)


def test_last_epoch_resume_needs_initial_lr():
    for lib in (glasstorch, torch):
        with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
            lib.optim.lr_scheduler.StepLR(make_opt(lib), 3, last_epoch=4)
        opt = make_opt(lib)
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
    lrs = []
    for lib in (glasstorch, torch):
        opt = make_opt(lib)
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
        s = lib.optim.lr_scheduler.PolynomialLR(opt, total_iters=10, last_epoch=4)
        seq = [s.get_last_lr()]
        for _ in range(8):
            opt.step()
            s.step()
            seq.append(s.get_last_lr())
        lrs.append(np.array(seq))
    np.testing.assert_allclose(lrs[0], lrs[1], rtol=1e-12)


@pytest.mark.parametrize("key", ["StepLR", "PolynomialLR", "CyclicLR", "OneCycleLR", "ExponentialLR"])
def test_step_order_warning(key):
    for lib in (glasstorch, torch):
        opt = make_opt(lib)
        s = sched(lib, key, opt)
        with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
            s.step()
        opt = make_opt(lib)
        s = sched(lib, key, opt)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
            s.step()


@pytest.mark.parametrize("opts", [dict(), dict(mode="max", factor=0.5, patience=2, threshold=0.1, cooldown=2),
                                  dict(patience=1, threshold_mode="abs", threshold=0.05, min_lr=[0.02, 0.01]),
                                  dict(patience=0, eps=0.03, factor=0.2)])
def test_reduce_lr_on_plateau(opts):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.8, 0.85, 0.85, 0.85, 0.85, 0.7] * 3
    out = []
    for lib in (glasstorch, torch):
        opt = make_opt(lib)
        s = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **opts)
        lrs = []
        for m in metrics:
            opt.step()
            s.step(m)
            lrs.append(s.get_last_lr())
        out.append((np.array(lrs), set(s.state_dict())))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
    assert out[0][1] == out[1][1]


def test_get_lr_by_hand_warns():
    for lib in (glasstorch, torch):
        s = lib.optim.lr_scheduler.PolynomialLR(make_opt(lib))
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            s.get_lr()
