"""Padding layers: fixed amounts of padding applied with ``nn.functional.pad`` (``glasstorch/ops/pad.py``).

An int pads every side by that amount; a tuple lists (left, right) for the last dim, then (top, bottom) for
the one before, as ``F.pad`` does.
"""
from ...ops import pad as _pad
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]


def _sides(padding, n):
    """An int as n equal amounts; a sequence as a tuple."""
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * n


class _ConstantPadNd(Module):
    def __init__(self, padding, value, sides):
        super().__init__()
        self.padding = _sides(padding, sides)
        self.value = value

    def forward(self, input):
        return _pad.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with a constant value."""

    def __init__(self, padding, value):
        super().__init__(padding, value, 2)


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with a constant value."""

    def __init__(self, padding, value):
        super().__init__(padding, value, 4)


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims with a constant value."""

    def __init__(self, padding, value):
        super().__init__(padding, value, 6)


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pad the last three dims with zeros."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _PadNd(Module):
    mode = None
    sides = 2

    def __init__(self, padding):
        super().__init__()
        self.padding = _sides(padding, self.sides)

    def forward(self, input):
        return _pad.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Pad the last dim with its mirror image (the edge is not repeated)."""
    mode, sides = "reflect", 2


class ReflectionPad2d(_PadNd):
    """Pad the last two dims with their mirror image."""
    mode, sides = "reflect", 4


class ReflectionPad3d(_PadNd):
    """Pad the last three dims with their mirror image."""
    mode, sides = "reflect", 6


class ReplicationPad1d(_PadNd):
    """Pad the last dim by repeating its edge values."""
    mode, sides = "replicate", 2


class ReplicationPad2d(_PadNd):
    """Pad the last two dims by repeating their edge values."""
    mode, sides = "replicate", 4


class ReplicationPad3d(_PadNd):
    """Pad the last three dims by repeating their edge values."""
    mode, sides = "replicate", 6


class _CircularPadNd(_PadNd):
    mode = "circular"
    dims = (2, 3)

    def forward(self, input):
        if input.dim() not in self.dims:
            raise ValueError(f"expected {self.dims[0]}D or {self.dims[1]}D input (got {input.dim()}D input)")
        return super().forward(input)


class CircularPad1d(_CircularPadNd):
    """Pad the last dim with values from its other end, as if it wrapped around."""
    sides, dims = 2, (2, 3)


class CircularPad2d(_CircularPadNd):
    """Pad the last two dims with values from their other ends, as if they wrapped around."""
    sides, dims = 4, (3, 4)


class CircularPad3d(_CircularPadNd):
    """Pad the last three dims with values from their other ends, as if they wrapped around."""
    sides, dims = 6, (4, 5)
