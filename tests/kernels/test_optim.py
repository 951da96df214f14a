"""The one-pass Adam kernel (glasstorch/kernels/optim.py) against the NumPy reference in optim/adam.py: the
parameters and the whole optimizer state must be equal bit for bit after several steps."""
import numpy as np
import pytest

import glasstorch
from glasstorch import kernels

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")


def _run(fast, opt_cls, dtype, shapes, steps=4, threads=2, **options):
    old = glasstorch.get_num_threads()
    glasstorch.set_num_threads(threads)
    try:
        rng = np.random.default_rng(7)
        params = [glasstorch.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in shapes]
        opt = opt_cls(params, **options)
        with (kernels.fast() if fast else kernels.reference()):
            for _ in range(steps):
                for p in params:
                    p.grad = glasstorch.tensor(rng.standard_normal(p.shape).astype(dtype))
                opt.step()
        return [p.detach().numpy().copy() for p in params], opt.state_dict()["state"]
    finally:
        glasstorch.set_num_threads(old)


# tiny, middle-sized (one thread), and one above kernels/optim.py's PARALLEL_MIN (split between the threads)
SHAPES = [(3,), (70001,), (257, 300), (1,), (525001,)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("opt_name,options", [
    ("Adam", {}),
    ("Adam", {"lr": 3e-2, "weight_decay": 0.1}),
    ("Adam", {"amsgrad": True, "betas": (0.8, 0.95)}),
    ("Adam", {"maximize": True, "eps": 1e-6}),
    ("AdamW", {}),
    ("AdamW", {"weight_decay": 0.3, "amsgrad": True}),
])
@pytest.mark.parametrize("threads", [1, 2])
def test_adam_kernel_equals_reference(dtype, opt_name, options, threads):
    cls = getattr(glasstorch.optim, opt_name)
    fast_params, fast_state = _run(True, cls, dtype, SHAPES, threads=threads, **options)
    ref_params, ref_state = _run(False, cls, dtype, SHAPES, threads=threads, **options)
    for a, b in zip(fast_params, ref_params):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    for i in ref_state:
        for key in ref_state[i]:
            np.testing.assert_array_equal(fast_state[i][key].numpy(), ref_state[i][key].numpy())


def test_adam_kernel_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    w = rng.standard_normal((300, 400)).astype(np.float32)
    grads = [rng.standard_normal((300, 400)).astype(np.float32) for _ in range(5)]
    ours = glasstorch.tensor(w, requires_grad=True)
    theirs = torch.tensor(w, requires_grad=True)
    o1 = glasstorch.optim.AdamW([ours], lr=1e-2, amsgrad=True)
    o2 = torch.optim.AdamW([theirs], lr=1e-2, amsgrad=True)
    with kernels.fast():
        for g in grads:
            ours.grad = glasstorch.tensor(g)
            theirs.grad = torch.tensor(g)
            o1.step()
            o2.step()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=0, atol=2e-6)


def test_non_contiguous_parameter_takes_the_reference():
    """A parameter that is a strided view cannot be updated through a flat view: the reference runs (and the
    result is still right)."""
    base = glasstorch.zeros(200, 400)
    p = base[:, ::2].clone().t()            # non-contiguous leaf
    p.requires_grad_(True)
    assert not p._array.flags.c_contiguous
    p.grad = glasstorch.ones_like(p)
    glasstorch.optim.Adam([p], lr=0.5).step()
    np.testing.assert_allclose(p.detach().numpy(), -0.5, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_constants_follow_lr_changes_groups_and_step_counts(dtype):
    """The kernel's scalars are cast once per (group options, step): a scheduler changing lr, two groups with
    their own options, a parameter skipped at some steps (its own step count) and a tensor lr all give the
    reference's numbers."""
    def run(fast):
        rng = np.random.default_rng(5)
        a, b, c = (glasstorch.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True)
                   for s in [(40, 30), (17,), (9, 5)])
        opt = glasstorch.optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 3e-2, "betas": (0.5, 0.9),
                                                         "weight_decay": 0.01}], lr=1e-2)
        sched = glasstorch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        opt2 = glasstorch.optim.AdamW([c], lr=glasstorch.tensor(2e-3))
        with (kernels.fast() if fast else kernels.reference()):
            for step in range(6):
                for p in (a, b, c):
                    p.grad = glasstorch.tensor(rng.standard_normal(p.shape).astype(dtype))
                if step % 3 == 1:
                    b.grad = None                       # b misses this step: its t lags behind a's
                opt.step()
                sched.step()
                opt2.step()
        return [p.detach().numpy().copy() for p in (a, b, c)]
    for x, y in zip(run(True), run(False)):
        np.testing.assert_array_equal(x, y)
