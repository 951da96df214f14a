"""detect_anomaly: stop at the first op whose backward produces NaN.

``torch.autograd.detect_anomaly`` / ``set_detect_anomaly``: while on, every backward result is checked and the
error names the op (its grad_fn, in PyTorch's words), followed by the module and the line of user code that
created it. The work is done by ``glasstorch.glass.detect_anomaly`` with PyTorch's settings (backward only,
NaN only); this file keeps the mode flag so that the autograd package does not import the instruments.
"""
import threading


class _AnomalyModeState(threading.local):
    """The anomaly-mode flag, one per thread as in PyTorch."""

    enabled = False


_AnomalyMode = _AnomalyModeState()


def is_anomaly_enabled():
    return _AnomalyMode.enabled


def _detector(check_nan):
    from ..glass.anomaly import detect_anomaly as glass_detect_anomaly  # imported late: glass imports nn
    return glass_detect_anomaly(check_nan=check_nan, forward=False, check_inf=False)


class detect_anomaly:
    """Context manager: raise at the first backward that returns NaN, naming the op, module and creating line."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._detector = _detector(self.check_nan)
        self._detector.__enter__()

    def __exit__(self, *exc):
        self._detector.__exit__(*exc)
        return False


class set_detect_anomaly:
    """Turn anomaly detection on or off, right away (as a function) or for a ``with`` block."""

    def __init__(self, mode, check_nan=True):
        self._previous = _AnomalyMode.enabled
        self._detector = None
        if mode:
            self._detector = _detector(check_nan)
            self._detector.__enter__()
        else:
            _AnomalyMode.enabled = False  # attached detectors pass everything through while the flag is off

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        if self._detector is not None:
            self._detector.__exit__(*exc)
        _AnomalyMode.enabled = self._previous
        return False
