"""Lab: backpropagation step by step on the course's two-layer examples, checked by numerical differentiation.

    (1) one number through two layers:  z = w2·tanh(w1·x + b1) + b2,  L = (z − t)²
    (2) a 2-3-1 MLP with sigmoid hidden units and the mean squared error on the four XOR points

For each, ``glass.explain_backward`` prints the chain-rule table (at each op: the upstream gradient dL/dy,
the local derivative dy/dx and the product dL/dx passed on), then the leaves' gradients are set beside
``loss.backward()`` and central differences (f(p + eps) − f(p − eps)) / (2·eps). Everything runs in float64,
where the three agree to about 1e-9. The graph of each example is drawn with ``glass.graph`` (PNG through
Graphviz; without it the DOT text is saved instead). The report page holds the tables and the graphs.
"""
import shutil

import numpy as np

import glasstorch as torch
from glasstorch import glass, nn
from glasstorch.autograd import numerical_grad
from glasstorch.demos.backprop import net

from .report import write_report


def run(run_dir, quick=False, seed=0, log=print):
    texts, metrics = {}, {}
    drawn = shutil.which("dot") is not None
    for key, title, example in (("two_layer_scalar", "z = w2*tanh(w1*x + b1) + b2, L = (z - t)**2", scalar_example),
                                ("mlp_2_3_1", "2-3-1 sigmoid MLP, MSE loss on the XOR points", mlp_example)):
        log(f"== {title}")
        loss, names, fn = example(seed)
        explanation = glass.explain_backward(loss, names, out=log)
        numerical = dict(zip(names, _as_tuple(numerical_grad(fn, *names.values()))))
        loss.backward()  # explain_backward left the graph intact: autograd's own answer, for comparison
        _draw(run_dir, key, loss, names, drawn)  # after backward, so the leaves show their gradients too
        comparison, diffs = _comparison(explanation, names, numerical)
        log(comparison)
        texts[f"{title}: chain rule, op by op"] = explanation.table()
        texts[f"{title}: each step in full"] = explanation.details()
        texts[f"{title}: three ways"] = comparison
        metrics[key] = {"loss": loss.item(), "steps": len(explanation),
                        "max_abs_autograd_vs_numerical": diffs["autograd_vs_numerical"],
                        "max_abs_chain_rule_vs_autograd": diffs["chain_rule_vs_autograd"],
                        "max_abs_chain_rule_vs_numerical": diffs["chain_rule_vs_numerical"]}
    metrics["graph_drawn"] = drawn
    if not drawn:
        note = ("Graphviz's dot program was not found, so the graphs are saved as DOT text (graph_*.dot); install "
                "Graphviz (apt-get install graphviz) and run again to draw them.")
        log(note)
        texts["graphs"] = note
    write_report(run_dir, "Backpropagation, step by step", metrics, texts)
    return metrics


def scalar_example(seed):
    """The course's one-number network at x = 0.5, t = 1 (the values of ``glasstorch demo backprop``)."""
    names = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
             for k, v in (("w1", 0.8), ("b1", -0.1), ("w2", 1.5), ("b2", 0.2))}

    def fn(w1, b1, w2, b2):
        return net(0.5, 1.0, w1, b1, w2, b2)[-1]
    return fn(*names.values()), names, fn


def mlp_example(seed):
    """nn.Sequential(Linear(2, 3), Sigmoid(), Linear(3, 1)) in float64, MSE against XOR's truth table."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1)).double()
    X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
    t = torch.tensor([[0.0], [1.0], [1.0], [0.0]], dtype=torch.float64)

    def fn(w1, b1, w2, b2):  # the same network written with the parameters as arguments, for numerical_grad
        hidden = torch.sigmoid(nn.functional.linear(X, w1, b1))
        return nn.functional.mse_loss(nn.functional.linear(hidden, w2, b2), t)
    names = dict(model.named_parameters())
    return nn.MSELoss()(model(X), t), names, fn


def _draw(run_dir, key, loss, names, drawn):
    g = glass.graph(loss, names)
    target = run_dir.path / f"graph_{key}.dot"
    g.save(target)
    run_dir.files.append(target)
    if drawn:
        target = run_dir.path / f"graph_{key}.png"
        g.save(target)
        run_dir.files.append(target)  # write_report embeds the PNGs of the run folder


def _comparison(explanation, names, numerical):
    """The gradients three ways, one row per element, and the largest differences."""
    rows = [f"{'gradient':<22}{'chain rule (table)':>20}{'autograd .grad':>18}{'numerical':>18}{'|diff|':>11}"]
    diffs = {"autograd_vs_numerical": 0.0, "chain_rule_vs_autograd": 0.0, "chain_rule_vs_numerical": 0.0}
    for name, p in names.items():
        chain = explanation.grads[name].reshape(-1)
        auto = p.grad.numpy().reshape(-1)
        num = numerical[name].numpy().reshape(-1)
        for k, (c, a, n) in enumerate(zip(chain, auto, num)):
            label = f"dL/d{name}" + (f"[{k}]" if chain.size > 1 else "")
            rows.append(f"{label:<22}{c:>20.10f}{a:>18.10f}{n:>18.10f}{abs(a - n):>11.2e}")
        diffs["autograd_vs_numerical"] = max(diffs["autograd_vs_numerical"], float(np.abs(auto - num).max()))
        diffs["chain_rule_vs_autograd"] = max(diffs["chain_rule_vs_autograd"], float(np.abs(chain - auto).max()))
        diffs["chain_rule_vs_numerical"] = max(diffs["chain_rule_vs_numerical"], float(np.abs(chain - num).max()))
    rows.append(f"largest |autograd - numerical| = {diffs['autograd_vs_numerical']:.2e}, "
                f"largest |chain rule - autograd| = {diffs['chain_rule_vs_autograd']:.2e}")
    return "\n".join(rows), diffs


def _as_tuple(value):
    return value if isinstance(value, tuple) else (value,)
