"""explain_backward(loss): the chain rule, one op at a time, as a table and as data.

    loss = loss_fn(model(x), y)
    steps = glass.explain_backward(loss, model)     # prints the table, returns the steps
    steps.grads["0.weight"]                          # dL/d(0.weight), what loss.backward() would give

Backward visits the ops from the loss down. At each op y = f(x_1, x_2, ...):

    upstream      dL/dy              the gradient that reached the op's output (1 at the loss itself)
    local         dy/dx_i            the op's own derivative, a Jacobian (y.numel × x_i.numel)
    passed on     dL/dx_i = dL/dy · dy/dx_i        one multiplication per input: the chain rule

and where a value feeds several ops, the gradients passed back to it add up. The local Jacobian is
measured by calling the op's ``backward`` with one-hot upstream gradients: row k of dy/dx_i is what
backward returns for x_i when dL/dy = e_k (only for tensors with at most ``max_jacobian`` elements; larger
ones show the product only).

The walk calls each node's backward itself, so the graph is not freed, no tensor hooks run and no ``.grad``
is touched: ``loss.backward()`` still works afterwards and gives the same gradients. Not in PyTorch.
"""
from dataclasses import dataclass, field

import numpy as np

from ..autograd.function import AccumulateGrad, _FREED_MESSAGE
from .graph import backward_order, forward_order, leaf_name, tensor_names

__all__ = ["explain_backward", "Explanation", "Step", "InputStep"]


@dataclass
class InputStep:
    """What one op passes to one of its inputs."""
    name: str                     # "fc1.weight", "input0", or the name of an intermediate value ("tanh1")
    shape: tuple
    local: np.ndarray = None      # dy/dx, shape (y.numel, x.numel); None when too large to show
    product: np.ndarray = None    # dL/dx = dL/dy · dy/dx, shaped like x


@dataclass
class Step:
    """One op of the backward walk."""
    op: str                       # node.name(), e.g. "TanhBackward0"
    output: str                   # the name given to the op's output ("L" for the loss)
    shape: tuple                  # the output's shape
    upstream: np.ndarray          # dL/dy, shaped like the output
    inputs: list = field(default_factory=list)   # one InputStep per input that needs a gradient


class Explanation:
    """The steps in backward order (iterate, index or ``len`` it like a list), the leaves' final gradients
    (``grads``: name -> array) and the leaves themselves (``leaves``: name -> tensor)."""

    def __init__(self, steps, grads, leaves):
        self.steps = steps
        self.grads = grads
        self.leaves = leaves

    def __iter__(self):
        return iter(self.steps)

    def __len__(self):
        return len(self.steps)

    def __getitem__(self, i):
        return self.steps[i]

    def table(self, width=34):
        """One row per (op, input): op, output, upstream dL/dy, input, local dy/dx, passed on dL/dx."""
        head = ("op", "output", "upstream dL/dy", "input", "local dy/dx", "passed on dL/dx")
        rows = [head]
        for step in self.steps:
            first = True
            for inp in step.inputs or [None]:
                left = (step.op, f"{step.output} {_shape(step.shape)}", _cell(step.upstream, width)) if first \
                    else ("", "", "")
                right = ("", "", "") if inp is None else (
                    f"{inp.name} {_shape(inp.shape)}", _cell(inp.local, width), _cell(inp.product, width))
                rows.append(left + right)
                first = False
        widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.append("")
        lines.append("gradients of the leaves (summed over every path):")
        for name, g in self.grads.items():
            lines.append(f"  dL/d{name} = {_cell(g, 200)}")
        return "\n".join(lines)

    def details(self):
        """Every step with its arrays printed in full (the Jacobians as matrices)."""
        out = []
        for i, step in enumerate(self.steps, 1):
            out.append(f"[{i}] {step.op}: {step.output} {_shape(step.shape)}")
            out.append(_block("upstream dL/d" + step.output, step.upstream))
            for inp in step.inputs:
                if inp.local is not None:
                    out.append(_block(f"local d{step.output}/d{inp.name}", inp.local))
                else:
                    out.append(f"    local d{step.output}/d{inp.name}: "
                               f"{int(np.prod(step.shape))}x{int(np.prod(inp.shape))} (too large to show)")
                out.append(_block(f"passed on dL/d{inp.name}", inp.product))
        return "\n".join(out)

    def __str__(self):
        return self.table()

    def _repr_html_(self):
        """The table of ``table()`` as HTML, for notebooks."""
        from .watch import _html_table
        rows = []
        for step in self.steps:
            for k, inp in enumerate(step.inputs or [None]):
                left = [step.op, f"{step.output} {_shape(step.shape)}", _cell(step.upstream, 34)] if k == 0 \
                    else ["", "", ""]
                right = ["", "", ""] if inp is None else [
                    f"{inp.name} {_shape(inp.shape)}", _cell(inp.local, 34), _cell(inp.product, 34)]
                rows.append(left + right)
        grads = [[f"dL/d{name}", _cell(g, 200)] for name, g in self.grads.items()]
        return (_html_table(["op", "output", "upstream dL/dy", "input", "local dy/dx", "passed on dL/dx"], rows)
                + "<p>gradients of the leaves (summed over every path):</p>"
                + _html_table(["leaf", "gradient"], grads))

    def __repr__(self):
        return f"Explanation({len(self.steps)} steps, leaves: {', '.join(self.grads)})"


def explain_backward(loss, model=None, out=print, max_jacobian=64):
    """Walk backward from the scalar ``loss`` op by op; print the table through ``out`` (None: silent) and
    return an :class:`Explanation`. ``model``: an ``nn.Module`` or ``{name: tensor}`` naming the leaves."""
    if loss.grad_fn is None:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if loss._array.size != 1:
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs (got shape "
                           f"{tuple(loss.shape)}); explain_backward needs a scalar loss")
    order = backward_order(loss.grad_fn)
    names = _value_names(loss.grad_fn, tensor_names(model))
    pending = {loss.grad_fn: np.ones_like(loss._array)}
    steps, grads = [], {}
    for node in order:
        grad = pending.pop(node, None)
        if type(node) is AccumulateGrad:
            if grad is not None:
                grads[node] = grad.reshape(node.variable.shape)
            continue
        if grad is None:  # nothing reached this op (all its users passed None)
            continue
        step = _explain_op(node, grad, names, max_jacobian)
        steps.append(step)
        for nxt, inp in zip([n for n in node._next if n is not None], step.inputs):
            if inp.product is not None:
                pending[nxt] = pending[nxt] + inp.product if nxt in pending else inp.product
    leaf_nodes = [n for n in names if type(n) is AccumulateGrad]  # in forward order
    result = Explanation(steps, {names[n]: grads[n] for n in leaf_nodes if n in grads},
                         {names[n]: n.variable for n in leaf_nodes})
    if out is not None:
        out(result.table())
    return result


def _explain_op(node, grad, names, max_jacobian):
    if node._freed:
        raise RuntimeError(_FREED_MESSAGE.format(name=node.name()))
    backward = type(node).backward
    products = _as_tuple(backward(node, grad.copy()))  # a copy: an op's backward may work in place
    step = Step(node.name(), names[node], tuple(grad.shape), grad)
    for i, nxt in enumerate(node._next):
        if nxt is None:
            continue
        product = products[i] if i < len(products) else None
        shape = tuple(product.shape) if product is not None else ()
        step.inputs.append(InputStep(names[nxt], shape, None, product))
    small = grad.size <= max_jacobian and all(
        inp.product is not None and inp.product.size <= max_jacobian for inp in step.inputs)
    if small and step.inputs:
        _fill_jacobians(node, backward, grad, step)
    return step


def _fill_jacobians(node, backward, grad, step):
    """Row k of dy/dx_i = backward's gradient for x_i when the upstream gradient is the one-hot e_k."""
    slots = [i for i, nxt in enumerate(node._next) if nxt is not None]
    jac = [np.zeros((grad.size, inp.product.size), dtype=inp.product.dtype) for inp in step.inputs]
    for k in range(grad.size):
        onehot = np.zeros(grad.size, dtype=grad.dtype)
        onehot[k] = 1
        rows = _as_tuple(backward(node, onehot.reshape(grad.shape)))
        for j, i in enumerate(slots):
            if i < len(rows) and rows[i] is not None:
                jac[j][k] = rows[i].reshape(-1)
    for inp, J in zip(step.inputs, jac):
        inp.local = J


def _value_names(root, given):
    """A name for every node's value: leaves by module path / given name / input<k>, ops by kind and count
    in forward order ("tanh1", "linear2"), the loss "L"."""
    names, counts, leaf_counts = {}, {}, {}
    for node in forward_order(root):  # numbering follows the forward pass
        if type(node) is AccumulateGrad:
            names[node] = leaf_name(node.variable, given, leaf_counts)
            continue
        kind = node.name().replace("Backward0", "").lower()
        counts[kind] = counts.get(kind, 0) + 1
        names[node] = f"{kind}{counts[kind]}"
    names[root] = "L"
    return names


def _as_tuple(grads):
    return grads if isinstance(grads, tuple) else (grads,)


def _shape(shape):
    return str(tuple(shape))


def _cell(a, width):
    """A short one-line rendering of an array for the table (its shape when it does not fit)."""
    if a is None:
        return "-"
    a = np.asarray(a) + 0.0  # + 0.0 turns -0.0 into 0.0
    if a.size == 1:
        return f"{a.item():.4g}"
    text = np.array2string(a, precision=4, suppress_small=True, separator=", ", max_line_width=10 ** 6)
    text = " ".join(text.split())
    return text if len(text) <= width else f"<{'x'.join(str(s) for s in a.shape)} array>"


def _block(title, a):
    body = np.array2string(np.asarray(a) + 0.0, precision=4, suppress_small=True, separator=", ")
    return f"    {title} =\n" + "\n".join("      " + line for line in body.splitlines())
