"""The batch-norm kernels (glasstorch/kernels/norm.py) against their reference (ops/norm.py BatchNorm).

Training: the kernels sum in float64 where the reference sums in the input's dtype with BLAS, so values and
gradients agree to rtol 1e-5 (float32) / 1e-12 (float64), relative to each array's largest magnitude. Eval
forward has no sums: it equals the reference exactly.
"""
import numpy as np
import pytest

import glasstorch as torch
import glasstorch.kernels as K

F = torch.nn.functional
TOL = {np.float32: 1e-5, np.float64: 1e-12}


def _run(a, g, dtype, training, affine, seed=3):
    rng = np.random.default_rng(seed)
    c = a.shape[1]
    x = torch.tensor(a, requires_grad=True)
    w = torch.tensor(rng.standard_normal(c).astype(dtype), requires_grad=True) if affine else None
    b = torch.tensor(rng.standard_normal(c).astype(dtype), requires_grad=True) if affine else None
    rm = torch.tensor(rng.standard_normal(c).astype(dtype))
    rv = torch.tensor((rng.random(c) + 0.5).astype(dtype))
    y = F.batch_norm(x, rm, rv, w, b, training=training, momentum=0.1, eps=1e-5)
    y.backward(torch.tensor(g))
    out = [y.detach().numpy(), x.grad.numpy(), rm.numpy(), rv.numpy()]
    if affine:
        out += [w.grad.numpy(), b.grad.numpy()]
    return out


def _close(u, v, rtol):
    scale = max(float(np.max(np.abs(v))), 1e-30)
    assert u.dtype == v.dtype and u.shape == v.shape
    assert float(np.max(np.abs(u.astype(np.float64) - v))) <= rtol * scale


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", [(64, 32, 28, 28), (1, 7, 61, 67), (3, 5, 37, 41), (65, 9, 7, 7),
                                   (33, 3, 111), (2, 3, 5, 31, 13),
                                   (37, 5, 33, 29)])
def test_batchnorm_matches_reference(shape, affine, training, dtype, threads):
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        rng = np.random.default_rng(1)
        a = (rng.standard_normal(shape) * 3 + 2).astype(dtype)   # offset mean: the variance pass matters
        g = rng.standard_normal(shape).astype(dtype)
        assert a.size >= 4096   # every shape takes the kernel
        with K.fast():
            fast = _run(a, g, dtype, training, affine)
        with K.reference():
            ref = _run(a, g, dtype, training, affine)
        for i, (u, v) in enumerate(zip(fast, ref)):
            if not training and i == 0:
                assert np.array_equal(u, v)    # eval forward: the same arithmetic, bit for bit
            else:
                _close(u, v, TOL[dtype])
    finally:
        torch.set_num_threads(old)


def test_batchnorm_module_noncontiguous_and_no_grad():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((9, 40, 12, 16)).astype(np.float32).transpose(0, 1, 3, 2)   # not contiguous
    r = rng.standard_normal(a.shape).astype(np.float32)
    outs = []
    for ctx in (K.fast, K.reference):
        with ctx():
            torch.manual_seed(0)
            bn = torch.nn.BatchNorm2d(40)
            x = torch.tensor(a, requires_grad=True)
            y = bn(x)
            (y * y * torch.tensor(r)).sum().backward()
            with torch.no_grad():
                y2 = bn(torch.tensor(a))
            bn.eval()
            with torch.no_grad():
                y3 = bn(torch.tensor(a))
            outs.append([y.detach().numpy(), x.grad.numpy(), bn.weight.grad.numpy(), bn.bias.grad.numpy(),
                         bn.running_mean.numpy(), bn.running_var.numpy(), y2.numpy(), y3.numpy()])
    for u, v in zip(*outs):
        _close(u, v, 1e-5)


def test_batchnorm_against_pytorch():
    pt = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    a = (rng.standard_normal((16, 24, 13, 13)) * 2 + 1).astype(np.float32)
    g = rng.standard_normal(a.shape).astype(np.float32)
    with K.fast():
        bn = torch.nn.BatchNorm2d(24)
        x = torch.tensor(a, requires_grad=True)
        y = bn(x)
        y.backward(torch.tensor(g))
        bn.eval()
        with torch.no_grad():
            ye = bn(torch.tensor(a))
    bt = pt.nn.BatchNorm2d(24)
    xt = pt.tensor(a, requires_grad=True)
    yt = bt(xt)
    yt.backward(pt.tensor(g))
    bt.eval()
    with pt.no_grad():
        yte = bt(pt.tensor(a))
    pairs = [(y.detach().numpy(), yt.detach().numpy()), (x.grad.numpy(), xt.grad.numpy()),
             (bn.weight.grad.numpy(), bt.weight.grad.numpy()), (bn.bias.grad.numpy(), bt.bias.grad.numpy()),
             (bn.running_mean.numpy(), bt.running_mean.numpy()), (bn.running_var.numpy(), bt.running_var.numpy()),
             (ye.numpy(), yte.numpy())]
    for u, v in pairs:
        _close(u, v, 1e-5)


def test_batchnorm_takes_the_kernels(monkeypatch):
    from glasstorch.kernels import norm as kn
    calls = []
    for name in ("channel_stats", "normalize", "grad_sums", "grad_input", "affine"):
        fn = getattr(kn, name)
        monkeypatch.setattr(kn, name, lambda *a, _fn=fn, _name=name: (calls.append(_name), _fn(*a))[1])
    with K.fast():
        bn = torch.nn.BatchNorm2d(8)
        x = torch.randn(4, 8, 16, 16, requires_grad=True)
        bn(x).sum().backward()
        bn.eval()
        with torch.no_grad():
            bn(x)
    assert calls == ["channel_stats", "normalize", "grad_sums", "grad_input", "affine"]
