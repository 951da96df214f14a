"""Lab: vanishing gradients in a deep network, the three fixes, and the network built on them (a ResNet).

    glasstorch lab vanishing-gradients --dataset mnist --epochs 2 --data DIR

Four deep MLPs of the same shape — an input layer, ``DEPTH`` hidden Linear layers of equal width, a Linear
output layer — trained on the same data:

- ``sigmoid``: sigmoid after every layer, PyTorch's default initialization. Backpropagation multiplies the
  gradient, layer by layer, by σ'(z) ≤ 1/4 and by a weight matrix whose scale is ~1/√3 of what would keep
  it constant: the gradient reaching the first layers is orders of magnitude smaller than the last one's,
  and those layers barely learn;
- ``relu + He``: ReLU with He (Kaiming) initialization, N(0, 2/fan_in): ReLU's derivative is 1 where it
  passes, and the factor 2 makes up for the half it blocks, so the gradient keeps its size;
- ``sigmoid + batch norm``: the sigmoid network with ``BatchNorm1d`` before each sigmoid: every layer's
  pre-activations are rescaled to unit variance, which undoes the shrinking of the weights;
- ``sigmoid + residual``: the sigmoid network with skip connections, written as the "pre-activation"
  residual blocks of He et al. (2016), h ← h + W·σ(h) + b, and σ(h) into the output layer: the identity
  path carries the gradient back unchanged, whatever the sigmoids do.

The gradient norm of each layer's weight matrix is measured on one batch at initialization and again after
training by ``glass.watch``, whose gradient hooks record ‖∂L/∂W‖ per parameter (figure: one curve per
variant, log scale), with training curves side by side. Skip connections are what let He et al. train
networks of 100+ layers: the lab ends by training the small ResNet of ``glasstorch.vision.models`` briefly,
with its per-layer gradient norms.

Metrics: per variant the gradient norm of every layer, the ratio first hidden layer / last hidden layer, the
training loss per epoch and the test accuracy; for the ResNet its accuracy and gradient norms.
"""
import glasstorch as torch
from glasstorch import nn
from glasstorch.glass import watch
from glasstorch.utils.data import DataLoader, TensorDataset

from .mnist import load_data
from .report import write_report
from .runfolder import progress

VARIANTS = ("sigmoid", "relu + He", "sigmoid + batch norm", "sigmoid + residual")
DEPTH = 15
LR = 0.01  # SGD with momentum 0.9 for every variant


class DeepMLP(nn.Module):
    """inp → DEPTH × (Linear [→ BatchNorm1d] → activation [+ skip]) → out, for one of the lab's variants."""

    def __init__(self, n_in, width, depth, variant):
        super().__init__()
        self.variant = variant
        self.inp = nn.Linear(n_in, width)
        self.hidden = nn.ModuleList([nn.Linear(width, width) for _ in range(depth)])
        self.norms = nn.ModuleList([nn.BatchNorm1d(width) for _ in range(depth)]) if "batch norm" in variant \
            else None
        self.out = nn.Linear(width, 10)
        self.act = nn.ReLU() if variant.startswith("relu") else nn.Sigmoid()
        if variant == "relu + He":
            for layer in (self.inp, *self.hidden, self.out):
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
                nn.init.zeros_(layer.bias)

    def forward(self, x):
        if self.variant.endswith("residual"):  # pre-activation blocks (He et al. 2016): h ← h + W·σ(h) + b
            h = self.inp(x.flatten(1))
            for layer in self.hidden:
                h = h + layer(self.act(h))
            return self.out(self.act(h))
        h = self.act(self.inp(x.flatten(1)))
        for i, layer in enumerate(self.hidden):
            z = layer(h)
            if self.norms is not None:
                z = self.norms[i](z)
            h = self.act(z)
        return self.out(h)

    def linears(self):
        """(name, layer) of every Linear, from the input side to the output side."""
        return [("inp", self.inp)] + [(f"hidden.{i}", m) for i, m in enumerate(self.hidden)] + [("out", self.out)]


def gradient_norms(model, named_weights, x, y):
    """The L2 norm ‖∂loss/∂W‖ = √(Σ g²) of each weight, from one forward/backward on (x, y) in train mode,
    read from ``glass.watch``'s gradient hooks: ``named_weights`` is a list of (label, parameter name), and
    the result maps each label to the norm watch recorded for that parameter (the gradients are cleared
    again, so training starts from the same state as without the probe)."""
    model.train()
    model.zero_grad()
    with watch(model, every=1, what="gradients") as w:   # every step recorded; only the gradient norms
        nn.functional.cross_entropy(model(x), y).backward()
    model.zero_grad()
    params = w.history["params"]
    return {label: params[name]["grad_norm"][-1] for label, name in named_weights}


def first_to_last(norms):
    """The first hidden layer's gradient norm over the last hidden layer's (1 = no vanishing)."""
    hidden = [v for k, v in norms.items() if k.startswith("hidden.")]
    return hidden[0] / hidden[-1]


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        scores = model(x)
        return nn.functional.cross_entropy(scores, y).item(), (scores.argmax(1) == y).float().mean().item()


def train(model, x_tr, y_tr, x_te, y_te, epochs, make_optimizer, seed, name, quiet):
    """Mini-batches of 64; the mean training loss and the test accuracy after each epoch."""
    optimizer = make_optimizer(model.parameters())
    loader = DataLoader(TensorDataset(x_tr, y_tr), batch_size=64, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    history = {"train_loss": [], "test_loss": [], "test_accuracy": []}
    for epoch in range(epochs):
        model.train()
        total, seen = 0.0, 0
        for xb, yb in progress(loader, f"{name} epoch {epoch + 1}/{epochs}", quiet=quiet):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
            seen += len(yb)
        test_loss, test_acc = evaluate(model, x_te, y_te)
        history["train_loss"].append(total / seen)
        history["test_loss"].append(test_loss)
        history["test_accuracy"].append(test_acc)
    return history


def run(run_dir, quick=False, seed=0, log=print, dataset=None, epochs=None, data="data"):
    dataset = dataset or ("digits" if quick else "mnist")
    x_tr, y_tr, x_te, y_te, _ = load_data(dataset, data)
    if quick and dataset != "digits":
        x_tr, y_tr, x_te, y_te = x_tr[:3000], y_tr[:3000], x_te[:1000], y_te[:1000]
    epochs = epochs if epochs is not None else (2 if quick else 5)
    width = 64 if dataset == "digits" else 128
    probe = torch.randperm(len(x_tr), generator=torch.Generator().manual_seed(seed))[:256]
    x_probe, y_probe = x_tr[probe], y_tr[probe]  # the batch every gradient norm is measured on
    log(f"  {dataset}: {len(x_tr)} training images; {DEPTH} hidden layers of {width}; {epochs} epochs")
    metrics = {"dataset": dataset, "depth": DEPTH, "width": width, "epochs": epochs, "variants": {}}

    for variant in VARIANTS:
        torch.manual_seed(seed)
        model = DeepMLP(x_tr[0].numel(), width, DEPTH, variant)
        named = [(name, f"{name}.weight") for name, _ in model.linears()]
        at_init = gradient_norms(model, named, x_probe, y_probe)
        history = train(model, x_tr, y_tr, x_te, y_te, epochs,
                        lambda ps: torch.optim.SGD(ps, lr=LR, momentum=0.9), seed, variant, quick)
        trained = gradient_norms(model, named, x_probe, y_probe)
        r = {"grad_norm_init": at_init, "grad_norm_trained": trained, "ratio_init": first_to_last(at_init),
             "ratio_trained": first_to_last(trained), "history": history,
             "test_accuracy": history["test_accuracy"][-1]}
        metrics["variants"][variant] = r
        log(f"  {variant:<21}: |∂L/∂W| first hidden / last hidden = {r['ratio_init']:.2e} at init, "
            f"{r['ratio_trained']:.2e} after training; loss {history['train_loss'][0]:.3f} → "
            f"{history['train_loss'][-1]:.3f}, test accuracy {r['test_accuracy']:.1%}")

    metrics["resnet"] = _resnet(x_tr, y_tr, x_te, y_te, quick, seed, log)
    _plot_norms(run_dir, metrics["variants"])
    _plot_training(run_dir, metrics["variants"], metrics["resnet"])
    write_report(run_dir, f"Vanishing gradients: a {DEPTH}-hidden-layer MLP four ways, and a ResNet ({dataset})",
                 metrics, models={**{v: DeepMLP(x_tr[0].numel(), width, DEPTH, v) for v in VARIANTS},
                                  "ResNet": _small_resnet(x_tr.shape[1])})
    return metrics


def _resnet(x_tr, y_tr, x_te, y_te, quick, seed, log):
    """The small ResNet of glasstorch.vision.models, trained briefly with Adam."""
    if not quick:  # convolutions on 60,000 images take a while in NumPy: a slice is enough to see it learn
        x_tr, y_tr = x_tr[:10000], y_tr[:10000]
    torch.manual_seed(seed)
    model = _small_resnet(x_tr.shape[1])
    named = [(n, n) for n, p in model.named_parameters() if p.dim() == 4 or n == "fc.weight"]
    probe = slice(0, 128)
    at_init = gradient_norms(model, named, x_tr[probe], y_tr[probe])
    epochs = 1 if quick else 2
    history = train(model, x_tr, y_tr, x_te, y_te, epochs, lambda ps: torch.optim.Adam(ps, lr=1e-3), seed,
                    "resnet", quick)
    r = {"train_size": len(x_tr), "epochs": epochs, "parameters": sum(p.numel() for p in model.parameters()),
         "grad_norm_init": at_init, "first_conv_to_fc_ratio": at_init["conv1.weight"] / at_init["fc.weight"],
         "history": history, "test_accuracy": history["test_accuracy"][-1]}
    log(f"  small ResNet ({r['parameters']:,} parameters, {len(at_init) - 1} convolutions): "
        f"|∂L/∂W| conv1 / fc = {r['first_conv_to_fc_ratio']:.2f} at init; {epochs} epoch(s) on {len(x_tr)} "
        f"images → test accuracy {r['test_accuracy']:.1%}")
    return r


def _plot_norms(run_dir, results):
    with run_dir.figure("gradient_norm_per_layer.png", figsize=(13, 4.8)) as fig:
        first = None
        for k, (key, when) in enumerate((("grad_norm_init", "at initialization"),
                                         ("grad_norm_trained", "after training"))):
            ax = fig.add_subplot(1, 2, k + 1, sharey=first)
            first = first or ax
            for variant, r in results.items():
                norms = r[key]
                ax.plot(range(len(norms)), list(norms.values()), marker="o", markersize=3, label=variant)
            names = list(next(iter(results.values()))[key])
            ax.set_xticks(range(len(names)))
            ax.set_xticklabels([n.replace("hidden.", "h") for n in names], rotation=90, fontsize=7)
            ax.set(yscale="log", xlabel="layer (input side → output side)", ylabel="‖∂L/∂W‖",
                   title=f"gradient norm per layer, {when}")
            ax.legend(fontsize=8)


def _plot_training(run_dir, results, resnet):
    with run_dir.figure("training_curves.png", figsize=(12, 4.5)) as fig:
        for k, (key, label) in enumerate((("train_loss", "training loss"), ("test_accuracy", "test accuracy"))):
            ax = fig.add_subplot(1, 2, k + 1)
            for variant, r in list(results.items()) + [("small ResNet", resnet)]:
                values = r["history"][key]
                ax.plot(range(1, len(values) + 1), values, marker="o", label=variant)
            ax.set(xlabel="epoch", ylabel=label)
            ax.legend(fontsize=8)


def _small_resnet(in_channels):
    from glasstorch.vision.models import SmallResNet
    return SmallResNet(in_channels=in_channels, num_classes=10)
