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
import threading
import weakref

import numpy as np

from . import _names
from .grad_mode import GRAD_OFF, GradMode

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
    "or if you need to access saved tensors after calling backward. (op: {name})"
)

# attributes that describe the graph itself; everything else a forward stores on ctx is freed after backward
_STRUCTURE = frozenset(("_next", "needs_input_grad", "_pre_hooks", "_retained", "_freed", "_output_meta",
                        "_anomaly", "_module", "_node_pre_hooks", "_post_hooks", "_metadata", "_graph_info"))

_DYNAMIC = {}  # op class -> whether its PyTorch name/inputs depend on the call (autograd/_names.py)

_MODIFIED_MESSAGE = (
    "one of the variables needed for gradient computation has been modified by an inplace operation: "
    "[{type} [{shape}]]{which} is at version {found}; expected version {expected} instead. {hint}"
)
_HINT = ("Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
         "torch.autograd.set_detect_anomaly(True, check_nan=False).")
_ANOMALY_HINT = ("Hint: the operation that failed to compute its gradient is {node}, created at {line}. The "
                 "variable in question was changed there or anywhere later. Good luck!")


class VersionCounter:
    """How many times the memory of a tensor has been written in place.

    One counter per storage: a tensor, its views and its ``detach()`` aliases hold the same object, so an
    in-place write through any of them is seen by all. An op that keeps a tensor's memory for its backward
    records the counter's value; the backward refuses to run if the value has changed since (the memory no
    longer holds what the forward saw, so the gradient would be silently wrong).
    """

    value = 0  # a class default: making a counter is one allocation, with no __init__ to call (most stay at 0)


def version_counter(t):
    """t's version counter, made on first use (most tensors never need one)."""
    vc = t._vc
    if vc is None:
        vc = t._vc = VersionCounter()
    return vc


def _root(a):
    """The object that owns an array's memory: two arrays share memory only if their roots are one object."""
    b = a.base
    while b is not None:
        a = b
        b = getattr(a, "base", None)
    return a


def _view_of_inputs(result, args, cls):
    """A view op's result is a view of the input whose memory it reads (the first one, for most)."""
    r = _root(result._array)
    for a in args:
        if isinstance(a, Tensor) and _root(a._array) is r:
            make_view(result, a, cls)
            return


def _check_not_alias(cls, result, args):
    """(tests only) An op not marked ``is_view`` must not hand back an input's memory: its result would then
    change when the input is written in place, unseen by the version counters."""
    r = _root(result._array)
    for a in args:
        if isinstance(a, Tensor) and _root(a._array) is r:
            raise AssertionError(f"{cls.__name__} returns its input's memory: mark it is_view = True")


def _saved_arrays(ctx):
    """The arrays a forward stored on its ctx (attributes, and inside tuples or lists one level down)."""
    saved = []
    for v in ctx.__dict__.values():
        c = v.__class__
        if c is np.ndarray:
            saved.append(v)
        elif c is tuple or c is list:
            for e in v:
                if e.__class__ is np.ndarray:
                    saved.append(e)
    return saved


INPLACE_RECORDING = [0]  # how many threads are recording an in-place op now (they read Hooks.saved_log)
AUDIT_SAVES = False  # tests switch it on: every recorded op's ``saves`` is checked against a full look


def _aliased(saved, args, result):
    """Which tensors among the inputs (by position) and the output (-1) share memory with a saved array."""
    found = []
    roots = [_root(v) for v in saved]
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            r = _root(a._array)
            for s in roots:
                if s is r:
                    found.append(i)
                    break
    r = _root(result._array)
    for s in roots:
        if s is r:
            found.append(-1)
            break
    return tuple(found)


def _find_saved(ctx, args, result, saves=None):
    """The positions (inputs; -1 the output) whose memory the forward kept on ctx, found by comparing memory.

    What counts is what the backward will read: an array on ctx that shares memory with the tensor. An op that
    keeps only derived values (shapes, a mask, a fresh product) keeps nothing and is never refused. Used for
    ops that declare no ``saves``, and under ``AUDIT_SAVES`` to check a declaration (which is then kept).
    """
    saved = _saved_arrays(ctx)
    found = _aliased(saved, args, result) if saved else ()
    if saves is None:
        return found
    if not set(found) <= set(i for i in saves if i == -1 or isinstance(args[i], Tensor)):
        raise AssertionError(f"{type(ctx).__name__}.saves = {saves}, but its forward kept the memory of "
                             f"{found} (input positions; -1: the output)")
    return saves


def check_saved_versions(node):
    """Raise PyTorch's error if a tensor this node saved was changed in place after its forward."""
    for vc, version, array, producer in node._saved_versions:
        if vc.value != version:
            if producer is True:
                which = f", which is output 0 of {_forward_name(node)},"
            elif producer is not None:
                which = f", which is output 0 of {_forward_name(producer)},"
            else:
                which = ""
            frame = node.__dict__.get("_anomaly")
            if frame is not None:
                from ..glass.anomaly import _frame_text
                hint = _ANOMALY_HINT.format(node=node.name(), line=_frame_text(frame))
            else:
                hint = _HINT
            from .._dtype import from_numpy
            from ..ops.shape import _TENSOR_TYPES
            type_name = "torch." + _TENSOR_TYPES.get(from_numpy(array.dtype).name, "Tensor")
            raise RuntimeError(_MODIFIED_MESSAGE.format(type=type_name, shape=", ".join(map(str, array.shape)),
                                                        which=which, found=vc.value, expected=version, hint=hint))


def _forward_name(node):
    """PyTorch names the op that made a tensor without the 'Backward0': 'Exp', 'Mul'."""
    name = node.name()
    return name[:-len("Backward0")] if name.endswith("Backward0") else name


# -- views ----------------------------------------------------------------------------------------------
def make_view(result, x, cls=None):
    """Make ``result`` a view of tensor ``x`` if its array really is a view of x's memory (reshape may copy).

    A view shares x's version counter and remembers the tensor that owns the memory (``_base``, always a
    non-view, as in PyTorch), so that an in-place op on the view can rewrite the base's history (CopySlices).
    """
    if _root(result._array) is not _root(x._array):
        return result
    vc = version_counter(x)
    result._vc = vc
    result._base = x._base if x._base is not None else x
    result._view_version = vc.value
    if cls is not None and cls.multi_output_view:
        result._view_of = cls
    if x._requires_grad and not GradMode.enabled:
        result._view_no_grad = True
    return result


def refresh_view(t):
    """A view's graph node is out of date once its base was written in place (through the base or another
    view): then, as PyTorch does, its node becomes an AsStrided of the base's current history."""
    vc = t._vc
    if t._view_version == vc.value:
        return
    t._view_version = vc.value
    base = t._base
    if base._requires_grad:
        from ..ops.views import as_strided_node
        t._grad_fn = as_strided_node(base, t)
        t._requires_grad = True




class Function:
    """Base class of every op. Subclasses define ``forward(ctx, *args)`` and ``backward(ctx, grad)``.

    A subclass whose forward returns a view of its first input (reshape, transpose, slicing ...) says so with
    ``is_view = True``: its result then shares the input's memory and version counter (see ``make_view``).

    ``saves`` says which tensors' memory forward keeps for the backward: input positions, -1 for the output
    (``(0, 1)`` for a product x·y, ``(-1,)`` for tanh, which keeps its result, ``()`` for a sum, which keeps
    only shapes); ``apply`` notes their versions. Left as None, the arrays on ctx are compared with
    the inputs' and output's memory at every call (slower, always right). The test suite runs with
    ``AUDIT_SAVES`` on, which makes that comparison for every op it records and fails on a wrong ``saves``.

    ``saved_for`` (optional) names, per saved input, the one input whose gradient reads it: ``{0: 1, 1: 0}``
    for x·y, where x is needed only for dL/dy. A saved input whose reader needs no gradient is not
    version-checked, as in PyTorch: ``h * 2.0`` or ``h * mask`` keeps nothing of h that backward reads, so
    writing h in place afterwards is no error.
    """

    is_view = False
    saves = None  # the positions of the inputs (-1: the output) whose memory forward keeps; None: look
    saved_for = None  # {saved input position: the input position whose gradient alone reads it}
    multi_output_view = False  # split/chunk/unbind: their views may not be changed in place under autograd
    _saved_versions = None  # ((counter, version, array, producer), ...): checked before backward runs
    _freed = False
    _pre_hooks = None   # hooks registered on the op's output tensor (Tensor.register_hook on a non-leaf)
    _retained = None    # weak references to output tensors that called retain_grad()
    _node_pre_hooks = None  # Node.register_prehook: fn(grad_outputs) before the backward
    _post_hooks = None      # Node.register_hook: fn(grad_inputs, grad_outputs) after it
    needs_input_grad = ()

    @classmethod
    def apply(cls, *args):
        ctx = cls.__new__(cls)
        # plain loops rather than comprehensions: this runs for every op, and each comprehension costs a call
        needs = None
        arrays = []
        if not GRAD_OFF[0] or GradMode.enabled:
            flags = []
            for a in args:
                if isinstance(a, Tensor):
                    if a._base is not None:
                        refresh_view(a)  # a view whose base changed in place since: its graph node is redone
                    if a._requires_grad:
                        needs = True
                    flags.append(a._requires_grad)
                    arrays.append(a._array)
                else:
                    flags.append(False)
                    arrays.append(a)
            if needs:
                needs = ctx.needs_input_grad = tuple(flags)
        else:
            for a in args:
                arrays.append(a._array if isinstance(a, Tensor) else a)
        try:
            if not HOOKED[0] or Hooks.forward is None:
                out = cls.forward(ctx, *arrays)
            else:  # an instrument is attached (glass.profile, glass.detect_anomaly): it runs the forward
                out = Hooks.forward(cls, ctx, arrays)
        except ValueError as e:
            if "broadcast" in str(e):  # say it in PyTorch's words, naming both sizes
                raise RuntimeError(_broadcast_message(arrays)) from None
            raise
        result = wrap(out)
        if cls.is_view:
            _view_of_inputs(result, args, cls)
        elif AUDIT_SAVES and out.__class__ is np.ndarray and out.base is not None:
            _check_not_alias(cls, result, args)
        if needs is not None:
            saves = cls.saves
            if saves is None or AUDIT_SAVES:
                saves = _find_saved(ctx, args, result, saves)
            if saves:  # note the version of each tensor the op keeps (inline: this runs for most ops)
                records = None
                saved_for = cls.saved_for
                for i in saves:
                    if saved_for is not None and i in saved_for and not needs[saved_for[i]]:
                        continue  # read only by the gradient of an input that needs none
                    t = result if i == -1 else args[i]
                    if t.__class__ is Tensor or isinstance(t, Tensor):
                        vc = t._vc
                        if vc is None:
                            vc = t._vc = VersionCounter()
                        record = (vc, vc.value, t._array, True if i == -1 else t._grad_fn)
                        if records is None:
                            records = [record]
                        else:
                            records.append(record)
                if records is not None:
                    ctx._saved_versions = records
                    if INPLACE_RECORDING[0] and Hooks.saved_log is not None:  # see ops/inplace.py
                        Hooks.saved_log.append(ctx)
            edges = []
            for a in args:
                if a.__class__ is Tensor or isinstance(a, Tensor):
                    if a._grad_fn is not None:
                        edges.append(a._grad_fn)
                    elif a._requires_grad:
                        edges.append(_edge(a))
                    else:
                        edges.append(None)
                else:
                    edges.append(None)
            ctx._next = tuple(edges)
            result._grad_fn = ctx
            result._requires_grad = True
            ctx._output_meta = (out.shape, out.dtype)  # for glass.graph: the op's output shape and dtype
            if HOOKED[0] and Hooks.on_create is not None:
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
            cls = type(self)
            dynamic = _DYNAMIC.get(cls)
            if dynamic is None:  # looked up once per op class (this runs for every node of every backward)
                dynamic = _DYNAMIC[cls] = _names.is_dynamic(cls)
            if dynamic and "_graph_info" not in d:
                d["_graph_info"] = (_names.node_name(self), _names.node_inputs(self))  # they read what is freed now
            for k in extra:
                del d[k]
            self._freed = True

    # -- graph structure ------------------------------------------------------------------------------
    def _inputs(self):
        """The positions of ``_next`` PyTorch's node lists (its tensor inputs); None: all (see _names.py)."""
        info = self.__dict__.get("_graph_info")
        return info[1] if info is not None else _names.node_inputs(self)

    @property
    def next_functions(self):
        """((node, 0), ...) per tensor input, as in PyTorch; (None, 0) where the input needs no gradient."""
        nexts = getattr(self, "_next", ())
        positions = self._inputs()
        if positions is not None:
            nexts = [nexts[i] for i in positions if i < len(nexts)]
        return tuple((n, 0) for n in nexts)

    def name(self):
        """PyTorch's name for this node: the op class's name + 'Backward0' (MulBackward0), or the exception
        from the table in autograd/_names.py (x.sum(1): SumBackward1, max_pool2d: MaxPool2DWithIndicesBackward0)."""
        info = self.__dict__.get("_graph_info")
        return info[0] if info is not None else _names.node_name(self)

    @property
    def metadata(self):
        """A dict for the user's own notes on this node (PyTorch's Node.metadata)."""
        d = self.__dict__.get("_metadata")
        if d is None:
            d = self._metadata = {}
        return d

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs) -> tuple or None`` runs after this node's backward: grad_inputs are
        the gradients it computed for its inputs (one per next_functions entry, None where there is none),
        grad_outputs the gradient it received; a tuple returned replaces grad_inputs. Returns a handle."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return _NodeHookHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs) -> tuple or None`` runs before this node's backward, with the gradient it received
        as a 1-tuple; a tuple returned replaces it. Returns a handle."""
        if _called_by_tensor_register_hook():
            self._register_tensor_hook(fn)
            return None
        if self._node_pre_hooks is None:
            self._node_pre_hooks = []
        self._node_pre_hooks.append(fn)
        return _NodeHookHandle(self._node_pre_hooks, fn)

    def _register_tensor_hook(self, hook):
        """Tensor.register_hook on this node's output: ``hook(grad) -> Tensor or None``."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(hook)

    def __getattr__(self, name):
        # PyTorch's saved-value attributes (MulBackward0._saved_self ...): read from what the forward kept
        if name.startswith("_saved_") and name != "_saved_versions":
            attr = _names.SAVED.get(_names.key(type(self)), {}).get(name)
            if attr is not None:
                if self.__dict__.get("_freed"):
                    raise RuntimeError(_FREED_MESSAGE.format(name=self.name()))
                if attr in self.__dict__:
                    v = self.__dict__[attr]
                    return wrap(v) if isinstance(v, np.ndarray) else v
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

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
        return "torch::autograd::AccumulateGrad"  # PyTorch's C++ name (its Python class name is AccumulateGrad)

    def _release(self):
        pass


_STRUCTURE = _STRUCTURE | {"variable"}


class _HooksState(threading.local):
    """Optional observers of graph construction (used by instruments such as anomaly detection).

    on_create(ctx, result, args): called for every recorded op, after its node is linked into the graph.
    forward(cls, ctx, arrays) -> out: when set, ``apply`` calls it instead of ``cls.forward(ctx, *arrays)``
        (glass.profile times it, glass.detect_anomaly checks the output); it must return forward's result.
    backward(node, grad) -> grads: when set, the engine calls it instead of ``type(node).backward(node, grad)``.
    Instruments chain: each one saves the previous value on entry, calls it, and restores it on exit.
    While none is attached, each costs one attribute check per op.
    saved_log: a list while an in-place op is recorded (ops/inplace.py): nodes that saved memory are appended.
    One set per thread, as PyTorch's instruments are: a profile or detector opened in one thread does not
    see (or slow down) the ops of another.
    """

    on_create = None
    forward = None
    backward = None
    saved_log = None

    def __setattr__(self, name, value):
        # HOOKED counts the hooks set in all threads, so that apply and the engine read the per-thread hooks
        # only while some thread has one (a thread-local read costs more than the whole check it guards)
        if name != "saved_log":
            was = getattr(self, name) is not None
            if was != (value is not None):
                with _HOOKED_LOCK:
                    HOOKED[0] += 1 if value is not None else -1
        super().__setattr__(name, value)


HOOKED = [0]  # how many of on_create/forward/backward are set, over all threads
_HOOKED_LOCK = threading.Lock()
Hooks = _HooksState()


class _NodeHookHandle:
    """What Node.register_hook / register_prehook return: ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _called_by_tensor_register_hook():
    """(temporary) tensor.py's Tensor.register_hook still adds its tensor hook through register_prehook: seen
    by its caller's code object. Remove once tensor.py calls ``grad_fn._register_tensor_hook(hook)``."""
    import sys
    code = sys._getframe(2).f_code
    return code.co_name == "register_hook" and code.co_filename.endswith("tensor.py")


def _edge(t):
    """Where the gradient for input tensor ``t`` must be sent: its grad_fn, or its leaf accumulator."""
    if t._grad_fn is not None:
        return t._grad_fn
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
