"""``functional_call``: run a module with other tensors in place of its parameters and buffers
(``torch.nn.utils.stateless.functional_call``; PyTorch's ``torch.func.functional_call`` is the same call).

    out = functional_call(model, {"weight": w, "bias": b}, (x,))

For the duration of the call, ``model.weight`` is ``w`` itself (any tensor, e.g. one that requires grad or is
computed from others), so gradients flow to ``w``; afterwards the module has its own tensors back. Names not
given keep the module's own. With ``tie_weights=True`` (default) a tensor registered under several names (tied
weights) is replaced under all of them by a value given for any one.
"""
from ..modules.module import Module

__all__ = ["functional_call"]


def _registry_of(module, dotted):
    """(the submodule's registry holding ``name``, name) for a dotted name; None if absent."""
    path, _, name = dotted.rpartition(".")
    try:
        sub = module.get_submodule(path)
    except AttributeError:
        return None, name
    if name in sub._parameters:
        return sub._parameters, name
    if name in sub._buffers:
        return sub._buffers, name
    return None, name


def _untie(module, values):
    """Give each value to every name its tensor is registered under (tied weights)."""
    names_of = {}
    for name, t in list(module.named_parameters(remove_duplicate=False)) + list(
            module.named_buffers(remove_duplicate=False)):
        names_of.setdefault(id(t), set()).add(name)
    tied = {n: names for names in names_of.values() if len(names) > 1 for n in names}
    result = dict(values)
    for given in [n for n in values if n in tied]:
        names = tied[given]
        if len(names & set(values)) > 1 and len({id(values[n]) for n in names if n in values}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, which are tied. "
                             "Consider using tie_weights=False")
        for n in names:
            result[n] = values[given]
    return result


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """``module(*args, **kwargs)`` with the named parameters/buffers replaced by the given tensors (one dict,
    or a sequence of dicts with no key twice). ``strict=True``: every parameter and buffer must be given."""
    if isinstance(parameter_and_buffer_dicts, dict):
        values = dict(parameter_and_buffer_dicts)
    else:
        values = {}
        for d in parameter_and_buffer_dicts:
            repeated = set(d) & set(values)
            if repeated:
                raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                                 "ambiguous")
            values.update(d)
    if tie_weights:
        values = _untie(module, values)
    if strict:
        known = [n for n, _ in module.named_parameters(remove_duplicate=False)] + [
            n for n, _ in module.named_buffers(remove_duplicate=False)]
        unexpected = sorted(set(values) - set(known))
        missing = sorted(set(known) - set(values))
        errors = []
        if unexpected:
            errors.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            errors.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if errors:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(module._get_name(),
                                                                               "\n\t".join(errors)))
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    saved = []
    try:
        for dotted, value in values.items():
            registry, name = _registry_of(module, dotted)
            if registry is None:     # not a parameter or buffer of the module: set as a plain attribute
                path, _, name = dotted.rpartition(".")
                sub = module.get_submodule(path)
                saved.append((sub.__dict__, name, sub.__dict__.get(name, _ABSENT)))
                sub.__dict__[name] = value
            else:
                saved.append((registry, name, registry[name]))
                registry[name] = value   # straight into the dict: any tensor, not only a Parameter
        return module(*args, **kwargs)
    finally:
        for registry, name, old in reversed(saved):
            if old is _ABSENT:
                registry.pop(name, None)
            else:
                registry[name] = old


_ABSENT = object()
assert Module  # the type the functions take
