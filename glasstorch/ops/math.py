"""Elementwise maths beyond elementwise.py: inverse trigonometric and hyperbolic functions, special functions (lgamma, digamma, erfinv ...), float and integer utilities.

Each op is a Function with its forward and backward side by side (see autograd/function.py)."""


# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here.
__all__ = []
