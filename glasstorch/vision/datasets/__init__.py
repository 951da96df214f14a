"""Image datasets, as ``torchvision.datasets``: same class names, arguments, folder layouts and attributes.

- ``mnist.py``: MNIST, FashionMNIST, KMNIST (IDX files, MD5-checked; FashionMNIST also from Debian's
  ``dataset-fashion-mnist`` package);
- ``mnist.py`` also: EMNIST (splits) and QMNIST (8-column labels), local IDX files only;
- ``cifar.py``: CIFAR10, read from the binary distribution; CIFAR100 from the python version through a
  restricted unpickler that builds only arrays, lists and dicts;
- ``svhn.py``: SVHN from its .mat files (scipy.io.loadmat); ``fakedata.py``: FakeData;
- ``folder.py``: DatasetFolder and ImageFolder (one sub-folder per class);
- ``vision.py``: the VisionDataset base class; ``utils.py``: checksums and atomic downloads.

Nothing touches the network unless ``download=True``.
"""
from .vision import VisionDataset, StandardTransform  # noqa: F401
from .mnist import MNIST, FashionMNIST, KMNIST, EMNIST, QMNIST  # noqa: F401
from .cifar import CIFAR10, CIFAR100  # noqa: F401
from .svhn import SVHN  # noqa: F401
from .fakedata import FakeData  # noqa: F401
from .folder import DatasetFolder, ImageFolder, IMG_EXTENSIONS  # noqa: F401
from .utils import DatasetFileError  # noqa: F401

__all__ = ["VisionDataset", "StandardTransform", "MNIST", "FashionMNIST", "KMNIST", "EMNIST", "QMNIST", "CIFAR10", "CIFAR100",
           "SVHN", "FakeData", "DatasetFolder",
           "ImageFolder", "IMG_EXTENSIONS", "DatasetFileError"]


from ..._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
