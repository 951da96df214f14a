"""torch-level settings and introspection: default device, thread counts, print options, finfo/iinfo ...

Small functions that configure glasstorch or describe its types, as PyTorch's top-level ones do."""


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = []
