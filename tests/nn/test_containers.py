"""Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict against PyTorch: the same operations on
both, then the same keys, lengths and reprs."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import glasstorch
from twins import compare_forward_backward, same_repr, twins


def keys(m):
    return list(m.state_dict())


def both(fn):
    """fn(lib) on both libraries; returns (torch result, glasstorch result)."""
    return fn(torch), fn(glasstorch)


def test_sequential_forward_and_repr():
    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1), nn.Linear(8, 3))
    t, g = twins(build)
    t.eval(), g.eval()
    compare_forward_backward(t, g, (6, 4))
    same_repr(t, g)
    assert keys(g) == keys(t) == ["0.weight", "0.bias", "3.weight", "3.bias"]


def test_sequential_ordered_dict_and_nesting():
    def build(lib):
        nn = lib.nn
        return nn.Sequential(OrderedDict([("fc1", nn.Linear(4, 3)), ("act", nn.Tanh()),
                                          ("inner", nn.Sequential(nn.Linear(3, 3), nn.Sigmoid())),
                                          ("fc2", nn.Linear(3, 2))]))
    t, g = twins(build)
    assert keys(g) == keys(t)
    same_repr(t, g)
    compare_forward_backward(t, g, (5, 4))
    assert isinstance(g.fc1, glasstorch.nn.Linear) and g[0] is g.fc1 and g[-1] is g.fc2


def test_sequential_indexing_and_editing():
    def ops(lib):
        nn = lib.nn
        s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 5))
        log = [len(s), type(s[-1]).__name__, type(s[1]).__name__]
        head = s[1:4]
        log += [type(head).__name__, len(head), keys(head), repr(s[::2])]
        s[1] = nn.Sigmoid()
        del s[2]
        log += [keys(s), repr(s)]
        s.append(nn.Linear(5, 1))
        s.insert(0, nn.Identity())
        s.insert(-1, nn.ReLU())
        s.extend(nn.Sequential(nn.Softplus()))
        log += [keys(s), repr(s), [type(m).__name__ for m in s]]
        del s[1:3]
        log += [keys(s), repr(s)]
        popped = s.pop(0)
        log += [type(popped).__name__, len(s)]
        s2 = s + nn.Sequential(nn.ReLU())
        log += [repr(s2), len(s * 2)]
        s += nn.Sequential(nn.ReLU())
        log += [repr(s)]
        return log
    t_log, g_log = both(ops)
    assert len(g_log) == len(t_log)
    for i, (a, b) in enumerate(zip(t_log, g_log)):
        a = a if isinstance(a, str) else a
        assert b == a, f"step {i}:\n{b}\n!=\n{a}"


def test_sequential_errors():
    g = glasstorch.nn.Sequential(glasstorch.nn.ReLU())
    with pytest.raises(IndexError, match="index 3 is out of range"):
        g[3]
    with pytest.raises(IndexError):
        g[-2]
    with pytest.raises(TypeError):
        glasstorch.nn.Sequential(3)
    with pytest.raises(AssertionError):
        g.insert(0, 3)
    with pytest.raises(TypeError):
        glasstorch.nn.Sequential({"a": glasstorch.nn.ReLU()})  # a plain dict is not accepted (as in PyTorch)


def test_module_list():
    def ops(lib):
        nn = lib.nn
        ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        ml.append(nn.ReLU())
        ml.extend([nn.ReLU(), nn.Tanh()])
        ml += [nn.Linear(2, 2)]
        log = [keys(ml), repr(ml), len(ml)]
        ml.insert(1, nn.Sigmoid())
        log += [keys(ml), repr(ml)]
        del ml[0]
        ml[-1] = nn.Linear(2, 3)
        log += [keys(ml), repr(ml), repr(ml[1:3]), type(ml[-2]).__name__]
        del ml[::2]
        log += [keys(ml), repr(ml), repr(nn.ModuleList())]
        return log
    t_log, g_log = both(ops)
    for i, (a, b) in enumerate(zip(t_log, g_log)):
        a = a if isinstance(a, str) else a
        assert b == a, f"step {i}:\n{b}\n!=\n{a}"
    with pytest.raises(TypeError, match="iterable"):
        glasstorch.nn.ModuleList().extend(3)
    with pytest.raises(NotImplementedError):
        glasstorch.nn.ModuleList([glasstorch.nn.ReLU()])(glasstorch.zeros(1))


def test_module_list_repeated_blocks_repr():
    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Linear(3, 3), nn.ModuleList(
            [nn.Sequential(nn.Linear(3, 3), nn.ReLU()) for _ in range(3)] + [nn.Linear(3, 1), nn.Linear(3, 1)]))
    same_repr(build(torch), build(glasstorch))
    assert keys(build(glasstorch)) == keys(build(torch))


def test_module_dict():
    def ops(lib):
        nn = lib.nn
        md = nn.ModuleDict({"b": nn.Linear(2, 2), "a": nn.ReLU()})
        md["c"] = nn.Linear(2, 1)
        md.update([("d", nn.Tanh()), ("b", nn.Linear(2, 4))])
        log = [keys(md), repr(md), list(md), list(md.keys()), len(md), "a" in md, "z" in md]
        popped = md.pop("a")
        del md["d"]
        log += [type(popped).__name__, keys(md), repr(md), [type(v).__name__ for v in md.values()],
                [k for k, _ in md.items()]]
        md.clear()
        log += [len(md), repr(md)]
        return log
    t_log, g_log = both(ops)
    for i, (a, b) in enumerate(zip(t_log, g_log)):
        a = a if isinstance(a, str) else a
        assert b == a, f"step {i}:\n{b}\n!=\n{a}"
    with pytest.raises(ValueError, match="has length 3"):
        glasstorch.nn.ModuleDict([("a", glasstorch.nn.ReLU(), 1)])


def test_parameter_list():
    def ops(lib):
        nn = lib.nn
        pl = nn.ParameterList([nn.Parameter(lib.zeros(3, 4)), lib.ones(2)])  # a tensor becomes a Parameter
        pl.append(nn.Parameter(lib.zeros(5, dtype=lib.float64)))
        pl.extend([nn.Parameter(lib.zeros(1))])
        log = [keys(pl), repr(pl), len(pl), [type(p).__name__ for p in pl], repr(pl[1:3]),
               [n for n, _ in pl.named_parameters()], repr(nn.ParameterList([lib.zeros(2)]))]
        pl[0] = lib.ones(3, 4)
        log += [type(pl[0]).__name__, pl[-1].shape == (1,)]
        return log
    t_log, g_log = both(ops)
    for i, (a, b) in enumerate(zip(t_log, g_log)):
        a = a if isinstance(a, str) else a
        assert b == a, f"step {i}:\n{b}\n!=\n{a}"
    with pytest.raises(RuntimeError, match="should not be called"):
        glasstorch.nn.ParameterList()(1)


def test_parameter_dict():
    def ops(lib):
        nn = lib.nn
        pd = nn.ParameterDict({"w": nn.Parameter(lib.zeros(3, 4)), "b": lib.zeros(4)})
        pd["s"] = nn.Parameter(lib.ones(1, dtype=lib.float64))
        pd.update({"t": lib.zeros(2)})
        log = [keys(pd), repr(pd), len(pd), list(pd), list(pd.keys()), "w" in pd,
               [type(v).__name__ for v in pd.values()]]
        p = pd.pop("b")
        log += [type(p).__name__, keys(pd), repr(pd), pd.get("zz") is None]
        log += [repr(nn.ParameterDict({"a": lib.zeros(2)}))]
        return log
    t_log, g_log = both(ops)
    for i, (a, b) in enumerate(zip(t_log, g_log)):
        a = a if isinstance(a, str) else a
        assert b == a, f"step {i}:\n{b}\n!=\n{a}"
    with pytest.raises(TypeError, match="not a string"):
        glasstorch.nn.ParameterDict()[1] = glasstorch.zeros(1)


def test_containers_train_together():
    """Parameters inside containers get gradients and the same values as PyTorch's."""
    def build(lib):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.layers = nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 3)])
                self.heads = nn.ModuleDict({"x": nn.Linear(3, 2)})
                self.scales = nn.ParameterList([nn.Parameter(lib.ones(3)), nn.Parameter(lib.ones(3) * 2)])
                self.biases = nn.ParameterDict({"out": nn.Parameter(lib.zeros(2))})

            def forward(self, x):
                for layer, s in zip(self.layers, self.scales):
                    x = lib.tanh(layer(x)) * s
                return self.heads["x"](x) + self.biases["out"]
        return Net()
    t, g = twins(build)
    assert keys(g) == keys(t)
    compare_forward_backward(t, g, (4, 3))
    np.testing.assert_array_equal(g.scales[1].detach().numpy(), 2.0)
