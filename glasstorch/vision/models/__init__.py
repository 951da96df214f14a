"""glasstorch.vision.models: torchvision.models' ResNets, plus a small ResNet for 28x28 / 32x32 images.

``resnet18``, ``resnet34``, ``resnet50`` (and 101, 152, the Wide ResNets) build torchvision's architecture
with its parameter names, so state_dicts move between the two unchanged; ``weights=`` takes a local file or
a state_dict instead of downloading (see ``resnet.py``). ``small_resnet`` (a glasstorch addition) is a
ResNet for MNIST- and CIFAR-sized inputs (see ``small.py``; the file is not called small_resnet.py, which would
shadow the function).
"""
from .resnet import *  # noqa: F401,F403
from .small import *  # noqa: F401,F403


from ..._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
