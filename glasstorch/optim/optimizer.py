"""Optimizer: the base class of every algorithm in ``glasstorch.optim``.

An optimizer holds two things:

- ``param_groups``: a list of dicts. Each group has its own ``'params'`` (a list of tensors) and its own
  options (``'lr'``, ``'momentum'``, ...); an option a group does not set comes from ``defaults``, the
  keyword arguments the optimizer was built with. Schedulers change ``group['lr']`` between steps.
- ``state``: a dict keyed by the parameter tensor itself. ``state[p]`` is a dict of that parameter's
  running quantities (Adam's ``'step'``, ``'exp_avg'``, ``'exp_avg_sq'``), all tensors, created the first
  time p is updated.

``step()`` is the same loop for every algorithm: run the closure (if any) to get a fresh loss and fresh
gradients, then, under ``no_grad``, call the algorithm's ``_update(p, group)`` for every parameter that
has a gradient (parameters whose ``.grad`` is None are skipped, as in PyTorch). Each algorithm file
(``sgd.py``, ``adam.py``, ...) therefore holds only its option checks and the update maths for one
parameter, written in NumPy on ``p._array`` (the parameter's values, changed in place).

``state_dict()`` uses PyTorch's format: parameters are replaced by integers counted across the groups in
order, ``{'state': {0: {...}, 1: {...}}, 'param_groups': [{'lr': ..., 'params': [0, 1]}, ...]}``.

Deviations from PyTorch:
- ``foreach``, ``fused`` and ``capturable`` are accepted and stored (so groups have PyTorch's keys) but
  change nothing: there is one NumPy implementation. ``differentiable=True`` raises NotImplementedError.
- The built-in algorithms define ``_update`` (or, for LBFGS and SparseAdam, ``_step``) and share the base
  ``step``, which runs the step hooks. A subclass may still define its own ``step`` (PyTorch style); its
  step hooks then run only if it calls the base ``step``.
- ``load_state_dict`` copies the loaded tensors; PyTorch may share them with the dict it was given.
- Named parameters (``[(name, tensor), ...]``) are not supported. A 1-element tensor ``lr`` is accepted
  and read as its Python number at each step (PyTorch's ``_to_scalar``).
"""
import copy
from collections import OrderedDict, defaultdict

import numpy as np

from .. import _dtype
from ..autograd.function import wrap
from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor


class _RequiredParameter:
    """Marks a default that every param group must set itself (``torch.optim.optimizer.required``)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class _HookHandle:
    """What ``register_step_pre_hook`` returns: ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks, key):
        self._hooks, self._key = hooks, key

    def remove(self):
        self._hooks.pop(self._key, None)


_global_step_pre_hooks = OrderedDict()
_global_step_post_hooks = OrderedDict()
_global_hook_ids = [0]


def _add_global_hook(hooks, hook):
    key = ("global", _global_hook_ids[0])
    _global_hook_ids[0] += 1
    hooks[key] = hook
    return _HookHandle(hooks, key)


def register_optimizer_step_pre_hook(hook):
    """``hook(optimizer, args, kwargs)`` runs before the step of every optimizer (all instances)."""
    return _add_global_hook(_global_step_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """``hook(optimizer, args, kwargs)`` runs after the step of every optimizer (all instances)."""
    return _add_global_hook(_global_step_post_hooks, hook)


def _typename(obj):
    return obj.type() if isinstance(obj, Tensor) else type(obj).__name__


class Optimizer:
    """Base class: keeps ``param_groups``, ``defaults`` and ``state``; subclasses define ``_update``."""

    def __init__(self, params, defaults):
        if defaults.get("differentiable"):
            raise NotImplementedError("glasstorch optimizers are not differentiable: differentiable=True "
                                      "is not supported (glasstorch has no double backward through a step)")
        if defaults.get("fused") and defaults.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        lr = defaults.get("lr")
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        self._step_pre_hooks = OrderedDict()
        self._step_post_hooks = OrderedDict()
        self._state_dict_pre_hooks = OrderedDict()
        self._state_dict_post_hooks = OrderedDict()
        self._load_state_dict_pre_hooks = OrderedDict()
        self._load_state_dict_post_hooks = OrderedDict()
        self._next_hook_id = 0
        self._opt_called = False  # set by step(); LR schedulers check it to warn about a wrong call order

        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got " + _typename(params))
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # -- parameter groups ---------------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters with its own options (e.g. a new layer to fine-tune, with its own lr)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)

        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(p))
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)

        ids = [id(p) for p in param_group["params"]]
        if len(ids) != len(set(ids)):
            import warnings
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        existing = {id(p) for group in self.param_groups for p in group["params"]}
        if not existing.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients ----------------------------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Forget the gradients: set every ``p.grad`` to None (default) or fill it with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad._array[...] = 0
                    p.grad._version += 1

    # -- the step -----------------------------------------------------------------------------------------
    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss (or None).

        ``closure`` re-evaluates the model and returns the loss (it usually calls ``zero_grad`` and
        ``backward``); it runs with gradients enabled, the update itself under ``no_grad``.
        """
        # as PyTorch's, the hooks see the arguments of the call including the optimizer: (self[, closure])
        # the global hooks (register_optimizer_step_pre_hook) run before this optimizer's, after it for post
        args, kwargs = ((self, closure) if closure is not None else (self,)), {}
        for hook in list(_global_step_pre_hooks.values()) + list(self._step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:  # a pre-hook may replace the arguments: (new_args, new_kwargs)
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{type(self).step} must return None or a tuple of (new_args, new_kwargs), "
                                       f"but got {result}.")
                args, kwargs = result
        closure = args[1] if len(args) > 1 else kwargs.get("closure")
        loss = self._step(closure)
        self._opt_called = True

        for hook in list(self._step_post_hooks.values()) + list(_global_step_post_hooks.values()):
            hook(self, args, kwargs)
        return loss

    def _step(self, closure):
        """The step itself, between the hooks: the closure, then ``_update`` for every parameter with a
        gradient. Algorithms that need the whole step (LBFGS) define their own ``_step``."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._update(p, group)
                        p._version += 1
        return loss

    def _update(self, p, group):
        """Change ``p._array`` in place using ``p.grad``, ``self.state[p]`` and the group's options."""
        raise NotImplementedError

    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs before each step; it may return new ``(args, kwargs)``."""
        return self._add_hook(self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs after each step."""
        return self._add_hook(self._step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer)`` runs before ``state_dict()`` builds the dict."""
        return self._add_hook(self._state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict)`` runs on the built dict; it may return a new dict."""
        return self._add_hook(self._state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """``hook(optimizer, state_dict)`` runs on a shallow copy of the dict being loaded; it may return a
        new dict to load instead."""
        return self._add_hook(self._load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """``hook(optimizer)`` runs after ``load_state_dict`` has loaded the dict."""
        return self._add_hook(self._load_state_dict_post_hooks, hook, prepend)

    def _add_hook(self, hooks, hook, prepend=False):
        key = self._next_hook_id
        self._next_hook_id += 1
        hooks[key] = hook
        if prepend:
            hooks.move_to_end(key, last=False)
        return _HookHandle(hooks, key)

    # -- saving and loading -------------------------------------------------------------------------------
    def state_dict(self):
        """``{'state': {index: {name: tensor}}, 'param_groups': [{option: value, 'params': [index, ...]}]}``.

        Parameters become integers (their position across all groups), so the dict can be loaded into a
        new optimizer built over new tensors of the same shapes. As in PyTorch the state tensors are the
        live ones, not copies: ``copy.deepcopy`` the dict to keep a snapshot while training goes on.
        """
        for hook in list(self._state_dict_pre_hooks.values()):
            hook(self)
        index_of = {}  # id(parameter) -> its integer id in the saved dict
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            for i, p in enumerate(group["params"], start):
                if id(p) not in index_of:
                    index_of[id(p)] = i
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {}
        for key, value in self.state.items():
            state[index_of[id(key)] if isinstance(key, Tensor) else key] = value
        state_dict = {"state": state, "param_groups": groups}
        for hook in list(self._state_dict_post_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict):
        """Restore what ``state_dict()`` saved, matching saved parameter ids to this optimizer's
        parameters by position. Groups must have the same number of parameters."""
        state_dict = state_dict.copy()
        for hook in list(self._load_state_dict_pre_hooks.values()):
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        groups = self.param_groups
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")

        param_of = {}  # saved integer id -> this optimizer's parameter tensor
        for group, saved in zip(groups, saved_groups):
            for index, p in zip(saved["params"], group["params"]):
                param_of[index] = p

        state = defaultdict(dict)
        for index, saved_state in state_dict["state"].items():
            if index not in param_of:
                continue
            p = param_of[index]
            state[p] = {name: _copy_state_value(p, name, value) for name, value in saved_state.items()}

        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            for name, default in self.defaults.items():  # options added since the dict was saved
                saved.setdefault(name, default)
            new_groups.append(saved)
        self.state = state
        self.param_groups = new_groups
        for hook in list(self._load_state_dict_post_hooks.values()):
            hook(self)

    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _copy_state_value(p, name, value):
    """A loaded state value: tensors are copied, cast to the parameter's dtype (except the step count);
    lists, tuples and dicts of them are copied item by item (LBFGS keeps lists of tensors)."""
    if isinstance(value, Tensor):
        if name == "step" or not p.is_floating_point():
            return wrap(value._array.copy())
        return wrap(value._array.astype(p._array.dtype, copy=True))
    if isinstance(value, dict):
        return {k: _copy_state_value(p, k, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy_state_value(p, None, v) for v in value)
    return copy.deepcopy(value)


def to_scalar(value):
    """A Python number from a number or a 1-element tensor (a tensor ``lr``), as PyTorch's ``_to_scalar``."""
    return value.item() if isinstance(value, Tensor) else value


# -- helpers the algorithm files use to create their state ------------------------------------------------
def new_step_count():
    """A fresh step counter: a 0-d float tensor holding 0, as PyTorch 2.x keeps it (float32, or float64 when
    that is the default dtype)."""
    dt = np.float64 if _dtype.get_default_dtype() == _dtype.float64 else np.float32
    return wrap(np.zeros((), dtype=dt))


def zeros_like(p):
    """A state tensor of zeros with p's shape and dtype."""
    return wrap(np.zeros_like(p._array))


def full_like(p, value):
    """A state tensor filled with ``value``, with p's shape and dtype."""
    return wrap(np.full_like(p._array, value))


def check_tensor_lr(lr):
    """A tensor lr must hold one number (checked first, as in PyTorch's constructors)."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
