"""glass.watch: what it records on small models whose right answers are known, and that it leaves no hooks."""
import json

import numpy as np
import pytest

import glasstorch as torch
from glasstorch import glass, nn


def no_hooks(model):
    return (all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
            and all(not p._hooks for p in model.parameters()))


def sgd_steps(model, x, y, steps, lr=0.1, w=None):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()
        if w is not None and w.count == "manual":
            w.step()


def test_relu_with_all_negative_preactivations_is_100_percent_dead():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    with torch.no_grad():
        model[0].weight.fill_(-1.0)
        model[0].bias.fill_(-0.5)
    x = torch.rand(8, 3)                      # positive inputs: every pre-activation < 0
    with glass.watch(model, every=1) as w:
        model(x)
    rec = w.history["layers"]["1"]
    assert rec["type"] == "ReLU" and rec["dead"] == [1.0] and rec["dead_channels"] == [1.0]
    assert rec["mean"] == [0.0] and rec["std"] == [0.0]
    assert "100.0%" in w.summary()


def test_dead_units_per_unit_and_per_channel_on_a_conv_output():
    relu = nn.ReLU()
    model = nn.Sequential(relu)
    y = np.ones((2, 3, 2, 2), dtype=np.float32)
    y[:, 0] = -1.0                  # channel 0 dead everywhere: 4 of 12 units
    y[:, 1, 0, 0] = -1.0            # one more dead unit in channel 1; channel 1 stays alive
    y[0, 2, 1, 1] = -1.0            # dead in one sample only: alive
    with glass.watch(model, every=1) as w:
        model(torch.tensor(y))
    rec = w.history["layers"]["0"]
    assert rec["dead"][0] == pytest.approx(5 / 12)
    assert rec["dead_channels"][0] == pytest.approx(1 / 3)


def test_mean_std_and_histogram_match_numpy():
    model = nn.Sequential(nn.Linear(5, 7), nn.Tanh())
    x = torch.randn(10, 5)
    with glass.watch(model, every=1, bins=8) as w:
        out = model(x).detach().numpy()
    rec = w.history["layers"]["1"]
    assert rec["mean"][0] == pytest.approx(out.mean(), abs=1e-6)
    assert rec["std"][0] == pytest.approx(out.std(), rel=1e-4)
    counts, _ = np.histogram(out, bins=8, range=tuple(rec["edges"][0]))
    assert rec["hist"][0] == counts.tolist() and sum(rec["hist"][0]) == out.size
    assert rec["edges"][0] == pytest.approx([out.min(), out.max()])


def test_big_outputs_are_histogrammed_on_a_subsample():
    model = nn.Sequential(nn.ReLU())
    with glass.watch(model, every=1, max_values=1000) as w:
        model(torch.randn(50, 100))
    assert 500 <= sum(w.history["layers"]["0"]["hist"][0]) <= 1000


def test_saturated_sigmoid_and_tanh_units_with_thresholds():
    model = nn.Sequential(nn.Sigmoid())
    x = torch.tensor([[-10.0, 10.0, 0.0, 3.0]])          # σ: 4.5e-5, 0.99995, 0.5, 0.953
    with glass.watch(model, every=1) as w:
        model(x)
    assert w.history["layers"]["0"]["saturated"] == [0.5]
    with glass.watch(model, every=1, sigmoid_low=0.4, sigmoid_high=0.9) as w:
        model(x)
    assert w.history["layers"]["0"]["saturated"] == [0.75]
    model = nn.Sequential(nn.Tanh())
    with glass.watch(model, every=1) as w:
        model(torch.tensor([[-5.0, 5.0, 0.5, 2.0]]))      # tanh 2 = 0.964: not saturated
    assert w.history["layers"]["0"]["saturated"] == [0.5]
    assert w.history["layers"]["0"]["dead"] == []


def test_gradient_norms_and_update_ratio_per_parameter():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))
    x, y = torch.randn(6, 4), torch.randn(6, 1)
    w0 = model[0].weight.detach().clone()
    with glass.watch(model, every=1) as w:
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
        opt.step()
    for name, p in model.named_parameters():
        rec = w.history["params"][name]
        assert rec["grad_step"] == [0]
        assert rec["grad_norm"][0] == pytest.approx(grads[name].norm().item(), rel=1e-5)
    rec = w.history["params"]["0.weight"]
    # SGD: Δw = −0.1·g, so ‖Δw‖/‖w‖ = 0.1·‖g‖/‖w0‖ (the ratio is closed when the watch closes)
    assert rec["update_step"] == [0]
    assert rec["weight_norm"][0] == pytest.approx(w0.norm().item(), rel=1e-5)
    assert rec["update_ratio"][0] == pytest.approx(0.1 * grads["0.weight"].norm().item() / w0.norm().item(),
                                                   rel=1e-4)


def test_every_k_samples_steps_and_only_recorded_steps_carry_hooks():
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    x, y = torch.randn(4, 3), torch.randn(4, 2)
    with glass.watch(model, every=3) as w:
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        hooked = []
        for _ in range(7):
            opt.zero_grad()
            ((model(x) - y) ** 2).mean().backward()
            hooked.append(bool(model[0]._forward_hooks) and bool(model[0].weight._hooks))
            opt.step()
    assert w.history["steps"] == [0, 3, 6]
    assert hooked == [True, False, False, True, False, False, True]   # other steps run without hooks
    assert w.history["layers"]["1"]["step"] == [0, 3, 6]
    rec = w.history["params"]["0.weight"]
    assert rec["grad_step"] == [0, 3, 6]
    assert rec["update_step"] == [0, 3, 6] and all(r > 0 for r in rec["update_ratio"])
    assert w.step_index == 6


def test_eval_passes_are_not_recorded_nor_counted():
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
    with glass.watch(model, every=1) as w:
        model(torch.randn(2, 3))
        model.eval()
        with torch.no_grad():
            model(torch.randn(5, 3))
        model.train()
        model(torch.randn(2, 3))
    assert w.history["steps"] == [0, 1]
    assert sum(w.history["layers"]["1"]["hist"][1]) == 4     # the second training batch, not the eval batch


def test_manual_step_counting():
    model = nn.Sequential(nn.Linear(3, 2), nn.Sigmoid())
    x, y = torch.randn(4, 3), torch.rand(4, 2)
    with glass.watch(model, every=2, count="manual") as w:
        sgd_steps(model, x, y, 4, w=w)             # steps 0..3, then step 4 begins
        model(x)
        model(x)                                   # two forwards in one manual step: both recorded
    assert w.history["steps"] == [0, 2, 4]
    assert w.history["layers"]["1"]["step"] == [0, 2, 4, 4]
    assert w.history["params"]["0.bias"]["update_step"] == [0, 2, 4]
    with pytest.raises(RuntimeError):
        glass.watch(model).step()


def test_all_hooks_removed_after_the_block_and_after_close():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 1))
    x, y = torch.randn(2, 1, 4, 4), torch.randn(2, 1)
    with glass.watch(model, every=1):
        sgd_steps(model, x, y, 2)
    assert no_hooks(model)
    w = glass.watch(model, every=2)
    sgd_steps(model, x, y, 3)
    w.close()
    assert no_hooks(model)
    steps = w.history["steps"]
    sgd_steps(model, x, y, 2)                      # nothing more is recorded
    assert w.history["steps"] == steps == [0, 2]
    with pytest.raises(ZeroDivisionError):         # errors inside the block propagate, hooks still removed
        with glass.watch(model, every=1):
            model(x)
            1 / 0
    assert no_hooks(model)


def test_to_dict_is_json_and_summary_names_every_layer_and_parameter():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    with glass.watch(model, every=1) as w:
        sgd_steps(model, torch.randn(5, 3), torch.randn(5, 1), 3)
    d = json.loads(json.dumps(w.to_dict()))
    assert d["steps"] == [0, 1, 2] and d["every"] == 1
    assert set(d["layers"]) == {"0", "1", "2"} and len(d["layers"]["1"]["dead"]) == 3
    assert set(d["params"]) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    text = w.summary()
    for name in ("0.weight", "2.bias", "ReLU", "Linear"):
        assert name in text


def test_a_leaf_root_model_and_bad_arguments():
    model = nn.Linear(2, 2)
    with glass.watch(model, every=1) as w:
        model(torch.randn(3, 2))
    assert list(w.history["layers"]) == ["Linear"] and w.history["layers"]["Linear"]["step"] == [0]
    assert no_hooks(model)
    for kwargs in ({"every": 0}, {"what": {"activations", "nope"}}, {"count": "epochs"}, {"bins": 0}):
        with pytest.raises(ValueError):
            glass.watch(model, **kwargs)


def test_what_limits_the_records():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    with glass.watch(model, every=1, what={"dead"}) as w:
        sgd_steps(model, torch.randn(3, 2), torch.randn(3, 2), 2)
    assert len(w.history["layers"]["1"]["dead"]) == 2
    assert w.history["layers"]["1"]["hist"] == [] and w.history["layers"]["1"]["mean"] == []
    assert w.history["params"]["0.weight"]["grad_norm"] == []
    assert w.history["params"]["0.weight"]["update_ratio"] == []


def test_figures_into_a_run_folder_and_a_path(tmp_path):
    from glasstorch.labs.runfolder import RunFolder
    model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1))
    with glass.watch(model, every=1) as w:
        sgd_steps(model, torch.randn(5, 3), torch.randn(5, 1), 3)
    run = RunFolder(tmp_path / "run")
    paths = w.save_figures(run)
    assert sorted(p.name for p in paths) == ["watch_activation_histograms.png", "watch_dead_units.png",
                                             "watch_gradient_flow.png"]
    assert all(p.stat().st_size > 1000 for p in paths) and set(paths) <= set(run.files)
    target = glass.plot_activation_histograms(w.to_dict(), tmp_path / "hist.png")
    assert target == tmp_path / "hist.png" and target.exists()
    assert glass.plot_gradient_flow(w, tmp_path / "figs").parent == tmp_path / "figs"



class _TwoCalls(nn.Module):
    """One ReLU module used twice in forward, as many scripts write it (``self.relu``)."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(3, 4), nn.Linear(4, 4), nn.Linear(4, 1)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.fc3(self.relu(self.fc2(self.relu(self.fc1(x)))))


def test_a_module_called_twice_per_step_gets_one_record_per_call():
    model = _TwoCalls()
    with torch.no_grad():
        model.fc2.weight.fill_(-1.0)          # the second ReLU sees fc2's output: all negative, 100% dead
        model.fc2.bias.fill_(-1.0)
    x, y = torch.rand(8, 3), torch.randn(8, 1)
    with glass.watch(model, every=2) as w:
        sgd_steps(model, x, y, 5)             # steps 0, 2, 4 recorded
    layers = w.history["layers"]
    assert list(layers) == ["fc1", "fc2", "fc3", "relu", "relu#2"]
    first, second = layers["relu"], layers["relu#2"]
    assert first["step"] == second["step"] == [0, 2, 4]          # one entry per recorded step, not two
    assert len(first["hist"]) == len(second["hist"]) == 3
    assert second["type"] == "ReLU" and second["dead"] == [1.0, 1.0, 1.0]
    assert first["dead"][0] < 1.0
    # the first call's values are those of relu(fc1(x)) alone
    with torch.no_grad():
        h1 = model.relu(model.fc1(x))
    assert first["mean"][-1] == pytest.approx(h1.mean().item(), rel=1e-5)
    assert "relu#2" in w.summary()


def test_no_dead_units_figure_without_relu_sigmoid_or_tanh(tmp_path):
    from glasstorch.labs.runfolder import RunFolder
    model = nn.Sequential(nn.Linear(3, 4), nn.GELU(), nn.Linear(4, 1))
    with glass.watch(model, every=1) as w:
        sgd_steps(model, torch.randn(5, 3), torch.randn(5, 1), 2)
    run = RunFolder(tmp_path / "run")
    paths = w.save_figures(run)
    assert sorted(p.name for p in paths) == ["watch_activation_histograms.png", "watch_gradient_flow.png"]
    assert not (tmp_path / "run" / "watch_dead_units.png").exists()
    assert glass.plot_dead_units(w, tmp_path / "dead.png") is None and not (tmp_path / "dead.png").exists()
    assert "no dead-units figure" in w.summary() and "no nn.ReLU" in w.summary()
