"""LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm and F.normalize against PyTorch: outputs and every gradient,
with and without the affine parameters, reprs, state_dict keys, errors, float64 gradcheck."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import check, check_error, gradcheck
from twins import compare_forward_backward, same_repr, to_glass, twins


def _randomize(t_model, g_model, seed=0):
    """Random γ, β in both models (1 and 0 would hide a missing or misplaced term)."""
    rng = np.random.default_rng(seed)
    state = {k: torch.from_numpy(rng.uniform(0.5, 1.5, tuple(v.shape)).astype(np.float32))
             for k, v in t_model.state_dict().items()}
    t_model.load_state_dict(state)
    g_model.load_state_dict({k: to_glass(v) for k, v in state.items()})


@pytest.mark.parametrize("normalized_shape,input_shape", [(6, (4, 6)), (6, (2, 3, 6)), ((3, 6), (2, 3, 6)),
                                                          ((2, 3, 4), (2, 2, 3, 4)), ([5], (5,))], ids=str)
@pytest.mark.parametrize("kwargs", [dict(), dict(bias=False), dict(elementwise_affine=False), dict(eps=1e-2)],
                         ids=str)
def test_layer_norm_matches_pytorch(normalized_shape, input_shape, kwargs):
    t, g = twins(lambda lib: lib.nn.LayerNorm(normalized_shape, **kwargs))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict())
    _randomize(t, g)
    compare_forward_backward(t, g, input_shape)
    g.eval()
    t.eval()
    compare_forward_backward(t, g, input_shape, seed=1)


@pytest.mark.parametrize("groups", [1, 3, 6])  # one group, C/2, C
@pytest.mark.parametrize("input_shape", [(4, 6), (2, 6, 5), (2, 6, 3, 4), (2, 6, 2, 2, 3)], ids=str)
@pytest.mark.parametrize("kwargs", [dict(), dict(affine=False), dict(bias=False)], ids=str)
def test_group_norm_matches_pytorch(groups, input_shape, kwargs):
    if input_shape == (4, 6) and groups == 6:
        pytest.skip("one value per group: x − μ is exactly 0 here, PyTorch's rounding leaves ~1e-5 of noise")
    t, g = twins(lambda lib: lib.nn.GroupNorm(groups, 6, **kwargs))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict())
    _randomize(t, g)
    compare_forward_backward(t, g, input_shape)


@pytest.mark.parametrize("normalized_shape,input_shape", [(6, (4, 6)), ((3, 6), (2, 3, 6))], ids=str)
@pytest.mark.parametrize("kwargs", [dict(), dict(eps=1e-3), dict(elementwise_affine=False)], ids=str)
def test_rms_norm_matches_pytorch(normalized_shape, input_shape, kwargs):
    t, g = twins(lambda lib: lib.nn.RMSNorm(normalized_shape, **kwargs))
    same_repr(t, g)
    _randomize(t, g)
    compare_forward_backward(t, g, input_shape)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("input_shape", [(2, 5, 4), (2, 5, 3, 2), (1, 5, 2, 2, 2)], ids=str)
def test_local_response_norm_matches_pytorch(size, input_shape):
    t, g = twins(lambda lib: lib.nn.LocalResponseNorm(size, alpha=0.5, beta=0.8, k=1.5))
    same_repr(t, g)
    compare_forward_backward(t, g, input_shape)
    same_repr(torch.nn.LocalResponseNorm(2), glasstorch.nn.LocalResponseNorm(2))


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, -1), (3.0, 0)], ids=str)
def test_normalize_matches_pytorch(p, dim):
    check(lambda lib, x: lib.nn.functional.normalize(x, p=p, dim=dim), (3, 4, 2))
    check(lambda lib, x: lib.nn.functional.normalize(x * 0, p=p, dim=dim), (3, 4))  # eps keeps zeros finite


def test_functional_forms():
    check(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (4, 5), w, b, eps=1e-3), (3, 4, 5), (4, 5), (4, 5))
    check(lambda lib, x, w: lib.nn.functional.layer_norm(x, [5], weight=w), (3, 4, 5), (5,))
    check(lambda lib, x, w, b: lib.nn.functional.group_norm(x, 2, w, b), (3, 4, 5), (4,), (4,))
    check(lambda lib, x, w: lib.nn.functional.rms_norm(x, (5,), w), (3, 4, 5), (5,))
    check(lambda lib, x: lib.nn.functional.rms_norm(x, (4, 5), eps=1e-3), (3, 4, 5))
    check(lambda lib, x: lib.nn.functional.layer_norm(x, (5,)), (3, 4, 5), dtype=np.float64)
    check(lambda lib, x: lib.nn.functional.layer_norm(x.transpose(1, 2), (4,)), (3, 4, 5))  # non-contiguous


@pytest.mark.parametrize("normalized_shape,input_shape", [((4,), (3, 4)), ((3, 4), (2, 3, 4)),
                                                          ((2, 2, 3), (2, 2, 2, 3))], ids=str)
def test_gradcheck_layer_norm(normalized_shape, input_shape):
    gradcheck(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, normalized_shape, w, b), input_shape,
              normalized_shape, normalized_shape)
    gradcheck(lambda lib, x: lib.nn.functional.layer_norm(x, normalized_shape), input_shape)


@pytest.mark.parametrize("groups", [1, 2, 4])
def test_gradcheck_group_norm(groups):
    gradcheck(lambda lib, x, w, b: lib.nn.functional.group_norm(x, groups, w, b), (2, 4, 3), (4,), (4,))
    gradcheck(lambda lib, x: lib.nn.functional.group_norm(x, groups), (2, 4, 2, 2))


def test_gradcheck_rms_and_lrn():
    gradcheck(lambda lib, x, w: lib.nn.functional.rms_norm(x, (2, 3), w, eps=1e-3), (2, 2, 3), (2, 3))
    gradcheck(lambda lib, x: lib.nn.functional.local_response_norm(x, 3, alpha=0.5, beta=0.8, k=1.5), (2, 5, 3))


def test_errors():
    check_error(lambda lib, x: lib.nn.functional.layer_norm(x, (4,)), (4, 3, 5), exc=RuntimeError,
                match=r"Given normalized_shape=\[4\], expected input with shape \[\*, 4\], but got input of "
                      r"size\[4, 3, 5\]")
    check_error(lambda lib, x: lib.nn.functional.layer_norm(x, (5,), weight=lib.ones(4)), (4, 3, 5),
                exc=RuntimeError, match="Expected weight to be of same shape as normalized_shape")
    check_error(lambda lib, x: lib.nn.functional.group_norm(x, 2), (4, 3, 5), exc=RuntimeError,
                match=r"divisible by num_groups, but got input of shape \[4, 3, 5\] and num_groups=2")
    check_error(lambda lib, x: lib.nn.functional.group_norm(x, 1), (5,), exc=RuntimeError,
                match="Expected at least 2 dimensions for input tensor but received 1")
    check_error(lambda lib, x: lib.nn.functional.local_response_norm(x, 2), (4, 3), exc=ValueError,
                match="Expected 3D or higher dimensionality")
    with pytest.raises(ValueError, match=r"num_channels \(5\) must be divisible by num_groups \(2\)"):
        glasstorch.nn.GroupNorm(2, 5)
    with pytest.raises(ValueError):
        torch.nn.GroupNorm(2, 5)


def test_module_defaults_and_reset():
    m = glasstorch.nn.LayerNorm(4)
    assert m.normalized_shape == (4,) and m.eps == 1e-5 and m.weight.dtype == glasstorch.float32
    np.testing.assert_array_equal(m.weight.detach().numpy(), 1)
    np.testing.assert_array_equal(m.bias.detach().numpy(), 0)
    with glasstorch.no_grad():
        m.weight.mul_(2)
    m.reset_parameters()
    np.testing.assert_array_equal(m.weight.detach().numpy(), 1)
    assert glasstorch.nn.LayerNorm((2, 3), dtype=glasstorch.float64).weight.shape == (2, 3)
    assert glasstorch.nn.GroupNorm(2, 4).weight.shape == (4,)
    assert glasstorch.nn.LayerNorm(3, elementwise_affine=False).weight is None
    assert list(glasstorch.nn.LayerNorm(3, bias=False).state_dict()) == ["weight"]


def test_layer_norm_bias_without_weight():
    # PyTorch's CPU backward fails on a bias without a weight ("tensor does not have a device"): compare with + b
    check(lambda lib, x, b: lib.nn.functional.layer_norm(x, (3, 4), None, b) if lib is glasstorch
          else lib.nn.functional.layer_norm(x, (3, 4)) + b, (2, 3, 4), (3, 4))
    check(lambda lib, x, w: lib.nn.functional.layer_norm(x, (3, 4), w), (2, 3, 4), (3, 4))
    check(lambda lib, x, b: lib.nn.functional.group_norm(x, 2, None, b) if lib is glasstorch
          else lib.nn.functional.group_norm(x, 2) + b.reshape(4, 1), (2, 4, 3), (4,))
