"""hinge_embedding_loss, triplet_margin_loss, triplet_margin_with_distance_loss and ctc_loss (F., torch. with
integer reductions, and the loss modules) against PyTorch: values, gradients, reductions, errors; float64
gradchecks (ctc through log_softmax: PyTorch's ctc gradient assumes log_softmax inputs, see ops/loss.py)."""
import numpy as np
import pytest

from parity import Const, check, check_error, gradcheck
from twins import same_repr, twins

REDUCTIONS = ["none", "mean", "sum"]


def _labels(shape, seed=0):
    return np.random.default_rng(seed).choice([-1.0, 1.0], size=shape).astype(np.float32)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [1.0, 0.3])
def test_hinge_embedding(reduction, margin):
    y = _labels((4, 5))
    check(lambda t, x, y: t.nn.functional.hinge_embedding_loss(x, y, margin, reduction=reduction), (4, 5), Const(y))
    code = REDUCTIONS.index(reduction)
    check(lambda t, x, y: t.hinge_embedding_loss(x, y, margin, code), (4, 5), Const(y))
    check(lambda t, x, y: t.nn.HingeEmbeddingLoss(margin, reduction=reduction)(x, y), (6,), Const(_labels((6,))))


def test_hinge_embedding_other_labels_and_broadcast():
    y = np.array([1.0, -1.0, 0.0, 2.0], np.float32)
    check(lambda t, x, y: t.nn.functional.hinge_embedding_loss(x, y, reduction="none"), (3, 4), Const(y))


TRIPLET = [dict(), dict(margin=0.5, p=1), dict(p=3, swap=True), dict(eps=0.1, swap=True, margin=2.0)]


@pytest.mark.parametrize("kw", TRIPLET, ids=[str(i) for i in range(len(TRIPLET))])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 5), (5,)])
def test_triplet_margin(kw, reduction, shape):
    check(lambda t, a, p, n: t.nn.functional.triplet_margin_loss(a, p, n, reduction=reduction, **kw),
          shape, shape, shape)
    check(lambda t, a, p, n: t.nn.TripletMarginLoss(reduction=reduction, **kw)(a, p, n), shape, shape, shape)


def test_torch_triplet_margin():
    check(lambda t, a, p, n: t.triplet_margin_loss(a, p, n, 0.7, 2, 1e-6, True, 0), (4, 5), (4, 5), (4, 5))
    check(lambda t, a, p, n: t.triplet_margin_loss(a, p, n), (4, 5), (4, 5), (4, 5))


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_triplet_with_distance(swap, reduction):
    check(lambda t, a, p, n: t.nn.functional.triplet_margin_with_distance_loss(a, p, n, swap=swap,
                                                                              reduction=reduction),
          (4, 5), (4, 5), (4, 5))
    check(lambda t, a, p, n: t.nn.functional.triplet_margin_with_distance_loss(
        a, p, n, distance_function=lambda x, y: (x - y).abs().sum(-1), margin=2.0, swap=swap, reduction=reduction),
        (4, 5), (4, 5), (4, 5))
    check(lambda t, a, p, n: t.nn.TripletMarginWithDistanceLoss(
        distance_function=lambda x, y: (x - y).pow(2).sum(-1), margin=0.5, swap=swap, reduction=reduction)(a, p, n),
        (4, 5), (4, 5), (4, 5))


T, N, C = 7, 3, 5
TARGETS = np.array([[1, 2, 2, 0], [3, 3, 1, 4], [4, 1, 0, 0]])
CTC_CASES = [
    (TARGETS, [7, 5, 6], [3, 4, 1], 0),
    (TARGETS, [7, 7, 7], [0, 2, 1], 0),                                  # an empty target
    (np.array([1, 2, 2, 3, 3, 1, 0, 0, 1]), [7, 4, 6], [3, 5, 1], 4),   # concatenated; sample 1 impossible (∞)
    (np.array([[0, 0, 1], [2, 2, 2], [3, 1, 3]]), [6, 7, 5], [3, 3, 2], 4),  # repeats need a blank between
]


@pytest.mark.parametrize("case", range(len(CTC_CASES)))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc(case, reduction, zero_infinity):
    targets, il, tl, blank = CTC_CASES[case]
    kw = dict(blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    check(lambda t, x: t.nn.functional.ctc_loss(x.log_softmax(2), t.tensor(targets), t.tensor(il), t.tensor(tl),
                                                **kw), (T, N, C), dtype=np.float64)
    check(lambda t, x: t.nn.functional.ctc_loss(x, t.tensor(targets), il, tl, **kw), (T, N, C), dtype=np.float64)
    check(lambda t, x: t.nn.CTCLoss(blank, reduction, zero_infinity)(x.log_softmax(2), t.tensor(targets),
                                                                     tuple(il), tuple(tl)), (T, N, C))
    code = REDUCTIONS.index(reduction)
    check(lambda t, x: t.ctc_loss(x.log_softmax(2), t.tensor(targets), il, tl, blank, code, zero_infinity),
          (T, N, C))


def test_ctc_unbatched_and_float32():
    check(lambda t, x: t.nn.functional.ctc_loss(x.log_softmax(1), t.tensor([1, 2]), [6], [2]), (T, C))
    check(lambda t, x: t.nn.functional.ctc_loss(x.log_softmax(1), t.tensor([1, 2]), [6], [2], reduction="none"),
          (T, C))
    check(lambda t, x: t.nn.functional.ctc_loss(x.log_softmax(2), t.tensor(TARGETS), [7, 5, 6], [3, 4, 1]),
          (T, N, C))


def test_gradcheck():
    gradcheck(lambda t, x, y: t.nn.functional.hinge_embedding_loss(x, y, 0.5), (3, 4), Const(_labels((3, 4)) * 1.0))
    gradcheck(lambda t, a, p, n: t.nn.functional.triplet_margin_loss(a, p, n, p=3, swap=True), (4, 5), (4, 5),
              (4, 5))
    gradcheck(lambda t, a, p, n: t.nn.functional.triplet_margin_with_distance_loss(a, p, n, margin=3.0), (4, 5),
              (4, 5), (4, 5))
    for targets, il, tl, blank in CTC_CASES[:2] + CTC_CASES[3:]:
        gradcheck(lambda t, x: t.nn.functional.ctc_loss(x.log_softmax(2), t.tensor(targets), il, tl, blank,
                                                        reduction="sum"), (T, N, C))


ERRORS = [
    lambda t, x: t.nn.functional.triplet_margin_loss(x, x, x[0]),
    lambda t, x: t.nn.functional.triplet_margin_with_distance_loss(x, x, x, margin=0.0),
    lambda t, x: t.nn.functional.triplet_margin_with_distance_loss(x, x, x[0]),
    lambda t, x: t.nn.functional.hinge_embedding_loss(x, x, reduction="bad"),
    lambda t, x: t.nn.functional.ctc_loss(x.reshape(7, 3, 5).log_softmax(2), t.tensor(TARGETS), [8, 5, 6],
                                          [3, 4, 1]),
    lambda t, x: t.nn.functional.ctc_loss(x.reshape(7, 3, 5).log_softmax(2), t.tensor(TARGETS[:, :2]), [7, 5, 6],
                                          [3, 4, 1]),
    lambda t, x: t.nn.TripletMarginLoss(margin=0),
]


@pytest.mark.parametrize("fn", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn):
    check_error(fn, (7, 15))


@pytest.mark.parametrize("build", [lambda nn: nn.HingeEmbeddingLoss(), lambda nn: nn.HingeEmbeddingLoss(2.0),
                                   lambda nn: nn.TripletMarginLoss(), lambda nn: nn.TripletMarginLoss(0.5, 1.0),
                                   lambda nn: nn.CTCLoss(), lambda nn: nn.CTCLoss(3, "sum", True)])
def test_module_repr_and_attributes(build):
    t, g = twins(lambda lib: build(lib.nn))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict()) == []
    for name in ("reduction", "margin", "p", "eps", "swap", "blank", "zero_infinity"):
        assert getattr(g, name, None) == getattr(t, name, None), name


def test_torch_level_default_reduction_is_none():
    """PyTorch 2.13's torch.<loss> functions reduce with 'none' when reduction is left out."""
    check(lambda t, x, y: t.hinge_embedding_loss(x, y), (4, 5), Const(_labels((4, 5))))
    check(lambda t, x: t.ctc_loss(x.log_softmax(2), t.tensor(TARGETS), [7, 5, 6], [3, 4, 1]), (T, N, C))
    check(lambda t, x, y: t.kl_div(x, y), (4, 5), (4, 5))
    check(lambda t, x, y: t.cosine_embedding_loss(x, y, t.ones(4)), (4, 5), (4, 5))
