"""Lab: weight initialization, seen through ``glass.watch``.

Part 1, the classic figure: 1000 samples of 100 N(0, 1) features go through five layers of 100 units
(``Linear`` without bias, then the activation), for sigmoid, tanh and ReLU, with the weights drawn from

    N(0, 1)       std 1                       (too big: sigmoid/tanh saturate, ReLU explodes)
    std 0.01      N(0, 0.01²)                 (too small: the signal dies out layer by layer)
    Xavier        std √(2 / (fan_in + fan_out))   (Glorot: keeps the variance for tanh/linear units)
    He            std √(2 / fan_in)           (Kaiming: keeps the variance for ReLU, which zeroes half)
    LeCun         std √(1 / fan_in)

One forward pass each, watched: the histogram of every layer's activations, their mean and standard deviation,
and the fraction of saturated (sigmoid, tanh) or dead (ReLU) units per layer.

Part 2, symmetry: a small sigmoid network 4 → 8 → 8 → 3 with every weight and bias 0 is trained a few steps of
SGD. Each hidden unit of a layer computes the same thing and receives the same gradient, so they stay
identical for ever: the lab reports the largest difference between two units' weights (0) next to that of
the same network from a small random initialization.

Writes activation_histograms_<activation>.png (rows: initializations, columns: layers),
activation_std_per_layer.png, zero_init_symmetry.png, metrics.json and report.html.
"""
import math

import numpy as np

import glasstorch as torch
from glasstorch import nn
from glasstorch.glass import watch

from .report import write_report

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
INITS = {  # name -> std of the weights for a (fan_out, fan_in) layer
    "N(0,1)": lambda fan_in, fan_out: 1.0,
    "std 0.01": lambda fan_in, fan_out: 0.01,
    "Xavier": lambda fan_in, fan_out: math.sqrt(2.0 / (fan_in + fan_out)),
    "He": lambda fan_in, fan_out: math.sqrt(2.0 / fan_in),
    "LeCun": lambda fan_in, fan_out: math.sqrt(1.0 / fan_in),
}
LAYERS, WIDTH = 5, 100


def deep_net(activation, init, width=WIDTH, layers=LAYERS):
    """``layers`` × (Linear(width, width, bias=False), activation) with weights N(0, std(init)²)."""
    modules = []
    for _ in range(layers):
        linear = nn.Linear(width, width, bias=False)
        nn.init.normal_(linear.weight, 0.0, INITS[init](width, width))
        modules += [linear, ACTIVATIONS[activation]()]
    return nn.Sequential(*modules)


def activation_study(x, log):
    """{activation: {init: per-layer mean, std, saturated/dead and the watch's histograms}}."""
    results = {}
    for act in ACTIVATIONS:
        results[act] = {}
        for init in INITS:
            model = deep_net(act, init, x.shape[1])
            with watch(model, every=1, bins=120, max_values=x.shape[0] * x.shape[1]) as w:
                model(x)
            h = w.to_dict()["layers"]
            outs = [h[str(2 * k + 1)] for k in range(LAYERS)]        # the activation modules' records
            key = "dead" if act == "relu" else "saturated"
            results[act][init] = {"mean": [o["mean"][0] for o in outs], "std": [o["std"][0] for o in outs],
                                  key: [o[key][0] for o in outs],
                                  "hist": [o["hist"][0] for o in outs], "edges": [o["edges"][0] for o in outs]}
            r = results[act][init]
            log(f"  {act:<8} {init:<9} std per layer " + " ".join(f"{s:8.3g}" for s in r["std"])
                + f" | {key} " + " ".join(f"{v:.0%}" for v in r[key]))
    return results


def unit_spread(model):
    """Largest difference between two hidden units of a layer: their incoming weight rows and biases, and
    their outgoing weight columns in the next layer."""
    linears = [m for m in model if isinstance(m, nn.Linear)]
    spread = 0.0
    for k, layer in enumerate(linears[:-1]):
        w = layer.weight.detach().numpy()
        b = layer.bias.detach().numpy()
        out_next = linears[k + 1].weight.detach().numpy()
        spread = max(spread, float(np.ptp(w, axis=0).max()), float(np.ptp(b)), float(np.ptp(out_next, axis=1).max()))
    return spread


def symmetry_study(steps, seed, log):
    """Train the 4-8-8-3 sigmoid network from zero and from small random weights; the units' spread."""
    gen = np.random.default_rng(seed)
    x = torch.tensor(gen.normal(size=(60, 4)).astype(np.float32))
    y = torch.tensor((x[:, 0] > 0).long().numpy() + (x[:, 1] > 0).long().numpy())   # classes 0, 1, 2
    out = {}
    for name in ("zero", "random"):
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(4, 8), nn.Sigmoid(), nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 3))
        if name == "zero":
            for p in model.parameters():
                nn.init.zeros_(p)
        else:
            for m in model:
                if isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0.0, 0.1)
                    nn.init.zeros_(m.bias)
        before = [p.detach().clone() for p in model.parameters()]
        opt = torch.optim.SGD(model.parameters(), lr=0.5)
        losses = []
        for _ in range(steps):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        moved = sum((p.detach() - b).abs().sum().item() for p, b in zip(model.parameters(), before))
        out[name] = {"max_unit_spread": unit_spread(model), "weights_moved": moved, "losses": losses,
                     "hidden1_weights": model[0].weight.detach().numpy().tolist()}
        log(f"  {name} init: after {steps} SGD steps the hidden units differ by at most "
            f"{out[name]['max_unit_spread']:.3g} (weights moved {moved:.3g} in total, loss {losses[-1]:.3f})")
    return out


def run(run_dir, quick=False, seed=0, log=print):
    torch.manual_seed(seed)
    samples = 500 if quick else 1000
    x = torch.randn(samples, WIDTH)
    log(f"  {samples}×{WIDTH} N(0,1) inputs through {LAYERS} layers of {WIDTH} units")
    study = activation_study(x, log)
    symmetry = symmetry_study(20 if quick else 100, seed, log)
    for act in ACTIVATIONS:
        _plot_histograms(run_dir, act, study[act])
    _plot_std(run_dir, study)
    _plot_symmetry(run_dir, symmetry)
    metrics = {"samples": samples, "layers": LAYERS, "width": WIDTH,
               "activations": {act: {init: {k: v for k, v in r.items() if k not in ("hist", "edges")}
                                     for init, r in by_init.items()} for act, by_init in study.items()},
               "symmetry": {name: {k: v for k, v in r.items() if k != "hidden1_weights"}
                            for name, r in symmetry.items()}}
    table = "\n".join(f"{act:<8} {init:<9} " + " ".join(f"{s:9.3g}" for s in r["std"])
                      for act, by_init in study.items() for init, r in by_init.items())
    write_report(run_dir, "Initialization lab: activations per layer, and the symmetry of zero init",
                 {"zero init: max unit spread": symmetry["zero"]["max_unit_spread"],
                  "random init: max unit spread": symmetry["random"]["max_unit_spread"]},
                 texts={"std of the activations, layers 1..5": table},
                 models={"five-layer network (one per activation and initialization)": deep_net("relu", "He")})
    return metrics


def _plot_histograms(run_dir, act, by_init):
    with run_dir.figure(f"activation_histograms_{act}.png", figsize=(2.4 * LAYERS, 1.9 * len(by_init))) as fig:
        for i, (init, r) in enumerate(by_init.items()):
            for k in range(LAYERS):
                ax = fig.add_subplot(len(by_init), LAYERS, i * LAYERS + k + 1)
                counts = np.asarray(r["hist"][k], dtype=float)
                if act == "relu":           # one range per row: a shrinking or exploding scale shows
                    lo, hi = 0.0, max(e[1] for e in r["edges"])
                else:                       # sigmoid/tanh: their whole output range
                    lo, hi = r["edges"][k]
                    lo, hi = min(lo, -1.0 if act == "tanh" else 0.0), max(hi, 1.0)
                edges = np.linspace(*r["edges"][k], len(counts) + 1)
                common = np.linspace(lo, hi, 41)                 # re-bin onto 40 bins over the panel's range
                counts, _ = np.histogram((edges[:-1] + edges[1:]) / 2, bins=common, weights=counts)
                ax.stairs(counts / counts.sum(), common, fill=True)
                ax.set_xlim(lo, hi)
                ax.set_xticks([lo, hi])                       # few ticks: drawing 75 panels stays quick
                ax.set_xticklabels([f"{lo:.2g}", f"{hi:.2g}"])
                ax.set_yticks([])
                if i == 0:
                    ax.set_title(f"layer {k + 1}", fontsize=9)
                if k == 0:
                    ax.set_ylabel(init, fontsize=9)
                ax.text(0.97, 0.9, f"std {r['std'][k]:.2g}", transform=ax.transAxes, ha="right", fontsize=6)
                ax.tick_params(labelsize=6)
        fig.suptitle(f"{act}: activations of each layer under each initialization")


def _plot_std(run_dir, study):
    with run_dir.figure("activation_std_per_layer.png", figsize=(13, 4)) as fig:
        for j, (act, by_init) in enumerate(study.items()):
            ax = fig.add_subplot(1, len(study), j + 1)
            for init, r in by_init.items():
                ax.plot(range(1, LAYERS + 1), np.maximum(r["std"], 1e-30), "o-", label=init)
            ax.set_yscale("log")
            ax.set(xlabel="layer", ylabel="std of activations", title=act, xticks=range(1, LAYERS + 1))
            ax.legend(fontsize=7)


def _plot_symmetry(run_dir, symmetry):
    with run_dir.figure("zero_init_symmetry.png", figsize=(10, 3.6)) as fig:
        for j, (name, r) in enumerate(symmetry.items()):
            ax = fig.add_subplot(1, 2, j + 1)
            im = ax.imshow(np.asarray(r["hidden1_weights"]), cmap="coolwarm", aspect="auto")
            ax.set(xlabel="input", ylabel="hidden unit",
                   title=f"{name} init, trained: layer-1 weights\nmax spread between units "
                         f"{r['max_unit_spread']:.2g}")
            fig.colorbar(im, ax=ax)
