"""Settings, introspection and the misc Tensor methods against PyTorch: finfo/iinfo, can_cast, typename, is_*,
threads, print options, determinism and the other switches, layouts and memory formats, H/mH/adjoint,
dim_order, storage(), as_subclass, apply_/map_/map2_, new/new_empty_strided, type, post-accumulate-grad
hooks and the in-place random fills."""
import warnings

import numpy as np
import pytest
import torch

import glasstorch
from glasstorch._methods.misc import MiscMethods
from parity import check, gradcheck

FLOATS = ["float16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]
ALL = FLOATS + INTS + ["bool"]


def both(fn):
    return fn(glasstorch), fn(torch)


def raises_like(fn, match=None):
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(type(t_err.value), match=match):
        fn(glasstorch)


# -- finfo, iinfo, can_cast -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", FLOATS)
def test_finfo(name):
    g, t = glasstorch.finfo(getattr(glasstorch, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(g, attr) == getattr(t, attr), attr
    assert repr(g) == repr(t)
    assert g == glasstorch.finfo(getattr(glasstorch, name))


def test_finfo_default_and_errors():
    assert glasstorch.finfo().dtype == torch.finfo().dtype == "float32"
    glasstorch.set_default_dtype(glasstorch.float64)
    assert glasstorch.finfo().dtype == "float64"
    raises_like(lambda L: L.finfo(L.int32), match="requires a floating point")
    raises_like(lambda L: L.finfo("float32"))


@pytest.mark.parametrize("name", INTS)
def test_iinfo(name):
    g, t = glasstorch.iinfo(getattr(glasstorch, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(g, attr) == getattr(t, attr), attr
    assert repr(g) == repr(t)


def test_iinfo_errors():
    raises_like(lambda L: L.iinfo(L.float32), match="requires an integer")
    raises_like(lambda L: L.iinfo(L.bool))


@pytest.mark.parametrize("a", ALL)
@pytest.mark.parametrize("b", ALL)
def test_can_cast(a, b):
    assert glasstorch.can_cast(getattr(glasstorch, a), getattr(glasstorch, b)) == \
        torch.can_cast(getattr(torch, a), getattr(torch, b))


# -- introspection ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ALL)
def test_typename_and_type(name):
    g, t = glasstorch.zeros(2, dtype=getattr(glasstorch, name)), torch.zeros(2, dtype=getattr(torch, name))
    assert glasstorch.typename(g) == torch.typename(t)
    assert MiscMethods.type(g) == t.type()
    legacy = t.type().split(".")[-1]
    for target in (glasstorch.float64, glasstorch.DoubleTensor, "torch.DoubleTensor", "glasstorch.DoubleTensor"):
        assert MiscMethods.type(glasstorch.zeros(2, dtype=getattr(glasstorch, name)), target).dtype is glasstorch.float64
    assert MiscMethods.type(glasstorch.zeros(1), "torch." + legacy).dtype is getattr(glasstorch, name)
    with pytest.raises(ValueError):
        MiscMethods.type(g, "float64")
    with pytest.raises(AssertionError):
        MiscMethods.type(g, "torch.cuda.FloatTensor")


def test_typename_objects():
    assert glasstorch.typename(3) == torch.typename(3) == "int"
    assert glasstorch.typename(glasstorch.nn.Linear) == \
        torch.typename(torch.nn.Linear)
    assert glasstorch.typename(glasstorch.nn.Linear(1, 1)) == glasstorch.typename(glasstorch.nn.Linear)


@pytest.mark.parametrize("fn", [
    lambda L, x: L.is_nonzero(L.tensor([1.0])), lambda L, x: L.is_nonzero(L.tensor(0)),
    lambda L, x: L.is_nonzero(L.tensor([False])),
    lambda L, x: L.is_same_size(x, x), lambda L, x: L.is_same_size(x, x[0]),
    lambda L, x: L.is_signed(x), lambda L, x: L.is_signed(L.tensor([1], dtype=L.uint8)),
    lambda L, x: L.is_signed(L.tensor([True])), lambda L, x: L.is_complex(x), lambda L, x: L.is_conj(x),
    lambda L, x: L.is_neg(x), lambda L, x: L.is_inference(x), lambda L, x: L.is_inference_mode_enabled(),
    lambda L, x: L.get_device(x), lambda L, x: L.is_distributed(x), lambda L, x: L.is_storage(x),
    lambda L, x: L.is_storage(x.untyped_storage()), lambda L, x: L.conj(x) is x,
    lambda L, x: L.resolve_conj(x) is x, lambda L, x: L.resolve_neg(x) is x, lambda L, x: L.real(x) is x,
    lambda L, x: x.is_cpu, lambda L, x: x.is_shared(), lambda L, x: x.is_pinned(), lambda L, x: x.is_signed(),
    lambda L, x: x.is_distributed(), lambda L, x: x.is_inference(), lambda L, x: x.is_conj(),
    lambda L, x: x.is_neg(), lambda L, x: x.conj() is x, lambda L, x: x.resolve_conj() is x,
    lambda L, x: x.resolve_neg() is x, lambda L, x: x[0, 0].is_nonzero(), lambda L, x: x.is_same_size(x.t()),
    lambda L, x: x.const_data_ptr() == x.data_ptr(), lambda L, x: str(x.grad_dtype).split(".")[-1],
    lambda L, x: str(L.tensor([1]).grad_dtype).split(".")[-1], lambda L, x: repr(x.layout).split(".")[-1],
    lambda L, x: x.layout is L.strided, lambda L, x: x.dim_order(), lambda L, x: x.t().dim_order(),
    lambda L, x: L.ones(2, 3, 4).permute(2, 0, 1).dim_order(), lambda L, x: L.ones(2, 3, 4, 5).permute(0, 2, 3, 1).dim_order(),
])
def test_introspection(fn):
    g, t = fn(glasstorch, glasstorch.arange(1.0, 7).reshape(2, 3)), fn(torch, torch.arange(1.0, 7).reshape(2, 3))
    assert g == t


@pytest.mark.parametrize("data", [[], [1.0, 2.0]])
def test_is_nonzero_errors(data):
    raises_like(lambda L: L.is_nonzero(L.tensor(data)), match="ambiguous")
    raises_like(lambda L: L.tensor(data).is_nonzero(), match="ambiguous")


def test_layouts_and_memory_formats():
    import copy
    for name in ("strided", "contiguous_format", "channels_last", "channels_last_3d", "preserve_format"):
        g, t = getattr(glasstorch, name), getattr(torch, name)
        assert repr(g) == repr(t)
        assert copy.deepcopy(g) is g
    assert isinstance(glasstorch.strided, glasstorch.layout)
    assert isinstance(glasstorch.channels_last, glasstorch.memory_format)
    assert repr(glasstorch.legacy_contiguous_format) == "torch.contiguous_format"


# -- switches --------------------------------------------------------------------------------------------------
def test_threads():
    before = glasstorch.get_num_threads()
    assert before >= 1 and glasstorch.get_num_interop_threads() >= 1
    glasstorch.set_num_threads(3)
    glasstorch.set_num_interop_threads(2)
    assert glasstorch.get_num_threads() == 3 and glasstorch.get_num_interop_threads() == 2
    glasstorch.set_num_threads(before)
    raises_like(lambda L: L.set_num_threads(0), match="positive integer")
    raises_like(lambda L: L.set_num_interop_threads(0), match="positive integer")


def test_determinism_switches():
    try:
        for lib in (glasstorch, torch):
            assert lib.are_deterministic_algorithms_enabled() is False and lib.get_deterministic_debug_mode() == 0
        for mode in ("warn", "error", "default", 1, 2, 0):
            got = []
            for lib in (glasstorch, torch):
                lib.set_deterministic_debug_mode(mode)
                got.append((lib.get_deterministic_debug_mode(), lib.are_deterministic_algorithms_enabled(),
                            lib.is_deterministic_algorithms_warn_only_enabled()))
            assert got[0] == got[1]
        for lib in (glasstorch, torch):
            lib.use_deterministic_algorithms(True, warn_only=True)
        assert glasstorch.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode() == 1
        raises_like(lambda L: L.set_deterministic_debug_mode("bad"))
        raises_like(lambda L: L.set_deterministic_debug_mode(5))
    finally:
        for lib in (glasstorch, torch):
            lib.use_deterministic_algorithms(False)


def test_other_switches():
    assert glasstorch.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "highest"
    glasstorch.set_float32_matmul_precision("medium")
    assert glasstorch.get_float32_matmul_precision() == "medium"
    with pytest.warns(UserWarning, match="no effect"):
        glasstorch.set_float32_matmul_precision("bad")
    assert glasstorch.get_float32_matmul_precision() == "medium"
    glasstorch.set_float32_matmul_precision("highest")
    assert glasstorch.set_flush_denormal(False) is False
    assert glasstorch.is_warn_always_enabled() is False
    glasstorch.set_warn_always(True)
    assert glasstorch.is_warn_always_enabled() is True
    glasstorch.set_warn_always(False)


def test_anomaly_switch():
    assert glasstorch.is_anomaly_enabled() is False and glasstorch.is_anomaly_check_nan_enabled() is True
    glasstorch.set_anomaly_enabled(True)
    try:
        assert glasstorch.is_anomaly_enabled() is True
        x = glasstorch.tensor([0.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="nan|NaN"):
            (x.sqrt() * 0).sum().backward()  # sqrt's backward at 0 times 0 is nan
    finally:
        glasstorch.set_anomaly_enabled(False)
    assert glasstorch.is_anomaly_enabled() is False
    glasstorch.set_anomaly_enabled(False, check_nan=False)
    assert glasstorch.is_anomaly_check_nan_enabled() is False
    glasstorch.set_anomaly_enabled(False, check_nan=True)
    with glasstorch.autograd.detect_anomaly():
        assert glasstorch.is_anomaly_enabled() is True


PRINT_CASES = [
    dict(precision=2), dict(sci_mode=True), dict(sci_mode=False), dict(threshold=5), dict(edgeitems=1, threshold=5),
    dict(linewidth=30), dict(profile="short"), dict(profile="full"), dict(profile="short", precision=6),
]


@pytest.mark.parametrize("opts", PRINT_CASES)
@pytest.mark.parametrize("make", [lambda L: L.arange(12.0).reshape(3, 4) / 7, lambda L: L.tensor([1e-5, 1.0, 1e5]),
                                  lambda L: L.arange(2000.0), lambda L: L.tensor([1.0, 2.0, 3.0]),
                                  lambda L: L.arange(30).reshape(5, 6)])
def test_set_printoptions(opts, make):
    try:
        glasstorch.set_printoptions(**opts)
        torch.set_printoptions(**opts)
        g, t = both(make)
        assert repr(g) == repr(t)
    finally:
        glasstorch.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert repr(glasstorch.tensor([1.5])) == "tensor([1.5000])"


# -- Tensor: conjugate transposes ------------------------------------------------------------------------------
@pytest.mark.parametrize("fn,shape", [(lambda L, x: x.H, (3, 4)), (lambda L, x: x.mH, (3, 4)),
                                      (lambda L, x: x.mH, (2, 3, 4)), (lambda L, x: x.adjoint(), (2, 3, 4)),
                                      (lambda L, x: L.adjoint(x), (3, 2))])
def test_conjugate_transposes(fn, shape):
    check(fn, shape)
    gradcheck(fn, shape)


def test_conjugate_transpose_errors():
    raises_like(lambda L: L.zeros(3).H, match="only supported on matrices")
    raises_like(lambda L: L.zeros(2, 2, 2).H, match="mH")
    raises_like(lambda L: L.zeros(3).mH, match="mH is only supported")
    raises_like(lambda L: L.zeros(3).adjoint(), match="adjoint")
    with pytest.warns(UserWarning, match="deprecated on 0-D"):
        assert glasstorch.tensor(1.0).H.item() == 1.0


# -- Tensor: storage, subclasses, element-wise Python functions --------------------------------------------------
def test_storage():
    g, t = both(lambda L: L.arange(6.0).reshape(2, 3))
    with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
        sg = g[1].storage()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        st = t[1].storage()
    assert sg.size() == st.size() == len(sg) and sg.tolist() == st.tolist() and sg[4] == st[4]
    assert sg.element_size() == st.element_size() and sg.nbytes() == st.nbytes()
    assert sg.data_ptr() == g.untyped_storage().data_ptr() and glasstorch.is_storage(sg)
    assert str(sg.dtype) == "torch.float32" and "TypedStorage" in repr(sg)
    assert repr(sg).split("[")[0] == repr(st).split("[")[0]


def test_as_subclass():
    class MyTensor(glasstorch.Tensor):
        pass

    x = glasstorch.ones(2, 3, requires_grad=True)
    y = x.as_subclass(MyTensor)
    assert type(y) is MyTensor and y.data_ptr() == x.data_ptr() and y.grad_fn is not None
    (y * 2).sum().backward()
    assert x.grad.tolist() == [[2.0] * 3] * 2
    raises_like(lambda L: L.ones(2).as_subclass(int), match="inherit from Tensor")


@pytest.mark.parametrize("fn", [
    lambda L: L.zeros(2, 3).apply_(lambda a: a + 1),
    lambda L: L.arange(6.0).reshape(2, 3).apply_(lambda a: a * a),
    lambda L: L.zeros(2, dtype=L.int64).apply_(lambda a: a + 1.7),
    lambda L: L.zeros(0).apply_(lambda a: a + 1),
    lambda L: L.zeros(2).map_(L.ones(2), lambda a, b: a + b + 1),
    lambda L: L.zeros(2, 3).map_(L.arange(3.0), lambda a, b: a - b),
    lambda L: L.zeros(2).map2_(L.ones(2), L.ones(1), lambda a, b, c: a + b + c),
])
def test_apply_map(fn):
    g, t = both(fn)
    assert g.tolist() == t.tolist() and str(g.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]


def test_apply_map_share_memory_and_errors():
    x = glasstorch.zeros(4)
    v = x[1:3]
    v.apply_(lambda a: 5.0)
    assert x.tolist() == [0.0, 5.0, 5.0, 0.0]
    raises_like(lambda L: L.zeros(2, requires_grad=True).apply_(lambda a: a), match="requires grad")
    raises_like(lambda L: L.zeros(2, requires_grad=True).map_(L.ones(2), lambda a, b: a), match="requires grad")
    raises_like(lambda L: L.zeros(2).map_(L.ones(3), lambda a, b: a + b))
    raises_like(lambda L: L.zeros(2, 1).map_(L.ones(3), lambda a, b: a + b))
    raises_like(lambda L: L.zeros(2).map_(L.ones(2, dtype=L.float64), lambda a, b: a + b), match="map_: expected")


# -- Tensor: legacy constructors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda L, x: x.new([1, 2]), lambda L, x: x.new(), lambda L, x: L.tensor([1, 2]).new([1.5]),
    lambda L, x: x.new([[1, 2], [3, 4]]), lambda L, x: x.new(x), lambda L, x: L.tensor([True]).new([0, 1]),
])
def test_new_data(fn):
    g, t = fn(glasstorch, glasstorch.zeros(3)), fn(torch, torch.zeros(3))
    assert g.tolist() == t.tolist() and str(g.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]


def test_new_sizes_and_alias():
    x = glasstorch.zeros(3, dtype=glasstorch.float64)
    assert x.new(2, 3).shape == (2, 3) and x.new(2, 3).dtype is glasstorch.float64
    assert x.new(glasstorch.Size([4])).shape == (4,)
    assert x.new(x).data_ptr() == x.data_ptr() and x.new(x) is not x
    raises_like(lambda L: L.zeros(2).new(L.zeros(2, dtype=L.float64)))
    s = glasstorch.zeros(2, dtype=glasstorch.int32).new_empty_strided((2, 3), (1, 2))
    assert s.stride() == (1, 2) and s.dtype is glasstorch.int32
    assert x.new_empty_strided((2,), (1,), dtype=glasstorch.float32).dtype is glasstorch.float32


# -- Tensor: post-accumulate-grad hooks -------------------------------------------------------------------------
def test_post_accumulate_grad_hook():
    results = []
    for L in (glasstorch, torch):
        x = L.zeros(2, requires_grad=True)
        calls = []
        handle = x.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.tolist()))
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        handle.remove()
        (x * 4).sum().backward()
        results.append(calls)
    assert results[0] == results[1] == [[2.0, 2.0], [5.0, 5.0]]


def test_post_accumulate_grad_hook_in_place_step():
    w = glasstorch.ones(3, requires_grad=True)

    def step(p):  # an optimizer step inside backward, the hook's intended use
        with glasstorch.no_grad():
            p.sub_(0.1 * p.grad)
        p.grad = None

    w.register_post_accumulate_grad_hook(step)
    (w * w).sum().backward()
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 0.8, 0.8], rtol=1e-6)
    assert w.grad is None


def test_post_accumulate_grad_hook_errors():
    raises_like(lambda L: L.zeros(2).register_post_accumulate_grad_hook(lambda t: None), match="require gradient")
    raises_like(lambda L: (L.zeros(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(lambda t: None),
                match="non-leaf")


# -- Tensor: random draws and fills -------------------------------------------------------------------------------
def test_in_place_random_fills():
    c = glasstorch.zeros(20001).cauchy_(1.0, 2.0)
    q = np.quantile(c.numpy(), [0.25, 0.75])
    np.testing.assert_allclose(q, [-1.0, 3.0], atol=0.15)  # Cauchy quartiles: median ± sigma
    g = glasstorch.zeros(20000).geometric_(0.25)
    assert g.min().item() >= 1 and abs(g.mean().item() - 4.0) < 0.15 and (g == g.round()).all().item()
    gi = glasstorch.zeros(5, dtype=glasstorch.int64).geometric_(0.5)
    assert gi.dtype is glasstorch.int64 and gi.min().item() >= 1
    ln = glasstorch.zeros(20000, dtype=glasstorch.float64).log_normal_(0.5, 0.25)
    assert ln.min().item() > 0 and abs(ln.log().mean().item() - 0.5) < 0.01 and abs(ln.log().std().item() - 0.25) < 0.01
    same_gen = [glasstorch.zeros(3).cauchy_(generator=glasstorch.Generator().manual_seed(5)) for _ in range(2)]
    assert same_gen[0].equal(same_gen[1])
    x = glasstorch.zeros(4)
    x[1:3].log_normal_()
    assert x[0].item() == 0 and x[1].item() > 0


@pytest.mark.parametrize("call", [
    lambda L: L.zeros(2, dtype=L.int64).cauchy_(), lambda L: L.zeros(2).cauchy_(sigma=-1),
    lambda L: L.zeros(2).geometric_(1.5), lambda L: L.zeros(2).geometric_(0),
    lambda L: L.zeros(2).log_normal_(std=0), lambda L: L.zeros(2, dtype=L.int64).log_normal_(),
    lambda L: L.zeros(2, requires_grad=True).cauchy_(),
])
def test_in_place_random_fill_errors(call):
    raises_like(call)


def test_bernoulli_multinomial_methods():
    assert glasstorch.ones(3).bernoulli().tolist() == [1.0, 1.0, 1.0]
    assert abs(glasstorch.zeros(20000).bernoulli(0.3).mean().item() - 0.3) < 0.02
    s = glasstorch.tensor([0.0, 1.0, 0.0]).multinomial(4, replacement=True)
    assert s.tolist() == [1, 1, 1, 1]


def test_random_fill_array_helper():
    from glasstorch import random as R
    a = R.random_fill_array((1000,), np.float32)
    assert a.min() >= 0 and a.max() <= 2 ** 24 and a.dtype == np.float32
    assert R.random_fill_array((1000,), np.float32, 5).max() < 5
    b = R.random_fill_array((1000,), np.float32, 2, 5)
    assert b.min() >= 2 and b.max() < 5
    assert R.random_fill_array((1000,), np.uint8).max() <= 255
    assert R.random_fill_array((10,), np.int64).min() >= 0
    assert set(R.random_fill_array((100,), np.bool_).tolist()) <= {False, True}
    with pytest.raises(RuntimeError, match="from"):
        R.random_fill_array((1,), np.float32, 5, 2)
