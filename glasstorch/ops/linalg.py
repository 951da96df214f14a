"""Linear algebra ops (torch.linalg): forward through NumPy's LAPACK, backward from the published formulas.

Each op is a Function with its forward and backward side by side (see autograd/function.py). Inputs are real
(float32 or float64) matrices, batched as (..., m, n) as in PyTorch. Notation in the comments: Xᵀ is the
transpose of the last two dims, G (or dL/dY) the gradient arriving at an output Y, sym(X) = (X + Xᵀ)/2.

Decompositions with several differentiable outputs (qr, eigh, svd) are computed once by the Python wrapper;
each output is then made by its own Function (``QrQ``, ``QrR`` ...) that receives the factors as plain arrays
and returns a fresh copy of its output (the factors each node keeps for backward stay private to it, so an
in-place write to one output cannot silently change another node's gradient). This works because each
decomposition's backward is linear in the output gradients: the engine adds the nodes' contributions, which
is the same as one backward taking all output gradients at once.

Functions without a gradient here (geqrf, matrix_rank, ldl_factor, ldl_solve, the ``info`` and ``pivots``
outputs) are plain functions returning tensors that do not require grad.
"""
import collections
import math
import operator

import numpy as np
import scipy.linalg as _sl
import scipy.linalg.lapack as _lapack

from .. import _dtype
from ..autograd.function import Function, _broadcast_message, unbroadcast, wrap
from ..backend import get_array_module
from ..tensor import Tensor
from . import elementwise as _ew
from . import index as _index
from . import matmul as _mm
from . import reduce as _reduce
from . import shape as _shape
from . import views as _views


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a linear-algebra routine failed on its input (a singular matrix, a matrix that is
    not positive-definite ...). A subclass of RuntimeError, as PyTorch's."""


LinAlgError.__module__ = "glasstorch.linalg"


def _named_result(name, fields):
    """A tuple with named fields, as torch.return_types.<name>."""
    cls = collections.namedtuple(name, fields)
    cls.__qualname__ = f"return_types.{name}"
    cls.__module__ = __name__
    cls.__repr__ = lambda self: (f"torch.return_types.{name}(\n"
                                 + ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self)) + ")")
    return cls


class return_types:
    """The named result tuples of the linear-algebra functions (PyTorch's names and fields)."""
    slogdet = _named_result("slogdet", ("sign", "logabsdet"))
    linalg_slogdet = _named_result("linalg_slogdet", ("sign", "logabsdet"))
    linalg_inv_ex = _named_result("linalg_inv_ex", ("inverse", "info"))
    linalg_solve_ex = _named_result("linalg_solve_ex", ("result", "info"))
    linalg_cholesky_ex = _named_result("linalg_cholesky_ex", ("L", "info"))
    linalg_qr = _named_result("linalg_qr", ("Q", "R"))
    qr = _named_result("qr", ("Q", "R"))
    linalg_eigh = _named_result("linalg_eigh", ("eigenvalues", "eigenvectors"))
    linalg_svd = _named_result("linalg_svd", ("U", "S", "Vh"))
    svd = _named_result("svd", ("U", "S", "V"))
    linalg_lstsq = _named_result("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
    linalg_lu = _named_result("linalg_lu", ("P", "L", "U"))
    linalg_lu_factor = _named_result("linalg_lu_factor", ("LU", "pivots"))
    linalg_lu_factor_ex = _named_result("linalg_lu_factor_ex", ("LU", "pivots", "info"))
    lu_unpack = _named_result("lu_unpack", ("P", "L", "U"))
    triangular_solve = _named_result("triangular_solve", ("solution", "cloned_coefficient"))
    geqrf = _named_result("geqrf", ("a", "tau"))
    linalg_ldl_factor = _named_result("linalg_ldl_factor", ("LD", "pivots"))
    linalg_ldl_factor_ex = _named_result("linalg_ldl_factor_ex", ("LD", "pivots", "info"))


# ---------------------------------------------------------------------------------------------------
# helpers: checks, PyTorch's error messages, small array functions
# ---------------------------------------------------------------------------------------------------
def _mT(a):
    """The transpose of the last two dims of an array."""
    return a.swapaxes(-1, -2)


def _eye_like(a, m=None, n=None):
    xp = get_array_module(a)
    m = a.shape[-2] if m is None else m
    return xp.eye(m, a.shape[-1] if n is None else n, dtype=a.dtype)


def _tensor(v, name, fn):
    if not isinstance(v, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(v).__name__}")
    return v


def _check_float(A, name):
    if not _dtype.is_float_array(A._array.dtype):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_reduce._torch_name(A._array.dtype)}")


def _check_matrix(A, name, square=False):
    """A is a float tensor of at least 2 dims (and square matrices if asked), else PyTorch's errors."""
    _tensor(A, "A", name.split(".")[-1])
    a = A._array
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {a.shape[-2]} by "
                           f"{a.shape[-1]} matrices")
    _check_float(A, name)
    return a


def _raise_info(name, info, batched, text):
    """Raise LinAlgError for the first matrix whose LAPACK info is non-zero, with PyTorch's batch prefix."""
    flat = np.asarray(info).reshape(-1)
    b = int(np.flatnonzero(flat)[0])
    prefix = f"(Batch element {b}): " if batched else ""
    raise LinAlgError(f"{name}: {prefix}{text(int(flat[b]))}")


def _lu_info(a):
    """LAPACK getrf's info per matrix: 0, or the 1-based index of U's first exactly-zero diagonal element."""
    if a.size == 0:
        return np.zeros(a.shape[:-2], np.int32)
    u = _sl.lu(a, check_finite=False)[2]
    zero = np.diagonal(u, axis1=-2, axis2=-1) == 0
    return np.where(zero.any(-1), zero.argmax(-1) + 1, 0).astype(np.int32)


def _singular_text(k):
    return (f"The diagonal element {k} is zero, the inversion could not be completed because the input matrix "
            "is singular.")


def _inv(a, name="linalg.inv"):
    xp = get_array_module(a)
    try:
        return xp.linalg.inv(a)
    except np.linalg.LinAlgError:
        _raise_info(name, _lu_info(a), a.ndim > 2, _singular_text)


def _inv_or_pinv(a):
    """A⁻¹, or the pseudo-inverse where A is singular (used by backward formulas that need A⁻¹)."""
    xp = get_array_module(a)
    try:
        return xp.linalg.inv(a)
    except np.linalg.LinAlgError:
        return xp.linalg.pinv(a)


def _potrf_info(a):
    """LAPACK potrf's info per matrix: 0, or the order of the first leading minor that is not positive-definite,
    with the partly factored lower triangles (what cholesky_ex returns for a failed matrix)."""
    flat = a.reshape((-1,) + a.shape[-2:])
    info = np.zeros(len(flat), np.int32)
    factors = np.zeros_like(flat)
    potrf, = _lapack.get_lapack_funcs(("potrf",), (flat,))
    for i, m in enumerate(flat):  # only on the error path: LAPACK, one matrix at a time
        c, info[i] = potrf(m, lower=1, clean=1)
        factors[i] = np.tril(c)
    return info.reshape(a.shape[:-2]), factors.reshape(a.shape)


def _not_pd_text(k):
    return (f"The factorization could not be completed because the input is not positive-definite (the leading "
            f"minor of order {k} is not positive-definite).")


def _solve_tri(a, b, upper, trans=False, unit=False):
    """A⁻¹B (or A⁻ᵀB with trans) for triangular A, batched with broadcasting (scipy's LAPACK trtrs)."""
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    if a.size == 0 or b.size == 0:
        return np.zeros(batch + (a.shape[-1], b.shape[-1]), np.result_type(a, b))
    x = _sl.solve_triangular(a, b, trans=1 if trans else 0, lower=not upper, unit_diagonal=unit,
                             check_finite=False)
    return x.astype(np.result_type(a, b), copy=False)


def _tri(a, upper, unit=False):
    """The triangle of a that a triangular matrix uses (without its diagonal if unit)."""
    xp = get_array_module(a)
    if upper:
        return xp.triu(a, 1 if unit else 0)
    return xp.tril(a, -1 if unit else 0)


def _write(out, name, result, *inputs):
    """result, or result written into out (ops/out.py's rules)."""
    if out is None:
        return result
    return _out.write_out(out, result, name, *inputs)


def _no_tuple_out(out, name):
    """out= for a function with several results is not implemented: refuse it rather than ignore it."""
    if out is not None:
        raise NotImplementedError(f"{name}(): out= is not supported by glasstorch for functions with several results")


def _check_out(out, name, *inputs):
    if out is not None:
        _out.check_out(out, name, *inputs)


# ---------------------------------------------------------------------------------------------------
# norms
# ---------------------------------------------------------------------------------------------------
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """(Σ |x|^ord)^(1/ord) over dim (all elements when None); ord = ±inf gives max/min |x|, 0 the non-zeros."""
    _tensor(x, "input", "linalg_vector_norm")
    _check_out(out, "linalg.vector_norm", x)
    if isinstance(ord, str):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not str")
    x = _reduce._cast(x, dtype)
    _check_float(x, "linalg.vector_norm")
    ndim = x._array.ndim
    axes = _reduce._axes(dim, ndim)
    p = float(ord)
    if (p < 0 or math.isinf(p)) and _reduce._count(x._array.shape, axes) == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because the "
                           "operation does not have an identity")
    return _write(out, "linalg.vector_norm", _reduce.Norm.apply(x, p, axes, keepdim))


def _matrix_dims(dim, ndim):
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    d0, d1 = (_reduce._wrap_dim(d, ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def _empty_matrix_norm_check(ord, shape, d0, d1, keepdim):
    """PyTorch's error for a negative ord on an empty matrix: the min over an empty dim (amin's message)."""
    if ord == -2 and min(shape[d0], shape[d1]) == 0:
        raise IndexError("amin(): Expected reduction dim -1 to have non-zero size.")
    if ord in (-1, -math.inf):
        sum_dim, pick_dim = (d0, d1) if ord == -1 else (d1, d0)
        if shape[pick_dim] == 0:
            shown = pick_dim - 1 if (not keepdim and sum_dim < pick_dim) else pick_dim
            raise IndexError(f"amin(): Expected reduction dim {shown} to have non-zero size.")


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """A matrix norm over the two dims ``dim``: 'fro', 'nuc', ±inf (max/min row sum), ±1 (max/min column sum),
    ±2 (largest/smallest singular value)."""
    _tensor(A, "A", "linalg_matrix_norm")
    _check_out(out, "linalg.matrix_norm", A)
    A = _reduce._cast(A, dtype)
    if A._array.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    _check_float(A, "linalg.matrix_norm")
    d0, d1 = _matrix_dims(dim, A._array.ndim)
    if isinstance(ord, str):
        if ord == "fro":
            r = _reduce.Norm.apply(A, 2.0, tuple(sorted((d0, d1))), keepdim)
        elif ord == "nuc":
            r = _reduce.NuclearNorm.apply(A, (d0, d1), keepdim)
        else:
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        return _write(out, "linalg.matrix_norm", r)
    if ord not in (1, -1, 2, -2, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    shape = A._array.shape
    if A._array.size == 0:  # as PyTorch: a positive ord gives 0; a negative one raises where its min is empty
        _empty_matrix_norm_check(ord, shape, d0, d1, keepdim)
        if ord > 0:
            kept = [1 if i in (d0, d1) else n for i, n in enumerate(shape)]
            r = wrap(np.zeros(kept, A._array.dtype))
            r = r if keepdim else _shape.squeeze(r, tuple(sorted((d0, d1))))
            return _write(out, "linalg.matrix_norm", r)
    if abs(ord) == 2:  # the largest (smallest) singular value
        s = svdvals(_shape.movedim(A, (d0, d1), (-2, -1)))
        r = _reduce.amax(s, -1) if ord > 0 else _reduce.amin(s, -1)
        if keepdim:
            for d in sorted((d0, d1)):
                r = _shape.unsqueeze(r, d)
        return _write(out, "linalg.matrix_norm", r)
    # ord = ±1: sum |A| down each column (over d0), then the max (min) over the columns; ord = ±inf: rows
    sum_dim, pick_dim = (d0, d1) if abs(ord) == 1 else (d1, d0)
    sums = _reduce.sum(_ew.abs(A), sum_dim, keepdim=True)
    r = _reduce.amax(sums, pick_dim, keepdim=True) if ord > 0 else _reduce.amin(sums, pick_dim, keepdim=True)
    if not keepdim:
        r = _shape.squeeze(r, tuple(sorted((d0, d1))))
    return _write(out, "linalg.matrix_norm", r)


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """torch.linalg.norm: a vector norm (ord None, a 1-D input or a one-int dim) or a matrix norm (a 2-D input
    with ord given, or a 2-tuple dim)."""
    _tensor(A, "A", "linalg_norm")
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        dim = tuple(dim)
        if len(dim) == 1:
            if isinstance(ord, str):
                raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r} for a 1-dim norm")
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
        if len(dim) == 2:
            if ord is None:
                return vector_norm(A, 2, dim, keepdim, dtype=dtype, out=out)
            return matrix_norm(A, ord, dim, keepdim, dtype=dtype, out=out)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    ndim = A._array.ndim
    if ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
    if ndim == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {ndim}D.")


# ---------------------------------------------------------------------------------------------------
# determinants
# ---------------------------------------------------------------------------------------------------
def _adjugate_T(a):
    """adj(A)ᵀ, the cofactor matrix, also for singular A: with A = U diag(s) Vᵀ,
    adj(A)ᵀ = det(U) det(V) · U diag(Π_{j≠i} s_j) Vᵀ."""
    xp = get_array_module(a)
    u, s, vt = xp.linalg.svd(a)
    ones = xp.ones(s.shape[:-1] + (1,), s.dtype)
    left = xp.cumprod(xp.concatenate([ones, s[..., :-1]], -1), -1)  # Π_{j<i} s_j
    right = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(s, -1)[..., :-1]], -1), -1), -1)  # Π_{j>i} s_j
    sign = xp.linalg.det(u) * xp.linalg.det(vt)
    return sign[..., None, None] * ((u * (left * right)[..., None, :]) @ vt)


class Det(Function):
    """y = det(A)"""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, a):
        xp = get_array_module(a)
        y = xp.asarray(xp.linalg.det(a), dtype=a.dtype)
        ctx.a, ctx.y = a, y
        return y

    @staticmethod
    def backward(ctx, grad):
        # dL/dA = dL/dy · adj(A)ᵀ = dL/dy · det(A) · A⁻ᵀ   (Jacobi's formula). Where det(A) = 0, A⁻¹ does not
        # exist but the adjugate does: it is computed from the SVD (see _adjugate_T).
        a, y = ctx.a, ctx.y
        g = grad[..., None, None]
        if a.shape[-1] == 0:
            return get_array_module(a).zeros_like(a)
        if (y != 0).all():
            return g * y[..., None, None] * _mT(_inv_or_pinv(a))
        return g * _adjugate_T(a).astype(a.dtype, copy=False)


def det(A, *, out=None):
    """det(A) of each square matrix in the batch."""
    _check_out(out, "linalg.det", A)
    _check_matrix(A, "linalg.det", square=True)
    return _write(out, "linalg.det", Det.apply(A))


class Logabsdet(Function):
    """y = log |det(A)|"""

    saves = (0,)

    @staticmethod
    def forward(ctx, a, logabs):
        ctx.a = a
        return logabs

    @staticmethod
    def backward(ctx, grad):
        # d log|det A| = tr(A⁻¹ dA), so dL/dA = dL/dy · A⁻ᵀ
        return grad[..., None, None] * _mT(_inv_or_pinv(ctx.a)), None


class Logdet(Function):
    """y = log det(A): NaN where det(A) < 0, −inf where det(A) = 0 (torch.logdet for real inputs)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, a, sign, logabs):
        ctx.a = a
        xp = get_array_module(a)
        return xp.where(sign < 0, xp.nan, logabs).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        # dL/dA = dL/dy · A⁻ᵀ   (as for log |det A|)
        return grad[..., None, None] * _mT(_inv_or_pinv(ctx.a)), None, None


class SlogdetSign(Function):
    """sign(det A): piecewise constant, so its gradient is 0 (PyTorch records it too)"""

    saves = ()

    @staticmethod
    def forward(ctx, a, sign):
        ctx.shape = a.shape
        return sign

    @staticmethod
    def backward(ctx, grad):
        return get_array_module(grad).zeros(ctx.shape, grad.dtype), None  # dL/dA = 0


def _slogdet_arrays(a):
    xp = get_array_module(a)
    sign, logabs = xp.linalg.slogdet(a)
    return xp.asarray(sign, dtype=a.dtype), xp.asarray(logabs, dtype=a.dtype)


def linalg_slogdet(A, *, out=None):
    """(sign, log |det A|); the sign's gradient is 0."""
    _no_tuple_out(out, "linalg.slogdet")
    a = _check_matrix(A, "linalg.slogdet", square=True)
    sign, logabs = _slogdet_arrays(a)
    return return_types.linalg_slogdet(SlogdetSign.apply(A, sign), Logabsdet.apply(A, logabs))


def slogdet(A):
    """torch.slogdet: (sign, log |det A|)."""
    a = _check_matrix(A, "linalg.slogdet", square=True)
    sign, logabs = _slogdet_arrays(a)
    return return_types.slogdet(SlogdetSign.apply(A, sign), Logabsdet.apply(A, logabs))


def logdet(A):
    """torch.logdet: log det(A); NaN for a negative determinant, −inf for zero."""
    a = _check_matrix(A, "linalg.logdet", square=True)
    sign, logabs = _slogdet_arrays(a)
    return Logdet.apply(A, sign, logabs)


# ---------------------------------------------------------------------------------------------------
# inverse, solve
# ---------------------------------------------------------------------------------------------------
class Inv(Function):
    """Y = A⁻¹"""

    saves = (-1,)

    @staticmethod
    def forward(ctx, a):
        y = _inv(a)
        ctx.y = y
        return y

    @staticmethod
    def backward(ctx, grad):
        # d(A⁻¹) = −A⁻¹ dA A⁻¹, so dL/dA = −A⁻ᵀ · dL/dY · A⁻ᵀ
        yt = _mT(ctx.y)
        return -(yt @ grad @ yt)


def inv(A, *, out=None):
    """A⁻¹; a singular matrix raises LinAlgError."""
    _check_out(out, "linalg.inv", A)
    _check_matrix(A, "linalg.inv", square=True)
    return _write(out, "linalg.inv", Inv.apply(A))


def inverse(input, *, out=None):
    """torch.inverse: an alias of torch.linalg.inv."""
    return inv(input, out=out)


def _nan_where(info, a):
    """A batch of NaN matrices where info is non-zero (the result of a failed factorization)."""
    return np.where((info != 0)[..., None, None], np.nan, a).astype(a.dtype, copy=False)


def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info[i] = k > 0 where U[k, k] of matrix i's LU factorization is exactly zero.
    Deviation: the inverse of a singular matrix is NaN here (PyTorch returns whatever LAPACK left)."""
    _no_tuple_out(out, "inv_ex")
    a = _check_matrix(A, "linalg.inv_ex", square=True)
    info = _lu_info(a)
    if not info.any():
        return return_types.linalg_inv_ex(Inv.apply(A), wrap(info))
    if check_errors:
        _raise_info("linalg.inv_ex", info, a.ndim > 2, _singular_text)
    safe = np.where((info != 0)[..., None, None], _eye_like(a), a)
    return return_types.linalg_inv_ex(wrap(_nan_where(info, np.linalg.inv(safe))), wrap(info))


class Solve(Function):
    """X = A⁻¹ B   (B a batch of matrices (..., n, k): the wrapper makes vectors columns)"""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, a, b):
        xp = get_array_module(a, b)
        try:
            x = xp.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            info = _lu_info(a)
            _raise_info("torch.linalg.solve", info, a.ndim > 2,
                        lambda k: "The solver failed because the input matrix is singular.")
        ctx.a, ctx.x, ctx.b_shape = a, x, b.shape
        return x

    @staticmethod
    def backward(ctx, grad):
        # dX = A⁻¹ (dB − dA X), so dL/dB = A⁻ᵀ dL/dX and dL/dA = −dL/dB Xᵀ
        a, x = ctx.a, ctx.x
        xp = get_array_module(a)
        gb = xp.linalg.solve(_mT(a), grad) if grad.shape[:-2] == a.shape[:-2] else \
            xp.linalg.solve(xp.broadcast_to(_mT(a), grad.shape[:-2] + a.shape[-2:]), grad)
        ga = unbroadcast(-gb @ _mT(x), a.shape) if ctx.needs_input_grad[0] else None
        return ga, unbroadcast(gb, ctx.b_shape)


def _solve_args(A, B, name):
    a = _check_matrix(A, name, square=True)
    _tensor(B, "B", name.split(".")[-1])
    b = B._array
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    rows = b.shape[-1] if vector else (b.shape[-2] if b.ndim >= 2 else None)
    if rows != a.shape[-1]:
        k = 1 if vector else b.shape[-1]
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation AX = B "
                           f"({a.shape[-2]}x{a.shape[-1]} and {rows}x{k})")
    A, B, _ = _ew._promote(A, B)
    return A, B, vector


def solve(A, B, *, left=True, out=None):
    """X with AX = B (or XA = B with left=False); B is (..., n, k) or a batch of vectors (..., n)."""
    _check_out(out, "linalg.solve", A, B)
    if not left:  # XA = B  ⟺  Aᵀ Xᵀ = Bᵀ
        return _write(out, "linalg.solve", _shape.transpose(solve(_shape.transpose(A, -2, -1),
                                                                  _shape.transpose(B, -2, -1)), -2, -1))
    A, B, vector = _solve_args(A, B, "linalg.solve")
    if vector:
        return _write(out, "linalg.solve", _shape.squeeze(Solve.apply(A, _shape.unsqueeze(B, -1)), -1))
    return _write(out, "linalg.solve", Solve.apply(A, B))


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """(result, info) of solve; the result is NaN where info is non-zero (a deviation, see inv_ex)."""
    _no_tuple_out(out, "solve_ex")
    a = _check_matrix(A, "linalg.solve_ex", square=True)
    info = _lu_info(a)
    if not info.any():
        return return_types.linalg_solve_ex(solve(A, B, left=left), wrap(info))
    if check_errors:
        _raise_info("linalg.solve_ex", info, a.ndim > 2,
                    lambda k: "The solver failed because the input matrix is singular.")
    safe = wrap(np.where((info != 0)[..., None, None], _eye_like(a), a))
    with _no_grad():
        x = solve(safe, B.detach(), left=left)._array
    bad = (info != 0).reshape(info.shape + (1,) * (x.ndim - info.ndim))
    return return_types.linalg_solve_ex(wrap(np.where(bad, np.nan, x).astype(x.dtype)), wrap(info))


def _no_grad():
    from ..autograd.grad_mode import no_grad
    return no_grad()


class SolveTriangular(Function):
    """X = A⁻¹ B for triangular A (upper or lower; unit diagonal assumed with unitriangular)"""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, a, b, upper, unitriangular):
        x = _solve_tri(a, b, upper, unit=unitriangular)
        ctx.a, ctx.x, ctx.upper, ctx.unit, ctx.b_shape = a, x, upper, unitriangular, b.shape
        return x

    @staticmethod
    def backward(ctx, grad):
        # dL/dB = A⁻ᵀ dL/dX (a triangular solve with Aᵀ);  dL/dA = −dL/dB Xᵀ, kept on the triangle A uses
        a, x = ctx.a, ctx.x
        gb = _solve_tri(a, grad, ctx.upper, trans=True, unit=ctx.unit)
        ga = unbroadcast(_tri(-gb @ _mT(x), ctx.upper, ctx.unit), a.shape) if ctx.needs_input_grad[0] else None
        return ga, unbroadcast(gb, ctx.b_shape), None, None


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """X with AX = B (XA = B with left=False) for triangular A; only A's upper (lower) triangle is read."""
    _check_out(out, "linalg.solve_triangular", A, B)
    if not left:  # XA = B  ⟺  Aᵀ Xᵀ = Bᵀ, and Aᵀ is lower where A is upper
        x = solve_triangular(_shape.transpose(A, -2, -1), _shape.transpose(B, -2, -1), upper=not upper,
                             unitriangular=unitriangular)
        return _write(out, "linalg.solve_triangular", _shape.transpose(x, -2, -1))
    a = _check_matrix(A, "linalg.solve_triangular", square=True)
    b = _tensor(B, "B", "linalg_solve_triangular")._array
    if b.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    if b.shape[-2] != a.shape[-1]:
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation AX = B "
                           f"({a.shape[-2]}x{a.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})")
    A, B, _ = _ew._promote(A, B)
    return _write(out, "linalg.solve_triangular", SolveTriangular.apply(A, B, bool(upper), bool(unitriangular)))


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False):
    """torch.triangular_solve (deprecated in PyTorch): (solution of op(A) X = b, a clone of A)."""
    At = _shape.transpose(A, -2, -1) if transpose else A
    x = solve_triangular(At, b, upper=upper != bool(transpose), unitriangular=unitriangular)
    return return_types.triangular_solve(x, _ew.clone(A))


# ---------------------------------------------------------------------------------------------------
# Cholesky
# ---------------------------------------------------------------------------------------------------
class Cholesky(Function):
    """L = cholesky(A): A = L Lᵀ with L lower triangular (only A's lower triangle is read)"""

    saves = (-1,)

    @staticmethod
    def forward(ctx, a):
        xp = get_array_module(a)
        try:
            l = xp.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            _raise_info("linalg.cholesky", _potrf_info(a)[0], a.ndim > 2, _not_pd_text)
        ctx.l = l
        return l

    @staticmethod
    def backward(ctx, grad):
        # Φ(X) = tril(X) with its diagonal halved;  dL/dA = sym(L⁻ᵀ Φ(Lᵀ dL/dL) L⁻¹)   (Murray 2016)
        l = ctx.l
        xp = get_array_module(l)
        phi = xp.tril(_mT(l) @ grad)
        d = xp.diagonal(phi, axis1=-2, axis2=-1) * 0.5
        phi = phi - xp.tril(xp.triu(phi)) + d[..., None] * _eye_like(l)  # halve the diagonal
        s = _solve_tri(l, phi, upper=False, trans=True)  # L⁻ᵀ Φ
        s = _mT(_solve_tri(l, _mT(s), upper=False, trans=True))  # (L⁻ᵀ Φ) L⁻¹ = (L⁻ᵀ (L⁻ᵀ Φ)ᵀ)ᵀ
        return (s + _mT(s)) * 0.5


def cholesky(A, upper=False, *, out=None):
    """L with A = L Lᵀ (U with A = Uᵀ U if upper), for symmetric positive-definite A; else LinAlgError."""
    _check_out(out, "linalg.cholesky", A)
    _check_matrix(A, "linalg.cholesky", square=True)
    if upper:  # U = Lᵀ of the lower triangle of Aᵀ (PyTorch reads A's upper triangle for upper=True)
        return _write(out, "linalg.cholesky", _shape.transpose(Cholesky.apply(_shape.transpose(A, -2, -1)),
                                                               -2, -1))
    return _write(out, "linalg.cholesky", Cholesky.apply(A))


def linalg_cholesky(A, *, upper=False, out=None):
    return cholesky(A, upper, out=out)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """(L, info): info[i] = k > 0 where the leading minor of order k of matrix i is not positive-definite
    (L then holds LAPACK's partial factor)."""
    _no_tuple_out(out, "cholesky_ex")
    a = _check_matrix(A, "linalg.cholesky_ex", square=True)
    src = _mT(a) if upper else a
    try:
        np.linalg.cholesky(src)
    except np.linalg.LinAlgError:
        info, factors = _potrf_info(src)
        if check_errors:
            _raise_info("linalg.cholesky_ex", info, a.ndim > 2, _not_pd_text)
        return return_types.linalg_cholesky_ex(wrap(_mT(factors).copy() if upper else factors), wrap(info))
    return return_types.linalg_cholesky_ex(cholesky(A, upper), wrap(np.zeros(a.shape[:-2], np.int32)))


def cholesky_solve(B, L, upper=False, *, out=None):
    """X with A X = B where A = L Lᵀ (A = Uᵀ U if upper): two triangular solves (so both have gradients)."""
    _check_out(out, "cholesky_solve", B, L)
    Lt = _shape.transpose(L, -2, -1)
    if upper:  # Uᵀ (U X) = B
        y = solve_triangular(Lt, B, upper=False)
        return _write(out, "cholesky_solve", solve_triangular(L, y, upper=True))
    y = solve_triangular(L, B, upper=False)  # L (Lᵀ X) = B
    return _write(out, "cholesky_solve", solve_triangular(Lt, y, upper=True))


def cholesky_inverse(L, upper=False, *, out=None):
    """A⁻¹ for A = L Lᵀ (Uᵀ U if upper), from its Cholesky factor."""
    _check_out(out, "cholesky_inverse", L)
    a = _check_matrix(L, "cholesky_inverse", square=True)
    eye = wrap(np.broadcast_to(_eye_like(a), a.shape).copy())
    return _write(out, "cholesky_inverse", cholesky_solve(eye, L, upper))


# ---------------------------------------------------------------------------------------------------
# QR
# ---------------------------------------------------------------------------------------------------
def _copyltu(m):
    """The symmetric matrix with m's lower triangle (and diagonal) copied to the upper one."""
    xp = get_array_module(m)
    low = xp.tril(m, -1)
    return low + _mT(low) + xp.diagonal(m, axis1=-2, axis2=-1)[..., None] * _eye_like(m)


def _qr_backward(q, r, gq, gr):
    """dL/dA of A = QR (reduced), from dL/dQ = gq and dL/dR = gr (either may be None).

    m ≥ n (Walter & Lehmann 2018; Liao et al. 2019):  M = R gRᵀ − gQᵀ Q,  dL/dA = (gQ + Q copyltu(M)) R⁻ᵀ.
    m < n: A = [X | Y] with X square: X = Q U is a square QR and Y = Q V, so dL/dY = Q gV and
    dL/dX is the square formula with gQ + Y gVᵀ for gQ and gU for gR."""
    m, n = q.shape[-2], r.shape[-1]
    if m < n:
        xp = get_array_module(q)
        u, v = r[..., :, :m], r[..., :, m:]
        y = q @ v
        gq_x = gq if gq is not None else xp.zeros_like(q)
        gu = None
        gy = xp.zeros_like(y)
        if gr is not None:
            gu, gv = gr[..., :, :m], gr[..., :, m:]
            gq_x = gq_x + y @ _mT(gv)
            gy = q @ gv
        return xp.concatenate([_qr_backward(q, u, gq_x, gu), gy], -1)
    mm = r @ _mT(gr) if gr is not None else 0
    if gq is not None:
        mm = mm - _mT(gq) @ q
    left = q @ _copyltu(mm)
    if gq is not None:
        left = left + gq
    # X R⁻ᵀ = (R⁻¹ Xᵀ)ᵀ: a triangular solve with the upper-triangular R
    return _mT(_solve_tri(r, _mT(left), upper=True))


class QrQ(Function):
    """Q of A = QR"""

    saves = ()

    @staticmethod
    def forward(ctx, a, q, r, mode):
        ctx.q, ctx.r, ctx.mode = q, r, mode
        return q.copy()  # a fresh array: the factors kept for backward are this node's own

    @staticmethod
    def backward(ctx, grad):
        # dL/dA from dL/dQ alone (the formula in _qr_backward with gR = 0)
        q, r = ctx.q, ctx.r
        if ctx.mode == "complete" and q.shape[-2] > r.shape[-1]:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        return _qr_backward(q, r, grad, None), None, None, None


class QrR(Function):
    """R of A = QR"""

    saves = ()

    @staticmethod
    def forward(ctx, a, q, r, mode):
        ctx.q, ctx.r, ctx.mode = q, r, mode
        return r.copy()

    @staticmethod
    def backward(ctx, grad):
        # dL/dA from dL/dR alone (the formula in _qr_backward with gQ = 0)
        q, r, mode = ctx.q, ctx.r, ctx.mode
        if mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        if mode == "complete" and q.shape[-2] > r.shape[-1]:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        return _qr_backward(q, r, None, grad), None, None, None


def linalg_qr(A, mode="reduced", *, out=None):
    """(Q, R) with A = QR: mode 'reduced' (Q m×k), 'complete' (Q m×m) or 'r' (Q empty). Differentiable for
    'reduced', and for 'complete' when m ≤ n."""
    _no_tuple_out(out, "linalg.qr")
    a = _check_matrix(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    xp = get_array_module(a)
    q, r = xp.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
    q, r = q.astype(a.dtype, copy=False), r.astype(a.dtype, copy=False)
    if mode == "r":
        return return_types.linalg_qr(wrap(xp.zeros((0,), a.dtype)), QrR.apply(A, q, r, mode))
    return return_types.linalg_qr(QrQ.apply(A, q, r, mode), QrR.apply(A, q, r, mode))


def qr(input, some=True, *, out=None):
    """torch.qr: (Q, R), reduced if some else complete."""
    _no_tuple_out(out, "qr")
    Q, R = linalg_qr(input, "reduced" if some else "complete")
    return return_types.qr(Q, R)


def geqrf(input, *, out=None):
    """(a, tau): LAPACK geqrf's packed QR (R on and above the diagonal, the Householder vectors below).
    No gradient (PyTorch has none either)."""
    _no_tuple_out(out, "geqrf")
    a = _check_matrix(input, "geqrf")
    h, tau = np.linalg.qr(a, mode="raw")
    return return_types.geqrf(wrap(_mT(h).astype(a.dtype)), wrap(tau.astype(a.dtype)))


def _householder_vectors(A):
    """V: A's strictly lower triangle with a unit diagonal (the Householder vectors v_i as columns)."""
    a = A._array
    return _ew.add(_index.tril(A, -1), wrap(_eye_like(a)))


def householder_product(A, tau, *, out=None):
    """Q = the first n columns of H_1 ⋯ H_k, H_i = I − τ_i v_i v_iᵀ (LAPACK orgqr). Built from differentiable
    ops (one step per reflector), so A and tau get their gradients from the ops' backward."""
    _check_out(out, "linalg.householder_product", A, tau)
    a = _check_matrix(A, "torch.linalg.householder_product")
    m, n = a.shape[-2:]
    k = tau._array.shape[-1] if tau._array.ndim else 0
    if m < n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if n < k:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    V = _householder_vectors(A)
    X = wrap(np.broadcast_to(_eye_like(a), a.shape).copy())
    for i in reversed(range(k)):  # X ← H_i X, from the last reflector to the first
        v = _shape.narrow(V, -1, i, 1)
        t = _shape.unsqueeze(_shape.narrow(tau, -1, i, 1), -1)
        X = _ew.sub(X, _ew.mul(t, _mm.matmul(v, _mm.matmul(_shape.transpose(v, -2, -1), X))))
    return _write(out, "linalg.householder_product", X)


def orgqr(input, tau):
    """torch.orgqr: an alias of torch.linalg.householder_product."""
    return householder_product(input, tau)


def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """op(Q) @ other (left) or other @ op(Q), Q = H_1 ⋯ H_k the m×m product of the reflectors in (input, tau),
    op(Q) = Qᵀ if transpose. The reflectors are applied one at a time (differentiable ops)."""
    _check_out(out, "ormqr", input, tau, other)
    _check_matrix(input, "ormqr")
    k = tau._array.shape[-1]
    V = _householder_vectors(input)
    C = other
    # Q C = H_1(⋯(H_k C)): apply k..1;  Qᵀ C = H_k ⋯ H_1 C: apply 1..k;  C Q: apply 1..k on the right
    order = range(k) if left == bool(transpose) else reversed(range(k))
    for i in order:
        v = _shape.narrow(V, -1, i, 1)
        vt = _shape.transpose(v, -2, -1)
        t = _shape.unsqueeze(_shape.narrow(tau, -1, i, 1), -1)
        if left:  # H C = C − τ v (vᵀ C)
            C = _ew.sub(C, _ew.mul(t, _mm.matmul(v, _mm.matmul(vt, C))))
        else:  # C H = C − τ (C v) vᵀ
            C = _ew.sub(C, _ew.mul(t, _mm.matmul(_mm.matmul(C, v), vt)))
    return _write(out, "ormqr", C)


# ---------------------------------------------------------------------------------------------------
# symmetric eigendecomposition
# ---------------------------------------------------------------------------------------------------
class EighValues(Function):
    """w of A = V diag(w) Vᵀ (ascending)"""

    saves = ()

    @staticmethod
    def forward(ctx, a, w, v):
        ctx.v = v
        return w.copy()

    @staticmethod
    def backward(ctx, grad):
        # dw_i = v_iᵀ dA v_i, so dL/dA = V diag(dL/dw) Vᵀ
        v = ctx.v
        return (v * grad[..., None, :]) @ _mT(v), None, None


class EighVectors(Function):
    """V of A = V diag(w) Vᵀ (each column defined up to its sign)"""

    saves = ()

    @staticmethod
    def forward(ctx, a, w, v):
        ctx.w, ctx.v = w, v
        return v.copy()

    @staticmethod
    def backward(ctx, grad):
        # dL/dA = V (skew(Vᵀ G) / 2 ⊘ E) Vᵀ with E_ij = w_j − w_i (i ≠ j) and skew(X) = X − Xᵀ   (as PyTorch's
        # linalg_eig_backward for Hermitian input; the loss must not depend on the eigenvectors' signs, and
        # repeated eigenvalues make E zero: infinite gradients)
        w, v = ctx.w, ctx.v
        vg = _mT(v) @ grad
        e = w[..., None, :] - w[..., :, None]
        e = e + _eye_like(v)  # the diagonal of skew(·) is 0: divide it by 1
        with np.errstate(divide="ignore", invalid="ignore"):
            inner = (vg - _mT(vg)) * 0.5 / e
        return v @ inner @ _mT(v), None, None


def _eigh_arrays(a, UPLO, name):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"{name}: UPLO should be one of 'L' or 'U', but got {UPLO!r}")
    xp = get_array_module(a)
    try:
        w, v = xp.linalg.eigh(a, UPLO=UPLO)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"{name}: The algorithm failed to converge because the input matrix is ill-conditioned "
                          "or has too many repeated eigenvalues.") from None
    return w.astype(a.dtype, copy=False), v.astype(a.dtype, copy=False)


def eigh(A, UPLO="L", *, out=None):
    """(eigenvalues ascending, eigenvectors as columns) of symmetric A (only the UPLO triangle is read)."""
    _no_tuple_out(out, "eigh")
    a = _check_matrix(A, "linalg.eigh", square=True)
    w, v = _eigh_arrays(a, UPLO, "linalg.eigh")
    return return_types.linalg_eigh(EighValues.apply(A, w, v), EighVectors.apply(A, w, v))


def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues (ascending) of symmetric A."""
    _check_out(out, "linalg.eigvalsh", A)
    a = _check_matrix(A, "linalg.eigvalsh", square=True)
    w, v = _eigh_arrays(a, UPLO, "linalg.eigvalsh")
    return _write(out, "linalg.eigvalsh", EighValues.apply(A, w, v))


# ---------------------------------------------------------------------------------------------------
# SVD
# ---------------------------------------------------------------------------------------------------
def _svd_backward(u, s, vh, gu, gs, gvh):
    """dL/dA of A = U diag(S) Vh (reduced: k = min(m, n)) from the output gradients (any may be None).

    With skew(X) = X − Xᵀ and E_ij = S_j² − S_i² (1 on the diagonal), as PyTorch's svd_backward:
      inner = (skew(Uᵀ gU) S_row + S_col skew(Vh gVhᵀ)) ⊘ E + diag(gS)
      dL/dA = U inner Vh,  plus (I − U Uᵀ) gU S⁻¹ Vh when m > n,  plus U S⁻¹ gVh (I − V Vh) when m < n.
    The loss must not depend on the signs of the singular vectors (the gauge), and repeated singular values
    give infinite gradients, as in PyTorch."""
    xp = get_array_module(s)
    m, n = u.shape[-2], vh.shape[-1]
    if gu is None and gvh is None:
        return u @ (gs[..., :, None] * vh)
    s2 = s * s
    e = s2[..., None, :] - s2[..., :, None] + xp.eye(s.shape[-1], dtype=s.dtype)
    inner = 0
    if gu is not None:
        ug = _mT(u) @ gu
        inner = (ug - _mT(ug)) * s[..., None, :]
    if gvh is not None:
        vg = vh @ _mT(gvh)
        inner = inner + s[..., :, None] * (vg - _mT(vg))
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = inner / e
        if gs is not None:
            inner = inner + gs[..., None] * xp.eye(s.shape[-1], dtype=s.dtype)
        if m > n and gu is not None:
            ga = u @ inner
            gus = gu / s[..., None, :]
            ga = ga + gus - u @ (_mT(u) @ gus)
            return ga @ vh
        if m < n and gvh is not None:
            ga = inner @ vh
            sgv = gvh / s[..., :, None]
            ga = ga + sgv - (sgv @ _mT(vh)) @ vh
            return u @ ga
    return u @ inner @ vh


class SvdU(Function):
    """U of A = U diag(S) Vh"""

    saves = ()

    @staticmethod
    def forward(ctx, a, u, s, vh, k):
        ctx.u, ctx.s, ctx.vh, ctx.k = u[..., :k], s, vh[..., :k, :], k
        return u.copy()

    @staticmethod
    def backward(ctx, grad):
        # the gU part of _svd_backward (columns of a full U beyond k do not enter the loss's gradient)
        return _svd_backward(ctx.u, ctx.s, ctx.vh, grad[..., :ctx.k], None, None), None, None, None, None


class SvdS(Function):
    """S of A = U diag(S) Vh (descending singular values)"""

    saves = ()

    @staticmethod
    def forward(ctx, a, u, s, vh, k):
        ctx.u, ctx.vh = u[..., :k], vh[..., :k, :]
        return s.copy()

    @staticmethod
    def backward(ctx, grad):
        # dS_i = u_iᵀ dA v_i, so dL/dA = U diag(dL/dS) Vh
        u, vh = ctx.u, ctx.vh
        return (u * grad[..., None, :]) @ vh, None, None, None, None


class SvdVh(Function):
    """Vh of A = U diag(S) Vh"""

    saves = ()

    @staticmethod
    def forward(ctx, a, u, s, vh, k):
        ctx.u, ctx.s, ctx.vh, ctx.k = u[..., :k], s, vh[..., :k, :], k
        return vh.copy()

    @staticmethod
    def backward(ctx, grad):
        # the gVh part of _svd_backward
        return _svd_backward(ctx.u, ctx.s, ctx.vh, None, None, grad[..., :ctx.k, :]), None, None, None, None


def _check_driver(driver):
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
                           "cuSOLVER backend.")


def _svd_arrays(a, full_matrices):
    xp = get_array_module(a)
    try:
        u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.svd: The algorithm failed to converge because the input matrix is "
                          "ill-conditioned or has too many repeated singular values.") from None
    return u.astype(a.dtype, copy=False), s.astype(a.dtype, copy=False), vh.astype(a.dtype, copy=False)


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """(U, S, Vh) with A = U diag(S) Vh; differentiate only losses that do not depend on the singular vectors'
    signs (PyTorch's warning: the vectors are defined up to sign). driver must be None (PyTorch accepts it only
    for CUDA inputs; glasstorch tensors are on the CPU)."""
    _check_driver(driver)
    _no_tuple_out(out, "linalg.svd")
    a = _check_matrix(A, "linalg.svd")
    u, s, vh = _svd_arrays(a, full_matrices)
    k = s.shape[-1]
    return return_types.linalg_svd(SvdU.apply(A, u, s, vh, k), SvdS.apply(A, u, s, vh, k),
                                   SvdVh.apply(A, u, s, vh, k))


def svdvals(A, *, driver=None, out=None):
    """The singular values of A, descending. driver must be None (as linalg.svd)."""
    _check_driver(driver)
    _check_out(out, "linalg.svdvals", A)
    a = _check_matrix(A, "linalg.svdvals")
    if not A.requires_grad:
        s = get_array_module(a).linalg.svd(a, compute_uv=False).astype(a.dtype, copy=False)
        return _write(out, "linalg.svdvals", wrap(s))
    u, s, vh = _svd_arrays(a, False)
    return _write(out, "linalg.svdvals", SvdS.apply(A, u, s, vh, s.shape[-1]))


def svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd: (U, S, V) with V (not Vh); some=False gives full U and V; compute_uv=False gives zero U, V."""
    _no_tuple_out(out, "svd")
    a = _check_matrix(input, "linalg.svd")
    m, n = a.shape[-2:]
    if not compute_uv:
        S = svdvals(input)
        zeros = np.zeros
        return return_types.svd(wrap(zeros(a.shape[:-2] + (m, m), a.dtype)), S,
                                wrap(zeros(a.shape[:-2] + (n, n), a.dtype)))
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return return_types.svd(U, S, _shape.transpose(Vh, -2, -1))


# ---------------------------------------------------------------------------------------------------
# pseudo-inverse, least squares, rank
# ---------------------------------------------------------------------------------------------------
def _tolerance(s, atol, rtol, m, n, dtype):
    """PyTorch's cut-off for 'zero' singular values: max(atol, rtol · σ_max), with rtol = eps · max(m, n) when
    neither is given (and 0 when only atol is)."""
    xp = get_array_module(s)
    as_array = (lambda v: v._array if isinstance(v, Tensor) else v)
    if rtol is None:
        rtol = np.finfo(dtype).eps * max(m, n) if atol is None or (np.asarray(as_array(atol)) <= 0).all() else 0.0
    atol = 0.0 if atol is None else as_array(atol)
    smax = s[..., :1] if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,), s.dtype)
    return xp.maximum(xp.asarray(atol)[..., None] if xp.ndim(atol) else atol,
                      (xp.asarray(as_array(rtol))[..., None] if xp.ndim(as_array(rtol)) else as_array(rtol)) * smax)


def _pinv_array(a, atol, rtol, hermitian):
    """A⁺ = V diag(1/σ, 0 below the tolerance) Uᵀ (the eigendecomposition instead for hermitian)."""
    xp = get_array_module(a)
    m, n = a.shape[-2:]
    if hermitian:
        w, v = xp.linalg.eigh(a)
        order = xp.argsort(-xp.abs(w), -1)
        mag = xp.take_along_axis(xp.abs(w), order, -1)
        tol = _tolerance(mag, atol, rtol, m, n, a.dtype)
        with np.errstate(divide="ignore"):
            inv_w = xp.where(xp.abs(w) > tol, 1 / w, 0)
        return ((v * inv_w[..., None, :]) @ _mT(v)).astype(a.dtype, copy=False)
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    tol = _tolerance(s, atol, rtol, m, n, a.dtype)
    with np.errstate(divide="ignore"):
        inv_s = xp.where(s > tol, 1 / s, 0)
    return ((_mT(vh) * inv_s[..., None, :]) @ _mT(u)).astype(a.dtype, copy=False)


def _pinv_backward(g, p, a):
    """dL/dA of P = A⁺ from G = dL/dP (Golub & Pereyra 1973, for A of constant rank):
    dL/dA = −Pᵀ G Pᵀ + (I − A P) Gᵀ P Pᵀ + Pᵀ P Gᵀ (I − P A)."""
    pt, gt = _mT(p), _mT(g)
    ap, pa = a @ p, p @ a
    return -pt @ g @ pt + (gt @ p @ pt - ap @ (gt @ p @ pt)) + (pt @ p @ gt - pt @ p @ gt @ pa)


class Pinv(Function):
    """P = A⁺, the Moore–Penrose pseudo-inverse"""

    saves = (0, -1)

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        p = _pinv_array(a, atol, rtol, hermitian)
        ctx.a, ctx.p = a, p
        return p

    @staticmethod
    def backward(ctx, grad):
        # see _pinv_backward
        return _pinv_backward(grad, ctx.p, ctx.a), None, None, None


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """A⁺ through the SVD, singular values ≤ max(atol, rtol · σ_max) treated as zero."""
    _check_out(out, "linalg.pinv", A)
    _check_matrix(A, "linalg.pinv")
    return _write(out, "linalg.pinv", Pinv.apply(A, atol, rtol, bool(hermitian)))


def pinverse(input, rcond=1e-15):
    """torch.pinverse: pinv with rtol = rcond."""
    return pinv(input, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The number of singular values above max(atol, rtol · σ_max) (int64, no gradient)."""
    _check_out(out, "linalg.matrix_rank", A)
    a = _check_matrix(A, "linalg.matrix_rank")
    xp = get_array_module(a)
    m, n = a.shape[-2:]
    if hermitian:
        s = xp.sort(xp.abs(xp.linalg.eigvalsh(a)), -1)[..., ::-1]
    else:
        s = xp.linalg.svd(a, compute_uv=False)
    tol = _tolerance(s, atol, rtol, m, n, a.dtype)
    return _write(out, "linalg.matrix_rank", wrap((s > tol).sum(-1).astype(np.int64)))


class Lstsq(Function):
    """X = A⁺ B, the minimum-norm least-squares solution of A X ≈ B"""

    saves = (0, 1)
    saved_for = {0: 0, 1: 0}  # A and B are read only for dL/dA

    @staticmethod
    def forward(ctx, a, b, rcond):
        m, n = a.shape[-2:]
        p = _pinv_array(a, None, rcond, False)
        x = p @ b
        ctx.a, ctx.b, ctx.p = a, b, p
        return x

    @staticmethod
    def backward(ctx, grad):
        # X = P B:  dL/dB = Pᵀ dL/dX;  dL/dP = dL/dX Bᵀ, then the pseudo-inverse's backward (_pinv_backward)
        a, b, p = ctx.a, ctx.b, ctx.p
        gb = unbroadcast(_mT(p) @ grad, b.shape) if ctx.needs_input_grad[1] else None
        ga = None
        if ctx.needs_input_grad[0]:
            ga = unbroadcast(_pinv_backward(grad @ _mT(b), p, a) if a.shape[:-2] == (grad @ _mT(b)).shape[:-2]
                             else _pinv_backward(grad @ _mT(b), np.broadcast_to(p, grad.shape[:-2] + p.shape[-2:]),
                                                 np.broadcast_to(a, grad.shape[:-2] + a.shape[-2:])), a.shape)
        return ga, gb, None


def lstsq(A, B, rcond=None, *, driver=None):
    """(solution, residuals, rank, singular_values) of min ‖AX − B‖ as PyTorch on the CPU.

    The solution is computed through the SVD for every driver (gelsd's method): values agree with the other
    drivers' for full-rank A. residuals = ‖AX − B‖² per column when m > n, every matrix has full rank and the
    driver is not gelsy (else empty); rank for gelsy/gelsd/gelss; singular_values for gelsd/gelss. The default
    driver is gelsy. Gradients flow through the solution (as X = A⁺ B)."""
    a = _check_matrix(A, "torch.linalg.lstsq")
    _tensor(B, "B", "linalg_lstsq")
    b = B._array
    vector = b.ndim == a.ndim - 1
    if (b.shape[-1] if vector else b.shape[-2]) != a.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    if driver is None:
        driver = "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    A, B, _ = _ew._promote(A, B)
    a = A._array
    m, n = a.shape[-2:]
    if rcond is None:
        rcond = float(np.finfo(a.dtype).eps) * max(m, n)
    Bm = _shape.unsqueeze(B, -1) if vector else B
    X = Lstsq.apply(A, Bm, rcond)
    s = np.linalg.svd(a, compute_uv=False).astype(a.dtype)
    tol = _tolerance(s, None, rcond, m, n, a.dtype)
    rank_arr = (s > tol).sum(-1).astype(np.int64)
    empty = np.zeros((0,), a.dtype)
    rank = wrap(rank_arr) if driver != "gels" else wrap(np.zeros((0,), np.int64))
    sv = wrap(s) if driver in ("gelsd", "gelss") else wrap(empty)
    if m > n and driver != "gelsy" and (rank_arr == n).all():
        res = _reduce.sum(_ew.square(_ew.sub(_mm.matmul(A, X), Bm)), -2)
    else:  # empty, but recorded as PyTorch's is (an empty slice of the solution)
        res = _shape.narrow(_shape.reshape(X, (-1,)), 0, 0, 0)
    if vector:
        X = _shape.squeeze(X, -1)
    return return_types.linalg_lstsq(X, res, rank, sv)


# ---------------------------------------------------------------------------------------------------
# matrix functions: power, exponential; products
# ---------------------------------------------------------------------------------------------------
def matrix_power(A, n, *, out=None):
    """A^n for an integer n by repeated squaring (differentiable matmuls); n < 0 uses A⁻¹, n = 0 the identity."""
    _check_out(out, "linalg.matrix_power", A)
    _tensor(A, "A", "linalg_matrix_power")
    a = A._array
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    n = operator.index(n)
    if n == 0:
        eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()
        return _write(out, "linalg.matrix_power", _ew.add(_ew.mul(A, 0), wrap(eye)) if A.requires_grad
                      else wrap(eye))
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:  # A^n = Π A^(2^i) over the set bits i of n
        if n & 1:
            result = base if result is None else _mm.matmul(result, base)
        n >>= 1
        if n:
            base = _mm.matmul(base, base)
    if result is A:
        result = _ew.clone(A)
    return _write(out, "linalg.matrix_power", result)


class MatrixExp(Function):
    """Y = exp(A) = Σ A^k / k!"""

    saves = (0,)

    @staticmethod
    def forward(ctx, a):
        ctx.a = a
        return _sl.expm(a).astype(a.dtype, copy=False) if a.size else a.copy()

    @staticmethod
    def backward(ctx, grad):
        # the derivative of exp at A in direction E is the upper-right block of exp([[A, E], [0, A]]) (Mathias
        # 1996); its adjoint: dL/dA = the upper-right block of exp([[Aᵀ, G], [0, Aᵀ]])
        a = ctx.a
        xp = get_array_module(a)
        n = a.shape[-1]
        if a.size == 0:
            return xp.zeros_like(a)
        at = _mT(a)
        top = xp.concatenate([at, grad], -1)
        bottom = xp.concatenate([xp.zeros_like(at), at], -1)
        big = _sl.expm(xp.concatenate([top, bottom], -2))
        return big[..., :n, n:].astype(a.dtype, copy=False)


def matrix_exp(A):
    """exp(A) of each square matrix (scipy's Padé approximation)."""
    _tensor(A, "A", "linalg_matrix_exp")
    a = A._array
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_exp: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.matrix_exp: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    _check_float(A, "linalg.matrix_exp")
    return MatrixExp.apply(A)


_CPP_DTYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bool": "bool",
                    "int8": "signed char", "uint8": "unsigned char", "int16": "short int", "int32": "int",
                    "int64": "long int", "bfloat16": "c10::BFloat16"}


def multi_dot(tensors, *, out=None):
    """A_1 @ A_2 @ ⋯ @ A_k; the first (last) may be 1-D: a row (column) vector. Multiplied left to right
    (PyTorch picks the cheapest order; the values agree up to rounding)."""
    _check_out(out, "linalg.multi_dot", *tensors)
    tensors = list(tensors)
    k = len(tensors)
    if k < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {k}")
    d0, dk = tensors[0]._array.ndim, tensors[-1]._array.ndim
    if d0 not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {d0}D")
    if dk not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {dk}D")
    dt0 = tensors[0]._array.dtype
    for i, t in enumerate(tensors[1:], 1):
        d = t._array.ndim
        if i < k - 1 and d != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {d}D")
        if t._array.dtype != dt0:
            names = [_CPP_DTYPE_NAMES.get(x.name, x.name) for x in (dt0, t._array.dtype)]
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is {names[0]} "
                               f"and tensor {i} {names[1]}")
    for i in range(k - 1):
        a, b = tensors[i]._array.shape, tensors[i + 1]._array.shape
        if a[-1] != b[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes {list(a)} and {list(b)} cannot be "
                               "multiplied")
    result = tensors[0]
    for t in tensors[1:]:
        result = _mm.matmul(result, t)
    return _write(out, "linalg.multi_dot", result)


class Cross(Function):
    """z = x × y along one axis of length 3"""

    saves = (0, 1)
    saved_for = {0: 1, 1: 0}  # x is read only for dL/dy, y only for dL/dx

    @staticmethod
    def forward(ctx, x, y, axis):
        ctx.x, ctx.y, ctx.axis = x, y, axis
        return get_array_module(x, y).cross(x, y, axis=axis)

    @staticmethod
    def backward(ctx, grad):
        # ⟨g, x × y⟩ = ⟨y × g, x⟩ = ⟨g × x, y⟩:  dL/dx = y × g,  dL/dy = g × x
        x, y, axis = ctx.x, ctx.y, ctx.axis
        xp = get_array_module(grad)
        gx = unbroadcast(xp.cross(y, grad, axis=axis), x.shape) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(xp.cross(grad, x, axis=axis), y.shape) if ctx.needs_input_grad[1] else None
        return gx, gy, None


def cross(input, other, *, dim=-1, out=None):
    """torch.linalg.cross: the cross product of 3-vectors along dim (broadcasting the other dims)."""
    _check_out(out, "linalg.cross", input, other)
    a, b = input._array, other._array
    if a.ndim != b.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions.")
    ndim = max(a.ndim, b.ndim)
    axis = _reduce._wrap_dim(dim, ndim)
    if a.shape[axis] != 3 or b.shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[axis]} and "
                           f"{b.shape[axis]}")
    x, y, _ = _ew._promote(input, other)
    return _write(out, "linalg.cross", Cross.apply(x, y, axis - ndim))


def vecdot(x, y, *, dim=-1, out=None):
    """Σ x · y along dim (real inputs: no conjugation)."""
    _check_out(out, "linalg.vecdot", x, y)
    return _write(out, "linalg.vecdot", _reduce.sum(_ew.mul(x, y), dim))


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """torch.linalg.diagonal: torch.diagonal with the last two dims as default."""
    return _views.diagonal(A, offset, dim1, dim2)


def vander(x, *, N=None):
    """The Vandermonde matrix [1, x, x², …, x^(N−1)] along a new last dim (cumulative products: differentiable)."""
    a = x._array
    if a.ndim == 0:
        raise RuntimeError("linalg.vander: x must have at least one dimension.")
    n = a.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    ones = wrap(np.ones(a.shape + (1,), a.dtype))
    powers = _reduce.cumprod(_shape.expand(_shape.unsqueeze(x, -1), a.shape + (n - 1,)), -1)
    return _shape.cat([ones, powers], -1)


def cond(A, p=None, *, out=None):
    """The condition number ‖A‖_p ‖A⁻¹‖_p; p None/2 (−2): σ_max/σ_min (σ_min/σ_max) from the SVD."""
    _check_out(out, "linalg.cond", A)
    a = _check_matrix(A, "linalg.cond", square=p not in (None, 2, -2))
    if p is None or p in (2, -2):
        s = svdvals(A)
        big, small = _shape.narrow(s, -1, 0, 1), _shape.narrow(s, -1, s._array.shape[-1] - 1, 1)
        with np.errstate(divide="ignore"):
            r = _ew.div(big, small) if p != -2 else _ew.div(small, big)
        return _write(out, "linalg.cond", _shape.squeeze(r, -1))
    info = _lu_info(a)
    if info.all():
        return _write(out, "linalg.cond", wrap(np.full(a.shape[:-2], np.inf, a.dtype)))
    return _write(out, "linalg.cond", _ew.mul(matrix_norm(A, p), matrix_norm(inv(A), p)))


def tensorinv(A, ind=2, *, out=None):
    """The 'inverse' of A for tensordot over ind dims: inv of A reshaped to (Π shape[:ind], Π shape[ind:])."""
    _check_out(out, "linalg.tensorinv", A)
    shape = tuple(A._array.shape)
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = math.prod(shape[:ind]), math.prod(shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    try:
        r = inv(_shape.reshape(A, (rows, cols)))
    except LinAlgError as e:  # PyTorch names the error "inv:" here
        raise LinAlgError(str(e).replace("linalg.inv:", "inv:", 1)) from None
    return _write(out, "linalg.tensorinv", _shape.reshape(r, shape[ind:] + shape[:ind]))


def tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B: A reshaped to (B.numel(), Π of the rest) and solved."""
    _check_out(out, "linalg.tensorsolve", A, B)
    if dims is not None:
        nd = A._array.ndim
        dims = [d % nd for d in dims]
        A = _shape.movedim(A, dims, list(range(nd - len(dims), nd)))
    shape = tuple(A._array.shape)
    rest = shape[B._array.ndim:]
    rows, cols = B._array.size, math.prod(rest)
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {cols} != {rows}")
    x = solve(_shape.reshape(A, (rows, cols)), _shape.reshape(B, (rows,)))
    return _write(out, "linalg.tensorsolve", _shape.reshape(x, rest))


# ---------------------------------------------------------------------------------------------------
# LU
# ---------------------------------------------------------------------------------------------------
def _lu_arrays(a):
    """(LU packed, pivots int32 1-based, P, L, U) of A = P L U (LAPACK getrf's partial pivoting)."""
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    if a.size == 0:
        return (np.zeros(a.shape, a.dtype), np.ones(batch + (k,), np.int32), np.broadcast_to(np.eye(m, dtype=a.dtype),
                batch + (m, m)).copy(), np.zeros(batch + (m, k), a.dtype), np.zeros(batch + (k, n), a.dtype))
    p, l, u = _sl.lu(a, check_finite=False)
    p, l, u = p.astype(a.dtype), l.astype(a.dtype), u.astype(a.dtype)
    lu = np.zeros(a.shape, a.dtype)
    lu[..., :, :k] += np.tril(l, -1)
    lu[..., :k, :] += u
    # the row each position of P L U came from: (Pᵀ A)[j] = A[order[j]]
    order = np.argmax(p, axis=-2)  # P[order[j], j] = 1
    # LAPACK's pivots: swap row i with row pivots[i] for i = 0, 1, …; replay the swaps on 0..m−1
    cur = np.broadcast_to(np.arange(m), batch + (m,)).copy()
    pivots = np.zeros(batch + (k,), np.int32)
    for i in range(k):  # one step per column, vectorized over the batch
        j = np.argmax(cur == order[..., i:i + 1], axis=-1)
        pivots[..., i] = j + 1
        ci = cur[..., i].copy()
        np.put_along_axis(cur, j[..., None], ci[..., None], -1)
        cur[..., i] = order[..., i]
    return lu, pivots, p, l, u


def _check_pivot(pivot, name):
    if not pivot:
        raise RuntimeError(f"{name}: LU without pivoting is not implemented on the CPU")


def _lu_backward(p, l, u, gl, gu):
    """dL/dA of A = P L U (L m×k unit lower, U k×n upper, k = min(m, n)) from the gradients of L and U (None:
    zero), as PyTorch's linalg_lu_backward. Only L's strict lower and U's upper triangle vary, so gL and gU are
    first cut to them. With Pᵀ dA = dL U + L dU:
      m ≤ n (U = [U1 U2]): W = L⁻¹ Pᵀ dA₁ U1⁻¹ gives dL = L tril₋₁(W), dU1 = triu(W) U1, dU2 = L⁻¹ Pᵀ dA₂ − L⁻¹ dL U2:
        Ḡ = tril₋₁(Lᵀ gL − gU2 U2ᵀ) + triu(gU1 U1ᵀ),   dL/dA = P L⁻ᵀ [Ḡ U1⁻ᵀ, gU2]
      m > n (L = [L1; L2]): W = L1⁻¹ Pᵀ dA₁ U⁻¹ gives dL1 = L1 tril₋₁(W), dU = triu(W) U, dL2 = Pᵀ dA₂ U⁻¹ − L2 dU U⁻¹:
        Ḡ = tril₋₁(L1ᵀ gL1) + triu(gU Uᵀ − L2ᵀ gL2),   dL/dA = P [L1⁻ᵀ Ḡ; gL2] U⁻ᵀ
    A singular U gives infinite gradients, as in PyTorch."""
    xp = get_array_module(l)
    m, k, n = l.shape[-2], l.shape[-1], u.shape[-1]
    gl = xp.zeros_like(l) if gl is None else xp.tril(gl, -1)
    gu = xp.zeros_like(u) if gu is None else xp.triu(gu)
    with np.errstate(divide="ignore", invalid="ignore"):
        if m <= n:
            u1, u2, gu1, gu2 = u[..., :k], u[..., k:], gu[..., :k], gu[..., k:]
            gw = xp.tril(_mT(l) @ gl - gu2 @ _mT(u2), -1) + xp.triu(gu1 @ _mT(u1))
            gc1 = _mT(_solve_tri(u1, _mT(gw), upper=True))  # Ḡ U1⁻ᵀ = (U1⁻¹ Ḡᵀ)ᵀ
            gc = _solve_tri(l, xp.concatenate([gc1, gu2], -1), upper=False, trans=True, unit=True)
        else:
            l1, l2, gl1, gl2 = l[..., :k, :], l[..., k:, :], gl[..., :k, :], gl[..., k:, :]
            gw = xp.tril(_mT(l1) @ gl1, -1) + xp.triu(gu @ _mT(u) - _mT(l2) @ gl2)
            gc1 = _solve_tri(l1, gw, upper=False, trans=True, unit=True)
            gc = _mT(_solve_tri(u, _mT(xp.concatenate([gc1, gl2], -2)), upper=True))
    return (p @ gc).astype(l.dtype, copy=False)


class LuL(Function):
    """L of A = P L U (unit lower triangular, m×k)"""

    saves = ()

    @staticmethod
    def forward(ctx, a, p, l, u):
        ctx.p, ctx.l, ctx.u = p, l, u
        return l.copy()

    @staticmethod
    def backward(ctx, grad):
        # the gL part of _lu_backward
        return _lu_backward(ctx.p, ctx.l, ctx.u, grad, None), None, None, None


class LuU(Function):
    """U of A = P L U (upper triangular, k×n)"""

    saves = ()

    @staticmethod
    def forward(ctx, a, p, l, u):
        ctx.p, ctx.l, ctx.u = p, l, u
        return u.copy()

    @staticmethod
    def backward(ctx, grad):
        # the gU part of _lu_backward
        return _lu_backward(ctx.p, ctx.l, ctx.u, None, grad), None, None, None


class LuPacked(Function):
    """LU = L − I + U packed in one m×n matrix (lu_factor's first output), with A = P L U"""

    saves = ()

    @staticmethod
    def forward(ctx, a, p, l, u, lu):
        ctx.p, ctx.l, ctx.u = p, l, u
        return lu.copy()

    @staticmethod
    def backward(ctx, grad):
        # L's entries sit below the diagonal of LU, U's on and above it: gL = tril₋₁(G)[:, :k], gU = triu(G)[:k]
        l, u = ctx.l, ctx.u
        k = l.shape[-1]
        return _lu_backward(ctx.p, l, u, grad[..., :, :k], grad[..., :k, :]), None, None, None, None


def _lu_factor_tensors(A, a):
    """(LU, pivots) tensors of A = P L U; LU is differentiable."""
    lu, pivots, p, l, u = _lu_arrays(a)
    return LuPacked.apply(A, p, l, u, lu), wrap(pivots)


def lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots) of A = P L U (LAPACK getrf); LU has PyTorch's gradient (square and rectangular A)."""
    _no_tuple_out(out, "lu_factor")
    a = _check_matrix(A, "torch.linalg.lu_factor")
    _check_pivot(pivot, "linalg.lu_factor")
    info = _lu_info(a)
    if info.any():
        k = int(info.reshape(-1)[np.flatnonzero(info.reshape(-1))[0]])
        prefix = "(Batch element %d): " % int(np.flatnonzero(info.reshape(-1))[0]) if a.ndim > 2 else ""
        raise RuntimeError(f"torch.linalg.lu_factor: {prefix}U[{k},{k}] is zero and using it on lu_solve would "
                           "result in a division by zero. If you still want to perform the factorization, consider "
                           "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return return_types.linalg_lu_factor(*_lu_factor_tensors(A, a))


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """(LU, pivots, info) of A = P L U; info[i] = k > 0 where U[k, k] is zero. LU is differentiable."""
    _no_tuple_out(out, "lu_factor_ex")
    a = _check_matrix(A, "torch.linalg.lu_factor_ex")
    _check_pivot(pivot, "linalg.lu_factor_ex")
    info = _lu_info(a)
    if check_errors and info.any():
        _raise_info("torch.linalg.lu_factor_ex", info, a.ndim > 2, _singular_text)
    return return_types.linalg_lu_factor_ex(*_lu_factor_tensors(A, a), wrap(info))


def linalg_lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U; L and U have PyTorch's gradient (square and rectangular A)."""
    _no_tuple_out(out, "linalg.lu")
    a = _check_matrix(A, "linalg.lu")
    _check_pivot(pivot, "linalg.lu")
    _, _, p, l, u = _lu_arrays(a)
    return return_types.linalg_lu(wrap(p), LuL.apply(A, p, l, u), LuU.apply(A, p, l, u))


def lu(A, pivot=True, get_infos=False, out=None):
    """torch.lu: (LU, pivots) or (LU, pivots, infos) with get_infos (LU differentiable, as lu_factor's)."""
    _no_tuple_out(out, "lu")
    r = lu_factor_ex(A, pivot=pivot)
    return (r.LU, r.pivots, r.info) if get_infos else (r.LU, r.pivots)


def _pivots_to_perm(pivots, m):
    """order with (Pᵀ A)[j] = A[order[j]]: LAPACK's row swaps replayed on 0..m−1 (one step per pivot)."""
    piv = pivots.astype(np.int64) - 1
    batch = piv.shape[:-1]
    order = np.broadcast_to(np.arange(m), batch + (m,)).copy()
    for i in range(piv.shape[-1]):
        j = piv[..., i:i + 1]
        oi, oj = order[..., i:i + 1].copy(), np.take_along_axis(order, j, -1)
        order[..., i:i + 1] = oj
        np.put_along_axis(order, j, oi, -1)
    return order


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) from lu_factor's packed result; L and U are differentiable functions of LU_data."""
    _no_tuple_out(out, "lu_unpack")
    lu_ = LU_data._array
    m, n = lu_.shape[-2:]
    k = min(m, n)
    empty = wrap(np.zeros((0,), lu_.dtype))
    P = L = U = empty
    if unpack_data:
        L = _ew.add(_index.tril(_shape.narrow(LU_data, -1, 0, k), -1), wrap(np.eye(m, k, dtype=lu_.dtype)))
        U = _index.triu(_shape.narrow(LU_data, -2, 0, k))
    if unpack_pivots:
        order = _pivots_to_perm(LU_pivots._array, m)
        p = np.zeros(order.shape + (m,), lu_.dtype)
        np.put_along_axis(p, order[..., None, :], 1, -2)  # P[order[j], j] = 1
        P = wrap(p)
    return return_types.lu_unpack(P, L, U)


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B (Aᵀ X = B with adjoint; X A = B with left=False) from A's LU factorization, through
    two triangular solves (so LU and B get gradients)."""
    _check_out(out, "linalg.lu_solve", LU, B)
    if not left:  # X A = B  ⟺  Aᵀ Xᵀ = Bᵀ
        x = linalg_lu_solve(LU, pivots, _shape.transpose(B, -2, -1), adjoint=not adjoint)
        return _write(out, "linalg.lu_solve", _shape.transpose(x, -2, -1))
    P, L, U = lu_unpack(LU, pivots)
    Pt = _shape.transpose(P, -2, -1)
    if adjoint:  # Aᵀ = Uᵀ Lᵀ Pᵀ:  X = P L⁻ᵀ U⁻ᵀ B
        y = solve_triangular(_shape.transpose(U, -2, -1), B, upper=False)
        y = solve_triangular(_shape.transpose(L, -2, -1), y, upper=True, unitriangular=True)
        return _write(out, "linalg.lu_solve", _mm.matmul(P, y))
    y = solve_triangular(L, _mm.matmul(Pt, B), upper=False, unitriangular=True)  # A = P L U: X = U⁻¹ L⁻¹ Pᵀ B
    return _write(out, "linalg.lu_solve", solve_triangular(U, y, upper=True))


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    """torch.lu_solve(b, LU_data, LU_pivots) (deprecated in PyTorch for torch.linalg.lu_solve)."""
    return linalg_lu_solve(LU_data, LU_pivots, b, out=out)


# ---------------------------------------------------------------------------------------------------
# LDLᵀ of symmetric (indefinite) matrices: LAPACK sytrf / sytrs, as PyTorch (no gradient, as PyTorch)
# ---------------------------------------------------------------------------------------------------
def _per_matrix(a):
    """a as a stack of matrices (LAPACK works on one matrix at a time)."""
    return a.reshape((math.prod(a.shape[:-2]),) + a.shape[-2:])


def _ldl_arrays(a):
    """(LD, pivots, info) of LAPACK sytrf with uplo='L' for each matrix (only the lower triangle is read):
    A = L D Lᵀ with L unit lower (times the row swaps) and D block diagonal with 1×1 and 2×2 blocks.
    pivots (1-based, LAPACK's convention): pivots[k] > 0 is a 1×1 block after swapping rows k and pivots[k];
    pivots[k] = pivots[k+1] < 0 a 2×2 block after swapping rows k+1 and −pivots[k]. info > 0: D[info, info] = 0."""
    n = a.shape[-1]
    batch = a.shape[:-2]
    flat = _per_matrix(a)
    ld = np.zeros_like(flat)
    pivots = np.zeros((len(flat), n), np.int32)
    info = np.zeros(len(flat), np.int32)
    if n:
        sytrf, = _lapack.get_lapack_funcs(("sytrf",), (flat,))
        for i, m in enumerate(flat):  # LAPACK, one matrix at a time (as PyTorch's CPU kernel)
            f, pivots[i], info[i] = sytrf(m, lower=1)
            ld[i] = np.tril(f)  # PyTorch zeroes the unused upper triangle
    return ld.reshape(a.shape), pivots.reshape(batch + (n,)), info.reshape(batch)


def _ldl_zero_text(k):
    # PyTorch 2.13 has no message for sytrf's info (an internal assert: "Unknown error code"); glasstorch words it
    return f"The factorization could not be completed because the diagonal element D[{k},{k}] is exactly zero."


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """(LD, pivots, info): A = L D Lᵀ in LAPACK sytrf's compact form, read from A's lower triangle (see
    _ldl_arrays). hermitian is the same as symmetric for real inputs. No gradient (PyTorch has none)."""
    _no_tuple_out(out, "ldl_factor_ex")
    a = _check_matrix(A, "torch.linalg.ldl_factor_ex", square=True)
    ld, pivots, info = _ldl_arrays(a)
    if check_errors and info.any():
        _raise_info("torch.linalg.ldl_factor_ex", info, a.ndim > 2, _ldl_zero_text)
    return return_types.linalg_ldl_factor_ex(wrap(ld), wrap(pivots), wrap(info))


def ldl_factor(A, *, hermitian=False, out=None):
    """(LD, pivots) of A = L D Lᵀ (see ldl_factor_ex). A zero block of D raises LinAlgError: PyTorch 2.13 raises
    a RuntimeError (an internal assert, "Unknown error code: k") there; glasstorch says what went wrong."""
    _no_tuple_out(out, "ldl_factor")
    a = _check_matrix(A, "torch.linalg.ldl_factor_ex", square=True)
    ld, pivots, info = _ldl_arrays(a)
    if info.any():
        _raise_info("torch.linalg.ldl_factor", info, a.ndim > 2, _ldl_zero_text)
    return return_types.linalg_ldl_factor(wrap(ld), wrap(pivots))


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """X with A X = B from ldl_factor's (LD, pivots) (LAPACK sytrs); batch dims of LD and B broadcast. A zero
    block of D gives inf/nan, as PyTorch. No gradient (PyTorch has none)."""
    _check_out(out, "linalg.ldl_solve", LD, B)
    name = "torch.linalg.ldl_solve"
    ld = _check_matrix(LD, name, square=True)
    piv, b = pivots._array, B._array
    if piv.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: Expected pivots to be integers. Got {_reduce._torch_name(piv.dtype)}")
    if piv.shape != ld.shape[:-1]:
        raise RuntimeError(f"{name}: Expected LD.shape[:-1] and pivots.shape to be the same, but got pivots with "
                           f"shape {list(piv.shape)} instead")
    if b.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(b.ndim, 1)}, "
                         f"{max(b.ndim, 1) - 1}], but got -2)")
    if b.dtype != ld.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_reduce._torch_name(b.dtype)} and A of type {_reduce._torch_name(ld.dtype)} instead.")
    n = ld.shape[-1]
    if b.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for torch.linalg.ldl_solve: each A matrix is {n} by {n} but "
                           f"each b matrix is {b.shape[-2]} by {b.shape[-1]}")
    try:
        batch = np.broadcast_shapes(b.shape[:-2], ld.shape[:-2])
    except ValueError:
        batches = [np.broadcast_to(np.zeros(()), x.shape[:-2]) for x in (b, ld)]  # only their shapes are read
        raise RuntimeError(_broadcast_message(batches)) from None
    ld = _per_matrix(np.broadcast_to(ld, batch + ld.shape[-2:]))
    piv = np.broadcast_to(piv, batch + piv.shape[-1:]).reshape(math.prod(batch), n).astype(np.int32)
    b = _per_matrix(np.broadcast_to(b, batch + b.shape[-2:]))
    x = np.zeros(b.shape, b.dtype)
    if x.size:
        sytrs, = _lapack.get_lapack_funcs(("sytrs",), (ld,))
        with np.errstate(divide="ignore", invalid="ignore"):
            for i in range(len(x)):  # LAPACK, one matrix at a time
                x[i] = sytrs(ld[i], piv[i], b[i], lower=1)[0]
    return _write(out, "linalg.ldl_solve", wrap(x.reshape(batch + b.shape[-2:])))


def matmul(input, other, *, out=None):
    """torch.linalg.matmul: an alias of torch.matmul."""
    return _mm.matmul(input, other, out=out)


# ---------------------------------------------------------------------------------------------------
# randomized low-rank SVD and PCA (Halko, Martinsson and Tropp 2009), made of differentiable ops
# ---------------------------------------------------------------------------------------------------
def _randn(shape, dtype):
    from .. import random as _random  # glasstorch's generator (torch.manual_seed seeds it)
    return wrap(_random.normal_array(tuple(shape), 0.0, 1.0, dtype, None))


def _approximate_basis(A, q, niter):
    """Q (m×q, orthonormal columns) with Q Qᵀ A ≈ A: Q = orth(A R) for a random n×q R, then niter power
    iterations Q = orth(A orth(Aᵀ Q)) (Halko et al.'s Algorithm 4.4)."""
    At = _shape.transpose(A, -2, -1)
    Q = linalg_qr(_mm.matmul(A, _randn((A._array.shape[-1], q), A._array.dtype))).Q
    for _ in range(niter):
        Q = linalg_qr(_mm.matmul(At, Q)).Q
        Q = linalg_qr(_mm.matmul(A, Q)).Q
    return Q


def svd_lowrank(A, q=6, niter=2, M=None):
    """(U, S, V) with A − M ≈ U diag(S) Vᵀ, of rank q (Halko et al.'s Algorithm 5.1): Q from _approximate_basis,
    then the SVD of the small Qᵀ(A − M). Random (glasstorch's generator): equal to PyTorch's up to the signs and
    the random start; exact when rank(A − M) ≤ q. Differentiable through matmul, qr and svd. Dense inputs only."""
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    _tensor(A, "A", "svd_lowrank")
    if M is not None:
        A = _ew.sub(A, _shape.expand(M, tuple(A._array.shape)))
    m, n = A._array.shape[-2:]
    if m < n:  # work with the tall matrix Aᵀ and swap U and V at the end
        A = _shape.transpose(A, -2, -1)
    Q = _approximate_basis(A, q, niter)
    U, S, Vh = linalg_svd(_mm.matmul(_shape.transpose(Q, -2, -1), A), full_matrices=False)
    U, V = _mm.matmul(Q, U), _shape.transpose(Vh, -2, -1)
    return (V, S, U) if m < n else (U, S, V)


def pca_lowrank(A, q=None, center=True, niter=2):
    """(U, S, V) of the (column-centred, with center) data matrix A ≈ U diag(S) Vᵀ by svd_lowrank; q defaults
    to min(6, m, n). The columns of V are the principal directions, S² / (m − 1) the variances."""
    _tensor(A, "A", "pca_lowrank")
    m, n = A._array.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (q >= 0 and q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}")
    if not (niter >= 0):
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if center:
        A = _ew.sub(A, _reduce.mean(A, (-2,), keepdim=True))
    return svd_lowrank(A, q, niter=niter)


# ---------------------------------------------------------------------------------------------------
# LOBPCG: a few extreme eigenpairs of a symmetric (generalized) eigenproblem
# ---------------------------------------------------------------------------------------------------
def _lobpcg_backward(a, e, u, ge, gx):
    """dL/dA of the k eigenpairs A u_j = e_j u_j of symmetric A (B = I), PyTorch's formula (torch/_lobpcg.py):
      in span(U):  dL/dA = U (diag(gE) + F ∘ (Uᵀ gU)) Uᵀ,  F_ij = 1/(e_j − e_i), F_ii = 0
      outside it (k < m): du_j = −(A − e_j)⁺ dA u_j on the complement Q⊥ of span(U), so
      dL/dA −= Q⊥ Y Uᵀ with y_j = (Q⊥ᵀ A Q⊥ − e_j I)⁻¹ Q⊥ᵀ gU_j   (PyTorch solves the same Sylvester equation
      with a polynomial; the result is the same)."""
    xp = get_array_module(a)
    m, k = u.shape[-2:]
    ge = xp.zeros_like(e) if ge is None else ge
    gx = xp.zeros_like(u) if gx is None else gx
    with np.errstate(divide="ignore"):
        f = 1.0 / (e[..., None, :] - e[..., :, None])
    f[..., np.arange(k), np.arange(k)] = 0
    ga = u @ (ge[..., :, None] * xp.eye(k, dtype=e.dtype) + f * (_mT(u) @ gx)) @ _mT(u)
    if k < m:
        q = xp.linalg.qr(u, mode="complete")[0][..., :, k:]  # an orthonormal basis of span(U)'s complement
        t = _mT(q) @ a @ q
        shifted = t[..., None, :, :] - e[..., :, None, None] * xp.eye(m - k, dtype=a.dtype)  # (…, k, m−k, m−k)
        rhs = _mT(_mT(q) @ gx)[..., :, :, None]  # (…, k, m−k, 1): Q⊥ᵀ gU_j for each j
        y = _mT(xp.linalg.solve(shifted, rhs)[..., 0])  # (…, m−k, k)
        ga = ga - q @ y @ _mT(u)
    return ga.astype(a.dtype, copy=False)


class LobpcgValues(Function):
    """E of lobpcg: the k extreme eigenvalues of symmetric A (B = I)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, a, e, x):
        ctx.a, ctx.e, ctx.x = a, e, x
        return e.copy()

    @staticmethod
    def backward(ctx, grad):
        # the gE part of _lobpcg_backward: dL/dA = U diag(gE) Uᵀ
        return _lobpcg_backward(ctx.a, ctx.e, ctx.x, grad, None), None, None


class LobpcgVectors(Function):
    """X of lobpcg: the eigenvectors (columns) of the k extreme eigenvalues of symmetric A (B = I)"""

    saves = (0,)

    @staticmethod
    def forward(ctx, a, e, x):
        ctx.a, ctx.e, ctx.x = a, e, x
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        # the gU part of _lobpcg_backward
        return _lobpcg_backward(ctx.a, ctx.e, ctx.x, None, grad), None, None


class LobpcgWithB(Function):
    """E or X of lobpcg with a B: no gradient, as PyTorch (its backward raises)"""

    saves = ()

    @staticmethod
    def forward(ctx, a, b, result):
        return result.copy()

    @staticmethod
    def backward(ctx, grad):
        raise ValueError("lobpcg.backward does not support backward with B != I yet.")


def _lobpcg_arrays(a, b, x0, ik, k, niter, tol, largest):
    """scipy.sparse.linalg.lobpcg on each matrix; the eigenpairs sorted as PyTorch (descending if largest)."""
    import warnings
    from scipy.sparse.linalg import lobpcg as _scipy_lobpcg
    m, n = x0.shape[-2:]
    flat_a, flat_x = _per_matrix(a), _per_matrix(x0)
    flat_b = None if b is None else _per_matrix(b)
    es = np.zeros((len(flat_a), k), a.dtype)
    xs = np.zeros((len(flat_a), m, k), a.dtype)
    for i in range(len(flat_a)):  # one eigenproblem at a time, as PyTorch
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scipy's notes on small problems and on convergence
            w, v = _scipy_lobpcg(flat_a[i].astype(np.float64), flat_x[i].astype(np.float64),
                                 B=None if flat_b is None else flat_b[i].astype(np.float64), M=ik, tol=tol,
                                 maxiter=niter, largest=largest)
        order = np.argsort(-w if largest else w)[:k]
        es[i], xs[i] = w[order], v[:, order]
    return es.reshape(a.shape[:-2] + (k,)), xs.reshape(a.shape[:-2] + (m, k))


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None, method=None,
           tracker=None, ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
    """(E, X): the k largest (largest=False: smallest) eigenvalues of the symmetric generalized problem
    A X = B X diag(E) (B symmetric positive-definite, I when None) and their B-orthonormal eigenvectors.

    Deviations: the forward is scipy.sparse.linalg.lobpcg (Knyazev's method, a dense solver for small problems)
    whatever method is asked (PyTorch has 'basic' and 'ortho'); tol is scipy's residual tolerance; tracker and
    the ortho_* parameters are ignored; the eigenvectors are defined up to sign. Gradient: PyTorch's, for A with
    B = None (A is symmetrized first, as PyTorch); a gradient through B raises ValueError, as PyTorch."""
    _tensor(A, "A", "lobpcg")
    a = A._array
    if a.shape[-2] != a.shape[-1]:
        raise AssertionError(f"A must be square, got shape {tuple(a.shape)}")
    if B is not None and tuple(B._array.shape) != tuple(a.shape):
        raise AssertionError(f"A and B must have same shape, got {tuple(a.shape)} vs {tuple(B._array.shape)}")
    if not _dtype.is_float_array(a.dtype):
        raise RuntimeError(f"lobpcg: expected a floating point tensor, got {_reduce._torch_name(a.dtype)}")
    m = a.shape[-1]
    k = (1 if X is None else X._array.shape[-1]) if k is None else k
    n = (k if n is None else n) if X is None else X._array.shape[-1]
    if m < 3 * n:
        raise ValueError(f"LOBPCG algorithm is not applicable when the number of A rows (={m}) is smaller than 3 x "
                         f"the number of requested eigenpairs (={n})")
    if tol is None:
        tol = {np.dtype(np.float32): 1.2e-07, np.dtype(np.float64): 2.23e-16}[a.dtype] ** 0.5
    largest = True if largest is None else largest
    x0 = _randn(a.shape[:-2] + (m, n), a.dtype)._array if X is None else np.broadcast_to(
        X._array, a.shape[:-2] + (m, n))
    b = None if B is None else B._array
    ik = None if iK is None else iK._array
    needs_grad = A.requires_grad or (B is not None and B.requires_grad)
    if needs_grad:  # as PyTorch: differentiate through (A + Aᵀ)/2 so that A's gradient is symmetric
        A = _ew.div(_ew.add(A, _shape.transpose(A, -2, -1)), 2)
        a = A._array
        if B is not None:
            b = (B._array + _mT(B._array)) / 2
    e, x = _lobpcg_arrays(a, b, x0, ik, k, 1000 if niter is None else niter, tol, largest)
    if not needs_grad:
        return wrap(e), wrap(x)
    if B is not None:
        return LobpcgWithB.apply(A, B, e), LobpcgWithB.apply(A, B, x)
    return LobpcgValues.apply(A, e, x), LobpcgVectors.apply(A, e, x)


from . import out as _out  # noqa: E402  (ops/out.py imports the op modules' package)

# The names this module gives the torch namespace: glasstorch/__init__.py imports them with *, so a new
# public function is exported by adding it here. (A torch.linalg function whose torch-level namesake has
# another signature is linalg_<name> here: glasstorch/linalg/__init__.py imports it under its short name.)
__all__ = ['det', 'logdet', 'slogdet', 'inverse', 'cholesky', 'cholesky_solve', 'cholesky_inverse', 'qr', 'svd',
           'pinverse', 'matrix_power', 'matrix_exp', 'lu', 'lu_solve', 'lu_unpack', 'triangular_solve', 'geqrf', 'orgqr',
           'ormqr', 'lobpcg', 'pca_lowrank', 'svd_lowrank']
