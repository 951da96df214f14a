"""Shape ops against PyTorch: values, shapes, dtypes, gradients, views, errors, and gradcheck."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from parity import Const, check, check_error, gradcheck

import glasstorch

# name -> (fn, input shapes); every case runs in float32 (values and gradients against PyTorch)
CASES = {
    "view": (lambda torch, x: x.view(3, 4), [(2, 6)]),
    "view_infer": (lambda torch, x: x.view(-1, 2), [(2, 3, 2)]),
    "view_tuple": (lambda torch, x: x.view((4, -1)), [(2, 6)]),
    "view_scalar": (lambda torch, x: x.view(1, 1), [()]),
    "view_to_scalar": (lambda torch, x: x.view(()), [(1, 1)]),
    "view_empty": (lambda torch, x: x.view(3, -1), [(0, 3)]),
    "view_as": (lambda torch, x, y: x.view_as(y), [(2, 6), Const((4, 3))]),
    "view_noncontig_ok": (lambda torch, x: x.t().view(4, 1, 3), [(3, 4)]),
    "reshape": (lambda torch, x: torch.reshape(x, (4, -1)), [(2, 3, 2)]),
    "reshape_method": (lambda torch, x: x.reshape(2, 6), [(3, 4)]),
    "reshape_transposed": (lambda torch, x: x.t().reshape(-1), [(3, 4)]),
    "reshape_as": (lambda torch, x, y: x.reshape_as(y), [(2, 6), Const((3, 4))]),
    "flatten": (lambda torch, x: torch.flatten(x), [(2, 3, 4)]),
    "flatten_mid": (lambda torch, x: x.flatten(1, 2), [(2, 3, 4, 5)]),
    "flatten_neg": (lambda torch, x: x.flatten(-2), [(2, 3, 4)]),
    "flatten_scalar": (lambda torch, x: x.flatten(), [()]),
    "flatten_nothing": (lambda torch, x: x.flatten(1, -1), [(2, 3)]),
    "flatten_1d": (lambda torch, x: x.flatten(), [(3,)]),
    "unflatten": (lambda torch, x: x.unflatten(1, (2, 3)), [(4, 6)]),
    "unflatten_infer": (lambda torch, x: torch.unflatten(x, -1, (-1, 2)), [(4, 6)]),
    "squeeze": (lambda torch, x: x.squeeze(), [(1, 3, 1, 2)]),
    "squeeze_dim": (lambda torch, x: x.squeeze(2), [(1, 3, 1, 2)]),
    "squeeze_neg": (lambda torch, x: torch.squeeze(x, -4), [(1, 3, 1, 2)]),
    "squeeze_not_one": (lambda torch, x: x.squeeze(1), [(1, 3, 1, 2)]),
    "squeeze_tuple": (lambda torch, x: x.squeeze((0, 1, 2)), [(1, 3, 1, 2)]),
    "squeeze_scalar": (lambda torch, x: x.squeeze(0), [()]),
    "unsqueeze": (lambda torch, x: x.unsqueeze(0), [(2, 3)]),
    "unsqueeze_end": (lambda torch, x: torch.unsqueeze(x, 2), [(2, 3)]),
    "unsqueeze_neg": (lambda torch, x: x.unsqueeze(-1), [(2, 3)]),
    "unsqueeze_neg_mid": (lambda torch, x: x.unsqueeze(-3), [(2, 3)]),
    "unsqueeze_scalar": (lambda torch, x: x.unsqueeze(-1), [()]),
    "permute": (lambda torch, x: x.permute(2, 0, 1), [(2, 3, 4)]),
    "permute_tuple_neg": (lambda torch, x: torch.permute(x, (-1, 1, 0)), [(2, 3, 4)]),
    "transpose": (lambda torch, x: x.transpose(0, 2), [(2, 3, 4)]),
    "transpose_neg": (lambda torch, x: torch.transpose(x, -1, -2), [(2, 3, 4)]),
    "swapaxes": (lambda torch, x: torch.swapaxes(x, 0, 1), [(2, 3)]),
    "transpose_same": (lambda torch, x: x.transpose(1, 1), [(2, 3)]),
    "transpose_scalar": (lambda torch, x: x.transpose(0, -1), [()]),
    "t": (lambda torch, x: x.t(), [(2, 3)]),
    "t_1d": (lambda torch, x: torch.t(x), [(3,)]),
    "T": (lambda torch, x: x.T, [(2, 3)]),
    "mT": (lambda torch, x: x.mT, [(4, 2, 3)]),
    "movedim": (lambda torch, x: x.movedim(0, -1), [(2, 3, 4)]),
    "movedim_tuple": (lambda torch, x: torch.movedim(x, (0, 1), (2, 0)), [(2, 3, 4)]),
    "moveaxis": (lambda torch, x: torch.moveaxis(x, -1, 1), [(2, 3, 4, 5)]),
    "expand": (lambda torch, x: x.expand(2, 3, 4), [(3, 1)]),
    "expand_keep": (lambda torch, x: x.expand(-1, 4), [(3, 1)]),
    "expand_same": (lambda torch, x: x.expand(3, 1), [(3, 1)]),
    "expand_to_empty": (lambda torch, x: x.expand(0, 3), [(1, 3)]),
    "expand_scalar": (lambda torch, x: x.expand(2, 3), [()]),
    "expand_as": (lambda torch, x, y: x.expand_as(y), [(1, 4), Const((3, 4))]),
    "broadcast_to": (lambda torch, x: torch.broadcast_to(x, (2, 3, 4)), [(4,)]),
    "repeat": (lambda torch, x: x.repeat(2, 3), [(2, 3)]),
    "repeat_more_dims": (lambda torch, x: x.repeat(2, 1, 3), [(2, 3)]),
    "repeat_zero": (lambda torch, x: x.repeat(0, 2), [(2, 3)]),
    "repeat_scalar": (lambda torch, x: x.repeat(2, 3), [()]),
    "tile": (lambda torch, x: x.tile(2), [(2, 3)]),
    "tile_more": (lambda torch, x: torch.tile(x, (2, 1, 2)), [(2, 3)]),
    "contiguous": (lambda torch, x: x.t().contiguous(), [(2, 3)]),
    "contiguous_already": (lambda torch, x: x.contiguous(), [(2, 3)]),
    "narrow": (lambda torch, x: x.narrow(1, 1, 2), [(2, 4)]),
    "narrow_neg_start": (lambda torch, x: torch.narrow(x, -1, -3, 2), [(2, 4)]),
    "narrow_empty": (lambda torch, x: x.narrow(0, 2, 0), [(2, 4)]),
    "narrow_tensor_start": (lambda torch, x: x.narrow(1, torch.tensor(1), 2), [(2, 4)]),
    "split": (lambda torch, x: x.split(2), [(5, 3)]),
    "split_dim": (lambda torch, x: torch.split(x, 2, dim=-1), [(3, 4)]),
    "split_sections": (lambda torch, x: x.split([1, 0, 3], 1), [(2, 4)]),
    "split_big": (lambda torch, x: x.split(10), [(3, 2)]),
    "split_empty_dim": (lambda torch, x: x.split(2), [(0, 2)]),
    "chunk": (lambda torch, x: x.chunk(3), [(5, 2)]),
    "chunk_fewer": (lambda torch, x: torch.chunk(x, 4, 1), [(2, 6)]),
    "chunk_more_than_size": (lambda torch, x: x.chunk(10), [(3,)]),
    "chunk_empty": (lambda torch, x: x.chunk(3), [(0, 2)]),
    "unbind": (lambda torch, x: x.unbind(), [(3, 2)]),
    "unbind_dim": (lambda torch, x: torch.unbind(x, -1), [(2, 3)]),
    "iter": (lambda torch, x: tuple(x), [(3, 2)]),
    "flip": (lambda torch, x: x.flip(0), [(2, 3)]),
    "flip_many": (lambda torch, x: torch.flip(x, (0, -1)), [(2, 3, 4)]),
    "flip_scalar": (lambda torch, x: x.flip(0), [()]),
    "roll": (lambda torch, x: x.roll(1, 0), [(3, 4)]),
    "roll_flat": (lambda torch, x: torch.roll(x, 5), [(3, 4)]),
    "roll_many": (lambda torch, x: x.roll((1, -2), (1, 0)), [(3, 4)]),
    "roll_neg_dim": (lambda torch, x: x.roll(-1, -1), [(3, 4)]),
    "cat": (lambda torch, x, y: torch.cat([x, y]), [(2, 3), (4, 3)]),
    "cat_dim": (lambda torch, x, y, z: torch.cat((x, y, z), dim=-1), [(2, 1), (2, 3), (2, 0)]),
    "cat_one": (lambda torch, x: torch.cat([x], 1), [(2, 3)]),
    "cat_legacy_empty": (lambda torch, x, y: torch.cat([x, y], 1), [(2, 3), (0,)]),
    "cat_all_legacy_empty": (lambda torch, x, y: torch.cat([x, y]), [(0,), (0,)]),
    "concat": (lambda torch, x, y: torch.concat([x, y], 1), [(2, 3), (2, 2)]),
    "cat_const": (lambda torch, x, y: torch.cat([x, y]), [(2, 3), Const((1, 3))]),
    "stack": (lambda torch, x, y: torch.stack([x, y]), [(2, 3), (2, 3)]),
    "stack_last": (lambda torch, x, y: torch.stack((x, y), -1), [(2, 3), (2, 3)]),
    "stack_mid": (lambda torch, x, y, z: torch.stack([x, y, z], 1), [(2, 3), (2, 3), (2, 3)]),
    "stack_scalars": (lambda torch, x, y: torch.stack([x, y]), [(), ()]),
    "broadcast_tensors": (lambda torch, x, y: torch.broadcast_tensors(x, y), [(3, 1), (2, 1, 4)]),
    "broadcast_tensors_three": (lambda torch, x, y, z: torch.broadcast_tensors(x, y, z), [(3, 1), (4,), ()]),
    "chain": (lambda torch, x: x.reshape(2, 3, 4).permute(1, 2, 0).flatten(0, 1).unsqueeze(1).squeeze()
              .narrow(0, 2, 5).t(), [(24,)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_op(name):
    fn, shapes = CASES[name]
    check(fn, *shapes)


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_op_float64(name):
    fn, shapes = CASES[name]
    check(fn, *shapes, dtype=np.float64)


NONCONTIGUOUS = ["reshape", "reshape_method", "flatten", "flatten_mid", "squeeze", "unsqueeze", "permute",
                 "transpose", "movedim_tuple", "expand", "repeat", "tile", "narrow", "split", "chunk", "unbind",
                 "flip_many", "roll_many", "cat", "stack", "broadcast_tensors", "unflatten"]


@pytest.mark.parametrize("name", NONCONTIGUOUS)
def test_shape_op_noncontiguous(name):
    fn, shapes = CASES[name]
    check(fn, *shapes, noncontiguous=True)


GRADCHECK = ["view_infer", "reshape_transposed", "flatten_mid", "unflatten", "squeeze_tuple", "unsqueeze_neg",
             "permute", "transpose", "t", "movedim_tuple", "expand", "expand_scalar", "repeat_more_dims", "tile_more",
             "contiguous", "narrow", "split_sections", "chunk", "unbind_dim", "flip_many", "roll_many", "roll_flat",
             "cat_dim", "cat_legacy_empty", "stack_mid", "broadcast_tensors", "chain"]


@pytest.mark.parametrize("name", GRADCHECK)
def test_shape_op_gradcheck(name):
    fn, shapes = CASES[name]
    gradcheck(fn, *shapes)


# -- views share memory, as in PyTorch ----------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda x: x.view(6, 4), lambda x: x.reshape(-1), lambda x: x.flatten(1), lambda x: x.unsqueeze(1),
    lambda x: x.unsqueeze(0).squeeze(0), lambda x: x.permute(2, 0, 1), lambda x: x.transpose(0, 1), lambda x: x.mT,
    lambda x: x.movedim(0, 2), lambda x: x.narrow(1, 0, 1).expand(2, 5, 4), lambda x: x.narrow(1, 1, 2),
    lambda x: x.split(1)[1], lambda x: x.chunk(2, 2)[1], lambda x: x.unbind(1)[2], lambda x: x.unflatten(2, (2, 2)),
    lambda x: x.expand(2, 3, 4), lambda x: x.contiguous(),
], ids=lambda f: "")
def test_views_share_memory(fn):
    x = glasstorch.arange(24.0).reshape(2, 3, 4)
    y = fn(x)
    assert np.shares_memory(y.numpy(), x.numpy())


def test_flatten_of_nothing_returns_the_input():
    x = glasstorch.ones(2, 3)
    assert x.flatten(1, 1) is x and glasstorch.ones(3).flatten() is not None and x.contiguous() is x


def test_reshape_copies_only_when_it_must():
    x = glasstorch.arange(12.0).reshape(3, 4)
    assert np.shares_memory(x.reshape(2, 6).numpy(), x.numpy())
    assert not np.shares_memory(x.t().reshape(12).numpy(), x.numpy())


def test_copying_ops_do_not_alias():
    x = glasstorch.arange(6.0).reshape(2, 3)
    for y in (x.flip(0), x.roll(1), x.repeat(1, 1), x.t().contiguous(), glasstorch.cat([x]), glasstorch.stack([x])):
        assert not np.shares_memory(y.numpy(), x.numpy())


def test_view_sees_writes_to_base():
    x = glasstorch.zeros(2, 3)
    v = x.view(6)
    x.numpy()[0, 1] = 5.0
    assert v.tolist() == [0.0, 5.0, 0.0, 0.0, 0.0, 0.0]
    assert x.t().is_contiguous() is False and x.t().contiguous().is_contiguous()


def test_shape_ops_keep_dtype_and_integer_tensors():
    a = np.arange(12, dtype=np.int64).reshape(3, 4)
    for f in (lambda t, a: a.view(4, 3), lambda t, a: a.t(), lambda t, a: a.flip(1), lambda t, a: a.repeat(2, 1),
              lambda t, a: t.cat([a, a], 1), lambda t, a: t.stack([a, a]), lambda t, a: a.split(2, 1),
              lambda t, a: a.unsqueeze(0).expand(2, 3, 4), lambda t, a: a.roll(1, 1)):
        check(f, Const(a))
    b = np.array([[True, False]])
    check(lambda t, b: t.cat([b, b]).t().reshape(-1), Const(b))


def test_cat_and_stack_promote_dtypes():
    f32 = Const(np.ones((2, 3), np.float32))
    f64 = Const(np.ones((1, 3), np.float64))
    i64 = Const(np.arange(3, dtype=np.int64).reshape(1, 3))
    b = Const(np.ones((1, 3), bool))
    check(lambda t, x, y, z, w: t.cat([x, y, z, w]), f32, f64, i64, b)
    check(lambda t, z, w: t.cat([z, w]), i64, b)
    check(lambda t, x, z: t.stack([x.narrow(0, 0, 1), z]), f32, i64)
    check(lambda t, x, y: t.cat([y.reshape(-1).narrow(0, 0, 0), x]), f32, f64)  # a skipped empty tensor still promotes
    # gradients flow back through the cast into each input's own dtype
    check(lambda t, x, y: t.cat([x, y]) * 2, (2, 3), np.ones((1, 3), np.float64))


# -- errors --------------------------------------------------------------------------------------------
ERRORS = [
    (lambda t, x: x.view(2, 5), [(2, 3)], r"shape '\[2, 5\]' is invalid for input of size 6"),
    (lambda t, x: x.t().view(6), [(2, 3)], r"view size is not compatible with input tensor's size and stride"),
    (lambda t, x: x.view(-1, -1), [(2, 3)], "only one dimension can be inferred"),
    (lambda t, x: x.view(-2, 3), [(2, 3)], r"invalid shape dimension -2 at index 0 of shape \[-2, 3\]"),
    (lambda t, x: x.view(-1, 0), [(0, 3)], "because the unspecified dimension size -1 can be any value"),
    (lambda t, x: x.view(()), [(1, 2)], r"shape '\[\]' is invalid for input of size 2"),
    (lambda t, x: x.reshape(-1, 4), [(2, 3)], r"shape '\[-1, 4\]' is invalid for input of size 6"),
    (lambda t, x: x.flatten(1, 0), [(2, 3)], "start_dim cannot come after end_dim"),
    (lambda t, x: x.flatten(2), [()], r"expected to be in range of \[-1, 0\], but got 2"),
    (lambda t, x: x.flatten(3), [(2, 3)],
     r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 3\)"),
    (lambda t, x: x.unflatten(1, (2, 2)), [(2, 3)], r"Provided sizes \[2, 2\] don't multiply up to the size of dim 1"),
    (lambda t, x: x.unflatten(1, ()), [(2, 3)], "sizes must be non-empty"),
    (lambda t, x: x.unflatten(1, (-1, -1)), [(2, 3)], "only one dimension can be inferred"),
    (lambda t, x: x.squeeze(5), [(2, 3)], r"expected to be in range of \[-2, 1\], but got 5"),
    (lambda t, x: x.squeeze((0, 0)), [(1, 3)], "dim 0 appears multiple times in the list of dims"),
    (lambda t, x: x.unsqueeze(3), [(2, 3)], r"expected to be in range of \[-3, 2\], but got 3"),
    (lambda t, x: x.unsqueeze(1), [()], r"expected to be in range of \[-1, 0\], but got 1"),
    (lambda t, x: x.permute(0, 0), [(2, 3)], "permute\\(\\): duplicate dims are not allowed."),
    (lambda t, x: x.permute(0), [(2, 3)], "input.dim\\(\\) = 2 is not equal to len\\(dims\\) = 1"),
    (lambda t, x: x.permute(0, 2), [(2, 3)], r"but got 2\)"),
    (lambda t, x: x.transpose(0, 2), [(2, 3)],
     r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
    (lambda t, x: x.t(), [(2, 3, 4)], r"t\(\) expects a tensor with <= 2 dimensions, but self is 3D"),
    (lambda t, x: x.movedim((0, 1), (0,)), [(2, 3)],
     r"source \(\[0, 1\] dims\) should contain the same number of dims as "
     r"destination \(\[0\] dims\)"),
    (lambda t, x: x.movedim((0, 0), (0, 1)), [(2, 3)], r"movedim: repeated dim in `source` \(\[0, 0\]\)"),
    (lambda t, x: x.movedim((0, 1), (1, 1)), [(2, 3)], r"movedim: repeated dim in `destination` \(\[1, 1\]\)"),
    (lambda t, x: x.movedim(0, 2), [(2, 3)], r"but got 2\)"),
    (lambda t, x: x.expand(3, 3), [(2, 3)],
     r"The expanded size of the tensor \(3\) must match the existing size \(2\) "
     r"at non-singleton dimension 0.  Target sizes: \[3, 3\].  Tensor sizes: \[2, 3\]"),
    (lambda t, x: x.expand(3), [(2, 3)],
     r"expand\(torch.FloatTensor\{\[2, 3\]\}, size=\[3\]\): the number of sizes "
     r"provided \(1\) must be greater or equal to the number of dimensions"),
    (lambda t, x: x.expand(-1, 2, 3), [(2, 3)],
     r"The expanded size of the tensor \(-1\) isn't allowed in a leading, "
     r"non-existing dimension 0"),
    (lambda t, x: x.repeat(2), [(2, 3)],
     "Number of dimensions of repeat dims can not be smaller than number of "
     "dimensions of tensor"),
    (lambda t, x: x.repeat(-1, 2), [(2, 3)], r"Trying to create tensor with negative dimension -2: \[-2, 6\]"),
    (lambda t, x: x.tile(-1, 2), [(2, 3)], r"Trying to create tensor with negative dimension -2: \[-2, 6\]"),
    (lambda t, x: x.narrow(1, 2, 2), [(2, 3)], r"start \(2\) \+ length \(2\) exceeds dimension size \(3\)."),
    (lambda t, x: x.narrow(1, 4, 0), [(2, 3)],
     r"start out of range \(expected to be in range of \[-3, 3\], but got 4\)"),
    (lambda t, x: x.narrow(1, -4, 1), [(2, 3)], r"but got -4\)"),
    (lambda t, x: x.narrow(1, 0, -1), [(2, 3)], r"narrow\(\): length must be non-negative."),
    (lambda t, x: x.narrow(0, 0, 1), [()], r"narrow\(\) cannot be applied to a 0-dim tensor."),
    (lambda t, x: x.narrow(5, 0, 1), [(2, 3)], r"but got 5\)"),
    (lambda t, x: x.split(0), [(2, 3)], "split_size can only be 0 if dimension size is 0, but got dimension size of 2"),
    (lambda t, x: x.split(-1), [(2, 3)], "split expects split_size be non-negative, but got split_size=-1"),
    (lambda t, x: x.split([1, 1], 1), [(2, 3)],
     r"split_with_sizes expects split_sizes to sum exactly to 3 \(input "
     r"tensor's size at dimension 1\), but got split_sizes=\[1, 1\]"),
    (lambda t, x: x.split([1, -1, 3], 1), [(2, 3)],
     r"split_with_sizes expects split_sizes have only non-negative "
     r"entries, but got split_sizes=\[1, -1, 3\]"),
    (lambda t, x: x.split(1), [()], "split expects at least a 1-dimensional tensor"),
    (lambda t, x: x.chunk(0), [(2, 3)], "chunk expects `chunks` to be greater than 0, got: 0"),
    (lambda t, x: x.chunk(1), [()], "chunk expects at least a 1-dimensional tensor"),
    (lambda t, x: x.unbind(), [()], "Dimension specified as 0 but tensor has no dimensions"),
    (lambda t, x: x.unbind(2), [(2, 3)], r"but got 2\)"),
    (lambda t, x: x.flip(0, 0), [(2, 3)], "dim 0 appears multiple times in the list of dims"),
    (lambda t, x: x.flip(2), [(2, 3)], r"but got 2\)"),
    (lambda t, x: x.roll((1, 2), (0,)), [(2, 3)], "shifts and dimensions must align. shifts: 2, dims:1"),
    (lambda t, x: x.roll((1, 2)), [(2, 3)], "shifts and dimensions must align. shifts: 2, dims:0"),
    (lambda t, x: x.roll((), ()), [(2, 3)], "`shifts` required"),
    (lambda t, x: x.roll(1, 2), [(2, 3)], r"but got 2\)"),
    (lambda t, x, y: t.cat([x, y], 1), [(2, 3), (3, 3)],
     r"Sizes of tensors must match except in dimension 1. "
     r"Expected size 2 but got size 3 for tensor number 1 in the list."),
    (lambda t, x, y: t.cat([x, y]), [(2, 3), (3,)], "Tensors must have same number of dimensions: got 2 and 1"),
    (lambda t, x, y: t.cat([x, y], 2), [(2, 3), (2, 3)], r"but got 2\)"),
    (lambda t, x, y: t.cat([x, y]), [(), ()], r"zero-dimensional tensor \(at position 0\) cannot be concatenated"),
    (lambda t, x: t.cat([]), [(2,)], r"expected a non-empty list of Tensors"),
    (lambda t, x: t.cat(x), [(2,)], r"argument 'tensors' \(position 1\) must be tuple of Tensors, not Tensor"),
    (lambda t, x: t.stack([]), [(2,)], "stack expects a non-empty TensorList"),
    (lambda t, x, y: t.stack([x, y]), [(2, 3), (3, 3)],
     r"stack expects each tensor to be equal size, but got \[2, 3\] "
     r"at entry 0 and \[3, 3\] at entry 1"),
    (lambda t, x, y: t.stack([x, y], 3), [(2, 3), (2, 3)], r"expected to be in range of \[-3, 2\], but got 3"),
    (lambda t, x, y: t.broadcast_tensors(x, y), [(2, 3), (4,)],
     r"The size of tensor a \(3\) must match the size of "
     r"tensor b \(4\) at non-singleton dimension 1"),
]


@pytest.mark.parametrize("fn, shapes, match", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_shape_errors(fn, shapes, match):
    check_error(fn, *shapes, match=match)


def test_squeeze_and_unsqueeze_scalar():
    x = glasstorch.tensor(2.0)
    assert x.squeeze().shape == () and x.squeeze(-1).shape == () and x.unsqueeze(0).shape == (1,)


def test_split_chunk_unbind_return_tuples():
    x = glasstorch.arange(10.0)
    for pieces in (x.split(3), x.chunk(4), x.unbind(), glasstorch.split(x, [2, 8])):
        assert isinstance(pieces, tuple)
    assert [p.shape[0] for p in x.split(3)] == [3, 3, 3, 1]
    assert [p.shape[0] for p in x.chunk(4)] == [3, 3, 3, 1]
    assert [p.shape[0] for p in glasstorch.arange(6.0).chunk(4)] == [2, 2, 2]


def test_split_gradient_reaches_only_used_pieces():
    check(lambda t, x: x.split(2, 1)[1] * 3, (3, 5))
    check(lambda t, x: x.unbind(0)[0] + x.unbind(0)[2], (3, 4))


# -- property test: random permutations and reshapes ----------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_permute_reshape_property(data):
    ndim = data.draw(st.integers(1, 4))
    shape = tuple(data.draw(st.lists(st.integers(1, 4), min_size=ndim, max_size=ndim)))
    perm = tuple(data.draw(st.permutations(range(ndim))))
    dim = data.draw(st.integers(-ndim, ndim - 1))
    chunks = data.draw(st.integers(1, 4))
    check(lambda t, x: x.permute(perm).reshape(-1, shape[perm[-1]]).flip(0), shape)
    check(lambda t, x: t.stack(x.chunk(chunks, dim)[:1] * 2, dim).movedim(0, -1), shape)
    check(lambda t, x: t.stack(x.unbind(dim), dim).unsqueeze(dim) * t.cat(x.split(1, dim), dim).unsqueeze(dim), shape)


def test_graph_node_names_match_pytorch():
    import torch
    for fn in (lambda t, x: x.view(6), lambda t, x: x.flatten(), lambda t, x: x.unsqueeze(0).squeeze(),
               lambda t, x: x.unsqueeze(0), lambda t, x: x.permute(1, 0), lambda t, x: x.transpose(0, 1),
               lambda t, x: x.t(), lambda t, x: x.expand(2, 2, 3), lambda t, x: x.repeat(2, 1),
               lambda t, x: x.t().contiguous(), lambda t, x: x.narrow(1, 0, 2), lambda t, x: x.split(1)[0],
               lambda t, x: x.chunk(2)[1], lambda t, x: x.unbind()[0], lambda t, x: x.flip(0),
               lambda t, x: x.roll(1, 0), lambda t, x: t.cat([x, x]), lambda t, x: t.stack([x, x])):
        want = fn(torch, torch.ones(2, 3, requires_grad=True)).grad_fn.name()
        got = fn(glasstorch, glasstorch.ones(2, 3, requires_grad=True)).grad_fn.name()
        assert got == want


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    check(lambda torch, a, b: torch.meshgrid(a, b, indexing=indexing), (3,), (4,))
    check(lambda torch, a, b, c: torch.meshgrid([a, b, c], indexing=indexing), (2,), (3,), (4,))
    check(lambda torch, a: torch.meshgrid(a, indexing=indexing), (5,))
