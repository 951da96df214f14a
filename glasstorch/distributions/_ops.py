"""The few ops the distributions need that are not elementwise compositions: a Cholesky factorization and a
triangular solve (for MultivariateNormal), gamma sampling with an implicit reparameterization gradient (for
Gamma, Beta, Dirichlet) and the regularized lower incomplete gamma function (Gamma.cdf).

Each is a Function with forward and backward side by side. They are private to glasstorch.distributions;
glasstorch.linalg's own cholesky/solve_triangular can replace the first two once they exist.
"""
import numpy as np
import scipy.special

from ..autograd.function import Function, unbroadcast
from ..backend import get_array_module
from .. import random as _random


def _mT(a):
    return np.swapaxes(a, -1, -2)


# ---------------------------------------------------------------------------------------------------
# linear algebra
# ---------------------------------------------------------------------------------------------------
class Cholesky(Function):
    """L = cholesky(A), A = L Lᵀ symmetric positive definite (only A's lower triangle is read)."""

    saves = (-1,)

    @staticmethod
    def forward(ctx, a):
        xp = get_array_module(a)
        try:
            L = xp.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise RuntimeError("linalg.cholesky: The factorization could not be completed because the input is "
                               "not positive-definite.") from None
        ctx.L = L
        return L

    @staticmethod
    def backward(ctx, grad):
        # dL/dA = L⁻ᵀ Φ(Lᵀ dL/dL) L⁻¹, Φ(X) = the symmetric matrix with X's lower triangle and half its diagonal
        xp = get_array_module(grad)
        L = ctx.L
        P = xp.tril(_mT(L) @ grad)
        P = 0.5 * (P + _mT(xp.tril(P, -1)))
        Linv = _tri_inv(L)
        return _mT(Linv) @ P @ Linv


def _tri_inv(L):
    xp = get_array_module(L)
    eye = xp.broadcast_to(xp.eye(L.shape[-1], dtype=L.dtype), L.shape)
    return xp.linalg.solve(L, eye)


class SolveTriangular(Function):
    """X = A⁻¹ B for a (batch of) triangular A (only its lower or upper triangle is read)."""

    saves = (-1,)  # A's triangle is a copy; X is the output

    @staticmethod
    def forward(ctx, a, b, upper):
        xp = get_array_module(a, b)
        a = xp.triu(a) if upper else xp.tril(a)
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        ctx.a_shape, ctx.b_shape, ctx.upper = a.shape, b.shape, upper
        aa = xp.broadcast_to(a, batch + a.shape[-2:])
        x = xp.linalg.solve(aa, xp.broadcast_to(b, batch + b.shape[-2:]))
        ctx.a, ctx.x = aa, x
        return x

    @staticmethod
    def backward(ctx, grad):
        # dL/dB = A⁻ᵀ dL/dX;  dL/dA = −dL/dB Xᵀ, kept to A's triangle (the other entries were never read)
        xp = get_array_module(grad)
        gb = xp.linalg.solve(_mT(ctx.a), grad)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -gb @ _mT(ctx.x)
            ga = xp.triu(ga) if ctx.upper else xp.tril(ga)
            ga = unbroadcast(ga, ctx.a_shape)
        gb = unbroadcast(gb, ctx.b_shape) if ctx.needs_input_grad[1] else None
        return ga, gb, None


def cholesky(a):
    return Cholesky.apply(a)


def solve_triangular(a, b, upper=False):
    return SolveTriangular.apply(a, b, upper)


# ---------------------------------------------------------------------------------------------------
# gamma: sampling with an implicit reparameterization gradient, and the incomplete gamma function
# ---------------------------------------------------------------------------------------------------
def _dP_dalpha(alpha, x):
    """∂P(α, x)/∂α for the regularized lower incomplete gamma P, in float64.

    A central finite difference with the relative step h = 1e-4·α (truncation error ~(h/α)² ≈ 1e-8 relative).
    Where P > 1/2 it differences Q = 1 − P instead (∂P/∂α = −∂Q/∂α), so that both tails keep their relative
    precision (scipy computes P and Q each to full relative accuracy). Checked against 40-digit mpmath to ~1e-8
    relative. PyTorch evaluates this derivative with series, asymptotic and rational approximations instead:
    the two agree to ~2e-4 in the body of the distribution and to ~3e-3 in the far tails (PyTorch's is the less
    exact one there).
    """
    h = 1e-4 * alpha
    use_q = scipy.special.gammainc(alpha, x) > 0.5
    dp = (scipy.special.gammainc(alpha + h, x) - scipy.special.gammainc(alpha - h, x)) / (2 * h)
    dq = (scipy.special.gammaincc(alpha + h, x) - scipy.special.gammaincc(alpha - h, x)) / (2 * h)
    return np.where(use_q, -dq, dp)


def _log_gamma_pdf(alpha, x):
    """log of the Gamma(α, 1) density: (α − 1) log x − x − lgamma(α)."""
    return (alpha - 1) * np.log(x) - x - scipy.special.gammaln(alpha)


def standard_gamma_grad(alpha, x):
    """dx/dα for x ~ Gamma(α, 1) held at a fixed CDF level u = P(α, x): dx/dα = −(∂P/∂α) / (∂P/∂x).

    (Implicit reparameterization, as torch._standard_gamma_grad; ∂P/∂x is the density.) float64 arrays.
    """
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        return -_dP_dalpha(alpha, x) / np.exp(_log_gamma_pdf(alpha, x))


class StandardGamma(Function):
    """x ~ Gamma(α, 1) elementwise (numpy's gamma sampler fed by glasstorch's default generator).

    The gradient is the implicit one: dL/dα = dL/dx · dx/dα at the drawn x (see standard_gamma_grad).
    """

    saves = (0, -1)

    @staticmethod
    def forward(ctx, alpha):
        a64 = alpha.astype(np.float64)
        x = _random._rng(None).standard_gamma(a64)
        x = np.maximum(x, np.finfo(alpha.dtype).tiny).astype(alpha.dtype)  # as PyTorch: never exactly 0
        ctx.alpha, ctx.x = alpha, x
        return x

    @staticmethod
    def backward(ctx, grad):
        # dL/dα = dL/dx · dx/dα,  dx/dα = −(∂P/∂α)/(∂P/∂x) at u = P(α, x) held fixed
        g = standard_gamma_grad(ctx.alpha.astype(np.float64), ctx.x.astype(np.float64))
        return (grad * g).astype(grad.dtype)


def standard_gamma(alpha):
    return StandardGamma.apply(alpha)


class Gammainc(Function):
    """P(a, x) = γ(a, x)/Γ(a), the regularized lower incomplete gamma function (torch.special.gammainc).

    Deviation: PyTorch gives no gradient with respect to ``a`` (it raises); here it is the finite difference
    of _dP_dalpha.
    """

    saves = (0, 1)

    @staticmethod
    def forward(ctx, a, x):
        ctx.a, ctx.x = a, x
        return scipy.special.gammainc(a, x).astype(np.result_type(a, x))

    @staticmethod
    def backward(ctx, grad):
        a, x = np.broadcast_arrays(ctx.a.astype(np.float64), ctx.x.astype(np.float64))
        ga = gx = None
        if ctx.needs_input_grad[0]:
            ga = unbroadcast(grad * _dP_dalpha(a, x), ctx.a.shape).astype(ctx.a.dtype)  # dL/da = dL/dP · ∂P/∂a
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                pdf = np.exp(_log_gamma_pdf(a, x))  # dL/dx = dL/dP · x^(a−1) e^(−x) / Γ(a)
            gx = unbroadcast(grad * np.where(x > 0, pdf, 0.0), ctx.x.shape).astype(ctx.x.dtype)
        return ga, gx


def gammainc(a, x):
    return Gammainc.apply(a, x)
