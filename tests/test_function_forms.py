"""Small torch-level and Tensor names, each against PyTorch: angle, conj_physical, the function forms of methods
(torch.detach, torch.fill ...), tril_/triu_, resize/resize_as/to_dense, constants and build flags, and the
random in-place fills and new_* helpers."""
import warnings

import numpy as np
import pytest
import torch

import glasstorch
from parity import check, gradcheck

LIBS = (torch, glasstorch)


@pytest.mark.parametrize("fn", [
    lambda torch, x: torch.angle(x),
    lambda torch, x: x.angle(),
    lambda torch, x: torch.conj_physical(x),
    lambda torch, x: x.conj_physical(),
    lambda torch, x: x.hardshrink(0.3),
    lambda torch, x, w: x.prelu(w),
    lambda torch, x: x.clone().tril_(),
    lambda torch, x: (x * 1).triu_(1),
    lambda torch, x: x.to_dense() * 2,
    lambda torch, x: torch.fill(x, 3.0),
    lambda torch, x: torch.detach(x) + x,
    lambda torch, x: x.swapdims(0, 1),
    lambda torch, x: torch.swapdims(x, 0, 1),
])
def test_values_and_gradients(fn):
    import inspect
    shapes = [(3, 4), (4,)][:len(inspect.signature(fn).parameters) - 1]
    check(fn, *shapes)


def test_angle_of_special_values_and_integers():
    for values in ([-1.0, -0.0, 0.0, 2.0, float("nan"), -float("inf")], [-3, 0, 4]):
        t, g = (lib.angle(lib.tensor(values)) for lib in LIBS)
        np.testing.assert_allclose(g.numpy(), t.numpy())
        assert str(g.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]


def test_gradchecks():
    gradcheck(lambda torch, x: x.clone().tril_(-1) * x, (4, 4))
    gradcheck(lambda torch, x, v: torch.fill(x, v.sum()), (3,), (2,))


def test_in_place_conjugate_and_function_forms_keep_identity():
    for lib in LIBS:
        x = lib.arange(6.0)
        assert lib.conj_physical_(x) is x
        y = x.clone()
        assert lib.as_strided_(y, (2, 2), (1, 2), 1) is y and y.tolist() == [[1.0, 3.0], [2.0, 4.0]]
        assert y.stride() == (1, 2)
        z = lib.zeros(2, 3)
        assert lib.index_put_(z, (lib.tensor([0, 1]), lib.tensor([2, 0])), lib.tensor(5.0)) is z
        assert z.tolist() == [[0, 0, 5], [5, 0, 0]]
        w = lib.ones(4)
        assert lib.resize_as_(w, lib.ones(2, 2)) is w and tuple(w.shape) == (2, 2)
        d = lib.ones(3, requires_grad=True) * 2
        assert lib.detach_(d) is d and not d.requires_grad


def test_resize_is_a_same_size_reshape_and_warns():
    for lib in LIBS:
        x = lib.arange(6.0).reshape(2, 3)
        with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
            assert x.resize(3, 2).tolist() == [[0, 1], [2, 3], [4, 5]]
        with pytest.warns(UserWarning, match="non-inplace resize_as is deprecated"):
            assert tuple(x.resize_as(lib.ones(6)).shape) == (6,)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError, match="autograd's resize can only change the shape"):
                x.resize(8)
        assert x.to_dense() is x


def test_constants_flags_and_classes():
    for name in ("e", "pi", "inf", "nan", "newaxis", "has_lapack"):
        a, b = getattr(torch, name), getattr(glasstorch, name)
        assert (a is None and b is None) or a == b or (np.isnan(a) and np.isnan(b)), name
    assert glasstorch.ones(2, 3)[glasstorch.newaxis].shape == (1, 2, 3)
    assert issubclass(glasstorch.OutOfMemoryError, RuntimeError)
    assert isinstance(glasstorch.ones(2).untyped_storage(), glasstorch.UntypedStorage)
    assert glasstorch.broadcast_shapes((3, 1), (1, 4)) == torch.broadcast_shapes((3, 1), (1, 4))
    for flag in ("has_mkl", "has_openmp", "has_spectral"):
        assert isinstance(getattr(glasstorch, flag), bool)


@pytest.mark.parametrize("name", ["dropout_", "alpha_dropout_", "feature_alpha_dropout_", "feature_dropout_"])
def test_torch_level_in_place_dropouts(name):
    for lib in LIBS:
        x = lib.ones(8, 4, 3)
        assert getattr(lib, name)(x, 0.5, False) is x and x.sum().item() == 96  # eval: unchanged
    x = glasstorch.ones(400, 4, 3)
    out = getattr(glasstorch, name)(x, 0.5, True)
    assert out is x and x._version >= 1
    assert abs(float((x.numpy() == x.numpy().flat[0]).mean()) - 0.5) < 0.2 or name.startswith("alpha") \
        or name.startswith("feature_alpha")


def test_random_fills_and_new_helpers_follow_pytorch():
    glasstorch.manual_seed(0)
    x = glasstorch.empty(20000)
    assert x.bernoulli_(0.3) is x and abs(x.mean().item() - 0.3) < 0.02
    assert x.exponential_(2.0) is x and abs(x.mean().item() - 0.5) < 0.02
    assert x.random_(5) is x and set(np.unique(x.numpy())) == {0, 1, 2, 3, 4}
    for lib in LIBS:
        with pytest.raises(RuntimeError, match="lambda > 0"):
            lib.empty(3).exponential_(0)
        t = lib.ones(2, dtype=lib.float64)
        for made in (t.new_empty((2, 3)), t.new_full((2,), 7.0), t.new_ones(3), t.new_tensor([1, 2])):
            assert made.dtype == lib.float64 or made.dtype == lib.int64 or str(made.dtype).endswith("float64")
        assert t.new_full((2,), 7.0).tolist() == [7.0, 7.0] and t.new_ones(3).tolist() == [1.0] * 3
        assert t.new_tensor([1, 2]).dtype == t.dtype  # new_tensor takes the source's dtype, as PyTorch
        assert not t.is_meta and not t.is_quantized and not t.is_sparse
        assert (t * 2).output_nr == 0
        assert t.share_memory_() is t


def test_name_is_none_as_in_pytorch():
    assert torch.ones(2).name is None and glasstorch.ones(2).name is None
