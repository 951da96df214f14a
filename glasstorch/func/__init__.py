"""torch.func: function transforms (grad, vjp, jacrev, jvp, vmap) and functional_call.

They are built on glasstorch's reverse-mode autograd: ``grad(f)(x)`` is ``autograd.grad(f(x), x)`` on a fresh
leaf, ``jacrev`` is ``autograd.functional.jacobian``. Differences from PyTorch: transforms do not compose
(``grad(grad(f))``, ``jacfwd(jacrev(f))``, ``hessian`` need double backward, which glasstorch has not: they
raise NotImplementedError); ``jacfwd``/``jvp`` compute in reverse mode (same numbers); ``vmap`` calls the
function once per index (glasstorch.vmap).
"""
import contextlib

from .. import autograd as _autograd
from .._eager import vmap  # noqa: F401
from ..autograd import functional as _functional

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap"]


@contextlib.contextmanager
def _swapped(module, tensors):
    """Put ``tensors`` ({"layer.weight": t}) in the module's parameter/buffer slots for a block."""
    old = []
    try:
        for name, value in tensors.items():
            *path, attr = name.split(".")
            owner = module
            for p in path:
                owner = getattr(owner, p)
            for slots in (owner._parameters, owner._buffers):
                if attr in slots:
                    old.append((slots, attr, slots[attr]))
                    slots[attr] = value
                    break
            else:
                raise AttributeError(f"'{type(owner).__name__}' object has no parameter or buffer '{attr}'")
        yield
    finally:
        for slots, attr, value in reversed(old):
            slots[attr] = value


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Call ``module(*args, **kwargs)`` with its parameters and buffers replaced by the given tensors."""
    if isinstance(parameter_and_buffer_dicts, (list, tuple)):
        merged = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                if k in merged:
                    raise ValueError(f"{k} appeared in multiple dictionaries; behavior of functional call is "
                                     "ambiguous")
            merged.update(d)
    else:
        merged = dict(parameter_and_buffer_dicts)
    if strict:
        expected = {n for n, _ in module.named_parameters()} | {n for n, _ in module.named_buffers()}
        missing, unexpected = sorted(expected - set(merged)), sorted(set(merged) - expected)
        if missing or unexpected:
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}: missing keys {missing}, "
                               f"unexpected keys {unexpected}")
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, merged):
        return module(*args, **(kwargs or {}))


def _argnums(argnums, n=None):
    return (argnums,) if isinstance(argnums, int) else tuple(argnums)


def _leaves(args, nums):
    """The differentiated arguments as fresh leaves (sharing memory), the others as given."""
    args = list(args)
    for i in nums:
        args[i] = args[i].detach().requires_grad_(True)
    return args


def grad_and_value(func, argnums=0, has_aux=False):
    """``f -> (df/dx, f(x))`` for a function returning a one-element tensor (and aux, with has_aux)."""
    def wrapper(*args, **kwargs):
        nums = _argnums(argnums, len(args))
        args = _leaves(args, nums)
        with _autograd.enable_grad():
            out = func(*args, **kwargs)
        aux = None
        if has_aux:
            out, aux = out
        if out.numel() != 1:
            raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                               f"tensor with {out.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                               "instead?")
        grads = _autograd.grad(out, [args[i] for i in nums], allow_unused=True, materialize_grads=True)
        g = grads[0] if isinstance(argnums, int) else tuple(grads)
        value = out.detach()
        return (g, (value, aux)) if has_aux else (g, value)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """``f -> df/dx`` (of a function returning a one-element tensor)."""
    inner = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = inner(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn): ``vjp_fn(v)`` gives the tuple vᵀ·J, one entry per primal."""
    leaves = [p.detach().requires_grad_(True) for p in primals]
    with _autograd.enable_grad():
        out = func(*leaves)
    aux = None
    if has_aux:
        out, aux = out
    outs, many = (tuple(out), True) if isinstance(out, (tuple, list)) else ((out,), False)

    def vjp_fn(*cotangents):
        if len(cotangents) == 1 and many and isinstance(cotangents[0], (tuple, list)):
            cotangents = tuple(cotangents[0])
        return tuple(_autograd.grad(outs, leaves, cotangents, retain_graph=True, allow_unused=True,
                                    materialize_grads=True))

    value = tuple(o.detach() for o in outs) if many else outs[0].detach()
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J·tangents), J built in reverse mode."""
    if has_aux:
        raise NotImplementedError("glasstorch's torch.func.jvp does not support has_aux")
    out, tangent_out = _functional.jvp(lambda *a: func(*a), tuple(primals), tuple(tangents))
    return out, tangent_out


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None):
    """``f -> (x -> J)``, J of shape output.shape + input.shape (per argnum when a tuple)."""
    if has_aux:
        raise NotImplementedError("glasstorch's torch.func.jacrev does not support has_aux")

    def wrapper(*args):
        nums = _argnums(argnums, len(args))

        def of_selected(*selected):
            full = list(args)
            for i, s in zip(nums, selected):
                full[i] = s
            return func(*full)
        selected = tuple(args[i] for i in nums)
        return _functional.jacobian(of_selected, selected[0] if isinstance(argnums, int) else selected)
    return wrapper


jacfwd = jacrev  # the same Jacobian, computed in reverse mode (glasstorch has no forward mode)


def hessian(func, argnums=0):
    raise NotImplementedError("glasstorch has no double backward, which torch.func.hessian needs")


from .._missing import missing_api  # noqa: E402

__getattr__ = missing_api(__name__)
