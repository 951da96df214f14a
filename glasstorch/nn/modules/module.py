"""Module: the base class of every layer and model.

A Module is an object whose attributes are registered as it is built:

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)          # a Module   -> self._modules["fc"]
            self.scale = nn.Parameter(...)     # a Parameter -> self._parameters["scale"]
            self.register_buffer("mean", t)    # a buffer    -> self._buffers["mean"]

``__setattr__`` sorts each assignment into one of the three dicts, in the order they were made, and
everything else walks them: ``parameters()``, ``state_dict()``, ``to()``, ``train()``, ``repr()``. Calling
the module (``model(x)``) runs the forward pre-hooks, ``forward``, then the forward hooks.

Hooks, as PyTorch's: forward pre-hooks and forward hooks (``with_kwargs``, ``prepend``, ``always_call``), full
backward pre-hooks and hooks (they see, and may replace, grad_output and grad_input), the global
``nn.modules.module.register_module_*`` hooks, and the state_dict / load_state_dict pre- and post-hooks.

Deviations from PyTorch: the deprecated non-full ``register_backward_hook`` raises NotImplementedError; no lazy
modules; ``to()`` and ``cuda()`` accept only the CPU; ``compile()`` and ``share_memory()`` are no-ops;
a full backward hook's grad_fn is glasstorch's pack/unpack pair (``BackwardHookFunction``), not one node.
"""
import threading
import itertools
import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ... import _dtype
from ..._device import device as _device_cls, check_device
from ...autograd.function import Function, wrap
from ...autograd.grad_mode import no_grad, GradMode
from ...backend import get_array_module
from ...tensor import Tensor
from ..parameter import Parameter, Buffer

__all__ = ["Module"]  # the register_module_* functions are reached as nn.modules.module.<name>, as in PyTorch

_EXTRA_STATE_KEY_SUFFIX = "_extra_state"


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it did not find and the keys it did not use."""

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"

    __str__ = __repr__


class RemovableHandle:
    """Returned by ``register_*_hook``: ``handle.remove()`` unregisters the hook (also a context manager).
    ``extra_dict``: other dicts keyed by the same id (the with_kwargs / always_call marks), cleared with it."""

    _next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict = hooks_dict
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1
        if extra_dict is None:
            extra_dict = []
        elif isinstance(extra_dict, dict):
            extra_dict = [extra_dict]
        self.extra_dicts = list(extra_dict)

    def remove(self):
        self.hooks_dict.pop(self.id, None)
        for d in self.extra_dicts:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


# -- global hooks: run for every module's call, before the module's own (nn.modules.module.register_module_*) --
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_forward_hooks_with_kwargs = OrderedDict()
_global_forward_hooks_always_called = OrderedDict()
_global_backward_pre_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()


def register_module_forward_pre_hook(hook):
    """``hook(module, args) -> None or new args`` before every module's forward (all modules)."""
    handle = RemovableHandle(_global_forward_pre_hooks)
    _global_forward_pre_hooks[handle.id] = hook
    return handle


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """``hook(module, args, output) -> None or new output`` after every module's forward (all modules)."""
    handle = RemovableHandle(_global_forward_hooks,
                             extra_dict=[_global_forward_hooks_with_kwargs, _global_forward_hooks_always_called])
    _global_forward_hooks[handle.id] = hook
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook):
    """``hook(module, grad_output) -> None or new grad_output`` for every module (see
    ``Module.register_full_backward_pre_hook``)."""
    handle = RemovableHandle(_global_backward_pre_hooks)
    _global_backward_pre_hooks[handle.id] = hook
    return handle


def register_module_full_backward_hook(hook):
    """``hook(module, grad_input, grad_output) -> None or new grad_input`` for every module."""
    return _register_global_backward_hook(hook, full=True)


def register_module_backward_hook(hook):
    """The legacy (non-full) backward hook for every module, see ``Module.register_backward_hook``."""
    return _register_global_backward_hook(hook, full=False)


def _register_global_backward_hook(hook, full):
    """One kind of global backward hook at a time, full or legacy, as PyTorch allows."""
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is (not full):
        raise RuntimeError("Cannot use both regular backward hooks and full backward hooks as a global Module "
                           "hook. Please use only one of them.")
    _global_is_full_backward_hook = full
    handle = RemovableHandle(_global_backward_hooks)
    _global_backward_hooks[handle.id] = hook
    return handle


_global_is_full_backward_hook = None  # None: no global backward hook yet; True: full; False: legacy


def _attach_legacy_backward_hooks(module, hooks, result):
    """PyTorch's deprecated non-full backward hooks: each is put on the autograd node that made the first
    tensor of the output, as ``node.register_hook``; so it sees that node's gradients: grad_input is the
    gradient of the LAST op of forward for its inputs (for ``Linear`` the inputs of addmm, not the module's
    input), grad_output the gradient of the output. That is why PyTorch deprecated them.

    Deviation: the node is glasstorch's. It is PyTorch's for most modules (an activation, a convolution, a
    Sequential ending in one), but ``Linear`` is one ``LinearBackward0`` node here with inputs (x, weight,
    bias), where PyTorch records ``AddmmBackward0`` with (bias, x, weightᵀ)."""
    var = result
    while not isinstance(var, Tensor):
        if isinstance(var, dict):
            var = next(v for v in var.values() if isinstance(v, Tensor))
        else:
            var = var[0]
    node = var.grad_fn
    if node is None:
        return
    for hook in hooks:
        node.register_hook(lambda grad_input, grad_output, hook=hook: hook(module, grad_input, grad_output))


# -- full backward hooks ---------------------------------------------------------------------------------
# PyTorch's BackwardHook: the module's tensor inputs go through one identity node before forward and its tensor
# outputs through another after. The output node's backward sees every grad_output at once (the backward
# pre-hooks run there), the input node's backward sees every grad_input at once (the backward hooks run there).
# glasstorch's Functions have one output, so "one identity node over several tensors" is written as two steps:
# _HookPack joins the tensors into one flat array (its backward is the moment all gradients are known) and
# _HookUnpack cuts it back into the tensors.
class _BackwardHookState:
    """What one call of a hooked module needs in its backward: the hooks and the positions of the tensors."""

    def __init__(self, module, backward_hooks, backward_pre_hooks, n_args, input_positions):
        self.module = module
        self.backward_hooks = backward_hooks
        self.backward_pre_hooks = backward_pre_hooks
        self.n_args = n_args
        self.input_positions = input_positions  # positions of the args that went through the input node
        self.zero_inputs = {}                   # tensor args that need no grad: position -> (shape, dtype)
        self.n_outputs = 0
        self.output_positions = ()
        self.delivered = set()                  # which outputs received a gradient in this backward
        self.grad_outputs = None

    def on_grad_outputs(self, grads):
        """The output node's backward: run the backward pre-hooks on grad_output (they may replace it)."""
        grads = [g if i in self.delivered else None for i, g in zip(self.output_positions, grads)]
        self.delivered.clear()
        grad_outputs = _pack_with_none(self.output_positions, grads, self.n_outputs)
        for hook in self.backward_pre_hooks:
            result = hook(self.module, grad_outputs)
            if result is None:
                continue
            result = result if isinstance(result, tuple) else (result,)
            if len(result) != len(grad_outputs):
                raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got "
                                   f"{len(result)}, but expected {len(grad_outputs)}")
            grad_outputs = result
        self.grad_outputs = grad_outputs
        if not self.input_positions:  # no input needs a gradient: the backward hooks run now, with None inputs
            grad_inputs = (None,) * self.n_args
            if self.backward_hooks:
                warnings.warn("Full backward hook is firing when gradients are computed with respect to module "
                              "outputs since no inputs require gradients. See https://docs.pytorch.org/docs/main/"
                              "generated/torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more "
                              "details.", stacklevel=2)
            for hook in self.backward_hooks:
                result = hook(self.module, grad_inputs, self.grad_outputs)
                if result is not None and not all(r is None for r in result):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should always "
                                       "return None or None for all gradients.")
            self.grad_outputs = None
        return [grad_outputs[i] for i in self.output_positions]

    def on_grad_inputs(self, grads):
        """The input node's backward: run the backward hooks on (grad_input, grad_output); they may replace
        grad_input."""
        grad_inputs = list(_pack_with_none(self.input_positions, grads, self.n_args))
        for i, (shape, dtype) in self.zero_inputs.items():  # PyTorch hands zeros for them (materialized grads)
            grad_inputs[i] = wrap(np.zeros(shape, dtype=dtype))
        grad_inputs = tuple(grad_inputs)
        for hook in self.backward_hooks:
            result = hook(self.module, grad_inputs, self.grad_outputs)
            if result is None:
                continue
            result = result if isinstance(result, tuple) else (result,)
            if len(result) != len(grad_inputs):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(result)}, "
                                   f"but expected {len(grad_inputs)}")
            grad_inputs = result
        self.grad_outputs = None
        return [grad_inputs[i] for i in self.input_positions]


def _pack_with_none(positions, values, size):
    out = [None] * size
    for i, v in zip(positions, values):
        out[i] = v
    return tuple(out)


class _HookPack(Function):
    """flat = the tensors flattened and joined; its backward is where the module's hooks see the gradients."""

    saves = ()

    @staticmethod
    def forward(ctx, state, on_inputs, *xs):
        xp = get_array_module(*xs)
        ctx.state, ctx.on_inputs = state, on_inputs
        ctx.shapes = [x.shape for x in xs]
        ctx.dtypes = [x.dtype for x in xs]
        return xp.concatenate([x.reshape(-1) for x in xs])

    @staticmethod
    def backward(ctx, grad):
        # identity: dL/dx_i is the piece of dL/dflat that x_i filled (then handed to the hooks)
        grads, start = [], 0
        for shape, dtype in zip(ctx.shapes, ctx.dtypes):
            size = int(np.prod(shape, dtype=np.int64))
            grads.append(wrap(grad[start:start + size].reshape(shape).astype(dtype, copy=False)))
            start += size
        state = ctx.state
        new = state.on_grad_inputs(grads) if ctx.on_inputs else state.on_grad_outputs(grads)
        return (None, None) + tuple(None if g is None else g._array for g in new)


class BackwardHookFunction(Function):
    """x_i = flat[start:stop] shaped back (a copy): the tensors that leave _HookPack."""

    saves = ()

    @staticmethod
    def forward(ctx, flat, start, stop, shape, dtype, delivered, index):
        ctx.size, ctx.start, ctx.stop = flat.shape[0], start, stop
        ctx.delivered, ctx.index = delivered, index
        return flat[start:stop].reshape(shape).astype(dtype, copy=True)

    @staticmethod
    def backward(ctx, grad):
        # dL/dflat is dL/dx_i in x_i's piece and 0 elsewhere
        ctx.delivered.add(ctx.index)  # (the output hook tells a gradient of zeros from no gradient)
        xp = get_array_module(grad)
        full = xp.zeros(ctx.size, dtype=grad.dtype)
        full[ctx.start:ctx.stop] = grad.reshape(-1)
        return full, None, None, None, None, None, None


def _through_hook_node(state, tensors, positions, on_inputs):
    """The tensors, passed through one pack/unpack identity whose backward runs the state's hooks."""
    flat = _HookPack.apply(state, on_inputs, *tensors)
    delivered = set() if on_inputs else state.delivered  # only the output side asks who received a gradient
    out, start = [], 0
    for t, i in zip(tensors, positions):
        out.append(BackwardHookFunction.apply(flat, start, start + t.numel(), tuple(t.shape), t._array.dtype,
                                              delivered, i))
        start += t.numel()
    return out


def _setup_input_hook(state, args):
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    state.input_positions = tuple(positions)
    if not positions or not GradMode.enabled:
        state.input_positions = ()
        return args
    state.zero_inputs = {i: (tuple(a.shape), a._array.dtype) for i, a in enumerate(args)
                         if isinstance(a, Tensor) and not a.requires_grad}
    new = _through_hook_node(state, [args[i] for i in positions], positions, True)
    args = list(args)
    for i, t in zip(positions, new):
        args[i] = t
    return tuple(args)


def _setup_output_hook(state, result):
    if not GradMode.enabled:
        return result
    is_tuple = isinstance(result, tuple)
    outputs = result if is_tuple else (result,)
    positions = [i for i, a in enumerate(outputs) if isinstance(a, Tensor) and a.requires_grad]
    state.n_outputs = len(outputs)
    state.output_positions = tuple(positions)
    if not positions:
        return result
    new = _through_hook_node(state, [outputs[i] for i in positions], positions, False)
    outputs = list(outputs)
    for i, t in zip(positions, new):
        outputs[i] = t
    return tuple(outputs) if is_tuple else outputs[0]


def _typename(value):
    """The type name PyTorch's messages use ('torch.FloatTensor' for a tensor)."""
    if isinstance(value, Tensor):
        return value.type()
    return type(value).__name__


def _addindent(text, spaces):
    """Indent every line but the first (how a child's repr nests inside its parent's)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _check_name(kind, name, module, owner_dict):
    """PyTorch's checks on a parameter/buffer name before it is registered."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
    if "." in name:
        raise KeyError(f"{kind} name can't contain \".\"")
    if name == "":
        raise KeyError(f"{kind} name can't be empty string \"\"")
    if hasattr(module, name) and name not in owner_dict:
        raise KeyError(f"attribute '{name}' already exists")


class _RunningModulesState(threading.local):
    """The modules whose forward is running, outermost first. ``stack`` is None (the fast path) unless an
    instrument such as ``glass.detect_anomaly`` sets it to a list; ops then record ``stack[-1]`` as their module.
    One per thread, like the instruments that set it."""

    stack = None


_RunningModules = _RunningModulesState()


def _call_tracked(module, args, kwargs):
    """``module(*args)`` with the module pushed on the running-module stack for the duration of its forward."""
    stack = _RunningModules.stack
    stack.append(module)
    try:
        if not module._has_hooks():
            return module.forward(*args, **kwargs)
        return module._call_with_hooks(args, kwargs)
    finally:
        stack.pop()


class Module:
    """Base class for all neural network modules: subclass it, build layers in ``__init__``, write ``forward``."""

    training = True
    _version = 1
    dump_patches = False
    call_super_init = False

    def __init__(self, *args, **kwargs):
        name = type(self).__name__
        if args:
            raise TypeError(f"{name}.__init__() takes 1 positional argument but {len(args) + 1} were given")
        if kwargs:
            raise TypeError(f"{name}.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
        # object.__setattr__: these must exist before our own __setattr__ can sort anything
        set_ = object.__setattr__
        set_(self, "training", True)
        set_(self, "_parameters", {})
        set_(self, "_buffers", {})
        set_(self, "_non_persistent_buffers_set", set())
        set_(self, "_modules", {})
        set_(self, "_backward_pre_hooks", OrderedDict())
        set_(self, "_backward_hooks", OrderedDict())
        set_(self, "_is_full_backward_hook", None)
        set_(self, "_forward_pre_hooks", OrderedDict())
        set_(self, "_forward_pre_hooks_with_kwargs", OrderedDict())
        set_(self, "_forward_hooks", OrderedDict())
        set_(self, "_forward_hooks_with_kwargs", OrderedDict())
        set_(self, "_forward_hooks_always_called", OrderedDict())
        set_(self, "_state_dict_hooks", OrderedDict())
        set_(self, "_state_dict_pre_hooks", OrderedDict())
        set_(self, "_load_state_dict_pre_hooks", OrderedDict())
        set_(self, "_load_state_dict_post_hooks", OrderedDict())

    def forward(self, *input):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    # -- calling ------------------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if _RunningModules.stack is not None:  # a glass instrument wants to know which module is running
            return _call_tracked(self, args, kwargs)
        if not self._has_hooks():
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    def _has_hooks(self):
        return (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or self._backward_pre_hooks
                or _global_forward_pre_hooks or _global_forward_hooks or _global_backward_hooks
                or _global_backward_pre_hooks)

    def _call_with_hooks(self, args, kwargs):
        """PyTorch's ``_call_impl``: global then own forward pre-hooks, the backward-hook identity on the tensor
        inputs, forward, global then own forward hooks, the backward-hook identity on the tensor outputs. If
        forward (or a hook) raises, the forward hooks registered with ``always_call=True`` still run."""
        called_always = set()
        result = None
        try:
            for hook_id, hook in (*_global_forward_pre_hooks.items(), *self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    new = hook(self, args, kwargs)
                    if new is not None:
                        if not (isinstance(new, tuple) and len(new) == 2):
                            raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                               f"new_kwargs), but got {new}.")
                        args, kwargs = new
                else:
                    new = hook(self, args)
                    if new is not None:
                        args = new if isinstance(new, tuple) else (new,)
            backward_hooks, legacy_hooks = [], []
            (backward_hooks if _global_is_full_backward_hook else legacy_hooks).extend(_global_backward_hooks.values())
            (backward_hooks if self._is_full_backward_hook else legacy_hooks).extend(self._backward_hooks.values())
            backward_pre_hooks = [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()]
            state = None
            if backward_hooks or backward_pre_hooks:
                state = _BackwardHookState(self, backward_hooks, backward_pre_hooks, len(args), ())
                args = _setup_input_hook(state, args)
            result = self.forward(*args, **kwargs)
            for hook_id, hook in (*_global_forward_hooks.items(), *self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called or hook_id in _global_forward_hooks_always_called:
                    called_always.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs or hook_id in _global_forward_hooks_with_kwargs:
                    new = hook(self, args, kwargs, result)
                else:
                    new = hook(self, args, result)
                if new is not None:
                    result = new
            if legacy_hooks:
                _attach_legacy_backward_hooks(self, legacy_hooks, result)
            if state is not None:
                if not isinstance(result, (Tensor, tuple)):
                    warnings.warn("For backward hooks to be called, module output should be a Tensor or a tuple of "
                                  f"Tensors but received {type(result)}", stacklevel=2)
                else:
                    result = _setup_output_hook(state, result)
            return result
        except Exception:
            for hook_id, hook in (*_global_forward_hooks.items(), *self._forward_hooks.items()):
                always = hook_id in self._forward_hooks_always_called or hook_id in _global_forward_hooks_always_called
                if not always or hook_id in called_always:
                    continue
                try:
                    if hook_id in self._forward_hooks_with_kwargs or hook_id in _global_forward_hooks_with_kwargs:
                        new = hook(self, args, kwargs, result)
                    else:
                        new = hook(self, args, result)
                    if new is not None:
                        result = new
                except Exception as e:  # noqa: BLE001  (PyTorch silences it with a warning too)
                    warnings.warn("module forward hook with ``always_call=True`` raised an exception that was "
                                  f"silenced as another error was raised in forward: {e}", stacklevel=2)
            raise

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, args) -> None or new args`` runs before ``forward``
        (``with_kwargs=True``: ``hook(module, args, kwargs) -> None or (args, kwargs)``); ``prepend=True``
        puts it before the hooks already registered."""
        handle = RemovableHandle(self._forward_pre_hooks, extra_dict=self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """``hook(module, args, output) -> None or new output`` runs after ``forward``
        (``with_kwargs=True``: ``hook(module, args, kwargs, output)``); ``always_call=True``: it runs even when
        forward raised (then with output None)."""
        handle = RemovableHandle(self._forward_hooks,
                                 extra_dict=[self._forward_hooks_with_kwargs, self._forward_hooks_always_called])
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(module, grad_output) -> None or new grad_output`` runs when the gradients of the module's
        outputs are known. grad_output is a tuple, one entry per output (None for outputs that need no grad)."""
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(module, grad_input, grad_output) -> None or new grad_input`` runs when the gradients of the
        module's positional tensor inputs are known (grad_input: one entry per positional argument, None for
        non-tensors and for inputs that need no grad; keyword arguments are not seen, as in PyTorch)."""
        if self._is_full_backward_hook is False:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = True
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_backward_hook(self, hook):
        """Deprecated (as in PyTorch): ``hook(module, grad_input, grad_output)`` on the autograd node of the
        forward's last op, so grad_input holds that op's input gradients, not the module's (see
        ``_attach_legacy_backward_hooks``). Use ``register_full_backward_hook``."""
        if self._is_full_backward_hook is True:
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = False
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    # -- registration ---------------------------------------------------------------------------------
    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(glasstorch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
            return
        modules = d.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(glasstorch.nn.Module or None expected)")
            modules[name] = value
            return
        if isinstance(value, Buffer):
            self._forget(name, keep="_buffers")
            self.register_buffer(name, value.as_tensor(), persistent=value.persistent)
            return
        buffers = d.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(glasstorch.Tensor or None expected)")
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def _forget(self, name, keep):
        """Remove ``name`` from the other places it may be registered (an attribute that changes kind); in its
        own registry ``keep`` it stays where it is, so re-assigning keeps the registration order."""
        self.__dict__.pop(name, None)
        for store in ("_parameters", "_buffers", "_modules"):
            if store != keep:
                self.__dict__[store].pop(name, None)
        if keep != "_buffers":
            self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name):
        # called only when normal lookup fails: look in the registries
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            registry = d.get(store)
            if registry is not None and name in registry:
                return registry[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = (dir(type(self)) + list(self.__dict__) + list(self._parameters) + list(self._modules)
                + list(self._buffers))
        return sorted(k for k in keys if not k[0].isdigit())

    def register_parameter(self, name, param):
        """Add a Parameter (or None, a declared-but-absent parameter such as ``bias=False``)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", name, self, self._parameters)
        if param is None:
            self._parameters[name] = None
            return
        if not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(glasstorch.nn.Parameter or None required)")
        if param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                             f"created explicitly. To express '{name}' as a function of another Tensor, compute "
                             "the value in the forward() method.")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor that is module state but not a parameter; ``persistent=False`` keeps it out of state_dict."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", name, self, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(glasstorch Tensor or None required)")
        if isinstance(tensor, Buffer):
            persistent = tensor.persistent
            tensor = tensor.as_tensor()
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add a child module, reachable as ``self.<name>``."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f"module name can't contain \".\", got: {name}")
        if name == "":
            raise KeyError("module name can't be empty string \"\"")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        """The module at a dotted path such as ``"encoder.0"`` ('' is the module itself)."""
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + " has no attribute `" + item + "`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return mod

    def get_parameter(self, target):
        """The Parameter at a dotted path such as ``"encoder.0.weight"``."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target):
        """The buffer at a dotted path such as ``"norm.running_mean"``."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        if name not in mod._buffers:
            raise AttributeError("`" + name + "` is not a buffer")
        return getattr(mod, name)

    # -- walking the tree -----------------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(dotted name, module) for this module and every descendant, depth first, each module once."""
        if memo is None:
            memo = set()
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """(name, module) for the direct children, each module once."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, get_members, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, tensor) from each module's registry; a tensor shared by two modules is listed once."""
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in get_members(module):
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter) in registration order, e.g. ``("0.weight", ...)`` in a Sequential."""
        yield from self._named_members(lambda m: m._parameters.items(), prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members(lambda m: m._buffers.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    # -- modes and gradients --------------------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode on this module and every descendant (Dropout behaves differently)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Clear every parameter's ``.grad``: set it to None (default) or fill it with zeros."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                if p.grad.grad_fn is not None:
                    p.grad.detach_()
                else:
                    p.grad.requires_grad_(False)
                p.grad.zero_()

    def apply(self, fn):
        """Call ``fn(module)`` on every descendant, children first, then on self (e.g. custom init)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -- dtype and device -----------------------------------------------------------------------------
    def _apply(self, fn):
        """Replace every parameter's and buffer's values by ``fn(tensor)``; Parameters keep their identity."""
        for module in self.children():
            module._apply(fn)
        with no_grad():
            for param in self._parameters.values():
                if param is None:
                    continue
                param._array = fn(param)._array
                if param.grad is not None:
                    param.grad._array = fn(param.grad)._array
            for name, buf in self._buffers.items():
                if buf is not None:
                    self._buffers[name] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(tensor)``: casts floating parameters and
        buffers; integer ones keep their dtype. Only the CPU exists."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, _dtype.dtype):
                dtype = a
            elif isinstance(a, (str, _device_cls)):
                device = a
            elif isinstance(a, bool):  # to(device, dtype, non_blocking)
                continue
            else:
                raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
        check_device(device)
        if dtype is not None:
            dtype = _dtype.as_dtype(dtype)
            if not dtype.is_floating_point:
                raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got desired "
                                f"dtype={dtype}")
            return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)
        return self

    def cpu(self):
        return self

    def cuda(self, device=None):
        check_device("cuda" if device is None else device)
        return self

    def float(self):
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self):
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)

    def type(self, dst_type):
        """Cast every parameter and buffer (integer ones too) to ``dst_type``."""
        return self._apply(lambda t: t.type(dst_type))

    def to_empty(self, *, device=None, recurse=True):
        """Give every parameter and buffer fresh, uninitialized memory of its shape (PyTorch's way out of the
        meta device); glasstorch has only the CPU, so the values become arbitrary (``empty_like``)."""
        from ... import empty_like
        check_device(device)
        if not recurse:
            raise NotImplementedError("to_empty(recurse=False) is not supported by glasstorch")
        return self._apply(lambda t: empty_like(t))

    def share_memory(self):
        """Move every parameter's and buffer's storage (and each ``.grad``) into shared memory, so that worker
        processes started with ``glasstorch.multiprocessing`` update the same weights (the Hogwild pattern);
        see ``Tensor.share_memory_``. Returns the module, as PyTorch's."""
        for t in list(self.parameters()) + list(self.buffers()):
            t.share_memory_()
            if t.grad is not None:
                t.grad.share_memory_()
        return self

    def compile(self, *args, **kwargs):
        """A no-op: glasstorch has no compiler (PyTorch's ``Module.compile`` wraps forward in torch.compile);
        the module keeps running eagerly and its numbers are unchanged."""
        return None

    # -- state_dict -----------------------------------------------------------------------------------
    def get_extra_state(self):
        """Extra (non-tensor) state for ``state_dict``: override together with ``set_extra_state``; stored under
        the key ``<prefix>_extra_state``."""
        raise RuntimeError("Reached a code path in Module.get_extra_state() that should never be called. Please "
                           "file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml "
                           "to report this bug.")

    def set_extra_state(self, state):
        """Receives what ``get_extra_state`` returned, from ``load_state_dict``."""
        raise RuntimeError("Reached a code path in Module.set_extra_state() that should never be called. Please "
                           "file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml "
                           "to report this bug.")

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def register_state_dict_pre_hook(self, hook):
        """``hook(module, prefix, keep_vars)`` runs before ``state_dict`` collects this module's entries."""
        handle = RemovableHandle(self._state_dict_pre_hooks)
        self._state_dict_pre_hooks[handle.id] = hook
        return handle

    def register_state_dict_post_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata) -> None`` runs after; it may edit state_dict in
        place (returning anything else is an error)."""
        hook._from_public_api = True
        handle = RemovableHandle(self._state_dict_hooks)
        self._state_dict_hooks[handle.id] = hook
        return handle

    def _register_state_dict_hook(self, hook):
        """The private, older post-hook: its return value (if not None) replaces the state_dict."""
        if getattr(hook, "_from_public_api", False):
            raise RuntimeError("Cannot register the same function as the state dict post hook that was previously "
                               "registered via register_state_dict_post_hook")
        handle = RemovableHandle(self._state_dict_hooks)
        self._state_dict_hooks[handle.id] = hook
        return handle

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        """An OrderedDict from dotted names ("0.weight", "0.bias", ...) to detached tensors sharing memory with
        the parameters and persistent buffers, in registration order (PyTorch's keys)."""
        if args:
            warnings.warn("Positional args are being deprecated, use kwargs instead. Refer to "
                          "https://pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.state_dict"
                          " for details.", FutureWarning, stacklevel=2)
            if destination is None:
                destination = args[0]
            if len(args) > 1 and prefix == "":
                prefix = args[1]
            if len(args) > 2 and keep_vars is False:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = {"version": self._version}
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            result = hook(self, destination, prefix, local_metadata)
            if not getattr(hook, "_from_public_api", False):
                if result is not None:
                    destination = result
            elif result is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return destination

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        """The private form: ``hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs)`` (with the module first when ``with_module``)."""
        handle = RemovableHandle(self._load_state_dict_pre_hooks)
        self._load_state_dict_pre_hooks[handle.id] = (hook, with_module)
        return handle

    def register_load_state_dict_pre_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)``
        runs before this module loads its entries (it may edit state_dict in place)."""
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook):
        """``hook(module, incompatible_keys) -> None`` runs after the module (and its children) loaded; it may
        edit incompatible_keys.missing_keys / unexpected_keys in place, before ``strict`` looks at them."""
        handle = RemovableHandle(self._load_state_dict_post_hooks)
        self._load_state_dict_post_hooks[handle.id] = hook
        return handle

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        """Copy this module's own entries (``prefix + name``) from state_dict, collecting the problems."""
        for hook, with_module in self._load_state_dict_pre_hooks.values():
            if with_module:
                hook(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
            else:
                hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        persistent = {k: v for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set}
        local = {k: v for k, v in itertools.chain(self._parameters.items(), persistent.items()) if v is not None}
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, param in local.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or '
                                  f"Tensor-like object from checkpoint but received {type(value)}")
                continue
            if param.dim() == 0 and value.dim() == 1 and value.shape[0] == 1:
                value = value[0]  # a 1-element checkpoint entry fills a 0-d parameter (old checkpoints)
            if value.shape != param.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {value.shape} from "
                                  f"checkpoint, the shape in current model is {param.shape}.")
                continue
            try:
                with no_grad():
                    if assign:
                        if isinstance(param, Parameter):
                            if not isinstance(value, Parameter):
                                value = Parameter(value, requires_grad=param.requires_grad)
                            else:
                                value.requires_grad_(param.requires_grad)
                        setattr(self, name, value)
                    else:
                        param.copy_(value)
            except Exception as ex:  # noqa: BLE001  (reported in the error message, as PyTorch does)
                error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in the model are '
                                  f"{param.shape} and whose dimensions in the checkpoint are {value.shape}, an "
                                  f"exception occurred : {ex.args}.")
        extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if not key.startswith(prefix) or key == extra_key:
                    continue
                head = key[len(prefix):].split(".", 1)
                if len(head) > 1:
                    if head[0] not in self._modules:
                        unexpected_keys.append(key)
                elif head[0] not in local:
                    unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy values from ``state_dict`` into this module's parameters and buffers (``assign=True``: make the
        checkpoint's tensors the parameters themselves, keeping each parameter's requires_grad).

        Returns ``_IncompatibleKeys(missing_keys, unexpected_keys)``. With ``strict=True`` missing or
        unexpected keys raise RuntimeError; a shape mismatch raises whatever ``strict`` is (as in PyTorch).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)
        if metadata is not None:
            state_dict._metadata = metadata

        def load(module, local_state, prefix):
            local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata["assign_to_params_buffers"] = assign
            module._load_from_state_dict(local_state, prefix, local_metadata, True, missing, unexpected, errors)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    child_state = {k: v for k, v in local_state.items() if k.startswith(child_prefix)}
                    load(child, child_state, child_prefix)
            incompatible = _IncompatibleKeys(missing, unexpected)
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, incompatible) is not None:
                    raise AssertionError("Hooks registered with ``register_load_state_dict_post_hook`` are not "
                                         "expected to return new values, if incompatible_keys need to be modified, "
                                         "it should be done inplace.")

        load(self, state_dict, "")
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(errors)))
        return _IncompatibleKeys(missing, unexpected)

    # -- printing -------------------------------------------------------------------------------------
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The text inside the parentheses of this module's repr (override it; children are added after)."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"
