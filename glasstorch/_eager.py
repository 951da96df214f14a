"""PyTorch's compiler-facing entry points, run eagerly: ``torch.compile``, ``torch.vmap``, ``torch.cond``,
``torch.while_loop``.

glasstorch has no compiler: every op already runs as the plain array code you can read. So
- ``compile(model)`` returns the model (or function) itself, unchanged: the program runs as it would without
  the call (PyTorch's own fallback when a backend is unavailable does the same);
- ``vmap(f)`` maps f over a batch dimension by calling it once per slice and stacking the results (a loop
  where PyTorch batches the ops; the values and gradients are the same);
- ``cond`` and ``while_loop`` are the ``if`` and ``while`` they stand for.
"""
import functools

from . import ops


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """Returns ``model`` unchanged (no compiler here); usable as ``@torch.compile`` and ``@torch.compile(...)``."""
    if model is None:
        return lambda m: m
    return model


def _move_batch_dim(x, dim):
    return x if dim is None else x.movedim(dim, 0)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``vmap(f)(xs)`` = stack([f(x) for x in xs]): f is called once per index of each input's ``in_dims``.

    in_dims: an int for every tensor argument, or a tuple with one int (or None: not mapped) per argument.
    out_dims: where the mapped dimension goes in each output (an int, or a tuple per output)."""
    from .tensor import Tensor

    @functools.wraps(func)
    def mapped(*args):
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        if len(dims) != len(args):
            raise ValueError(f"vmap(func, in_dims={in_dims}): in_dims is not compatible with the structure of "
                             f"inputs: expected {len(args)} entries, got {len(dims)}")
        sizes = {a.shape[d] for a, d in zip(args, dims) if isinstance(a, Tensor) and d is not None}
        if not sizes:
            raise ValueError("vmap: at least one input must be a Tensor mapped over a dimension (in_dims not None)")
        if len(sizes) > 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got "
                             f"sizes {sorted(sizes)} for the mapped dimension")
        moved = [_move_batch_dim(a, d) if isinstance(a, Tensor) else a for a, d in zip(args, dims)]
        results = []
        for i in range(sizes.pop()):
            call = [m[i] if isinstance(m, Tensor) and d is not None else m for m, d in zip(moved, dims)]
            results.append(func(*call))
        if isinstance(results[0], tuple):
            outs = tuple(ops.shape.stack([r[k] for r in results]) for k in range(len(results[0])))
            odims = out_dims if isinstance(out_dims, (tuple, list)) else (out_dims,) * len(outs)
            return tuple(o.movedim(0, d) for o, d in zip(outs, odims))
        return ops.shape.stack(results).movedim(0, out_dims)

    return mapped


def cond(pred, true_fn, false_fn, operands=()):
    """``true_fn(*operands) if pred else false_fn(*operands)``; pred is a bool or a one-element tensor."""
    return true_fn(*operands) if bool(pred) else false_fn(*operands)


def while_loop(cond_fn, body_fn, carried_inputs):
    """``while cond_fn(*vals): vals = body_fn(*vals)``; returns the final values as a tuple."""
    values = tuple(carried_inputs)
    while bool(cond_fn(*values)):
        values = tuple(body_fn(*values))
    return values


__all__ = ["compile", "vmap", "cond", "while_loop"]
