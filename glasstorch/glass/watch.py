"""watch(model): what every layer of a network does during training, step by step.

    with glass.watch(model, every=10) as w:        # or: w = glass.watch(model); ...; w.close()
        for x, y in loader:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()
    print(w.summary())                              # a per-layer table
    w.save_figures(run_dir)                         # histograms, gradient flow, dead units
    metrics["watch"] = w.to_dict()                  # JSON-able
    w.to_tensorboard(SummaryWriter())               # or TensorBoard (glasstorch.utils.tensorboard)

What is recorded, on every ``every``-th training step (steps are counted by the calls of the root model in
training mode; ``count="manual"`` counts the calls of ``w.step()`` instead, made after ``optimizer.step()``):

- for every leaf module (a module without children), from a forward hook on its output: the mean and standard
  deviation and a histogram (``bins`` bins over that step's min..max; outputs bigger than ``max_values``
  elements are histogrammed on a fixed random sample of ``max_values`` of them, the mean and std use every value).
  A module called more than once in one forward pass (one ``self.relu`` used after two layers) gets one record
  per call: ``relu`` for its first call, ``relu#2`` for its second, and so on, so that every record holds one
  entry per recorded step;
- for ``nn.ReLU``/``nn.ReLU6`` modules: the fraction of dead units. A *unit* is one output feature: for an
  output (N, F) a feature, for a conv output (N, C, H, W) a channel at one position (C·H·W units). A unit is
  dead on a step when it is 0 for every sample of the batch. ``dead_channels`` is also kept: the fraction of
  channels (dim 1) that are 0 for every sample and every position. ReLUs applied as functions
  (``F.relu``) inside a module's ``forward`` are not seen: only modules are watched;
- for ``nn.Sigmoid``: the fraction of output values below ``sigmoid_low`` or above ``sigmoid_high`` (0.01,
  0.99); for ``nn.Tanh``: the fraction with ``|y| > tanh_high`` (0.99) — the saturated values, where the
  local derivative is nearly 0;
- for every parameter, from a gradient hook (``Tensor.register_hook``): the norm of its gradient, and the
  update-to-weight ratio ‖Δw‖/‖w‖ of that step (the weights are copied when a recorded step starts and
  compared with the weights at the start of the next training step, or at ``close()``). If one step runs
  several backward passes, the last gradient's norm is kept.

Forward passes in eval mode (validation) are not recorded. ``what`` picks what to record, any of
``{"activations", "histograms", "dead", "gradients", "updates"}`` (all by default).

Cost. Only the root model's forward pre-hook (it counts the steps) stays attached for the whole watch; the
layer hooks and gradient hooks are attached for the recorded steps only, so the steps in between run as if
nothing were watching. A recorded step costs a few reductions per layer output, one norm per gradient and
one copy of the weights. Measured on the course MLP (784-256-128-10, Adam, MNIST-shaped random batches of
64, one thread, CPU time per step): every=1 1.35-1.37× (about 0.55 ms of fixed work per recorded step on a
1.6 ms step), every=2 1.15-1.2×, every=5 1.08×, every=10 1.00-1.07×; on the course CNN every=1 is 1.03-1.12× —
hence the default ``every=10`` (PyTorch has no ``watch``; this is glasstorch's own instrument). After
``close()`` (or the end of the ``with`` block) every hook is removed and the model runs exactly as before.

In a notebook a ``Watch`` shows itself (``_repr_html_``): the two tables of ``summary()`` and the gradient flow
figure (the activation histograms before any backward), which ``_repr_png_`` also gives as PNG bytes. The
figure is drawn on a matplotlib ``Figure`` outside pyplot, so the notebook's own plotting is left alone.
"""
import math

import numpy as np

from glasstorch.backend import get_array_module

__all__ = ["watch", "Watch", "plot_activation_histograms", "plot_gradient_flow", "plot_dead_units"]

WHAT = frozenset(("activations", "histograms", "dead", "gradients", "updates"))
DEAD_KINDS = ("ReLU", "ReLU6")
UNIT_KINDS = DEAD_KINDS + ("Sigmoid", "Tanh")   # the layers of the dead-units figure


def watch(model, every=10, bins=50, what=None, count="forward", max_values=4096, sigmoid_low=0.01,
          sigmoid_high=0.99, tanh_high=0.99):
    """Attach the instruments to ``model`` (a context manager; ``close()`` detaches them). See the module doc."""
    return Watch(model, every=every, bins=bins, what=what, count=count, max_values=max_values,
                 sigmoid_low=sigmoid_low, sigmoid_high=sigmoid_high, tanh_high=tanh_high)


class Watch:
    """The recorder that ``watch`` returns; ``history`` holds what it saw (see ``to_dict``)."""

    def __init__(self, model, every=10, bins=50, what=None, count="forward", max_values=4096, sigmoid_low=0.01,
                 sigmoid_high=0.99, tanh_high=0.99):
        if not isinstance(bins, int) or bins < 1:
            raise ValueError(f"bins must be a positive int, got {bins!r}")
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive int, got {every!r}")
        if count not in ("forward", "manual"):
            raise ValueError(f"count must be 'forward' or 'manual', got {count!r}")
        what = WHAT if what is None else frozenset([what] if isinstance(what, str) else what)
        if not what <= WHAT:
            raise ValueError(f"unknown things to watch: {sorted(what - WHAT)}; choose from {sorted(WHAT)}")
        self.model, self.every, self.bins, self.what, self.count = model, every, bins, what, count
        self.max_values = max_values
        self.sigmoid_low, self.sigmoid_high, self.tanh_high = sigmoid_low, sigmoid_high, tanh_high
        self.step_index = -1              # the current training step (0-based); -1 before the first
        self._record_acts = False         # this forward pass is recorded
        self._record_grads = False        # this step's backward is recorded
        self._recording = False           # this step is recorded
        self._snapshot = None             # {name: (copy of weights, its norm)} of the last recorded step
        self._handles = []
        self._calls = {}                  # layer name -> how many times it ran in this forward pass
        self.history = {"steps": [], "layers": {}, "params": {}}
        self._attach()
        if count == "manual":
            self._begin_step()

    # -- attaching ---------------------------------------------------------------------------------------
    # The root model's forward pre-hook stays for the whole watch (it counts the steps); the layer and gradient
    # hooks are attached only for the steps that are recorded, so the other steps run at full speed.
    def _attach(self):
        self._root_handle = self.model.register_forward_pre_hook(self._on_root_forward)
        self._layer_hooks, self._grad_hooks = [], []
        layers = self.history["layers"]
        for path, module in self.model.named_modules():
            if next(iter(module.children()), None) is not None:
                continue                                  # a container: its leaves are watched
            name = path or type(module).__name__
            layers[name] = _layer_record(type(module).__name__)
            self._layer_hooks.append((module, self._layer_hook(name, type(module).__name__)))
        self._params = {name: p for name, p in self.model.named_parameters() if p.requires_grad}
        for name, p in self._params.items():
            self.history["params"][name] = {"shape": list(p.shape), "grad_step": [], "grad_norm": [],
                                            "update_step": [], "update_ratio": [], "weight_norm": []}
            self._grad_hooks.append((p, self._grad_hook(name)))

    def _hooks_on(self):
        if not self._handles:
            self._handles = [m.register_forward_hook(h) for m, h in self._layer_hooks]
            self._handles += [p.register_hook(h) for p, h in self._grad_hooks]

    def _hooks_off(self):
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def close(self):
        """Remove every hook (and close the last update ratio); the history stays."""
        if self._snapshot is not None:
            self._finish_updates()
        self._hooks_off()
        if self._root_handle is not None:
            self._root_handle.remove()
            self._root_handle = None
        self._recording = self._record_acts = self._record_grads = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- steps -------------------------------------------------------------------------------------------
    def step(self):
        """With ``count="manual"``: end this training step (call it after ``optimizer.step()``), start the next."""
        if self.count != "manual":
            raise RuntimeError("watch(..., count='forward') counts steps itself; step() is for count='manual'")
        self._begin_step()

    def _on_root_forward(self, module, args):
        self._calls = {}                                  # a new forward pass: count each layer's calls anew
        if not module.training:
            self._record_acts = False                     # an evaluation pass: not a training step
        elif self.count == "forward":
            self._begin_step()
        else:
            self._record_acts = self._recording

    def _begin_step(self):
        if self._snapshot is not None:
            self._finish_updates()                        # the optimizer has moved the weights since
        self.step_index += 1
        recording = self.step_index % self.every == 0
        self._recording = self._record_acts = self._record_grads = recording
        if not recording:
            self._hooks_off()
        else:
            self._hooks_on()
            self.history["steps"].append(self.step_index)
            if "updates" in self.what:
                self._take_snapshot()

    def _take_snapshot(self):
        snap = {}
        for name, p in self._params.items():
            w = p._array
            snap[name] = (w.copy(), _norm(w))
        self._snapshot = (self.step_index, snap)

    def _finish_updates(self):
        # ratio = ‖w_now − w_then‖ / ‖w_then‖: how far one optimizer step moved the weights, relative to them
        step, snap = self._snapshot
        self._snapshot = None
        params = self._params
        for name, (old, norm) in snap.items():
            old -= params[name]._array                    # in place: the copy is not needed any more
            rec = self.history["params"][name]
            rec["update_step"].append(step)
            rec["weight_norm"].append(norm)
            rec["update_ratio"].append(_norm(old) / norm if norm > 0 else float("nan"))

    # -- hooks -------------------------------------------------------------------------------------------
    def _layer_hook(self, name, kind):
        def hook(module, args, output):
            if self._record_acts:
                k = self._calls.get(name, 0) + 1          # the k-th call of this module in this forward pass
                self._calls[name] = k
                self._record_layer(name if k == 1 else self._call_record(name, k, kind), kind, output)
        return hook

    def _call_record(self, name, k, kind):
        """The name of the record of the k-th call (k >= 2) of layer ``name``: ``name#k``, made the first time
        and placed right after the record of call k-1, so that the layers stay in the order they ran."""
        key = f"{name}#{k}"
        layers = self.history["layers"]
        if key not in layers:
            after = name if k == 2 else f"{name}#{k - 1}"
            items = list(layers.items())
            at = [n for n, _ in items].index(after) + 1
            items.insert(at, (key, _layer_record(kind)))
            layers.clear()
            layers.update(items)
        return key

    def _grad_hook(self, name):
        def hook(grad):
            if self._record_grads and "gradients" in self.what:
                rec = self.history["params"][name]
                norm = _norm(grad._array)
                if rec["grad_step"] and rec["grad_step"][-1] == self.step_index:
                    rec["grad_norm"][-1] = norm           # a second backward in the same step
                else:
                    rec["grad_step"].append(self.step_index)
                    rec["grad_norm"].append(norm)
        return hook

    def _record_layer(self, name, kind, output):
        if isinstance(output, (tuple, list)):
            output = output[0] if output else None
        y = getattr(output, "_array", None)
        if y is None or y.size == 0 or y.dtype.kind != "f":
            return
        xp = get_array_module(y)
        rec = self.history["layers"][name]
        rec["step"].append(self.step_index)
        flat = y.reshape(-1)
        if "activations" in self.what:
            # one sum and one dot product: mean = Σy/n, var = Σy²/n − mean² (NumPy's pairwise sum)
            n = flat.size
            mean = float(flat.sum()) / n
            var = float(xp.dot(flat, flat)) / n - mean * mean
            rec["mean"].append(mean)
            rec["std"].append(math.sqrt(max(var, 0.0)))
        if "histograms" in self.what:
            if flat.size > self.max_values:
                flat = flat[_sample_positions(flat.size, self.max_values)]
            flat = np.asarray(flat)
            lo, hi = float(flat.min()), float(flat.max())
            if not (math.isfinite(lo) and math.isfinite(hi)):
                flat = flat[np.isfinite(flat)]
                lo, hi = (float(flat.min()), float(flat.max())) if flat.size else (0.0, 1.0)
            if hi <= lo:
                lo, hi = lo - 0.5, hi + 0.5
            counts = _histogram(flat, lo, hi, self.bins)
            rec["hist"].append(counts.tolist())
            rec["edges"].append([lo, hi])
        if "dead" in self.what:
            if kind in DEAD_KINDS:
                dead, dead_channels = _dead_fractions(y)
                rec["dead"].append(dead)
                rec["dead_channels"].append(dead_channels)
            elif kind == "Sigmoid":
                rec["saturated"].append(float(((y < self.sigmoid_low) | (y > self.sigmoid_high)).mean()))
            elif kind == "Tanh":
                rec["saturated"].append(float((xp.abs(y) > self.tanh_high).mean()))

    # -- reading -----------------------------------------------------------------------------------------
    def to_tensorboard(self, writer, prefix="watch"):
        """Log the history to a TensorBoard ``SummaryWriter`` (glasstorch.utils.tensorboard), at the recorded
        steps: per layer ``{prefix}/{layer}/mean``, ``/std``, ``/dead`` or ``/saturated`` as scalars and its
        output histogram (``add_histogram_raw``: the recorded counts, with sum and sum of squares worked out
        from the mean and std); per parameter ``{prefix}/{name}/grad_norm`` and ``/update_ratio``. Returns the
        number of values written. Call it once, e.g. after training (or after ``close()``)."""
        written = 0
        for name, rec in self.history["layers"].items():
            steps = rec["step"]
            for key in ("mean", "std", "dead", "saturated"):
                for step, value in zip(steps, rec[key]):
                    writer.add_scalar(f"{prefix}/{name}/{key}", value, step)
                    written += 1
            for k, (step, counts, (lo, hi)) in enumerate(zip(steps, rec["hist"], rec["edges"])):
                num = int(sum(counts))
                if num == 0:
                    continue
                mean = rec["mean"][k] if k < len(rec["mean"]) else (lo + hi) / 2
                std = rec["std"][k] if k < len(rec["std"]) else 0.0
                limits = np.linspace(lo, hi, len(counts) + 1)[1:].tolist()  # each bucket's right edge
                writer.add_histogram_raw(f"{prefix}/{name}/output", lo, hi, num, mean * num,
                                         (std * std + mean * mean) * num, limits, list(counts), step)
                written += 1
        for name, rec in self.history["params"].items():
            for key, step_key in (("grad_norm", "grad_step"), ("update_ratio", "update_step")):
                for step, value in zip(rec[step_key], rec[key]):
                    writer.add_scalar(f"{prefix}/{name}/{key}", value, step)
                    written += 1
        return written

    def to_dict(self):
        """The history as plain lists and numbers (JSON-able, for metrics.json):

        ``steps``: the recorded step numbers; ``layers[path]``: ``type``, ``step`` (one entry per recorded
        forward), ``mean``, ``std``, ``hist`` (counts) with ``edges`` ([lo, hi]: ``bins`` equal bins between),
        ``dead``/``dead_channels`` (ReLU) or ``saturated`` (Sigmoid, Tanh), empty lists left out;
        ``params[name]``: ``shape``, ``grad_step``/``grad_norm``, ``update_step``/``update_ratio``/
        ``weight_norm``; and the settings ``every`` and ``bins``."""
        layers = {name: {k: v for k, v in rec.items() if v != [] or k == "step"}
                  for name, rec in self.history["layers"].items()}
        return {"every": self.every, "bins": self.bins, "steps": list(self.history["steps"]), "layers": layers,
                "params": {name: dict(rec) for name, rec in self.history["params"].items()}}

    def summary(self):
        """A per-layer table (the last recorded step) as text, then a per-parameter table."""
        lines = [f"watch: {len(self.history['steps'])} recorded steps (every {self.every}), "
                 f"last step {self.step_index}",
                 f"{'layer':<24}{'type':<14}{'mean':>10}{'std':>10}{'dead':>8}{'saturated':>11}"]
        for name, rec in self.history["layers"].items():
            mean = f"{rec['mean'][-1]:.4g}" if rec["mean"] else "-"
            std = f"{rec['std'][-1]:.4g}" if rec["std"] else "-"
            dead = f"{rec['dead'][-1]:.1%}" if rec["dead"] else ""
            sat = f"{rec['saturated'][-1]:.1%}" if rec["saturated"] else ""
            lines.append(f"{name:<24}{rec['type']:<14}{mean:>10}{std:>10}{dead:>8}{sat:>11}")
        lines.append(f"{'parameter':<24}{'shape':<20}{'grad norm':>12}{'update/weight':>15}")
        for name, rec in self.history["params"].items():
            grad = f"{rec['grad_norm'][-1]:.4g}" if rec["grad_norm"] else "-"
            ratio = f"{rec['update_ratio'][-1]:.3g}" if rec["update_ratio"] else "-"
            lines.append(f"{name:<24}{str(tuple(rec['shape'])):<20}{grad:>12}{ratio:>15}")
        if not _has_unit_records(self.history):
            kinds = {rec["type"] for rec in self.history["layers"].values()}
            why = ("what= leaves out 'dead'" if "dead" not in self.what else
                   "the model has no nn.ReLU, ReLU6, Sigmoid or Tanh module" if not kinds & set(UNIT_KINDS) else
                   "no training step recorded yet")
            lines.append(f"dead units: none recorded ({why}), so there is no dead-units figure")
        return "\n".join(lines)

    # -- notebooks: the summary as HTML tables with the figure, the figure as PNG ----------------------------
    def __repr__(self):
        return (f"Watch({type(self.model).__name__}: {len(self.history['steps'])} recorded steps (every "
                f"{self.every}), last step {self.step_index}; .summary(), .save_figures(dir))")

    def _repr_png_(self):
        """The gradient flow figure (or, before any backward, the activation histograms) as PNG bytes; None
        when nothing is recorded yet. Drawn once per state of the history."""
        key = (self.step_index, len(self.history["steps"]))
        if getattr(self, "_png_key", None) != key:
            h = self.to_dict()
            if any(r["grad_norm"] for r in h["params"].values()):
                self._png = _png(lambda buf: plot_gradient_flow(h, buf))
            elif any(r.get("hist") for r in h["layers"].values()):
                self._png = _png(lambda buf: plot_activation_histograms(h, buf, step=-1))
            else:
                self._png = None
            self._png_key = key
        return self._png

    def _repr_html_(self):
        """The two tables of ``summary()`` as HTML, then the figure of ``_repr_png_`` (embedded)."""
        import base64
        import html
        text = self.summary().splitlines()
        layer_rows, param_rows = [], []
        for name, rec in self.history["layers"].items():
            last = {k: rec[k][-1] if rec[k] else None for k in ("mean", "std", "dead", "saturated")}
            layer_rows.append([name, rec["type"], _num(last["mean"], ".4g"), _num(last["std"], ".4g"),
                               _num(last["dead"], ".1%"), _num(last["saturated"], ".1%")])
        for name, rec in self.history["params"].items():
            param_rows.append([name, str(tuple(rec["shape"])),
                               _num(rec["grad_norm"][-1] if rec["grad_norm"] else None, ".4g"),
                               _num(rec["update_ratio"][-1] if rec["update_ratio"] else None, ".3g")])
        parts = [f"<p><b>{html.escape(text[0])}</b></p>",
                 _html_table(["layer", "type", "mean", "std", "dead", "saturated"], layer_rows),
                 _html_table(["parameter", "shape", "grad norm", "update/weight"], param_rows)]
        if text[-1].startswith("dead units: none"):
            parts.append(f"<p>{html.escape(text[-1])}</p>")
        png = self._repr_png_()
        if png is not None:
            parts.append(f'<img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">')
        return "\n".join(parts)

    def save_figures(self, run_dir, prefix="watch_"):
        """Draw the figures into ``run_dir`` (a RunFolder or a folder path); returns their paths. The dead-units
        figure is left out when there is nothing to draw in it (no ReLU, Sigmoid or Tanh module)."""
        paths = [plot_activation_histograms(self, run_dir, f"{prefix}activation_histograms.png"),
                 plot_gradient_flow(self, run_dir, f"{prefix}gradient_flow.png"),
                 plot_dead_units(self, run_dir, f"{prefix}dead_units.png")]
        return [p for p in paths if p is not None]


def _layer_record(kind):
    return {"type": kind, "step": [], "mean": [], "std": [], "hist": [], "edges": [], "dead": [],
            "dead_channels": [], "saturated": []}


def _num(value, spec):
    return "-" if value is None else format(value, spec)


def _html_table(head, rows):
    """A plain HTML table (cells escaped), numbers right-aligned."""
    import html
    cells = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return ("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>" + cells + "</table>")


def _png(draw, dpi=72):
    """The PNG bytes of a figure drawn by ``draw(buffer)`` (a plot_* function given an io.BytesIO target)."""
    import io
    buf = io.BytesIO()
    buf.dpi = dpi                                      # read by _unattached_figure
    draw(buf)
    return buf.getvalue()


def _has_unit_records(h):
    """Whether any layer recorded dead ReLU units or saturated sigmoid/tanh values."""
    return any(rec.get("dead") or rec.get("saturated") for rec in h["layers"].values())


def _norm(a):
    """The 2-norm of all of ``a``'s values, as a float (one pass, no temporary for contiguous arrays)."""
    flat = a.reshape(-1)
    return math.sqrt(float(get_array_module(a).dot(flat, flat)))


_SAMPLES = {}


def _sample_positions(size, count):
    """``count`` fixed random positions in ``range(size)`` (the same ones every step). Random, not a stride: a
    stride such as 24 through a (1000, 100) output would only ever visit the 25 units whose index it divides,
    and each unit has its own distribution, so the histogram would be jagged."""
    key = (size, count)
    if key not in _SAMPLES:
        _SAMPLES[key] = np.sort(np.random.default_rng(0).choice(size, count, replace=False))
    return _SAMPLES[key]


def _histogram(values, lo, hi, bins):
    """Counts of ``values`` in ``bins`` equal bins over [lo, hi] (np.histogram's answer, without its checks)."""
    scaled = values - lo                               # a new array: values stays as it was
    scaled *= bins / (hi - lo)
    index = scaled.astype(np.intp)
    np.minimum(index, bins - 1, out=index)             # hi itself falls in the last bin (values ≥ lo)
    return np.bincount(index, minlength=bins)


def _dead_fractions(y):
    """(fraction of units, fraction of channels) that are 0 for every sample. A unit is one position of all dims
    but the batch dim; a channel is one index of dim 1, dead when 0 for every sample and every position. One
    pass over ``y`` finds the live units; the channels are read off those."""
    if y.ndim < 2:
        dead = float(not (y > 0).any())
        return dead, dead
    alive = (y > 0).any(axis=0)                    # (units...): positive for some sample
    alive_channels = alive.reshape(alive.shape[0], -1).any(axis=1)
    return 1.0 - float(alive.mean()), 1.0 - float(alive_channels.mean())


# -- figures -----------------------------------------------------------------------------------------------
def _history(w):
    return w.to_dict() if isinstance(w, Watch) else w


def _figure(target, name, figsize):
    """(context manager yielding a Figure) for a RunFolder, or for a path / folder path."""
    import contextlib
    import pathlib
    from glasstorch.labs.runfolder import RunFolder
    if isinstance(target, RunFolder):
        return target.figure(name, figsize=figsize), target.path / name
    if hasattr(target, "write"):                        # a file object (the notebook reprs' io.BytesIO)
        return _unattached_figure(target, figsize), target
    path = pathlib.Path(target)
    if path.suffix != ".png":
        path.mkdir(parents=True, exist_ok=True)
        path = path / name

    @contextlib.contextmanager
    def saved():
        from glasstorch.labs.runfolder import pyplot
        plt = pyplot()
        fig = plt.figure(figsize=figsize)
        try:
            yield fig
            fig.tight_layout()
            fig.savefig(path, dpi=100)
        finally:
            plt.close(fig)
    return saved(), path


def _unattached_figure(target, figsize):
    """A Figure outside pyplot, saved as PNG into the file object ``target`` (at ``target.dpi``, default 72):
    drawing a notebook repr leaves pyplot's figures and the notebook's backend alone."""
    import contextlib
    from matplotlib.figure import Figure

    @contextlib.contextmanager
    def saved():
        fig = Figure(figsize=figsize)
        yield fig
        fig.tight_layout()
        fig.savefig(target, dpi=getattr(target, "dpi", 72), format="png")
    return saved()


def _pick_layers(h, layers):
    if layers is not None:
        return [name for name in layers if name in h["layers"]]
    acts = [n for n, r in h["layers"].items() if r["type"] in DEAD_KINDS + ("Sigmoid", "Tanh", "LeakyReLU",
                                                                            "GELU", "ELU", "SiLU")]
    return acts or [n for n, r in h["layers"].items() if r.get("hist")]


def plot_activation_histograms(w, target, name="activation_histograms.png", step=0, layers=None):
    """One panel per layer: the histogram of its output on the ``step``-th recorded step (the first by
    default: the classic initialization figure). By default the activation-function layers, else every leaf."""
    h = _history(w)
    names = [n for n in _pick_layers(h, layers) if h["layers"][n].get("hist")]
    cols = max(1, len(names))
    ctx, path = _figure(target, name, (2.6 * cols, 2.6))
    with ctx as fig:
        for k, n in enumerate(names):
            rec = h["layers"][n]
            counts = np.asarray(rec["hist"][step], dtype=float)
            lo, hi = rec["edges"][step]
            edges = np.linspace(lo, hi, len(counts) + 1)
            ax = fig.add_subplot(1, cols, k + 1)
            ax.stairs(counts / max(counts.sum(), 1), edges, fill=True)
            mean = f"mean {rec['mean'][step]:.3g}, std {rec['std'][step]:.3g}" if rec.get("mean") else ""
            ax.set_title(f"{n} ({rec['type']})\n{mean}", fontsize=8)
            ax.tick_params(labelsize=7)
    return path


def plot_gradient_flow(w, target, name="gradient_flow.png"):
    """The gradient norm of each weight (not bias) over the recorded steps: a heat map (layers × steps, log10)
    and, next to it, the norm per layer at the first and last recorded step."""
    h = _history(w)
    names = [n for n, r in h["params"].items() if r["grad_norm"] and len(r["shape"]) > 1] or \
        [n for n, r in h["params"].items() if r["grad_norm"]]
    ctx, path = _figure(target, name, (11, 0.4 * len(names) + 3))
    with ctx as fig:
        if not names:
            fig.gca().set_title("no gradients recorded")
            return path
        steps = sorted({s for n in names for s in h["params"][n]["grad_step"]})
        col = {s: i for i, s in enumerate(steps)}
        grid = np.full((len(names), len(steps)), np.nan)
        for i, n in enumerate(names):
            for s, g in zip(h["params"][n]["grad_step"], h["params"][n]["grad_norm"]):
                grid[i, col[s]] = g
        ax = fig.add_subplot(1, 2, 1)
        im = ax.imshow(np.log10(np.maximum(grid, 1e-30)), aspect="auto", cmap="viridis",
                       extent=(steps[0] - 0.5, steps[-1] + 0.5, len(names) - 0.5, -0.5))
        ax.set(yticks=range(len(names)), xlabel="step", title="log10 gradient norm")
        ax.set_yticklabels(names, fontsize=7)
        fig.colorbar(im, ax=ax)
        ax = fig.add_subplot(1, 2, 2)
        ax.plot(range(len(names)), grid[:, 0], "o-", label=f"step {steps[0]}")
        if len(steps) > 1:
            ax.plot(range(len(names)), grid[:, -1], "o-", label=f"step {steps[-1]}")
        if np.nanmax(grid, initial=0.0) > 0:               # all zero (a dead network): a linear axis
            ax.set_yscale("log")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=45, ha="right", fontsize=7)
        ax.set(ylabel="gradient norm", title="gradient flow across layers")
        ax.legend(fontsize=8)
    return path


def plot_dead_units(w, target, name="dead_units.png"):
    """The fraction of dead ReLU units (and of saturated sigmoid/tanh values) per layer over the steps; returns
    the file's path, or None (and writes nothing) when no layer recorded either: an empty figure says nothing."""
    h = _history(w)
    if not _has_unit_records(h):
        return None
    ctx, path = _figure(target, name, (8, 4))
    with ctx as fig:
        ax = fig.gca()
        for n, rec in h["layers"].items():
            steps = rec["step"]
            for key, label in (("dead", "dead"), ("saturated", "saturated")):
                if rec.get(key):
                    ax.plot(steps[:len(rec[key])], rec[key], label=f"{n} {label}")
        ax.set(xlabel="step", ylabel="fraction of units", ylim=(-0.02, 1.02),
               title="dead ReLU units / saturated sigmoid, tanh values")
        ax.legend(fontsize=7)
    return path
