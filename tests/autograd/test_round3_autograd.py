"""The rest of torch.autograd (Variable, functional, graph, profiler, flags), torch.func and
torch.utils.checkpoint, against PyTorch."""
import warnings

import numpy as np
import pytest
import torch

import glasstorch
import glasstorch.autograd.functional as gfunctional
import glasstorch.utils.checkpoint as gcheckpoint
import torch.utils.checkpoint  # noqa: F401

LIBS = [torch, glasstorch]


def _t(lib, a, grad=False):
    return lib.tensor(np.asarray(a, np.float32), requires_grad=grad)


# -- Variable --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lib", LIBS)
def test_variable_returns_a_tensor(lib):
    x = lib.tensor([1.0, 2.0])
    v = lib.autograd.Variable(x, requires_grad=True)
    assert isinstance(v, lib.Tensor) and isinstance(v, lib.autograd.Variable) and isinstance(x, lib.autograd.Variable)
    assert v.requires_grad and v.is_leaf and v.grad_fn is None
    assert not lib.autograd.Variable(x).requires_grad
    assert lib.autograd.variable.Variable is lib.autograd.Variable
    assert not isinstance(3.0, lib.autograd.Variable)
    (v * v).sum().backward()
    assert v.grad.tolist() == [2.0, 4.0]


# -- functional ------------------------------------------------------------------------------------------
def _f1(lib):
    return lambda x: (x ** 2).sin() * 3


def _f2(lib):
    return lambda x, y: (x @ y, (x * 2).sum())


A = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
B = np.random.default_rng(1).standard_normal((3, 2)).astype(np.float32)


def _close(a, b):
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _close(u, v)
    else:
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_jacobian_single_and_tuple():
    _close(gfunctional.jacobian(_f1(glasstorch), _t(glasstorch, A)),
           torch.autograd.functional.jacobian(_f1(torch), _t(torch, A)))
    _close(gfunctional.jacobian(_f2(glasstorch), (_t(glasstorch, A), _t(glasstorch, B))),
           torch.autograd.functional.jacobian(_f2(torch), (_t(torch, A), _t(torch, B))))
    _close(gfunctional.jacobian(_f1(glasstorch), (_t(glasstorch, A),)),
           torch.autograd.functional.jacobian(_f1(torch), (_t(torch, A),)))


def test_jacobian_unused_input_is_zero_or_strict_error():
    f = (lambda x, y: x.exp())
    for lib in LIBS:
        j = lib.autograd.functional.jacobian(f, (_t(lib, [1.0, 2.0]), _t(lib, [3.0])))
        assert j[1].tolist() == [[0.0], [0.0]]
        with pytest.raises(RuntimeError):
            lib.autograd.functional.jacobian(f, (_t(lib, [1.0, 2.0]), _t(lib, [3.0])), strict=True)


def test_vjp_and_jvp():
    v = np.ones((2, 3), np.float32) * 0.5
    out_t, g_t = torch.autograd.functional.vjp(_f1(torch), _t(torch, A), _t(torch, v))
    out_g, g_g = gfunctional.vjp(_f1(glasstorch), _t(glasstorch, A), _t(glasstorch, v))
    _close(out_g, out_t)
    _close(g_g, g_t)
    _close(gfunctional.vjp(lambda x: x.sum(), _t(glasstorch, A))[1],
           torch.autograd.functional.vjp(lambda x: x.sum(), _t(torch, A))[1])
    out_t, j_t = torch.autograd.functional.jvp(_f1(torch), _t(torch, A), _t(torch, v))
    out_g, j_g = gfunctional.jvp(_f1(glasstorch), _t(glasstorch, A), _t(glasstorch, v))
    _close(out_g, out_t)
    _close(j_g, j_t)
    args_t, args_g = (_t(torch, A), _t(torch, B)), (_t(glasstorch, A), _t(glasstorch, B))
    vs_t, vs_g = (_t(torch, v), _t(torch, B)), (_t(glasstorch, v), _t(glasstorch, B))
    _close(gfunctional.jvp(_f2(glasstorch), args_g, vs_g), torch.autograd.functional.jvp(_f2(torch), args_t, vs_t))
    _close(gfunctional.vjp(_f2(glasstorch), args_g, (_t(glasstorch, np.ones((2, 2))), _t(glasstorch, 1.0))),
           torch.autograd.functional.vjp(_f2(torch), args_t, (_t(torch, np.ones((2, 2))), _t(torch, 1.0))))


def test_vjp_without_v_needs_a_scalar():
    for lib in LIBS:
        with pytest.raises(RuntimeError, match="v can only be None"):
            lib.autograd.functional.vjp(lambda x: x * 2, _t(lib, [1.0, 2.0]))


def test_second_derivatives_are_not_supported():
    x = _t(glasstorch, [1.0, 2.0])
    for fn in (gfunctional.hessian, gfunctional.hvp, gfunctional.vhp):
        with pytest.raises(NotImplementedError, match="double backward"):
            fn(lambda a: (a ** 3).sum(), x, *([x] if fn is not gfunctional.hessian else []))
    with pytest.raises(NotImplementedError):
        glasstorch.autograd.gradgradcheck(lambda a: a * 2, (x,))
    with pytest.raises(NotImplementedError, match="forward-mode"):
        with glasstorch.autograd.forward_ad.dual_level():
            pass


# -- graph -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lib", LIBS)
def test_node_type_and_gradient_edge(lib):
    x = lib.randn(2, requires_grad=True)
    y = x.exp()
    assert isinstance(y.grad_fn, lib.autograd.graph.Node)
    assert not isinstance(3, lib.autograd.graph.Node)
    edge = lib.autograd.graph.get_gradient_edge(y)
    assert edge.node is y.grad_fn and edge.output_nr == 0
    assert lib.autograd.graph.get_gradient_edge(x).node.name() == "torch::autograd::AccumulateGrad"
    v = x._version
    lib.autograd.graph.increment_version(x)
    assert x._version == v + 1


@pytest.mark.parametrize("lib", LIBS)
def test_save_on_cpu_is_plain(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    with lib.autograd.graph.save_on_cpu():
        y = (x * x).sum()
    y.backward()
    assert x.grad.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("lib", LIBS)
def test_disable_saved_tensors_hooks(lib):
    with lib.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="no hooks here"):
            with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass


def test_saved_tensors_hooks_not_supported():
    with pytest.raises(NotImplementedError):
        with glasstorch.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            pass


@pytest.mark.parametrize("lib", LIBS)
def test_register_multi_grad_hook(lib):
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0], requires_grad=True)
    c = lib.tensor([5.0], requires_grad=True)
    calls = []
    lib.autograd.graph.register_multi_grad_hook(
        (a, b, c), lambda grads: calls.append([None if g is None else g.tolist() for g in grads]))
    ((a * 2).sum() + (b * 3).sum()).backward()
    assert calls == [[[2.0, 2.0], [3.0], None]]
    anys = []
    lib.autograd.graph.register_multi_grad_hook((a, b), lambda g: anys.append(g.tolist()), mode="any")
    ((a * 2).sum() + (b * 3).sum()).backward()
    ((a * 4).sum()).backward()
    assert len(anys) == 2 and anys[1] == [4.0, 4.0]


# -- flags -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lib", LIBS)
def test_flags(lib):
    ag = lib.autograd
    assert ag.is_multithreading_enabled() is True
    with ag.set_multithreading_enabled(False):
        assert ag.is_multithreading_enabled() is False
    assert ag.is_multithreading_enabled() is True
    assert ag.is_view_replay_enabled() is False
    with ag.enforce_grad_layout_policy(True):
        pass
    assert ag.anomaly_mode.detect_anomaly is ag.detect_anomaly
    assert ag.grad_mode.no_grad is ag.no_grad


def test_kineto_and_legacy_names():
    assert glasstorch.autograd.kineto_available() is False
    with pytest.raises(NotImplementedError):
        glasstorch.autograd.NestedIOFunction()
    assert isinstance(glasstorch.autograd.SavedTensor, type)


# -- profiler --------------------------------------------------------------------------------------------
def test_profiler_records_ops_and_record_function():
    x = glasstorch.randn(8, 8, requires_grad=True)
    with glasstorch.autograd.profiler.profile(record_shapes=True) as prof:
        with glasstorch.autograd.profiler.record_function("my_block"):
            y = (x @ x).relu().sum()
        y.backward()
    ops = {r["op"]: r for r in prof.rows}
    assert {"my_block", "Mm", "Relu", "Sum"} <= set(ops)
    assert ops["my_block"]["calls"] == 1 and ops["Relu"]["backward_calls"] == 1
    assert "my_block" in prof.key_averages().table(sort_by="calls")

    @glasstorch.autograd.profiler.record_function("decorated")
    def f(a):
        return a * 2

    with glasstorch.autograd.profiler.profile() as prof2:
        f(x)
        f(x)
    assert {r["op"]: r["calls"] for r in prof2.rows}["decorated"] == 2
    with glasstorch.autograd.profiler.profile(enabled=False) as prof3:
        f(x)
    assert prof3.rows == []


# -- checkpoint ------------------------------------------------------------------------------------------
def _net(lib, dropout=0.0):
    lib.manual_seed(3)
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Dropout(dropout), lib.nn.Linear(8, 3))


def _weights_like(src, dst):
    for p, q in zip(src.parameters(), dst.parameters()):
        q.data = glasstorch.tensor(p.detach().numpy())


X = np.random.default_rng(5).standard_normal((5, 4)).astype(np.float32)


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_gradients_equal_plain_backward(reentrant):
    tnet, gnet = _net(torch), _net(glasstorch)
    _weights_like(tnet, gnet)
    xt, xg = _t(torch, X, True), _t(glasstorch, X, True)
    torch.utils.checkpoint.checkpoint(tnet, xt, use_reentrant=reentrant).pow(2).sum().backward()
    out = gcheckpoint.checkpoint(gnet, xg, use_reentrant=reentrant)
    assert out.grad_fn.name() == "CheckpointFunctionBackward"
    out.pow(2).sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    for p, q in zip(tnet.parameters(), gnet.parameters()):
        np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_checkpoint_keeps_no_activations():
    gnet = _net(glasstorch)
    out = gcheckpoint.checkpoint(gnet, _t(glasstorch, X, True), use_reentrant=False)
    assert [n for n, _ in out.grad_fn.next_functions] and out.grad_fn.next_functions[0][0].name().endswith(
        "AccumulateGrad")  # the block's ops are not in the graph


def test_checkpoint_replays_dropout():
    gnet = _net(glasstorch, dropout=0.5)
    glasstorch.manual_seed(11)
    x1 = _t(glasstorch, X, True)
    out = gcheckpoint.checkpoint(gnet, x1, use_reentrant=False)
    out.sum().backward()
    glasstorch.manual_seed(11)
    x2 = _t(glasstorch, X, True)
    for p in gnet.parameters():
        p.grad = None
    ref = gnet(x2)
    ref.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy())
    np.testing.assert_allclose(x1.grad.numpy(), x2.grad.numpy(), rtol=1e-6)


def test_checkpoint_tuple_outputs_and_kwargs_and_no_grad_inputs():
    def f(a, b):
        return a * b, (a + b).exp()

    results = []
    for lib, cp in ((torch, torch.utils.checkpoint), (glasstorch, gcheckpoint)):
        a, b = _t(lib, [1.0, 2.0], True), _t(lib, [0.5, -1.0], True)
        u, v = cp.checkpoint(f, a, b, use_reentrant=True)
        (u.sum() + v.sum()).backward()
        results.append((a.grad.tolist(), b.grad.tolist()))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6)
    for lib, cp in ((torch, torch.utils.checkpoint), (glasstorch, gcheckpoint)):
        with pytest.raises(ValueError, match="Unexpected keyword arguments"):
            cp.checkpoint(f, _t(lib, [1.0], True), b=_t(lib, [1.0]), use_reentrant=True)
        with pytest.warns(UserWarning, match="None of the inputs have requires_grad"):
            out = cp.checkpoint(lambda a: a * 2, _t(lib, [1.0]), use_reentrant=True)
        assert not out.requires_grad
        with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
            cp.checkpoint(lambda a: a * 2, _t(lib, [1.0], True))


def test_checkpoint_sequential_equals_plain():
    tnet, gnet = _net(torch), _net(glasstorch)
    _weights_like(tnet, gnet)
    xt, xg = _t(torch, X, True), _t(glasstorch, X, True)
    torch.utils.checkpoint.checkpoint_sequential(tnet, 2, xt, use_reentrant=False).sum().backward()
    gcheckpoint.checkpoint_sequential(gnet, 2, xg, use_reentrant=False).sum().backward()
    np.testing.assert_allclose(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    for p, q in zip(tnet.parameters(), gnet.parameters()):
        np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-5, atol=1e-6)


# -- torch.func ------------------------------------------------------------------------------------------
def test_functional_call():
    tnet, gnet = _net(torch), _net(glasstorch)
    xt, xg = _t(torch, X), _t(glasstorch, X)
    params_t = {k: v.detach() * 0 + 0.1 for k, v in tnet.named_parameters()}
    params_g = {k: v.detach() * 0 + 0.1 for k, v in gnet.named_parameters()}
    _close(glasstorch.func.functional_call(gnet, params_g, (xg,)), torch.func.functional_call(tnet, params_t, (xt,)))
    _close(glasstorch.func.functional_call(gnet, params_g, xg), torch.func.functional_call(tnet, params_t, xt))
    assert float(gnet[0].weight.detach().abs().sum()) != 0.1 * 32  # restored afterwards
    with pytest.raises(RuntimeError):
        glasstorch.func.functional_call(gnet, {"0.weight": params_g["0.weight"]}, xg, strict=True)


def test_func_grad_vjp_jacrev():
    f = lambda lib: (lambda x, y: ((x * y).sin()).sum())  # noqa: E731
    a, b = np.array([0.5, 1.0, 2.0], np.float32), np.array([1.5, -1.0, 0.3], np.float32)
    _close(glasstorch.func.grad(f(glasstorch))(_t(glasstorch, a), _t(glasstorch, b)),
           torch.func.grad(f(torch))(_t(torch, a), _t(torch, b)))
    _close(glasstorch.func.grad(f(glasstorch), argnums=(0, 1))(_t(glasstorch, a), _t(glasstorch, b)),
           torch.func.grad(f(torch), argnums=(0, 1))(_t(torch, a), _t(torch, b)))
    g, v = glasstorch.func.grad_and_value(f(glasstorch))(_t(glasstorch, a), _t(glasstorch, b))
    gt, vt = torch.func.grad_and_value(f(torch))(_t(torch, a), _t(torch, b))
    _close((g, v), (gt, vt))
    out, fn = glasstorch.func.vjp(lambda x: x.exp() * 2, _t(glasstorch, a))
    out_t, fn_t = torch.func.vjp(lambda x: x.exp() * 2, _t(torch, a))
    _close(out, out_t)
    _close(fn(_t(glasstorch, b)), fn_t(_t(torch, b)))
    _close(glasstorch.func.jacrev(lambda x: x.exp() * x.sum())(_t(glasstorch, a)),
           torch.func.jacrev(lambda x: x.exp() * x.sum())(_t(torch, a)))
    _close(glasstorch.func.jacrev(lambda x, y: x * y, argnums=1)(_t(glasstorch, a), _t(glasstorch, b)),
           torch.func.jacrev(lambda x, y: x * y, argnums=1)(_t(torch, a), _t(torch, b)))
    _close(glasstorch.func.jvp(lambda x: x.exp(), (_t(glasstorch, a),), (_t(glasstorch, b),)),
           torch.func.jvp(lambda x: x.exp(), (_t(torch, a),), (_t(torch, b),)))
    g, aux = glasstorch.func.grad(lambda x: (x.sum(), x * 2), has_aux=True)(_t(glasstorch, a))
    assert g.tolist() == [1.0, 1.0, 1.0] and aux.tolist() == [1.0, 2.0, 4.0]
