"""``torchvision.transforms.v2`` for plain images: ``from glasstorch.vision.transforms import v2``.

    transform = v2.Compose([v2.ToImage(), v2.RandomResizedCrop(224), v2.RandomHorizontalFlip(),
                            v2.ToDtype(glasstorch.float32, scale=True), v2.Normalize(mean, std)])
    image = transform(pil_image)                  # one image
    image, label = transform(pil_image, label)    # or several inputs / a tuple, list or dict of them

The transforms are v1's (same arguments, the same work in ``transforms.functional``) called in v2's way:
with one input or several (or a nested tuple/list/dict), v2 transforms only the image and passes everything
else through. Which input is the image: the first PIL image, else the first tensor (v2's rule for plain
tensors; ``ToImage`` also takes an ndarray). v2's tv_tensors (BoundingBoxes, Mask, Video, ...) are not
implemented, so boxes and masks are not transformed alongside (deviation, on purpose: plain images only);
several PIL images in one call: only the first is transformed (v2 transforms all of them with the same
parameters). The batch transforms CutMix and MixUp take a batch (images (B, C, H, W), labels (B,)) and
return the mixed images and soft labels (B, num_classes). The box transforms (RandomIoUCrop,
SanitizeBoundingBoxes, ...) are not here.

New in v2 and here: ToImage, ToDtype(dtype, scale=), ToPureTensor, RGB, Identity, RandomResize,
RandomShortestSize, RandomZoomOut, RandomChannelPermutation, RandomPhotometricDistort, GaussianNoise.
"""
import numpy as np
from PIL import Image

from .... import creation
from ....autograd.function import wrap
from ....nn.modules.module import Module
from ....tensor import Tensor
from .. import autoaugment as _aa
from .. import transforms as _t
from ..functional import InterpolationMode
from . import functional  # noqa: F401
from . import functional as F

__all__ = ["functional", "InterpolationMode", "Transform", "Compose", "Lambda", "RandomApply", "RandomChoice",
           "RandomOrder", "ToImage", "ToDtype", "ToPureTensor", "ToPILImage", "PILToTensor", "ToTensor",
           "ConvertImageDtype", "Identity", "RGB", "Normalize", "Resize", "CenterCrop", "Pad", "RandomCrop",
           "RandomHorizontalFlip", "RandomVerticalFlip", "RandomResizedCrop", "RandomRotation", "RandomAffine",
           "RandomPerspective", "ElasticTransform", "FiveCrop", "TenCrop", "ColorJitter", "Grayscale",
           "RandomGrayscale", "RandomInvert", "RandomPosterize", "RandomSolarize", "RandomAdjustSharpness",
           "RandomAutocontrast", "RandomEqualize", "GaussianBlur", "RandomErasing", "LinearTransformation",
           "AutoAugmentPolicy", "AutoAugment", "RandAugment", "TrivialAugmentWide", "AugMix", "RandomResize",
           "RandomShortestSize", "RandomZoomOut", "RandomChannelPermutation", "RandomPhotometricDistort",
           "GaussianNoise", "CutMix", "MixUp", "check_type", "has_any", "has_all", "query_size", "query_chw"]

AutoAugmentPolicy = _aa.AutoAugmentPolicy


# -- finding the image in what a v2 transform is given ---------------------------------------------------------
def _flatten(sample):
    """(leaves, rebuild): the non-container values of nested tuples/lists/dicts, and the function that puts
    new leaves back in the same structure."""
    if isinstance(sample, (tuple, list)):
        parts = [_flatten(item) for item in sample]
        leaves = [leaf for part_leaves, _ in parts for leaf in part_leaves]

        def rebuild(new):
            out, k = [], 0
            for part_leaves, part_rebuild in parts:
                out.append(part_rebuild(new[k:k + len(part_leaves)]))
                k += len(part_leaves)
            return type(sample)(out)
        return leaves, rebuild
    if isinstance(sample, dict):
        keys = list(sample)
        values_leaves, values_rebuild = _flatten([sample[k] for k in keys])
        return values_leaves, lambda new: type(sample)(zip(keys, values_rebuild(new)))
    return [sample], lambda new: new[0]


def _image_index(leaves, accept_ndarray=False):
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, Image.Image):
            return i
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, Tensor) or (accept_ndarray and isinstance(leaf, np.ndarray)):
            return i
    return None


class _OnImage:
    """Mixin: call the transform on the sample's image only (see the module docstring)."""

    _accepts_ndarray = False

    def __call__(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        leaves, rebuild = _flatten(sample)
        index = _image_index(leaves, self._accepts_ndarray)
        if index is None:
            return sample
        leaves = list(leaves)
        leaves[index] = super().__call__(leaves[index])
        return rebuild(leaves)


class Transform(_OnImage, Module):
    """v2's base class: subclass it and define ``forward(img)`` (called on the sample's image)."""

    def forward(self, img):
        raise NotImplementedError


# -- composing --------------------------------------------------------------------------------------------------
class Compose(_t.Compose):
    """Apply ``transforms`` in turn to the whole sample (several inputs stay several)."""

    def __call__(self, *inputs):
        needs_unpacking = len(inputs) > 1
        for transform in self.transforms:
            outputs = transform(*inputs)
            inputs = outputs if needs_unpacking else (outputs,)
        return outputs if self.transforms else (inputs if needs_unpacking else inputs[0])


class Lambda(_t.Lambda):
    """Apply ``lambd`` to every input of one of ``types`` (default: every input), v2's way."""

    def __init__(self, lambd, *types):
        super().__init__(lambd)
        self.types = types or (object,)

    def __call__(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        leaves, rebuild = _flatten(sample)
        return rebuild([self.lambd(leaf) if isinstance(leaf, self.types) else leaf for leaf in leaves])


class RandomApply(_OnImage, _t.RandomApply):
    pass


class RandomChoice(_OnImage, _t.RandomChoice):
    pass


class RandomOrder(_OnImage, _t.RandomOrder):
    pass


# -- conversions --------------------------------------------------------------------------------------------------
class ToImage(Transform):
    """PIL image, ndarray (H × W × C) or tensor -> tensor image C × H × W, values and dtype kept."""

    _accepts_ndarray = True

    def forward(self, img):
        return F.to_image(img)

    def __repr__(self):
        return "ToImage()"


class ToDtype(Transform):
    """Cast to ``dtype``; ``scale=True`` also maps the value range (uint8 [0, 255] <-> float [0, 1])."""

    def __init__(self, dtype, scale=False):
        super().__init__()
        if isinstance(dtype, dict):
            raise TypeError("glasstorch: v2.ToDtype takes one dtype (a dict per tv_tensor type needs tv_tensors, "
                            "which glasstorch does not implement)")
        self.dtype = dtype
        self.scale = scale

    def forward(self, img):
        return F.to_dtype(img, self.dtype, self.scale)

    def __repr__(self):
        return f"ToDtype(scale={self.scale})"


class ToPureTensor(Transform):
    """Unwraps tv_tensors into plain tensors: here every tensor already is one (identity)."""

    def forward(self, img):
        return img


class Identity(Transform):
    def forward(self, img):
        return img


class RGB(Transform):
    """Grayscale images to three channels; RGB images unchanged."""

    def forward(self, img):
        return F.grayscale_to_rgb(img)


class ToPILImage(_OnImage, _t.ToPILImage):
    pass


class PILToTensor(_OnImage, _t.PILToTensor):
    pass


class ToTensor(_OnImage, _t.ToTensor):
    """Deprecated in v2 (use ``Compose([ToImage(), ToDtype(float32, scale=True)])``); kept for old code."""


class ConvertImageDtype(_OnImage, _t.ConvertImageDtype):
    pass


class Normalize(_OnImage, _t.Normalize):
    pass


# -- geometry -------------------------------------------------------------------------------------------------------
class Resize(_OnImage, _t.Resize):
    pass


class CenterCrop(_OnImage, _t.CenterCrop):
    pass


class Pad(_OnImage, _t.Pad):
    pass


class RandomCrop(_OnImage, _t.RandomCrop):
    pass


class RandomHorizontalFlip(_OnImage, _t.RandomHorizontalFlip):
    pass


class RandomVerticalFlip(_OnImage, _t.RandomVerticalFlip):
    pass


class RandomResizedCrop(_OnImage, _t.RandomResizedCrop):
    pass


class RandomRotation(_OnImage, _t.RandomRotation):
    pass


class RandomAffine(_OnImage, _t.RandomAffine):
    pass


class RandomPerspective(_OnImage, _t.RandomPerspective):
    pass


class ElasticTransform(_OnImage, _t.ElasticTransform):
    pass


class FiveCrop(_OnImage, _t.FiveCrop):
    pass


class TenCrop(_OnImage, _t.TenCrop):
    pass


class LinearTransformation(_OnImage, _t.LinearTransformation):
    pass


class RandomErasing(_OnImage, _t.RandomErasing):
    pass


class GaussianBlur(_OnImage, _t.GaussianBlur):
    pass


# -- colour -------------------------------------------------------------------------------------------------------
class ColorJitter(_OnImage, _t.ColorJitter):
    """v1's ColorJitter; v2's defaults are None (no change), which v1's 0 also means."""

    def __init__(self, brightness=None, contrast=None, saturation=None, hue=None):
        super().__init__(brightness=brightness or 0, contrast=contrast or 0, saturation=saturation or 0,
                         hue=hue or 0)


class Grayscale(_OnImage, _t.Grayscale):
    pass


class RandomGrayscale(_OnImage, _t.RandomGrayscale):
    pass


class RandomInvert(_OnImage, _t.RandomInvert):
    pass


class RandomPosterize(_OnImage, _t.RandomPosterize):
    pass


class RandomSolarize(_OnImage, _t.RandomSolarize):
    pass


class RandomAdjustSharpness(_OnImage, _t.RandomAdjustSharpness):
    pass


class RandomAutocontrast(_OnImage, _t.RandomAutocontrast):
    pass


class RandomEqualize(_OnImage, _t.RandomEqualize):
    pass


class AutoAugment(_OnImage, _aa.AutoAugment):
    pass


class RandAugment(_OnImage, _aa.RandAugment):
    pass


class TrivialAugmentWide(_OnImage, _aa.TrivialAugmentWide):
    pass


class AugMix(_OnImage, _aa.AugMix):
    pass


# -- v2's own ------------------------------------------------------------------------------------------------------
class RandomResize(Transform):
    """Resize so the smaller edge is a random integer in [min_size, max_size)."""

    def __init__(self, min_size, max_size, interpolation=InterpolationMode.BILINEAR, antialias=True):
        super().__init__()
        self.min_size = min_size
        self.max_size = max_size
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        size = int(creation.randint(self.min_size, self.max_size, (1,)).item())
        return F.resize(img, [size], interpolation=self.interpolation, antialias=self.antialias)


class RandomShortestSize(Transform):
    """Resize so the shorter edge is one of ``min_size`` (picked at random), the longer at most ``max_size``."""

    def __init__(self, min_size, max_size=None, interpolation=InterpolationMode.BILINEAR, antialias=True):
        super().__init__()
        self.min_size = [min_size] if isinstance(min_size, int) else list(min_size)
        self.max_size = max_size
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        orig_height, orig_width = F.get_size(img)
        min_size = self.min_size[int(creation.randint(len(self.min_size), (1,)).item())]
        r = min_size / min(orig_height, orig_width)
        if self.max_size is not None:
            r = min(r, self.max_size / max(orig_height, orig_width))
        new_width, new_height = int(orig_width * r), int(orig_height * r)
        return F.resize(img, [new_height, new_width], interpolation=self.interpolation, antialias=self.antialias)


class RandomZoomOut(Transform):
    """With probability ``p``, place the image at a random spot of a canvas ``side_range`` times larger,
    filled with ``fill`` (a number for a tensor image; a number or a tuple for PIL)."""

    def __init__(self, fill=0, side_range=(1.0, 4.0), p=0.5):
        super().__init__()
        if len(side_range) != 2 or side_range[0] < 1.0 or side_range[0] > side_range[1]:
            raise ValueError(f"Invalid side range provided {side_range}.")
        self.fill = fill
        self.side_range = side_range
        self.p = p

    def forward(self, img):
        if creation.rand(1).item() >= self.p:
            return img
        orig_h, orig_w = F.get_size(img)
        r = self.side_range[0] + creation.rand(1).item() * (self.side_range[1] - self.side_range[0])
        canvas_width, canvas_height = int(orig_w * r), int(orig_h * r)
        r = creation.rand(2).tolist()
        left, top = int((canvas_width - orig_w) * r[0]), int((canvas_height - orig_h) * r[1])
        right, bottom = canvas_width - (left + orig_w), canvas_height - (top + orig_h)
        return F.pad(img, [left, top, right, bottom], fill=self.fill)


class RandomChannelPermutation(Transform):
    """The channels in a random order."""

    def forward(self, img):
        channels = F.get_num_channels(img)
        return F.permute_channels(img, creation.randperm(channels).tolist())


class RandomPhotometricDistort(Transform):
    """SSD's photometric distortion: brightness, contrast (before or after saturation and hue), saturation, hue
    and a channel permutation, each with probability ``p``, factors drawn uniformly from the ranges."""

    def __init__(self, brightness=(0.875, 1.125), contrast=(0.5, 1.5), saturation=(0.5, 1.5), hue=(-0.05, 0.05),
                 p=0.5):
        super().__init__()
        self.brightness = _t.ColorJitter._check_input(brightness, "brightness")
        self.contrast = _t.ColorJitter._check_input(contrast, "contrast")
        self.hue = _t.ColorJitter._check_input(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)
        self.saturation = _t.ColorJitter._check_input(saturation, "saturation")
        self.p = p

    def forward(self, img):
        channels = F.get_num_channels(img)
        draws = creation.rand(6).tolist()

        def factor(rng):
            return None if rng is None else float(creation.empty(1).uniform_(rng[0], rng[1]).item())
        b = factor(self.brightness) if draws[0] < self.p else None
        c = factor(self.contrast) if draws[1] < self.p else None
        s = factor(self.saturation) if draws[2] < self.p else None
        h = factor(self.hue) if draws[3] < self.p else None
        contrast_before = draws[4] < 0.5
        perm = creation.randperm(channels).tolist() if channels > 1 and draws[5] < self.p else None
        if b is not None:
            img = F.adjust_brightness(img, b)
        if c is not None and contrast_before:
            img = F.adjust_contrast(img, c)
        if s is not None:
            img = F.adjust_saturation(img, s)
        if h is not None:
            img = F.adjust_hue(img, h)
        if c is not None and not contrast_before:
            img = F.adjust_contrast(img, c)
        if perm is not None:
            img = F.permute_channels(img, perm)
        return img


class GaussianNoise(Transform):
    """Add normal noise of ``mean`` and ``sigma`` to a float tensor image (clipped to [0, 1] with ``clip``)."""

    def __init__(self, mean=0.0, sigma=0.1, clip=True):
        super().__init__()
        self.mean = mean
        self.sigma = sigma
        self.clip = clip

    def forward(self, img):
        if not isinstance(img, Tensor) or img._array.dtype.kind != "f":
            raise ValueError(f"Input tensor is expected to be in float dtype, got dtype={getattr(img, 'dtype', None)}")
        if self.sigma < 0:
            raise ValueError(f"sigma shouldn't be negative. Got {self.sigma}")
        noise = creation.randn(*img.shape, dtype=img.dtype)._array * self.sigma + self.mean
        out = img._array + noise.astype(img._array.dtype)
        if self.clip:
            out = np.clip(out, 0, 1)
        return wrap(out)



# -- batch transforms: MixUp and CutMix (torchvision.transforms.v2._augment) -------------------------------
def _find_labels(sample):
    """v2's default labels_getter: the second item of an (images, labels) pair, or a dict's "labels"/"label"."""
    if isinstance(sample, (tuple, list)) and len(sample) >= 2:
        return 1
    if isinstance(sample, dict):
        for key in sample:
            if isinstance(key, str) and key.lower() in ("labels", "label"):
                return key
    raise ValueError("Could not infer where the labels are in the sample. Try passing a callable as the "
                     "labels_getter parameter?If there are no labels in the sample by design, pass "
                     "labels_getter=None.")


class _BaseMixUpCutMix(Transform):
    def __init__(self, *, alpha=1.0, num_classes=None, labels_getter="default"):
        super().__init__()
        self.alpha = float(alpha)
        self.num_classes = num_classes
        if labels_getter != "default":
            raise NotImplementedError("glasstorch's MixUp/CutMix take labels_getter='default' only")
        self.labels_getter = labels_getter

    def _lam(self):
        from ....distributions import Beta
        return float(Beta(creation.tensor([self.alpha]), creation.tensor([self.alpha])).sample()[0])

    def _one_hot(self, labels, batch_size):
        if labels.ndim == 1:
            if self.num_classes is None:
                raise ValueError("num_classes must be passed if the labels are not one-hot-encoded")
            if labels.shape[0] != batch_size:
                raise ValueError(f"labels should be tensor of shape (batch_size,) but got shape {tuple(labels.shape)} "
                                 f"instead.")
            eye = np.eye(self.num_classes, dtype=np.float32)
            return eye[labels._array.astype(np.int64)]                    # (B, num_classes)
        return labels._array.astype(np.float32)                           # already one-hot

    def __call__(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        key = _find_labels(sample)
        images, labels = (sample[0], sample[key]) if isinstance(sample, (tuple, list)) else (None, sample[key])
        if images is None:
            images = next(v for k, v in sample.items() if k != key and isinstance(v, Tensor))
        if images.ndim != 4:
            raise ValueError(f"Expected a batched input with 4 dims, but got {images.ndim} dimensions instead.")
        one_hot = self._one_hot(labels, images.shape[0])
        x = images._array
        new_images, lam = self._mix(x)
        new_labels = lam * one_hot + (1.0 - lam) * np.roll(one_hot, 1, axis=0)   # each row still sums to 1
        new_images = wrap(new_images.astype(x.dtype))
        new_labels = wrap(new_labels.astype(np.float32))
        if isinstance(sample, (tuple, list)):
            return type(sample)([new_images, new_labels, *sample[2:]])
        out = dict(sample)
        out[key] = new_labels
        out[next(k for k, v in sample.items() if v is images)] = new_images
        return out

    def extra_repr(self):
        return f"alpha={self.alpha}, num_classes={self.num_classes}, labels_getter={self.labels_getter}"


class MixUp(_BaseMixUpCutMix):
    """MixUp (Zhang et al., 2017) on a batch: every image becomes lam·x_i + (1 - lam)·x_(i-1) (the batch
    rolled by one), and its label lam·y_i + (1 - lam)·y_(i-1) (one-hot), lam ~ Beta(alpha, alpha).

        images, labels = MixUp(num_classes=10)(images, labels)   # (B, C, H, W), (B,) -> same, (B, 10)
    """

    def _mix(self, x):
        lam = self._lam()
        return lam * x + (1.0 - lam) * np.roll(x, 1, axis=0), lam


class CutMix(_BaseMixUpCutMix):
    """CutMix (Yun et al., 2019) on a batch: a box of relative area about 1 - lam (lam ~ Beta(alpha, alpha)),
    centred at a uniform random pixel and clipped to the image, is pasted from the previous image of the
    batch (the batch rolled by one); the labels mix with the box's actual area:
    lam' = 1 - box area / (H·W), label = lam'·y_i + (1 - lam')·y_(i-1).
    """

    def _mix(self, x):
        lam = self._lam()
        h, w = x.shape[-2:]
        r_x = int(creation.randint(0, w, (1,))[0])
        r_y = int(creation.randint(0, h, (1,))[0])
        r = 0.5 * np.sqrt(1.0 - lam)
        r_w_half, r_h_half = int(r * w), int(r * h)
        x1, y1 = max(r_x - r_w_half, 0), max(r_y - r_h_half, 0)
        x2, y2 = min(r_x + r_w_half, w), min(r_y + r_h_half, h)
        out = x.copy()
        out[..., y1:y2, x1:x2] = np.roll(x, 1, axis=0)[..., y1:y2, x1:x2]
        return out, 1.0 - float((x2 - x1) * (y2 - y1)) / (w * h)


# -- helpers for writing v2 transforms (torchvision.transforms.v2._utils) -----------------------------------
def check_type(obj, types_or_checks):
    """Whether ``obj`` is an instance of one of the types, or passes one of the check functions."""
    for type_or_check in types_or_checks:
        if isinstance(obj, type_or_check) if isinstance(type_or_check, type) else type_or_check(obj):
            return True
    return False


def has_any(flat_inputs, *types_or_checks):
    """Whether some input passes some of the types or checks."""
    return any(check_type(inpt, types_or_checks) for inpt in flat_inputs)


def has_all(flat_inputs, *types_or_checks):
    """Whether each of the types or checks is passed by some input."""
    return all(any(check_type(inpt, (type_or_check,)) for inpt in flat_inputs) for type_or_check in types_or_checks)


def _images(flat_inputs):
    return [inpt for inpt in flat_inputs if isinstance(inpt, (Tensor, Image.Image))]


def query_chw(flat_inputs):
    """The (C, H, W) shared by the images of a flat list of inputs (PIL images and tensors)."""
    chws = {tuple(F.get_dimensions(inpt)) for inpt in _images(flat_inputs)}
    if not chws:
        raise TypeError("No image or video was found in the sample")
    if len(chws) > 1:
        raise ValueError(f"Found multiple CxHxW dimensions in the sample: {sorted(chws)}")
    c, h, w = chws.pop()
    return c, h, w


def query_size(flat_inputs):
    """The (H, W) shared by the images of a flat list of inputs."""
    sizes = {tuple(F.get_dimensions(inpt))[1:] for inpt in _images(flat_inputs)}
    if not sizes:
        raise TypeError("No image, video, mask or bounding box was found in the sample")
    if len(sizes) > 1:
        raise ValueError(f"Found multiple HxW dimensions in the sample: {sorted(sizes)}")
    h, w = sizes.pop()
    return h, w


from ...._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)  # names the PyTorch API glasstorch lacks
