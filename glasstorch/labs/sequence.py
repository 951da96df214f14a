"""Lab: forecasting a wave with a plain RNN, an LSTM and a GRU; their predictions plotted against the truth.

    glasstorch lab sequence [--quick] [--seed N] [--epochs N]

The signal: y(t) = sin(t) + 0.5·sin(2.3·t + 1), sampled every 0.1 (2,000 points; quick: 1,000). Two waves
whose periods do not divide each other, so the pattern does not simply repeat every few steps. The first
70% of the points are for training, the rest for testing.

Sliding windows: each window of 30 consecutive values is an input sequence (30 steps of 1 feature) and the
value right after it is the target. The test windows start after the last training target, so no test
value was ever seen in training.

    model:  nn.RNN / nn.LSTM / nn.GRU (1 → 32, batch_first)  →  Linear(32, 1) on the last step's output
    loss:   mean squared error;  Adam (lr 1e-2), batch 64, 40 epochs (quick: 6), the rate annealed per epoch
            along a half cosine (CosineAnnealingLR)

Two tests per model:
  one step ahead — every test window predicts its next value (the input is always true data);
  autoregressive — from the first test window, the model predicts the next value, appends its own
  prediction to the window, drops the oldest value and predicts again, 200 times (quick: 100). Its errors
  feed back into its inputs, so the forecast drifts away from the truth as it goes.

Baselines in the metrics: the variance of the test signal (the MSE of always predicting its mean) and the
MSE of "the next value equals the last one".

Writes: ``loss_curves.png`` (training and test MSE per epoch, log scale), ``predictions.png`` (one-step
predictions on the test part against the truth), ``forecast.png`` (the autoregressive forecasts against the
truth), and ``report.html``.

Measured (full size, seed 0): one-step test MSE 2.6e-5 (RNN), 9.8e-6 (LSTM), 7.0e-6 (GRU) against a test
variance of 0.62 and 1.2e-2 for "next = last"; over the 200-step autoregressive forecast 0.10, 8.3e-3 and
1.1e-2. About 40 seconds on one CPU thread.
"""
import time

import glasstorch as torch
from glasstorch import nn
from glasstorch.nn import functional as F
from glasstorch.utils.data import DataLoader, TensorDataset

from .report import write_report
from .runfolder import progress

WINDOW = 30
HIDDEN = 32
DT = 0.1
KINDS = ("RNN", "LSTM", "GRU")


def make_signal(n):
    """n samples of sin(t) + 0.5·sin(2.3t + 1) at t = 0, 0.1, 0.2, … (float32)."""
    t = torch.arange(n) * DT
    return torch.sin(t) + 0.5 * torch.sin(2.3 * t + 1)


def windows(series, window=WINDOW):
    """All windows (n, window, 1) of consecutive values and the value after each one (n, 1)."""
    n = len(series) - window
    index = torch.arange(n).unsqueeze(1) + torch.arange(window)  # row i: i, i+1, …, i+window−1
    return series[index].unsqueeze(-1), series[window:].unsqueeze(-1)


class Forecaster(nn.Module):
    """A recurrent layer reads the window; a Linear layer turns its last output into the next value."""

    def __init__(self, kind):
        super().__init__()
        self.rnn = getattr(nn, kind)(1, HIDDEN, batch_first=True)
        self.head = nn.Linear(HIDDEN, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def mse(model, x, y):
    model.eval()
    with torch.no_grad():
        return F.mse_loss(model(x), y).item()


def forecast(model, window, steps):
    """Autoregressive forecast: predict, append the prediction to the window, drop the oldest value, repeat."""
    model.eval()
    window = window.reshape(1, -1, 1)
    predictions = []
    with torch.no_grad():
        for _ in range(steps):
            nxt = model(window)                                   # (1, 1)
            predictions.append(nxt.item())
            window = torch.cat([window[:, 1:], nxt.reshape(1, 1, 1)], dim=1)
    return predictions


def train(kind, x_tr, y_tr, x_te, y_te, epochs, seed=0, log=print, quiet=False):
    """Train one forecaster; returns (model, history of per-epoch train/test MSE)."""
    torch.manual_seed(seed)
    model = Forecaster(kind)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True)
    history = {"train_mse": [], "test_mse": []}
    for epoch in range(epochs):
        model.train()
        total, seen = 0.0, 0
        for xb, yb in progress(loader, f"{kind} epoch {epoch + 1}/{epochs}", quiet=quiet):
            optimizer.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
            seen += len(yb)
        scheduler.step()
        history["train_mse"].append(total / seen)
        history["test_mse"].append(mse(model, x_te, y_te))
        if not quiet or epoch == epochs - 1:
            log(f"  {kind:<4} epoch {epoch + 1:>2}: train MSE {total / seen:.2e} | test MSE "
                f"{history['test_mse'][-1]:.2e}")
    return model, history


def run(run_dir, quick=False, seed=0, log=print, epochs=None):
    n_points, horizon = (1000, 100) if quick else (2000, 200)
    epochs = epochs if epochs is not None else (6 if quick else 40)
    series = make_signal(n_points)
    x, y = windows(series)
    n_train = int(0.7 * len(x))
    x_tr, y_tr = x[:n_train], y[:n_train]
    x_te, y_te = x[n_train + WINDOW:], y[n_train + WINDOW:]   # windows made only of unseen values
    horizon = min(horizon, len(y_te))
    variance = y_te.var().item()
    last_value = F.mse_loss(x_te[:, -1], y_te).item()
    log(f"  {len(x_tr)} training and {len(x_te)} test windows of {WINDOW} steps; test variance {variance:.3f}, "
        f"'next = last' MSE {last_value:.2e}; {epochs} epochs")

    metrics = {"window": WINDOW, "epochs": epochs, "train_windows": len(x_tr), "test_windows": len(x_te),
               "test_variance": variance, "last_value_mse": last_value, "horizon": horizon, "models": {}}
    histories, one_step, forecasts = {}, {}, {}
    for kind in KINDS:
        start = time.perf_counter()
        model, history = train(kind, x_tr, y_tr, x_te, y_te, epochs, seed=seed, log=log, quiet=quick)
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            one_step[kind] = model(x_te)[:, 0].tolist()
        forecasts[kind] = forecast(model, x_te[0], horizon)
        truth = y_te[:horizon, 0]
        ar_mse = F.mse_loss(torch.tensor(forecasts[kind]), truth).item()
        histories[kind] = history
        metrics["models"][kind] = {"test_mse": history["test_mse"][-1], "autoregressive_mse": ar_mse,
                                   "train_seconds": seconds, "history": history}
        log(f"  {kind}: test MSE {history['test_mse'][-1]:.2e} one step ahead "
            f"({history['test_mse'][-1] / variance:.1e} × the variance), {ar_mse:.2e} over a "
            f"{horizon}-step autoregressive forecast ({seconds:.0f} s)")

    t_test = (torch.arange(len(y_te)) + n_train + 2 * WINDOW) * DT  # the time of each test target
    _plot_losses(run_dir, histories, variance)
    _plot_predictions(run_dir, t_test, y_te[:, 0], one_step, metrics["models"])
    _plot_forecast(run_dir, x_te[0, :, 0], t_test, y_te[:, 0], forecasts, horizon, metrics["models"])
    write_report(run_dir, "Sequence forecasting: RNN vs LSTM vs GRU", metrics,
                 models={kind: Forecaster(kind) for kind in KINDS})  # fresh copies: the summaries show the layers
    return metrics


def _plot_losses(run_dir, histories, variance):
    with run_dir.figure("loss_curves.png", figsize=(7, 4.5)) as fig:
        ax = fig.gca()
        for kind, h in histories.items():
            epochs = range(1, len(h["train_mse"]) + 1)
            line, = ax.semilogy(epochs, h["train_mse"], "--", label=f"{kind} train")
            ax.semilogy(epochs, h["test_mse"], marker="o", markersize=3, color=line.get_color(),
                        label=f"{kind} test")
        ax.axhline(variance, color="gray", linestyle=":", label="predicting the mean")
        ax.set(xlabel="epoch", ylabel="MSE (log scale)")
        ax.legend(fontsize=8)


def _plot_predictions(run_dir, t, truth, one_step, results):
    with run_dir.figure("predictions.png", figsize=(11, 7)) as fig:
        axes = fig.subplots(len(one_step), 1, sharex=True)
        for k, (ax, (kind, pred)) in enumerate(zip(axes, one_step.items())):
            ax.plot(t.tolist(), truth.tolist(), color="black", linewidth=2.5, alpha=0.35, label="truth")
            ax.plot(t.tolist(), pred, color=f"C{k}", linewidth=1, label=f"{kind}, one step ahead")
            ax.set_title(f"{kind}: test MSE {results[kind]['test_mse']:.2e}", fontsize=9)
            ax.legend(fontsize=8, loc="upper right")
        axes[-1].set_xlabel("t")


def _plot_forecast(run_dir, given, t, truth, forecasts, horizon, results):
    with run_dir.figure("forecast.png", figsize=(11, 4.5)) as fig:
        ax = fig.gca()
        start = t[0].item()
        context = torch.arange(WINDOW) * DT + start - WINDOW * DT  # the window the forecast starts from
        ax.plot(context.tolist(), given.tolist(), color="black", label="the window given")
        ax.plot(t[:horizon].tolist(), truth[:horizon].tolist(), color="black", linewidth=2.5, alpha=0.35,
                label="truth")
        for kind, pred in forecasts.items():
            ax.plot(t[:horizon].tolist(), pred,
                    label=f"{kind} (MSE {results[kind]['autoregressive_mse']:.2e})")
        ax.axvline(start, color="gray", linestyle=":")
        ax.set(xlabel="t", ylabel="y", title=f"Autoregressive forecast: {horizon} steps fed back their own "
                                             "predictions")
        ax.legend(fontsize=8)
