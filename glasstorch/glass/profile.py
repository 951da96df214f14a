"""profile: how many times each op ran inside a block, how long its forward and backward took, and its FLOPs.

    with glass.profile() as prof:
        loss_fn(model(x), y).backward()
    print(prof.table())     # one row per op, slowest first
    prof.rows               # the same as a list of dicts

How it works: while the block is open, ``Function.apply`` runs each op's forward through ``Hooks.forward`` and
the backward engine runs each node's backward through ``Hooks.backward``; both hooks here time the call with
``time.perf_counter`` and add it to the op's row. Outside the block nothing is attached.

FLOPs are an estimate of the forward's multiply-adds counted as 2 operations: matmul and linear 2·m·n·k (the
bias is not counted), convolution 2·N·Cout·Hout·Wout·Cin·kh·kw/groups, elementwise ops (``ops/elementwise.py``,
``ops/activation.py``) one per output element, every other op 0 (unknown). GFLOP/s is forward FLOPs over forward
time. Deviations from ``torch.profiler.profile``: no activities/schedules/traces; ``key_averages()`` returns the
profile itself, whose ``table(sort_by, row_limit)`` prints this module's columns.
"""
import time

from ..autograd.function import Hooks

__all__ = ["profile"]

_ELEMENTWISE_MODULES = ("glasstorch.ops.elementwise", "glasstorch.ops.activation")
_COLUMNS = ("op", "calls", "forward ms", "backward ms", "GFLOP", "GFLOP/s")
_SORT_KEYS = {"time": lambda r: r["forward_ms"] + r["backward_ms"], "forward": lambda r: r["forward_ms"],
              "backward": lambda r: r["backward_ms"], "calls": lambda r: r["calls"], "flops": lambda r: r["gflop"]}


class profile:
    """Context manager recording per-op calls, forward/backward time and FLOPs of everything run inside it.

    verbose: print the table when the block ends.
    """

    def __init__(self, verbose=False):
        self.verbose = verbose
        self._stats = {}      # op class -> [forward calls, forward seconds, backward calls, backward seconds, flops]
        self._flop_rules = {}  # op class -> function(arrays, out) -> flops
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
            row = self._stats[cls] = [0, 0.0, 0, 0.0, 0]
            self._flop_rules[cls] = _flop_rule(cls)
        row[0] += 1
        row[1] += seconds
        rule = self._flop_rules[cls]
        if rule is not None:
            row[4] += rule(arrays, out)
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
            row = self._stats[type(node)] = [0, 0.0, 0, 0.0, 0]
        row[2] += 1
        row[3] += seconds
        return grads

    # -- results --------------------------------------------------------------------------------------
    @property
    def rows(self):
        """One dict per op (op, calls, backward_calls, forward_ms, backward_ms, gflop, gflops), slowest first."""
        rows = []
        for cls, (calls, fwd, bwd_calls, bwd, flops) in self._stats.items():
            rows.append({"op": cls.__name__, "calls": calls, "backward_calls": bwd_calls,
                         "forward_ms": fwd * 1e3, "backward_ms": bwd * 1e3, "flops": flops,
                         "gflop": flops / 1e9, "gflops": flops / 1e9 / fwd if fwd > 0 else 0.0})
        rows.sort(key=_SORT_KEYS["time"], reverse=True)
        return rows

    def key_averages(self):
        """PyTorch's spelling: ``prof.key_averages().table()``."""
        return self

    def table(self, sort_by="time", row_limit=None):
        """The rows as text, sorted by ``time`` (forward + backward), ``forward``, ``backward``, ``calls`` or
        ``flops``, with a total line."""
        if sort_by not in _SORT_KEYS:
            raise ValueError(f"sort_by must be one of {sorted(_SORT_KEYS)}, got {sort_by!r}")
        rows = sorted(self.rows, key=_SORT_KEYS[sort_by], reverse=True)
        if row_limit is not None:
            rows = rows[:row_limit]
        cells = [[r["op"], str(r["calls"]), f"{r['forward_ms']:.3f}", f"{r['backward_ms']:.3f}",
                  f"{r['gflop']:.4f}", f"{r['gflops']:.2f}"] for r in rows]
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


# -- FLOP estimates ------------------------------------------------------------------------------------
def _flop_rule(cls):
    """The function estimating the forward FLOPs of op ``cls`` from its input arrays and output, or None."""
    name = cls.__name__
    if name in _RULES:
        return _RULES[name]
    if cls.__module__ in _ELEMENTWISE_MODULES:
        return _elementwise
    return None


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


_RULES = {"Linear": _linear, "MatMul": _matmul, "Mm": _matmul, "Bmm": _matmul, "Mv": _matmul, "Dot": _matmul,
          "Outer": _outer, "Bilinear": _bilinear, "Convolution": _convolution, "ConvTranspose": _conv_transpose}
