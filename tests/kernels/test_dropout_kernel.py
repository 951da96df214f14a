"""Dropout's mask kernel (glasstorch/kernels/dropout.py) against the reference in ops/dropout.py: the same mask bit
for bit and the same generator state afterwards, then the whole op (values and gradients) and PyTorch's mask."""
import numpy as np
import pytest

import glasstorch
from glasstorch import kernels
from glasstorch.ops.dropout import _scaled_mask

pytestmark = pytest.mark.skipif(not kernels.available(), reason="numba is not installed")

F = glasstorch.nn.functional
P = [0.1, 0.2, 0.25, 0.3, 0.5, 0.9, 1 / 3, 1e-20]


def _mask_and_state(fast, shape, p, dtype, seed, skip):
    glasstorch.manual_seed(seed)
    gen = glasstorch.random.default_generator
    gen.random(skip)                               # start anywhere in a block of the twister
    with (kernels.fast() if fast else kernels.reference()):
        mask = _scaled_mask(shape, p, dtype)
    st = gen._bitgen.state["state"]
    return mask, st["key"].copy(), st["pos"], gen.random(5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", P)
@pytest.mark.parametrize("threads", [1, 2])
def test_mask_and_state_equal_reference(dtype, p, threads):
    old = glasstorch.get_num_threads()
    glasstorch.set_num_threads(threads)
    try:
        # 256 elements (the kernel's smallest), odd sizes, exactly a block's words (312 elements), and the CNN's
        for shape, seed, skip in [((256,), 1, 0), ((311,), 2, 0), ((312,), 3, 0), ((313,), 4, 623),
                                  ((7, 37, 3), 5, 1), ((624, 3), 6, 311), ((64, 64, 7, 7), 7, 5), ((65537,), 8, 624),
                                  ((1, 40000), 9, 312)]:
            fm, fkey, fpos, fnext = _mask_and_state(True, shape, p, dtype, seed, skip)
            rm, rkey, rpos, rnext = _mask_and_state(False, shape, p, dtype, seed, skip)
            assert fm.dtype == rm.dtype and fm.shape == rm.shape
            assert fm.tobytes() == rm.tobytes(), (shape, skip)
            assert fpos == rpos and np.array_equal(fkey, rkey), (shape, skip)
            np.testing.assert_array_equal(fnext, rnext)      # and the generator goes on alike
    finally:
        glasstorch.set_num_threads(old)


def test_sequence_of_calls_and_other_draws_in_between():
    """Several masks in a row, mixed with the reference's own draws, give the same stream."""
    def run(fast):
        glasstorch.manual_seed(11)
        out = []
        with (kernels.fast() if fast else kernels.reference()):
            for n in (1000, 3, 20000, 999, 5000):
                out.append(_scaled_mask((n,), 0.3, np.float32))
                out.append(glasstorch.rand(7).numpy())
        return out
    for a, b in zip(run(True), run(False)):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("dtype", [glasstorch.float32, glasstorch.float64])
def test_dropout_op_values_and_gradients(dtype):
    def run(fast):
        glasstorch.manual_seed(5)
        x = glasstorch.randn(33, 65, 3, dtype=dtype, requires_grad=True)
        with (kernels.fast() if fast else kernels.reference()):
            y = F.dropout(x, 0.25)
            z = F.dropout2d(glasstorch.randn(64, 64, 2, 2, dtype=dtype), 0.5)
        w = glasstorch.randn(33, 65, 3, dtype=dtype)
        (y * w).sum().backward()
        return y.detach().numpy(), x.grad.numpy(), z.numpy()
    for a, b in zip(run(True), run(False)):
        assert a.tobytes() == b.tobytes()


def test_reseed_and_set_state():
    """manual_seed makes a new bit generator, set_state rewrites it: the kernel follows both."""
    with kernels.fast():
        glasstorch.manual_seed(3)
        a = _scaled_mask((5000,), 0.5, np.float32)
        saved = glasstorch.get_rng_state()
        b = _scaled_mask((5000,), 0.5, np.float32)
        glasstorch.manual_seed(3)
        np.testing.assert_array_equal(_scaled_mask((5000,), 0.5, np.float32), a)
        glasstorch.set_rng_state(saved)
        np.testing.assert_array_equal(_scaled_mask((5000,), 0.5, np.float32), b)


def test_copied_generator_has_its_own_state():
    """A deep-copied Generator draws from its own copy of the twister, not from the original's memory."""
    import copy
    from glasstorch.kernels.dropout import mask_from_generator
    gen = glasstorch.Generator().manual_seed(9)
    mask_from_generator(gen, (3000,), 0.5, np.float32)
    twin = copy.deepcopy(gen)
    a = mask_from_generator(twin, (3000,), 0.5, np.float32)
    b = mask_from_generator(gen, (3000,), 0.5, np.float32)
    assert a.tobytes() == b.tobytes()
    np.testing.assert_array_equal(twin.random(4), gen.random(4))


@pytest.mark.parametrize("p", [0.2, 0.25])
def test_mask_matches_pytorch(p):
    torch = pytest.importorskip("torch")
    for seed, shape in [(0, (64, 64, 7, 7)), (42, (64, 256)), (7, (301,))]:
        torch.manual_seed(seed)
        expected = torch.nn.functional.dropout(torch.ones(shape), p).numpy()
        glasstorch.manual_seed(seed)
        with kernels.fast():
            got = F.dropout(glasstorch.ones(shape), p).numpy()
        assert got.tobytes() == expected.tobytes()
        assert torch.rand(3).tolist() == glasstorch.rand(3).tolist()   # the same words were consumed
