"""glasstorch.vision.models against torchvision's ResNets.

torchvision cannot be installed beside the PyTorch the tests use, so the file re-states torchvision's
ResNet-18/34/50 in plain torch.nn, following its documented architecture and attribute names (conv 7x7/2,
BN, ReLU, max-pool 3x3/2, four stages of blocks with widths 64/128/256/512, downsample = 1x1 conv + BN,
adaptive average pool, fc). The parameter counts are checked against torchvision's published numbers, which
ties the re-statement (and glasstorch) to the real thing.
"""
import subprocess
import sys

import numpy as np
import pytest
import torch
from torch import nn as tnn

import glasstorch
from glasstorch.vision import models


# -- torchvision's ResNet, re-stated in torch.nn ------------------------------------------------------------
class BasicBlock(tnn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = tnn.Conv2d(inplanes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.relu = tnn.ReLU(inplace=True)
        self.conv2 = tnn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class Bottleneck(tnn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = tnn.Conv2d(inplanes, planes, kernel_size=1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.conv2 = tnn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.conv3 = tnn.Conv2d(planes, planes * 4, kernel_size=1, bias=False)
        self.bn3 = tnn.BatchNorm2d(planes * 4)
        self.relu = tnn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet(tnn.Module):
    def __init__(self, block, layers, num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = tnn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = tnn.BatchNorm2d(64)
        self.relu = tnn.ReLU(inplace=True)
        self.maxpool = tnn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0], 1)
        self.layer2 = self._make_layer(block, 128, layers[1], 2)
        self.layer3 = self._make_layer(block, 256, layers[2], 2)
        self.layer4 = self._make_layer(block, 512, layers[3], 2)
        self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
        self.fc = tnn.Linear(512 * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = tnn.Sequential(
                tnn.Conv2d(self.inplanes, planes * block.expansion, kernel_size=1, stride=stride, bias=False),
                tnn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return tnn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


TORCH_BUILDERS = {
    "resnet18": lambda **kw: ResNet(BasicBlock, [2, 2, 2, 2], **kw),
    "resnet34": lambda **kw: ResNet(BasicBlock, [3, 4, 6, 3], **kw),
    "resnet50": lambda **kw: ResNet(Bottleneck, [3, 4, 6, 3], **kw),
}
PUBLISHED_PARAMS = {"resnet18": 11_689_512, "resnet34": 21_797_672, "resnet50": 25_557_032}


# -- helpers ------------------------------------------------------------------------------------------------
def torch_model(arch, seed=0, **kw):
    """The torch re-statement with random BatchNorm affine parameters and running statistics (so that BN is
    not close to the identity and eval mode is a real test)."""
    torch.manual_seed(seed)
    model = TORCH_BUILDERS[arch](**kw)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, tnn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
    return model


def numpy_state_dict(t_model):
    return {k: v.detach().numpy().copy() for k, v in t_model.state_dict().items()}


def glass_twin(arch, t_model):
    g_model = getattr(models, arch)()
    g_model.load_state_dict({k: glasstorch.from_numpy(v) for k, v in numpy_state_dict(t_model).items()})
    return g_model


def assert_close(g, t, rtol=1e-4, what=""):
    """max |g - t| <= rtol · max |t| (a relative tolerance on the scale of the whole array)."""
    g = g.detach().numpy() if hasattr(g, "detach") else g
    t = t.detach().numpy() if hasattr(t, "detach") else t
    assert g.shape == t.shape, what
    scale = max(float(np.abs(t).max()), 1e-12)
    err = float(np.abs(g - t).max())
    assert err <= rtol * scale, f"{what}: max error {err:.3g} on a scale of {scale:.3g}"


def make_input(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# -- architecture -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("arch", ["resnet18", "resnet34", "resnet50"])
def test_state_dict_keys_shapes_and_parameter_count(arch):
    t_sd = TORCH_BUILDERS[arch]().state_dict()
    g_model = getattr(models, arch)()
    g_sd = g_model.state_dict()
    assert list(g_sd) == list(t_sd)  # names and order, num_batches_tracked included
    for key, t in t_sd.items():
        assert tuple(g_sd[key].shape) == tuple(t.shape), key
        assert str(g_sd[key].dtype).split(".")[-1] == str(t.dtype).split(".")[-1], key
    assert sum(p.numel() for p in g_model.parameters()) == PUBLISHED_PARAMS[arch]
    assert [n for n, _ in g_model.named_parameters()] == [n for n, _ in TORCH_BUILDERS[arch]().named_parameters()]


def test_some_state_dict_keys_by_name():
    keys = set(models.resnet18().state_dict())
    for key in ["conv1.weight", "bn1.running_mean", "bn1.num_batches_tracked", "layer1.0.conv1.weight",
                "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight", "layer4.1.bn2.running_var",
                "fc.weight", "fc.bias"]:
        assert key in keys
    assert "layer1.0.downsample.0.weight" not in keys  # layer1 keeps the shape: no downsample


def test_repr_matches_torch():
    block_t = BasicBlock(64, 128, 2, tnn.Sequential(tnn.Conv2d(64, 128, kernel_size=1, stride=2, bias=False),
                                                    tnn.BatchNorm2d(128)))
    block_g = models.BasicBlock(64, 128, 2, glasstorch.nn.Sequential(
        glasstorch.nn.Conv2d(64, 128, kernel_size=1, stride=2, bias=False), glasstorch.nn.BatchNorm2d(128)))
    assert repr(block_g) == repr(block_t)
    assert repr(models.BasicBlock(64, 64)) == repr(BasicBlock(64, 64))
    assert repr(models.resnet18(num_classes=10)) == repr(TORCH_BUILDERS["resnet18"](num_classes=10))


def test_initialization():
    glasstorch.manual_seed(0)
    model = models.resnet18()
    w = model.layer3[0].conv1.weight.detach().numpy()  # (256, 128, 3, 3)
    fan_out = 256 * 3 * 3  # kaiming_normal_(mode="fan_out", nonlinearity="relu"): std = √(2 / fan_out)
    assert abs(w.std() / np.sqrt(2 / fan_out) - 1) < 0.02
    assert abs(w.mean()) < 0.05 * w.std()
    for name, m in model.named_modules():
        if isinstance(m, glasstorch.nn.BatchNorm2d):
            assert np.all(m.weight.detach().numpy() == 1) and np.all(m.bias.detach().numpy() == 0), name
    bound = 1 / np.sqrt(512)  # fc keeps Linear's default: U(±1/√in_features)
    assert np.abs(model.fc.weight.detach().numpy()).max() <= bound
    zeroed = models.resnet18(zero_init_residual=True)
    for i in range(2):
        assert np.all(zeroed.layer2[i].bn2.weight.detach().numpy() == 0)
        assert np.all(zeroed.layer2[i].bn1.weight.detach().numpy() == 1)
    bottleneck = models.resnet50(zero_init_residual=True)
    assert np.all(bottleneck.layer1[0].bn3.weight.detach().numpy() == 0)


# -- numerics against torch ---------------------------------------------------------------------------------
def test_resnet18_eval_forward_matches_torch():
    t_model = torch_model("resnet18").eval()
    g_model = glass_twin("resnet18", t_model).eval()
    x = make_input((2, 3, 64, 64))
    with torch.no_grad():
        t_out = t_model(torch.from_numpy(x.copy()))
    with glasstorch.no_grad():
        g_out = g_model(glasstorch.from_numpy(x.copy()))
    assert tuple(g_out.shape) == (2, 1000)
    assert_close(g_out, t_out, what="eval output")


def test_resnet18_train_forward_backward_matches_torch():
    t_model = torch_model("resnet18").train()
    g_model = glass_twin("resnet18", t_model).train()
    x = make_input((2, 3, 64, 64))
    t_x = torch.from_numpy(x.copy()).requires_grad_()
    g_x = glasstorch.from_numpy(x.copy()).requires_grad_()
    t_out, g_out = t_model(t_x), g_model(g_x)
    assert_close(g_out, t_out, what="train output (batch statistics)")
    w = make_input(tuple(t_out.shape), seed=1)
    (t_out * torch.from_numpy(w)).sum().backward()
    (g_out * glasstorch.from_numpy(w.copy())).sum().backward()
    assert_close(g_x.grad, t_x.grad, what="input gradient")
    for name in ["conv1.weight", "layer1.0.conv1.weight", "layer2.0.downsample.0.weight", "layer4.1.bn2.weight",
                 "fc.weight"]:
        assert_close(g_model.get_parameter(name).grad, t_model.get_parameter(name).grad, what=name)
    # the running statistics moved the same way
    for name in ["bn1.running_mean", "layer4.1.bn2.running_var"]:
        assert_close(g_model.get_buffer(name), t_model.get_buffer(name), what=name)
    assert int(g_model.bn1.num_batches_tracked.item()) == 1


def test_resnet34_eval_forward_matches_torch():
    t_model = torch_model("resnet34").eval()
    g_model = glass_twin("resnet34", t_model).eval()
    x = make_input((2, 3, 32, 32))
    with torch.no_grad():
        t_out = t_model(torch.from_numpy(x.copy()))
    with glasstorch.no_grad():
        g_out = g_model(glasstorch.from_numpy(x.copy()))
    assert_close(g_out, t_out, what="resnet34 eval output")


# -- weights= -----------------------------------------------------------------------------------------------
def _eval_output(model, x):
    model.eval()
    with glasstorch.no_grad():
        return model(glasstorch.from_numpy(x.copy())).numpy()


def test_weights_from_npz_equal_torch(tmp_path):
    t_model = torch_model("resnet18", num_classes=10).eval()
    path = tmp_path / "resnet18.npz"
    np.savez(path, **numpy_state_dict(t_model))  # what a user does in a PyTorch environment
    g_model = models.resnet18(weights=str(path))  # num_classes read from fc.weight
    assert g_model.fc.out_features == 10
    x = make_input((2, 3, 32, 32))
    with torch.no_grad():
        t_out = t_model(torch.from_numpy(x.copy()))
    assert_close(_eval_output(g_model, x), t_out.numpy(), what="output after loading the .npz")
    assert int(g_model.bn1.num_batches_tracked.item()) == int(t_model.bn1.num_batches_tracked.item())


def test_weights_from_glasstorch_checkpoint_and_dict(tmp_path):
    glasstorch.manual_seed(1)
    source = models.resnet18(num_classes=5)
    path = tmp_path / "resnet18.pt"
    glasstorch.save(source.state_dict(), path)
    x = make_input((1, 3, 32, 32))
    expected = _eval_output(source, x)
    loaded = models.resnet18(weights=path)  # a PathLike
    np.testing.assert_array_equal(_eval_output(loaded, x), expected)
    from_dict = models.resnet18(weights={k: v.numpy() for k, v in source.state_dict().items()})
    np.testing.assert_array_equal(_eval_output(from_dict, x), expected)
    with pytest.raises(RuntimeError, match="size mismatch for fc.weight"):
        models.resnet18(weights=path, num_classes=1000)


def test_weights_saved_by_pytorch_load_without_unpickling(tmp_path):
    torch.manual_seed(0)
    source = TORCH_BUILDERS["resnet18"](num_classes=2)
    state_dict = source.state_dict()
    new_style, old_style = tmp_path / "resnet18.pth", tmp_path / "legacy.pth"
    torch.save(state_dict, new_style)  # a ZIP holding data.pkl, as torchvision's downloads
    torch.save(state_dict, old_style, _use_new_zipfile_serialization=False)  # a bare pickle
    for path in (new_style, old_style):
        model = models.resnet18(weights=str(path))  # num_classes read from fc.weight
        for k, v in model.state_dict().items():
            np.testing.assert_array_equal(v.numpy(), state_dict[k].numpy(), err_msg=k)


def test_weights_names_that_would_download_give_a_clear_error(tmp_path):
    for name, short in [("IMAGENET1K_V1", "IMAGENET1K_V1"), ("DEFAULT", "DEFAULT"),
                        ("ResNet34_Weights.IMAGENET1K_V1", "IMAGENET1K_V1")]:
        with pytest.raises(ValueError, match="downloads nothing") as info:
            models.resnet34(weights=name)
        assert f"torchvision.models.resnet34(weights='{short}')" in str(info.value)
    with pytest.raises(ValueError, match="downloads nothing"):
        models.resnet18(pretrained=True)
    with pytest.raises(FileNotFoundError):
        models.resnet18(weights=str(tmp_path / "missing.npz"))
    with pytest.raises(TypeError):
        models.resnet18(weights=3)


# -- small_resnet -------------------------------------------------------------------------------------------
def test_small_resnet_shapes_and_names():
    mnist = models.small_resnet()
    assert tuple(mnist(glasstorch.randn(2, 1, 28, 28)).shape) == (2, 10)
    assert sum(p.numel() for p in mnist.parameters()) == 77_754
    keys = list(mnist.state_dict())
    assert keys[0] == "conv1.weight" and "layer2.0.downsample.0.weight" in keys and keys[-1] == "fc.bias"
    assert tuple(mnist.conv1.weight.shape) == (16, 1, 3, 3)
    cifar = models.small_resnet(in_channels=3, num_classes=100, widths=(8, 16, 32, 64), blocks=(2, 1, 1, 1))
    assert tuple(cifar(glasstorch.randn(2, 3, 32, 32)).shape) == (2, 100)
    assert "layer4.0.conv2.weight" in cifar.state_dict() and "layer1.1.conv1.weight" in cifar.state_dict()


def test_small_resnet_trains():
    glasstorch.manual_seed(0)
    model = models.small_resnet(widths=(8, 16, 32))
    x = glasstorch.randn(16, 1, 28, 28)
    y = glasstorch.randint(0, 10, (16,))
    optimizer = glasstorch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(8):
        optimizer.zero_grad()
        loss = glasstorch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0], losses


def test_small_resnet_weights_round_trip(tmp_path):
    source = models.small_resnet(in_channels=3)
    path = tmp_path / "small.pt"
    glasstorch.save(source.state_dict(), path)
    x = make_input((2, 3, 32, 32))
    loaded = models.small_resnet(in_channels=3, weights=path)
    np.testing.assert_array_equal(_eval_output(loaded, x), _eval_output(source, x))


def test_models_never_import_torch():
    code = "import sys, glasstorch.vision.models; sys.exit('torch' in sys.modules or 'torchvision' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
