"""SqueezeNet (Iandola et al., 2016) 1.0, and 1.1 (2.4x less computation, same accuracy), as torchvision.

A Fire module squeezes the channels with a 1x1 convolution, then expands them with a 1x1 and a 3x3
convolution side by side (outputs concatenated). The classifier is convolutional: Dropout, a 1x1 convolution
to num_classes channels, ReLU, global average pool, flatten. Initialization: the final convolution
N(0, 0.01), the others kaiming_uniform_ (a=0), every bias 0.
"""
from ... import nn
from ...ops.shape import cat, flatten
from ._api import WeightsEnum, register_model
from ._utils import _build, _imagenet_weights

__all__ = ["SqueezeNet", "SqueezeNet1_0_Weights", "SqueezeNet1_1_Weights", "squeezenet1_0", "squeezenet1_1"]


class Fire(nn.Module):
    def __init__(self, inplanes, squeeze_planes, expand1x1_planes, expand3x3_planes):
        super().__init__()
        self.inplanes = inplanes
        self.squeeze = nn.Conv2d(inplanes, squeeze_planes, kernel_size=1)
        self.squeeze_activation = nn.ReLU(inplace=True)
        self.expand1x1 = nn.Conv2d(squeeze_planes, expand1x1_planes, kernel_size=1)
        self.expand1x1_activation = nn.ReLU(inplace=True)
        self.expand3x3 = nn.Conv2d(squeeze_planes, expand3x3_planes, kernel_size=3, padding=1)
        self.expand3x3_activation = nn.ReLU(inplace=True)

    def forward(self, x):
        x = self.squeeze_activation(self.squeeze(x))                    # (N, squeeze, H, W)
        return cat([self.expand1x1_activation(self.expand1x1(x)),        # (N, e1 + e3, H, W)
                    self.expand3x3_activation(self.expand3x3(x))], 1)


class SqueezeNet(nn.Module):
    def __init__(self, version="1_0", num_classes=1000, dropout=0.5):
        super().__init__()
        self.num_classes = num_classes
        if version == "1_0":
            self.features = nn.Sequential(
                nn.Conv2d(3, 96, kernel_size=7, stride=2),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                Fire(96, 16, 64, 64),
                Fire(128, 16, 64, 64),
                Fire(128, 32, 128, 128),
                nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                Fire(256, 32, 128, 128),
                Fire(256, 48, 192, 192),
                Fire(384, 48, 192, 192),
                Fire(384, 64, 256, 256),
                nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                Fire(512, 64, 256, 256),
            )
        elif version == "1_1":
            self.features = nn.Sequential(
                nn.Conv2d(3, 64, kernel_size=3, stride=2),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                Fire(64, 16, 64, 64),
                Fire(128, 16, 64, 64),
                nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                Fire(128, 32, 128, 128),
                Fire(256, 32, 128, 128),
                nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                Fire(256, 48, 192, 192),
                Fire(384, 48, 192, 192),
                Fire(384, 64, 256, 256),
                Fire(512, 64, 256, 256),
            )
        else:
            raise ValueError(f"Unsupported SqueezeNet version {version}: 1_0 or 1_1 expected")

        final_conv = nn.Conv2d(512, self.num_classes, kernel_size=1)
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), final_conv, nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d((1, 1))
        )
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                if m is final_conv:
                    nn.init.normal_(m.weight, mean=0.0, std=0.01)
                else:
                    nn.init.kaiming_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.features(x)        # (N, 512, h, w)
        x = self.classifier(x)      # (N, num_classes, 1, 1)
        return flatten(x, 1)        # (N, num_classes)


_URL = "https://download.pytorch.org/models/"


class SqueezeNet1_0_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "squeezenet1_0-b66bff10.pth", 1248424, 58.092, 80.420,
                                      min_size=(21, 21))
    DEFAULT = IMAGENET1K_V1


class SqueezeNet1_1_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "squeezenet1_1-b8a52dc0.pth", 1235496, 58.178, 80.624,
                                      min_size=(17, 17))
    DEFAULT = IMAGENET1K_V1


@register_model(weights_enum=SqueezeNet1_0_Weights)
def squeezenet1_0(*, weights=None, progress=True, **kwargs):
    """SqueezeNet 1.0. ``weights``: None, a SqueezeNet1_0_Weights, a path or a state_dict (see _api)."""
    return _build(lambda **kw: SqueezeNet("1_0", **kw), weights, SqueezeNet1_0_Weights, "squeezenet1_0", kwargs,
                  "classifier.1.weight")


@register_model(weights_enum=SqueezeNet1_1_Weights)
def squeezenet1_1(*, weights=None, progress=True, **kwargs):
    """SqueezeNet 1.1: fewer computations than 1.0 for the same accuracy."""
    return _build(lambda **kw: SqueezeNet("1_1", **kw), weights, SqueezeNet1_1_Weights, "squeezenet1_1", kwargs,
                  "classifier.1.weight")
