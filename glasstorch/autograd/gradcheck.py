"""Numerical differentiation: check backpropagation against central differences.

For f: R^n -> R^m the numerical derivative of output j with respect to input element i is

    (f(x + eps·e_i)_j − f(x − eps·e_i)_j) / (2·eps)

which has error O(eps²). Backpropagation gives the same Jacobian row by row: backward with the one-hot
output gradient e_j returns row j. ``gradcheck`` compares the two, in float64 (float32 has too few digits
for eps = 1e-6).

For a learner: ``numerical_grad(lambda x: (x**2).sum(), x)`` returns the gradient by differences, to
set beside ``x.grad`` after ``backward()``.
"""
import numpy as np

from .grad_mode import no_grad


class GradcheckError(RuntimeError):
    pass


def _tensors(inputs):
    from ..tensor import Tensor
    return inputs if isinstance(inputs, (tuple, list)) else (inputs,), Tensor


def _outputs(fn, inputs):
    out = fn(*inputs)
    return out if isinstance(out, (tuple, list)) else (out,)


def numerical_jacobian(fn, inputs, eps=1e-6):
    """Jacobians by central differences: one (out.numel, input.numel) array per (output, input) pair.

    Returns ``J[o][i]`` for output o and differentiable input i.
    """
    inputs, Tensor = _tensors(inputs)
    with no_grad():
        outs = _outputs(fn, inputs)
        jac = [[None] * len(inputs) for _ in outs]
        for i, x in enumerate(inputs):
            if not (isinstance(x, Tensor) and x.requires_grad):
                continue
            flat = x._array.reshape(-1)  # a view: perturbing it perturbs x
            cols = [np.zeros((o._array.size, flat.size)) for o in outs]
            for k in range(flat.size):
                orig = flat[k].item()
                flat[k] = orig + eps
                plus = [o._array.astype(np.float64).reshape(-1).copy() for o in _outputs(fn, inputs)]
                flat[k] = orig - eps
                minus = [o._array.astype(np.float64).reshape(-1).copy() for o in _outputs(fn, inputs)]
                flat[k] = orig
                for c, p, m in zip(cols, plus, minus):
                    c[:, k] = (p - m) / (2 * eps)
            for o, c in enumerate(cols):
                jac[o][i] = c
    return jac


def analytical_jacobian(fn, inputs):
    """Jacobians by backpropagation: row j is the backward of the one-hot output gradient e_j."""
    from . import grad as autograd_grad
    from ..tensor import Tensor
    inputs = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
    diff = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    outs = _outputs(fn, inputs)
    jac = [[None] * len(inputs) for _ in outs]
    for o, out in enumerate(outs):
        rows = {i: np.zeros((out._array.size, inputs[i]._array.size)) for i in diff}
        if out.requires_grad:
            for j in range(out._array.size):
                seed = np.zeros(out._array.size, dtype=out._array.dtype)
                seed[j] = 1
                grads = autograd_grad([out], [inputs[i] for i in diff], [seed.reshape(out._array.shape)],
                                      retain_graph=True, allow_unused=True)
                for i, g in zip(diff, grads):
                    if g is not None:
                        rows[i][j] = g._array.reshape(-1)
        for i in diff:
            jac[o][i] = rows[i]
    return jac


def gradcheck(fn, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True):
    """True if backprop's Jacobian equals the central-difference Jacobian, as ``torch.autograd.gradcheck``.

    Inputs that require grad should be float64. On a mismatch raises GradcheckError naming the output, the
    input and both Jacobians (or returns False with ``raise_exception=False``).
    """
    inputs, Tensor = _tensors(inputs)
    for x in inputs:
        if isinstance(x, Tensor) and x.requires_grad and x._array.dtype != np.float64:
            import warnings
            warnings.warn("gradcheck: an input that requires grad is not float64; the check may fail "
                          "for lack of precision", stacklevel=2)
    numerical = numerical_jacobian(fn, inputs, eps)
    analytical = analytical_jacobian(fn, inputs)
    for o, (num_row, ana_row) in enumerate(zip(numerical, analytical)):
        for i, (n, a) in enumerate(zip(num_row, ana_row)):
            if n is None:
                continue
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(f"Jacobian mismatch for output {o} with respect to input {i},\n"
                                     f"numerical:{n}\nanalytical:{a}\n")
    return True


def numerical_grad(fn, *inputs, eps=1e-6):
    """The gradient of a scalar function by central differences: one array-valued Tensor per input.

    ``numerical_grad(lambda x: (x ** 2).sum(), x)`` ≈ ``2 * x``; compare with ``x.grad`` from backward().
    Computed in float64 whatever the inputs' dtype.
    """
    from ..tensor import Tensor
    from .function import wrap
    xs = [wrap(x._array.astype(np.float64), requires_grad=True) for x in inputs]
    jac = numerical_jacobian(lambda *a: fn(*a), xs, eps)
    out = []
    for i, x in enumerate(xs):
        j = jac[0][i]
        if j.shape[0] != 1:
            raise RuntimeError("numerical_grad needs a function with a single-element (scalar) output")
        out.append(wrap(j.reshape(x._array.shape)))
    return out[0] if len(out) == 1 else tuple(out)
