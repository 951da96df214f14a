"""ConvNeXt (torchvision.models.convnext) in glasstorch: parameter counts (torchvision's
``weights.meta["num_params"]``), state_dict keys, a CNBlock against the same block in torch.nn, and
torchvision.ops' stochastic depth."""
import numpy as np
import pytest
import torch
from torch import nn as tnn

import glasstorch
from glasstorch.vision import models
from glasstorch.vision.models import convnext as gc

PARAMS = {"convnext_tiny": 28_589_128, "convnext_small": 50_223_688, "convnext_base": 88_591_464,
          "convnext_large": 197_767_336}
CONFIGS = {"convnext_tiny": ([96, 192, 384, 768], [3, 3, 9, 3]), "convnext_small": ([96, 192, 384, 768], [3, 3, 27, 3]),
           "convnext_base": ([128, 256, 512, 1024], [3, 3, 27, 3]),
           "convnext_large": ([192, 384, 768, 1536], [3, 3, 27, 3])}


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def test_convnext_tiny_count_keys_and_forward():
    glasstorch.manual_seed(0)
    model = models.convnext_tiny()
    assert n_params(model) == PARAMS["convnext_tiny"]
    sd = model.state_dict()
    assert len(sd) == 182
    assert tuple(sd["features.0.0.weight"].shape) == (96, 3, 4, 4)
    assert tuple(sd["features.0.1.weight"].shape) == (96,)                       # LayerNorm2d
    assert tuple(sd["features.1.0.block.0.weight"].shape) == (96, 1, 7, 7)       # depthwise 7x7
    assert tuple(sd["features.1.0.block.3.weight"].shape) == (384, 96)
    assert tuple(sd["features.1.0.layer_scale"].shape) == (96, 1, 1)
    assert tuple(sd["features.2.1.weight"].shape) == (192, 96, 2, 2)             # downsampling
    assert tuple(sd["features.5.8.block.5.weight"].shape) == (384, 1536)
    assert tuple(sd["classifier.2.weight"].shape) == (1000, 768)
    np.testing.assert_allclose(sd["features.1.0.layer_scale"].numpy(), 1e-6)
    probs = [b.stochastic_depth.p for stage in (1, 3, 5, 7) for b in model.features[stage]]
    np.testing.assert_allclose(probs, 0.1 * np.arange(18) / 17)
    model.eval()
    out = model(glasstorch.randn(2, 3, 32, 32))
    assert tuple(out.shape) == (2, 1000)
    w = models.get_model_weights("convnext_tiny").DEFAULT
    assert w.meta["num_params"] == PARAMS["convnext_tiny"] and w.meta["min_size"] == (32, 32)
    assert models.get_model_builder("convnext_tiny") is models.convnext_tiny


@pytest.mark.parametrize("name", ["convnext_small", "convnext_base", "convnext_large"])
def test_bigger_convnext_counts_from_parts(name):
    # counted from one block per stage (building the whole model takes seconds): stem + blocks + downsamples + head
    channels, blocks = CONFIGS[name]
    total = 3 * channels[0] * 16 + channels[0] + 2 * channels[0]
    for i, (c, n) in enumerate(zip(channels, blocks)):
        total += n * n_params(gc.CNBlock(c, 1e-6, 0.0))
        if i < 3:
            total += 2 * c + c * channels[i + 1] * 4 + channels[i + 1]
    total += 2 * channels[-1] + channels[-1] * 1000 + 1000
    assert total == PARAMS[name]
    assert models.get_model_weights(name).DEFAULT.meta["num_params"] == PARAMS[name]


def test_cnblock_matches_torch():
    glasstorch.manual_seed(1)
    dim = 8
    g = gc.CNBlock(dim, 0.5, 0.0).double()
    g.layer_scale.data.copy_(glasstorch.rand(dim, 1, 1, dtype=glasstorch.float64))

    class TBlock(tnn.Module):
        def __init__(self):
            super().__init__()
            self.block = tnn.Sequential(tnn.Conv2d(dim, dim, 7, padding=3, groups=dim), tnn.Identity(),
                                        tnn.LayerNorm(dim, eps=1e-6), tnn.Linear(dim, 4 * dim), tnn.GELU(),
                                        tnn.Linear(4 * dim, dim), tnn.Identity())
            self.layer_scale = tnn.Parameter(torch.ones(dim, 1, 1))

        def forward(self, x):
            b = self.block
            y = b[0](x).permute(0, 2, 3, 1)
            y = b[5](b[4](b[3](b[2](y)))).permute(0, 3, 1, 2)
            return self.layer_scale * y + x
    t = TBlock().double()
    t.load_state_dict({k: torch.from_numpy(np.array(v.numpy())) for k, v in g.state_dict().items()})
    x = np.random.RandomState(0).randn(2, dim, 9, 9)
    gx, tx = glasstorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    gy, ty = g(gx), t(tx)
    np.testing.assert_allclose(gy.detach().numpy(), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    gy.pow(2).sum().backward()
    ty.pow(2).sum().backward()
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(g.layer_scale.grad.numpy(), t.layer_scale.grad.numpy(), rtol=1e-9, atol=1e-11)


def test_layernorm2d_matches_torch():
    x = np.random.RandomState(2).randn(2, 5, 3, 4).astype(np.float32)
    g = gc.LayerNorm2d(5, eps=1e-6)
    t = torch.nn.functional.layer_norm(torch.tensor(x).permute(0, 2, 3, 1), (5,), eps=1e-6).permute(0, 3, 1, 2)
    np.testing.assert_allclose(g(glasstorch.tensor(x)).detach().numpy(), t.numpy(), rtol=1e-5, atol=1e-6)


def test_stochastic_depth():
    x = glasstorch.ones(1000, 3, 2, 2)
    assert gc.stochastic_depth(x, 0.3, "row", training=False) is x
    assert gc.stochastic_depth(x, 0.0, "row") is x
    glasstorch.manual_seed(0)
    y = gc.stochastic_depth(x, 0.3, "row").numpy()
    per_sample = y.reshape(1000, -1)
    assert np.all(per_sample == per_sample[:, :1])                       # one draw per sample
    kept = per_sample[per_sample > 0]
    np.testing.assert_allclose(kept, 1 / 0.7, rtol=1e-6)                 # survivors scaled by 1 / (1 - p)
    assert 0.6 < (per_sample[:, 0] > 0).mean() < 0.8
    yb = gc.stochastic_depth(x, 0.5, "batch").numpy()
    assert len(np.unique(yb)) == 1
    assert np.all(gc.stochastic_depth(x, 1.0, "row").numpy() == 0)
    with pytest.raises(ValueError, match="drop probability has to be between 0 and 1"):
        gc.stochastic_depth(x, 1.5, "row")
    with pytest.raises(ValueError, match="mode has to be either 'batch' or 'row'"):
        gc.stochastic_depth(x, 0.5, "col")
    m = gc.StochasticDepth(0.2, "row")
    assert repr(m) == "StochasticDepth(p=0.2, mode=row)"
    m.eval()
    assert m(x) is x


def test_convnext_errors_and_num_classes():
    with pytest.raises(ValueError, match="should not be empty"):
        models.ConvNeXt([])
    with pytest.raises(TypeError, match=r"List\[CNBlockConfig\]"):
        models.ConvNeXt([1, 2])
    small = models.ConvNeXt([gc.CNBlockConfig(8, 16, 1), gc.CNBlockConfig(16, None, 1)], num_classes=3)
    x = glasstorch.randn(2, 3, 16, 16, requires_grad=True)
    out = small(x)
    assert tuple(out.shape) == (2, 3)
    out.sum().backward()
    assert x.grad is not None
