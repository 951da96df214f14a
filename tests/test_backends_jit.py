"""torch.backends, torch.jit, torch.functional and the thread-count functions, against PyTorch."""
import warnings

import numpy as np
import pytest
import torch
import torch.functional  # noqa: F401

import glasstorch


def test_backends_availability_as_cpu_only_pytorch():
    b, tb = glasstorch.backends, torch.backends
    for mod in ("cudnn", "mps"):
        assert getattr(b, mod).is_available() is getattr(tb, mod).is_available() is False
    assert b.cuda.is_built() is False and b.mps.is_built() is False
    assert b.cudnn.version() is None
    for flag in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(b.cudnn, flag) == getattr(tb.cudnn, flag)
    for flag in ("allow_tf32", "allow_fp16_reduced_precision_reduction", "allow_bf16_reduced_precision_reduction"):
        assert getattr(b.cuda.matmul, flag) == getattr(tb.cuda.matmul, flag)
    assert b.cuda.flash_sdp_enabled() == tb.cuda.flash_sdp_enabled()
    assert b.cuda.math_sdp_enabled() == tb.cuda.math_sdp_enabled()
    assert b.opt_einsum.is_available() is False and b.opt_einsum.enabled is False and b.opt_einsum.strategy is None
    assert b.cpu.get_cpu_capability() in ("AVX512", "AVX2", "DEFAULT")
    assert isinstance(b.mkldnn.is_available(), bool) and isinstance(b.openmp.is_available(), bool)
    assert isinstance(b.mkl.is_available(), bool)


def test_backend_flags_are_settable_and_restorable():
    cudnn = glasstorch.backends.cudnn
    cudnn.benchmark = True
    cudnn.deterministic = True
    assert cudnn.benchmark and cudnn.deterministic
    with cudnn.flags(enabled=False, benchmark=False, deterministic=False):
        assert not cudnn.enabled and not cudnn.benchmark
    assert cudnn.enabled and cudnn.benchmark and cudnn.deterministic
    cudnn.benchmark = cudnn.deterministic = False
    glasstorch.backends.cuda.matmul.allow_tf32 = True
    assert glasstorch.backends.cuda.matmul.allow_tf32
    glasstorch.backends.cuda.matmul.allow_tf32 = False
    glasstorch.backends.cuda.enable_flash_sdp(False)
    assert not glasstorch.backends.cuda.flash_sdp_enabled()
    glasstorch.backends.cuda.enable_flash_sdp(True)
    with glasstorch.backends.mkldnn.flags(enabled=False):
        assert not glasstorch.backends.mkldnn.enabled
    assert glasstorch.backends.mkldnn.enabled


def test_unknown_backend_names_the_missing_api():
    with pytest.raises(AttributeError, match="torch.backends.nope"):
        glasstorch.backends.nope


# -- jit -------------------------------------------------------------------------------------------------
def test_script_and_trace_return_the_object_unchanged():
    m = glasstorch.nn.Linear(3, 2)
    x = glasstorch.randn(4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert glasstorch.jit.script(m) is m
        traced = glasstorch.jit.trace(m, x)
        f = glasstorch.jit.script(lambda a: a * 2)
    assert traced is m
    np.testing.assert_allclose(traced(x).detach().numpy(), m(x).detach().numpy())
    assert f(glasstorch.tensor([1.0])).tolist() == [2.0]


def test_jit_decorators_and_queries():
    jit = glasstorch.jit

    @jit.ignore
    def a(x):
        return x + 1

    @jit.ignore(drop=True)
    def b(x):
        return x + 2

    @jit.unused
    def c(x):
        return x + 3

    @jit.export
    def d(x):
        return x + 4

    assert (a(1), b(1), c(1), d(1)) == (2, 3, 4, 5)
    assert jit.is_scripting() is torch.jit.is_scripting() is False
    assert jit.is_tracing() is torch.jit.is_tracing() is False
    assert jit.annotate(list, [1]) == [1]
    assert jit.wait(jit.fork(lambda x: x * 3, 2)) == 6
    assert jit.isinstance([1, 2], list) and not jit.isinstance(1, list)
    m = glasstorch.nn.Linear(2, 2)
    assert jit.freeze(m) is m and jit.optimize_for_inference(m) is m
    assert issubclass(jit.Error, RuntimeError)


def test_jit_save_load_raise_clearly(tmp_path):
    with pytest.raises(NotImplementedError, match="state_dict"):
        glasstorch.jit.save(glasstorch.nn.Linear(2, 2), str(tmp_path / "m.pt"))
    with pytest.raises(NotImplementedError, match="TorchScript"):
        glasstorch.jit.load(str(tmp_path / "m.pt"))


# -- torch.functional ------------------------------------------------------------------------------------
LEFT_OUT = {"stft", "istft"}  # no spectral ops in glasstorch


def test_functional_has_pytorchs_names():
    for name in torch.functional.__all__:
        if name in LEFT_OUT:
            continue
        assert getattr(glasstorch.functional, name) is getattr(glasstorch, name), name


def test_functional_values():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    for name, f in [("einsum", lambda T, x: T.functional.einsum("ij->ji", x)),
                    ("tensordot", lambda T, x: T.functional.tensordot(x, x.t(), dims=1)),
                    ("norm", lambda T, x: T.functional.norm(x)),
                    ("cdist", lambda T, x: T.functional.cdist(x, x)),
                    ("block_diag", lambda T, x: T.functional.block_diag(x, x)),
                    ("unique", lambda T, x: T.functional.unique(x.round()))]:
        ours = f(glasstorch, glasstorch.tensor(a)).numpy()
        theirs = f(torch, torch.tensor(a)).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5, err_msg=name)


# -- threads ---------------------------------------------------------------------------------------------
def test_num_threads_round_trip():
    n = glasstorch.get_num_threads()
    assert n >= 1
    glasstorch.set_num_threads(1)
    assert glasstorch.get_num_threads() == 1
    import threadpoolctl  # the BLAS thread pool itself is limited (threadpoolctl is a dependency)
    assert all(p["num_threads"] == 1 for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas")
    glasstorch.set_num_threads(n)
    assert glasstorch.get_num_threads() == n
    with pytest.raises(RuntimeError):
        glasstorch.set_num_threads(0)
    assert glasstorch.get_num_interop_threads() >= 1
