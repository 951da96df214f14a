"""The nn.Module API against PyTorch: forward/backward hooks (order, arguments, replacements), global hooks,
state_dict hooks, load_state_dict results and errors, extra state, the tree walkers and conversions."""
import warnings

import numpy as np
import pytest
import torch

import glasstorch

LIBS = (torch, glasstorch)


def _val(x):
    """A hook argument as plain Python (tensors as rounded lists), for comparing the two libraries' logs."""
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return tuple(_val(v) for v in x)
    if isinstance(x, dict):
        return {k: _val(v) for k, v in x.items()}
    if hasattr(x, "detach"):
        return np.round(x.detach().numpy().astype(np.float64), 4).tolist()
    return x


def both(fn):
    """fn(lib) on both libraries; returns (torch result, glasstorch result)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(torch), fn(glasstorch)


def _linear(lib, n_in=3, n_out=2):
    m = lib.nn.Linear(n_in, n_out)
    with lib.no_grad():
        m.weight.copy_(lib.tensor(np.arange(n_in * n_out, dtype=np.float32).reshape(n_out, n_in) / 7 - 0.3))
        m.bias.copy_(lib.tensor(np.linspace(-0.5, 0.5, n_out).astype(np.float32)))
    return m


# -- forward hooks ----------------------------------------------------------------------------------------
def test_forward_hooks_order_kwargs_prepend_and_replacements():
    def run(lib):
        log = []

        class M(lib.nn.Module):
            def forward(self, x, scale=1.0):
                log.append(("forward", _val(x), scale))
                return x * scale

        m = M()
        m.register_forward_pre_hook(lambda mod, args: log.append(("pre1", _val(args))))
        m.register_forward_pre_hook(lambda mod, args: (args[0] + 1,))
        m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"scale": kwargs.get("scale", 1) * 3}),
                                    with_kwargs=True)
        m.register_forward_pre_hook(lambda mod, args: log.append(("pre0", _val(args))), prepend=True)
        m.register_forward_hook(lambda mod, args, out: log.append(("post1", _val(args), _val(out))))
        m.register_forward_hook(lambda mod, args, kwargs, out: out * 10, with_kwargs=True)
        h = m.register_forward_hook(lambda mod, args, out: log.append(("post0", _val(out))), prepend=True)
        y = m(lib.ones(2), scale=2.0)
        log.append(("result", _val(y)))
        h.remove()
        log.append(("again", _val(m(lib.ones(2)))))
        return log

    t, g = both(run)
    assert g == t


def test_forward_hook_always_call_and_single_return():
    def run(lib):
        log = []

        class Boom(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        m = Boom()
        m.register_forward_hook(lambda mod, args, out: log.append("not always"))
        m.register_forward_hook(lambda mod, args, out: log.append(("always", out)), always_call=True)
        with pytest.raises(ValueError, match="boom"):
            m(lib.ones(1))
        n = lib.nn.Identity()
        n.register_forward_pre_hook(lambda mod, args: args[0] * 2)   # a non-tuple becomes (result,)
        log.append(_val(n(lib.ones(2))))
        bad = lib.nn.Identity()
        bad.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
        with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
            bad(lib.ones(1))
        return log

    t, g = both(run)
    assert g == t


def test_global_module_hooks():
    def run(lib):
        log = []
        mm = lib.nn.modules.module
        hs = [mm.register_module_forward_pre_hook(lambda m, a: log.append(("gpre", type(m).__name__))),
              mm.register_module_forward_hook(lambda m, a, o: log.append(("gpost", type(m).__name__))),
              mm.register_module_full_backward_pre_hook(lambda m, go: log.append(("gbpre", type(m).__name__))),
              mm.register_module_full_backward_hook(lambda m, gi, go: log.append(("gb", type(m).__name__)))]
        model = lib.nn.Sequential(_linear(lib), lib.nn.Tanh())
        model[0].register_forward_pre_hook(lambda m, a: log.append(("own pre", type(m).__name__)))
        x = lib.ones(1, 3, requires_grad=True)
        model(x).sum().backward()
        for h in hs:
            h.remove()
        model(x)
        log.append("removed")
        return log

    t, g = both(run)
    assert g == t


# -- backward hooks ---------------------------------------------------------------------------------------
def test_full_backward_hooks_linear():
    def run(lib):
        log = []
        m = _linear(lib)
        m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", _val(go))))
        m.register_full_backward_hook(lambda mod, gi, go: log.append(("hook", _val(gi), _val(go))))
        x = lib.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]], requires_grad=True)
        y = m(x)
        (y * lib.tensor([[1.0, -2.0]])).sum().backward()
        log.append(("x.grad", _val(x.grad)))
        log.append(("w.grad", _val(m.weight.grad)))
        return log

    t, g = both(run)
    assert g == t


def test_full_backward_hooks_replace_gradients():
    def run(lib):
        log = []
        m = _linear(lib)
        m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 2,))
        m.register_full_backward_hook(lambda mod, gi, go: log.append(("seen", _val(gi), _val(go))))
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] + 100,))
        x = lib.ones(1, 3, requires_grad=True)
        m(x).sum().backward()
        log.append(_val(x.grad))
        log.append(_val(m.weight.grad))      # the parameters see the replaced grad_output too
        return log

    t, g = both(run)
    assert g == t


def test_full_backward_hooks_several_inputs_outputs_and_non_tensors():
    def run(lib):
        log = []

        class Two(lib.nn.Module):
            def forward(self, a, flag, b, c):
                return a * b, a + c, flag

        m = Two()
        m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", _val(go))))
        m.register_full_backward_hook(lambda mod, gi, go: log.append(("hook", _val(gi), _val(go))))
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0, None, gi[2], gi[3]))
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        c = lib.tensor([5.0, 6.0])                            # needs no grad: None in grad_input
        p, q, flag = m(a, "flag", b, c)
        (p * 2).sum().backward(retain_graph=True)            # q unused: None in grad_output, zeros for c
        log.append(("a", _val(a.grad), "b", _val(b.grad), flag))
        (q * 3).sum().backward()                             # now q is used and p is not
        log.append(("a", _val(a.grad)))
        return log

    t, g = both(run)
    assert g == t


def test_full_backward_hook_without_input_grad_and_nested_order():
    def run(lib):
        log = []
        model = lib.nn.Sequential(_linear(lib, 3, 3), lib.nn.ReLU(), _linear(lib, 3, 1))
        for name, mod in model.named_children():
            mod.register_full_backward_pre_hook(lambda m, go, name=name: log.append(("pre", name, _val(go))))
            mod.register_full_backward_hook(lambda m, gi, go, name=name: log.append(("hook", name, _val(gi))))
        model.register_full_backward_hook(lambda m, gi, go: log.append(("outer", _val(gi), _val(go))))
        x = lib.tensor([[1.0, -2.0, 0.5]])                    # no grad needed: the hooks see grad_input None
        model(x).sum().backward()
        return log

    t, g = both(run)
    assert g == t


def test_backward_hook_errors_and_legacy():
    for lib in LIBS:
        m = _linear(lib)
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
        with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of grad_input"):
            m(lib.ones(1, 3, requires_grad=True)).sum().backward()
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full backward hooks"):
            m.register_backward_hook(lambda *a: None)


def _legacy_hook_run(lib, make, x_shape, replace):
    lib.manual_seed(0)
    m = make(lib)
    seen = []

    def hook(module, grad_input, grad_output):
        seen.append((type(module).__name__, [None if g is None else g.detach().numpy().copy() for g in grad_input],
                     [g.detach().numpy().copy() for g in grad_output]))
        if replace:  # a returned tuple replaces the node's input gradients
            return tuple(None if g is None else g * 2 for g in grad_input)
    handle = m.register_backward_hook(hook)
    x = lib.arange(float(np.prod(x_shape))).reshape(x_shape).requires_grad_()
    (m(x) * lib.arange(1.0, 1.0 + m(x).numel()).reshape(m(x).shape)).sum().backward()
    handle.remove()
    m(x).sum().backward()  # removed: not called again
    return seen, x.grad.numpy()


@pytest.mark.parametrize("replace", [False, True])
@pytest.mark.parametrize("make, shape", [
    (lambda T: T.nn.Tanh(), (4, 3)),                                         # TanhBackward0
    (lambda T: T.nn.BatchNorm1d(3), (4, 3)),
    (lambda T: T.nn.Sequential(T.nn.Linear(3, 2), T.nn.ReLU()), (4, 3)),     # ReluBackward0 of Sequential
    (lambda T: T.nn.Conv2d(2, 3, 3), (1, 2, 5, 5)),
])
def test_legacy_register_backward_hook_sees_the_last_node_as_pytorch(make, shape, replace):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns that the hook is deprecated and sees the last node only
        ours, theirs = _legacy_hook_run(glasstorch, make, shape, replace), _legacy_hook_run(torch, make, shape, replace)
    assert len(ours[0]) == len(theirs[0]) == 1
    (name, gi, go), (t_name, t_gi, t_go) = ours[0][0], theirs[0][0]
    assert name == t_name and len(gi) == len(t_gi) and len(go) == len(t_go)
    for a, b in zip(gi + go, t_gi + t_go):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5, atol=1e-5)


def test_legacy_and_full_backward_hooks_do_not_mix():
    for lib in LIBS:
        m = _linear(lib)
        m.register_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full backward hooks"):
            m.register_full_backward_hook(lambda *a: None)


# -- state_dict -------------------------------------------------------------------------------------------
def test_state_dict_hooks():
    def run(lib):
        log = []
        model = lib.nn.Sequential(_linear(lib), lib.nn.BatchNorm1d(2))
        model[0].register_state_dict_pre_hook(lambda m, prefix, keep_vars: log.append(("pre", prefix, keep_vars)))

        def post(m, sd, prefix, meta):
            log.append(("post", prefix, sorted(sd), meta.get("version")))
            sd[prefix + "extra"] = lib.zeros(1)

        model[0].register_state_dict_post_hook(post)
        model._register_state_dict_hook(lambda m, sd, prefix, meta: {k: v for k, v in sd.items() if "bias" not in k})
        sd = model.state_dict(prefix="p.")
        log.append(sorted(sd))
        bad = lib.nn.Linear(1, 1)
        bad.register_state_dict_post_hook(lambda m, sd, prefix, meta: {})
        with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
            bad.state_dict()
        return log

    t, g = both(run)
    assert g == t


def test_load_state_dict_hooks():
    def run(lib):
        log = []
        model = lib.nn.Sequential(_linear(lib), _linear(lib, 2, 1))

        def pre(module, sd, prefix, meta, strict, missing, unexpected, errors):
            log.append(("pre", type(module).__name__, prefix, sorted(sd), strict))
            sd[prefix + "bias"] = lib.zeros(2)       # supply a missing key

        def post(module, incompatible):
            log.append(("post", type(module).__name__, list(incompatible.missing_keys),
                        list(incompatible.unexpected_keys)))
            incompatible.unexpected_keys.clear()

        model[0].register_load_state_dict_pre_hook(pre)
        model[0].register_load_state_dict_post_hook(post)
        model.register_load_state_dict_post_hook(post)
        sd = {k: v for k, v in model.state_dict().items() if k != "0.bias"}
        sd["junk"] = lib.ones(1)
        result = model.load_state_dict(sd)
        log.append((list(result.missing_keys), list(result.unexpected_keys), _val(model[0].bias)))
        return log

    t, g = both(run)
    assert g == t


def test_load_state_dict_strict_errors_and_result():
    def run(lib):
        out = []
        m = lib.nn.Linear(2, 2)
        with pytest.raises(RuntimeError) as e:
            m.load_state_dict({"weight": lib.zeros(2, 2), "extra": lib.zeros(1)})
        out.append(str(e.value))
        r = m.load_state_dict({"weight": lib.ones(2, 2), "extra": lib.zeros(1)}, strict=False)
        out.append((r.missing_keys, r.unexpected_keys, type(r).__name__, r._fields))
        out.append(repr(m.load_state_dict(m.state_dict())))
        with pytest.raises(RuntimeError) as e:
            m.load_state_dict({"weight": lib.zeros(3, 2), "bias": lib.zeros(2)}, strict=False)
        out.append(str(e.value))
        with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
            m.load_state_dict([1])
        return out

    t, g = both(run)
    assert g[0] == t[0]
    assert g[1] == t[1]
    assert g[2] == t[2]
    assert g[3].replace("glasstorch.Size", "torch.Size") == t[3]


def test_load_state_dict_assign_and_zero_dim():
    for lib in LIBS:
        m = lib.nn.Linear(2, 1)
        w = lib.full((1, 2), 3.0)
        m.load_state_dict({"weight": w, "bias": lib.zeros(1)}, assign=True)
        assert isinstance(m.weight, lib.nn.Parameter) and m.weight.requires_grad
        w[0, 0] = 7.0
        assert float(m.weight[0, 0]) == 7.0                 # assign: the checkpoint's memory itself

        class Scalar(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.s = lib.nn.Parameter(lib.tensor(1.0))

        s = Scalar()
        s.load_state_dict({"s": lib.tensor([5.0])})         # a 1-element entry fills a 0-d parameter
        assert float(s.s) == 5.0


def test_extra_state():
    def run(lib):
        class WithExtra(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.lin = lib.nn.Linear(1, 1)
                self.info = {"step": 3}

            def get_extra_state(self):
                return dict(self.info)

            def set_extra_state(self, state):
                self.info = state

        m = lib.nn.Sequential(WithExtra())
        sd = m.state_dict()
        keys = list(sd)
        sd["0._extra_state"] = {"step": 9}
        m.load_state_dict(sd)
        missing = m.load_state_dict({k: v for k, v in sd.items() if "extra" not in k}, strict=False)
        plain = lib.nn.Linear(1, 1)
        unexpected = plain.load_state_dict({**plain.state_dict(), "_extra_state": 1}, strict=False)
        return keys, m[0].info, missing.missing_keys, unexpected.unexpected_keys

    t, g = both(run)
    assert g == t


def test_state_dict_keys_metadata_and_keep_vars():
    def run(lib):
        m = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2))
        m[1].register_buffer("scratch", lib.zeros(1), persistent=False)
        sd = m.state_dict()
        kv = m.state_dict(keep_vars=True)
        return (list(sd), dict(sd._metadata), kv["0.weight"] is m[0].weight, sd["0.weight"].requires_grad)

    t, g = both(run)
    assert g == t


# -- registration and the tree ----------------------------------------------------------------------------
def test_registration_errors():
    for lib in LIBS:
        m = lib.nn.Linear(1, 1)
        checks = [
            (lambda: m.register_buffer(1, None), TypeError, "buffer name should be a string"),
            (lambda: m.register_buffer("a.b", None), KeyError, "contain"),
            (lambda: m.register_buffer("", None), KeyError, "be empty string"),
            (lambda: m.register_buffer("weight", None), KeyError, "already exists"),
            (lambda: m.register_buffer("z", 3), TypeError, "cannot assign 'int' object to buffer 'z'"),
            (lambda: m.register_parameter("p", lib.zeros(1)), TypeError, "cannot assign"),
            (lambda: m.register_parameter("q.r", None), KeyError, "contain"),
            (lambda: m.add_module("x.y", lib.nn.ReLU()), KeyError, "contain"),
            (lambda: m.add_module("", lib.nn.ReLU()), KeyError, "be empty string"),
            (lambda: m.add_module("weight", lib.nn.ReLU()), KeyError, "already exists"),
            (lambda: m.add_module("k", 3), TypeError, "is not a Module subclass"),
            (lambda: m.get_submodule("nope"), AttributeError, "has no attribute `nope`"),
            (lambda: m.get_parameter("bias.x"), AttributeError, "is not an nn.Module"),
            (lambda: m.get_buffer("weight"), AttributeError, "is not a buffer"),
            (lambda: m.train("yes"), ValueError, "training mode is expected to be boolean"),
        ]
        for fn, exc, words in checks:
            with pytest.raises(exc, match=words):
                fn()
        m.register_module("act", lib.nn.ReLU())
        assert m.get_submodule("act") is m.act and m.get_parameter("weight") is m.weight


def test_named_modules_parameters_remove_duplicate():
    def run(lib):
        shared = lib.nn.Linear(2, 2)
        model = lib.nn.Sequential(shared, lib.nn.ReLU(), shared)
        model[1].register_buffer("b", lib.zeros(1))
        return ([n for n, _ in model.named_modules()],
                [n for n, _ in model.named_modules(remove_duplicate=False)],
                [n for n, _ in model.named_modules(prefix="net")],
                [n for n, _ in model.named_parameters()],
                [n for n, _ in model.named_parameters(remove_duplicate=False)],
                [n for n, _ in model.named_parameters(prefix="x", recurse=False)],
                [n for n, _ in model.named_buffers(prefix="m")],
                [n for n, _ in model.named_children()],
                len(list(model.parameters())))

    t, g = both(run)
    assert g == t


def test_modes_grads_apply_and_dir():
    for lib in LIBS:
        model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Dropout())
        assert model.eval() is model and not model[1].training
        assert model.train() is model and model[1].training
        assert model.requires_grad_(False) is model and not model[0].weight.requires_grad
        model.requires_grad_(True)
        model(lib.ones(1, 2)).sum().backward()
        model.zero_grad(set_to_none=False)
        assert model[0].weight.grad.abs().sum().item() == 0
        model.zero_grad()
        assert model[0].weight.grad is None
        seen = []
        assert model.apply(lambda m: seen.append(type(m).__name__)) is model
        assert seen == ["Linear", "Dropout", "Sequential"]
        names = dir(model[0])
        assert "weight" in names and "forward" in names and "in_features" in names
        assert model.compile() is None
        assert model.share_memory() is model


@pytest.mark.parametrize("method,dtype", [("half", "float16"), ("double", "float64"), ("bfloat16", "bfloat16"),
                                          ("float", "float32")])
def test_dtype_conversions(method, dtype):
    for lib in LIBS:
        m = lib.nn.BatchNorm1d(2)
        out = getattr(m, method)()
        assert out is m
        assert str(m.weight.dtype).endswith(dtype) and str(m.running_mean.dtype).endswith(dtype)
        assert m.num_batches_tracked.dtype == lib.int64              # integer buffers keep their dtype
    for lib in LIBS:
        m = lib.nn.BatchNorm1d(2).type(lib.float64)
        assert m.weight.dtype == lib.float64 and m.num_batches_tracked.dtype == lib.float64


def test_to_empty_keeps_structure():
    m = glasstorch.nn.Linear(3, 2)
    w = m.weight
    assert m.to_empty(device="cpu") is m
    assert m.weight is w and m.weight.shape == (2, 3) and m.weight.requires_grad
    t = torch.nn.Linear(3, 2, device="meta").to_empty(device="cpu")
    assert tuple(t.weight.shape) == tuple(m.weight.shape)


def test_incompatible_keys_named_tuple():
    from glasstorch.nn.modules.module import _IncompatibleKeys
    r = _IncompatibleKeys(["a"], [])
    assert r.missing_keys == ["a"] and r.unexpected_keys == [] and tuple(r) == (["a"], [])
    assert repr(_IncompatibleKeys([], [])) == "<All keys matched successfully>"


def test_global_legacy_backward_hook_as_pytorch(monkeypatch):
    import warnings
    seen = {}
    for lib in LIBS:
        # both libraries remember for the process which kind of global backward hook was used first
        monkeypatch.setattr(lib.nn.modules.module, "_global_is_full_backward_hook", None)
        calls = []
        handle = lib.nn.modules.module.register_module_backward_hook(
            lambda m, gi, go: calls.append((type(m).__name__, len(gi), go[0].shape)))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m = lib.nn.Tanh()  # kept alive: PyTorch's hook refuses a module already collected
                m(lib.ones(2, 3, requires_grad=True)).sum().backward()
        finally:
            handle.remove()
        seen[lib.__name__] = calls
    assert seen["glasstorch"] == [("Tanh", 1, (2, 3))] and len(seen["torch"]) == 1
    assert seen["torch"][0][:2] == ("Tanh", 1) and tuple(seen["torch"][0][2]) == (2, 3)
