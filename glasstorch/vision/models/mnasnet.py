"""MNASNet (Tan et al., "MnasNet: Platform-Aware Neural Architecture Search for Mobile", 2019), the B1 variant,
as torchvision builds it (same module names, so torchvision's state_dicts load unchanged).

    layers.0-7    Conv 3 -> d0 3x3 stride 2, BN, ReLU; depthwise 3x3, BN, ReLU; Conv d0 -> d1 1x1, BN
    layers.8-13   six stacks of inverted residuals (kernel, stride, expansion, repeats):
                  (3,2,3,3) (5,2,3,3) (5,2,6,3) (3,1,6,2) (5,2,6,4) (3,1,6,1)          (N, d7, H/32, W/32)
    layers.14-16  Conv d7 -> 1280 1x1, BN, ReLU; mean over H, W
    classifier    Dropout(0.2), Linear 1280 -> num_classes

Depths d = [32, 16, 24, 40, 80, 96, 192, 320] · alpha, rounded to multiples of 8 (rounding up unless that
adds no more than 10%). BatchNorm momentum 1 - 0.9997. Initialization: convolutions kaiming_normal_
(fan_out, relu), BatchNorm 1 / 0, Linear kaiming_uniform_ (fan_out, sigmoid), biases 0.
Parameters: mnasnet0_5 2,218,512; 0_75 3,170,208; 1_0 4,383,312; 1_3 6,282,256.
Deviation: torchvision's loading of version-1 checkpoints (a fixed 32/16 stem for alpha != 1) is not carried.
"""
from ... import nn
from ._api import WeightsEnum, register_model
from ._utils import _build, _imagenet_weights

__all__ = ["MNASNet", "MNASNet0_5_Weights", "MNASNet0_75_Weights", "MNASNet1_0_Weights", "MNASNet1_3_Weights",
           "mnasnet0_5", "mnasnet0_75", "mnasnet1_0", "mnasnet1_3"]

_BN_MOMENTUM = 1 - 0.9997  # the paper's TensorFlow momentum 0.9997, in PyTorch's convention


class _InvertedResidual(nn.Module):
    def __init__(self, in_ch, out_ch, kernel_size, stride, expansion_factor, bn_momentum=0.1):
        super().__init__()
        if stride not in [1, 2]:
            raise ValueError(f"stride should be 1 or 2 instead of {stride}")
        if kernel_size not in [3, 5]:
            raise ValueError(f"kernel_size should be 3 or 5 instead of {kernel_size}")
        mid_ch = in_ch * expansion_factor
        self.apply_residual = in_ch == out_ch and stride == 1
        self.layers = nn.Sequential(
            nn.Conv2d(in_ch, mid_ch, 1, bias=False),                     # pointwise expansion
            nn.BatchNorm2d(mid_ch, momentum=bn_momentum),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_ch, mid_ch, kernel_size, padding=kernel_size // 2, stride=stride, groups=mid_ch,
                      bias=False),                                       # depthwise
            nn.BatchNorm2d(mid_ch, momentum=bn_momentum),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_ch, out_ch, 1, bias=False),                    # linear pointwise projection
            nn.BatchNorm2d(out_ch, momentum=bn_momentum))

    def forward(self, x):
        if self.apply_residual:
            return self.layers(x) + x
        return self.layers(x)


def _stack(in_ch, out_ch, kernel_size, stride, exp_factor, repeats, bn_momentum):
    """``repeats`` inverted residuals; only the first changes the size (so has no skip connection)."""
    if repeats < 1:
        raise ValueError(f"repeats should be >= 1, instead got {repeats}")
    first = _InvertedResidual(in_ch, out_ch, kernel_size, stride, exp_factor, bn_momentum=bn_momentum)
    rest = [_InvertedResidual(out_ch, out_ch, kernel_size, 1, exp_factor, bn_momentum=bn_momentum)
            for _ in range(1, repeats)]
    return nn.Sequential(first, *rest)


def _round_to_multiple_of(val, divisor, round_up_bias=0.9):
    """``val`` rounded to a multiple of ``divisor``: (83, 8) -> 80 but (84, 8) -> 88."""
    if not 0.0 < round_up_bias < 1.0:
        raise ValueError(f"round_up_bias should be greater than 0.0 and smaller than 1.0 instead of {round_up_bias}")
    new_val = max(divisor, int(val + divisor / 2) // divisor * divisor)
    return new_val if new_val >= round_up_bias * val else new_val + divisor


def _get_depths(alpha):
    return [_round_to_multiple_of(depth * alpha, 8) for depth in [32, 16, 24, 40, 80, 96, 192, 320]]


class MNASNet(nn.Module):
    """MNASNet B1 with depth multiplier ``alpha``: ``MNASNet(1.0, num_classes=1000, dropout=0.2)``."""

    _version = 2

    def __init__(self, alpha, num_classes=1000, dropout=0.2):
        super().__init__()
        if alpha <= 0.0:
            raise ValueError(f"alpha should be greater than 0.0 instead of {alpha}")
        self.alpha = alpha
        self.num_classes = num_classes
        d = _get_depths(alpha)
        m = _BN_MOMENTUM
        layers = [
            nn.Conv2d(3, d[0], 3, padding=1, stride=2, bias=False), nn.BatchNorm2d(d[0], momentum=m),
            nn.ReLU(inplace=True),
            nn.Conv2d(d[0], d[0], 3, padding=1, stride=1, groups=d[0], bias=False), nn.BatchNorm2d(d[0], momentum=m),
            nn.ReLU(inplace=True),
            nn.Conv2d(d[0], d[1], 1, padding=0, stride=1, bias=False), nn.BatchNorm2d(d[1], momentum=m),
            _stack(d[1], d[2], 3, 2, 3, 3, m),
            _stack(d[2], d[3], 5, 2, 3, 3, m),
            _stack(d[3], d[4], 5, 2, 6, 3, m),
            _stack(d[4], d[5], 3, 1, 6, 2, m),
            _stack(d[5], d[6], 5, 2, 6, 4, m),
            _stack(d[6], d[7], 3, 1, 6, 1, m),
            nn.Conv2d(d[7], 1280, 1, padding=0, stride=1, bias=False), nn.BatchNorm2d(1280, momentum=m),
            nn.ReLU(inplace=True),
        ]
        self.layers = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout, inplace=True), nn.Linear(1280, num_classes))
        for mod in self.modules():
            if isinstance(mod, nn.Conv2d):
                nn.init.kaiming_normal_(mod.weight, mode="fan_out", nonlinearity="relu")
                if mod.bias is not None:
                    nn.init.zeros_(mod.bias)
            elif isinstance(mod, nn.BatchNorm2d):
                nn.init.ones_(mod.weight)
                nn.init.zeros_(mod.bias)
            elif isinstance(mod, nn.Linear):
                nn.init.kaiming_uniform_(mod.weight, mode="fan_out", nonlinearity="sigmoid")
                nn.init.zeros_(mod.bias)

    def forward(self, x):
        x = self.layers(x)          # (N, 1280, H/32, W/32)
        x = x.mean([2, 3])          # global average pool, (N, 1280)
        return self.classifier(x)


_URL = "https://download.pytorch.org/models/"


class MNASNet0_5_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "mnasnet0.5_top1_67.823-3ffadce67e.pth", 2218512, 67.734, 87.490)
    DEFAULT = IMAGENET1K_V1


class MNASNet0_75_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "mnasnet0_75-7090bc5f.pth", 3170208, 71.180, 90.496, resize_size=232)
    DEFAULT = IMAGENET1K_V1


class MNASNet1_0_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "mnasnet1.0_top1_73.512-f206786ef8.pth", 4383312, 73.456, 91.510)
    DEFAULT = IMAGENET1K_V1


class MNASNet1_3_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "mnasnet1_3-a4c69d6f.pth", 6282256, 76.506, 93.522, resize_size=232)
    DEFAULT = IMAGENET1K_V1


def _mnasnet(alpha, weights, weights_enum, arch, kwargs):
    return _build(lambda **kw: MNASNet(alpha, **kw), weights, weights_enum, arch, kwargs, "classifier.1.weight")


@register_model(weights_enum=MNASNet0_5_Weights)
def mnasnet0_5(*, weights=None, progress=True, **kwargs):
    """MNASNet with depth multiplier 0.5. ``weights``: None, a MNASNet0_5_Weights, a path or a state_dict (see
    _api); ``progress`` is ignored."""
    return _mnasnet(0.5, weights, MNASNet0_5_Weights, "mnasnet0_5", kwargs)


@register_model(weights_enum=MNASNet0_75_Weights)
def mnasnet0_75(*, weights=None, progress=True, **kwargs):
    """MNASNet with depth multiplier 0.75."""
    return _mnasnet(0.75, weights, MNASNet0_75_Weights, "mnasnet0_75", kwargs)


@register_model(weights_enum=MNASNet1_0_Weights)
def mnasnet1_0(*, weights=None, progress=True, **kwargs):
    """MNASNet with depth multiplier 1.0."""
    return _mnasnet(1.0, weights, MNASNet1_0_Weights, "mnasnet1_0", kwargs)


@register_model(weights_enum=MNASNet1_3_Weights)
def mnasnet1_3(*, weights=None, progress=True, **kwargs):
    """MNASNet with depth multiplier 1.3."""
    return _mnasnet(1.3, weights, MNASNet1_3_Weights, "mnasnet1_3", kwargs)
