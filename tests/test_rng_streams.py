"""glasstorch's random draws against PyTorch's CPU generator: after the same manual_seed, the same numbers.

Exact (bit-equal) wherever PyTorch's arithmetic is reproduced exactly; where a libm function is involved
(log/sin/cos of randn's Box-Muller, log1p of exponential_) within a few ulp, since NumPy's and the C
library's (or PyTorch's AVX2 polynomials) may round differently. Every test also checks that the streams
are still in step afterwards (the next draws are equal).
"""
import math
import warnings

import numpy as np
import pytest
import torch

import glasstorch as gt

SEEDS = [0, 1, 42, 1234]
DTYPES = [(gt.float32, torch.float32), (gt.float64, torch.float64)]


def both(seed, fn):
    """fn(lib) run on PyTorch and glasstorch after manual_seed(seed); returns two NumPy arrays."""
    torch.manual_seed(seed)
    t = fn(torch)
    gt.manual_seed(seed)
    g = fn(gt)
    return _np(t), _np(g)


def _np(x):
    if isinstance(x, (list, tuple)):
        return np.concatenate([_np(v).ravel() for v in x])
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


def in_step():
    """The next draws of both default generators agree (the streams were consumed alike)."""
    a = torch.randint(0, 2 ** 31, (4,)).numpy()
    b = gt.randint(0, 2 ** 31, (4,)).numpy()
    np.testing.assert_array_equal(a, b)


def exact(t, g):
    assert t.dtype == g.dtype and t.shape == g.shape
    np.testing.assert_array_equal(t, g)
    in_step()


def close(t, g, ulps, scale=1.0):
    """|t - g| within ulps units of the last place of max(|t|, scale)."""
    assert t.dtype == g.dtype and t.shape == g.shape
    tol = ulps * np.spacing(np.maximum(np.abs(t), t.dtype.type(scale)))
    assert (np.abs(t - g) <= tol).all(), np.abs(t - g).max()
    in_step()


# -- the raw stream ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dt", DTYPES, ids=["float32", "float64"])
def test_rand(seed, dt):
    exact(*both(seed, lambda T: T.rand(10000, dtype=dt[0] if T is gt else dt[1])))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dt", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("ab", [(-2.5, 3.7), (0.0, 10.0), (-1e-3, 1e-3)])
def test_uniform_(seed, dt, ab):
    exact(*both(seed, lambda T: T.empty(10000, dtype=dt[0] if T is gt else dt[1]).uniform_(*ab)))


def test_default_seed_and_initial_seed():
    torch.manual_seed(67280421310721)
    gt.Generator()  # a fresh generator starts from PyTorch's default seed
    g = gt.Generator()
    assert g.initial_seed() == torch.Generator().initial_seed() == 67280421310721
    np.testing.assert_array_equal(gt.rand(5, generator=g).numpy(), torch.rand(5).numpy())
    gt.manual_seed(7)
    assert gt.initial_seed() == 7


# -- normal -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 7, 15])
@pytest.mark.parametrize("dt", DTYPES, ids=["float32", "float64"])
def test_randn_scalar_path(seed, n, dt):
    """Fewer than 16 elements: normal_distribution<double> with its cached second sample (libm: 1 ulp)."""
    close(*both(seed, lambda T: [T.randn(n, dtype=dt[0] if T is gt else dt[1]) for _ in range(3)]), ulps=1)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [16, 17, 100, 10000])
@pytest.mark.parametrize("dt", DTYPES, ids=["float32", "float64"])
def test_randn_vectorized_path(seed, n, dt):
    """16 or more: the Box-Muller fill in blocks of 16 (the last 16 redrawn); libm/AVX rounding: few ulp."""
    close(*both(seed, lambda T: T.randn(n, dtype=dt[0] if T is gt else dt[1])), ulps=4)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dt", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("n", [5, 1000])
def test_normal_mean_std(seed, dt, n):
    close(*both(seed, lambda T: T.empty(n, dtype=dt[0] if T is gt else dt[1]).normal_(1.5, 2.5)), ulps=4,
          scale=2.5)


def test_strided_fills():
    """A non-contiguous tensor is filled in memory order; normal_ draws the scalar way there, as in PyTorch."""
    def f(T):
        return [T.empty(8, 6).t().normal_(), T.empty(4, 5).t().uniform_(), T.empty(3, 4, 5).permute(2, 0, 1).bernoulli_(0.4),
                T.empty(6, 3).t().random_(0, 9), T.empty(6, 3).t().exponential_()]
    close(*both(3, f), ulps=1)


@pytest.mark.parametrize("seed", SEEDS)
def test_torch_normal_tensor_forms(seed):
    def f(T):
        m = T.arange(20.0)
        s = T.linspace(0.5, 2.0, 20)
        return [T.normal(m, s), T.normal(m, 2.0), T.normal(1.0, s), T.normal(0.5, 2.0, (30,)), T.normal(m[:4], s[:4])]
    close(*both(seed, f), ulps=4, scale=20)


def test_interleaved_normal_cache():
    """An odd-sized small randn leaves a cached sample that the next small draw returns first."""
    def f(T):
        return [T.randn(3), T.rand(2), T.randn(5), T.randn(20), T.randn(1), T.randn(2, dtype=T.float64).float()]
    close(*both(11, f), ulps=4)


# -- integers -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("bounds", [(0, 2), (0, 10), (-5, 7), (3, 1000003), (0, 2 ** 32), (0, 2 ** 33),
                                    (-2 ** 40, 2 ** 40 + 5)])
def test_randint(seed, bounds):
    exact(*both(seed, lambda T: T.randint(*bounds, (10000,))))


@pytest.mark.parametrize("dtype", ["int32", "int16", "uint8", "float32", "float64"])
def test_randint_dtypes(dtype):
    exact(*both(5, lambda T: T.randint(0, 100, (500,), dtype=getattr(T, dtype))))


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool", "float32", "float64"])
def test_random_(dtype):
    def f(T):
        x = T.empty(300, dtype=getattr(T, dtype))
        parts = [x.clone().random_()]
        if dtype != "bool":
            parts += [x.clone().random_(0, 100), x.clone().random_(7)]
        return [p.to(T.float64) for p in parts]
    exact(*both(9, f))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [0, 1, 2, 5, 100, 10000])
def test_randperm(seed, n):
    exact(*both(seed, lambda T: T.randperm(n)))


# -- bernoulli, dropout ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dt", DTYPES, ids=["float32", "float64"])
def test_bernoulli_float_p(seed, dt):
    exact(*both(seed, lambda T: [T.empty(10000, dtype=dt[0] if T is gt else dt[1]).bernoulli_(0.3),
                                 T.bernoulli(T.zeros(50, dtype=dt[0] if T is gt else dt[1]), 0.8)]))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dt", DTYPES, ids=["float32", "float64"])
def test_bernoulli_tensor_p(seed, dt):
    def f(T):
        p = T.linspace(0, 1, 10000, dtype=dt[0] if T is gt else dt[1])
        return [T.bernoulli(p), T.empty(10000).bernoulli_(p), T.empty(20, 500).bernoulli_(p[:500])]
    exact(*both(seed, f))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9, 1.0])
def test_dropout_masks(seed, p):
    def f(T):
        x = T.ones(100, 100)
        return [T.nn.functional.dropout(x, p), T.nn.Dropout(p)(x[:7]), T.nn.functional.dropout2d(T.ones(4, 6, 3, 3), p)]
    exact(*both(seed, f))


# -- multinomial ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_multinomial(seed):
    def f(T):
        w = T.rand(4, 30)
        w[0, 3] = 0
        return [T.multinomial(w, 10), T.multinomial(w, 100, replacement=True), T.multinomial(w[1], 1),
                T.multinomial(w[2].double(), 30), T.multinomial(w[3], 1, replacement=True)]
    exact(*both(seed, f))


# -- the other distributions --------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dt", DTYPES, ids=["float32", "float64"])
def test_exponential_cauchy_log_normal_geometric(seed, dt):
    def f(T):
        x = T.empty(1000, dtype=dt[0] if T is gt else dt[1])
        return [x.clone().exponential_(2.0), x.clone().cauchy_(1.0, 0.5), x.clone().log_normal_(0.5, 0.3),
                x.clone().geometric_(0.3)]
    t, g = both(seed, f)
    close(t, g, ulps=2)


# -- nn.init and default layer initialization ------------------------------------------------------------------
INITS = [
    lambda T, w: T.nn.init.uniform_(w, -0.3, 0.7),
    lambda T, w: T.nn.init.normal_(w, 0.2, 0.5),
    lambda T, w: T.nn.init.xavier_uniform_(w, gain=1.3),
    lambda T, w: T.nn.init.xavier_normal_(w),
    lambda T, w: T.nn.init.kaiming_uniform_(w, a=math.sqrt(5)),
    lambda T, w: T.nn.init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu"),
    lambda T, w: T.nn.init.kaiming_normal_(w, nonlinearity="relu"),
    lambda T, w: T.nn.init.trunc_normal_(w, std=0.02),
    lambda T, w: T.nn.init.trunc_normal_(w, mean=0.0, std=1.0, a=1.0, b=3.0),
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", range(len(INITS)))
@pytest.mark.parametrize("shape", [(3, 5), (64, 32), (8, 4, 3, 3)])
def test_init(seed, k, shape):
    close(*both(seed, lambda T: INITS[k](T, T.empty(*shape))), ulps=4, scale=0.5)


@pytest.mark.parametrize("seed", SEEDS)
def test_orthogonal_and_sparse(seed):
    t, g = both(seed, lambda T: [T.nn.init.orthogonal_(T.empty(6, 10)), T.nn.init.sparse_(T.empty(12, 5), 0.3)])
    np.testing.assert_allclose(t, g, rtol=1e-4, atol=1e-5)  # QR of the same matrix by two LAPACK calls
    in_step()


def test_deprecated_aliases_warn():
    w = gt.empty(3, 4)
    with pytest.warns(FutureWarning, match=r"`nn.init.uniform` is now deprecated in favor of `nn.init.uniform_`"):
        gt.nn.init.uniform(w)
    for name in ["uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
                 "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"]:
        assert getattr(gt.nn.init, name).__name__ == name


@pytest.mark.parametrize("seed", SEEDS)
def test_default_layer_init(seed):
    def f(T):
        layers = [T.nn.Linear(20, 30), T.nn.Conv2d(3, 8, 3), T.nn.Linear(5, 2, bias=False), T.nn.Conv1d(4, 6, 5)]
        return [p for layer in layers for p in layer.parameters()]
    exact(*both(seed, f))


# -- interleaving and generator objects ---------------------------------------------------------------------------
def test_interleaved_sequence():
    def f(T):
        out = [T.rand(3), T.randn(17), T.randint(0, 5, (4,)), T.randperm(9), T.randn(2), T.rand(4, dtype=T.float64)]
        out.append(T.empty(33).uniform_(-1, 1))
        out.append(T.bernoulli(T.full((9,), 0.4)))
        out.append(T.multinomial(T.ones(8), 3))
        out.append(T.nn.functional.dropout(T.ones(40), 0.25))
        out.append(T.randint(-3, 2 ** 34, (3,)))
        out.append(T.randn(5, dtype=T.float64))
        return [o.to(T.float32) for o in out]
    close(*both(2024, f), ulps=4, scale=1)


def test_generator_objects_and_state():
    g, tg = gt.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    np.testing.assert_array_equal(gt.rand(7, generator=g).numpy(), torch.rand(7, generator=tg).numpy())
    gt.randn(3, generator=g), torch.randn(3, generator=tg)  # leaves a cached normal
    sg, st = g.get_state(), tg.get_state()
    assert sg.dtype == gt.uint8 and tuple(sg.shape) == (5056,)
    np.testing.assert_array_equal(sg.numpy(), st.numpy())   # PyTorch's byte layout
    a = gt.randn(4, generator=g).numpy()
    g.set_state(sg)
    np.testing.assert_array_equal(gt.randn(4, generator=g).numpy(), a)
    g2 = gt.Generator().set_state(gt.tensor(st.numpy()))      # a state PyTorch wrote
    np.testing.assert_array_equal(gt.randn(4, generator=g2).numpy(), torch.randn(4, generator=tg).numpy())
    with pytest.raises(RuntimeError, match="5056"):
        g.set_state(gt.zeros(10, dtype=gt.uint8))


def test_fresh_seed_state_equals_pytorch():
    np.testing.assert_array_equal(gt.Generator().manual_seed(99).get_state().numpy(),
                                  torch.Generator().manual_seed(99).get_state().numpy())


def test_get_set_rng_state_and_fork_rng():
    gt.manual_seed(3)
    state = gt.get_rng_state()
    a = gt.rand(5)
    gt.set_rng_state(state)
    assert gt.equal(gt.rand(5), a)
    with gt.random.fork_rng():
        gt.rand(100)
    b = gt.rand(3)
    torch.manual_seed(3)
    torch.rand(5)
    with torch.random.fork_rng():
        torch.rand(100)
    np.testing.assert_array_equal(b.numpy(), torch.rand(3).numpy())


def test_sampler_helpers():
    """What RandomSampler needs: a seed drawn as torch.empty((), dtype=int64).random_(), then randperm."""
    from glasstorch import random as R
    torch.manual_seed(8)
    seed = int(torch.empty((), dtype=torch.int64).random_().item())
    perm = torch.randperm(10, generator=torch.Generator().manual_seed(seed)).numpy()
    gt.manual_seed(8)
    assert R.int64_seed() == seed
    gt.manual_seed(8)
    np.testing.assert_array_equal(R.permutation_array(10, R.sampler_generator(None)), perm)


# -- training runs -------------------------------------------------------------------------------------------
def _mlp_losses(T, steps=5):
    T.manual_seed(0)
    model = T.nn.Sequential(T.nn.Linear(10, 32), T.nn.ReLU(), T.nn.Dropout(0.2), T.nn.Linear(32, 3))
    opt = T.optim.SGD(model.parameters(), lr=0.1)
    x = T.randn(64, 10)
    y = T.randint(0, 3, (64,))
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = T.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_seeded_mlp_training_same_losses():
    t, g = _mlp_losses(torch), _mlp_losses(gt)
    for step, (a, b) in enumerate(zip(t, g)):
        print(f"step {step}: torch {a:.7f}  glasstorch {b:.7f}")
    np.testing.assert_allclose(g, t, rtol=1e-5)
