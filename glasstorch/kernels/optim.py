"""Optimizer updates in one pass: the kernel of ``optim/adam.py``'s ``Adam._update`` (Adam, AdamW, amsgrad).

The reference does Adam's update as about ten whole-array NumPy passes (g - m, the product with 1 - β1, the
sum into m, v·β2, g·g, ..., θ - step·m/denominator), each reading and writing the parameter-sized arrays and
allocating a temporary. Here every element is updated once, all its arithmetic in registers, in the same
order and the same precision as the reference (so the results are the reference's, bit for bit), and the
elements are split between the threads (``threads.parallel_for``).

Per element, with the constants computed once by the caller in the parameter's dtype:

    g  = -g if maximize                      ;  g = g + λ·θ (Adam's L2)   or   θ = θ·(1 - γλ) (AdamW)
    m  = m + (1 - β1)·(g - m)                   m_t = β1·m_{t-1} + (1 - β1)·g_t
    v  = v·β2 + ((1 - β2)·g)·g                  v_t = β2·v_{t-1} + (1 - β2)·g_t²
    v̂  = max(v̂, v) with amsgrad
    θ  = θ - step_size·(m / (√v / √(1 - β2^t) + ε))
"""
import numba
import numpy as np

from .threads import parallel_for

# below this many elements one thread does the whole update (the hand-off would cost more than it saves).
# Measured here (2 cores, float32, one thread vs parallel_for's two): 65536 elements 45 vs 122 us, 200704 (the MLP's
# first weight) 152 vs 203 us, 401408 (the CNN's FC weight) 279 vs 278 us: the hand-off alone cost 85-90 us.
PARALLEL_MIN = 1 << 19


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _adam_rows(start, stop, theta, g, m, v, v_max, c):
    # c: the update's scalars in the arrays' dtype (adam_constants), one argument instead of nine
    sign, l2, decay, one_minus_beta1, beta2, one_minus_beta2, sqrt_bc2, eps, step_size = (c[0], c[1], c[2], c[3],
                                                                                          c[4], c[5], c[6], c[7], c[8])
    # sign = -1 with maximize (g·(-1) is exactly -g); decay = 1 - γλ for AdamW, else 1 (θ·1 is exactly θ)
    # (the loops run over slices from 0: numba vectorizes ``range(n)`` loops, not ``range(start, stop)``)
    theta, g, m, v = theta[start:stop], g[start:stop], m[start:stop], v[start:stop]
    if v_max.size > 0:
        v_max = v_max[start:stop]
    amsgrad = v_max.size > 0
    if l2 == 0 and not amsgrad:   # the common case, as one branch-free loop the compiler can vectorize
        for i in range(theta.size):
            gi = g[i] * sign
            mi = m[i] + one_minus_beta1 * (gi - m[i])
            vi = v[i] * beta2 + one_minus_beta2 * gi * gi
            m[i] = mi
            v[i] = vi
            theta[i] = theta[i] * decay - step_size * (mi / (np.sqrt(vi) / sqrt_bc2 + eps))
        return
    for i in range(theta.size):       # with Adam's L2 term and/or amsgrad
        gi = g[i] * sign
        if l2 != 0:
            gi = gi + l2 * theta[i]   # Adam: g + λθ
        mi = m[i] + one_minus_beta1 * (gi - m[i])
        vi = v[i] * beta2 + one_minus_beta2 * gi * gi
        m[i] = mi
        v[i] = vi
        if amsgrad:
            if vi > v_max[i] or vi != vi:      # np.maximum: NaN wins
                v_max[i] = vi
            vi = v_max[i]
        theta[i] = theta[i] * decay - step_size * (mi / (np.sqrt(vi) / sqrt_bc2 + eps))


def adam_constants(dtype, *, maximize, l2, decay, beta1, beta2, sqrt_bc2, eps, step_size):
    """The update's scalars (Python floats) as one array of ``dtype``: each cast exactly as NumPy casts a Python
    float operand in the reference. The same for every parameter of a group at one step (adam.py computes it once)."""
    return np.array([-1.0 if maximize else 1.0, l2, decay, 1 - beta1, beta2, 1 - beta2, sqrt_bc2, eps, step_size],
                    dtype=dtype)


_NO_MAX = {np.dtype(np.float32): np.empty(0, np.float32), np.dtype(np.float64): np.empty(0, np.float64)}


def adam_update(theta, g, m, v, v_max, constants):
    """Adam's update of one parameter in place (theta, m, v and v_max change; g is read). All arrays are
    C-contiguous and of one float dtype; ``v_max`` is None without amsgrad; ``constants`` from ``adam_constants``.
    Below PARALLEL_MIN elements parallel_for runs the kernel once in this thread (no hand-off: most of a model's
    parameters)."""
    vm = _NO_MAX[theta.dtype] if v_max is None else v_max.reshape(-1)
    parallel_for(_adam_rows, theta.size, theta.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1), vm,
                 constants, min_rows=PARALLEL_MIN // 2)
