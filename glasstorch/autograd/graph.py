"""torch.autograd.graph: the graph's node type and the hooks on saved tensors.

* ``Node``: the abstract type of graph nodes: ``isinstance(y.grad_fn, Node)`` is True.
* ``save_on_cpu``: keep saved tensors on the CPU: glasstorch's always are, so the block is plain.
* ``saved_tensors_hooks(pack, unpack)``: not supported (NotImplementedError on entering): a glasstorch op
  keeps the arrays its backward reads as its own attributes, not through a pack/unpack step.
* ``disable_saved_tensors_hooks(msg)``: a block in which ``saved_tensors_hooks`` raises ``RuntimeError(msg)``.
* ``register_multi_grad_hook(tensors, fn, mode)``: ``mode="any"``: ``fn(grad)`` with the first gradient of
  one of the tensors computed in a backward pass; ``mode="all"``: ``fn(grads)`` once the backward pass has
  ended, with the gradient of each tensor (None for those it did not reach). PyTorch calls it as soon as the
  last of them is computed, glasstorch at the end of the pass (the engine knows no earlier).
* ``increment_version(t)``: bump a tensor's version counter, as an in-place write would.
"""
import abc
import contextlib

from . import engine as _engine
from .function import Function, version_counter

__all__ = ["Node", "GradientEdge", "get_gradient_edge", "save_on_cpu", "saved_tensors_hooks",
           "disable_saved_tensors_hooks", "register_multi_grad_hook", "increment_version"]


class Node(abc.ABC):
    """The type of ``grad_fn`` objects (glasstorch's op nodes are ``Function`` instances)."""

    @abc.abstractmethod
    def name(self):
        ...


Node.register(Function)


class GradientEdge(tuple):
    """(node, output_nr): where a tensor's gradient enters the graph."""

    def __new__(cls, node, output_nr):
        return super().__new__(cls, (node, output_nr))

    node = property(lambda self: self[0])
    output_nr = property(lambda self: self[1])


def get_gradient_edge(tensor):
    from .function import _edge
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require "
                           "gradients")
    return GradientEdge(_edge(tensor), 0)


def increment_version(tensor):
    for t in tensor if isinstance(tensor, (list, tuple)) else (tensor,):
        version_counter(t).value += 1


_disabled = []  # messages of the open disable_saved_tensors_hooks blocks


class saved_tensors_hooks:
    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        if _disabled:
            raise RuntimeError(_disabled[-1])
        raise NotImplementedError("glasstorch does not support saved_tensors_hooks: its ops keep the arrays their "
                                  "backward reads as attributes, without a pack/unpack step")

    def __exit__(self, *exc):
        return False


@contextlib.contextmanager
def save_on_cpu(pin_memory=False, device_type="cuda"):
    """Saved tensors already live on the CPU in glasstorch: nothing to move."""
    yield


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message):
    _disabled.append(error_message)
    try:
        yield
    finally:
        _disabled.pop()


class _MultiHandle:
    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for h in self.handles:
            h.remove()
        self.handles = []


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Call ``fn`` with the gradients of several tensors (see the module docstring)."""
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = tuple(tensors)
    grads = [None] * len(tensors)
    state = {"fired": False, "seen": 0}

    def make(i):
        def hook(g):
            if mode == "any":
                if not state["fired"]:
                    state["fired"] = True
                    _engine.at_end(lambda: state.update(fired=False))
                    fn(g)
                return None
            if state["seen"] == 0:
                _engine.at_end(finish)
            grads[i] = g
            state["seen"] += 1
            return None
        return hook

    def finish():
        result = list(grads)
        for i in range(len(grads)):
            grads[i] = None
        state["seen"] = 0
        fn(result)

    handles = [t.register_hook(make(i)) for i, t in enumerate(tensors) if t is not None]
    return _MultiHandle(handles)
