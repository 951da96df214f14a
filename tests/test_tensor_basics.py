"""Tensor basics against PyTorch: repr, shape queries, conversion to Python and NumPy, dtype casts, the
device API (CPU only, with CPU-only PyTorch's errors), the legacy Tensor constructor, requires_grad rules
and deepcopy."""
import copy

import numpy as np
import pytest
import torch

import glasstorch


def glass_repr_of(torch_obj):
    """PyTorch's repr with glasstorch's module name: tensor([1], dtype=torch.int32) -> ...glasstorch.int32)."""
    return repr(torch_obj)


# -- repr ---------------------------------------------------------------------------------------------------
REPR_CASES = {
    "ints": lambda torch: torch.tensor([1, 2, 3]),
    "ints_of_different_widths": lambda torch: torch.tensor([-1, 20, 300]),
    "floats_with_decimals": lambda torch: torch.tensor([1.5, 2.25, -3.125]),
    "integral_floats": lambda torch: torch.tensor([1.0, 2.0, 3.0]),
    "integral_floats_negative": lambda torch: torch.tensor([-1.0, 0.0, 10.0]),
    "many_digits": lambda torch: torch.tensor([3.14159265, 2.71828]),
    "scientific_small": lambda torch: torch.tensor([1e-5, 1.0]),
    "scientific_large": lambda torch: torch.tensor([1e10, 1.0]),
    "wide_range": lambda torch: torch.tensor([0.001, 10.0]),
    "just_under_sci": lambda torch: torch.tensor([0.01, 10.0]),
    "bools": lambda torch: torch.tensor([True, False]),
    "bools_all_true": lambda torch: torch.tensor([True, True]),
    "empty": lambda torch: torch.tensor([]),
    "empty_with_size": lambda torch: torch.zeros(0, 3),
    "float64": lambda torch: torch.tensor([1.5, 2.0], dtype=torch.float64),
    "float64_integral": lambda torch: torch.tensor([1.0, 2.0], dtype=torch.float64),
    "int32": lambda torch: torch.tensor([1, 2], dtype=torch.int32),
    "uint8": lambda torch: torch.tensor([1, 2], dtype=torch.uint8),
    "float16": lambda torch: torch.tensor([1.5], dtype=torch.float16),
    "requires_grad": lambda torch: torch.tensor([1.5, 2.0], requires_grad=True),
    "requires_grad_float64": lambda torch: torch.tensor([1.5], dtype=torch.float64, requires_grad=True),
    "grad_fn_mul": lambda torch: torch.tensor([1.5, 2.0], requires_grad=True) * 2,
    "grad_fn_add": lambda torch: torch.tensor([1.5, 2.0], requires_grad=True) + 1,
    "grad_fn_tanh": lambda torch: torch.tensor([0.5], requires_grad=True).tanh(),
    "2d": lambda torch: torch.tensor([[1.5, 2.0], [3.0, -4.25]]),
    "2d_ints": lambda torch: torch.tensor([[1, 22], [333, 4]]),
    "3d": lambda torch: torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[4.0, 5.0], [6.0, 7.5]]]),
    "0d": lambda torch: torch.tensor(3.5),
    "0d_int": lambda torch: torch.tensor(7),
    "0d_integral": lambda torch: torch.tensor(2.0),
    "0d_bool": lambda torch: torch.tensor(True),
    "nan": lambda torch: torch.tensor([float("nan"), 1.5]),
    "nan_and_decimals": lambda torch: torch.tensor([float("nan"), 1.5, 100.0]),
    "zeros": lambda torch: torch.tensor([0.0, 0.0]),
    "long_row_wraps": lambda torch: torch.tensor([0.1 * i for i in range(12)]),
    "big_ints": lambda torch: torch.tensor([123456789, 1]),
    "large_floats": lambda torch: torch.tensor([123456.5, 1.0]),
    # the finer points of PyTorch's printing rules:
    "empty_int64": lambda torch: torch.tensor([], dtype=torch.int64),  # PyTorch names a non-default dtype
    "empty_bool_with_size": lambda torch: torch.zeros(0, 2, dtype=torch.bool),
    "integral_with_inf": lambda torch: torch.tensor([float("inf"), -float("inf"), 1.0]),  # width of inf
    "integral_ratio_over_1000": lambda torch: torch.tensor([1.0, 1001.0]),  # PyTorch switches to 1.0010e+03
    "2d_wraps_at_80_columns": lambda torch: torch.tensor([[0.125 * i * j for i in range(10)] for j in range(3)]),
}


@pytest.mark.parametrize("name", sorted(REPR_CASES))
def test_repr_matches_pytorch(name):
    make = REPR_CASES[name]
    assert repr(make(glasstorch)) == glass_repr_of(make(torch))


def test_repr_under_default_float64():
    # With set_default_dtype(float64), float64 becomes the unnamed dtype and float32 gets named.
    for lib in (torch, glasstorch):
        lib.set_default_dtype(lib.float64)
    try:
        for make in (lambda torch: torch.tensor([1.5]), lambda torch: torch.tensor([1.5], dtype=torch.float32),
                     lambda torch: torch.tensor([1, 2]), lambda torch: torch.zeros(2, requires_grad=True)):
            assert repr(make(glasstorch)) == glass_repr_of(make(torch))
    finally:
        torch.set_default_dtype(torch.float32)


def test_str_and_print_match_repr():
    t = glasstorch.tensor([1.5, 2.0])
    assert str(t) == repr(t) == "tensor([1.5000, 2.0000])"


def test_format_of_zero_dim_tensor_is_the_number():
    # PyTorch formats a 0-d tensor as its number, with or without a format spec:
    #     f"loss {loss}" -> "loss 0.25", f"{loss:.2f}" -> "0.25"
    for lib in (torch, glasstorch):
        x = lib.tensor(2.5)
        assert f"{x:.2f}" == "2.50"
        assert f"{x}" == "2.5", lib.__name__
        assert f"{lib.tensor([1.5, 2.0])}" == str(lib.tensor([1.5, 2.0]))


# -- shape queries --------------------------------------------------------------------------------------------
def test_shape_size_dim_numel_len():
    for lib in (torch, glasstorch):
        t = lib.zeros(4, 2, 3)
        assert t.shape == (4, 2, 3) and t.size() == (4, 2, 3)
        assert t.size(0) == 4 and t.size(-1) == 3 and t.size(1) == 2
        assert t.dim() == t.ndim == t.ndimension() == 3
        assert t.numel() == t.nelement() == 24 and lib.numel(t) == 24
        assert len(t) == 4
        assert t.shape[1:] == (2, 3)
        assert lib.zeros(()).dim() == 0 and lib.zeros(()).numel() == 1 and lib.zeros(()).shape == ()
    g = glasstorch.zeros(4, 2)
    assert isinstance(g.shape, glasstorch.Size) and isinstance(g.shape, tuple)
    assert repr(g.shape) == "torch.Size([4, 2])"
    assert isinstance(g.shape[1:], glasstorch.Size) and g.shape.numel() == 8
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2"):
        g.size(2)
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(glasstorch.tensor(1.0))


# -- conversion to Python and NumPy ----------------------------------------------------------------------
def test_item():
    assert glasstorch.tensor(2.5).item() == 2.5 and isinstance(glasstorch.tensor(2.5).item(), float)
    assert glasstorch.tensor([[7]]).item() == 7 and isinstance(glasstorch.tensor([[7]]).item(), int)
    assert glasstorch.tensor([True]).item() is True
    assert glasstorch.tensor(1.1).item() == torch.tensor(1.1).item()  # the float32 value, widened
    for lib in (torch, glasstorch):
        with pytest.raises(RuntimeError, match="a Tensor with 6 elements cannot be converted to Scalar"):
            lib.ones(2, 3).item()


def test_tolist():
    for make in (lambda torch: torch.tensor([[1.5, 2.0], [3.0, 4.0]]), lambda torch: torch.tensor(2),
                 lambda torch: torch.tensor([True, False]), lambda torch: torch.tensor([], dtype=torch.int64),
                 lambda torch: torch.tensor([1, 2], dtype=torch.uint8)):
        got, want = make(glasstorch).tolist(), make(torch).tolist()
        assert got == want and type(got) is type(want)
        if isinstance(want, list) and want:
            assert type(got[0]) is type(want[0])


def test_numpy_shares_memory_and_refuses_tensors_that_require_grad():
    t = glasstorch.ones(3)
    n = t.numpy()
    n[0] = 4.0
    assert t.tolist() == [4.0, 1.0, 1.0]
    assert n.dtype == np.float32
    x = glasstorch.ones(2, requires_grad=True)
    for lib_x in (torch.ones(2, requires_grad=True), x):
        with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
            lib_x.numpy()
    d = x.detach().numpy()
    assert np.shares_memory(d, x.detach().numpy())
    assert np.asarray(glasstorch.tensor([1, 2])).tolist() == [1, 2]


def test_python_number_conversions():
    for lib in (torch, glasstorch):
        assert int(lib.tensor(2.7)) == 2 and int(lib.tensor(-2.7)) == -2
        assert float(lib.tensor([3])) == 3.0
        assert bool(lib.tensor([0.5])) is True and bool(lib.tensor(0)) is False
        assert [10, 20, 30][lib.tensor(1)] == 20  # __index__
        with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
            bool(lib.ones(2))


def test_float_and_int_of_multi_element_tensor_raise_value_error():
    # float()/int() raise ValueError, unlike item()'s RuntimeError
    for lib in (torch, glasstorch):
        with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
            float(lib.ones(2))
        with pytest.raises(ValueError, match="only one element tensors can be converted to Python scalars"):
            int(lib.ones(2))


def test_bool_of_empty_tensor_message():
    for lib in (torch, glasstorch):
        with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is ambiguous"):
            bool(lib.ones(0))


# -- dtype casts ------------------------------------------------------------------------------------------
CAST_CASES = {
    "float": lambda torch: torch.tensor([1, 2]).float(),
    "long_truncates": lambda torch: torch.tensor([1.7, -2.7]).long(),
    "double": lambda torch: torch.tensor([1, 2]).double(),
    "half": lambda torch: torch.tensor([1.5, 2]).half(),
    "int": lambda torch: torch.tensor([1.5, -2.5]).int(),
    "short": lambda torch: torch.tensor([3.0]).short(),
    "byte": lambda torch: torch.tensor([3.0, 200.0]).byte(),
    "char": lambda torch: torch.tensor([3.0, -100.0]).char(),
    "bool": lambda torch: torch.tensor([0.0, 2.0, -0.5]).bool(),
    "bool_to_float": lambda torch: torch.tensor([True, False]).float(),
    "to_dtype": lambda torch: torch.tensor([1, 2]).to(torch.float64),
    "to_dtype_keyword": lambda torch: torch.tensor([1, 2]).to(dtype=torch.float16),
    "to_cpu": lambda torch: torch.tensor([1, 2]).to("cpu"),
    "to_device_dtype": lambda torch: torch.tensor([1, 2]).to(torch.device("cpu"), torch.float32),
    "to_keywords": lambda torch: torch.tensor([1, 2]).to(device="cpu", dtype=torch.float64),
    "to_other_tensor": lambda torch: torch.tensor([1, 2]).to(torch.zeros(1, dtype=torch.float64)),
    "type_as": lambda torch: torch.tensor([1, 2]).type_as(torch.ones(1, dtype=torch.float64)),
    "type_dtype": lambda torch: torch.tensor([1.9, 2]).type(torch.int64),
}


@pytest.mark.parametrize("name", sorted(CAST_CASES))
def test_casts(name):
    g, t = CAST_CASES[name](glasstorch), CAST_CASES[name](torch)
    assert repr(g) == glass_repr_of(t)


def test_casts_return_self_when_nothing_changes():
    for lib in (torch, glasstorch):
        x = lib.ones(3)
        assert x.to("cpu") is x and x.to(lib.float32) is x and x.float() is x and x.cpu() is x
        assert x.to(lib.float64) is not x
        assert x.to(lib.float32, copy=True) is not x


def test_type_names():
    for make in (lambda torch: torch.tensor([1, 2]), lambda torch: torch.tensor([1.5]),
                 lambda torch: torch.tensor([1.5], dtype=torch.float64), lambda torch: torch.tensor([True])):
        assert make(glasstorch).type() == make(torch).type()


# -- device API -------------------------------------------------------------------------------------------
def test_device_objects():
    for lib in (torch, glasstorch):
        cpu = lib.device("cpu")
        assert lib.ones(2).device == cpu and lib.ones(2).device.type == "cpu"
        assert str(cpu) == "cpu" and repr(cpu) == "device(type='cpu')"
        assert lib.device("cpu").index is None
        cuda1 = lib.device("cuda", 1)
        assert str(cuda1) == "cuda:1" and repr(cuda1) == "device(type='cuda', index=1)"
        assert lib.device("cuda:0") == lib.device("cuda", 0) and lib.device("cuda:0").index == 0
        assert lib.device(cpu) == cpu
        assert len({lib.device("cpu"), lib.device("cpu")}) == 1
        assert lib.ones(1).get_device() == -1 and lib.ones(1).is_cuda is False
    with pytest.raises(RuntimeError):
        glasstorch.device("gpu")


def test_no_cuda_no_accelerator():
    for lib in (torch, glasstorch):
        assert lib.cuda.is_available() is False and lib.cuda.device_count() == 0
        assert lib.accelerator.is_available() is False
        assert lib.accelerator.current_accelerator() is None


def test_the_usual_device_line_runs_on_cpu():
    for lib in (torch, glasstorch):
        device = lib.device("cuda" if lib.cuda.is_available() else "cpu")
        x = lib.ones(2, 3).to(device)
        assert x.device == device and x.device.type == "cpu"
        assert lib.zeros(2, device=device).device == device
        assert lib.tensor([1.0], device="cpu").device == device


CUDA_REQUESTS = {
    "to_str": lambda lib: lib.ones(2).to("cuda"),
    "to_device": lambda lib: lib.ones(2).to(lib.device("cuda")),
    "to_device_dtype": lambda lib: lib.ones(2).to("cuda", lib.float64),
    "cuda_method": lambda lib: lib.ones(2).cuda(),
    "zeros": lambda lib: lib.zeros(2, device="cuda"),
    "tensor": lambda lib: lib.tensor([1.0], device="cuda:0"),
}


@pytest.mark.parametrize("name", sorted(CUDA_REQUESTS))
def test_cuda_tensors_raise_assertion_error_like_cpu_only_pytorch(name):
    for lib in (torch, glasstorch):
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            CUDA_REQUESTS[name](lib)


# -- legacy constructor, requires_grad, deepcopy ----------------------------------------------------------
def test_legacy_tensor_constructor():
    g, t = glasstorch.Tensor(2, 3), torch.Tensor(2, 3)
    assert g.shape == t.shape == (2, 3) and g.dtype == glasstorch.float32
    assert repr(glasstorch.Tensor([1, 2])) == glass_repr_of(torch.Tensor([1, 2])) == "tensor([1., 2.])"
    assert repr(glasstorch.Tensor([[1, 2], [3, 4]])) == glass_repr_of(torch.Tensor([[1, 2], [3, 4]]))
    assert repr(glasstorch.Tensor()) == glass_repr_of(torch.Tensor()) == "tensor([])"
    assert isinstance(glasstorch.ones(1), glasstorch.Tensor) and glasstorch.is_tensor(glasstorch.ones(1))
    assert not glasstorch.is_tensor([1.0])


def test_legacy_tensor_constructor_with_a_size():
    # torch.Tensor(torch.Size([4])) is an uninitialized tensor of shape (4,), like torch.Tensor(4), not tensor([4.])
    assert torch.Tensor(torch.Size([4])).shape == (4,)
    assert glasstorch.Tensor(glasstorch.Size([4])).shape == (4,)
    assert glasstorch.Tensor(glasstorch.zeros(2, 3).shape).shape == (2, 3)


def test_requires_grad_rules():
    for lib in (torch, glasstorch):
        with pytest.raises(RuntimeError, match="only Tensors of floating point"):
            lib.tensor([1, 2]).requires_grad_()
        with pytest.raises(RuntimeError, match="(?i)only Tensors of floating point"):
            lib.zeros(2, dtype=lib.int64, requires_grad=True)
        with pytest.raises(RuntimeError, match="only Tensors of floating point"):
            lib.tensor([1]).requires_grad = True
        with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf variables"):
            (lib.ones(1, requires_grad=True) * 2).requires_grad_(False)
        x = lib.ones(2)
        assert x.requires_grad_() is x and x.requires_grad and x.is_leaf
        assert (x * 2).requires_grad and not (x * 2).is_leaf
        x.requires_grad = False
        assert not x.requires_grad
        assert lib.ones(1, requires_grad=True).detach().requires_grad is False


def test_deepcopy_of_a_leaf():
    for lib in (torch, glasstorch):
        x = lib.tensor([1.5, -2.0], requires_grad=True)
        x.grad = lib.tensor([0.5, 0.25])
        y = copy.deepcopy(x)
        assert y is not x and y.requires_grad and y.is_leaf and y.grad_fn is None
        assert y.tolist() == x.tolist() and y.grad.tolist() == [0.5, 0.25]
        assert not np.shares_memory(y.detach().numpy(), x.detach().numpy())
        assert copy.deepcopy([x, x])[0] is not x
        with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
            copy.deepcopy(x * 2)
