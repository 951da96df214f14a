"""glasstorch.vision.models beyond ResNet: architectures, state_dict keys, the registry and weights enums.

torchvision cannot be installed beside the PyTorch the tests use. The parameter counts below are
torchvision's published ones (its docs' model tables, weights.meta["num_params"]); together with the
sampled key names and shapes (from torchvision's source) they tie each glasstorch model to torchvision's.
Heavy models (VGG, ViT-L, ...) are counted without a forward pass, or from their parts, to stay fast.
"""
import os
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch
from torch import nn as tnn

import glasstorch
from glasstorch.vision import models
from glasstorch.vision.models import _api
from glasstorch.vision.models.vgg import cfgs, make_layers

# torchvision's parameter counts (num_classes=1000)
PARAMS = {
    "squeezenet1_0": 1_248_424, "squeezenet1_1": 1_235_496,
    "mobilenet_v2": 3_504_872, "mobilenet_v3_small": 2_542_856, "mobilenet_v3_large": 5_483_032,
    "densenet121": 7_978_856, "densenet169": 14_149_480, "densenet201": 20_013_928, "densenet161": 28_681_000,
    "resnext50_32x4d": 25_028_904,  # resnet18/34/50: tests/vision/test_models.py
}
SLOW_PARAMS = {
    "resnet101": 44_549_160, "resnet152": 60_192_808, "wide_resnet50_2": 68_883_240,
    "resnext101_64x4d": 83_455_272, "resnext101_32x8d": 88_791_336, "wide_resnet101_2": 126_886_696,
    "vgg16": 138_357_544, "vit_b_16": 86_567_656, "vit_b_32": 88_224_232, "inception_v3": 27_161_264,
}
VGG_PARAMS = {("A", False): 132_863_336, ("A", True): 132_868_840, ("B", False): 133_047_848,
              ("B", True): 133_053_736, ("D", False): 138_357_544, ("D", True): 138_365_992,
              ("E", False): 143_667_240, ("E", True): 143_678_248}


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def shapes(model):
    return OrderedDict((k, tuple(v.shape)) for k, v in model.state_dict().items())


def x_in(*shape, seed=0):
    return glasstorch.from_numpy(np.random.default_rng(seed).standard_normal(shape).astype(np.float32))


# -- parameter counts, output shapes, num_classes -------------------------------------------------------------
@pytest.mark.parametrize("arch", sorted(PARAMS))
def test_parameter_count_matches_torchvision(arch):
    assert n_params(models.get_model(arch)) == PARAMS[arch]


# building a 40-140M-parameter model takes tens of seconds on a shared CPU: those run with GLASSTORCH_SLOW=1
FAST_BIG = ("inception_v3", "vit_b_16")


@pytest.mark.parametrize("arch", [a if a in FAST_BIG else pytest.param(a, marks=pytest.mark.skipif(
    not os.environ.get("GLASSTORCH_SLOW"), reason="slow: set GLASSTORCH_SLOW=1")) for a in sorted(SLOW_PARAMS)])
def test_parameter_count_of_big_models(arch):
    kwargs = {"init_weights": False} if arch == "inception_v3" else {}
    assert n_params(models.get_model(arch, **kwargs)) == SLOW_PARAMS[arch]


@pytest.mark.parametrize("cfg,bn", sorted(VGG_PARAMS))
def test_vgg_parameter_counts_from_parts(cfg, bn):
    # the classifier is the same in every VGG: 25088 -> 4096 -> 4096 -> 1000
    classifier = 25088 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000
    assert n_params(make_layers(cfgs[cfg], batch_norm=bn)) + classifier == VGG_PARAMS[(cfg, bn)]


@pytest.mark.parametrize("arch", ["squeezenet1_0", "squeezenet1_1", "mobilenet_v2", "mobilenet_v3_small",
                                  "mobilenet_v3_large", "densenet121", "resnext50_32x4d"])
def test_output_shape_and_num_classes(arch):
    model = models.get_model(arch, num_classes=7).eval()
    with glasstorch.no_grad():
        y = model(x_in(2, 3, 64, 64))
    assert tuple(y.shape) == (2, 7) and y.dtype == glasstorch.float32
    assert np.isfinite(y.numpy()).all()


def test_vgg_features_forward_small_input():
    # the full VGG's classifier (25088 x 4096) is slow to build: the features and the pool run here
    features = make_layers(cfgs["A"], batch_norm=True).eval()
    with glasstorch.no_grad():
        f = features(x_in(1, 3, 64, 64))
        assert tuple(f.shape) == (1, 512, 2, 2)
        assert tuple(glasstorch.nn.AdaptiveAvgPool2d((7, 7))(f).shape) == (1, 512, 7, 7)


# -- state_dict keys and shapes (torchvision's names) ---------------------------------------------------------
def test_alexnet_state_dict_exactly():
    expected = OrderedDict([
        ("features.0.weight", (64, 3, 11, 11)), ("features.0.bias", (64,)),
        ("features.3.weight", (192, 64, 5, 5)), ("features.3.bias", (192,)),
        ("features.6.weight", (384, 192, 3, 3)), ("features.6.bias", (384,)),
        ("features.8.weight", (256, 384, 3, 3)), ("features.8.bias", (256,)),
        ("features.10.weight", (256, 256, 3, 3)), ("features.10.bias", (256,)),
        ("classifier.1.weight", (4096, 9216)), ("classifier.1.bias", (4096,)),
        ("classifier.4.weight", (4096, 4096)), ("classifier.4.bias", (4096,)),
        ("classifier.6.weight", (1000, 4096)), ("classifier.6.bias", (1000,)),
    ])
    model = models.alexnet(num_classes=1000)
    assert shapes(model) == expected
    assert n_params(model) == 61_100_840
    model.eval()
    with glasstorch.no_grad():
        assert tuple(model(x_in(1, 3, 64, 64)).shape) == (1, 1000)


def test_vgg_feature_keys():
    keys = shapes(make_layers(cfgs["A"], batch_norm=False))
    assert list(keys) == [f"{i}.{p}" for i in (0, 3, 6, 8, 11, 13, 16, 18) for p in ("weight", "bias")]
    bn = shapes(make_layers(cfgs["A"], batch_norm=True))
    assert bn["1.running_var"] == (64,) and bn["4.weight"] == (128, 64, 3, 3) and bn["26.num_batches_tracked"] == ()


def test_squeezenet_keys():
    s = shapes(models.squeezenet1_0())
    assert len(s) == 52
    assert list(s)[:4] == ["features.0.weight", "features.0.bias", "features.3.squeeze.weight", "features.3.squeeze.bias"]
    assert s["features.12.expand3x3.weight"] == (256, 64, 3, 3) and s["classifier.1.weight"] == (1000, 512, 1, 1)
    s11 = shapes(models.squeezenet1_1())
    assert s11["features.0.weight"] == (64, 3, 3, 3) and s11["features.12.expand1x1.weight"] == (256, 64, 1, 1)


def test_mobilenet_keys():
    v2 = shapes(models.mobilenet_v2())
    assert len(v2) == 314
    assert v2["features.1.conv.0.0.weight"] == (32, 1, 3, 3)          # expand_ratio 1: no expansion layer
    assert v2["features.2.conv.0.0.weight"] == (96, 16, 1, 1)         # 1x1 expansion
    assert v2["features.2.conv.1.0.weight"] == (96, 1, 3, 3)          # depthwise
    assert v2["features.2.conv.2.weight"] == (24, 96, 1, 1)           # linear projection
    assert v2["features.2.conv.3.running_mean"] == (24,)
    assert v2["features.18.0.weight"] == (1280, 320, 1, 1) and v2["classifier.1.weight"] == (1000, 1280)
    small = shapes(models.mobilenet_v3_small())
    assert len(small) == 244
    assert small["features.1.block.1.fc1.weight"] == (8, 16, 1, 1)   # squeeze-excitation
    assert small["features.1.block.2.0.weight"] == (16, 16, 1, 1)
    assert small["features.4.block.1.0.weight"] == (96, 1, 5, 5)
    assert small["features.12.0.weight"] == (576, 96, 1, 1)
    assert small["classifier.0.weight"] == (1024, 576) and small["classifier.3.weight"] == (1000, 1024)
    large = shapes(models.mobilenet_v3_large())
    assert large["features.16.0.weight"] == (960, 160, 1, 1) and large["classifier.0.weight"] == (1280, 960)
    assert large["features.4.block.2.fc1.weight"] == (24, 72, 1, 1)


def test_mobilenet_v3_batchnorm_settings_and_width_mult():
    model = models.mobilenet_v3_small()
    bn = model.features[0][1]
    assert bn.eps == 0.001 and bn.momentum == 0.01
    assert isinstance(model.features[0][2], glasstorch.nn.Hardswish)
    half = models.mobilenet_v3_small(width_mult=0.5, num_classes=4)
    assert tuple(half.features[0][0].weight.shape) == (8, 3, 3, 3)


def test_densenet_keys_and_old_checkpoint_names():
    s = shapes(models.densenet121())
    assert len(s) == 727
    assert s["features.denseblock1.denselayer1.norm1.weight"] == (64,)
    assert s["features.denseblock1.denselayer6.conv1.weight"] == (128, 224, 1, 1)
    assert s["features.denseblock1.denselayer6.conv2.weight"] == (32, 128, 3, 3)
    assert s["features.transition1.conv.weight"] == (128, 256, 1, 1)
    assert s["features.denseblock4.denselayer16.conv2.weight"] == (32, 128, 3, 3)
    assert s["features.norm5.weight"] == (1024,) and s["classifier.weight"] == (1000, 1024)
    # torchvision's .pth files use "norm.1", "conv.2": the builder renames them as torchvision does
    source = models.densenet121(num_classes=3)
    old = OrderedDict((k.replace(".norm1.", ".norm.1.").replace(".conv2.", ".conv.2."), v)
                      for k, v in source.state_dict().items())
    assert "features.denseblock1.denselayer1.norm.1.weight" in old
    loaded = models.densenet121(weights=old)
    assert loaded.classifier.out_features == 3
    np.testing.assert_array_equal(loaded.features.denseblock2.denselayer3.conv2.weight.detach().numpy(),
                                  source.features.denseblock2.denselayer3.conv2.weight.detach().numpy())


def test_googlenet_keys_and_aux():
    with pytest.warns(FutureWarning):
        models.googlenet()  # init_weights not given: torchvision's FutureWarning
    with_aux = shapes(models.googlenet(init_weights=True))
    assert len(with_aux) == 364
    assert with_aux["inception3a.branch3.1.conv.weight"] == (32, 16, 3, 3)   # the "5x5" that is 3x3
    assert with_aux["inception3a.branch4.1.bn.running_mean"] == (32,)
    assert with_aux["aux1.conv.conv.weight"] == (128, 512, 1, 1) and with_aux["aux2.fc1.weight"] == (1024, 2048)
    assert list(with_aux)[-2:] == ["fc.weight", "fc.bias"]
    no_aux = models.googlenet(aux_logits=False, init_weights=True)
    assert n_params(no_aux) == 6_624_904 and not any(k.startswith("aux") for k in no_aux.state_dict())


def test_googlenet_train_and_eval_outputs():
    glasstorch.manual_seed(0)
    model = models.googlenet(num_classes=5, init_weights=True)
    out = model(x_in(2, 3, 64, 64))
    assert isinstance(out, models.GoogLeNetOutputs)
    assert [tuple(t.shape) for t in out] == [(2, 5)] * 3
    loss = out.logits.sum() + 0.3 * (out.aux_logits1.sum() + out.aux_logits2.sum())
    loss.backward()
    assert model.aux1.fc2.weight.grad is not None and model.conv1.conv.weight.grad is not None
    model.eval()
    with glasstorch.no_grad():
        y = model(x_in(2, 3, 64, 64))
    assert isinstance(y, glasstorch.Tensor) and tuple(y.shape) == (2, 5)


def test_googlenet_transform_input():
    model = models.googlenet(transform_input=True, init_weights=True, aux_logits=False)
    x = x_in(1, 3, 8, 8)
    y = model._transform_input(x).numpy()
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    expected = x.numpy() * (std / 0.5)[None, :, None, None] + ((mean - 0.5) / 0.5)[None, :, None, None]
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6)


def test_inception_v3_keys_eval_and_aux():
    model = models.inception_v3(init_weights=True, num_classes=6)
    s = shapes(model)
    assert s["Conv2d_1a_3x3.conv.weight"] == (32, 3, 3, 3) and s["Conv2d_1a_3x3.bn.running_var"] == (32,)
    assert s["Mixed_6b.branch7x7_2.conv.weight"] == (128, 128, 1, 7)
    assert s["Mixed_7c.branch3x3dbl_3b.conv.weight"] == (384, 384, 3, 1)
    assert s["AuxLogits.conv1.conv.weight"] == (768, 128, 5, 5) and s["AuxLogits.fc.weight"] == (6, 768)
    assert s["fc.weight"] == (6, 2048)
    model.eval()
    with glasstorch.no_grad():
        assert tuple(model(x_in(1, 3, 75, 75)).shape) == (1, 6)   # the smallest input it takes
    model.train()
    with glasstorch.no_grad():
        aux = model.AuxLogits(x_in(2, 768, 17, 17))               # what Mixed_6e gives at 299 x 299
    assert tuple(aux.shape) == (2, 6)
    no_aux = models.inception_v3(init_weights=False, aux_logits=False).train()
    with glasstorch.no_grad():
        assert tuple(no_aux(x_in(2, 3, 75, 75)).shape) == (2, 1000)   # train mode, no aux: plain logits


def test_resnext_and_wide_resnet_widths():
    s = shapes(models.resnext50_32x4d())
    assert s["layer1.0.conv2.weight"] == (128, 4, 3, 3)       # 32 groups of 4
    assert s["layer4.2.conv2.weight"] == (1024, 32, 3, 3)
    with pytest.raises(ValueError, match="groups"):
        models.resnext50_32x4d(groups=8)
    b = models.resnet18().state_dict()
    assert "layer2.0.downsample.1.running_mean" in b and tuple(b["fc.weight"].shape) == (1000, 512)


# -- the Vision Transformer ------------------------------------------------------------------------------------
def small_vit(**kwargs):
    return models.VisionTransformer(image_size=32, patch_size=16, num_layers=2, num_heads=2, hidden_dim=8,
                                    mlp_dim=16, **kwargs)


def test_vit_b_16_keys():
    s = shapes(models.vit_b_16())
    assert list(s)[:4] == ["class_token", "conv_proj.weight", "conv_proj.bias", "encoder.pos_embedding"]
    assert s["class_token"] == (1, 1, 768) and s["encoder.pos_embedding"] == (1, 197, 768)
    assert s["conv_proj.weight"] == (768, 3, 16, 16)
    block = "encoder.layers.encoder_layer_11."
    assert s[block + "self_attention.in_proj_weight"] == (2304, 768)
    assert s[block + "self_attention.out_proj.weight"] == (768, 768)
    assert s[block + "mlp.0.weight"] == (3072, 768) and s[block + "mlp.3.weight"] == (768, 3072)
    assert s[block + "ln_2.bias"] == (768,)
    assert list(s)[-4:] == ["encoder.ln.weight", "encoder.ln.bias", "heads.head.weight", "heads.head.bias"]
    assert len(s) == 4 + 12 * 12 + 4


def test_vit_init_and_shapes():
    model = small_vit(num_classes=5)
    assert not model.heads.head.weight.detach().numpy().any() and not model.class_token.detach().numpy().any()
    assert model.encoder.layers.encoder_layer_0.ln_1.eps == 1e-6
    model.eval()
    with glasstorch.no_grad():
        assert tuple(model(x_in(3, 3, 32, 32)).shape) == (3, 5)
    with pytest.raises(AssertionError, match="Wrong image height"):
        model(x_in(1, 3, 48, 32))
    rep = small_vit(num_classes=4, representation_size=6)
    assert tuple(rep.heads.pre_logits.weight.shape) == (6, 8) and isinstance(rep.heads.act, glasstorch.nn.Tanh)
    assert tuple(models.vit_b_16(image_size=32, num_classes=2).encoder.pos_embedding.shape) == (1, 5, 768)


class TorchViT(tnn.Module):
    """torchvision's VisionTransformer re-stated in torch.nn (image 32, patch 16, 2 layers, width 8)."""

    def __init__(self, num_classes=5):
        super().__init__()
        self.conv_proj = tnn.Conv2d(3, 8, kernel_size=16, stride=16)
        self.class_token = tnn.Parameter(torch.zeros(1, 1, 8))
        self.ln_1 = tnn.ModuleList([tnn.LayerNorm(8, eps=1e-6) for _ in range(2)])
        self.attn = tnn.ModuleList([tnn.MultiheadAttention(8, 2, batch_first=True) for _ in range(2)])
        self.ln_2 = tnn.ModuleList([tnn.LayerNorm(8, eps=1e-6) for _ in range(2)])
        self.mlp = tnn.ModuleList([tnn.Sequential(tnn.Linear(8, 16), tnn.GELU(), tnn.Linear(16, 8)) for _ in range(2)])
        self.pos_embedding = tnn.Parameter(torch.zeros(1, 5, 8))
        self.ln = tnn.LayerNorm(8, eps=1e-6)
        self.head = tnn.Linear(8, num_classes)

    def load_from(self, sd):
        m = {"class_token": "class_token", "conv_proj.weight": "conv_proj.weight", "conv_proj.bias": "conv_proj.bias",
             "encoder.pos_embedding": "pos_embedding", "encoder.ln.weight": "ln.weight", "encoder.ln.bias": "ln.bias",
             "heads.head.weight": "head.weight", "heads.head.bias": "head.bias"}
        for i in range(2):
            p = f"encoder.layers.encoder_layer_{i}."
            for a, b in [("ln_1", "ln_1"), ("ln_2", "ln_2")]:
                for w in ("weight", "bias"):
                    m[f"{p}{a}.{w}"] = f"{b}.{i}.{w}"
            for w in ("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"):
                m[f"{p}self_attention.{w}"] = f"attn.{i}.{w}"
            for a, b in [("0", "0"), ("3", "2")]:
                for w in ("weight", "bias"):
                    m[f"{p}mlp.{a}.{w}"] = f"mlp.{i}.{b}.{w}"
        assert set(m) == set(sd)
        self.load_state_dict({m[k]: torch.from_numpy(v.numpy().copy()) for k, v in sd.items()})

    def forward(self, x):
        x = self.conv_proj(x).reshape(x.shape[0], 8, -1).permute(0, 2, 1)
        x = torch.cat([self.class_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embedding
        for i in range(2):
            y = self.ln_1[i](x)
            x = x + self.attn[i](y, y, y, need_weights=False)[0]
            x = x + self.mlp[i](self.ln_2[i](x))
        return self.head(self.ln(x)[:, 0])


def test_vit_forward_matches_torch_restatement():
    glasstorch.manual_seed(0)
    g = small_vit(num_classes=5)
    glasstorch.nn.init.normal_(g.heads.head.weight, std=0.5)  # the zero init would hide the encoder
    glasstorch.nn.init.normal_(g.class_token, std=0.5)
    t = TorchViT()
    t.load_from(g.state_dict())
    x = np.random.default_rng(1).standard_normal((2, 3, 32, 32)).astype(np.float32)
    g.eval()
    with glasstorch.no_grad():
        got = g(glasstorch.from_numpy(x)).numpy()
    with torch.no_grad():
        want = t.eval()(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


# -- train / eval behaviour --------------------------------------------------------------------------------------
@pytest.mark.parametrize("arch", ["squeezenet1_1", "mobilenet_v3_small"])
def test_dropout_only_in_training_and_batchnorm_stats(arch):
    glasstorch.manual_seed(0)
    model = models.get_model(arch, num_classes=4)
    x = x_in(2, 3, 64, 64)
    model.eval()
    with glasstorch.no_grad():
        a, b = model(x).numpy(), model(x).numpy()
    np.testing.assert_array_equal(a, b)
    model.train()
    y = model(x)
    y.sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    if arch == "mobilenet_v3_small":
        assert int(model.features[0][1].num_batches_tracked.item()) == 1


def test_models_train_a_few_steps():
    glasstorch.manual_seed(0)
    model = models.squeezenet1_1(num_classes=3, dropout=0.0)
    x, y = x_in(6, 3, 32, 32), glasstorch.tensor([0, 1, 2, 0, 1, 2])
    optimizer = glasstorch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(5):
        optimizer.zero_grad()
        loss = glasstorch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


# -- registry and weights enums ---------------------------------------------------------------------------------
def test_registry():
    names = models.list_models()
    for name in ["alexnet", "vgg16_bn", "resnet50", "resnext101_64x4d", "wide_resnet50_2", "densenet201",
                 "squeezenet1_1", "mobilenet_v2", "mobilenet_v3_large", "googlenet", "inception_v3", "vit_b_16"]:
        assert name in names
    assert names == sorted(names)
    assert models.list_models(include="vgg1[13]*") == ["vgg11", "vgg11_bn", "vgg13", "vgg13_bn"]
    assert "vgg16_bn" not in models.list_models(include="vgg*", exclude="*_bn")
    assert models.get_model_weights("resnet50") is models.ResNet50_Weights
    assert models.get_model_weights(models.mobilenet_v2) is models.MobileNet_V2_Weights
    assert models.get_weight("ResNet50_Weights.IMAGENET1K_V2") is models.ResNet50_Weights.IMAGENET1K_V2
    assert isinstance(models.get_model("squeezenet1_1", num_classes=3), models.SqueezeNet)
    with pytest.raises(ValueError, match="Unknown model"):
        models.get_model("resnet7")
    with pytest.raises(ValueError, match="Invalid weight name"):
        models.get_weight("IMAGENET1K_V1")
    with pytest.raises(ValueError, match="Unknown value 'V9'"):
        models.ResNet50_Weights.verify("V9")


def test_weights_enum_fields():
    w = models.ResNet50_Weights.DEFAULT
    assert w is models.ResNet50_Weights.IMAGENET1K_V2 and repr(w) == "ResNet50_Weights.IMAGENET1K_V2"
    assert w.url == "https://download.pytorch.org/models/resnet50-11ad3fa6.pth"
    assert w.meta["num_params"] == 25_557_032 and w.meta["_metrics"]["ImageNet-1K"]["acc@1"] == 80.858
    cats = w.meta["categories"]
    assert len(cats) == 1000 and cats[0] == "tench" and cats[207] == "golden retriever" and cats[-1] == "toilet tissue"
    assert models.ResNet50_Weights.verify("ResNet50_Weights.IMAGENET1K_V1") is models.ResNet50_Weights.IMAGENET1K_V1
    with pytest.raises(TypeError, match="expected ResNet50_Weights"):
        models.ResNet50_Weights.verify(models.ResNet18_Weights.DEFAULT)
    # every registered builder with an enum: num_params agrees with its DEFAULT weights (cheap ones only here)
    for arch, count in PARAMS.items():
        assert models.get_model_weights(arch).DEFAULT.meta["num_params"] == count
    assert models.AlexNet_Weights.DEFAULT.meta["num_params"] == 61_100_840
    for arch in ("vgg16", "vit_b_16", "inception_v3", "resnet152"):
        assert models.get_model_weights(arch).DEFAULT.meta["num_params"] == SLOW_PARAMS[arch]
    assert models.VGG16_Weights.IMAGENET1K_FEATURES.meta["categories"] is None


def test_weights_transforms():
    t = models.ResNet50_Weights.IMAGENET1K_V2.transforms()
    assert t.resize_size == [232] and t.crop_size == [224]
    img = glasstorch.randint(0, 256, (3, 260, 300)).to(glasstorch.uint8)
    out = t(img)
    assert tuple(out.shape) == (3, 224, 224) and out.dtype == glasstorch.float32
    assert models.Inception_V3_Weights.DEFAULT.transforms().crop_size == [299]


def _cache(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    directory = tmp_path / "torch" / "hub" / "checkpoints"
    directory.mkdir(parents=True)
    return directory


def test_enum_weights_load_from_the_hub_cache(monkeypatch, tmp_path):
    directory = _cache(monkeypatch, tmp_path)
    source = models.squeezenet1_1()
    path = _api.checkpoint_path(models.SqueezeNet1_1_Weights.DEFAULT)
    assert path == str(directory / "squeezenet1_1-b8a52dc0.pth")
    np.savez(directory / "squeezenet1_1-b8a52dc0.npz", **{k: v.numpy() for k, v in source.state_dict().items()})
    for weights in (models.SqueezeNet1_1_Weights.IMAGENET1K_V1, "DEFAULT", "SqueezeNet1_1_Weights.IMAGENET1K_V1"):
        loaded = models.squeezenet1_1(weights=weights)
        np.testing.assert_array_equal(loaded.classifier[1].weight.detach().numpy(), source.classifier[1].weight.detach().numpy())
    with pytest.raises(ValueError, match="expected value 1000 but got 10"):
        models.squeezenet1_1(weights="DEFAULT", num_classes=10)
    # a glasstorch checkpoint under torchvision's own file name is read too
    glasstorch.save(source.state_dict(), path)
    (directory / "squeezenet1_1-b8a52dc0.npz").unlink()
    assert models.get_model("squeezenet1_1", weights="DEFAULT").num_classes == 1000


def test_enum_weights_missing_or_pickled_give_clear_errors(monkeypatch, tmp_path):
    directory = _cache(monkeypatch, tmp_path)
    with pytest.raises(ValueError, match="downloads nothing") as info:
        models.mobilenet_v2(weights=models.MobileNet_V2_Weights.DEFAULT)
    message = str(info.value)
    assert str(directory) in message and "mobilenet_v2-7ebf99e0.npz" in message and "np.savez" in message
    with pytest.raises(ValueError, match="downloads nothing"):
        models.alexnet(pretrained=True)
    torch.save({"w": torch.zeros(1)}, directory / "mobilenet_v2-7ebf99e0.pth")  # a torch file, wrong keys
    with pytest.raises(RuntimeError, match="Missing key"):  # read (no unpickling), then load_state_dict refuses
        models.mobilenet_v2(weights="IMAGENET1K_V2")
    with pytest.raises(TypeError, match="expected MobileNet_V2_Weights"):
        models.mobilenet_v2(weights=models.ResNet18_Weights.DEFAULT)


def test_weights_from_path_and_state_dict_for_new_models(tmp_path):
    source = models.mobilenet_v3_small(num_classes=4)
    path = tmp_path / "mnv3.pt"
    glasstorch.save(source.state_dict(), path)
    x = x_in(1, 3, 32, 32)
    source.eval()
    loaded = models.mobilenet_v3_small(weights=str(path)).eval()  # num_classes read from classifier.3.weight
    with glasstorch.no_grad():
        np.testing.assert_array_equal(loaded(x).numpy(), source(x).numpy())
    from_dict = models.get_model("mobilenet_v3_small", weights=source.state_dict())
    assert from_dict.classifier[3].out_features == 4


def test_googlenet_pretrained_defaults(monkeypatch, tmp_path):
    directory = _cache(monkeypatch, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = models.googlenet(init_weights=True)  # with aux heads: the checkpoint holds them
    np.savez(directory / "googlenet-1378be20.npz", **{k: v.numpy() for k, v in source.state_dict().items()})
    model = models.googlenet(weights="DEFAULT")
    assert model.transform_input and not model.aux_logits and model.aux1 is None
    np.testing.assert_array_equal(model.fc.weight.detach().numpy(), source.fc.weight.detach().numpy())


def test_models_never_import_torch():
    import subprocess
    import sys
    code = "import sys, glasstorch.vision.models; sys.exit('torch' in sys.modules or 'torchvision' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
