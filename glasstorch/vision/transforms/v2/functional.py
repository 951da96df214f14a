"""``torchvision.transforms.v2.functional`` for plain images: tensors (..., C, H, W) and PIL images.

The work is v1's (``transforms.functional``); this module adds v2's names: ``horizontal_flip``,
``vertical_flip``, ``elastic``, ``to_image``, ``to_dtype``, ``grayscale_to_rgb``, ``permute_channels``,
``get_size`` ([height, width], v2's order) and the ``*_image`` kernel names. v2's tv_tensors (boxes,
masks, videos) are not implemented: every input is a plain image.
"""
import numpy as np

from ....autograd.function import wrap
from ....tensor import Tensor
from ..functional import (InterpolationMode, adjust_brightness, adjust_contrast, adjust_gamma, adjust_hue,  # noqa: F401
                          adjust_saturation, adjust_sharpness, affine, autocontrast, center_crop, convert_image_dtype,
                          crop, elastic_transform, equalize, erase, five_crop, gaussian_blur, get_dimensions, hflip,
                          invert, normalize, pad, perspective, pil_to_tensor, posterize, resize, resized_crop,
                          rgb_to_grayscale, rotate, solarize, ten_crop, to_grayscale, to_pil_image, vflip,
                          _max_value)
from .... import _dtype

__all__ = ["InterpolationMode", "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue",
           "adjust_saturation", "adjust_sharpness", "affine", "autocontrast", "center_crop", "convert_image_dtype",
           "crop", "elastic", "elastic_transform", "equalize", "erase", "five_crop", "gaussian_blur",
           "get_dimensions", "get_size", "get_num_channels", "horizontal_flip", "hflip", "invert", "normalize", "pad",
           "perspective", "pil_to_tensor", "posterize", "resize", "resized_crop", "rgb_to_grayscale", "rotate",
           "solarize", "ten_crop", "to_grayscale", "to_pil_image", "vertical_flip", "vflip", "to_image", "to_dtype",
           "grayscale_to_rgb", "permute_channels", "horizontal_flip_image", "vertical_flip_image", "resize_image",
           "crop_image", "center_crop_image", "resized_crop_image", "pad_image", "rotate_image", "affine_image",
           "perspective_image", "elastic_image", "gaussian_blur_image", "normalize_image", "erase_image",
           "to_dtype_image", "invert_image", "posterize_image", "solarize_image", "autocontrast_image",
           "equalize_image", "adjust_brightness_image", "adjust_contrast_image", "adjust_saturation_image",
           "adjust_hue_image", "adjust_sharpness_image", "adjust_gamma_image", "rgb_to_grayscale_image"]

horizontal_flip = hflip
vertical_flip = vflip
elastic = elastic_transform


def get_size(inpt):
    """[height, width] (v2's order; v1's ``get_image_size`` gives [width, height])."""
    _, height, width = get_dimensions(inpt)
    return [height, width]


def get_num_channels(inpt):
    return get_dimensions(inpt)[0]


def to_image(inpt):
    """A tensor image from a PIL image (its values and dtype, C × H × W), an H × W (× C) ndarray or a tensor."""
    if isinstance(inpt, np.ndarray):
        return wrap(np.ascontiguousarray(np.atleast_3d(inpt).transpose(2, 0, 1)))
    if isinstance(inpt, Tensor):
        return inpt
    try:
        return pil_to_tensor(inpt)
    except TypeError:
        raise TypeError(f"Input can either be a pure Tensor, a numpy array, or a PIL image, but got {type(inpt)} "
                        "instead.") from None


def to_dtype(inpt, dtype=None, scale=False):
    """Cast to ``dtype`` (default float32); with ``scale=True`` also rescale the value range as v2 does: float ->
    int multiplies by (max + 1 − 0.001), int -> float multiplies by 1 / max, int -> int shifts bits; float ->
    float keeps the values."""
    dtype = _dtype.float32 if dtype is None else dtype
    if not scale:
        return inpt.to(dtype)
    array = inpt._array
    out_np = np.dtype(dtype.numpy_dtype)
    if array.dtype == out_np:
        return inpt
    if array.dtype.kind == "f":
        if out_np.kind == "f":
            return wrap(array.astype(out_np))
        if (array.dtype == np.float32 and out_np in (np.int32, np.int64)) or (
                array.dtype == np.float64 and out_np == np.int64):
            raise RuntimeError(f"The conversion from {inpt.dtype} to {dtype} cannot be performed safely.")
        return wrap((array * array.dtype.type(float(_max_value(out_np)) + 1.0 - 1e-3)).astype(out_np))
    if out_np.kind == "f":
        return wrap(array.astype(out_np) * out_np.type(1.0 / _max_value(array.dtype)))
    bits_in, bits_out = _value_bits(array.dtype), _value_bits(out_np)
    if bits_in > bits_out:
        return wrap((array >> (bits_in - bits_out)).astype(out_np))
    return wrap(array.astype(out_np) << (bits_out - bits_in))


def _value_bits(dtype):
    """Bits holding the value (the sign bit excluded): 8 for uint8, 7 for int8, 15 for int16 ..."""
    if np.dtype(dtype).kind == "b":
        return 1
    info = np.iinfo(dtype)
    return info.bits - (1 if info.min < 0 else 0)


def grayscale_to_rgb(inpt):
    """One channel repeated to three (an RGB image is returned as it is)."""
    if isinstance(inpt, Tensor):
        if inpt.shape[-3] >= 3:
            return inpt
        return wrap(np.ascontiguousarray(np.repeat(inpt._array, 3, axis=-3)))
    return inpt.convert(mode="RGB")


def permute_channels(inpt, permutation):
    """The channels (axis −3) in the order ``permutation``."""
    if isinstance(inpt, Tensor):
        return wrap(np.ascontiguousarray(inpt._array[..., list(permutation), :, :]))
    return to_pil_image(permute_channels(pil_to_tensor(inpt), permutation), mode=inpt.mode)


# v2's kernel names for plain images
horizontal_flip_image = hflip
vertical_flip_image = vflip
resize_image = resize
crop_image = crop
center_crop_image = center_crop
resized_crop_image = resized_crop
pad_image = pad
rotate_image = rotate
affine_image = affine
perspective_image = perspective
elastic_image = elastic_transform
gaussian_blur_image = gaussian_blur
normalize_image = normalize
erase_image = erase
to_dtype_image = to_dtype
invert_image = invert
posterize_image = posterize
solarize_image = solarize
autocontrast_image = autocontrast
equalize_image = equalize
adjust_brightness_image = adjust_brightness
adjust_contrast_image = adjust_contrast
adjust_saturation_image = adjust_saturation
adjust_hue_image = adjust_hue
adjust_sharpness_image = adjust_sharpness
adjust_gamma_image = adjust_gamma
rgb_to_grayscale_image = rgb_to_grayscale
