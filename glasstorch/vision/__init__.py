"""glasstorch.vision: torchvision's layout, so ``from glasstorch.vision import datasets, transforms, models``
replaces ``from torchvision import datasets, transforms, models``."""
from . import datasets, transforms, models, utils  # noqa: F401


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
