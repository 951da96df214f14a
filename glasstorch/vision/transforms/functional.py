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

Tensor ``resize`` as torchvision's: NEAREST and NEAREST_EXACT, and BILINEAR/BICUBIC with ``antialias=False``,
are ``torch.nn.functional.interpolate``'s formulas written in NumPy (align_corners=False).

Deviations from torchvision, all for tensor images: resize with ``antialias=True`` (BILINEAR, BICUBIC) and
the BOX/HAMMING/LANCZOS modes, rotate, affine and perspective give Pillow's resampling, not torchvision's
antialiased interpolate/grid_sample, so values differ slightly at edges and between pixels (nearest-neighbour
maps of whole pixels, such as flips or 90° rotations of square images, are exact); ``affine`` on a tensor uses
the PIL path's centre convention. ``to_pil_image`` clips float values to [0, 1] before scaling (torchvision's
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
           "adjust_hue", "rgb_to_grayscale", "to_grayscale", "convert_image_dtype", "invert", "posterize", "solarize",
           "adjust_sharpness", "autocontrast", "equalize", "adjust_gamma", "gaussian_blur", "erase", "five_crop",
           "ten_crop", "perspective", "elastic_transform"]


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
    plain = interpolation in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT) or (
        antialias is False and interpolation in (InterpolationMode.BILINEAR, InterpolationMode.BICUBIC))
    if plain:
        return _interpolate(img, new_h, new_w, interpolation)
    return _through_pil_planes(img, lambda plane: plane.resize((new_w, new_h), resample))


def _nearest_indices(in_size, out_size, exact):
    """Source index of each output index: floor(i · in/out) ('nearest', PyTorch's), or floor((i + 0.5) · in/out)
    ('nearest-exact', which is also Pillow's NEAREST)."""
    scale = in_size / out_size
    src = (np.arange(out_size) + (0.5 if exact else 0.0)) * scale
    return np.minimum(np.floor(src).astype(np.int64), in_size - 1)


def _linear_weights(in_size, out_size):
    """(i0, i1, w1) of bilinear interpolation with align_corners=False: source x = (i + 0.5) · in/out − 0.5,
    clamped at 0; the value is (1 − w1) · a[i0] + w1 · a[i1]."""
    src = np.maximum((np.arange(out_size) + 0.5) * (in_size / out_size) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    i1 = np.minimum(i0 + 1, in_size - 1)
    return i0, i1, (src - i0).astype(np.float32)


def _cubic_weights(in_size, out_size, a=-0.75):
    """(indices out × 4, weights out × 4) of Keys' cubic convolution (a = −0.75, PyTorch's), align_corners=False:
    the source x = (i + 0.5) · in/out − 0.5 (not clamped), its four neighbours clamped to the image."""
    src = (np.arange(out_size) + 0.5) * (in_size / out_size) - 0.5
    base = np.floor(src)
    t = (src - base).astype(np.float32)
    dist = np.stack([t + 1, t, 1 - t, 2 - t], axis=1)
    near = ((a + 2) * dist - (a + 3)) * dist * dist + 1              # |d| <= 1
    far = ((a * dist - 5 * a) * dist + 8 * a) * dist - 4 * a          # 1 < |d| < 2
    weights = np.where(dist <= 1, near, far).astype(np.float32)
    indices = np.clip(base.astype(np.int64)[:, None] + np.arange(-1, 3), 0, in_size - 1)
    return indices, weights


def _interpolate(img, new_h, new_w, interpolation):
    """A tensor image resized as ``torch.nn.functional.interpolate`` (no antialiasing), which torchvision
    calls for tensors: nearest, nearest-exact, bilinear or bicubic (align_corners=False); integer images are
    computed in float32 and rounded (bicubic clamped to the range first)."""
    array = img._array
    height, width = array.shape[-2:]
    if interpolation in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        exact = interpolation is InterpolationMode.NEAREST_EXACT
        rows, cols = _nearest_indices(height, new_h, exact), _nearest_indices(width, new_w, exact)
        return wrap(np.ascontiguousarray(array[..., rows[:, None], cols[None, :]]))
    work = array.astype(np.float32) if array.dtype.kind != "f" else array
    if interpolation is InterpolationMode.BILINEAR:
        r0, r1, wr = _linear_weights(height, new_h)
        c0, c1, wc = _linear_weights(width, new_w)
        wr, wc = wr.astype(work.dtype), wc.astype(work.dtype)
        rows = work[..., r0, :] * (1 - wr)[:, None] + work[..., r1, :] * wr[:, None]
        out = rows[..., c0] * (1 - wc) + rows[..., c1] * wc
    else:
        ri, rw = _cubic_weights(height, new_h)
        ci, cw = _cubic_weights(width, new_w)
        rw, cw = rw.astype(work.dtype), cw.astype(work.dtype)
        rows = sum(work[..., ri[:, k], :] * rw[:, k][:, None] for k in range(4))
        out = sum(rows[..., ci[:, k]] * cw[:, k] for k in range(4))
        if array.dtype == np.uint8:
            out = np.clip(out, 0, 255)
    if array.dtype.kind != "f":
        out = np.round(out)
    return wrap(out.astype(array.dtype))


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



# -- round 3: the rest of torchvision.transforms.functional ------------------------------------------------------
def _max_value(dtype):
    """The largest value of an image dtype: 1.0 for floats, the integer maximum otherwise (torchvision's)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return 1.0
    if dtype.kind == "b":
        return 1
    return int(np.iinfo(dtype).max)


def _check_tensor_image(img):
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")


def convert_image_dtype(image, dtype=None):
    """Cast a tensor image to ``dtype`` and rescale its values: floats live in [0, 1], integers in [0, max].

    float -> int multiplies by (max + 1 − 0.001) and truncates; int -> float divides by the input's max;
    int -> int shifts by the ratio of the ranges (floor division going down)."""
    _check_tensor_image(image)
    target = _dtype.get_default_dtype() if dtype is None else dtype
    out_np = np.dtype(target.numpy_dtype)
    array = image._array
    if array.dtype == out_np:
        return image
    if array.dtype.kind == "f":
        if out_np.kind == "f":
            return wrap(array.astype(out_np))
        if (array.dtype == np.float32 and out_np in (np.int32, np.int64)) or (
                array.dtype == np.float64 and out_np == np.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {target} cannot be performed safely.")
        eps = 1e-3
        max_val = float(_max_value(out_np))
        return wrap((array * array.dtype.type(max_val + 1.0 - eps)).astype(out_np))
    input_max = float(_max_value(array.dtype))
    if out_np.kind == "f":
        return wrap(array.astype(out_np) / out_np.type(input_max))
    output_max = _max_value(out_np)
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return wrap((array // factor).astype(out_np))
    factor = int((output_max + 1) // (int(input_max) + 1))
    return wrap(array.astype(out_np) * out_np.type(factor))


def invert(img):
    """The negative: max − x (255 − x for uint8, 1 − x for floats)."""
    _check_image(img)
    if _is_pil(img):
        return ImageOps.invert(img)
    array = img._array
    if array.dtype.kind == "b":
        return wrap(~array)
    return wrap((array.dtype.type(_max_value(array.dtype)) - array).astype(array.dtype))


def posterize(img, bits):
    """Keep the ``bits`` high bits of each uint8 value (x & −2^(8−bits))."""
    if not 0 <= bits <= 8:
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    _check_image(img)
    if _is_pil(img):
        return ImageOps.posterize(img, bits)
    array = img._array
    if array.dtype != np.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    mask = np.uint8((-int(2 ** (8 - bits))) & 0xFF)
    return wrap(array & mask)


def solarize(img, threshold):
    """Invert the values at or above ``threshold``."""
    _check_image(img)
    if _is_pil(img):
        return ImageOps.solarize(img, threshold)
    array = img._array
    if threshold > _max_value(array.dtype):
        raise TypeError("Threshold should be less than bound of img.")
    return wrap(np.where(array >= threshold, invert(img)._array, array))


def _blurred_degenerate(array):
    """torchvision's sharpness 'degenerate': the 3 × 3 smoothing [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13 inside,
    the original border pixels kept (integer images rounded)."""
    work = array.astype(np.float32) if array.dtype.kind != "f" else array
    weights = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], dtype=work.dtype) / work.dtype.type(13)
    height, width = array.shape[-2:]
    inner = sum(weights[a, b] * work[..., a:height - 2 + a, b:width - 2 + b] for a in range(3) for b in range(3))
    if array.dtype.kind != "f":
        inner = np.round(inner)
    out = work.copy()
    out[..., 1:-1, 1:-1] = inner
    return out


def adjust_sharpness(img, sharpness_factor):
    """Blend with a smoothed copy: 0 gives the blurred image, 1 the original, 2 twice as sharp."""
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _check_image(img)
    if _is_pil(img):
        return ImageEnhance.Sharpness(img).enhance(sharpness_factor)
    array = img._array
    if array.shape[-1] <= 2 or array.shape[-2] <= 2:
        return img
    return wrap(_blend(array, _blurred_degenerate(array), sharpness_factor))


def autocontrast(img):
    """Stretch each channel so its darkest pixel becomes 0 and its lightest the maximum."""
    _check_image(img)
    if _is_pil(img):
        return ImageOps.autocontrast(img)
    array = img._array
    if array.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found {array.ndim}")
    bound = _bound(array)
    work = array.dtype if array.dtype.kind == "f" else np.float32
    low = array.min(axis=(-2, -1), keepdims=True).astype(work)
    high = array.max(axis=(-2, -1), keepdims=True).astype(work)
    flat = high == low
    low = np.where(flat, 0, low)
    scale = np.where(flat, 1, bound / np.where(flat, 1, high - low))
    return wrap(np.clip((array - low) * scale, 0, bound).astype(array.dtype))


def _equalize_plane(plane):
    """One uint8 H × W plane through torchvision's histogram-equalization look-up table."""
    hist = np.bincount(plane.ravel(), minlength=256)
    nonzero = hist[hist != 0]
    step = int(nonzero[:-1].sum()) // 255
    if step == 0:
        return plane
    lut = (np.cumsum(hist) + step // 2) // step
    lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255).astype(np.uint8)
    return lut[plane]


def equalize(img):
    """Histogram equalization of each channel of a uint8 image."""
    _check_image(img)
    if _is_pil(img):
        return ImageOps.equalize(img)
    array = img._array
    if array.dtype != np.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    planes = array.reshape((-1,) + array.shape[-2:])
    return wrap(np.stack([_equalize_plane(p) for p in planes]).reshape(array.shape))


def adjust_gamma(img, gamma, gain=1):
    """gain · x^gamma on values in [0, 1] (integer images are converted there and back)."""
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    _check_image(img)
    if _is_pil(img):
        mode = img.mode
        img = img.convert("RGB")
        table = [int((255 + 1 - 1e-3) * gain * pow(v / 255.0, gamma)) for v in range(256)] * 3
        return img.point(table).convert(mode)
    array = img._array
    values = convert_image_dtype(img, _dtype.float32)._array if array.dtype.kind != "f" else array
    out = np.clip(gain * values ** gamma, 0, 1).astype(values.dtype)
    if array.dtype.kind != "f":
        return convert_image_dtype(wrap(out), _dtype.from_numpy(array.dtype))
    return wrap(out)


def _gaussian_kernel1d(size, sigma):
    half = (size - 1) * 0.5
    x = np.linspace(-half, half, size, dtype=np.float32)
    pdf = np.exp(-0.5 * (x / np.float32(sigma)) ** 2)
    return pdf / pdf.sum()


def gaussian_blur(img, kernel_size, sigma=None):
    """Blur with a ``kernel_size`` (kx, ky) Gaussian of standard deviation ``sigma`` (sx, sy; default
    0.3·((k − 1)·0.5 − 1) + 0.8), reflecting at the borders. PIL images go through the tensor path, as
    in torchvision."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f"kernel_size should be int or a sequence of integers. Got {type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(f"If kernel_size is a sequence its length should be 2. Got {len(kernel_size)}")
    for ksize in kernel_size:
        if ksize % 2 == 0 or ksize < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. Got {kernel_size}")
    if sigma is None:
        sigma = [ksize * 0.15 + 0.35 for ksize in kernel_size]
    if sigma is not None and not isinstance(sigma, (numbers.Number, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, numbers.Number):
        sigma = [float(sigma), float(sigma)]
    if isinstance(sigma, (list, tuple)) and len(sigma) == 1:
        sigma = [float(sigma[0]), float(sigma[0])]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    _check_image(img)
    if _is_pil(img):
        return to_pil_image(gaussian_blur(pil_to_tensor(img), kernel_size, sigma), mode=img.mode)
    array = img._array
    kx, ky = kernel_size
    work = array.dtype if array.dtype.kind == "f" else np.float32
    wx = _gaussian_kernel1d(kx, sigma[0]).astype(work)
    wy = _gaussian_kernel1d(ky, sigma[1]).astype(work)
    widths = [(0, 0)] * (array.ndim - 2) + [(ky // 2, ky // 2), (kx // 2, kx // 2)]
    padded = np.pad(array.astype(work), widths, mode="reflect")
    height, width = array.shape[-2:]
    rows = sum(wy[a] * padded[..., a:a + height, :] for a in range(ky))       # along y
    out = sum(wx[b] * rows[..., :, b:b + width] for b in range(kx))           # then along x
    if array.dtype.kind != "f":
        out = np.round(out)
    return wrap(out.astype(array.dtype))


def erase(img, i, j, h, w, v, inplace=False):
    """The tensor image with rows i..i+h and columns j..j+w set to ``v`` (a number or a tensor)."""
    _check_tensor_image(img)
    value = v._array if isinstance(v, Tensor) else v
    if inplace:
        img._array[..., i:i + h, j:j + w] = value
        return img
    out = img._array.copy()
    out[..., i:i + h, j:j + w] = value
    return wrap(out)


def five_crop(img, size):
    """The four corner crops and the central crop, in that order (tl, tr, bl, br, center)."""
    crop_h, crop_w = _pair(size, "size")
    _, image_height, image_width = get_dimensions(img)
    if crop_w > image_width or crop_h > image_height:
        raise ValueError(f"Requested crop size {(crop_h, crop_w)} is bigger than input size "
                         f"{(image_height, image_width)}")
    tl = crop(img, 0, 0, crop_h, crop_w)
    tr = crop(img, 0, image_width - crop_w, crop_h, crop_w)
    bl = crop(img, image_height - crop_h, 0, crop_h, crop_w)
    br = crop(img, image_height - crop_h, image_width - crop_w, crop_h, crop_w)
    return tl, tr, bl, br, center_crop(img, [crop_h, crop_w])


def ten_crop(img, size, vertical_flip=False):
    """``five_crop`` of the image, then of its mirror (vertical when ``vertical_flip``)."""
    size = _pair(size, "size")
    first = five_crop(img, size)
    flipped = vflip(img) if vertical_flip else hflip(img)
    return first + five_crop(flipped, size)


def _get_perspective_coeffs(startpoints, endpoints):
    """The 8 coefficients (a..h) of Pillow's PERSPECTIVE map, which sends an output pixel (x, y) to input pixel
    ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1)): solved so endpoints map to
    startpoints (least squares in float64, as torchvision)."""
    a = np.zeros((8, 8), dtype=np.float64)
    for k, (p1, p2) in enumerate(zip(endpoints, startpoints)):
        a[2 * k] = [p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1]]
        a[2 * k + 1] = [0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1]]
    b = np.asarray(startpoints, dtype=np.float64).reshape(8)
    res = np.linalg.lstsq(a, b, rcond=None)[0]
    return [float(np.float32(c)) for c in res]  # torchvision solves in float64 and returns float32 values


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Warp so the four ``startpoints`` [[x, y], ...] (tl, tr, br, bl) land on ``endpoints``."""
    _check_image(img)
    coeffs = _get_perspective_coeffs(startpoints, endpoints)
    resample = _PIL_FILTERS[_interpolation_mode(interpolation)]
    if _is_pil(img):
        return img.transform(img.size, Image.Transform.PERSPECTIVE, coeffs, resample, fillcolor=_fill_for(img, fill))
    value = _tensor_fill(fill)
    return _through_pil_planes(
        img, lambda plane: plane.transform(plane.size, Image.Transform.PERSPECTIVE, coeffs, resample, fillcolor=value))


def elastic_transform(img, displacement, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Move every pixel by ``displacement`` (a 1 × H × W × 2 tensor of (dx, dy) in the [-1, 1] grid units of
    ``grid_sample``, align_corners=False): the output pixel p samples the input at p + displacement(p).
    Sampling is bilinear or nearest on NumPy (outside the image: ``fill``)."""
    _check_image(img)
    if _is_pil(img):
        return to_pil_image(elastic_transform(pil_to_tensor(img), displacement, interpolation, fill), mode=img.mode)
    interpolation = _interpolation_mode(interpolation)
    array = img._array
    height, width = array.shape[-2:]
    disp = displacement._array if isinstance(displacement, Tensor) else np.asarray(displacement)
    if disp.shape != (1, height, width, 2):
        raise ValueError(f"Argument displacement shape should be {(1, height, width, 2)}, but given {disp.shape}")
    ys, xs = np.meshgrid(np.arange(height, dtype=np.float64), np.arange(width, dtype=np.float64), indexing="ij")
    # grid units: x_grid = (2 x + 1) / W − 1, so one grid unit is W / 2 pixels
    sx = xs + disp[0, :, :, 0].astype(np.float64) * width / 2.0
    sy = ys + disp[0, :, :, 1].astype(np.float64) * height / 2.0
    value = _tensor_fill(fill)
    work = array.astype(np.float64)
    if interpolation in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        xi, yi = np.round(sx).astype(np.int64), np.round(sy).astype(np.int64)
        inside = (xi >= 0) & (xi < width) & (yi >= 0) & (yi < height)
        out = np.where(inside, work[..., np.clip(yi, 0, height - 1), np.clip(xi, 0, width - 1)], value)
    else:
        x0, y0 = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
        fx, fy = sx - x0, sy - y0
        out = np.zeros(work.shape, dtype=np.float64)
        for dy, wy in ((0, 1 - fy), (1, fy)):
            for dx, wx in ((0, 1 - fx), (1, fx)):
                xi, yi = x0 + dx, y0 + dy
                inside = (xi >= 0) & (xi < width) & (yi >= 0) & (yi < height)
                corner = np.where(inside, work[..., np.clip(yi, 0, height - 1), np.clip(xi, 0, width - 1)], value)
                out = out + wy * wx * corner
    if array.dtype.kind != "f":
        out = np.round(out)
    return wrap(out.astype(array.dtype))


from ..._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
