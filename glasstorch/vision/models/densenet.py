"""DenseNet (Huang et al., "Densely Connected Convolutional Networks", 2016), as torchvision builds it.

Inside a dense block each layer sees the concatenation of the block's input and all earlier layers' outputs,
and adds ``growth_rate`` channels: BN, ReLU, 1x1 conv (to bn_size · growth_rate), BN, ReLU, 3x3 conv.
Between blocks a transition halves the channels (BN, ReLU, 1x1 conv) and the resolution (2x2 avg-pool).

    features: conv0 7x7/2, norm0, relu0, pool0 3x3/2          (N, 64, H/4, W/4)
              denseblock1, transition1, ..., denseblock4, norm5  (N, C, H/32, W/32)
    relu, adaptive average pool, flatten, classifier (Linear C -> num_classes)

Initialization: convolutions kaiming_normal_ (fan_in), BatchNorm 1 / 0, Linear bias 0 (weight: Linear's
default). ``memory_efficient`` (torchvision's gradient checkpointing) is accepted and has no effect here.
"""
import re
from collections import OrderedDict

from ... import nn
from ...nn import functional as F
from ...ops.shape import cat, flatten
from ._api import WeightsEnum, register_model
from ._utils import _imagenet_weights, _weights_for

__all__ = ["DenseNet", "DenseNet121_Weights", "DenseNet161_Weights", "DenseNet169_Weights", "DenseNet201_Weights",
           "densenet121", "densenet161", "densenet169", "densenet201"]


class _DenseLayer(nn.Module):
    def __init__(self, num_input_features, growth_rate, bn_size, drop_rate, memory_efficient=False):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(num_input_features)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1, stride=1, bias=False)
        self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, stride=1, padding=1, bias=False)
        self.drop_rate = float(drop_rate)
        self.memory_efficient = memory_efficient

    def forward(self, input):
        prev_features = [input] if not isinstance(input, (list, tuple)) else input
        concated = cat(prev_features, 1)                                        # (N, C_in, H, W)
        bottleneck_output = self.conv1(self.relu1(self.norm1(concated)))        # (N, bn_size·k, H, W)
        new_features = self.conv2(self.relu2(self.norm2(bottleneck_output)))    # (N, k, H, W)
        if self.drop_rate > 0:
            new_features = F.dropout(new_features, p=self.drop_rate, training=self.training)
        return new_features


class _DenseBlock(nn.ModuleDict):
    def __init__(self, num_layers, num_input_features, bn_size, growth_rate, drop_rate, memory_efficient=False):
        super().__init__()
        for i in range(num_layers):
            layer = _DenseLayer(num_input_features + i * growth_rate, growth_rate=growth_rate, bn_size=bn_size,
                                drop_rate=drop_rate, memory_efficient=memory_efficient)
            self.add_module("denselayer%d" % (i + 1), layer)

    def forward(self, init_features):
        features = [init_features]
        for _name, layer in self.items():
            features.append(layer(features))   # each layer reads all the features so far
        return cat(features, 1)


class _Transition(nn.Sequential):
    def __init__(self, num_input_features, num_output_features):
        super().__init__()
        self.norm = nn.BatchNorm2d(num_input_features)
        self.relu = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(num_input_features, num_output_features, kernel_size=1, stride=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)


class DenseNet(nn.Module):
    def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16), num_init_features=64, bn_size=4, drop_rate=0,
                 num_classes=1000, memory_efficient=False):
        super().__init__()
        self.features = nn.Sequential(OrderedDict([
            ("conv0", nn.Conv2d(3, num_init_features, kernel_size=7, stride=2, padding=3, bias=False)),
            ("norm0", nn.BatchNorm2d(num_init_features)),
            ("relu0", nn.ReLU(inplace=True)),
            ("pool0", nn.MaxPool2d(kernel_size=3, stride=2, padding=1)),
        ]))
        num_features = num_init_features
        for i, num_layers in enumerate(block_config):
            block = _DenseBlock(num_layers=num_layers, num_input_features=num_features, bn_size=bn_size,
                                growth_rate=growth_rate, drop_rate=drop_rate, memory_efficient=memory_efficient)
            self.features.add_module("denseblock%d" % (i + 1), block)
            num_features = num_features + num_layers * growth_rate
            if i != len(block_config) - 1:
                trans = _Transition(num_input_features=num_features, num_output_features=num_features // 2)
                self.features.add_module("transition%d" % (i + 1), trans)
                num_features = num_features // 2
        self.features.add_module("norm5", nn.BatchNorm2d(num_features))
        self.classifier = nn.Linear(num_features, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, 0)

    def forward(self, x):
        features = self.features(x)                 # (N, C, H/32, W/32)
        out = F.relu(features, inplace=True)
        out = F.adaptive_avg_pool2d(out, (1, 1))    # (N, C, 1, 1)
        out = flatten(out, 1)
        out = self.classifier(out)                  # (N, num_classes)
        return out


# old checkpoints (torchvision's own .pth files among them) name denselayer submodules "norm.1", "conv.2", ...
_OLD_KEY = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var|num_batches_tracked))$")


def _rename_old_keys(state_dict):
    return OrderedDict((_OLD_KEY.sub(r"\1\2", key), value) for key, value in state_dict.items())


def _densenet(growth_rate, block_config, num_init_features, weights, weights_enum, arch, kwargs):
    _member, state_dict = _weights_for(weights, weights_enum, arch, kwargs, "classifier.weight")
    model = DenseNet(growth_rate, block_config, num_init_features, **kwargs)
    if state_dict is not None:
        model.load_state_dict(_rename_old_keys(state_dict))
    return model


_URL = "https://download.pytorch.org/models/"


class DenseNet121_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "densenet121-a639ec97.pth", 7978856, 74.434, 91.972, min_size=(29, 29))
    DEFAULT = IMAGENET1K_V1


class DenseNet161_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "densenet161-8d451a50.pth", 28681000, 77.138, 93.560, min_size=(29, 29))
    DEFAULT = IMAGENET1K_V1


class DenseNet169_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "densenet169-b2777c0a.pth", 14149480, 75.600, 92.806, min_size=(29, 29))
    DEFAULT = IMAGENET1K_V1


class DenseNet201_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights(_URL + "densenet201-c1103571.pth", 20013928, 76.896, 93.370, min_size=(29, 29))
    DEFAULT = IMAGENET1K_V1


@register_model(weights_enum=DenseNet121_Weights)
def densenet121(*, weights=None, progress=True, **kwargs):
    """DenseNet-121: growth 32, blocks (6, 12, 24, 16), 64 initial features; 7,978,856 parameters.
    ``weights``: None, a DenseNet121_Weights, a path or a state_dict (see _api); ``progress`` is ignored."""
    return _densenet(32, (6, 12, 24, 16), 64, weights, DenseNet121_Weights, "densenet121", kwargs)


@register_model(weights_enum=DenseNet161_Weights)
def densenet161(*, weights=None, progress=True, **kwargs):
    """DenseNet-161: growth 48, blocks (6, 12, 36, 24), 96 initial features; 28,681,000 parameters."""
    return _densenet(48, (6, 12, 36, 24), 96, weights, DenseNet161_Weights, "densenet161", kwargs)


@register_model(weights_enum=DenseNet169_Weights)
def densenet169(*, weights=None, progress=True, **kwargs):
    """DenseNet-169: growth 32, blocks (6, 12, 32, 32); 14,149,480 parameters."""
    return _densenet(32, (6, 12, 32, 32), 64, weights, DenseNet169_Weights, "densenet169", kwargs)


@register_model(weights_enum=DenseNet201_Weights)
def densenet201(*, weights=None, progress=True, **kwargs):
    """DenseNet-201: growth 32, blocks (6, 12, 48, 32); 20,013,928 parameters."""
    return _densenet(32, (6, 12, 48, 32), 64, weights, DenseNet201_Weights, "densenet201", kwargs)
