"""The three sequence labs in quick mode: rnn-gradients, sequence and seq-mnist. Each must show its effect
(the vanishing gradient, forecasts far better than the mean, an LSTM that reads digits) and write its files."""

import pytest


from labruns import MNIST, pngs, run_lab


def test_rnn_gradients_vanish_in_the_rnn_but_not_in_the_lstm_and_gru(tmp_path):
    folder = tmp_path / "rnn-gradients"
    m, lines = run_lab("rnn-gradients", folder)
    rnn, lstm, gru = (m["models"][k] for k in ("RNN", "LSTM", "GRU"))
    delay = m["delay"]
    for r in (rnn, lstm, gru):
        assert len(r["grad_norm_init"]) == len(r["grad_norm_trained"]) == delay
        assert r["grad_ratio_init"] == pytest.approx(r["grad_norm_init"][0] / r["grad_norm_init"][-1])
    # the plain RNN's gradient shrinks geometrically: step 0 gets a vanishing fraction of the last step's
    assert rnn["grad_ratio_init"] < 1e-6 and rnn["grad_ratio_trained"] < 1e-4
    assert rnn["grad_norm_init"][0] < rnn["grad_norm_init"][delay // 2] < rnn["grad_norm_init"][-1]
    # the gated layers carry it back to step 0, at initialization and after training
    for r in (lstm, gru):
        assert r["grad_ratio_init"] > 1e4 * rnn["grad_ratio_init"]
        assert r["grad_ratio_trained"] > 1e4 * rnn["grad_ratio_trained"]
    # ... and so they learn the long delay, which the RNN cannot (chance: 25%)
    assert rnn["accuracy"] < 0.4
    assert lstm["accuracy"] >= 0.9 and gru["accuracy"] >= 0.9
    assert lstm["accuracy"] > rnn["accuracy"] + 0.4
    assert lstm["curve"]["step"][-1] == m["steps"] and len(lstm["curve"]["accuracy"]) == len(lstm["curve"]["step"])
    assert pngs(folder) == ["accuracy_curves.png", "gradient_norms.png"]
    assert (folder / "report.html").read_text().count("<img") == 2
    assert any("LSTM" in line and "accuracy" in line for line in lines)


def test_rnn_gradients_measures_the_input_gradient_of_every_step():
    import glasstorch as torch
    from glasstorch.labs.rnn_gradients import Classifier, gradient_per_step, make_batch
    x, y = make_batch(8, 5, torch.Generator().manual_seed(0))
    assert x.shape == (8, 5, 8) and x[:, 1:, :4].abs().sum().item() == 0       # the class only at step 0
    assert (x[:, 0, :4].argmax(1) == y).all().item()
    torch.manual_seed(0)
    model = Classifier("LSTM")
    hidden = model.rnn.hidden_size
    assert model.rnn.bias_hh_l0[hidden:2 * hidden].min().item() > 2.5          # the forget gate starts open
    norms = gradient_per_step(model, x, y)
    assert all(p.grad is None or p.grad.abs().sum().item() == 0 for p in model.parameters())  # left clean
    x2 = x.clone().requires_grad_()                                              # the same by hand
    torch.nn.functional.cross_entropy(model(x2), y).backward()
    assert norms == pytest.approx([x2.grad[:, t].norm().item() for t in range(5)], rel=1e-5)


def test_sequence_forecasts_far_better_than_the_mean(tmp_path):
    folder = tmp_path / "sequence"
    m, lines = run_lab("sequence", folder)
    assert set(m["models"]) == {"RNN", "LSTM", "GRU"}
    variance = m["test_variance"]
    assert 0.4 < variance < 0.8                     # sin(t) + 0.5·sin(2.3t + 1): about 1/2 + 1/8
    for kind, r in m["models"].items():
        assert r["test_mse"] < 0.01 * variance, kind              # one step ahead: far below the mean's MSE
        assert r["test_mse"] < m["last_value_mse"], kind           # and better than "next = last"
        assert r["test_mse"] == r["history"]["test_mse"][-1]
        assert r["history"]["test_mse"][-1] < r["history"]["test_mse"][0], kind
        assert r["autoregressive_mse"] < 3 * variance, kind        # fed its own predictions: drifts, but sane
        assert len(r["history"]["train_mse"]) == m["epochs"]
    assert pngs(folder) == ["forecast.png", "loss_curves.png", "predictions.png"]
    assert (folder / "report.html").read_text().count("<img") == 3


def test_sequence_windows_and_forecast_shapes():
    import glasstorch as torch
    from glasstorch.labs.sequence import Forecaster, forecast, windows
    series = torch.arange(10.0)
    x, y = windows(series, window=3)
    assert x.shape == (7, 3, 1) and y.shape == (7, 1)
    assert x[2, :, 0].tolist() == [2.0, 3.0, 4.0] and y[2, 0].item() == 5.0     # the value after the window
    torch.manual_seed(0)
    model = Forecaster("GRU")
    preds = forecast(model, x[0], 4)
    assert len(preds) == 4
    with torch.no_grad():                                    # step 2 sees the window shifted by step 1's guess
        first = model(x[0].reshape(1, 3, 1)).item()
        second = model(torch.tensor([[[1.0], [2.0], [first]]])).item()
    assert preds[:2] == pytest.approx([first, second], rel=1e-5)


@pytest.mark.skipif(not MNIST.is_dir(), reason=f"the MNIST files are not at {MNIST}")
def test_seq_mnist_lstm_reads_digits_row_by_row(tmp_path):
    folder = tmp_path / "seq-mnist"
    m, lines = run_lab("seq-mnist", folder, data=str(MNIST))
    assert m["train_size"] == 5120 and m["test_size"] == 1000 and m["epochs"] == 1
    assert m["test_accuracy"] >= 0.65           # one short epoch (80 steps); measured 0.75; chance is 0.1
    assert sum(map(sum, m["confusion_matrix"])) == 1000
    correct = sum(m["confusion_matrix"][i][i] for i in range(10))
    assert correct / 1000 == pytest.approx(m["test_accuracy"])
    by_row = m["accuracy_by_row"]
    assert len(by_row) == 28 and by_row[-1] == pytest.approx(m["test_accuracy"])
    assert by_row[-1] > by_row[13] + 0.2        # more rows read, better named
    assert m["parameters"] == 4 * 128 * (28 + 128 + 2) + 4 * 128 * (128 + 128 + 2) + 128 * 10 + 10
    assert pngs(folder) == ["accuracy_by_row.png", "confusion_matrix_lstm.png", "learning_curves.png",
                            "misclassified_lstm.png"]
    page = (folder / "report.html").read_text()
    assert page.count("<img") == 4 and "precision" in page
    import glasstorch
    from glasstorch.labs.seq_mnist import RowLSTM
    model = RowLSTM()
    model.load_state_dict(glasstorch.load(folder / "lstm.pt"))     # the saved weights load back
    assert any("test accuracy" in line for line in lines)


def test_row_lstm_reads_28_rows():
    import glasstorch as torch
    from glasstorch.labs.seq_mnist import RowLSTM
    torch.manual_seed(0)
    model = RowLSTM(hidden_size=16)
    x = torch.randn(3, 1, 28, 28)
    assert model.read(x).shape == (3, 28, 16)
    assert model(x).shape == (3, 10)
    assert torch.allclose(model(x), model.fc(model.read(x)[:, -1]))
    assert torch.allclose(model(x), model(x.reshape(3, 28, 28)))   # (N, 28, 28) works too
