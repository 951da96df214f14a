"""Matrix products (addmm, baddbmm, kron, tensordot ...): Tensor methods, each a one-line call into glasstorch.ops (see _methods/__init__.py)."""
from .. import ops  # noqa: F401  (ops.<family> is looked up at call time)


class ProductMethods:
    """Matrix products (addmm, baddbmm, kron, tensordot ...)."""

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        return ops.matmul.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
        return ops.inplace.apply_(self, ops.matmul.addmm, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        return ops.matmul.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def addmv_(self, mat, vec, *, beta=1, alpha=1):
        return ops.inplace.apply_(self, ops.matmul.addmv, mat, vec, beta=beta, alpha=alpha)

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return ops.matmul.addbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return ops.inplace.apply_(self, ops.matmul.addbmm, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        return ops.matmul.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
        return ops.inplace.apply_(self, ops.matmul.baddbmm, batch1, batch2, beta=beta, alpha=alpha)

    def addr(self, vec1, vec2, *, beta=1, alpha=1):
        return ops.matmul.addr(self, vec1, vec2, beta=beta, alpha=alpha)

    def addr_(self, vec1, vec2, *, beta=1, alpha=1):
        return ops.inplace.apply_(self, ops.matmul.addr, vec1, vec2, beta=beta, alpha=alpha)

    def inner(self, other):
        return ops.matmul.inner(self, other)

    def kron(self, other):
        return ops.matmul.kron(self, other)

    def cross(self, other, dim=None):
        return ops.matmul.cross(self, other, dim)

    def trace(self):
        return ops.matmul.trace(self)

    def vdot(self, other):
        return ops.matmul.vdot(self, other)

    def ger(self, vec2):
        return ops.matmul.ger(self, vec2)
