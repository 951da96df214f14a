"""torch.backends.opt_einsum: whether einsum orders its contractions with the opt_einsum package.

glasstorch's einsum is NumPy's (``optimize=True`` path search of its own): opt_einsum is used only if it is
installed, as in PyTorch, which then reports ``is_available()`` True.
"""
import importlib.util


def is_available():
    return importlib.util.find_spec("opt_einsum") is not None


enabled = is_available()
strategy = "auto" if enabled else None
