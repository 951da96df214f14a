"""Stochastic weight averaging and exponential moving averages of a model's weights
(``torch.optim.swa_utils``).

- ``AveragedModel(model)`` keeps a deep copy of ``model`` whose parameters are a running average of the
  model's: ``update_parameters(model)`` copies them at the first call (n_averaged = 0) and then applies
  the averaging function. The default is the equal-weight average (SWA, Izmailov et al., 2018):

      W_avg ← W_avg + (W - W_avg) / (n + 1)          (n: models averaged so far, kept in ``n_averaged``)

  ``get_ema_avg_fn(decay)`` / ``get_ema_multi_avg_fn(decay)`` give the exponential moving average
  W_avg ← decay·W_avg + (1 - decay)·W instead. ``avg_fn(avg, current, n)`` returns the new value of one
  tensor; ``multi_avg_fn(avg_list, current_list, n)`` updates lists of tensors in place.
  With ``use_buffers=True`` the buffers (BatchNorm statistics) are averaged too; otherwise they are copied.
- ``SWALR`` anneals each group's lr to ``swa_lr`` over ``anneal_epochs`` epochs (cosine or linear), then
  holds it.
- ``update_bn(loader, model)`` recomputes BatchNorm running statistics with one pass over the data
  (momentum None: a plain cumulative average).
"""
import copy
import itertools
import math

import numpy as np

from .. import _dtype
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from ..autograd.function import wrap
from .lr_scheduler import LRScheduler, _per_group, _warn_get_lr_called_within_step

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _n(num_averaged):
    return num_averaged.item() if isinstance(num_averaged, Tensor) else num_averaged


def get_ema_multi_avg_fn(decay=0.999):
    """In place, for lists: W_avg ← decay·W_avg + (1 - decay)·W (a lerp with weight 1 - decay)."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")

    def ema_update(ema_param_list, current_param_list, _):
        with no_grad():
            for p_ema, p_model in zip(ema_param_list, current_param_list):
                if p_ema.is_floating_point() or p_ema.is_complex():
                    p_ema._array += (1 - decay) * (p_model._array - p_ema._array)
                else:
                    p_ema._array[...] = p_ema._array * decay + p_model._array * (1 - decay)
                p_ema._version += 1
    return ema_update


def get_swa_multi_avg_fn():
    """In place, for lists: W_avg ← W_avg + (W - W_avg)/(n + 1)."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        weight = 1 / (_n(num_averaged) + 1)
        with no_grad():
            for p_avg, p_model in zip(averaged_param_list, current_param_list):
                p_avg._array += (weight * (p_model._array - p_avg._array)).astype(p_avg._array.dtype)
                p_avg._version += 1
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """For one tensor: returns decay·W_avg + (1 - decay)·W."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """For one tensor: returns W_avg + (W - W_avg)/(n + 1)."""

    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


def _module_base():
    from ..nn import Module
    return Module


class AveragedModel(_module_base()):
    """A copy of ``model`` whose weights are a running average (SWA) or moving average (EMA) of its weights.

    ``device`` is accepted for PyTorch's signature (glasstorch has one device)."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        self.register_buffer("n_averaged", wrap(np.zeros((), dtype=_dtype.int64.numpy_dtype)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Average ``model``'s current weights into this copy (the first call copies them)."""
        if self.use_buffers:
            self_params = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            model_params = list(itertools.chain(model.parameters(), model.buffers()))
        else:
            self_params = list(self.parameters())
            model_params = list(model.parameters())
        pairs = list(zip(self_params, model_params))
        averaged = [p.detach() for p, _ in pairs]
        current = [p.detach() for _, p in pairs]
        n = int(self.n_averaged.item())
        with no_grad():
            if n == 0:
                for p_avg, p_model in zip(averaged, current):
                    p_avg.copy_(p_model)
            elif self.multi_avg_fn is not None:
                self.multi_avg_fn(averaged, current, self.n_averaged)
            elif self.avg_fn is None:
                get_swa_multi_avg_fn()(averaged, current, self.n_averaged)
            else:
                for p_avg, p_model in zip(averaged, current):
                    p_avg.copy_(self.avg_fn(p_avg, p_model, self.n_averaged))
            if not self.use_buffers:   # buffers (BatchNorm statistics) follow the model's
                for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                    b_swa.detach().copy_(b_model.detach())
            self.n_averaged.add_(1)


def update_bn(loader, model, device=None):
    """Recompute the running mean/var of every BatchNorm layer of ``model`` with one pass over ``loader``
    (each batch a tensor, or a list/tuple whose first item is the input). ``device`` is accepted and
    ignored (one device)."""
    from ..nn.modules.batchnorm import _BatchNorm
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None            # a cumulative average over the pass
    with no_grad():
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's lr from its current value to ``swa_lr`` over ``anneal_epochs`` epochs
    ('cos': α = (1 - cos(πt))/2, 'linear': α = t, t = epoch/anneal_epochs), then holds ``swa_lr``:
    lr = swa_lr·α + lr_0·(1 - α), where lr_0 is recovered from the current lr at each step (PyTorch's
    chainable form)."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        swa_lrs = _per_group("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        _warn_get_lr_called_within_step(self)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha) for group, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def state_dict(self):
        return {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
