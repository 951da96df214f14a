"""torch.conv2d, torch.dropout, torch.batch_norm ...: the top-level spellings with ATen's signatures (weight first
for embedding, integer reductions for losses, no defaults for dropout's p and train) give PyTorch's results."""
import numpy as np
import pytest

from parity import Const, check

IDX = np.array([[1, 0, 3], [2, 2, 4]])
TARGET_PM1 = np.array([1.0, -1.0, 1.0, -1.0], dtype=np.float32)

CASES = {
    "conv1d": (lambda torch, x, w: torch.conv1d(x, w, None, 1, 1), (2, 3, 7), (4, 3, 3)),
    "conv2d": (lambda torch, x, w: torch.conv2d(x, w, None, 2, 1, 1, 1), (2, 3, 6, 6), (4, 3, 3, 3)),
    "conv_transpose1d": (lambda torch, x, w: torch.conv_transpose1d(x, w, None, 2), (2, 3, 5), (3, 2, 3)),
    "conv_transpose2d": (lambda torch, x, w: torch.conv_transpose2d(x, w), (1, 3, 4, 4), (3, 2, 3, 3)),
    "dropout_eval": (lambda torch, x: torch.dropout(x, 0.5, False), (3, 4)),
    "alpha_dropout_eval": (lambda torch, x: torch.alpha_dropout(x, 0.3, False), (3, 4)),
    "feature_dropout_eval": (lambda torch, x: torch.feature_dropout(x, 0.3, False), (2, 3, 4)),
    "batch_norm_train": (lambda torch, x, w, b: torch.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
                         (4, 3, 5), (3,), (3,)),
    "batch_norm_eval": (lambda torch, x, m, v: torch.batch_norm(x, None, None, m, v, False, 0.1, 1e-5, False),
                        (4, 3), Const(np.zeros(3, np.float32)), Const(np.ones(3, np.float32))),
    "instance_norm": (lambda torch, x: torch.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False),
                      (2, 3, 6)),
    "layer_norm": (lambda torch, x, w, b: torch.layer_norm(x, (5,), w, b), (2, 3, 5), (5,), (5,)),
    "group_norm": (lambda torch, x: torch.group_norm(x, 2), (2, 4, 3)),
    "rms_norm": (lambda torch, x, w: torch.rms_norm(x, [4], w), (3, 4), (4,)),
    "embedding_weight_first": (lambda torch, w, i: torch.embedding(w, i), (5, 3), IDX),
    "embedding_padding_idx": (lambda torch, w, i: torch.embedding(w, i, 2), (5, 3), IDX),
    "max_pool1d": (lambda torch, x: torch.max_pool1d(x, 2), (2, 3, 8)),
    "max_pool1d_with_indices": (lambda torch, x: torch.max_pool1d_with_indices(x, 3, 2)[0], (2, 3, 9)),
    "max_pool2d": (lambda torch, x: torch.max_pool2d(x, 2, 2), (2, 3, 6, 6)),
    "avg_pool1d": (lambda torch, x: torch.avg_pool1d(x, 2), (2, 3, 8)),
    "adaptive_avg_pool1d": (lambda torch, x: torch.adaptive_avg_pool1d(x, 3), (2, 3, 7)),
    "adaptive_max_pool1d": (lambda torch, x: torch.adaptive_max_pool1d(x, 3)[0], (2, 3, 7)),
    "celu": (lambda torch, x: torch.celu(x, 0.7), (3, 4)),
    "selu": (lambda torch, x: torch.selu(x), (3, 4)),
    "threshold": (lambda torch, x: torch.threshold(x, 0.1, -2.0), (3, 4)),
    "hardshrink": (lambda torch, x: torch.hardshrink(x, 0.4), (3, 4)),
    "prelu": (lambda torch, x, w: torch.prelu(x, w), (2, 3, 4), (3,)),
    "bce_with_logits_sum": (lambda torch, x, t: torch.binary_cross_entropy_with_logits(x, t, None, None, 2),
                            (3, 4), Const(np.random.default_rng(0).uniform(size=(3, 4)).astype(np.float32))),
    "kl_div_none": (lambda torch, x, t: torch.kl_div(x.log_softmax(-1), t.softmax(-1), 0), (3, 4), (3, 4)),
    "kl_div_log_target": (lambda torch, x, t: torch.kl_div(x, t, 1, log_target=True), (3, 4), (3, 4)),
    "cosine_embedding_loss": (lambda torch, a, b, y: torch.cosine_embedding_loss(a, b, y, 0.1, 1),
                              (4, 5), (4, 5), Const(TARGET_PM1)),
    "margin_ranking_loss": (lambda torch, a, b, y: torch.margin_ranking_loss(a, b, y, 0.2, 2),
                            (4,), (4,), Const(TARGET_PM1)),
    "poisson_nll_loss": (lambda torch, x, t: torch.poisson_nll_loss(x, t, True, False, 1e-8, 1), (3, 4),
                         Const(np.abs(np.random.default_rng(1).normal(size=(3, 4))).astype(np.float32))),
    "lstm_cell": (lambda torch, x, h, c, wi, wh: torch.lstm_cell(x, (h, c), wi, wh)[1], (2, 3), (2, 4), (2, 4),
                  (16, 3), (16, 4)),
    "gru_cell": (lambda torch, x, h, wi, wh, bi: torch.gru_cell(x, h, wi, wh, bi), (2, 3), (2, 4), (12, 3),
                 (12, 4), (12,)),
    "rnn_tanh_cell": (lambda torch, x, h, wi, wh: torch.rnn_tanh_cell(x, h, wi, wh), (2, 3), (2, 4), (4, 3),
                      (4, 4)),
    "rnn_relu_cell": (lambda torch, x, h, wi, wh: torch.rnn_relu_cell(x, h, wi, wh), (2, 3), (2, 4), (4, 3),
                      (4, 4)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_torch_level_spelling_matches_pytorch(name):
    fn, *inputs = CASES[name]
    check(fn, *inputs)


@pytest.mark.parametrize("name", ["relu_", "selu_", "celu_", "threshold_"])
def test_torch_level_in_place_activations(name):
    import torch
    import glasstorch
    x = np.random.default_rng(2).normal(size=(3, 4)).astype(np.float32)
    args = {"threshold_": (0.2, 5.0)}.get(name, ())
    results = []
    for lib in (torch, glasstorch):
        t = lib.tensor(x)
        out = getattr(lib, name)(t, *args)
        assert out is t and t._version == 1
        results.append(t.numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6, atol=1e-6)


def test_dropout_in_training_keeps_scale_and_drops_whole_channels():
    import glasstorch
    x = glasstorch.ones(200, 50, 3)
    y = glasstorch.feature_dropout(x, 0.4, True)
    per_channel = y.numpy()
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # a channel is kept or dropped whole
    np.testing.assert_allclose(np.unique(per_channel), [0.0, 1 / 0.6], rtol=1e-6)
    assert abs(per_channel.mean() - 1.0) < 0.05
    d = glasstorch.dropout(x, 0.4, True).numpy()
    assert abs((d == 0).mean() - 0.4) < 0.02


def test_integer_reduction_is_checked():
    import glasstorch
    with pytest.raises(RuntimeError, match="not a valid value for reduction"):
        glasstorch.kl_div(glasstorch.zeros(3), glasstorch.zeros(3), 5)
