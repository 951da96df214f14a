"""ResNet (He et al., "Deep Residual Learning for Image Recognition", 2015) as torchvision builds it.

The architecture, the attribute names (hence the state_dict keys) and the initialization are
torchvision's, so a torchvision ResNet's weights load into these models unchanged:

    input                                       (N, 3, H, W)      e.g. 224 x 224
    conv1  7x7, 64, stride 2, pad 3, no bias    (N, 64, H/2, W/2)
    bn1, relu
    maxpool 3x3, stride 2, pad 1                (N, 64, H/4, W/4)
    layer1  blocks of width  64, stride 1       (N, 64·e, H/4, W/4)      e = block.expansion:
    layer2  blocks of width 128, stride 2       (N, 128·e, H/8, W/8)         1 for BasicBlock,
    layer3  blocks of width 256, stride 2       (N, 256·e, H/16, W/16)       4 for Bottleneck
    layer4  blocks of width 512, stride 2       (N, 512·e, H/32, W/32)
    avgpool (adaptive, to 1 x 1), flatten       (N, 512·e)
    fc                                          (N, num_classes)

ResNet-18 has [2, 2, 2, 2] BasicBlocks per stage, ResNet-34 [3, 4, 6, 3], ResNet-50 [3, 4, 6, 3]
Bottlenecks, ResNet-101 [3, 4, 23, 3], ResNet-152 [3, 8, 36, 3]. The first block of a stage that changes
the shape (stride 2, or more channels) gets a ``downsample`` shortcut: a 1x1 convolution with that stride
and a BatchNorm, ``Sequential(conv, bn)`` (keys ``layer2.0.downsample.0.weight``, ``...downsample.1.*``).
As in torchvision ("ResNet V1.5"), a Bottleneck puts its stride on the 3x3 convolution, not the first 1x1.

Initialization (torchvision's): every Conv2d weight from kaiming_normal_(mode="fan_out",
nonlinearity="relu"), i.e. N(0, 2 / (out_channels · kh · kw)); every BatchNorm weight 1 and bias 0; the fc
keeps Linear's default. ``zero_init_residual=True`` zeroes the last BatchNorm weight of each block, so each
block starts as the identity.

Pretrained weights
------------------
``weights=`` takes torchvision's enums (``ResNet50_Weights.DEFAULT``, ``"IMAGENET1K_V1"``,
``"ResNet18_Weights.IMAGENET1K_V1"``), read from the torch hub cache with no download (see ``_api.py``:
``~/.cache/torch/hub/checkpoints/<name>.pth``, torchvision's own download, or ``<name>.npz``), and, as
glasstorch additions:

- a path to a file of ``torch.save(model.state_dict(), path)``, written by PyTorch (a torchvision ``.pth``)
  or by glasstorch, read as PyTorch's ``weights_only=True`` reads it: no code in the file runs;
- a path to a ``.npz`` file whose keys are the state_dict keys (read with ``allow_pickle=False``);
- a dict (a state_dict) of glasstorch tensors or anything NumPy can turn into an array.

With an enum, num_classes must be 1000 (the weights' categories); with a file or a dict and no
``num_classes``, it is read from the weights' ``fc.weight``.

Deviations from torchvision: nothing is downloaded and ``progress`` is ignored; ``pretrained=True``
(torchvision's deprecated form) means ``weights="IMAGENET1K_V1"``; ``load_weights`` is a glasstorch helper.
"""
import os
import re
import zipfile
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from ... import nn
from ...creation import from_numpy
from ...ops.shape import flatten
from ...serialization import load as _glasstorch_load
from ...tensor import Tensor
from ._api import WeightsEnum, register_model
from ._utils import _imagenet_weights, _ovewrite_named_param

__all__ = ["ResNet", "BasicBlock", "Bottleneck", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
           "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2",
           "ResNet18_Weights", "ResNet34_Weights", "ResNet50_Weights", "ResNet101_Weights", "ResNet152_Weights",
           "ResNeXt50_32X4D_Weights", "ResNeXt101_32X8D_Weights", "ResNeXt101_64X4D_Weights",
           "Wide_ResNet50_2_Weights", "Wide_ResNet101_2_Weights", "load_weights"]


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    """3x3 convolution, padding = dilation (keeps H, W at stride 1), no bias (a BatchNorm follows)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                     bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    """1x1 convolution, no bias: mixes channels (and subsamples when stride = 2)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions and a shortcut: out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)).

    x (N, inplanes, H, W) -> (N, planes, H/stride, W/stride). ``downsample`` (or None: the identity) makes
    the shortcut's shape match when stride != 1 or inplanes != planes.
    """

    expansion = 1  # output channels = planes · expansion

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        self.conv1 = conv3x3(inplanes, planes, stride)  # the stride (if any) is taken here
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x                        # (N, inplanes, H, W)

        out = self.conv1(x)                 # (N, planes, H/s, W/s)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)               # (N, planes, H/s, W/s)
        out = self.bn2(out)

        if self.downsample is not None:
            identity = self.downsample(x)   # (N, planes, H/s, W/s)

        out += identity                     # the residual connection
        out = self.relu(out)
        return out


class Bottleneck(nn.Module):
    """1x1 (reduce) -> 3x3 (stride) -> 1x1 (expand by 4), plus a shortcut; the block of ResNet-50 and deeper.

    x (N, inplanes, H, W) -> (N, planes · 4, H/stride, W/stride). The inner width is
    planes · base_width / 64 · groups (= planes for a plain ResNet; twice that for Wide ResNet).
    """

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)  # stride here: "ResNet V1.5"
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x                        # (N, inplanes, H, W)

        out = self.conv1(x)                 # (N, width, H, W)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)               # (N, width, H/s, W/s)
        out = self.bn2(out)
        out = self.relu(out)

        out = self.conv3(out)               # (N, 4·planes, H/s, W/s)
        out = self.bn3(out)

        if self.downsample is not None:
            identity = self.downsample(x)   # (N, 4·planes, H/s, W/s)

        out += identity
        out = self.relu(out)
        return out


class ResNet(nn.Module):
    """A ResNet from a block class and the number of blocks in each of the four stages.

    ``ResNet(BasicBlock, [2, 2, 2, 2])`` is ResNet-18. ``groups`` / ``width_per_group`` widen or group the
    Bottleneck's 3x3 convolution (Wide ResNet, ResNeXt); ``replace_stride_with_dilation`` (three bools, for
    layer2..4) keeps the resolution and dilates instead of striding; ``norm_layer`` replaces BatchNorm2d.
    """

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, width_per_group=64,
                 replace_stride_with_dilation=None, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self._norm_layer = norm_layer

        self.inplanes = 64  # channels flowing into the next block; _make_layer updates it
        self.dilation = 1
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None "
                             f"or a 3-element tuple, got {replace_stride_with_dilation}")
        self.groups = groups
        self.base_width = width_per_group
        # the stem: (N, 3, H, W) -> (N, 64, H/4, W/4)
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        # the four stages
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        # the head
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d) or (hasattr(nn, "GroupNorm") and isinstance(m, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

        if zero_init_residual:
            # each residual branch starts at 0, so each block starts as the identity (Goyal et al., 2017)
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        """A stage: ``blocks`` blocks in a Sequential; only the first strides and (maybe) downsamples."""
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                norm_layer(planes * block.expansion),
            )

        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width, previous_dilation,
                        norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                                dilation=self.dilation, norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def _forward_impl(self, x):
        x = self.conv1(x)       # (N, 64, H/2, W/2)
        x = self.bn1(x)
        x = self.relu(x)
        x = self.maxpool(x)     # (N, 64, H/4, W/4)

        x = self.layer1(x)      # (N, 64·e, H/4, W/4)
        x = self.layer2(x)      # (N, 128·e, H/8, W/8)
        x = self.layer3(x)      # (N, 256·e, H/16, W/16)
        x = self.layer4(x)      # (N, 512·e, H/32, W/32)

        x = self.avgpool(x)     # (N, 512·e, 1, 1)
        x = flatten(x, 1)       # (N, 512·e)
        x = self.fc(x)          # (N, num_classes)
        return x

    def forward(self, x):
        return self._forward_impl(x)


# -- weights ------------------------------------------------------------------------------------------------
# weights="IMAGENET1K_V1", "DEFAULT", "ResNet18_Weights.IMAGENET1K_V2": torchvision's names for downloads
_ENUM_NAME = re.compile(r"^(\w+_Weights\.)?(DEFAULT|[A-Z0-9_]+_V\d+)$")


def _convert_hint(arch, enum_name="DEFAULT"):
    if arch.startswith("small_"):  # a glasstorch model: only a torch.save file of its state_dict to convert
        source = "torch.load(path, map_location='cpu', weights_only=True)"
    else:
        source = (f"torchvision.models.{arch}(weights='{enum_name}').state_dict()"
                  "   # or torch.load(path, weights_only=True)")
    return ("Convert the weights once in an environment with PyTorch:\n"
            "    import numpy as np, torch, torchvision\n"
            f"    state_dict = {source}\n"
            f"    np.savez('{arch}.npz', **{{k: v.numpy() for k, v in state_dict.items()}})\n"
            f"then pass the file: {arch}(weights='{arch}.npz').")


def _download_error(weights, arch, given=None):
    """The error for torchvision's weight names (which download); ``given`` words how they were asked for."""
    enum_name = getattr(weights, "name", None) or str(weights).split(".")[-1]  # IMAGENET1K_V1, DEFAULT, ...
    if not _ENUM_NAME.match(enum_name):
        enum_name = "DEFAULT"
    given = given or f"weights={weights!r}"
    return ValueError(f"{given} names torchvision's pretrained weights, which torchvision downloads; "
                      "glasstorch downloads nothing: weights= takes a local file (a torch.save file or a "
                      ".npz of the state_dict) or a state_dict.\n" + _convert_hint(arch, enum_name))


def _read_weights_file(path, arch):
    """The state_dict stored in ``path``: a file of ``torch.save`` (PyTorch's zip or legacy format, written by
    PyTorch or glasstorch, read without running code: see serialization.py), an older glasstorch checkpoint,
    or a .npz."""
    with open(path, "rb") as f:
        head = f.read(6)
    if head == b"\x93NUMPY":
        raise ValueError(f"{path} is a single NumPy array (.npy); weights= needs the whole state_dict: save it "
                         "with np.savez, one array per key")
    names = []
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    elif head[:1] != b"\x80":  # the pickle protocol opcode: torch.save's legacy format
        raise ValueError(f"{path} is neither a torch.save file nor a .npz file")
    if head[:1] == b"\x80" or "data.json" in names or any(n == "data.pkl" or n.endswith("/data.pkl") for n in names):
        state_dict = _glasstorch_load(path)
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"{path} holds a {type(state_dict).__name__}, not a state_dict: save "
                            "model.state_dict() to use it as weights=")
        return state_dict
    if names and all(n.endswith(".npy") for n in names):
        with np.load(path, allow_pickle=False) as arrays:  # allow_pickle=False: object arrays are refused
            return OrderedDict((key, arrays[key]) for key in arrays.files)
    raise ValueError(f"{path} is a ZIP file but neither a torch.save file nor a .npz file")


def load_weights(weights, arch="resnet18"):
    """The state_dict that ``weights=`` names, as an OrderedDict of glasstorch tensors.

    ``weights`` is a path (a glasstorch checkpoint, or a .npz whose keys are the state_dict keys) or a dict
    of tensors/arrays. ``arch`` only words the error messages. (A glasstorch helper: torchvision's weights
    are enums that download.)
    """
    if isinstance(weights, Mapping):
        state_dict = weights
    elif isinstance(weights, (str, os.PathLike)):
        path = os.fspath(weights)
        if not os.path.exists(path):
            if _ENUM_NAME.match(path):
                raise _download_error(weights, arch)
            raise FileNotFoundError(f"weights file {path!r} not found")
        state_dict = _read_weights_file(path, arch)
    elif type(weights).__name__.endswith("_Weights"):  # an enum value such as ResNet18_Weights.IMAGENET1K_V1
        raise _download_error(weights, arch)
    else:
        raise TypeError(f"weights= takes None, a path or a state_dict, not {type(weights).__name__}")
    tensors = OrderedDict()
    for key, value in state_dict.items():
        if isinstance(value, Tensor):
            tensors[key] = value
        else:
            # a NumPy array, or any array-like (a PyTorch tensor converts through its __array__)
            tensors[key] = from_numpy(np.array(value))
    return tensors


def _resnet(block, layers, weights, progress, arch, weights_enum=None, **kwargs):
    """Build ResNet(block, layers, **kwargs) and load ``weights`` (None, an enum member, a path or a state_dict)."""
    from ._utils import _weights_for
    _member, state_dict = _weights_for(weights, weights_enum, arch, kwargs, "fc.weight")
    model = ResNet(block, layers, **kwargs)
    if state_dict is not None:
        model.load_state_dict(state_dict)
    return model


_URL = "https://download.pytorch.org/models/"


class ResNet18_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "resnet18-f37072fd.pth", 11689512, 69.758, 89.078)
    DEFAULT = IMAGENET1K_V1


class ResNet34_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "resnet34-b627a593.pth", 21797672, 73.314, 91.420)
    DEFAULT = IMAGENET1K_V1


class ResNet50_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "resnet50-0676ba61.pth", 25557032, 76.130, 92.862)
    IMAGENET1K_V2 = _imagenet_weights(_URL + "resnet50-11ad3fa6.pth", 25557032, 80.858, 95.434, resize_size=232)
    DEFAULT = IMAGENET1K_V2


class ResNet101_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "resnet101-63fe2227.pth", 44549160, 77.374, 93.546)
    IMAGENET1K_V2 = _imagenet_weights(_URL + "resnet101-cd907fc2.pth", 44549160, 81.886, 95.780, resize_size=232)
    DEFAULT = IMAGENET1K_V2


class ResNet152_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "resnet152-394f9c45.pth", 60192808, 78.312, 94.046)
    IMAGENET1K_V2 = _imagenet_weights(_URL + "resnet152-f82ba261.pth", 60192808, 82.284, 96.002, resize_size=232)
    DEFAULT = IMAGENET1K_V2


class ResNeXt50_32X4D_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "resnext50_32x4d-7cdf4587.pth", 25028904, 77.618, 93.698)
    IMAGENET1K_V2 = _imagenet_weights(_URL + "resnext50_32x4d-1a0047aa.pth", 25028904, 81.198, 95.340,
                                      resize_size=232)
    DEFAULT = IMAGENET1K_V2


class ResNeXt101_32X8D_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "resnext101_32x8d-8ba56ff5.pth", 88791336, 79.312, 94.526)
    IMAGENET1K_V2 = _imagenet_weights(_URL + "resnext101_32x8d-110c445d.pth", 88791336, 82.834, 96.228,
                                      resize_size=232)
    DEFAULT = IMAGENET1K_V2


class ResNeXt101_64X4D_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "resnext101_64x4d-173b62eb.pth", 83455272, 83.246, 96.454,
                                      resize_size=232)
    DEFAULT = IMAGENET1K_V1


class Wide_ResNet50_2_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "wide_resnet50_2-95faca4d.pth", 68883240, 78.468, 94.086)
    IMAGENET1K_V2 = _imagenet_weights(_URL + "wide_resnet50_2-9ba9bcbe.pth", 68883240, 81.602, 95.758,
                                      resize_size=232)
    DEFAULT = IMAGENET1K_V2


class Wide_ResNet101_2_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "wide_resnet101_2-32ee1156.pth", 126886696, 78.848, 94.284)
    IMAGENET1K_V2 = _imagenet_weights(_URL + "wide_resnet101_2-d733dc28.pth", 126886696, 82.510, 96.020,
                                      resize_size=232)
    DEFAULT = IMAGENET1K_V2


_WEIGHTS_DOC = """``weights``: None (random init), a ``{enum}`` member or its name ("DEFAULT", "IMAGENET1K_V1"),
    read from the torch hub cache (see ``_api``: nothing is downloaded), or (glasstorch additions) a path
    to a glasstorch checkpoint / a .npz of the state_dict, or a state_dict. ``progress`` is ignored.
    ``**kwargs`` go to ResNet (num_classes, zero_init_residual, norm_layer, ...)."""


@register_model(weights_enum=ResNet18_Weights)
def resnet18(*, weights=None, progress=True, **kwargs):
    return _resnet(BasicBlock, [2, 2, 2, 2], weights, progress, "resnet18", ResNet18_Weights, **kwargs)


@register_model(weights_enum=ResNet34_Weights)
def resnet34(*, weights=None, progress=True, **kwargs):
    return _resnet(BasicBlock, [3, 4, 6, 3], weights, progress, "resnet34", ResNet34_Weights, **kwargs)


@register_model(weights_enum=ResNet50_Weights)
def resnet50(*, weights=None, progress=True, **kwargs):
    return _resnet(Bottleneck, [3, 4, 6, 3], weights, progress, "resnet50", ResNet50_Weights, **kwargs)


@register_model(weights_enum=ResNet101_Weights)
def resnet101(*, weights=None, progress=True, **kwargs):
    return _resnet(Bottleneck, [3, 4, 23, 3], weights, progress, "resnet101", ResNet101_Weights, **kwargs)


@register_model(weights_enum=ResNet152_Weights)
def resnet152(*, weights=None, progress=True, **kwargs):
    return _resnet(Bottleneck, [3, 8, 36, 3], weights, progress, "resnet152", ResNet152_Weights, **kwargs)


@register_model(weights_enum=ResNeXt50_32X4D_Weights)
def resnext50_32x4d(*, weights=None, progress=True, **kwargs):
    _ovewrite_named_param(kwargs, "groups", 32)
    _ovewrite_named_param(kwargs, "width_per_group", 4)
    return _resnet(Bottleneck, [3, 4, 6, 3], weights, progress, "resnext50_32x4d", ResNeXt50_32X4D_Weights,
                   **kwargs)


@register_model(weights_enum=ResNeXt101_32X8D_Weights)
def resnext101_32x8d(*, weights=None, progress=True, **kwargs):
    _ovewrite_named_param(kwargs, "groups", 32)
    _ovewrite_named_param(kwargs, "width_per_group", 8)
    return _resnet(Bottleneck, [3, 4, 23, 3], weights, progress, "resnext101_32x8d", ResNeXt101_32X8D_Weights,
                   **kwargs)


@register_model(weights_enum=ResNeXt101_64X4D_Weights)
def resnext101_64x4d(*, weights=None, progress=True, **kwargs):
    _ovewrite_named_param(kwargs, "groups", 64)
    _ovewrite_named_param(kwargs, "width_per_group", 4)
    return _resnet(Bottleneck, [3, 4, 23, 3], weights, progress, "resnext101_64x4d", ResNeXt101_64X4D_Weights,
                   **kwargs)


@register_model(weights_enum=Wide_ResNet50_2_Weights)
def wide_resnet50_2(*, weights=None, progress=True, **kwargs):
    _ovewrite_named_param(kwargs, "width_per_group", 64 * 2)
    return _resnet(Bottleneck, [3, 4, 6, 3], weights, progress, "wide_resnet50_2", Wide_ResNet50_2_Weights,
                   **kwargs)


@register_model(weights_enum=Wide_ResNet101_2_Weights)
def wide_resnet101_2(*, weights=None, progress=True, **kwargs):
    _ovewrite_named_param(kwargs, "width_per_group", 64 * 2)
    return _resnet(Bottleneck, [3, 4, 23, 3], weights, progress, "wide_resnet101_2", Wide_ResNet101_2_Weights,
                   **kwargs)


_DOCS = {
    resnet18: ("ResNet-18: BasicBlocks [2, 2, 2, 2]; 11,689,512 parameters.", ResNet18_Weights),
    resnet34: ("ResNet-34: BasicBlocks [3, 4, 6, 3]; 21,797,672 parameters.", ResNet34_Weights),
    resnet50: ("ResNet-50: Bottlenecks [3, 4, 6, 3]; 25,557,032 parameters.", ResNet50_Weights),
    resnet101: ("ResNet-101: Bottlenecks [3, 4, 23, 3]; 44,549,160 parameters.", ResNet101_Weights),
    resnet152: ("ResNet-152: Bottlenecks [3, 8, 36, 3]; 60,192,808 parameters.", ResNet152_Weights),
    resnext50_32x4d: ("ResNeXt-50 32x4d: ResNet-50 with 32 groups of width 4 in each 3x3; 25,028,904 parameters.",
                      ResNeXt50_32X4D_Weights),
    resnext101_32x8d: ("ResNeXt-101 32x8d; 88,791,336 parameters.", ResNeXt101_32X8D_Weights),
    resnext101_64x4d: ("ResNeXt-101 64x4d; 83,455,272 parameters.", ResNeXt101_64X4D_Weights),
    wide_resnet50_2: ("Wide ResNet-50-2: ResNet-50 with Bottleneck 3x3 convolutions twice as wide; "
                      "68,883,240 parameters.", Wide_ResNet50_2_Weights),
    wide_resnet101_2: ("Wide ResNet-101-2; 126,886,696 parameters.", Wide_ResNet101_2_Weights),
}
for _fn, (_line, _enum) in _DOCS.items():
    _fn.__doc__ = _line + "\n\n    " + _WEIGHTS_DOC.format(enum=_enum.__name__)
del _fn, _line, _enum
