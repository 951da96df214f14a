"""How much of PyTorch's public API glasstorch has, namespace by namespace: writes ``docs/API.md``.

    python benchmarks/api_coverage.py            # compare with the installed PyTorch, write docs/API.md
    python benchmarks/api_coverage.py --check    # exit 1 if docs/API.md is not what this run would write

For each namespace (``torch``, ``torch.Tensor``, ``torch.linalg`` ...) every public name of the installed
PyTorch falls in one of three groups:
- implemented: glasstorch has the name at the same place;
- left out: the name matches an entry of ``api_exclusions.py``, which gives the reason (complex dtypes,
  sparse layouts, quantization, TorchScript, CUDA internals ...);
- missing: everything else. The aim is none.
A name that glasstorch has counts as implemented even where it is also excluded (the exclusion is then moot).
The implemented names are written out in full, so that ``tests/test_api_coverage.py`` can check that none of
them disappears.
"""
import argparse
import importlib
import os
import re
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

from api_exclusions import EXCLUDED  # noqa: E402
from torchvision_names import NAMES as STATIC_NAMES  # noqa: E402

# (PyTorch's namespace, glasstorch's, what the names are)
NAMESPACES = [
    ("torch", "glasstorch", "functions, classes and constants"),
    ("torch.Tensor", "glasstorch.Tensor", "methods and attributes"),
    ("torch.linalg", "glasstorch.linalg", "functions"),
    ("torch.special", "glasstorch.special", "functions"),
    ("torch.fft", "glasstorch.fft", "functions"),
    ("torch.distributions", "glasstorch.distributions", "classes and functions"),
    ("torch.nn", "glasstorch.nn", "modules and classes"),
    ("torch.nn.functional", "glasstorch.nn.functional", "functions"),
    ("torch.nn.init", "glasstorch.nn.init", "functions"),
    ("torch.optim", "glasstorch.optim", "optimizers"),
    ("torch.optim.lr_scheduler", "glasstorch.optim.lr_scheduler", "schedulers"),
    ("torch.autograd", "glasstorch.autograd", "functions and classes"),
    ("torch.utils.data", "glasstorch.utils.data", "classes and functions"),
    # torchvision does not install beside this torch: its names come from torchvision_names.py (read from
    # torchvision's source), not from importing it
    ("torchvision.models", "glasstorch.vision.models", "models, weights enums and the registry"),
    ("torchvision.datasets", "glasstorch.vision.datasets", "datasets"),
    ("torchvision.transforms", "glasstorch.vision.transforms", "transforms"),
    ("torchvision.transforms.functional", "glasstorch.vision.transforms.functional", "functions"),
    ("torchvision.transforms.v2", "glasstorch.vision.transforms.v2", "transforms"),
    ("torchvision.utils", "glasstorch.vision.utils", "functions"),
]


def _resolve(path):
    """The object at a dotted path (a module, or a class inside one)."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for p in parts[i:]:
            obj = getattr(obj, p)
        return obj
    raise ImportError(path)


def public_names(obj):
    """Names without a leading underscore; a module's submodules are namespaces of their own, not names."""
    names = []
    for n in dir(obj):
        if n.startswith("_"):
            continue
        try:
            v = getattr(obj, n)
        except Exception:  # noqa: BLE001 (a lazy attribute that fails to load is still a name)
            v = None
        if isinstance(obj, types.ModuleType) and isinstance(v, types.ModuleType):
            continue
        names.append(n)
    return sorted(names)


def reference_names(namespace):
    """PyTorch's (or torchvision's) public names of a namespace: the static list where there is one, else dir()."""
    if namespace in STATIC_NAMES:
        return list(STATIC_NAMES[namespace])
    return public_names(_resolve(namespace))


def has_name(obj, name):
    """glasstorch has ``name`` if getattr works (a module's __getattr__ that raises counts as not having it)."""
    if obj is None:
        return False
    try:
        getattr(obj, name)
        return True
    except Exception:  # noqa: BLE001
        return False


def exclusion_reason(namespace, name):
    for pattern, reason in EXCLUDED.get(namespace, ()):
        if re.fullmatch(pattern, name):
            return reason
    return None


def _test_text():
    """All of tests/ as one text, to see which names the tests use."""
    parts = []
    for folder, _, files in os.walk(os.path.join(ROOT, "tests")):
        for f in files:
            if f.endswith(".py"):
                with open(os.path.join(folder, f)) as fh:
                    parts.append(fh.read())
    return "\n".join(parts)


def untested(names, text):
    """Names that no test mentions as an attribute (``.name``) or a quoted string (``"name"``): a proxy for
    'not parity-tested' (a mention is not proof of a test, but no mention is proof of none)."""
    return [n for n in names if not re.search(r"\." + re.escape(n) + r"\b|['\"]" + re.escape(n) + r"['\"]", text)]


def survey():
    """[(namespace, ours, what, implemented, {reason: [names]}, missing)] for every namespace."""
    rows = []
    for theirs, ours, what in NAMESPACES:
        try:
            g = _resolve(ours)
        except (ImportError, AttributeError):
            g = None
        implemented, excluded, missing = [], {}, []
        for name in reference_names(theirs):
            if has_name(g, name):
                implemented.append(name)
                continue
            reason = exclusion_reason(theirs, name)
            if reason is not None:
                excluded.setdefault(reason, []).append(name)
            else:
                missing.append(name)
        rows.append((theirs, ours, what, implemented, excluded, missing))
    return rows


def render(rows, torch_version):
    out = ["# glasstorch's coverage of PyTorch's API", "",
           f"Generated by `python benchmarks/api_coverage.py` against PyTorch {torch_version} (torchvision's names",
           "from `benchmarks/torchvision_names.py`, read from torchvision 0.2x's source): every public name of",
           "each namespace is implemented, left out on purpose (the reason is given; the patterns are in",
           "`benchmarks/api_exclusions.py`), or missing. `tests/test_api_coverage.py` fails if a name listed as",
           "implemented disappears. Do not edit by hand.", "",
           "The last column counts implemented names that no test mentions (as `.name` or `\"name\"`): a",
           "mention is not proof of a parity test, but no mention is proof of none.", "",
           "| namespace | PyTorch names | implemented | left out | missing | implemented, in no test |",
           "|---|---|---|---|---|---|"]
    text = _test_text()
    for theirs, _, _, imp, exc, miss in rows:
        n_exc = sum(len(v) for v in exc.values())
        out.append(f"| `{theirs}` | {len(imp) + n_exc + len(miss)} | {len(imp)} | {n_exc} | {len(miss)} | "
                   f"{len(untested(imp, text))} |")
    for theirs, ours, what, imp, exc, miss in rows:
        out += ["", f"## `{theirs}` ({what})", ""]
        out.append(f"**Missing ({len(miss)})**: " + (", ".join(f"`{n}`" for n in miss) if miss else "none."))
        out.append("")
        unt = untested(imp, text)
        if unt:
            out.append(f"**Implemented but named in no test ({len(unt)})**: " + ", ".join(f"`{n}`" for n in unt))
            out.append("")
        if exc:
            out.append(f"**Left out ({sum(len(v) for v in exc.values())})**:")
            out.append("")
            for reason, names in sorted(exc.items()):
                out.append(f"- {reason}: " + ", ".join(f"`{n}`" for n in names))
            out.append("")
        out.append(f"**Implemented ({len(imp)})** in `{ours}`:")
        out.append("")
        out.append("<!-- implemented " + theirs + " -->")
        out.append(", ".join(f"`{n}`" for n in imp) if imp else "none")
        out.append("<!-- end -->")
    return "\n".join(out) + "\n"


def implemented_in(text):
    """{namespace: [names]} as listed in a docs/API.md text (used by the test)."""
    found = {}
    for m in re.finditer(r"<!-- implemented (\S+) -->\n(.*?)\n<!-- end -->", text, re.S):
        found[m.group(1)] = re.findall(r"`([^`]+)`", m.group(2))
    return found


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=os.path.join(ROOT, "docs", "API.md"))
    p.add_argument("--check", action="store_true", help="only compare with the existing file")
    args = p.parse_args(argv)
    import warnings
    warnings.simplefilter("ignore")
    import torch
    text = render(survey(), torch.__version__)
    if args.check:
        with open(args.out) as f:
            same = f.read() == text
        print("docs/API.md is up to date" if same else "docs/API.md differs from what this run writes")
        return 0 if same else 1
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    for theirs, _, _, imp, exc, miss in survey():
        print(f"{theirs:28s} implemented {len(imp):4d}  left out {sum(len(v) for v in exc.values()):4d}  "
              f"missing {len(miss):4d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
