"""glasstorch prints as PyTorch (issue 15 item 7): a program that prints a dtype, a shape, a tensor, a
Parameter, a model, an optimizer or a distribution shows PyTorch's text, and ``str(x.dtype) == "torch.float32"``
holds (glasstorch is the torch namespace under ``import glasstorch as torch``)."""
import numpy as np
import pytest
import torch

import glasstorch

EXPRESSIONS = [
    lambda T: T.float32,
    lambda T: T.int64,
    lambda T: T.bfloat16,
    lambda T: T.ones(2, 3).shape,
    lambda T: T.Size([]),
    lambda T: T.ones(2, 3).dtype,
    lambda T: T.ones(2, 3).type(),
    lambda T: T.FloatTensor,
    lambda T: T.strided,
    lambda T: T.channels_last,
    lambda T: T.tensor([1, 2], dtype=T.int32),
    lambda T: T.tensor([[1.5, -2.25], [3.0, 4.125]], dtype=T.float64),
    lambda T: T.zeros(0, 3, dtype=T.int16),
    lambda T: T.tensor([1e-8, 1.0, 1e8]),
    lambda T: T.arange(2000.0),
    lambda T: T.tensor([True, False]),
    lambda T: T.nn.Parameter(T.tensor([1.0, 2.0])),
    lambda T: T.tensor([1.0, 2.0], requires_grad=True) * 2,
    lambda T: T.tensor([[3.0, 1.0], [2.0, 5.0]]).max(0),
    lambda T: T.tensor([3.0, 1.0, 2.0]).sort(),
    lambda T: T.nn.Sequential(T.nn.Conv2d(1, 8, 3, padding=1), T.nn.BatchNorm2d(8), T.nn.ReLU(),
                              T.nn.MaxPool2d(2), T.nn.Flatten(), T.nn.Dropout(0.25), T.nn.Linear(8 * 14 * 14, 10)),
    lambda T: T.nn.LSTM(10, 20, num_layers=2, batch_first=True, dropout=0.1),
    lambda T: T.nn.TransformerEncoderLayer(16, 2, dim_feedforward=32, batch_first=True),
    lambda T: T.nn.ModuleDict({"a": T.nn.Linear(2, 2), "b": T.nn.GELU(approximate="tanh")}),
    lambda T: T.nn.CrossEntropyLoss(label_smoothing=0.1),
    lambda T: T.nn.Embedding(10, 3, padding_idx=0),
    lambda T: T.optim.Adam(T.nn.Linear(2, 2).parameters(), lr=1e-3, weight_decay=0.01),
    lambda T: T.optim.SGD([{"params": [T.nn.Parameter(T.ones(1))]}, {"params": [T.nn.Parameter(T.ones(1))],
                                                                        "lr": 0.5}], lr=0.1, momentum=0.9),
    lambda T: T.distributions.Normal(T.tensor([0.0, 1.0]), T.tensor([1.0, 2.0])),
    lambda T: T.distributions.Categorical(probs=T.tensor([0.25, 0.75])),
    lambda T: T.finfo(T.float32),
    lambda T: T.device("cpu"),
]


@pytest.mark.parametrize("i", range(len(EXPRESSIONS)))
def test_repr_and_str_equal_pytorchs(i):
    make = EXPRESSIONS[i]
    ours, theirs = make(glasstorch), make(torch)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


def test_programs_comparing_printed_names_work():
    x = glasstorch.ones(2)
    assert str(x.dtype) == "torch.float32" and f"{x.shape}" == "torch.Size([2])"
    assert x.type() == "torch.FloatTensor" and x.type("torch.DoubleTensor").dtype == glasstorch.float64
    assert x.type("glasstorch.IntTensor").dtype == glasstorch.int32  # glasstorch's own name still parses


@pytest.mark.parametrize("options", [dict(precision=2), dict(sci_mode=True), dict(threshold=5, edgeitems=2),
                                     dict(linewidth=40), dict(profile="short"), dict(profile="full")])
def test_set_printoptions(options):
    values = np.random.default_rng(0).standard_normal((4, 30)).astype(np.float32) * 100
    try:
        torch.set_printoptions(**options)
        glasstorch.set_printoptions(**options)
        assert repr(glasstorch.tensor(values)) == repr(torch.tensor(values))
        assert repr(glasstorch.tensor(values[0, :3], dtype=glasstorch.float64)) == \
            repr(torch.tensor(values[0, :3], dtype=torch.float64))
    finally:
        torch.set_printoptions(profile="default")
        glasstorch.set_printoptions(profile="default")
