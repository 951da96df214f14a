"""torch.utils.checkpoint: trade compute for memory by recomputing a block's activations in backward.

``checkpoint(fn, *args)`` runs ``fn`` once without recording a graph (so none of its intermediate results is
kept), and puts a single node in the graph for each tensor it returns. When backward reaches that node, it
runs ``fn`` again on the same inputs, this time recording, and backpropagates the incoming gradient through
that fresh graph: the gradients are those of a plain forward/backward, the activations live only during the
block's own backward. ``preserve_rng_state`` (default True) replays the random numbers of the first run (so a
dropout inside ``fn`` draws the same mask twice).

Differences from PyTorch: both ``use_reentrant`` variants are this one (PyTorch's reentrant one). As in
PyTorch's reentrant variant, the recomputed backward adds the gradients of ``fn``'s parameters into their
``.grad``, so ``torch.autograd.grad`` (or ``backward(inputs=...)``) through a checkpoint is not supported.
When no input requires grad, ``use_reentrant=True`` gives outputs without grad (with PyTorch's warning) and
``use_reentrant=False`` runs ``fn`` plainly (recorded, not checkpointed), so its parameters still get grads.
A block that returns several tensors is recomputed once per output that receives a gradient.
"""
import warnings

from .. import random as _random
from ..autograd import backward as _backward
from ..autograd.function import Function
from ..autograd.grad_mode import GradMode, enable_grad, no_grad
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential"]

_PASS_EXPLICITLY = ("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting "
                    "in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
                    "use_reentrant=False is recommended, but if you need to preserve the current default "
                    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
                    "differences between the two variants.")


class _Block:
    """What a checkpoint node needs to recompute its block: the function, its inputs and the RNG state."""

    def __init__(self, function, args, kwargs, rng_state):
        self.function, self.args, self.kwargs, self.rng_state = function, args, kwargs, rng_state


class Checkpoint(Function):
    """y = output ``index`` of block(*inputs), with the block's graph rebuilt only when backward needs it."""

    saves = ()  # the inputs are kept as tensors on the block (not as arrays: nothing here aliases them)

    @staticmethod
    def forward(ctx, block, index, output, *inputs):
        ctx.block, ctx.index = block, index
        return output  # the first run's result (made under no_grad)

    @staticmethod
    def backward(ctx, grad):
        block = ctx.block
        # rerun the block on detached copies of its inputs, recording, with the first run's random numbers
        inputs = [a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a for a in block.args]
        saved_rng = _random.get_rng_state() if block.rng_state is not None else None
        if saved_rng is not None:
            _random.set_rng_state(block.rng_state)
        try:
            with enable_grad():
                outputs = block.function(*inputs, **block.kwargs)
        finally:
            if saved_rng is not None:
                _random.set_rng_state(saved_rng)
        out = outputs[ctx.index] if isinstance(outputs, tuple) else outputs
        # dL/d(inputs and parameters) = the incoming gradient backpropagated through the recomputed block
        if out.requires_grad:
            from ..autograd.function import wrap
            _backward(out, wrap(grad))
        grads = [None, None, None]
        for a in inputs:
            grads.append(a.grad._array if isinstance(a, Tensor) and a.grad is not None else None)
        return tuple(grads)


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default", debug=False,
               early_stop=True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its activations; recompute them in backward."""
    if use_reentrant is None:
        warnings.warn(_PASS_EXPLICITLY, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant and (context_fn is not None or debug is not False):
        raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
    tensors = [a for a in args if isinstance(a, Tensor)]
    needs = GradMode.enabled and any(t.requires_grad for t in tensors)
    if not needs:
        if not GradMode.enabled:
            return function(*args, **kwargs)
        if use_reentrant:
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)
            with no_grad():
                return function(*args, **kwargs)
        return function(*args, **kwargs)  # nothing to differentiate by input: parameters still get grads
    rng_state = _random.get_rng_state() if preserve else None
    with no_grad():
        outputs = function(*args, **kwargs)
    block = _Block(function, args, kwargs, rng_state)
    if isinstance(outputs, Tensor):
        return Checkpoint.apply(block, 0, outputs._array, *args)
    if isinstance(outputs, tuple):
        return tuple(Checkpoint.apply(block, i, o._array, *args) if isinstance(o, Tensor) else o
                     for i, o in enumerate(outputs))
    raise TypeError("glasstorch's checkpoint supports a function returning a Tensor or a tuple, got "
                    f"{type(outputs).__name__}")


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Split ``functions`` (a list or nn.Sequential) into ``segments`` chunks; checkpoint all but the last."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
                      "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is not "
                      "passed. use_reentrant=False is recommended, but if you need to preserve the current "
                      "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
                      "the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start, end, functions):
        def forward(input):
            for j in range(start, end + 1):
                input = functions[j](input)
            return input
        return forward

    from ..nn import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, functions), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
