"""How a tensor prints: ``tensor([1.5000, 2.0000], requires_grad=True)``, close to PyTorch's repr."""
import numpy as np

_IMPLICIT_DTYPES = ("float32", "int64", "bool")


def _float_formatter(a):
    finite = a[np.isfinite(a)]
    if finite.size == 0 or np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
        fmt = lambda v: (f"{v:.0f}." if np.isfinite(v) else f"{v}")  # noqa: E731
    else:
        nonzero = np.abs(finite[finite != 0])
        lo, hi = (nonzero.min(), nonzero.max()) if nonzero.size else (0.0, 0.0)
        if hi > 1e8 or (lo > 0 and (lo < 1e-4 or hi / lo > 1000)):
            fmt = lambda v: f"{v:.4e}" if np.isfinite(v) else f"{v}"  # noqa: E731
        else:
            fmt = lambda v: f"{v:.4f}" if np.isfinite(v) else f"{v}"  # noqa: E731
    return fmt


def _body(a):
    if a.dtype.kind == "f":
        fmt = _float_formatter(a.astype(np.float64))
        width = max(len(fmt(v)) for v in _sample(a))
        formatter = {"float_kind": lambda v: fmt(v).rjust(width)}
    elif a.dtype.kind == "b":
        formatter = {"bool": lambda v: str(bool(v)).rjust(5 if (~a).any() else 4)}
    else:
        width = max(len(str(v)) for v in _sample(a))
        formatter = {"int": lambda v: str(v).rjust(width)}
    return np.array2string(a, separator=", ", prefix="tensor(", formatter=formatter, threshold=1000,
                           edgeitems=3, max_line_width=80)


def _sample(a):
    flat = a.reshape(-1)
    return flat if flat.size <= 1000 else np.concatenate([flat[:3], flat[-3:]])


def tensor_repr(t):
    a = t._array
    suffix = []
    if a.size == 0:
        body = "[]"
        if a.shape != (0,):
            suffix.append(f"size={a.shape}")
    else:
        body = _body(a)
    if a.dtype.name not in _IMPLICIT_DTYPES or (a.dtype.kind == "f" and a.dtype.name != _default_name()):
        suffix.append(f"dtype=glasstorch.{a.dtype.name}")
    if t.grad_fn is not None:
        suffix.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffix.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + s for s in suffix) + ")"


def _default_name():
    from ._dtype import get_default_dtype
    return get_default_dtype().name
