"""A small ResNet for 28x28 / 32x32 images (MNIST, Fashion-MNIST, CIFAR-10): a glasstorch addition.

torchvision's ResNets are built for 224x224 ImageNet images: their stem (a 7x7 stride-2 convolution and a
stride-2 max-pool) divides the resolution by 4 before the first block, and 32 overall, which would leave
a 28x28 digit at 1x1 after three stages. This one keeps the blocks (torchvision's ``BasicBlock``) and
changes the rest, as He et al. did for CIFAR-10 (section 4.2 of the paper):

    input                                       (N, in_channels, H, W)      H = W = 28 or 32
    conv1  3x3, widths[0], stride 1, pad 1      (N, widths[0], H, W)        no max-pool
    bn1, relu
    layer1  blocks[0] BasicBlocks, stride 1     (N, widths[0], H, W)
    layer2  blocks[1] BasicBlocks, stride 2     (N, widths[1], H/2, W/2)
    layer3  blocks[2] BasicBlocks, stride 2     (N, widths[2], H/4, W/4)    (and so on, one stage per width)
    avgpool (adaptive, to 1 x 1), flatten       (N, widths[-1])
    fc                                          (N, num_classes)

The default (widths (16, 32, 64), one block per stage) has 77,754 parameters for MNIST (``in_channels=1``,
10 classes); ``blocks=(3, 3, 3)`` is the paper's ResNet-20 for CIFAR-10 (with 1x1-convolution shortcuts,
torchvision's, where the paper used zero-padding). Names follow torchvision's ResNet (``conv1``, ``bn1``,
``layer1.0.conv1.weight``, ``layer2.0.downsample.0.weight``, ``fc.weight``) and so does the initialization.
"""
from ... import nn
from ...ops.shape import flatten
from .resnet import BasicBlock, conv1x1, load_weights

__all__ = ["SmallResNet", "small_resnet"]


class SmallResNet(nn.Module):
    """A ResNet with a 3x3 stem and no max-pool; one stage of BasicBlocks per entry of ``widths``; the first
    stage keeps the resolution, each later one halves it."""

    def __init__(self, in_channels=1, num_classes=10, widths=(16, 32, 64), blocks=(1, 1, 1),
                 zero_init_residual=False):
        super().__init__()
        if len(widths) != len(blocks) or len(widths) == 0:
            raise ValueError(f"widths and blocks need one entry per stage, got widths={widths}, blocks={blocks}")
        self.widths = tuple(widths)
        self.blocks = tuple(blocks)
        self.inplanes = widths[0]
        # the stem: (N, C, H, W) -> (N, widths[0], H, W)
        self.conv1 = nn.Conv2d(in_channels, widths[0], kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        # the stages, registered as layer1, layer2, ... (torchvision's names)
        for i, (width, count) in enumerate(zip(widths, blocks)):
            stride = 1 if i == 0 else 2
            setattr(self, f"layer{i + 1}", self._make_layer(width, count, stride))
        # the head
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[-1], num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, BasicBlock):
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, planes, count, stride):
        """``count`` BasicBlocks; the first takes the stride and, if the shape changes, a 1x1 shortcut."""
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes, stride), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        for _ in range(1, count):
            layers.append(BasicBlock(planes, planes))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.conv1(x)                               # (N, widths[0], H, W)
        x = self.bn1(x)
        x = self.relu(x)
        for i in range(len(self.widths)):
            x = getattr(self, f"layer{i + 1}")(x)       # stage i: (N, widths[i], H / 2^i, W / 2^i)
        x = self.avgpool(x)                             # (N, widths[-1], 1, 1)
        x = flatten(x, 1)                               # (N, widths[-1])
        return self.fc(x)                               # (N, num_classes)


def small_resnet(in_channels=1, num_classes=10, widths=(16, 32, 64), blocks=(1, 1, 1), *, weights=None,
                 **kwargs):
    """A SmallResNet for 28x28 / 32x32 inputs (glasstorch addition): ``in_channels=1`` for MNIST, 3 for
    CIFAR-10. ``weights``: None, a path (glasstorch checkpoint or .npz) or a state_dict, as for resnet18."""
    model = SmallResNet(in_channels, num_classes, widths, blocks, **kwargs)
    if weights is not None:
        model.load_state_dict(load_weights(weights, "small_resnet"))
    return model
