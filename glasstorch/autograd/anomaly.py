"""detect_anomaly: stop at the first op whose backward produces NaN.

A minimal version of ``torch.autograd.detect_anomaly``: while it is on, every backward result is checked and
the error names the op (its grad_fn). The glass-box instruments extend this with module names and source lines.
"""
import numpy as np


class _AnomalyMode:
    enabled = False


def is_anomaly_enabled():
    return _AnomalyMode.enabled


class detect_anomaly:
    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = _AnomalyMode.enabled
        _AnomalyMode.enabled = self.check_nan

    def __exit__(self, *exc):
        _AnomalyMode.enabled = self._previous
        return False


class set_detect_anomaly(detect_anomaly):
    def __init__(self, mode, check_nan=True):
        super().__init__(check_nan and mode)
        self._previous = _AnomalyMode.enabled
        _AnomalyMode.enabled = bool(mode)


def check_grads(node, grads):
    for i, g in enumerate(grads):
        if g is not None and g.dtype.kind == "f" and np.isnan(g).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
