"""Lab: the perceptron learns AND, OR and NAND, and cannot learn XOR; two layers of perceptrons can.

The perceptron (Rosenblatt, 1958) is a single unit  y = step(w·x + b)  with step(z) = 1 if z > 0 else 0.
It is trained by the *perceptron learning rule*, not by gradient descent (step has no useful gradient):
for each example (x, t) in turn,

    y = step(w·x + b)
    w ← w + η (t − y) x          (nothing changes when the prediction is right: t − y = 0)
    b ← b + η (t − y)

If the two classes can be separated by a straight line, the rule stops making mistakes after finitely many
updates (the perceptron convergence theorem). AND, OR and NAND are separable; XOR is not (no line puts
(0,1) and (1,0) on one side and (0,0) and (1,1) on the other), so the rule never settles on it.
XOR is still computable with perceptrons: XOR(a, b) = AND(NAND(a, b), OR(a, b)) — a second layer on top
of two first-layer units. That is the multilayer perceptron, and the reason hidden layers exist.
"""
import glasstorch as torch
from glasstorch.datasets import logic_gate

GATES = ("AND", "OR", "NAND", "XOR")


def step(z):
    """Heaviside step: 1 where z > 0, else 0 (same dtype as z)."""
    return (z > 0).to(z.dtype)


class Perceptron:
    """One threshold unit: ``predict(x) = step(x @ w + b)``, trained by the perceptron learning rule."""

    def __init__(self, n_inputs=2, lr=0.1):
        self.w = torch.zeros(n_inputs)
        self.b = torch.zeros(())
        self.lr = lr

    def predict(self, x):
        return step(x @ self.w + self.b)

    def fit(self, X, t, max_epochs=50):
        """Sweep the examples in order until an epoch makes no mistake (or ``max_epochs``).

        Returns the number of mistakes in each epoch (the learning curve)."""
        mistakes_per_epoch = []
        for _ in range(max_epochs):
            mistakes = 0
            for x_i, t_i in zip(X, t):
                error = t_i - self.predict(x_i)        # +1, 0 or −1
                if error.item() != 0:
                    self.w += self.lr * error * x_i    # w ← w + η (t − y) x
                    self.b += self.lr * error          # b ← b + η (t − y)
                    mistakes += 1
            mistakes_per_epoch.append(mistakes)
            if mistakes == 0:
                break
        return mistakes_per_epoch

    def accuracy(self, X, t):
        return (self.predict(X) == t).float().mean().item()


def two_layer_xor(nand, or_, and_):
    """XOR as a network of trained perceptrons: the hidden layer is (NAND, OR), the output AND."""
    def predict(x):
        hidden = torch.stack([nand.predict(x), or_.predict(x)], dim=-1)
        return and_.predict(hidden)
    return predict


def run(run_dir, quick=False, seed=0, log=print):
    torch.manual_seed(seed)
    max_epochs = 20 if quick else 50
    units, curves, metrics = {}, {}, {"gates": {}}
    for gate in GATES:
        X, t = logic_gate(gate)
        unit = Perceptron(n_inputs=2, lr=0.1)
        curve = unit.fit(X, t, max_epochs=max_epochs)
        units[gate], curves[gate] = unit, curve
        acc = unit.accuracy(X, t)
        converged = curve[-1] == 0
        metrics["gates"][gate] = {"accuracy": acc, "converged": converged, "epochs": len(curve),
                                  "w": unit.w.tolist(), "b": unit.b.item()}
        verdict = f"learned in {len(curve)} epochs" if converged else f"did NOT converge in {max_epochs} epochs"
        log(f"  {gate:>4}: accuracy {acc:.0%}, {verdict}; w = {[round(v, 2) for v in unit.w.tolist()]}, "
            f"b = {unit.b.item():.2f}")

    X, t = logic_gate("XOR")
    xor_net = two_layer_xor(units["NAND"], units["OR"], units["AND"])
    xor_acc = (xor_net(X) == t).float().mean().item()
    metrics["two_layer_xor_accuracy"] = xor_acc
    log(f"  XOR = AND(NAND, OR), two layers of the perceptrons above: accuracy {xor_acc:.0%}")

    _plot_boundaries(run_dir, units, xor_net)
    with run_dir.figure("mistakes.png") as fig:
        ax = fig.gca()
        for gate, curve in curves.items():
            ax.plot(range(1, len(curve) + 1), curve, marker="o", label=gate)
        ax.set(xlabel="epoch", ylabel="mistakes in the epoch", title="Perceptron learning rule")
        ax.legend()
    return metrics


def _plot_boundaries(run_dir, units, xor_net):
    grid = torch.linspace(-0.5, 1.5, 201)
    gx, gy = torch.meshgrid(grid, grid, indexing="xy")
    points = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
    panels = [(gate, units[gate].predict) for gate in GATES] + [("XOR = AND(NAND, OR)", xor_net)]
    with run_dir.figure("decision_boundaries.png", figsize=(15, 3.2)) as fig:
        for k, (title, predict) in enumerate(panels):
            ax = fig.add_subplot(1, len(panels), k + 1)
            region = predict(points).reshape(gx.shape).numpy()
            ax.contourf(gx.numpy(), gy.numpy(), region, levels=[-0.5, 0.5, 1.5], colors=["#f4cccc", "#cfe2f3"])
            X, t = logic_gate(title.split()[0])
            for (x0, x1), target in zip(X.tolist(), t.tolist()):
                ax.scatter(x0, x1, c="tab:blue" if target else "tab:red", s=80, marker="o" if target else "x")
            ax.set(title=title, xlim=(-0.5, 1.5), ylim=(-0.5, 1.5), aspect="equal")
