"""Parity tests for the nn / nn.functional names the coverage table listed as implemented but named in no
test (padding, 1-d pooling, unpooling and upsampling modules; the *_with_indices and in-place functional
forms), and for LinearCrossEntropyLoss / linear_cross_entropy (PyTorch 2.13)."""
import numpy as np
import pytest
import torch

import glasstorch
from tests.parity import Const, check, check_error, gradcheck

MODULES = [
    ("AdaptiveAvgPool1d", lambda T: T.nn.AdaptiveAvgPool1d(3), (2, 3, 7)),
    ("AdaptiveMaxPool1d", lambda T: T.nn.AdaptiveMaxPool1d(3), (2, 3, 7)),
    ("AvgPool1d", lambda T: T.nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False), (2, 3, 8)),
    ("AvgPool2d", lambda T: T.nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 7, 6)),
    ("LPPool1d", lambda T: T.nn.LPPool1d(2, 3, stride=2), (2, 3, 9)),
    ("MaxPool1d", lambda T: T.nn.MaxPool1d(3, stride=2, padding=1, dilation=1), (2, 3, 9)),
    ("CircularPad1d", lambda T: T.nn.CircularPad1d((2, 1)), (2, 3, 5)),
    ("CircularPad3d", lambda T: T.nn.CircularPad3d(1), (1, 2, 3, 4, 3)),
    ("ConstantPad1d", lambda T: T.nn.ConstantPad1d((1, 2), 3.5), (2, 3, 4)),
    ("ConstantPad2d", lambda T: T.nn.ConstantPad2d(2, -1.0), (2, 3, 4)),
    ("ConstantPad3d", lambda T: T.nn.ConstantPad3d((1, 0, 0, 2, 1, 1), 0.5), (1, 2, 3, 3, 2)),
    ("ReflectionPad1d", lambda T: T.nn.ReflectionPad1d((3, 1)), (2, 3, 5)),
    ("ReflectionPad2d", lambda T: T.nn.ReflectionPad2d(2), (2, 3, 4, 5)),
    ("ReflectionPad3d", lambda T: T.nn.ReflectionPad3d(1), (1, 2, 3, 4, 3)),
    ("ReplicationPad1d", lambda T: T.nn.ReplicationPad1d((1, 3)), (2, 3, 4)),
    ("ReplicationPad2d", lambda T: T.nn.ReplicationPad2d((1, 0, 2, 1)), (2, 3, 4, 4)),
    ("ReplicationPad3d", lambda T: T.nn.ReplicationPad3d(2), (1, 2, 3, 2, 3)),
    ("ZeroPad1d", lambda T: T.nn.ZeroPad1d((2, 0)), (2, 3, 4)),
    ("ZeroPad2d", lambda T: T.nn.ZeroPad2d((1, 1, 0, 2)), (2, 3, 4, 4)),
    ("ZeroPad3d", lambda T: T.nn.ZeroPad3d(1), (1, 2, 2, 3, 2)),
    ("Upsample nearest", lambda T: T.nn.Upsample(scale_factor=2, mode="nearest"), (2, 3, 4, 5)),
    ("Upsample bilinear", lambda T: T.nn.Upsample(size=(7, 9), mode="bilinear", align_corners=False),
     (2, 3, 4, 5)),
    ("Upsample linear", lambda T: T.nn.Upsample(scale_factor=1.5, mode="linear", align_corners=True), (2, 3, 6)),
    ("UpsamplingBilinear2d", lambda T: T.nn.UpsamplingBilinear2d(scale_factor=2), (2, 3, 4, 5)),
    ("UpsamplingNearest2d", lambda T: T.nn.UpsamplingNearest2d(size=(6, 7)), (2, 3, 4, 5)),
]


@pytest.mark.parametrize("name, make, shape", MODULES, ids=[m[0] for m in MODULES])
def test_module_matches_pytorch(name, make, shape):
    check(lambda T, x: make(T)(x), shape)
    if "psampl" not in name:  # PyTorch's upsampling takes batched input only
        check(lambda T, x: make(T)(x[0]), shape)  # unbatched input


@pytest.mark.parametrize("name, make, shape", MODULES[:8], ids=[m[0] for m in MODULES[:8]])
def test_module_gradcheck(name, make, shape):
    gradcheck(lambda T, x: make(T)(x), shape)


@pytest.mark.parametrize("d, pool, unpool", [(1, "MaxPool1d", "MaxUnpool1d"), (2, "MaxPool2d", "MaxUnpool2d"),
                                             (3, "MaxPool3d", "MaxUnpool3d")])
def test_max_unpool_modules_invert_max_pool(d, pool, unpool):
    shape = (2, 3) + (6, 4, 4)[:d]
    check(lambda T, x: getattr(T.nn, unpool)(2)(*getattr(T.nn, pool)(2, return_indices=True)(x)), shape)
    odd = (2, 3) + (7, 5, 5)[:d]  # the pool drops the last row: output_size gives it back
    check(lambda T, x: getattr(T.nn, unpool)(2, stride=2)(
        *getattr(T.nn, pool)(2, return_indices=True)(x), output_size=odd[2:]), odd)


def test_max_unpool1d_functional():
    check(lambda T, x: T.nn.functional.max_unpool1d(*T.nn.functional.max_pool1d(x, 3, 2, return_indices=True),
                                                    3, 2, output_size=(9,)), (2, 3, 9))


@pytest.mark.parametrize("d, f", [(1, "adaptive_max_pool1d_with_indices"), (2, "adaptive_max_pool2d_with_indices"),
                                  (3, "adaptive_max_pool3d_with_indices")])
def test_adaptive_max_pool_with_indices(d, f):
    check(lambda T, x: getattr(T.nn.functional, f)(x, 2), (2, 3) + (5, 6, 4)[:d])


@pytest.mark.parametrize("d, f", [(2, "max_pool2d_with_indices"), (3, "max_pool3d_with_indices")])
def test_max_pool_with_indices(d, f):
    check(lambda T, x: getattr(T.nn.functional, f)(x, 3, stride=2, padding=1), (2, 3) + (7, 6, 5)[:d])


def test_fractional_max_pool2d_with_indices_given_samples():
    samples = np.random.default_rng(0).random((2, 3, 2)).astype(np.float32)
    check(lambda T, x, s: T.nn.functional.fractional_max_pool2d_with_indices(x, 2, output_size=(4, 3),
                                                                           _random_samples=s),
          (2, 3, 9, 8), Const(samples))


@pytest.mark.parametrize("name, args", [("elu_", (1.5,)), ("hardtanh_", (-0.5, 0.5)), ("leaky_relu_", (0.2,))])
def test_in_place_activations(name, args):
    def run(T, x):
        y = x * 1
        before = y._version
        out = getattr(T.nn.functional, name)(y, *args)
        assert out is y and y._version == before + 1  # the write bumps the version counter
        return out
    check(run, (3, 4))
    leaf = glasstorch.randn(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(glasstorch.nn.functional, name)(leaf, *args)


# ------------------------------------------------------------------ linear_cross_entropy

@pytest.mark.parametrize("kwargs", [{}, {"reduction": "sum"}, {"reduction": "none"}, {"label_smoothing": 0.1},
                                    {"ignore_index": 1}])
def test_linear_cross_entropy_matches_pytorch(kwargs):
    target = np.array([0, 1, 3, 1, 2])
    check(lambda T, x, w, b, t: T.nn.functional.linear_cross_entropy(x, w, t, linear_bias=b, **kwargs),
          (5, 6), (4, 6), (4,), target)
    check(lambda T, x, w, t: T.nn.functional.linear_cross_entropy(x, w, t, **kwargs), (6,), (4, 6),
          np.array(2))  # unbatched


def test_linear_cross_entropy_k_dimensional_probabilities_and_class_weights():
    check(lambda T, x, w, b, t: T.nn.functional.linear_cross_entropy(x, w, t, linear_bias=b),
          (3, 5), (4, 2, 5), (4, 2), np.array([[0, 3], [1, 1], [2, 0]]))
    probs = np.random.default_rng(1).dirichlet(np.ones(4), 3).astype(np.float32)
    check(lambda T, x, w, p, cw: T.nn.functional.linear_cross_entropy(x, w, p, weight=cw),
          (3, 5), (4, 5), Const(probs), Const(np.array([1.0, 2.0, 0.5, 1.0], np.float32)))
    gradcheck(lambda T, x, w: T.nn.functional.linear_cross_entropy(x, w, T.tensor([1, 0, 2])), (3, 5), (4, 5))


def test_linear_cross_entropy_errors():
    F = "nn.functional.linear_cross_entropy"
    for fn, inputs, match in [
        (lambda T, x, w: T.nn.functional.linear_cross_entropy(x, w, T.tensor(0)), ((2, 2, 3), (4, 3)),
         "dimensionality 1 or 2"),
        (lambda T, x, w: T.nn.functional.linear_cross_entropy(x, w, T.tensor([0, 1])), ((2, 3), (4, 2)),
         "in_features"),
        (lambda T, x, w, b: T.nn.functional.linear_cross_entropy(x, w, T.tensor([0, 1]), linear_bias=b),
         ((2, 3), (4, 3), (3,)), "linear_bias shape"),
        (lambda T, x, w: T.nn.functional.linear_cross_entropy(x, w, T.full((2, 2), 0.5), ignore_index=0),
         ((2, 3), (2, 3)), "probabilities"),
    ]:
        check_error(fn, *inputs, exc=RuntimeError, match=match)
    assert F


def test_linear_cross_entropy_loss_module_state_dict_repr_and_options():
    torch.manual_seed(0)
    glasstorch.manual_seed(0)
    tm = torch.nn.LinearCrossEntropyLoss(5, 4, out_features=(2,), bias=True, label_smoothing=0.05,
                                         options=None)
    gm = glasstorch.nn.LinearCrossEntropyLoss(5, 4, out_features=(2,), bias=True, label_smoothing=0.05)
    assert list(gm.state_dict()) == list(tm.state_dict()) == ["linear.weight", "linear.bias"]
    np.testing.assert_allclose(gm.linear.weight.detach().numpy(), tm.linear.weight.detach().numpy())  # same seed
    assert repr(gm) == repr(tm)
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    t = np.array([[0, 3], [1, 1], [2, 0]])
    want = tm(torch.tensor(x), torch.tensor(t))
    got = gm(glasstorch.tensor(x), glasstorch.tensor(t))
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-5)
    got.backward()
    want.backward()
    np.testing.assert_allclose(gm.linear.weight.grad.numpy(), tm.linear.weight.grad.numpy(), rtol=1e-4, atol=1e-6)
    # the chunked kernel's options are accepted; the reference path gives the same loss
    opts = glasstorch.nn.LinearCrossEntropyOptions(batch_chunk_size=2)
    flat = glasstorch.nn.LinearCrossEntropyLoss(5, 4, options=opts)
    tgt = glasstorch.tensor([0, 1, 3])
    ref = glasstorch.nn.functional.cross_entropy(flat.linear(glasstorch.tensor(x)), tgt)
    assert flat(glasstorch.tensor(x), tgt).item() == pytest.approx(ref.item(), rel=1e-6)
    with pytest.raises(RuntimeError, match="expected weight shape"):
        glasstorch.nn.LinearCrossEntropyLoss(5, 4, weight=glasstorch.ones(3))
    with pytest.raises(RuntimeError, match="label_smoothing"):
        glasstorch.nn.LinearCrossEntropyLoss(5, 4, label_smoothing=1.5)


# ------------------------------------------------------------------ names re-exported by PyTorch's modules

def test_lr_scheduler_and_autograd_reexports_are_the_same_objects():
    import bisect
    import collections
    from glasstorch.optim import lr_scheduler
    assert lr_scheduler.Optimizer is glasstorch.optim.Optimizer
    assert lr_scheduler.Counter is collections.Counter and lr_scheduler.bisect_right is bisect.bisect_right
    assert lr_scheduler.EPOCH_DEPRECATION_WARNING == torch.optim.lr_scheduler.EPOCH_DEPRECATION_WARNING
    assert glasstorch.autograd.Function is glasstorch.autograd.function.Function


def test_nn_parallel_imports_in_a_single_process_script():
    from glasstorch.nn.parallel import DataParallel, DistributedDataParallel
    m = glasstorch.nn.Linear(2, 2)
    wrapped = DataParallel(m)
    assert list(wrapped.state_dict()) == ["module.weight", "module.bias"]
    x = glasstorch.ones(3, 2)
    assert glasstorch.equal(wrapped(x), m(x))
    for lib, ddp in ((torch, torch.nn.parallel.DistributedDataParallel), (glasstorch, DistributedDataParallel)):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            ddp(lib.nn.Linear(2, 2))
