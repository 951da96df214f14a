"""The PyTorch-parity harness: run ONE lambda on PyTorch and on glasstorch, compare everything.

    check(lambda torch, x, y: x @ y, (3, 4), (4, 5))

The lambda's first argument is the library (``torch`` or ``glasstorch``), the rest are tensors made from
the same random values. ``check`` compares the forward values, shapes and dtypes of every output, then
backpropagates the same random output gradient through both and compares the gradient of every input.

Inputs: a shape tuple gives a random normal float tensor that requires grad; a NumPy array is used as is
(integer arrays make index tensors; float arrays require grad); ``Const(array)`` gives a tensor that does
not require grad. ``positive=True`` draws float inputs from U(0.5, 2) instead of N(0, 1).

``gradcheck(lambda torch, x: ..., shapes)`` runs glasstorch's numerical gradient check in float64.
"""
import numpy as np
import torch

import glasstorch

FLOAT32_TOL = dict(rtol=1e-4, atol=1e-5)
FLOAT64_TOL = dict(rtol=1e-9, atol=1e-10)


class Const:
    """An input that does not require grad (values given, or a shape for random values)."""

    def __init__(self, value):
        self.value = value


def _make_arrays(inputs, dtype, rng, positive, noncontiguous):
    arrays = []
    for spec in inputs:
        requires = True
        if isinstance(spec, Const):
            spec, requires = spec.value, False
        if isinstance(spec, tuple):
            shape = spec
            if noncontiguous and len(shape) >= 2:  # same values, transposed memory layout
                base = _random(rng, shape[:-2] + (shape[-1], shape[-2]), positive).astype(dtype)
                a = np.swapaxes(base, -1, -2)
            else:
                a = _random(rng, shape, positive).astype(dtype)
        else:
            a = np.asarray(spec)
            if a.dtype.kind == "f" and a.dtype != dtype and not isinstance(spec, np.ndarray):
                a = a.astype(dtype)
        arrays.append((a, requires and a.dtype.kind == "f"))
    return arrays


def _random(rng, shape, positive):
    return rng.uniform(0.5, 2.0, size=shape) if positive else rng.standard_normal(shape)


def _to_list(out):
    if isinstance(out, (tuple, list)):
        return list(out)
    return [out]


def _dtype_name(t):
    return str(t.dtype).split(".")[-1]


def _assert_close(name, got, want, tol):
    np.testing.assert_allclose(got, want, err_msg=name, equal_nan=True, **tol)


def run_both(fn, *inputs, dtype=np.float32, positive=False, noncontiguous=False, seed=0):
    """Run fn on both libraries; returns (torch_inputs, torch_outputs, gt_inputs, gt_outputs)."""
    rng = np.random.default_rng(seed)
    arrays = _make_arrays(inputs, dtype, rng, positive, noncontiguous)
    t_in, g_in = [], []
    for a, requires in arrays:
        if a.ndim >= 2 and not a.flags.c_contiguous:  # keep the transposed memory layout in both libraries
            base = np.ascontiguousarray(np.swapaxes(a, -1, -2))
            t = torch.from_numpy(base.copy()).transpose(-1, -2)
            g = glasstorch.from_numpy(base.copy()).transpose(-1, -2)
        else:
            t, g = torch.from_numpy(a.copy()), glasstorch.from_numpy(a.copy())
        if requires:
            t.requires_grad_(True)
            g.requires_grad_(True)
        t_in.append(t)
        g_in.append(g)
    return t_in, fn(torch, *t_in), g_in, fn(glasstorch, *g_in)


def check(fn, *inputs, dtype=np.float32, grad=True, positive=False, noncontiguous=False, rtol=None, atol=None,
          seed=0):
    """Compare fn's outputs and input gradients between PyTorch and glasstorch (see module docstring)."""
    tol = dict(FLOAT32_TOL if np.dtype(dtype) == np.float32 else FLOAT64_TOL)
    if rtol is not None:
        tol["rtol"] = rtol
    if atol is not None:
        tol["atol"] = atol
    t_in, t_out, g_in, g_out = run_both(fn, *inputs, dtype=dtype, positive=positive, noncontiguous=noncontiguous,
                                        seed=seed)
    t_outs, g_outs = _to_list(t_out), _to_list(g_out)
    assert len(t_outs) == len(g_outs), f"{len(g_outs)} outputs, PyTorch gives {len(t_outs)}"
    rng = np.random.default_rng(seed + 1)
    t_loss, g_loss = [], []
    for i, (t, g) in enumerate(zip(t_outs, g_outs)):
        if not isinstance(t, torch.Tensor):  # a Python number or a shape
            assert t == g, f"output {i}: {g!r} != {t!r}"
            continue
        assert isinstance(g, glasstorch.Tensor), f"output {i} is a {type(g).__name__}, not a Tensor"
        assert tuple(g.shape) == tuple(t.shape), f"output {i}: shape {tuple(g.shape)} != {tuple(t.shape)}"
        assert _dtype_name(g) == _dtype_name(t), f"output {i}: dtype {g.dtype} != {t.dtype}"
        _assert_close(f"output {i}", g.detach().numpy(), t.detach().numpy(), tol)
        if grad:
            assert g.requires_grad == t.requires_grad, f"output {i}: requires_grad {g.requires_grad} != {t.requires_grad}"
            if t.requires_grad:
                w = rng.standard_normal(tuple(t.shape)).astype(_dtype_name(t))
                t_loss.append((t, torch.from_numpy(w)))
                g_loss.append((g, glasstorch.from_numpy(w.copy())))
    if grad and t_loss:
        # backpropagate the same random output gradients w through both: d(Σ w·out)/d(input)
        torch.autograd.backward([t for t, _ in t_loss], [w for _, w in t_loss])
        glasstorch.autograd.backward([g for g, _ in g_loss], [w for _, w in g_loss])
        for i, (t, g) in enumerate(zip(t_in, g_in)):
            if not t.requires_grad:
                continue
            if t.grad is None:
                assert g.grad is None or not g.grad.numpy().any(), f"input {i}: PyTorch gives no gradient"
                continue
            assert g.grad is not None, f"input {i}: no gradient reached it"
            assert tuple(g.grad.shape) == tuple(t.grad.shape), f"input {i}: grad shape {tuple(g.grad.shape)}"
            assert _dtype_name(g.grad) == _dtype_name(t.grad), f"input {i}: grad dtype {g.grad.dtype}"
            _assert_close(f"gradient of input {i}", g.grad.numpy(), t.grad.numpy(), tol)
    return g_out


def check_error(fn, *inputs, exc=None, match=None, dtype=np.float32):
    """Both libraries raise for this input: the same exception type (or ``exc``), glasstorch's message
    matching ``match`` if given. Returns glasstorch's exception."""
    import pytest
    rng = np.random.default_rng(0)
    arrays = _make_arrays(inputs, dtype, rng, False, False)
    errors = []
    for lib, make in ((torch, torch.from_numpy), (glasstorch, glasstorch.from_numpy)):
        args = [make(a.copy()) for a, _ in arrays]
        with pytest.raises(Exception) as info:
            fn(lib, *args)
        errors.append(info.value)
    t_err, g_err = errors
    expected = exc or type(t_err)
    assert isinstance(g_err, expected), f"glasstorch raised {type(g_err).__name__}: {g_err}; expected {expected.__name__} ({t_err})"
    if match is not None:
        import re
        assert re.search(match, str(g_err)), f"message {str(g_err)!r} does not match {match!r}"
    return g_err


def gradcheck(fn, *inputs, positive=False, seed=0, atol=1e-5, rtol=1e-3):
    """glasstorch's numerical gradient check (float64 central differences) on fn(glasstorch, *inputs)."""
    rng = np.random.default_rng(seed)
    arrays = _make_arrays(inputs, np.float64, rng, positive, False)
    tensors = []
    for a, requires in arrays:
        t = glasstorch.from_numpy(a.astype(np.float64) if a.dtype.kind == "f" else a)
        if requires:
            t.requires_grad_(True)
        tensors.append(t)
    assert glasstorch.autograd.gradcheck(lambda *xs: fn(glasstorch, *xs), tensors, atol=atol, rtol=rtol)
