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

# below this many elements one thread does the whole update (the hand-off would cost more than it saves)
PARALLEL_MIN = 65536


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _adam_rows(start, stop, theta, g, m, v, v_max, sign, l2, decay, one_minus_beta1, beta2, one_minus_beta2,
               sqrt_bc2, eps, step_size):
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


def adam_update(theta, g, m, v, v_max, *, maximize, l2, decay, beta1, beta2, sqrt_bc2, eps, step_size):
    """Adam's update of one parameter in place (theta, m, v and v_max change; g is read). All arrays are
    C-contiguous and of one float dtype; ``v_max`` is None without amsgrad. The scalars are Python floats, cast
    here to the arrays' dtype exactly as NumPy casts them in the reference."""
    f = theta.dtype.type
    flat = [a.reshape(-1) for a in (theta, g, m, v)]
    vm = v_max.reshape(-1) if v_max is not None else np.empty(0, theta.dtype)
    parallel_for(_adam_rows, flat[0].size, *flat, vm, f(-1.0 if maximize else 1.0), f(l2), f(decay), f(1 - beta1), f(beta2),
                 f(1 - beta2), f(sqrt_bc2), f(eps), f(step_size), min_rows=PARALLEL_MIN // 2)
