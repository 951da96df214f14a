"""torch.autocast (the switch and its thread-local state) and torch.amp.GradScaler, against PyTorch."""
import pickle
import threading
import warnings

import numpy as np
import pytest
import torch

import glasstorch

LIBS = [torch, glasstorch]
LIB_IDS = ["torch", "glasstorch"]


def name(dtype):
    return str(dtype).split(".")[-1]


@pytest.fixture(autouse=True)
def _reset_autocast():
    """Every test starts and ends with autocast off and default dtypes on both libraries."""
    def reset():
        for lib in LIBS:
            lib.set_autocast_enabled("cpu", False)
            lib.set_autocast_enabled("cuda", False)
            lib.set_autocast_dtype("cpu", lib.bfloat16)
            lib.set_autocast_dtype("cuda", lib.float16)
            lib.set_autocast_cache_enabled(True)
    reset()
    yield
    reset()


# ---------------------------------------------------------------- autocast state

@pytest.mark.parametrize("device_type", ["cpu", "cuda", "xpu", "mps", "hpu", "xla", "cuda:0"])
def test_default_autocast_dtype_and_off(device_type):
    for lib in LIBS:
        assert lib.is_autocast_enabled(device_type) is False
    assert name(glasstorch.get_autocast_dtype(device_type)) == name(torch.get_autocast_dtype(device_type))


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_nesting_and_enabled_false_inside(lib):
    seen = []
    with lib.autocast("cpu"):
        seen.append((lib.is_autocast_enabled("cpu"), name(lib.get_autocast_dtype("cpu"))))
        with lib.autocast("cpu", enabled=False):
            seen.append((lib.is_autocast_enabled("cpu"), name(lib.get_autocast_dtype("cpu"))))
            with lib.autocast("cpu", dtype=lib.float16):
                seen.append((lib.is_autocast_enabled("cpu"), name(lib.get_autocast_dtype("cpu"))))
            seen.append((lib.is_autocast_enabled("cpu"), name(lib.get_autocast_dtype("cpu"))))
        seen.append((lib.is_autocast_enabled("cpu"), lib.is_autocast_enabled(), lib.is_autocast_enabled("cuda")))
    seen.append((lib.is_autocast_enabled("cpu"), name(lib.get_autocast_dtype("cpu"))))
    assert seen == [(True, "bfloat16"), (False, "bfloat16"), (True, "float16"), (False, "bfloat16"),
                    (True, False, False), (False, "bfloat16")]


def test_state_sequence_matches_torch():
    def run(lib):
        out = []
        with lib.autocast("cpu", dtype=lib.float16, cache_enabled=False):
            out += [lib.is_autocast_enabled("cpu"), name(lib.get_autocast_dtype("cpu")),
                    lib.is_autocast_cache_enabled()]
        out += [lib.is_autocast_cache_enabled(), lib.autocast_increment_nesting(),
                lib.autocast_decrement_nesting()]
        lib.set_autocast_enabled("cpu", True)
        out.append(lib.is_autocast_enabled("cpu"))
        lib.set_autocast_enabled(True)  # legacy form: CUDA's switch
        out += [lib.is_autocast_enabled(), lib.is_autocast_enabled("cuda")]
        return out
    assert run(glasstorch) == run(torch)


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_decorator_and_exception_restore(lib):
    @lib.autocast("cpu")
    def inner():
        return lib.is_autocast_enabled("cpu")
    assert inner() is True and inner.__name__ == "inner"
    assert lib.is_autocast_enabled("cpu") is False
    with pytest.raises(KeyError):
        with lib.autocast("cpu"):
            raise KeyError("x")
    assert lib.is_autocast_enabled("cpu") is False


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_state_is_thread_local(lib):
    seen = []
    with lib.autocast("cpu"):
        t = threading.Thread(target=lambda: seen.append(lib.is_autocast_enabled("cpu")))
        t.start()
        t.join()
        assert lib.is_autocast_enabled("cpu")
    assert seen == [False]


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_cuda_autocast_warns_and_disables(lib):
    with pytest.warns(UserWarning, match="CUDA is not available.*Disabling autocast"):
        ctx = lib.autocast("cuda")
    with ctx:
        assert lib.is_autocast_enabled("cuda") is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with lib.autocast("cuda", enabled=False):  # no warning when not asked to enable
            pass


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_unsupported_dtype_warns_and_disables(lib):
    with pytest.warns(UserWarning, match="In CPU autocast, but the target dtype is not supported"):
        ctx = lib.autocast("cpu", dtype=lib.float32)
    with ctx:
        assert lib.is_autocast_enabled("cpu") is False


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_cpu_amp_autocast_deprecated(lib):
    with pytest.warns(FutureWarning, match=r"torch.cpu.amp.autocast\(args...\)` is deprecated"):
        ctx = lib.cpu.amp.autocast()
    with ctx:
        assert lib.is_autocast_enabled("cpu") and name(lib.get_autocast_dtype("cpu")) == "bfloat16"


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_deprecated_cpu_state_functions(lib):
    with pytest.warns(DeprecationWarning):
        assert lib.is_autocast_cpu_enabled() is False
    with pytest.warns(DeprecationWarning):
        assert name(lib.get_autocast_cpu_dtype()) == "bfloat16"


@pytest.mark.parametrize("call, error", [
    (lambda lib: lib.autocast(lib.device("cpu")), ValueError),
    (lambda lib: lib.autocast("foo"), RuntimeError),
    (lambda lib: lib.is_autocast_enabled("foo"), RuntimeError),
    (lambda lib: lib.get_autocast_dtype("foo"), RuntimeError),
    (lambda lib: lib.get_autocast_dtype("meta"), RuntimeError),
    (lambda lib: lib.is_autocast_enabled(5), TypeError),
    (lambda lib: lib.set_autocast_enabled("cpu", 1), TypeError),
    (lambda lib: lib.set_autocast_dtype("cpu", "x"), TypeError),
    (lambda lib: lib.autocast("cpu")(3), TypeError),
])
def test_errors(call, error):
    for lib in LIBS:
        with pytest.raises(error):
            call(lib)


def test_amp_is_autocast_available():
    for d in ["cpu", "cuda", "xpu", "mps", "meta", "lazy"]:
        assert glasstorch.amp.is_autocast_available(d) == torch.amp.is_autocast_available(d), d


def test_ops_keep_input_dtype_under_autocast():
    """The stated deviation: PyTorch's CPU autocast runs matmul in bfloat16; glasstorch's ops stay float32."""
    a, b = glasstorch.ones(2, 3), glasstorch.ones(3, 2)
    with glasstorch.autocast("cpu"):
        assert (a @ b).dtype == glasstorch.float32
    with torch.autocast("cpu"):
        assert (torch.ones(2, 3) @ torch.ones(3, 2)).dtype == torch.bfloat16


def test_custom_fwd_casts_inputs_and_disables():
    seen = []

    class Ctx:
        pass

    @glasstorch.amp.custom_fwd(device_type="cpu", cast_inputs=glasstorch.float16)
    def forward(ctx, x):
        seen.append((x.dtype, glasstorch.is_autocast_enabled("cpu")))
        return x

    @glasstorch.amp.custom_bwd(device_type="cpu")
    def backward(ctx, g):
        seen.append(glasstorch.is_autocast_enabled("cpu"))
        return g

    ctx = Ctx()
    with glasstorch.autocast("cpu"):
        forward(ctx, glasstorch.ones(2))
        forward(ctx, glasstorch.ones(2, dtype=glasstorch.float64))  # float64 is never cast
    backward(ctx, None)
    assert seen == [(glasstorch.float16, False), (glasstorch.float64, False), False]


# ---------------------------------------------------------------- GradScaler

def _models(seed=0):
    torch.manual_seed(seed)
    t_model = torch.nn.Linear(4, 3)
    g_model = glasstorch.nn.Linear(4, 3)
    with glasstorch.no_grad():
        g_model.weight.copy_(glasstorch.tensor(t_model.weight.detach().numpy()))
        g_model.bias.copy_(glasstorch.tensor(t_model.bias.detach().numpy()))
    return t_model, g_model


def _batches(n=12, huge_at=(3, 8)):
    rng = np.random.default_rng(7)
    out = []
    for i in range(n):
        x = rng.standard_normal((5, 4)).astype(np.float32)
        if i in huge_at:
            x = x * np.float32(1e30)  # outputs ~1e30: the loss overflows, the grads become inf/nan
        out.append((x, rng.standard_normal((5, 3)).astype(np.float32)))
    return out


def _train(lib, model, scaler_kwargs, unscale_and_clip=False, momentum=0.0):
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=momentum)
    scaler = lib.amp.GradScaler("cpu", **scaler_kwargs)
    loss_fn = lib.nn.MSELoss()
    record = []
    for x, y in _batches():
        opt.zero_grad()
        loss = loss_fn(model(lib.tensor(x)), lib.tensor(y))
        scaler.scale(loss).backward()
        if unscale_and_clip:
            scaler.unscale_(opt)
            lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        ret = scaler.step(opt)
        scaler.update()
        record.append((ret, scaler.get_scale(), scaler._get_growth_tracker(), dict(scaler.state_dict()),
                       model.weight.detach().numpy().copy(), model.bias.detach().numpy().copy()))
    return record


@pytest.mark.parametrize("scaler_kwargs", [
    dict(),
    dict(init_scale=1024.0, growth_interval=2),
    dict(init_scale=3.0, growth_factor=1.7, backoff_factor=0.3, growth_interval=3),
])
@pytest.mark.parametrize("unscale_and_clip", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_training_loop_matches_torch(scaler_kwargs, unscale_and_clip, momentum):
    t_model, g_model = _models()
    t_rec = _train(torch, t_model, scaler_kwargs, unscale_and_clip, momentum)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's overflow warnings on the huge batches
        g_rec = _train(glasstorch, g_model, scaler_kwargs, unscale_and_clip, momentum)
    scales = [r[1] for r in t_rec]
    assert scales == [r[1] for r in g_rec]
    assert len(set(scales)) > 1  # the scale did move (backoff at the huge batches)
    for i, (t_r, g_r) in enumerate(zip(t_rec, g_rec)):
        assert t_r[0] is None and g_r[0] is None
        assert t_r[2] == g_r[2] and t_r[3] == g_r[3], i
        np.testing.assert_allclose(g_r[4], t_r[4], rtol=1e-5, atol=1e-6, err_msg=f"weight after step {i}")
        np.testing.assert_allclose(g_r[5], t_r[5], rtol=1e-5, atol=1e-6, err_msg=f"bias after step {i}")
    for i in (3, 8):  # the skipped steps left the weights as they were
        np.testing.assert_array_equal(g_rec[i][4], g_rec[i - 1][4])


def test_step_returns_optimizer_result_and_none_when_skipped():
    results = {}
    for lib in LIBS:
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        opt.step = (lambda step: (lambda *a, **k: (step(*a, **k), "stepped")[1]))(opt.step)
        scaler = lib.amp.GradScaler("cpu")
        scaler.scale((p * 2).sum()).backward()
        ok = scaler.step(opt)
        scaler.update()
        opt.zero_grad()
        scaler.scale((p * float("inf")).sum()).backward()
        skipped = scaler.step(opt)
        scaler.update()
        results[lib.__name__] = (ok, skipped, scaler.get_scale(), p.detach().numpy().tolist())
    assert results["glasstorch"] == results["torch"]


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_stage_errors(lib):
    p = lib.nn.Parameter(lib.ones(2))
    opt = lib.optim.SGD([p], lr=0.1)
    scaler = lib.amp.GradScaler("cpu")
    with pytest.raises(AssertionError, match="_scale is None"):
        scaler.unscale_(opt)
    with pytest.raises(AssertionError, match="_scale is None"):
        scaler.update()
    scaler.scale(p.sum()).backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called on this optimizer"):
        scaler.unscale_(opt)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step\\(\\)"):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called since the last update"):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: None)
    scaler.update()
    opt2 = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=0.1)  # no grads at all
    with pytest.raises(AssertionError, match="No inf checks were recorded for this optimizer"):
        scaler.step(opt2)


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_unscale_divides_grads_once(lib):
    p = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
    opt = lib.optim.SGD([p], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=8.0)
    scaler.scale((p * p).sum()).backward()
    assert p.grad.tolist() == [16.0, 32.0]
    scaler.unscale_(opt)
    assert p.grad.tolist() == [2.0, 4.0]
    scaler.step(opt)  # does not unscale again
    assert p.detach().tolist() == pytest.approx([0.8, 1.6])


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_fp16_grads_refused(lib):
    p = lib.nn.Parameter(lib.ones(2, dtype=lib.float16))
    opt = lib.optim.SGD([p], lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=4.0)
    scaler.scale(p.sum()).backward()
    with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients"):
        scaler.unscale_(opt)


def test_scale_nested_and_dtype():
    for lib in LIBS:
        scaler = lib.amp.GradScaler("cpu", init_scale=4.0)
        out = scaler.scale([lib.ones(2), (lib.ones(1), [lib.ones(1)])])
        assert isinstance(out, list) and isinstance(out[1], tuple) and isinstance(out[1][1], list)
        assert out[0].tolist() == [4.0, 4.0] and out[1][1][0].tolist() == [4.0]
        assert scaler.scale(lib.ones(2, dtype=lib.float16)).dtype == lib.float16
        assert scaler.scale(lib.ones(2, dtype=lib.float64)).dtype == lib.float64
        assert [t.tolist() for t in scaler.scale(iter([lib.ones(1)]))] == [[4.0]]
        with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
            scaler.scale([1.0])


def test_state_dict_and_load():
    sds = {}
    for lib in LIBS:
        scaler = lib.amp.GradScaler("cpu", init_scale=16.0, growth_factor=3.0, backoff_factor=0.25,
                                    growth_interval=5)
        before = scaler.state_dict()
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        for _ in range(2):
            opt.zero_grad()
            scaler.scale(p.sum()).backward()
            scaler.step(opt)
            scaler.update()
        after = scaler.state_dict()
        other = lib.amp.GradScaler("cpu")
        other.load_state_dict(after)
        loaded = other.state_dict()
        other.scale(p.sum())  # lazily made tensors start from the loaded numbers
        lazily = (other.get_scale(), other._get_growth_tracker())
        with pytest.raises(RuntimeError, match="The source state dict is empty"):
            other.load_state_dict({})
        clone = pickle.loads(pickle.dumps(scaler))
        sds[lib.__name__] = (before, after, loaded, lazily, clone.state_dict())
    assert sds["glasstorch"] == sds["torch"]
    assert list(sds["glasstorch"][1]) == ["scale", "growth_factor", "backoff_factor", "growth_interval",
                                          "_growth_tracker"]


def test_update_new_scale_and_setters():
    out = {}
    for lib in LIBS:
        scaler = lib.amp.GradScaler("cpu")
        scaler.scale(lib.ones(1))
        scaler.update(new_scale=128.0)
        a = scaler.get_scale()
        scaler.update(new_scale=lib.tensor(32.0))
        b = scaler.get_scale()
        with pytest.raises(AssertionError, match="new_scale should be a float"):
            scaler.update(new_scale=lib.ones(2))
        with pytest.raises(AssertionError, match="new_scale should be a float"):
            scaler.update(new_scale=lib.ones(1, requires_grad=True))
        scaler.set_growth_factor(4.0)
        scaler.set_backoff_factor(0.125)
        scaler.set_growth_interval(7)
        out[lib.__name__] = (a, b, scaler.get_growth_factor(), scaler.get_backoff_factor(),
                             scaler.get_growth_interval(), scaler.is_enabled())
    assert out["glasstorch"] == out["torch"]


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_constructor_errors(lib):
    with pytest.raises(AssertionError, match="The growth factor must be > 1.0"):
        lib.amp.GradScaler("cpu", growth_factor=1.0)
    with pytest.raises(AssertionError, match="The backoff factor must be < 1.0"):
        lib.amp.GradScaler("cpu", backoff_factor=1.0)


@pytest.mark.parametrize("make", [
    lambda lib: lib.amp.GradScaler(),
    lambda lib: lib.GradScaler("cuda"),
])
def test_cuda_scaler_warns_and_is_disabled(make):
    for lib in LIBS:
        with pytest.warns(UserWarning, match="GradScaler is enabled, but CUDA is not available.  Disabling."):
            scaler = make(lib)
        assert scaler.is_enabled() is False and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.5)
        loss = p.sum()
        assert scaler.scale(loss) is loss
        loss.backward()
        scaler.unscale_(opt)
        assert scaler.step(opt) is None
        scaler.update()
        scaler.load_state_dict({})
        assert p.detach().tolist() == [0.5, 0.5]


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_disabled_scaler_no_warning(lib):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaler = lib.amp.GradScaler("cuda", enabled=False)
    assert not scaler.is_enabled()


@pytest.mark.parametrize("lib", LIBS, ids=LIB_IDS)
def test_cpu_amp_grad_scaler_deprecated(lib):
    with pytest.warns(FutureWarning, match=r"torch.cpu.amp.GradScaler\(args...\)` is deprecated"):
        scaler = lib.cpu.amp.GradScaler(init_scale=8.0)
    assert scaler.is_enabled() and scaler.get_scale() == 8.0
    assert isinstance(scaler, lib.amp.GradScaler)


def test_names_are_the_same_objects():
    assert glasstorch.GradScaler is glasstorch.amp.GradScaler
    assert glasstorch.autocast is glasstorch.amp.autocast
    with pytest.raises(AttributeError, match="glasstorch has no torch.amp.no_such_thing"):
        glasstorch.amp.no_such_thing


def test_legacy_autocast_switches_match_pytorch():
    """The per-device spellings (deprecated in PyTorch, still public): same defaults, same effects."""
    import warnings
    import torch
    import glasstorch
    seen = []
    for lib in (torch, glasstorch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            row = [str(lib.get_autocast_gpu_dtype()).split(".")[-1], str(lib.get_autocast_cpu_dtype()).split(".")[-1],
                   lib.is_autocast_cpu_enabled()]
            lib.set_autocast_cpu_dtype(lib.float16)
            row.append(str(lib.get_autocast_cpu_dtype()).split(".")[-1])
            lib.set_autocast_cpu_dtype(lib.bfloat16)
            lib.set_autocast_cpu_enabled(True)
            row += [lib.is_autocast_cpu_enabled(), lib.is_autocast_enabled("cpu")]
            lib.set_autocast_cpu_enabled(False)
            lib.set_autocast_gpu_dtype(lib.bfloat16)
            row.append(str(lib.get_autocast_gpu_dtype()).split(".")[-1])
            lib.set_autocast_gpu_dtype(lib.float16)
            row.append(lib.clear_autocast_cache())
        seen.append(row)
    assert seen[0] == seen[1]
