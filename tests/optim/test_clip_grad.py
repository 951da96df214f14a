"""glasstorch.nn.utils gradient clipping and parameter vectors against torch.nn.utils."""
import math

import numpy as np
import pytest
import torch

import glasstorch

SHAPES = [(3, 4), (5,), (2, 2, 3)]


def params_with_grads(lib, dtype=np.float32, scale=1.0, seed=0, none_at=None):
    rng = np.random.default_rng(seed)
    params = []
    for i, shape in enumerate(SHAPES):
        p = lib.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
        g = (scale * rng.standard_normal(shape)).astype(dtype)
        if i != none_at:
            p.grad = lib.tensor(g)
        params.append(p)
    return params


def grads_of(params):
    return [None if p.grad is None else p.grad.numpy().copy() for p in params]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, 1, 3.0, 0.5, float("inf"), "inf", 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    t_params, g_params = params_with_grads(torch, dtype), params_with_grads(glasstorch, dtype)
    t_total = torch.nn.utils.clip_grad_norm_(t_params, max_norm, norm_type=norm_type)
    g_total = glasstorch.nn.utils.clip_grad_norm_(g_params, max_norm, norm_type=norm_type)
    assert isinstance(g_total, glasstorch.Tensor) and g_total.shape == ()
    assert str(g_total.dtype).split(".")[-1] == str(t_total.dtype).split(".")[-1]
    tol = dict(rtol=1e-6, atol=1e-7) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(g_total.item(), t_total.item(), **tol)
    for g, t in zip(grads_of(g_params), grads_of(t_params)):
        np.testing.assert_allclose(g, t, **tol)
        assert g.dtype == dtype


def test_clipped_norm_equals_max_norm_and_direction_is_kept():
    params = params_with_grads(glasstorch, scale=10.0)
    before = np.concatenate([g.ravel() for g in grads_of(params)])
    total = glasstorch.nn.utils.clip_grad_norm_(params, max_norm=1.0)
    after = np.concatenate([g.ravel() for g in grads_of(params)])
    assert total.item() == pytest.approx(np.linalg.norm(before), rel=1e-6)
    assert np.linalg.norm(after) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(after * np.linalg.norm(before), before, rtol=1e-4, atol=1e-5)


def test_clip_grad_norm_skips_missing_grads_and_accepts_one_tensor_or_a_generator():
    t_params, g_params = params_with_grads(torch, none_at=1), params_with_grads(glasstorch, none_at=1)
    t_total = torch.nn.utils.clip_grad_norm_((p for p in t_params), 0.1)
    g_total = glasstorch.nn.utils.clip_grad_norm_((p for p in g_params), 0.1)
    assert g_total.item() == pytest.approx(t_total.item(), rel=1e-6)
    assert g_params[1].grad is None
    t_one, g_one = params_with_grads(torch)[0], params_with_grads(glasstorch)[0]
    t_total = torch.nn.utils.clip_grad_norm_(t_one, 0.1)
    g_total = glasstorch.nn.utils.clip_grad_norm_(g_one, 0.1)
    assert g_total.item() == pytest.approx(t_total.item(), rel=1e-6)
    np.testing.assert_allclose(g_one.grad.numpy(), t_one.grad.numpy(), rtol=1e-6)


def test_clip_grad_norm_without_grads_returns_zero():
    total = glasstorch.nn.utils.clip_grad_norm_([], 1.0)
    assert total.item() == 0.0 and total.dtype == glasstorch.float32
    p = glasstorch.ones(2, requires_grad=True)
    assert glasstorch.nn.utils.clip_grad_norm_([p], 1.0).item() == 0.0


def test_zero_gradients_stay_zero():
    p = glasstorch.ones(3, requires_grad=True)
    p.grad = glasstorch.zeros(3)
    assert glasstorch.nn.utils.clip_grad_norm_([p], 1.0).item() == 0.0
    assert p.grad.tolist() == [0.0, 0.0, 0.0]


def test_clip_grad_norm_nonfinite():
    for lib in (torch, glasstorch):
        p = lib.ones(3, requires_grad=True)
        p.grad = lib.tensor([float("nan"), 1.0, 1.0])
        with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is "
                                               "non-finite, so it cannot be clipped"):
            lib.nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
        p.grad = lib.tensor([float("inf"), 1.0, 1.0])
        total = lib.nn.utils.clip_grad_norm_([p], 1.0)  # allowed: scales by 1/inf
        assert math.isinf(total.item())


def test_the_returned_norm_feeds_a_training_loop():
    """clip between backward and step: the step then follows torch's."""
    finals = []
    for lib in (torch, glasstorch):
        w = lib.tensor([3.0, -4.0, 12.0], requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.5)
        norms = []
        for _ in range(5):
            opt.zero_grad()
            (w * w).sum().backward()
            norms.append(lib.nn.utils.clip_grad_norm_([w], max_norm=2.0).item())
            opt.step()
        finals.append((norms, w.detach().numpy().tolist()))
    np.testing.assert_allclose(finals[1][0], finals[0][0], rtol=1e-6)
    np.testing.assert_allclose(finals[1][1], finals[0][1], rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("clip_value", [0.5, 1, 10.0])
def test_clip_grad_value_matches_torch(clip_value):
    t_params = params_with_grads(torch, scale=2.0, none_at=2)
    g_params = params_with_grads(glasstorch, scale=2.0, none_at=2)
    assert torch.nn.utils.clip_grad_value_(t_params, clip_value) is None
    assert glasstorch.nn.utils.clip_grad_value_(g_params, clip_value) is None
    for g, t in zip(grads_of(g_params), grads_of(t_params)):
        if t is None:
            assert g is None
        else:
            np.testing.assert_array_equal(g, t)
            assert np.abs(g).max() <= clip_value


def test_clip_grad_value_on_one_tensor():
    p = glasstorch.ones(3, requires_grad=True)
    p.grad = glasstorch.tensor([-5.0, 0.1, 5.0])
    glasstorch.nn.utils.clip_grad_value_(p, 1.0)
    assert p.grad.tolist() == pytest.approx([-1.0, 0.1, 1.0])


def test_get_total_norm_and_clip_grads_with_norm_match_torch():
    t_params, g_params = params_with_grads(torch), params_with_grads(glasstorch)
    t_total = torch.nn.utils.get_total_norm([p.grad for p in t_params], 3.0)
    g_total = glasstorch.nn.utils.get_total_norm([p.grad for p in g_params], 3.0)
    assert g_total.item() == pytest.approx(t_total.item(), rel=1e-6)
    torch.nn.utils.clip_grads_with_norm_(t_params, 0.3, t_total)
    glasstorch.nn.utils.clip_grads_with_norm_(g_params, 0.3, g_total)
    for g, t in zip(grads_of(g_params), grads_of(t_params)):
        np.testing.assert_allclose(g, t, rtol=1e-6)


def test_parameters_to_vector_and_back_match_torch():
    t_params, g_params = params_with_grads(torch), params_with_grads(glasstorch)
    t_vec = torch.nn.utils.parameters_to_vector(t_params)
    g_vec = glasstorch.nn.utils.parameters_to_vector(g_params)
    assert tuple(g_vec.shape) == tuple(t_vec.shape) == (12 + 5 + 12,)
    np.testing.assert_array_equal(g_vec.detach().numpy(), t_vec.detach().numpy())
    # differentiable: d(Σ i·v_i)/dp is i at p's place in the vector
    weights = np.arange(29, dtype=np.float32)
    (t_vec * torch.tensor(weights)).sum().backward()
    (g_vec * glasstorch.tensor(weights)).sum().backward()
    for g, t in zip(g_params, t_params):
        np.testing.assert_array_equal(g.grad.numpy(), t.grad.numpy())

    new = np.linspace(-1, 1, 29).astype(np.float32)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), t_params)
    glasstorch.nn.utils.vector_to_parameters(glasstorch.tensor(new), g_params)
    for g, t in zip(g_params, t_params):
        assert tuple(g.shape) == tuple(t.shape)
        np.testing.assert_array_equal(g.detach().numpy(), t.detach().numpy())
        assert g.requires_grad
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        glasstorch.nn.utils.vector_to_parameters([1.0], g_params)
