"""Reductions along one row, for the row-wise kernels (kernels/attention.py, kernels/layernorm.py).

Why these exist: a compiled loop ``total += x[j]`` waits for each addition before the next (floating-point
addition is not associative, so the compiler may not reorder it, and we compile without ``fastmath``): one
element per four cycles. NumPy's own ``sum`` adds in a fixed *pairwise* order that is fast and also accurate:

    n < 8:         x0 + x1 + ... in turn
    8 ≤ n ≤ 128:   eight partial sums r_t = x_t + x_{t+8} + x_{t+16} + ...  (t = 0..7, over the first n − n % 8),
                   then ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the last n % 8 elements in turn
    n > 128:       the sum of the first half (a multiple of 8) plus the sum of the second, each as above

``row_sum`` and ``row_dot`` follow that order for rows of up to 128, so they give NumPy's ``x.sum(axis=-1)``
and ``(x * y).sum(axis=-1)`` bit for bit there (longer rows: eight partial sums over the whole row, which
agrees with NumPy's to rounding). They are compiled with ``inline="always"``: numba pastes them into the
calling kernel's loop (called as functions, once per row, they measured 4x slower). The
eight partial sums are independent (eight scalars, kept in registers: an 8-element scratch array measured 2x
slower), so the additions overlap instead of waiting for each other. ``row_max`` keeps 16 running
maxima (a max is exact in any order).
"""
import numba
import numpy as np

_jit = numba.njit(nogil=True, cache=True, fastmath=False, error_model="numpy", inline="always")


@_jit
def row_sum(x, zero):
    """Σ x, in NumPy's pairwise order (float32 and float64 alike)."""
    n = x.shape[0]
    if n < 8:
        total = zero
        for j in range(n):
            total += x[j]
        return total
    r0, r1, r2, r3, r4, r5, r6, r7 = x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]   # eight partial sums
    full = n - n % 8
    for j in range(8, full, 8):
        r0 += x[j]
        r1 += x[j + 1]
        r2 += x[j + 2]
        r3 += x[j + 3]
        r4 += x[j + 4]
        r5 += x[j + 5]
        r6 += x[j + 6]
        r7 += x[j + 7]
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for j in range(full, n):
        total += x[j]
    return total


@_jit
def row_dot(x, y, zero):
    """Σ x · y, in NumPy's pairwise order over the products (NumPy's (x * y).sum())."""
    n = x.shape[0]
    if n < 8:
        total = zero
        for j in range(n):
            total += x[j] * y[j]
        return total
    r0, r1, r2, r3 = x[0] * y[0], x[1] * y[1], x[2] * y[2], x[3] * y[3]
    r4, r5, r6, r7 = x[4] * y[4], x[5] * y[5], x[6] * y[6], x[7] * y[7]
    full = n - n % 8
    for j in range(8, full, 8):
        r0 += x[j] * y[j]
        r1 += x[j + 1] * y[j + 1]
        r2 += x[j + 2] * y[j + 2]
        r3 += x[j + 3] * y[j + 3]
        r4 += x[j + 4] * y[j + 4]
        r5 += x[j + 5] * y[j + 5]
        r6 += x[j + 6] * y[j + 6]
        r7 += x[j + 7] * y[j + 7]
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for j in range(full, n):
        total += x[j] * y[j]
    return total


@_jit
def row_max(x, ninf, m16):
    """max x (−inf for an empty row), from 16 running maxima kept in the scratch array m16 (here an array beats
    scalars: measured). A NaN is passed over (the callers' rows come out NaN anyway: the NaN stays in the row and
    makes its sum NaN)."""
    n = x.shape[0]
    m16[:] = ninf
    full = n - n % 16
    for j0 in range(0, full, 16):
        for t in range(16):
            v = x[j0 + t]
            m16[t] = v if v > m16[t] else m16[t]
    m = ninf
    for t in range(16):
        m = m16[t] if m16[t] > m else m
    for j in range(full, n):
        m = x[j] if x[j] > m else m
    return m
