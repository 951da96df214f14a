"""Random numbers: ``manual_seed``, ``Generator`` and the arrays behind rand/randn/randint/... .

Every random draw comes from a ``glasstorch.Generator`` (NumPy's PCG64 inside). ``manual_seed(s)`` reseeds
the default one, so a seeded program gives the same numbers every run. The numbers are not the ones
PyTorch draws for the same seed (PyTorch uses a Mersenne Twister with its own transforms).
"""
import numpy as np


class Generator:
    """A random-number generator with PyTorch's interface: ``Generator().manual_seed(42)``."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721  # PyTorch's default seed
        self._rng = np.random.default_rng(self._seed)
        self.device = device

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator state as a uint8 tensor (the bit generator's state, serialized as JSON text)."""
        import json
        from .autograd.function import wrap
        text = json.dumps(self._rng.bit_generator.state)
        return wrap(np.frombuffer(text.encode(), dtype=np.uint8).copy())

    def set_state(self, state):
        import json
        arr = state._array if hasattr(state, "_array") else np.asarray(state, dtype=np.uint8)
        self._rng.bit_generator.state = json.loads(arr.tobytes().decode())
        return self


default_generator = Generator()


def _rng(generator):
    return (generator if generator is not None else default_generator)._rng


def manual_seed(seed):
    """Seed the default generator; returns it, as ``torch.manual_seed``."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def uniform_array(shape, low, high, dtype, generator=None):
    """U[low, high) samples of the given shape and NumPy dtype."""
    dtype = np.dtype(dtype)
    rng = _rng(generator)
    if dtype in (np.float32, np.float64):
        a = rng.random(shape, dtype=dtype)
    else:
        a = rng.random(shape)
    if low != 0.0 or high != 1.0:
        a = a * (high - low) + low
    return a.astype(dtype, copy=False)


def normal_array(shape, mean, std, dtype, generator=None):
    """N(mean, std²) samples of the given shape and NumPy dtype."""
    dtype = np.dtype(dtype)
    rng = _rng(generator)
    a = rng.standard_normal(shape, dtype=dtype if dtype in (np.float32, np.float64) else np.float64)
    if std != 1.0:
        a *= std
    if mean != 0.0:
        a += mean
    return a.astype(dtype, copy=False)


def randint_array(low, high, shape, generator=None, dtype=np.int64):
    """Integers in [low, high). ``randint_array(0, None, ...)`` is not allowed: high must be given."""
    if high is None:
        raise TypeError("random_ needs an upper bound in glasstorch: random_(from, to)")
    return _rng(generator).integers(low, high, size=shape, dtype=dtype)


def permutation_array(n, generator=None):
    return _rng(generator).permutation(n).astype(np.int64)
