"""``nn.factory_kwargs``: the helper layers use to collect their ``device``/``dtype``/``memory_format``."""

__all__ = ["factory_kwargs"]


def factory_kwargs(kwargs):
    """The factory arguments among ``kwargs`` as a new dict (``{}`` for None); a nested ``factory_kwargs``
    dict is merged in. Any other key is a TypeError, as is a key given both ways (PyTorch's rules)."""
    if kwargs is None:
        return {}
    simple_keys = {"device", "dtype", "memory_format"}
    expected_keys = simple_keys | {"factory_kwargs"}
    if not kwargs.keys() <= expected_keys:
        raise TypeError(f"unexpected kwargs {kwargs.keys() - expected_keys}")
    r = dict(kwargs.get("factory_kwargs", {}))
    for k in simple_keys:
        if k in kwargs:
            if k in r:
                raise TypeError(f"{k} specified twice, in **kwargs and in factory_kwargs")
            r[k] = kwargs[k]
    return r
