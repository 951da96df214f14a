"""torch.backends: the switches of PyTorch's compute libraries (cuDNN, cuBLAS, oneDNN, MPS ...).

glasstorch computes with NumPy on the CPU: none of those libraries is in it, so each ``is_available()`` says
False (``cpu``, ``opt_einsum`` describe what is there). The flags exist and can be set (``cudnn.benchmark``,
``cudnn.deterministic``, ``cuda.matmul.allow_tf32`` ...) so that PyTorch scripts which set them run; they
change nothing here, as they change nothing in a CPU-only PyTorch.
"""
import contextlib

from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp, opt_einsum  # noqa: F401

fp32_precision = "none"  # PyTorch 2.9's global TF32 switch ("none" or "tf32"): no TF32 on the CPU


@contextlib.contextmanager
def flags_frozen():
    """(PyTorch's internal) a block in which the backend flags may not change: here they never matter."""
    yield


__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp", "opt_einsum"]


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)
