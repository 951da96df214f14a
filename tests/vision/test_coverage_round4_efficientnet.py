"""EfficientNet B0-B7 and V2 (torchvision.models.efficientnet) in glasstorch: parameter counts (torchvision's
``weights.meta["num_params"]``), state_dict keys, the configurations, and an MBConv block against the same block
written with torch.nn (the glasstorch state_dict loaded into it). The biggest variants (B6, B7, V2-M, V2-L:
10-16 s each to build) are counted from their stage tables instead of built."""
import numpy as np
import pytest
import torch
from torch import nn as tnn

import glasstorch
from glasstorch.vision import models
from glasstorch.vision.models import efficientnet as ge

PARAMS = {"efficientnet_b0": 5_288_548, "efficientnet_b1": 7_794_184, "efficientnet_b2": 9_109_994,
          "efficientnet_b3": 12_233_232, "efficientnet_b4": 19_341_616, "efficientnet_b5": 30_389_784,
          "efficientnet_b6": 43_040_704, "efficientnet_b7": 66_347_960, "efficientnet_v2_s": 21_458_488,
          "efficientnet_v2_m": 54_139_356, "efficientnet_v2_l": 118_515_272}
BUILT = ["efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3", "efficientnet_v2_s"]
MULTS = {"efficientnet_b6": (1.8, 2.6), "efficientnet_b7": (2.0, 3.1), "efficientnet_v2_m": (1.0, 1.0),
         "efficientnet_v2_l": (1.0, 1.0)}


def n_params(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("name", BUILT)
def test_parameter_counts_built(name):
    model = models.get_model(name)
    assert n_params(model) == PARAMS[name]
    assert models.get_model_weights(name).DEFAULT.meta["num_params"] == PARAMS[name]
    assert models.get_model_builder(name) is getattr(models, name)


@pytest.mark.parametrize("name", sorted(MULTS))
def test_parameter_counts_from_stages(name):
    setting, last_channel = ge._efficientnet_conf(name, *MULTS[name])
    bn = glasstorch.nn.BatchNorm2d
    total = 3 * setting[0].input_channels * 9 + 2 * setting[0].input_channels          # stem conv + BN
    for cnf in setting:
        first = cnf.block(cnf, 0.0, bn)
        total += n_params(first)
        if cnf.num_layers > 1:
            import copy
            rest = copy.copy(cnf)
            rest.input_channels, rest.stride = rest.out_channels, 1
            total += (cnf.num_layers - 1) * n_params(rest.block(rest, 0.0, bn))
    last_in = setting[-1].out_channels
    last_out = last_channel if last_channel is not None else 4 * last_in
    total += last_in * last_out + 2 * last_out + last_out * 1000 + 1000
    assert total == PARAMS[name]
    assert models.get_model_weights(name).DEFAULT.meta["num_params"] == PARAMS[name]


def test_b0_keys_shapes_and_settings():
    model = models.efficientnet_b0()
    sd = model.state_dict()
    assert len(sd) == 360
    assert tuple(sd["features.0.0.weight"].shape) == (32, 3, 3, 3)
    assert tuple(sd["features.1.0.block.0.0.weight"].shape) == (32, 1, 3, 3)          # expand ratio 1: no expand
    assert tuple(sd["features.1.0.block.1.fc1.weight"].shape) == (8, 32, 1, 1)        # SE squeeze to 32 // 4
    assert tuple(sd["features.2.0.block.0.0.weight"].shape) == (96, 16, 1, 1)
    assert tuple(sd["features.6.3.block.1.0.weight"].shape) == (1152, 1, 5, 5)
    assert tuple(sd["features.8.0.weight"].shape) == (1280, 320, 1, 1)
    assert tuple(sd["classifier.1.weight"].shape) == (1000, 1280)
    assert model.classifier[0].p == 0.2
    probs = [b.stochastic_depth.p for stage in model.features[1:8] for b in stage]
    np.testing.assert_allclose(probs, 0.2 * np.arange(16) / 16)
    b5_bn = ge._BN_V1_LARGE(4)
    assert b5_bn.eps == 0.001 and b5_bn.momentum == 0.01
    assert models.EfficientNet_B1_Weights.DEFAULT is models.EfficientNet_B1_Weights.IMAGENET1K_V2
    t = models.EfficientNet_V2_L_Weights.DEFAULT.transforms()
    assert t.mean == [0.5, 0.5, 0.5] and t.crop_size == [480]
    assert models.EfficientNet_V2_S_Weights.DEFAULT.meta["min_size"] == (33, 33)


def test_v2_s_fused_blocks():
    model = models.efficientnet_v2_s()
    assert isinstance(model.features[1][0], ge.FusedMBConv) and isinstance(model.features[4][0], ge.MBConv)
    sd = model.state_dict()
    assert tuple(sd["features.2.0.block.0.0.weight"].shape) == (96, 24, 3, 3)          # fused expand
    assert tuple(sd["features.7.0.weight"].shape) == (1280, 256, 1, 1)
    assert model.features[0][1].eps == 1e-3


def test_forward_backward_num_classes_and_errors():
    glasstorch.manual_seed(0)
    model = models.efficientnet_b0(num_classes=3)
    x = glasstorch.randn(2, 3, 32, 32, requires_grad=True)
    out = model(x)
    assert tuple(out.shape) == (2, 3)
    out.sum().backward()
    assert x.grad is not None
    with pytest.raises(ValueError, match="should not be empty"):
        models.EfficientNet([], 0.2)
    with pytest.raises(TypeError, match=r"List\[MBConvConfig\]"):
        models.EfficientNet([1], 0.2)
    with pytest.raises(ValueError, match="Unsupported model type"):
        ge._efficientnet_conf("efficientnet_x")
    with pytest.raises(ValueError, match="illegal stride"):
        ge.MBConv(ge.MBConvConfig(6, 3, 3, 16, 16, 1), 0.0, glasstorch.nn.BatchNorm2d)


@pytest.mark.parametrize("stride,inp,out", [(1, 16, 16), (2, 16, 24)])
def test_mbconv_matches_torch(stride, inp, out):
    glasstorch.manual_seed(4)
    cnf = ge.MBConvConfig(6, 3, stride, inp, out, 1)
    g = ge.MBConv(cnf, 0.0, glasstorch.nn.BatchNorm2d)
    for m in g.modules():
        if isinstance(m, glasstorch.nn.BatchNorm2d):
            m.running_mean.copy_(glasstorch.randn(m.num_features) * 0.1)
            m.running_var.copy_(glasstorch.rand(m.num_features) + 0.5)
    g.eval().double()
    mid = inp * 6

    def cna(i, o, k, s=1, groups=1, act=True):
        layers = [tnn.Conv2d(i, o, k, s, (k - 1) // 2, groups=groups, bias=False), tnn.BatchNorm2d(o)]
        return tnn.Sequential(*(layers + [tnn.SiLU()] if act else layers))

    class SE(tnn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = tnn.Conv2d(mid, inp // 4, 1), tnn.Conv2d(inp // 4, mid, 1)

        def forward(self, x):
            s = x.mean((2, 3), keepdim=True)
            return torch.sigmoid(self.fc2(torch.nn.functional.silu(self.fc1(s)))) * x

    t = tnn.Module()
    t.block = tnn.Sequential(cna(inp, mid, 1), cna(mid, mid, 3, stride, groups=mid), SE(), cna(mid, out, 1, act=False))
    t.double()
    t.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in g.state_dict().items()})
    t.eval()
    x = np.random.RandomState(5).randn(2, inp, 8, 8)
    gx, tx = glasstorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    gy = g(gx)
    ty = t.block(tx) + (tx if stride == 1 and inp == out else 0)
    np.testing.assert_allclose(gy.detach().numpy(), ty.detach().numpy(), rtol=1e-9, atol=1e-11)
    gy.pow(2).sum().backward()
    ty.pow(2).sum().backward()
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=1e-8, atol=1e-10)
