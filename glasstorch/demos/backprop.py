"""Backpropagation three ways, side by side: ``glasstorch demo backprop``.

Every derivative below is computed three times:

1. by hand, with the chain rule: split the computation into small steps, write down each step's *local*
   derivative (how its output moves when its input moves), and multiply them along the path from the
   output back to the input. Where a value feeds two paths, the paths' contributions add up.
2. by autograd: ``y.backward()`` walks the recorded graph backwards doing exactly those multiplications,
   and leaves dy/dx in ``x.grad``.
3. numerically: nudge the input a little either way, f'(x) ≈ (f(x + eps) − f(x − eps)) / (2·eps), with
   ``glasstorch.autograd.numerical_grad``. It knows nothing about graphs, which makes it a good referee.

The three examples: (a) one number, y = x² + 3x + 1; (b) a vector, (x²).sum(); (c) a two-layer network
z = w2·tanh(w1·x + b1) + b2 with loss (z − t)², with a table of every backward step.

``run(out=print)`` prints the walk-through through ``out`` and returns the key numbers as a dict.
"""
import glasstorch as torch  # the demo is plain PyTorch code: only this line says glasstorch
from glasstorch.autograd import numerical_grad


def run(out=print):
    """Print the three worked examples; return their numbers: ``{"a": {...}, "b": {...}, "c": {...}}``."""
    results = {"a": one_input(out)}
    out("")
    results["b"] = vector_input(out)
    out("")
    results["c"] = two_layer_net(out)
    return results


# -- (a) one input ----------------------------------------------------------------------------------------
def one_input(out):
    out("(a) One input: y = x**2 + 3*x + 1 at x = 2")
    x = torch.tensor(2.0, requires_grad=True)

    # Forward pass, one small step at a time. Autograd records each step (each tensor's grad_fn).
    u = x ** 2
    v = 3 * x
    y = u + v + 1
    out("  forward, one step at a time:")
    out(f"    u = x**2        = {u.item():g}")
    out(f"    v = 3*x         = {v.item():g}")
    out(f"    y = u + v + 1   = {y.item():g}")

    # Local derivatives: each step on its own, ignoring the rest of the computation.
    du_dx = 2 * x.item()  # d(x**2)/dx = 2x
    dv_dx = 3.0           # d(3x)/dx   = 3
    dy_du = 1.0           # y = u + v + 1 moves one for one with u ...
    dy_dv = 1.0           # ... and with v
    out("  local derivatives (each step on its own):")
    out(f"    du/dx = d(x**2)/dx = 2*x = {du_dx:g}")
    out(f"    dv/dx = d(3*x)/dx        = {dv_dx:g}")
    out(f"    dy/du = dy/dv            = {dy_du:g}      (y = u + v + 1)")

    # Chain rule: multiply along each path from y back to x; x reaches y along two paths, so add them.
    by_hand = dy_du * du_dx + dy_dv * dv_dx
    out("  chain rule: multiply along each path from y back to x, then add the paths:")
    out(f"    dy/dx = dy/du * du/dx + dy/dv * dv/dx = {dy_du:g}*{du_dx:g} + {dy_dv:g}*{dv_dx:g} = {by_hand:g}")

    y.backward()  # autograd does the same walk and stores dy/dx in x.grad
    numerical = numerical_grad(lambda x: x ** 2 + 3 * x + 1, x).item()
    out(f"  autograd:   y.backward() leaves x.grad = {x.grad.item():g}")
    out(f"  numerical:  (y(x+eps) - y(x-eps)) / (2*eps) = {numerical:.6f}")
    return {"x": x.item(), "y": y.item(),
            "local": {"du/dx": du_dx, "dv/dx": dv_dx, "dy/du": dy_du, "dy/dv": dy_dv}, "chain_rule": by_hand,
            "autograd": x.grad.item(), "numerical": numerical}


# -- (b) a vector input ------------------------------------------------------------------------------------
def vector_input(out):
    out("(b) A vector input: s = (x**2).sum() at x = [1, 2, 3]")
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    sq = x ** 2
    s = sq.sum()
    out(f"  forward:  x**2 = {_vec(sq.tolist())},  s = sum = {s.item():g}")

    # A sum passes the gradient arriving from above to every term unchanged (ds/d(term) = 1);
    # squaring element i has local derivative 2*x_i. Each x_i reaches s along one path only.
    local = [2 * xi for xi in x.tolist()]
    by_hand = [1.0 * d for d in local]
    out("  local derivatives:  ds/d(x_i**2) = 1 (a sum hands its upstream gradient to every term)")
    out(f"                      d(x_i**2)/dx_i = 2*x_i = {_vec(local)}")
    out(f"  chain rule:  ds/dx_i = 1 * 2*x_i = {_vec(by_hand)}")

    s.backward()
    numerical = numerical_grad(lambda x: (x ** 2).sum(), x).tolist()
    out(f"  autograd:   x.grad = {_vec(x.grad.tolist())}")
    out(f"  numerical:  {_vec(numerical, '.6f')}")
    return {"x": x.tolist(), "s": s.item(), "chain_rule": by_hand, "autograd": x.grad.tolist(),
            "numerical": numerical}


# -- (c) a two-layer network -------------------------------------------------------------------------------
def net(x, t, w1, b1, w2, b2):
    """z = w2*tanh(w1*x + b1) + b2 and the squared error (z - t)**2, every intermediate value kept."""
    a = w1 * x + b1     # layer 1: a weighted input plus a bias ...
    h = torch.tanh(a)   # ... squashed by tanh
    z = w2 * h + b2     # layer 2: the prediction
    e = z - t           # the error
    loss = e ** 2
    return a, h, z, e, loss


def two_layer_net(out):
    out("(c) A two-layer net: z = w2*tanh(w1*x + b1) + b2, loss = (z - t)**2")
    x, t = 0.5, 1.0  # one training example: input x, target t
    params = {name: torch.tensor(value, requires_grad=True)
              for name, value in (("w1", 0.8), ("b1", -0.1), ("w2", 1.5), ("b2", 0.2))}
    w1, b1, w2, b2 = params.values()
    out(f"  input x = {x}, target t = {t}, parameters "
        + ", ".join(f"{name} = {p.item():g}" for name, p in params.items()))

    a, h, z, e, loss = net(x, t, w1, b1, w2, b2)
    out("  forward:")
    out(f"    a = w1*x + b1   = {a.item():+.4f}")
    out(f"    h = tanh(a)     = {h.item():+.4f}")
    out(f"    z = w2*h + b2   = {z.item():+.4f}")
    out(f"    e = z - t       = {e.item():+.4f}")
    out(f"    L = e**2        = {loss.item():+.4f}")

    # Backward by hand, from the loss down. At every step:
    #     gradient passed on = upstream gradient (dL/d(step's output)) * local derivative,
    # and a step with several inputs (z = w2*h + b2) passes a gradient to each of them.
    # g[name] holds dL/d(name) once the walk has reached it.
    a_, h_, e_ = a.item(), h.item(), e.item()
    g = {"L": 1.0}  # dL/dL = 1: backward starts from 1
    # (step, its output, [(local derivative, its formula, its value, the input that receives the product)])
    steps = [
        ("L = e**2", "L", [("dL/de", "2*e", 2 * e_, "e")]),
        ("e = z - t", "e", [("de/dz", "1", 1.0, "z")]),
        ("z = w2*h + b2", "z", [("dz/db2", "1", 1.0, "b2"), ("dz/dw2", "h", h_, "w2"),
                                ("dz/dh", "w2", w2.item(), "h")]),
        ("h = tanh(a)", "h", [("dh/da", "1 - h**2", 1 - h_ ** 2, "a")]),
        ("a = w1*x + b1", "a", [("da/db1", "1", 1.0, "b1"), ("da/dw1", "x", x, "w1")]),
    ]
    out("  backward, from the loss down:  upstream gradient * local derivative = gradient passed on")
    out(f"    {'step':<15}{'upstream dL/d(out)':>19}   {'local derivative':<29}passed on")
    for step, output, locals_ in steps:
        upstream = g[output]
        for i, (symbol, formula, local, receiver) in enumerate(locals_):
            g[receiver] = upstream * local  # the chain rule: one multiplication per edge
            local_text = f"{symbol} = {formula}" + ("" if formula == "1" else f" = {local:+.4f}")
            first = i == 0  # name the step and its upstream gradient on its first line only
            out(f"    {step if first else '':<15}{f'{upstream:+.4f}' if first else '':>19}   "
                f"{local_text:<29}dL/d{receiver} = {g[receiver]:+.4f}")

    # Autograd: retain_grad() keeps the gradients of intermediate values too, to compare with the table.
    for v in (a, h, z, e):
        v.retain_grad()
    loss.backward()
    intermediates = {"a": a.grad.item(), "h": h.grad.item(), "z": z.grad.item(), "e": e.grad.item()}
    numerical = numerical_grad(lambda w1, b1, w2, b2: net(x, t, w1, b1, w2, b2)[-1], w1, b1, w2, b2)
    numerical = {name: n.item() for name, n in zip(params, numerical)}

    out("  the gradients three ways:")
    out(f"    {'':<8}{'chain rule (table)':>20}{'autograd .grad':>18}{'numerical':>14}")
    for name, p in params.items():
        out(f"    {'dL/d' + name:<8}{g[name]:>20.6f}{p.grad.item():>18.6f}{numerical[name]:>14.6f}")
    out("    autograd's gradients of the intermediate values (kept by retain_grad()) match the table too:")
    out("      " + ", ".join(f"dL/d{k} = {v:+.4f}" for k, v in intermediates.items()))

    # What gradients are for: a small step against the gradient lowers the loss.
    lr = 0.1
    with torch.no_grad():
        stepped = [p - lr * p.grad for p in params.values()]
        new_loss = net(x, t, *stepped)[-1].item()
    out(f"  one gradient-descent step (each p -= {lr} * p.grad) takes the loss from {loss.item():.4f} "
        f"to {new_loss:.4f}")
    return {"x": x, "t": t, "params": {k: v.item() for k, v in params.items()}, "loss": loss.item(),
            "chain_rule": {k: g[k] for k in params}, "autograd": {k: p.grad.item() for k, p in params.items()},
            "numerical": numerical, "intermediate_chain_rule": {k: g[k] for k in intermediates},
            "intermediate_autograd": intermediates, "loss_after_step": new_loss}


def _vec(values, spec="g"):
    return "[" + ", ".join(format(v, spec) for v in values) + "]"


if __name__ == "__main__":
    run()
