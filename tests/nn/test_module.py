"""Module against PyTorch: registration order, named_* walks (prefix, recurse, duplicates), state_dict keys and
load_state_dict messages, train/eval, zero_grad, apply, dtype casts, hooks, attribute rules, repr; Parameter."""
import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch

import glasstorch
from twins import compare_forward_backward, same_repr, to_glass, twins


def build_net(lib):
    """A model with nested containers, buffers (one non-persistent), a shared module and a None parameter."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)
            self.register_buffer("count", lib.zeros(2, dtype=lib.int64))
            self.register_buffer("scratch", lib.ones(3), persistent=False)
            self.scale = nn.Parameter(lib.ones(3))
            self.register_parameter("unused", None)

        def forward(self, x):
            return self.fc(x) * self.scale

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = nn.Linear(4, 3)
            self.blocks = nn.ModuleList([Block(), Block()])
            self.heads = nn.ModuleDict({"a": nn.Linear(3, 2), "b": nn.Sequential(nn.ReLU(), nn.Linear(3, 2))})
            self.register_buffer("mean", lib.zeros(4))
            self.shared = self.inp  # the same module twice: listed once

        def forward(self, x):
            h = self.inp(x - self.mean)
            for block in self.blocks:
                h = lib.tanh(block(h))
            return self.heads["a"](h) + self.heads["b"](h)

    return Net()


def names(pairs):
    return [name for name, _ in pairs]


def test_walks_match_pytorch():
    t, g = build_net(torch), build_net(glasstorch)
    assert names(g.named_parameters()) == names(t.named_parameters())
    assert names(g.named_buffers()) == names(t.named_buffers())
    assert names(g.named_modules()) == names(t.named_modules())
    assert names(g.named_children()) == names(t.named_children())
    assert names(g.named_parameters(prefix="model")) == names(t.named_parameters(prefix="model"))
    assert names(g.named_parameters(remove_duplicate=False)) == names(t.named_parameters(remove_duplicate=False))
    assert names(g.named_modules(remove_duplicate=False)) == names(t.named_modules(remove_duplicate=False))
    assert names(g.named_modules(prefix="m")) == names(t.named_modules(prefix="m"))
    assert names(g.blocks[0].named_parameters(recurse=False)) == ["scale"]
    assert names(g.blocks[0].named_buffers(recurse=False)) == names(t.blocks[0].named_buffers(recurse=False))
    assert len(list(g.parameters())) == len(list(t.parameters())) == 12
    assert len(list(g.buffers())) == len(list(t.buffers()))
    assert len(list(g.modules())) == len(list(t.modules()))
    assert len(list(g.children())) == len(list(t.children()))
    assert all(isinstance(p, glasstorch.nn.Parameter) for p in g.parameters())


def test_state_dict_keys_and_values():
    t, g = twins(build_net)
    assert list(g.state_dict()) == list(t.state_dict())
    assert "blocks.0.scratch" not in g.state_dict()  # non-persistent buffer
    sd = g.state_dict()
    assert type(sd) is OrderedDict
    for k, v in sd.items():
        assert type(v) is glasstorch.Tensor and not v.requires_grad, k
        np.testing.assert_array_equal(v.numpy(), t.state_dict()[k].numpy())
    assert sd["blocks.0.count"].dtype == glasstorch.int64
    # the values share memory with the parameters (as in PyTorch)
    sd["inp.bias"][0] = 123.0
    assert g.inp.bias[0].item() == 123.0
    kept = g.state_dict(keep_vars=True)
    assert kept["inp.weight"] is g.inp.weight
    compare_forward_backward(*twins(build_net), (5, 4))


def test_load_state_dict_round_trip():
    t, g = twins(build_net)
    g2 = build_net(glasstorch)
    result = g2.load_state_dict(g.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == repr(t.load_state_dict(t.state_dict()))
    for (k, a), (_, b) in zip(g.state_dict().items(), g2.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    # loading copies values: changing the source later does not change the model
    sd = {k: v.clone() for k, v in g.state_dict().items()}
    g2.load_state_dict(sd)
    sd["inp.weight"].zero_()
    assert g2.inp.weight.abs().sum().item() > 0


def _both_errors(t_call, g_call):
    with pytest.raises(Exception) as t_info:
        t_call()
    with pytest.raises(Exception) as g_info:
        g_call()
    assert type(g_info.value) is type(t_info.value)
    return str(t_info.value), str(g_info.value)


def test_load_state_dict_errors_match_pytorch():
    t, g = torch.nn.Linear(4, 2), glasstorch.nn.Linear(4, 2)
    cases = [
        {"weight": np.zeros((3, 4), np.float32)},                                    # missing + size mismatch
        {"weight": np.zeros((2, 4), np.float32)},                                    # missing
        {"weight": np.zeros((2, 4), np.float32), "bias": np.zeros(2, np.float32),
         "extra": np.zeros(1, np.float32), "sub.x": np.zeros(1, np.float32)},        # unexpected
    ]
    for case in cases:
        t_sd = {k: torch.from_numpy(v) for k, v in case.items()}
        g_sd = {k: glasstorch.from_numpy(v.copy()) for k, v in case.items()}
        want, got = _both_errors(lambda: t.load_state_dict(t_sd), lambda: g.load_state_dict(g_sd))
        assert got == want
    assert got.startswith("Error(s) in loading state_dict for Linear:\n\tUnexpected key(s) in state_dict: ")
    # strict=False: the keys are reported, not raised ...
    t_sd = {"weight": torch.zeros(2, 4), "foo": torch.zeros(1)}
    g_sd = {"weight": glasstorch.zeros(2, 4), "foo": glasstorch.zeros(1)}
    t_res, g_res = t.load_state_dict(t_sd, strict=False), g.load_state_dict(g_sd, strict=False)
    assert tuple(g_res) == tuple(t_res) == (["bias"], ["foo"])
    assert repr(g_res) == repr(t_res)
    # ... but a size mismatch still raises
    want, got = _both_errors(lambda: t.load_state_dict({"weight": torch.zeros(3, 4)}, strict=False),
                             lambda: g.load_state_dict({"weight": glasstorch.zeros(3, 4)}, strict=False))
    assert got == want == ("Error(s) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param "
                           "with shape torch.Size([3, 4]) from checkpoint, the shape in current model is "
                           "torch.Size([2, 4]).")
    with pytest.raises(TypeError):
        g.load_state_dict([1, 2])


def test_nested_missing_keys_match_pytorch():
    t, g = build_net(torch), build_net(glasstorch)
    t_sd = {k: v for k, v in t.state_dict().items() if not k.startswith("heads.b")}
    g_sd = {k: to_glass(v) for k, v in t_sd.items()}
    t_sd["blocks.5.fc.weight"] = torch.zeros(1)
    g_sd["blocks.5.fc.weight"] = glasstorch.zeros(1)
    want, got = _both_errors(lambda: t.load_state_dict(t_sd), lambda: g.load_state_dict(g_sd))
    assert got == want
    assert tuple(g.load_state_dict(g_sd, strict=False)) == tuple(t.load_state_dict(t_sd, strict=False))


def test_train_eval_propagate():
    g = build_net(glasstorch)
    assert all(m.training for m in g.modules())
    assert g.eval() is g
    assert not any(m.training for m in g.modules())
    g.blocks.train()
    assert g.blocks[1].fc.training and not g.training and not g.heads["b"][0].training
    g.train()
    assert all(m.training for m in g.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        g.train(1)


def test_zero_grad_and_requires_grad():
    g = build_net(glasstorch)
    g(glasstorch.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in g.parameters())
    g.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in g.parameters())
    g.zero_grad()
    assert all(p.grad is None for p in g.parameters())
    assert g.requires_grad_(False) is g
    assert not any(p.requires_grad for p in g.parameters())
    assert not g(glasstorch.randn(2, 4)).requires_grad
    g.requires_grad_()
    assert all(p.requires_grad for p in g.parameters())


def test_apply_order_matches_pytorch():
    order = {}
    for lib in (torch, glasstorch):
        seen = []
        build_net(lib).apply(lambda m: seen.append(type(m).__name__))
        order[lib.__name__] = seen
    assert order["glasstorch"] == order["torch"]

    def init_linear(m):
        if isinstance(m, glasstorch.nn.Linear):
            glasstorch.nn.init.constant_(m.weight, 0.5)
    g = build_net(glasstorch).apply(init_linear)
    assert (g.blocks[1].fc.weight.detach().numpy() == 0.5).all()


def test_dtype_casts():
    g = build_net(glasstorch)
    g(glasstorch.randn(2, 4)).sum().backward()
    weight = g.inp.weight
    assert g.double() is g
    assert g.inp.weight is weight  # Parameters keep their identity
    assert weight.dtype == glasstorch.float64 and weight.grad.dtype == glasstorch.float64
    assert g.mean.dtype == glasstorch.float64
    assert g.blocks[0].count.dtype == glasstorch.int64  # integer buffers are not cast
    assert g(glasstorch.randn(2, 4, dtype=glasstorch.float64)).dtype == glasstorch.float64
    g.float()
    assert all(p.dtype == glasstorch.float32 for p in g.parameters())
    g.to(glasstorch.float64)
    assert all(p.dtype == glasstorch.float64 for p in g.parameters())
    g.to("cpu", dtype=glasstorch.float32)
    g.to(glasstorch.device("cpu"))
    assert g.cpu() is g and all(p.dtype == glasstorch.float32 for p in g.parameters())
    g.to(glasstorch.zeros(1, dtype=glasstorch.float64))
    assert g.inp.bias.dtype == glasstorch.float64
    with pytest.raises(TypeError, match="only accepts floating point"):
        g.to(glasstorch.int64)
    with pytest.raises(Exception):
        g.cuda()
    m = glasstorch.nn.Linear(2, 2).type(glasstorch.float64)
    assert m.weight.dtype == glasstorch.float64


def test_register_errors_match_pytorch():
    def attempts(lib):
        nn = lib.nn
        return [
            lambda m: m.register_buffer("a.b", lib.zeros(1)),
            lambda m: m.register_buffer("", lib.zeros(1)),
            lambda m: m.register_buffer(3, lib.zeros(1)),
            lambda m: m.register_buffer("x", [1.0]),
            lambda m: m.register_buffer("weight", lib.zeros(1)),
            lambda m: m.register_parameter("p.q", nn.Parameter(lib.zeros(1))),
            lambda m: m.register_parameter("w", lib.zeros(1)),
            lambda m: m.register_parameter("w", nn.Parameter(lib.zeros(1)) * 2),
            lambda m: m.register_parameter("forward", nn.Parameter(lib.zeros(1))),
            lambda m: m.add_module("a.b", nn.ReLU()),
            lambda m: m.add_module("", nn.ReLU()),
            lambda m: m.add_module("r", 3),
            lambda m: m.add_module("weight", nn.ReLU()),
            lambda m: setattr(m, "weight", lib.zeros(2, 2)),
            lambda m: m.get_submodule("nope"),
            lambda m: m.get_parameter("nope"),
            lambda m: m.nope,
        ]
    for i, (t_try, g_try) in enumerate(zip(attempts(torch), attempts(glasstorch))):
        t_m, g_m = torch.nn.Linear(2, 2), glasstorch.nn.Linear(2, 2)
        with pytest.raises(Exception) as t_info:
            t_try(t_m)
        with pytest.raises(Exception) as g_info:
            g_try(g_m)
        assert type(g_info.value) is type(t_info.value), f"case {i}: {g_info.value!r} vs {t_info.value!r}"


def test_attribute_registration():
    nn = glasstorch.nn
    m = nn.Module()
    m.w = nn.Parameter(glasstorch.ones(2))
    m.sub = nn.Linear(2, 2)
    m.register_buffer("buf", glasstorch.zeros(2))
    m.plain = glasstorch.zeros(3)  # a plain tensor is an ordinary attribute
    assert list(m._parameters) == ["w"] and list(m._modules) == ["sub"] and list(m._buffers) == ["buf"]
    assert "plain" not in m.state_dict() and "w" not in m.__dict__
    m.buf = glasstorch.ones(2)  # reassigning a buffer keeps it a buffer
    assert m.state_dict()["buf"].numpy().tolist() == [1.0, 1.0]
    m.w = None  # a parameter may be set to None
    assert m.w is None and "w" not in m.state_dict()
    m.w = nn.Parameter(glasstorch.zeros(1))
    m.sub = None
    assert m.sub is None and names(m.named_children()) == []
    m.sub = nn.Parameter(glasstorch.zeros(1))  # changes kind: module -> parameter
    assert "sub" in m._parameters and "sub" not in m._modules
    del m.sub, m.buf, m.plain
    assert names(m.named_parameters()) == ["w"] and names(m.named_buffers()) == []
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'sub'"):
        m.sub
    m.b = nn.Buffer(glasstorch.ones(2), persistent=False)
    assert type(m.b) is glasstorch.Tensor and "b" in m._buffers and "b" not in m.state_dict()
    assert {"w", "b", "forward"} <= set(dir(m))
    with pytest.raises(AttributeError, match="before Module.__init__"):
        class Bad(nn.Module):
            def __init__(self):
                self.fc = nn.Linear(2, 2)
        Bad()
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(glasstorch.zeros(1))


def test_get_submodule_parameter_buffer():
    g = build_net(glasstorch)
    assert g.get_submodule("blocks.1.fc") is g.blocks[1].fc
    assert g.get_submodule("") is g
    assert g.get_parameter("heads.b.1.bias") is g.heads["b"][1].bias
    assert g.get_buffer("blocks.0.count") is g.blocks[0].count
    with pytest.raises(AttributeError, match="has no attribute `zz`"):
        g.get_submodule("blocks.zz")
    with pytest.raises(AttributeError, match="is not an nn.Module"):
        g.get_submodule("inp.weight")
    with pytest.raises(AttributeError, match="is not an nn.Parameter"):
        g.get_parameter("mean")
    with pytest.raises(AttributeError, match="is not a buffer"):
        g.get_buffer("inp.weight")


def test_forward_hooks():
    m = glasstorch.nn.Linear(3, 2)
    calls = []

    def pre(module, args):
        calls.append("pre")
        return args[0] * 0  # replaces the input (a single value is wrapped into a tuple)

    def post(module, args, output):
        calls.append("post")
        assert module is m and len(args) == 1
        return output + 1

    h1 = m.register_forward_pre_hook(pre)
    h2 = m.register_forward_hook(post)
    y = m(glasstorch.randn(4, 3))
    assert calls == ["pre", "post"]
    np.testing.assert_allclose(y.detach().numpy(), np.broadcast_to(m.bias.detach().numpy() + 1, (4, 2)), rtol=1e-6)
    h1.remove()
    h2.remove()
    h2.remove()  # removing twice is harmless
    x = glasstorch.randn(4, 3)
    np.testing.assert_array_equal(m(x).detach().numpy(), m.forward(x).detach().numpy())
    assert calls == ["pre", "post"]
    order = []
    m.register_forward_hook(lambda *a: order.append(1))
    m.register_forward_hook(lambda *a: order.append(0), prepend=True)
    with m.register_forward_pre_hook(lambda mod, args, kwargs: (args, kwargs), with_kwargs=True):
        m(x)
    m.register_forward_hook(lambda mod, args, kwargs, out: order.append(2), with_kwargs=True)
    m(x)
    assert order == [0, 1, 0, 1, 2]
    assert not m._forward_pre_hooks


def test_repr_matches_pytorch():
    class Custom:
        @staticmethod
        def make(lib):
            nn = lib.nn

            class Wrapper(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.body = nn.Sequential(nn.Linear(4, 3), nn.ReLU(inplace=True), nn.Dropout(0.25),
                                              nn.Sequential(nn.Flatten(), nn.Linear(3, 2, bias=False)))
                    self.none = None
                    self.register_module("empty", None)

                def extra_repr(self):
                    return "first line\nsecond line"

            return Wrapper()

    same_repr(Custom.make(torch), Custom.make(glasstorch))
    same_repr(build_net(torch), build_net(glasstorch))
    same_repr(torch.nn.Module(), glasstorch.nn.Module())


def test_deepcopy_and_parameter():
    g = build_net(glasstorch)
    c = copy.deepcopy(g)
    assert c.inp.weight is not g.inp.weight and isinstance(c.inp.weight, glasstorch.nn.Parameter)
    assert c.shared is c.inp  # sharing survives the copy
    c.inp.weight.data.zero_()
    assert g.inp.weight.abs().sum().item() > 0

    t = glasstorch.tensor([1.0, 2.0])
    p = glasstorch.nn.Parameter(t)
    assert p.requires_grad and p.is_leaf and isinstance(p, glasstorch.Tensor)
    same_repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])), p)
    same_repr(torch.nn.Parameter(torch.tensor([1.0, 2.0]), requires_grad=False),
              glasstorch.nn.Parameter(t, requires_grad=False))
    t[0] = 5.0
    assert p[0].item() == 5.0  # shares memory with the tensor it was made from
    assert type(p * 2) is glasstorch.Tensor and type(p.detach()) is glasstorch.Tensor
    assert glasstorch.nn.Parameter().shape == (0,)
