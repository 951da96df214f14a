"""F.embedding_bag, torch.embedding_bag (ATen's 4-tuple) and nn.EmbeddingBag against PyTorch: sum/mean/max,
offsets and 2-D input, empty bags, padding_idx, per_sample_weights, include_last_offset, max_norm, errors;
float64 gradchecks."""
import numpy as np
import pytest
import torch

import glasstorch
from parity import check, check_error, gradcheck
from twins import same_repr, twins

IDX = np.array([1, 2, 4, 5, 4, 3, 2, 9])
OFFSETS = np.array([0, 4, 4])     # bag 1 is empty


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_offsets_and_2d(mode, padding_idx):
    check(lambda t, w: t.nn.functional.embedding_bag(t.tensor(IDX), w, t.tensor(OFFSETS), mode=mode,
                                                     padding_idx=padding_idx), (10, 3))
    check(lambda t, w: t.nn.functional.embedding_bag(t.tensor(IDX.reshape(2, 4)), w, mode=mode,
                                                     padding_idx=padding_idx), (10, 3))
    check(lambda t, w: t.nn.functional.embedding_bag(t.tensor(IDX), w, t.tensor([0, 3, 8]), mode=mode,
                                                     include_last_offset=True, padding_idx=padding_idx), (10, 3))


def test_max_ties_go_to_the_first():
    w = np.ones((6, 2), np.float32)
    check(lambda t, w: t.nn.functional.embedding_bag(t.tensor([3, 1, 4, 0, 5]), w, t.tensor([0, 2]), mode="max"), w)


@pytest.mark.parametrize("include_last_offset", [False, True])
def test_per_sample_weights(include_last_offset):
    offsets = [0, 3, 4, 8] if include_last_offset else [0, 3, 4]
    check(lambda t, w, p: t.nn.functional.embedding_bag(t.tensor(IDX), w, t.tensor(offsets), mode="sum",
                                                        per_sample_weights=p,
                                                        include_last_offset=include_last_offset), (10, 3), (8,))
    check(lambda t, w, p: t.nn.functional.embedding_bag(t.tensor(IDX.reshape(2, 4)), w, mode="sum",
                                                        per_sample_weights=p, padding_idx=4), (10, 3), (2, 4))


@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_torch_embedding_bag_tuple(mode, padding_idx):
    out = check(lambda t, w: t.embedding_bag(w, t.tensor(IDX), t.tensor(OFFSETS), False, mode, False, None, False,
                                             padding_idx), (10, 3))
    assert len(out) == 4


def test_max_norm_renormalizes_weight():
    w = np.random.default_rng(0).standard_normal((10, 3)).astype(np.float32) * 3
    tw, gw = torch.from_numpy(w.copy()), glasstorch.from_numpy(w.copy())
    t_out = torch.nn.functional.embedding_bag(torch.tensor(IDX), tw, torch.tensor(OFFSETS), max_norm=1.0)
    g_out = glasstorch.nn.functional.embedding_bag(glasstorch.tensor(IDX), gw, glasstorch.tensor(OFFSETS),
                                                   max_norm=1.0)
    np.testing.assert_allclose(g_out.numpy(), t_out.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gw.numpy(), tw.numpy(), rtol=1e-5, atol=1e-6)


def test_gradcheck():
    for mode in ("sum", "mean", "max"):
        gradcheck(lambda t, w: t.nn.functional.embedding_bag(t.tensor(IDX), w, t.tensor(OFFSETS), mode=mode,
                                                             padding_idx=2), (10, 3))
    gradcheck(lambda t, w, p: t.nn.functional.embedding_bag(t.tensor(IDX), w, t.tensor(OFFSETS), mode="sum",
                                                            per_sample_weights=p), (10, 3), (8,))


ERRORS = [
    (lambda t, w: t.nn.functional.embedding_bag(t.tensor(IDX.reshape(2, 4)), w, t.tensor([0, 1])), ValueError),
    (lambda t, w: t.nn.functional.embedding_bag(t.tensor(IDX), w), ValueError),
    (lambda t, w: t.nn.functional.embedding_bag(t.tensor(IDX), w, t.tensor(OFFSETS), mode="median"), ValueError),
    (lambda t, w: t.nn.functional.embedding_bag(t.tensor(IDX), w, t.tensor(OFFSETS), mode="mean",
                                                per_sample_weights=t.ones(8)), NotImplementedError),
    (lambda t, w: t.nn.functional.embedding_bag(t.tensor(IDX), w, t.tensor(OFFSETS), mode="sum",
                                                per_sample_weights=t.ones(7)), ValueError),
    (lambda t, w: t.nn.functional.embedding_bag(t.tensor(IDX), w[:5], t.tensor(OFFSETS)), IndexError),
]


@pytest.mark.parametrize("fn,exc", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors(fn, exc):
    check_error(fn, (10, 3), exc=exc)


@pytest.mark.parametrize("kw", [dict(), dict(mode="max", padding_idx=2, max_norm=1.0, include_last_offset=True),
                                dict(mode="sum", norm_type=1.0, scale_grad_by_freq=False)])
def test_module(kw):
    t, g = twins(lambda lib: lib.nn.EmbeddingBag(10, 3, **kw))
    same_repr(t, g)
    assert list(g.state_dict()) == list(t.state_dict()) == ["weight"]
    if "padding_idx" in kw:
        assert not g.weight.detach().numpy()[kw["padding_idx"]].any()
    w = np.random.default_rng(0).standard_normal((10, 3)).astype(np.float32)
    offsets = [0, 4, 4, 8] if kw.get("include_last_offset") else [0, 4, 4]
    with torch.no_grad():
        t.weight.copy_(torch.from_numpy(w))
    g.weight.data = glasstorch.from_numpy(w.copy())
    want = t(torch.tensor(IDX), torch.tensor(offsets))
    got = g(glasstorch.tensor(IDX), glasstorch.tensor(offsets))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_from_pretrained():
    w = np.random.default_rng(1).standard_normal((5, 2)).astype(np.float32)
    t = torch.nn.EmbeddingBag.from_pretrained(torch.from_numpy(w), mode="sum")
    g = glasstorch.nn.EmbeddingBag.from_pretrained(glasstorch.from_numpy(w), mode="sum")
    same_repr(t, g)
    assert g.weight.requires_grad == t.weight.requires_grad is False
    idx = np.array([[0, 4], [3, 3]])
    np.testing.assert_allclose(g(glasstorch.tensor(idx)).numpy(), t(torch.tensor(idx)).numpy(), rtol=1e-6)
    assert glasstorch.nn.EmbeddingBag.from_pretrained(glasstorch.from_numpy(w), freeze=False).weight.requires_grad
