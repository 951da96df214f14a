"""torch.linalg's second pass against PyTorch: LU gradients, ldl_factor/ldl_solve, linalg.matmul, lobpcg,
svd_lowrank/pca_lowrank, and edge cases (empty matrix norms, svd driver=, multi_dot/tensorinv messages).

Randomized and iterative results (lowrank, lobpcg) are compared through quantities that depend neither on the
random start nor on eigenvector signs: singular values and eigenvalues, reconstructions, |vectors|, X ⊙ X."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import Const, check, check_error, gradcheck

DTYPES = [np.float32, np.float64]


def sym(lib, x):
    return x + x.mT


def spd(lib, x):
    n = x.shape[-1]
    return x @ x.mT / n + lib.eye(n, dtype=x.dtype)


# -- LU gradients ------------------------------------------------------------------------------------------
LU_SHAPES = [(4, 4), (3, 5), (5, 3), (2, 4, 4), (2, 3, 5), (2, 3, 5, 3), (1, 1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", LU_SHAPES)
def test_linalg_lu_gradient(dtype, shape):
    check(lambda t, x: t.linalg.lu(x), shape, dtype=dtype)
    check(lambda t, x: t.linalg.lu(x).L, shape, dtype=dtype)
    check(lambda t, x: t.linalg.lu(x).U, shape, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", LU_SHAPES)
def test_lu_factor_gradient(dtype, shape):
    check(lambda t, x: t.linalg.lu_factor(x), shape, dtype=dtype)
    check(lambda t, x: t.linalg.lu_factor_ex(x), shape, dtype=dtype)
    check(lambda t, x: t.lu(x), shape, dtype=dtype)
    check(lambda t, x: t.lu(x, get_infos=True), shape, dtype=dtype)
    check(lambda t, x: x.lu(), shape, dtype=dtype)


def test_lu_gradient_through_unpack_and_solve():
    check(lambda t, x: t.lu_unpack(*t.linalg.lu_factor(x))[1:], (4, 4))
    check(lambda t, x, b: t.linalg.lu_solve(*t.linalg.lu_factor(x + 3 * t.eye(4)), b), (4, 4), (4, 2))


def test_lu_empty():
    check(lambda t, x: t.linalg.lu(x), (0, 3))
    check(lambda t, x: t.linalg.lu_factor(x), (2, 3, 0))


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3), (2, 3, 3)])
def test_lu_gradcheck(shape):
    gradcheck(lambda t, x: t.linalg.lu(x).L, shape)
    gradcheck(lambda t, x: t.linalg.lu(x).U, shape)
    gradcheck(lambda t, x: t.linalg.lu_factor(x).LU, shape)
    gradcheck(lambda t, x: t.linalg.lu_factor_ex(x).LU, shape)
    gradcheck(lambda t, x: t.lu(x)[0], shape)


# -- LDLᵀ ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1), (4, 4), (2, 5, 5), (2, 3, 6, 6), (0, 0), (2, 0, 0)])
@pytest.mark.parametrize("hermitian", [False, True])
def test_ldl_factor(dtype, shape, hermitian):
    # the packed LD and LAPACK's pivots are PyTorch's exactly (both call sytrf with uplo='L')
    check(lambda t, x: t.linalg.ldl_factor(sym(t, x), hermitian=hermitian), Const(shape), dtype=dtype, grad=False)
    check(lambda t, x: t.linalg.ldl_factor_ex(sym(t, x), hermitian=hermitian), Const(shape), dtype=dtype,
          grad=False)


def test_ldl_factor_reads_the_lower_triangle():
    check(lambda t, x: t.linalg.ldl_factor(x), Const((5, 5)), grad=False)  # a non-symmetric input


def test_ldl_factor_2x2_pivots():
    a = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]])  # zero diagonal: 2×2 blocks
    r = check(lambda t, x: t.linalg.ldl_factor(x), Const(a), dtype=np.float64, grad=False)
    assert (r.pivots.numpy() < 0).any()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", [((4, 4), (4, 2)), ((2, 5, 5), (5, 3)), ((5, 5), (3, 5, 1)),
                                    ((2, 4, 4), (4, 2)), ((3, 3), (3, 0)), ((0, 0), (0, 2))])
def test_ldl_solve(dtype, shapes):
    a, b = shapes
    check(lambda t, x, y: t.linalg.ldl_solve(*t.linalg.ldl_factor(sym(t, x)), y), Const(a), Const(b), dtype=dtype,
          grad=False)
    check(lambda t, x, y: t.linalg.ldl_solve(*t.linalg.ldl_factor_ex(sym(t, x))[:2], y, hermitian=True), Const(a),
          Const(b), dtype=dtype, grad=False)


def test_ldl_solve_solves_and_int64_pivots():
    A = glasstorch.randn(6, 6, dtype=glasstorch.float64)
    A = A + A.mT
    B = glasstorch.randn(6, 2, dtype=glasstorch.float64)
    LD, piv = glasstorch.linalg.ldl_factor(A)
    X = glasstorch.linalg.ldl_solve(LD, piv.long(), B)
    np.testing.assert_allclose((A @ X).numpy(), B.numpy(), atol=1e-10)
    assert not LD.requires_grad and LD.dtype == glasstorch.float64 and piv.dtype == glasstorch.int32
    # batch dims broadcast both ways (PyTorch 2.13 crashes with a segmentation fault on this case: not compared)
    A = glasstorch.randn(2, 1, 4, 4, dtype=glasstorch.float64)
    A = A + A.mT
    B = glasstorch.randn(3, 4, 2, dtype=glasstorch.float64)
    X = glasstorch.linalg.ldl_solve(*glasstorch.linalg.ldl_factor(A), B)
    assert tuple(X.shape) == (2, 3, 4, 2)
    np.testing.assert_allclose((A @ X).numpy(), np.broadcast_to(B.numpy(), (2, 3, 4, 2)), atol=1e-10)


def test_ldl_errors():
    f = lambda t, x: t.linalg.ldl_factor(x)  # noqa: E731
    check_error(f, (3, 4), match="must be batches of square matrices, but they are 3 by 4 matrices")
    check_error(f, (3,), match="at least 2 dimensions")
    check_error(f, np.ones((3, 3), np.int64), match="Expected a floating point or complex tensor as input. Got Long")
    # a zero block of D: PyTorch 2.13 raises an internal-assert RuntimeError; glasstorch a LinAlgError saying why
    check_error(f, np.zeros((3, 3), np.float32), exc=RuntimeError, match="D\\[1,1\\] is exactly zero")
    check_error(lambda t, x: t.linalg.ldl_factor_ex(x, check_errors=True), np.zeros((2, 3, 3), np.float32),
                exc=glasstorch.linalg.LinAlgError, match="Batch element 0")
    r = glasstorch.linalg.ldl_factor_ex(glasstorch.zeros(2, 3, 3))
    t = torch.linalg.ldl_factor_ex(torch.zeros(2, 3, 3))
    assert r.info.tolist() == t.info.tolist() and r.pivots.tolist() == t.pivots.tolist()
    a = np.array([[2.0, 1.0], [1.0, 3.0]], np.float32)

    def solve(b, piv=None, ld=None):
        def f(t, x):
            LD, p = t.linalg.ldl_factor(x)
            return t.linalg.ldl_solve(LD if ld is None else ld(t, LD), p if piv is None else piv(t, p), b(t))
        return f
    check_error(solve(lambda t: t.ones(3)), a, exc=IndexError, match="Dimension out of range")
    check_error(solve(lambda t: t.ones(3, 1)), a, match="each A matrix is 2 by 2 but each b matrix is 3 by 1")
    check_error(solve(lambda t: t.ones(2, 1, dtype=t.float64)), a, match="Expected b and A to have the same dtype")
    check_error(solve(lambda t: t.ones(2, 1), piv=lambda t, p: p.float()), a, match="Expected pivots to be integers")
    check_error(solve(lambda t: t.ones(2, 1), piv=lambda t, p: p[:1]), a,
                match=r"Expected LD.shape\[:-1\] and pivots.shape to be the same")
    check_error(solve(lambda t: t.ones(4, 2, 1), piv=lambda t, p: p.expand(3, 2), ld=lambda t, x: x.expand(3, 2, 2)),
                a, match=r"The size of tensor a \(4\) must match the size of tensor b \(3\)")


def test_linalg_matmul():
    check(lambda t, x, y: t.linalg.matmul(x, y), (2, 3, 4), (4, 5))
    check(lambda t, x, y: t.linalg.matmul(x, y), (4,), (4,))
    check_error(lambda t, x, y: t.linalg.matmul(x, y), (3, 4), (3, 4))
    out = glasstorch.empty(3, 5)
    glasstorch.linalg.matmul(glasstorch.ones(3, 4), glasstorch.ones(4, 5), out=out)
    assert (out.numpy() == 4).all()


# -- svd_lowrank, pca_lowrank ---------------------------------------------------------------------------------
def _seeded(t, f):
    t.manual_seed(0)
    return f()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", [((8, 3), (3, 6)), ((6, 3), (3, 8)), ((2, 7, 2), (2, 5))])
@pytest.mark.parametrize("niter", [0, 2])
def test_svd_lowrank_exact_rank(dtype, shapes, niter):
    # rank(A) = r ≤ q: the randomized range finder is exact, S (the top q) is PyTorch's, U diag(S) Vᵀ is A
    q = shapes[0][-1]
    check(lambda t, x, y: t.svd_lowrank(x @ y, q=q, niter=niter)[1], *shapes, dtype=dtype, rtol=1e-3)
    check(lambda t, x, y: (lambda U, S, V: U @ t.diag_embed(S) @ V.mT)(*t.svd_lowrank(x @ y, q=q, niter=niter)),
          *shapes, dtype=dtype, rtol=1e-3, atol=1e-4)


def test_svd_lowrank_shapes_and_M():
    A = glasstorch.randn(3, 10, 7)
    U, S, V = glasstorch.svd_lowrank(A)
    assert tuple(U.shape) == (3, 10, 6) and tuple(S.shape) == (3, 6) and tuple(V.shape) == (3, 7, 6)
    check(lambda t, x, y, m: t.svd_lowrank(x @ y + m, q=2, M=m)[1], (6, 2), (2, 5), Const((5,)), dtype=np.float64)
    np.testing.assert_allclose((U.mT @ U).numpy(), np.broadcast_to(np.eye(6), (3, 6, 6)), atol=1e-5)


@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize("shape", [(10, 4), (4, 9), (2, 8, 5)])
def test_pca_lowrank_full_rank(center, shape):
    # q = min(m, n): the exact (centred) SVD's singular values and reconstruction
    q = min(shape[-2:])
    check(lambda t, x: t.pca_lowrank(x, q=q, center=center)[1], shape, dtype=np.float64, rtol=1e-6, atol=1e-8)
    check(lambda t, x: (lambda U, S, V: U @ t.diag_embed(S) @ V.mT)(*t.pca_lowrank(x, q=q, center=center)), shape,
          dtype=np.float64, rtol=1e-6, atol=1e-8)


def test_pca_lowrank_default_q_and_errors():
    U, S, V = glasstorch.pca_lowrank(glasstorch.randn(20, 10))
    assert tuple(S.shape) == (6,)
    check_error(lambda t, x: t.pca_lowrank(x, q=5), (4, 3), exc=ValueError,
                match=r"q\(=5\) must be non-negative integer and not greater than min\(m, n\)=3")
    check_error(lambda t, x: t.pca_lowrank(x, niter=-1), (4, 3), exc=ValueError, match="niter")


@pytest.mark.parametrize("shape", [(6, 4), (4, 6)])
def test_lowrank_gradcheck(shape):
    # seeded inside the function so that every evaluation draws the same random start
    gradcheck(lambda t, x: _seeded(t, lambda: t.svd_lowrank(x, q=2, niter=1))[1], shape)
    gradcheck(lambda t, x: (lambda U, S, V: U @ t.diag_embed(S) @ V.mT)(*_seeded(t, lambda: t.svd_lowrank(x, q=2))),
              shape)
    gradcheck(lambda t, x: _seeded(t, lambda: t.pca_lowrank(x, q=3))[1], shape)


# -- lobpcg -------------------------------------------------------------------------------------------------
def _lobpcg_sq(t, a, **kw):
    """(E, X ⊙ X): independent of the eigenvectors' signs."""
    E, X = t.lobpcg(a, **kw)
    return E, X * X


# PyTorch's own eigenvectors are accurate to about 1e-6 at its default tol (scipy's to about 1e-7 here)
LOBPCG_TOL = dict(rtol=1e-4, atol=2e-5)


@pytest.mark.parametrize("largest", [True, False, None])
@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("batch", [(), (2,)])
def test_lobpcg(largest, k, batch):
    check(lambda t, x: _lobpcg_sq(t, spd(t, x), k=k, largest=largest), batch + (12, 12), dtype=np.float64,
          **LOBPCG_TOL)


@pytest.mark.parametrize("largest", [True, False])
def test_lobpcg_generalized(largest):
    # with B: the values (and |vectors|) as PyTorch; no gradient (PyTorch's backward raises), so Const inputs
    check(lambda t, x, y: _lobpcg_sq(t, spd(t, x), k=2, B=spd(t, y), largest=largest), Const((12, 12)),
          Const((12, 12)), dtype=np.float64, **LOBPCG_TOL)


def test_lobpcg_X_n_and_float32():
    check(lambda t, x, x0: _lobpcg_sq(t, spd(t, x), X=x0), Const((15, 15)), Const((15, 2)), dtype=np.float64,
          **LOBPCG_TOL)
    check(lambda t, x: _lobpcg_sq(t, spd(t, x), k=2, n=3), Const((12, 12)), dtype=np.float64, **LOBPCG_TOL)
    check(lambda t, x: t.lobpcg(spd(t, x), k=2)[0], Const((12, 12)), rtol=1e-4, grad=False)


def test_lobpcg_errors():
    check_error(lambda t, x: t.lobpcg(spd(t, x), k=3), (8, 8), exc=ValueError,
                match=r"number of A rows \(=8\) is smaller than 3 x the number of requested eigenpairs \(=3\)")
    check_error(lambda t, x: t.lobpcg(x, k=1), (6, 5), exc=AssertionError)
    for lib in (torch, glasstorch):
        a = lib.eye(9, dtype=lib.float64) * lib.arange(1, 10, dtype=lib.float64)
        a.requires_grad_(True)
        E, X = lib.lobpcg(a, k=1, B=lib.eye(9, dtype=lib.float64))
        with pytest.raises(ValueError, match="does not support backward with B != I"):
            E.sum().backward()


@pytest.mark.parametrize("largest", [True, False])
def test_lobpcg_gradcheck(largest):
    gradcheck(lambda t, x: t.lobpcg(spd(t, x), k=2, largest=largest)[0], (9, 9))
    gradcheck(lambda t, x: (t.lobpcg(spd(t, x), k=2, largest=largest)[1] ** 2).sum(0), (9, 9), atol=1e-4)


# -- edge cases checked against PyTorch ----------------------------------------------------------------------
NEG_ORDS = [-1, -2, -float("inf")]


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, 2, float("inf")] + NEG_ORDS)
@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0), (2, 0, 3), (0, 2, 3)])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", [(-2, -1), (-1, -2)])
def test_matrix_norm_empty(ord, shape, keepdim, dim):
    f = lambda t, x: t.linalg.matrix_norm(x, ord, dim=dim, keepdim=keepdim)  # noqa: E731
    try:
        want = f(torch, torch.zeros(shape))
    except IndexError as e:
        msg = str(e)
        err = check_error(f, np.zeros(shape, np.float32), exc=IndexError)
        assert str(err) == msg
        return
    check(f, np.zeros(shape, np.float32), grad=False)
    assert want.shape == f(glasstorch, glasstorch.zeros(shape)).shape


@pytest.mark.parametrize("driver", ["gesvd", "gesvdj", "gesvda", "nonsense"])
def test_svd_driver_is_cuda_only(driver):
    match = "driver= is only supported on CUDA inputs"
    check_error(lambda t, x: t.linalg.svd(x, driver=driver), (3, 3), match="`" + match.replace(" is", "` is"))
    check_error(lambda t, x: t.linalg.svdvals(x, driver=driver), (3, 3), exc=RuntimeError)
    check(lambda t, x: t.linalg.svdvals(x, driver=None), (3, 4))


def _same_message(fn, *inputs):
    t_err = None
    try:
        fn(torch, *[torch.from_numpy(np.asarray(a)) for a in inputs])
    except Exception as e:  # noqa: BLE001
        t_err = e
    assert t_err is not None
    exc = glasstorch.linalg.LinAlgError if isinstance(t_err, torch.linalg.LinAlgError) else None
    g_err = check_error(fn, *inputs, exc=exc)
    assert str(g_err) == str(t_err)


@pytest.mark.parametrize("shapes", [[(3, 3)], [], [(2, 3, 3), (3, 3)], [(3, 3), (2, 3, 3)], [(3, 3), (3,), (3, 3)],
                                    [(3, 3), (4, 3)], [(3,), (4, 4)], [(3, 3), (4,)], [(3, 3), (3, 3), (2, 2)]])
def test_multi_dot_messages(shapes):
    arrays = [np.ones(s, np.float32) for s in shapes]
    _same_message(lambda t, *xs: t.linalg.multi_dot(list(xs)), *arrays)


@pytest.mark.parametrize("dtypes", [(np.float32, np.float64), (np.int64, np.float64), (np.float64, np.int32),
                                    (np.uint8, np.int8), (np.float32, np.float32, np.int16), (np.float64, np.bool_),
                                    (np.float64, np.float16)])
def test_multi_dot_dtype_messages(dtypes):
    arrays = [np.ones((3, 3), d) for d in dtypes]
    _same_message(lambda t, *xs: t.linalg.multi_dot(list(xs)), *arrays)


@pytest.mark.parametrize("shape,ind", [((4, 2, 2), 0), ((4, 2, 3), 1), ((4, 2, 2), 3), ((2, 3, 6), 2)])
def test_tensorinv_messages(shape, ind):
    _same_message(lambda t, x: t.linalg.tensorinv(x, ind=ind), np.ones(shape, np.float32))


def test_tensorinv_singular_and_int_messages():
    _same_message(lambda t, x: t.linalg.tensorinv(x, ind=1), np.zeros((4, 2, 2), np.float32))
    _same_message(lambda t, x: t.linalg.tensorinv(x, ind=1), np.zeros((4, 2, 2), np.int64))
    check(lambda t, x: t.linalg.tensorinv(x + 3 * t.eye(4).reshape(4, 2, 2), ind=1), (4, 2, 2))
