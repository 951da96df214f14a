"""torch.compile, torch.vmap, torch.cond and torch.while_loop run eagerly and give PyTorch's values and gradients."""
import numpy as np
import pytest
import torch

import glasstorch

LIBS = (torch, glasstorch)


def test_compile_returns_the_model_and_works_as_a_decorator():
    m = glasstorch.nn.Linear(3, 2)
    assert glasstorch.compile(m) is m
    assert glasstorch.compile(m, mode="reduce-overhead", fullgraph=True) is m

    @glasstorch.compile
    def f(x):
        return x * 2

    @glasstorch.compile(dynamic=True)
    def g(x):
        return x + 1

    assert f(glasstorch.ones(2)).tolist() == [2.0, 2.0] and g(glasstorch.ones(2)).tolist() == [2.0, 2.0]


VMAPS = {
    "dot_rows": (lambda lib: lib.vmap(lib.dot), (0, 0), [(5, 3), (5, 3)]),
    "in_dims_none": (lambda lib: lib.vmap(lambda x, w: (x * w).sum(), in_dims=(1, None)), None, [(3, 4), (3,)]),
    "out_dims": (lambda lib: lib.vmap(lambda x: x.exp() * 2, out_dims=1), None, [(4, 2, 3)]),
    "two_outputs": (lambda lib: lib.vmap(lambda x: (x.sum(), x.max())), None, [(4, 6)]),
    "nested": (lambda lib: lib.vmap(lib.vmap(lambda a, b: a * b)), None, [(2, 3), (2, 3)]),
}


@pytest.mark.parametrize("name", sorted(VMAPS))
def test_vmap_values_and_gradients_match_pytorch(name):
    make, _, shapes = VMAPS[name]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    got = []
    for lib in LIBS:
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = make(lib)(*xs)
        outs = out if isinstance(out, tuple) else (out,)
        sum(o.sum() for o in outs).backward()
        got.append(([o.detach().numpy() for o in outs], [x.grad.numpy() for x in xs]))
    (t_out, t_grad), (g_out, g_grad) = got
    for a, b in zip(t_out + t_grad, g_out + g_grad):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def test_vmap_refuses_mismatched_sizes():
    for lib in LIBS:
        with pytest.raises(ValueError):
            lib.vmap(lambda a, b: a + b)(lib.ones(3, 2), lib.ones(4, 2))


def test_cond_and_while_loop():
    for lib in LIBS:
        x = lib.tensor([1.0, 2.0])
        assert lib.cond(x.sum() > 2, lambda v: v * 10, lambda v: v - 1, (x,)).tolist() == [10.0, 20.0]
        assert lib.cond(lib.tensor(False), lambda v: v * 10, lambda v: v - 1, (x,)).tolist() == [0.0, 1.0]
    i, s = glasstorch.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + i), (glasstorch.tensor(0),
                                                                                 glasstorch.tensor(0)))
    assert (i.item(), s.item()) == (5, 10)
