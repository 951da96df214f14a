"""Round 3: torch.optim.swa_utils against PyTorch 2.13: AveragedModel (SWA, EMA, custom avg_fn and
multi_avg_fn, use_buffers), SWALR curves, update_bn."""
import copy

import numpy as np
import pytest
import torch

import glasstorch

RNG = np.random.default_rng(1)
X = RNG.standard_normal((16, 3)).astype(np.float32)


def make_model(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
    return model


def copy_weights(g_model, t_model):
    g_state = g_model.state_dict()
    for k, v in t_model.state_dict().items():
        g_state[k].copy_(glasstorch.tensor(v.detach().numpy().copy()))


def train_step(lib, model, opt, i):
    opt.zero_grad()
    out = model(lib.tensor(X[i % 4 * 4:(i % 4 + 1) * 4]))
    (out ** 2).mean().backward()
    opt.step()


def avg_options(lib, kind):
    su = lib.optim.swa_utils
    if kind == "swa":
        return dict()
    if kind == "ema_multi":
        return dict(multi_avg_fn=su.get_ema_multi_avg_fn(0.9))
    if kind == "ema":
        return dict(avg_fn=su.get_ema_avg_fn(0.8))
    if kind == "swa_fn":
        return dict(avg_fn=su.get_swa_avg_fn())
    if kind == "swa_multi":
        return dict(multi_avg_fn=su.get_swa_multi_avg_fn())
    if kind == "custom":
        return dict(avg_fn=lambda avg, cur, n: 0.5 * avg + 0.5 * cur)
    raise KeyError(kind)


@pytest.mark.parametrize("use_buffers", [False, True])
@pytest.mark.parametrize("kind", ["swa", "ema_multi", "ema", "swa_fn", "swa_multi", "custom"])
def test_averaged_model(kind, use_buffers):
    if kind == "swa_multi" and use_buffers:
        pytest.skip("PyTorch's get_swa_multi_avg_fn fails on the int64 num_batches_tracked buffer (addcdiv on ints)")
    t_model = make_model(torch)
    g_model = make_model(glasstorch)
    copy_weights(g_model, t_model)
    results = []
    for lib, model in ((glasstorch, g_model), (torch, t_model)):
        avg = lib.optim.swa_utils.AveragedModel(model, use_buffers=use_buffers, **avg_options(lib, kind))
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        for i in range(6):
            train_step(lib, model, opt, i)
            avg.update_parameters(model)
        avg.eval()
        out = avg(lib.tensor(X)).detach().numpy()
        results.append((out, {k: v.detach().numpy().copy() for k, v in avg.state_dict().items()}))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5, atol=1e-6)
    assert set(results[0][1]) == set(results[1][1])
    for k in results[1][1]:
        np.testing.assert_allclose(results[0][1][k], results[1][1][k], rtol=1e-5, atol=1e-6, err_msg=k)
    assert int(results[0][1]["n_averaged"]) == 6


def test_averaged_model_errors():
    for lib in (glasstorch, torch):
        su = lib.optim.swa_utils
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn should be provided"):
            su.AveragedModel(make_model(lib), avg_fn=su.get_swa_avg_fn(), multi_avg_fn=su.get_swa_multi_avg_fn())
        for fn in (su.get_ema_avg_fn, su.get_ema_multi_avg_fn):
            with pytest.raises(ValueError, match="Invalid decay value 1.5 provided"):
                fn(1.5)


@pytest.mark.parametrize("opts", [dict(swa_lr=0.05), dict(swa_lr=[0.01, 0.2], anneal_epochs=4,
                                                          anneal_strategy="linear"),
                                  dict(swa_lr=0.02, anneal_epochs=0)])
def test_swalr(opts):
    out = []
    for lib in (glasstorch, torch):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(2, requires_grad=True)
        opt = lib.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.3}], lr=0.1)
        s = lib.optim.swa_utils.SWALR(opt, **opts)
        lrs = [s.get_last_lr()]
        for _ in range(15):
            opt.step()
            s.step()
            lrs.append(s.get_last_lr())
        out.append((np.array(lrs), set(s.state_dict())))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-12)
    assert out[0][1] == out[1][1]


def test_swalr_errors():
    for lib in (glasstorch, torch):
        opt = lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', instead got x"):
            lib.optim.swa_utils.SWALR(opt, 0.1, anneal_strategy="x")
        with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0, got -1"):
            lib.optim.swa_utils.SWALR(opt, 0.1, anneal_epochs=-1)


def test_update_bn():
    t_model = make_model(torch)
    g_model = make_model(glasstorch)
    copy_weights(g_model, t_model)
    stats = []
    for lib, model in ((glasstorch, g_model), (torch, t_model)):
        loader = [(lib.tensor(X[i:i + 4]), lib.zeros(4)) for i in range(0, 16, 4)]
        model.eval()
        lib.optim.swa_utils.update_bn(loader, model)
        assert not model.training
        bn = model[1]
        assert bn.momentum == 0.1
        stats.append((bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(),
                      int(bn.num_batches_tracked)))
    np.testing.assert_allclose(stats[0][0], stats[1][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(stats[0][1], stats[1][1], rtol=1e-5, atol=1e-6)
    assert stats[0][2] == stats[1][2] == 4
    glasstorch.optim.swa_utils.update_bn([glasstorch.ones(2, 3)], glasstorch.nn.Linear(3, 1))  # no BatchNorm: nothing
