"""The exporter's errors, as in ``torch.onnx.errors``."""


class OnnxExporterError(RuntimeError):
    """Errors raised by the ONNX exporter (PyTorch's base class of its export errors)."""


class UnsupportedOperatorError(OnnxExporterError):
    """A glasstorch op that has no ONNX exporter was met in the traced forward; the message names it."""
