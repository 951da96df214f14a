"""Random numbers: ``manual_seed``, ``Generator`` and the arrays behind rand/randn/randint/... .

Every random draw comes from a ``glasstorch.Generator`` (NumPy's PCG64 inside). ``manual_seed(s)`` reseeds
the default one, so a seeded program gives the same numbers every run. The numbers are not the ones
PyTorch draws for the same seed (PyTorch uses a Mersenne Twister with its own transforms).
"""
import numpy as np

from . import _dtype


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


# -- the in-place random fills of Tensor (cauchy_, geometric_, log_normal_, random_): arrays of the tensor's shape
_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "bool": "bool"}
_SCALAR_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def cauchy_array(shape, median, sigma, dtype, generator=None):
    """Cauchy(median, sigma) samples: median + sigma·tan(π(u − ½)), the inverse of its CDF at a uniform u."""
    dtype = np.dtype(dtype)
    if not _dtype.is_float_array(dtype):
        raise RuntimeError(f"Cauchy distribution is a continuous probability distribution. dtype must be a floating "
                           f"point but you specified {_C_NAMES.get(dtype.name, dtype.name)}")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    u = _rng(generator).random(shape)
    return (median + sigma * np.tan(np.pi * (u - 0.5))).astype(dtype)


def geometric_array(shape, p, dtype, generator=None):
    """The number of Bernoulli(p) trials up to and including the first success (1, 2, 3 ...)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    return _rng(generator).geometric(p, size=shape).astype(dtype)


def log_normal_array(shape, mean, std, dtype, generator=None):
    """exp(N(mean, std²)): samples whose logarithm is normal with that mean and std."""
    dtype = np.dtype(dtype)
    if not _dtype.is_float_array(dtype):
        raise NotImplementedError(f'"log_normal_cpu" not implemented for \'{_SCALAR_NAMES.get(dtype.name, dtype.name)}\'')
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    return np.exp(_rng(generator).normal(mean, std, size=shape)).astype(dtype)


def random_fill_array(shape, dtype, from_=0, to=None, generator=None):
    """``Tensor.random_``'s values: ``random_(from, to)`` integers in [from, to); ``random_(to)`` in [0, to);
    ``random_()`` in [0, 2^mantissa] for a float dtype (every integer it holds exactly: 2^24 for float32) and
    [0, max] for an integer one, as PyTorch draws them."""
    dtype = np.dtype(dtype)
    if to is None and from_ != 0:  # random_(to)
        from_, to = 0, from_
    if to is None:  # random_()
        if _dtype.is_float_array(dtype):
            to = 2 ** (np.finfo(dtype).nmant + 1) + 1
        elif dtype.kind == "b":
            to = 2
        else:
            to = int(np.iinfo(dtype).max) + 1
    if from_ >= to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
    return _rng(generator).integers(from_, to, size=shape, dtype=np.int64 if to <= 2 ** 63 else np.uint64).astype(dtype)
