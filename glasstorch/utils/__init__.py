"""glasstorch.utils"""
from . import data  # noqa: F401


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
