"""With the same seed, a whole training script draws PyTorch's numbers: initial weights (nn.init), the
DataLoader's shuffled order, dropout masks and randn inputs. So a learner's printed losses can be compared
with a tutorial's. The two runs below are written once and executed by both libraries; the losses agree to
float32 rounding (the matrix products sum in another order, so not bit for bit)."""
import numpy as np
import pytest
import torch

import glasstorch


def mlp_run(lib):
    nn, F = lib.nn, lib.nn.functional
    lib.manual_seed(42)
    x = lib.rand(100, 20)
    y = (x.sum(1) > 10).long()
    model = nn.Sequential(nn.Linear(20, 32), nn.Tanh(), nn.Dropout(0.1), nn.Linear(32, 2))
    nn.init.kaiming_uniform_(model[0].weight, nonlinearity="relu")
    nn.init.normal_(model[3].weight, std=0.1)
    opt = lib.optim.Adam(model.parameters(), lr=0.01)
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y), batch_size=25, shuffle=True)
    losses = []
    for _ in range(4):
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses


def cnn_run(lib):
    nn, F = lib.nn, lib.nn.functional
    lib.manual_seed(0)
    x = lib.randn(64, 1, 12, 12)
    y = lib.randint(0, 5, (64,))
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y), batch_size=16, shuffle=True)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.3),
                          nn.Flatten(), nn.Linear(4 * 36, 5))
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(3):
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses


def lstm_run(lib):
    return recurrent_run(lib, lib.nn.LSTM, batch_first=True)


def gru_run(lib):
    return recurrent_run(lib, lib.nn.GRU, batch_first=False, bidirectional=True)


def recurrent_run(lib, layer, batch_first, bidirectional=False):
    nn = lib.nn
    lib.manual_seed(1)
    rnn = layer(3, 4, num_layers=3, dropout=0.2, batch_first=batch_first, bidirectional=bidirectional)
    head = nn.Linear(8 if bidirectional else 4, 1)
    opt = lib.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=0.01)
    losses = []
    for _ in range(5):
        x = lib.randn(4, 6, 3)
        if not batch_first:
            x = x.transpose(0, 1)
        out, _ = rnn(x)
        last = out[:, -1] if batch_first else out[-1]
        loss = ((head(last) - x.sum((0, 1, 2)) / 4) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("run", [mlp_run, cnn_run, lstm_run, gru_run])
def test_a_seeded_training_run_prints_pytorchs_losses(run):
    ours, theirs = run(glasstorch), run(torch)
    assert len(ours) == len(theirs)
    np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=1e-5)
    assert ours[0] != ours[-1]  # it trained
