"""ShuffleNet V2 (Ma et al., "ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture Design", 2018),
as torchvision builds it (same module names, so torchvision's state_dicts load unchanged).

Each unit splits its channels in two halves (stride 1) or feeds the whole input to two branches (stride 2),
concatenates the branches and *shuffles* the channels so that the next unit's halves mix both:

    conv1      Conv 3 -> c0, 3x3 stride 2, BN, ReLU          (N, c0, H/2, W/2)
    maxpool    3x3 stride 2                                  (N, c0, H/4, W/4)
    stage2-4   4, 8, 4 InvertedResidual units (first of each stride 2)   (N, c3, H/32, W/32)
    conv5      Conv c3 -> c4 1x1, BN, ReLU; mean over H, W; fc -> num_classes

Channels (c0..c4): x0_5 [24, 48, 96, 192, 1024], x1_0 [24, 116, 232, 464, 1024], x1_5 [24, 176, 352, 704, 1024],
x2_0 [24, 244, 488, 976, 2048]. Parameters: 1,366,792 / 2,278,604 / 3,503,624 / 7,393,996. Initialization is
PyTorch's default of each layer (torchvision sets none).
"""
from ... import nn
from ...ops.shape import cat
from ._api import WeightsEnum, register_model
from ._utils import _build, _imagenet_weights

__all__ = ["ShuffleNetV2", "ShuffleNet_V2_X0_5_Weights", "ShuffleNet_V2_X1_0_Weights", "ShuffleNet_V2_X1_5_Weights",
           "ShuffleNet_V2_X2_0_Weights", "shufflenet_v2_x0_5", "shufflenet_v2_x1_0", "shufflenet_v2_x1_5",
           "shufflenet_v2_x2_0"]


def channel_shuffle(x, groups):
    """(N, g·c, H, W) -> (N, c·g, H, W): channel k of group j moves to position k·g + j."""
    n, channels, h, w = x.shape
    x = x.reshape(n, groups, channels // groups, h, w)   # (N, g, c, H, W)
    x = x.transpose(1, 2)                                # (N, c, g, H, W)
    return x.reshape(n, channels, h, w)


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride):
        super().__init__()
        if not (1 <= stride <= 3):
            raise ValueError("illegal stride value")
        self.stride = stride
        branch_features = oup // 2
        if stride == 1 and inp != branch_features << 1:
            raise ValueError(f"Invalid combination of stride {stride}, inp {inp} and oup {oup} values. If stride == 1 "
                             "then inp should be equal to oup // 2 << 1.")
        if stride > 1:
            self.branch1 = nn.Sequential(
                self.depthwise_conv(inp, inp, kernel_size=3, stride=stride, padding=1),
                nn.BatchNorm2d(inp),
                nn.Conv2d(inp, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
                nn.BatchNorm2d(branch_features),
                nn.ReLU(inplace=True))
        else:
            self.branch1 = nn.Sequential()
        self.branch2 = nn.Sequential(
            nn.Conv2d(inp if stride > 1 else branch_features, branch_features, kernel_size=1, stride=1, padding=0,
                      bias=False),
            nn.BatchNorm2d(branch_features),
            nn.ReLU(inplace=True),
            self.depthwise_conv(branch_features, branch_features, kernel_size=3, stride=stride, padding=1),
            nn.BatchNorm2d(branch_features),
            nn.Conv2d(branch_features, branch_features, kernel_size=1, stride=1, padding=0, bias=False),
            nn.BatchNorm2d(branch_features),
            nn.ReLU(inplace=True))

    @staticmethod
    def depthwise_conv(i, o, kernel_size, stride=1, padding=0, bias=False):
        return nn.Conv2d(i, o, kernel_size, stride, padding, bias=bias, groups=i)

    def forward(self, x):
        if self.stride == 1:
            x1, x2 = x.chunk(2, dim=1)                        # two halves of the channels
            out = cat((x1, self.branch2(x2)), dim=1)          # the first half passes through
        else:
            out = cat((self.branch1(x), self.branch2(x)), dim=1)
        return channel_shuffle(out, 2)


class ShuffleNetV2(nn.Module):
    def __init__(self, stages_repeats, stages_out_channels, num_classes=1000, inverted_residual=InvertedResidual):
        super().__init__()
        if len(stages_repeats) != 3:
            raise ValueError("expected stages_repeats as list of 3 positive ints")
        if len(stages_out_channels) != 5:
            raise ValueError("expected stages_out_channels as list of 5 positive ints")
        self._stage_out_channels = stages_out_channels
        input_channels = 3
        output_channels = stages_out_channels[0]
        self.conv1 = nn.Sequential(nn.Conv2d(input_channels, output_channels, 3, 2, 1, bias=False),
                                   nn.BatchNorm2d(output_channels), nn.ReLU(inplace=True))
        input_channels = output_channels
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        stages = []
        for repeats, output_channels in zip(stages_repeats, stages_out_channels[1:4]):
            units = [inverted_residual(input_channels, output_channels, 2)]
            units += [inverted_residual(output_channels, output_channels, 1) for _ in range(repeats - 1)]
            stages.append(nn.Sequential(*units))
            input_channels = output_channels
        self.stage2, self.stage3, self.stage4 = stages
        output_channels = stages_out_channels[-1]
        self.conv5 = nn.Sequential(nn.Conv2d(input_channels, output_channels, 1, 1, 0, bias=False),
                                   nn.BatchNorm2d(output_channels), nn.ReLU(inplace=True))
        self.fc = nn.Linear(output_channels, num_classes)

    def forward(self, x):
        x = self.maxpool(self.conv1(x))     # (N, c0, H/4, W/4)
        x = self.stage2(x)
        x = self.stage3(x)
        x = self.stage4(x)                  # (N, c3, H/32, W/32)
        x = self.conv5(x)
        x = x.mean([2, 3])                  # global average pool, (N, c4)
        return self.fc(x)


_URL = "https://download.pytorch.org/models/"


class ShuffleNet_V2_X0_5_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "shufflenetv2_x0.5-f707e7126e.pth", 1366792, 60.552, 81.746)
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X1_0_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "shufflenetv2_x1-5666bf0f80.pth", 2278604, 69.362, 88.316)
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X1_5_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "shufflenetv2_x1_5-3c479a10.pth", 3503624, 72.996, 91.086,
                                      resize_size=232)
    DEFAULT = IMAGENET1K_V1


class ShuffleNet_V2_X2_0_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "shufflenetv2_x2_0-8be3c8ee.pth", 7393996, 76.230, 93.006,
                                      resize_size=232)
    DEFAULT = IMAGENET1K_V1


def _shufflenetv2(channels, weights, weights_enum, arch, kwargs):
    return _build(lambda **kw: ShuffleNetV2([4, 8, 4], channels, **kw), weights, weights_enum, arch, kwargs,
                  "fc.weight")


@register_model(weights_enum=ShuffleNet_V2_X0_5_Weights)
def shufflenet_v2_x0_5(*, weights=None, progress=True, **kwargs):
    """ShuffleNet V2 with 0.5x output channels. ``weights``: None, a ShuffleNet_V2_X0_5_Weights, a path or a
    state_dict (see _api); ``progress`` is ignored."""
    return _shufflenetv2([24, 48, 96, 192, 1024], weights, ShuffleNet_V2_X0_5_Weights, "shufflenet_v2_x0_5", kwargs)


@register_model(weights_enum=ShuffleNet_V2_X1_0_Weights)
def shufflenet_v2_x1_0(*, weights=None, progress=True, **kwargs):
    """ShuffleNet V2 with 1.0x output channels."""
    return _shufflenetv2([24, 116, 232, 464, 1024], weights, ShuffleNet_V2_X1_0_Weights, "shufflenet_v2_x1_0", kwargs)


@register_model(weights_enum=ShuffleNet_V2_X1_5_Weights)
def shufflenet_v2_x1_5(*, weights=None, progress=True, **kwargs):
    """ShuffleNet V2 with 1.5x output channels."""
    return _shufflenetv2([24, 176, 352, 704, 1024], weights, ShuffleNet_V2_X1_5_Weights, "shufflenet_v2_x1_5", kwargs)


@register_model(weights_enum=ShuffleNet_V2_X2_0_Weights)
def shufflenet_v2_x2_0(*, weights=None, progress=True, **kwargs):
    """ShuffleNet V2 with 2.0x output channels."""
    return _shufflenetv2([24, 244, 488, 976, 2048], weights, ShuffleNet_V2_X2_0_Weights, "shufflenet_v2_x2_0", kwargs)
