"""F.interpolate parity with PyTorch: nearest, nearest-exact, linear, bilinear, trilinear and area, with
align_corners, sizes and scale factors (up and down, non-integer), recompute_scale_factor; the source
indices over many size pairs in float32 and float64; gradients; the Upsample modules and their reprs;
PyTorch's errors; float64 gradcheck."""
import warnings

import numpy as np
import pytest
import torch

import glasstorch
from parity import check, check_error, gradcheck
from twins import same_repr

CASES = [("nearest", (2, 3, 7)), ("nearest", (2, 3, 7, 5)), ("nearest-exact", (2, 3, 7)),
         ("nearest-exact", (2, 3, 7, 5)), ("linear", (2, 3, 7)), ("bilinear", (2, 3, 7, 5)),
         ("trilinear", (1, 2, 3, 4, 5)), ("area", (2, 3, 7, 5)), ("area", (2, 3, 7))]
RESIZES = [dict(size=1), dict(size=3), dict(size=4), dict(size=10), dict(size=14), dict(scale_factor=0.5),
           dict(scale_factor=1.5), dict(scale_factor=2), dict(scale_factor=2.3), dict(scale_factor=0.7),
           dict(scale_factor=1.0), dict(scale_factor=3)]


@pytest.mark.parametrize("mode,shape", CASES)
@pytest.mark.parametrize("resize", RESIZES, ids=lambda r: "-".join(f"{k}{v}" for k, v in r.items()))
def test_interpolate(mode, shape, resize):
    corners = [None] if mode in ("nearest", "nearest-exact", "area") else [False, True]
    for ac in corners:
        fn = lambda t, x: t.nn.functional.interpolate(x, mode=mode, align_corners=ac, **resize)  # noqa: E731
        if mode == "nearest" and len(shape) == 5 and resize.get("scale_factor") not in (None, 1.0, 2, 3):
            check(fn, shape, grad=False)  # PyTorch's own 3-D nearest backward is wrong here (see below)
            continue
        check(fn, shape)
        check(fn, shape, dtype=np.float64)


def test_per_dim_sizes_and_scales():
    check(lambda t, x: t.nn.functional.interpolate(x, size=(3, 11), mode="bilinear"), (2, 3, 7, 5))
    check(lambda t, x: t.nn.functional.interpolate(x, scale_factor=(0.6, 2.5), mode="bilinear",
                                                   align_corners=True), (2, 3, 7, 5))
    check(lambda t, x: t.nn.functional.interpolate(x, scale_factor=(1.7, 0.4)), (2, 3, 7, 5))
    check(lambda t, x: t.nn.functional.interpolate(x, scale_factor=(1.7, 0.4), mode="nearest-exact"), (2, 3, 7, 5))
    for mode in ["nearest", "bilinear", "area"]:
        check(lambda t, x: t.nn.functional.interpolate(x, scale_factor=1.7, mode=mode,
                                                       recompute_scale_factor=True), (2, 3, 7, 5))
    check(lambda t, x: t.nn.functional.interpolate(x, scale_factor=2, mode="bilinear"), (2, 1, 4, 6))  # one channel
    check(lambda t, x: t.nn.functional.interpolate(x, scale_factor=2.5), (2, 1, 4, 6))


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_source_indices_over_many_sizes(mode, dtype):
    """Every output length from 1 to 40 for inputs of 1..13, and scale factors: the same pixels as PyTorch."""
    rng = np.random.default_rng(0)
    for n in [1, 2, 3, 5, 7, 10, 13]:
        x = rng.standard_normal((1, 2, n)).astype(dtype)
        tx, gx = torch.from_numpy(x), glasstorch.from_numpy(x.copy())
        kw = [dict(size=m) for m in range(1, 41)] + [dict(scale_factor=s) for s in (0.3, 0.5, 1.1, 1.5, 2.0, 2.6, 3.3)]
        for ac in ([None] if mode != "linear" else [False, True]):
            for k in kw:
                if n * k.get("scale_factor", 1) < 1:
                    continue
                want = torch.nn.functional.interpolate(tx, mode=mode, align_corners=ac, **k).numpy()
                got = glasstorch.nn.functional.interpolate(gx, mode=mode, align_corners=ac, **k).numpy()
                np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6, err_msg=f"n={n} {k} {ac}")


def test_gradcheck_float64():
    gradcheck(lambda t, x: t.nn.functional.interpolate(x, scale_factor=1.7, mode="bilinear"), (1, 2, 4, 3))
    gradcheck(lambda t, x: t.nn.functional.interpolate(x, size=(3, 2), mode="bilinear", align_corners=True),
              (1, 2, 4, 5))
    gradcheck(lambda t, x: t.nn.functional.interpolate(x, size=7, mode="linear"), (1, 2, 4))
    gradcheck(lambda t, x: t.nn.functional.interpolate(x, scale_factor=2.5), (1, 2, 3, 4))
    gradcheck(lambda t, x: t.nn.functional.interpolate(x, size=(4, 5, 3), mode="trilinear"), (1, 1, 2, 3, 4))


def test_nearest_3d_gradient_is_the_true_gradient():
    """Deviation: PyTorch 2.13's upsample_nearest3d backward with a non-integer scale_factor fails its own
    gradcheck (it sums over the wrong source rows); glasstorch's gradient is the derivative of its forward,
    whose values equal PyTorch's."""
    gradcheck(lambda t, x: t.nn.functional.interpolate(x, scale_factor=2.3), (1, 1, 3, 4, 5))
    check(lambda t, x: t.nn.functional.interpolate(x, scale_factor=2.3), (1, 1, 3, 4, 5), grad=False)


MODULES = ["Upsample(scale_factor=2)", "Upsample(size=(3, 4), mode='bilinear')",
           "Upsample(scale_factor=(1.5, 2.0), mode='bilinear', align_corners=True)",
           "Upsample(size=9, mode='nearest-exact')", "UpsamplingNearest2d(scale_factor=2)",
           "UpsamplingNearest2d(size=(5, 3))", "UpsamplingBilinear2d(size=5)", "UpsamplingBilinear2d(scale_factor=1.5)"]


@pytest.mark.parametrize("spec", MODULES)
def test_modules_repr_and_forward(spec):
    t_mod, g_mod = eval("torch.nn." + spec), eval("glasstorch.nn." + spec)
    same_repr(t_mod, g_mod)
    check(lambda t, x: (t_mod if t is torch else g_mod)(x), (2, 3, 4, 5))


def test_deprecated_aliases_warn():
    x = glasstorch.randn(1, 2, 3, 4)
    for name, kw in [("upsample", dict(mode="bilinear")), ("upsample_nearest", {}), ("upsample_bilinear", {})]:
        with pytest.warns(UserWarning, match="deprecated"):
            got = getattr(glasstorch.nn.functional, name)(x, scale_factor=2, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = getattr(torch.nn.functional, name)(torch.from_numpy(x.numpy().copy()), scale_factor=2, **kw)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


def test_errors():
    interp = lambda **kw: (lambda t, x: t.nn.functional.interpolate(x, **kw))  # noqa: E731
    check_error(interp(size=3, scale_factor=2), (1, 2, 4), match="only one of size or scale_factor")
    check_error(interp(), (1, 2, 4), match="either size or scale_factor")
    check_error(interp(size=(3, 4)), (1, 2, 4), match="same number of spatial dimensions")
    check_error(interp(scale_factor=(2, 2)), (1, 2, 4), match="same number of spatial dimensions")
    check_error(interp(size=3, align_corners=True), (1, 2, 4), match="align_corners option can only be set")
    check_error(interp(size=3, recompute_scale_factor=True), (1, 2, 4), match="not meaningful")
    check_error(interp(size=3, mode="bilinear"), (1, 2, 4), match="Got 3D input, but bilinear mode needs 4D input")
    check_error(interp(size=3, mode="linear"), (1, 2, 4, 4), match="Got 4D input, but linear mode needs 3D input")
    check_error(interp(size=3), (2, 4), match="Only 3D, 4D and 5D input")
    check_error(interp(scale_factor=0.2), (1, 2, 3, 4), match=r"input \(H: 3, W: 4\) output \(H: 0, W: 0\)")
    check_error(interp(scale_factor=0.2, mode="linear"), (1, 2, 3), match=r"input \(W: 3\) and output \(W: 0\)")
    check_error(interp(size=3, mode="nearest", antialias=True), (1, 2, 4, 4), match="Anti-alias")
