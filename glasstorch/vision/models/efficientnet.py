"""EfficientNet B0-B7 (Tan & Le, 2019) and EfficientNetV2 S/M/L (Tan & Le, 2021), as torchvision builds them
(same module names, so torchvision's state_dicts load unchanged).

MBConv: 1x1 expansion (SiLU), kxk depthwise (SiLU), squeeze-and-excitation (SiLU inside, squeeze to
input_channels // 4), 1x1 projection (no activation); FusedMBConv (V2's early stages): one kxk expansion
convolution instead of the expansion + depthwise pair. A residual block's branch passes through stochastic
depth (probability growing linearly with the block's index from 0 to stochastic_depth_prob = 0.2).

    features.0      Conv 3 -> c 3x3 stride 2, BN, SiLU                          (N, c, H/2, W/2)
    features.1-k    one Sequential of blocks per stage                           (N, C, H/32, W/32)
    features.k+1    Conv 1x1 -> 4C (V1) or 1280 (V2), BN, SiLU; avgpool, flatten
    classifier      Dropout, Linear -> num_classes

B0-B7 scale the widths (multiples of 8) and the depths (ceil) of B0's table: (1.0, 1.0), (1.0, 1.1), (1.1, 1.2),
(1.2, 1.4), (1.4, 1.8), (1.6, 2.2), (1.8, 2.6), (2.0, 3.1); B5-B7 use BatchNorm eps 0.001, momentum 0.01, V2 eps
0.001. Initialization: convolutions kaiming_normal_(fan_out), BatchNorm 1 / 0, Linear U(-1/sqrt(out), 1/sqrt(out)),
biases 0. Parameters: B0 5,288,548 ... V2-L 118,515,272 (torchvision's meta, checked by the tests).
"""
import copy
import math
from functools import partial

from ... import nn
from ...ops.shape import flatten
from ..transforms.functional import InterpolationMode
from ._api import WeightsEnum, register_model
from ._utils import Conv2dNormActivation, SqueezeExcitation, _build, _imagenet_weights, _make_divisible
from .convnext import StochasticDepth

__all__ = ["EfficientNet", "EfficientNet_B0_Weights", "EfficientNet_B1_Weights", "EfficientNet_B2_Weights",
           "EfficientNet_B3_Weights", "EfficientNet_B4_Weights", "EfficientNet_B5_Weights", "EfficientNet_B6_Weights",
           "EfficientNet_B7_Weights", "EfficientNet_V2_S_Weights", "EfficientNet_V2_M_Weights",
           "EfficientNet_V2_L_Weights", "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
           "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7", "efficientnet_v2_s",
           "efficientnet_v2_m", "efficientnet_v2_l"]


class _MBConvConfig:
    def __init__(self, expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block):
        self.expand_ratio = expand_ratio
        self.kernel = kernel
        self.stride = stride
        self.input_channels = input_channels
        self.out_channels = out_channels
        self.num_layers = num_layers
        self.block = block

    @staticmethod
    def adjust_channels(channels, width_mult, min_value=None):
        return _make_divisible(channels * width_mult, 8, min_value)


class MBConvConfig(_MBConvConfig):
    """One stage of MBConv blocks (EfficientNet's Table 1), widths and depth scaled."""

    def __init__(self, expand_ratio, kernel, stride, input_channels, out_channels, num_layers, width_mult=1.0,
                 depth_mult=1.0, block=None):
        super().__init__(expand_ratio, kernel, stride, self.adjust_channels(input_channels, width_mult),
                         self.adjust_channels(out_channels, width_mult), self.adjust_depth(num_layers, depth_mult),
                         MBConv if block is None else block)

    @staticmethod
    def adjust_depth(num_layers, depth_mult):
        return int(math.ceil(num_layers * depth_mult))


class FusedMBConvConfig(_MBConvConfig):
    """One stage of FusedMBConv blocks (EfficientNetV2's Table 4)."""

    def __init__(self, expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block=None):
        super().__init__(expand_ratio, kernel, stride, input_channels, out_channels, num_layers,
                         FusedMBConv if block is None else block)


class MBConv(nn.Module):
    def __init__(self, cnf, stochastic_depth_prob, norm_layer, se_layer=SqueezeExcitation):
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        layers = []
        expanded = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        if expanded != cnf.input_channels:                                             # expand
            layers.append(Conv2dNormActivation(cnf.input_channels, expanded, kernel_size=1, norm_layer=norm_layer,
                                               activation_layer=nn.SiLU))
        layers.append(Conv2dNormActivation(expanded, expanded, kernel_size=cnf.kernel, stride=cnf.stride,  # depthwise
                                           groups=expanded, norm_layer=norm_layer, activation_layer=nn.SiLU))
        squeeze_channels = max(1, cnf.input_channels // 4)
        layers.append(se_layer(expanded, squeeze_channels, activation=partial(nn.SiLU, inplace=True)))
        layers.append(Conv2dNormActivation(expanded, cnf.out_channels, kernel_size=1, norm_layer=norm_layer,  # project
                                           activation_layer=None))
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result) + input
        return result


class FusedMBConv(nn.Module):
    def __init__(self, cnf, stochastic_depth_prob, norm_layer):
        super().__init__()
        if not (1 <= cnf.stride <= 2):
            raise ValueError("illegal stride value")
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        expanded = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
        if expanded != cnf.input_channels:
            layers = [Conv2dNormActivation(cnf.input_channels, expanded, kernel_size=cnf.kernel, stride=cnf.stride,
                                           norm_layer=norm_layer, activation_layer=nn.SiLU),      # fused expand
                      Conv2dNormActivation(expanded, cnf.out_channels, kernel_size=1, norm_layer=norm_layer,
                                           activation_layer=None)]                               # project
        else:
            layers = [Conv2dNormActivation(cnf.input_channels, cnf.out_channels, kernel_size=cnf.kernel,
                                           stride=cnf.stride, norm_layer=norm_layer, activation_layer=nn.SiLU)]
        self.block = nn.Sequential(*layers)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.out_channels = cnf.out_channels

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result = self.stochastic_depth(result) + input
        return result


class EfficientNet(nn.Module):
    def __init__(self, inverted_residual_setting, dropout, stochastic_depth_prob=0.2, num_classes=1000,
                 norm_layer=None, last_channel=None, **kwargs):
        super().__init__()
        if not inverted_residual_setting:
            raise ValueError("The inverted_residual_setting should not be empty")
        if not (isinstance(inverted_residual_setting, (list, tuple))
                and all(isinstance(s, _MBConvConfig) for s in inverted_residual_setting)):
            raise TypeError("The inverted_residual_setting should be List[MBConvConfig]")
        norm_layer = nn.BatchNorm2d if norm_layer is None else norm_layer
        layers = [Conv2dNormActivation(3, inverted_residual_setting[0].input_channels, kernel_size=3, stride=2,
                                       norm_layer=norm_layer, activation_layer=nn.SiLU)]
        total_stage_blocks = sum(cnf.num_layers for cnf in inverted_residual_setting)
        stage_block_id = 0
        for cnf in inverted_residual_setting:
            stage = []
            for _ in range(cnf.num_layers):
                block_cnf = copy.copy(cnf)
                if stage:  # after a stage's first block: same channels in and out, stride 1
                    block_cnf.input_channels = block_cnf.out_channels
                    block_cnf.stride = 1
                sd_prob = stochastic_depth_prob * float(stage_block_id) / total_stage_blocks
                stage.append(block_cnf.block(block_cnf, sd_prob, norm_layer))
                stage_block_id += 1
            layers.append(nn.Sequential(*stage))
        last_in = inverted_residual_setting[-1].out_channels
        last_out = last_channel if last_channel is not None else 4 * last_in
        layers.append(Conv2dNormActivation(last_in, last_out, kernel_size=1, norm_layer=norm_layer,
                                           activation_layer=nn.SiLU))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True), nn.Linear(last_out, num_classes))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                init_range = 1.0 / math.sqrt(m.out_features)
                nn.init.uniform_(m.weight, -init_range, init_range)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.features(x)            # (N, C, H/32, W/32)
        x = flatten(self.avgpool(x), 1)  # (N, C)
        return self.classifier(x)


def _efficientnet_conf(arch, width_mult=1.0, depth_mult=1.0):
    """(the stages' configurations, last_channel) of one architecture."""
    if arch.startswith("efficientnet_b"):
        bneck = partial(MBConvConfig, width_mult=width_mult, depth_mult=depth_mult)
        return [bneck(1, 3, 1, 32, 16, 1), bneck(6, 3, 2, 16, 24, 2), bneck(6, 5, 2, 24, 40, 2),
                bneck(6, 3, 2, 40, 80, 3), bneck(6, 5, 1, 80, 112, 3), bneck(6, 5, 2, 112, 192, 4),
                bneck(6, 3, 1, 192, 320, 1)], None
    if arch.startswith("efficientnet_v2_s"):
        return [FusedMBConvConfig(1, 3, 1, 24, 24, 2), FusedMBConvConfig(4, 3, 2, 24, 48, 4),
                FusedMBConvConfig(4, 3, 2, 48, 64, 4), MBConvConfig(4, 3, 2, 64, 128, 6),
                MBConvConfig(6, 3, 1, 128, 160, 9), MBConvConfig(6, 3, 2, 160, 256, 15)], 1280
    if arch.startswith("efficientnet_v2_m"):
        return [FusedMBConvConfig(1, 3, 1, 24, 24, 3), FusedMBConvConfig(4, 3, 2, 24, 48, 5),
                FusedMBConvConfig(4, 3, 2, 48, 80, 5), MBConvConfig(4, 3, 2, 80, 160, 7),
                MBConvConfig(6, 3, 1, 160, 176, 14), MBConvConfig(6, 3, 2, 176, 304, 18),
                MBConvConfig(6, 3, 1, 304, 512, 5)], 1280
    if arch.startswith("efficientnet_v2_l"):
        return [FusedMBConvConfig(1, 3, 1, 32, 32, 4), FusedMBConvConfig(4, 3, 2, 32, 64, 7),
                FusedMBConvConfig(4, 3, 2, 64, 96, 7), MBConvConfig(4, 3, 2, 96, 192, 10),
                MBConvConfig(6, 3, 1, 192, 224, 19), MBConvConfig(6, 3, 2, 224, 384, 25),
                MBConvConfig(6, 3, 1, 384, 640, 7)], 1280
    raise ValueError(f"Unsupported model type {arch}")


_URL = "https://download.pytorch.org/models/"
_BICUBIC = InterpolationMode.BICUBIC
_BILINEAR = InterpolationMode.BILINEAR


class EfficientNet_B0_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "efficientnet_b0_rwightman-3dd342df.pth", 5288548, 77.692, 93.532,
                                      crop_size=224, resize_size=256, interpolation=_BICUBIC)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B1_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "efficientnet_b1_rwightman-533bc792.pth", 7794184, 78.642, 94.186,
                                      crop_size=240, resize_size=256, interpolation=_BICUBIC)
    IMAGENET1K_V2 = _imagenet_weights(_URL + "efficientnet_b1-c27df63c.pth", 7794184, 79.838, 94.934,
                                      crop_size=240, resize_size=255, interpolation=_BILINEAR)
    DEFAULT = IMAGENET1K_V2


class EfficientNet_B2_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "efficientnet_b2_rwightman-bcdf34b7.pth", 9109994, 80.608, 95.310,
                                      crop_size=288, resize_size=288, interpolation=_BICUBIC)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B3_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "efficientnet_b3_rwightman-cf984f9c.pth", 12233232, 82.008, 96.054,
                                      crop_size=300, resize_size=320, interpolation=_BICUBIC)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B4_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "efficientnet_b4_rwightman-7eb33cd5.pth", 19341616, 83.384, 96.594,
                                      crop_size=380, resize_size=384, interpolation=_BICUBIC)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B5_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "efficientnet_b5_lukemelas-b6417697.pth", 30389784, 83.444, 96.628,
                                      crop_size=456, resize_size=456, interpolation=_BICUBIC)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B6_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "efficientnet_b6_lukemelas-c76e70fd.pth", 43040704, 84.008, 96.916,
                                      crop_size=528, resize_size=528, interpolation=_BICUBIC)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_B7_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "efficientnet_b7_lukemelas-dcc49843.pth", 66347960, 84.122, 96.908,
                                      crop_size=600, resize_size=600, interpolation=_BICUBIC)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_S_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "efficientnet_v2_s-dd5fe13b.pth", 21458488, 84.228, 96.878,
                                      min_size=(33, 33), crop_size=384, resize_size=384, interpolation=_BILINEAR)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_M_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "efficientnet_v2_m-dc08266a.pth", 54139356, 85.112, 97.156,
                                      min_size=(33, 33), crop_size=480, resize_size=480, interpolation=_BILINEAR)
    DEFAULT = IMAGENET1K_V1


class EfficientNet_V2_L_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "efficientnet_v2_l-59c71312.pth", 118515272, 85.808, 97.788,
                                      min_size=(33, 33), crop_size=480, resize_size=480, interpolation=_BICUBIC,
                                      mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
    DEFAULT = IMAGENET1K_V1


def _efficientnet(arch, dropout, weights, weights_enum, kwargs, width_mult=1.0, depth_mult=1.0, norm_layer=None):
    setting, last_channel = _efficientnet_conf(arch, width_mult, depth_mult)
    if norm_layer is not None:
        kwargs.setdefault("norm_layer", norm_layer)
    return _build(lambda **kw: EfficientNet(setting, dropout, last_channel=last_channel, **kw), weights,
                  weights_enum, arch, kwargs, "classifier.1.weight")


_BN_V1_LARGE = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)  # B5-B7 (weights ported from lukemelas)
_BN_V2 = partial(nn.BatchNorm2d, eps=1e-03)


@register_model(weights_enum=EfficientNet_B0_Weights)
def efficientnet_b0(*, weights=None, progress=True, **kwargs):
    """EfficientNet B0. ``weights``: None, an EfficientNet_B0_Weights, a path or a state_dict (see _api);
    ``progress`` is ignored. kwargs: num_classes, stochastic_depth_prob (0.2), norm_layer."""
    return _efficientnet("efficientnet_b0", 0.2, weights, EfficientNet_B0_Weights, kwargs, 1.0, 1.0)


@register_model(weights_enum=EfficientNet_B1_Weights)
def efficientnet_b1(*, weights=None, progress=True, **kwargs):
    """EfficientNet B1 (width 1.0, depth 1.1, dropout 0.2)."""
    return _efficientnet("efficientnet_b1", 0.2, weights, EfficientNet_B1_Weights, kwargs, 1.0, 1.1)


@register_model(weights_enum=EfficientNet_B2_Weights)
def efficientnet_b2(*, weights=None, progress=True, **kwargs):
    """EfficientNet B2 (width 1.1, depth 1.2, dropout 0.3)."""
    return _efficientnet("efficientnet_b2", 0.3, weights, EfficientNet_B2_Weights, kwargs, 1.1, 1.2)


@register_model(weights_enum=EfficientNet_B3_Weights)
def efficientnet_b3(*, weights=None, progress=True, **kwargs):
    """EfficientNet B3 (width 1.2, depth 1.4, dropout 0.3)."""
    return _efficientnet("efficientnet_b3", 0.3, weights, EfficientNet_B3_Weights, kwargs, 1.2, 1.4)


@register_model(weights_enum=EfficientNet_B4_Weights)
def efficientnet_b4(*, weights=None, progress=True, **kwargs):
    """EfficientNet B4 (width 1.4, depth 1.8, dropout 0.4)."""
    return _efficientnet("efficientnet_b4", 0.4, weights, EfficientNet_B4_Weights, kwargs, 1.4, 1.8)


@register_model(weights_enum=EfficientNet_B5_Weights)
def efficientnet_b5(*, weights=None, progress=True, **kwargs):
    """EfficientNet B5 (width 1.6, depth 2.2, dropout 0.4, BatchNorm eps 0.001, momentum 0.01)."""
    return _efficientnet("efficientnet_b5", 0.4, weights, EfficientNet_B5_Weights, kwargs, 1.6, 2.2, _BN_V1_LARGE)


@register_model(weights_enum=EfficientNet_B6_Weights)
def efficientnet_b6(*, weights=None, progress=True, **kwargs):
    """EfficientNet B6 (width 1.8, depth 2.6, dropout 0.5, BatchNorm eps 0.001, momentum 0.01)."""
    return _efficientnet("efficientnet_b6", 0.5, weights, EfficientNet_B6_Weights, kwargs, 1.8, 2.6, _BN_V1_LARGE)


@register_model(weights_enum=EfficientNet_B7_Weights)
def efficientnet_b7(*, weights=None, progress=True, **kwargs):
    """EfficientNet B7 (width 2.0, depth 3.1, dropout 0.5, BatchNorm eps 0.001, momentum 0.01)."""
    return _efficientnet("efficientnet_b7", 0.5, weights, EfficientNet_B7_Weights, kwargs, 2.0, 3.1, _BN_V1_LARGE)


@register_model(weights_enum=EfficientNet_V2_S_Weights)
def efficientnet_v2_s(*, weights=None, progress=True, **kwargs):
    """EfficientNetV2-S (dropout 0.2, BatchNorm eps 0.001)."""
    return _efficientnet("efficientnet_v2_s", 0.2, weights, EfficientNet_V2_S_Weights, kwargs, norm_layer=_BN_V2)


@register_model(weights_enum=EfficientNet_V2_M_Weights)
def efficientnet_v2_m(*, weights=None, progress=True, **kwargs):
    """EfficientNetV2-M (dropout 0.3, BatchNorm eps 0.001)."""
    return _efficientnet("efficientnet_v2_m", 0.3, weights, EfficientNet_V2_M_Weights, kwargs, norm_layer=_BN_V2)


@register_model(weights_enum=EfficientNet_V2_L_Weights)
def efficientnet_v2_l(*, weights=None, progress=True, **kwargs):
    """EfficientNetV2-L (dropout 0.4, BatchNorm eps 0.001)."""
    return _efficientnet("efficientnet_v2_l", 0.4, weights, EfficientNet_V2_L_Weights, kwargs, norm_layer=_BN_V2)
