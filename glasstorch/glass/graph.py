"""graph(output): the autograd graph behind a tensor, drawn.

    loss = loss_fn(model(x), y)
    g = glass.graph(loss, model)      # one node per op, the parameters named by their module path
    g.save("graph.svg")               # .dot always; .svg / .png through Graphviz's ``dot`` program
    print(g.dot)                      # the DOT source text

The picture is read from the graph autograd recorded during the forward pass: start at ``output.grad_fn``
and follow each node's ``next_functions`` (where the gradient of each input goes) down to the
``AccumulateGrad`` nodes of the leaves (``node.variable``). Arrows point the way the forward pass went,
from the inputs to the output; backward walks them in reverse.

Each op node shows the op (``node.name()``, e.g. ``MulBackward0``) and the shape and dtype of the tensor it
produced (``Function.apply`` notes it on the node as ``_output_meta``). Each leaf shows its name: the module
path (``fc1.weight``) when ``model`` is given, else ``param``/``input``, its shape and, for small graphs, its
values and, once ``backward()`` has run, its gradient.

The module that ran each op is known only for graphs built inside ``glass.detect_anomaly()``, which notes on
every node the outermost module and the module running (``node._module``, a pair); there the op nodes also
show ``in fc1 (Linear)``, the path from ``model``'s ``named_modules()`` (or the outermost module's).
Elsewhere autograd keeps no such record, so the label is absent.

Not in PyTorch (there the usual tool is the third-party ``torchviz.make_dot``). SVG/PNG are drawn by
Graphviz's ``dot`` program (Debian's ``graphviz`` package; ``.ci/run`` installs it) through the ``graphviz``
Python package (a dependency, installed by ``pip install``): ``g.source()`` is its ``graphviz.Source``, which
notebooks display and which can render to any format Graphviz knows. Where that package is absent, ``render``
runs ``dot`` itself on the DOT text, which is all the package does underneath.

In a notebook a ``Graph`` shows itself: ``_repr_svg_`` is the picture (drawn once); where ``dot`` is missing
(or fails) ``_repr_html_`` gives the nodes as a table, each op with the nodes that feed it, and the DOT text.
"""
import os
import shutil
import subprocess

import numpy as np

try:
    import graphviz  # the Python wrapper around the dot program; optional, see the module docstring
except ImportError:  # pragma: no cover - it is a dependency, but glasstorch works without it
    graphviz = None

from ..autograd.function import AccumulateGrad

__all__ = ["graph", "Graph"]

SMALL_GRAPH = 40       # values="auto" shows leaf values for graphs with at most this many nodes ...
SMALL_TENSOR = 16      # ... and tensors with at most this many elements
_INSTALL_HINT = ("the Graphviz 'dot' program is needed to draw {fmt} files but was not found on PATH; install "
                 "Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; conda: "
                 "conda install graphviz; the Python package alone, pip install graphviz, needs it too), or "
                 "save the DOT text with .save('graph.dot')")


def graph(output, model=None, values="auto"):
    """The autograd graph behind ``output`` as a :class:`Graph`.

    model: an ``nn.Module`` (its ``named_parameters()`` and ``named_buffers()`` name the leaves) or a dict
    ``{name: tensor}``. values: ``"auto"`` shows leaf values (and gradients, if computed) when the graph has
    at most 40 nodes, ``True`` always, ``False`` never; tensors with more than 16 elements (64 with
    ``values=True``) show only their range.
    """
    names = tensor_names(model)
    nodes, edges = [], []
    if output.grad_fn is None:  # a leaf (or a tensor outside autograd): the graph is that one tensor
        nodes.append(_leaf_record(0, output, names, {}))
        return _finish(nodes, edges, values)
    order = forward_order(output.grad_fn)
    ids = {node: i for i, node in enumerate(order)}
    counts = {}
    module_paths = _ModulePaths(model)
    for node in order:
        if type(node) is AccumulateGrad:
            nodes.append(_leaf_record(ids[node], node.variable, names, counts))
        else:
            nodes.append(_op_record(ids[node], node, node is output.grad_fn, output, module_paths))
            edges += [(ids[nxt], ids[node]) for nxt in node._next if nxt is not None]  # input → op
    return _finish(nodes, edges, values)


def forward_order(root):
    """Every node reachable from ``root`` in forward order: each op after its inputs, each leaf just before
    the first op that uses it (so leaves are numbered in the order the forward pass met them)."""
    order, placed = [], set()
    for node in reversed(backward_order(root)):
        if type(node) is AccumulateGrad:
            continue
        for nxt in node._next:
            if type(nxt) is AccumulateGrad and nxt not in placed:
                placed.add(nxt)
                order.append(nxt)
        order.append(node)
    if type(root) is AccumulateGrad:
        order.append(root)
    return order


def backward_order(root):
    """Every node reachable from ``root`` in the order backward visits them: a node comes after every op
    that used its output (Kahn's topological order, as the engine walks; no recursion)."""
    users = {}
    seen, stack = {root}, [root]
    while stack:
        node = stack.pop()
        for nxt in getattr(node, "_next", ()):
            if nxt is not None:
                users[nxt] = users.get(nxt, 0) + 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    order, ready = [], [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for nxt in reversed(getattr(node, "_next", ())):
            if nxt is not None:
                users[nxt] -= 1
                if users[nxt] == 0:
                    ready.append(nxt)
    return order


def tensor_names(model):
    """id(tensor) -> name, from a module's parameters and buffers or a ``{name: tensor}`` dict."""
    if model is None:
        return {}
    if isinstance(model, dict):
        return {id(t): name for name, t in model.items()}
    names = {id(p): name for name, p in model.named_parameters()}
    names.update({id(b): name for name, b in model.named_buffers()})
    return names


def leaf_name(t, names, counts):
    """A leaf's name: its module path / given name, else ``param<k>`` (nn.Parameter) or ``input<k>``."""
    if id(t) in names:
        return names[id(t)]
    from ..nn.parameter import Parameter
    kind = "param" if isinstance(t, Parameter) else "input"
    k = counts.get(kind, 0)
    counts[kind] = k + 1
    return f"{kind}{k}"


def _leaf_record(nid, t, names, counts):
    grad = t.grad._array if t.grad is not None else None
    return {"id": nid, "kind": "leaf", "name": leaf_name(t, names, counts), "shape": tuple(t.shape),
            "dtype": _dtype_name(t._array.dtype), "value": t._array, "grad": grad}


class _ModulePaths:
    """The path of the module that ran an op, from the (outermost module, running module) pair that
    ``detect_anomaly`` notes on a node: named by ``model`` (an nn.Module) when given, else by the outermost."""

    def __init__(self, model):
        self.model = model if hasattr(model, "named_modules") else None
        self._names = {}

    def __call__(self, entry):
        if not (isinstance(entry, tuple) and len(entry) == 2):
            return None
        root, module = entry
        root = self.model if self.model is not None else root
        names = self._names.get(id(root))
        if names is None:
            names = self._names[id(root)] = {id(m): n for n, m in root.named_modules()}
        name = names.get(id(module))
        if name is None:
            return None                                   # a module outside the model given
        return f"{name or '(model)'} ({type(module).__name__})"


def _op_record(nid, node, is_output, output, module_paths):
    meta = getattr(node, "_output_meta", None)
    if is_output:
        meta = (output._array.shape, output._array.dtype)
    shape, dtype = (tuple(meta[0]), _dtype_name(meta[1])) if meta is not None else (None, None)
    return {"id": nid, "kind": "op", "name": node.name(), "shape": shape, "dtype": dtype,
            "module": module_paths(getattr(node, "_module", None)), "output": is_output}


def _dtype_name(dtype):
    return str(dtype).replace("torch.", "")


def _finish(nodes, edges, values):
    show = len(nodes) <= SMALL_GRAPH if values == "auto" else bool(values)
    limit = 64 if values is True else SMALL_TENSOR
    return Graph(nodes, edges, _to_dot(nodes, edges, show, limit))


class Graph:
    """The drawn graph: ``.dot`` (DOT text), ``.nodes`` (dicts), ``.edges`` ((from_id, to_id) pairs)."""

    def __init__(self, nodes, edges, dot):
        self.nodes = nodes
        self.edges = edges
        self.dot = dot

    def source(self):
        """The graph as a ``graphviz.Source`` (the ``graphviz`` Python package's object: notebooks show it,
        ``.render()``/``.pipe()`` draw it). Raises ImportError naming the package when it is not installed."""
        if graphviz is None:
            raise ImportError("Graph.source() needs the graphviz Python package: pip install graphviz "
                              "(and Graphviz's dot program to draw it); Graph.dot is the DOT text without it")
        return graphviz.Source(self.dot, format="svg")

    def render(self, format="svg"):
        """The picture as bytes (``format`` "svg", "png", "pdf", ...), drawn by Graphviz's ``dot``: through
        the ``graphviz`` package when it is installed, else by running ``dot`` directly."""
        program = shutil.which("dot")
        if program is None:
            raise RuntimeError(_INSTALL_HINT.format(fmt=format.upper()))
        if graphviz is not None:
            try:
                return graphviz.Source(self.dot).pipe(format=format)
            except graphviz.CalledProcessError as error:
                stderr = error.stderr.decode(errors="replace") if isinstance(error.stderr, bytes) else error.stderr
                raise RuntimeError(f"Graphviz dot failed: {(stderr or str(error)).strip()}") from None
        done = subprocess.run([program, f"-T{format}"], input=self.dot.encode("utf-8"), capture_output=True)
        if done.returncode != 0:
            raise RuntimeError(f"Graphviz dot failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def save(self, path):
        """Write the graph to ``path``: DOT text for ``.dot``/``.gv``, else the format its extension names."""
        path = os.fspath(path)
        ext = os.path.splitext(path)[1].lower().lstrip(".")
        if ext in ("dot", "gv"):
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.dot)
            return path
        if not ext:
            raise ValueError(f"graph.save: cannot tell the format of {path!r}; end it in .dot, .svg or .png")
        data = self.render(ext)
        with open(path, "wb") as f:
            f.write(data)
        return path

    # -- notebooks: Jupyter shows the SVG picture, or an HTML table where Graphviz's dot is missing ------------
    def _svg(self):
        """The SVG text, drawn once and kept; None when ``dot`` is missing or fails."""
        if not hasattr(self, "_svg_text"):
            try:
                self._svg_text = self.render("svg").decode("utf-8")
            except RuntimeError:
                self._svg_text = None
        return self._svg_text

    def _repr_svg_(self):
        """Jupyter shows the picture when Graphviz's ``dot`` is installed (else the HTML table below)."""
        return self._svg()

    def _repr_html_(self):
        """Only without Graphviz: the nodes as a table (each op with the nodes feeding it) and the DOT text."""
        if self._svg() is not None:
            return None                    # the SVG is shown; an HTML repr would be preferred over it
        return _html_table(self)

    def __repr__(self):
        ops = sum(n["kind"] == "op" for n in self.nodes)
        return f"Graph({ops} ops, {len(self.nodes) - ops} leaves, {len(self.edges)} edges; .dot, .save(path))"


def _html_table(g):
    import html
    inputs = {}
    for a, b in g.edges:
        inputs.setdefault(b, []).append(f"n{a}")
    rows = []
    for n in g.nodes:
        shape = "" if n["shape"] is None else f"{_shape_text(n['shape'])} {n['dtype']}"
        name = n["name"] + (f" in {n['module']}" if n.get("module") else "")
        rows.append(f"<tr><td>n{n['id']}</td><td>{n['kind']}</td><td>{html.escape(name)}</td>"
                    f"<td>{html.escape(shape)}</td><td>{', '.join(inputs.get(n['id'], []))}</td></tr>")
    return (f"<p><b>{html.escape(repr(g))}</b><br>Graphviz's <code>dot</code> program was not found, so here "
            "is the graph as a table (install Graphviz to see the picture).</p>"
            "<table><tr><th>node</th><th>kind</th><th>name</th><th>shape, dtype</th><th>inputs</th></tr>"
            + "".join(rows) + "</table><details><summary>DOT source</summary><pre>"
            + html.escape(g.dot) + "</pre></details>")


# -- DOT text ---------------------------------------------------------------------------------------------
def _to_dot(nodes, edges, show_values, limit):
    lines = ["digraph autograd {", '  graph [rankdir=TB, fontname="Helvetica"];',
             '  node [fontname="Helvetica", fontsize=11];']
    for n in nodes:
        if n["kind"] == "op":
            label = [n["name"]]
            if n["module"]:
                label.append(f"in {n['module']}")
            if n["shape"] is not None:
                label.append(f"{_shape_text(n['shape'])} {n['dtype']}")
            style = 'shape=box, style="rounded,filled", fillcolor="{}"'.format(
                "#f4cccc" if n["output"] else "#d9e8fb")
        else:
            label = [n["name"], f"{_shape_text(n['shape'])} {n['dtype']}"]
            if show_values:
                label.append("value " + _values_text(n["value"], limit))
                if n["grad"] is not None:
                    label.append("grad " + _values_text(n["grad"], limit))
            style = 'shape=ellipse, style=filled, fillcolor="#d9f2d0"'
        lines.append(f'  n{n["id"]} [label="{_escape(chr(10).join(label))}", {style}];')
    for a, b in edges:
        lines.append(f"  n{a} -> n{b};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _shape_text(shape):
    return str(tuple(shape))


def _values_text(a, limit):
    a = np.asarray(a) + 0.0  # + 0.0 turns -0.0 into 0.0
    if a.size > limit:
        return f"in [{a.min():.3g}, {a.max():.3g}]"
    text = np.array2string(a, precision=3, suppress_small=True, separator=", ", max_line_width=60)
    return text


def _escape(text):
    """DOT string escaping: backslashes and quotes escaped, newlines as the \\n line break."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
