"""glasstorch.vision.transforms: torchvision's documented behaviour (shapes, values, reprs), PyTorch's ops for
the arithmetic, NumPy for the geometry, and reproducibility under glasstorch.manual_seed."""
import colorsys

import numpy as np
import pytest
import torch
from PIL import Image

import glasstorch
from glasstorch.vision import transforms as T
from glasstorch.vision.transforms import InterpolationMode
from glasstorch.vision.transforms import functional as F


@pytest.fixture
def gray():
    """A 6 × 8 uint8 gray image with distinct pixels."""
    return (np.arange(48, dtype=np.int64).reshape(6, 8) * 5).astype(np.uint8)


@pytest.fixture
def rgb():
    return np.random.default_rng(7).integers(0, 256, size=(10, 12, 3), dtype=np.uint8)


def tensor_of(array_chw):
    return glasstorch.from_numpy(np.ascontiguousarray(array_chw))


# -- conversions ---------------------------------------------------------------------------------------------------
def test_to_tensor_scales_uint8_to_float_chw(gray, rgb):
    x = T.ToTensor()(Image.fromarray(gray))
    assert x.shape == (1, 6, 8) and x.dtype == glasstorch.float32
    expected = torch.from_numpy(gray).unsqueeze(0).to(torch.float32).div(255)
    np.testing.assert_array_equal(x.numpy(), expected.numpy())
    y = T.ToTensor()(Image.fromarray(rgb))
    assert y.shape == (3, 10, 12)
    np.testing.assert_array_equal(y.numpy(), rgb.transpose(2, 0, 1).astype(np.float32) / np.float32(255))
    np.testing.assert_array_equal(T.ToTensor()(rgb).numpy(), y.numpy())  # an HWC ndarray
    np.testing.assert_array_equal(T.ToTensor()(gray).numpy(), x.numpy())  # an HW ndarray
    floats = np.full((2, 3, 1), 7.5, np.float64)
    z = T.ToTensor()(floats)  # not uint8: values and dtype kept
    assert z.dtype == glasstorch.float64 and z.shape == (1, 2, 3) and float(z.max()) == 7.5
    binary = Image.fromarray(gray > 100)
    assert binary.mode == "1" and set(np.unique(T.ToTensor()(binary).numpy())) == {0.0, 1.0}
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()(x)


def test_pil_to_tensor_and_back(rgb, gray):
    x = T.PILToTensor()(Image.fromarray(rgb))
    assert x.dtype == glasstorch.uint8 and x.shape == (3, 10, 12)
    np.testing.assert_array_equal(x.numpy(), rgb.transpose(2, 0, 1))
    img = T.ToPILImage()(x)
    assert img.mode == "RGB" and np.array_equal(np.asarray(img), rgb)
    back = T.ToPILImage()(T.ToTensor()(Image.fromarray(gray)))  # float in [0, 1] -> uint8 'L'
    assert back.mode == "L" and np.array_equal(np.asarray(back), gray)
    assert T.ToPILImage()(glasstorch.zeros(2, 3, 4)).mode == "LA"
    assert T.ToPILImage()(glasstorch.zeros(1, 3, 4)).mode == "L"
    assert T.ToPILImage(mode="F")(glasstorch.zeros(1, 3, 4)).mode == "F"
    assert T.ToPILImage()(np.zeros((3, 4, 4), np.uint8)).mode == "RGBA"
    assert T.ToPILImage(mode="HSV")(glasstorch.zeros(3, 3, 4)).mode == "HSV"
    with pytest.raises(ValueError, match="Incorrect mode"):
        T.ToPILImage(mode="RGB")(glasstorch.zeros(1, 3, 4))
    with pytest.raises(ValueError, match="should not have > 4 channels"):
        T.ToPILImage()(glasstorch.zeros(5, 3, 4))
    assert repr(T.ToPILImage()) == "ToPILImage()" and repr(T.ToPILImage("L")) == "ToPILImage(mode=L)"


def test_normalize_is_x_minus_mean_over_std():
    x = glasstorch.rand(3, 5, 4)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    y = T.Normalize(mean, std)(x)
    expected = torch.from_numpy(x.numpy().copy()).sub(torch.tensor(mean).view(-1, 1, 1)).div(
        torch.tensor(std).view(-1, 1, 1))
    np.testing.assert_array_equal(y.numpy(), expected.numpy())
    assert not np.array_equal(x.numpy(), y.numpy())  # not in place by default
    batch = glasstorch.rand(2, 3, 5, 4)
    np.testing.assert_allclose(F.normalize(batch, mean, std).numpy()[1], F.normalize(batch[1], mean, std).numpy())
    z = x.clone()
    out = T.Normalize(mean, std, inplace=True)(z)
    assert out is z and np.array_equal(z.numpy(), y.numpy())
    with pytest.raises(TypeError, match="float tensor"):
        T.Normalize((0.5,), (0.5,))(glasstorch.zeros(1, 2, 2, dtype=glasstorch.uint8))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize((0.5,), (0.0,))(glasstorch.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="Expected tensor to be a tensor image"):
        T.Normalize((0.5,), (0.5,))(glasstorch.zeros(2, 2))
    with pytest.raises(TypeError):
        T.Normalize((0.5,), (0.5,))(Image.new("L", (2, 2)))


def test_normalize_passes_gradients():
    x = glasstorch.rand(2, 3, 3, requires_grad=True)
    F.normalize(x, (0.5, 0.25), (2.0, 4.0)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[0], np.full((3, 3), 0.5))
    np.testing.assert_allclose(x.grad.numpy()[1], np.full((3, 3), 0.25))


def test_compose_lambda_and_reprs():
    t = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
    assert repr(t) == "Compose(\n    ToTensor()\n    Normalize(mean=(0.1307,), std=(0.3081,))\n)"
    double = T.Lambda(lambda v: v * 2)
    assert double(3) == 6 and repr(double) == "Lambda()"
    with pytest.raises(TypeError, match="should be callable"):
        T.Lambda(3)
    assert repr(T.Resize(256)) == "Resize(size=256, interpolation=bilinear, max_size=None, antialias=True)"
    assert repr(T.CenterCrop(224)) == "CenterCrop(size=(224, 224))"
    assert repr(T.RandomCrop(32, padding=4)) == "RandomCrop(size=(32, 32), padding=4)"
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    assert repr(T.RandomRotation(10)) == \
        "RandomRotation(degrees=[-10.0, 10.0], interpolation=nearest, expand=False, fill=0)"
    assert repr(T.RandomAffine(0, translate=(0.1, 0.1))) == "RandomAffine(degrees=[0.0, 0.0], translate=(0.1, 0.1))"
    assert repr(T.ColorJitter(brightness=0.5, hue=0.1)) == \
        "ColorJitter(brightness=(0.5, 1.5), contrast=None, saturation=None, hue=(-0.1, 0.1))"
    assert repr(T.Grayscale(3)) == "Grayscale(num_output_channels=3)"
    assert repr(T.RandomResizedCrop(224)) == ("RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0), "
                                              "ratio=(0.75, 1.3333), interpolation=bilinear, antialias=True)")
    # the nn.Module transforms fit in nn.Sequential
    seq = glasstorch.nn.Sequential(T.CenterCrop(2), T.Normalize((0.5,), (0.5,)))
    assert seq(glasstorch.ones(1, 4, 4)).shape == (1, 2, 2)


# -- geometry ------------------------------------------------------------------------------------------------------
def test_resize_smaller_edge_and_exact_size(rgb):
    img = Image.fromarray(rgb)  # 12 wide, 10 high
    out = T.Resize(5)(img)
    assert out.size == (6, 5)  # the smaller edge (height) becomes 5, the width keeps the ratio
    assert np.array_equal(np.asarray(out), np.asarray(img.resize((6, 5), Image.Resampling.BILINEAR)))
    assert T.Resize((4, 9))(img).size == (9, 4)  # (h, w)
    assert T.Resize([5])(img).size == (6, 5)
    assert T.Resize(20, max_size=22)(img).size == (22, 18)
    tall = Image.new("L", (10, 30))
    assert T.Resize(5)(tall).size == (5, 15)
    nearest = T.Resize((20, 24), interpolation=InterpolationMode.NEAREST)(img)
    assert np.array_equal(np.asarray(nearest), rgb.repeat(2, axis=0).repeat(2, axis=1))
    # tensor images: same sizes, values close to Pillow's on the uint8 image
    x = tensor_of(rgb.transpose(2, 0, 1))
    y = T.Resize(5)(x)
    assert y.shape == (3, 5, 6) and y.dtype == glasstorch.uint8
    assert np.abs(y.numpy().astype(int) - np.asarray(out).transpose(2, 0, 1)).max() <= 1
    assert T.Resize(5)(glasstorch.rand(2, 3, 10, 12)).shape == (2, 3, 5, 6)
    with pytest.raises(ValueError, match="1 or 2 values"):
        T.Resize((1, 2, 3))


def test_center_crop(gray):
    img = Image.fromarray(gray)  # 8 wide, 6 high
    np.testing.assert_array_equal(np.asarray(T.CenterCrop(4)(img)), gray[1:5, 2:6])
    np.testing.assert_array_equal(np.asarray(T.CenterCrop((3, 5))(img)), gray[2:5, 2:7])  # round(1.5) = 2
    x = tensor_of(gray[None])
    np.testing.assert_array_equal(T.CenterCrop(4)(x).numpy()[0], gray[1:5, 2:6])
    big = T.CenterCrop((8, 10))(x).numpy()[0]  # larger than the image: zero padding around it
    assert big.shape == (8, 10)
    np.testing.assert_array_equal(big[1:7, 1:9], gray)
    assert big[0].sum() == 0 and big[:, 0].sum() == 0
    np.testing.assert_array_equal(np.asarray(T.CenterCrop((8, 10))(img)), big)


def test_crop_and_pad_functions(gray):
    x = tensor_of(gray[None])
    np.testing.assert_array_equal(F.crop(x, 1, 2, 3, 4).numpy()[0], gray[1:4, 2:6])
    outside = F.crop(x, -1, -2, 3, 4).numpy()[0]  # outside the image is 0, as with Pillow
    np.testing.assert_array_equal(outside, np.asarray(F.crop(Image.fromarray(gray), -1, -2, 3, 4)))
    np.testing.assert_array_equal(outside[1:, 2:], gray[:2, :2])
    for mode in ("edge", "reflect", "symmetric"):
        expected = np.pad(gray, ((2, 3), (1, 4)), mode=mode)
        np.testing.assert_array_equal(np.asarray(F.pad(Image.fromarray(gray), [1, 2, 4, 3], padding_mode=mode)),
                                      expected)
        np.testing.assert_array_equal(F.pad(x, [1, 2, 4, 3], padding_mode=mode).numpy()[0], expected)
    np.testing.assert_array_equal(np.asarray(T.Pad((1, 2), fill=9)(Image.fromarray(gray))),
                                  np.pad(gray, ((2, 2), (1, 1)), constant_values=9))
    np.testing.assert_array_equal(np.asarray(F.pad(Image.fromarray(gray), [-1, 0, 0, -2])), gray[:4, 1:])
    rgb = np.asarray(F.pad(Image.new("RGB", (2, 2)), 1, fill=(1, 2, 3)))
    assert rgb[0, 0].tolist() == [1, 2, 3] and rgb[1, 1].tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="Padding mode should be"):
        F.pad(x, 1, padding_mode="wrap")


def test_random_crop_with_padding(gray):
    img = Image.fromarray(gray)
    crop = T.RandomCrop((6, 8), padding=2)
    outputs = {np.asarray(crop(img)).tobytes() for _ in range(30)}
    assert len(outputs) > 5  # different places
    for _ in range(10):
        out = np.asarray(crop(img))
        assert out.shape == (6, 8)
        padded = np.pad(gray, 2)
        # the output is some window of the zero-padded image
        assert any(np.array_equal(out, padded[i:i + 6, j:j + 8]) for i in range(5) for j in range(5))
    assert np.array_equal(np.asarray(T.RandomCrop((6, 8))(img)), gray)  # the whole image: nothing to draw
    grown = T.RandomCrop((9, 10), pad_if_needed=True, fill=255)(img)
    assert grown.size == (10, 9) and (np.asarray(grown) == 255).sum() >= 9 * 10 - 48
    with pytest.raises(ValueError, match="larger than input image size"):
        T.RandomCrop(7)(img)


def test_random_draws_follow_glasstorch_manual_seed(rgb):
    pipeline = T.Compose([T.RandomResizedCrop(8), T.RandomHorizontalFlip(), T.ColorJitter(0.4, 0.4, 0.4, 0.1),
                          T.RandomRotation(20), T.ToTensor()])
    img = Image.fromarray(rgb)
    glasstorch.manual_seed(123)
    first = [pipeline(img).numpy() for _ in range(3)]
    glasstorch.manual_seed(123)
    second = [pipeline(img).numpy() for _ in range(3)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])
    # the same draws on a PIL image and on the tensor of it give the same crop
    x = tensor_of(rgb.transpose(2, 0, 1))
    glasstorch.manual_seed(5)
    a = T.RandomCrop(7, padding=3)(img)
    glasstorch.manual_seed(5)
    b = T.RandomCrop(7, padding=3)(x)
    np.testing.assert_array_equal(np.asarray(a).transpose(2, 0, 1), b.numpy())
    # and the draws advance the global generator, as torchvision's advance torch's
    glasstorch.manual_seed(5)
    T.RandomHorizontalFlip()(img)
    after_flip = glasstorch.rand(1).item()
    glasstorch.manual_seed(5)
    glasstorch.rand(1)
    assert glasstorch.rand(1).item() == after_flip


def test_flips(gray):
    img, x = Image.fromarray(gray), tensor_of(gray[None])
    np.testing.assert_array_equal(np.asarray(T.RandomHorizontalFlip(p=1.0)(img)), gray[:, ::-1])
    np.testing.assert_array_equal(np.asarray(T.RandomVerticalFlip(p=1.0)(img)), gray[::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(x).numpy()[0], gray[:, ::-1])
    np.testing.assert_array_equal(T.RandomVerticalFlip(p=1.0)(x).numpy()[0], gray[::-1])
    np.testing.assert_array_equal(np.asarray(T.RandomHorizontalFlip(p=0.0)(img)), gray)
    flipped = sum(np.array_equal(T.RandomHorizontalFlip(p=0.3)(x).numpy()[0], gray[:, ::-1]) for _ in range(400))
    assert 80 <= flipped <= 160
    torch_flip = torch.flip(torch.from_numpy(gray[None].copy()), dims=[-1]).numpy()
    np.testing.assert_array_equal(F.hflip(x).numpy(), torch_flip)


def test_rotation_by_90_is_rot90(gray):
    square = np.random.default_rng(0).integers(0, 256, size=(7, 7), dtype=np.uint8)
    img = Image.fromarray(square)
    np.testing.assert_array_equal(np.asarray(F.rotate(img, 90)), np.rot90(square))  # counter-clockwise
    np.testing.assert_array_equal(np.asarray(T.RandomRotation((90, 90))(img)), np.rot90(square))
    np.testing.assert_array_equal(np.asarray(F.rotate(img, -90)), np.rot90(square, -1))
    x = tensor_of(np.stack([square, 255 - square]))
    np.testing.assert_array_equal(F.rotate(x, 90, InterpolationMode.NEAREST).numpy(),
                                  np.rot90(x.numpy(), axes=(1, 2)))
    np.testing.assert_array_equal(F.rotate(x, 180).numpy(), torch.rot90(torch.from_numpy(x.numpy().copy()), 2,
                                                                         dims=(1, 2)).numpy())
    # a non-square image rotated with expand=True
    np.testing.assert_array_equal(np.asarray(F.rotate(Image.fromarray(gray), 90, expand=True)), np.rot90(gray))
    # a general angle: corners fall outside and take the fill
    out = np.asarray(F.rotate(Image.fromarray(np.full((9, 9), 200, np.uint8)), 45, fill=7))
    assert out[0, 0] == 7 and out[4, 4] == 200
    assert F.rotate(glasstorch.ones(3, 9, 9), 45, fill=0.5).numpy()[:, 0, 0].tolist() == [0.5, 0.5, 0.5]
    angles = []
    for _ in range(50):
        angles.append(T.RandomRotation.get_params([-10.0, 10.0]))
    assert all(-10 <= a <= 10 for a in angles) and len(set(angles)) == 50
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomRotation(-5)


def test_affine_translate_and_rotate():
    square = np.random.default_rng(1).integers(1, 256, size=(8, 8), dtype=np.uint8)
    img = Image.fromarray(square)
    shifted = np.asarray(F.affine(img, angle=0, translate=(2, -1), scale=1.0, shear=0))
    expected = np.zeros_like(square)
    expected[:-1, 2:] = square[1:, :-2]  # right by 2, up by 1, zero where nothing comes in
    np.testing.assert_array_equal(shifted, expected)
    np.testing.assert_array_equal(F.affine(tensor_of(square[None]), 0, (2, -1), 1.0, 0).numpy()[0], expected)
    # the angle of affine turns clockwise (unlike rotate)
    np.testing.assert_array_equal(np.asarray(F.affine(img, 90, (0, 0), 1.0, 0)), np.rot90(square, -1))
    # RandomAffine with a translation: integer shifts within the range
    glasstorch.manual_seed(3)
    for _ in range(20):
        angle, (tx, ty), scale, shear = T.RandomAffine.get_params([0.0, 0.0], (0.25, 0.5), None, None, [8, 8])
        assert angle == 0 and scale == 1.0 and shear == (0.0, 0.0)
        assert isinstance(tx, int) and abs(tx) <= 2 and abs(ty) <= 4
    zoomed = np.asarray(F.affine(Image.fromarray(np.full((8, 8), 9, np.uint8)), 0, (0, 0), 0.5, 0))
    assert zoomed[0, 0] == 0 and zoomed[4, 4] == 9  # shrunk to the middle
    sheared = T.RandomAffine(0, shear=(5, 10, -3, 3), scale=(0.9, 1.1))(img)
    assert sheared.size == (8, 8)
    with pytest.raises(ValueError, match="translation values should be between 0 and 1"):
        T.RandomAffine(0, translate=(1.5, 0))
    with pytest.raises(ValueError, match="scale values should be positive"):
        T.RandomAffine(0, scale=(0, 1))


@pytest.mark.parametrize("angle, translate, scale, shear", [
    (0.0, (0.0, 0.0), 1.0, (0.0, 0.0)), (30.0, (2.0, -3.0), 1.3, (10.0, -7.0)), (-75.0, (0.5, 4.0), 0.6, (0.0, 20.0)),
    (180.0, (-1.0, 0.0), 2.0, (-15.0, 0.0)),
])
def test_affine_matrix_is_the_inverse_of_torchvisions_forward_map(angle, translate, scale, shear):
    # torchvision documents its affine map as  x_out = c + t + RSS · (x_in − c),  with
    # RSS = R(a) · S(s) · SHy(sy) · SHx(sx),  R(a) = [[cos, −sin], [sin, cos]],  SHx(s) = [[1, −tan s], [0, 1]],
    # SHy(s) = [[1, 0], [−tan s, 1]]  (angles in radians; y points down, so a positive angle turns clockwise).
    # Built here from those factors; Pillow wants the inverse (output pixel -> input pixel), 2 rows of 3.
    import math
    from glasstorch.vision.transforms.functional import _inverse_affine_matrix
    a, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    rotation = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    shear_x = np.array([[1.0, -math.tan(sx)], [0.0, 1.0]])
    shear_y = np.array([[1.0, 0.0], [-math.tan(sy), 1.0]])
    center = np.array([3.5, 5.0])

    def move(v):  # the 3 × 3 homogeneous translation by v
        m = np.eye(3)
        m[:2, 2] = v
        return m

    rss = np.eye(3)
    rss[:2, :2] = rotation @ (scale * np.eye(2)) @ shear_y @ shear_x
    forward = move(center + np.array(translate)) @ rss @ move(-center)
    expected = np.linalg.inv(forward)[:2].reshape(-1)
    got = _inverse_affine_matrix(list(center), angle, list(translate), scale, list(shear))
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_random_resized_crop(rgb):
    img = Image.fromarray(rgb)
    for _ in range(20):
        i, j, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 <= i <= 10 - h and 0 <= j <= 12 - w and h > 0 and w > 0
    assert T.RandomResizedCrop((5, 7))(img).size == (7, 5)
    assert T.RandomResizedCrop(6)(tensor_of(rgb.transpose(2, 0, 1))).shape == (3, 6, 6)
    # impossible scale: falls back to the central crop of the allowed ratio
    assert T.RandomResizedCrop.get_params(img, (5.0, 6.0), (1.0, 1.0)) == (0, 1, 10, 10)


# -- colour --------------------------------------------------------------------------------------------------------
def test_color_jitter_ranges_and_checks():
    jitter = T.ColorJitter(brightness=0.5)
    for _ in range(30):
        order, b, c, s, h = T.ColorJitter.get_params(jitter.brightness, None, None, (-0.2, 0.2))
        assert sorted(order) == [0, 1, 2, 3] and 0.5 <= b <= 1.5 and c is None and s is None and -0.2 <= h <= 0.2
    img = Image.new("RGB", (4, 4), (100, 100, 100))
    values = {int(np.asarray(jitter(img))[0, 0, 0]) for _ in range(40)}
    assert min(values) >= 50 and max(values) <= 150 and len(values) > 10
    assert T.ColorJitter(brightness=2).brightness == (0.0, 3.0)  # clipped at 0
    assert T.ColorJitter(contrast=(0.2, 0.3)).contrast == (0.2, 0.3)
    assert T.ColorJitter(brightness=0).brightness is None
    with pytest.raises(ValueError, match="non negative"):
        T.ColorJitter(brightness=-1)
    with pytest.raises(ValueError, match="hue values should be between"):
        T.ColorJitter(hue=0.7)
    x = glasstorch.rand(3, 4, 5)
    out = T.ColorJitter(0.3, 0.3, 0.3, 0.2)(x)
    assert out.shape == (3, 4, 5) and out.dtype == glasstorch.float32
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0


def test_color_adjustments_on_tensors(rgb):
    x = T.ToTensor()(Image.fromarray(rgb))
    np.testing.assert_allclose(F.adjust_brightness(x, 1.7).numpy(), np.clip(x.numpy() * 1.7, 0, 1), rtol=1e-6)
    assert float(F.adjust_brightness(x, 0).max()) == 0.0
    gray = 0.2989 * x.numpy()[0] + 0.587 * x.numpy()[1] + 0.114 * x.numpy()[2]
    np.testing.assert_allclose(F.rgb_to_grayscale(x).numpy()[0], gray, rtol=1e-6)
    np.testing.assert_allclose(F.adjust_saturation(x, 0).numpy(), np.repeat(gray[None], 3, 0), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(F.adjust_contrast(x, 0).numpy(), np.full_like(x.numpy(), gray.mean()), rtol=1e-5)
    np.testing.assert_allclose(F.adjust_hue(x, 0.0).numpy(), x.numpy(), atol=1e-6)
    shifted = F.adjust_hue(x, 0.25).numpy()
    for (r, c) in [(0, 0), (3, 7), (9, 11)]:
        h, s, v = colorsys.rgb_to_hsv(*x.numpy()[:, r, c])
        np.testing.assert_allclose(shifted[:, r, c], colorsys.hsv_to_rgb((h + 0.25) % 1.0, s, v), atol=1e-5)
    u8 = F.adjust_brightness(tensor_of(rgb.transpose(2, 0, 1)), 2.0)
    assert u8.dtype == glasstorch.uint8 and int(u8.numpy().max()) == 255
    with pytest.raises(ValueError, match="is not in"):
        F.adjust_hue(x, 0.6)


def test_color_adjustments_on_pil(rgb):
    img = Image.fromarray(rgb)
    assert np.asarray(F.adjust_brightness(img, 0)).max() == 0
    assert np.array_equal(np.asarray(F.adjust_brightness(img, 1.0)), rgb)
    assert np.array_equal(np.asarray(F.adjust_hue(img, 0.0)), np.asarray(img.convert("HSV").convert("RGB")))
    # torchvision's documented method: to HSV, shift the H channel cyclically by int(255 * factor), back to RGB
    h, s, v = img.convert("HSV").split()
    h = Image.fromarray(((np.asarray(h).astype(int) + 127) % 256).astype(np.uint8))
    expected = Image.merge("HSV", (h, s, v)).convert("RGB")
    np.testing.assert_array_equal(np.asarray(F.adjust_hue(img, 0.5)), np.asarray(expected))
    gray_img = Image.fromarray(rgb[..., 0])
    assert F.adjust_hue(gray_img, 0.3) is gray_img
    desaturated = np.asarray(F.adjust_saturation(img, 0.0)).astype(int)
    assert np.abs(desaturated[..., 0] - desaturated[..., 2]).max() <= 1


def test_grayscale(rgb):
    img = Image.fromarray(rgb)
    one = T.Grayscale()(img)
    assert one.mode == "L" and np.array_equal(np.asarray(one), np.asarray(img.convert("L")))
    three = T.Grayscale(num_output_channels=3)(img)
    assert three.mode == "RGB" and np.array_equal(np.asarray(three)[..., 1], np.asarray(one))
    x = tensor_of(rgb.transpose(2, 0, 1))
    g = T.Grayscale(3)(x)
    assert g.shape == (3, 10, 12) and g.dtype == glasstorch.uint8
    expected = (0.2989 * rgb[..., 0].astype(np.float32) + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]).astype(np.uint8)
    np.testing.assert_array_equal(g.numpy()[2], expected)
    assert T.RandomGrayscale(p=1.0)(img).mode == "RGB"
    with pytest.raises(ValueError):
        T.Grayscale(2)(img)


def test_random_apply_choice_order():
    x = glasstorch.ones(1, 2, 2)
    assert T.RandomApply([T.Lambda(lambda v: v * 3)], p=1.0)(x).sum().item() == 12
    assert T.RandomApply([T.Lambda(lambda v: v * 3)], p=0.0)(x).sum().item() == 4
    picks = {T.RandomChoice([T.Lambda(lambda v: 1), T.Lambda(lambda v: 2)])(x) for _ in range(30)}
    assert picks == {1, 2}
    assert T.RandomChoice([T.Lambda(lambda v: 1), T.Lambda(lambda v: 2)], p=[0, 1])(x) == 2
    order = T.RandomOrder([T.Lambda(lambda v: v + [1]), T.Lambda(lambda v: v + [2])])
    assert {tuple(order([])) for _ in range(30)} == {(1, 2), (2, 1)}
