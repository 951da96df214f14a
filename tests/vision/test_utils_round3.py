"""Round 3 of glasstorch.vision.utils: the drawing helpers (torchvision's formulas, Pillow's ImageDraw) and
flow_to_image."""
import numpy as np
import pytest
import torch

import glasstorch
from glasstorch.vision import utils


def blank(channels=3, h=20, w=24, value=0):
    return glasstorch.full((channels, h, w), value, dtype=glasstorch.uint8)


def test_draw_bounding_boxes_outline_fill_labels_colors():
    out = utils.draw_bounding_boxes(blank(), glasstorch.tensor([[2, 3, 10, 12]]), colors="red", width=1).numpy()
    assert out.shape == (3, 20, 24) and out.dtype == np.uint8
    np.testing.assert_array_equal(out[:, 3, 2:11].T, [[255, 0, 0]] * 9)  # top edge, x from 2 to 10 inclusive
    np.testing.assert_array_equal(out[:, 3:13, 10].T, [[255, 0, 0]] * 10)  # right edge
    assert (out[:, 5, 5] == 0).all() and (out[:, 0, 0] == 0).all()
    filled = utils.draw_bounding_boxes(blank(), glasstorch.tensor([[2, 3, 10, 12]]), colors=(0, 0, 255),
                                       fill=True).numpy()
    assert filled[2, 6, 6] == round(255 * 100 / 255) and filled[0, 6, 6] == 0  # alpha 100 over black
    gray = utils.draw_bounding_boxes(blank(1), glasstorch.tensor([[0.0, 0.0, 5.7, 5.2]]))
    assert gray.shape == (3, 20, 24)  # one channel becomes RGB; float boxes are truncated
    palette = [tuple(int(c) for c in (i * np.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1])) % 255) for i in range(3)]
    boxes = glasstorch.tensor([[1, 1, 4, 4], [6, 6, 9, 9], [12, 2, 20, 10]])
    drawn = utils.draw_bounding_boxes(blank(), boxes).numpy()
    for (x0, y0, _, _), color in zip(boxes.tolist(), palette):
        assert tuple(drawn[:, y0, x0]) == color
    labelled = utils.draw_bounding_boxes(blank(h=40, w=60), glasstorch.tensor([[1, 1, 58, 38]]), labels=["cat"],
                                         colors="white").numpy()
    assert labelled[:, 3:15, 3:30].any()  # the label's pixels inside the box
    with pytest.raises(ValueError, match=r"\(xmin, ymin, xmax, ymax\) format"):
        utils.draw_bounding_boxes(blank(), glasstorch.tensor([[5, 5, 1, 9]]))
    with pytest.raises(ValueError, match="Number of boxes \\(1\\) and labels \\(2\\) mismatch"):
        utils.draw_bounding_boxes(blank(), glasstorch.tensor([[1, 1, 2, 2]]), labels=["a", "b"])
    with pytest.raises(ValueError, match="Number of colors must be equal or larger"):
        utils.draw_bounding_boxes(blank(), boxes, colors=["red"])
    with pytest.raises(ValueError, match="dtype must be uint8"):
        utils.draw_bounding_boxes(glasstorch.zeros(3, 4, 4), glasstorch.tensor([[1, 1, 2, 2]]))
    with pytest.raises(ValueError, match="not batches"):
        utils.draw_bounding_boxes(glasstorch.zeros(1, 3, 4, 4, dtype=glasstorch.uint8), glasstorch.tensor([[1, 1, 2, 2]]))
    with pytest.warns(UserWarning):
        same = utils.draw_bounding_boxes(blank(), glasstorch.zeros(0, 4))
    assert same.shape == (3, 20, 24)


def test_draw_segmentation_masks_formula():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(3, 6, 7), dtype=np.uint8)
    masks = rng.random((2, 6, 7)) > 0.5
    out = utils.draw_segmentation_masks(glasstorch.from_numpy(image), glasstorch.from_numpy(masks), alpha=0.3,
                                        colors=["red", (0, 128, 255)])
    img = torch.from_numpy(image)
    painted = img.clone()
    painted[:, torch.from_numpy(masks[0])] = torch.tensor([255, 0, 0], dtype=torch.uint8)[:, None]
    painted[:, torch.from_numpy(masks[1])] = torch.tensor([0, 128, 255], dtype=torch.uint8)[:, None]
    expected = (img * (1 - 0.3) + painted * 0.3).to(torch.uint8)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    single = utils.draw_segmentation_masks(glasstorch.from_numpy(image), glasstorch.from_numpy(masks[0]), alpha=1.0,
                                           colors="blue").numpy()
    assert (single[:, masks[0]].T == [0, 0, 255]).all() and (single[:, ~masks[0]] == image[:, ~masks[0]]).all()
    with pytest.raises(ValueError, match="must be of dtype bool"):
        utils.draw_segmentation_masks(glasstorch.from_numpy(image), glasstorch.zeros(6, 7))
    with pytest.raises(ValueError, match="same height and width"):
        utils.draw_segmentation_masks(glasstorch.from_numpy(image), glasstorch.zeros(5, 7, dtype=glasstorch.bool))


def test_draw_keypoints():
    out = utils.draw_keypoints(blank(), glasstorch.tensor([[[5, 5], [15, 10]]]), connectivity=[(0, 1)],
                               colors="red", radius=2, width=1).numpy()
    assert tuple(out[:, 3, 5]) == (255, 0, 0) and tuple(out[:, 12, 15]) == (255, 0, 0)  # the circles' tops/bottoms
    assert tuple(out[:, 5, 5]) == (255, 255, 255)  # the line (Pillow's default ink) is drawn over the points
    assert (out[:, 7:9, 9:12] == 255).all(axis=0).any()
    assert not out[:, 15:, :4].any()
    with pytest.raises(ValueError, match="num_instances, K, 2"):
        utils.draw_keypoints(blank(), glasstorch.tensor([[5, 5]]))


def test_flow_to_image_colour_wheel():
    flow = np.zeros((2, 2, 3), np.float32)
    flow[0, 0, 0] = 1.0   # pointing right: the wheel's first colour, red, at full saturation
    flow[1, 0, 1] = -1.0  # pointing up
    image = utils.flow_to_image(glasstorch.from_numpy(flow)).numpy()
    assert image.shape == (3, 2, 3) and image.dtype == np.uint8
    assert tuple(image[:, 0, 0]) == (255, 0, 0)
    assert tuple(image[:, 1, 1]) == (255, 255, 255)  # no motion: white
    batch = utils.flow_to_image(glasstorch.from_numpy(np.stack([flow, flow])))
    assert batch.shape == (2, 3, 2, 3)
    wheel = utils._make_colorwheel()
    assert wheel.shape == (55, 3) and tuple(wheel[15]) == (255, 255, 0) and tuple(wheel[21]) == (0, 255, 0)
    with pytest.raises(ValueError, match="dtype torch.float"):
        utils.flow_to_image(glasstorch.zeros(2, 3, 3, dtype=glasstorch.float64))
