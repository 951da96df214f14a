"""``swap_in_optimizer_params_and_state``: run optimizer calls against other parameter tensors and another
state dict for the length of a ``with`` block (PyTorch 2.13's ``torch.optim.swap_in_optimizer_params_and_state``).

Inside the block ``optimizer.param_groups[i]['params']`` are the given tensors (taken in order from the
``swapin_parameters`` dict's values), the groups' options come from ``swapin_optim_state['param_groups']``
and ``optimizer.state`` is re-keyed from the packed ids of ``swapin_optim_state['state']``. In-place changes
to the state tensors reach the given dict; everything is restored on exit.
"""
import contextlib
from collections import defaultdict

from ..tensor import Tensor


@contextlib.contextmanager
def swap_in_optimizer_params_and_state(optimizer, swapin_parameters, swapin_optim_state):
    if not optimizer.state:
        raise RuntimeError("swap_in_optimizer_params_and_state requires initialized optimizer state.")
    if not isinstance(swapin_optim_state, dict):
        raise RuntimeError("swap_in_optimizer_params_and_state requires a DCP-style optimizer state_dict.")
    state = swapin_optim_state.get("state")
    if not isinstance(state, dict) or any(isinstance(k, Tensor) for k in state):
        raise RuntimeError("swap_in_optimizer_params_and_state requires optimizer.state_dict()-style state keyed "
                           "by packed parameter ids.")
    groups = swapin_optim_state.get("param_groups")
    if not isinstance(groups, list) or len(groups) != len(optimizer.param_groups):
        raise RuntimeError("swapin_optim_state has a different number of parameter groups than the live optimizer.")
    flat = list(swapin_parameters.values())
    offset = 0
    plan = []
    for idx, (group, swapin_group) in enumerate(zip(optimizer.param_groups, groups)):
        ids = swapin_group.get("params")
        if len(group["params"]) != len(ids):
            raise RuntimeError(f"swapin_optim_state param group {idx} has a different number of params than the "
                               "live optimizer param group.")
        swapin_only = [k for k in swapin_group if k not in group]
        live_only = [k for k in group if k not in swapin_group]
        if swapin_only or live_only:
            raise RuntimeError("swap_in_optimizer_params_and_state requires optimizer.state_dict()-style param "
                               f"group keys to exactly match the live optimizer group keys for group {idx}. "
                               f"Keys only in swap-in: {swapin_only}. Keys only in live: {live_only}.")
        if offset + len(ids) > len(flat):
            raise RuntimeError("swap_in_optimizer_params_and_state requires the explicit parameter state to match "
                               "optimizer.param_groups ordering.")
        plan.append((group, swapin_group, flat[offset:offset + len(ids)]))
        offset += len(ids)

    original_state = optimizer.state
    snapshots = [dict(g) for g in optimizer.param_groups]
    try:
        swapped = defaultdict(dict)
        for group, swapin_group, params in plan:
            group["params"] = params
            for key, value in swapin_group.items():
                if key != "params":
                    group[key] = value
            for p, pid in zip(params, swapin_group["params"]):
                swapped[p] = dict(state.get(pid, {}))
        optimizer.state = swapped
        yield
    finally:
        for group, snapshot in zip(optimizer.param_groups, snapshots):
            group.clear()
            group.update(snapshot)
        optimizer.state = original_state
