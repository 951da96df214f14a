"""nn.utils against PyTorch: parametrize, weight/spectral norm (old and new), prune, fusion, functional_call,
skip_init, gradient clipping."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.utils.prune  # noqa: F401  (PyTorch does not import it by itself)

import glasstorch
from tests.nn.twins import to_glass, twins

TOL = dict(rtol=1e-4, atol=1e-5)
LIBS = (torch, glasstorch)


def _close(g, t, tol=TOL):
    np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), **tol)


def _input(lib, *shape, seed=0):
    return lib.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32), requires_grad=True)


def _grads(model):
    return {n: p.grad for n, p in model.named_parameters()}


# -- parametrize ------------------------------------------------------------------------------------------
def _symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(-1, -2)

    return Symmetric()


def _scale(lib):
    class Scale(lib.nn.Module):
        def forward(self, x):
            return 2 * x

        def right_inverse(self, x):
            return x / 2

    return Scale()


def test_register_parametrization_matches_pytorch():
    res = {}
    for lib in LIBS:
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 3)
        with lib.no_grad():
            m.weight.copy_(lib.tensor(np.arange(9, dtype=np.float32).reshape(3, 3) / 10))
        P = lib.nn.utils.parametrize
        P.register_parametrization(m, "weight", _symmetric(lib))
        P.register_parametrization(m, "weight", _scale(lib))
        assert type(m).__name__ == "ParametrizedLinear"
        assert P.is_parametrized(m) and P.is_parametrized(m, "weight") and not P.is_parametrized(m, "bias")
        assert P.type_before_parametrizations(m) is lib.nn.Linear
        keys = list(m.state_dict().keys())
        names = [n for n, _ in m.named_parameters()]
        x = _input(lib, 2, 3)
        m(x).sum().backward()
        w = m.weight.detach().clone()
        grad = m.parametrizations.weight.original.grad.clone()
        with pytest.raises(RuntimeError, match="does not implement right_inverse"):
            m.weight = lib.ones(3, 3)      # Symmetric has no right_inverse
        with P.cached():
            assert m.weight is m.weight
        m2 = P.register_parametrization(lib.nn.Linear(2, 2), "weight", _scale(lib))
        m2.weight = lib.ones(2, 2)         # right_inverse: original = ones / 2
        res[lib] = keys, names, w, grad, m2.parametrizations.weight.original.detach().clone(), x.grad
        P.remove_parametrizations(m, "weight", leave_parametrized=True)
        assert type(m) is lib.nn.Linear and isinstance(m.weight, lib.nn.Parameter)
        res[lib] += (m.weight.detach().clone(),)
    t, g = res[torch], res[glasstorch]
    assert g[0] == t[0] and g[1] == t[1]
    for a, b in zip(g[2:], t[2:]):
        _close(a, b)


def test_parametrization_errors():
    for lib in LIBS:
        m = lib.nn.Linear(2, 3)

        class Shrink(lib.nn.Module):
            def forward(self, x):
                return x[:1]

        with pytest.raises(ValueError, match="may not change the shape"):
            lib.nn.utils.parametrize.register_parametrization(m, "weight", Shrink())
        with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element"):
            lib.nn.utils.parametrize.register_parametrization(m, "nope", _scale(lib))
        with pytest.raises(ValueError, match="does not have a parametrization on weight"):
            lib.nn.utils.parametrize.remove_parametrizations(m, "weight")


# -- weight norm and spectral norm ------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, None])
def test_parametrizations_weight_norm(dim):
    t_model, g_model = twins(lambda lib: lib.nn.Conv1d(2, 3, 2))
    res = {}
    for lib, m in ((torch, t_model), (glasstorch, g_model)):
        lib.nn.utils.parametrizations.weight_norm(m, dim=dim)
        keys = list(m.state_dict().keys())
        x = _input(lib, 2, 2, 5)
        y = m(x)
        (y * y).sum().backward()
        res[lib] = keys, y, m.parametrizations.weight.original0.grad, m.parametrizations.weight.original1.grad, x.grad
    t, g = res[torch], res[glasstorch]
    assert g[0] == t[0]
    for a, b in zip(g[1:], t[1:]):
        _close(a, b)
    sd = {k: to_glass(v) for k, v in t_model.state_dict().items()}
    g_model.load_state_dict(sd)


def test_weight_norm_old_checkpoint_keys_load():
    for lib in LIBS:
        m = lib.nn.Linear(3, 2)
        lib.nn.utils.parametrizations.weight_norm(m)
        g = lib.ones(2, 1)
        v = lib.full((2, 3), 2.0)
        m.load_state_dict({"weight_g": g, "weight_v": v, "bias": lib.zeros(2)})
        _close(m.weight, torch.full((2, 3), 1 / np.sqrt(3)))


@pytest.mark.parametrize("dim", [0, None])
def test_old_weight_norm(dim):
    t_model, g_model = twins(lambda lib: lib.nn.Linear(3, 4))
    res = {}
    for lib, m in ((torch, t_model), (glasstorch, g_model)):
        with pytest.warns(FutureWarning, match="deprecated"):
            lib.nn.utils.weight_norm(m, dim=dim)
        keys = list(m.state_dict().keys())
        x = _input(lib, 2, 3)
        y = m(x)
        (y * y).sum().backward()
        res[lib] = keys, y, m.weight_g.grad, m.weight_v.grad
        with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
            lib.nn.utils.weight_norm(m, dim=dim)
        lib.nn.utils.remove_weight_norm(m)
        assert isinstance(m.weight, lib.nn.Parameter) and "weight_g" not in dict(m.named_parameters())
        res[lib] += (m.weight,)
    t, g = res[torch], res[glasstorch]
    assert g[0] == t[0]
    for a, b in zip(g[1:], t[1:]):
        _close(a, b)


@pytest.mark.parametrize("layer", ["linear", "conv", "convT"])
def test_parametrizations_spectral_norm(layer):
    build = {"linear": lambda lib: lib.nn.Linear(4, 3), "conv": lambda lib: lib.nn.Conv2d(2, 3, 2),
             "convT": lambda lib: lib.nn.ConvTranspose2d(2, 3, 2)}[layer]
    shape = (2, 4) if layer == "linear" else (1, 2, 4, 4)
    torch_model = build(torch)
    torch.nn.utils.parametrizations.spectral_norm(torch_model)
    glass_model = build(glasstorch)
    glasstorch.nn.utils.parametrizations.spectral_norm(glass_model)
    sd = torch_model.state_dict()
    assert list(glass_model.state_dict().keys()) == list(sd.keys())
    glass_model.load_state_dict({k: to_glass(v) for k, v in sd.items()})   # same u, v, weight
    for train in (True, False):
        torch_model.train(train)
        glass_model.train(train)
        res = {}
        for lib, m in ((torch, torch_model), (glasstorch, glass_model)):
            m.zero_grad()
            x = _input(lib, *shape)
            y = m(x)
            (y * y).sum().backward()
            res[lib] = y, m.parametrizations.weight.original.grad, m.parametrizations.weight[0]._u
        for a, b in zip(res[glasstorch], res[torch]):
            _close(a, b)


def test_old_spectral_norm():
    torch_model = torch.nn.Linear(4, 3)
    torch.nn.utils.spectral_norm(torch_model)
    glass_model = glasstorch.nn.Linear(4, 3)
    glasstorch.nn.utils.spectral_norm(glass_model)
    sd = torch_model.state_dict()
    assert list(glass_model.state_dict().keys()) == list(sd.keys())
    assert glass_model.state_dict()._metadata[""]["spectral_norm"] == sd._metadata[""]["spectral_norm"]
    glass_model.load_state_dict({k: to_glass(v) for k, v in sd.items()})
    res = {}
    for lib, m in ((torch, torch_model), (glasstorch, glass_model)):
        x = _input(lib, 2, 4)
        y = m(x)
        (y * y).sum().backward()
        res[lib] = [y, m.weight_orig.grad, m.weight_u]
        with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
            lib.nn.utils.spectral_norm(m)
        lib.nn.utils.remove_spectral_norm(m)
        res[lib].append(m.weight)
        assert "weight_orig" not in dict(m.named_parameters()) and not m._state_dict_hooks
    for a, b in zip(res[glasstorch], res[torch]):
        _close(a, b)


# -- prune ------------------------------------------------------------------------------------------------
def _pruned_pair(build, fn):
    t_model, g_model = twins(build)
    fn(torch, t_model)
    fn(glasstorch, g_model)
    return t_model, g_model


@pytest.mark.parametrize("case", ["identity", "l1_float", "l1_int", "ln_structured", "ln_inf_dim1", "custom",
                                  "iterative", "l1_scores"])
def test_prune_deterministic_methods(case):
    P = {
        "identity": lambda lib, m: lib.nn.utils.prune.identity(m, "weight"),
        "l1_float": lambda lib, m: lib.nn.utils.prune.l1_unstructured(m, "weight", amount=0.3),
        "l1_int": lambda lib, m: lib.nn.utils.prune.l1_unstructured(m, "bias", amount=2),
        "ln_structured": lambda lib, m: lib.nn.utils.prune.ln_structured(m, "weight", amount=0.5, n=2, dim=0),
        "ln_inf_dim1": lambda lib, m: lib.nn.utils.prune.ln_structured(m, "weight", amount=1, n=float("inf"),
                                                                      dim=1),
        "custom": lambda lib, m: lib.nn.utils.prune.custom_from_mask(
            m, "weight", lib.tensor(np.arange(12).reshape(4, 3) % 3 != 0)),
        "iterative": lambda lib, m: (lib.nn.utils.prune.l1_unstructured(m, "weight", amount=3),
                                     lib.nn.utils.prune.ln_structured(m, "weight", amount=1, n=1, dim=0),
                                     lib.nn.utils.prune.l1_unstructured(m, "weight", amount=0.25)),
        "l1_scores": lambda lib, m: lib.nn.utils.prune.l1_unstructured(
            m, "weight", amount=5, importance_scores=lib.tensor(np.arange(12, 0, -1.0).reshape(4, 3))),
    }[case]
    t_model, g_model = _pruned_pair(lambda lib: lib.nn.Linear(3, 4), P)
    name = "bias" if case == "l1_int" else "weight"
    assert [n for n, _ in g_model.named_parameters()] == [n for n, _ in t_model.named_parameters()]
    assert list(g_model.state_dict().keys()) == list(t_model.state_dict().keys())
    _close(getattr(g_model, name + "_mask"), getattr(t_model, name + "_mask"))
    assert glasstorch.nn.utils.prune.is_pruned(g_model)
    for lib, m in ((torch, t_model), (glasstorch, g_model)):
        m(_input(lib, 2, 3)).sum().backward()
    _close(getattr(g_model, name + "_orig").grad, getattr(t_model, name + "_orig").grad)
    hook_t = [type(h).__name__ for h in t_model._forward_pre_hooks.values()]
    hook_g = [type(h).__name__ for h in g_model._forward_pre_hooks.values()]
    assert hook_g == hook_t
    for lib, m in ((torch, t_model), (glasstorch, g_model)):
        lib.nn.utils.prune.remove(m, name)
        assert not lib.nn.utils.prune.is_pruned(m)
    _close(getattr(g_model, name), getattr(t_model, name))
    assert isinstance(getattr(g_model, name), glasstorch.nn.Parameter)


def test_prune_global_unstructured_and_random_counts():
    t_model, g_model = twins(lambda lib: lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Linear(4, 2)))
    for lib, m in ((torch, t_model), (glasstorch, g_model)):
        lib.nn.utils.prune.global_unstructured([(m[0], "weight"), (m[1], "weight")],
                                               pruning_method=lib.nn.utils.prune.L1Unstructured, amount=0.4)
    for i in (0, 1):
        _close(g_model[i].weight_mask, t_model[i].weight_mask)
    m = glasstorch.nn.Linear(5, 4)
    glasstorch.nn.utils.prune.random_unstructured(m, "weight", amount=0.25)
    assert int((m.weight_mask == 0).sum()) == 5
    glasstorch.nn.utils.prune.random_structured(m, "weight", amount=2, dim=1)
    dead_columns = (m.weight_mask.sum(0) == 0).sum()
    assert int(dead_columns) >= 2


def test_prune_errors():
    for lib in LIBS:
        m = lib.nn.Linear(2, 2)
        with pytest.raises(ValueError, match="should either be a float in the range"):
            lib.nn.utils.prune.l1_unstructured(m, "weight", amount=1.5)
        with pytest.raises(ValueError, match="should be smaller than the number of parameters"):
            lib.nn.utils.prune.l1_unstructured(m, "weight", amount=9)
        assert "weight" in dict(m.named_parameters())      # restored after the failure
        with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
            lib.nn.utils.prune.remove(m, "weight")
        with pytest.raises(ValueError, match="Structured pruning can only be applied"):
            lib.nn.utils.prune.ln_structured(m, "bias", amount=1, n=2, dim=0)


# -- fusion -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["conv", "convT", "linear", "linear_nobias"])
def test_fusion(kind):
    def build(lib):
        if kind == "conv":
            a, bn = lib.nn.Conv2d(2, 3, 2), lib.nn.BatchNorm2d(3)
        elif kind == "convT":
            a, bn = lib.nn.ConvTranspose2d(2, 3, 2), lib.nn.BatchNorm2d(3)
        else:
            a, bn = lib.nn.Linear(3, 4, bias=kind == "linear"), lib.nn.BatchNorm1d(4)
        return lib.nn.Sequential(a, bn)

    t_model, g_model = twins(build)
    rng = np.random.default_rng(3)
    for m in (t_model, g_model):   # non-trivial running statistics and affine parameters
        lib = torch if m is t_model else glasstorch
        bn = m[1]
        with lib.no_grad():
            bn.running_mean.copy_(lib.tensor(np.linspace(-1, 1, bn.num_features).astype(np.float32)))
            bn.running_var.copy_(lib.tensor(np.linspace(0.5, 2, bn.num_features).astype(np.float32)))
            bn.weight.copy_(lib.tensor(np.linspace(0.3, 1.7, bn.num_features).astype(np.float32)))
        m.eval()
    shape = (2, 3) if kind.startswith("linear") else (1, 2, 4, 4)
    x = rng.standard_normal(shape).astype(np.float32)
    res = {}
    for lib, m in ((torch, t_model), (glasstorch, g_model)):
        U = lib.nn.utils
        if kind.startswith("linear"):
            fused = U.fuse_linear_bn_eval(m[0], m[1])
        else:
            fused = U.fuse_conv_bn_eval(m[0], m[1], transpose=kind == "convT")
        res[lib] = fused(lib.tensor(x)), m(lib.tensor(x)), fused.weight, fused.bias
        with pytest.raises(AssertionError, match="Fusion only for eval!"):
            m.train()
            (U.fuse_linear_bn_eval if kind.startswith("linear") else U.fuse_conv_bn_eval)(m[0], m[1])
    for a, b in zip(res[glasstorch], res[torch]):
        _close(a, b)
    _close(res[glasstorch][0], res[glasstorch][1])


# -- functional_call, skip_init, memory format ------------------------------------------------------------
def test_functional_call():
    t_model, g_model = twins(lambda lib: lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.BatchNorm1d(2)))
    rng = np.random.default_rng(0)
    w = rng.standard_normal((2, 3)).astype(np.float32)
    res = {}
    for lib, m in ((torch, t_model), (glasstorch, g_model)):
        wt = lib.tensor(w, requires_grad=True)
        before = m[0].weight
        y = lib.nn.utils.stateless.functional_call(m, {"0.weight": wt}, (_input(lib, 4, 3),))
        y.sum().backward()
        assert m[0].weight is before and m[0].weight.grad is None
        res[lib] = y, wt.grad, m[0].bias.grad, m[1].running_mean
        with pytest.raises(RuntimeError, match="Missing key"):
            lib.nn.utils.stateless.functional_call(m, {"0.weight": wt}, (_input(lib, 4, 3),), strict=True)
    for a, b in zip(res[glasstorch], res[torch]):
        _close(a, b)


def test_functional_call_tied_weights():
    for lib in LIBS:
        m = lib.nn.Sequential(lib.nn.Linear(2, 2, bias=False), lib.nn.Linear(2, 2, bias=False))
        m[1].weight = m[0].weight
        y = lib.nn.utils.stateless.functional_call(m, {"0.weight": lib.eye(2) * 2}, (lib.ones(1, 2),))
        assert y.tolist() == [[4.0, 4.0]]
        y = lib.nn.utils.stateless.functional_call(m, {"0.weight": lib.eye(2) * 2}, (lib.ones(1, 2),),
                                                   tie_weights=False)
        assert y.shape == (1, 2)


def test_skip_init_and_memory_format():
    m = glasstorch.nn.utils.skip_init(glasstorch.nn.Linear, 3, 2)
    assert type(m) is glasstorch.nn.Linear and m.weight.shape == (2, 3) and m.weight.requires_grad
    for lib in LIBS:
        with pytest.raises(RuntimeError, match="Expected a Module"):
            lib.nn.utils.skip_init(int)
        conv = lib.nn.Conv2d(1, 1, 1)
        assert lib.nn.utils.convert_conv2d_weight_memory_format(conv, lib.channels_last) is conv


# -- clipping and vectors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf"), 3])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    t_model, g_model = twins(lambda lib: lib.nn.Linear(3, 2))
    res = {}
    for lib, m in ((torch, t_model), (glasstorch, g_model)):
        (m(_input(lib, 4, 3)) ** 2).sum().backward()
        total = lib.nn.utils.clip_grad_norm_(m.parameters(), max_norm, norm_type=norm_type, foreach=False)
        res[lib] = total, m.weight.grad, m.bias.grad
    for a, b in zip(res[glasstorch], res[torch]):
        _close(a, b)


def test_clip_grad_value_total_norm_and_errors():
    t_model, g_model = twins(lambda lib: lib.nn.Linear(3, 2))
    res = {}
    for lib, m in ((torch, t_model), (glasstorch, g_model)):
        (m(_input(lib, 4, 3)) ** 2).sum().backward()
        grads = [p.grad for p in m.parameters()]
        total = lib.nn.utils.get_total_norm(grads)
        lib.nn.utils.clip_grads_with_norm_(m.parameters(), 1.0, total)
        lib.nn.utils.clip_grad_value_(m.parameters(), 0.1)
        res[lib] = total, m.weight.grad, m.bias.grad
        m.weight.grad[0, 0] = float("nan")
        with pytest.raises(RuntimeError, match="non-finite"):
            lib.nn.utils.clip_grad_norm_(m.parameters(), 1.0, error_if_nonfinite=True)
        with pytest.warns(FutureWarning):
            lib.nn.utils.clip_grad_norm(m.parameters(), 1.0)
    for a, b in zip(res[glasstorch], res[torch]):
        _close(a, b)


def test_parameters_vector_roundtrip():
    t_model, g_model = twins(lambda lib: lib.nn.Linear(3, 2))
    tv = torch.nn.utils.parameters_to_vector(t_model.parameters())
    gv = glasstorch.nn.utils.parameters_to_vector(g_model.parameters())
    _close(gv, tv)
    glasstorch.nn.utils.vector_to_parameters(gv * 2, g_model.parameters())
    torch.nn.utils.vector_to_parameters(tv * 2, t_model.parameters())
    _close(g_model.weight, t_model.weight)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lib in LIBS:
            with pytest.raises(TypeError, match="expected torch.Tensor"):
                lib.nn.utils.vector_to_parameters([1.0], lib.nn.Linear(1, 1).parameters())
