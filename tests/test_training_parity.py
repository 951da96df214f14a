"""End to end against PyTorch: the same MLP, the same initial weights, the same batches, N optimizer steps
through a DataLoader, a learning-rate schedule, then save/load and resume. Losses, weights and optimizer
state must stay equal step by step (dropout is left out: the two libraries draw different random masks)."""
import numpy as np
import pytest
import torch

import glasstorch


def build(lib, seed=0):
    nn = lib.nn
    lib.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(),
                         nn.Linear(16, 5))


def copy_weights(src, dst):
    """torch module -> glasstorch module, through NumPy, by state_dict key."""
    state = {k: glasstorch.from_numpy(v.detach().numpy().copy()) for k, v in src.state_dict().items()}
    dst.load_state_dict(state)


def data(n=96):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 4, 5)).astype(np.float32)
    y = rng.integers(0, 5, n).astype(np.int64)
    return x, y


OPTIMIZERS = {
    "sgd_momentum_nesterov": lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-4),
    "adam": lambda lib, p: lib.optim.Adam(p, lr=1e-2),
    "adamw_amsgrad": lambda lib, p: lib.optim.AdamW(p, lr=1e-2, amsgrad=True),
    "rmsprop_centered": lambda lib, p: lib.optim.RMSprop(p, lr=1e-3, momentum=0.5, centered=True),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_mlp_training_steps_match_pytorch(name):
    x, y = data()
    models = {"t": build(torch), "g": build(glasstorch)}
    copy_weights(models["t"], models["g"])
    libs = {"t": torch, "g": glasstorch}
    opts = {k: OPTIMIZERS[name](libs[k], models[k].parameters()) for k in libs}
    scheds = {k: libs[k].optim.lr_scheduler.StepLR(opts[k], step_size=4, gamma=0.5) for k in libs}
    losses = {"t": [], "g": []}
    for k, lib in libs.items():
        # no shuffle: both loaders then give the same batches in the same order
        loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(lib.from_numpy(x), lib.from_numpy(y)),
                                           batch_size=16)
        loss_fn = lib.nn.CrossEntropyLoss(label_smoothing=0.1)
        for epoch in range(2):
            for xb, yb in loader:
                opts[k].zero_grad()
                loss = loss_fn(models[k](xb), yb)
                loss.backward()
                lib.nn.utils.clip_grad_norm_(models[k].parameters(), max_norm=1.0)
                opts[k].step()
                scheds[k].step()
                losses[k].append(loss.item())
    np.testing.assert_allclose(losses["g"], losses["t"], rtol=2e-5, atol=1e-6)
    assert losses["g"][-1] < losses["g"][0]
    for (kt, vt), (kg, vg) in zip(models["t"].state_dict().items(), models["g"].state_dict().items()):
        assert kt == kg
        np.testing.assert_allclose(vg.numpy(), vt.numpy(), rtol=1e-4, atol=1e-5, err_msg=kt)
    st, sg = opts["t"].state_dict(), opts["g"].state_dict()
    assert st["param_groups"][0]["lr"] == pytest.approx(sg["param_groups"][0]["lr"])
    for i in st["state"]:
        for key, vt in st["state"][i].items():
            np.testing.assert_allclose(np.asarray(sg["state"][i][key].numpy()), vt.numpy(), rtol=1e-4, atol=1e-5,
                                       err_msg=f"state {i} {key}")


def test_checkpoint_resume_continues_exactly(tmp_path):
    """Train 6 steps, save model + optimizer + scheduler, load into fresh objects, train 6 more: the weights
    equal 12 uninterrupted steps bit for bit."""
    x, y = data()
    X, Y = glasstorch.from_numpy(x), glasstorch.from_numpy(y)

    def make():
        model = build(glasstorch)
        opt = glasstorch.optim.Adam(model.parameters(), lr=1e-2)
        sched = glasstorch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        return model, opt, sched

    def train(model, opt, sched, steps, start):
        loss_fn = glasstorch.nn.CrossEntropyLoss()
        for s in range(start, start + steps):
            i = (s % 6) * 16
            opt.zero_grad()
            loss_fn(model(X[i:i + 16]), Y[i:i + 16]).backward()
            opt.step()
            sched.step()

    straight = make()
    train(*straight, 12, 0)

    first = make()
    train(*first, 6, 0)
    path = tmp_path / "ckpt.pt"
    glasstorch.save({"model": first[0].state_dict(), "optimizer": first[1].state_dict(),
                     "scheduler": first[2].state_dict(), "step": 6}, path)
    ckpt = glasstorch.load(path)
    resumed = make()
    resumed[0].load_state_dict(ckpt["model"])
    resumed[1].load_state_dict(ckpt["optimizer"])
    resumed[2].load_state_dict(ckpt["scheduler"])
    train(*resumed, 6, ckpt["step"])
    for (k, a), (_, b) in zip(straight[0].state_dict().items(), resumed[0].state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    assert resumed[2].get_last_lr() == straight[2].get_last_lr()
