"""glasstorch.vision.models: torchvision.models' classification models, registry and weights enums.

AlexNet, VGG 11/13/16/19 (+ _bn), ResNet 18-152, ResNeXt, Wide ResNet, DenseNet 121/161/169/201,
SqueezeNet 1.0/1.1, MobileNet V2 / V3, ShuffleNet V2, MNASNet, ConvNeXt, EfficientNet B0-B7 / V2,
GoogLeNet, Inception v3 and the Vision Transformers are built with torchvision's architecture, module names
(so state_dict keys) and initialization, so state_dicts move between the two unchanged. ``get_model``,
``get_model_builder``, ``get_model_weights``, ``get_weight`` and ``list_models`` are torchvision's registry.
``weights=`` takes torchvision's enums (``ResNet50_Weights.DEFAULT``), read from the torch hub cache with no
download (see ``_api.py``), or a local file or a state_dict. ``small_resnet`` (a glasstorch addition) is a
ResNet for MNIST- and CIFAR-sized inputs (see ``small.py``; the file is not called small_resnet.py, which
would shadow the function).
"""
from ._api import (Weights, WeightsEnum, get_model, get_model_builder, get_model_weights, get_weight,  # noqa: F401
                   list_models)
from .alexnet import *  # noqa: F401,F403
from .convnext import *  # noqa: F401,F403
from .densenet import *  # noqa: F401,F403
from .efficientnet import *  # noqa: F401,F403
from .googlenet import *  # noqa: F401,F403
from .inception import *  # noqa: F401,F403
from .mnasnet import *  # noqa: F401,F403
from .mobilenetv2 import *  # noqa: F401,F403
from .mobilenetv3 import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .shufflenetv2 import *  # noqa: F401,F403
from .small import *  # noqa: F401,F403
from .squeezenet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from .vision_transformer import *  # noqa: F401,F403


from ..._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
