"""torch.special: special functions of real arguments (the ops are in glasstorch/ops/math.py).

PyTorch differentiates neither the Bessel family (airy_ai, bessel_*, modified_bessel_*, spherical_bessel_j0)
nor the orthogonal polynomials: their results do not require grad, here as there.
"""
from ..ops.elementwise import erf, expm1, log1p, round, sigmoid as expit
from ..ops.math import (airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, chebyshev_polynomial_t,
                        chebyshev_polynomial_u, chebyshev_polynomial_v, chebyshev_polynomial_w, digamma, entr, erfc,
                        erfcx, erfinv, exp2, hermite_polynomial_h, hermite_polynomial_he, i0, i0e, i1, i1e,
                        igamma as gammainc, igammac as gammaincc, laguerre_polynomial_l, legendre_polynomial_p,
                        lgamma as gammaln, log_ndtr, logit, modified_bessel_i0, modified_bessel_i1,
                        modified_bessel_k0, modified_bessel_k1, mvlgamma as multigammaln, ndtr, ndtri, polygamma,
                        scaled_modified_bessel_k0, scaled_modified_bessel_k1, shifted_chebyshev_polynomial_t,
                        shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v,
                        shifted_chebyshev_polynomial_w, sinc, spherical_bessel_j0, xlog1py, xlogy, zeta)
from ..ops.reduce import logsumexp
from ..ops.softmax import log_softmax, softmax

psi = digamma

from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)
