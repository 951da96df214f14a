"""Round 3: affine_grid and grid_sample (every mode, padding mode and align_corners) against PyTorch."""
import numpy as np
import pytest
import torch

import glasstorch
from tests.parity import Const, check, check_error, gradcheck


def _grid(shape, spread=1.3, seed=0):
    # points inside and a little outside [-1, 1], away from the kinks of the padding rules
    return np.random.default_rng(seed).uniform(-spread, spread, shape).astype(np.float32)


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_2d(mode, padding_mode, align_corners):
    check(lambda t, x, g: t.nn.functional.grid_sample(x, g, mode, padding_mode, align_corners),
          (2, 3, 5, 6), _grid((2, 4, 3, 2)), grad=mode != "nearest", rtol=1e-4, atol=1e-4)
    if mode == "nearest":   # no gradient to the grid, the input's is a scatter
        check(lambda t, x, g: t.nn.functional.grid_sample(x, g, mode, padding_mode, align_corners),
              (2, 3, 5, 6), Const(_grid((2, 4, 3, 2), seed=2)))


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_3d(mode, padding_mode):
    g = _grid((2, 3, 2, 4, 3)) if mode == "bilinear" else Const(_grid((2, 3, 2, 4, 3)))
    check(lambda t, x, g: t.nn.functional.grid_sample(x, g, mode, padding_mode, False), (2, 2, 3, 4, 5), g,
          rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode,padding_mode", [("bilinear", "zeros"), ("bicubic", "reflection"),
                                               ("bilinear", "reflection"), ("bicubic", "border")])
def test_grid_sample_gradcheck(mode, padding_mode):
    grid = _grid((1, 3, 2, 2), spread=0.9, seed=4).astype(np.float64)
    gradcheck(lambda t, x, g: t.nn.functional.grid_sample(x, g, mode, padding_mode, True), (1, 2, 4, 4), grid)


def test_grid_sample_errors_and_warning():
    check_error(lambda t, x, g: t.nn.functional.grid_sample(x, g, "cubic", align_corners=False), (1, 1, 3, 3),
                (1, 2, 2, 2), exc=ValueError)
    check_error(lambda t, x, g: t.nn.functional.grid_sample(x, g, padding_mode="wrap", align_corners=False),
                (1, 1, 3, 3), (1, 2, 2, 2), exc=ValueError)
    check_error(lambda t, x, g: t.nn.functional.grid_sample(x, g, align_corners=False), (1, 1, 3, 3), (2, 2, 2, 2))
    check_error(lambda t, x, g: t.nn.functional.grid_sample(x, g, align_corners=False), (1, 1, 3, 3), (1, 2, 2, 3))
    check_error(lambda t, x, g: t.nn.functional.grid_sample(x, g, "bicubic", align_corners=False), (1, 1, 3, 3, 3),
                (1, 2, 2, 2, 3))
    with pytest.warns(UserWarning, match="align_corners=False"):
        glasstorch.nn.functional.grid_sample(glasstorch.randn(1, 1, 3, 3), glasstorch.zeros(1, 2, 2, 2))


@pytest.mark.parametrize("size", [(2, 3, 4, 5), (1, 1, 1, 3), (2, 3, 2, 3, 4)])
@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid(size, align_corners):
    theta = (3, 2, 3) if len(size) == 4 else (2, 3, 4)
    theta = (size[0],) + theta[1:]
    with np.errstate(all="ignore"):
        check(lambda t, th: t.nn.functional.affine_grid(th, size, align_corners), theta)


def test_affine_grid_gradcheck_and_errors():
    gradcheck(lambda t, th: t.nn.functional.affine_grid(th, (2, 1, 3, 4), False), (2, 2, 3))
    check_error(lambda t, th: t.nn.functional.affine_grid(th, (2, 1, 3, 4), False), (2, 3, 3), exc=ValueError)
    check_error(lambda t, th: t.nn.functional.affine_grid(th, (2, 1, 3), False), (2, 2, 3),
                exc=NotImplementedError)
    check_error(lambda t, th: t.nn.functional.affine_grid(th, (2, 1, 0, 4), False), (2, 2, 3), exc=ValueError)
    check_error(lambda t, th: t.nn.functional.affine_grid(th.long(), (2, 1, 3, 4), False), (2, 2, 3),
                exc=ValueError)


def test_spatial_transformer_pipeline():
    check(lambda t, x, th: t.nn.functional.grid_sample(
        x, t.nn.functional.affine_grid(th, (2, 3, 4, 4), align_corners=False), align_corners=False),
        (2, 3, 6, 6), (2, 2, 3), rtol=1e-4, atol=1e-4)
