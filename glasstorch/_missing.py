"""Name the PyTorch API glasstorch lacks, instead of a bare AttributeError.

Each public package ends with ``__getattr__ = missing_api(__name__)``. Python calls a module's ``__getattr__``
only for a name the module does not have, so this costs nothing on names that exist; for the others the error
says which PyTorch name is missing (``torch.nn.functional.grid_sample``, ``torchvision.models.vgg16``), which is
what a PyTorch script run with ``glasstorch run`` needs to hear.
"""


def pytorch_name(module_name):
    """``glasstorch.nn.functional`` -> ``torch.nn.functional``; ``glasstorch.vision.models`` -> ``torchvision.models``."""
    for ours, theirs in (("glasstorch.vision", "torchvision"), ("glasstorch", "torch")):
        if module_name == ours or module_name.startswith(ours + "."):
            return theirs + module_name[len(ours):]
    return module_name


def missing_api(module_name):
    """A module-level ``__getattr__`` for ``module_name`` whose AttributeError names the missing PyTorch API."""
    torch_module = pytorch_name(module_name)

    def __getattr__(name):
        if name.startswith("__"):  # dunder lookups (__path__, __wrapped__, ...) get Python's plain error
            raise AttributeError(name)
        raise AttributeError(f"module '{module_name}' has no attribute '{name}': glasstorch has no "
                             f"{torch_module}.{name} (this part of the PyTorch API is not implemented)")

    return __getattr__
