"""The transforms as plain functions, as ``torchvision.transforms.functional`` (v1): ``F.hflip(img)``.

An image is either a PIL image or a tensor image: a glasstorch Tensor of shape (..., C, H, W) (float
values in [0, 1], or uint8 in [0, 255]). Each function takes either and returns the same kind, where
torchvision does.

How they work here:
- PIL images go through Pillow (``resize``, ``rotate``, ``transform``, ``ImageEnhance``), as in
  torchvision, so the pixels match torchvision's PIL path.
- Tensor images are NumPy arrays underneath. Crops, pads, flips and the colour operations are NumPy
  code with torchvision's formulas. The resampling operations (``resize``, ``rotate``, ``affine``) run
  each channel through Pillow as a 32-bit float image (mode 'F') and back (integer images are rounded).

Deviations from torchvision, all for tensor images: resize, rotate and affine give Pillow's resampling
(which always antialiases when shrinking; ``antialias=False`` is ignored), not ``torch.nn.functional``'s
interpolate/grid_sample, so values differ slightly at edges and between pixels (nearest-neighbour maps of
whole pixels, such as flips or 90° rotations of square images, are exact); ``affine`` on a tensor uses the
PIL path's centre convention. ``to_pil_image`` clips float values to [0, 1] before scaling (torchvision's
cast wraps out-of-range values). Tensor transforms do not record autograd history, except ``normalize``.
"""
import math
import numbers
from enum import Enum

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from ... import _dtype
from ...autograd.function import wrap
from ...tensor import Tensor

__all__ = ["InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels", "to_tensor",
           "pil_to_tensor", "to_pil_image", "normalize", "resize", "pad", "crop", "center_crop", "resized_crop",
           "hflip", "vflip", "rotate", "affine", "adjust_brightness", "adjust_contrast", "adjust_saturation",
           "adjust_hue", "rgb_to_grayscale", "to_grayscale"]


class InterpolationMode(Enum):
    """How pixels between the source pixels are computed (torchvision's enum; values are its names)."""
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_FILTERS = {
    InterpolationMode.NEAREST: Image.Resampling.NEAREST,
    InterpolationMode.NEAREST_EXACT: Image.Resampling.NEAREST,
    InterpolationMode.BILINEAR: Image.Resampling.BILINEAR,
    InterpolationMode.BICUBIC: Image.Resampling.BICUBIC,
    InterpolationMode.BOX: Image.Resampling.BOX,
    InterpolationMode.HAMMING: Image.Resampling.HAMMING,
    InterpolationMode.LANCZOS: Image.Resampling.LANCZOS,
}
_FROM_PIL_CONSTANT = {int(v): k for k, v in _PIL_FILTERS.items() if k is not InterpolationMode.NEAREST_EXACT}


def _interpolation_mode(interpolation):
    """An InterpolationMode from itself or from a Pillow filter number (which torchvision also accepts)."""
    if isinstance(interpolation, InterpolationMode):
        return interpolation
    if isinstance(interpolation, numbers.Integral) and int(interpolation) in _FROM_PIL_CONSTANT:
        return _FROM_PIL_CONSTANT[int(interpolation)]
    raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding Pillow integer "
                    f"constant, got {interpolation!r}")


def _is_pil(img):
    return isinstance(img, Image.Image)


def _check_image(img):
    if not (_is_pil(img) or isinstance(img, Tensor)):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def _check_pil(img):
    if not _is_pil(img):
        raise TypeError(f"img should be PIL Image. Got {type(img)}")


# -- sizes --------------------------------------------------------------------------------------------------
def get_dimensions(img):
    """[channels, height, width]."""
    _check_image(img)
    if _is_pil(img):
        return [len(img.getbands()), img.height, img.width]
    shape = img._array.shape
    channels = 1 if len(shape) == 2 else shape[-3]
    return [channels, shape[-2], shape[-1]]


def get_image_size(img):
    """[width, height] (torchvision's order)."""
    _, height, width = get_dimensions(img)
    return [width, height]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


def _pair(size, name="size"):
    """(h, w) from an int, a 1-sequence or a 2-sequence."""
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (list, tuple)) and len(size) == 1:
        return int(size[0]), int(size[0])
    if isinstance(size, (list, tuple)) and len(size) == 2:
        return int(size[0]), int(size[1])
    raise ValueError(f"Please provide only two dimensions (h, w) for {name}.")


# -- conversions ----------------------------------------------------------------------------------------------
_PIL_MODE_DTYPES = {"I": np.int32, "I;16": np.int16, "F": np.float32}


def to_tensor(pic):
    """A PIL image or an H × W × C ndarray as a C × H × W tensor; uint8 values are scaled to [0, 1] (float32,
    the default dtype). Other dtypes keep their values and dtype."""
    if not (_is_pil(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
        array = np.ascontiguousarray(array.transpose(2, 0, 1))
    else:
        array = np.array(pic, dtype=_PIL_MODE_DTYPES.get(pic.mode, np.uint8), copy=True)
        if pic.mode == "1":
            array = 255 * array
        array = np.ascontiguousarray(array.reshape(pic.height, pic.width, len(pic.getbands())).transpose(2, 0, 1))
    if array.dtype == np.uint8:
        float_dtype = _dtype.get_default_dtype().numpy_dtype
        return wrap(array.astype(float_dtype) / float_dtype.type(255))
    return wrap(array)


def pil_to_tensor(pic):
    """A PIL image as a C × H × W tensor of its own values and dtype (uint8 for 'L'/'RGB'; no scaling)."""
    _check_pil(pic)
    array = np.array(pic, dtype=_PIL_MODE_DTYPES.get(pic.mode, np.uint8), copy=True)
    return wrap(np.ascontiguousarray(array.reshape(pic.height, pic.width, len(pic.getbands())).transpose(2, 0, 1)))


def _image_from_array(array, mode):
    """``Image.fromarray`` with an explicit mode, done without the (deprecated) ``mode`` argument."""
    inferred = Image.fromarray(array)
    if inferred.mode == mode:
        return inferred
    if mode == "I;16":
        return Image.frombytes(mode, (array.shape[1], array.shape[0]), array.astype("<u2").tobytes())
    return Image.frombytes(mode, (array.shape[1], array.shape[0]), np.ascontiguousarray(array).tobytes())


def to_pil_image(pic, mode=None):
    """A C × H × W tensor or an H × W × C ndarray as a PIL image. Float values are taken as [0, 1] and
    scaled to uint8 (unless ``mode='F'``); the mode follows from the channels and dtype, as torchvision's."""
    if isinstance(pic, Tensor):
        array = pic._array
        if array.ndim == 3:
            array = array.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        array = pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {array.ndim} dimensions.")
    if array.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {array.shape[-1]} channels.")
    if np.issubdtype(array.dtype, np.floating) and mode != "F":
        array = (np.clip(array, 0, 1) * 255).astype(np.uint8)
    channels = array.shape[2]
    if channels == 1:
        array = array[:, :, 0]
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16", np.dtype(np.int32): "I",
                    np.dtype(np.float32): "F"}.get(array.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {array.dtype}. Should be {expected}")
        mode = expected
    else:
        permitted = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}[channels]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for {channels}D inputs")
        if mode is None and array.dtype == np.uint8:
            mode = permitted[0]
    if mode is None:
        raise TypeError(f"Input type {array.dtype} is not supported")
    return _image_from_array(np.ascontiguousarray(array), mode)


def normalize(tensor, mean, std, inplace=False):
    """(tensor − mean) / std per channel of a float tensor image (..., C, H, W). Records autograd history."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
                         f"{tensor.size()}")
    dtype = tensor._array.dtype
    mean = np.asarray(mean, dtype=dtype).reshape(-1, 1, 1)
    std = np.asarray(std, dtype=dtype).reshape(-1, 1, 1)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if not inplace:
        tensor = tensor.clone()
    return tensor.sub_(wrap(mean)).div_(wrap(std))


# -- tensor images through Pillow, one channel at a time ----------------------------------------------------------
def _through_pil_planes(img, operation):
    """Apply ``operation`` (PIL 'F' image -> PIL 'F' image) to every H × W plane of a tensor image."""
    array = img._array
    if array.ndim < 2:
        raise ValueError(f"Expected a tensor image (..., H, W), got shape {array.shape}")
    planes = array.reshape((-1,) + array.shape[-2:]).astype(np.float32)
    out = np.stack([np.asarray(operation(Image.fromarray(plane)), dtype=np.float32) for plane in planes])
    out = out.reshape(array.shape[:-2] + out.shape[-2:])
    if array.dtype.kind in "iub":
        info = np.iinfo(array.dtype) if array.dtype.kind != "b" else None
        out = np.round(out)
        if info is not None:
            out = np.clip(out, info.min, info.max)
    return wrap(out.astype(array.dtype))


def _fill_for(img, fill, name="fill"):
    """Pillow's fill colour for ``img`` from a number or a sequence (torchvision's rules)."""
    if fill is None:
        fill = 0
    bands = len(img.getbands())
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * bands
        if len(fill) != bands:
            raise ValueError(f"The number of elements in 'fill' does not match the number of bands of the image "
                             f"({len(fill)} != {bands})")
        fill = tuple(fill)
    elif bands > 1:
        fill = (fill,) * bands
    if img.mode != "F":
        fill = tuple(int(v) for v in fill) if isinstance(fill, tuple) else int(fill)
    elif isinstance(fill, tuple):
        fill = float(fill[0])
    return fill


def _tensor_fill(fill):
    if fill is None:
        return 0.0
    if isinstance(fill, (list, tuple)):
        if len(set(fill)) > 1:
            raise ValueError("glasstorch: a tensor image takes one number as fill, not one per channel")
        return float(fill[0])
    return float(fill)


# -- geometry ------------------------------------------------------------------------------------------------------
def _resized_size(height, width, size, max_size=None):
    """torchvision's output size: an int (or 1-list) sets the smaller edge, keeping the aspect ratio."""
    if isinstance(size, numbers.Number):
        size = [int(size)]
    size = list(size)
    if len(size) == 2:
        if max_size is not None:
            raise ValueError("max_size should only be passed if size specifies the length of the smaller edge, "
                             "i.e. size should be an int or a sequence of length 1 in torchscript mode.")
        return [int(size[0]), int(size[1])]
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = int(size[0]), int(int(size[0]) * long / short)
    if max_size is not None:
        if max_size <= new_short:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for the "
                             f"smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if width <= height else (new_long, new_short)
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` (h, w), or make the smaller edge ``size`` when it is an int."""
    _check_image(img)
    interpolation = _interpolation_mode(interpolation)
    _, height, width = get_dimensions(img)
    new_h, new_w = _resized_size(height, width, size, max_size)
    if (new_h, new_w) == (height, width):
        return img
    resample = _PIL_FILTERS[interpolation]
    if _is_pil(img):
        return img.resize((new_w, new_h), resample)
    return _through_pil_planes(img, lambda plane: plane.resize((new_w, new_h), resample))


def _padding_ltrb(padding):
    if isinstance(padding, numbers.Number):
        return [int(padding)] * 4
    if isinstance(padding, (list, tuple)) and len(padding) in (1, 2, 4):
        padding = [int(p) for p in padding]
        if len(padding) == 1:
            return padding * 4
        if len(padding) == 2:
            return [padding[0], padding[1], padding[0], padding[1]]
        return padding
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not {padding!r}")


_NUMPY_PAD_MODES = {"edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}


def pad(img, padding, fill=0, padding_mode="constant"):
    """Add borders: ``padding`` is an int (all sides), (left/right, top/bottom) or (left, top, right, bottom).
    ``padding_mode``: 'constant' (with ``fill``), 'edge', 'reflect' (no repeated edge) or 'symmetric'.
    A negative padding crops that side."""
    _check_image(img)
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _padding_ltrb(padding)
    _, height, width = get_dimensions(img)
    if min(left, top, right, bottom) < 0:  # crop the negative sides first
        img = crop(img, max(-top, 0), max(-left, 0), height - max(-top, 0) - max(-bottom, 0),
                   width - max(-left, 0) - max(-right, 0))
        left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    if _is_pil(img):
        if padding_mode == "constant":
            return ImageOps.expand(img, border=(left, top, right, bottom), fill=_fill_for(img, fill))
        array = np.asarray(img)
        widths = [(top, bottom), (left, right)] + [(0, 0)] * (array.ndim - 2)
        out = Image.fromarray(np.pad(array, widths, mode=_NUMPY_PAD_MODES[padding_mode]))
        if img.mode == "P":
            out.putpalette(img.getpalette())
        return out
    array = img._array
    widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    if padding_mode == "constant":
        return wrap(np.pad(array, widths, mode="constant", constant_values=_tensor_fill(fill)).astype(array.dtype))
    return wrap(np.pad(array, widths, mode=_NUMPY_PAD_MODES[padding_mode]))


def crop(img, top, left, height, width):
    """The ``height`` × ``width`` window whose top-left corner is (top, left); outside the image is 0."""
    _check_image(img)
    if _is_pil(img):
        return img.crop((left, top, left + width, top + height))
    array = img._array
    out = np.zeros(array.shape[:-2] + (height, width), dtype=array.dtype)
    rows = slice(max(top, 0), min(top + height, array.shape[-2]))
    cols = slice(max(left, 0), min(left + width, array.shape[-1]))
    if rows.start < rows.stop and cols.start < cols.stop:
        out[..., rows.start - top:rows.stop - top, cols.start - left:cols.stop - left] = array[..., rows, cols]
    return wrap(out)


def center_crop(img, output_size):
    """The central window of ``output_size`` (an int for a square); pads with zeros when it is larger."""
    crop_h, crop_w = _pair(output_size, "output_size")
    _, height, width = get_dimensions(img)
    if crop_w > width or crop_h > height:
        padding = [(crop_w - width) // 2 if crop_w > width else 0, (crop_h - height) // 2 if crop_h > height else 0,
                   (crop_w - width + 1) // 2 if crop_w > width else 0,
                   (crop_h - height + 1) // 2 if crop_h > height else 0]
        img = pad(img, padding, fill=0)
        _, height, width = get_dimensions(img)
        if (crop_w, crop_h) == (width, height):
            return img
    top = int(round((height - crop_h) / 2.0))
    left = int(round((width - crop_w) / 2.0))
    return crop(img, top, left, crop_h, crop_w)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    """``crop`` then ``resize`` to ``size``."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def hflip(img):
    """Mirror left to right."""
    _check_image(img)
    if _is_pil(img):
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return wrap(img._array[..., ::-1].copy())


def vflip(img):
    """Mirror top to bottom."""
    _check_image(img)
    if _is_pil(img):
        return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return wrap(img._array[..., ::-1, :].copy())


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate by ``angle`` degrees counter-clockwise about ``center`` (x, y; default the image centre).
    ``expand=True`` enlarges the output to hold the whole rotated image; uncovered pixels get ``fill``."""
    _check_image(img)
    resample = _PIL_FILTERS[_interpolation_mode(interpolation)]
    if _is_pil(img):
        return img.rotate(angle, resample, expand, center, fillcolor=_fill_for(img, fill))
    value = _tensor_fill(fill)
    return _through_pil_planes(img, lambda plane: plane.rotate(angle, resample, expand, center, fillcolor=value))


def _inverse_affine_matrix(center, angle, translate, scale, shear):
    """The 2 × 3 matrix mapping output pixel (x, y) to input pixel (Pillow's ``Image.AFFINE`` data).

    The forward map, about the centre c, is  x_out = T · C · R · S_h · s · C⁻¹ · x_in  with R the rotation by
    ``angle`` (clockwise on screen, y pointing down), S_h the shear, s the scale and T the translation;
    the inverse is C · (R S_h s)⁻¹ · C⁻¹ · T⁻¹.
    """
    rot, shear_x, shear_y = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    # R · S_h, the rotation-shear matrix [[a, b], [c, d]], whose determinant is 1
    a = math.cos(rot - shear_y) / math.cos(shear_y)
    b = -math.cos(rot - shear_y) * math.tan(shear_x) / math.cos(shear_y) - math.sin(rot)
    c = math.sin(rot - shear_y) / math.cos(shear_y)
    d = -math.sin(rot - shear_y) * math.tan(shear_x) / math.cos(shear_y) + math.cos(rot)
    # its inverse (determinant 1), divided by the scale
    m = [d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0]
    # undo the translation and the move to the centre, then move back from the centre
    m[2] = m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
    m[5] = m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    return m


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    """Rotate by ``angle`` degrees (clockwise, as torchvision's affine), shift by ``translate`` (dx, dy) pixels,
    scale by ``scale`` and shear by ``shear`` degrees (a number: x only, or (x, y)), about ``center``."""
    _check_image(img)
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = [float(s) for s in shear]
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    resample = _PIL_FILTERS[_interpolation_mode(interpolation)]
    _, height, width = get_dimensions(img)
    if center is None:
        center = [width * 0.5, height * 0.5]
    matrix = _inverse_affine_matrix(center, angle, [float(t) for t in translate], scale, shear)
    if _is_pil(img):
        return img.transform((width, height), Image.Transform.AFFINE, matrix, resample, fillcolor=_fill_for(img, fill))
    value = _tensor_fill(fill)
    return _through_pil_planes(
        img, lambda plane: plane.transform((width, height), Image.Transform.AFFINE, matrix, resample, fillcolor=value))


# -- colour --------------------------------------------------------------------------------------------------------
def _bound(array):
    return 1.0 if array.dtype.kind == "f" else 255.0


def _blend(image, other, ratio):
    """ratio · image + (1 − ratio) · other, clipped to the value range, in the image's dtype."""
    out = ratio * image.astype(np.float32 if image.dtype.kind != "f" else image.dtype) + (1.0 - ratio) * other
    return np.clip(out, 0, _bound(image)).astype(image.dtype)


def _channels(array):
    return array.shape[-3] if array.ndim >= 3 else 1


def _gray_array(array):
    """ITU-R 601-2 luma, 0.2989 R + 0.587 G + 0.114 B, shape (..., 1, H, W), in the image's dtype."""
    if _channels(array) == 1:
        return array
    if _channels(array) != 3:
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {_channels(array)}")
    r, g, b = array[..., 0, :, :], array[..., 1, :, :], array[..., 2, :, :]
    work = np.float32 if array.dtype.kind != "f" else array.dtype
    gray = 0.2989 * r.astype(work) + 0.587 * g.astype(work) + 0.114 * b.astype(work)
    return gray.astype(array.dtype)[..., None, :, :]


def adjust_brightness(img, brightness_factor):
    """Multiply the brightness: 0 gives black, 1 the original image, 2 twice as bright."""
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _check_image(img)
    if _is_pil(img):
        return ImageEnhance.Brightness(img).enhance(brightness_factor)
    array = img._array
    return wrap(_blend(array, np.zeros_like(array, dtype=np.float32), brightness_factor))


def adjust_contrast(img, contrast_factor):
    """Blend with the mean gray level: 0 gives a solid gray image, 1 the original, 2 twice the contrast."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _check_image(img)
    if _is_pil(img):
        return ImageEnhance.Contrast(img).enhance(contrast_factor)
    array = img._array
    work = array.dtype if array.dtype.kind == "f" else np.float32
    mean = _gray_array(array).astype(work).mean(axis=(-3, -2, -1), keepdims=True)
    return wrap(_blend(array, mean, contrast_factor))


def adjust_saturation(img, saturation_factor):
    """Blend with the grayscale image: 0 gives black and white, 1 the original, 2 twice the saturation."""
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _check_image(img)
    if _is_pil(img):
        return ImageEnhance.Color(img).enhance(saturation_factor)
    array = img._array
    if _channels(array) == 1:
        return img
    return wrap(_blend(array, _gray_array(array), saturation_factor))


def _rgb_to_hsv(rgb):
    """HSV of RGB values in [0, 1], channels on axis -3 (h in [0, 1))."""
    r, g, b = rgb[..., 0, :, :], rgb[..., 1, :, :], rgb[..., 2, :, :]
    maxc, minc = rgb.max(axis=-3), rgb.min(axis=-3)
    span = maxc - minc
    gray = span == 0
    safe_span = np.where(gray, 1.0, span)
    s = np.where(gray, 0.0, span / np.where(maxc == 0, 1.0, maxc))
    rc, gc, bc = (maxc - r) / safe_span, (maxc - g) / safe_span, (maxc - b) / safe_span
    h = np.where(maxc == r, bc - gc, np.where(maxc == g, 2.0 + rc - bc, 4.0 + gc - rc))
    h = np.where(gray, 0.0, (h / 6.0) % 1.0)
    return h, s, maxc


def _hsv_to_rgb(h, s, v):
    """RGB (channels on axis -3) of HSV values in [0, 1]: the six sectors of the hue circle."""
    sector = np.floor(h * 6.0)
    f = h * 6.0 - sector
    sector = sector.astype(np.int64) % 6
    p = np.clip(v * (1.0 - s), 0, 1)
    q = np.clip(v * (1.0 - s * f), 0, 1)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0, 1)
    r = np.choose(sector, [v, q, p, p, t, v])
    g = np.choose(sector, [t, v, v, q, p, p])
    b = np.choose(sector, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-3)


def adjust_hue(img, hue_factor):
    """Turn the hue by ``hue_factor`` of a full turn, in [-0.5, 0.5] (±0.5: the opposite colours)."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _check_image(img)
    if _is_pil(img):
        if img.mode in {"L", "1", "I", "F"}:
            return img
        h, s, v = img.convert("HSV").split()
        shift = int(np.int32(hue_factor * 255).astype(np.uint8))  # wraps around, as a hue should
        h = Image.fromarray(((np.asarray(h, dtype=np.int64) + shift) % 256).astype(np.uint8))
        return Image.merge("HSV", (h, s, v)).convert(img.mode)
    array = img._array
    if _channels(array) == 1:
        return img
    values = array.astype(np.float32) / 255.0 if array.dtype == np.uint8 else array
    h, s, v = _rgb_to_hsv(values)
    rgb = _hsv_to_rgb((h + hue_factor) % 1.0, s, v)
    if array.dtype == np.uint8:
        return wrap((rgb * (255 + 1.0 - 1e-3)).astype(np.uint8))  # torchvision's float -> uint8 conversion
    return wrap(rgb.astype(array.dtype))


def rgb_to_grayscale(img, num_output_channels=1):
    """Luma 0.2989 R + 0.587 G + 0.114 B, as 1 channel or repeated to 3."""
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    _check_image(img)
    if _is_pil(img):
        return to_grayscale(img, num_output_channels)
    gray = _gray_array(img._array)
    if num_output_channels == 3:
        gray = np.repeat(gray, 3, axis=-3)
    return wrap(np.ascontiguousarray(gray))


def to_grayscale(img, num_output_channels=1):
    """A PIL image in mode 'L' (or 'RGB' with three equal channels when ``num_output_channels=3``)."""
    _check_pil(img)
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    gray = img.convert("L")
    if num_output_channels == 3:
        gray = Image.fromarray(np.repeat(np.asarray(gray)[:, :, None], 3, axis=2))
    return gray


from ..._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
