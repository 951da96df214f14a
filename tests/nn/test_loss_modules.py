"""The loss modules (glasstorch/nn/modules/loss.py) against PyTorch's: constructor defaults and settings,
forward values and gradients, weights as buffers (state_dict keys, dtype moves), legacy flags and repr."""
import numpy as np
import pytest
import torch

from parity import Const, check

import glasstorch

pytestmark = pytest.mark.filterwarnings("ignore:size_average and reduce", "ignore:reduction")


def _probs(shape, seed=0):
    return np.random.default_rng(seed).uniform(0.05, 0.95, size=shape).astype(np.float32)


LABELS = np.array([0, 3, 1, 1, 2], np.int64)
WEIGHT = _probs((4,), seed=9)

# name: (constructor kwargs maker (lib -> kwargs), input spec, target spec)
CASES = {
    "MSELoss": (lambda t: {}, (5, 4), (5, 4)),
    "MSELoss-sum": (lambda t: {"reduction": "sum"}, (5, 4), (5, 4)),
    "L1Loss": (lambda t: {"reduction": "none"}, (5, 4), (5, 4)),
    "SmoothL1Loss": (lambda t: {"beta": 0.5}, (5, 4), (5, 4)),
    "HuberLoss": (lambda t: {"delta": 0.7, "reduction": "sum"}, (5, 4), (5, 4)),
    "BCELoss": (lambda t: {"weight": t.tensor(WEIGHT)}, _probs((5, 4)), Const(_probs((5, 4), 1))),
    "BCEWithLogitsLoss": (lambda t: {"weight": t.tensor(WEIGHT), "pos_weight": t.tensor(WEIGHT * 3)}, (5, 4),
                          _probs((5, 4), 1)),
    "CrossEntropyLoss": (lambda t: {"weight": t.tensor(WEIGHT), "ignore_index": 1, "label_smoothing": 0.1},
                         (5, 4), LABELS),
    "CrossEntropyLoss-default": (lambda t: {}, (5, 4), LABELS),
    "NLLLoss": (lambda t: {"weight": t.tensor(WEIGHT), "reduction": "sum"}, (5, 4), LABELS),
    "KLDivLoss": (lambda t: {"reduction": "batchmean", "log_target": True}, (5, 4), (5, 4)),
    "PoissonNLLLoss": (lambda t: {"full": True}, (5, 4), _probs((5, 4), 1) * 3),
    "SoftMarginLoss": (lambda t: {"reduction": "sum"}, (5, 4), Const(np.sign(_probs((5, 4), 1) - 0.5))),
    "MultiMarginLoss": (lambda t: {"p": 2, "margin": 0.5, "weight": t.tensor(WEIGHT)}, (5, 4), LABELS),
}


def _module(lib, case):
    kwargs, _, _ = CASES[case]
    return getattr(lib.nn, case.split("-")[0])(**kwargs(lib))


@pytest.mark.parametrize("case", sorted(CASES))
def test_module_matches_pytorch(case):
    _, x, y = CASES[case]
    check(lambda t, x, y: _module(t, case)(x, y), x, y)
    t_mod, g_mod = _module(torch, case), _module(glasstorch, case)
    assert repr(g_mod) == repr(t_mod)
    assert list(g_mod.state_dict()) == list(t_mod.state_dict())
    assert [n for n, _ in g_mod.named_buffers()] == [n for n, _ in t_mod.named_buffers()]
    assert list(g_mod.parameters()) == []
    for attr in ("reduction", "ignore_index", "label_smoothing", "beta", "delta", "log_target", "full", "eps",
                 "log_input", "margin", "p"):
        assert getattr(g_mod, attr, None) == getattr(t_mod, attr, None), attr


ALL = ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss",
       "KLDivLoss", "GaussianNLLLoss", "PoissonNLLLoss", "MarginRankingLoss", "SoftMarginLoss", "CosineEmbeddingLoss",
       "MultiMarginLoss"]


@pytest.mark.parametrize("name", ALL)
def test_defaults(name):
    t_mod, g_mod = getattr(torch.nn, name)(), getattr(glasstorch.nn, name)()
    for attr in ("reduction", "ignore_index", "label_smoothing", "beta", "delta", "log_target", "weight",
                 "pos_weight", "full", "eps", "log_input", "margin", "p"):
        assert getattr(g_mod, attr, "absent") == getattr(t_mod, attr, "absent"), attr
    assert list(g_mod.state_dict()) == list(t_mod.state_dict()) == []
    assert isinstance(g_mod, glasstorch.nn.Module)


def test_three_input_modules():
    check(lambda t, x, y, v: t.nn.GaussianNLLLoss(full=True, eps=1e-3)(x, y, v), (5, 4), (5, 4), _probs((5, 4), 2))
    y = Const(np.array([1.0, -1.0, 1.0, -1.0, -1.0], np.float32))
    check(lambda t, a, b, y: t.nn.MarginRankingLoss(margin=0.2)(a, b, y), (5,), (5,), y)
    check(lambda t, a, b, y: t.nn.CosineEmbeddingLoss(margin=0.1, reduction="none")(a, b, y), (5, 3), (5, 3), y)
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        glasstorch.nn.MultiMarginLoss(p=3)


def test_weights_are_buffers():
    w = glasstorch.tensor(WEIGHT)
    m = glasstorch.nn.BCEWithLogitsLoss(weight=w, pos_weight=w * 2)
    assert sorted(m.state_dict()) == ["pos_weight", "weight"]
    m.double()
    assert m.weight.dtype == glasstorch.float64 and m.pos_weight.dtype == glasstorch.float64
    ce = glasstorch.nn.CrossEntropyLoss(weight=w)
    state = ce.state_dict()
    fresh = glasstorch.nn.CrossEntropyLoss(weight=glasstorch.ones(4))
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.weight.numpy(), WEIGHT)


@pytest.mark.parametrize("size_average,reduce,expected", [(False, None, "sum"), (None, False, "none"),
                                                          (True, True, "mean")])
def test_legacy_constructor_flags(size_average, reduce, expected):
    for name in ("MSELoss", "CrossEntropyLoss", "KLDivLoss", "BCELoss"):
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            m = getattr(glasstorch.nn, name)(size_average=size_average, reduce=reduce)
        assert m.reduction == expected == getattr(torch.nn, name)(size_average=size_average, reduce=reduce).reduction


def test_modules_in_a_training_step():
    # a linear classifier's loss through the module API backpropagates into the weights
    x = glasstorch.randn(8, 3)
    w = glasstorch.zeros(3, 4, requires_grad=True)
    loss = glasstorch.nn.CrossEntropyLoss()(x @ w, glasstorch.tensor([0, 1, 2, 3, 0, 1, 2, 3]))
    loss.backward()
    np.testing.assert_allclose(loss.item(), np.log(4), rtol=1e-6)
    assert w.grad.shape == (3, 4) and np.abs(w.grad.numpy()).sum() > 0
