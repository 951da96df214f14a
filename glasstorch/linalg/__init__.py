"""torch.linalg: linear algebra (the ops are in glasstorch/ops/linalg.py).

Left out on purpose: eig and eigvals (their results are complex; glasstorch has no complex dtypes)."""
from .._missing import missing_api
from ..ops.linalg import (LinAlgError, cholesky_ex, cond, cross, det, diagonal, eigh, eigvalsh,
                          householder_product, inv, inv_ex, ldl_factor, ldl_factor_ex, ldl_solve, lstsq, lu_factor,
                          lu_factor_ex, matmul, matrix_exp, matrix_norm, matrix_power, matrix_rank, multi_dot, norm,
                          pinv, solve, solve_ex, solve_triangular, svdvals, tensorinv, tensorsolve, vander, vecdot,
                          vector_norm)
from ..ops.linalg import linalg_cholesky as cholesky
from ..ops.linalg import linalg_lu as lu
from ..ops.linalg import linalg_lu_solve as lu_solve
from ..ops.linalg import linalg_qr as qr
from ..ops.linalg import linalg_slogdet as slogdet
from ..ops.linalg import linalg_svd as svd

__getattr__ = missing_api(__name__)
