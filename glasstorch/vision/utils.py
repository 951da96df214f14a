"""``make_grid`` and ``save_image``, as ``torchvision.utils``: a batch of images as one picture.

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

__all__ = ["make_grid", "save_image"]


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


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
