"""glass.feature_maps / filters / tile: a hand-set edge filter on an image with an edge, paths, shapes, hooks."""
import numpy as np
import pytest

import glasstorch as torch
from glasstorch import glass, nn


def edge_model():
    """conv 3×3 with a vertical-edge (Sobel-x) filter, ReLU, 2×2 max-pool."""
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, bias=False), nn.ReLU(), nn.MaxPool2d(2))
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32)
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor(np.stack([sobel, -sobel])[:, None]))
    return model


def edge_image():
    image = np.zeros((1, 6, 6), dtype=np.float32)
    image[:, :, 3:] = 1.0                  # dark left half, bright right half: a vertical edge at column 3
    return image


def no_hooks(model):
    return all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_edge_filter_finds_the_vertical_edge():
    model = edge_model()
    maps = glass.feature_maps(model, edge_image())
    assert list(maps) == ["0", "1", "2"]
    conv, relu, pool = maps["0"], maps["1"], maps["2"]
    assert conv.shape == relu.shape == (2, 6, 6) and pool.shape == (2, 3, 3)
    # dark→bright edge between columns 2 and 3: Sobel-x responds 4 there (3 on the zero-padded border rows)
    expected = np.zeros((6, 6), dtype=np.float32)
    expected[:, 2:4] = 4.0
    expected[[0, -1], 2:4] = 3.0
    expected[:, 5] = -4.0                  # the zero padding past the bright right border is an edge too
    expected[[0, -1], 5] = -3.0
    np.testing.assert_allclose(conv[0], expected, atol=1e-5)
    np.testing.assert_allclose(conv[1], -expected, atol=1e-5)
    np.testing.assert_allclose(relu, np.maximum(conv, 0))
    np.testing.assert_allclose(pool[0], np.maximum(conv[0], 0).reshape(3, 2, 3, 2).max(axis=(1, 3)))
    assert no_hooks(model)


def test_paths_follow_named_modules_and_layers_argument():
    model = nn.Sequential()
    model.add_module("features", nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.MaxPool2d(2)))
    model.add_module("head", nn.Sequential(nn.Flatten(), nn.Linear(3 * 3 * 3, 2)))
    image = torch.randn(1, 1, 8, 8)
    maps = glass.feature_maps(model, image)
    assert list(maps) == ["features.0", "features.1", "features.2"]
    assert [maps[k].shape for k in maps] == [(3, 6, 6), (3, 6, 6), (3, 3, 3)]
    every = glass.feature_maps(model, image, layers="all")
    assert list(every) == [p for p, m in model.named_modules() if p and not list(m.children())]
    assert every["head.0"].shape == (27,) and every["head.1"].shape == (2,)
    np.testing.assert_allclose(every["head.1"], model(image)[0].detach().numpy(), rtol=1e-5, atol=1e-6)
    assert list(glass.feature_maps(model, image, layers=["features.2", "features.0"])) == ["features.2",
                                                                                            "features.0"]
    with pytest.raises(KeyError):
        glass.feature_maps(model, image, layers=["nope"])
    assert no_hooks(model)


def test_mode_restored_no_graph_and_bad_images():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Dropout(0.5), nn.ReLU())
    model.train()
    maps = glass.feature_maps(model, torch.randn(1, 5, 5))
    assert model.training and all(m.training for m in model.modules())
    assert maps["0"].shape == (2, 3, 3) and isinstance(maps["0"], np.ndarray)
    for bad in (torch.randn(2, 1, 5, 5), torch.randn(5, 5)):
        with pytest.raises(ValueError, match="shape"):
            glass.feature_maps(model, bad)
    model.eval()
    glass.feature_maps(model, torch.randn(1, 5, 5))
    assert not model.training
    assert no_hooks(model)


def test_filters_are_the_conv_weights():
    conv = nn.Conv2d(3, 4, (2, 3))
    w = glass.filters(conv)
    assert w.shape == (4, 3, 2, 3)
    np.testing.assert_array_equal(w, conv.weight.detach().numpy())
    w[:] = 0                                               # a copy: the model is untouched
    assert conv.weight.abs().sum().item() > 0
    with pytest.raises(TypeError):
        glass.filters(nn.ReLU())


def test_tile_layout_and_normalization():
    images = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    grid = glass.tile(images, cols=2, pad=1)
    assert grid.shape == (3 * 2 + 2, 2 * 3 + 1)
    np.testing.assert_allclose(grid[0:2, 0:3], (images[0] - images[0].min()) / 5)
    np.testing.assert_allclose(grid[3:5, 4:7], (images[3] - images[3].min()) / 5)
    assert np.isnan(grid[2]).all() and np.isnan(grid[:, 3]).all()       # the gaps
    assert np.isnan(grid[6:8, 4:7]).all()                                # the empty sixth slot
    np.testing.assert_array_equal(glass.tile(np.ones((1, 2, 2)), 8), np.zeros((2, 2)))  # flat map → 0
    with pytest.raises(ValueError):
        glass.tile(np.ones((2, 2)))


def test_plots_write_files(tmp_path):
    model = edge_model()
    maps = glass.feature_maps(model, edge_image())
    p = glass.plot_feature_maps(maps, tmp_path / "maps.png")
    assert p.exists() and p.stat().st_size > 1000
    q = glass.plot_filters(model[0], tmp_path)
    assert q == tmp_path / "filters.png" and q.exists()
    assert glass.plot_filters(nn.Conv2d(3, 4, 3), tmp_path / "multi.png").exists()
