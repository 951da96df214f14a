"""torchvision.models' model registry and pretrained-weights enums: Weights, WeightsEnum, get_model, ...

As in torchvision, every builder (``resnet18``, ``vgg16``, ...) is registered under its name, and its
pretrained weights are an enum: ``ResNet18_Weights.IMAGENET1K_V1`` (a ``Weights``: ``.url``,
``.transforms()``, ``.meta``), ``ResNet18_Weights.DEFAULT`` (the best one), so

    weights = get_weight("ResNet50_Weights.IMAGENET1K_V2")      # or ResNet50_Weights.DEFAULT
    model = get_model("resnet50", weights=weights)
    preprocess = weights.transforms()                          # resize, crop, scale, normalize

Weights come from a local file, never from the network
------------------------------------------------------
torchvision downloads ``weights.url`` into the torch hub cache, ``$TORCH_HOME/hub/checkpoints/`` (TORCH_HOME
defaults to ``$XDG_CACHE_HOME/torch``, i.e. ``~/.cache/torch``), and loads it from there afterwards.
glasstorch downloads nothing: it looks in the same directory (``checkpoint_path(weights)``) for

1. ``<name>.npz`` (e.g. ``resnet18-f37072fd.npz``): the state_dict as NumPy arrays, one per key;
2. ``<name>.pth`` itself (e.g. ``resnet18-f37072fd.pth``, the file torchvision saves there): a real
   torchvision download, read by ``glasstorch.load`` as PyTorch's ``weights_only=True`` reads it (no code in
   the file runs), or any glasstorch checkpoint or .npz under that name.

Where neither file is there, the error says where to put it. (Deviation: no download, and ``progress`` is
ignored.)

Deviation: ``Weights`` entries carry ``url``, ``transforms`` and ``meta`` with ``categories``,
``num_params``, ``min_size`` and ``_metrics`` (torchvision's ImageNet accuracies); torchvision's ``recipe``,
``_ops``, ``_file_size`` and ``_docs`` are left out.
"""
import enum
import os
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import partial
from typing import Any, Callable, Dict

import numpy as np

__all__ = ["WeightsEnum", "Weights", "get_model", "get_model_builder", "get_model_weights", "get_weight", "list_models",
           "register_model", "ImageClassification", "checkpoint_path"]


@dataclass
class Weights:
    """One set of pretrained weights: where torchvision downloads it, its preprocessing, its metadata."""
    url: str
    transforms: Callable
    meta: Dict[str, Any]


class WeightsEnum(enum.Enum):
    """The parent of every ``<Model>_Weights`` enum; each value is a ``Weights``.

    ``weights.url``, ``weights.transforms`` and ``weights.meta`` read the value's fields (as torchvision).
    ``DEFAULT`` is an alias of the best entry, so ``ResNet50_Weights.DEFAULT is ResNet50_Weights.IMAGENET1K_V2``.
    """

    def __init__(self, value):
        self._value_ = value

    @classmethod
    def from_str(cls, value):
        for name, member in cls.__members__.items():
            if name == value:
                return member
        raise ValueError(f"Unknown value '{value}' for {cls.__name__}.")

    @classmethod
    def verify(cls, obj):
        """None, a member, or a member's name ("IMAGENET1K_V1", "ResNet18_Weights.IMAGENET1K_V1") -> a member."""
        if obj is not None:
            if type(obj) is str:
                obj = cls.from_str(obj.replace(cls.__name__ + ".", ""))
            elif not isinstance(obj, cls):
                raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received "
                                f"{obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, progress=True, check_hash=False, arch=None):
        """The state_dict, read from the torch hub cache (see the module docstring); nothing is downloaded."""
        return load_cached_weights(self, arch=arch)

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


# -- the torch hub cache ----------------------------------------------------------------------------------
def _hub_dir():
    """torch.hub.get_dir()'s default: $TORCH_HOME/hub, TORCH_HOME defaulting to $XDG_CACHE_HOME/torch."""
    torch_home = os.environ.get("TORCH_HOME")
    if torch_home is None:
        cache = os.environ.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache"))
        torch_home = os.path.join(cache, "torch")
    return os.path.join(os.path.expanduser(torch_home), "hub")


def checkpoint_path(weights):
    """Where torchvision keeps ``weights``' file: <hub dir>/checkpoints/<the url's file name>. (glasstorch)"""
    return os.path.join(_hub_dir(), "checkpoints", os.path.basename(weights.url))


def load_cached_weights(weights, arch=None, given=None):
    """The state_dict of a ``Weights`` enum member, from the hub cache (a glasstorch helper)."""
    from .resnet import _read_weights_file  # the reader of .npz files and glasstorch checkpoints

    pth = checkpoint_path(weights)
    npz = os.path.splitext(pth)[0] + ".npz"
    arch = arch or "model"
    if os.path.exists(npz):
        return _read_weights_file(npz, arch)
    if os.path.exists(pth):
        return _read_weights_file(pth, arch)
    name = given or weights.name
    raise ValueError(
        f"weights={weights!r} needs the file {os.path.basename(pth)}, which torchvision downloads from "
        f"{weights.url}; glasstorch downloads nothing. Put the weights in {os.path.dirname(pth)} as "
        f"{os.path.basename(pth)} (torchvision's own file) or {os.path.basename(npz)} (the state_dict as a .npz, "
        "one array per key). To make the .npz in an environment with PyTorch:\n"
        "    import numpy as np, torch, torchvision\n"
        f"    state_dict = torchvision.models.{arch}(weights='{name}').state_dict()"
        "   # or torch.load(the .pth, weights_only=True)\n"
        f"    np.savez({npz!r}, **{{k: v.numpy() for k, v in state_dict.items()}})\n"
        "(Or pass the file or a state_dict directly: weights='path.npz'.)")


def _to_tensors(state_dict):
    from ...creation import from_numpy
    from ...tensor import Tensor
    out = OrderedDict()
    for key, value in state_dict.items():
        out[key] = value if isinstance(value, Tensor) else from_numpy(np.array(value))
    return out


def resolve_weights(weights, weights_enum, arch):
    """What a builder's ``weights=`` names: (enum member or None, state_dict or None). (glasstorch)

    ``weights`` is None, a member of ``weights_enum`` or its name ("DEFAULT", "IMAGENET1K_V1",
    "ResNet18_Weights.IMAGENET1K_V1"), or (glasstorch additions) a path to a .npz / glasstorch checkpoint or a
    state_dict. A member is read from the hub cache (see the module docstring).
    """
    from .resnet import load_weights  # paths and dicts
    if weights is None:
        return None, None
    if isinstance(weights, Mapping):
        return None, load_weights(weights, arch)
    if isinstance(weights, (str, os.PathLike)) and not isinstance(weights, WeightsEnum):
        text = os.fspath(weights)
        if weights_enum is not None and isinstance(weights, str) and not os.path.exists(text):
            short = text.replace(weights_enum.__name__ + ".", "")
            if short in weights_enum.__members__:
                member = weights_enum.from_str(short)
                return member, _to_tensors(load_cached_weights(member, arch, given=short))
        return None, load_weights(weights, arch)
    if isinstance(weights, WeightsEnum):
        member = weights_enum.verify(weights) if weights_enum is not None else weights
        return member, _to_tensors(load_cached_weights(member, arch))
    raise TypeError(f"weights= takes None, a {getattr(weights_enum, '__name__', 'Weights')} value, a path or a "
                    f"state_dict, not {type(weights).__name__}")


# -- the registry -----------------------------------------------------------------------------------------
BUILTIN_MODELS = {}
_WEIGHTS_OF = {}  # builder name -> its WeightsEnum class (torchvision reads it from the annotation)


def register_model(name=None, weights_enum=None):
    """Decorator: register a builder under ``name`` (default: the function's name)."""
    def wrapper(fn):
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        if weights_enum is not None:
            _WEIGHTS_OF[key] = weights_enum
        return fn
    return wrapper


def list_models(module=None, include=None, exclude=None):
    """The sorted names of the registered models (those of ``module`` only, if given).

    ``include`` / ``exclude``: a pattern or list of fnmatch patterns ("resnet*"), as torchvision.
    """
    import fnmatch
    names = {k for k, v in BUILTIN_MODELS.items()
             if module is None or v.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        include = [include] if isinstance(include, str) else include
        names = {n for n in names if any(fnmatch.fnmatch(n, p) for p in include)}
    if exclude:
        exclude = [exclude] if isinstance(exclude, str) else exclude
        names = {n for n in names if not any(fnmatch.fnmatch(n, p) for p in exclude)}
    return sorted(names)


def _find_model(name):
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name, **config):
    """The model registered as ``name``, built with ``**config`` (num_classes=..., weights=...)."""
    return _find_model(name)(**config)


def get_model_builder(name):
    """The builder function registered as ``name`` (``get_model_builder("resnet18") is resnet18``)."""
    return _find_model(name)


def get_model_weights(name):
    """The weights enum class of a builder (a function or its registered name)."""
    if not isinstance(name, str):
        fn = name
        name = next((k for k, v in BUILTIN_MODELS.items() if v is fn), getattr(fn, "__name__", ""))
    else:
        _find_model(name)
        name = name.lower()
    if name not in _WEIGHTS_OF:
        raise ValueError("The WeightsEnum class for the specific method couldn't be retrieved.")
    return _WEIGHTS_OF[name]


def get_weight(name):
    """The weights enum member named "ResNet50_Weights.IMAGENET1K_V1"."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    for weights_enum in set(_WEIGHTS_OF.values()):
        if weights_enum.__name__ == enum_name:
            return weights_enum.from_str(value_name)
    raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be retrieved.")


# -- the preprocessing of the classification weights (torchvision.transforms._presets) ------------------------
class ImageClassification:
    """The inference transform of ImageNet classifiers: resize, center crop, scale to [0, 1], normalize.

    Takes a PIL image or a uint8/float tensor (..., C, H, W); returns a float tensor (..., C, crop, crop).
    """

    def __init__(self, *, crop_size, resize_size=256, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                 interpolation=None, antialias=True):
        from ..transforms.functional import InterpolationMode
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = InterpolationMode.BILINEAR if interpolation is None else interpolation
        self.antialias = antialias

    def __call__(self, img):
        from ...tensor import Tensor
        from ..transforms import functional as F
        img = F.resize(img, self.resize_size, interpolation=self.interpolation, antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        if not isinstance(img, Tensor):
            img = F.pil_to_tensor(img)
        if not img.is_floating_point():
            img = img.float() / 255.0  # convert_image_dtype for uint8
        return F.normalize(img, mean=self.mean, std=self.std)

    def __repr__(self):
        return (f"{self.__class__.__name__}(\n    crop_size={self.crop_size}\n    resize_size={self.resize_size}\n"
                f"    mean={self.mean}\n    std={self.std}\n    interpolation={self.interpolation}\n)")


def _classification(crop_size=224, resize_size=256, **kwargs):
    """``Weights.transforms`` for an ImageNet classifier: partial(ImageClassification, ...)."""
    return partial(ImageClassification, crop_size=crop_size, resize_size=resize_size, **kwargs)


_ = fields  # (dataclasses.fields: Weights' fields are url, transforms, meta)
