"""profile: how many times each op ran inside a block, how long its forward and backward took, and its FLOPs.

    with glass.profile() as prof:
        loss_fn(model(x), y).backward()
    print(prof.table())     # one row per op, slowest first
    prof.rows               # the same as a list of dicts

How it works: while the block is open, ``Function.apply`` runs each op's forward through ``Hooks.forward`` and
the backward engine runs each node's backward through ``Hooks.backward``; both hooks here time the call with
``time.perf_counter`` and add it to the op's row. Outside the block nothing is attached.

FLOPs are estimates, a multiply-add counted as 2 operations.
- Forward: matmul and linear 2·m·n·k (the bias is not counted), convolution 2·N·Cout·Hout·Wout·Cin·kh·kw/groups,
  elementwise ops (``ops/elementwise.py``, ``ops/activation.py``) one per output element, every other op 0
  (unknown).
- Backward: a product's gradient with respect to one operand is another product of the same size (for
  y = x Wᵀ: dL/dx = dL/dy · W and dL/dW = dL/dyᵀ · x, each 2·m·n·k), so the matrix products (linear, matmul,
  mm, bmm, mv, dot, outer, bilinear, convolution, transposed convolution) cost 1× their forward FLOPs per
  operand that needs a gradient: 2× when both the input and the weight do, 1× when one does (the bias
  gradient, a sum, is not counted). Elementwise ops: one per output element per input that needs a gradient
  (the product of the upstream gradient with the local derivative). Counted when the node's backward runs,
  for nodes created inside the block; others 0.
GFLOP/s is forward FLOPs over forward time. Deviations from ``torch.profiler.profile``: no activities/schedules/traces; ``key_averages()`` returns the
profile itself, whose ``table(sort_by, row_limit)`` prints this module's columns.
"""
import time
import weakref

from ..autograd.function import Hooks

__all__ = ["profile"]

_ELEMENTWISE_MODULES = ("glasstorch.ops.elementwise", "glasstorch.ops.activation")
_COLUMNS = ("op", "calls", "forward ms", "backward ms", "forward GFLOP", "backward GFLOP", "GFLOP/s")
_SORT_KEYS = {"time": lambda r: r["forward_ms"] + r["backward_ms"], "forward": lambda r: r["forward_ms"],
              "backward": lambda r: r["backward_ms"], "calls": lambda r: r["calls"], "flops": lambda r: r["gflop"],
              "backward_flops": lambda r: r["backward_gflop"]}


class profile:
    """Context manager recording per-op calls, forward/backward time and FLOPs of everything run inside it.

    verbose: print the table when the block ends.
    """

    def __init__(self, verbose=False):
        self.verbose = verbose
        self._stats = {}      # op class -> [forward calls, forward seconds, backward calls, backward seconds,
        #                                forward flops, backward flops]
        self._flop_rules = {}  # op class -> (function(arrays, out) -> flops, backward rule) or None
        self._backward_flops = weakref.WeakKeyDictionary()  # node -> its backward's FLOPs, noted by forward
        self.wall_seconds = 0.0

    def __enter__(self):
        self._next_forward, self._next_backward = Hooks.forward, Hooks.backward
        Hooks.forward = self._forward
        Hooks.backward = self._backward
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.wall_seconds += time.perf_counter() - self._start
        Hooks.forward, Hooks.backward = self._next_forward, self._next_backward
        if self.verbose:
            print(self.table())
        return False

    # -- the two hooks --------------------------------------------------------------------------------
    def _forward(self, cls, ctx, arrays):
        start = time.perf_counter()
        if self._next_forward is None:
            out = cls.forward(ctx, *arrays)
        else:
            out = self._next_forward(cls, ctx, arrays)
        seconds = time.perf_counter() - start
        row = self._stats.get(cls)
        if row is None:
            row = self._stats[cls] = [0, 0.0, 0, 0.0, 0, 0]
            self._flop_rules[cls] = _flop_rule(cls)
        row[0] += 1
        row[1] += seconds
        rule = self._flop_rules[cls]
        if rule is not None:
            flops = rule[0](arrays, out)
            row[4] += flops
            needs = ctx.needs_input_grad               # () when no gradient is recorded: no backward
            if any(needs):
                self._backward_flops[ctx] = rule[1](flops, needs, out)
        return out

    def _backward(self, node, grad):
        start = time.perf_counter()
        if self._next_backward is None:
            grads = type(node).backward(node, grad)
        else:
            grads = self._next_backward(node, grad)
        seconds = time.perf_counter() - start
        row = self._stats.get(type(node))
        if row is None:  # the node was created before the block began
            row = self._stats[type(node)] = [0, 0.0, 0, 0.0, 0, 0]
        row[2] += 1
        row[3] += seconds
        row[5] += self._backward_flops.get(node, 0)
        return grads

    # -- results --------------------------------------------------------------------------------------
    @property
    def rows(self):
        """One dict per op, slowest first: op, calls, backward_calls, forward_ms, backward_ms, flops and gflop
        (forward), backward_flops and backward_gflop, gflops (forward GFLOP/s)."""
        rows = []
        for cls, (calls, fwd, bwd_calls, bwd, flops, bwd_flops) in self._stats.items():
            rows.append({"op": cls.__name__, "calls": calls, "backward_calls": bwd_calls,
                         "forward_ms": fwd * 1e3, "backward_ms": bwd * 1e3, "flops": flops,
                         "gflop": flops / 1e9, "backward_flops": bwd_flops, "backward_gflop": bwd_flops / 1e9,
                         "gflops": flops / 1e9 / fwd if fwd > 0 else 0.0})
        rows.sort(key=_SORT_KEYS["time"], reverse=True)
        return rows

    def key_averages(self):
        """PyTorch's spelling: ``prof.key_averages().table()``."""
        return self

    def table(self, sort_by="time", row_limit=None):
        """The rows as text, sorted by ``time`` (forward + backward), ``forward``, ``backward``, ``calls``,
        ``flops`` (forward) or ``backward_flops``, with a total line."""
        if sort_by not in _SORT_KEYS:
            raise ValueError(f"sort_by must be one of {sorted(_SORT_KEYS)}, got {sort_by!r}")
        rows = sorted(self.rows, key=_SORT_KEYS[sort_by], reverse=True)
        if row_limit is not None:
            rows = rows[:row_limit]
        cells = [[r["op"], str(r["calls"]), f"{r['forward_ms']:.3f}", f"{r['backward_ms']:.3f}",
                  f"{r['gflop']:.4f}", f"{r['backward_gflop']:.4f}", f"{r['gflops']:.2f}"] for r in rows]
        widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(_COLUMNS)]
        rule = "  ".join("-" * w for w in widths)

        def line(values):
            return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths)))

        fwd = sum(r["forward_ms"] for r in self.rows)
        bwd = sum(r["backward_ms"] for r in self.rows)
        out = [rule, line(_COLUMNS), rule] + [line(c) for c in cells] + [rule]
        out.append(f"Ops forward: {fwd:.3f} ms, backward: {bwd:.3f} ms; block wall time: "
                   f"{self.wall_seconds * 1e3:.3f} ms (the rest is Python, optimizer and data work)")
        return "\n".join(out)

    def __str__(self):
        return self.table()

    def _repr_html_(self):
        """The rows of ``table()`` (slowest first) as an HTML table, for notebooks."""
        import html
        from .watch import _html_table
        rows = [[r["op"], r["calls"], f"{r['forward_ms']:.3f}", f"{r['backward_ms']:.3f}", f"{r['gflop']:.4f}",
                 f"{r['backward_gflop']:.4f}", f"{r['gflops']:.2f}"]
                for r in sorted(self.rows, key=_SORT_KEYS["time"], reverse=True)]
        return _html_table(_COLUMNS, rows) + f"<p>{html.escape(self.table().splitlines()[-1])}</p>"


# -- FLOP estimates ------------------------------------------------------------------------------------
def _flop_rule(cls):
    """(forward, backward) FLOP estimates of op ``cls``, or None: ``forward(arrays, out)`` from its input arrays
    and output; ``backward(forward_flops, needs_input_grad, out)``."""
    name = cls.__name__
    if name in _RULES:
        forward, operands = _RULES[name]
        return forward, _product_backward(operands)
    if cls.__module__ in _ELEMENTWISE_MODULES:
        return _elementwise, _elementwise_backward
    return None


def _product_backward(operands):
    """A product's backward: its forward FLOPs once per operand (positions ``operands``) that needs a gradient."""
    def rule(flops, needs, out):
        return flops * sum(1 for i in operands if i < len(needs) and needs[i])
    return rule


def _elementwise_backward(flops, needs, out):
    return out.size * sum(1 for n in needs if n)


def _elementwise(arrays, out):
    return out.size


def _linear(arrays, out):        # x (..., k) @ W(n, k).T: 2·m·n·k
    x, w = arrays[0], arrays[1]
    return 2 * (x.size // x.shape[-1]) * w.shape[0] * w.shape[1]


def _matmul(arrays, out):        # each output element is a k-long dot product: 2·k per element
    return 2 * max(out.size, 1) * arrays[0].shape[-1]


def _outer(arrays, out):
    return out.size


def _bilinear(arrays, out):      # y[n, o] = x1[n] · W[o] · x2[n]: 2·in1·in2 per output element
    w = arrays[2]
    return 2 * out.size * w.shape[1] * w.shape[2]


def _convolution(arrays, out):   # each output element sums Cin/groups · kh · kw products
    w = arrays[1]
    return 2 * out.size * (w.size // w.shape[0])


def _conv_transpose(arrays, out):  # each input element scatters Cout/groups · kh · kw products
    x, w = arrays[0], arrays[1]
    return 2 * x.size * (w.size // w.shape[0])


# op name -> (forward rule, the positions of the product's operands among the op's arguments: not the bias)
_RULES = {"Linear": (_linear, (0, 1)), "MatMul": (_matmul, (0, 1)), "Mm": (_matmul, (0, 1)),
          "Bmm": (_matmul, (0, 1)), "Mv": (_matmul, (0, 1)), "Dot": (_matmul, (0, 1)), "Outer": (_outer, (0, 1)),
          "Bilinear": (_bilinear, (0, 1, 2)), "Convolution": (_convolution, (0, 1)),
          "ConvTranspose": (_conv_transpose, (0, 1))}
