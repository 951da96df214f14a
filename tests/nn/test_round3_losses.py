"""Round 3: multilabel_margin_loss, multilabel_soft_margin_loss, their modules and NLLLoss2d against PyTorch."""
import numpy as np
import pytest
import torch

import glasstorch
from tests.parity import Const, check, check_error, gradcheck
from tests.nn.twins import same_repr

TARGETS = np.array([[3, 0, -1, 1], [0, 1, 2, 3], [-1, 1, 0, 0], [2, 2, -1, 0]])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_multilabel_margin_loss(reduction):
    check(lambda t, x, y: t.nn.functional.multilabel_margin_loss(x, y, reduction=reduction), (4, 4), TARGETS)
    check(lambda t, x, y: t.nn.MultiLabelMarginLoss(reduction=reduction)(x, y), (4, 4), TARGETS)


@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_multilabel_margin_loss_1d(reduction):
    check(lambda t, x, y: t.nn.functional.multilabel_margin_loss(x, y, reduction=reduction), (4,), TARGETS[0])


def test_multilabel_margin_loss_gradcheck_and_errors():
    gradcheck(lambda t, x: t.nn.functional.multilabel_margin_loss(x, t.tensor(TARGETS)), (4, 4))
    check_error(lambda t, x, y: t.nn.functional.multilabel_margin_loss(x, y), (4, 4), TARGETS[:, :3])
    check_error(lambda t, x, y: t.nn.functional.multilabel_margin_loss(x, y), (4, 4), TARGETS + 5)
    check_error(lambda t, x, y: t.nn.functional.multilabel_margin_loss(x, y.float()), (4, 4), TARGETS)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss(reduction, weighted):
    y = Const((np.random.default_rng(3).random((4, 5)) > 0.5).astype(np.float32))
    w = Const(np.linspace(0.5, 2, 5).astype(np.float32))
    check(lambda t, x, y, w: t.nn.functional.multilabel_soft_margin_loss(x, y, w if weighted else None,
                                                                         reduction=reduction), (4, 5), y, w)
    check(lambda t, x, y, w: t.nn.MultiLabelSoftMarginLoss(w if weighted else None, reduction=reduction)(x, y),
          (4, 5), y, w)


def test_multilabel_soft_margin_gradcheck_and_state():
    gradcheck(lambda t, x, y: t.nn.functional.multilabel_soft_margin_loss(x, y), (3, 4), (3, 4))
    w = np.ones(4, np.float32)
    t_m = torch.nn.MultiLabelSoftMarginLoss(torch.from_numpy(w))
    g_m = glasstorch.nn.MultiLabelSoftMarginLoss(glasstorch.from_numpy(w))
    assert list(g_m.state_dict()) == list(t_m.state_dict()) == ["weight"]
    same_repr(t_m, g_m)
    same_repr(torch.nn.MultiLabelMarginLoss(), glasstorch.nn.MultiLabelMarginLoss())


def test_nllloss2d():
    y = np.array([[[0, 1], [2, 1]], [[1, 1], [0, 2]]])
    check(lambda t, x, y: t.nn.NLLLoss2d()(t.log_softmax(x, 1), y), (2, 3, 2, 2), y)
    same_repr(torch.nn.NLLLoss2d(), glasstorch.nn.NLLLoss2d())
    assert isinstance(glasstorch.nn.NLLLoss2d(), glasstorch.nn.NLLLoss)
