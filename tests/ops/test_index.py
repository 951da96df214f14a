"""Indexing ops against PyTorch: x[key], x[key] = v, gather/scatter, index_select/index_fill, masked ops,
take, sort/topk, tril/triu, nonzero, unique, one_hot; values, shapes, dtypes, gradients and errors."""
import warnings

import numpy as np
import pytest
import torch as TORCH
from hypothesis import given, settings, strategies as st

from parity import Const, check, check_error, gradcheck

import glasstorch
from glasstorch.ops import index as gt_index

I64 = np.int64


def ix(*values):
    """An int64 index array (becomes a non-grad int64 tensor in both libraries)."""
    return np.array(values, dtype=I64)


def one_hot(lib):
    return TORCH.nn.functional.one_hot if lib is TORCH else gt_index.one_hot


# ---------------------------------------------------------------------------------------------------
# x[key]
# ---------------------------------------------------------------------------------------------------
GETITEM = {
    "int": lambda torch, x: x[1],
    "negative_ints": lambda torch, x: x[-1, -2],
    "all_ints": lambda torch, x: x[1, 2, 3],
    "slice": lambda torch, x: x[1:],
    "steps": lambda torch, x: x[::2, 1::3],
    "negative_bounds": lambda torch, x: x[-2:, :-1],
    "none_ellipsis": lambda torch, x: x[1:, None, ..., 0],
    "ellipsis_middle": lambda torch, x: x[0, ..., 1:3],
    "ellipsis_only": lambda torch, x: x[...],
    "empty_slice": lambda torch, x: x[2:1],
    "slice_past_end": lambda torch, x: x[1:100, 3:],
    "none_only": lambda torch, x: x[None],
    "list": lambda torch, x: x[[0, 2]],
    "list_repeated": lambda torch, x: x[[0, 0, 2, 0]],
    "tensor_2d": lambda torch, x: x[torch.tensor([[0, 1], [1, 2], [2, 2]])],
    "tensor_negative": lambda torch, x: x[torch.tensor([-1, 0, -1])],
    "tensor_int32": lambda torch, x: x[torch.tensor([0, 2], dtype=torch.int32)],
    "tensor_0d": lambda torch, x: x[torch.tensor(1)],
    "tensor_0d_with_slice": lambda torch, x: x[1:, torch.tensor(2)],
    "two_arrays": lambda torch, x: x[[0, 1, 1], [2, 0, 2]],
    "two_arrays_repeated": lambda torch, x: x[[0, 0, 0], [1, 1, 1]],
    "arrays_broadcast": lambda torch, x: x[torch.tensor([[0], [2]]), torch.tensor([1, 3])],
    "arrays_separated": lambda torch, x: x[[0, 1], :, [1, 2]],
    "array_after_slice": lambda torch, x: x[:, [3, 0, 3]],
    "array_then_int": lambda torch, x: x[:, [0, 1], 2],
    "int_slice_array": lambda torch, x: x[0, :, [1, 2, 1]],        # PyTorch: int applied first
    "array_slice_int": lambda torch, x: x[[2, 0], :, 1],
    "none_int_slice_array": lambda torch, x: x[None, 1, 1:, [4, 0]],
    "ellipsis_array_int": lambda torch, x: x[..., [1, 0], 3],
    "tensor0d_slice_array": lambda torch, x: x[torch.tensor(1), :, torch.tensor([0, 1])],
    "empty_list": lambda torch, x: x[[]],
    "empty_tensor": lambda torch, x: x[:, torch.tensor([], dtype=torch.long)],
    "mask_full": lambda torch, x: x[x > 0],
    "mask_rows": lambda torch, x: x[torch.tensor([True, False, True])],
    "mask_2d_then_slice": lambda torch, x: x[x[:, :, 0] > 0, 1:],
    "mask_after_int": lambda torch, x: x[1, x[1] < 0],
    "mask_after_slice": lambda torch, x: x[:, torch.tensor([True, False, True, True])],
    "mask_all_false": lambda torch, x: x[torch.zeros(3, dtype=torch.bool)],
    "mask_and_array": lambda torch, x: x[torch.tensor([True, False, True]), [1, 3]],
    "bool_list": lambda torch, x: x[[True, False, True]],
    "mask_0d": lambda torch, x: x[torch.tensor(True)],
    "python_true": lambda torch, x: x[True],
    "python_false": lambda torch, x: x[False],
}


@pytest.mark.parametrize("name", sorted(GETITEM))
def test_getitem(name):
    check(GETITEM[name], (3, 4, 5))


@pytest.mark.parametrize("name", ["int", "steps", "two_arrays_repeated", "int_slice_array", "mask_full"])
def test_getitem_float64_and_noncontiguous(name):
    check(GETITEM[name], (3, 4, 5), dtype=np.float64)
    check(GETITEM[name], (3, 4, 5), noncontiguous=True)


def test_getitem_four_dims_reordering():
    # advanced indices separated by an int: PyTorch applies the int first, so idx's dims stay in place
    check(lambda torch, x: x[:, [0, 1], :, 0], (2, 3, 4, 5))
    check(lambda torch, x: x[0, :, [1, 2], :], (2, 3, 4, 5))
    check(lambda torch, x: x[:, 1, :, [[0, 4], [2, 2]]], (2, 3, 4, 5))
    check(lambda torch, x: x[0, None, :, torch.tensor([[True, False, True, False, True]] * 4)], (2, 3, 4, 5))
    check(lambda torch, x: x[[1, 0], :, 2, [3, 3]], (2, 3, 4, 5))  # separated arrays: dims go first


@pytest.mark.filterwarnings("ignore")
def test_getitem_list_treated_as_tuple():
    # a short list holding lists/slices/tensors indexes like a tuple (PyTorch keeps NumPy's old rule)
    check(lambda torch, x: x[[[0, 1], [1, 2]]], (3, 4, 5))
    check(lambda torch, x: x[[0, slice(None)]], (3, 4, 5))
    # a long list is an index tensor
    check(lambda torch, x: x[[0, 1] * 20], (3, 4, 5))


@pytest.mark.filterwarnings("ignore")
def test_getitem_uint8_mask():
    check(lambda torch, x: x[torch.tensor([1, 0, 1], dtype=torch.uint8)], (3, 4))


def test_getitem_index_inputs():
    check(lambda torch, x, i: x[i], (4, 3), ix(3, 0, 3, 3))
    check(lambda torch, x, i, j: x[i, j], (4, 3), ix([0, 1], [3, 3]), ix(2, 0))
    check(lambda torch, x, i: x[:, i], (4, 3), ix([[0, 2], [1, 1]]))
    check(lambda torch, x, m: x[m], (4, 3), np.array([True, False, False, True]))


def test_getitem_0d_and_1d():
    check(lambda torch, x: x[None], ())
    check(lambda torch, x: x[...], ())
    check(lambda torch, x: x[2], (5,))
    check(lambda torch, x: x[-1:], (5,))


def test_getitem_embedding_style_repeated_rows():
    rng = np.random.default_rng(0)
    check(lambda torch, w, i: w[i], (50, 8), rng.integers(-50, 50, (6, 7)).astype(I64))


def test_basic_index_is_a_view():
    for lib in (TORCH, glasstorch):
        x = lib.zeros(3, 4)
        row, col, elem = x[1], x[:, 2], x[0, 3]
        row.fill_(1.0)
        col.fill_(2.0)
        elem.fill_(3.0)
        assert x.tolist() == [[0, 0, 2, 3], [1, 1, 2, 1], [0, 0, 2, 0]], lib
    x = glasstorch.zeros(3, 4, requires_grad=True)
    assert np.shares_memory(x[1:, ::2].detach().numpy(), x.detach().numpy())
    assert np.shares_memory(x[:, 0].detach().numpy(), x.detach().numpy())
    assert np.shares_memory(x[1, 2].detach().numpy(), x.detach().numpy())


def test_advanced_index_is_a_copy():
    x = glasstorch.zeros(3, 4)
    y = x[[0, 1]]
    y.fill_(1.0)
    assert x.numpy().sum() == 0


def test_getitem_integer_and_bool_tensors():
    check(lambda torch: torch.arange(12).reshape(3, 4)[1:, [0, 3]], grad=False)
    check(lambda torch: torch.tensor([True, False, True])[[2, 0]], grad=False)
    check(lambda torch: torch.arange(5)[torch.tensor([True, False, True, False, True])], grad=False)


GETITEM_ERRORS = [
    (lambda torch, x: x[3], IndexError, "index 3 is out of bounds for dimension 0 with size 3"),
    (lambda torch, x: x[:, -5], IndexError, "out of bounds for dimension 1 with size 4"),
    (lambda torch, x: x[::-1], ValueError, "step must be greater than zero"),
    (lambda torch, x: x[:, ::0], ValueError, "slice step cannot be zero"),
    (lambda torch, x: x[0, 0, 0], IndexError, "too many indices for tensor of dimension 2"),
    (lambda torch, x: x[torch.tensor([0.5])], IndexError, "tensors used as indices must be long, int, byte or bool"),
    (lambda torch, x: x[torch.tensor([0, 1], dtype=torch.int16)], IndexError, "tensors used as indices"),
    (lambda torch, x: x[torch.tensor([5])], IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda torch, x: x[1.5], IndexError, "only integers, slices"),
    (lambda torch, x: x[torch.tensor([True, False])], IndexError, None),
    (lambda torch, x: x[[0, 1], [0, 1, 2]], IndexError, "shape mismatch"),
    (lambda torch, x: x[0][0][0], IndexError, "invalid index of a 0-dim tensor"),
]


@pytest.mark.parametrize("case", range(len(GETITEM_ERRORS)))
def test_getitem_errors(case):
    fn, exc, match = GETITEM_ERRORS[case]
    check_error(fn, (3, 4), exc=exc, match=match)


def test_getitem_error_with_grad():
    x = glasstorch.zeros(3, requires_grad=True)
    with pytest.raises(IndexError, match="index 3 is out of bounds for dimension 0 with size 3"):
        x[[0, 3]]


def test_getitem_gradcheck():
    gradcheck(lambda torch, x: x[1:, None, ..., ::2], (3, 4, 5))
    gradcheck(lambda torch, x: x[[0, 0, 2], :, [1, 1, 3]], (3, 4, 5))
    gradcheck(lambda torch, x: x[0, :, [1, 1]], (3, 4, 5))
    gradcheck(lambda torch, x, i: x[i], (5, 3), ix([0, 4, 0], [4, 4, -1]))
    gradcheck(lambda torch, x: x[x > 0], (3, 4))


# hypothesis: random basic keys, and keys mixing ints, slices and index lists
def _slices(n):
    bound = st.one_of(st.none(), st.integers(-n - 2, n + 2))
    return st.builds(slice, bound, bound, st.one_of(st.none(), st.integers(1, 3)))


@st.composite
def basic_keys(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    key = []
    for n in shape[:draw(st.integers(0, len(shape)))]:
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis"]))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            key.append(draw(_slices(n)))
        elif kind == "none":
            key.extend([None, draw(_slices(n))])
        else:
            key.append(Ellipsis)  # the remaining dims
            break
    return shape, tuple(key)


@settings(max_examples=60, deadline=None)
@given(basic_keys())
def test_property_basic_keys(case):
    shape, key = case
    out = check(lambda torch, x: x[key], shape)
    if out.ndim:  # a basic index never copies
        assert out.numel() == 0 or out._array.base is not None


@st.composite
def mixed_keys(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=2, max_size=4)))
    key = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "list", "list", "none"]))
        if kind == "int":
            key.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            key.append(draw(_slices(n)))
        elif kind == "none":
            key.extend([None, slice(None)])
        else:
            key.append(draw(st.lists(st.integers(-n, n - 1), min_size=2, max_size=2)))
    return shape, tuple(key)


@settings(max_examples=60, deadline=None)
@given(mixed_keys())
def test_property_mixed_keys(case):
    shape, key = case
    check(lambda torch, x: x[key], shape)


# ---------------------------------------------------------------------------------------------------
# x[key] = value
# ---------------------------------------------------------------------------------------------------
def _setitem(x, key, value):
    y = x * 1
    y[key] = value
    return y * 2


@settings(max_examples=40, deadline=None)
@given(mixed_keys())
def test_property_setitem_mixed_keys(case):
    # a 0-d value: repeated positions get the same value, so the result does not depend on write order
    shape, key = case
    check(lambda torch, x, v: _setitem(x, key, v), shape, ())


SETITEM = {
    "row_vector": (lambda torch, x, v: _setitem(x, 1, v), (4,)),
    "slice_broadcast": (lambda torch, x, v: _setitem(x, (slice(None), 1), v), (1,)),
    "column_block": (lambda torch, x, v: _setitem(x, (slice(1, None), slice(0, 2)), v), (2, 1)),
    "leading_ones": (lambda torch, x, v: _setitem(x, slice(0, 2), v), (1, 1, 4)),
    "index_tensor": (lambda torch, x, v: _setitem(x, torch.tensor([2, 0]), v), (2, 4)),
    "repeated_index": (lambda torch, x, v: _setitem(x, torch.tensor([0, 0, 2]), v), (4,)),
    "two_arrays": (lambda torch, x, v: _setitem(x, ([0, 2], [1, 3]), v), (2,)),
    "mask": (lambda torch, x, v: _setitem(x, x > 0, v), ()),
    "mask_rows": (lambda torch, x, v: _setitem(x, torch.tensor([True, False, True]), v), (4,)),
    "int_slice_array": (lambda torch, x, v: _setitem(x, (0, slice(None)), v), (4,)),
    "scalar_element": (lambda torch, x, v: _setitem(x, (1, 2), v), ()),
    "empty_selection": (lambda torch, x, v: _setitem(x, torch.zeros(3, dtype=torch.bool), v), (4,)),
}


@pytest.mark.parametrize("name", sorted(SETITEM))
def test_setitem_gradients(name):
    fn, vshape = SETITEM[name]
    check(fn, (3, 4), vshape)


def test_setitem_reordered_key_with_grad():
    check(lambda torch, x, v: _setitem(x, (0, slice(None), [1, 2]), v), (2, 3, 4), (3, 2))
    check(lambda torch, x, v: _setitem(x, (slice(None), [0, 1], slice(None), 0), v), (2, 3, 4, 5), (2, 2, 4))


def test_setitem_number_and_float64():
    check(lambda torch, x: _setitem(x, (slice(None), 0), 3.5), (3, 4))
    check(lambda torch, x, v: _setitem(x, 0, v), (3, 4), (4,), dtype=np.float64)
    # a float64 value into a float32 tensor: the value's gradient stays float64
    check(lambda torch, x, v: _setitem(x, 0, v), (3, 4), np.arange(4.0))


def test_setitem_into_non_grad_tensor_with_grad_value():
    def fn(torch, v):
        x = torch.zeros(3, 4)
        x[1:, 2] = v
        return x * 3
    check(fn, (2,))


def test_setitem_gradcheck():
    gradcheck(lambda torch, x, v: _setitem(x, (slice(None), [0, 2]), v), (3, 4), (2,))
    gradcheck(lambda torch, x, v: _setitem(x, x > 0, v), (3, 4), ())


def test_setitem_leaf_rule():
    for lib in (TORCH, glasstorch):
        x = lib.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            x[0] = 1.0
        with lib.no_grad():
            x[0] = 1.0
            x[torch_index(lib)] = 2.0
        assert x.requires_grad and x.is_leaf and x.tolist() == [1.0, 2.0, 0.0]


def torch_index(lib):
    return lib.tensor([1])


def test_setitem_no_grad_writes_in_place():
    def fn(torch):
        x = torch.zeros(3, 4)
        row = x[1]
        x[1, 2] = 5.0
        x[:, 0] = torch.tensor([1.0, 2.0, 3.0])
        x[x > 4] = -1.0
        x[torch.tensor([0, 2]), 3] = torch.tensor(7.0)
        x[..., 1] = 0.5
        x[0, :, None] = torch.ones(4, 1)
        return x, row
    check(fn, grad=False)


def test_setitem_broadcast_no_grad():
    def fn(torch):
        x = torch.zeros(2, 3, 4)
        x[:, 1] = torch.arange(4.0)
        x[1] = torch.tensor([[9.0], [8.0], [7.0]])
        x[0, 1:] = torch.ones(1, 1, 4)
        return x
    check(fn, grad=False)


def test_setitem_integer_tensor_truncates():
    def fn(torch):
        x = torch.zeros(3, dtype=torch.int64)
        x[0] = 2.7
        x[1:] = torch.tensor([1.9, -1.9])
        return x
    check(fn, grad=False)


def test_setitem_shape_mismatch_with_grad():
    for lib in (TORCH, glasstorch):
        y = lib.zeros(3, 4, requires_grad=True) * 1
        with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(4\) must match the existing size "
                                               r"\(5\) at non-singleton dimension 0.  Target sizes: \[4\]"):
            y[0] = lib.ones(5)
        with pytest.raises(RuntimeError, match=r"expanded size of the tensor \(3\) must match the existing size \(2\)"):
            y[:] = lib.ones(2, 4)
        with pytest.raises(RuntimeError, match=r"shape mismatch: value tensor of shape \[3, 4\] cannot be broadcast "
                                               r"to indexing result of shape \[2, 4\]"):
            y[[0, 1]] = lib.ones(3, 4)


# ---------------------------------------------------------------------------------------------------
# in-place forms called through Tensor
# ---------------------------------------------------------------------------------------------------
def test_inplace_forms_modify_non_grad_tensors():
    def fn(torch):
        x = torch.zeros(3, 4)
        row = x[1]
        a = x.masked_fill_(torch.tensor([True, False, False, True]), -1.0)
        b = x.scatter_(0, torch.tensor([[2, 0, 1, 0]]), torch.full((1, 4), 5.0))
        c = x.scatter_add_(1, torch.tensor([[0, 0], [1, 3], [2, 2]]), torch.ones(3, 2))
        d = x.index_fill_(1, torch.tensor([2]), 9.0)
        e = x.scatter_(1, torch.tensor([[3], [3], [3]]), 4.0)
        assert a is x and b is x and c is x and d is x and e is x
        return x, row
    check(fn, grad=False)


def test_inplace_forms_on_non_leaf_carry_gradients():
    def fn(torch, x, src, v):
        y = x * 1
        y.masked_fill_(x > 0.5, 0.0)
        y.scatter_(0, torch.tensor([[2, 0, 1, 0]]), src)
        y.scatter_add_(1, torch.tensor([[0, 0], [1, 3], [2, 2]]), src.expand(3, 4)[:, :2] * 2)
        y.index_fill_(1, torch.tensor([3, 3]), v)
        y.masked_fill_(torch.tensor([True, False, False, False]), v * 2)
        return y
    check(fn, (3, 4), (1, 4), ())


def test_inplace_forms_leaf_rule():
    for lib in (TORCH, glasstorch):
        x = lib.zeros(3, 4, requires_grad=True)
        for op in (lambda: x.masked_fill_(lib.ones(4, dtype=lib.bool), 1.0),
                   lambda: x.scatter_(0, lib.tensor([[0]]), 1.0),
                   lambda: x.scatter_add_(0, lib.tensor([[0]]), lib.ones(1, 1)),
                   lambda: x.index_fill_(0, lib.tensor([0]), 1.0)):
            with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
                op()
        with lib.no_grad():
            x.masked_fill_(lib.tensor([True, False, False, False]), 1.0)
        assert x.tolist()[1] == [1.0, 0.0, 0.0, 0.0]


# ---------------------------------------------------------------------------------------------------
# gather, scatter, scatter_add
# ---------------------------------------------------------------------------------------------------
GATHER = [
    (1, (3, 4), ix([0, 3], [1, 1], [2, 0])),
    (0, (3, 4), ix([0, 1, 2, 0], [2, 2, 2, 2])),
    (-1, (3, 4), ix([3], [0])),                       # smaller than the input in the other dims
    (0, (2, 3, 4), np.zeros((3, 2, 4), I64)),         # every position reads the same row: grads add up
    (2, (2, 3, 4), np.full((2, 3, 6), 3, I64)),       # more reads than the dim's size
    (1, (3, 4), np.zeros((3, 0), I64)),               # empty
]


@pytest.mark.parametrize("case", range(len(GATHER)))
def test_gather(case):
    dim, shape, index = GATHER[case]
    check(lambda torch, x, i: torch.gather(x, dim, i), shape, index)
    check(lambda torch, x, i: x.gather(dim, i), shape, index, dtype=np.float64)


def test_gather_noncontiguous_int32_and_0d():
    check(lambda torch, x, i: x.gather(0, i), (3, 4), ix([0, 2, 1, 0]), noncontiguous=True)
    check(lambda torch, x: x.gather(1, torch.tensor([[1], [0], [3]], dtype=torch.int32)), (3, 4))
    check(lambda torch, x: x.gather(0, torch.tensor(0)), ())
    check(lambda torch, x: x.gather(0, torch.tensor([0, 0])), ())
    check(lambda torch, x: x.gather(0, torch.tensor(2)), (4,))


GATHER_ERRORS = [
    (lambda torch, x: x.gather(0, torch.tensor([[0]], dtype=torch.int16)), "Expected dtype int32/int64 for index"),
    (lambda torch, x: x.gather(0, torch.tensor([0])), "same number of dimensions"),
    (lambda torch, x: x.gather(0, torch.tensor([[0, 0, 0, 0, 0]])), "Size does not match at dimension 1"),
    (lambda torch, x: x.gather(0, torch.tensor([[3]])), "index 3 is out of bounds for dimension 0 with size 3"),
    (lambda torch, x: x.gather(0, torch.tensor([[-1]])), "index -1 is out of bounds for dimension 0 with size 3"),
]


@pytest.mark.parametrize("case", range(len(GATHER_ERRORS)))
def test_gather_errors(case):
    fn, match = GATHER_ERRORS[case]
    check_error(fn, (3, 4), exc=RuntimeError, match=match)
    check_error(lambda torch, x: x.gather(2, torch.tensor([[0]])), (3, 4), exc=IndexError)


def test_scatter_src():
    # unique target positions (PyTorch leaves repeated targets unspecified)
    check(lambda torch, x, s: torch.scatter(x, 0, torch.tensor([[2, 0, 1, 0], [0, 1, 2, 2]]), s), (3, 4), (2, 4))
    check(lambda torch, x, s: x.scatter(-1, torch.tensor([[3, 1], [0, 2], [1, 1]])[:, :1], s), (3, 4), (3, 1))
    check(lambda torch, x, s: x.scatter(1, torch.tensor([[2], [0]]), s), (3, 4), (2, 1), dtype=np.float64)
    check(lambda torch, x, s: x.scatter(0, torch.tensor([[1, 2]]), s), (3, 4), (1, 2), noncontiguous=True)


def test_scatter_src_larger_than_index():
    # PyTorch only reads src[:index.shape]; its backward rejects this case, so compare the forward here
    check(lambda torch, x, s: x.scatter(1, torch.tensor([[1], [3]]), s), (3, 4), Const(np.ones((3, 3), np.float32)))
    x = glasstorch.zeros(3, 4, requires_grad=True)
    s = glasstorch.ones(3, 3, requires_grad=True)
    x.scatter(1, glasstorch.tensor([[1], [3]]), s).backward(glasstorch.ones(3, 4))
    assert s.grad.tolist() == [[1, 0, 0], [1, 0, 0], [0, 0, 0]]
    assert x.grad.tolist() == [[1, 0, 1, 1], [1, 1, 1, 0], [1, 1, 1, 1]]


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
def test_scatter_value_and_reduce():
    check(lambda torch, x: x.scatter(1, torch.tensor([[0], [3], [2]]), 1.5), (3, 4))
    check(lambda torch, x: torch.scatter(x, 0, torch.tensor([[0, 2]]), value=-2.0), (3, 4))
    check(lambda torch, x: x.scatter(0, torch.tensor([[0, 1], [0, 1]]), 2.0, reduce="add"), Const((3, 4)))
    check(lambda torch, x, s: x.scatter(0, torch.tensor([[0, 1], [0, 1]]), s, reduce="add"), Const((3, 4)),
          Const((2, 2)))
    check(lambda torch, x, s: x.scatter(1, torch.tensor([[0, 0]]), s, reduce="multiply"), Const((3, 4)),
          Const((1, 2)))
    check(lambda torch: torch.zeros(3, dtype=torch.int64).scatter(0, torch.tensor([1]), 2.5), grad=False)
    check(lambda torch: torch.tensor(3.0).scatter(0, torch.tensor(0), 1.0), grad=False)


def test_scatter_reduce_has_no_derivative():
    for lib in (TORCH, glasstorch):
        x = lib.zeros(3, 4, requires_grad=True)
        y = x.scatter(0, lib.tensor([[0]]), 2.0, reduce="add")
        with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
            y.backward(lib.ones(3, 4))


SCATTER_ERRORS = [
    (lambda torch, x: x.scatter(0, torch.tensor([[0]], dtype=torch.int16), 1.0), "Expected dtype int32/int64"),
    (lambda torch, x: x.scatter(0, torch.tensor([0]), 1.0), "same number of dimensions as self"),
    (lambda torch, x: x.scatter(0, torch.tensor([[0]]), torch.ones(1, 1, dtype=torch.float64)),
     "Expected self.dtype to be equal to src.dtype"),
    (lambda torch, x: x.scatter(0, torch.tensor([[0]]), torch.tensor(1.0)), "same number of dimensions as src"),
    (lambda torch, x: x.scatter(0, torch.tensor([[0, 0]]), torch.ones(1, 1)), "to be no larger"),
    (lambda torch, x: x.scatter(1, torch.tensor([[0]] * 4), 1.0), "to be no larger than self"),
    (lambda torch, x: x.scatter(0, torch.tensor([[3]]), 1.0), "index 3 is out of bounds for dimension 0"),
    (lambda torch, x: x.scatter(0, torch.tensor([[0]]), 1.0, reduce="mean"), "reduce argument must be"),
    (lambda torch, x: x.scatter_add(1, torch.tensor([[4]]), torch.ones(1, 1)), "out of bounds for dimension 1"),
    (lambda torch, x: x.scatter_add(1, torch.tensor([[0]], dtype=torch.uint8), torch.ones(1, 1)),
     "Expected dtype int32/int64"),
]


@pytest.mark.parametrize("case", range(len(SCATTER_ERRORS)))
def test_scatter_errors(case):
    fn, match = SCATTER_ERRORS[case]
    check_error(fn, (3, 4), exc=RuntimeError, match=match)


def test_scatter_add():
    # repeated target positions add up, and every src element gets the gradient of its target
    check(lambda torch, x, s: torch.scatter_add(x, 0, torch.tensor([[0, 0, 0, 0], [0, 2, 0, 1]]), s),
          (3, 4), (2, 4))
    check(lambda torch, x, s, i: x.scatter_add(-1, i, s), (2, 3), (2, 5), ix([0, 0, 0, 2, 2], [1, 1, 1, 1, 1]),
          dtype=np.float64)
    check(lambda torch, x, s: x.scatter_add(1, torch.tensor([[0, 0]], dtype=torch.int32), s), (2, 3), (1, 2))
    check(lambda torch, x, s: x.scatter_add(0, torch.zeros(0, 3, dtype=torch.long), s), (2, 3), (1, 3))
    check(lambda torch: torch.zeros(4, dtype=torch.int64).scatter_add(0, torch.tensor([1, 1, 3]),
                                                                      torch.tensor([5, 6, 7])), grad=False)


def test_gather_scatter_gradcheck():
    i = ix([0, 2, 0, 1], [0, 0, 2, 2])
    gradcheck(lambda torch, x, i: x.gather(0, i), (3, 4), i)
    gradcheck(lambda torch, x, s: x.scatter(1, torch.tensor([[3, 0], [1, 2]]), s), (3, 4), (2, 2))
    gradcheck(lambda torch, x, s, i: x.scatter_add(0, i, s), (3, 4), (2, 4), i)
    gradcheck(lambda torch, x: x.scatter(0, torch.tensor([[1, 2]]), 0.5), (3, 4))


# ---------------------------------------------------------------------------------------------------
# index_select, index_fill
# ---------------------------------------------------------------------------------------------------
def test_index_select():
    check(lambda torch, x, i: torch.index_select(x, 0, i), (4, 3), ix(3, 0, 3, 1))
    check(lambda torch, x, i: x.index_select(-1, i), (2, 3, 4), ix(1, 1, 1))
    check(lambda torch, x, i: x.index_select(1, i), (2, 3, 4), ix(2, 0), noncontiguous=True)
    check(lambda torch, x, i: x.index_select(1, i), (2, 3, 4), ix(2, 0), dtype=np.float64)
    check(lambda torch, x: x.index_select(0, torch.tensor(2)), (4, 3))
    check(lambda torch, x: x.index_select(1, torch.tensor([2, 2], dtype=torch.int32)), (4, 3))
    check(lambda torch, x: x.index_select(0, torch.tensor([], dtype=torch.long)), (4, 3))
    check(lambda torch, x: x.index_select(0, torch.tensor([0])), ())
    check(lambda torch: torch.arange(6).index_select(0, torch.tensor([5, 0])), grad=False)
    gradcheck(lambda torch, x, i: x.index_select(1, i), (3, 4), ix(0, 3, 3, 1))


INDEX_SELECT_ERRORS = [
    (lambda torch, x: x.index_select(0, torch.tensor([0], dtype=torch.int16)), RuntimeError, "int32 or int64"),
    (lambda torch, x: x.index_select(0, torch.tensor([[0]])), IndexError, "Index is supposed to be a vector"),
    (lambda torch, x: x.index_select(0, torch.tensor([4])), IndexError, "index out of range in self"),
    (lambda torch, x: x.index_select(0, torch.tensor([-1])), IndexError, "index out of range in self"),
    (lambda torch, x: x.index_select(2, torch.tensor([0])), IndexError, "Dimension out of range"),
    (lambda torch, x: x[0, 0].index_select(0, torch.tensor([0, 0])), RuntimeError, "Index to scalar can have only 1"),
]


@pytest.mark.parametrize("case", range(len(INDEX_SELECT_ERRORS)))
def test_index_select_errors(case):
    fn, exc, match = INDEX_SELECT_ERRORS[case]
    check_error(fn, (4, 3), exc=exc, match=match)


def test_index_fill():
    check(lambda torch, x: x.index_fill(0, torch.tensor([2, 0, 2]), -1.0), (3, 4))
    check(lambda torch, x: x.index_fill(-1, torch.tensor([-1]), 7.0), (2, 3, 4), dtype=np.float64)
    check(lambda torch, x: x.index_fill(1, torch.tensor(1), 0.0), (2, 3, 4), noncontiguous=True)
    check(lambda torch, x: x.index_fill(0, torch.tensor([], dtype=torch.long), 0.0), (2, 3))
    check(lambda torch, x: x.index_fill(0, torch.tensor([0]), 2.0), ())
    # a 0-d tensor value receives the gradient of the filled slices (each slice once, even if repeated)
    check(lambda torch, x, v: x.index_fill(1, torch.tensor([0, 2, 2]), v), (3, 4), ())
    check(lambda torch: torch.arange(6).reshape(2, 3).index_fill(1, torch.tensor([1]), 9), grad=False)
    gradcheck(lambda torch, x, v: x.index_fill(0, torch.tensor([1, 1]), v), (3, 4), ())


INDEX_FILL_ERRORS = [
    (lambda torch, x: x.index_fill(0, torch.tensor([0], dtype=torch.int32), 1.0), IndexError,
     r"index_fill_\(\): Expected dtype int64 for index."),
    (lambda torch, x: x.index_fill(0, torch.tensor([[0]]), 1.0), RuntimeError, "Index has to be a vector/scalar"),
    (lambda torch, x: x.index_fill(0, torch.tensor([5]), 1.0), IndexError,
     "index 5 is out of bounds for dimension 0 with size 3"),
    (lambda torch, x: x.index_fill(0, torch.tensor([0]), torch.ones(1)), RuntimeError,
     "only supports a 0-dimensional value tensor, but got tensor with 1 dimension"),
]


@pytest.mark.parametrize("case", range(len(INDEX_FILL_ERRORS)))
def test_index_fill_errors(case):
    fn, exc, match = INDEX_FILL_ERRORS[case]
    check_error(fn, (3, 4), exc=exc, match=match)


# ---------------------------------------------------------------------------------------------------
# masked_fill, masked_select, take
# ---------------------------------------------------------------------------------------------------
MASKED_FILL = [
    ((3, 4), np.array([True, False, False, True])),                 # mask broadcast over rows
    ((3, 4), np.array([[True], [False], [True]])),
    ((4,), np.array([[True, False, True, False], [False] * 4, [True] * 4])),  # result takes mask's shape
    ((2, 3), np.zeros((2, 3), bool)),
    ((), np.array(True)),
]


@pytest.mark.parametrize("case", range(len(MASKED_FILL)))
def test_masked_fill(case):
    shape, mask = MASKED_FILL[case]
    check(lambda torch, x, m: x.masked_fill(m, -2.5), shape, mask)
    check(lambda torch, x, m, v: torch.masked_fill(x, m, v), shape, mask, (), dtype=np.float64)


def test_masked_fill_more():
    check(lambda torch, x: x.masked_fill(x > 0, float("-inf")), (3, 4), noncontiguous=True)
    check(lambda torch, x, v: x.masked_fill(x < 0, v.double()), (3, 4), ())  # value cast to x's dtype
    check(lambda torch: torch.arange(4).masked_fill(torch.tensor([True, False, True, False]), 1.7), grad=False)
    check(lambda torch: torch.arange(4).masked_fill(torch.tensor([True, False, True, False]), torch.tensor(2.7)),
          grad=False)
    check(lambda torch: torch.zeros(3).masked_fill(torch.tensor(True), torch.tensor(1.0)), grad=False)
    gradcheck(lambda torch, x, v: x.masked_fill(x > 0, v), (3, 4), ())
    gradcheck(lambda torch, x, m: x.masked_fill(m, 0.0), (4,), np.array([[True, False, True, False]] * 2))


def test_masked_fill_errors():
    check_error(lambda torch, x: x.masked_fill(torch.tensor([1, 0, 1, 0], dtype=torch.uint8), 1.0), (3, 4),
                exc=RuntimeError,
                match="masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")
    check_error(lambda torch, x: x.masked_fill(torch.ones(4), 1.0), (3, 4), exc=RuntimeError,
                match="only supports boolean masks, but got mask with dtype float")
    check_error(lambda torch, x: x.masked_fill(torch.ones(4, dtype=torch.bool), torch.ones(1)), (3, 4),
                exc=RuntimeError, match="only supports a 0-dimensional value tensor, but got tensor with 1 dimension")


def test_masked_select():
    check(lambda torch, x: x.masked_select(x > 0), (3, 4))
    check(lambda torch, x, m: torch.masked_select(x, m), (3, 4), np.array([True, False, True, True]))
    check(lambda torch, x, m: x.masked_select(m), (4,), np.array([[True, False, True, False], [True] * 4]))
    check(lambda torch, x: x.masked_select(torch.zeros(3, 4, dtype=torch.bool)), (3, 4), dtype=np.float64)
    check(lambda torch, x: x.masked_select(x > 0), (3, 4), noncontiguous=True)
    gradcheck(lambda torch, x, m: x.masked_select(m), (2, 4), np.array([[True], [False]]))
    check_error(lambda torch, x: x.masked_select(torch.tensor([1, 0, 1, 0], dtype=torch.uint8)), (3, 4),
                exc=RuntimeError, match="masked_select: expected BoolTensor for mask")


def test_take():
    check(lambda torch, x, i: torch.take(x, i), (3, 4), ix([0, 11], [-1, 0], [5, 5]))
    check(lambda torch, x, i: x.take(i), (3, 4), ix(7, 7, 7, -12), noncontiguous=True)
    check(lambda torch, x: x.take(torch.tensor(3)), (2, 2), dtype=np.float64)
    check(lambda torch, x: x.take(torch.tensor([0, 0])), ())
    check(lambda torch, x: x.take(torch.tensor([], dtype=torch.long)), (2, 3))
    gradcheck(lambda torch, x, i: x.take(i), (3, 4), ix([1, 1], [-1, 2]))
    check_error(lambda torch, x: x.take(torch.tensor([0], dtype=torch.int32)), (3, 4), exc=RuntimeError,
                match="take\\(\\): Expected a long tensor for index, but got Int")
    check_error(lambda torch, x: x.take(torch.tensor([12])), (3, 4), exc=IndexError,
                match="out of range: tried to access index 12 on a tensor of 12 elements.")
    check_error(lambda torch, x: x.take(torch.tensor([-13])), (3, 4), exc=IndexError, match="index -13")


# ---------------------------------------------------------------------------------------------------
# sort, argsort, topk
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort(dim, descending):
    check(lambda torch, x: torch.sort(x, dim, descending), (3, 5))
    check(lambda torch, x: x.sort(dim=dim, descending=descending), (4, 3), dtype=np.float64)
    check(lambda torch, x: x.argsort(dim=dim, descending=descending), (3, 5))


def test_sort_ties_nan_and_integers():
    ties = np.array([1.0, 1.0, 0.0, 1.0, np.nan, 0.0, 1.0], np.float32)
    check(lambda torch, x: x.sort(stable=True), ties)
    check(lambda torch, x: x.sort(descending=True, stable=True), ties)
    check(lambda torch, x: torch.argsort(x, descending=True, stable=True), ties)
    check(lambda torch: torch.tensor([3, 1, 2, 1]).sort(stable=True), grad=False)
    check(lambda torch: torch.tensor([True, False, True]).sort(descending=True, stable=True), grad=False)
    check(lambda torch, x: x.sort(), ())
    check(lambda torch, x: x.argsort(), ())
    check(lambda torch, x: x.sort(0), (0, 3))
    check(lambda torch, x: x.sort(), (3, 4), noncontiguous=True)
    gradcheck(lambda torch, x: x.sort(1, descending=True).values, (3, 4))
    check_error(lambda torch, x: x.sort(dim=2), (3, 4), exc=IndexError, match="Dimension out of range")


@pytest.mark.parametrize("k,dim,largest", [(2, -1, True), (1, 0, False), (3, 1, False), (5, 1, True),
                                           (0, 1, True), (3, -1, True), (2, 0, True)])
def test_topk(k, dim, largest):
    check(lambda torch, x: torch.topk(x, k, dim, largest), (3, 5))
    check(lambda torch, x: x.topk(k, dim=dim, largest=largest), (4, 5), dtype=np.float64, noncontiguous=True)


def test_topk_partition_path_and_unsorted():
    # k much smaller than the dim: glasstorch partitions first
    check(lambda torch, x: x.topk(3), (4, 50))
    check(lambda torch, x: x.topk(2, dim=0, largest=False), (40, 3))
    check(lambda torch, x: x.topk(5, sorted=False).values.sort().values, (3, 30))
    check(lambda torch, x: x.topk(1), ())
    check(lambda torch: torch.tensor([5, 1, 9, 3]).topk(2), grad=False)
    gradcheck(lambda torch, x: x.topk(2, dim=0).values, (5, 3))
    gradcheck(lambda torch, x: x.topk(2, largest=False).values, (3, 20))


def test_topk_errors():
    check_error(lambda torch, x: x.topk(6), (3, 5), exc=RuntimeError, match="selected index k out of range")
    check_error(lambda torch, x: x.topk(-1), (3, 5), exc=RuntimeError, match="selected index k out of range")
    check_error(lambda torch, x: (x > 0).topk(1), (3, 5), exc=RuntimeError, match="topk does not support bool")


def test_sort_topk_namedtuples():
    for fn in (lambda x: x.sort(), lambda x: x.topk(2)):
        r = fn(glasstorch.tensor([3.0, 1.0, 2.0]))
        values, indices = r
        assert r.values is values and r.indices is indices and r[0] is values
        assert indices.dtype == glasstorch.int64


# ---------------------------------------------------------------------------------------------------
# tril, triu
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("diagonal", [0, 1, -1, 3, -4])
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (2, 4, 3)], ids=str)
def test_tril_triu(diagonal, shape):
    check(lambda torch, x: torch.tril(x, diagonal), shape)
    check(lambda torch, x: x.triu(diagonal), shape)


def test_tril_triu_more():
    check(lambda torch, x: x.tril(), (2, 3, 4), noncontiguous=True, dtype=np.float64)
    check(lambda torch, x: x.triu(1), (0, 3))
    check(lambda torch: torch.ones(3, 3, dtype=torch.int64).tril(), grad=False)
    check(lambda torch: torch.ones(3, 3, dtype=torch.bool).triu(), grad=False)
    check(lambda torch: torch.full((2, 2), float("nan")).triu(1), grad=False)
    gradcheck(lambda torch, x: x.tril(-1) + x.triu(1), (2, 3, 3))
    check_error(lambda torch, x: x.tril(), (3,), exc=RuntimeError, match="tril: input tensor must have at least 2")
    check_error(lambda torch, x: x.triu(), (), exc=RuntimeError, match="triu: input tensor must have at least 2")


# ---------------------------------------------------------------------------------------------------
# nonzero, unique, one_hot
# ---------------------------------------------------------------------------------------------------
def test_nonzero():
    x = np.array([[0.0, 1.5, 0.0], [-2.0, 0.0, 3.0]], np.float32)
    check(lambda torch, x: x.nonzero(), Const(x))
    check(lambda torch, x: torch.nonzero(x, as_tuple=True), Const(x))
    check(lambda torch, x: (x > 0).nonzero(), Const(x))
    check(lambda torch: torch.zeros(2, 3).nonzero(), grad=False)
    check(lambda torch: torch.tensor(5.0).nonzero(), grad=False)
    check(lambda torch: torch.tensor(0.0).nonzero(), grad=False)
    check(lambda torch: torch.tensor(5.0).nonzero(as_tuple=True), grad=False)
    check(lambda torch: torch.tensor([0, 3, 0, 4]).nonzero(as_tuple=True), grad=False)


def test_unique():
    x = np.array([[3, 1, 2], [1, 3, 3]], I64)
    check(lambda torch, x: torch.unique(x), x)
    check(lambda torch, x: x.unique(sorted=False), x)
    check(lambda torch, x: x.unique(return_inverse=True), x)
    check(lambda torch, x: x.unique(return_counts=True), x)
    check(lambda torch, x: torch.unique(x, return_inverse=True, return_counts=True), x)
    check(lambda torch: torch.tensor([2.5, -1.0, 2.5]).unique(return_counts=True), grad=False)
    check(lambda torch: torch.tensor([], dtype=torch.float32).unique(return_inverse=True), grad=False)
    check(lambda torch: torch.tensor([[1, 2], [1, 2], [0, 5]]).unique(dim=0, return_inverse=True,
                                                                     return_counts=True), grad=False)
    check(lambda torch: torch.tensor([[1, 2, 1], [0, 5, 0]]).unique(dim=-1), grad=False)
    check(lambda torch: torch.tensor([True, False, True]).unique(), grad=False)
    check_error(lambda torch, x: x.unique(dim=1), np.arange(3), exc=IndexError)


def test_one_hot():
    check(lambda torch, i: one_hot(torch)(i), ix(0, 3, 1))
    check(lambda torch, i: one_hot(torch)(i, 5), ix([0, 4], [2, 2]))
    check(lambda torch, i: one_hot(torch)(i, 3), np.zeros((0,), I64))
    check(lambda torch, i: one_hot(torch)(i, 3), np.array(2, I64))


ONE_HOT_ERRORS = [
    (np.array([1, 2], np.int32), -1, "one_hot is only applicable to index tensor of type LongTensor."),
    (ix(-1, 2), -1, "Class values must be non-negative."),
    (ix(1, 2), 2, "Class values must be smaller than num_classes."),
    (np.zeros((0,), I64), -1, "Can not infer total number of classes from empty tensor."),
]


@pytest.mark.parametrize("case", range(len(ONE_HOT_ERRORS)))
def test_one_hot_errors(case):
    index, n, match = ONE_HOT_ERRORS[case]
    check_error(lambda torch, i: one_hot(torch)(i, n), index, exc=RuntimeError, match=match)


def test_no_warnings_from_glasstorch_indexing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = glasstorch.zeros(3, 4, requires_grad=True)
        (x[[0, 1], 1:] * 2)[x[:2, 1:] >= 0].backward(glasstorch.ones(6))
        assert x.grad.tolist() == [[0, 2, 2, 2], [0, 2, 2, 2], [0, 0, 0, 0]]
