"""The matrix products built on matmul against PyTorch: addmm, addmv, addbmm, baddbmm, addr, addcmul, addcdiv,
tensordot, inner, vdot, trace, kron, cross, chain_matmul, ger, bilinear, cdist, pdist, pairwise_distance,
cosine_similarity; their Tensor methods, in-place versions and out=; dtypes, errors and gradcheck."""
import warnings

import numpy as np
import pytest
import torch

from parity import Const, check, check_error, gradcheck

import glasstorch



def _ints(shape, dtype=np.int64, seed=0):
    return Const(np.random.default_rng(seed).integers(-4, 5, shape).astype(dtype))


# -- addmm, addmv, baddbmm, addbmm, addr ---------------------------------------------------------------
ADDMM = [((2, 4), (2, 3), (3, 4)), ((4,), (2, 3), (3, 4)), ((1, 4), (2, 3), (3, 4)), ((2, 1), (2, 3), (3, 4)),
         ((), (2, 3), (3, 4)), ((0, 4), (0, 3), (3, 4)), ((2, 4), (2, 0), (0, 4)), ((2, 0), (2, 3), (3, 0))]


@pytest.mark.parametrize("shapes", ADDMM, ids=str)
@pytest.mark.parametrize("scalars", [{}, {"beta": 0.5, "alpha": -2.0}, {"beta": 0}, {"alpha": 0}], ids=str)
def test_addmm(shapes, scalars):
    check(lambda torch, i, a, b: torch.addmm(i, a, b, **scalars), *shapes)
    check(lambda torch, i, a, b: i.addmm(a, b, **scalars), *shapes, dtype=np.float64)


ADDMV = [((2,), (2, 3), (3,)), ((1,), (2, 3), (3,)), ((), (2, 3), (3,)), ((0,), (0, 3), (3,)), ((2,), (2, 0), (0,))]


@pytest.mark.parametrize("shapes", ADDMV, ids=str)
@pytest.mark.parametrize("scalars", [{}, {"beta": 2.0, "alpha": 0.5}], ids=str)
def test_addmv(shapes, scalars):
    check(lambda torch, i, a, b: torch.addmv(i, a, b, **scalars), *shapes)
    check(lambda torch, i, a, b: i.addmv(a, b, **scalars), *shapes, dtype=np.float64)


BADDBMM = [((5, 2, 4), (5, 2, 3), (5, 3, 4)), ((2, 4), (5, 2, 3), (5, 3, 4)), ((4,), (5, 2, 3), (5, 3, 4)),
           ((1, 2, 1), (5, 2, 3), (5, 3, 4)), ((0, 2, 4), (0, 2, 3), (0, 3, 4)), ((5, 2, 4), (5, 2, 0), (5, 0, 4))]


@pytest.mark.parametrize("shapes", BADDBMM, ids=str)
@pytest.mark.parametrize("scalars", [{}, {"beta": 0.5, "alpha": 3.0}], ids=str)
def test_baddbmm(shapes, scalars):
    check(lambda torch, i, a, b: torch.baddbmm(i, a, b, **scalars), *shapes)
    check(lambda torch, i, a, b: i.baddbmm(a, b, **scalars), *shapes, dtype=np.float64)


ADDBMM = [((2, 4), (5, 2, 3), (5, 3, 4)), ((4,), (5, 2, 3), (5, 3, 4)), ((2, 1), (1, 2, 3), (1, 3, 4)),
          ((2, 4), (0, 2, 3), (0, 3, 4)), ((2, 4), (5, 2, 0), (5, 0, 4))]


@pytest.mark.parametrize("shapes", ADDBMM, ids=str)
@pytest.mark.parametrize("scalars", [{}, {"beta": -1.0, "alpha": 0.25}], ids=str)
def test_addbmm(shapes, scalars):
    check(lambda torch, i, a, b: torch.addbmm(i, a, b, **scalars), *shapes)
    check(lambda torch, i, a, b: i.addbmm(a, b, **scalars), *shapes, dtype=np.float64)


ADDR = [((2, 3), (2,), (3,)), ((3,), (2,), (3,)), ((), (2,), (3,)), ((2, 1), (2,), (3,)), ((0, 3), (0,), (3,))]


@pytest.mark.parametrize("shapes", ADDR, ids=str)
@pytest.mark.parametrize("scalars", [{}, {"beta": 2.0, "alpha": -0.5}], ids=str)
def test_addr(shapes, scalars):
    check(lambda torch, i, a, b: torch.addr(i, a, b, **scalars), *shapes)
    check(lambda torch, i, a, b: i.addr(a, b, **scalars), *shapes, dtype=np.float64)


def test_beta_zero_ignores_nan_and_alpha_zero_ignores_product():
    nan = np.full((2, 4), np.nan, np.float32)
    check(lambda torch, i, a, b: torch.addmm(i, a, b, beta=0), Const(nan), (2, 3), (3, 4))
    check(lambda torch, i, a, b: torch.addmm(i, a, b, alpha=0), (2, 4), Const(np.full((2, 3), np.nan, np.float32)),
          (3, 4))
    check(lambda torch, i, a, b: torch.baddbmm(i, a, b, beta=0), Const(np.full((2, 2, 4), np.nan, np.float32)),
          (2, 2, 3), (2, 3, 4))


def test_integer_products_truncate_scalars():
    for s in ({}, {"beta": 1.5, "alpha": 2.5}, {"beta": 0.5}):
        check(lambda torch, i, a, b: torch.addmm(i, a, b, **s), _ints((2, 4)), _ints((2, 3), seed=1),
              _ints((3, 4), seed=2))
        check(lambda torch, i, a, b: torch.addmv(i, a, b, **s), _ints((2,), np.int32), _ints((2, 3), np.int32, 1),
              _ints((3,), np.int32, 2))
        check(lambda torch, i, a, b: torch.baddbmm(i, a, b, **s), _ints((2, 4)), _ints((5, 2, 3), seed=1),
              _ints((5, 3, 4), seed=2))
        check(lambda torch, i, a, b: torch.addbmm(i, a, b, **s), _ints((2, 4)), _ints((5, 2, 3), seed=1),
              _ints((5, 3, 4), seed=2))


def test_addr_promotes_and_bool():
    # (values and dtypes only: PyTorch's own backward of a mixed-dtype addr fails)
    check(lambda torch, i, a, b: torch.addr(i, a, b), (2, 3), _ints((2,)), (3,), grad=False)
    check(lambda torch, i, a, b: torch.addr(i, a, b), _ints((2, 3)), (2,), (3,), grad=False)
    check(lambda torch, i, a, b: torch.addr(i, a, b, beta=2, alpha=3), _ints((2, 3)), _ints((2,), seed=1),
          _ints((3,), seed=2))
    bools = [Const(np.array(v, bool)) for v in ([[True, False, False], [False, False, True]], [True, False],
                                                [False, True, True])]
    for s in ({}, {"beta": False}, {"alpha": False}, {"beta": 2}):
        check(lambda torch, i, a, b: torch.addr(i, a, b, **s), *bools)


PRODUCT_ERRORS = [
    (lambda t, i, a, b: t.addmm(i, a, b), [(2, 4), (2, 3), (4, 4)], r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x4\)"),
    (lambda t, i, a, b: t.addmm(i, a, b), [(2, 4), (3,), (3, 4)], r"mat1 must be a matrix, got 1-D tensor"),
    (lambda t, i, a, b: t.addmm(i, a, b), [(2, 4), (2, 3), (3,)], r"mat2 must be a matrix, got 1-D tensor"),
    (lambda t, i, a, b: t.addmm(i, a, b), [(3,), (2, 3), (3, 4)],
     r"The expanded size of the tensor \(4\) must match the existing size \(3\) at non-singleton dimension 1.  "
     r"Target sizes: \[2, 4\].  Tensor sizes: \[3\]"),
    (lambda t, i, a, b: t.addmm(i, a, b), [(2, 4, 2), (2, 3), (3, 4)], r"the number of sizes provided \(2\)"),
    (lambda t, i, a, b: t.addmv(i, a, b), [(3,), (2, 3), (3,)], r"size mismatch, got input \(3\), mat \(2x3\), vec \(3\)"),
    (lambda t, i, a, b: t.addmv(i, a, b), [(2,), (2, 3), (4,)], r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
    (lambda t, i, a, b: t.addmv(i, a, b), [(2,), (2, 3), (3, 1)], r"vector \+ matrix @ vector expected, got 1, 2, 2"),
    (lambda t, i, a, b: t.addmv(i, a, b), [(2, 1), (2, 3), (3,)], r"vector \+ matrix @ vector expected, got 2, 2, 1"),
    (lambda t, i, a, b: t.baddbmm(i, a, b), [(2, 4), (5, 2, 3), (6, 3, 4)],
     r"Expected size for first two dimensions of batch2 tensor to be: \[5, 3\] but got: \[6, 3\]."),
    (lambda t, i, a, b: t.baddbmm(i, a, b), [(3, 2, 4), (5, 2, 3), (5, 3, 4)], r"The expanded size of the tensor \(5\)"),
    (lambda t, i, a, b: t.baddbmm(i, a, b), [(2, 4), (5, 2, 3, 2), (5, 3, 4)], r"batch1 must be a 3D tensor"),
    (lambda t, i, a, b: t.addbmm(i, a, b), [(2, 4), (5, 2, 3), (6, 3, 4)],
     r"batch1 and batch2 must have same number of batches, got 5 and 6"),
    (lambda t, i, a, b: t.addbmm(i, a, b), [(2, 4), (5, 2, 3), (5, 4, 4)], r"Incompatible matrix sizes for bmm \(2x3 and 4x4\)"),
    (lambda t, i, a, b: t.addbmm(i, a, b), [(2, 4), (2, 3), (5, 4, 4)], r"Target sizes: \[3, 4\]"),
    (lambda t, i, a, b: t.addr(i, a, b), [(2, 3), (2, 2), (3,)], r"addr: Expected 1-D argument vec1, but got 2-D"),
    (lambda t, i, a, b: t.addr(i, a, b), [(2, 4), (2,), (3,)], r"The expanded size of the tensor \(3\) must match"),
    (lambda t, i, a, b: t.addr(i, a, b, beta=True), [(2, 3), (2,), (3,)], r"Boolean beta only supported for Boolean"),
]


@pytest.mark.parametrize("fn, shapes, match", PRODUCT_ERRORS, ids=lambda v: v if isinstance(v, str) else "")
def test_product_errors(fn, shapes, match):
    check_error(fn, *[Const(np.ones(s, np.float32)) for s in shapes], match=match)


def _c(shape, dtype):
    return Const(np.ones(shape, dtype))


DTYPE_ERRORS = [
    (lambda t, i, a, b: t.addmm(i, a, b), [((2, 4), np.float64), ((2, 3), np.float32), ((3, 4), np.float32)],
     r"self and mat2 must have the same dtype, but got Double and Float"),
    (lambda t, i, a, b: t.addmm(i, a, b), [((2, 4), np.float32), ((2, 3), np.float64), ((3, 4), np.float32)],
     r"mat1 and mat2 must have the same dtype, but got Double and Float"),
    (lambda t, i, a, b: t.addmm(i, a, b), [((2, 4), bool), ((2, 3), bool), ((3, 4), bool)], r"addmm_impl_cpu_"),
    (lambda t, i, a, b: t.addmm(i, a, b), [((2, 4), np.int32), ((2, 3), np.int64), ((3, 4), np.int64)],
     r"self and mat2 must have the same dtype, but got Int and Long"),
    (lambda t, i, a, b: t.addmv(i, a, b), [((2,), np.float64), ((2, 3), np.float32), ((3,), np.float32)],
     r"addmv input tensors must have the same dtype, but got Double, Float, and Float"),
    (lambda t, i, a, b: t.addmv(i, a, b), [((2,), bool), ((2, 3), bool), ((3,), bool)], r"addmv_impl_cpu"),
    (lambda t, i, a, b: t.baddbmm(i, a, b), [((2, 4), np.float64), ((5, 2, 3), np.float32), ((5, 3, 4), np.float32)],
     r"Input dtypes must be the same, got: input double, batch1: float, batch2: float"),
    (lambda t, i, a, b: t.baddbmm(i, a, b), [((2, 4), np.float32), ((5, 2, 3), np.float32), ((5, 3, 4), np.float64)],
     r"expected scalar type Float but found Double"),
    (lambda t, i, a, b: t.baddbmm(i, a, b), [((2, 4), bool), ((5, 2, 3), bool), ((5, 3, 4), bool)], r'"baddbmm"'),
    (lambda t, i, a, b: t.addbmm(i, a, b), [((2, 4), np.float32), ((5, 2, 3), np.float64), ((5, 3, 4), np.float32)],
     r"mat1 and mat2 must have the same dtype"),
    (lambda t, i, a, b: t.addr(i, a, b, alpha=0.5), [((2, 3), np.int64), ((2,), np.int64), ((3,), np.int64)],
     r"For integral input tensors, argument alpha must not be a floating point number."),
    (lambda t, i, a, b: t.addr(i, a, b, beta=0.5), [((2, 3), bool), ((2,), bool), ((3,), bool)],
     r"argument beta must not be a floating point number"),
    (lambda t, i, a, b: t.addcdiv(i, a, b), [((3,), np.float32), ((3,), np.int64), ((3,), np.int64)],
     r"Integer division with addcdiv is no longer supported"),
    (lambda t, i, a, b: t.addcmul(i, a, b), [((3,), bool), ((3,), bool), ((3,), bool)], r"addcmul_cpu_out"),
]


@pytest.mark.parametrize("fn, specs, match", DTYPE_ERRORS, ids=lambda v: v if isinstance(v, str) else "")
def test_product_dtype_errors(fn, specs, match):
    check_error(fn, *[_c(s, d) for s, d in specs], match=match)


def test_type_errors():
    check_error(lambda t, i: t.addmm(i, 1, 2), Const(np.ones((2, 3), np.float32)),
                match=r"argument 'mat1' \(position 2\) must be Tensor, not int")
    check_error(lambda t, i: t.addcmul(i, i, 2.0), Const(np.ones(3, np.float32)),
                match=r"argument 'tensor2' \(position 3\) must be Tensor, not float")


def test_gradcheck_add_products():
    gradcheck(lambda torch, i, a, b: torch.addmm(i, a, b, beta=0.5, alpha=2.0), (4,), (2, 3), (3, 4))
    gradcheck(lambda torch, i, a, b: torch.addmv(i, a, b, beta=-1.0, alpha=0.5), (2,), (2, 3), (3,))
    gradcheck(lambda torch, i, a, b: torch.baddbmm(i, a, b, beta=2.0), (2, 1, 4), (2, 2, 3), (2, 3, 4))
    gradcheck(lambda torch, i, a, b: torch.addbmm(i, a, b, alpha=1.5), (2, 4), (3, 2, 3), (3, 3, 4))
    gradcheck(lambda torch, i, a, b: torch.addr(i, a, b, beta=0.5), (2, 3), (2,), (3,))
    gradcheck(lambda torch, i, a, b: torch.addcmul(i, a, b, value=0.5), (2, 3), (3,), (2, 1))
    gradcheck(lambda torch, i, a, b: torch.addcdiv(i, a, b, value=-2.0), (2, 3), (3,), (2, 1), positive=True)


# -- in place and out= ---------------------------------------------------------------------------------
INPLACE = [
    (lambda x, a, b, **k: x.addmm_(a, b, **k), (2, 4), (2, 3), (3, 4)),
    (lambda x, a, b, **k: x.addmv_(a, b, **k), (2,), (2, 3), (3,)),
    (lambda x, a, b, **k: x.baddbmm_(a, b, **k), (5, 2, 4), (5, 2, 3), (5, 3, 4)),
    (lambda x, a, b, **k: x.addbmm_(a, b, **k), (2, 4), (5, 2, 3), (5, 3, 4)),
    (lambda x, a, b, **k: x.addr_(a, b, **k), (2, 3), (2,), (3,)),
]


@pytest.mark.parametrize("fn, s0, s1, s2", INPLACE, ids=["addmm_", "addmv_", "baddbmm_", "addbmm_", "addr_"])
def test_inplace(fn, s0, s1, s2):
    # on a non-leaf (recorded: gradients flow through the in-place op) and on a leaf under no_grad
    check(lambda torch, x, a, b: fn(x * 1, a, b, beta=0.5, alpha=2.0), s0, s1, s2)
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in (s0, s1, s2)]
    t = [torch.from_numpy(a.copy()) for a in arrays]
    g = [glasstorch.from_numpy(a.copy()) for a in arrays]
    rt, rg = fn(*t), fn(*g)
    assert rg is g[0]
    np.testing.assert_allclose(g[0].numpy(), rt.numpy(), rtol=1e-5, atol=1e-5)


def test_inplace_refusals():
    check_error(lambda t, x, a, b: x.addmm_(a, b), Const(np.ones(4, np.float32)), Const(np.ones((2, 3), np.float32)),
                Const(np.ones((3, 4), np.float32)), exc=RuntimeError)
    check_error(lambda t, x, a, b: x.addr_(a, b), Const(np.ones((2, 3), np.int64)), Const(np.ones(2, np.float32)),
                Const(np.ones(3, np.float32)), match="can't be cast")
    x = glasstorch.ones(2, 4, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.addmm_(glasstorch.ones(2, 3), glasstorch.ones(3, 4))


def test_torch_addmv_():
    check(lambda torch, x, a, b: torch.addmv_(x * 1, a, b, alpha=2.0), (2,), (2, 3), (3,))


OUT = [
    ("addmm", ((2, 4), (2, 3), (3, 4))), ("addmv", ((2,), (2, 3), (3,))), ("baddbmm", ((2, 2, 4), (2, 2, 3), (2, 3, 4))),
    ("addbmm", ((2, 4), (3, 2, 3), (3, 3, 4))), ("addr", ((2, 3), (2,), (3,))), ("addcmul", ((2, 3), (3,), (2, 3))),
    ("addcdiv", ((2, 3), (3,), (2, 3))), ("mm", ((2, 3), (3, 4))), ("bmm", ((2, 2, 3), (2, 3, 4))),
    ("mv", ((2, 3), (3,))), ("dot", ((3,), (3,))), ("outer", ((2,), (3,))), ("inner", ((2, 3), (4, 3))),
    ("vdot", ((3,), (3,))), ("kron", ((2, 3), (2, 2))), ("ger", ((2,), (3,))), ("tensordot", ((2, 3, 4), (3, 4, 5))),
    ("chain_matmul", ((2, 3), (3, 4), (4, 2))),
]


@pytest.mark.parametrize("name, shapes", OUT, ids=[o[0] for o in OUT])
def test_out(name, shapes):
    def fn(lib, *xs):
        out = lib.empty(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = getattr(lib, name)(*xs, out=out)
        assert r is out
        return out
    check(fn, *[Const(s) for s in shapes])
    check(lambda lib, a, b: lib.cross(a, b, dim=1, out=lib.empty(4, 3)), Const((4, 3)), Const((4, 3)))


def test_out_refuses_autograd():
    check_error(lambda t, a, b: t.mm(a.requires_grad_(), b, out=t.empty(2, 4)), (2, 3), (3, 4), exc=RuntimeError,
                match="don't support automatic differentiation")


# -- addcmul, addcdiv ----------------------------------------------------------------------------------
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3), (2, 3)), ((3,), (2, 1), (1, 3)), ((), (2, 3), ()),
                                    ((0, 3), (3,), (1, 3))], ids=str)
def test_addcmul_addcdiv(shapes):
    check(lambda torch, i, a, b: torch.addcmul(i, a, b), *shapes)
    check(lambda torch, i, a, b: torch.addcmul(i, a, b, value=-0.5), *shapes, dtype=np.float64)
    check(lambda torch, i, a, b: torch.addcdiv(i, a, b, value=2.0), *shapes, positive=True)
    check(lambda torch, i, a, b: torch.addcdiv(i, a, b), *shapes, dtype=np.float64, positive=True)


def test_addcmul_addcdiv_dtypes():
    for v in (1, 2, 1.5):
        check(lambda torch, i, a, b: torch.addcmul(i, a, b, value=v), _ints(3), _ints(3, seed=1), _ints(3, seed=2))
    # mixed dtypes: values and dtypes (PyTorch's own backward fails to cast the gradient to an integer input)
    check(lambda torch, i, a, b: torch.addcmul(i, a, b, value=2), _ints(3), (3,), _ints(3, seed=2), grad=False)
    check(lambda torch, i, a, b: torch.addcmul(i, a, b), Const(np.ones(3, np.float16)), (3,), np.ones(3))
    check(lambda torch, i, a, b: torch.addcdiv(i, a, b, value=0.5), _ints(3), (3,), Const(np.full(3, 2)), grad=False)


# -- tensordot, inner, vdot, trace ---------------------------------------------------------------------
TENSORDOT = [((2, 3, 4), (3, 4, 5), 2), ((2, 3, 4), (4, 5), 1), ((2, 3), (4, 5), 0), ((2, 3, 4), (3, 2), ([0, 1], [1, 0])),
             ((2, 3, 4), (3, 2), [[1], [0]]), ((2, 3, 4), (3, 2), ([-2], [0])), ((2, 3, 4), (4, 3, 2), ([1, 2], [1, 0])),
             ((2, 1, 4), (3, 4), ([1, 2], [0, 1])), ((2, 3, 4), (1, 4), ([1, 2], [0, 1])), ((0, 3), (3, 2), 1),
             ((2, 0), (0, 2), 1), ((3,), (3,), 1), ((2, 3), (2, 3), 2)]


@pytest.mark.parametrize("a, b, dims", TENSORDOT, ids=str)
def test_tensordot(a, b, dims):
    check(lambda torch, x, y: torch.tensordot(x, y, dims=dims), a, b)
    check(lambda torch, x, y: torch.tensordot(x, y, dims), a, b, dtype=np.float64)


def test_tensordot_dims_tensor_and_integers():
    check(lambda torch, x, y: torch.tensordot(x, y, dims=torch.tensor(1)), (2, 3, 4), (4, 5))
    check(lambda torch, x, y: torch.tensordot(x, y, dims=torch.tensor([[1], [0]])), (2, 3, 4), (3, 5))
    check(lambda torch, x, y: torch.tensordot(x, y, dims=([1], [0])), _ints((2, 3, 4)), _ints((3, 2), seed=1))


TENSORDOT_ERRORS = [
    ((2, 3, 4), (3, 4, 5), 1, RuntimeError, r"contracted dimensions need to match, but first has size 4 in dim -1 and "
                                            r"second has size 3 in dim 0"),
    ((2, 3, 4), (3, 2), ([0], [0]), RuntimeError, r"first has size 2 in dim 0 and second has size 3 in dim 0"),
    ((2, 3, 4), (3, 2), -1, RuntimeError, r"tensordot expects dims >= 0, but got dims=-1"),
    ((2, 3, 4), (4, 2), 5, RuntimeError, r"tensordot expects dims < ndim_a or ndim_b, but got dims=5"),
    ((2, 3, 4), (3, 2), ([0, 1], [1]), RuntimeError, r"both dimension lists should have same length"),
    ((2, 3, 4), (3, 2), (1, 0), TypeError, r"must be tuple of ints"),
]


@pytest.mark.parametrize("a, b, dims, exc, match", TENSORDOT_ERRORS, ids=str)
def test_tensordot_errors(a, b, dims, exc, match):
    check_error(lambda t, x, y: t.tensordot(x, y, dims=dims), Const(a), Const(b), exc=exc, match=match)


def test_tensordot_dtype_error():
    check_error(lambda t, x, y: t.tensordot(x, y, dims=([1], [0])), _c((2, 3, 4), np.float32), _c((3, 2), np.float64),
                match="both inputs should have same dtype")


@pytest.mark.parametrize("a, b", [((2, 3), (4, 3)), ((3,), (3,)), ((2, 3, 4), (4,)), ((4,), (5, 4)), ((), (4, 2)),
                                  ((2, 3), ()), ((0, 3), (0, 3)), ((2, 0), (3, 0))], ids=str)
def test_inner(a, b):
    check(lambda torch, x, y: torch.inner(x, y), a, b)
    check(lambda torch, x, y: x.inner(y), a, b, dtype=np.float64)


def test_inner_vdot_errors():
    check_error(lambda t, x, y: t.inner(x, y), Const((2, 3)), Const((4, 2)),
                match=r"inner\(\) the last dimension must match on both input tensors but got shapes \[2, 3\] and \[4, 2\]")
    check_error(lambda t, x, y: t.inner(x, y), _c(3, np.int64), _c(3, np.float32), match="same dtype")
    check_error(lambda t, x, y: t.vdot(x, y), Const((3,)), Const((4,)), match="inconsistent tensor size")
    check_error(lambda t, x, y: t.vdot(x, y), Const((3, 1)), Const((3,)), match="1D tensors expected, but got 2D and 1D")
    check_error(lambda t, x, y: t.vdot(x, y), _c(3, np.int64), _c(3, np.float32),
                match="dot : expected both vectors to have same dtype, but found Long and Float")


def test_vdot_trace():
    check(lambda torch, x, y: torch.vdot(x, y), (4,), (4,))
    check(lambda torch, x, y: x.vdot(y), (0,), (0,))
    check(lambda torch, x, y: torch.vdot(x, y), _ints(4), _ints(4, seed=1))
    for s in ((3, 3), (2, 4), (4, 2), (0, 3), (1, 1)):
        check(lambda torch, x: torch.trace(x), s)
        check(lambda torch, x: x.trace(), s, dtype=np.float64)
    for d in (np.int64, np.int32, np.uint8, np.int8):
        check(lambda torch, x: torch.trace(x), Const(np.arange(6, dtype=d).reshape(2, 3)))
    check_error(lambda t, x: t.trace(x), Const((3,)), match="trace: expected a matrix, but got tensor with dim 1")
    check_error(lambda t, x: t.trace(x), _c((2, 2), bool), match='"trace" not implemented')


# -- kron, cross, chain_matmul, ger, bilinear ----------------------------------------------------------
@pytest.mark.parametrize("a, b", [((2, 3), (4,)), ((2, 3), (2, 2)), ((2,), (3,)), ((), (4,)), ((2, 1, 3), (3, 2)),
                                  ((2, 0), (3, 2)), ((1,), ())], ids=str)
def test_kron(a, b):
    check(lambda torch, x, y: torch.kron(x, y), a, b)
    check(lambda torch, x, y: x.kron(y), a, b, dtype=np.float64)


def test_kron_dtypes():
    check(lambda torch, x, y: torch.kron(x, y), _ints((2, 3)), (4,))
    check(lambda torch, x, y: torch.kron(x, y), Const(np.array([True, False])), Const(np.array([[True], [True]])))
    check(lambda torch, x, y: torch.kron(x, y), _ints((2, 2), np.int32), _ints((2,), np.int64, 1))


@pytest.mark.parametrize("a, b, dim", [((4, 3), (4, 3), 1), ((3, 4), (3, 4), 0), ((4, 3), (4, 3), -1),
                                       ((1, 3), (4, 3), 1), ((2, 3, 5), (1, 3, 1), 1), ((0, 3), (0, 3), 1),
                                       ((3,), (3,), 0)], ids=str)
def test_cross(a, b, dim):
    check(lambda torch, x, y: torch.cross(x, y, dim=dim), a, b)
    check(lambda torch, x, y: x.cross(y, dim), a, b, dtype=np.float64)


def test_cross_default_dim_warns():
    for a in ((4, 3), (3, 4), (3, 3), (2, 3, 3)):
        with pytest.warns(UserWarning, match="Using torch.cross without specifying the dim arg is deprecated"):
            check(lambda torch, x, y: torch.cross(x, y), a, a)
    check(lambda torch, x, y: torch.cross(x, y, dim=1), _ints((4, 3)), _ints((4, 3), seed=1))


CROSS_ERRORS = [
    (lambda t, x, y: t.cross(x, y), [(4, 4), (4, 4)], RuntimeError, r"no dimension of size 3 in input"),
    (lambda t, x, y: t.cross(x, y, dim=1), [(4, 4), (4, 4)], RuntimeError,
     r"linalg.cross: inputs dimension 1 must have length 3. Got 4 and 4"),
    (lambda t, x, y: t.cross(x, y, dim=1), [(4, 3), (3,)], RuntimeError,
     r"linalg.cross: inputs must have the same number of dimensions."),
    (lambda t, x, y: t.cross(x, y, dim=1), [(4, 3), (3, 3)], RuntimeError,
     r"The size of tensor a \(4\) must match the size of tensor b \(3\) at non-singleton dimension 0"),
    (lambda t, x, y: t.cross(x, y, dim=3), [(4, 3), (4, 3)], IndexError, r"Dimension out of range"),
]


@pytest.mark.parametrize("fn, shapes, exc, match", CROSS_ERRORS, ids=lambda v: v if isinstance(v, str) else "")
def test_cross_errors(fn, shapes, exc, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(fn, *[Const(s) for s in shapes], exc=exc, match=match)


def test_cross_dtype_errors():
    check_error(lambda t, x, y: t.cross(x, y, dim=1), _c((4, 3), np.int64), _c((4, 3), np.float32),
                match="expected scalar type Long but found Float")
    check_error(lambda t, x, y: t.cross(x, y, dim=0), _c(3, bool), _c(3, bool), match='"cross" not implemented')


def test_chain_matmul_and_ger():
    with pytest.warns(UserWarning, match="torch.chain_matmul is deprecated"):
        check(lambda torch, a, b, c: torch.chain_matmul(a, b, c), (2, 3), (3, 4), (4, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda torch, a: torch.chain_matmul(a), (2, 3))
        check(lambda torch, a, b: torch.chain_matmul(a, b), (2, 0), (0, 3), dtype=np.float64)
        gradcheck(lambda torch, a, b, c: torch.chain_matmul(a, b, c), (2, 3), (3, 2), (2, 2))
        check_error(lambda t, a, b: t.chain_matmul(a, b), Const((2, 3)), Const((4, 5)),
                    match=r"multi_dot\(\): tensors 0 and 1 with shapes \[2, 3\] and \[4, 5\] cannot be multiplied")
        check_error(lambda t, a, b: t.chain_matmul(a, b), Const((3,)), Const((3, 4)),
                    match="Tensor dimension is 1, expected 2 instead.")
        check_error(lambda t: t.chain_matmul(), match=r"chain_matmul\(\): Expected one or more matrices")
    check(lambda torch, a, b: torch.ger(a, b), (2,), (3,))
    check(lambda torch, a, b: a.ger(b), _ints(2), (3,))


def test_bilinear():
    check(lambda torch, a, b, w: torch.bilinear(a, b, w), (4, 3), (4, 2), (5, 3, 2))
    check(lambda torch, a, b, w, c: torch.bilinear(a, b, w, c), (2, 4, 3), (2, 4, 2), (5, 3, 2), (5,))


# -- distances ------------------------------------------------------------------------------------------
CDIST = [((4, 3), (5, 3)), ((2, 4, 3), (5, 3)), ((2, 4, 3), (1, 5, 3)), ((0, 3), (5, 3)), ((4, 0), (5, 0)),
         ((2, 1, 4, 3), (3, 5, 3)), ((1, 3), (1, 3))]


@pytest.mark.parametrize("shapes", CDIST, ids=str)
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, float("inf"), 0.0])
def test_cdist(shapes, p):
    check(lambda torch, a, b: torch.cdist(a, b, p=p), *shapes)
    check(lambda torch, a, b: torch.cdist(a, b, p), *shapes, dtype=np.float64)


def test_cdist_compute_modes_and_large():
    for mode in ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"):
        check(lambda torch, a, b: torch.cdist(a, b, compute_mode=mode), (30, 4), (27, 4), rtol=1e-3, atol=1e-4)


CDIST_ERRORS = [
    (lambda t, a, b: t.cdist(a, b), [(4, 3), (5, 2)], RuntimeError, r"X1 and X2 must have the same number of columns. X1: 3 X2: 2"),
    (lambda t, a, b: t.cdist(a, b), [(3,), (5, 3)], RuntimeError, r"cdist only supports at least 2D tensors, X1 got: 1D"),
    (lambda t, a, b: t.cdist(a, b, p=-1), [(4, 3), (5, 3)], RuntimeError, r"cdist only supports non-negative p values"),
    (lambda t, a, b: t.cdist(a, b, compute_mode="bad"), [(4, 3), (5, 3)], ValueError, r"bad is not a valid value"),
    (lambda t, a, b: t.cdist(a, b), [(2, 4, 3), (3, 5, 3)], RuntimeError, r"The size of tensor a \(2\) must match"),
    (lambda t, a: t.pdist(a), [(2, 4, 3)], RuntimeError, r"pdist only supports 2D tensors, got: 3D"),
    (lambda t, a: t.pdist(a, p=-1), [(4, 3)], RuntimeError, r"pdist only supports non-negative p values"),
    (lambda t, a, b: t.cosine_similarity(a, b), [(4, 3), (5, 3)], RuntimeError, r"The size of tensor a \(4\) must"),
]


@pytest.mark.parametrize("fn, shapes, exc, match", CDIST_ERRORS, ids=lambda v: v if isinstance(v, str) else "")
def test_distance_errors(fn, shapes, exc, match):
    check_error(fn, *[Const(s) for s in shapes], exc=exc, match=match)


def test_distance_dtype_errors():
    check_error(lambda t, a, b: t.cdist(a, b), _c((4, 3), np.int64), _c((5, 3), np.int64),
                match="cdist only supports floating-point dtypes, X1 got: Long")
    check_error(lambda t, a, b: t.cdist(a, b), _c((4, 3), np.float64), _c((5, 3), np.float32),
                match="expected scalar type Double but found Float")
    check_error(lambda t, a: t.pdist(a), _c((4, 3), np.int64), match="pdist only supports floating-point dtypes")
    check_error(lambda t, a, b: t.cosine_similarity(a, b), _c((4, 3), np.int64), _c((4, 3), np.int64),
                match="expected common dtype to be floating point, yet common dtype is Long")


@pytest.mark.parametrize("shape", [(4, 3), (1, 3), (0, 3), (5, 1), (2, 0)], ids=str)
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf")])
def test_pdist(shape, p):
    grad = shape[0] > 0  # (PyTorch's own pdist backward crashes on zero rows)
    check(lambda torch, a: torch.pdist(a, p=p), shape, grad=grad)
    check(lambda torch, a: torch.pdist(a, p), shape, dtype=np.float64, grad=grad)


@pytest.mark.parametrize("a, b", [((4, 3), (4, 3)), ((4, 3), (3,)), ((3,), (3,)), ((2, 4, 3), (4, 3)), ((), ()),
                                  ((0, 3), (0, 3))], ids=str)
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance(a, b, p, keepdim):
    check(lambda torch, x, y: torch.pairwise_distance(x, y, p=p, keepdim=keepdim), a, b)
    check(lambda torch, x, y: torch.pairwise_distance(x, y, p, 1e-6, keepdim), a, b, dtype=np.float64)


def test_pairwise_distance_integers():
    check(lambda torch, x, y: torch.pairwise_distance(x, y), _ints((4, 3)), _ints((4, 3), seed=1))
    check(lambda torch, x, y: torch.pairwise_distance(x, y), _ints((4, 3)), (4, 3))


@pytest.mark.parametrize("a, b, dim", [((4, 3), (4, 3), 1), ((4, 3), (3,), 1), ((4, 3), (4, 3), 0), ((3,), (3,), 0),
                                       ((2, 4, 3), (4, 1), -1), ((0, 3), (0, 3), 1)], ids=str)
def test_cosine_similarity(a, b, dim):
    check(lambda torch, x, y: torch.cosine_similarity(x, y, dim=dim), a, b)
    check(lambda torch, x, y: torch.cosine_similarity(x, y, dim, 1e-3), a, b, dtype=np.float64)


def test_cosine_similarity_dtypes_and_zero():
    check(lambda torch, x, y: torch.cosine_similarity(x, y), (4, 3), np.ones((4, 3)))  # float64 wins
    check(lambda torch, x, y: torch.cosine_similarity(x, y), _ints((4, 3)), (4, 3))
    check(lambda torch, x, y: torch.cosine_similarity(x, y), Const(np.zeros((4, 3), np.float32)), (4, 3))


def test_gradcheck_others():
    gradcheck(lambda torch, x, y: torch.tensordot(x, y, dims=([0, 2], [1, 0])), (2, 3, 4), (4, 2, 2))
    gradcheck(lambda torch, x, y: torch.tensordot(x, y, dims=([1], [0])), (2, 1, 4), (3, 2))
    gradcheck(lambda torch, x, y: torch.inner(x, y), (2, 3), (4, 3))
    gradcheck(lambda torch, x, y: torch.vdot(x, y), (4,), (4,))
    gradcheck(lambda torch, x: torch.trace(x), (3, 4))
    gradcheck(lambda torch, x, y: torch.kron(x, y), (2, 3), (2, 1, 2))
    gradcheck(lambda torch, x, y: torch.cross(x, y, dim=1), (2, 3, 4), (1, 3, 1))
    gradcheck(lambda torch, x, y: torch.ger(x, y), (2,), (3,))
    for p in (2.0, 1.0, 3.0, 0.5):
        gradcheck(lambda torch, x, y: torch.cdist(x, y, p=p), (2, 4, 3), (5, 3))
        gradcheck(lambda torch, x: torch.pdist(x, p=p), (4, 3))
        gradcheck(lambda torch, x, y: torch.pairwise_distance(x, y, p=p), (4, 3), (3,))
    gradcheck(lambda torch, x, y: torch.cosine_similarity(x, y, dim=-1), (2, 4, 3), (4, 3))
    gradcheck(lambda torch, a, b, w, c: torch.bilinear(a, b, w, c), (4, 3), (4, 2), (5, 3, 2), (5,))
