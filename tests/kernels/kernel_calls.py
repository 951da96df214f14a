"""For the kernel tests: count the calls of a kernel module's forward and backward entry points, to see that
the fast path really ran (imported by name: pytest puts tests/kernels on sys.path)."""


def count_calls(monkeypatch, module, forward_name, backward_name):
    seen = {"forward": 0, "backward": 0}
    for key, name in (("forward", forward_name), ("backward", backward_name)):
        original = getattr(module, name)

        def counted(*a, _original=original, _key=key, **kw):
            seen[_key] += 1
            return _original(*a, **kw)
        monkeypatch.setattr(module, name, counted)
    return seen
