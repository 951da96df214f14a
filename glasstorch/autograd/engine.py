"""The backward engine: walk the graph from the output to the leaves, once, without recursion.

1. Count, for every node reachable from the roots, how many edges point into it (its dependencies).
2. Start from the roots with their given gradients. Pop a node whose dependencies are all done, call its
   ``backward`` with the sum of the gradients that reached it, and hand each result to the node of the
   matching input. A node is ready once every edge into it has delivered (Kahn's topological order).
3. At a leaf (AccumulateGrad) add the gradient into ``leaf.grad``. The first time, ``leaf.grad`` gets an array
   of its own: a copy, or the gradient array itself when nothing but the engine refers to it (a fresh result of
   some backward that no other node, hook or saved value holds; see ``_sole_reference``). PyTorch's
   AccumulateGrad does the same ("steals" a gradient whose use count is 1); it saves one copy per parameter.
   By the same test, the gradients reaching one node are summed into the first of them in place (a tensor read
   by several ops: a residual connection, the three heads of a split) instead of into a new array each time
   (tiny ViT step 0.97x, same process switched back and forth).

The walk uses an explicit stack and dictionaries, so a graph of any depth works (a 10,000-op chain too).
Unless ``retain_graph=True``, each node drops its saved arrays right after its backward: the memory of
the forward pass is returned as the backward pass goes. Before a node's backward runs, the versions of the
tensors it saved are checked: one written in place since the forward is PyTorch's "modified by an inplace
operation" error, never a silently wrong gradient.
"""
import sys
import weakref

import numpy as np

from .function import HOOKED, AccumulateGrad, Hooks, _FREED_MESSAGE, check_saved_versions, wrap


def _references(a):
    return sys.getrefcount(a)


def _baseline_references():
    """The count ``sys.getrefcount`` gives, inside a function, for an array its caller's one local variable
    holds and nothing else (``_sole_reference`` is called so). Measured once, as this interpreter counts."""
    a = np.empty(1)
    return _references(a)


_ONE_HOLDER = _baseline_references()


def _sole_reference(a):
    """True when ``a`` is a NumPy array that owns its memory and that only the caller's one local variable refers
    to: no view of it, no tensor, no saved value, no other pending gradient. Then ``leaf.grad`` may take it
    as it is; anything else is copied."""
    return type(a) is np.ndarray and a.base is None and a.flags.writeable and sys.getrefcount(a) <= _ONE_HOLDER


def _count_dependencies(roots):
    deps = {}
    seen = set(roots)
    stack = list(seen)  # a root given twice (backward([y, y])) is walked once: its edges count once
    while stack:
        node = stack.pop()
        for nxt in node._next:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _run_tensor_hooks(hooks, grad):
    for hook in hooks:
        result = hook(wrap(grad))
        if result is not None:
            grad = result._array
    return grad


def _run_node_pre_hooks(hooks, grad):
    """Node.register_prehook: ``fn(grad_outputs)`` with a 1-tuple; a tuple returned replaces it."""
    for hook in list(hooks):
        result = hook((wrap(grad),))
        if result is not None:
            grad = result[0]._array
    return grad


def _run_post_hooks(node, grads, grad):
    """Node.register_hook: ``fn(grad_inputs, grad_outputs)``, grad_inputs one per next_functions entry."""
    n = len(node._next)
    grads = list(grads) + [None] * (n - len(grads))
    positions = node._inputs()
    if positions is None:
        positions = range(n)
    positions = [i for i in positions if i < n]
    grad_inputs = tuple(None if grads[i] is None else wrap(grads[i]) for i in positions)
    for hook in list(node._post_hooks):
        result = hook(grad_inputs, (wrap(grad),))
        if result is not None:
            grad_inputs = tuple(result)
    for j, i in enumerate(positions):
        g = grad_inputs[j]
        grads[i] = None if g is None else g._array
    return tuple(grads)


_END = []  # callbacks to run once the current (outermost) backward pass has ended
_DEPTH = [0]


def at_end(fn):
    """Run ``fn()`` when the backward pass now running ends (graph.register_multi_grad_hook uses it)."""
    _END.append(fn)


def run_backward(roots, root_grads, retain_graph=False, capture=None, accumulate=True):
    _DEPTH[0] += 1
    try:
        _run_backward(roots, root_grads, retain_graph, capture, accumulate)
    finally:
        _DEPTH[0] -= 1
        if not _DEPTH[0] and _END:
            callbacks = list(_END)
            del _END[:]
            for fn in callbacks:
                fn()


def _run_backward(roots, root_grads, retain_graph=False, capture=None, accumulate=True):
    """Backpropagate ``root_grads`` (arrays) from ``roots`` (graph nodes).

    capture: optional dict node -> None; the total gradient reaching each of these nodes is stored into it
    (used by ``autograd.grad``). accumulate: whether leaves receive their gradient in ``.grad``.
    """
    deps = _count_dependencies(roots)
    pending = {}
    for node, g in zip(roots, root_grads):
        pending[node] = pending[node] + g if node in pending else g
    ready = [n for n in pending if deps.get(n, 0) == 0]
    while ready:
        node = ready.pop()
        grad = pending.pop(node, None)
        if grad is not None:
            owned = node.__class__ is AccumulateGrad and _sole_reference(grad)   # may leaf.grad keep it as is?
            grad = _deliver(node, grad, retain_graph, capture, accumulate, owned)
        if grad is None:
            grads = ()
        else:
            if node._freed:
                raise RuntimeError(_FREED_MESSAGE.format(name=node.name()))
            records = node._saved_versions
            if records is not None:  # a saved tensor changed in place since its forward?
                for record in records:
                    if record[0].value != record[1]:
                        check_saved_versions(node)  # raises PyTorch's error
            if node._node_pre_hooks:
                grad = _run_node_pre_hooks(node._node_pre_hooks, grad)
            if not HOOKED[0] or Hooks.backward is None:
                grads = type(node).backward(node, grad)
            else:  # an instrument is attached (glass.profile, detect_anomaly): it runs the backward
                grads = Hooks.backward(node, grad)
            if not isinstance(grads, tuple):
                grads = (grads,)
            if node._post_hooks:
                grads = _run_post_hooks(node, grads, grad)
            if not retain_graph:
                node._release()
        nexts = node._next
        for i, nxt in enumerate(nexts):
            if nxt is None:
                continue
            g = grads[i] if i < len(grads) else None
            if g is not None:
                if nxt in pending:
                    total = pending.pop(nxt)
                    if total.dtype == g.dtype and total.shape == g.shape and _sole_reference(total):
                        total += g               # the engine alone holds the sum so far: add into it
                    else:
                        total = total + g
                    g = total
                pending[nxt] = g
            left = deps[nxt] - 1
            deps[nxt] = left
            if left == 0:
                ready.append(nxt)
        grads = g = total = None   # the gradients are in ``pending`` now, and only there (see _sole_reference)


def _deliver(node, grad, retain_graph, capture, accumulate, owned=False):
    """Run the hooks of the tensor this node produced, then capture or accumulate; return the grad to pass on.
    owned: the engine holds the only reference to a leaf's gradient array (it may become leaf.grad as it is)."""
    if node.__class__ is AccumulateGrad:
        leaf = node.variable
        if leaf._hooks:
            grad = _run_tensor_hooks(leaf._hooks, grad)
            owned = False   # a hook may have kept it (or returned an array someone else holds)
        if capture is not None and node in capture:
            capture[node] = grad
        elif accumulate:
            _accumulate(leaf, grad, owned)
        return None
    if node._pre_hooks:
        grad = _run_tensor_hooks(node._pre_hooks, grad)
    if node._retained and accumulate:
        for ref in node._retained:
            t = ref()
            if t is not None:
                _accumulate(t, grad)
    if capture is not None and node in capture:
        capture[node] = grad
    return grad


def _accumulate(t, grad, owned=False):
    """leaf.grad += grad. The first time, leaf.grad gets an array of its own, so that no two tensors ever share
    a gradient array: a copy, or grad itself when ``owned`` (only the engine refers to it) or freshly cast."""
    if grad.dtype != t._array.dtype:
        grad, owned = grad.astype(t._array.dtype), True
    g = t._grad
    if g is None:
        if grad.shape != t._array.shape:
            grad = grad.reshape(t._array.shape)   # a view of an owned array is still only ours
        t._grad = wrap(grad if owned else grad.copy())
    else:
        g._array += grad
        if g._vc is not None:
            g._vc.value += 1  # accumulating is an in-place write into .grad
    hooks = t._post_accumulate_grad_hooks  # Tensor.register_post_accumulate_grad_hook: run once .grad is updated
    if hooks:
        for hook in hooks:
            hook(t)


def retain(node, tensor):
    if node._retained is None:
        node._retained = []
    node._retained.append(weakref.ref(tensor))
