"""Linear algebra (det, inverse, qr, svd, cholesky ...): Tensor methods, each a one-line call into glasstorch.ops (see _methods/__init__.py)."""
from .. import ops  # noqa: F401  (ops.<family> is looked up at call time)


class LinalgMethods:
    """Linear algebra (det, inverse, qr, svd, cholesky ...). (Tensor.norm is in tensor.py.)"""

    def det(self):
        return ops.linalg.det(self)

    def logdet(self):
        return ops.linalg.logdet(self)

    def slogdet(self):
        return ops.linalg.slogdet(self)

    def inverse(self):
        return ops.linalg.inverse(self)

    def cholesky(self, upper=False):
        return ops.linalg.cholesky(self, upper)

    def cholesky_solve(self, input2, upper=False):
        return ops.linalg.cholesky_solve(self, input2, upper)

    def cholesky_inverse(self, upper=False):
        return ops.linalg.cholesky_inverse(self, upper)

    def qr(self, some=True):
        return ops.linalg.qr(self, some)

    def svd(self, some=True, compute_uv=True):
        return ops.linalg.svd(self, some, compute_uv)

    def pinverse(self, rcond=1e-15):
        return ops.linalg.pinverse(self, rcond)

    def matrix_power(self, n):
        return ops.linalg.matrix_power(self, n)

    def matrix_exp(self):
        return ops.linalg.matrix_exp(self)

    def lu(self, pivot=True, get_infos=False):
        return ops.linalg.lu(self, pivot, get_infos)

    def lu_solve(self, LU_data, LU_pivots):
        return ops.linalg.lu_solve(self, LU_data, LU_pivots)

    def triangular_solve(self, A, upper=True, transpose=False, unitriangular=False):
        return ops.linalg.triangular_solve(self, A, upper, transpose, unitriangular)

    def geqrf(self):
        return ops.linalg.geqrf(self)

    def orgqr(self, input2):
        return ops.linalg.orgqr(self, input2)

    def ormqr(self, input2, input3, left=True, transpose=False):
        return ops.linalg.ormqr(self, input2, input3, left, transpose)
