"""Helpers for the nn tests: build the same architecture in PyTorch and glasstorch, give both the same
weights (through state_dict and NumPy), and compare outputs and the gradients of inputs and parameters."""
import numpy as np
import torch

import glasstorch

FLOAT32 = dict(rtol=1e-4, atol=1e-5)


def to_glass(t):
    """A torch tensor's values as a glasstorch tensor (a copy)."""
    return glasstorch.from_numpy(t.detach().numpy().copy())


def to_torch(t):
    return torch.from_numpy(t.detach().numpy().copy())


def twins(build):
    """``build(lib)`` makes a model with ``lib.nn``; returns (torch model, glasstorch model) with equal weights."""
    t_model = build(torch)
    g_model = build(glasstorch)
    g_model.load_state_dict({k: to_glass(v) for k, v in t_model.state_dict().items()})
    return t_model, g_model


def compare_forward_backward(t_model, g_model, *shapes, seed=0, tol=FLOAT32, dtype=np.float32):
    """Run both models on the same random inputs, backpropagate the same output gradient, and compare the
    outputs, the input gradients and every parameter's gradient."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    t_in = [torch.from_numpy(a.copy()).requires_grad_() for a in arrays]
    g_in = [glasstorch.from_numpy(a.copy()).requires_grad_() for a in arrays]
    t_out, g_out = t_model(*t_in), g_model(*g_in)
    assert tuple(g_out.shape) == tuple(t_out.shape)
    assert str(g_out.dtype).split(".")[-1] == str(t_out.dtype).split(".")[-1]
    np.testing.assert_allclose(g_out.detach().numpy(), t_out.detach().numpy(), **tol)
    w = rng.standard_normal(tuple(t_out.shape)).astype(dtype)
    t_out.backward(torch.from_numpy(w))
    g_out.backward(glasstorch.from_numpy(w.copy()))
    for i, (t, g) in enumerate(zip(t_in, g_in)):
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), err_msg=f"input {i}", **tol)
    t_params, g_params = dict(t_model.named_parameters()), dict(g_model.named_parameters())
    assert list(g_params) == list(t_params)
    for name, t in t_params.items():
        g = g_params[name]
        if t.grad is None:
            assert g.grad is None, name
            continue
        assert g.grad is not None, f"no gradient reached {name}"
        np.testing.assert_allclose(g.grad.numpy(), t.grad.numpy(), err_msg=name, **tol)
    return t_out, g_out


def same_repr(t_obj, g_obj):
    """repr(glasstorch object) equals repr(torch object) with 'torch.' read as 'glasstorch.'."""
    assert repr(g_obj) == repr(t_obj), f"\n{g_obj!r}\n!=\n{t_obj!r}"
