"""AlexNet (Krizhevsky et al., 2012), in torchvision's one-GPU variant ("One weird trick", 2014).

    input                                   (N, 3, 224, 224)
    features: 5 convolutions with ReLU,     (N, 256, 6, 6)
              3 max-pools 3x3/2
    avgpool (adaptive, to 6 x 6)            (N, 256, 6, 6)   any input of at least 63 x 63
    classifier: Dropout, Linear 9216->4096, ReLU, Dropout, Linear 4096->4096, ReLU, Linear -> num_classes

The layers keep PyTorch's default initialization (torchvision sets none). 61,100,840 parameters.
"""
from ... import nn
from ...ops.shape import flatten
from ._api import WeightsEnum, register_model
from ._utils import _build, _imagenet_weights

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]


class AlexNet(nn.Module):
    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),    # (N, 64, 55, 55)
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),                    # (N, 64, 27, 27)
            nn.Conv2d(64, 192, kernel_size=5, padding=2),             # (N, 192, 27, 27)
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),                    # (N, 192, 13, 13)
            nn.Conv2d(192, 384, kernel_size=3, padding=1),            # (N, 384, 13, 13)
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),            # (N, 256, 13, 13)
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),            # (N, 256, 13, 13)
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),                    # (N, 256, 6, 6)
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = flatten(x, 1)           # (N, 9216)
        x = self.classifier(x)      # (N, num_classes)
        return x


class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet_weights("https://download.pytorch.org/models/alexnet-owt-7be5be79.pth",
                                      61100840, 56.522, 79.066, min_size=(63, 63))
    DEFAULT = IMAGENET1K_V1


@register_model(weights_enum=AlexNet_Weights)
def alexnet(*, weights=None, progress=True, **kwargs):
    """AlexNet. ``weights``: None, an ``AlexNet_Weights`` (read from the torch hub cache; see ``_api``), a
    path or a state_dict. ``progress`` is ignored (nothing is downloaded). kwargs: num_classes, dropout."""
    return _build(AlexNet, weights, AlexNet_Weights, "alexnet", kwargs, "classifier.6.weight")
