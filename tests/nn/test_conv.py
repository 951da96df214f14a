"""Conv1d, Conv2d, ConvTranspose1d and ConvTranspose2d modules against PyTorch: the same weights give the same
outputs and gradients; repr, state_dict keys, weight shapes, default init ranges, padding modes, output_size
and the constructor's errors are PyTorch's; a small CNN matches end to end."""
import math

import numpy as np
import pytest
import torch

import glasstorch
from twins import compare_forward_backward, same_repr, twins

MODULES = [
    (lambda nn: nn.Conv2d(1, 8, 3, padding=1), (2, 1, 8, 8)),
    (lambda nn: nn.Conv2d(6, 4, (3, 2), stride=2, padding=(1, 0), dilation=2, groups=2, bias=False), (2, 6, 9, 8)),
    (lambda nn: nn.Conv2d(5, 5, 3, groups=5, padding="same"), (2, 5, 6, 7)),
    (lambda nn: nn.Conv2d(3, 6, 4, padding="same", padding_mode="circular"), (2, 3, 7, 8)),
    (lambda nn: nn.Conv2d(3, 6, 3, padding=2, padding_mode="reflect"), (2, 3, 7, 8)),
    (lambda nn: nn.Conv2d(3, 6, 3, stride=2, padding=1, padding_mode="replicate"), (3, 7, 8)),
    (lambda nn: nn.Conv2d(6, 4, 3, padding="valid"), (6, 5, 5)),
    (lambda nn: nn.Conv1d(4, 6, 3, padding=1, groups=2), (2, 4, 9)),
    (lambda nn: nn.Conv1d(4, 6, 5, stride=2, dilation=2, padding_mode="reflect", padding=2), (2, 4, 11)),
    (lambda nn: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2), (2, 4, 5, 5)),
    (lambda nn: nn.ConvTranspose2d(4, 3, (2, 3), stride=(2, 1), dilation=(1, 2), bias=False), (4, 5, 5)),
    (lambda nn: nn.ConvTranspose1d(4, 6, 3, stride=2), (2, 4, 5)),
]


@pytest.mark.parametrize("build,shape", MODULES, ids=[str(i) for i in range(len(MODULES))])
def test_module_matches_pytorch(build, shape):
    t, g = twins(lambda lib: build(lib.nn))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict())
    assert g.weight.shape == t.weight.shape
    assert (g.bias is None) == (t.bias is None)
    for name in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "transposed",
                 "output_padding", "groups", "padding_mode"):
        assert getattr(g, name) == getattr(t, name), name
    assert list(g._reversed_padding_repeated_twice) == list(t._reversed_padding_repeated_twice)
    compare_forward_backward(t, g, shape)


def test_default_init_ranges():
    for conv, fan_in in ((glasstorch.nn.Conv2d(16, 32, 3), 16 * 9), (glasstorch.nn.Conv1d(4, 8, 5, groups=2), 2 * 5),
                         (glasstorch.nn.ConvTranspose2d(8, 12, 3, groups=2), 6 * 9)):
        bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=√5) and the bias both give U(±1/√fan_in)
        w, b = conv.weight.detach().numpy(), conv.bias.detach().numpy()
        assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
        assert w.std() > 0.4 * bound  # spread over the range, not collapsed
        assert w.dtype == np.float32
    assert glasstorch.nn.Conv2d(2, 3, 3, dtype=glasstorch.float64).weight.dtype == glasstorch.float64
    assert glasstorch.nn.Conv2d(2, 3, 3, bias=False).bias is None


def test_float64_module():
    t, g = twins(lambda lib: lib.nn.Conv2d(3, 4, 3, padding=1, dtype=lib.float64))
    compare_forward_backward(t, g, (2, 3, 5, 5), dtype=np.float64, tol=dict(rtol=1e-10, atol=1e-12))


def test_conv_transpose_output_size():
    t, g = twins(lambda lib: lib.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1))
    x = np.random.default_rng(0).standard_normal((2, 4, 5, 5)).astype(np.float32)
    for size in ([10, 10], [2, 6, 9, 10], (9, 9)):
        want = t(torch.from_numpy(x), output_size=size)
        got = g(glasstorch.from_numpy(x), output_size=size)
        assert tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-4, atol=1e-5)
    for lib, model in ((torch, t), (glasstorch, g)):
        with pytest.raises(ValueError, match=r"requested an output size of \[12, 12\], but valid sizes range from "
                                             r"\[9, 9\] to \[10, 10\]"):
            model(lib.from_numpy(x), output_size=[12, 12])


@pytest.mark.parametrize("make,message", [
    (lambda nn: nn.Conv2d(3, 4, 3, groups=2), "in_channels must be divisible by groups"),
    (lambda nn: nn.Conv2d(4, 3, 3, groups=2), "out_channels must be divisible by groups"),
    (lambda nn: nn.Conv2d(4, 4, 3, groups=0), "groups must be a positive integer"),
    (lambda nn: nn.Conv2d(4, 4, 3, padding="full"), "Invalid padding string 'full'"),
    (lambda nn: nn.Conv2d(4, 4, 3, padding="same", stride=2), "padding='same' is not supported for strided"),
    (lambda nn: nn.Conv2d(4, 4, 3, padding_mode="mirror"), "padding_mode must be one of"),
    (lambda nn: nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
     'Only "zeros" padding mode is supported for ConvTranspose2d'),
])
def test_constructor_errors_match_pytorch(make, message):
    for lib in (torch, glasstorch):
        with pytest.raises(ValueError, match=message):
            make(lib.nn)


def test_wrong_channels_message():
    conv = glasstorch.nn.Conv2d(1, 32, 3)
    with pytest.raises(RuntimeError, match=r"^Given groups=1, weight of size \[32, 1, 3, 3\], expected "
                                           r"input\[64, 3, 28, 28\] to have 1 channels, but got 3 channels instead$"):
        conv(glasstorch.zeros(64, 3, 28, 28))


def test_small_cnn_matches_pytorch():
    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 8, 3, stride=2, padding=1),
                             nn.Tanh(), nn.Conv2d(8, 6, 3, groups=2), nn.Flatten(), nn.Linear(6 * 2 * 2, 3))
    t, g = twins(build)
    same_repr(t, g)
    compare_forward_backward(t, g, (3, 1, 8, 8))
