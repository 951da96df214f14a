"""``make_grid`` and ``save_image``, as ``torchvision.utils``: a batch of images as one picture; and the
drawing helpers ``draw_bounding_boxes``, ``draw_segmentation_masks``, ``draw_keypoints`` (Pillow's ImageDraw,
as torchvision) and ``flow_to_image``.

    grid = make_grid(images, nrow=8, padding=2)      # images: B × C × H × W (or a list of C × H × W)
    save_image(images, "batch.png")                  # the same grid, written as a PNG through Pillow

The grid layout (torchvision's): ``xmaps = min(nrow, B)`` images per row, ``ymaps = ceil(B / xmaps)`` rows;
every image sits in a cell of (H + padding) × (W + padding) with ``padding`` pixels of ``pad_value`` above
and to its left, plus one more ``padding`` strip at the right and bottom edges, so the grid is
C × (ymaps·(H + padding) + padding) × (xmaps·(W + padding) + padding). One-channel images become three
channels (gray RGB); a batch of one image is returned as that image (C × H × W), without padding.

``normalize=True`` maps ``value_range`` (default: the tensor's own min and max; with ``scale_each``,
each image's) to [0, 1], clipping outside it. ``save_image`` writes atomically when given a path: a
temporary file in the same folder, then ``os.replace``. The result does not record autograd history.
"""
import math
import os

import numpy as np

from ..autograd.function import wrap
from ..serialization import write_atomically
from ..tensor import Tensor

__all__ = ["make_grid", "save_image", "draw_bounding_boxes", "draw_segmentation_masks", "draw_keypoints",
           "flow_to_image"]


def _as_array(tensor):
    if isinstance(tensor, Tensor):
        return tensor._array
    if isinstance(tensor, (list, tuple)) and all(isinstance(t, Tensor) for t in tensor):
        return np.stack([t._array for t in tensor])
    raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")


def _normalize_range(array, low, high):
    """Clip to [low, high] and map it to [0, 1] (in place on a float array)."""
    np.clip(array, low, high, out=array)
    array -= low
    array /= max(high - low, 1e-5)


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """A grid of the images in ``tensor`` (B × C × H × W, C × H × W, H × W or a list); see the module."""
    array = _as_array(tensor)
    if array.ndim == 2:  # one H × W image
        array = array[None]
    if array.ndim == 3:  # one C × H × W image
        if array.shape[0] == 1:
            array = np.concatenate([array] * 3, axis=0)
        array = array[None]
    if array.ndim == 4 and array.shape[1] == 1:  # one-channel images become gray RGB
        array = np.concatenate([array] * 3, axis=1)
    if array.ndim != 4:
        raise ValueError(f"make_grid expects images of 2, 3 or 4 dimensions, got shape {array.shape}")

    if normalize is True:
        array = array.astype(array.dtype if array.dtype.kind == "f" else np.float32, copy=True)
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max are numbers")
        images = array if scale_each is True else [array]
        for image in images:
            low, high = value_range if value_range is not None else (float(image.min()), float(image.max()))
            _normalize_range(image, low, high)

    if array.shape[0] == 1:
        return wrap(array[0].copy())

    count, channels, height, width = array.shape
    xmaps = min(nrow, count)
    ymaps = int(math.ceil(float(count) / xmaps))
    cell_h, cell_w = height + padding, width + padding
    grid = np.full((channels, cell_h * ymaps + padding, cell_w * xmaps + padding), pad_value, dtype=array.dtype)
    for k in range(count):
        y, x = divmod(k, xmaps)
        top, left = y * cell_h + padding, x * cell_w + padding
        grid[:, top:top + height, left:left + width] = array[k]
    return wrap(grid)


def _to_uint8_image(grid):
    """HWC uint8 from a C × H × W grid of values in [0, 1]: round(255·x), clipped (torchvision's formula)."""
    array = grid._array
    if array.ndim == 2:
        array = array[None]
    values = np.clip(array.astype(np.float32) * 255 + 0.5, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(values.transpose(1, 2, 0))


def save_image(tensor, fp, format=None, **kwargs):
    """Write ``make_grid(tensor, **kwargs)`` as an image file (PNG, JPEG, ...: from ``format`` or the file
    name's extension). ``fp`` is a path (written atomically) or a binary file object."""
    from PIL import Image
    grid = make_grid(tensor, **kwargs)
    pixels = _to_uint8_image(grid)
    image = Image.fromarray(pixels if pixels.shape[2] != 1 else pixels[:, :, 0])
    if not isinstance(fp, (str, os.PathLike)):
        image.save(fp, format=format)
        return
    path = os.fspath(fp)
    if format is None:
        extension = os.path.splitext(path)[1].lower()
        format = Image.registered_extensions().get(extension)
        if format is None:
            raise ValueError(f"unknown file extension: {extension!r} (give format=...)")
    write_atomically(path, lambda out: image.save(out, format=format))



# -- drawing on uint8 images (torchvision's helpers, through Pillow's ImageDraw) --------------------------------
def _generate_color_palette(num_objects):
    palette = np.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1])
    return [tuple(int(c) for c in (i * palette) % 255) for i in range(num_objects)]


def _parse_colors(colors, num_objects):
    """One RGB tuple per object from None (torchvision's palette), a name/tuple (for all) or a list."""
    from PIL import ImageColor
    if colors is None:
        colors = _generate_color_palette(num_objects)
    elif isinstance(colors, list):
        if len(colors) < num_objects:
            raise ValueError(f"Number of colors must be equal or larger than the number of objects, but got "
                             f"{len(colors)} < {num_objects}.")
    elif not isinstance(colors, (tuple, str)):
        raise ValueError(f"colors must be a tuple or a string, or a list thereof, but got {colors}.")
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(f"If passed as tuple, colors should be an RGB triplet, but got {colors}.")
    else:
        colors = [colors] * num_objects
    return [ImageColor.getrgb(c) if isinstance(c, str) else tuple(int(v) for v in c) for c in colors]


def _check_image(image, name="image"):
    if not isinstance(image, Tensor):
        raise TypeError(f"The {name} must be a tensor, got {type(image)}")
    if image._array.dtype != np.uint8:
        raise ValueError(f"The image dtype must be uint8, got {image.dtype}")
    if image.dim() != 3:
        raise ValueError("Pass individual images, not batches")
    if image.size(0) not in {1, 3}:
        raise ValueError("Only grayscale and RGB images are supported")


def draw_bounding_boxes(image, boxes, labels=None, colors=None, fill=False, width=1, font=None, font_size=None):
    """The uint8 image (C × H × W, C = 1 or 3) with the (xmin, ymin, xmax, ymax) ``boxes`` drawn on it as
    rectangles of ``width`` pixels (translucent inside with ``fill``: alpha 100), and ``labels`` written at
    their top-left corners (Pillow's default font unless ``font`` names a TrueType file). Returns 3 channels."""
    import warnings
    from PIL import Image, ImageDraw, ImageFont
    _check_image(image)
    box_array = boxes._array if isinstance(boxes, Tensor) else np.asarray(boxes)
    if box_array.ndim != 2 or (box_array.size and box_array.shape[1] != 4):
        raise ValueError(f"boxes must be of shape (N, 4), got {tuple(box_array.shape)}")
    if (box_array[:, 0] > box_array[:, 2]).any() or (box_array[:, 1] > box_array[:, 3]).any():
        raise ValueError("Boxes need to be in (xmin, ymin, xmax, ymax) format. Use torchvision.ops.box_convert "
                         "to convert them")
    num_boxes = box_array.shape[0]
    if num_boxes == 0:
        warnings.warn("boxes doesn't contain any box. No box was drawn")
        return image
    if labels is None:
        labels = [None] * num_boxes
    elif len(labels) != num_boxes:
        raise ValueError(f"Number of boxes ({num_boxes}) and labels ({len(labels)}) mismatch. Please specify labels "
                         "for each box.")
    colors = _parse_colors(colors, num_boxes)
    if font is None:
        if font_size is not None:
            warnings.warn("Argument 'font_size' will be ignored since 'font' is not set.")
        txt_font = ImageFont.load_default()
    else:
        txt_font = ImageFont.truetype(font=font, size=font_size or 10)
    pixels = image._array
    if pixels.shape[0] == 1:
        pixels = np.tile(pixels, (3, 1, 1))
    canvas = Image.fromarray(np.ascontiguousarray(pixels.transpose(1, 2, 0)))
    draw = ImageDraw.Draw(canvas, "RGBA") if fill else ImageDraw.Draw(canvas)
    for bbox, color, label in zip(box_array.astype(np.int64).tolist(), colors, labels):
        if fill:
            draw.rectangle(bbox, width=width, outline=color, fill=color + (100,))
        else:
            draw.rectangle(bbox, width=width, outline=color)
        if label is not None:
            margin = width + 1
            draw.text((bbox[0] + margin, bbox[1] + margin), label, fill=color, font=txt_font)
    return wrap(np.ascontiguousarray(np.asarray(canvas).transpose(2, 0, 1)))


def draw_segmentation_masks(image, masks, alpha=0.8, colors=None):
    """The uint8 image with each boolean mask (N × H × W, or H × W) painted in its colour, blended:
    image · (1 − alpha) + painted · alpha, truncated to uint8 (a later mask paints over an earlier one)."""
    import warnings
    _check_image(image)
    mask_array = masks._array if isinstance(masks, Tensor) else np.asarray(masks)
    if mask_array.ndim == 2:
        mask_array = mask_array[None]
    if mask_array.ndim != 3:
        raise ValueError("masks must be of shape (H, W) or (batch_size, H, W)")
    if mask_array.dtype != np.bool_:
        raise ValueError("The masks must be of dtype bool")
    if mask_array.shape[-2:] != tuple(image.shape[-2:]):
        raise ValueError("The image and the masks must have the same height and width")
    num_masks = mask_array.shape[0]
    if num_masks == 0:
        warnings.warn("masks doesn't contain any mask. No mask was drawn")
        return image
    colors = _parse_colors(colors, num_masks)
    pixels = image._array
    painted = pixels.copy()
    for mask, color in zip(mask_array, colors):
        painted[:, mask] = np.asarray(color, dtype=np.uint8)[:, None]
    out = pixels.astype(np.float32) * np.float32(1 - alpha) + painted.astype(np.float32) * np.float32(alpha)
    return wrap(out.astype(np.uint8))


def draw_keypoints(image, keypoints, connectivity=None, colors=None, radius=2, width=3):
    """The uint8 image with every keypoint (num_instances × K × 2, (x, y)) drawn as a filled circle of
    ``radius`` in ``colors`` (one colour for all) and each (i, j) pair of ``connectivity`` joined by a line of
    ``width`` pixels."""
    from PIL import Image, ImageDraw
    _check_image(image)
    points = keypoints._array if isinstance(keypoints, Tensor) else np.asarray(keypoints)
    if points.ndim != 3:
        raise ValueError("keypoints must be of shape (num_instances, K, 2)")
    pixels = image._array
    if pixels.shape[0] == 1:
        pixels = np.tile(pixels, (3, 1, 1))
    canvas = Image.fromarray(np.ascontiguousarray(pixels.transpose(1, 2, 0)))
    draw = ImageDraw.Draw(canvas)
    for instance in points.astype(np.int64).tolist():
        for x, y in instance:
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colors, outline=None, width=0)
        for start, end in connectivity or []:
            (x0, y0), (x1, y1) = instance[start], instance[end]
            draw.line(((x0, y0), (x1, y1)), width=width)
    return wrap(np.ascontiguousarray(np.asarray(canvas).transpose(2, 0, 1)))


def _make_colorwheel():
    """The 55 colours of the Middlebury optical-flow colour wheel (RY 15, YG 6, GC 4, CB 11, BM 13, MR 6)."""
    ry, yg, gc, cb, bm, mr = 15, 6, 4, 11, 13, 6
    wheel = np.zeros((ry + yg + gc + cb + bm + mr, 3), dtype=np.float32)
    col = 0
    wheel[0:ry, 0] = 255
    wheel[0:ry, 1] = np.floor(255 * np.arange(ry) / ry)
    col += ry
    wheel[col:col + yg, 0] = 255 - np.floor(255 * np.arange(yg) / yg)
    wheel[col:col + yg, 1] = 255
    col += yg
    wheel[col:col + gc, 1] = 255
    wheel[col:col + gc, 2] = np.floor(255 * np.arange(gc) / gc)
    col += gc
    wheel[col:col + cb, 1] = 255 - np.floor(255 * np.arange(cb) / cb)
    wheel[col:col + cb, 2] = 255
    col += cb
    wheel[col:col + bm, 2] = 255
    wheel[col:col + bm, 0] = np.floor(255 * np.arange(bm) / bm)
    col += bm
    wheel[col:col + mr, 2] = 255 - np.floor(255 * np.arange(mr) / mr)
    wheel[col:col + mr, 0] = 255
    return wheel


def flow_to_image(flow):
    """An optical flow (2 × H × W or N × 2 × H × W, float) as uint8 RGB: direction as hue on the Middlebury
    colour wheel, length (relative to the largest in the input) as saturation."""
    if not isinstance(flow, Tensor) or flow._array.dtype != np.float32:
        raise ValueError(f"Flow should be of dtype torch.float, got {getattr(flow, 'dtype', type(flow))}.")
    array = flow._array
    orig_shape = array.shape
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[1] != 2:
        raise ValueError(f"Input flow should have shape (2, H, W) or (N, 2, H, W), got {orig_shape}.")
    max_norm = np.sqrt((array ** 2).sum(axis=-3)).max()
    normalized = array / (max_norm + np.finfo(array.dtype).eps)
    wheel = _make_colorwheel()
    ncols = wheel.shape[0]
    u, v = normalized[:, 0], normalized[:, 1]
    norm = np.sqrt(u ** 2 + v ** 2)
    a = np.arctan2(-v, -u) / np.pi
    fk = (a + 1) / 2 * (ncols - 1)
    k0 = np.floor(fk).astype(np.int64)
    k1 = k0 + 1
    k1[k1 == ncols] = 0
    f = (fk - k0).astype(np.float32)
    img = np.zeros((array.shape[0], 3) + array.shape[2:], dtype=np.uint8)
    for c in range(3):
        col0, col1 = wheel[k0, c] / 255.0, wheel[k1, c] / 255.0
        col = (1 - f) * col0 + f * col1
        col = 1 - norm * (1 - col)
        img[:, c] = np.floor(255 * col).astype(np.uint8)
    return wrap(img[0] if len(orig_shape) == 3 else img)


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
