"""Lab: character-level language models. Two models learn to predict the next character of a text from the
characters before it — an LSTM, which reads left to right carrying a state, and a small decoder-only
Transformer, whose causal self-attention lets each position look at itself and every earlier position.

    glasstorch lab char-lm                   # the shipped text: a selection of Shakespeare's sonnets
    glasstorch lab char-lm --text FILE       # any UTF-8 text file of your own

Options of ``run``: ``text`` (a file; default the shipped ``data/sonnets.txt``, a selection of Shakespeare's
sonnets — public domain, its first line says so and is not learned), and, from Python only, ``steps`` (per
model) and ``prompt`` (default: the first line of the text with three words or more, up to 24 characters).

What it shows: the training loss (cross-entropy in nats per character, the natural log, as
``nn.CrossEntropyLoss`` computes it) against the unigram entropy of the text, H = -Σ p(c) ln p(c) over the
characters' frequencies. H is the loss of the best model that ignores the context (it predicts every
character with its frequency); a loss below the line is what the models learned from the context. Then
both models write text, sampled one character at a time from a prompt at two temperatures, and one
attention head of the Transformer is drawn as a heat map over a piece of text.

Recipe (our choice): the text's characters are the vocabulary; the last 10% of the text is held out for
validation. Each step takes 32 random windows of 64 characters (quick: 32 of 32) and learns to predict, at
every position, the character that follows (the targets are the window shifted by one). Adam, lr 3e-3
annealed along a half cosine to 0 over the steps, gradients clipped to norm 1, 800 steps per model (quick:
150 at lr 1e-2).
- LSTM: Embedding(vocab, 256) → LSTM(256, 256) → Dropout(0.2) → Linear(256, vocab) (quick: 64 wide, no
  dropout).
- Transformer: Embedding(vocab, 128) + learned positions (an ``nn.Parameter`` of block × 128) → 2 pre-norm
  ``nn.TransformerEncoderLayer`` s (4 heads, feed-forward 512, ReLU, dropout 0.2) with the causal mask
  ``nn.Transformer.generate_square_subsequent_mask(T)`` → the encoder's final LayerNorm → Linear(128, vocab)
  (quick: 1 layer, 48 wide, no dropout). A stack of encoder layers with a causal mask is exactly a
  decoder-only ("GPT-style") Transformer: there is no encoder output to cross-attend to.
Early stopping: every 1/20 of the steps the validation loss is measured, and each model ends with the
weights it had at its lowest validation loss (the dot on the curves). The shipped text is small (22
thousand characters): the big LSTM learns it fastest and then starts to memorize it after a couple of
hundred steps — the validation loss turns up while the training loss keeps falling — and the
Transformer, which has no built-in sense of order and must learn it from the data, catches up later.

Measured on the shipped text (seed 0): unigram entropy 3.131 nats/char. LSTM (557 thousand parameters):
weights of step 200 kept, training loss 1.45, validation 1.87 (by step 800 it had memorized the text:
training 0.88, validation 2.09). Transformer (420 thousand): step 760, training 1.51, validation 2.00. Both
models together: 5 minutes on a 2-core machine with one BLAS thread (``OMP_NUM_THREADS=1``). Quick mode:
training losses 2.04 (LSTM) and 2.29 (Transformer).

Sampling: the prompt (the first words of the text) is read, then each next character is drawn from
softmax(scores / temperature) with ``torch.multinomial``: a low temperature sharpens the distribution (safe,
repetitive text), a high one flattens it (bolder, more misspelt text). The LSTM carries its state and reads
only the new character at each step; the Transformer keeps no state and rereads its last ``block``
characters.

Attention map: the first layer's ``self_attn`` (an ``nn.MultiheadAttention``) is called by hand on the
layer-normed embedding of a piece of validation text, with ``need_weights=True,
average_attn_weights=False``, which returns every head's (T × T) weights; row i is where position i looks.
The causal mask makes everything above the diagonal exactly zero. The head drawn is the one that looks
furthest back on average.

Reported (``metrics.json``): the unigram entropy (nats and bits per character); per model, for the weights
kept, the training loss (measured after training in eval mode, without dropout, on up to 256 consecutive
windows of the training text) and the validation loss, the step they come from, the histories, the samples;
the drawn head's weights and characters.

Writes: ``loss_curves.png`` (training and validation loss of both models, with the unigram-entropy line),
``attention.png`` (the chosen head, characters on the axes; · is a space, \\n a newline),
``attention_heads.png`` (every head of that layer), ``report.html`` with the samples as text blocks, and
``metrics.json``.
"""
import collections
import math
import pathlib
import time

import glasstorch as torch
from glasstorch import nn
import glasstorch.nn.functional as F

from .report import write_report
from .runfolder import progress

SHIPPED_TEXT = pathlib.Path(__file__).parent / "data" / "sonnets.txt"
TEMPERATURES = (0.5, 1.0)

# full-size and quick settings
FULL = {"block_size": 64, "batch_size": 32, "steps": 800, "lr": 3e-3, "lstm_hidden": 256, "d_model": 128,
        "num_layers": 2, "dropout": 0.2, "sample_length": 400, "attention_length": 48}
QUICK = {"block_size": 32, "batch_size": 32, "steps": 150, "lr": 1e-2, "lstm_hidden": 64, "d_model": 48,
         "num_layers": 1, "dropout": 0.0, "sample_length": 120, "attention_length": 32}


def load_text(path=None):
    """The text to learn: the file at ``path``, or the shipped sonnets (without their one-line header)."""
    if path is None:
        header, text = SHIPPED_TEXT.read_text(encoding="utf-8").split("\n", 1)
        return text
    return pathlib.Path(path).read_text(encoding="utf-8")


class Vocabulary:
    """The characters of a text, numbered in sorted order: ``encode`` text → int64 ids, ``decode`` back."""

    def __init__(self, text):
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def encode(self, text):
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(f"characters not in the text's alphabet: {''.join(unknown)!r}")
        return torch.tensor([self.index[c] for c in text], dtype=torch.int64)

    def decode(self, ids):
        return "".join(self.chars[i] for i in ids)


def unigram_entropy(text):
    """H = -Σ p(c) ln p(c) over the character frequencies of ``text``, in nats per character."""
    counts = collections.Counter(text)
    return -sum(n / len(text) * math.log(n / len(text)) for n in counts.values())


def random_windows(data, batch_size, block_size, generator):
    """``batch_size`` random windows of the 1-D id tensor ``data``: inputs x (N, T) and targets y (N, T),
    y being x shifted one character on (at every position the target is the next character)."""
    starts = torch.randint(0, len(data) - block_size, (batch_size,), generator=generator)
    windows = data[starts[:, None] + torch.arange(block_size + 1)]       # (N, T + 1)
    return windows[:, :-1], windows[:, 1:]


class CharLSTM(nn.Module):
    """Embedding → LSTM → Dropout → Linear: scores for the next character at every position."""

    def __init__(self, vocab_size, hidden_size, dropout=0.0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, hidden_size)
        self.lstm = nn.LSTM(hidden_size, hidden_size, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        """x (N, T) ids → scores (N, T, vocab) and the LSTM's state (h, c), to carry on from when sampling."""
        out, state = self.lstm(self.embed(x), state)
        return self.head(self.drop(out)), state


class CharTransformer(nn.Module):
    """A decoder-only Transformer: token embedding + learned positions → causal encoder layers → Linear."""

    def __init__(self, vocab_size, block_size, d_model, nhead=4, num_layers=2, dropout=0.0):
        super().__init__()
        self.block_size = block_size
        self.embed = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Parameter(torch.randn(block_size, d_model) * 0.02)   # one learned vector per position
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=4 * d_model, dropout=dropout,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, norm=nn.LayerNorm(d_model),
                                             enable_nested_tensor=False)
        self.head = nn.Linear(d_model, vocab_size)

    def embed_positions(self, x):
        """x (N, T) ids → (N, T, d_model): what the first layer reads."""
        return self.embed(x) + self.pos[:x.shape[1]]

    def forward(self, x, state=None):
        """x (N, T) ids, T ≤ block_size → scores (N, T, vocab). A Transformer keeps no state: it returns None
        in its place (the same call as ``CharLSTM``) and is given its whole context again at every step."""
        if x.shape[1] > self.block_size:
            raise ValueError(f"input of {x.shape[1]} characters is longer than the block size {self.block_size}")
        mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1])  # -inf above the diagonal
        h = self.encoder(self.embed_positions(x), mask=mask, is_causal=True)
        return self.head(h), None


def mean_loss(model, data, block_size, max_windows=256, batch_size=64):
    """Cross-entropy (nats/char) over consecutive non-overlapping windows of ``data``, in eval mode."""
    n = min((len(data) - 1) // block_size, max_windows)
    x = data[:n * block_size].reshape(n, block_size)
    y = data[1:n * block_size + 1].reshape(n, block_size)
    model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(0, n, batch_size):
            scores, _ = model(x[i:i + batch_size])
            total += F.cross_entropy(scores.reshape(-1, scores.shape[-1]), y[i:i + batch_size].reshape(-1),
                                     reduction="sum").item()
    return total / (n * block_size)


def train(name, model, train_data, val_data, cfg, seed=0, log=print, quiet=False):
    """Adam on random windows with a cosine-annealed rate and clipped gradients. Early stopping: the model
    ends with the weights it had at the checkpoint of lowest validation loss. Returns the history."""
    steps, block = cfg["steps"], cfg["block_size"]
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    every = max(1, steps // 20)                       # 20 points on the learning curves
    history = {"step": [], "train_loss": [], "val_loss": []}
    best_state, best_loss = None, math.inf
    running, start = [], time.perf_counter()
    for step in progress(range(1, steps + 1), f"{name}", quiet=quiet):
        model.train()
        x, y = random_windows(train_data, cfg["batch_size"], block, generator)
        scores, _ = model(x)                                           # (N, T, vocab)
        loss = F.cross_entropy(scores.reshape(-1, scores.shape[-1]), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        running.append(loss.item())
        if step % every == 0 or step == steps:
            history["step"].append(step)
            history["train_loss"].append(sum(running) / len(running))  # mean over the steps since the last point
            history["val_loss"].append(mean_loss(model, val_data, block))
            running = []
            if history["val_loss"][-1] < best_loss:                   # the best weights so far: keep a copy
                best_loss, history["best_step"] = history["val_loss"][-1], step
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
            if step % (5 * every) == 0 or step == steps:
                log(f"  {name:<11} step {step:>5}/{steps}: train loss {history['train_loss'][-1]:.3f} | "
                    f"validation loss {history['val_loss'][-1]:.3f} nats/char "
                    f"({time.perf_counter() - start:.0f} s)")
    history["seconds"] = time.perf_counter() - start
    model.load_state_dict(best_state)
    if history["best_step"] < steps:
        log(f"  {name:<11} kept the weights of step {history['best_step']}, where the validation loss was "
            f"lowest ({best_loss:.3f})")
    return history


def generate(model, prompt_ids, length, temperature=1.0, block_size=None, generator=None):
    """Continue ``prompt_ids`` by ``length`` characters drawn from softmax(scores / temperature)."""
    model.eval()
    ids = list(prompt_ids)
    x, state = torch.tensor([ids]), None
    with torch.no_grad():
        for _ in range(length):
            scores, state = model(x, state)
            probs = torch.softmax(scores[0, -1] / temperature, dim=-1)
            next_id = torch.multinomial(probs, 1, generator=generator).item()
            ids.append(next_id)
            # an RNN carries its state and reads only the new character; a Transformer rereads its context
            x = torch.tensor([[next_id]]) if state is not None else torch.tensor([ids[-block_size:]])
    return ids


def attention_weights(model, x):
    """The first layer's attention weights for ids ``x`` (1, T): (heads, T, T), row i summing to 1."""
    model.eval()
    layer = model.encoder.layers[0]
    T = x.shape[1]
    mask = nn.Transformer.generate_square_subsequent_mask(T)
    with torch.no_grad():
        z = layer.norm1(model.embed_positions(x))    # pre-norm: the layer's attention reads norm1 of its input
        _, weights = layer.self_attn(z, z, z, attn_mask=mask, need_weights=True, average_attn_weights=False)
    return weights[0]                                # (heads, T, T)


def furthest_looking_head(weights):
    """The head whose rows look furthest back on average: Σ_j w[i, j] (i - j), averaged over i."""
    T = weights.shape[-1]
    distance = torch.arange(T)[:, None] - torch.arange(T)[None, :]     # i - j
    return (weights * distance).sum(-1).mean(-1).argmax().item()


def default_prompt(text):
    """The first line of the text with three words or more, cut at a space to at most 24 characters."""
    lines = [line.strip() for line in text.split("\n") if len(line.split()) >= 3]
    first = lines[0] if lines else text[:16]
    if len(first) > 24:
        cut = first[:25].rfind(" ")
        first = first[:cut if cut > 0 else 24]
    return first


def run(run_dir, quick=False, seed=0, log=print, text=None, steps=None, prompt=None):
    cfg = dict(QUICK if quick else FULL)
    if steps is not None:
        cfg["steps"] = steps
    source = text
    text = load_text(text)
    block = cfg["block_size"]
    split = int(0.9 * len(text))
    if split - 1 <= block or len(text) - split - 1 <= block:
        raise ValueError(f"the text has {len(text)} characters; it needs more than {int((block + 2) / 0.1)} "
                         f"(90% to train on, 10% to validate, each longer than a window of {block})")
    vocab = Vocabulary(text)
    train_text, val_text = text[:split], text[split:]
    train_data, val_data = vocab.encode(train_text), vocab.encode(val_text)
    entropy = unigram_entropy(train_text)
    prompt = prompt if prompt is not None else default_prompt(text)
    prompt_ids = vocab.encode(prompt).tolist()
    log(f"  text: {source or 'Shakespeare, sonnets (shipped)'}: {len(text):,} characters, {len(vocab)} distinct; "
        f"unigram entropy {entropy:.3f} nats/char ({entropy / math.log(2):.3f} bits)")

    builders = {
        "lstm": lambda: CharLSTM(len(vocab), cfg["lstm_hidden"], dropout=cfg["dropout"]),
        "transformer": lambda: CharTransformer(len(vocab), block, cfg["d_model"], nhead=4,
                                               num_layers=cfg["num_layers"], dropout=cfg["dropout"]),
    }
    metrics = {"text": source or "shipped: Shakespeare's sonnets", "characters": len(text),
               "vocab_size": len(vocab), "unigram_entropy": entropy, "unigram_entropy_bits": entropy / math.log(2),
               "block_size": block, "batch_size": cfg["batch_size"], "steps": cfg["steps"], "lr": cfg["lr"],
               "prompt": prompt, "models": {}}
    texts, models = {}, {}
    for name, build in builders.items():
        torch.manual_seed(seed)
        model = build()
        history = train(name, model, train_data, val_data, cfg, seed=seed, log=log, quiet=quick)
        train_loss = mean_loss(model, train_data, block)
        val_loss = min(history["val_loss"])                # the kept weights' (early stopping)
        samples = {}
        for temperature in TEMPERATURES:
            g = torch.Generator().manual_seed(seed)
            ids = generate(model, prompt_ids, cfg["sample_length"], temperature, block, g)
            samples[str(temperature)] = vocab.decode(ids)
            texts[f"{name} sample, temperature {temperature}"] = samples[str(temperature)]
        n_params = sum(p.numel() for p in model.parameters())
        metrics["models"][name] = {"parameters": n_params, "train_loss": train_loss, "val_loss": val_loss,
                                   "best_step": history["best_step"],
                                   "train_loss_below_unigram": entropy - train_loss, "history": history,
                                   "samples": samples}
        log(f"  {name}: {n_params:,} parameters; train loss {train_loss:.3f}, validation {val_loss:.3f} "
            f"nats/char (unigram entropy {entropy:.3f}); {history['seconds']:.0f} s")
        models[name] = model

    start = val_text.find("\n") + 1                    # a piece of validation text, from the start of a line
    if start + cfg["attention_length"] > len(val_text):
        start = 0
    piece = val_text[start:start + cfg["attention_length"]]
    weights = attention_weights(models["transformer"], vocab.encode(piece)[None])
    head = furthest_looking_head(weights)
    metrics["attention"] = {"layer": 0, "head": head, "chars": list(piece), "weights": weights[head].tolist()}
    _plot_losses(run_dir, metrics["models"], entropy)
    _plot_attention(run_dir, weights, head, piece)
    _plot_heads(run_dir, weights, piece)
    shown = {k: v for k, v in metrics.items() if k not in ("models", "attention")}     # the samples go in
    shown["models"] = {name: {k: r[k] for k in ("parameters", "best_step", "train_loss", "val_loss",
                                                  "train_loss_below_unigram")}
                       for name, r in metrics["models"].items()}                       # as text blocks below
    write_report(run_dir, "Character-level language models: LSTM and causal Transformer", shown, texts=texts, models=models)
    return metrics


def _label(c):
    return {" ": "·", "\n": "\\n", "\t": "\\t"}.get(c, c)


def _plot_losses(run_dir, results, entropy):
    with run_dir.figure("loss_curves.png", figsize=(8, 5)) as fig:
        ax = fig.gca()
        for name, r in results.items():
            h = r["history"]
            line, = ax.plot(h["step"], h["train_loss"], label=f"{name} train")
            ax.plot(h["step"], h["val_loss"], "--", color=line.get_color(), label=f"{name} validation")
            ax.plot(h["best_step"], r["val_loss"], "o", color=line.get_color())         # the weights kept
        ax.axhline(entropy, color="gray", linestyle=":", label=f"unigram entropy {entropy:.2f}")
        ax.set(xlabel="step", ylabel="cross-entropy (nats/char)",
               title="next-character loss; below the grey line the models use the context")
        ax.legend(fontsize=8)


def _plot_attention(run_dir, weights, head, piece):
    labels = [_label(c) for c in piece]
    with run_dir.figure("attention.png", figsize=(9, 8)) as fig:
        ax = fig.gca()
        im = ax.imshow(weights[head].numpy(), cmap="viridis", vmin=0)
        ax.set_xticks(range(len(piece)))
        ax.set_yticks(range(len(piece)))
        ax.set_xticklabels(labels, fontsize=7, family="monospace")
        ax.set_yticklabels(labels, fontsize=7, family="monospace")
        ax.set(xlabel="attends to (key position)", ylabel="position (query)",
               title=f"layer 1, head {head + 1}: attention weights (row i: where character i looks)")
        fig.colorbar(im, ax=ax, shrink=0.8)


def _plot_heads(run_dir, weights, piece):
    heads = weights.shape[0]
    with run_dir.figure("attention_heads.png", figsize=(3.2 * heads, 3.6)) as fig:
        for k in range(heads):
            ax = fig.add_subplot(1, heads, k + 1)
            ax.imshow(weights[k].numpy(), cmap="viridis", vmin=0)
            ax.set_title(f"head {k + 1}", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
        fig.suptitle(f"layer 1, every head, on {piece[:24]!r}…", fontsize=9)
