"""``summary(model, input)``: a model as a table, like torchinfo's ``summary`` or Keras's ``model.summary()``.

    print(summary(model, (1, 1, 28, 28)))       # an input size (batch first): zeros of that shape
    print(summary(model, images[:1]))           # or an example input
    print(summary(model))                       # no input: no output shapes

One row per submodule (indented by depth): its path (``features.0``), its type, its output shape (when an
input is given: recorded by forward hooks during one forward pass in eval mode under ``no_grad``; the
model's train/eval flags are restored afterwards) and the number of parameters it holds itself (not counting
its children, so the column adds up to the total). Then the totals: all, trainable (``requires_grad``) and
non-trainable parameters (buffers such as batch-norm running statistics are not parameters, as in
torchinfo), and their size in MB. A parameter shared by two modules is counted once, at its first owner.
"""
from ..autograd.grad_mode import no_grad

__all__ = ["summary", "ModelSummary"]


class ModelSummary:
    """The result of ``summary``: ``rows`` (dicts with path, type, depth, output_shape, params),
    ``total_params``, ``trainable_params``, ``non_trainable_params``; ``str()`` is the table."""

    def __init__(self, name, rows, total, trainable, total_bytes):
        self.name = name
        self.rows = rows
        self.total_params = total
        self.trainable_params = trainable
        self.non_trainable_params = total - trainable
        self.total_bytes = total_bytes

    def params_of(self, path):
        """The parameter count of the row with this module path."""
        for row in self.rows:
            if row["path"] == path:
                return row["params"]
        raise KeyError(f"no module {path!r} in the summary of {self.name}")

    def __str__(self):
        head = ("Layer (type)", "Output shape", "Param #")
        cells = [("  " * (r["depth"] - 1) + f"{r['path']} ({r['type']})",
                  "" if r["output_shape"] is None else str(r["output_shape"]),
                  f"{r['params']:,}" if r["params"] else "--") for r in self.rows]
        w0 = max([len(head[0])] + [len(c[0]) for c in cells])
        w1 = max([len(head[1])] + [len(c[1]) for c in cells])
        w2 = max([len(head[2])] + [len(c[2]) for c in cells])
        rule = "=" * (w0 + w1 + w2 + 4)
        lines = [rule, f"{head[0]:<{w0}}  {head[1]:<{w1}}  {head[2]:>{w2}}", rule]
        lines += [f"{a:<{w0}}  {b:<{w1}}  {c:>{w2}}" for a, b, c in cells]
        lines += [rule, f"Total params: {self.total_params:,}",
                  f"Trainable params: {self.trainable_params:,}",
                  f"Non-trainable params: {self.non_trainable_params:,}",
                  f"Params size (MB): {self.total_bytes / 1e6:.2f}", rule]
        return "\n".join(lines)

    def __repr__(self):
        return str(self)


def _shape_of(output):
    if hasattr(output, "shape"):
        return list(output.shape)
    if isinstance(output, (tuple, list)):
        return [_shape_of(o) for o in output if o is not None]
    return None


def _example(model, input_size):
    """The input to run: a tensor given as is, or zeros of ``input_size`` (a shape, or a list of shapes)."""
    from ..creation import zeros
    if hasattr(input_size, "shape"):
        return (input_size,)
    if isinstance(input_size, (tuple, list)) and input_size and all(isinstance(n, int) for n in input_size):
        return (zeros(*input_size),)
    if isinstance(input_size, (tuple, list)):
        return tuple(x if hasattr(x, "shape") else zeros(*x) for x in input_size)
    raise TypeError(f"summary: input_size must be a shape (batch first), an example tensor or a list of "
                    f"them, got {type(input_size).__name__}")


def summary(model, input_size=None, input_data=None):
    """The table of ``model``'s modules (see the module docstring). ``input_size`` may be a shape or an
    example tensor; ``input_data`` an example tensor (or a tuple of the forward's arguments)."""
    modules = [(path, m) for path, m in model.named_modules() if path]
    seen = set()
    rows = []
    for path, m in modules:
        own = 0
        for p in m.parameters(recurse=False):
            if id(p) not in seen:
                seen.add(id(p))
                own += p.numel()
        rows.append({"path": path, "type": type(m).__name__, "depth": path.count(".") + 1,
                     "output_shape": None, "params": own})
    root_own = sum(p.numel() for p in model.parameters(recurse=False) if id(p) not in seen)
    if root_own:  # parameters the top module holds itself
        rows.insert(0, {"path": "(self)", "type": type(model).__name__, "depth": 1, "output_shape": None,
                        "params": root_own})
    if input_data is not None or input_size is not None:
        args = input_data if input_data is not None else input_size
        args = tuple(args) if isinstance(args, tuple) and all(hasattr(a, "shape") for a in args) else _example(
            model, args)
        _record_shapes(model, modules, rows, args)
    params = list({id(p): p for p in model.parameters()}.values())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    size = sum(p.numel() * p.element_size() for p in params)
    return ModelSummary(type(model).__name__, rows, total, trainable, size)


def _record_shapes(model, modules, rows, args):
    row_of = {id(m): row for (path, m), row in zip(modules, [r for r in rows if r["path"] != "(self)"])}
    handles = []

    def hook(module, inputs, output):
        row = row_of.get(id(module))
        if row is not None and row["output_shape"] is None:
            row["output_shape"] = _shape_of(output)

    for _, m in modules:
        handles.append(m.register_forward_hook(hook))
    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with no_grad():
            model(*args)
    finally:
        for h in handles:
            h.remove()
        for m, training in modes:
            m.training = training
