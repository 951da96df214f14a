"""Reductions and statistics (median, quantile, histc, cummax ...): Tensor methods, each a one-line call into glasstorch.ops (see _methods/__init__.py)."""
from .. import ops  # noqa: F401  (ops.<family> is looked up at call time)


class StatsMethods:
    """Reductions and statistics (median, quantile, histc, cummax ...)."""

    def median(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return ops.stats.median(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def nanmedian(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return ops.stats.nanmedian(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def mode(self, dim=-1, keepdim=False, *, axis=None, keepdims=None):
        return ops.stats.mode(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def kthvalue(self, k, dim=-1, keepdim=False, *, axis=None, keepdims=None):
        return ops.stats.kthvalue(self, k, dim, keepdim, axis=axis, keepdims=keepdims)

    def msort(self):
        return ops.stats.msort(self)

    def quantile(self, q, dim=None, keepdim=False, *, interpolation="linear", axis=None, keepdims=None):
        return ops.stats.quantile(self, q, dim, keepdim, interpolation=interpolation, axis=axis, keepdims=keepdims)

    def nanquantile(self, q, dim=None, keepdim=False, *, interpolation="linear", axis=None, keepdims=None):
        return ops.stats.nanquantile(self, q, dim, keepdim, interpolation=interpolation, axis=axis,
                                     keepdims=keepdims)

    def nansum(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        return ops.stats.nansum(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        return ops.stats.nanmean(self, dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)

    def aminmax(self, *, dim=None, keepdim=False, axis=None, keepdims=None):
        return ops.stats.aminmax(self, dim=dim, keepdim=keepdim, axis=axis, keepdims=keepdims)

    def cummax(self, dim=None, *, axis=None):
        return ops.stats.cummax(self, dim, axis=axis)

    def cummin(self, dim=None, *, axis=None):
        return ops.stats.cummin(self, dim, axis=axis)

    def logcumsumexp(self, dim=None, *, axis=None):
        return ops.stats.logcumsumexp(self, dim, axis=axis)

    def cumsum_(self, dim=None, *, dtype=None, axis=None):
        return ops.stats.cumulative_(self, ops.reduce.cumsum, dim, dtype, axis)

    def cumprod_(self, dim=None, *, dtype=None, axis=None):
        return ops.stats.cumulative_(self, ops.reduce.cumprod, dim, dtype, axis)

    def diff(self, n=1, dim=-1, prepend=None, append=None, *, axis=None):
        return ops.stats.diff(self, n, dim, prepend, append, axis=axis)

    def cov(self, *, correction=1, fweights=None, aweights=None):
        return ops.stats.cov(self, correction=correction, fweights=fweights, aweights=aweights)

    def corrcoef(self):
        return ops.stats.corrcoef(self)

    def dist(self, other, p=2):
        return ops.stats.dist(self, other, p)

    def renorm(self, p, dim=None, maxnorm=None, *, axis=None):
        return ops.stats.renorm(self, p, dim, maxnorm, axis=axis)

    def renorm_(self, p, dim=None, maxnorm=None, *, axis=None):
        return ops.inplace.apply_(self, ops.stats.renorm, p, dim, maxnorm, axis=axis)

    def sum_to_size(self, *size):
        return ops.stats.sum_to_size(self, *size)

    def histc(self, bins=100, min=0, max=0):
        return ops.stats.histc(self, bins, min, max)

    def histogram(self, bins, *, range=None, weight=None, density=False):
        return ops.stats.histogram(self, bins, range=range, weight=weight, density=density)

    def bincount(self, weights=None, minlength=0):
        return ops.reduce.bincount(self, weights, minlength)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        return ops.stats.unique_consecutive(self, return_inverse, return_counts, dim)
