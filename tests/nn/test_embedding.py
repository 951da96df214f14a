"""F.embedding and nn.Embedding against PyTorch: lookups over 1-D/2-D/3-D index tensors, the scatter-add
gradient with repeated indices, padding_idx, scale_grad_by_freq, max_norm's in-place renormalization,
from_pretrained, init, repr, state_dict, errors; float64 gradcheck."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import check, check_error, gradcheck
from twins import same_repr, twins

IDX = {
    "1d": np.array([3, 0, 3, 5, 1]),
    "2d": np.array([[1, 2, 1], [6, 0, 1]]),
    "3d": np.array([[[2, 2], [0, 6]], [[5, 5], [5, 1]]]),
    "scalar": np.array(4),
    "empty": np.zeros((2, 0), dtype=np.int64),
}


@pytest.mark.parametrize("name", list(IDX))
def test_functional_matches_pytorch(name):
    out = check(lambda lib, idx, w: lib.nn.functional.embedding(idx, w), IDX[name], (7, 4))
    assert tuple(out.shape) == IDX[name].shape + (4,)


def test_int32_indices_and_float64_weight():
    check(lambda lib, idx, w: lib.nn.functional.embedding(idx, w), IDX["2d"].astype(np.int32), (7, 3))
    check(lambda lib, idx, w: lib.nn.functional.embedding(idx, w), IDX["3d"], (7, 3), dtype=np.float64)


def test_repeated_indices_accumulate():
    idx = np.array([[2, 2, 2], [2, 0, 2]])
    check(lambda lib, idx, w: lib.nn.functional.embedding(idx, w), idx, (3, 5))
    w = glasstorch.randn(3, 2, requires_grad=True)
    glasstorch.nn.functional.embedding(glasstorch.tensor(idx), w).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[1, 1], [0, 0], [5, 5]])


@pytest.mark.parametrize("padding_idx", [0, 5, -2])
def test_padding_idx_gets_no_gradient(padding_idx):
    idx = np.array([[0, 5, 5], [1, 0, 5]])
    check(lambda lib, idx, w: lib.nn.functional.embedding(idx, w, padding_idx=padding_idx), idx, (6, 3))
    w = glasstorch.randn(6, 3, requires_grad=True)
    glasstorch.nn.functional.embedding(glasstorch.tensor(idx), w, padding_idx=padding_idx).sum().backward()
    assert not w.grad.numpy()[padding_idx].any()


@pytest.mark.parametrize("padding_idx", [None, 1])
def test_scale_grad_by_freq(padding_idx):
    idx = np.array([[1, 1, 3], [3, 3, 0]])
    check(lambda lib, idx, w: lib.nn.functional.embedding(idx, w, padding_idx=padding_idx, scale_grad_by_freq=True),
          idx, (5, 4))


@pytest.mark.parametrize("max_norm,norm_type", [(1.0, 2.0), (0.5, 1.0), (2.0, 3.0), (0.7, float("inf"))])
def test_max_norm_renormalizes_weight_in_place(max_norm, norm_type):
    rng = np.random.default_rng(0)
    w0 = (rng.standard_normal((6, 4)) * 2).astype(np.float32)
    idx = np.array([[0, 2, 2], [5, 0, 3]])
    tw = torch.from_numpy(w0.copy()).requires_grad_()
    gw = glasstorch.from_numpy(w0.copy()).requires_grad_()
    to = torch.nn.functional.embedding(torch.from_numpy(idx), tw, max_norm=max_norm, norm_type=norm_type)
    go = glasstorch.nn.functional.embedding(glasstorch.from_numpy(idx), gw, max_norm=max_norm, norm_type=norm_type)
    np.testing.assert_allclose(gw.detach().numpy(), tw.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(go.detach().numpy(), to.detach().numpy(), rtol=1e-6, atol=1e-6)
    # the referenced rows now have norm <= max_norm, the others are untouched
    norms = np.linalg.norm(gw.detach().numpy(), ord=norm_type, axis=1)
    assert (norms[[0, 2, 3, 5]] <= max_norm * (1 + 1e-5)).all()
    np.testing.assert_array_equal(gw.detach().numpy()[[1, 4]], w0[[1, 4]])
    g = rng.standard_normal(to.shape).astype(np.float32)
    to.backward(torch.from_numpy(g))
    go.backward(glasstorch.from_numpy(g))
    np.testing.assert_allclose(gw.grad.numpy(), tw.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_gradcheck_float64():
    idx = np.array([[0, 2, 2], [3, 0, 2]])
    gradcheck(lambda lib, idx, w: lib.nn.functional.embedding(idx, w), idx, (4, 3))
    gradcheck(lambda lib, idx, w: lib.nn.functional.embedding(idx, w, padding_idx=1) * 2, idx, (4, 3))
    gradcheck(lambda lib, idx, w: lib.nn.functional.embedding(idx, w, max_norm=10.0), idx, (4, 3))


# ---------------------------------------------------------------------------------------------------
# nn.Embedding
# ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, dict(padding_idx=2), dict(padding_idx=-1, scale_grad_by_freq=True),
                                    dict(max_norm=1.5), dict(max_norm=1.0, norm_type=1.0)], ids=str)
def test_module_matches_pytorch(kwargs):
    t, g = twins(lambda lib: lib.nn.Embedding(8, 5, **kwargs))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict()) == ["weight"]
    idx = np.array([[[1, 2, 7], [7, 7, 0]], [[2, 2, 5], [3, 1, 7]]])
    to, go = t(torch.from_numpy(idx)), g(glasstorch.from_numpy(idx))
    assert tuple(go.shape) == tuple(to.shape) == (2, 2, 3, 5)
    np.testing.assert_allclose(go.detach().numpy(), to.detach().numpy(), rtol=1e-6, atol=1e-6)
    w = np.random.default_rng(1).standard_normal(to.shape).astype(np.float32)
    to.backward(torch.from_numpy(w))
    go.backward(glasstorch.from_numpy(w))
    np.testing.assert_allclose(g.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-6, atol=1e-6)


def test_init_and_padding_row():
    glasstorch.manual_seed(0)
    e = glasstorch.nn.Embedding(2000, 50, padding_idx=-3)
    assert e.padding_idx == 1997
    w = e.weight.detach().numpy()
    assert w.dtype == np.float32 and e.weight.requires_grad
    assert not w[1997].any()
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1.0) < 0.01  # N(0, 1)
    e.weight.data.fill_(3.0)
    e.reset_parameters()
    assert not e.weight.detach().numpy()[1997].any() and e.weight.detach().numpy().std() > 0.9
    assert glasstorch.nn.Embedding(3, 2, dtype=glasstorch.float64).weight.dtype == glasstorch.float64


def test_reprs():
    for kwargs in ({}, dict(padding_idx=-1), dict(max_norm=2), dict(norm_type=3.0, max_norm=1.0),
                   dict(padding_idx=1, max_norm=1.0, norm_type=3.0, scale_grad_by_freq=True, sparse=True)):
        same_repr(torch.nn.Embedding(5, 3, **kwargs), glasstorch.nn.Embedding(5, 3, **kwargs))


@pytest.mark.parametrize("freeze", [True, False])
def test_from_pretrained(freeze):
    vectors = np.arange(12, dtype=np.float32).reshape(4, 3)
    t = torch.nn.Embedding.from_pretrained(torch.from_numpy(vectors.copy()), freeze=freeze, padding_idx=-1)
    src = glasstorch.from_numpy(vectors.copy())
    g = glasstorch.nn.Embedding.from_pretrained(src, freeze=freeze, padding_idx=-1)
    same_repr(t, g)
    assert g.weight.requires_grad == t.weight.requires_grad == (not freeze)
    np.testing.assert_array_equal(g.weight.detach().numpy(), vectors)  # the pad row is not zeroed
    idx = np.array([[0, 3, 1], [1, 1, 2]])
    to, go = t(torch.from_numpy(idx)), g(glasstorch.from_numpy(idx))
    np.testing.assert_array_equal(go.detach().numpy(), to.detach().numpy())
    assert go.requires_grad == to.requires_grad == (not freeze)
    if not freeze:
        to.sum().backward()
        go.sum().backward()
        np.testing.assert_array_equal(g.weight.grad.numpy(), t.weight.grad.numpy())
        assert not g.weight.grad.numpy()[3].any()
    # the weight shares the given tensor's memory, as in PyTorch
    src.data[0, 0] = -1.0
    assert g.weight.detach().numpy()[0, 0] == -1.0


def test_embedding_in_a_model():
    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Embedding(10, 6, padding_idx=0), nn.Flatten(), nn.Linear(18, 2))
    t, g = twins(build)
    idx = np.array([[1, 0, 9], [4, 4, 0]])
    to, go = t(torch.from_numpy(idx)), g(glasstorch.from_numpy(idx))
    np.testing.assert_allclose(go.detach().numpy(), to.detach().numpy(), rtol=1e-5, atol=1e-6)
    to.sum().backward()
    go.sum().backward()
    for (name, tp), gp in zip(t.named_parameters(), g.parameters()):
        np.testing.assert_allclose(gp.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


# ---------------------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------------------
def test_index_errors():
    emb = lambda lib, idx, w: lib.nn.functional.embedding(idx, w)  # noqa: E731
    check_error(emb, np.array([0, 5]), (5, 3), exc=IndexError, match="index out of range in self")
    check_error(emb, np.array([[-1, 2]]), (5, 3), exc=IndexError, match="index out of range in self")
    check_error(emb, np.array([1.0, 2.0], dtype=np.float32), (5, 3), exc=RuntimeError,
                match="Long, Int; but got torch.FloatTensor")
    check_error(emb, np.array([1, 2], dtype=np.int16), (5, 3), exc=RuntimeError, match="ShortTensor")
    check_error(emb, np.array([True]), (5, 3), exc=RuntimeError, match="CPUBoolType")
    check_error(emb, np.array([1]), (5,), exc=RuntimeError, match="'weight' must be 2-D")
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        glasstorch.nn.functional.embedding([1, 2], glasstorch.randn(3, 2))


def test_padding_idx_errors():
    for bad in (5, -6):
        check_error(lambda lib, idx, w: lib.nn.functional.embedding(idx, w, padding_idx=bad), np.array([1]), (5, 3),
                    exc=AssertionError, match="Padding_idx must be within num_embeddings")
        with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
            glasstorch.nn.Embedding(5, 3, padding_idx=bad)


def test_module_errors():
    with pytest.raises(AssertionError, match="Shape of weight does not match"):
        glasstorch.nn.Embedding(5, 3, _weight=glasstorch.randn(4, 3))
    with pytest.raises(AssertionError, match="2-dimensional"):
        glasstorch.nn.Embedding.from_pretrained(glasstorch.randn(4))


def test_sparse_is_not_supported():
    """Deviation: sparse gradients do not exist in glasstorch."""
    e = glasstorch.nn.Embedding(5, 3, sparse=True)
    assert e.sparse is True
    with pytest.raises(NotImplementedError, match="sparse"):
        e(glasstorch.tensor([1, 2]))
