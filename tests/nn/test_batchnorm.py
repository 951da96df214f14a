"""BatchNorm1d/2d/3d, InstanceNorm and F.batch_norm against PyTorch: outputs and every gradient in train and
eval modes, the running statistics after several steps (momentum, cumulative average, affine=False,
track_running_stats=False), state_dict keys and loading, reprs, errors, float64 gradcheck."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import check, check_error, gradcheck
from twins import compare_forward_backward, same_repr, to_glass, twins

SHAPES = {  # module name -> input shapes it accepts
    "BatchNorm1d": [(8, 3), (4, 3, 5)],
    "BatchNorm2d": [(4, 3, 5, 6)],
    "BatchNorm3d": [(2, 3, 4, 3, 5)],
}
CASES = [(name, shape) for name, shapes in SHAPES.items() for shape in shapes]


def _randomize(t_model, g_model, seed=0):
    """Give γ, β and the running statistics random values (the same in both models): 1 and 0 hide bugs."""
    rng = np.random.default_rng(seed)
    state = {}
    for k, v in t_model.state_dict().items():
        if v.is_floating_point():
            a = rng.uniform(0.5, 1.5, tuple(v.shape)) if k.endswith(("weight", "running_var")) else \
                rng.standard_normal(tuple(v.shape))
            state[k] = torch.from_numpy(a.astype(np.float32))
        else:
            state[k] = v.clone()
    t_model.load_state_dict(state)
    g_model.load_state_dict({k: to_glass(v) for k, v in state.items()})


def _compare_buffers(t_model, g_model, tol=dict(rtol=1e-5, atol=1e-6)):
    t_buf, g_buf = dict(t_model.named_buffers()), dict(g_model.named_buffers())
    assert list(g_buf) == list(t_buf)
    for k, t in t_buf.items():
        g = g_buf[k]
        assert str(g.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], k
        assert tuple(g.shape) == tuple(t.shape), k
        np.testing.assert_allclose(g.numpy(), t.numpy(), err_msg=k, **tol)


@pytest.mark.parametrize("name,shape", CASES, ids=str)
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_batchnorm_matches_pytorch(name, shape, mode):
    t, g = twins(lambda lib: getattr(lib.nn, name)(3))
    _randomize(t, g)
    getattr(t, mode)()
    getattr(g, mode)()
    compare_forward_backward(t, g, shape)
    _compare_buffers(t, g)


@pytest.mark.parametrize("name,shape", CASES, ids=str)
@pytest.mark.parametrize("kwargs", [dict(momentum=0.1), dict(momentum=0.3), dict(momentum=None), dict(affine=False),
                                    dict(eps=1e-3, momentum=None, affine=False)], ids=str)
def test_running_stats_after_several_steps(name, shape, kwargs):
    t, g = twins(lambda lib: getattr(lib.nn, name)(3, **kwargs))
    rng = np.random.default_rng(1)
    for step in range(4):
        a = (rng.standard_normal(shape) * (step + 1) + step).astype(np.float32)  # moving mean and scale
        t_out, g_out = t(torch.from_numpy(a)), g(glasstorch.from_numpy(a.copy()))
        np.testing.assert_allclose(g_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-4, atol=1e-5)
        _compare_buffers(t, g)
    assert int(g.num_batches_tracked) == 4
    t.eval()
    g.eval()  # eval after train uses the running statistics
    compare_forward_backward(t, g, shape, seed=3)
    _compare_buffers(t, g)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_no_running_stats_uses_batch_statistics(mode):
    t, g = twins(lambda lib: lib.nn.BatchNorm2d(3, track_running_stats=False))
    assert g.running_mean is None and g.running_var is None and g.num_batches_tracked is None
    assert list(g.state_dict()) == list(t.state_dict()) == ["weight", "bias"]
    getattr(t, mode)()
    getattr(g, mode)()
    _randomize(t, g)
    compare_forward_backward(t, g, (4, 3, 2, 5))
    # eval mode too: the output is standardized per channel over the batch
    out = g(glasstorch.randn(6, 3, 2, 2) * 5 + 2)
    if mode == "eval":
        g2 = glasstorch.nn.BatchNorm2d(3, track_running_stats=False, affine=False).eval()
        y = g2(glasstorch.randn(6, 3, 2, 2) * 5 + 2).detach().numpy()
        np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    assert out.shape == (6, 3, 2, 2)


def test_affine_false_and_no_bias():
    for kwargs in (dict(affine=False), dict(bias=False)):
        t, g = twins(lambda lib: lib.nn.BatchNorm1d(4, **kwargs))
        same_repr(t, g)
        assert list(g.state_dict()) == list(t.state_dict())
        assert [n for n, _ in g.named_parameters()] == [n for n, _ in t.named_parameters()]
        compare_forward_backward(t, g, (5, 4, 3))


def test_state_dict_keys_dtypes_and_repr():
    t, g = twins(lambda lib: lib.nn.BatchNorm2d(32))
    assert list(g.state_dict()) == list(t.state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    nbt = g.num_batches_tracked
    assert nbt.dtype == glasstorch.int64 and nbt.shape == () and int(nbt) == 0
    assert g.running_mean.dtype == glasstorch.float32 and not g.running_mean.requires_grad
    np.testing.assert_array_equal(g.running_var.numpy(), np.ones(32, np.float32))
    np.testing.assert_array_equal(g.weight.detach().numpy(), np.ones(32, np.float32))
    for build in (lambda lib: lib.nn.BatchNorm2d(32), lambda lib: lib.nn.BatchNorm1d(3, momentum=None),
                  lambda lib: lib.nn.BatchNorm3d(5, eps=1e-3, affine=False, track_running_stats=False),
                  lambda lib: lib.nn.InstanceNorm2d(3), lambda lib: lib.nn.InstanceNorm1d(4, affine=True)):
        same_repr(build(torch), build(glasstorch))
    seq_t = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    seq_g = glasstorch.nn.Sequential(glasstorch.nn.Linear(3, 4), glasstorch.nn.BatchNorm1d(4))
    assert list(seq_g.state_dict()) == list(seq_t.state_dict())
    same_repr(seq_t, seq_g)
    # float64 module: float buffers follow, the counter stays int64
    d = glasstorch.nn.BatchNorm1d(3).double()
    assert d.running_var.dtype == glasstorch.float64 and d.num_batches_tracked.dtype == glasstorch.int64
    d = glasstorch.nn.BatchNorm1d(3, dtype=glasstorch.float64)
    assert d.weight.dtype == d.running_mean.dtype == glasstorch.float64
    assert d.num_batches_tracked.dtype == glasstorch.int64


def test_load_trained_torch_state_and_reset():
    t = torch.nn.BatchNorm2d(3)
    for _ in range(3):
        t(torch.randn(4, 3, 2, 2) * 3 + 1)
    g = glasstorch.nn.BatchNorm2d(3)
    result = g.load_state_dict({k: to_glass(v) for k, v in t.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    assert int(g.num_batches_tracked) == 3 and g.num_batches_tracked.dtype == glasstorch.int64
    t.eval()
    g.eval()
    compare_forward_backward(t, g, (2, 3, 4, 4))
    g.reset_running_stats()
    assert int(g.num_batches_tracked) == 0
    np.testing.assert_array_equal(g.running_mean.numpy(), 0)
    np.testing.assert_array_equal(g.running_var.numpy(), 1)
    with glasstorch.no_grad():
        g.weight.mul_(3)
    g.reset_parameters()
    np.testing.assert_array_equal(g.weight.detach().numpy(), 1)


def test_input_dim_errors():
    for name, bad in (("BatchNorm1d", (2, 3, 4, 5)), ("BatchNorm1d", (3,)), ("BatchNorm2d", (4, 3, 5)),
                      ("BatchNorm3d", (2, 3, 4, 5)), ("InstanceNorm1d", (3,)), ("InstanceNorm2d", (2, 3, 4, 5, 6))):
        check_error(lambda lib, x: getattr(lib.nn, name)(3)(x), bad, exc=ValueError,
                    match=r"expected .*D input \(got \d+D input\)")
    e = check_error(lambda lib, x: lib.nn.BatchNorm2d(3)(x), (4, 3, 5), exc=ValueError)
    assert str(e) == "expected 4D input (got 3D input)"


def test_batch_of_one_in_training():
    e = check_error(lambda lib, x: lib.nn.BatchNorm1d(3)(x), (1, 3), exc=ValueError)
    assert str(e) == "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])"
    check_error(lambda lib, x: lib.nn.BatchNorm2d(3)(x), (1, 3, 1, 1), exc=ValueError,
                match="Expected more than 1 value per channel when training")
    # eval mode, and training with spatial positions, are fine
    t, g = twins(lambda lib: lib.nn.BatchNorm1d(3))
    compare_forward_backward(t, g, (1, 3, 4))
    t.eval()
    g.eval()
    compare_forward_backward(t, g, (1, 3))


def test_functional_errors():
    check_error(lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=False), (4, 3),
                exc=RuntimeError, match="running_mean must be defined in evaluation mode")
    check_error(lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(4), lib.ones(3), training=True), (4, 3),
                exc=RuntimeError, match="running_mean should contain 3 elements not 4")
    check_error(lambda lib, x: lib.nn.functional.batch_norm(x, None, None, lib.ones(2), training=True), (4, 3),
                exc=RuntimeError, match="weight should contain 3 elements not 2")
    check_error(lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True, eps=0.0), (4, 3),
                exc=ValueError, match="eps must be positive")


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 5), (2, 3, 2, 3, 2)], ids=str)
@pytest.mark.parametrize("training", [True, False])
def test_functional_batch_norm_and_in_place_update(shape, training):
    rng = np.random.default_rng(5)
    rm0 = rng.standard_normal(3).astype(np.float32)
    rv0 = rng.uniform(0.5, 2, 3).astype(np.float32)

    def f(lib, x, w, b):
        rm, rv = lib.from_numpy(rm0.copy()), lib.from_numpy(rv0.copy())
        y = lib.nn.functional.batch_norm(x, rm, rv, w, b, training, 0.2, 1e-4)
        return y, rm, rv  # the buffers after the in-place update are outputs too
    check(f, shape, (3,), (3,))
    check(lambda lib, x: lib.nn.functional.batch_norm(x, lib.from_numpy(rm0.copy()), lib.from_numpy(rv0.copy()),
                                                      training=training), shape)


def test_non_contiguous_and_float64():
    check(lambda lib, x, w, b: lib.nn.functional.batch_norm(x.transpose(0, 1), None, None, w, b, True),
          (3, 4, 5), (3,), (3,))
    check(lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, True), (5, 3, 4), (3,), (3,),
          dtype=np.float64)
    t, g = twins(lambda lib: lib.nn.BatchNorm2d(3, dtype=lib.float64))
    compare_forward_backward(t, g, (4, 3, 2, 2), dtype=np.float64, tol=dict(rtol=1e-10, atol=1e-12))


def test_large_mean_precision():
    """Statistics in float32 stay accurate when the mean is large relative to the spread (two-pass variance)."""
    check(lambda lib, x: lib.nn.functional.batch_norm(x * 0.01 + 100, None, None, training=True), (64, 8, 7, 7),
          rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 3), (2, 3, 2, 3)], ids=str)
def test_gradcheck_batch_norm(shape):
    gradcheck(lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, True), shape, (3,), (3,))
    gradcheck(lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True), shape)

    def eval_mode(lib, x, w, b):
        rm = lib.tensor([0.3, -0.2, 1.0], dtype=lib.float64)
        rv = lib.tensor([0.5, 2.0, 1.5], dtype=lib.float64)
        return lib.nn.functional.batch_norm(x, rm, rv, w, b, False)
    gradcheck(eval_mode, shape, (3,), (3,))


@pytest.mark.parametrize("name,shape", [("InstanceNorm1d", (3, 4, 5)), ("InstanceNorm1d", (4, 5)),
                                        ("InstanceNorm2d", (2, 4, 3, 3)), ("InstanceNorm3d", (2, 4, 2, 2, 3))],
                         ids=str)
@pytest.mark.parametrize("kwargs", [dict(), dict(affine=True), dict(affine=True, track_running_stats=True)], ids=str)
def test_instance_norm_matches_pytorch(name, shape, kwargs):
    t, g = twins(lambda lib: getattr(lib.nn, name)(4, **kwargs))
    _randomize(t, g)
    for step in range(2):
        compare_forward_backward(t, g, shape, seed=step)
        _compare_buffers(t, g)
    t.eval()
    g.eval()
    compare_forward_backward(t, g, shape, seed=7)
    gradcheck(lambda lib, x, w, b: lib.nn.functional.instance_norm(x, weight=w, bias=b), (2, 4, 5), (4,), (4,))
