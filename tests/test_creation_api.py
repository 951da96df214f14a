"""Creation functions against PyTorch: randint's forms, windows, vander, strided/permuted/like layouts, asarray,
frombuffer, DLPack, the legacy typed constructors, the default device/tensor type, out=, and the random draws
(shapes, dtypes, ranges and moments)."""
import warnings

import numpy as np
import pytest
import torch

import glasstorch
from parity import check, check_error, gradcheck


def same(g, t):
    """Same values, shape and dtype (a glasstorch tensor against a torch one)."""
    assert tuple(g.shape) == tuple(t.shape)
    assert str(g.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (g.dtype, t.dtype)
    np.testing.assert_allclose(g.detach().numpy().astype(np.float64), t.detach().numpy().astype(np.float64),
                               rtol=1e-5, atol=1e-6)


def both(fn):
    return fn(glasstorch), fn(torch)


def raises_like(fn, match=None):
    """fn(lib) raises the same exception type in both libraries."""
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(type(t_err.value), match=match):
        fn(glasstorch)


# -- randint ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda L: L.randint(10, (3, 4)),
    lambda L: L.randint(10, size=(3,)),
    lambda L: L.randint(high=10, size=(2, 2)),
    lambda L: L.randint(3, 10, (50,)),
    lambda L: L.randint(-5, 5, size=(50,)),
    lambda L: L.randint(3, 10, (5,), dtype=L.float32),
    lambda L: L.randint(0, 2, (5,), dtype=L.int32),
    lambda L: L.randint(10, (0, 3)),
    lambda L: L.randint(10, L.Size([2, 3])),
])
def test_randint_forms(make):
    g, t = both(make)
    assert tuple(g.shape) == tuple(t.shape) and str(g.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]


def test_randint_range_and_generator():
    g = glasstorch.randint(-3, 4, (2000,))
    assert g.min().item() == -3 and g.max().item() == 3
    a = glasstorch.randint(100, (5,), generator=glasstorch.Generator().manual_seed(3))
    b = glasstorch.randint(100, (5,), generator=glasstorch.Generator().manual_seed(3))
    assert a.equal(b)
    assert glasstorch.randint(3, 10, (2,), dtype=glasstorch.float32, requires_grad=True).requires_grad


@pytest.mark.parametrize("call", [
    lambda L: L.randint(10),
    lambda L: L.randint(5, 3, (2,)),
    lambda L: L.randint(5, 5, (2,)),
    lambda L: L.randint(10, (2,), requires_grad=True),
    lambda L: L.randint(10, (-1,)),
])
def test_randint_errors(call):
    raises_like(call)


# -- deterministic factories ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda L: L.full((2,), True), lambda L: L.full((2, 3), 3), lambda L: L.full((2,), 3.5),
    lambda L: L.full((2,), 3, dtype=L.float64), lambda L: L.full([], 7), lambda L: L.full((0, 2), 1.0),
    lambda L: L.scalar_tensor(3), lambda L: L.scalar_tensor(True), lambda L: L.scalar_tensor(2.5),
    lambda L: L.scalar_tensor(3, dtype=L.int64), lambda L: L.scalar_tensor(3, dtype=L.float64),
    lambda L: L.zeros(2, 3, dtype=L.int32), lambda L: L.ones((2,), dtype=L.bool),
])
def test_deterministic_factories(make):
    same(*both(make))


def test_full_errors_and_grad():
    raises_like(lambda L: L.full((-1,), 3.0))
    raises_like(lambda L: L.full((2,), 3, requires_grad=True))
    assert glasstorch.full((2,), 1.0, requires_grad=True).requires_grad


@pytest.mark.parametrize("args,kwargs", [((1, 4), {}), ((1, 4, 0.5), {}), ((0, 1, 0.3), {}), ((4, 1, -1), {}),
                                         ((1, 4), {"dtype": "int64"}), ((0, 0), {}), ((-2.5, 2.5, 1.25), {}),
                                         ((1, 4), {"dtype": "float64"})])
def test_range_inclusive(args, kwargs):
    def make(L):
        kw = {k: getattr(L, v) for k, v in kwargs.items()}
        with pytest.warns(UserWarning, match="range is deprecated"):
            return L.range(*args, **kw)
    same(*both(make))


@pytest.mark.parametrize("args", [(4, 1), (0, 1, 0)])
def test_range_errors(args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_like(lambda L: L.range(*args))


WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("n", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows(name, n, periodic):
    same(*both(lambda L: getattr(L, name)(n, periodic)))
    same(*both(lambda L: getattr(L, name)(n, periodic=periodic, dtype=L.float64)))


def test_window_parameters_and_errors():
    same(*both(lambda L: L.hamming_window(7, True, 0.5, 0.5)))
    same(*both(lambda L: L.kaiser_window(9, False, beta=5.0)))
    assert glasstorch.hann_window(4, requires_grad=True).requires_grad
    for name in WINDOWS:
        raises_like(lambda L: getattr(L, name)(5, dtype=L.int64), match="expects floating point dtypes")
        raises_like(lambda L: getattr(L, name)(-1), match="non-negative window_length")


@pytest.mark.parametrize("data,kwargs", [([1, 2, 3], {}), ([1.0, 2, 3], {"N": 2, "increasing": True}),
                                         ([True, False], {}), ([1, 2], {"N": 0}), ([2.0, -1, 0.5], {"N": 5}),
                                         ([3], {}), ([], {})])
def test_vander_values(data, kwargs):
    same(*both(lambda L: L.vander(L.tensor(data), **kwargs)))
    same(*both(lambda L: L.vander(L.tensor([1, 2], dtype=L.int32))))


def test_vander_gradient_and_errors():
    # PyTorch 2.13's own vander backward fails ("modified by an inplace operation"): values compared with it,
    # gradients by the numerical check
    check(lambda L, x: L.vander(x), (4,), grad=False)
    check(lambda L, x: L.vander(x, N=3, increasing=True), (5,), grad=False)
    gradcheck(lambda L, x: L.vander(x, N=4), (3,))
    raises_like(lambda L: L.vander(L.zeros(2, 2)))
    raises_like(lambda L: L.vander(L.tensor(2.0)))
    raises_like(lambda L: L.vander(L.tensor([1, 2]), N=-1))


@pytest.mark.parametrize("size,stride", [((2, 3), (1, 2)), ((2, 3), (3, 1)), ((4,), (2,)), ((2, 0), (1, 1)),
                                         ((3, 2), (0, 1)), ((), ())])
def test_empty_strided(size, stride):
    g, t = both(lambda L: L.empty_strided(size, stride))
    assert g.stride() == t.stride() and tuple(g.shape) == tuple(t.shape) and g.dtype is glasstorch.float32
    assert g.is_contiguous() == t.is_contiguous()
    assert glasstorch.empty_strided(size, stride, dtype=glasstorch.int64).dtype is glasstorch.int64
    n = glasstorch.zeros(2, 3).new_empty_strided(size, stride)
    assert n.stride() == t.stride()
    raises_like(lambda L: L.empty_strided((2, 3), (1,)))


@pytest.mark.parametrize("size,order", [((2, 3, 4), (0, 2, 1)), ((2, 3, 4), (2, 1, 0)), ((2, 3), (0, 1)),
                                        ((2, 3, 4, 5), (0, 2, 3, 1))])
def test_empty_permuted(size, order):
    g, t = both(lambda L: L.empty_permuted(size, order))
    assert g.stride() == t.stride() and tuple(g.shape) == tuple(t.shape)
    raises_like(lambda L: L.empty_permuted((2, 3, 4), (0, 2)))


LIKES = [lambda L, x, **k: L.zeros_like(x, **k), lambda L, x, **k: L.ones_like(x, **k),
         lambda L, x, **k: L.empty_like(x, **k), lambda L, x, **k: L.full_like(x, 3, **k),
         lambda L, x, **k: L.rand_like(x, **k), lambda L, x, **k: L.randn_like(x, **k),
         lambda L, x, **k: L.randint_like(x, 10, **k), lambda L, x, **k: L.randint_like(x, 3, 10, **k)]
RANDOM_LIKES = (4, 5, 6, 7)
LAYOUTS = [lambda L: L.ones(2, 3), lambda L: L.ones(2, 3).t(), lambda L: L.ones(2, 3, 4).permute(2, 0, 1),
           lambda L: L.ones(4, 3)[::2], lambda L: L.ones(2, 3).expand(4, 2, 3), lambda L: L.ones(0, 3),
           lambda L: L.ones(2, 3, 4, 5).permute(0, 2, 3, 1)]


@pytest.mark.parametrize("i", range(len(LIKES)))
@pytest.mark.parametrize("j", range(len(LAYOUTS)))
def test_like_preserves_layout(i, j):
    g, t = both(lambda L: LIKES[i](L, LAYOUTS[j](L)))
    if t.numel() == 0:  # NumPy gives an empty array zero strides (glasstorch's stride() shows them): not compared
        assert tuple(g.shape) == tuple(t.shape)
        return
    assert g.stride() == t.stride() and tuple(g.shape) == tuple(t.shape) and str(g.dtype) == str(t.dtype)
    if i not in RANDOM_LIKES and i != 2:
        same(g, t)
    g, t = both(lambda L: LIKES[i](L, LAYOUTS[j](L), memory_format=L.contiguous_format))
    assert g.stride() == t.stride()


@pytest.mark.parametrize("i", range(len(LIKES)))
def test_like_options(i):
    g, t = both(lambda L: LIKES[i](L, L.ones(2, 3, 4, 5), memory_format=L.channels_last))
    assert g.stride() == t.stride()
    g, t = both(lambda L: LIKES[i](L, L.ones(2, 3), dtype=L.float64, requires_grad=True, device="cpu"))
    assert g.dtype is glasstorch.float64 and g.requires_grad == t.requires_grad
    raises_like(lambda L: LIKES[i](L, L.ones(2), memory_format=L.channels_last))
    if i in (4, 5):
        raises_like(lambda L: LIKES[i](L, L.tensor([1, 2])))
    else:
        g, t = both(lambda L: LIKES[i](L, L.tensor([1, 2])))
        assert g.dtype is glasstorch.int64 and t.dtype is torch.int64


def test_full_like_and_randint_like_values():
    same(*both(lambda L: L.full_like(L.ones(2), 3, dtype=L.int64)))
    same(*both(lambda L: L.full_like(L.ones(2, dtype=L.int64), 3.7)))
    g = glasstorch.randint_like(glasstorch.zeros(1000), 3, 6)
    assert g.dtype is glasstorch.float32 and set(g.tolist()) == {3.0, 4.0, 5.0}


# -- sharing memory: asarray, frombuffer, DLPack, from_file ---------------------------------------------------
def test_asarray_copy_rules():
    a = np.zeros(3, dtype=np.float32)
    g = glasstorch.asarray(a)
    a[0] = 5
    assert g[0].item() == 5  # shared
    assert glasstorch.asarray(a, copy=True).numpy()[0] == 5
    c = glasstorch.asarray(a, copy=True)
    a[1] = 7
    assert c[1].item() == 0
    x = glasstorch.ones(2)
    assert glasstorch.asarray(x) is x
    assert glasstorch.asarray(x, copy=True) is not x
    same(*both(lambda L: L.asarray(3.5)))
    same(*both(lambda L: L.asarray([1, 2], dtype=L.float64)))
    same(*both(lambda L: L.asarray(L.ones(2), dtype=L.int32)))
    g, t = both(lambda L: L.asarray([1.0, 2.0], requires_grad=True))
    assert g.requires_grad and t.requires_grad
    g, t = both(lambda L: L.asarray(L.ones(2, requires_grad=True), copy=True))
    assert g.requires_grad == t.requires_grad and g.grad_fn is not None
    raises_like(lambda L: L.asarray([1, 2], copy=False), match="can't alias arbitrary sequence")
    raises_like(lambda L: L.asarray(L.zeros(2), dtype=L.float64, copy=False), match="can't alias tensor")
    raises_like(lambda L: L.asarray(np.zeros(2, dtype=np.float32), dtype=L.float64, copy=False))


def test_frombuffer():
    buf = bytearray(np.arange(4, dtype=np.float32).tobytes())
    same(*both(lambda L: L.frombuffer(buf, dtype=L.float32)))
    same(*both(lambda L: L.frombuffer(buf, dtype=L.float32, count=2, offset=4)))
    same(*both(lambda L: L.frombuffer(buf, dtype=L.int16)))
    g = glasstorch.frombuffer(buf, dtype=glasstorch.float32)
    g[0] = 9.0
    assert np.frombuffer(buf, dtype=np.float32)[0] == 9.0  # shares the buffer's memory
    with pytest.warns(UserWarning, match="not writable"):
        glasstorch.frombuffer(b"abcdefgh", dtype=glasstorch.int32)
    for kwargs in ({"count": 3}, {"offset": 9}, {"offset": -1}):
        raises_like(lambda L: L.frombuffer(bytearray(8), dtype=L.float32, **kwargs))
    raises_like(lambda L: L.frombuffer(bytearray(7), dtype=L.float32))
    raises_like(lambda L: L.frombuffer(bytearray(0), dtype=L.float32))


def test_dlpack_both_ways():
    t = torch.arange(6.0).reshape(2, 3)
    g = glasstorch.from_dlpack(t)
    same(g, t)
    t[0, 0] = 42.0
    assert g[0, 0].item() == 42.0  # shared with PyTorch's tensor
    g2 = glasstorch.from_dlpack(torch.to_dlpack(torch.arange(3)))
    same(g2, torch.arange(3))
    back = torch.from_dlpack(glasstorch.arange(4.0))  # Tensor.__dlpack__
    same(glasstorch.arange(4.0), back)
    same(glasstorch.from_dlpack(glasstorch.to_dlpack(glasstorch.arange(3))), torch.arange(3))
    assert glasstorch.from_dlpack(np.arange(3)).dtype is glasstorch.int64
    assert np.from_dlpack(glasstorch.ones(2)).tolist() == [1.0, 1.0]


def test_from_file(tmp_path):
    path = tmp_path / "data.bin"
    np.arange(5, dtype=np.float32).tofile(path)
    same(*both(lambda L: L.from_file(str(path), size=5, dtype=L.float32)))
    shared = glasstorch.from_file(str(path), shared=True, size=5, dtype=glasstorch.float32)
    shared[0] = 7.0
    shared._array.flush()
    assert np.fromfile(path, dtype=np.float32)[0] == 7.0
    with pytest.raises(RuntimeError):
        glasstorch.from_file(str(path), size=10, dtype=glasstorch.float32)


# -- legacy typed constructors and the default tensor type -----------------------------------------------------
LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor",
          "ByteTensor", "BoolTensor"]


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_constructors(name):
    same(*both(lambda L: getattr(L, name)([1, 0, 1])))
    same(*both(lambda L: getattr(L, name)([[1.5, 2], [0, 1]])))
    for args in [(2, 3), (glasstorch.Size([2]),), ()]:
        g = getattr(glasstorch, name)(*args)
        t = getattr(torch, name)(*[torch.Size(a) if isinstance(a, glasstorch.Size) else a for a in args])
        assert tuple(g.shape) == tuple(t.shape) and str(g.dtype) == str(t.dtype)
    cls_g, cls_t = getattr(glasstorch, name), getattr(torch, name)
    for dtype in ["float32", "float64", "int64", "bool", "uint8"]:
        assert isinstance(glasstorch.zeros(1, dtype=getattr(glasstorch, dtype)), cls_g) == \
            isinstance(torch.zeros(1, dtype=getattr(torch, dtype)), cls_t)
    assert not issubclass(cls_g, glasstorch.Tensor) and cls_g.dtype is getattr(glasstorch, str(cls_t.dtype)[6:])
    assert not isinstance(3, cls_g) and repr(cls_g) == repr(cls_t)


def test_legacy_constructor_tensor_argument():
    x = glasstorch.zeros(2)
    y = glasstorch.FloatTensor(x)
    assert y.data_ptr() == x.data_ptr()
    raises_like(lambda L: L.FloatTensor(L.zeros(2, dtype=L.float64)))
    raises_like(lambda L: L.FloatTensor([1], dtype=L.float64))
    assert glasstorch.FloatTensor(2, device="cpu").shape == (2,)


@pytest.mark.parametrize("t", ["DoubleTensor", "torch.DoubleTensor", "glasstorch.DoubleTensor"])
def test_set_default_tensor_type(t):
    arg = getattr(glasstorch, t) if "." not in t else t
    with pytest.warns(UserWarning, match="deprecated"):
        glasstorch.set_default_tensor_type(arg)
    try:
        assert glasstorch.get_default_dtype() is glasstorch.float64
        assert glasstorch.zeros(1).dtype is glasstorch.float64
        assert glasstorch.FloatTensor([1]).dtype is glasstorch.float32  # a typed constructor keeps its type
    finally:
        with pytest.warns(UserWarning):
            glasstorch.set_default_tensor_type("torch.FloatTensor")
    assert glasstorch.get_default_dtype() is glasstorch.float32


def test_set_default_tensor_type_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_like(lambda L: L.set_default_tensor_type(L.LongTensor))
        raises_like(lambda L: L.set_default_tensor_type("torch.IntTensor"))


def test_default_device():
    assert glasstorch.get_default_device() == glasstorch.device("cpu")
    glasstorch.set_default_device("cpu")
    glasstorch.set_default_device(glasstorch.device("cpu"))
    glasstorch.set_default_device(None)
    assert glasstorch.zeros(2).device == glasstorch.device("cpu")
    with pytest.raises(AssertionError, match="CUDA"):
        glasstorch.set_default_device("cuda")
    assert glasstorch.get_default_device() == glasstorch.device("cpu")


# -- out= ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda L, o: L.zeros(2, 3, out=o), lambda L, o: L.ones(4, out=o), lambda L, o: L.full((2,), 7, out=o),
    lambda L, o: L.arange(5, out=o), lambda L, o: L.eye(2, out=o), lambda L, o: L.linspace(0, 1, 3, out=o),
])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_out(make, dtype):
    og, ot = glasstorch.empty(0, dtype=getattr(glasstorch, dtype)), torch.empty(0, dtype=getattr(torch, dtype))
    rg, rt = make(glasstorch, og), make(torch, ot)
    assert rg is og and rt is ot
    same(og, ot)


# -- random draws ----------------------------------------------------------------------------------------------
def test_rand_randn_generator():
    for f in ("rand", "randn"):
        a = getattr(glasstorch, f)(3, generator=glasstorch.Generator().manual_seed(1))
        b = getattr(glasstorch, f)(3, generator=glasstorch.Generator().manual_seed(1))
        assert a.equal(b)
        assert getattr(glasstorch, f)(2, 3, dtype=glasstorch.float64).dtype is glasstorch.float64
    raises_like(lambda L: L.rand(2, dtype=L.int64))
    raises_like(lambda L: L.randn(2, dtype=L.int64))


def test_normal_forms_and_moments():
    m = glasstorch.full((20000,), 2.0)
    s = glasstorch.full((20000,), 3.0)
    for sample in (glasstorch.normal(m, s), glasstorch.normal(m, 3.0), glasstorch.normal(2.0, s),
                   glasstorch.normal(2.0, 3.0, (20000,)), glasstorch.normal(2.0, 3.0, size=(20000,))):
        assert sample.shape == (20000,) and sample.dtype is glasstorch.float32
        assert abs(sample.mean().item() - 2.0) < 0.1 and abs(sample.std().item() - 3.0) < 0.1
    assert glasstorch.normal(0.0, 1.0, (2,), dtype=glasstorch.float64).dtype is glasstorch.float64
    g, t = both(lambda L: L.normal(L.zeros(2, 1), L.ones(3)))
    assert tuple(g.shape) == tuple(t.shape)
    g, t = both(lambda L: L.normal(L.zeros(3, dtype=L.float64), L.ones(3)))
    assert g.dtype is glasstorch.float64 and t.dtype is torch.float64
    assert glasstorch.normal(2.0, 3.0, (2,), requires_grad=True).requires_grad


def test_normal_zero_gradient():
    for make in (lambda L, m, s: L.normal(m, s), lambda L, m, s: L.normal(m, 2.0), lambda L, m, s: L.normal(0.0, s)):
        outs, grads = [], []
        for L in (glasstorch, torch):
            m, s = L.zeros(3, requires_grad=True), L.ones(3, requires_grad=True)
            y = make(L, m, s)
            y.sum().backward()
            outs.append(y.requires_grad)
            grads.append([None if v.grad is None else v.grad.tolist() for v in (m, s)])
        assert outs[0] == outs[1] and grads[0] == grads[1]


@pytest.mark.parametrize("call", [
    lambda L: L.normal(0.0, -1.0, (2,)), lambda L: L.normal(L.zeros(3), -1.0),
    lambda L: L.normal(L.zeros(3), -L.ones(3)), lambda L: L.normal(L.zeros(3, dtype=L.int64), 1.0),
    lambda L: L.normal(L.zeros(2), L.ones(3)), lambda L: L.normal(0.0, 1.0),
])
def test_normal_errors(call):
    raises_like(call)


def test_poisson_binomial_bernoulli():
    rates = glasstorch.full((20000,), 4.0)
    p = glasstorch.poisson(rates)
    assert p.dtype is glasstorch.float32 and abs(p.mean().item() - 4) < 0.1 and abs(p.var().item() - 4) < 0.2
    assert (p == p.round()).all().item() and p.min().item() >= 0
    b = glasstorch.binomial(glasstorch.full((20000,), 10.0), glasstorch.full((20000,), 0.3))
    assert b.dtype is glasstorch.float32 and abs(b.mean().item() - 3) < 0.1 and b.max().item() <= 10
    q = glasstorch.bernoulli(glasstorch.full((20000,), 0.25))
    assert abs(q.mean().item() - 0.25) < 0.02 and set(q.unique().tolist()) <= {0.0, 1.0}
    q = glasstorch.bernoulli(glasstorch.zeros(20000), 0.75)
    assert abs(q.mean().item() - 0.75) < 0.02
    assert glasstorch.bernoulli(glasstorch.ones(3, dtype=glasstorch.int64), 0.5).dtype is glasstorch.int64
    for L in (glasstorch, torch):
        r = L.ones(3, requires_grad=True)
        y = L.poisson(r)
        y.sum().backward()
        assert y.requires_grad and r.grad.tolist() == [0.0, 0.0, 0.0]
        r.grad = None
        y = L.bernoulli(r * 0.5)
        y.sum().backward()
        assert y.requires_grad and r.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("call", [
    lambda L: L.poisson(L.ones(3, dtype=L.int64)), lambda L: L.poisson(-L.ones(3)),
    lambda L: L.binomial(L.ones(3, dtype=L.int64), L.ones(3) * 0.5),
    lambda L: L.binomial(L.ones(3), L.ones(3, dtype=L.float64) * 0.5),
    lambda L: L.binomial(L.ones(3), L.ones(2) * 0.5),
    lambda L: L.bernoulli(L.ones(3) * 2), lambda L: L.bernoulli(L.ones(3, dtype=L.int64)),
    lambda L: L.bernoulli(L.ones(3) * 0.5, p=2.0),
])
def test_random_errors(call):
    raises_like(call)


def test_multinomial():
    w = glasstorch.tensor([1.0, 0.0, 3.0])
    s = glasstorch.multinomial(w, 20000, replacement=True)
    assert s.dtype is glasstorch.int64 and s.shape == (20000,)
    freq = np.bincount(s.numpy(), minlength=3) / 20000
    np.testing.assert_allclose(freq, [0.25, 0.0, 0.75], atol=0.02)
    rows = glasstorch.multinomial(glasstorch.tensor([[1.0, 1, 0, 0], [0, 0, 1.0, 1]]), 1000, True)
    assert set(rows[0].tolist()) == {0, 1} and set(rows[1].tolist()) == {2, 3}
    no = glasstorch.multinomial(glasstorch.rand(5, 10) + 0.1, 10)
    assert no.shape == (5, 10) and all(sorted(r) == list(range(10)) for r in no.tolist())
    assert sorted(glasstorch.multinomial(w, 3).tolist()[:2]) == [0, 2]  # zero weight comes last
    first = glasstorch.multinomial(glasstorch.tensor([1.0, 9.0]).expand(4000, 2), 1)[:, 0]
    assert abs(first.float().mean().item() - 0.9) < 0.03
    assert glasstorch.tensor([1.0, 0, 1]).multinomial(2).shape == (2,)


@pytest.mark.parametrize("call", [
    lambda L: L.multinomial(L.tensor([1, 0, 1]), 1), lambda L: L.multinomial(L.tensor([1.0, -1, 1]), 1),
    lambda L: L.multinomial(L.tensor([0.0, 0]), 1), lambda L: L.multinomial(L.tensor([1.0, 1]), 3),
    lambda L: L.multinomial(L.tensor([1.0, 1]), 0), lambda L: L.multinomial(L.ones(2, 2, 2), 1),
    lambda L: L.multinomial(L.tensor([1.0, float("nan")]), 1), lambda L: L.multinomial(L.tensor(1.0), 1),
])
def test_multinomial_errors(call):
    raises_like(call)
