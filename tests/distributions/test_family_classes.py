"""ExponentialFamily membership and OneHotCategoricalStraightThrough's straight-through gradient, against PyTorch."""
import numpy as np
import pytest
import torch

import glasstorch

LIBS = (torch, glasstorch)


@pytest.mark.parametrize("make", [
    lambda D: D.Normal(0.0, 1.0), lambda D: D.Bernoulli(0.3), lambda D: D.Gamma(2.0, 1.0),
    lambda D: D.Laplace(0.0, 1.0), lambda D: D.Exponential(1.5), lambda D: D.Beta(2.0, 3.0),
    lambda D: D.Uniform(0.0, 1.0), lambda D: D.Categorical(probs=torch.tensor([0.2, 0.8])
                                                           if D is torch.distributions else
                                                           glasstorch.tensor([0.2, 0.8])),
])
def test_exponential_family_membership_matches_pytorch(make):
    t = make(torch.distributions)
    g = make(glasstorch.distributions)
    assert isinstance(g, glasstorch.distributions.ExponentialFamily) == isinstance(t, torch.distributions.ExponentialFamily)


def test_straight_through_one_hot_sample_and_gradient():
    logits = np.array([0.1, 0.5, -0.3], dtype=np.float32)
    weights = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    grads = []
    for lib in LIBS:
        lib.manual_seed(0)
        p = lib.tensor(logits, requires_grad=True)
        d = lib.distributions.OneHotCategoricalStraightThrough(logits=p)
        assert d.has_rsample
        s = d.rsample((4000,))
        assert tuple(s.shape) == (4000, 3)
        np.testing.assert_allclose(s.detach().numpy().sum(-1), 1.0)
        # the sample is one-hot in value; its gradient is that of the probabilities (straight through)
        assert set(np.unique(s.detach().numpy())) == {0.0, 1.0}
        (s * lib.tensor(weights)).sum().backward()
        grads.append(p.grad.numpy() / 4000)
    # the straight-through gradient is d/dlogits of E[w·probs] = sum over rows of w·softmax Jacobian:
    # the same in both libraries up to the sampling noise of the forward value (which does not enter it)
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-5, atol=1e-6)
