"""The functional losses (glasstorch/ops/loss.py) against PyTorch: every reduction, weights, ignore_index,
label smoothing, index and probability targets, K-dimensional and unbatched inputs, extreme logits, the
clamped logs of BCE, legacy size_average/reduce, the errors PyTorch raises, and a float64 gradcheck of each
differentiable loss with respect to its input (and its target where PyTorch differentiates it)."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from parity import Const, check, check_error, gradcheck

import glasstorch

REDUCTIONS = ["none", "mean", "sum"]
pytestmark = pytest.mark.filterwarnings("ignore:Using a target size", "ignore:reduction",
                                        "ignore:size_average and reduce")


def F(lib):
    return lib.nn.functional


def _probs(shape, seed=0, lo=0.02, hi=0.98):
    return np.random.default_rng(seed).uniform(lo, hi, size=shape).astype(np.float32)


def _labels(n, classes, seed=0, shape=None):
    return np.random.default_rng(seed).integers(0, classes, size=shape or (n,)).astype(np.int64)


# ---------------------------------------------------------------------------------------------------
# regression losses
# ---------------------------------------------------------------------------------------------------
REGRESSION = {
    "mse": lambda t, x, y, r: F(t).mse_loss(x, y, reduction=r),
    "l1": lambda t, x, y, r: F(t).l1_loss(x, y, reduction=r),
    "smooth_l1": lambda t, x, y, r: F(t).smooth_l1_loss(x, y, reduction=r),
    "smooth_l1_beta0.5": lambda t, x, y, r: F(t).smooth_l1_loss(x, y, reduction=r, beta=0.5),
    "smooth_l1_beta0": lambda t, x, y, r: F(t).smooth_l1_loss(x, y, reduction=r, beta=0.0),
    "huber": lambda t, x, y, r: F(t).huber_loss(x, y, reduction=r),
    "huber_delta0.3": lambda t, x, y, r: F(t).huber_loss(x, y, reduction=r, delta=0.3),
}


@pytest.mark.parametrize("name", sorted(REGRESSION))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression(name, reduction):
    # input and target both require grad: PyTorch differentiates these losses with respect to the target too
    check(lambda t, x, y: REGRESSION[name](t, x, y, reduction), (4, 5), (4, 5))
    check(lambda t, x, y: REGRESSION[name](t, x, y, reduction), (6,), Const((6,)), dtype=np.float64)


@pytest.mark.parametrize("name", sorted(REGRESSION))
def test_regression_gradcheck(name):
    gradcheck(lambda t, x, y: REGRESSION[name](t, x, y, "mean"), (3, 4), (3, 4))
    gradcheck(lambda t, x, y: REGRESSION[name](t, x, y, "none"), (5,), (5,))


def test_regression_kinks_match_pytorch():
    # |d| = β exactly, d = 0 exactly: the piecewise formulas must pick PyTorch's branch and gradient
    x = np.array([0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0], np.float32)
    y = Const(np.zeros(7, np.float32))
    for name in REGRESSION:
        check(lambda t, x, y: REGRESSION[name](t, x, y, "sum"), x, y)
    check(lambda t, x, y: F(t).huber_loss(x, y, reduction="sum", delta=0.5), x, y)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_weight(name, reduction):
    # mse and l1 divide a weighted mean by Σ weight, huber does not: PyTorch's rules, both
    w = Const(_probs((3, 4), seed=3, lo=0.1, hi=2.0))
    check(lambda t, x, y, w: getattr(F(t), name)(x, y, reduction=reduction, weight=w), (3, 4), (3, 4), w)


def test_regression_weight_wrong_size():
    check_error(lambda t, x, y, w: F(t).mse_loss(x, y, weight=w), (3, 4), (3, 4), (4,), exc=ValueError,
                match="Weights and input must have the same size")


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_broadcasting_warns_like_pytorch(name):
    with pytest.warns(UserWarning, match="Using a target size .* different to the input size"):
        check(lambda t, x, y: getattr(F(t), name)(x, y), (3, 1), (4,))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same shapes: no warning
        getattr(F(glasstorch), name)(glasstorch.zeros(2, 3), glasstorch.ones(2, 3))
    check_error(lambda t, x, y: getattr(F(t), name)(x, y), (3, 2), (4,), exc=RuntimeError, match="size of tensor")


def test_mixed_dtypes_promote():
    check(lambda t, x, y: F(t).mse_loss(x, y.double()), (3, 4), (3, 4))
    check(lambda t, x, y: F(t).l1_loss(x, y), (3, 4), Const(np.arange(12).reshape(3, 4)))
    check_error(lambda t, x, y: F(t).mse_loss(x, y), Const(np.ones(3, np.int64)), Const(np.ones(3, np.int64)),
                exc=NotImplementedError)


def test_empty_mean_is_nan():
    check(lambda t, x, y: F(t).mse_loss(x, y), (0,), (0,))
    check(lambda t, x, y: F(t).l1_loss(x, y, reduction="sum"), (0, 3), (0, 3))


def test_bad_beta_delta():
    check_error(lambda t, x, y: F(t).smooth_l1_loss(x, y, beta=-1.0), (3,), (3,), exc=RuntimeError,
                match="negative values for beta")
    check_error(lambda t, x, y: F(t).huber_loss(x, y, delta=0.0), (3,), (3,), exc=RuntimeError,
                match="non-positive values for delta")


# ---------------------------------------------------------------------------------------------------
# reduction arguments
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size_average,reduce", [(False, None), (None, False), (True, True), (False, True),
                                                 (True, False)])
def test_legacy_size_average_and_reduce(size_average, reduce):
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        check(lambda t, x, y: F(t).mse_loss(x, y, size_average=size_average, reduce=reduce), (3, 4), (3, 4))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        check(lambda t, x, y: F(t).cross_entropy(x, y, size_average=size_average, reduce=reduce), (3, 4),
              _labels(3, 4))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        check(lambda t, x, y: F(t).kl_div(x, y, size_average=size_average, reduce=reduce), (3, 4),
              Const(_probs((3, 4))))


@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div",
                                  "binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_bad_reduction(loss):
    x, y = Const(_probs((3,))), Const(_probs((3,), seed=1))
    check_error(lambda t, x, y: getattr(F(t), loss)(x, y, reduction="avg"), x, y, exc=ValueError,
                match="avg is not a valid value for reduction")
    check_error(lambda t, x, y: F(t).cross_entropy(x, y, reduction="avg"), (3, 4), _labels(3, 4), exc=ValueError)
    check_error(lambda t, x, y: F(t).nll_loss(x, y, reduction="batchmean"), (3, 4), _labels(3, 4), exc=ValueError)


def test_elementwise_mean_is_mean():
    with pytest.warns(UserWarning, match="elementwise_mean"):
        check(lambda t, x, y: F(t).l1_loss(x, y, reduction="elementwise_mean"), (3, 4), (3, 4))


# ---------------------------------------------------------------------------------------------------
# binary cross-entropy on probabilities
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce(reduction):
    check(lambda t, p, y: F(t).binary_cross_entropy(p, y, reduction=reduction), _probs((4, 5)),
          _probs((4, 5), seed=1, lo=0, hi=1))
    # weight of the input's shape and one broadcast along the rows
    for w in (_probs((4, 5), seed=2), _probs((5,), seed=2)):
        check(lambda t, p, y, w: F(t).binary_cross_entropy(p, y, weight=w, reduction=reduction), _probs((4, 5)),
              Const(_probs((4, 5), seed=1)), Const(w))


def test_bce_at_zero_and_one():
    # log 0 is clamped at −100: the loss stays finite (100), the input gradient is (p − y)/max(p(1 − p), 1e-12)
    # and the target gradient log(1 − p) − log p is ±inf, all as in PyTorch
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5, 1e-20, 1 - 1e-7, 1e-30], np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.3, 0.0, 1.0, 0.5], np.float32)
    out = check(lambda t, p, y: F(t).binary_cross_entropy(p, y, reduction="none"), p, y)
    assert out.detach().numpy()[0] == 100 and out.detach().numpy()[1] == 100
    check(lambda t, p, y: F(t).binary_cross_entropy(p, y, reduction="sum"), p, y)
    check(lambda t, p, y: F(t).binary_cross_entropy(p, y), p.astype(np.float64), y.astype(np.float64),
          dtype=np.float64)


def test_bce_gradcheck():
    gradcheck(lambda t, p, y: F(t).binary_cross_entropy(p, y), _probs((3, 4), lo=0.1, hi=0.9),
              _probs((3, 4), seed=1))
    gradcheck(lambda t, p, y, w: F(t).binary_cross_entropy(p, y, weight=w, reduction="sum"),
              _probs((3, 4), lo=0.1, hi=0.9), _probs((3, 4), seed=1), Const(_probs((4,), seed=2)))


def test_bce_errors():
    p, y = _probs((3, 4)), _probs((3, 4), seed=1)
    check_error(lambda t, p, y: F(t).binary_cross_entropy(p, y), p, _probs((4,)), exc=ValueError,
                match="Using a target size")
    check_error(lambda t, p, y: F(t).binary_cross_entropy(p * 2 + 0.5, y), p, y, exc=RuntimeError,
                match="all elements of input should be between 0 and 1")
    check_error(lambda t, p, y: F(t).binary_cross_entropy(p - 1, y), p, y, exc=RuntimeError)
    check_error(lambda t, p, y: F(t).binary_cross_entropy(p, y + 1), p, y, exc=RuntimeError,
                match="all elements of target should be between 0 and 1")
    check_error(lambda t, p, y: F(t).binary_cross_entropy(p, y.double()), p, y, exc=RuntimeError,
                match="Found dtype Double but expected Float")
    check_error(lambda t, p, y, w: F(t).binary_cross_entropy(p, y, weight=w), p, y, _probs((2, 1, 4)),
                exc=RuntimeError, match="doesn't match the broadcast shape")
    check_error(lambda t, p, y, w: F(t).binary_cross_entropy(p, y, weight=w.requires_grad_()), p, y,
                _probs((4,)), exc=RuntimeError, match="not differentiable with respect to argument 'weight'")


# ---------------------------------------------------------------------------------------------------
# binary cross-entropy on logits
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(reduction):
    y = _probs((4, 5), seed=1, lo=0, hi=1)
    check(lambda t, x, y: F(t).binary_cross_entropy_with_logits(x, y, reduction=reduction), (4, 5), y)
    check(lambda t, x, y, w: F(t).binary_cross_entropy_with_logits(x, y, weight=w, reduction=reduction),
          (4, 5), y, Const(_probs((4, 1), seed=2)))
    # pos_weight: one per class, broadcast along the last dim; or the input's full shape
    for pw in (_probs((5,), seed=3, lo=0.2, hi=4), _probs((4, 5), seed=3, lo=0.2, hi=4)):
        check(lambda t, x, y, pw: F(t).binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction=reduction),
              (4, 5), y, Const(pw))
    check(lambda t, x, y, w, pw: F(t).binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw,
                                                                       reduction=reduction),
          (2, 3, 5), _probs((2, 3, 5), seed=1), Const(_probs((3, 5), seed=2)), Const(_probs((5,), seed=4)))


def test_bce_with_logits_extreme_logits():
    # |x| = 1e4 would overflow exp(x) in float32; the log-sum-exp form gives exact, finite values
    x = np.array([1e4, -1e4, 1e4, -1e4, 100.0, -100.0, 0.0, 30.0], np.float32)
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.3, 0.7, 1.0, 0.0], np.float32)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        for pw in (None, Const(np.full(8, 3.0, np.float32))):
            out = check(lambda t, x, y, *pw: F(t).binary_cross_entropy_with_logits(
                x, y, reduction="none", pos_weight=pw[0] if pw else None), x, y, *([pw] if pw else []))
            assert np.isfinite(out.detach().numpy()).all()
    g = glasstorch.tensor(x, requires_grad=True)
    F(glasstorch).binary_cross_entropy_with_logits(g, glasstorch.tensor(y)).backward()
    assert np.isfinite(g.grad.numpy()).all()


def test_bce_with_logits_promotes_and_gradcheck():
    check(lambda t, x, y: F(t).binary_cross_entropy_with_logits(x, y.double()), (3, 4), _probs((3, 4)))
    gradcheck(lambda t, x, y: F(t).binary_cross_entropy_with_logits(x, y), (3, 4), _probs((3, 4)))
    gradcheck(lambda t, x, y, w, pw: F(t).binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw),
              (3, 4), _probs((3, 4)), Const(_probs((3, 4), seed=1)), Const(_probs((4,), seed=2, hi=3)))


def test_bce_with_logits_errors():
    check_error(lambda t, x, y: F(t).binary_cross_entropy_with_logits(x, y), (3, 4), (4,), exc=ValueError,
                match="must be the same as input size")
    check_error(lambda t, x, y: F(t).binary_cross_entropy_with_logits(x, y.long()), (3, 4), (3, 4),
                exc=RuntimeError, match="can't be cast to the desired output type Long")
    check_error(lambda t, x, y, p: F(t).binary_cross_entropy_with_logits(x, y, pos_weight=p), (3, 4), (3, 4),
                (2, 1, 4), exc=RuntimeError, match="doesn't match the broadcast shape")
    check_error(lambda t, x, y, p: F(t).binary_cross_entropy_with_logits(x, y, pos_weight=p.requires_grad_()),
                (3, 4), (3, 4), (4,), exc=RuntimeError, match="argument 'pos_weight'")


# ---------------------------------------------------------------------------------------------------
# cross-entropy and nll
# ---------------------------------------------------------------------------------------------------
def _with_ignored(labels, ignore_index, every=3):
    labels = labels.copy()
    labels.flat[::every] = ignore_index
    return labels


CE_CASES = {  # name: (kwargs, input shape, target maker)
    "plain": ({}, (6, 5), lambda: _labels(6, 5)),
    "weight": ({"weight": True}, (6, 5), lambda: _labels(6, 5)),
    "ignore_default": ({}, (6, 5), lambda: _with_ignored(_labels(6, 5), -100)),
    "ignore_class": ({"ignore_index": 2}, (6, 5), lambda: _labels(6, 5, seed=3)),
    "weight_ignore": ({"weight": True, "ignore_index": 1}, (6, 5), lambda: _labels(6, 5, seed=3)),
    "smoothing": ({"label_smoothing": 0.2}, (6, 5), lambda: _labels(6, 5)),
    "smoothing_weight": ({"label_smoothing": 0.3, "weight": True}, (6, 5), lambda: _labels(6, 5)),
    "smoothing_weight_ignore": ({"label_smoothing": 0.1, "weight": True}, (6, 5),
                                lambda: _with_ignored(_labels(6, 5), -100, 2)),
    "kdim_2d": ({}, (2, 5, 3, 4), lambda: _labels(2, 5, shape=(2, 3, 4))),
    "kdim_2d_all": ({"weight": True, "label_smoothing": 0.15}, (2, 5, 3, 4),
                    lambda: _with_ignored(_labels(2, 5, shape=(2, 3, 4)), -100, 5)),
    "kdim_1d": ({"weight": True}, (3, 5, 4), lambda: _labels(3, 5, shape=(3, 4))),
    "kdim_3d": ({"ignore_index": 0}, (2, 5, 2, 3, 2), lambda: _labels(2, 5, shape=(2, 2, 3, 2))),
    "unbatched": ({}, (5,), lambda: np.array(3, np.int64)),
    "unbatched_weight_smoothing": ({"weight": True, "label_smoothing": 0.25}, (5,), lambda: np.array(1)),
    "uint8": ({}, (6, 5), lambda: _labels(6, 5).astype(np.uint8)),
}


def _ce_call(fn, kwargs):
    def call(t, x, y, *w):
        kw = dict(kwargs)
        if kw.pop("weight", False):
            kw["weight"] = w[0]
        return fn(t)(x, y, **kw)
    return call


def _ce_inputs(kwargs, shape, make_target, dtype=np.float32):
    classes = shape[1] if len(shape) > 1 else shape[0]
    extra = [Const(_probs((classes,), seed=7, lo=0.2, hi=3).astype(dtype))] if kwargs.get("weight") else []
    return [shape, make_target()] + extra


@pytest.mark.parametrize("case", sorted(CE_CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_indices(case, reduction):
    kwargs, shape, target = CE_CASES[case]
    fn = _ce_call(lambda t: F(t).cross_entropy, dict(kwargs, reduction=reduction))
    check(fn, *_ce_inputs(kwargs, shape, target))


@pytest.mark.parametrize("case", [c for c in sorted(CE_CASES) if "label_smoothing" not in CE_CASES[c][0]])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(case, reduction):
    kwargs, shape, target = CE_CASES[case]
    fn = _ce_call(lambda t: F(t).nll_loss, dict(kwargs, reduction=reduction))
    check(fn, *_ce_inputs(kwargs, shape, target))


@pytest.mark.parametrize("case", ["plain", "weight_ignore", "smoothing_weight_ignore", "kdim_2d_all",
                                  "unbatched_weight_smoothing"])
def test_cross_entropy_gradcheck(case):
    kwargs, shape, target = CE_CASES[case]
    for reduction in REDUCTIONS:
        fn = _ce_call(lambda t: F(t).cross_entropy, dict(kwargs, reduction=reduction))
        gradcheck(fn, *_ce_inputs(kwargs, shape, target))
        if "label_smoothing" not in kwargs:
            gradcheck(_ce_call(lambda t: F(t).nll_loss, dict(kwargs, reduction=reduction)),
                      *_ce_inputs(kwargs, shape, target))


def _soft(shape, axis=1, seed=5):
    a = np.random.default_rng(seed).uniform(0, 1, size=shape).astype(np.float32)
    return a / a.sum(axis=axis, keepdims=True)


SOFT_CASES = {  # name: (kwargs, input shape, class axis)
    "plain": ({}, (4, 5), 1),
    "weight": ({"weight": True}, (4, 5), 1),
    "smoothing": ({"label_smoothing": 0.2}, (4, 5), 1),
    "smoothing_weight": ({"label_smoothing": 0.4, "weight": True}, (4, 5), 1),
    "kdim": ({"weight": True, "label_smoothing": 0.1}, (2, 5, 3, 2), 1),
    "unbatched": ({"weight": True}, (5,), 0),
    "negative_ignore_index": ({"ignore_index": -1}, (4, 5), 1),
}


@pytest.mark.parametrize("case", sorted(SOFT_CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probabilities(case, reduction):
    # target of the input's shape: class probabilities, and PyTorch differentiates the loss w.r.t. them too
    kwargs, shape, axis = SOFT_CASES[case]
    fn = _ce_call(lambda t: F(t).cross_entropy, dict(kwargs, reduction=reduction))
    check(fn, *_ce_inputs(kwargs, shape, lambda: _soft(shape, axis)))
    gradcheck(fn, *_ce_inputs(kwargs, shape, lambda: _soft(shape, axis)))


def test_unbatched_input_with_one_element_target():
    # (C,) input with a (1,) target: PyTorch gives a 0-d loss (its backward then fails, so values only)
    for reduction in REDUCTIONS:
        for loss in ("cross_entropy", "nll_loss"):
            check(lambda t, x, y: getattr(F(t), loss)(x, y, reduction=reduction), (5,), np.array([4]), grad=False)


def test_cross_entropy_probabilities_promote():
    check(lambda t, x, y: F(t).cross_entropy(x, y.double()), (3, 4), _soft((3, 4)))
    check(lambda t, x, y, w: F(t).cross_entropy(x, y, weight=w.double()), (3, 4), _soft((3, 4)), Const((4,)))


def test_cross_entropy_extreme_logits():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [1e4, 1e4, -1e4], [88.0, 89.0, -100.0]], np.float32)
    with np.errstate(over="raise"):
        for reduction in REDUCTIONS:
            for smoothing in (0.0, 0.1):
                out = check(lambda t, x, y: F(t).cross_entropy(x, y, reduction=reduction, label_smoothing=smoothing),
                            x, np.array([1, 2, 0, 2]))
                assert np.isfinite(out.detach().numpy()).all()
            out = check(lambda t, x, y: F(t).cross_entropy(x, y, reduction=reduction), x, _soft((4, 3)))
            assert np.isfinite(out.detach().numpy()).all()
    g = glasstorch.tensor(x, requires_grad=True)
    F(glasstorch).cross_entropy(g, glasstorch.tensor([1, 2, 0, 2])).backward()
    assert np.isfinite(g.grad.numpy()).all()


def test_cross_entropy_all_ignored_and_empty():
    # 'mean' over no counted target is 0/0 = nan in PyTorch; 'sum' is 0
    for smoothing in (0.0, 0.2):
        for reduction in REDUCTIONS:
            check(lambda t, x, y: F(t).cross_entropy(x, y, reduction=reduction, label_smoothing=smoothing), (3, 4),
                  np.full(3, -100))
    for reduction in REDUCTIONS:
        check(lambda t, x, y: F(t).cross_entropy(x, y, reduction=reduction), (0, 4), np.zeros(0, np.int64))
        check(lambda t, x, y: F(t).nll_loss(x, y, reduction=reduction), (0, 4), np.zeros(0, np.int64))
    check(lambda t, x, y: F(t).cross_entropy(x, y), (0, 4), np.zeros((0, 4), np.float32))


def test_cross_entropy_equals_nll_of_log_softmax():
    w = Const(_probs((5,), seed=1))
    y = _with_ignored(_labels(6, 5), 3, 4)
    check(lambda t, x, y, w: F(t).cross_entropy(x, y, weight=w, ignore_index=3)
          - F(t).nll_loss(x.log_softmax(1), y, weight=w, ignore_index=3), (6, 5), y, w, atol=1e-5)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 5), c=st.integers(1, 6), smoothing=st.sampled_from([0.0, 0.3]), seed=st.integers(0, 99))
def test_cross_entropy_properties(n, c, smoothing, seed):
    # indices and their one-hot probabilities give the same loss and input gradient; the gradient rows of
    # an unweighted loss sum to 0 (softmax and target distribution both sum to one)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c)) * 3
    y = rng.integers(0, c, n)
    a = glasstorch.tensor(x, requires_grad=True)
    b = glasstorch.tensor(x, requires_grad=True)
    la = F(glasstorch).cross_entropy(a, glasstorch.tensor(y), label_smoothing=smoothing)
    lb = F(glasstorch).cross_entropy(b, glasstorch.tensor(np.eye(c)[y]), label_smoothing=smoothing)
    la.backward()
    lb.backward()
    np.testing.assert_allclose(la.item(), lb.item(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.grad.numpy().sum(1), 0, atol=1e-12)
    assert la.item() >= 0
    check(lambda t, x, y: F(t).cross_entropy(x, y, label_smoothing=smoothing, reduction="none"), x, y,
          dtype=np.float64)


def test_cross_entropy_index_errors():
    check_error(lambda t, x, y: F(t).cross_entropy(x, y), (3, 5), np.array([0, 1, 2, 3]), exc=ValueError,
                match=r"^Expected input batch_size \(3\) to match target batch_size \(4\)\.$")
    check_error(lambda t, x, y: F(t).nll_loss(x, y), (3, 5), np.array([0, 1, 2, 3]), exc=ValueError)
    check_error(lambda t, x, y: F(t).cross_entropy(x, y), (3, 5), np.array([0, 1, 5]), exc=IndexError,
                match="Target 5 is out of bounds.")
    check_error(lambda t, x, y: F(t).nll_loss(x, y), (3, 5), np.array([0, -1, 2]), exc=IndexError,
                match="Target -1 is out of bounds.")
    check_error(lambda t, x, y: F(t).cross_entropy(x, y), (2, 5, 3), np.full((2, 3), 7), exc=IndexError)
    check_error(lambda t, x, y: F(t).cross_entropy(x, y), (3, 5), Const(np.array([0.0, 1.0, 2.0], np.float32)),
                exc=RuntimeError, match="expected target dtype to be Long or Byte, but got Float")
    check_error(lambda t, x, y: F(t).cross_entropy(x, y), (3, 5), np.array([0, 1, 2], np.int32),
                exc=RuntimeError, match="but got Int")
    check_error(lambda t, x, y: F(t).cross_entropy(x, y), (3, 5), np.array([[0], [1], [2]]), exc=RuntimeError,
                match="multi-target not supported")
    check_error(lambda t, x, y, w: F(t).cross_entropy(x, y, weight=w), (3, 5), np.array([0, 1, 2]), (3,),
                exc=RuntimeError, match="weight tensor should be defined either for all 5 classes or no classes")
    check_error(lambda t, x, y, w: F(t).nll_loss(x, y, weight=w.double()), (3, 5), np.array([0, 1, 2]), (5,),
                exc=RuntimeError, match="expected scalar type Float but found Double")
    check_error(lambda t, x, y, w: F(t).cross_entropy(x, y, weight=w.requires_grad_()), (3, 5),
                np.array([0, 1, 2]), (5,), exc=RuntimeError, match="argument 'weight'")
    check_error(lambda t, x, y: F(t).cross_entropy(x, y), (2, 5, 4, 4), np.zeros((2, 4, 5), np.int64),
                exc=RuntimeError, match="size mismatch")
    check_error(lambda t, x, y: F(t).cross_entropy(x, y), (2, 5, 4, 4), np.zeros((2, 4), np.int64),
                exc=RuntimeError, match="only batches of spatial targets")
    check_error(lambda t, x, y: F(t).cross_entropy(x, y), (2, 5, 4), np.zeros((2, 3), np.int64),
                exc=RuntimeError, match=r"Expected target size \[2, 4\], got \[2, 3\]")
    check_error(lambda t, x, y: F(t).cross_entropy(x, y), (5,), np.array([1, 2]), exc=ValueError,
                match="For 1D input, 1D target must have size 1")
    check_error(lambda t, x, y: F(t).nll_loss(x, y), (), np.array(0), exc=ValueError,
                match=r"Expected 1 or more dimensions \(got 0\)")
    check_error(lambda t, x, y: F(t).cross_entropy(x.long(), y), (3, 5), np.array([0, 1, 2]),
                exc=NotImplementedError)


def test_cross_entropy_probability_errors():
    check_error(lambda t, x, y: F(t).cross_entropy(x, y), (3, 5), np.zeros((3, 5), np.int64), exc=RuntimeError,
                match="Expected floating point type for target with class probabilities, got Long")
    check_error(lambda t, x, y: F(t).cross_entropy(x, y, ignore_index=1), (3, 5), (3, 5), exc=RuntimeError,
                match="ignore_index is not supported for floating point target")
    check_error(lambda t, x, y, w: F(t).cross_entropy(x, y, weight=w), (3, 5), (3, 5), (3,), exc=RuntimeError,
                match="weight tensor should be defined")
    check_error(lambda t, x, y: F(t).cross_entropy(x, y, label_smoothing=1.5), (3, 5), np.array([0, 1, 2]),
                exc=RuntimeError, match="label_smoothing must be between 0.0 and 1.0")


def test_negative_label_smoothing_is_ignored():
    check(lambda t, x, y: F(t).cross_entropy(x, y, label_smoothing=-0.5), (3, 5), np.array([0, 1, 2]))


def test_retain_graph_backward_twice():
    x = glasstorch.randn(4, 5, requires_grad=True)
    loss = F(glasstorch).cross_entropy(x, glasstorch.tensor([0, 1, 2, 3]), label_smoothing=0.1)
    loss.backward(retain_graph=True)
    first = x.grad.clone()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first.numpy(), rtol=1e-6)


def test_cross_entropy_grad_fn_is_one_node():
    x = glasstorch.randn(4, 5, requires_grad=True)
    loss = F(glasstorch).cross_entropy(x, glasstorch.tensor([0, 1, 2, 3]))
    assert loss.grad_fn.name() == "CrossEntropyBackward0"
    assert loss.grad_fn.next_functions[0][0].name() == "torch::autograd::AccumulateGrad"  # PyTorch 2.13: the C++ name


# ---------------------------------------------------------------------------------------------------
# KL divergence
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    y = _soft((4, 5)) if not log_target else np.log(_soft((4, 5)))
    check(lambda t, x, y: F(t).kl_div(x.log_softmax(1), y, reduction=reduction, log_target=log_target), (4, 5), y)
    gradcheck(lambda t, x, y: F(t).kl_div(x, y, reduction=reduction, log_target=log_target), (3, 4),
              _soft((3, 4)) if not log_target else (3, 4))


def test_kl_div_zero_targets_and_broadcasting():
    # t = 0 contributes 0 (0·log 0 = 0); the target may broadcast against the input
    y = Const(np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]], np.float32))
    check(lambda t, x, y: F(t).kl_div(x, y, reduction="none"), (2, 3), y)
    check(lambda t, x, y: F(t).kl_div(x, y, reduction="batchmean"), (3, 4), _soft((4,), axis=0))
    check(lambda t, x, y: F(t).kl_div(x, y, reduction="batchmean"), (), Const(np.float32(0.3)))
    check(lambda t, x, y: F(t).kl_div(x, y.double(), reduction="sum"), (3, 4), Const(_soft((3, 4))))


def test_kl_div_mean_warns():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F(glasstorch).kl_div(glasstorch.zeros(2, 3), glasstorch.full((2, 3), 0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F(glasstorch).kl_div(glasstorch.zeros(2, 3), glasstorch.full((2, 3), 0.5), reduction="batchmean")


# ---------------------------------------------------------------------------------------------------
# the less common losses (composed from differentiable ops)
# ---------------------------------------------------------------------------------------------------
SIGNS = np.array([1.0, -1.0, -1.0, 1.0, 1.0, -1.0], np.float32)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll(reduction):
    var = _probs((4, 3), seed=2, lo=0.1, hi=2)
    var[0, 0] = 1e-9  # below eps: clamped for the value, gradient passed through
    check(lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v, reduction=reduction), (4, 3), (4, 3), var)
    check(lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v, full=True, reduction=reduction), (4, 3), (4, 3),
          _probs((4,), seed=2))          # one variance per row
    check(lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v, reduction=reduction), (4, 3), (4, 3),
          _probs((4, 1), seed=2))
    check(lambda t, x, y: F(t).gaussian_nll_loss(x, y, 0.5, reduction=reduction), (4, 3), (4, 3))
    gradcheck(lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v, reduction=reduction), (3, 2), (3, 2),
              _probs((3, 2), lo=0.5))


def test_gaussian_nll_errors():
    check_error(lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v.abs()), (3, 2), (3, 2), (3, 3), exc=ValueError,
                match="var is of incorrect size")
    check_error(lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v - 5), (3, 2), (3, 2), (3, 2), exc=ValueError,
                match="negative")
    check_error(lambda t, x, y, v: F(t).gaussian_nll_loss(x, y, v.abs(), reduction="x"), (3, 2), (3, 2), (3, 2),
                exc=ValueError)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input,full", [(True, False), (False, False), (True, True), (False, True)])
def test_poisson_nll(reduction, log_input, full):
    x = (4, 3) if log_input else _probs((4, 3), lo=0.1, hi=3)
    y = _probs((4, 3), seed=1, lo=0.1, hi=4)  # some targets above 1 (Stirling's term), some below
    check(lambda t, x, y: F(t).poisson_nll_loss(x, y, log_input=log_input, full=full, reduction=reduction), x, y)
    gradcheck(lambda t, x, y: F(t).poisson_nll_loss(x, y, log_input=log_input, full=full, reduction=reduction),
              x, y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_and_soft_margin(reduction):
    check(lambda t, a, b, y: F(t).margin_ranking_loss(a, b, y, margin=0.3, reduction=reduction), (6,), (6,),
          Const(SIGNS))
    check(lambda t, x, y: F(t).soft_margin_loss(x, y, reduction=reduction), (2, 3), Const(SIGNS.reshape(2, 3)))
    gradcheck(lambda t, a, b, y: F(t).margin_ranking_loss(a, b, y, margin=0.3, reduction=reduction), (6,), (6,),
              Const(SIGNS))
    gradcheck(lambda t, x, y: F(t).soft_margin_loss(x, y, reduction=reduction), (2, 3), Const(SIGNS.reshape(2, 3)))
    check_error(lambda t, a, b, y: F(t).margin_ranking_loss(a, b, y), (6,), (6, 1), SIGNS, exc=RuntimeError,
                match="All input tensors should have same dimension")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding(reduction):
    y = Const(np.array([1, -1, -1, 1, 0, -1]))
    check(lambda t, a, b, y: F(t).cosine_embedding_loss(a, b, y, margin=-0.2, reduction=reduction), (6, 4), (6, 4),
          y)
    check(lambda t, a, b, y: F(t).cosine_embedding_loss(a, b, y, reduction=reduction), (4,), (4,),
          Const(np.array(-1)))
    gradcheck(lambda t, a, b, y: F(t).cosine_embedding_loss(a, b, y, margin=-0.2, reduction=reduction), (6, 4),
              (6, 4), y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin(reduction, p):
    y = np.array([0, 3, 1, 1, 2])
    check(lambda t, x, y: F(t).multi_margin_loss(x, y, p=p, reduction=reduction), (5, 4), y)
    check(lambda t, x, y, w: F(t).multi_margin_loss(x, y, p=p, margin=0.5, weight=w, reduction=reduction), (5, 4),
          y, Const(_probs((4,))))
    check(lambda t, x, y: F(t).multi_margin_loss(x, y, p=p, reduction=reduction), (4,), np.array(2))
    gradcheck(lambda t, x, y: F(t).multi_margin_loss(x, y, p=p, reduction=reduction), (5, 4), y)


def test_multi_margin_errors():
    check_error(lambda t, x, y: F(t).multi_margin_loss(x, y), (3, 5), np.array([1, 2, 7]), exc=RuntimeError,
                match="target out of range")
    check_error(lambda t, x, y: F(t).multi_margin_loss(x, y, p=3), (3, 5), np.array([1, 2, 3]), exc=ValueError)
    check_error(lambda t, x, y, w: F(t).multi_margin_loss(x, y, weight=w), (3, 5), np.array([1, 2, 3]), (3,),
                exc=RuntimeError, match="inconsistent weight size")
    check_error(lambda t, x, y: F(t).multi_margin_loss(x, y), (3, 5), np.array([1, 2, 3, 4]), exc=RuntimeError,
                match="target tensor should be 1-D")
