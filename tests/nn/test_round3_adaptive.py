"""Round 3: AdaptiveLogSoftmaxWithLoss (forward's named tuple, log_prob, predict) against PyTorch."""
import numpy as np
import pytest
import torch

import glasstorch
from tests.nn.twins import same_repr, twins, to_glass

BUILD = lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 12, [3, 7], div_value=2.0)  # noqa: E731
TOL = dict(rtol=1e-4, atol=1e-5)


def _compare_grads(t_m, g_m):
    for (name, tp), (_, gp) in zip(t_m.named_parameters(), g_m.named_parameters()):
        np.testing.assert_allclose(gp.grad.numpy(), tp.grad.numpy(), err_msg=name, **TOL)


@pytest.mark.parametrize("head_bias", [False, True])
def test_forward_output_and_loss(head_bias):
    t_m, g_m = twins(lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 12, [3, 7], div_value=2.0,
                                                                   head_bias=head_bias))
    same_repr(t_m, g_m)
    assert list(g_m.state_dict()) == list(t_m.state_dict())
    x = np.random.default_rng(0).standard_normal((10, 8)).astype(np.float32)
    y = np.array([0, 11, 3, 7, 2, 6, 9, 1, 4, 10])
    t_x, g_x = torch.from_numpy(x).requires_grad_(), glasstorch.from_numpy(x).requires_grad_()
    t_out, g_out = t_m(t_x, torch.from_numpy(y)), g_m(g_x, glasstorch.from_numpy(y))
    assert type(g_out).__name__ == "_ASMoutput" and g_out._fields == ("output", "loss")
    np.testing.assert_allclose(g_out.output.detach().numpy(), t_out.output.detach().numpy(), **TOL)
    np.testing.assert_allclose(g_out.loss.detach().numpy(), t_out.loss.detach().numpy(), **TOL)
    t_out.loss.backward()
    g_out.loss.backward()
    np.testing.assert_allclose(g_x.grad.numpy(), t_x.grad.numpy(), **TOL)
    _compare_grads(t_m, g_m)


def test_unbatched_log_prob_predict():
    t_m, g_m = twins(BUILD)
    x = np.random.default_rng(1).standard_normal((6, 8)).astype(np.float32) * 3
    t_out = t_m(torch.from_numpy(x[0]), torch.tensor(8))
    g_out = g_m(glasstorch.from_numpy(x[0]), glasstorch.tensor(8))
    assert g_out.output.shape == t_out.output.shape == ()
    np.testing.assert_allclose(g_out.output.detach().numpy(), t_out.output.detach().numpy(), **TOL)
    np.testing.assert_allclose(g_m.log_prob(glasstorch.from_numpy(x)).detach().numpy(),
                               t_m.log_prob(torch.from_numpy(x)).detach().numpy(), **TOL)
    for seed in range(4):   # heads whose argmax is in the shortlist, in a cluster, or mixed
        x = np.random.default_rng(seed).standard_normal((6, 8)).astype(np.float32) * 3
        np.testing.assert_array_equal(g_m.predict(glasstorch.from_numpy(x)).numpy(),
                                      t_m.predict(torch.from_numpy(x)).numpy())


def test_errors():
    t_m, g_m = twins(BUILD)
    for lib, m in ((torch, t_m), (glasstorch, g_m)):
        with pytest.raises(RuntimeError, match="Target values should be in"):
            m(lib.randn(2, 8), lib.tensor([0, 12]))
        with pytest.raises(RuntimeError, match="same size in the batch"):
            m(lib.randn(3, 8), lib.tensor([0, 1]))
        with pytest.raises(RuntimeError, match="multi-target not supported"):
            m(lib.randn(3, 8), lib.zeros(3, 2, dtype=lib.int64))
        for cutoffs in ([], [3, 3], [7, 3], [0, 3], [12]):
            with pytest.raises(ValueError):
                lib.nn.AdaptiveLogSoftmaxWithLoss(8, 12, cutoffs)
