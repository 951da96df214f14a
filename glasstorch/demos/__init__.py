"""Worked examples that print every step: ``glasstorch demo NAME`` (list them with ``glasstorch demo --list``).

Each demo is a module in this folder with a function ``run(out=print)``: it prints its walk-through one
line at a time through ``out`` and returns the key numbers as a dict, so tests can check them.
"""
import importlib

# name -> one-line description (the module glasstorch/demos/<name>.py holds the demo)
DEMOS = {
    "backprop": "the chain rule by hand, by autograd and by numerical differences, on three small examples",
}


def load(name):
    """The demo module called ``name`` (imported only when asked for)."""
    if name not in DEMOS:
        raise KeyError(f"no demo called {name!r}; the demos are: {', '.join(sorted(DEMOS))}")
    return importlib.import_module(f"{__name__}.{name}")
