"""Dropout layers: random zeroing while ``training``, the identity after ``eval()``."""
from ...ops import dropout as _dropout
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability p, scale the rest by 1/(1 − p) (training only)."""

    def forward(self, input):
        return _dropout.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability p (training only)."""

    def forward(self, input):
        return _dropout.dropout1d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout that keeps zero mean and unit variance, for SELU networks (training only)."""

    def forward(self, input):
        return _dropout.alpha_dropout(input, self.p, self.training)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) input with probability p (training only).

    A 3-D input is read as (N, C, L), as PyTorch 2.13 does (with its warning).
    """

    def forward(self, input):
        return _dropout.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability p (training only)."""

    def forward(self, input):
        return _dropout.dropout3d(input, self.p, self.training, self.inplace)


class FeatureAlphaDropout(_DropoutNd):
    """AlphaDropout of whole channels, for SELU networks (training only)."""

    def forward(self, input):
        return _dropout.feature_alpha_dropout(input, self.p, self.training)
