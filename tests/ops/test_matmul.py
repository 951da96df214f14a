"""Matrix products against PyTorch: every matmul rank combination, batch broadcasting, mm/bmm/mv/dot/outer,
einsum, integer products, PyTorch's error messages, and gradcheck."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from parity import Const, check, check_error, gradcheck

import glasstorch

MATMUL_SHAPES = [
    ((3,), (3,)),                  # dot
    ((2, 3), (3,)),                # matrix @ vector
    ((3,), (3, 4)),                # vector @ matrix
    ((2, 3), (3, 4)),              # mm
    ((5, 2, 3), (3,)),             # batch @ vector
    ((3,), (5, 3, 4)),             # vector @ batch
    ((5, 2, 3), (3, 4)),           # batch @ matrix (folded)
    ((2, 3), (5, 3, 4)),           # matrix @ batch
    ((5, 2, 3), (5, 3, 4)),        # bmm
    ((2, 1, 3, 4), (5, 4, 2)),     # broadcast batch dims
    ((1, 3, 4), (6, 4, 2)),        # a batch of one broadcast
    ((6, 3, 4), (1, 4, 2)),
    ((2, 2, 3, 4), (4, 2)),        # 4-D @ matrix (folded)
    ((4,), (2, 2, 4, 3)),
    ((2, 1, 3, 4), (4,)),
    ((3, 1), (1, 4)),              # size-1 inner dim
    ((1, 3), (3, 1)),
    ((0, 3), (3, 4)),              # empty dims
    ((2, 0), (0, 4)),
    ((2, 3), (3, 0)),
    ((0, 2, 3), (3, 4)),
    ((2, 3, 0), (0, 4)),
    ((0,), (0,)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul(shapes):
    check(lambda torch, x, y: x @ y, *shapes)


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_float64(shapes):
    check(lambda torch, x, y: torch.matmul(x, y), *shapes, dtype=np.float64)


@pytest.mark.parametrize("shapes", [s for s in MATMUL_SHAPES if 0 not in s[0] + s[1]], ids=str)
def test_matmul_gradcheck(shapes):
    gradcheck(lambda torch, x, y: x.matmul(y), *shapes)


@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((3, 4), (2, 4, 5)),
                                    ((2, 1, 3, 4), (2, 4, 5)), ((2, 3, 4), (4,)), ((4,), (2, 4, 3))], ids=str)
def test_matmul_noncontiguous(shapes):
    # every input of 2+ dims is stored transposed in memory (same values)
    check(lambda torch, x, y: x @ y, *shapes, noncontiguous=True)
    check(lambda torch, x, y: x @ y, *shapes, noncontiguous=True, dtype=np.float64)


@pytest.mark.parametrize("shapes", [((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((2, 1, 3, 4), (5, 4, 2)),
                                    ((3,), (5, 3, 4))],
                         ids=str)
def test_matmul_only_one_operand_requires_grad(shapes):
    check(lambda torch, x, y: x @ y, shapes[0], Const(shapes[1]))
    check(lambda torch, x, y: x @ y, Const(shapes[0]), shapes[1])


def test_matmul_of_views_and_chains():
    check(lambda torch, x, w: (x.transpose(1, 2) @ w).relu() @ w.t(), (2, 4, 3), (4, 5))
    check(lambda torch, x: x @ x.mT, (2, 3, 4))  # the same tensor on both sides: gradients add
    check(lambda torch, x, w: x.narrow(1, 1, 4) @ w.t().narrow(0, 2, 4), (3, 5), (2, 8))


def test_linear_layer_shapes():
    check(lambda torch, x, w, b: x @ w.t() + b, (4, 7, 16), (8, 16), (8,))


def test_mm_bmm_mv_dot_outer():
    check(lambda torch, x, y: torch.mm(x, y), (2, 3), (3, 4))
    check(lambda torch, x, y: x.mm(y), (1, 1), (1, 5))
    check(lambda torch, x, y: torch.bmm(x, y), (4, 2, 3), (4, 3, 5))
    check(lambda torch, x, y: x.bmm(y), (1, 2, 3), (1, 3, 1))
    check(lambda torch, x, y: torch.mv(x, y), (2, 3), (3,))
    check(lambda torch, x, y: x.mv(y), (0, 3), (3,))
    check(lambda torch, x, y: torch.dot(x, y), (5,), (5,))
    check(lambda torch, x, y: x.dot(y), (1,), (1,))
    check(lambda torch, x, y: torch.outer(x, y), (3,), (4,))
    check(lambda torch, x, y: x.outer(y), (3,), (0,))
    for shapes in (((2, 3), (3, 4)), ((4, 2, 3), (4, 3, 5)), ((2, 3), (3,)), ((5,), (5,))):
        check(lambda torch, x, y: x @ y, *shapes, dtype=np.float64)
    check(lambda torch, x, y: torch.outer(x, y), (3,), (4,), dtype=np.float64)
    gradcheck(lambda torch, x, y: torch.mm(x, y), (2, 3), (3, 4))
    gradcheck(lambda torch, x, y: torch.bmm(x, y), (2, 2, 3), (2, 3, 2))
    gradcheck(lambda torch, x, y: torch.mv(x, y), (2, 3), (3,))
    gradcheck(lambda torch, x, y: torch.dot(x, y), (4,), (4,))
    gradcheck(lambda torch, x, y: torch.outer(x, y), (3,), (2,))


def test_outer_promotes():
    check(lambda torch, x, y: torch.outer(x, y), Const(np.arange(3)), (2,))
    check(lambda torch, x, y: torch.outer(x, y), (3,), np.arange(2.0))
    check(lambda torch, x, y: torch.outer(x, y), Const(np.array([True, False])), Const(np.array([True, True])))


INT_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)), ((2, 2, 3), (3, 4)),
              ((2, 2, 3), (2, 3, 4)), ((2, 3), (2, 3, 4))]


@pytest.mark.parametrize("shapes", INT_SHAPES, ids=str)
@pytest.mark.parametrize("dtype", [np.int64, np.int32], ids=lambda d: np.dtype(d).name)
def test_integer_matmul(shapes, dtype):
    rng = np.random.default_rng(0)
    a, b = (rng.integers(-5, 5, s).astype(dtype) for s in shapes)
    check(lambda torch, x, y: x @ y, Const(a), Const(b))


def test_integer_mm_bmm_mv_dot():
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    check(lambda torch, x: torch.mm(x, x.t()), Const(a))
    check(lambda torch, x: torch.bmm(x.unsqueeze(0), x.t().unsqueeze(0)), Const(a))
    check(lambda torch, x: torch.mv(x, x.unbind()[0]), Const(a))
    check(lambda torch, x: torch.dot(*x.unbind()), Const(a))


# -- errors --------------------------------------------------------------------------------------------
def _c(shape, dtype=np.float32):
    return Const(np.ones(shape, dtype))


MATMUL_ERRORS = [
    (lambda t, x, y: x @ y, [(2, 3), (4, 5)], r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"),
    (lambda t, x, y: t.mm(x, y), [(64, 784), (256, 10)],
     r"mat1 and mat2 shapes cannot be multiplied \(64x784 and 256x10\)"),
    (lambda t, x, y: x @ y, [(3,), (4,)],
     r"inconsistent tensor size, expected tensor \[3\] and src \[4\] to have the same "
     r"number of elements, but got 3 and 4 elements respectively"),
    (lambda t, x, y: x @ y, [(3,), (4, 5)], r"mat1 and mat2 shapes cannot be multiplied \(1x3 and 4x5\)"),
    (lambda t, x, y: x @ y, [(4, 5), (3,)], r"size mismatch, got input \(4\), mat \(4x5\), vec \(3\)"),
    (lambda t, x, y: x @ y, [(2, 4, 5), (3,)], r"size mismatch, got input \(8\), mat \(8x5\), vec \(3\)"),
    (lambda t, x, y: x @ y, [(2, 3, 4), (5, 6)], r"mat1 and mat2 shapes cannot be multiplied \(6x4 and 5x6\)"),
    (lambda t, x, y: x @ y, [(3,), (2, 4, 5)],
     r"Expected size for first two dimensions of batch2 tensor to be: "
     r"\[2, 3\] but got: \[2, 4\]."),
    (lambda t, x, y: x @ y, [(2, 3), (4, 2, 3)],
     r"Expected size for first two dimensions of batch2 tensor to be: "
     r"\[4, 3\] but got: \[4, 2\]."),
    (lambda t, x, y: x @ y, [(2, 3, 4), (3, 5, 6)],
     r"The size of tensor a \(2\) must match the size of tensor b \(3\) "
     r"at non-singleton dimension 0"),
    (lambda t, x, y: x @ y, [(2, 3, 4), (2, 5, 6)],
     r"Expected size for first two dimensions of batch2 tensor to be: "
     r"\[2, 4\] but got: \[2, 5\]."),
    # a non-contiguous batch is not folded: PyTorch's message is then bmm's
    (lambda t, x, y: x.transpose(0, 1) @ y, [(4, 2, 3), (2,)], r"to be: \[2, 3\] but got: \[2, 2\]."),
    (lambda t, x, y: x.transpose(0, 1) @ y, [(4, 2, 3), (2, 4)], r"to be: \[2, 3\] but got: \[2, 2\]."),
    (lambda t, x, y: x.transpose(0, 1) @ y, [_c((4, 2, 3), np.float64), _c((3,))],
     "expected scalar type Double but "
     "found Float"),
    (lambda t, x, y: x @ y, [(5, 1, 2, 3), (4, 2, 3)], r"to be: \[20, 3\] but got: \[20, 2\]."),
    (lambda t, x, y: x @ y, [(), (3,)], "both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
    (lambda t, x, y: x @ y, [(3,), ()], "both arguments to matmul need to be at least 1D, but they are 1D and 0D"),
    # dtypes are not promoted
    (lambda t, x, y: x @ y, [_c((2, 3)), _c((3, 4), np.float64)],
     "expected m1 and m2 to have the same dtype, but got: "
     "float != double"),
    (lambda t, x, y: x @ y, [_c((2, 3), np.float64), _c((3, 4))], "but got: double != float"),
    (lambda t, x, y: x @ y, [_c((2, 3), np.int64), _c((3, 4))], "but got: long int != float"),
    (lambda t, x, y: x @ y, [_c((2, 3), np.int32), _c((3, 4), np.int64)], "but got: int != long int"),
    (lambda t, x, y: x @ y, [_c((3,), np.float64), _c((3, 2))], "but got: double != float"),
    (lambda t, x, y: x @ y, [_c((3, 2), np.float64), _c((2,))],
     "addmv input tensors must have the same dtype, but got "
     "Float, Double, and Float"),
    (lambda t, x, y: x @ y, [_c((3,)), _c((3,), np.float64)],
     "dot : expected both vectors to have same dtype, but found "
     "Float and Double"),
    (lambda t, x, y: x @ y, [_c((4, 3, 2), np.float64), _c((4, 2, 3))], "expected scalar type Double but found Float"),
    (lambda t, x, y: x @ y, [_c((4, 3, 2), np.float64), _c((2, 3))], "but got: double != float"),
    (lambda t, x, y: x @ y, [_c((4, 3, 2), np.float64), _c((2,))], "addmv input tensors must have the same dtype"),
    (lambda t, x, y: x @ y, [_c((2, 3), bool), _c((3, 2), bool)], "\"addmm_impl_cpu_\" not implemented for 'Bool'"),
    (lambda t, x, y: x @ y, [_c((2, 2, 3), bool), _c((2, 3, 2), bool)], "\"bmm\" not implemented for 'Bool'"),
    (lambda t, x, y: x @ y, [_c((3,), bool), _c((3,), bool)], "\"dot\" not implemented for 'Bool'"),
    (lambda t, x, y: x @ y, [_c((2, 3), bool), _c((3,), bool)], "\"addmv_impl_cpu\" not implemented for 'Bool'"),
    # mm, bmm, mv, dot, outer
    (lambda t, x, y: t.mm(x, y), [(2, 3), (3,)], "mat2 must be a matrix"),
    (lambda t, x, y: t.mm(x, y), [(1, 2, 3), (3, 4)], "self must be a matrix"),
    (lambda t, x, y: t.mm(x, y), [_c((2, 3)), _c((3, 4), np.float64)], "float != double"),
    (lambda t, x, y: t.bmm(x, y), [(2, 3), (2, 3, 4)], "batch1 must be a 3D tensor"),
    (lambda t, x, y: t.bmm(x, y), [(2, 2, 3), (3, 4)], "batch2 must be a 3D tensor"),
    (lambda t, x, y: t.bmm(x, y), [(1, 2, 3), (2, 3, 4)],
     r"Expected size for first two dimensions of batch2 tensor to "
     r"be: \[1, 3\] but got: \[2, 3\]."),
    (lambda t, x, y: t.bmm(x, y), [(2, 2, 3), (2, 4, 5)], r"to be: \[2, 3\] but got: \[2, 4\]."),
    (lambda t, x, y: t.bmm(x, y), [_c((2, 2, 3)), _c((2, 3, 4), np.float64)],
     "expected scalar type Float but found Double"),
    (lambda t, x, y: t.mv(x, y), [(3,), (2,)], "vector \\+ matrix @ vector expected, got 1, 1, 1"),
    (lambda t, x, y: t.mv(x, y), [(3, 2), (2, 1)], "vector \\+ matrix @ vector expected, got 1, 2, 2"),
    (lambda t, x, y: t.mv(x, y), [(3, 2), (3,)], r"size mismatch, got input \(3\), mat \(3x2\), vec \(3\)"),
    (lambda t, x, y: t.mv(x, y), [_c((3, 2)), _c((2,), np.float64)], "but got Double, Float, and Double"),
    (lambda t, x, y: t.dot(x, y), [(3, 1), (3,)], "1D tensors expected, but got 2D and 1D tensors"),
    (lambda t, x, y: t.dot(x, y), [(3,), (4,)], "inconsistent tensor size"),
    (lambda t, x, y: t.outer(x, y), [(3, 2), (3,)], "outer: Expected 1-D argument self, but got 2-D"),
    (lambda t, x, y: t.outer(x, y), [(3,), (3, 1)], "outer: Expected 1-D argument vec2, but got 2-D"),
]


@pytest.mark.parametrize("fn, inputs, match", MATMUL_ERRORS, ids=[str(i) for i in range(len(MATMUL_ERRORS))])
def test_matmul_errors(fn, inputs, match):
    check_error(fn, *inputs, match=match)


def test_matmul_error_when_the_small_operand_requires_grad():
    # PyTorch folds the batch into an mm when the 2-D operand requires grad: the message follows
    import torch
    for lib in (torch, glasstorch):
        x = lib.randn(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(12x2 and 3x2\)"):
            x @ lib.randn(4, 2, 3)


def test_matmul_rejects_non_tensors():
    with pytest.raises(TypeError):
        glasstorch.matmul(glasstorch.ones(2, 2), [[1.0, 0.0], [0.0, 1.0]])


# -- einsum ----------------------------------------------------------------------------------------------
EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("i,i->", [(5,), (5,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->j", [(2, 2, 3)]),
    ("iji->ij", [(2, 3, 2)]),
    ("ij,jj->i", [(2, 3), (3, 3)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("bhqk,bhkd->bhqd", [(2, 3, 4, 6), (2, 3, 6, 5)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ba", [(3, 4)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("ij,ij->i", [(2, 3), (2, 3)]),
    ("ij,k->ik", [(2, 3), (4,)]),   # j summed in the first operand only, k only in the second
    ("ijk,k->", [(2, 3, 4), (4,)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (5, 3, 4)]),
    ("...ij,...jk", [(2, 3, 4), (4, 5)]),
    ("...ij->...ji", [(2, 3, 4)]),
    ("i...->...", [(2, 3, 4)]),
    ("...ij->ij", [(2, 3, 4)]),
    ("...,...->...", [(2, 3), (3,)]),
    ("ij,jk->ik", [(2, 1), (3, 4)]),  # a size-1 dim broadcasts
    ("bij,bjk->bik", [(1, 2, 3), (4, 3, 2)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("i,i,i->i", [(3,), (3,), (3,)]),
    ("i j , j k -> i k", [(2, 3), (3, 4)]),
    ("Ab,bA", [(2, 3), (3, 2)]),
    ("ij,jk->ik", [(0, 3), (3, 4)]),
    ("ij,jk->ik", [(2, 0), (0, 4)]),
]


@pytest.mark.parametrize("eq, shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum(eq, shapes):
    check(lambda torch, *xs: torch.einsum(eq, *xs), *shapes)
    check(lambda torch, *xs: torch.einsum(eq, *xs), *shapes, dtype=np.float64)


@pytest.mark.parametrize("eq, shapes", [e for e in EINSUM if all(0 not in s for s in e[1])], ids=lambda v: str(v))
def test_einsum_gradcheck(eq, shapes):
    gradcheck(lambda torch, *xs: torch.einsum(eq, *xs), *shapes)


def test_einsum_forms():
    check(lambda torch, x, y: torch.einsum("ij,jk->ik", [x, y]), (2, 3), (3, 4))         # one list of operands
    check(lambda torch, x, y: torch.einsum(x, [0, 1], y, [1, 2], [0, 2]), (2, 3), (3, 4))  # sublist format
    check(lambda torch, x, y: torch.einsum(x, [0, 1], y, [1, 2]), (2, 3), (3, 4))
    check(lambda torch, x, y: torch.einsum(x, [Ellipsis, 1], y, [1, 2]), (5, 2, 3), (3, 4))
    check(lambda torch, x, y: torch.einsum("bij,bjk->bik", x, y), (2, 3, 4), (2, 4, 5), noncontiguous=True)
    check(lambda torch, x, y: torch.einsum("ij,jk->ik", x, y), Const((2, 3)), (3, 4))


def test_einsum_integers_and_promotion():
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    check(lambda torch, x: torch.einsum("ij,kj->ik", x, x), Const(a))
    check(lambda torch, x: torch.einsum("ii->i", x.narrow(1, 0, 2)), Const(a))
    check(lambda torch, x, y: torch.einsum("ij,ij->ij", x, y), Const(a), (2, 3))   # no sum: promotes like mul
    check(lambda torch, x, y: torch.einsum("ij,k->ik", x, y), (2, 3), Const(np.arange(3)))


def test_einsum_output_is_a_view_when_it_permutes():
    x = glasstorch.randn(2, 3)
    assert np.shares_memory(glasstorch.einsum("ij->ji", x).numpy(), x.numpy())


EINSUM_ERRORS = [
    (lambda t, x, y: t.einsum("ij,jk->ik", x, y), [(2, 2), (3, 4)],
     "einsum\\(\\): subscript j has size 3 for operand 1 "
     "which does not broadcast with previously seen size 2"),
    (lambda t, x: t.einsum("ij,jk->ik", x), [(2, 3)], "fewer operands were provided than specified in the equation"),
    (lambda t, x, y: t.einsum("ij->ij", x, y), [(2, 3), (2, 3)], "more operands were provided than specified"),
    (lambda t, x: t.einsum("ij->ik", x), [(2, 3)], "output subscript k does not appear in the equation for any input"),
    (lambda t, x: t.einsum("ijk->ij", x), [(2, 3)],
     r"the number of subscripts in the equation \(3\) does not match the "
     r"number of dimensions \(2\) for operand 0 and no ellipsis was given"),
    (lambda t, x: t.einsum("ijk...->ij", x), [(2, 3)],
     r"the number of subscripts in the equation \(3\) is more than the "
     r"number of dimensions \(2\) for operand 0"),
    (lambda t, x: t.einsum("ij->iij", x), [(2, 3)], "output subscript i appears more than once in the output"),
    (lambda t, x: t.einsum("i1->i", x), [(2, 3)],
     r"invalid subscript given at index 1 in the equation string, "
     r"subscripts must be in \[a-zA-Z\]"),
    (lambda t, x: t.einsum("ij-ik", x), [(2, 3)], "invalid subscript given at index 2"),
    (lambda t, x: t.einsum("ii->i", x), [(2, 3)],
     "subscript i is repeated for operand 0 but the sizes don't match, "
     "3 != 2"),
    (lambda t, x: t.einsum("..ij", x), [(2, 3)], "found '.' for operand 0 that is not part of any ellipsis"),
    (lambda t, x: t.einsum("...i...", x), [(2, 3)], "found '.' for operand 0 for which an ellipsis was already found"),
    (lambda t, x, y: t.einsum("...ij,...jk", x, y), [(2, 3, 4), (3, 4, 5)],
     "dimension 0 covered by ellipsis in "
     "operand 1has size 3 which does not broadcast"),
    (lambda t, x, y: t.einsum("ij,jk->ik", x, y), [_c((2, 3)), _c((3, 4), np.float64)],
     "expected scalar type Float "
     "but found Double"),
    (lambda t, x, y: t.einsum("ij,jk->ik", x, y), [_c((2, 3), np.int64), _c((3, 4))],
     "expected scalar type Long but "
     "found Float"),
]


@pytest.mark.parametrize("fn, inputs, match", EINSUM_ERRORS, ids=[str(i) for i in range(len(EINSUM_ERRORS))])
def test_einsum_errors(fn, inputs, match):
    check_error(fn, *inputs, match=match)


# -- property tests ----------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       n=st.integers(1, 3), k=st.integers(1, 3), p=st.integers(1, 3))
def test_matmul_broadcast_property(shapes, n, k, p):
    batch_a, batch_b = shapes.input_shapes
    check(lambda torch, x, y: x @ y, batch_a + (n, k), batch_b + (k, p))


@settings(max_examples=25, deadline=None)
@given(batch=hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3), n=st.integers(1, 3),
       k=st.integers(1, 3), first_vec=st.booleans(), second_vec=st.booleans())
def test_matmul_vector_property(batch, n, k, first_vec, second_vec):
    a = (k,) if first_vec else batch + (n, k)
    b = (k,) if second_vec else batch + (k, 2)
    check(lambda torch, x, y: torch.matmul(x, y), a, b)


def test_graph_node_names_match_pytorch():
    import torch
    for fn, shapes in ((lambda t, x, y: x @ y, ((2, 3), (3, 4))), (lambda t, x, y: x @ y, ((3,), (3,))),
                       (lambda t, x, y: x @ y, ((2, 3), (3,))), (lambda t, x, y: t.bmm(x, y), ((2, 2, 3), (2, 3, 4)))):
        want = fn(torch, *(torch.ones(s, requires_grad=True) for s in shapes)).grad_fn.name()
        got = fn(glasstorch, *(glasstorch.ones(s, requires_grad=True) for s in shapes)).grad_fn.name()
        assert got == want
