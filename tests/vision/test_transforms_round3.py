"""Round 3 of glasstorch.vision.transforms: the rest of v1 (functional ops against torchvision's formulas, written
out with PyTorch ops or Pillow, where torchvision uses Pillow), the random transforms by their properties and
with fixed parameters, AutoAugment & co., and transforms.v2 for plain images."""
import math

import numpy as np
import pytest
import torch
from PIL import Image, ImageEnhance, ImageOps

import glasstorch
from glasstorch.vision import transforms as T
from glasstorch.vision.transforms import InterpolationMode, v2
from glasstorch.vision.transforms import autoaugment as AA
from glasstorch.vision.transforms import functional as F
from glasstorch.vision.transforms.v2 import functional as F2


@pytest.fixture
def rgb():
    return np.random.default_rng(3).integers(0, 256, size=(3, 10, 12), dtype=np.uint8)


def g(array):
    return glasstorch.from_numpy(np.ascontiguousarray(array))


def pil(chw):
    return Image.fromarray(np.ascontiguousarray(chw.transpose(1, 2, 0)))


def hwc(img):
    return np.asarray(img).transpose(2, 0, 1)


# -- convert_image_dtype / ToDtype -------------------------------------------------------------------------------
def test_convert_image_dtype_formulas(rgb):
    x = g(rgb)
    f = F.convert_image_dtype(x, glasstorch.float32)
    np.testing.assert_array_equal(f.numpy(), torch.from_numpy(rgb).float().div(255).numpy())
    back = F.convert_image_dtype(f, glasstorch.uint8)  # x · (255 + 1 − 0.001), truncated
    np.testing.assert_array_equal(back.numpy(), torch.from_numpy(f.numpy()).mul(255.999).to(torch.uint8).numpy())
    np.testing.assert_array_equal(back.numpy(), rgb)
    wide = F.convert_image_dtype(x, glasstorch.int32)
    np.testing.assert_array_equal(wide.numpy(), rgb.astype(np.int32) << 23)
    np.testing.assert_array_equal(F.convert_image_dtype(wide, glasstorch.uint8).numpy(), rgb)
    assert F.convert_image_dtype(f, glasstorch.float64).dtype == glasstorch.float64
    assert F.convert_image_dtype(x).dtype == glasstorch.float32
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(f, glasstorch.int32)
    assert T.ConvertImageDtype(glasstorch.float64)(x).dtype == glasstorch.float64


def test_v2_to_dtype_scale(rgb):
    x = g(rgb)
    assert F2.to_dtype(x, glasstorch.float32).numpy().max() == rgb.max()  # no scaling
    scaled = v2.ToDtype(glasstorch.float32, scale=True)(x)
    np.testing.assert_array_equal(scaled.numpy(), torch.from_numpy(rgb).float().mul(1.0 / 255).numpy())
    np.testing.assert_array_equal(F2.to_dtype(x, glasstorch.int16, scale=True).numpy(), rgb.astype(np.int16) << 7)
    np.testing.assert_array_equal(F2.to_dtype(scaled, glasstorch.uint8, scale=True).numpy(), rgb)
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F2.to_dtype(scaled, glasstorch.int64, scale=True)


# -- point operations: tensor path exact, and equal to Pillow's where torchvision's are ----------------------------
def test_invert_posterize_solarize(rgb):
    x = g(rgb)
    np.testing.assert_array_equal(F.invert(x).numpy(), 255 - rgb)
    np.testing.assert_allclose(F.invert(g(rgb / 255.0)).numpy(), 1 - rgb / 255.0)
    np.testing.assert_array_equal(hwc(F.invert(pil(rgb))), 255 - rgb)
    for bits in (0, 1, 3, 8):
        expected = rgb & np.uint8((-(2 ** (8 - bits))) & 0xFF)
        np.testing.assert_array_equal(F.posterize(x, bits).numpy(), expected)
        if bits:  # Pillow (which torchvision calls for PIL images) refuses 0 bits
            np.testing.assert_array_equal(hwc(F.posterize(pil(rgb), bits)), expected)
    np.testing.assert_array_equal(F.solarize(x, 128).numpy(), np.where(rgb >= 128, 255 - rgb, rgb))
    np.testing.assert_array_equal(hwc(F.solarize(pil(rgb), 128)), np.where(rgb >= 128, 255 - rgb, rgb))
    floats = rgb / 255.0
    np.testing.assert_allclose(F.solarize(g(floats), 0.5).numpy(), np.where(floats >= 0.5, 1 - floats, floats))
    with pytest.raises(TypeError, match="Only torch.uint8"):
        F.posterize(g(floats), 2)
    with pytest.raises(ValueError, match="bits should be between 0 and 8"):
        F.posterize(x, 9)
    with pytest.raises(TypeError, match="Threshold should be less than bound"):
        F.solarize(g(floats), 2.0)


def test_autocontrast_formula(rgb):
    x = torch.from_numpy(rgb).float()
    low, high = x.amin(dim=(-2, -1), keepdim=True), x.amax(dim=(-2, -1), keepdim=True)
    expected = ((x - low) * (255.0 / (high - low))).clamp(0, 255).to(torch.uint8)
    np.testing.assert_array_equal(F.autocontrast(g(rgb)).numpy(), expected.numpy())
    flat = np.full((1, 4, 4), 7, np.uint8)  # max == min: unchanged
    np.testing.assert_array_equal(F.autocontrast(g(flat)).numpy(), flat)
    np.testing.assert_array_equal(hwc(F.autocontrast(pil(rgb))), hwc(ImageOps.autocontrast(pil(rgb))))


def test_equalize_matches_pillow(rgb):
    out = F.equalize(g(rgb)).numpy()
    np.testing.assert_array_equal(out, hwc(ImageOps.equalize(pil(rgb))))
    batch = np.stack([rgb, 255 - rgb])
    np.testing.assert_array_equal(F.equalize(g(batch)).numpy()[1], F.equalize(g(255 - rgb)).numpy())
    flat = np.full((1, 3, 3), 9, np.uint8)
    np.testing.assert_array_equal(F.equalize(g(flat)).numpy(), flat)


def test_adjust_sharpness_formula(rgb):
    x = torch.from_numpy(rgb).float()[None]
    kernel = torch.tensor([[1.0, 1.0, 1.0], [1.0, 5.0, 1.0], [1.0, 1.0, 1.0]]) / 13
    blurred = torch.nn.functional.conv2d(x, kernel.expand(3, 1, 3, 3), groups=3).round()
    degenerate = x.clone()
    degenerate[..., 1:-1, 1:-1] = blurred
    for factor in (0.0, 0.5, 2.0):
        expected = (factor * x + (1 - factor) * degenerate).clamp(0, 255).to(torch.uint8)[0].numpy()
        out = F.adjust_sharpness(g(rgb), factor).numpy()
        assert np.abs(out.astype(int) - expected.astype(int)).max() <= 1  # summation order at a .5 tie
        assert (out == expected).mean() > 0.99
    np.testing.assert_array_equal(F.adjust_sharpness(g(rgb), 1.0).numpy(), rgb)
    np.testing.assert_array_equal(hwc(F.adjust_sharpness(pil(rgb), 2.0)),
                                  hwc(ImageEnhance.Sharpness(pil(rgb)).enhance(2.0)))
    with pytest.raises(ValueError, match="is not non-negative"):
        F.adjust_sharpness(g(rgb), -1)


def test_adjust_gamma(rgb):
    floats = rgb / np.float32(255)
    np.testing.assert_allclose(F.adjust_gamma(g(floats), 0.5, gain=1.2).numpy(),
                               np.clip(1.2 * floats ** 0.5, 0, 1), rtol=1e-6)
    table = [int((255 + 1 - 1e-3) * pow(v / 255.0, 2.2)) for v in range(256)]
    np.testing.assert_array_equal(hwc(F.adjust_gamma(pil(rgb), 2.2)), np.asarray(table, np.uint8)[rgb])
    assert F.adjust_gamma(g(rgb), 2.0).dtype == glasstorch.uint8
    with pytest.raises(ValueError, match="non-negative real number"):
        F.adjust_gamma(g(floats), -1)


@pytest.mark.parametrize("kernel_size, sigma", [(3, None), ((5, 3), (1.5, 0.7)), (1, 1.0)])
def test_gaussian_blur_formula(rgb, kernel_size, sigma):
    floats = rgb / np.float32(255)
    kx, ky = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    sx, sy = [k * 0.15 + 0.35 for k in (kx, ky)] if sigma is None else (
        (sigma, sigma) if isinstance(sigma, float) else sigma)

    def kernel1d(k, s):
        x = torch.linspace(-(k - 1) * 0.5, (k - 1) * 0.5, k)
        pdf = torch.exp(-0.5 * (x / s) ** 2)
        return pdf / pdf.sum()
    kernel2d = kernel1d(ky, sy)[:, None] * kernel1d(kx, sx)[None, :]
    x = torch.nn.functional.pad(torch.from_numpy(floats)[None], [kx // 2, kx // 2, ky // 2, ky // 2], mode="reflect")
    expected = torch.nn.functional.conv2d(x, kernel2d.expand(3, 1, ky, kx), groups=3)[0]
    out = F.gaussian_blur(g(floats), kernel_size, sigma)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), atol=1e-6)
    as_uint8 = F.gaussian_blur(g(rgb), kernel_size, sigma).numpy()
    assert np.abs(as_uint8.astype(int) - (expected * 255).round().numpy().astype(int)).max() <= 1
    assert F.gaussian_blur(pil(rgb), kernel_size, sigma).size == (12, 10)


def test_gaussian_blur_errors(rgb):
    with pytest.raises(ValueError, match="odd and positive"):
        F.gaussian_blur(g(rgb), 4)
    with pytest.raises(ValueError, match="sigma should have positive values"):
        F.gaussian_blur(g(rgb), 3, 0.0)
    with pytest.raises(ValueError, match="odd and positive number"):
        T.GaussianBlur(2)
    with pytest.raises(ValueError, match="sigma values should be positive"):
        T.GaussianBlur(3, (2.0, 1.0))


def test_erase_and_crops(rgb):
    x = g(rgb)
    out = F.erase(x, 1, 2, 3, 4, 0)
    expected = rgb.copy()
    expected[:, 1:4, 2:6] = 0
    np.testing.assert_array_equal(out.numpy(), expected)
    assert not (x.numpy() == expected).all()  # not in place
    F.erase(x, 0, 0, 2, 2, 7, inplace=True)
    assert (x.numpy()[:, :2, :2] == 7).all()
    tl, tr, bl, br, center = F.five_crop(g(rgb), 4)
    np.testing.assert_array_equal(tl.numpy(), rgb[:, :4, :4])
    np.testing.assert_array_equal(tr.numpy(), rgb[:, :4, -4:])
    np.testing.assert_array_equal(bl.numpy(), rgb[:, -4:, :4])
    np.testing.assert_array_equal(br.numpy(), rgb[:, -4:, -4:])
    np.testing.assert_array_equal(center.numpy(), rgb[:, 3:7, 4:8])
    ten = T.TenCrop((4, 5))(g(rgb))
    assert len(ten) == 10
    np.testing.assert_array_equal(ten[5].numpy(), rgb[:, :4, ::-1][:, :, :5])
    np.testing.assert_array_equal(F.ten_crop(g(rgb), 4, vertical_flip=True)[5].numpy(), rgb[:, ::-1][:, :4, :4])
    assert [c.size for c in T.FiveCrop(3)(pil(rgb))] == [(3, 3)] * 5
    with pytest.raises(ValueError, match="is bigger than input size"):
        F.five_crop(g(rgb), 11)


def test_perspective(rgb):
    corners = [[0, 0], [11, 0], [11, 9], [0, 9]]
    same = hwc(F.perspective(pil(rgb), corners, corners)).astype(int)  # float32 coefficients: within 1 level
    assert np.abs(same - rgb).max() <= 1
    np.testing.assert_array_equal(hwc(F.perspective(pil(rgb), corners, corners, InterpolationMode.NEAREST)), rgb)
    shifted = [[1, 0], [12, 0], [12, 9], [1, 9]]  # everything moves right by one pixel
    coeffs = F._get_perspective_coeffs(corners, shifted)
    np.testing.assert_allclose(coeffs, [1, 0, -1, 0, 1, 0, 0, 0], atol=1e-6)
    out = F.perspective(g(rgb), corners, shifted, InterpolationMode.NEAREST)
    np.testing.assert_array_equal(out.numpy()[:, :, 1:], rgb[:, :, :-1])
    assert (out.numpy()[:, :, 0] == 0).all()
    np.testing.assert_array_equal(hwc(F.perspective(pil(rgb), corners, shifted, InterpolationMode.NEAREST)),
                                  out.numpy())


def test_elastic_transform_displacements(rgb):
    x = g(rgb / np.float32(255))
    zero = glasstorch.zeros(1, 10, 12, 2)
    np.testing.assert_allclose(F.elastic_transform(x, zero).numpy(), x.numpy(), atol=1e-7)
    shift = np.zeros((1, 10, 12, 2), np.float32)
    shift[..., 0] = 2.0 / 12  # one pixel in grid units: output x samples input x + 1
    out = F.elastic_transform(x, g(shift), fill=[0.5] * 3).numpy()
    np.testing.assert_allclose(out[:, :, :-1], x.numpy()[:, :, 1:], atol=1e-6)
    np.testing.assert_allclose(out[:, :, -1], 0.5, atol=1e-6)
    with pytest.raises(ValueError, match="displacement shape should be"):
        F.elastic_transform(x, glasstorch.zeros(1, 3, 3, 2))
    glasstorch.manual_seed(0)
    d = T.ElasticTransform.get_params([50.0, 50.0], [5.0, 5.0], [10, 12])
    assert tuple(d.shape) == (1, 10, 12, 2)
    assert T.ElasticTransform()(g(rgb)).dtype == glasstorch.uint8


# -- the random transforms: probability 0 and 1, parameters fixed through get_params ---------------------------------
@pytest.mark.parametrize("make, fn", [
    (lambda p: T.RandomInvert(p), F.invert),
    (lambda p: T.RandomPosterize(3, p), lambda i: F.posterize(i, 3)),
    (lambda p: T.RandomSolarize(100, p), lambda i: F.solarize(i, 100)),
    (lambda p: T.RandomAdjustSharpness(2.0, p), lambda i: F.adjust_sharpness(i, 2.0)),
    (lambda p: T.RandomAutocontrast(p), F.autocontrast),
    (lambda p: T.RandomEqualize(p), F.equalize),
])
def test_random_point_transforms(rgb, make, fn):
    x = g(rgb)
    np.testing.assert_array_equal(make(0.0)(x).numpy(), rgb)
    np.testing.assert_array_equal(make(1.0)(x).numpy(), fn(x).numpy())
    np.testing.assert_array_equal(hwc(make(1.0)(pil(rgb))), hwc(fn(pil(rgb))))


def test_random_erasing(rgb):
    x = g(rgb / np.float32(255))
    glasstorch.manual_seed(1)
    for _ in range(20):
        i, j, h, w, v = T.RandomErasing.get_params(x, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=[0.0])
        assert 0 <= i and i + h <= 10 and 0 <= j and j + w <= 12 and h < 10 and w < 12
        assert 0.02 * 120 * 0.5 <= h * w <= 0.33 * 120 * 2  # rounding of the sides
        assert tuple(v.shape) == (1, 1, 1)
    out = T.RandomErasing(p=1.0, value=(0.1, 0.2, 0.3))(x).numpy()
    changed = (out != x.numpy()).any(axis=0)
    assert changed.any()
    for c, value in enumerate((0.1, 0.2, 0.3)):
        np.testing.assert_allclose(out[c][changed], value, rtol=1e-6)
    rand = T.RandomErasing(p=1.0, value="random")(x)
    assert rand.shape == x.shape and rand.dtype == glasstorch.float32
    np.testing.assert_array_equal(T.RandomErasing(p=0.0)(x).numpy(), x.numpy())
    with pytest.raises(ValueError, match="should be 'random'"):
        T.RandomErasing(value="noise")
    with pytest.raises(ValueError, match="Scale should be between 0 and 1"):
        T.RandomErasing(scale=(0.5, 2))
    with pytest.raises(ValueError, match="probability should be between 0 and 1"):
        T.RandomErasing(p=2)
    with pytest.raises(ValueError, match="either a single value or 3"):
        T.RandomErasing(p=1.0, value=[1, 2])(x)
    with pytest.warns(UserWarning, match="Scale and ratio should be of kind"):
        T.RandomErasing(scale=(0.3, 0.1))


def test_gaussian_blur_and_perspective_params(rgb):
    glasstorch.manual_seed(2)
    sigmas = [T.GaussianBlur.get_params(0.1, 2.0) for _ in range(50)]
    assert all(0.1 <= s <= 2.0 for s in sigmas) and len(set(sigmas)) > 40
    assert T.GaussianBlur(3)(g(rgb)).shape == (3, 10, 12)
    for _ in range(30):
        start, end = T.RandomPerspective.get_params(12, 10, 0.5)
        assert start == [[0, 0], [11, 0], [11, 9], [0, 9]]
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = end
        assert 0 <= x0 <= 3 and 0 <= y0 <= 2 and 8 <= x1 <= 11 and 8 <= x2 <= 11 and 6 <= y2 <= 9 and 6 <= y3 <= 9
    np.testing.assert_array_equal(T.RandomPerspective(p=0.0)(g(rgb)).numpy(), rgb)
    assert T.RandomPerspective(p=1.0)(pil(rgb)).size == (12, 10)


def test_linear_transformation():
    x = glasstorch.rand(2, 2, 3)
    matrix = glasstorch.randn(12, 12)
    mean = glasstorch.rand(12)
    out = T.LinearTransformation(matrix, mean)(x)
    expected = (torch.from_numpy(x.numpy()).reshape(1, 12) - torch.from_numpy(mean.numpy())) @ torch.from_numpy(
        matrix.numpy())
    np.testing.assert_allclose(out.numpy(), expected.reshape(2, 2, 3).numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="should be square"):
        T.LinearTransformation(glasstorch.randn(3, 4), glasstorch.rand(3))
    with pytest.raises(ValueError, match="incompatible shape"):
        T.LinearTransformation(matrix, mean)(glasstorch.rand(1, 2, 3))


# -- AutoAugment, RandAugment, TrivialAugmentWide, AugMix ------------------------------------------------------------
def test_apply_op_every_name(rgb):
    x = g(rgb)
    names = ["ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color", "Contrast", "Sharpness",
             "Posterize", "Solarize", "AutoContrast", "Equalize", "Invert", "Identity"]
    for name in names:
        out = AA._apply_op(x, name, 4.0 if name in ("Posterize", "TranslateX", "TranslateY") else 0.3,
                           InterpolationMode.NEAREST, [0.0] * 3)
        assert out.shape == x.shape and out.dtype == glasstorch.uint8
    np.testing.assert_array_equal(AA._apply_op(x, "TranslateX", 2.0, InterpolationMode.NEAREST, None).numpy()[:, :, 2:],
                                  rgb[:, :, :-2])
    np.testing.assert_array_equal(AA._apply_op(x, "Solarize", 100.0, InterpolationMode.NEAREST, None).numpy(),
                                  F.solarize(x, 100.0).numpy())
    with pytest.raises(ValueError, match="is not recognized"):
        AA._apply_op(x, "Blur", 1.0, InterpolationMode.NEAREST, None)


def test_augmentation_spaces():
    space = T.RandAugment()._augmentation_space(31, [32, 24])
    assert list(space) == ["Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness",
                           "Color", "Contrast", "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize"]
    np.testing.assert_allclose(space["TranslateX"][0], torch.linspace(0, 150 / 331 * 32, 31).numpy(), rtol=1e-6)
    np.testing.assert_array_equal(space["Posterize"][0],
                                  (8 - (torch.arange(31) / ((31 - 1) / 4)).round().int()).numpy())
    wide = T.TrivialAugmentWide()._augmentation_space(31)
    np.testing.assert_array_equal(wide["Posterize"][0], (8 - (torch.arange(31) / (30 / 6)).round().int()).numpy())
    np.testing.assert_allclose(wide["Rotate"][0], torch.linspace(0, 135.0, 31).numpy(), rtol=1e-6)
    for policy in T.AutoAugmentPolicy:
        policies = T.AutoAugment(policy).policies
        assert len(policies) == 25 and all(len(sub) == 2 for sub in policies)
    assert T.AutoAugment().policies[0] == (("Posterize", 0.4, 8), ("Rotate", 0.6, 9))


@pytest.mark.parametrize("transform", [
    T.AutoAugment(), T.AutoAugment(T.AutoAugmentPolicy.CIFAR10), T.AutoAugment(T.AutoAugmentPolicy.SVHN, fill=3),
    T.RandAugment(), T.RandAugment(num_ops=3, magnitude=20), T.TrivialAugmentWide(), T.AugMix(),
    T.AugMix(severity=10, chain_depth=2, all_ops=False)])
def test_auto_augment_shapes_and_reproducibility(rgb, transform):
    x = g(rgb)
    glasstorch.manual_seed(5)
    outs = [transform(x).numpy() for _ in range(8)]
    glasstorch.manual_seed(5)
    again = [transform(x).numpy() for _ in range(8)]
    for a, b in zip(outs, again):
        assert a.shape == rgb.shape and a.dtype == np.uint8
        np.testing.assert_array_equal(a, b)
    out_pil = transform(pil(rgb))
    assert isinstance(out_pil, Image.Image) and out_pil.size == (12, 10) and out_pil.mode == "RGB"
    batch = transform(g(np.stack([rgb, rgb])))
    assert batch.shape == (2, 3, 10, 12)


def test_augmix_float_and_errors(rgb):
    x = g(rgb / np.float32(255))
    out = T.AugMix()(x)
    assert out.dtype == glasstorch.float32 and float(out.min()) >= 0 and float(out.max()) <= 1.0 + 1e-6
    with pytest.raises(ValueError, match="severity must be between"):
        T.AugMix(severity=11)


# -- v2 ------------------------------------------------------------------------------------------------------------
def test_v2_pipeline_on_pil_and_structures(rgb):
    pipeline = v2.Compose([v2.ToImage(), v2.RandomResizedCrop(8, antialias=True), v2.RandomHorizontalFlip(),
                           v2.ToDtype(glasstorch.float32, scale=True), v2.Normalize([0.5] * 3, [0.5] * 3)])
    out = pipeline(pil(rgb))
    assert out.shape == (3, 8, 8) and out.dtype == glasstorch.float32
    image, label = pipeline(pil(rgb), 3)
    assert image.shape == (3, 8, 8) and label == 3
    sample = pipeline({"image": pil(rgb), "meta": ["a", 2]})
    assert sample["image"].shape == (3, 8, 8) and sample["meta"] == ["a", 2]
    np.testing.assert_array_equal(v2.ToImage()(rgb.transpose(1, 2, 0)).numpy(), rgb)
    np.testing.assert_array_equal(v2.ToImage()(pil(rgb)).numpy(), rgb)
    assert v2.ToImage()(pil(rgb)).dtype == glasstorch.uint8
    x, y = g(rgb), g(rgb)
    flipped, other = v2.RandomHorizontalFlip(p=1.0)(x, y)  # first plain tensor is the image
    np.testing.assert_array_equal(flipped.numpy(), rgb[:, :, ::-1])
    np.testing.assert_array_equal(other.numpy(), rgb)


def test_v2_transforms_match_v1_with_same_seed(rgb):
    x = g(rgb)
    for v1, new in [(T.RandomCrop(5), v2.RandomCrop(5)), (T.ColorJitter(0.4, 0.4, 0.4, 0.1), v2.ColorJitter(0.4, 0.4, 0.4, 0.1)),
                    (T.RandomRotation(30), v2.RandomRotation(30)), (T.TrivialAugmentWide(), v2.TrivialAugmentWide()),
                    (T.GaussianBlur(3), v2.GaussianBlur(3)), (T.RandomErasing(1.0), v2.RandomErasing(1.0))]:
        inp = x if not isinstance(v1, T.RandomErasing) else g(rgb / np.float32(255))
        glasstorch.manual_seed(9)
        a = v1(inp)
        glasstorch.manual_seed(9)
        b = new(inp)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_v2_own_transforms(rgb):
    x = g(rgb)
    glasstorch.manual_seed(0)
    zoomed = v2.RandomZoomOut(fill=0, side_range=(2.0, 2.0), p=1.0)(x)
    assert zoomed.shape == (3, 20, 24)
    assert int((zoomed.numpy() != 0).any(axis=0).sum()) <= 120
    perm = v2.RandomChannelPermutation()(x).numpy()
    assert sorted(map(bytes, perm)) == sorted(map(bytes, rgb))
    for _ in range(5):
        shortest = v2.RandomResize(5, 9)(x)
        assert 5 <= min(shortest.shape[-2:]) < 9
    assert min(v2.RandomShortestSize([6], max_size=100)(x).shape[-2:]) == 6
    assert v2.RandomPhotometricDistort(p=1.0)(x).shape == x.shape
    np.testing.assert_array_equal(v2.RGB()(g(rgb[:1])).numpy(), np.repeat(rgb[:1], 3, axis=0))
    noisy = v2.GaussianNoise()(g(rgb / np.float32(255)))
    assert float(noisy.min()) >= 0 and float(noisy.max()) <= 1
    with pytest.raises(ValueError, match="float dtype"):
        v2.GaussianNoise()(x)
    np.testing.assert_array_equal(v2.Lambda(lambda t: t * 0, glasstorch.Tensor)(x, 4)[0].numpy(), 0 * rgb)
    assert v2.Lambda(lambda t: t * 0, glasstorch.Tensor)(x, 4)[1] == 4


def test_v2_functional_names(rgb):
    x = g(rgb)
    assert F2.get_size(x) == [10, 12] and F2.get_num_channels(x) == 3
    np.testing.assert_array_equal(F2.horizontal_flip(x).numpy(), rgb[:, :, ::-1])
    np.testing.assert_array_equal(F2.vertical_flip_image(x).numpy(), rgb[:, ::-1])
    np.testing.assert_array_equal(F2.permute_channels(x, [2, 0, 1]).numpy(), rgb[[2, 0, 1]])
    np.testing.assert_array_equal(hwc(F2.permute_channels(pil(rgb), [2, 0, 1])), rgb[[2, 0, 1]])
    np.testing.assert_array_equal(F2.to_image(pil(rgb)).numpy(), rgb)
    assert F2.grayscale_to_rgb(Image.fromarray(rgb[0])).mode == "RGB"


# -- tensor resize without antialiasing: torch.nn.functional.interpolate's formulas ---------------------------------
@pytest.mark.parametrize("size", [(5, 7), (23, 17), (11, 30)])
@pytest.mark.parametrize("mode, torch_mode", [(InterpolationMode.NEAREST, "nearest"),
                                              (InterpolationMode.NEAREST_EXACT, "nearest-exact"),
                                              (InterpolationMode.BILINEAR, "bilinear"),
                                              (InterpolationMode.BICUBIC, "bicubic")])
@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
def test_tensor_resize_matches_interpolate(size, mode, torch_mode, dtype):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (2, 3, 11, 13)).astype(dtype) if dtype == np.uint8 else rng.random((2, 3, 11, 13),
                                                                                                  dtype=np.float32)
    out = T.Resize(size, interpolation=mode, antialias=False)(g(x)).numpy()
    kwargs = {} if "nearest" in torch_mode else {"align_corners": False}
    expected = torch.nn.functional.interpolate(torch.from_numpy(x).float(), size=size, mode=torch_mode, **kwargs)
    assert out.dtype == dtype and out.shape == (2, 3) + size
    if dtype == np.uint8:
        if torch_mode == "bicubic":
            expected = expected.clamp(0, 255)
        expected = expected.round().to(torch.uint8)
        assert np.abs(out.astype(int) - expected.numpy().astype(int)).max() <= 1  # float32 summation order
        assert (out == expected.numpy()).mean() > 0.98
    else:
        np.testing.assert_allclose(out, expected.numpy(), atol=2e-6)
    if "nearest" in torch_mode:
        np.testing.assert_array_equal(out, expected.numpy())


def test_tensor_nearest_resize_of_a_known_image():
    x = g(np.arange(16, dtype=np.uint8).reshape(1, 4, 4))
    np.testing.assert_array_equal(F.resize(x, [2, 2], InterpolationMode.NEAREST).numpy()[0], [[0, 2], [8, 10]])
    np.testing.assert_array_equal(F.resize(x, [2, 2], InterpolationMode.NEAREST_EXACT).numpy()[0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(F.resize(x, [8, 8], InterpolationMode.NEAREST).numpy()[0, ::2, ::2], x.numpy()[0])
