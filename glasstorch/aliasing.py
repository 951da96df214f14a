"""Run unmodified PyTorch code on glasstorch: make ``import torch`` import glasstorch.

    glasstorch run train.py --epochs 2        # the command line
    with torch_aliases():                     # or in Python
        runpy.run_path("train.py", run_name="__main__")

How it works. Python looks a module up in ``sys.modules`` first and otherwise asks the *finders* in
``sys.meta_path``, in order, for it. ``TorchAliasFinder`` is a finder placed first in that list. Asked for
``torch`` or any ``torch.X.Y`` it imports ``glasstorch`` / ``glasstorch.X.Y`` and hands that very module back, so
``torch.nn`` *is* ``glasstorch.nn``; ``torchvision`` and ``torchvision.X`` map to ``glasstorch.vision`` and
``glasstorch.vision.X``. When glasstorch has no such module, the import fails with a ``ModuleNotFoundError``
that names the missing PyTorch API, instead of half-running.
"""
import contextlib
import importlib
import importlib.abc
import importlib.util
import sys

# the PyTorch package name -> the glasstorch package that stands in for it
ALIASES = {"torch": "glasstorch", "torchvision": "glasstorch.vision"}
# single modules of other packages whose torch API imports torch itself: glasstorch has the same names
MODULE_ALIASES = {"safetensors.torch": "glasstorch.utils.safetensors"}


def glasstorch_name(fullname):
    """``torch.nn.functional`` -> ``glasstorch.nn.functional``; None for names that are not aliased."""
    if fullname in MODULE_ALIASES:
        return MODULE_ALIASES[fullname]
    top, _, rest = fullname.partition(".")
    if top not in ALIASES:
        return None
    return ALIASES[top] + ("." + rest if rest else "")


class _ExistingModule(importlib.abc.Loader):
    """A loader that 'loads' a module by handing back one that is already imported."""

    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        pass  # already executed when glasstorch imported it


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        target_name = glasstorch_name(fullname)
        if target_name is None:
            return None  # not ours: let the other finders look
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as e:
            if e.name is not None and not target_name.startswith(e.name) and not e.name.startswith(target_name):
                raise  # glasstorch itself needs something that is missing: show that error as it is
            raise ModuleNotFoundError(f"glasstorch has no {fullname} (it would be {target_name}): this part "
                                      f"of the PyTorch API is not implemented", name=fullname) from None
        return importlib.util.spec_from_loader(fullname, _ExistingModule(module))


@contextlib.contextmanager
def torch_aliases():
    """While inside: ``import torch``/``torchvision`` give glasstorch. Restores ``sys.modules`` afterwards."""
    saved = {name: mod for name, mod in sys.modules.items() if glasstorch_name(name) is not None}
    for name in saved:
        del sys.modules[name]  # a real torch imported earlier must not answer for glasstorch
    finder = TorchAliasFinder()
    sys.meta_path.insert(0, finder)
    try:
        yield finder
    finally:
        sys.meta_path.remove(finder)
        for name in [n for n in sys.modules if glasstorch_name(n) is not None]:
            del sys.modules[name]
        sys.modules.update(saved)


def run_script(path, args=()):
    """Run a Python script as ``__main__`` with ``sys.argv = [path, *args]`` and torch aliased to glasstorch."""
    import os
    import runpy
    old_argv, old_path = sys.argv, list(sys.path)
    sys.argv = [str(path), *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))  # as `python script.py` does
    try:
        with torch_aliases():
            return runpy.run_path(str(path), run_name="__main__")
    finally:
        sys.argv, sys.path[:] = old_argv, old_path
