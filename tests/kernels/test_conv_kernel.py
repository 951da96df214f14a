"""The conv2d kernels (glasstorch/kernels/conv.py: unrows + bias, col2im) against their reference (ops/conv.py)."""
import numpy as np
import pytest

import glasstorch as torch
import glasstorch.kernels as K

F = torch.nn.functional
# dL/dx: the same terms added in the same order, but dcols = G · Wmᵀ is one product where the reference makes one
# per tap; BLAS may round them differently (with few output channels it does: a gemv per tap). A few ulp of the
# largest value.
EPS = {np.float32: 1e-6, np.float64: 1e-14}


def _close(u, v, dtype):
    scale = max(1.0, float(np.abs(v).max()))
    np.testing.assert_allclose(u, v, rtol=8 * EPS[dtype], atol=8 * EPS[dtype] * scale)


def _run(xa, wa, ba, ga, **kw):
    x = torch.tensor(xa, requires_grad=True)
    w = torch.tensor(wa, requires_grad=True)
    b = torch.tensor(ba, requires_grad=True) if ba is not None else None
    y = F.conv2d(x, w, b, **kw)
    y.backward(torch.tensor(ga))
    out = [y.detach().numpy(), x.grad.numpy(), w.grad.numpy()]
    if b is not None:
        out.append(b.grad.numpy())
    with torch.no_grad():
        out.append(F.conv2d(torch.tensor(xa), torch.tensor(wa), None if ba is None else torch.tensor(ba), **kw).numpy())
    return out


def _compare(shape, o, k, dtype, threads, bias=True, **kw):
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        rng = np.random.default_rng(sum(shape) + o)
        xa = rng.standard_normal(shape).astype(dtype)
        wa = rng.standard_normal((o, shape[1] // kw.get("groups", 1)) + k).astype(dtype)
        ba = rng.standard_normal(o).astype(dtype) if bias else None
        with K.reference():
            y = F.conv2d(torch.tensor(xa), torch.tensor(wa), None, **kw)
        ga = rng.standard_normal(y.shape).astype(dtype)
        with K.fast():
            fast = _run(xa, wa, ba, ga, **kw)
        with K.reference():
            ref = _run(xa, wa, ba, ga, **kw)
        for u, v in zip(fast, ref):
            assert u.dtype == v.dtype and u.shape == v.shape
            _close(u, v, dtype)
        return fast, ref
    finally:
        torch.set_num_threads(old)


def _take_path(monkeypatch, path):
    """Make the channels-last kernel path run ``path``: "blocked" (kernels/conv.py forward_blocked, each thread its
    own samples; the default) or "whole" (the whole batch's columns at once, BLAS's threads). Returns the counts
    of the blocked forward's and backward's runs."""
    from glasstorch.kernels import conv as kc
    from glasstorch.ops import conv as oc
    from kernel_calls import count_calls
    seen = count_calls(monkeypatch, kc, "forward_blocked", "backward_blocked")
    if path == "whole":
        monkeypatch.setattr(oc, "_blocks", lambda n: False)
    return seen


@pytest.mark.parametrize("path", ["blocked", "whole"])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,o,bias", [((64, 32, 14, 14), 64, True), ((3, 64, 7, 7), 128, False),
                                          ((1, 5, 9, 11), 7, True), ((5, 1, 28, 28), 8, True),
                                          ((7, 6, 8, 5), 3, False)])
def test_conv2d_3x3_matches_reference(shape, o, bias, dtype, threads, path, monkeypatch):
    calls = _take_path(monkeypatch, path)
    fast, ref = _compare(shape, o, (3, 3), dtype, threads, bias=bias, padding=1)
    # the kernels from 2048 elements of x on; channels-last past FEW_CHANNELS; blocked with a sample per thread
    blocked = path == "blocked" and np.prod(shape) >= 2048 and shape[1] > 4 and shape[0] >= threads
    assert (calls == {"forward": 2, "backward": 1}) == blocked, calls   # with a gradient, then without
    assert np.array_equal(fast[0], ref[0])  # y: the same copies, the same products (per block or whole batch)
    assert np.array_equal(fast[-1], ref[-1])  # the no-grad forward too


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k,kw", [((3, 3), dict(stride=2, padding=1)), ((2, 4), dict(padding=(1, 2))),
                                  ((3, 3), dict(dilation=2, padding=2)), ((3, 2), dict(stride=(2, 1), padding=0)),
                                  ((5, 5), dict(padding="same")), ((1, 1), dict())])
@pytest.mark.parametrize("path", ["blocked", "whole"])
def test_conv2d_strides_dilation_nonsquare(k, kw, dtype, path, monkeypatch):
    calls = _take_path(monkeypatch, path)
    _compare((3, 6, 13, 10), 5, k, dtype, 2, **kw)
    assert (calls["forward"] > 0 and calls["backward"] > 0) == (path == "blocked")


@pytest.mark.parametrize("threads", [1, 2])
def test_groups_conv1d_conv3d_take_the_reference(threads, monkeypatch):
    """groups > 1 and conv3d are not the kernels' cases: they must never be called there."""
    from glasstorch.kernels import conv as kc

    def boom(*a, **k):
        raise AssertionError("kernel called outside its cases")
    for name in ("col2im", "unrows", "im2col"):
        monkeypatch.setattr(kc, name, boom)
    _compare((3, 8, 9, 9), 6, (3, 3), np.float32, threads, padding=1, groups=2)
    rng = np.random.default_rng(0)
    with K.fast():
        x = torch.tensor(rng.standard_normal((2, 4, 5, 6, 7)).astype(np.float32), requires_grad=True)
        w = torch.tensor(rng.standard_normal((3, 4, 3, 3, 3)).astype(np.float32), requires_grad=True)
        F.conv3d(x, w, padding=1).sum().backward()


def test_conv1d_takes_the_kernel_and_agrees():
    """conv1d runs as a 2-D convolution one pixel high: the kernels take it, and agree with the reference."""
    rng = np.random.default_rng(3)
    xa = rng.standard_normal((4, 6, 50)).astype(np.float32)
    wa = rng.standard_normal((8, 6, 5)).astype(np.float32)
    res = []
    for mode in (K.fast, K.reference):
        with mode():
            x = torch.tensor(xa, requires_grad=True)
            w = torch.tensor(wa, requires_grad=True)
            y = F.conv1d(x, w, stride=2, padding=2)
            (y * y).sum().backward()
            res.append((y.detach().numpy(), x.grad.numpy(), w.grad.numpy()))
    for u, v in zip(*res):
        _close(u, v, np.float32)


def test_kernels_called_on_the_fast_path(monkeypatch):
    """The whole-batch kernel path (taken when a batch has fewer samples than threads) calls its three kernels."""
    from glasstorch.kernels import conv as kc
    _take_path(monkeypatch, "whole")
    calls = []
    for name in ("col2im", "unrows", "im2col"):
        real = getattr(kc, name)
        monkeypatch.setattr(kc, name, lambda *a, _r=real, _n=name: calls.append(_n) or _r(*a))
    _compare((4, 8, 10, 10), 16, (3, 3), np.float32, 2, padding=1)
    assert "col2im" in calls and "unrows" in calls and "im2col" in calls


def test_conv2d_fast_path_against_pytorch():
    pytest.importorskip("torch")
    from parity import check
    with K.fast():
        # dL/dW sums 8·121 products into values of scale ~40: PyTorch's own float32 rounding is 1.4e-4 off the
        # float64 value there (glasstorch's blocked sums 3.6e-5), so float32 gets an absolute 5e-4; float64 is exact
        conv = (lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, padding=1))
        check(conv, (8, 16, 11, 11), (24, 16, 3, 3), (24,), atol=5e-4)
        check(conv, (8, 16, 11, 11), (24, 16, 3, 3), (24,), dtype=np.float64)
        check(lambda t, x, w: t.nn.functional.conv2d(x, w, stride=2, padding=(1, 0), dilation=(1, 2)),
              (3, 5, 12, 13), (4, 5, 3, 2))


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("shape,o,k,kw", [((50, 16, 14, 14), 24, (3, 3), dict(padding=1)),
                                         ((37, 1, 28, 28), 8, (3, 3), dict(padding=1)),
                                         ((41, 6, 9, 9), 5, (3, 2), dict(stride=2)),
                                         ((33, 4, 40), 6, (5,), dict(padding=2))])
def test_no_grad_forward_in_chunks(shape, o, k, kw, threads, monkeypatch):
    """Without gradients the kernel path runs a few samples at a time (ops/conv.py ``EVAL_CHUNK_BYTES``): the same
    values as the whole batch at once and as the reference."""
    import glasstorch.ops.conv as conv
    _take_path(monkeypatch, "whole")     # the pieces are the whole-batch path's (the blocked one has its own blocks)
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        rng = np.random.default_rng(11)
        x = torch.tensor(rng.standard_normal(shape).astype(np.float32))
        w = torch.tensor(rng.standard_normal((o, shape[1]) + k).astype(np.float32))
        b = torch.tensor(rng.standard_normal(o).astype(np.float32))
        f = F.conv1d if len(k) == 1 else F.conv2d
        calls = []
        real = conv.Convolution._run
        monkeypatch.setattr(conv.Convolution, "_run", staticmethod(lambda *a: calls.append(a[0].shape[0]) or real(*a)))
        with K.fast(), torch.no_grad():
            monkeypatch.setattr(conv, "EVAL_CHUNK_BYTES", 0)
            whole = f(x, w, b, **kw).numpy()
            assert calls == [shape[0]]
            monkeypatch.setattr(conv, "EVAL_CHUNK_BYTES", 1 << 16)           # several pieces, the last one short
            pieces = f(x, w, b, **kw).numpy()
            assert len(calls) > 2 and sum(calls[1:]) == shape[0]
        with K.fast():                                                      # with a gradient: one piece
            xg = torch.tensor(x.numpy(), requires_grad=True)
            f(xg, w, b, **kw)
            assert calls[-1] == shape[0]
        with K.reference(), torch.no_grad():
            ref = f(x, w, b, **kw).numpy()
        _close(pieces, whole, np.float32)
        _close(pieces, ref, np.float32)
    finally:
        torch.set_num_threads(old)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,k,stride,pads,dilation", [
    ((64, 32, 14, 14), (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),     # the CNNs' conv2
    ((5, 64, 7, 7), (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),        # ImprovedCNN's conv3
    ((1, 5, 9, 11), (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),        # batch 1
    ((3, 6, 13, 10), (3, 3), (2, 2), (1, 1, 1, 1), (1, 1)),       # stride 2 (the bottom pad row unread)
    ((7, 6, 13, 10), (2, 4), (1, 1), (1, 1, 2, 2), (1, 1)),
    ((3, 6, 13, 10), (3, 3), (1, 1), (2, 2, 2, 2), (2, 2)),
    ((3, 6, 13, 10), (3, 2), (2, 1), (0, 0, 0, 0), (1, 1)),
    ((3, 7, 12, 12), (4, 4), (1, 1), (1, 2, 1, 2), (1, 1)),       # padding 'same' with an even kernel
    ((2, 5, 8, 9), (1, 1), (1, 1), (0, 0, 0, 0), (1, 1)),
])
def test_im2col_is_the_reference_copy(shape, k, stride, pads, dilation, dtype, threads):
    """kernels.conv.im2col (pad + columns from NCHW in one pass) gives exactly _im2col(_pad_channels_last(x))."""
    from glasstorch.kernels import conv as kc
    from glasstorch.ops import conv as oc
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        x = np.random.default_rng(sum(shape)).standard_normal(shape).astype(dtype)
        x[0, 0, 0, :2] = np.nan                                         # copied as they are
        out = tuple(oc._out_size(shape[2 + d], pads[2 * d] + pads[2 * d + 1], k[d], stride[d], dilation[d])
                    for d in range(2))
        ref = oc._im2col(oc._pad_channels_last(x, pads), 1, k, out, stride, dilation)
        got = kc.im2col(x, k, out, stride, pads, dilation)
        assert got.shape == ref.shape and got.dtype == ref.dtype
        np.testing.assert_array_equal(got, ref)
    finally:
        torch.set_num_threads(old)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ones", [False, True])
@pytest.mark.parametrize("shape,k,stride,pads,dilation", [
    ((64, 1, 28, 28), (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),      # the CNNs' first layer
    ((1, 3, 9, 11), (3, 3), (1, 1), (1, 1, 1, 1), (1, 1)),        # batch 1, RGB
    ((5, 2, 13, 11), (3, 2), (2, 3), (0, 1, 2, 0), (1, 2)),
    ((3, 4, 9, 9), (5, 5), (1, 1), (2, 2, 2, 2), (1, 1)),
    ((7, 1, 10, 10), (3, 3), (2, 2), (3, 3, 3, 3), (2, 2)),       # pad wider than the kernel's reach
    ((2, 1, 6, 7), (1, 1), (1, 1), (0, 0, 0, 0), (1, 1)),
])
def test_few_cols_is_the_reference_copy(shape, k, stride, pads, dilation, ones, dtype, threads):
    """kernels.conv.few_cols gives exactly _few_channels_cols, plus (with a bias) one row of ones under it."""
    from glasstorch.kernels import conv as kc
    from glasstorch.ops import conv as oc
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        x = np.random.default_rng(sum(shape)).standard_normal(shape).astype(dtype)
        x[0, 0, 0, :2] = np.nan
        out = tuple(oc._out_size(shape[2 + d], pads[2 * d] + pads[2 * d + 1], k[d], stride[d], dilation[d])
                    for d in range(2))
        ref = oc._few_channels_cols(x, pads, k, out, stride, dilation)
        got = kc.few_cols(x, k, out, stride, pads, dilation, ones)
        assert got.dtype == ref.dtype and got.shape == (ref.shape[0], ref.shape[1] + ones, ref.shape[2])
        np.testing.assert_array_equal(got[:, :ref.shape[1]], ref)
        assert not ones or np.all(got[:, -1] == 1)
    finally:
        torch.set_num_threads(old)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,o,k,bias,kw", [((37, 1, 28, 28), 32, (3, 3), True, dict(padding=1)),
                                               ((3, 3, 17, 19), 5, (3, 2), False, dict(stride=2, padding=1)),
                                               ((4, 2, 21, 17), 4, (5, 5), True, dict(padding="same", dilation=1))])
def test_few_channels_fast_path(shape, o, k, bias, kw, dtype, threads, monkeypatch):
    """The few-channels path on the kernels: the kernel's columns (with a row of ones for the bias), the bias in
    the product. Forward and dL/dW came out equal bit for bit here; dL/db is summed in another order (the
    product's), compared within 8 ulp of its largest value as the rest."""
    from glasstorch.kernels import conv as kc
    calls = []
    real = kc.few_cols
    monkeypatch.setattr(kc, "few_cols", lambda *a: calls.append(a[-1]) or real(*a))
    _compare(shape, o, k, dtype, threads, bias=bias, **kw)
    assert calls and all(c == bias for c in calls)


def test_few_channels_backward_with_the_kernels_switched_off():
    """A forward on the kernels (columns with a row of ones) then a backward with the kernels off: the same
    gradients as all on the kernels (the backward's products are NumPy's either way)."""
    rng = np.random.default_rng(4)
    xa = rng.standard_normal((9, 1, 28, 28)).astype(np.float32)
    wa = rng.standard_normal((8, 1, 3, 3)).astype(np.float32)
    ba = rng.standard_normal(8).astype(np.float32)
    ga = rng.standard_normal((9, 8, 28, 28)).astype(np.float32)
    grads = []
    for mode in (K.fast, K.reference):
        w = torch.tensor(wa, requires_grad=True)
        b = torch.tensor(ba, requires_grad=True)
        x = torch.tensor(xa, requires_grad=True)
        with K.fast():
            y = F.conv2d(x, w, b, padding=1)
        with mode():
            y.backward(torch.tensor(ga))
        grads.append((x.grad.numpy(), w.grad.numpy(), b.grad.numpy()))
    for u, v in zip(*grads):
        _close(u, v, np.float32)
    np.testing.assert_array_equal(grads[0][1], grads[1][1])


def test_few_channels_fast_path_against_pytorch():
    pytest.importorskip("torch")
    from parity import check
    with K.fast():
        check(lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, padding=1), (4, 1, 28, 28), (32, 1, 3, 3), (32,))
        check(lambda t, x, w, b: t.nn.functional.conv2d(x, w, b, stride=2, dilation=2, padding=2),
              (3, 3, 20, 22), (4, 3, 3, 3), (4,))


@pytest.mark.parametrize("x_shape,w_shape,kernel", [((1, 2, 33, 33), (3, 2, 3, 3), "few_cols"),  # + row of ones
                                                    ((1, 5, 21, 21), (3, 5, 3, 3), "im2col"),    # channels-last
                                                    ((3, 5, 13, 13), (3, 5, 3, 3), "forward_blocked")])
def test_fast_path_numerical_gradients(x_shape, w_shape, kernel, monkeypatch):
    """float64 central differences through the kernel path (x has >= 2048 elements, so conv2d takes it)."""
    from glasstorch.kernels import conv as kconv
    calls = []
    monkeypatch.setattr(kconv, "few_cols", _counting(kconv.few_cols, calls))
    monkeypatch.setattr(kconv, "im2col", _counting(kconv.im2col, calls))
    monkeypatch.setattr(kconv, "forward_blocked", _counting(kconv.forward_blocked, calls))
    monkeypatch.setattr(kconv, "BLOCK_BYTES", 1)     # the blocked path: one sample per block, several blocks a thread
    rng = np.random.default_rng(3)
    x, w, b = (torch.tensor(rng.standard_normal(s), requires_grad=True) for s in (x_shape, w_shape, w_shape[:1]))
    with K.fast():
        assert torch.autograd.gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=1), [x, w, b], atol=1e-6, rtol=1e-4)
    assert kernel in calls                         # the kernel path really ran


def _counting(fn, calls):
    def wrapped(*args, **kwargs):
        calls.append(fn.__name__)
        return fn(*args, **kwargs)
    return wrapped
