"""The attention labs in quick mode — char-lm (an LSTM and a causal Transformer learn a text) and vit (a tiny
vision Transformer on a slice of real MNIST) — and the pieces they are built from."""
import math

import numpy as np
import pytest

import glasstorch
from glasstorch import cli, nn
from glasstorch.labs import char_lm, vit

from labruns import MNIST, pngs, run_lab


# ---------------------------------------------------------------- char-lm

@pytest.fixture(scope="module")
def char_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("char-lm")
    metrics, lines = run_lab("char-lm", folder)
    return metrics, lines, folder


def test_unigram_entropy_is_in_nats():
    assert char_lm.unigram_entropy("aaaa") == 0.0
    assert char_lm.unigram_entropy("abcd" * 5) == pytest.approx(math.log(4))
    assert char_lm.unigram_entropy("aab") == pytest.approx(-(2 / 3) * math.log(2 / 3) - (1 / 3) * math.log(1 / 3))


def test_shipped_text_is_small_and_public_domain():
    header = char_lm.SHIPPED_TEXT.read_text(encoding="utf-8").split("\n", 1)[0]
    assert header.startswith("#") and "public domain" in header
    text = char_lm.load_text()
    assert not text.startswith("#") and 10_000 < len(text.encode("utf-8")) <= 100_000
    assert "Shall I compare thee to a summer's day?" in text


def test_both_char_models_learn_well_below_the_unigram_entropy(char_run):
    m, lines, _ = char_run
    h = m["unigram_entropy"]
    assert 2.9 < h < 3.4                       # English letters, spaces and punctuation: about 3.1 nats/char
    assert m["unigram_entropy_bits"] == pytest.approx(h / math.log(2))
    for name in ("lstm", "transformer"):
        r = m["models"][name]
        # measured in quick mode: lstm 2.04, transformer 2.29 (entropy 3.13); 0.6 nats is the margin
        assert r["train_loss"] < h - 0.6, name
        assert r["val_loss"] < h - 0.5, name   # and it carries over to the held-out tenth of the text
        assert r["train_loss_below_unigram"] == pytest.approx(h - r["train_loss"])
        losses = r["history"]["train_loss"]
        assert losses[-1] < losses[0] - 0.8, name
        assert len(r["history"]["step"]) == len(losses) == len(r["history"]["val_loss"])
    assert any("unigram entropy" in line for line in lines)


def test_samples_are_text_of_the_alphabet_continuing_the_prompt(char_run):
    m, _, _ = char_run
    alphabet = set(char_lm.load_text())
    assert m["vocab_size"] == len(alphabet)
    prompt = m["prompt"]
    assert prompt == "From fairest creatures"
    for name in ("lstm", "transformer"):
        samples = m["models"][name]["samples"]
        assert set(samples) == {str(t) for t in char_lm.TEMPERATURES}
        for text in samples.values():
            assert isinstance(text, str) and text.startswith(prompt)
            assert len(text) == len(prompt) + char_lm.QUICK["sample_length"]
            assert set(text) <= alphabet


def test_attention_rows_sum_to_one_and_are_causal(char_run):
    m, _, _ = char_run
    a = m["attention"]
    w = np.array(a["weights"])
    T = len(a["chars"])
    assert w.shape == (T, T) and T == char_lm.QUICK["attention_length"]
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-5)
    assert np.all(w[np.triu_indices(T, k=1)] == 0.0)     # nothing looks ahead
    assert np.all(w >= 0.0)
    assert w[0, 0] == pytest.approx(1.0)                 # the first character can only look at itself
    assert 0 <= a["head"] < 4 and a["layer"] == 0


def test_char_lm_writes_figures_and_a_report_with_the_samples(char_run):
    m, _, folder = char_run
    assert pngs(folder) == ["attention.png", "attention_heads.png", "loss_curves.png"]
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert page.count("<img") == 3
    for name in ("lstm", "transformer"):
        for t in char_lm.TEMPERATURES:
            assert f"{name} sample, temperature {t}" in page


def test_transformer_is_causal_and_the_lstm_carries_its_state():
    glasstorch.manual_seed(0)
    model = char_lm.CharTransformer(vocab_size=7, block_size=8, d_model=16, nhead=4, num_layers=2).eval()
    x = glasstorch.randint(0, 7, (2, 8))
    changed = x.clone()
    changed[:, 5] = (x[:, 5] + 1) % 7
    with glasstorch.no_grad():
        a, state = model(x)
        b, _ = model(changed)
    assert state is None and tuple(a.shape) == (2, 8, 7)
    np.testing.assert_allclose(a[:, :5].numpy(), b[:, :5].numpy(), atol=1e-6)   # the past ignores the future
    assert not np.allclose(a[:, 5:].numpy(), b[:, 5:].numpy())
    with pytest.raises(ValueError, match="block size 8"):
        model(glasstorch.randint(0, 7, (1, 9)))
    lstm = char_lm.CharLSTM(vocab_size=7, hidden_size=12).eval()
    with glasstorch.no_grad():
        whole, _ = lstm(x)
        first, state = lstm(x[:, :5])
        rest, _ = lstm(x[:, 5:], state)
    np.testing.assert_allclose(rest.numpy(), whole[:, 5:].numpy(), atol=1e-5)   # stepping = reading it all


def test_low_temperature_sampling_is_greedy():
    glasstorch.manual_seed(0)
    model = char_lm.CharLSTM(vocab_size=5, hidden_size=8)
    ids = char_lm.generate(model, [1, 2], 6, temperature=1e-4, generator=glasstorch.Generator().manual_seed(3))
    greedy = [1, 2]
    with glasstorch.no_grad():
        for _ in range(6):
            scores, _ = model(glasstorch.tensor([greedy]))
            greedy.append(scores[0, -1].argmax().item())
    assert ids == greedy


def test_char_lm_learns_a_users_text_file(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("the cat sat on the mat.\n" * 120, encoding="utf-8")     # 2,880 characters
    m, _ = run_lab("char-lm", tmp_path / "run", text=str(path), steps=60)
    assert m["text"] == str(path) and m["vocab_size"] == len(set(path.read_text()))
    assert m["prompt"] == "the cat sat on the mat."
    for r in m["models"].values():
        assert r["train_loss"] < m["unigram_entropy"] - 1.0     # a repeated line is easy to predict
        assert set("".join(r["samples"].values())) <= set(path.read_text())


def test_char_lm_rejects_a_text_too_short_and_unknown_prompt_characters(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text("too short", encoding="utf-8")
    with pytest.raises(ValueError, match="9 characters"):
        cli.run_lab("char-lm", quick=True, out_dir=tmp_path / "run", log=lambda line: None, text=str(path))
    with pytest.raises(ValueError, match="not in the text's alphabet"):
        char_lm.Vocabulary("abc").encode("abz")


# ---------------------------------------------------------------- vit

def test_vit_patches_are_the_4x4_tiles_row_by_row():
    model = vit.tiny_vit(nn)
    x = glasstorch.randn(2, 1, 28, 28)
    p = model.patches(x).numpy()
    assert p.shape == (2, 49, 16)
    img = x.numpy()
    for n, r, c in ((0, 0, 0), (1, 2, 5), (0, 6, 6), (1, 6, 0)):
        np.testing.assert_array_equal(p[n, 7 * r + c], img[n, 0, 4 * r:4 * r + 4, 4 * c:4 * c + 4].reshape(16))
    assert tuple(model(x).shape) == (2, 10)
    assert sum(q.numel() for q in model.parameters()) == 71_946


def test_vit_matches_its_pytorch_twin():
    torch = pytest.importorskip("torch")
    t_model = vit.tiny_vit(torch.nn)
    g_model = vit.tiny_vit(nn)
    state = {k: glasstorch.from_numpy(v.detach().numpy().copy()) for k, v in t_model.state_dict().items()}
    assert list(state) == list(g_model.state_dict())
    g_model.load_state_dict(state)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 1, 28, 28)).astype(np.float32)
    t_x, g_x = torch.from_numpy(x.copy()), glasstorch.from_numpy(x.copy())
    t_out, g_out = t_model(t_x), g_model(g_x)
    np.testing.assert_allclose(g_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-4, atol=1e-5)
    w = rng.standard_normal((3, 10)).astype(np.float32)
    t_out.backward(torch.from_numpy(w))
    g_out.backward(glasstorch.from_numpy(w.copy()))
    for (name, t), (_, g) in zip(t_model.named_parameters(), g_model.named_parameters()):
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), rtol=1e-3, atol=1e-5, err_msg=name)


def test_vit_attention_weights_are_distributions_over_the_patches():
    model = vit.tiny_vit(nn)
    w = vit.attention_weights(model, glasstorch.randn(2, 1, 28, 28))
    assert tuple(w.shape) == (2, 4, 49, 49)
    np.testing.assert_allclose(w.sum(-1).numpy(), 1.0, atol=1e-5)


@pytest.mark.skipif(not MNIST.is_dir(), reason=f"the MNIST files are not at {MNIST}")
def test_vit_learns_mnist_in_a_short_run(tmp_path):
    folder = tmp_path / "vit"
    m, lines = run_lab("vit", folder, data=str(MNIST))
    # measured in quick mode (8,000 images, 2 epochs, 250 steps): 72% on 1,000 test images; chance is 10%
    assert m["test_accuracy"] >= 0.6
    assert m["history"]["test_accuracy"][-1] > m["history"]["test_accuracy"][0]
    cm = np.array(m["confusion_matrix"])
    assert cm.sum() == m["test_size"] == 1000
    assert np.trace(cm) / cm.sum() == pytest.approx(m["test_accuracy"])
    assert pngs(folder) == ["attention.png", "confusion_matrix.png", "learning_curves.png", "patch_filters.png"]
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert page.count("<img") == 4 and "precision" in page
    assert any("vit epoch  2" in line for line in lines)
    model = vit.tiny_vit(nn)
    model.load_state_dict(glasstorch.load(folder / "vit.pt"))   # the saved weights load back
