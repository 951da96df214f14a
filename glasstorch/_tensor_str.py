"""How a tensor prints: ``tensor([1.5000, 2.0000], requires_grad=True)``, as PyTorch prints it.

PyTorch's rules (its default print options: precision 4, line width 80, more than 1000 elements are
summarized with 3 at each edge):

- One formatter serves the whole tensor, so every element gets the same width and style. It looks only at
  the nonzero finite values. Integral floats print as ``1.``; otherwise ``1.5000``. Scientific notation
  (``1.0000e+05``) is used when the largest is more than 1000 times the smallest or above 1e8, or (for
  non-integral values) the smallest is under 1e-4.
- Rows wrap to the line width, nested brackets are indented under ``tensor(``.
- The dtype is named unless it is the default float, int64 or bool; an empty tensor names every dtype
  but the default float and shows its size unless it is ``(0,)``.
"""
import math

import numpy as np

PRECISION = 4
LINEWIDTH = 80
THRESHOLD = 1000
EDGEITEMS = 3
SCI_MODE = None  # True/False forces scientific notation on/off; None lets the formatter choose

_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """``glasstorch.set_printoptions``: a profile sets all four numbers, then the ones given override it;
    ``sci_mode`` is always set (None: choose)."""
    global PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH, SCI_MODE
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"profile must be one of {list(_PROFILES)}, got {profile!r}")
        p = _PROFILES[profile]
        PRECISION, THRESHOLD, EDGEITEMS, LINEWIDTH = p["precision"], p["threshold"], p["edgeitems"], p["linewidth"]
    if precision is not None:
        PRECISION = precision
    if threshold is not None:
        THRESHOLD = threshold
    if edgeitems is not None:
        EDGEITEMS = edgeitems
    if linewidth is not None:
        LINEWIDTH = linewidth
    SCI_MODE = sci_mode


def get_printoptions():
    return dict(precision=PRECISION, threshold=THRESHOLD, edgeitems=EDGEITEMS, linewidth=LINEWIDTH,
                sci_mode=SCI_MODE)


class _Formatter:
    """Chooses one style and width for all elements (from the nonzero finite values)."""

    def __init__(self, a):
        self.floating = a.dtype.kind == "f"  # _body has turned float16 and bfloat16 into float32
        self.int_mode, self.sci_mode, self.width = True, False, 1
        if not self.floating:
            for v in a.reshape(-1).tolist():
                self.width = max(self.width, len(str(v)))
            return
        vals = a.reshape(-1).astype(np.float64)
        vals = vals[np.isfinite(vals) & (vals != 0)]
        if vals.size == 0:
            return
        lo, hi = np.abs(vals).min(), np.abs(vals).max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or (not self.int_mode and lo < 1.0e-4)
        if SCI_MODE is not None:  # forced on or off by set_printoptions
            self.sci_mode = SCI_MODE
        if self.sci_mode:
            texts = [f"{v:.{PRECISION}e}" for v in vals.tolist()]
        elif self.int_mode:
            texts = [f"{v:.0f}." for v in vals.tolist()]  # the trailing '.' says: a float
        else:
            texts = [f"{v:.{PRECISION}f}" for v in vals.tolist()]
        self.width = max(len(s) for s in texts)

    def format(self, v):
        if not self.floating:
            s = str(v)
        elif self.sci_mode:
            s = f"{v:.{PRECISION}e}"
        elif self.int_mode:
            s = f"{v:.0f}" + ("" if math.isinf(v) or math.isnan(v) else ".")
        else:
            s = f"{v:.{PRECISION}f}"
        return s.rjust(self.width)


def _summarized(a):
    """The elements a summary shows (the first and last EDGEITEMS along each dimension)."""
    if a.ndim == 0:
        return a
    if a.shape[0] > 2 * EDGEITEMS:
        a = np.concatenate([a[:EDGEITEMS], a[-EDGEITEMS:]])
    if a.ndim == 1:
        return a
    return np.stack([_summarized(row) for row in a])


def _vector(a, indent, summarize, fmt):
    per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))  # each element takes its width plus ", "
    if summarize and a.shape[0] > 2 * EDGEITEMS:
        items = [fmt.format(v) for v in a[:EDGEITEMS].tolist()] + [" ..."]
        items += [fmt.format(v) for v in a[-EDGEITEMS:].tolist()]
    else:
        items = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(a, indent, summarize, fmt):
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt)
    rows = range(a.shape[0])
    if summarize and a.shape[0] > 2 * EDGEITEMS:
        rows = list(range(EDGEITEMS)) + [None] + list(range(a.shape[0] - EDGEITEMS, a.shape[0]))
    parts = ["..." if i is None else _nested(a[i], indent + 1, summarize, fmt) for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _body(a, indent):
    summarize = a.size > THRESHOLD
    if a.dtype == np.float16 or a.dtype.name == "bfloat16":  # print their exact values, through float32
        a = a.astype(np.float32)
    fmt = _Formatter(_summarized(a) if summarize else a)
    return _nested(a, indent, summarize, fmt)


def tensor_repr(t):
    from ._dtype import PRINTED, get_default_dtype
    a = t._array
    default = get_default_dtype().name
    prefix = "tensor("
    suffixes = []
    if a.size == 0:
        body = "[]"
        if a.ndim != 1:
            suffixes.append(f"size={a.shape}")
        if a.dtype.name != default:
            suffixes.append(f"dtype={PRINTED}.{a.dtype.name}")
    else:
        body = _body(a, len(prefix))
        if a.dtype.name not in (default, "int64", "bool"):
            suffixes.append(f"dtype={PRINTED}.{a.dtype.name}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, len(prefix))


def _add_suffixes(text, suffixes, indent):
    """Append ``, dtype=...`` and the like, wrapping to a new line where the last line would pass 80 columns."""
    parts = [text]
    last = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last + len(s) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            parts.append(", " + s)
            last += len(s) + 2
    return "".join(parts) + ")"
