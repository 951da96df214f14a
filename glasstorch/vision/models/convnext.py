"""ConvNeXt (Liu et al., "A ConvNet for the 2020s", 2022), as torchvision builds it (same module names, so
torchvision's state_dicts load unchanged).

A ResNet modernised towards the vision transformers: a 4x4 stride-4 "patchify" stem, then four stages of
CNBlocks separated by downsampling layers (LayerNorm, 2x2 stride-2 convolution). A CNBlock is

    depthwise 7x7 conv -> (to channels-last) LayerNorm -> Linear C -> 4C -> GELU -> Linear 4C -> C -> (back)
    result = input + stochastic_depth(layer_scale · block(input))       layer_scale: (C, 1, 1), starts at 1e-6

    features.0        Conv 3 -> c0 4x4 stride 4, LayerNorm2d                   (N, c0, H/4, W/4)
    features.1,3,5,7  stages of CNBlocks; features.2,4,6 downsample            (N, c3, H/32, W/32)
    avgpool, classifier: LayerNorm2d, Flatten, Linear c3 -> num_classes

tiny: channels 96-768, blocks 3,3,9,3, stochastic depth 0.1 (28,589,128 parameters); small: 3,3,27,3, 0.4
(50,223,688); base: 128-1024, 0.5 (88,591,464); large: 192-1536, 0.5 (197,767,336). The stochastic-depth
probability grows linearly with the block's index, from 0 to the model's value. Initialization: convolutions
and Linear layers trunc_normal_(std=0.02), biases 0.
"""
from functools import partial

from ... import nn
from ...creation import ones
from ...nn import functional as F
from ._api import WeightsEnum, register_model
from ._utils import Conv2dNormActivation, _build, _imagenet_weights

__all__ = ["ConvNeXt", "ConvNeXt_Tiny_Weights", "ConvNeXt_Small_Weights", "ConvNeXt_Base_Weights",
           "ConvNeXt_Large_Weights", "convnext_tiny", "convnext_small", "convnext_base", "convnext_large"]


def stochastic_depth(input, p, mode, training=True):
    """torchvision.ops.stochastic_depth: in training, zero each sample's residual branch ("row") or the whole
    batch's ("batch") with probability p, and scale the survivors by 1 / (1 - p); identity in eval."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"drop probability has to be between 0 and 1, but got {p}")
    if mode not in ["batch", "row"]:
        raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
    if not training or p == 0.0:
        return input
    survival_rate = 1.0 - p
    size = [input.shape[0]] + [1] * (input.ndim - 1) if mode == "row" else [1] * input.ndim
    noise = input.new_empty(size).bernoulli_(survival_rate)   # 1 keeps the branch, 0 drops it
    if survival_rate > 0.0:
        noise = noise / survival_rate
    return input * noise


class StochasticDepth(nn.Module):
    """torchvision.ops.StochasticDepth(p, mode): the module form of ``stochastic_depth``."""

    def __init__(self, p, mode):
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, input):
        return stochastic_depth(input, self.p, self.mode, self.training)

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p}, mode={self.mode})"


class Permute(nn.Module):
    """torchvision.ops.misc.Permute: x.permute(dims) as a module."""

    def __init__(self, dims):
        super().__init__()
        self.dims = list(dims)

    def forward(self, x):
        return x.permute(*self.dims)


class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of an (N, C, H, W) tensor (normalized_shape = C)."""

    def forward(self, x):
        x = x.permute(0, 2, 3, 1)                                                   # (N, H, W, C)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)                                                # (N, C, H, W)


class CNBlock(nn.Module):
    def __init__(self, dim, layer_scale, stochastic_depth_prob, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = partial(nn.LayerNorm, eps=1e-6)
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim, bias=True),
            Permute([0, 2, 3, 1]),
            norm_layer(dim),
            nn.Linear(in_features=dim, out_features=4 * dim, bias=True),
            nn.GELU(),
            nn.Linear(in_features=4 * dim, out_features=dim, bias=True),
            Permute([0, 3, 1, 2]))
        self.layer_scale = nn.Parameter(ones(dim, 1, 1) * layer_scale)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")

    def forward(self, input):
        result = self.layer_scale * self.block(input)
        result = self.stochastic_depth(result)
        return result + input


class CNBlockConfig:
    """One stage: its channels, the channels after its downsampling (None for the last stage), its blocks."""

    def __init__(self, input_channels, out_channels, num_layers):
        self.input_channels = input_channels
        self.out_channels = out_channels
        self.num_layers = num_layers

    def __repr__(self):
        return (f"{self.__class__.__name__}(input_channels={self.input_channels}, "
                f"out_channels={self.out_channels}, num_layers={self.num_layers})")


class ConvNeXt(nn.Module):
    def __init__(self, block_setting, stochastic_depth_prob=0.0, layer_scale=1e-6, num_classes=1000, block=None,
                 norm_layer=None, **kwargs):
        super().__init__()
        if not block_setting:
            raise ValueError("The block_setting should not be empty")
        if not (isinstance(block_setting, (list, tuple)) and all(isinstance(s, CNBlockConfig) for s in block_setting)):
            raise TypeError("The block_setting should be List[CNBlockConfig]")
        block = CNBlock if block is None else block
        norm_layer = partial(LayerNorm2d, eps=1e-6) if norm_layer is None else norm_layer
        layers = [Conv2dNormActivation(3, block_setting[0].input_channels, kernel_size=4, stride=4, padding=0,
                                       norm_layer=norm_layer, activation_layer=None, bias=True)]
        total_stage_blocks = sum(cnf.num_layers for cnf in block_setting)
        stage_block_id = 0
        for cnf in block_setting:
            stage = []
            for _ in range(cnf.num_layers):
                sd_prob = stochastic_depth_prob * stage_block_id / (total_stage_blocks - 1.0)
                stage.append(block(cnf.input_channels, layer_scale, sd_prob))
                stage_block_id += 1
            layers.append(nn.Sequential(*stage))
            if cnf.out_channels is not None:
                layers.append(nn.Sequential(norm_layer(cnf.input_channels),
                                            nn.Conv2d(cnf.input_channels, cnf.out_channels, kernel_size=2, stride=2)))
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        last = block_setting[-1]
        last_channels = last.out_channels if last.out_channels is not None else last.input_channels
        self.classifier = nn.Sequential(norm_layer(last_channels), nn.Flatten(1), nn.Linear(last_channels, num_classes))
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.trunc_normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.features(x)        # (N, C, H/32, W/32)
        x = self.avgpool(x)         # (N, C, 1, 1)
        return self.classifier(x)   # (N, num_classes)


_URL = "https://download.pytorch.org/models/"


class ConvNeXt_Tiny_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "convnext_tiny-983f1562.pth", 28589128, 82.520, 96.146,
                                      min_size=(32, 32), resize_size=236)
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Small_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "convnext_small-0c510722.pth", 50223688, 83.616, 96.650,
                                      min_size=(32, 32), resize_size=230)
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Base_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "convnext_base-6075fbad.pth", 88591464, 84.062, 96.870,
                                      min_size=(32, 32), resize_size=232)
    DEFAULT = IMAGENET1K_V1


class ConvNeXt_Large_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "convnext_large-ea097f82.pth", 197767336, 84.414, 96.976,
                                      min_size=(32, 32), resize_size=232)
    DEFAULT = IMAGENET1K_V1


def _convnext(channels, blocks, default_sd, weights, weights_enum, arch, kwargs):
    setting = [CNBlockConfig(channels[0], channels[1], blocks[0]), CNBlockConfig(channels[1], channels[2], blocks[1]),
               CNBlockConfig(channels[2], channels[3], blocks[2]), CNBlockConfig(channels[3], None, blocks[3])]
    sd = kwargs.pop("stochastic_depth_prob", default_sd)
    return _build(lambda **kw: ConvNeXt(setting, stochastic_depth_prob=sd, **kw), weights, weights_enum, arch,
                  kwargs, "classifier.2.weight")


@register_model(weights_enum=ConvNeXt_Tiny_Weights)
def convnext_tiny(*, weights=None, progress=True, **kwargs):
    """ConvNeXt Tiny. ``weights``: None, a ConvNeXt_Tiny_Weights, a path or a state_dict (see _api);
    ``progress`` is ignored. kwargs: stochastic_depth_prob (0.1), layer_scale, num_classes."""
    return _convnext([96, 192, 384, 768], [3, 3, 9, 3], 0.1, weights, ConvNeXt_Tiny_Weights, "convnext_tiny", kwargs)


@register_model(weights_enum=ConvNeXt_Small_Weights)
def convnext_small(*, weights=None, progress=True, **kwargs):
    """ConvNeXt Small (stochastic_depth_prob 0.4)."""
    return _convnext([96, 192, 384, 768], [3, 3, 27, 3], 0.4, weights, ConvNeXt_Small_Weights, "convnext_small",
                     kwargs)


@register_model(weights_enum=ConvNeXt_Base_Weights)
def convnext_base(*, weights=None, progress=True, **kwargs):
    """ConvNeXt Base (stochastic_depth_prob 0.5)."""
    return _convnext([128, 256, 512, 1024], [3, 3, 27, 3], 0.5, weights, ConvNeXt_Base_Weights, "convnext_base",
                     kwargs)


@register_model(weights_enum=ConvNeXt_Large_Weights)
def convnext_large(*, weights=None, progress=True, **kwargs):
    """ConvNeXt Large (stochastic_depth_prob 0.5)."""
    return _convnext([192, 384, 768, 1536], [3, 3, 27, 3], 0.5, weights, ConvNeXt_Large_Weights, "convnext_large",
                     kwargs)
