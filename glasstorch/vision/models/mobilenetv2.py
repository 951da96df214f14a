"""MobileNetV2 (Sandler et al., "Inverted Residuals and Linear Bottlenecks", 2018), as torchvision builds it.

An inverted residual expands the channels t times with a 1x1 convolution (BN, ReLU6), filters each channel
with a 3x3 depthwise convolution (BN, ReLU6), then projects back with a linear 1x1 convolution (BN, no
activation); the shortcut is added when the stride is 1 and the channels are unchanged.

    features.0   Conv2dNormActivation 3 -> 32, stride 2               (N, 32, H/2, W/2)
    features.1-17  inverted residuals (t, c, n, s): (1,16,1,1) (6,24,2,2) (6,32,3,2) (6,64,4,2)
                   (6,96,3,1) (6,160,3,2) (6,320,1,1)                 (N, 320, H/32, W/32)
    features.18  Conv2dNormActivation 320 -> 1280, 1x1                (N, 1280, H/32, W/32)
    average pool, flatten, classifier: Dropout, Linear 1280 -> num_classes

Initialization: convolutions kaiming_normal_(mode="fan_out"), bias 0; BatchNorm 1 / 0; Linear N(0, 0.01),
bias 0. 3,504,872 parameters.
"""
from ... import nn
from ...nn import functional as F
from ...ops.shape import flatten
from ._api import WeightsEnum, register_model
from ._utils import Conv2dNormActivation, _build, _imagenet_weights, _make_divisible

__all__ = ["MobileNetV2", "MobileNet_V2_Weights", "mobilenet_v2"]


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio, norm_layer=None):
        super().__init__()
        self.stride = stride
        if stride not in [1, 2]:
            raise ValueError(f"stride should be 1 or 2 instead of {stride}")
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = self.stride == 1 and inp == oup

        layers = []
        if expand_ratio != 1:
            # pw: 1x1 expansion
            layers.append(Conv2dNormActivation(inp, hidden_dim, kernel_size=1, norm_layer=norm_layer,
                                               activation_layer=nn.ReLU6))
        layers.extend([
            # dw: 3x3 depthwise
            Conv2dNormActivation(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim, norm_layer=norm_layer,
                                 activation_layer=nn.ReLU6),
            # pw-linear: 1x1 projection, no activation
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            norm_layer(oup),
        ])
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup
        self._is_cn = stride > 1

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self, num_classes=1000, width_mult=1.0, inverted_residual_setting=None, round_nearest=8, block=None,
                 norm_layer=None, dropout=0.2):
        super().__init__()
        if block is None:
            block = InvertedResidual
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        input_channel = 32
        last_channel = 1280
        if inverted_residual_setting is None:
            inverted_residual_setting = [
                # t, c, n, s
                [1, 16, 1, 1],
                [6, 24, 2, 2],
                [6, 32, 3, 2],
                [6, 64, 4, 2],
                [6, 96, 3, 1],
                [6, 160, 3, 2],
                [6, 320, 1, 1],
            ]
        if len(inverted_residual_setting) == 0 or len(inverted_residual_setting[0]) != 4:
            raise ValueError("inverted_residual_setting should be non-empty or a 4-element list, "
                             f"got {inverted_residual_setting}")

        input_channel = _make_divisible(input_channel * width_mult, round_nearest)
        self.last_channel = _make_divisible(last_channel * max(1.0, width_mult), round_nearest)
        features = [Conv2dNormActivation(3, input_channel, stride=2, norm_layer=norm_layer,
                                         activation_layer=nn.ReLU6)]
        for t, c, n, s in inverted_residual_setting:
            output_channel = _make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                stride = s if i == 0 else 1
                features.append(block(input_channel, output_channel, stride, expand_ratio=t, norm_layer=norm_layer))
                input_channel = output_channel
        features.append(Conv2dNormActivation(input_channel, self.last_channel, kernel_size=1, norm_layer=norm_layer,
                                             activation_layer=nn.ReLU6))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(self.last_channel, num_classes))

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.features(x)                        # (N, 1280, H/32, W/32)
        x = F.adaptive_avg_pool2d(x, (1, 1))
        x = flatten(x, 1)
        x = self.classifier(x)                      # (N, num_classes)
        return x


_URL = "https://download.pytorch.org/models/"


class MobileNet_V2_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "mobilenet_v2-b0353104.pth", 3504872, 71.878, 90.286)
    IMAGENET1K_V2 = _imagenet_weights(_URL + "mobilenet_v2-7ebf99e0.pth", 3504872, 72.154, 90.822, resize_size=232)
    DEFAULT = IMAGENET1K_V2


@register_model(weights_enum=MobileNet_V2_Weights)
def mobilenet_v2(*, weights=None, progress=True, **kwargs):
    """MobileNetV2. ``weights``: None, a MobileNet_V2_Weights, a path or a state_dict (see _api);
    ``progress`` is ignored. kwargs: num_classes, width_mult, dropout, norm_layer, ..."""
    return _build(MobileNetV2, weights, MobileNet_V2_Weights, "mobilenet_v2", kwargs, "classifier.1.weight")
