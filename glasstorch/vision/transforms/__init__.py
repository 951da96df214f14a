"""Image transforms, as ``torchvision.transforms`` (v1): ``from glasstorch.vision import transforms``.

- ``transforms.py``: the classes (Compose, ToTensor, Normalize, RandomCrop, ColorJitter, ...), which hold
  settings and draw random parameters from glasstorch's generator;
- ``functional.py``: the work itself on PIL images and tensor images (``transforms.functional as F``).
"""
from . import functional  # noqa: F401
from .functional import InterpolationMode  # noqa: F401
from .transforms import (Compose, ToTensor, PILToTensor, ToPILImage, Normalize, Resize, CenterCrop, Pad,  # noqa: F401
                         Lambda, RandomApply, RandomChoice, RandomOrder, RandomCrop, RandomHorizontalFlip,
                         RandomVerticalFlip, RandomResizedCrop, RandomRotation, RandomAffine, ColorJitter, Grayscale,
                         RandomGrayscale, ConvertImageDtype, LinearTransformation, FiveCrop, TenCrop, RandomErasing,
                         GaussianBlur, RandomPerspective, RandomInvert, RandomPosterize, RandomSolarize,
                         RandomAdjustSharpness, RandomAutocontrast, RandomEqualize, ElasticTransform)
from .transforms import __all__ as _transform_names
from .autoaugment import AutoAugmentPolicy, AutoAugment, RandAugment, TrivialAugmentWide, AugMix  # noqa: F401
from . import v2  # noqa: F401

__all__ = ["functional", "InterpolationMode", "AutoAugmentPolicy", "AutoAugment", "RandAugment",
           "TrivialAugmentWide", "AugMix", "v2"] + list(_transform_names)


from ..._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
