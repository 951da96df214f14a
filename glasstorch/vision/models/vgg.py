"""VGG (Simonyan & Zisserman, "Very Deep Convolutional Networks", 2014), as torchvision builds it.

    features: 3x3 convolutions (padding 1; + BatchNorm in the _bn variants) and ReLU, with a 2x2/2 max-pool
              after each of the 5 stages of widths 64, 128, 256, 512, 512       (N, 512, H/32, W/32)
    avgpool (adaptive, to 7 x 7)                                               (N, 512, 7, 7)
    classifier: Linear 25088->4096, ReLU, Dropout, Linear 4096->4096, ReLU, Dropout, Linear -> num_classes

Configurations (convolutions per stage): "A" vgg11 [1, 1, 2, 2, 2], "B" vgg13 [2, 2, 2, 2, 2],
"D" vgg16 [2, 2, 3, 3, 3], "E" vgg19 [2, 2, 4, 4, 4]. Initialization (init_weights=True): convolutions
kaiming_normal_(mode="fan_out", nonlinearity="relu") and bias 0; BatchNorm 1 / 0; Linear N(0, 0.01), bias 0.
"""
from ... import nn
from ...ops.shape import flatten
from ._api import WeightsEnum, register_model
from ._utils import _build, _imagenet_weights

__all__ = ["VGG", "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights", "VGG16_Weights",
           "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn",
           "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]


class VGG(nn.Module):
    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.features(x)        # (N, 512, H/32, W/32)
        x = self.avgpool(x)         # (N, 512, 7, 7)
        x = flatten(x, 1)           # (N, 25088)
        x = self.classifier(x)      # (N, num_classes)
        return x


def make_layers(cfg, batch_norm=False):
    """The ``features`` Sequential of a configuration: numbers are 3x3 convolutions' widths, "M" a max-pool."""
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            if batch_norm:
                layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            else:
                layers += [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}

_URL = "https://download.pytorch.org/models/"


class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg11-8a719046.pth", 132863336, 69.020, 88.628, min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg11_bn-6002323d.pth", 132868840, 70.370, 89.810, min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg13-19584684.pth", 133047848, 69.928, 89.246, min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg13_bn-abd245e5.pth", 133053736, 71.586, 90.374, min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


def _vgg16_features_weights():
    """torchvision's VGG16_Weights.IMAGENET1K_FEATURES: features only (the classifier is not trained)."""
    weights = _imagenet_weights(_URL + "vgg16_features-amdegroot-88682ab5.pth", 138357544, float("nan"),
                                float("nan"), min_size=(32, 32),
                                mean=(0.48235, 0.45882, 0.40784), std=(1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0))
    weights.meta["categories"] = None
    return weights


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg16-397923af.pth", 138357544, 71.592, 90.382, min_size=(32, 32))
    IMAGENET1K_FEATURES = _vgg16_features_weights()
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg16_bn-6c64b313.pth", 138365992, 73.360, 91.516, min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg19-dcbb9e9d.pth", 143667240, 72.376, 90.876, min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "vgg19_bn-c79401a0.pth", 143678248, 74.218, 91.842, min_size=(32, 32))
    DEFAULT = IMAGENET1K_V1


def _vgg(cfg, batch_norm, weights, weights_enum, arch, kwargs):
    if weights is not None:
        kwargs.setdefault("init_weights", False)  # the weights overwrite every parameter anyway

    def model_fn(**kw):
        return VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kw)
    return _build(model_fn, weights, weights_enum, arch, kwargs, "classifier.6.weight")


@register_model(weights_enum=VGG11_Weights)
def vgg11(*, weights=None, progress=True, **kwargs):
    """VGG-11 (configuration "A"). ``weights``: None, a VGG11_Weights, a path or a state_dict (see _api)."""
    return _vgg("A", False, weights, VGG11_Weights, "vgg11", kwargs)


@register_model(weights_enum=VGG11_BN_Weights)
def vgg11_bn(*, weights=None, progress=True, **kwargs):
    """VGG-11 with BatchNorm."""
    return _vgg("A", True, weights, VGG11_BN_Weights, "vgg11_bn", kwargs)


@register_model(weights_enum=VGG13_Weights)
def vgg13(*, weights=None, progress=True, **kwargs):
    """VGG-13 (configuration "B")."""
    return _vgg("B", False, weights, VGG13_Weights, "vgg13", kwargs)


@register_model(weights_enum=VGG13_BN_Weights)
def vgg13_bn(*, weights=None, progress=True, **kwargs):
    """VGG-13 with BatchNorm."""
    return _vgg("B", True, weights, VGG13_BN_Weights, "vgg13_bn", kwargs)


@register_model(weights_enum=VGG16_Weights)
def vgg16(*, weights=None, progress=True, **kwargs):
    """VGG-16 (configuration "D")."""
    return _vgg("D", False, weights, VGG16_Weights, "vgg16", kwargs)


@register_model(weights_enum=VGG16_BN_Weights)
def vgg16_bn(*, weights=None, progress=True, **kwargs):
    """VGG-16 with BatchNorm."""
    return _vgg("D", True, weights, VGG16_BN_Weights, "vgg16_bn", kwargs)


@register_model(weights_enum=VGG19_Weights)
def vgg19(*, weights=None, progress=True, **kwargs):
    """VGG-19 (configuration "E")."""
    return _vgg("E", False, weights, VGG19_Weights, "vgg19", kwargs)


@register_model(weights_enum=VGG19_BN_Weights)
def vgg19_bn(*, weights=None, progress=True, **kwargs):
    """VGG-19 with BatchNorm."""
    return _vgg("E", True, weights, VGG19_BN_Weights, "vgg19_bn", kwargs)
