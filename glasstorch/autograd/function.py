"""Function: one differentiable operation, its forward and its backward side by side.

Every op in glasstorch is a subclass:

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):             # x is an array (NumPy), not a Tensor
            y = np.exp(x)
            ctx.y = y                    # keep what backward needs
            return y

        @staticmethod
        def backward(ctx, grad):         # grad = dL/dy, an array shaped like y
            return grad * ctx.y          # dL/dx = dL/dy · exp(x)

and is called as ``Exp.apply(tensor)``. ``apply`` unwraps the tensors, runs ``forward`` on arrays, wraps
the result in a Tensor and, when gradients are being recorded, makes the ctx object the result's
``grad_fn``: a node of the graph that remembers where each input's gradient must go (``next_functions``).

Differences from ``torch.autograd.Function``: ``forward`` receives arrays and returns one array (ops with
several results, such as ``max(dim)``, return the extra non-differentiable parts through the Python wrapper),
``backward`` receives and returns arrays, and double backward (``create_graph=True``) is not supported.
"""
import weakref

import numpy as np

from .grad_mode import GradMode

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
    "or if you need to access saved tensors after calling backward. (op: {name})"
)

# attributes that describe the graph itself; everything else a forward stores on ctx is freed after backward
_STRUCTURE = frozenset(("_next", "needs_input_grad", "_pre_hooks", "_retained", "_freed", "_output_meta",
                        "_anomaly", "_module"))


class Function:
    """Base class of every op. Subclasses define ``forward(ctx, *args)`` and ``backward(ctx, grad)``."""

    _freed = False
    _pre_hooks = None   # hooks registered on the op's output tensor (Tensor.register_hook on a non-leaf)
    _retained = None    # weak references to output tensors that called retain_grad()
    needs_input_grad = ()

    @classmethod
    def apply(cls, *args):
        ctx = cls.__new__(cls)
        needs = None
        if GradMode.enabled:
            for i, a in enumerate(args):
                if isinstance(a, Tensor) and a._requires_grad:
                    needs = tuple(isinstance(b, Tensor) and b._requires_grad for b in args)
                    break
        if needs is not None:
            ctx.needs_input_grad = needs
        arrays = [a._array if isinstance(a, Tensor) else a for a in args]
        try:
            if Hooks.forward is None:
                out = cls.forward(ctx, *arrays)
            else:  # an instrument is attached (glass.profile, glass.detect_anomaly): it runs the forward
                out = Hooks.forward(cls, ctx, arrays)
        except ValueError as e:
            if "broadcast" in str(e):  # say it in PyTorch's words, naming both sizes
                raise RuntimeError(_broadcast_message(arrays)) from None
            raise
        result = wrap(out)
        if needs is not None:
            ctx._next = tuple(_edge(a) if n else None for a, n in zip(args, needs))
            result.grad_fn = ctx
            result._requires_grad = True
            ctx._output_meta = (out.shape, out.dtype)  # for glass.graph: the op's output shape and dtype
            if Hooks.on_create is not None:
                Hooks.on_create(ctx, result, args)
        return result

    # -- saved values ---------------------------------------------------------------------------------
    def save_for_backward(self, *arrays):
        """PyTorch's way to keep inputs for backward; plain attributes on ctx work as well."""
        self._saved = arrays

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE.format(name=self.name()))
        return self._saved

    def _release(self):
        """Drop everything forward saved (called after backward unless retain_graph=True)."""
        d = self.__dict__
        extra = [k for k in d if k not in _STRUCTURE]
        if extra:
            for k in extra:
                del d[k]
            self._freed = True

    # -- graph structure ------------------------------------------------------------------------------
    @property
    def next_functions(self):
        """((node, 0), ...) per input, as in PyTorch; None where the input needs no gradient."""
        return tuple((n, 0) if n is not None else (None, 0) for n in getattr(self, "_next", ()))

    def name(self):
        return type(self).__name__ + "Backward0"

    def register_hook(self, hook):
        """Call ``hook(grad_inputs, grad_outputs)`` after this node's backward (kept simple: not used by ops)."""
        raise NotImplementedError("Node.register_hook is not supported; use Tensor.register_hook")

    def register_prehook(self, hook):
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(hook)

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError


class AccumulateGrad(Function):
    """The graph node at a leaf tensor: adds the incoming gradient into ``leaf.grad``."""

    def __init__(self, leaf):
        self.variable = leaf
        self._next = ()

    def name(self):
        return "AccumulateGrad"

    def _release(self):
        pass


_STRUCTURE = _STRUCTURE | {"variable"}


class Hooks:
    """Optional observers of graph construction (used by instruments such as anomaly detection).

    on_create(ctx, result, args): called for every recorded op, after its node is linked into the graph.
    forward(cls, ctx, arrays) -> out: when set, ``apply`` calls it instead of ``cls.forward(ctx, *arrays)``
        (glass.profile times it, glass.detect_anomaly checks the output); it must return forward's result.
    backward(node, grad) -> grads: when set, the engine calls it instead of ``type(node).backward(node, grad)``.
    Instruments chain: each one saves the previous value on entry, calls it, and restores it on exit.
    While none is attached, each costs one class-attribute check per op.
    """

    on_create = None
    forward = None
    backward = None


def _edge(t):
    """Where the gradient for input tensor ``t`` must be sent: its grad_fn, or its leaf accumulator."""
    if t.grad_fn is not None:
        return t.grad_fn
    # the leaf refers to its accumulator weakly (the graph keeps it alive), so no reference cycle forms
    acc = t._accumulator() if t._accumulator is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._accumulator = weakref.ref(acc)
    return acc


def _broadcast_message(arrays):
    shapes = [a.shape for a in arrays if hasattr(a, "shape")]
    for a, b in zip(shapes, shapes[1:]):
        n = max(len(a), len(b))
        for i in range(1, n + 1):
            sa = a[-i] if i <= len(a) else 1
            sb = b[-i] if i <= len(b) else 1
            if sa != sb and sa != 1 and sb != 1:
                return (f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at non-singleton "
                        f"dimension {n - i}")
    return f"shapes {' and '.join(str(tuple(s)) for s in shapes)} cannot be broadcast together"


def wrap(array, requires_grad=False):
    """Make a Tensor around an array without copying (the fast internal constructor)."""
    if isinstance(array, np.generic):  # NumPy reductions return scalars; tensors always hold arrays
        array = np.asarray(array)
    t = Tensor.__new__(Tensor)
    t._array = array
    if requires_grad:
        t._requires_grad = True
    return t


def unbroadcast(grad, shape):
    """Sum ``grad`` down to ``shape``: the backward of broadcasting.

    If x of shape (3, 1) was broadcast to (2, 3, 4), each x element was used 2·4 times, so its gradient
    is the sum of the 8 upstream gradients it fed.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(i + extra for i, n in enumerate(shape) if n == 1 and grad.shape[i + extra] != 1)
    g = grad.sum(axis=axes, keepdims=True) if axes else grad
    return g.reshape(shape)


from ..tensor import Tensor  # noqa: E402  (Tensor and Function refer to each other)
