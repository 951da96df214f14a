"""Indexing completeness (x[key], x[key] = v) and the index_* / scatter_reduce / take_along_dim / masked_scatter /
put ops, compared with PyTorch (values, dtypes, gradients), plus views sharing memory and float64 gradchecks."""
import warnings

import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check, check_error, gradcheck

_rng = np.random.default_rng(7)
MASK2 = _rng.standard_normal((4, 5)) > 0
MASK1 = np.array([True, False, True, True])
MASK3 = _rng.standard_normal((4, 5, 6)) > 0


def _t(lib, v, dtype="int64"):
    return lib.tensor(v, dtype=getattr(lib, dtype))


GETITEM = {
    "int": lambda L, x: x[1],
    "neg_int": lambda L, x: x[-1, -2],
    "slices": lambda L, x: x[1:3, ::2, 1:],
    "slice_out_of_range": lambda L, x: x[10:20],
    "slice_negative_bounds": lambda L, x: x[-100:2, -2:],
    "range": lambda L, x: x[range(3)],
    "range_step": lambda L, x: x[range(0, 4, 2)],
    "range_in_tuple": lambda L, x: x[:, range(1, 3)],
    "nested_tuple": lambda L, x: x[(0,), ],
    "nested_tuple_pair": lambda L, x: x[(0, 1), ],
    "nested_tuple_2d": lambda L, x: x[((0, 1), (1, 2)), ],
    "list": lambda L, x: x[[0, 1]],
    "list_repeated": lambda L, x: x[[0, 0, 3, 0]],
    "list_nested": lambda L, x: x[[[0, 1]]],
    "list_nested_2d": lambda L, x: x[[[0, 1], [2, 3]]],
    "list_of_tuples": lambda L, x: x[[(0, 1), (1, 2)]],
    "list_with_slice": lambda L, x: x[[slice(0, 2), 1]],
    "list_of_0d_tensors": lambda L, x: x[[_t(L, 0), _t(L, 3)]],
    "list_bools": lambda L, x: x[[True, False, True, False]],
    "list_int_and_bool": lambda L, x: x[[1, True]],
    "two_lists": lambda L, x: x[[0, 1], [1, 2]],
    "two_lists_broadcast": lambda L, x: x[[[0], [1]], [[1, 2]]],
    "adjacent_advanced": lambda L, x: x[:, [0, 1], [1, 2]],
    "separated_advanced": lambda L, x: x[[0, 1], :, [1, 2]],
    "separated_2d": lambda L, x: x[[[0], [1]], :, [[1, 2]]],
    "int_slice_list": lambda L, x: x[0, :, [1, 2]],
    "list_int": lambda L, x: x[[1, 2], 0],
    "list_slice_int": lambda L, x: x[[0, 1], :, 0],
    "int_list_int": lambda L, x: x[0, [1, 2], 1],
    "slice_int_list": lambda L, x: x[:, 0, [1, 2]],
    "list_none_list": lambda L, x: x[[0, 1], None, [1, 2]],
    "none_then_adjacent": lambda L, x: x[None, [0, 1], [1, 2]],
    "ellipsis_list": lambda L, x: x[..., [0, 1]],
    "list_ellipsis_list": lambda L, x: x[[0, 1], ..., [0, 1]],
    "none_ellipsis": lambda L, x: x[None, ..., None, 1],
    "ellipsis_middle": lambda L, x: x[0, ..., 1],
    "two_ellipses": lambda L, x: x[..., 0, ...],
    "ellipsis_twice": lambda L, x: x[..., ...],
    "mask_full": lambda L, x: x[L.from_numpy(MASK3)],
    "mask_2d_partial": lambda L, x: x[L.from_numpy(MASK2)],
    "mask_1d_partial": lambda L, x: x[L.from_numpy(MASK1)],
    "mask_middle": lambda L, x: x[:, L.from_numpy(MASK2[0])],
    "mask_middle_2d": lambda L, x: x[:, L.from_numpy(MASK3[0])],
    "mask_and_int": lambda L, x: x[L.from_numpy(MASK2), 2],
    "mask_slice_list": lambda L, x: x[L.from_numpy(MASK1), :, [0]],
    "mask_all_false": lambda L, x: x[x > 100],
    "true": lambda L, x: x[True],
    "false": lambda L, x: x[False],
    "true_int": lambda L, x: x[True, 1],
    "true_true": lambda L, x: x[True, True],
    "none_true": lambda L, x: x[None, True],
    "int_true_int": lambda L, x: x[0, True, 1],
    "slice_true_list": lambda L, x: x[1:3, True, [0, 1]],
    "list_true_list": lambda L, x: x[[0, 1], True, [0, 1]],
    "bool_0d_tensor": lambda L, x: x[_t(L, True, "bool")],
    "bool_0d_tensor_false": lambda L, x: x[_t(L, False, "bool")],
    "bool_0d_tensor_list": lambda L, x: x[_t(L, True, "bool"), [0, 1]],
    "int32_tensor": lambda L, x: x[_t(L, [0, 3], "int32")],
    "int32_2d_tensor": lambda L, x: x[:, _t(L, [[0, 3], [1, 1]], "int32")],
    "negative_tensor": lambda L, x: x[_t(L, [-1, -4])],
    "tensor_0d": lambda L, x: x[_t(L, 2)],
    "tensor_0d_int32": lambda L, x: x[_t(L, 2, "int32")],
    "tensor_0d_pair": lambda L, x: x[_t(L, 2), _t(L, 1)],
    "empty_list": lambda L, x: x[[]],
    "empty_list_dim1": lambda L, x: x[:, []],
    "two_empty_lists": lambda L, x: x[[], []],
    "empty_long_tensor": lambda L, x: x[L.tensor([], dtype=L.int64)],
    "numpy_int": lambda L, x: x[np.int64(1)],
    "numpy_array": lambda L, x: x[np.array([0, 2])],
    "numpy_int_in_tuple": lambda L, x: x[np.int64(1), np.int32(2)],
}


@pytest.mark.parametrize("name", sorted(GETITEM))
def test_getitem_table(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(GETITEM[name], (4, 5, 6))


@pytest.mark.parametrize("name", ["range", "separated_advanced", "int_slice_list", "mask_2d_partial",
                                  "list_repeated", "true_int", "two_lists_broadcast"])
def test_getitem_gradcheck(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradcheck(GETITEM[name], (4, 5, 6))


def test_getitem_uint8_mask_warns_as_pytorch():
    x = glasstorch.arange(12.0).reshape(4, 3)
    with pytest.warns(UserWarning, match="uint8 is now deprecated"):
        y = x[glasstorch.tensor([1, 0, 1, 1], dtype=glasstorch.uint8)]
    assert y.shape == (3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda L, x: x[_t(L, [1, 0, 1, 1], "uint8")], (4, 3))
        check(lambda L, x: x[_t(L, 1, "uint8")], (4, 3))


def test_getitem_zero_dim_and_empty_tensors():
    for key in [None, Ellipsis, True, False, (), (None, True)]:
        check(lambda L, x: x[key], ())
    check_error(lambda L, x: x[[0]], (0, 3), exc=IndexError, match="out of bounds for dimension")
    check(lambda L, x: x[:, [0, 2]], (0, 3))
    check(lambda L, x: x[x > 0], (0, 3))
    check(lambda L, x: x[L.tensor([], dtype=L.int64)], (0, 3))


def test_getitem_basic_keys_are_views():
    x = glasstorch.arange(24.0).reshape(4, 6).clone()
    for key in [(1,), (slice(1, 3),), (None, Ellipsis, 2), (0, slice(None, None, 2)), (True,), (True, True, 1),
                (glasstorch.tensor(2),), (Ellipsis, Ellipsis)]:
        v = x[key]
        before = x._version
        v.fill_(-1.0) if v.numel() else None
        assert v._base is x and x._version == before + 1
        assert (x[key] == -1).all()
    y = x[[0, 1]]
    assert y._base is None  # advanced indexing copies, as in PyTorch


GETITEM_ERRORS = [
    (lambda L, x: x[::-1], ValueError, "step must be greater than zero"),
    (lambda L, x: x[:, ::0], ValueError, "slice step cannot be zero"),
    (lambda L, x: x[4], IndexError, "index 4 is out of bounds for dimension 0 with size 4"),
    (lambda L, x: x[-5], IndexError, "index -5 is out of bounds for dimension 0 with size 4"),
    (lambda L, x: x[0, 10], IndexError, "index 10 is out of bounds for dimension 1 with size 5"),
    (lambda L, x: x[L.tensor([5])], IndexError, "index 5 is out of bounds for dimension 0 with size 4"),
    (lambda L, x: x[[0, 9]], IndexError, "index 9 is out of bounds"),
    (lambda L, x: x[:, 0:2, [0, 10]], IndexError, "index 10 is out of bounds"),
    (lambda L, x: x[0, 0, 0, 0], IndexError, "too many indices for tensor of dimension 3"),
    (lambda L, x: x[L.ones(3, dtype=L.bool)], IndexError,
     r"The shape of the mask \[3\] at index 0 does not match the shape of the indexed tensor \[4, 5, 6\] at index 0"),
    (lambda L, x: x[L.zeros(4, 6, dtype=L.bool)], IndexError, r"mask \[4, 6\] at index 1 .* at index 1"),
    (lambda L, x: x[:, L.zeros(4, 6, dtype=L.bool)], IndexError, r"mask \[4, 6\] at index 0 .* at index 1"),
    (lambda L, x: x[[True, False]], IndexError, r"The shape of the mask \[2\]"),
    (lambda L, x: x[[0, 1], [0, 1, 2]], IndexError, "shape mismatch"),
    (lambda L, x: x[L.tensor([1.0])], IndexError, "tensors used as indices must be long, int, byte or bool"),
    (lambda L, x: x[_t(L, [0, 1], "int16")], IndexError, "tensors used as indices"),
    (lambda L, x: x[_t(L, [0, 1], "int8")], IndexError, "tensors used as indices"),
    (lambda L, x: x[1.0], IndexError, "only integers, slices"),
    (lambda L, x: x[{1: 2}], IndexError, "only integers, slices"),
    (lambda L, x: x["a"], TypeError, None),
    (lambda L, x: x[0][0][0][0], IndexError, "invalid index of a 0-dim tensor"),
]


@pytest.mark.parametrize("case", range(len(GETITEM_ERRORS)))
def test_getitem_errors(case):
    fn, exc, match = GETITEM_ERRORS[case]
    check_error(fn, (4, 5, 6), exc=exc, match=match)
    check_error(lambda L, x: fn(L, x.requires_grad_()), (4, 5, 6), exc=exc, match=match)


def test_getitem_zero_dim_errors():
    check_error(lambda L, x: x[0], (), exc=IndexError, match="invalid index of a 0-dim tensor")
    check_error(lambda L, x: x[[0]], (), exc=IndexError)


# -- setitem --------------------------------------------------------------------------------------------
SETITEM = {  # key, value shape (None: a Python number)
    "int": (1, (5, 6)),
    "int_broadcast_row": (1, (6,)),
    "int_number": (1, None),
    "slices": ((slice(1, 3), slice(None, None, 2)), (2, 3, 6)),
    "slice_broadcast": ((slice(1, 3),), (1, 6)),
    "ellipsis": ((Ellipsis, 0), (4, 5)),
    "none": ((None, 0), (5, 6)),
    "range": (range(2), (2, 5, 6)),
    "list": ([0, 2], (2, 5, 6)),
    "list_broadcast": ([0, 2], (6,)),
    "nested_tuple": (((0, 2),), (2, 5, 6)),
    "two_lists": (([0, 1], [1, 2]), (2, 6)),
    "separated": (([0, 1], slice(None), [1, 2]), (2, 5)),
    "int_slice_list": ((0, slice(None), [1, 2]), (5, 2)),
    "int_slice_list_broadcast": ((0, slice(None), [1, 2]), (2,)),
    "mask": ("MASK2", (None,)),
    "mask_values": ("MASK2", "count2"),
    "mask_partial": ("MASK1", (5, 6)),
    "true": (True, (4, 5, 6)),
    "false": (False, (5, 6)),
    "value_with_leading_ones": ((slice(0, 2),), (1, 1, 2, 5, 6)),
}


def _key(L, key):
    if isinstance(key, str):
        return L.from_numpy({"MASK2": MASK2, "MASK1": MASK1}[key])
    return key


def _value_shape(key, spec):
    if spec == "count2":
        return (int(MASK2.sum()), 6)
    return spec


@pytest.mark.parametrize("name", sorted(SETITEM))
def test_setitem_table(name):
    key, spec = SETITEM[name]
    if spec is None:
        def fn(L, x):
            y = x * 1
            y[_key(L, key)] = 2.5
            return y
        check(fn, (4, 5, 6))
        return
    if spec == (None,):
        def fn(L, x, v):
            y = x * 1
            y[_key(L, key)] = v[0]
            return y
        check(fn, (4, 5, 6), (1,))
        return

    def fn(L, x, v):
        y = x * 1
        y[_key(L, key)] = v
        return y
    check(fn, (4, 5, 6), _value_shape(key, spec))


@pytest.mark.parametrize("name", sorted(SETITEM))
def test_setitem_table_no_grad(name):
    key, spec = SETITEM[name]
    spec = _value_shape(key, spec)

    def fn(L, x, v):
        y = x.detach().clone()
        y[_key(L, key)] = v.detach() if spec not in (None, (None,)) else 1.5
        return y
    check(fn, Const((4, 5, 6)) if False else np.arange(120, dtype=np.float32).reshape(4, 5, 6) * 0 + 1,
          (1,) if spec in (None, (None,)) else spec, grad=False)


def test_setitem_target_without_grad_value_with_grad():
    def fn(L, v):
        y = L.zeros(4, 5)
        y[:, [0, 3]] = v
        return y
    check(fn, (4, 2))
    check(fn, (2,))


def test_setitem_bumps_version_and_writes_views():
    x = glasstorch.zeros(4, 5)
    v = x[1]
    before = x._version
    x[1, [0, 2]] = glasstorch.tensor([1.0, 2.0])
    assert x._version == before + 1 and v._version == before + 1
    assert v.tolist() == [1.0, 0.0, 2.0, 0.0, 0.0]
    v[...] = 7.0
    assert x[1].tolist() == [7.0] * 5


def test_setitem_through_a_view_carries_gradients():
    def fn(L, x, v):
        y = x * 1
        row = y[1]
        row[[0, 2]] = v
        return y, row
    check(fn, (4, 5), (2,))


def test_setitem_gradcheck():
    def fn(L, x, v):
        y = x * 1
        y[[0, 1], :, [1, 2]] = v
        return y
    gradcheck(fn, (4, 5, 6), (5,))


def test_setitem_errors():
    def bad_shape(L, x):
        y = x.detach().clone()
        y[0] = L.ones(3)
    check_error(bad_shape, (4, 5), exc=RuntimeError)

    def bad_shape_adv(L, x):
        y = x.detach().clone()
        y[[0, 1]] = L.ones(3)
    check_error(bad_shape_adv, (4, 5), exc=RuntimeError, match="shape mismatch")

    def leaf(L, x):
        x.requires_grad_()
        x[0] = 1.0
    check_error(leaf, (4, 5), exc=RuntimeError, match="leaf Variable")

    def oob(L, x):
        y = x.detach().clone()
        y[[0, 7]] = 1.0
    check_error(oob, (4, 5), exc=IndexError, match="index 7 is out of bounds")

    def neg_step(L, x):
        y = x.detach().clone()
        y[::-1] = 1.0
    check_error(neg_step, (4, 5), exc=ValueError, match="step must be greater than zero")


# -- index_add / index_copy / index_reduce / scatter_reduce / masked_scatter / put / take_along_dim ---------
INDEX_OPS = {
    "index_add_alpha": (lambda L, x, s: L.index_add(x, 0, L.tensor([0, 2, 0]), s, alpha=2.5), (4, 3), (3, 3)),
    "index_add_int32_dim1": (lambda L, x, s: x.index_add(1, L.tensor([1, 1], dtype=L.int32), s), (4, 3), (4, 2)),
    "index_add_neg_dim_empty": (lambda L, x, s: L.index_add(x, -1, L.tensor([], dtype=L.int64), s), (4, 3), (4, 0)),
    "index_add_0d": (lambda L, x, s: L.index_add(x, 0, L.tensor([0]), s), (), ()),
    "index_copy": (lambda L, x, s: L.index_copy(x, 1, L.tensor([2, 0]), s), (4, 3), (4, 2)),
    "index_copy_method": (lambda L, x, s: x.index_copy(0, L.tensor([3]), s), (4, 3), (1, 3)),
    "index_put_accumulate": (lambda L, x, v: L.index_put(x, (L.tensor([0, 0, 1]),), v, accumulate=True), (3, 4), (4,)),
    "index_put_two": (lambda L, x, v: L.index_put(x, (L.tensor([0, 0, 1]), L.tensor([1, 1, 2])), v, True),
                      (3, 4), (3,)),
    "index_put_broadcast": (lambda L, x, v: L.index_put(x, (L.tensor([[0], [1]]), L.tensor([0, 2])), v),
                            (3, 4), (2, 2)),
    "index_put_mask": (lambda L, x, v: x.index_put((x > 0,), v), (3, 4), (1,)),
    "masked_scatter": (lambda L, x, s: L.masked_scatter(x, x > 0, s), (3, 4), (13,)),
    "masked_scatter_broadcast_mask": (lambda L, x, s: x.masked_scatter(L.tensor([True, False, True, True]), s),
                                      (3, 4), (12,)),
    "put": (lambda L, x, s: L.put(x, L.tensor([0, -1, 5]), s), (3, 4), (3,)),
    "put_accumulate": (lambda L, x, s: x.put(L.tensor([[0, 0], [5, 1]]), s, accumulate=True), (3, 4), (2, 2)),
    "take_along_dim": (lambda L, x: L.take_along_dim(x, L.tensor([[0, 0, 2], [1, 1, 1]]), 1), (2, 3)),
    "take_along_dim_flat": (lambda L, x: L.take_along_dim(x, L.tensor([[0], [2]])), (2, 3)),
    "take_along_dim_broadcast": (lambda L, x: x.take_along_dim(L.tensor([[[0]], [[1]]]), 2), (2, 3, 4)),
    "take_along_dim_broadcast_idx": (lambda L, x: L.take_along_dim(x, L.tensor([[[0, -1]]]), -1), (2, 3, 4)),
}
for _r in ["prod", "mean", "amax", "amin"]:
    for _inc in [True, False]:
        INDEX_OPS[f"index_reduce_{_r}_{_inc}"] = (
            lambda L, x, s, r=_r, inc=_inc: L.index_reduce(x, 0, L.tensor([0, 2, 0]), s, r, include_self=inc),
            (4, 3), (3, 3))
for _r in ["sum", "prod", "mean", "amax", "amin"]:
    for _inc in [True, False]:
        INDEX_OPS[f"scatter_reduce_{_r}_{_inc}"] = (
            lambda L, x, s, r=_r, inc=_inc: L.scatter_reduce(x, 1, L.tensor([[0, 2, 0], [1, 1, 1]]), s, r,
                                                              include_self=inc), (2, 3), (2, 3))


@pytest.mark.parametrize("name", sorted(INDEX_OPS))
def test_index_ops(name):
    fn, *shapes = INDEX_OPS[name]
    check(fn, *shapes)


@pytest.mark.parametrize("name", sorted(INDEX_OPS))
def test_index_ops_gradcheck(name):
    fn, *shapes = INDEX_OPS[name]
    gradcheck(fn, *shapes)


def test_reduce_ties_and_zeros():
    """amax ties share the gradient; prod with zeros (one and several) is exact, as PyTorch's."""
    x = np.array([2.0, 0.0, 3.0, 1.0], np.float32)
    s = np.array([0.0, 4.0, 5.0, 0.5, 3.0, 0.0, 0.0], np.float32)
    idx = glasstorch.tensor([0, 1, 1, 2, 2, 3, 3])
    for r in ["prod", "amax", "amin", "mean"]:
        for inc in [True, False]:
            check(lambda L, x, s: L.scatter_reduce(x, 0, L.tensor(idx.tolist()), s, r, include_self=inc), x, s)
            check(lambda L, x, s: L.index_reduce(x, 0, L.tensor(idx.tolist()), s, r, include_self=inc), x, s)


def test_integer_reduce():
    for r in ["sum", "prod", "mean", "amax", "amin"]:
        check(lambda L, x, s: L.scatter_reduce(x, 0, L.tensor([1, 1, 1, 0]), s, r, include_self=False),
              np.array([5, -7, 2]), np.array([2, 4, -3, -5]))


def test_scatter_with_reduce_argument():
    for r in ["add", "multiply"]:
        check(lambda L, x: x.detach().scatter(1, L.tensor([[0, 0], [1, 0]]), x.detach() + 1, reduce=r), (2, 3),
              grad=False)
        check(lambda L, x: x.detach().scatter(1, L.tensor([[0, 0], [1, 0]]), 2.0, reduce=r), (2, 3), grad=False)

        def inplace(L, x):
            y = x.detach().clone()
            y.scatter_(0, L.tensor([[1, 1, 0]]), 3.0, reduce=r)
            return y
        check(inplace, (2, 3), grad=False)


INPLACE = {
    "index_add_": lambda L, y, s: y.index_add_(0, L.tensor([0, 2, 0]), s, alpha=-1.5),
    "index_copy_": lambda L, y, s: y.index_copy_(0, L.tensor([3, 1, 0]), s),
    "index_fill_": lambda L, y, s: y.index_fill_(1, L.tensor([0, 2]), -2.0),
    "index_put_": lambda L, y, s: y.index_put_((L.tensor([0, 0]), L.tensor([1, 1])), s[0, :2], accumulate=True),
    "index_reduce_": lambda L, y, s: y.index_reduce_(0, L.tensor([0, 2, 0]), s, "amax", include_self=False),
    "scatter_reduce_": lambda L, y, s: y.scatter_reduce_(1, L.tensor([[0, 2, 0], [1, 1, 1], [0, 0, 0]]), s, "prod"),
    "masked_scatter_": lambda L, y, s: y.masked_scatter_(y > 0, s.reshape(-1).repeat(2)),
    "put_": lambda L, y, s: y.put_(L.tensor([0, 11, 3]), s[0]),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_variants(name):
    fn = INPLACE[name]

    def recorded(L, x, s):
        y = x * 1
        view = y[1:]
        out = fn(L, y, s)
        assert out is y
        return y, view

    check(recorded, (4, 3), (3, 3))

    def plain(L, x, s):
        y = x.detach().clone()
        before = y._version
        fn(L, y, s.detach())
        assert y._version == before + 1
        return y
    check(plain, (4, 3), (3, 3), grad=False)

    def leaf(L, x, s):
        fn(L, x.requires_grad_(), s)
    check_error(leaf, (4, 3), (3, 3), exc=RuntimeError)


INDEX_OP_ERRORS = [
    lambda L, x: L.index_add(x, 0, L.tensor([3]), x[:1]),
    lambda L, x: L.index_add(x, 0, L.tensor([-1]), x[:1]),
    lambda L, x: L.index_add(x, 0, L.tensor([0, 1]), x[:1]),
    lambda L, x: L.index_add(x, 0, L.tensor([[0]]), x[:1]),
    lambda L, x: L.index_add(x, 0, L.tensor([0], dtype=L.int16), x[:1]),
    lambda L, x: L.index_add(x, 0, L.tensor([0]), x[:1].double()),
    lambda L, x: L.index_add(x, 0, L.tensor([0]), L.ones(1, 3)),
    lambda L, x: L.index_copy(x, 0, L.tensor([0], dtype=L.int32), x[:1]),
    lambda L, x: L.index_copy(x, 0, L.tensor([-1]), x[:1]),
    lambda L, x: L.index_reduce(x, 0, L.tensor([0]), x[:1], "sum"),
    lambda L, x: L.index_reduce(x, 0, L.tensor([5]), x[:1], "prod"),
    lambda L, x: L.scatter_reduce(x, 0, L.tensor([[0]]), x, "foo"),
    lambda L, x: L.scatter_reduce(x, 0, L.tensor([[-1]]), x, "sum"),
    lambda L, x: L.masked_scatter(x, L.ones(3, 2, dtype=L.bool), L.ones(3)),
    lambda L, x: L.masked_scatter(x, L.ones(3, 2, dtype=L.uint8), L.ones(6)),
    lambda L, x: L.put(x, L.tensor([6]), L.ones(1)),
    lambda L, x: L.put(x, L.tensor([1]), L.ones(2)),
    lambda L, x: L.take_along_dim(x, L.tensor([[0]]).int(), 0),
    lambda L, x: L.take_along_dim(x, L.tensor([0]), 0),
    lambda L, x: L.index_put(x, (None, L.tensor([0])), L.ones(1)),
    lambda L, x: L.index_put(x, (L.tensor([0]),), L.ones(1).double()),
]


@pytest.mark.parametrize("case", range(len(INDEX_OP_ERRORS)))
def test_index_op_errors(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(INDEX_OP_ERRORS[case], (3, 2))


def test_take_along_dim_out_of_range_raises():
    # PyTorch 2.13 (CPU) reads past the tensor here without an error; glasstorch refuses, as gather does
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 0 with size 3"):
        glasstorch.take_along_dim(glasstorch.zeros(3, 2), glasstorch.tensor([[5]]), 0)


def test_out_arguments():
    for name, fn in [("index_add", lambda L, x, out: L.index_add(x, 0, L.tensor([1]), x[:1], out=out)),
                     ("index_copy", lambda L, x, out: L.index_copy(x, 0, L.tensor([1]), x[:1], out=out)),
                     ("index_reduce", lambda L, x, out: L.index_reduce(x, 0, L.tensor([1]), x[:1], "amax", out=out)),
                     ("scatter_reduce", lambda L, x, out: L.scatter_reduce(x, 0, L.tensor([[1]]), x, "sum", out=out)),
                     ("take_along_dim", lambda L, x, out: L.take_along_dim(x, L.tensor([[1]]), 0, out=out))]:
        check(lambda L, x: (lambda o: (fn(L, x, o), o)[1])(L.empty(0)), Const((3, 2)), grad=False)
        check_error(lambda L, x: fn(L, x.requires_grad_(), L.empty(0)), (3, 2), exc=RuntimeError)
