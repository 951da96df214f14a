"""glasstorch.vision: torchvision's layout, so ``from glasstorch.vision import datasets, transforms, models``
replaces ``from torchvision import datasets, transforms, models``."""
from . import datasets, transforms, models, utils  # noqa: F401
