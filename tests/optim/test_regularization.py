"""glasstorch.nn.utils.l1_penalty / l2_penalty (a glasstorch addition): values and gradients against the same
expressions written in torch, and the L2 / SGD weight_decay equivalence."""
import numpy as np
import pytest
import torch

import glasstorch
from glasstorch.nn.utils import l1_penalty, l2_penalty

SHAPES = [(3, 4), (4,), (2, 5)]


def make_params(lib, seed=0):
    rng = np.random.default_rng(seed)
    return [lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in SHAPES]


def test_l1_penalty_value_and_gradient_match_torch():
    t_params, g_params = make_params(torch), make_params(glasstorch)
    t_loss = 0.01 * sum(p.abs().sum() for p in t_params)
    g_loss = l1_penalty(g_params, weight=0.01)
    assert g_loss.shape == () and g_loss.requires_grad
    assert g_loss.item() == pytest.approx(t_loss.item(), rel=1e-6)
    t_loss.backward()
    g_loss.backward()
    for g, t in zip(g_params, t_params):
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), rtol=1e-6)


def test_l2_penalty_value_and_gradient_match_torch():
    t_params, g_params = make_params(torch), make_params(glasstorch)
    t_loss = 0.1 * 0.5 * sum((p * p).sum() for p in t_params)
    g_loss = l2_penalty(g_params, weight=0.1)
    assert g_loss.item() == pytest.approx(t_loss.item(), rel=1e-6)
    t_loss.backward()
    g_loss.backward()
    for g, t in zip(g_params, t_params):
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), rtol=1e-6)
        np.testing.assert_allclose(g.grad.numpy(), 0.1 * g.detach().numpy(), rtol=1e-6)  # gradient = λ·w


def test_penalties_accept_a_module_a_generator_or_one_tensor():
    class TwoWeights:
        def __init__(self, params):
            self.params = params

        def parameters(self):
            return iter(self.params)

    params = make_params(glasstorch)
    expected = sum(np.abs(p.detach().numpy()).sum() for p in params)
    assert l1_penalty(TwoWeights(params)).item() == pytest.approx(expected, rel=1e-6)
    assert l1_penalty(p for p in params).item() == pytest.approx(expected, rel=1e-6)
    assert l1_penalty(params[1], weight=2.0).item() == pytest.approx(2 * np.abs(params[1].detach().numpy()).sum(),
                                                                      rel=1e-6)


def test_l2_penalty_in_the_loss_equals_sgd_weight_decay():
    """SGD(weight_decay=λ) takes the same steps as SGD on loss + l2_penalty(params, weight=λ)."""
    rng = np.random.default_rng(3)
    X = glasstorch.tensor(rng.standard_normal((16, 4)).astype(np.float64))
    y = glasstorch.tensor(rng.standard_normal(16))
    w0 = rng.standard_normal(4)
    lam = 0.3
    runs = []
    for use_penalty in (False, True):
        w = glasstorch.tensor(w0.copy(), requires_grad=True)
        opt = glasstorch.optim.SGD([w], lr=0.05, momentum=0.9, weight_decay=0.0 if use_penalty else lam)
        for _ in range(15):
            opt.zero_grad()
            loss = ((X @ w - y) ** 2).mean()
            if use_penalty:
                loss = loss + l2_penalty([w], weight=lam)
            loss.backward()
            opt.step()
        runs.append(w.detach().numpy().copy())
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-12, atol=1e-14)


def test_l1_penalty_drives_small_weights_to_zero_with_sgd():
    w = glasstorch.tensor([0.05, -0.03, 2.0], requires_grad=True)
    opt = glasstorch.optim.SGD([w], lr=0.01)
    for _ in range(10):
        opt.zero_grad()
        l1_penalty([w], weight=1.0).backward()
        opt.step()
    values = w.detach().numpy()
    assert abs(values[0]) < 0.011 and abs(values[1]) < 0.011 and values[2] == pytest.approx(1.9, rel=1e-5)
