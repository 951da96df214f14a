"""(being written) ops/reduce.py"""

def sum(input, dim=None, keepdim=False, *, dtype=None):
    raise NotImplementedError("sum is not implemented yet")


def mean(input, dim=None, keepdim=False, *, dtype=None):
    raise NotImplementedError("mean is not implemented yet")


def prod(input, dim=None, keepdim=False, *, dtype=None):
    raise NotImplementedError("prod is not implemented yet")


def max(input, dim=None, keepdim=False):
    raise NotImplementedError("max is not implemented yet")


def min(input, dim=None, keepdim=False):
    raise NotImplementedError("min is not implemented yet")


def amax(input, dim=(), keepdim=False):
    raise NotImplementedError("amax is not implemented yet")


def amin(input, dim=(), keepdim=False):
    raise NotImplementedError("amin is not implemented yet")


def argmax(input, dim=None, keepdim=False):
    raise NotImplementedError("argmax is not implemented yet")


def argmin(input, dim=None, keepdim=False):
    raise NotImplementedError("argmin is not implemented yet")


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    raise NotImplementedError("var is not implemented yet")


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    raise NotImplementedError("std is not implemented yet")


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    raise NotImplementedError("var_mean is not implemented yet")


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    raise NotImplementedError("std_mean is not implemented yet")


def logsumexp(input, dim, keepdim=False):
    raise NotImplementedError("logsumexp is not implemented yet")


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    raise NotImplementedError("norm is not implemented yet")


def cumsum(input, dim, *, dtype=None):
    raise NotImplementedError("cumsum is not implemented yet")


def cumprod(input, dim, *, dtype=None):
    raise NotImplementedError("cumprod is not implemented yet")


def all(input, dim=None, keepdim=False):
    raise NotImplementedError("all is not implemented yet")


def any(input, dim=None, keepdim=False):
    raise NotImplementedError("any is not implemented yet")


def count_nonzero(input, dim=None):
    raise NotImplementedError("count_nonzero is not implemented yet")

