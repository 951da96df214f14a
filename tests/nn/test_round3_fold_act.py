"""Round 3: fold/unfold, glu, gumbel_softmax, celu_/selu_, the distance modules, Softmax2d: parity with PyTorch."""
import numpy as np
import pytest
import torch

import glasstorch
from tests.parity import check, check_error, gradcheck
from tests.nn.twins import same_repr

UNFOLD_CASES = [((2, 3, 5, 5), dict(kernel_size=2)),
                ((1, 2, 6, 7), dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(2, 1))),
                ((3, 4, 4), dict(kernel_size=3, padding=1)),
                ((0, 2, 4, 4), dict(kernel_size=2))]


@pytest.mark.parametrize("shape,kw", UNFOLD_CASES)
def test_unfold(shape, kw):
    check(lambda t, x: t.nn.functional.unfold(x, **kw), shape)


@pytest.mark.parametrize("shape,kw", UNFOLD_CASES[:3])
def test_fold_is_adjoint(shape, kw):
    cols = torch.nn.functional.unfold(torch.zeros(shape), **kw).shape
    check(lambda t, c: t.nn.functional.fold(c, output_size=shape[-2:], **kw), tuple(cols))


def test_fold_unfold_gradcheck():
    gradcheck(lambda t, x: t.nn.functional.unfold(x, (2, 3), dilation=1, padding=1, stride=2), (1, 2, 5, 4))
    gradcheck(lambda t, c: t.nn.functional.fold(c, (4, 4), 2, padding=1, stride=2), (1, 8, 9))


@pytest.mark.parametrize("fn", [lambda t, x: t.nn.functional.unfold(x, 2),
                                lambda t, x: t.nn.functional.fold(x, 3, 2)])
def test_fold_unfold_errors(fn):
    check_error(fn, (2, 3, 4, 5, 6))


def test_fold_errors():
    check_error(lambda t, x: t.nn.functional.fold(x, (4, 4), 2), (2, 13, 9))
    check_error(lambda t, x: t.nn.functional.fold(x, (4, 4), 2), (2, 12, 8))
    check_error(lambda t, x: t.nn.functional.unfold(x, 3), (1, 1, 2, 2))


def test_fold_modules_repr():
    for build in (lambda n: n.Fold((4, 5), 2), lambda n: n.Unfold(2, padding=1),
                  lambda n: n.Fold(output_size=3, kernel_size=(2, 2), stride=2)):
        same_repr(build(torch.nn), build(glasstorch.nn))
    check(lambda t, x: t.nn.Unfold((2, 2), stride=2)(x), (2, 3, 4, 4))
    check(lambda t, x: t.nn.Fold((4, 4), 2, stride=2)(x), (2, 12, 4))


@pytest.mark.parametrize("shape,dim", [((4, 6), -1), ((4, 6), 0), ((2, 4, 3), 1), ((0, 4), 1)])
def test_glu(shape, dim):
    check(lambda t, x: t.nn.functional.glu(x, dim), shape)
    check(lambda t, x: t.nn.GLU(dim)(x), shape)


def test_glu_gradcheck_and_errors():
    gradcheck(lambda t, x: t.nn.functional.glu(x, 1), (3, 4))
    check_error(lambda t, x: t.nn.functional.glu(x, 1), (3, 5))
    check_error(lambda t, x: t.nn.functional.glu(x), ())
    same_repr(torch.nn.GLU(), glasstorch.nn.GLU())


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 4, 5)])
def test_softmax2d(shape):
    check(lambda t, x: t.nn.Softmax2d()(x), shape)
    same_repr(torch.nn.Softmax2d(), glasstorch.nn.Softmax2d())


def test_softmax2d_error():
    check_error(lambda t, x: t.nn.Softmax2d()(x), (3, 4), exc=ValueError)


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax(hard):
    glasstorch.manual_seed(0)
    x = glasstorch.randn(5, 7, requires_grad=True)
    y = glasstorch.nn.functional.gumbel_softmax(x, tau=0.5, hard=hard)
    assert y.shape == (5, 7) and y.dtype == glasstorch.float32
    np.testing.assert_allclose(y.sum(-1).detach().numpy(), 1, rtol=1e-6)
    if hard:
        assert set(np.unique(y.detach().numpy())) <= {0.0, 1.0}
    (y * glasstorch.arange(7.0)).sum().backward()
    assert x.grad is not None and np.isfinite(x.grad.numpy()).all()


def test_gumbel_softmax_statistics():
    # the argmax of logits + Gumbel noise is a sample of softmax(logits)
    glasstorch.manual_seed(1)
    logits = glasstorch.tensor([[0.0, 1.0, 2.0]]).expand(20000, 3)
    y = glasstorch.nn.functional.gumbel_softmax(logits, hard=True)
    freq = y.mean(0).numpy()
    np.testing.assert_allclose(freq, torch.softmax(torch.tensor([0.0, 1.0, 2.0]), 0).numpy(), atol=0.02)


def test_gumbel_softmax_eps_warns():
    with pytest.warns(UserWarning, match="deprecated"):
        glasstorch.nn.functional.gumbel_softmax(glasstorch.randn(2, 3), eps=1e-3)


def test_celu_selu_inplace():
    check(lambda t, x: t.nn.functional.celu_(x.clone(), 0.5), (3, 4))
    check(lambda t, x: t.nn.functional.selu_(x.clone()), (3, 4))


@pytest.mark.parametrize("build,shapes", [(lambda n: n.PairwiseDistance(), ((4, 5), (4, 5))),
                                          (lambda n: n.PairwiseDistance(p=1.0, keepdim=True), ((4, 5), (1, 5))),
                                          (lambda n: n.CosineSimilarity(), ((4, 5), (4, 5))),
                                          (lambda n: n.CosineSimilarity(dim=0, eps=1e-6), ((4, 5), (4, 1)))])
def test_distance_modules(build, shapes):
    check(lambda t, a, b: build(t.nn)(a, b), *shapes)
    same_repr(build(torch.nn), build(glasstorch.nn))


def test_functional_reexports():
    F = glasstorch.nn.functional
    assert F.pdist is glasstorch.pdist and F.pairwise_distance is glasstorch.pairwise_distance
    assert F.cosine_similarity is glasstorch.cosine_similarity
    check(lambda t, x: t.nn.functional.pdist(x), (4, 3))


def test_triplet_with_distance_default_module():
    same_repr(torch.nn.TripletMarginWithDistanceLoss(), glasstorch.nn.TripletMarginWithDistanceLoss())
    check(lambda t, a, p, n: t.nn.TripletMarginWithDistanceLoss()(a, p, n), (4, 5), (4, 5), (4, 5))
