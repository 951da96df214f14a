"""glasstorch.vision.utils: make_grid's layout as torchvision documents it, and save_image through Pillow."""
import io
import os

import numpy as np
import pytest
from PIL import Image

import glasstorch
from glasstorch.vision.utils import make_grid, save_image


def test_make_grid_layout_and_values():
    images = glasstorch.rand(10, 1, 5, 7)
    grid = make_grid(images, nrow=4, padding=2, pad_value=0.25)
    # 4 per row, ceil(10 / 4) = 3 rows, cells of (5 + 2) × (7 + 2), plus 2 at the right and bottom
    assert grid.shape == (3, 3 * 7 + 2, 4 * 9 + 2) and grid.dtype == glasstorch.float32
    g, a = grid.numpy(), images.numpy()
    for k in range(10):
        y, x = divmod(k, 4)
        cell = g[:, 2 + 7 * y:2 + 7 * y + 5, 2 + 9 * x:2 + 9 * x + 7]
        np.testing.assert_array_equal(cell, np.repeat(a[k], 3, axis=0))  # one channel becomes gray RGB
    assert (g[:, :2] == 0.25).all() and (g[:, :, :2] == 0.25).all() and (g[:, -2:] == 0.25).all()
    assert (g[:, 16:, 2 + 9 * 2:] == 0.25).all()  # the two empty cells of the last row
    assert make_grid(glasstorch.rand(3, 3, 4, 4)).shape == (3, 8, 3 * 6 + 2)  # nrow=8 > 3 images: one row
    assert make_grid(glasstorch.rand(20, 3, 4, 4)).shape == (3, 3 * 6 + 2, 8 * 6 + 2)
    assert make_grid(glasstorch.rand(4, 3, 4, 4), padding=0).shape == (3, 4, 16)


def test_make_grid_single_images_and_lists():
    one = glasstorch.rand(1, 5, 6)
    single = make_grid(one)
    assert single.shape == (3, 5, 6)  # no padding for a single image
    np.testing.assert_array_equal(single.numpy()[2], one.numpy()[0])
    assert make_grid(glasstorch.rand(5, 6)).shape == (3, 5, 6)
    assert make_grid(glasstorch.rand(1, 4, 5, 6)).shape == (4, 5, 6)
    listed = [glasstorch.rand(3, 4, 4) for _ in range(3)]
    np.testing.assert_array_equal(make_grid(listed).numpy(), make_grid(glasstorch.stack(listed)).numpy())
    with pytest.raises(TypeError):
        make_grid(np.zeros((2, 3, 4, 4)))


def test_make_grid_normalize():
    x = glasstorch.tensor([[[[-1.0, 1.0]]], [[[3.0, 5.0]]]])  # two 1 × 1 × 2 images
    whole = make_grid(x, normalize=True, padding=0).numpy()
    np.testing.assert_allclose(whole[0], [[0.0, 1 / 3, 2 / 3, 1.0]])
    each = make_grid(x, normalize=True, scale_each=True, padding=0).numpy()
    np.testing.assert_allclose(each[0], [[0.0, 1.0, 0.0, 1.0]])
    ranged = make_grid(x, normalize=True, value_range=(0.0, 2.0), padding=0).numpy()
    np.testing.assert_allclose(ranged[0], [[0.0, 0.5, 1.0, 1.0]])
    assert x.numpy()[0, 0, 0, 0] == -1.0  # the input is left alone
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(x, normalize=True, value_range=[0, 1])


def test_save_image_round_trip(tmp_path):
    images = glasstorch.rand(6, 3, 4, 5)
    path = tmp_path / "grid.png"
    save_image(images, path, nrow=3, padding=1)
    with Image.open(path) as img:
        assert img.mode == "RGB" and img.size == (3 * 6 + 1, 2 * 5 + 1)
        pixels = np.asarray(img)
    grid = make_grid(images, nrow=3, padding=1).numpy()
    expected = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(pixels, expected)
    assert sorted(os.listdir(tmp_path)) == ["grid.png"]  # no temporary file left behind

    gray = glasstorch.rand(1, 7, 8)
    save_image(gray, str(tmp_path / "one.png"))
    with Image.open(tmp_path / "one.png") as img:
        assert img.size == (8, 7)
        np.testing.assert_array_equal(np.asarray(img)[..., 0], (gray.numpy()[0] * 255 + 0.5).astype(np.uint8))

    buffer = io.BytesIO()
    save_image(images, buffer, format="PNG")
    assert buffer.getvalue()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="unknown file extension"):
        save_image(images, tmp_path / "grid.unknown")
    assert not any(name.startswith(".") for name in os.listdir(tmp_path))
