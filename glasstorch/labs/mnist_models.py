"""The course's three MNIST models, as ``nn.Sequential`` stacks.

Each builder takes the ``nn`` module to build with, so the very same definition makes the glasstorch model
in the lab and the PyTorch model in ``benchmarks/`` (``mlp(torch.nn)``). Shapes are for 28×28 images; other
square sizes (the 8×8 digits) work too, the flattened size follows from ``size``.
"""


def mlp(nn, in_channels=1, size=28, num_classes=10):
    """784 → 256 → 128 → 10, ReLU, dropout 0.2."""
    return nn.Sequential(
        nn.Flatten(),                                   # (N, 1, 28, 28) → (N, 784)
        nn.Linear(in_channels * size * size, 256), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(128, num_classes),
    )


def cnn(nn, in_channels=1, size=28, num_classes=10):
    """Two 3×3 convolutions (32, 64 channels) each followed by ReLU and 2×2 max-pooling, dropout 0.25, FC 128."""
    flat = 64 * (size // 4) * (size // 4)               # 64 × 7 × 7 = 3136 for 28×28
    return nn.Sequential(
        nn.Conv2d(in_channels, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # (N, 32, 14, 14)
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),            # (N, 64, 7, 7)
        nn.Dropout(0.25),
        nn.Flatten(),                                                           # (N, 3136)
        nn.Linear(flat, 128), nn.ReLU(),
        nn.Linear(128, num_classes),
    )


def _block(nn, cin, cout):
    """conv 3×3 → batch norm → ReLU → 2×2 max-pool (the conv has no bias: batch norm's shift replaces it)."""
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)]


def improved_cnn(nn, in_channels=1, size=28, num_classes=10):
    """Three conv-BN-ReLU-pool blocks (32, 64, 128 channels), FC 256, dropout 0.3."""
    flat = 128 * (size // 8) * (size // 8)              # 128 × 3 × 3 = 1152 for 28×28
    return nn.Sequential(
        *_block(nn, in_channels, 32),                   # (N, 32, 14, 14)
        *_block(nn, 32, 64),                            # (N, 64, 7, 7)
        *_block(nn, 64, 128),                           # (N, 128, 3, 3)
        nn.Flatten(),
        nn.Linear(flat, 256), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(256, num_classes),
    )


MODELS = {"mlp": mlp, "cnn": cnn, "improved-cnn": improved_cnn}
