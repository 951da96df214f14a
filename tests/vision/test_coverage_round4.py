"""Round 4 of torchvision coverage: ShuffleNet V2 and MNASNet, get_model_builder, v2's MixUp/CutMix and the
v2 helper functions (check_type, has_any, has_all, query_chw, query_size).

torchvision does not install beside the PyTorch the tests use. The parameter counts are torchvision's own
(``weights.meta["num_params"]`` in its source); the sampled state_dict keys and shapes follow its module names.
The building blocks are checked against the same blocks written with torch.nn (same keys, the glasstorch
state_dict loaded into them): outputs and input gradients must agree.
"""
import numpy as np
import pytest
import torch
from torch import nn as tnn

import glasstorch
from glasstorch.vision import models
from glasstorch.vision.models import mnasnet as gmnas
from glasstorch.vision.models import shufflenetv2 as gshuffle
from glasstorch.vision.transforms import v2

PARAMS = {
    "shufflenet_v2_x0_5": 1_366_792, "shufflenet_v2_x1_0": 2_278_604, "shufflenet_v2_x1_5": 3_503_624,
    "shufflenet_v2_x2_0": 7_393_996,
    "mnasnet0_5": 2_218_512, "mnasnet0_75": 3_170_208, "mnasnet1_0": 4_383_312, "mnasnet1_3": 6_282_256,
}
WEIGHTS = {
    "shufflenet_v2_x0_5": models.ShuffleNet_V2_X0_5_Weights, "shufflenet_v2_x1_0": models.ShuffleNet_V2_X1_0_Weights,
    "shufflenet_v2_x1_5": models.ShuffleNet_V2_X1_5_Weights, "shufflenet_v2_x2_0": models.ShuffleNet_V2_X2_0_Weights,
    "mnasnet0_5": models.MNASNet0_5_Weights, "mnasnet0_75": models.MNASNet0_75_Weights,
    "mnasnet1_0": models.MNASNet1_0_Weights, "mnasnet1_3": models.MNASNet1_3_Weights,
}


def n_params(model):
    return sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_parameter_counts_and_weights_meta(name):
    model = models.get_model(name)
    assert n_params(model) == PARAMS[name]
    weights = models.get_model_weights(name)
    assert weights is WEIGHTS[name]
    assert weights.DEFAULT is weights.IMAGENET1K_V1
    assert weights.DEFAULT.meta["num_params"] == PARAMS[name]
    assert len(weights.DEFAULT.meta["categories"]) == 1000
    assert models.get_model_builder(name) is getattr(models, name)
    assert name in models.list_models()


def test_shufflenet_keys_and_shapes():
    sd = models.shufflenet_v2_x1_0().state_dict()
    assert len(sd) == 338
    assert tuple(sd["conv1.0.weight"].shape) == (24, 3, 3, 3)
    assert tuple(sd["stage2.0.branch1.0.weight"].shape) == (24, 1, 3, 3)       # depthwise
    assert tuple(sd["stage2.0.branch1.2.weight"].shape) == (58, 24, 1, 1)
    assert tuple(sd["stage2.1.branch2.0.weight"].shape) == (58, 58, 1, 1)      # stride 1: half the channels
    assert "stage2.1.branch1.0.weight" not in sd                              # empty branch1 at stride 1
    assert tuple(sd["stage4.3.branch2.5.weight"].shape) == (232, 232, 1, 1)
    assert tuple(sd["conv5.0.weight"].shape) == (1024, 464, 1, 1)
    assert tuple(sd["fc.weight"].shape) == (1000, 1024)
    assert "conv5.1.num_batches_tracked" in sd


def test_mnasnet_keys_and_shapes():
    sd = models.mnasnet0_5().state_dict()
    assert len(sd) == 314
    assert tuple(sd["layers.0.weight"].shape) == (16, 3, 3, 3)                 # 32 · 0.5
    assert tuple(sd["layers.3.weight"].shape) == (16, 1, 3, 3)
    assert tuple(sd["layers.6.weight"].shape) == (8, 16, 1, 1)
    assert tuple(sd["layers.8.0.layers.0.weight"].shape) == (24, 8, 1, 1)      # expansion 3
    assert tuple(sd["layers.12.3.layers.3.weight"].shape) == (576, 1, 5, 5)
    assert tuple(sd["layers.14.weight"].shape) == (1280, 160, 1, 1)
    assert tuple(sd["classifier.1.weight"].shape) == (1000, 1280)
    m = models.mnasnet1_0()
    assert m.layers[1].momentum == pytest.approx(1 - 0.9997)
    assert isinstance(m.classifier[0], glasstorch.nn.Dropout) and m.classifier[0].p == 0.2


@pytest.mark.parametrize("name", ["shufflenet_v2_x0_5", "mnasnet0_5"])
def test_forward_backward_and_num_classes(name):
    glasstorch.manual_seed(0)
    model = models.get_model(name, num_classes=7)
    x = glasstorch.randn(2, 3, 64, 64, requires_grad=True)
    out = model(x)
    assert tuple(out.shape) == (2, 7)
    out.sum().backward()
    assert x.grad is not None and tuple(x.grad.shape) == (2, 3, 64, 64)
    assert all(p.grad is not None for p in model.parameters())


def test_state_dict_round_trip():
    a, b = models.shufflenet_v2_x0_5(), models.shufflenet_v2_x0_5()
    b.load_state_dict(a.state_dict())
    a.eval(), b.eval()
    x = glasstorch.randn(1, 3, 32, 32)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())
    sd = models.mnasnet0_5(num_classes=10).state_dict()
    c = models.mnasnet0_5(weights=sd)                 # weights= a state_dict: num_classes from the head
    assert tuple(c.classifier[1].weight.shape) == (10, 1280)


def test_errors():
    with pytest.raises(ValueError, match="expected stages_repeats"):
        models.ShuffleNetV2([4, 8], [24, 48, 96, 192, 1024])
    with pytest.raises(ValueError, match="expected stages_out_channels"):
        models.ShuffleNetV2([4, 8, 4], [24, 48, 96])
    with pytest.raises(ValueError, match="illegal stride"):
        gshuffle.InvertedResidual(24, 48, 4)
    with pytest.raises(ValueError, match="alpha should be greater than 0.0"):
        models.MNASNet(0.0)
    with pytest.raises(ValueError, match="stride should be 1 or 2"):
        gmnas._InvertedResidual(8, 8, 3, 3, 3)
    with pytest.raises(ValueError, match="Unknown model"):
        models.get_model_builder("not_a_model")


@pytest.mark.parametrize("val,expected", [(83, 80), (84, 88), (16 * 0.5, 8), (320 * 1.3, 416)])
def test_mnasnet_rounding(val, expected):
    assert gmnas._round_to_multiple_of(val, 8) == expected


# -- the blocks against the same blocks in torch.nn ----------------------------------------------------------
def _torch_shuffle_unit(inp, oup, stride):
    bf = oup // 2

    def dw(c):
        return tnn.Conv2d(c, c, 3, stride, 1, bias=False, groups=c)
    unit = tnn.Module()
    unit.branch1 = (tnn.Sequential(dw(inp), tnn.BatchNorm2d(inp), tnn.Conv2d(inp, bf, 1, bias=False),
                                   tnn.BatchNorm2d(bf), tnn.ReLU()) if stride > 1 else tnn.Sequential())
    unit.branch2 = tnn.Sequential(tnn.Conv2d(inp if stride > 1 else bf, bf, 1, bias=False), tnn.BatchNorm2d(bf),
                                  tnn.ReLU(), dw(bf), tnn.BatchNorm2d(bf), tnn.Conv2d(bf, bf, 1, bias=False),
                                  tnn.BatchNorm2d(bf), tnn.ReLU())
    return unit


def _torch_shuffle_forward(unit, x, stride):
    if stride == 1:
        x1, x2 = x.chunk(2, dim=1)
        out = torch.cat((x1, unit.branch2(x2)), dim=1)
    else:
        out = torch.cat((unit.branch1(x), unit.branch2(x)), dim=1)
    n, c, h, w = out.shape
    return out.view(n, 2, c // 2, h, w).transpose(1, 2).contiguous().view(n, c, h, w)


def _load_into_torch(tmodule, gmodule):
    sd = {k: torch.from_numpy(np.array(v.numpy())) for k, v in gmodule.state_dict().items()}
    tmodule.load_state_dict(sd)


def _randomize_bn(gmodule):
    for m in gmodule.modules():
        if isinstance(m, glasstorch.nn.BatchNorm2d):
            m.running_mean.copy_(glasstorch.randn(m.num_features) * 0.1)
            m.running_var.copy_(glasstorch.rand(m.num_features) + 0.5)


@pytest.mark.parametrize("inp,oup,stride", [(24, 48, 2), (48, 48, 1)])
def test_shufflenet_unit_matches_torch(inp, oup, stride):
    glasstorch.manual_seed(1)
    g = gshuffle.InvertedResidual(inp, oup, stride)
    _randomize_bn(g)
    g.eval()
    t = _torch_shuffle_unit(inp, oup, stride).double()
    _load_into_torch(t, g)
    t.eval()
    x = np.random.RandomState(0).randn(2, inp, 9, 9)
    gx = glasstorch.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    g.double()
    gy = g(gx)
    ty = _torch_shuffle_forward(t, tx, stride)
    np.testing.assert_allclose(gy.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    w = np.random.RandomState(1).randn(*ty.shape)
    gy.backward(glasstorch.tensor(w))
    ty.backward(torch.tensor(w))
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-10)


def test_channel_shuffle_matches_torch():
    x = np.arange(2 * 6 * 2 * 3, dtype=np.float32).reshape(2, 6, 2, 3)
    g = gshuffle.channel_shuffle(glasstorch.tensor(x), 3)
    t = torch.tensor(x).view(2, 3, 2, 2, 3).transpose(1, 2).contiguous().view(2, 6, 2, 3)
    np.testing.assert_array_equal(g.numpy(), t.numpy())
    assert list(g.numpy()[0, :, 0, 0]) == [0, 12, 24, 6, 18, 30]


@pytest.mark.parametrize("in_ch,out_ch,k,stride,exp", [(8, 8, 3, 1, 3), (8, 16, 5, 2, 6)])
def test_mnasnet_block_matches_torch(in_ch, out_ch, k, stride, exp):
    glasstorch.manual_seed(2)
    g = gmnas._InvertedResidual(in_ch, out_ch, k, stride, exp)
    _randomize_bn(g)
    g.eval().double()
    mid = in_ch * exp
    t = tnn.Module()
    t.layers = tnn.Sequential(tnn.Conv2d(in_ch, mid, 1, bias=False), tnn.BatchNorm2d(mid), tnn.ReLU(),
                              tnn.Conv2d(mid, mid, k, padding=k // 2, stride=stride, groups=mid, bias=False),
                              tnn.BatchNorm2d(mid), tnn.ReLU(), tnn.Conv2d(mid, out_ch, 1, bias=False),
                              tnn.BatchNorm2d(out_ch))
    t.double()
    _load_into_torch(t, g)
    t.eval()
    x = np.random.RandomState(3).randn(2, in_ch, 10, 10)
    gx, tx = glasstorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    gy = g(gx)
    ty = t.layers(tx) + (tx if g.apply_residual else 0)
    assert g.apply_residual == (in_ch == out_ch and stride == 1)
    np.testing.assert_allclose(gy.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    gy.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-10)


# -- v2 MixUp / CutMix ------------------------------------------------------------------------------------
def _batch():
    glasstorch.manual_seed(3)
    return glasstorch.rand(6, 3, 16, 20), glasstorch.tensor([0, 1, 2, 3, 4, 0])


def test_mixup_is_a_convex_mix_of_the_rolled_batch():
    images, labels = _batch()
    out, soft = v2.MixUp(num_classes=5)(images, labels)
    assert tuple(out.shape) == (6, 3, 16, 20) and out.dtype == glasstorch.float32
    assert tuple(soft.shape) == (6, 5) and soft.dtype == glasstorch.float32
    np.testing.assert_allclose(soft.numpy().sum(1), 1.0, rtol=1e-6)
    lam = soft.numpy()[1, 1]  # label 1 of sample 1, rolled-in label 0 of sample 0
    x = images.numpy()
    expected = lam * x + (1 - lam) * np.roll(x, 1, axis=0)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-6)
    # the same in torch's ops
    tx = torch.tensor(x)
    np.testing.assert_allclose(out.numpy(), (tx.roll(1, 0) * (1 - lam) + tx * lam).numpy(), rtol=1e-5, atol=1e-6)
    one_hot = torch.nn.functional.one_hot(torch.tensor(labels.numpy()), 5).float()
    t_soft = one_hot.roll(1, 0) * (1 - lam) + one_hot * lam
    np.testing.assert_allclose(soft.numpy(), t_soft.numpy(), rtol=1e-5, atol=1e-6)


def test_cutmix_pastes_a_box_and_mixes_by_its_area():
    images, labels = _batch()
    for seed in range(5):
        glasstorch.manual_seed(seed)
        out, soft = v2.CutMix(num_classes=5)(images, labels)
        x, o = images.numpy(), out.numpy()
        rolled = np.roll(x, 1, axis=0)
        pasted = np.all(o == rolled, axis=(0, 1)) & ~np.all(o == x, axis=(0, 1))
        kept = np.all(o == x, axis=(0, 1))
        assert np.all(pasted | kept)
        lam = soft.numpy()[1, 1]
        np.testing.assert_allclose(1 - pasted.mean(), lam, rtol=1e-6)
        np.testing.assert_allclose(soft.numpy().sum(1), 1.0, rtol=1e-6)
        if pasted.any():
            ys, xs = np.nonzero(pasted)
            assert pasted[ys.min():ys.max() + 1, xs.min():xs.max() + 1].all()   # a rectangle


def test_mixup_cutmix_dict_one_hot_and_errors():
    images, labels = _batch()
    d = v2.CutMix(num_classes=5)({"image": images, "labels": labels})
    assert tuple(d["labels"].shape) == (6, 5) and tuple(d["image"].shape) == (6, 3, 16, 20)
    one_hot = glasstorch.nn.functional.one_hot(labels, 5).float()
    _, soft = v2.MixUp()(images, one_hot)                                   # already one-hot: num_classes=None
    np.testing.assert_allclose(soft.numpy().sum(1), 1.0, rtol=1e-6)
    with pytest.raises(ValueError, match="batched input with 4 dims"):
        v2.MixUp(num_classes=5)(images[0], labels)
    with pytest.raises(ValueError, match="num_classes must be passed"):
        v2.CutMix()(images, labels)
    with pytest.raises(ValueError, match=r"shape \(batch_size,\)"):
        v2.MixUp(num_classes=5)(images, labels[:3])
    assert "alpha=1.0" in repr(v2.MixUp(num_classes=5))


def test_v2_helpers():
    from PIL import Image
    img = glasstorch.rand(3, 8, 10)
    pil = Image.new("RGB", (10, 8))
    assert v2.query_chw([img, 3, "x"]) == (3, 8, 10)
    assert v2.query_size([pil, img]) == (8, 10)
    with pytest.raises(ValueError, match="multiple HxW"):
        v2.query_size([img, glasstorch.rand(3, 4, 4)])
    with pytest.raises(ValueError, match="multiple CxHxW"):
        v2.query_chw([img, glasstorch.rand(1, 8, 10)])
    with pytest.raises(TypeError, match="No image"):
        v2.query_chw([1, "a"])
    with pytest.raises(TypeError, match="No image"):
        v2.query_size([])
    assert v2.check_type(img, (glasstorch.Tensor,))
    assert v2.check_type(3, (str, lambda o: o == 3))
    assert not v2.check_type(3, (str,))
    assert v2.has_any([img, 3], str, int)
    assert not v2.has_any([img], str)
    assert v2.has_all([img, 3], glasstorch.Tensor, int)
    assert not v2.has_all([img], glasstorch.Tensor, int)
