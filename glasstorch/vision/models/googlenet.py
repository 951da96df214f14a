"""GoogLeNet (Inception v1; Szegedy et al., "Going Deeper with Convolutions", 2014), as torchvision.

An Inception block runs four branches side by side and concatenates them: a 1x1 convolution; 1x1 then
3x3; 1x1 then "5x5" (3x3 in torchvision, a known bug kept for its weights); a 3x3 max-pool then 1x1. Every
convolution is ``BasicConv2d``: Conv2d (no bias), BatchNorm (eps 0.001), ReLU.

``aux_logits=True`` adds two auxiliary classifiers (after inception4a and 4d) that run in training mode;
then forward returns ``GoogLeNetOutputs(logits, aux_logits2, aux_logits1)``, otherwise the logits alone.
``transform_input=True`` maps inputs normalized with ImageNet's mean/std to the [-1, 1] scaling the ported
TensorFlow weights expect. Initialization (init_weights, default True with a FutureWarning when not given):
Conv2d and Linear weights from a normal N(0, 0.01) truncated to ±2 (absolute, as torchvision's
trunc_normal_(std=0.01, a=-2, b=2)), BatchNorm 1 / 0, biases left at their default.
"""
import warnings
from collections import namedtuple

from ... import nn
from ...nn import functional as F
from ...ops.shape import cat, flatten, unsqueeze
from ._api import WeightsEnum, register_model
from ._utils import _imagenet_weights, _names_member, _ovewrite_named_param, _weights_for

__all__ = ["GoogLeNet", "GoogLeNetOutputs", "_GoogLeNetOutputs", "GoogLeNet_Weights", "googlenet"]

GoogLeNetOutputs = namedtuple("GoogLeNetOutputs", ["logits", "aux_logits2", "aux_logits1"])
_GoogLeNetOutputs = GoogLeNetOutputs


def _transform_input(x):
    """x normalized with ImageNet's mean/std -> (x_raw - 0.5) / 0.5, channel by channel."""
    x_ch0 = unsqueeze(x[:, 0], 1) * (0.229 / 0.5) + (0.485 - 0.5) / 0.5
    x_ch1 = unsqueeze(x[:, 1], 1) * (0.224 / 0.5) + (0.456 - 0.5) / 0.5
    x_ch2 = unsqueeze(x[:, 2], 1) * (0.225 / 0.5) + (0.406 - 0.5) / 0.5
    return cat((x_ch0, x_ch1, x_ch2), 1)


class GoogLeNet(nn.Module):
    def __init__(self, num_classes=1000, aux_logits=True, transform_input=False, init_weights=None, blocks=None,
                 dropout=0.2, dropout_aux=0.7):
        super().__init__()
        if blocks is None:
            blocks = [BasicConv2d, Inception, InceptionAux]
        if init_weights is None:
            warnings.warn("The default weight initialization of GoogleNet will be changed in future releases of "
                          "torchvision. If you wish to keep the old behavior (which leads to long initialization "
                          "times due to scipy/scipy#11299), please set init_weights=True.", FutureWarning)
            init_weights = True
        if len(blocks) != 3:
            raise ValueError(f"blocks length should be 3 instead of {len(blocks)}")
        conv_block, inception_block, inception_aux_block = blocks

        self.aux_logits = aux_logits
        self.transform_input = transform_input

        self.conv1 = conv_block(3, 64, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = conv_block(64, 64, kernel_size=1)
        self.conv3 = conv_block(64, 192, kernel_size=3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)

        self.inception3a = inception_block(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = inception_block(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)

        self.inception4a = inception_block(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = inception_block(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = inception_block(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = inception_block(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = inception_block(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)

        self.inception5a = inception_block(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = inception_block(832, 384, 192, 384, 48, 128, 128)

        if aux_logits:
            self.aux1 = inception_aux_block(512, num_classes, dropout=dropout_aux)
            self.aux2 = inception_aux_block(528, num_classes, dropout=dropout_aux)
        else:
            self.aux1 = None
            self.aux2 = None

        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(1024, num_classes)

        if init_weights:
            for m in self.modules():
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    nn.init.trunc_normal_(m.weight, mean=0.0, std=0.01, a=-2, b=2)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)

    def _transform_input(self, x):
        return _transform_input(x) if self.transform_input else x

    def _forward(self, x):
        x = self.conv1(x)           # (N, 64, 112, 112) for a 224 x 224 input
        x = self.maxpool1(x)        # (N, 64, 56, 56)
        x = self.conv2(x)
        x = self.conv3(x)           # (N, 192, 56, 56)
        x = self.maxpool2(x)        # (N, 192, 28, 28)
        x = self.inception3a(x)     # (N, 256, 28, 28)
        x = self.inception3b(x)     # (N, 480, 28, 28)
        x = self.maxpool3(x)        # (N, 480, 14, 14)
        x = self.inception4a(x)     # (N, 512, 14, 14)
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4b(x)
        x = self.inception4c(x)
        x = self.inception4d(x)     # (N, 528, 14, 14)
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.inception4e(x)     # (N, 832, 14, 14)
        x = self.maxpool4(x)        # (N, 832, 7, 7)
        x = self.inception5a(x)
        x = self.inception5b(x)     # (N, 1024, 7, 7)
        x = self.avgpool(x)
        x = flatten(x, 1)           # (N, 1024)
        x = self.dropout(x)
        x = self.fc(x)              # (N, num_classes)
        return x, aux2, aux1

    def eager_outputs(self, x, aux2, aux1):
        if self.training and self.aux_logits:
            return _GoogLeNetOutputs(x, aux2, aux1)
        return x

    def forward(self, x):
        x = self._transform_input(x)
        x, aux2, aux1 = self._forward(x)
        return self.eager_outputs(x, aux2, aux1)


class Inception(nn.Module):
    def __init__(self, in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj, conv_block=None):
        super().__init__()
        if conv_block is None:
            conv_block = BasicConv2d
        self.branch1 = conv_block(in_channels, ch1x1, kernel_size=1)
        self.branch2 = nn.Sequential(conv_block(in_channels, ch3x3red, kernel_size=1),
                                     conv_block(ch3x3red, ch3x3, kernel_size=3, padding=1))
        self.branch3 = nn.Sequential(conv_block(in_channels, ch5x5red, kernel_size=1),
                                     # kernel_size=3 instead of 5: torchvision's known bug (pytorch/vision#906)
                                     conv_block(ch5x5red, ch5x5, kernel_size=3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(kernel_size=3, stride=1, padding=1, ceil_mode=True),
                                     conv_block(in_channels, pool_proj, kernel_size=1))

    def forward(self, x):
        outputs = [self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)]
        return cat(outputs, 1)      # (N, ch1x1 + ch3x3 + ch5x5 + pool_proj, H, W)


class InceptionAux(nn.Module):
    def __init__(self, in_channels, num_classes, conv_block=None, dropout=0.7):
        super().__init__()
        if conv_block is None:
            conv_block = BasicConv2d
        self.conv = conv_block(in_channels, 128, kernel_size=1)
        self.fc1 = nn.Linear(2048, 1024)
        self.fc2 = nn.Linear(1024, num_classes)
        self.dropout = nn.Dropout(p=dropout)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(x, (4, 4))    # (N, C, 4, 4)
        x = self.conv(x)                        # (N, 128, 4, 4)
        x = flatten(x, 1)                       # (N, 2048)
        x = F.relu(self.fc1(x), inplace=True)   # (N, 1024)
        x = self.dropout(x)
        x = self.fc2(x)                         # (N, num_classes)
        return x


class BasicConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x):
        x = self.conv(x)
        x = self.bn(x)
        return F.relu(x, inplace=True)


class GoogLeNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights("https://download.pytorch.org/models/googlenet-1378be20.pth", 6624904,
                                      69.778, 89.530, min_size=(15, 15))
    DEFAULT = IMAGENET1K_V1


@register_model(weights_enum=GoogLeNet_Weights)
def googlenet(*, weights=None, progress=True, **kwargs):
    """GoogLeNet; 6,624,904 parameters without the auxiliary heads.

    ``weights``: None, a GoogLeNet_Weights, a path or a state_dict (see _api); ``progress`` is ignored.
    With an enum member, transform_input defaults to True and aux_logits to False, as in torchvision (the
    checkpoint's auxiliary heads are not trained and are dropped unless aux_logits=True).
    """
    if _names_member(weights, GoogLeNet_Weights) or kwargs.get("pretrained"):
        if "transform_input" not in kwargs:
            _ovewrite_named_param(kwargs, "transform_input", True)
        if "aux_logits" not in kwargs:
            _ovewrite_named_param(kwargs, "aux_logits", False)
        if kwargs["aux_logits"]:
            warnings.warn("auxiliary heads in the pretrained googlenet model are NOT pretrained, so make sure to "
                          "train them")
        original_aux_logits = kwargs["aux_logits"]
        kwargs["aux_logits"] = True
        kwargs["init_weights"] = False
    else:
        original_aux_logits = None
    _member, state_dict = _weights_for(weights, GoogLeNet_Weights, "googlenet", kwargs, "fc.weight")
    model = GoogLeNet(**kwargs)
    if state_dict is not None:
        model.load_state_dict(state_dict)
        if original_aux_logits is False:
            model.aux_logits = False
            model.aux1 = None
            model.aux2 = None
    return model
