"""torch.autograd.functional: Jacobians and vector-Jacobian products of a function, in reverse mode.

* ``vjp(func, inputs, v)``: vᵀ·J, one backward pass.
* ``jacobian(func, inputs)``: J, one backward pass per output element (PyTorch's ``vectorize=False`` way;
  ``vectorize=True`` is accepted and computes the same). Shape: output.shape + input.shape.
* ``jvp(func, inputs, v)``: J·v. PyTorch computes it by the double-vjp trick, which needs double backward;
  glasstorch builds J in reverse mode (above) and contracts it with v: the same numbers, at the cost of one
  backward per output element.
* ``hessian``, ``hvp``, ``vhp`` need second derivatives (double backward, ``create_graph=True``), which
  glasstorch has not: they raise NotImplementedError. ``create_graph=True`` raises too.
"""
import numpy as np

from .function import wrap
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

_NO_DOUBLE = ("glasstorch has no double backward (create_graph=True), which torch.autograd.functional.{} needs "
              "for second derivatives")


def _tuple(x):
    return (tuple(x), True) if isinstance(x, (tuple, list)) else ((x,), False)


def _prepare(inputs):
    """Fresh leaves (sharing memory) to differentiate by, as PyTorch's functional API does."""
    return tuple(t.detach().requires_grad_(True) for t in inputs)


def _check(create_graph):
    if create_graph:
        raise NotImplementedError("glasstorch does not support create_graph=True (higher-order gradients)")


def _run(func, inputs):
    with enable_grad():
        outputs = func(*inputs)
    return _tuple(outputs)


def _grads(outputs, inputs, grad_outputs, strict, what):
    from . import grad as _grad
    used = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if not used:
        result = [None] * len(inputs)
    else:
        result = list(_grad([o for o, _ in used], inputs, [g for _, g in used], retain_graph=True,
                            allow_unused=True))
    for i, (g, x) in enumerate(zip(result, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This "
                                   f"is not allowed in strict mode.")
            result[i] = wrap(np.zeros_like(x._array))
    return result


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), vᵀ·J): the outputs (detached) and the vector-Jacobian product, shaped like inputs."""
    _check(create_graph)
    inputs, many_in = _tuple(inputs)
    inputs = _prepare(inputs)
    outputs, many_out = _run(func, inputs)
    if v is None:
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function returns a single "
                               "Tensor with a single element.")
        vs = (wrap(np.ones_like(outputs[0]._array)),)
    else:
        vs, _ = _tuple(v)
    grads = _grads(outputs, inputs, vs, strict, "vjp")
    outs = tuple(o.detach() for o in outputs)
    return (outs if many_out else outs[0]), (tuple(grads) if many_in else grads[0])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """d func(inputs) / d inputs: per (output, input) pair a tensor of shape output.shape + input.shape."""
    _check(create_graph)
    if strategy == "forward-mode":
        raise NotImplementedError("glasstorch has no forward-mode AD: use strategy='reverse-mode' (the default)")
    inputs, many_in = _tuple(inputs)
    inputs = _prepare(inputs)
    outputs, many_out = _run(func, inputs)
    rows = []
    for o in outputs:
        blocks = [np.zeros(tuple(o.shape) + tuple(x.shape), x._array.dtype) for x in inputs]
        flat = [b.reshape((o.numel(),) + tuple(x.shape)) for b, x in zip(blocks, inputs)]
        for k in range(o.numel()):  # one backward per output element (reverse mode)
            seed = np.zeros(o._array.size, o._array.dtype)
            seed[k] = 1
            grads = _grads((o,), inputs, (wrap(seed.reshape(o._array.shape)),), strict, "jacobian")
            for f, g in zip(flat, grads):
                f[k] = g._array
        rows.append(tuple(wrap(b) for b in blocks))
    if not many_out:
        return rows[0] if many_in else rows[0][0]
    return tuple(r if many_in else r[0] for r in rows)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J·v), with J built in reverse mode (see the module docstring)."""
    _check(create_graph)
    inputs_t, many_in = _tuple(inputs)
    if v is None:
        if len(inputs_t) != 1 or inputs_t[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                               "single Tensor with a single element.")
        vs = (wrap(np.ones_like(inputs_t[0]._array)),)
    else:
        vs, _ = _tuple(v)
    with enable_grad():
        outputs, many_out = _tuple(func(*_prepare(inputs_t)))
    jac = jacobian(func, tuple(inputs_t), strict=strict)  # per output: a tuple over inputs
    if not many_out:
        jac = (jac,)
    results = []
    for o, row in zip(outputs, jac):
        total = np.zeros(o._array.shape, o._array.dtype)
        for j, vi in zip(row, vs):
            n = vi._array.ndim
            total = total + np.tensordot(j._array, vi._array, axes=n) if n else total + j._array * vi._array
        results.append(wrap(total.astype(o._array.dtype, copy=False)))
    outs = tuple(o.detach() for o in outputs)
    return (outs if many_out else outs[0]), (tuple(results) if many_out else results[0])


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    raise NotImplementedError(_NO_DOUBLE.format("hessian"))


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    raise NotImplementedError(_NO_DOUBLE.format("hvp"))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    raise NotImplementedError(_NO_DOUBLE.format("vhp"))
