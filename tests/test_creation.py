"""Making tensors against PyTorch: tensor() dtype inference, zeros/ones/full/empty, arange/linspace/logspace,
eye, the *_like forms, memory sharing (from_numpy, as_tensor), the random functions and generators, and the
dtype objects with PyTorch's promotion rules.

Deterministic functions are run on both libraries (``fn(torch)`` and ``fn(glasstorch)``) and compared.
Random ones cannot be: glasstorch draws with NumPy's PCG64, PyTorch with a Mersenne Twister, so the same
seed gives different numbers. They are checked for shape, dtype, range, statistics and reproducibility.
"""
import numpy as np
import pytest
import torch

import glasstorch


def dtype_name(t):
    """'float32' for a tensor or a dtype of either library."""
    return str(getattr(t, "dtype", t)).split(".")[-1]


def same(fn, exact=None):
    """Run ``fn`` on both libraries; the results must agree in dtype, shape and values."""
    t, g = fn(torch), fn(glasstorch)
    assert isinstance(g, glasstorch.Tensor)
    assert dtype_name(g) == dtype_name(t), f"dtype {g.dtype}, PyTorch gives {t.dtype}"
    assert tuple(g.shape) == tuple(t.shape), f"shape {tuple(g.shape)}, PyTorch gives {tuple(t.shape)}"
    if exact or (exact is None and not t.dtype.is_floating_point):
        np.testing.assert_array_equal(g.numpy(), t.numpy())
    else:
        np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)
    return g


# -- tensor(): dtype inference ------------------------------------------------------------------------------
TENSOR_CASES = {
    "float": lambda torch: torch.tensor(1.5),
    "int": lambda torch: torch.tensor(3),
    "bool": lambda torch: torch.tensor(True),
    "negative_int": lambda torch: torch.tensor([-1, 2]),
    "int_and_float": lambda torch: torch.tensor([1, 2.5]),
    "bool_and_int": lambda torch: torch.tensor([True, 2]),
    "bool_and_float": lambda torch: torch.tensor([True, 2.5]),
    "bools": lambda torch: torch.tensor([True, False]),
    "nested_ints": lambda torch: torch.tensor([[1, 2], [3, 4]]),
    "nested_mixed": lambda torch: torch.tensor([[1, 2], [3, 4.0]]),
    "nested_3d": lambda torch: torch.tensor([[[1.0], [2.0]], [[3.0], [4.0]]]),
    "tuple": lambda torch: torch.tensor((1, 2, 3)),
    "empty_list": lambda torch: torch.tensor([]),
    "empty_nested": lambda torch: torch.tensor([[], []]),
    "list_of_0d_tensors": lambda torch: torch.tensor([torch.tensor(1.0), torch.tensor(2.0)]),
    "dtype_float64": lambda torch: torch.tensor([1, 2], dtype=torch.float64),
    "dtype_int32_truncates": lambda torch: torch.tensor([1.7, -2.7], dtype=torch.int32),
    "dtype_bool": lambda torch: torch.tensor([0, 2], dtype=torch.bool),
    "dtype_float16": lambda torch: torch.tensor([1.5], dtype=torch.float16),
    "numpy_float64_scalar": lambda torch: torch.tensor(np.float64(1.5)),
    "numpy_float32_scalar": lambda torch: torch.tensor(np.float32(1.5)),
    "numpy_int32_scalar": lambda torch: torch.tensor(np.int32(3)),
    "numpy_bool_scalar": lambda torch: torch.tensor(np.bool_(True)),
    "big_int": lambda torch: torch.tensor([2 ** 40, 1]),
}


@pytest.mark.parametrize("name", sorted(TENSOR_CASES))
def test_tensor_dtype_inference(name):
    same(TENSOR_CASES[name], exact=True)


NUMPY_DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_]


@pytest.mark.parametrize("np_dtype", NUMPY_DTYPES, ids=lambda d: np.dtype(d).name)
def test_tensor_from_numpy_array_keeps_its_dtype(np_dtype):
    a = np.array([[0, 1, 2], [3, 4, 5]]).astype(np_dtype)
    g = same(lambda torch: torch.tensor(a), exact=True)
    assert not np.shares_memory(g.numpy(), a)  # tensor() copies
    same(lambda torch: torch.from_numpy(a), exact=True)
    same(lambda torch: torch.as_tensor(a), exact=True)


def test_tensor_infers_dtype_of_numpy_scalars_in_lists():
    # PyTorch promotes the dtypes of NumPy scalars inside a list like tensor dtypes: [np.float64(1), 2] is
    # float64, [np.float16(1), np.int64(2)] float16. (Lists like these come from e.g. [a.mean(), b.mean()].)
    same(lambda torch: torch.tensor([np.float64(1.5), np.float64(2.0)]), exact=True)
    same(lambda torch: torch.tensor([np.float64(1.5), 2]), exact=True)
    same(lambda torch: torch.tensor([np.int32(1), np.int32(2)]), exact=True)
    same(lambda torch: torch.tensor([np.float16(1.0), np.int64(2)]), exact=True)
    same(lambda torch: torch.tensor([[np.float64(1.0)], [2]]), exact=True)


def test_tensor_copies_and_requires_grad():
    src = glasstorch.tensor([1.0, 2.0])
    t = glasstorch.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad_fn is None and t.grad is None
    assert not glasstorch.tensor(src).numpy() is src.numpy()
    assert not np.shares_memory(glasstorch.tensor(src).numpy(), src.numpy())
    with pytest.raises(RuntimeError, match="floating point"):
        glasstorch.tensor([1, 2], requires_grad=True)


def test_tensor_rejects_what_it_cannot_hold():
    with pytest.raises(TypeError):
        glasstorch.tensor("abc")
    with pytest.raises(TypeError):
        glasstorch.from_numpy([1, 2])  # a list is not an ndarray
    with pytest.raises(TypeError):
        glasstorch.from_numpy(np.array([object()]))


# -- memory sharing --------------------------------------------------------------------------------------
def test_from_numpy_shares_memory():
    a = np.zeros(3, dtype=np.float32)
    t = glasstorch.from_numpy(a)
    a[0] = 5.0
    assert t.tolist() == [5.0, 0.0, 0.0]
    t.numpy()[1] = 7.0
    assert a.tolist() == [5.0, 7.0, 0.0]
    assert np.shares_memory(t.numpy(), a)


def test_as_tensor_shares_memory_unless_it_must_convert():
    a = np.arange(3.0)  # float64
    t = glasstorch.as_tensor(a)
    a[0] = -1.0
    assert t.dtype == glasstorch.float64 and t.tolist() == [-1.0, 1.0, 2.0]
    converted = glasstorch.as_tensor(a, dtype=glasstorch.float32)
    assert converted.dtype == glasstorch.float32 and not np.shares_memory(converted.numpy(), a)
    x = glasstorch.ones(2)
    assert glasstorch.as_tensor(x) is x  # a tensor of the right dtype is returned as is (as in PyTorch)
    assert glasstorch.asarray([1, 2]).dtype == glasstorch.int64


# -- zeros / ones / empty / full ----------------------------------------------------------------------------
SIZES = {
    "varargs": ((2, 3), (2, 3)),
    "tuple": (((2, 3),), (2, 3)),
    "list": (([2, 3],), (2, 3)),
    "one_int": ((4,), (4,)),
    "zero_dim": (((),), ()),
    "zero_size": ((0, 3), (0, 3)),
}


@pytest.mark.parametrize("form", sorted(SIZES))
@pytest.mark.parametrize("factory", ["zeros", "ones", "empty"])
def test_zeros_ones_empty_sizes(factory, form):
    args, shape = SIZES[form]
    t = getattr(torch, factory)(*args)
    g = getattr(glasstorch, factory)(*args)
    assert tuple(g.shape) == tuple(t.shape) == shape
    assert g.dtype == glasstorch.float32
    if factory != "empty":
        np.testing.assert_array_equal(g.numpy(), t.numpy())


@pytest.mark.parametrize("factory", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("dtype", ["float64", "float16", "int64", "int32", "uint8", "bool"])
def test_zeros_ones_empty_dtypes(factory, dtype):
    g = getattr(glasstorch, factory)(2, 3, dtype=getattr(glasstorch, dtype))
    t = getattr(torch, factory)(2, 3, dtype=getattr(torch, dtype))
    assert dtype_name(g) == dtype_name(t) == dtype
    if factory != "empty":
        np.testing.assert_array_equal(g.numpy(), t.numpy())


def test_size_object_as_size():
    assert glasstorch.zeros(glasstorch.Size([2, 3])).shape == (2, 3)
    assert glasstorch.ones(glasstorch.ones(4, 5).shape).shape == glasstorch.Size([4, 5])
    assert glasstorch.zeros(2, 3, requires_grad=True).requires_grad


FULL_CASES = {
    "float_fill": lambda torch: torch.full((2, 3), 1.5),
    "int_fill": lambda torch: torch.full((2,), 7),
    "bool_fill": lambda torch: torch.full([2, 2], True),
    "int_fill_float_dtype": lambda torch: torch.full((2,), 3, dtype=torch.float64),
    "float_fill_int_dtype": lambda torch: torch.full((2,), 1.7, dtype=torch.int64),
    "tensor_fill": lambda torch: torch.full([2], torch.tensor(3.5)),
    "zero_dim": lambda torch: torch.full((), -2.5),
}


@pytest.mark.parametrize("name", sorted(FULL_CASES))
def test_full(name):
    same(FULL_CASES[name], exact=True)


# -- arange / linspace / logspace / eye ------------------------------------------------------------------
ARANGE_CASES = {
    "end": (5,), "start_end": (1, 4), "step": (0, 10, 3), "negative_step": (5, 0, -1), "negative_step_3": (10, 0, -3),
    "float_end": (5.0,), "float_start": (0.5, 3), "float_step": (0, 1, 0.1), "float_step_2": (1, 2.5, 0.5),
    "negative_float_step": (0, -1, -0.1), "quarter_steps": (-1, 1, 0.25), "third_steps": (0, 1, 1 / 3),
    "step_2_5": (0, 10, 2.5), "inexact_end": (0, 0.3, 0.1), "inexact_end_2": (1, 1.3, 0.1), "empty": (3, 3),
    "zero": (0,), "big_float_steps": (-1.5, 2, 0.7),
}


@pytest.mark.parametrize("name", sorted(ARANGE_CASES))
def test_arange_length_dtype_values(name):
    args = ARANGE_CASES[name]
    g = same(lambda torch: torch.arange(*args))
    assert len(g) == len(torch.arange(*args))


def test_arange_0_1_by_tenths_has_ten_elements():
    assert glasstorch.arange(0, 1, 0.1).shape == (10,)
    assert glasstorch.arange(0, 1, 0.1).dtype == glasstorch.float32


@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "int64"])
def test_arange_with_dtype(dtype):
    same(lambda torch: torch.arange(0, 7, 2, dtype=getattr(torch, dtype)))
    same(lambda torch: torch.arange(-3, 3, dtype=getattr(torch, dtype)))


def test_arange_tensor_arguments_and_keyword_requires_grad():
    same(lambda torch: torch.arange(torch.tensor(4)))
    a = glasstorch.arange(3.0, requires_grad=True)
    assert a.requires_grad and a.is_leaf


def test_arange_zero_step_raises():
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        glasstorch.arange(0, 5, 0)


def test_arange_step_of_wrong_sign_raises():
    # PyTorch: RuntimeError("upper bound and lower bound inconsistent with step sign"); glasstorch returns []
    for args in [(0, 5, -1), (5, 0, 1), (-3,)]:
        with pytest.raises(RuntimeError):
            torch.arange(*args)
        with pytest.raises(RuntimeError, match="inconsistent with step sign"):
            glasstorch.arange(*args)


SPACE_CASES = {
    "linspace_5": lambda torch: torch.linspace(0, 1, 5),
    "linspace_1": lambda torch: torch.linspace(-1, 1, 1),
    "linspace_0": lambda torch: torch.linspace(0, 1, 0),
    "linspace_odd": lambda torch: torch.linspace(-1.3, 2.9, 7),
    "linspace_100": lambda torch: torch.linspace(-1.3, 2.9, 100),
    "linspace_decreasing": lambda torch: torch.linspace(3, -3, 4),
    "linspace_float64": lambda torch: torch.linspace(0, 10, 4, dtype=torch.float64),
    "linspace_int64": lambda torch: torch.linspace(0, 10, 5, dtype=torch.int64),
    "linspace_tensors": lambda torch: torch.linspace(torch.tensor(0.0), torch.tensor(1.0), 3),
    "logspace": lambda torch: torch.logspace(0, 2, 3),
    "logspace_base2": lambda torch: torch.logspace(0, 3, 4, base=2),
    "logspace_negative": lambda torch: torch.logspace(-2, 1, 6),
    "logspace_float64": lambda torch: torch.logspace(-1.3, 2.9, 9, dtype=torch.float64),
}


@pytest.mark.parametrize("name", sorted(SPACE_CASES))
def test_linspace_logspace(name):
    same(SPACE_CASES[name])


EYE_CASES = {
    "square": lambda torch: torch.eye(3),
    "wide": lambda torch: torch.eye(2, 4),
    "tall": lambda torch: torch.eye(4, 2),
    "empty": lambda torch: torch.eye(0),
    "no_columns": lambda torch: torch.eye(2, 0),
    "int64": lambda torch: torch.eye(3, dtype=torch.int64),
    "bool": lambda torch: torch.eye(2, dtype=torch.bool),
}


@pytest.mark.parametrize("name", sorted(EYE_CASES))
def test_eye(name):
    same(EYE_CASES[name], exact=True)


def test_negative_sizes_raise_runtime_error():
    # PyTorch raises RuntimeError (not NumPy's ValueError)
    for make in (lambda lib: lib.zeros(-1), lambda lib: lib.ones(2, -1), lambda lib: lib.eye(-1),
                 lambda lib: lib.linspace(0, 1, -1)):
        with pytest.raises(RuntimeError):
            make(torch)
        with pytest.raises(RuntimeError):
            make(glasstorch)


# -- *_like -----------------------------------------------------------------------------------------------
LIKE_CASES = {
    "zeros_like_int": lambda torch: torch.zeros_like(torch.tensor([1, 2])),
    "zeros_like_float64": lambda torch: torch.zeros_like(torch.ones(2, 3, dtype=torch.float64)),
    "ones_like_dtype": lambda torch: torch.ones_like(torch.tensor([1.0, 2.0]), dtype=torch.float64),
    "ones_like_bool": lambda torch: torch.ones_like(torch.tensor([True])),
    "full_like_int_with_float": lambda torch: torch.full_like(torch.tensor([1, 2]), 2.7),
    "full_like_float_with_int": lambda torch: torch.full_like(torch.tensor([1.0, 2.0]), 7),
    "full_like_0d": lambda torch: torch.full_like(torch.tensor(1.0), -1.5),
    "empty_like_shape": lambda torch: torch.empty_like(torch.zeros(2, 3, dtype=torch.int32)).zero_(),
    "rand_like_shape": lambda torch: torch.rand_like(torch.zeros(2, 3)) * 0,
    "randn_like_float64": lambda torch: torch.randn_like(torch.zeros(4, dtype=torch.float64)) * 0,
    "randint_like_float": lambda torch: torch.randint_like(torch.zeros(2, 3), 5) * 0,
    "randint_like_int32": lambda torch: torch.randint_like(torch.zeros(3, dtype=torch.int32), 1, 2),
}


@pytest.mark.parametrize("name", sorted(LIKE_CASES))
def test_like(name):
    same(LIKE_CASES[name], exact=True)


def test_like_requires_grad():
    src = glasstorch.ones(2, requires_grad=True)
    assert not glasstorch.zeros_like(src).requires_grad  # like PyTorch: requires_grad is not inherited
    assert glasstorch.ones_like(glasstorch.ones(2), requires_grad=True).requires_grad
    assert glasstorch.rand_like(src, requires_grad=True).is_leaf


# -- random functions -------------------------------------------------------------------------------------
N = 100_000


def test_rand_shapes_dtypes_range_and_statistics():
    assert glasstorch.rand(2, 3).shape == (2, 3)
    assert glasstorch.rand((2, 3)).shape == glasstorch.rand([2, 3]).shape == (2, 3)
    assert glasstorch.rand(()).shape == () and glasstorch.rand(0).shape == (0,)
    assert glasstorch.rand(2).dtype == glasstorch.float32
    assert glasstorch.rand(2, dtype=glasstorch.float64).dtype == glasstorch.float64
    a = glasstorch.rand(N).numpy()
    assert a.min() >= 0.0 and a.max() < 1.0
    assert abs(a.mean() - 0.5) < 0.01
    assert abs(a.std() - (1 / 12) ** 0.5) < 0.01  # the std of U(0, 1) is 1/sqrt(12)
    assert glasstorch.rand(3, requires_grad=True).requires_grad


def test_randn_shapes_dtypes_and_statistics():
    assert glasstorch.randn(4, 5).shape == (4, 5)
    assert glasstorch.randn(glasstorch.Size([2, 3])).shape == (2, 3)
    assert glasstorch.randn(()).shape == ()
    assert glasstorch.randn(2).dtype == glasstorch.float32
    assert glasstorch.randn(2, dtype=glasstorch.float64).dtype == glasstorch.float64
    a = glasstorch.randn(N).numpy()
    assert abs(a.mean()) < 0.02 and abs(a.std() - 1.0) < 0.02
    assert np.isfinite(a).all()


def test_rand_randn_refuse_integer_dtypes():
    # PyTorch: NotImplementedError ("check_uniform_bounds" / "normal_kernel_cpu" not implemented for 'Long').
    for factory in ("rand", "randn"):
        with pytest.raises(NotImplementedError):
            getattr(torch, factory)(3, dtype=torch.int64)
        with pytest.raises(NotImplementedError):
            getattr(glasstorch, factory)(3, dtype=glasstorch.int64)


def test_randint_forms_dtypes_range():
    assert glasstorch.randint(10, (3,)).shape == (3,)
    assert glasstorch.randint(2, 10, (2, 3)).shape == (2, 3)
    assert glasstorch.randint(0, 2, [3, 2]).shape == (3, 2)
    assert glasstorch.randint(10, ()).shape == ()
    assert glasstorch.randint(10, (3,)).dtype == glasstorch.int64
    assert glasstorch.randint(0, 10, (3,), dtype=glasstorch.int32).dtype == glasstorch.int32
    assert glasstorch.randint(0, 10, (3,), dtype=glasstorch.float32).dtype == glasstorch.float32
    a = glasstorch.randint(-3, 4, (N,)).numpy()
    assert a.min() == -3 and a.max() == 3  # high is exclusive; every value in [-3, 4) turns up
    assert sorted(np.unique(a).tolist()) == list(range(-3, 4))
    assert abs(a.mean()) < 0.05
    assert glasstorch.randint(5, 6, (4,)).tolist() == [5, 5, 5, 5]


def test_randint_empty_range_raises_runtime_error():
    with pytest.raises(RuntimeError):
        torch.randint(5, 3, (2,))
    with pytest.raises(RuntimeError, match="from"):
        glasstorch.randint(5, 3, (2,))


def test_randperm():
    p = glasstorch.randperm(10)
    assert p.dtype == glasstorch.int64 and p.shape == (10,)
    assert sorted(p.tolist()) == list(range(10))
    assert glasstorch.randperm(0).shape == (0,) and glasstorch.randperm(0).dtype == glasstorch.int64
    assert glasstorch.randperm(1).tolist() == [0]
    assert glasstorch.randperm(5, dtype=glasstorch.float32).dtype == glasstorch.float32
    # over many draws every position sees every value about equally often
    counts = np.zeros((4, 4))
    for _ in range(2000):
        counts[np.arange(4), glasstorch.randperm(4).numpy()] += 1
    assert np.abs(counts / 2000 - 0.25).max() < 0.05


def test_normal_forms_and_statistics():
    a = glasstorch.normal(3.0, 2.0, size=(N,))
    assert a.dtype == glasstorch.float32 and a.shape == (N,)
    assert abs(a.numpy().mean() - 3.0) < 0.03 and abs(a.numpy().std() - 2.0) < 0.03
    assert glasstorch.normal(0.0, 1.0, (2, 3), dtype=glasstorch.float64).dtype == glasstorch.float64
    # tensor means / stds: elementwise, broadcast, dtype of the tensor argument (as PyTorch)
    same(lambda torch: torch.normal(torch.zeros(3), 1.0) * 0)
    same(lambda torch: torch.normal(2.0, torch.ones(3, dtype=torch.float64)) * 0)
    same(lambda torch: torch.normal(torch.zeros(2, 1), torch.ones(3)) * 0)
    m = glasstorch.from_numpy(np.repeat(np.array([[-10.0], [0.0], [10.0]], dtype=np.float32), N // 10, axis=1))
    s = glasstorch.from_numpy(np.full((3, N // 10), 0.5, dtype=np.float32))
    draws = glasstorch.normal(m, s).numpy()
    np.testing.assert_allclose(draws.mean(axis=1), [-10.0, 0.0, 10.0], atol=0.02)
    np.testing.assert_allclose(draws.std(axis=1), [0.5, 0.5, 0.5], atol=0.02)
    with pytest.raises(TypeError):
        glasstorch.normal(0.0, 1.0)  # numbers for mean and std need a size, as in PyTorch


# -- seeds and generators --------------------------------------------------------------------------------
DRAWS = {
    "rand": lambda **kw: glasstorch.rand(5, **kw),
    "randn": lambda **kw: glasstorch.randn(2, 3, **kw),
    "randint": lambda **kw: glasstorch.randint(0, 100, (6,), **kw),
    "randperm": lambda **kw: glasstorch.randperm(8, **kw),
    "normal": lambda **kw: glasstorch.normal(1.0, 2.0, (4,), **kw),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_manual_seed_reproduces_draws(name):
    glasstorch.manual_seed(123)
    first = DRAWS[name]().tolist()
    again = DRAWS[name]().tolist()
    glasstorch.manual_seed(123)
    assert DRAWS[name]().tolist() == first
    assert DRAWS[name]().tolist() == again
    assert first != again or name == "randperm"  # consecutive draws differ (randperm(8) might repeat)
    glasstorch.manual_seed(124)
    assert DRAWS[name]().tolist() != first


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_generator_reproduces_draws_and_leaves_default_alone(name):
    gen = glasstorch.Generator().manual_seed(7)
    glasstorch.manual_seed(0)
    expected_default = [glasstorch.rand(3).tolist() for _ in range(2)]
    glasstorch.manual_seed(0)
    first = glasstorch.rand(3).tolist()
    from_gen = DRAWS[name](generator=gen).tolist()  # drawing from gen must not advance the default
    second = glasstorch.rand(3).tolist()
    assert [first, second] == expected_default
    assert DRAWS[name](generator=glasstorch.Generator().manual_seed(7)).tolist() == from_gen
    glasstorch.manual_seed(7)  # the default generator with the same seed gives the same numbers
    assert DRAWS[name]().tolist() == from_gen


def test_generator_interface():
    assert isinstance(glasstorch.manual_seed(5), glasstorch.Generator)
    assert glasstorch.manual_seed(5) is glasstorch.default_generator
    assert glasstorch.initial_seed() == 5
    gen = glasstorch.Generator()
    assert gen.manual_seed(11) is gen and gen.initial_seed() == 11
    assert gen.device == "cpu" or str(gen.device) == "cpu"
    s = glasstorch.seed()
    assert isinstance(s, int) and glasstorch.initial_seed() == s


def test_rng_state_round_trip():
    state = glasstorch.get_rng_state()
    assert isinstance(state, glasstorch.Tensor) and state.dtype == glasstorch.uint8  # as torch.get_rng_state()
    a = glasstorch.randn(5).tolist()
    glasstorch.set_rng_state(state)
    assert glasstorch.randn(5).tolist() == a

    gen = glasstorch.Generator().manual_seed(3)
    gen_state = gen.get_state()
    b = glasstorch.rand(4, generator=gen).tolist()
    assert glasstorch.rand(4, generator=gen).tolist() != b
    gen.set_state(gen_state)
    assert glasstorch.rand(4, generator=gen).tolist() == b


def test_rand_in_place_fills_use_the_seed():
    glasstorch.manual_seed(9)
    a = glasstorch.empty(6).uniform_(-1, 1).tolist()
    glasstorch.manual_seed(9)
    assert glasstorch.empty(6).uniform_(-1, 1).tolist() == a
    assert all(-1 <= v < 1 for v in a)
    n = glasstorch.empty(N).normal_(5.0, 0.5).numpy()
    assert abs(n.mean() - 5.0) < 0.01 and abs(n.std() - 0.5) < 0.01


# -- dtype objects and promotion ----------------------------------------------------------------------------
def test_dtype_aliases():
    assert glasstorch.float is glasstorch.float32
    assert glasstorch.double is glasstorch.float64
    assert glasstorch.half is glasstorch.float16
    assert glasstorch.long is glasstorch.int64
    assert glasstorch.int is glasstorch.int32
    assert glasstorch.short is glasstorch.int16
    assert glasstorch.bool.name == "bool"
    assert repr(glasstorch.float32) == str(glasstorch.float32) == "torch.float32"
    assert repr(glasstorch.bool) == "torch.bool"


ALL_DTYPES = ["float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64", "bool"]


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_dtype_attributes(name):
    g, t = getattr(glasstorch, name), getattr(torch, name)
    assert (g.is_floating_point, g.is_signed, g.itemsize) == (t.is_floating_point, t.is_signed, t.itemsize)
    assert g.is_complex is False
    assert glasstorch.zeros(1, dtype=g).element_size() == torch.zeros(1, dtype=t).element_size()
    import copy
    assert copy.deepcopy(g) is g


PROMOTION_DTYPES = ["float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool"]


@pytest.mark.parametrize("a", PROMOTION_DTYPES)
@pytest.mark.parametrize("b", PROMOTION_DTYPES)
def test_promote_types_table(a, b):
    want = torch.promote_types(getattr(torch, a), getattr(torch, b))
    assert glasstorch.promote_types(getattr(glasstorch, a), getattr(glasstorch, b)).name == dtype_name(want)


def _operand(lib, dtype, kind):
    """A tensor with dimensions ("tensor"), a zero-dimensional tensor ("0-d"), or a Python number."""
    if kind == "tensor":
        return lib.ones(2, dtype=getattr(lib, dtype))
    if kind == "0-d":
        return lib.ones((), dtype=getattr(lib, dtype))
    return {"float": 2.5, "int": 2, "bool": True}[dtype]


OPERANDS = [(d, k) for d in PROMOTION_DTYPES for k in ("tensor", "0-d")] + [
    ("float", "python"), ("int", "python"), ("bool", "python")]


@pytest.mark.parametrize("a", OPERANDS, ids=lambda o: f"{o[0]}-{o[1]}")
def test_result_type_table(a):
    for b in OPERANDS:  # every pair (the inner loop keeps the test count readable)
        want = torch.result_type(_operand(torch, *a), _operand(torch, *b))
        got = glasstorch.result_type(_operand(glasstorch, *a), _operand(glasstorch, *b))
        assert got.name == dtype_name(want), f"result_type({a}, {b}) = {got}, PyTorch gives {want}"


def test_set_default_dtype_float64():
    assert glasstorch.get_default_dtype() is glasstorch.float32
    glasstorch.set_default_dtype(glasstorch.float64)  # (conftest restores float32 after each test)
    assert glasstorch.get_default_dtype() is glasstorch.float64
    assert glasstorch.tensor([1.5]).dtype == glasstorch.float64
    assert glasstorch.tensor([1, 2]).dtype == glasstorch.int64  # integers are untouched
    assert glasstorch.zeros(2).dtype == glasstorch.ones(2).dtype == glasstorch.empty(2).dtype == glasstorch.float64
    assert glasstorch.arange(0.0, 3).dtype == glasstorch.float64
    assert glasstorch.linspace(0, 1, 3).dtype == glasstorch.float64
    assert glasstorch.rand(2).dtype == glasstorch.randn(2).dtype == glasstorch.float64
    assert glasstorch.Tensor([1, 2]).dtype == glasstorch.float64
    assert glasstorch.result_type(glasstorch.tensor([1, 2]), 2.5) is glasstorch.float64
    with pytest.raises(TypeError):
        glasstorch.set_default_dtype(glasstorch.int64)
