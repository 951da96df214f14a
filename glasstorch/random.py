"""Random numbers drawn as PyTorch's CPU generator draws them: the same seed gives the same numbers.

PyTorch's CPU generator (ATen's CPUGeneratorImpl) is a 32-bit Mersenne Twister, mt19937, seeded by its
``init_genrand``. NumPy's ``np.random.MT19937`` is the same twister (same recurrence, same tempering) but
seeds differently, so ``Generator`` seeds the 624 state words the way PyTorch does and hands them to NumPy,
which then produces PyTorch's stream of 32-bit words, vectorized. Everything else is a transformation of
those words, written here with the C++ formula quoted (ATen/core/TransformationHelper.h,
DistributionsHelper.h, native/cpu/DistributionTemplates.h, DistributionKernels.cpp):

- ``random()``   one 32-bit word;  ``random64()``  two words, the first as the high half.
- uniform, float32: ``(random() & (2^24 - 1)) * 2^-24 * (to - from) + from``, computed in float;
  float64: ``(random64() & (2^53 - 1)) * 2^-53 * (to - from) + from``.
- randn/normal_, a contiguous tensor of >= 16 elements: fill with uniforms, then Box-Muller on blocks of 16
  (``normal_fill_16``); smaller or strided ones: the scalar ``normal_distribution<double>``, which makes two
  normals from two uniforms and caches the second (``next_double_normal_sample``).
- randint/random_(from, to): ``random() % range + from`` (``random64()`` once range >= 2^28, whatever the
  dtype: the public builds' branch of uniform_int_from_to_distribution, "approx 5% skew" allowed).
- randperm (n < 2^32 / 20): Fisher-Yates, swapping position i with i + ``random() % (n - i)``.

Note: PyTorch's float32 randn on an AVX2 machine computes log/sin/cos with its own vectorized polynomials
(avx_mathfun.h); glasstorch uses NumPy's, so those values can differ from PyTorch's in the last bit.
"""
import contextlib
import math

import numpy as np

from . import _dtype

DEFAULT_SEED = 67280421310721  # c10::detail::default_rng_seed_val
_STATE_N = 624                 # MERSENNE_STATE_N
_STATE_BYTES = 5056            # sizeof(CPUGeneratorImplState), the layout get_state writes


def init_genrand(seed):
    """The 624 state words mt19937 starts from (PyTorch's ``init_with_uint32``, Matsumoto-Nishimura's
    ``init_genrand``):  state[0] = seed & 0xffffffff;
    state[j] = 1812433253 * (state[j-1] ^ (state[j-1] >> 30)) + j   (mod 2^32).
    Each word needs the one before, so this is a loop over the 624 words (once per seeding)."""
    key = np.empty(_STATE_N, dtype=np.uint32)
    word = int(seed) & 0xFFFFFFFF
    key[0] = word
    for j in range(1, _STATE_N):
        word = (1812433253 * (word ^ (word >> 30)) + j) & 0xFFFFFFFF
        key[j] = word
    return key


class Generator:
    """A random-number generator with PyTorch's interface and PyTorch's CPU numbers:
    ``Generator().manual_seed(42)`` draws what ``torch.Generator().manual_seed(42)`` draws.

    ``_bitgen`` is NumPy's MT19937 holding PyTorch's state; ``_rng`` a NumPy Generator on the same stream,
    for the few samplers (gamma, poisson, binomial, ...) that do not follow PyTorch's draws."""

    def __init__(self, device="cpu"):
        self.device = device
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed):
        """Reseed (``set_current_seed``): the twister from the low 32 bits, the normal caches emptied."""
        seed = int(seed)
        if not -2 ** 63 <= seed < 2 ** 64:
            raise RuntimeError("Overflow when unpacking long long")
        self._seed = seed % 2 ** 64
        self._seeded_key = init_genrand(self._seed)
        self._bitgen = np.random.MT19937()
        self._bitgen.state = {"bit_generator": "MT19937", "state": {"key": self._seeded_key, "pos": _STATE_N}}
        self._rng = np.random.Generator(self._bitgen)
        self._next_double_normal = None  # next_double_normal_sample_
        self._next_float_normal = None   # next_float_normal_sample_
        return self

    def seed(self):
        """Seed from the operating system's entropy (a 64-bit number, as PyTorch's ``seed()``)."""
        s = int(np.random.SeedSequence().entropy % (2 ** 64))
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    # -- the raw words -----------------------------------------------------------------------------------
    def random(self, n):
        """n words of ``random()``: uint32 values, as uint64."""
        return self._bitgen.random_raw(int(n))

    def random64(self, n):
        """n values of ``random64()``:  make64BitsFrom32Bits(hi, lo) = (hi << 32) | lo, hi drawn first."""
        words = self._bitgen.random_raw(2 * int(n))
        return (words[0::2] << np.uint64(32)) | words[1::2]

    # -- state in PyTorch's byte layout -----------------------------------------------------------------
    def get_state(self):
        """The state as a uint8 tensor of 5056 bytes, laid out as PyTorch's CPUGeneratorImplState:
        uint64 seed, int left, int seeded, uint64 next, uint64 state[624], double normal_x, normal_y,
        normal_rho, int normal_is_valid, (pad), float next_float_normal_sample, bool valid, (pad)."""
        from .autograd.function import wrap
        st = self._bitgen.state["state"]
        key, pos = np.asarray(st["key"], dtype=np.uint32), int(st["pos"])
        fresh = pos == _STATE_N and np.array_equal(key, self._seeded_key)
        nxt = 0 if fresh else pos                   # PyTorch's next_ (0 right after seeding)
        left = _STATE_N + 1 - pos                   # left_: 1 means "regenerate on the next draw"
        buf = bytearray(_STATE_BYTES)
        np.frombuffer(buf, dtype=np.uint64, count=1, offset=0)[0] = self._seed
        np.frombuffer(buf, dtype=np.int32, count=2, offset=8)[:] = (left, 1)
        np.frombuffer(buf, dtype=np.uint64, count=1, offset=16)[0] = nxt
        np.frombuffer(buf, dtype=np.uint64, count=_STATE_N, offset=24)[:] = key
        off = 24 + 8 * _STATE_N                     # normal_x, normal_y, normal_rho, normal_is_valid
        if self._next_double_normal is not None:
            np.frombuffer(buf, dtype=np.float64, count=1, offset=off + 8)[0] = self._next_double_normal
            np.frombuffer(buf, dtype=np.int32, count=1, offset=off + 24)[0] = 1
        if self._next_float_normal is not None:
            np.frombuffer(buf, dtype=np.float32, count=1, offset=off + 32)[0] = self._next_float_normal
            buf[off + 36] = 1
        return wrap(np.frombuffer(bytes(buf), dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state from ``get_state`` (PyTorch's or glasstorch's: the same 5056 bytes; the legacy
        5048-byte layout without the float cache is accepted too)."""
        arr = new_state._array if hasattr(new_state, "_array") else np.asarray(new_state)
        if arr.dtype != np.uint8:
            raise TypeError(f"expected a torch.ByteTensor, but got {arr.dtype}")
        raw = arr.tobytes()
        if len(raw) not in (_STATE_BYTES, _STATE_BYTES - 8):
            raise RuntimeError("Expected either a THGeneratorStateLegacy of size 5048 or a CPUGeneratorImplState "
                               f"of size 5056 but found the input RNG state size to be {len(raw)}")
        seed = int(np.frombuffer(raw, dtype=np.uint64, count=1, offset=0)[0])
        left = int(np.frombuffer(raw, dtype=np.int32, count=1, offset=8)[0])
        key = np.frombuffer(raw, dtype=np.uint64, count=_STATE_N, offset=24).astype(np.uint32)
        off = 24 + 8 * _STATE_N
        self._seed = seed
        self._seeded_key = init_genrand(seed)
        self._bitgen.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _STATE_N + 1 - left}}
        valid = int(np.frombuffer(raw, dtype=np.int32, count=1, offset=off + 24)[0])
        self._next_double_normal = float(np.frombuffer(raw, dtype=np.float64, count=1, offset=off + 8)[0]) \
            if valid else None
        self._next_float_normal = None
        if len(raw) == _STATE_BYTES and raw[off + 36]:
            self._next_float_normal = float(np.frombuffer(raw, dtype=np.float32, count=1, offset=off + 32)[0])
        return self

    def clone_state(self):
        g = Generator(self.device)
        g.set_state(self.get_state())
        return g

    def __repr__(self):
        return "<glasstorch._C.Generator object>"


default_generator = Generator()


def _gen(generator):
    return generator if generator is not None else default_generator


def _rng(generator):
    """A NumPy Generator on the generator's stream (for draws that do not follow PyTorch's)."""
    return _gen(generator)._rng


def manual_seed(seed):
    """Seed the default generator; returns it, as ``torch.manual_seed``."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Run a block and restore the default generator's state after it, as ``torch.random.fork_rng``."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


# -- the order in which an in-place fill visits a tensor's elements ---------------------------------------------
def in_memory_order(array, draw):
    """``draw(shape)`` gives values in C order; lay them out so that the k-th value drawn lands in the k-th
    element of ``array``'s memory. PyTorch's fills run over a TensorIterator, which visits a non-contiguous
    output (a transposed or permuted tensor) in memory order: its dims sorted by stride, largest outside."""
    if array.ndim < 2 or array.flags.c_contiguous:
        return draw(array.shape)
    perm = sorted(range(array.ndim), key=lambda d: -abs(array.strides[d]) if array.shape[d] > 1 else 0)
    values = draw(tuple(array.shape[d] for d in perm))
    return np.transpose(values, np.argsort(perm))


# -- fused multiply-add ---------------------------------------------------------------------------------------
def fma(a, b, c):
    """a * b + c with one rounding. PyTorch's CPU kernels are compiled for AVX2/AVX512 with contraction on,
    so ``x * (to - from) + from`` and ``val * std + mean`` are fused multiply-adds there; rounding the
    product first would differ in the last bit about half the time.
    float32: the product of two floats is exact in float64, so one float64 add and the cast round as fma.
    float64: the product's rounding error is recovered exactly (Dekker's two-product) and added back."""
    a = np.asarray(a)
    if a.dtype != np.float64:
        wide = a.astype(np.float64) * np.float64(b) + np.float64(c)
        return wide.astype(a.dtype)
    p, e = _two_product(a, np.float64(b))
    s = p + c                                   # two-sum: p + c = s + t exactly
    v = s - p
    t = (p - (s - v)) + (c - v)
    return s + (t + e)


def _two_product(a, b):
    """p, e with p = fl(a * b) and a * b = p + e exactly (Veltkamp split of each factor into 26-bit halves)."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, e


def _split(x):
    t = 134217729.0 * x   # 2^27 + 1
    hi = t - (t - x)
    return hi, x - hi


# -- uniform ------------------------------------------------------------------------------------------------
def _unit_float32(words):
    """uniform_real<float>:  (val & ((1 << 24) - 1)) * (1.0f / (1 << 24)), in float."""
    return (words & np.uint64(0xFFFFFF)).astype(np.float32) * np.float32(2.0 ** -24)


def _unit_float64(words64):
    """uniform_real<double>: (val & ((1ULL << 53) - 1)) * (1.0 / (1ULL << 53))."""
    return (words64 & np.uint64((1 << 53) - 1)).astype(np.float64) * (2.0 ** -53)


def _unit(n, dtype, gen):
    """n uniforms in [0, 1) as ``uniform_real_distribution<T>(0, 1)`` draws them: float32 (and half types)
    from one word each, float64 from two."""
    if np.dtype(dtype) == np.float64:
        return _unit_float64(gen.random64(n))
    return _unit_float32(gen.random(n))


def uniform_array(shape, low, high, dtype, generator=None):
    """U[low, high) of the given shape and NumPy dtype, as ``uniform_``: ``x * (to - from) + from`` with
    x, from and to in the tensor's float type (float32 for half types)."""
    dtype = np.dtype(dtype)
    shape = tuple(shape) if not isinstance(shape, int) else (shape,)
    n = int(np.prod(shape, dtype=np.int64))
    work = np.float64 if dtype == np.float64 else np.float32
    x = _unit(n, work, _gen(generator))
    lo, hi = work(low), work(high)
    if lo != 0 or hi != 1:
        x = fma(x, hi - lo, lo)   # x * (to - from) + from, fused
    return x.reshape(shape).astype(dtype, copy=False)


# -- normal -------------------------------------------------------------------------------------------------
def normal_array(shape, mean, std, dtype, generator=None, contiguous=True):
    """N(mean, std²) of the given shape and NumPy dtype, as ``normal_``: the vectorized Box-Muller fill for
    a contiguous tensor of >= 16 elements, the scalar cached one otherwise."""
    dtype = np.dtype(dtype)
    shape = tuple(shape) if not isinstance(shape, int) else (shape,)
    n = int(np.prod(shape, dtype=np.int64))
    gen = _gen(generator)
    if n >= 16 and contiguous:
        values = _fill_normal(n, mean, std, dtype, gen)
    else:
        values = fma(_scalar_normals(n, gen), float(std), float(mean))  # transformation::normal, fused
    return values.reshape(shape).astype(dtype, copy=False)


def _fill_normal(n, mean, std, dtype, gen):
    """normal_fill (DistributionKernels.cpp): first n uniforms, Box-Muller over each whole block of 16; a size
    that is not a multiple of 16 then draws 16 more uniforms into the last 16 elements and redoes them:
        u1 = 1 - data[j];  u2 = data[j + 8]                                   (j = 0..7)
        radius = sqrt(-2 * log(u1));  theta = 2.0f * pi * u2
        data[j] = radius * cos(theta) * std + mean;  data[j + 8] = radius * sin(theta) * std + mean"""
    work = np.float64 if dtype == np.float64 else np.float32
    whole = n - n % 16
    data = _unit(n, work, gen)
    out = np.empty(n, dtype=work)
    out[:whole] = _box_muller_16(data[:whole], mean, std, work)
    if n % 16:
        out[n - 16:] = _box_muller_16(_unit(16, work, gen), mean, std, work)
    return out


def _box_muller_16(data, mean, std, work):
    blocks = data.reshape(-1, 16)
    u1 = work(1) - blocks[:, :8]              # [0, 1) -> (0, 1] for the log
    u2 = blocks[:, 8:]
    radius = np.sqrt(work(-2) * _libm(np.log, u1).astype(work))
    theta = work(2.0 * np.pi) * u2            # float: 2.0f * pi rounded to float, times u2
    first = fma(radius * _libm(np.cos, theta).astype(work), work(std), work(mean))     # fused, as compiled
    second = fma(radius * _libm(np.sin, theta).astype(work), work(std), work(mean))
    return np.concatenate([first, second], axis=1).reshape(-1)


def _scalar_normals(n, gen):
    """n draws of ``normal_distribution<double>``, in order, in float64. Each pair comes from two double
    uniforms:  u1, u2;  r = sqrt(-2 * log1p(-u2));  theta = 2 * pi * u1;  return r * cos(theta) and keep
    r * sin(theta) as next_double_normal_sample, which the next draw returns first."""
    out = np.empty(n, dtype=np.float64)
    start = 0
    if n and gen._next_double_normal is not None:
        out[0], gen._next_double_normal, start = gen._next_double_normal, None, 1
    pairs = (n - start + 1) // 2
    if pairs:
        u = _unit_float64(gen.random64(2 * pairs)).reshape(pairs, 2)
        r = np.sqrt(-2.0 * _libm(np.log1p, -u[:, 1]))
        theta = 2.0 * np.pi * u[:, 0]
        both = np.stack([r * _libm(np.cos, theta), r * _libm(np.sin, theta)], axis=1).reshape(-1)
        out[start:] = both[:n - start]
        if (n - start) % 2:
            gen._next_double_normal = float(both[-1])
    return out


# -- integers -----------------------------------------------------------------------------------------------
def randint_array(low, high, shape, generator=None, dtype=np.int64):
    """Integers in [low, high) as ``random_(from, to)``: range = to - from;
    ``(random() % range) + from``, or ``(random64() % range) + from`` when range >= 2^28 (any dtype)."""
    if high is None:
        raise TypeError("random_ needs an upper bound in glasstorch: random_(from, to)")
    low, high = int(low), int(high)
    shape = tuple(shape) if not isinstance(shape, int) else (shape,)
    n = int(np.prod(shape, dtype=np.int64))
    rng_range = high - low
    gen = _gen(generator)
    words = gen.random64(n) if rng_range >= 2 ** 28 else gen.random(n)
    values = (words % np.uint64(rng_range)).astype(np.int64) + np.int64(low)
    return values.reshape(shape).astype(dtype, copy=False)


def permutation_array(n, generator=None):
    """randperm_cpu (n < 2^32 / 20): r = 0..n-1, then for i in 0..n-2 swap r[i] with r[i + random() % (n - i)].
    The draws are taken at once; the swaps are a loop, as Fisher-Yates needs each swap before the next."""
    n = int(n)
    r = np.arange(n, dtype=np.int64)
    if n < 2:
        return r
    if n >= (2 ** 32 - 1) // 20:
        raise NotImplementedError("randperm for n >= 2^32 / 20 (PyTorch's other algorithm) is not in glasstorch")
    words = _gen(generator).random(n - 1)
    z = (words % np.arange(n, 1, -1, dtype=np.uint64)).astype(np.int64) + np.arange(n - 1)
    for i, j in enumerate(z.tolist()):
        r[i], r[j] = r[j], r[i]
    return r


def bernoulli_tensor_array(probs, generator=None):
    """``bernoulli_(p_tensor)``: element by element ``uniform(0, 1) < p`` with a uniform of p's type
    (bernoulli_distribution<float> for float p: one word; <double> for double p: two words)."""
    probs = np.asarray(probs)
    work = np.float64 if probs.dtype == np.float64 else np.float32
    u = _unit(probs.size, work, _gen(generator)).reshape(probs.shape)
    return u < probs.astype(work)


def bernoulli_scalar_array(shape, p, generator=None):
    """``bernoulli_(p)`` for a number p: ``bernoulli_distribution<double>(p)``, a double uniform
    (two words) per element, 1 where ``uniform < p``."""
    shape = tuple(shape)
    n = int(np.prod(shape, dtype=np.int64))
    words = _gen(generator)._bitgen.random_raw(2 * n).reshape(n, 2)  # (hi, lo) per element, hi drawn first
    if p <= 0 or p >= 1:
        return np.full(shape, p >= 1)
    # uniform < p  <=>  k·2^-53 < p  <=>  k < ceil(p·2^53), with k = (hi & (2^21 - 1))·2^32 + lo the 53 bits
    # uniform_real<double> keeps: compared as the two 32-bit halves, which is exact and saves forming the
    # 64-bit word and the float (the same answer as _unit_float64(random64(n)) < p, 3x faster)
    limit = math.ceil(p * 2.0 ** 53)  # p·2^53 is exact in float64 (a power-of-two scaling)
    limit_hi, limit_lo = np.uint64(limit >> 32), np.uint64(limit & 0xFFFFFFFF)
    hi = words[:, 0] & np.uint64(0x1FFFFF)
    return ((hi < limit_hi) | ((hi == limit_hi) & (words[:, 1] < limit_lo))).reshape(shape)


# -- libm ---------------------------------------------------------------------------------------------------
# PyTorch calls the C library's log/log1p/exp/tan per element. NumPy's own float64 loops (SIMD, a few ulp)
# differ more often; computing in long double and rounding once gives the correctly rounded result, which is
# what glibc's functions return in nearly every case (1 ulp apart at worst).
def _libm(fn, x):
    """fn(x) computed in long double, rounded to float64 (cast it on for float32: that rounding matches
    the float functions too, but for PyTorch's AVX2 float32 polynomials, see the module's note)."""
    x = np.asarray(x, dtype=np.float64)
    return fn(x.astype(np.longdouble)).astype(np.float64)


def exponential_array(shape, lambd, dtype, generator=None):
    """``exponential_distribution<double>``: ``-1.0 / lambda * log1p(-u)`` with a double uniform u."""
    shape = tuple(shape)
    n = int(np.prod(shape, dtype=np.int64))
    u = _unit_float64(_gen(generator).random64(n))
    return ((-1.0 / lambd) * _libm(np.log1p, -u)).reshape(shape).astype(dtype)


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
    # cauchy_distribution<double>: median + sigma * tan(pi * (u - 0.5)), u a double uniform
    shape = tuple(shape)
    u = _unit_float64(_gen(generator).random64(int(np.prod(shape, dtype=np.int64))))
    return (median + sigma * _libm(np.tan, np.pi * (u - 0.5))).reshape(shape).astype(dtype)


def geometric_array(shape, p, dtype, generator=None):
    """The number of Bernoulli(p) trials up to and including the first success (1, 2, 3 ...)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    # geometric_distribution<double>: ceil(log(u) / log1p(-p)), u a double uniform
    shape = tuple(shape)
    u = _unit_float64(_gen(generator).random64(int(np.prod(shape, dtype=np.int64))))
    return np.ceil(_libm(np.log, u) / _libm(np.log1p, -p)).reshape(shape).astype(dtype)


def log_normal_array(shape, mean, std, dtype, generator=None):
    """exp(N(mean, std²)): samples whose logarithm is normal with that mean and std."""
    dtype = np.dtype(dtype)
    if not _dtype.is_float_array(dtype):
        raise NotImplementedError(f'"log_normal_cpu" not implemented for \'{_SCALAR_NAMES.get(dtype.name, dtype.name)}\'')
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    # lognormal_distribution<double>: exp(normal_distribution<double>(mean, std)), the scalar cached normals
    shape = tuple(shape)
    z = fma(_scalar_normals(int(np.prod(shape, dtype=np.int64)), _gen(generator)), float(std), float(mean))
    return _libm(np.exp, z).reshape(shape).astype(dtype)


def random_fill_array(shape, dtype, from_=0, to=None, generator=None):
    """``Tensor.random_``'s values: ``random_(from, to)`` integers in [from, to); ``random_(to)`` in [0, to);
    ``random_()`` in [0, 2^mantissa] for a float dtype (every integer it holds exactly: 2^24 for float32) and
    [0, max] for an integer one, as PyTorch draws them."""
    dtype = np.dtype(dtype)
    if to is None and from_ != 0:  # random_(to)
        from_, to = 0, from_
    if to is None:  # random_(): uniform_int_distribution, random64() for double and int64, else random()
        shape = tuple(shape)
        n = int(np.prod(shape, dtype=np.int64))
        gen = _gen(generator)
        words = gen.random64(n) if dtype in (np.float64, np.int64) else gen.random(n)
        if dtype.kind == "b":
            values = words & np.uint64(1)                                  # val & 1
        elif _dtype.is_float_array(dtype):
            digits = 11 if dtype == np.float16 else np.finfo(dtype).nmant + 1
            values = words % np.uint64(2 ** digits + 1)                    # val % ((1 << digits) + 1)
        else:
            values = words % np.uint64(int(np.iinfo(dtype).max) + 1)       # val % (max + 1)
        return values.reshape(shape).astype(dtype)
    if from_ >= to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
    return randint_array(from_, to, shape, generator, dtype)


# -- seeds for other generators (DataLoader, RandomSampler) --------------------------------------------------
def int64_seed(generator=None):
    """``int(torch.empty((), dtype=torch.int64).random_(generator=generator).item())``: random64() % 2^63."""
    return int(random_fill_array((), np.int64, generator=generator))


def sampler_generator(generator=None):
    """What ``RandomSampler.__iter__`` shuffles with: ``generator`` itself, or, when it is None, a new
    Generator seeded with ``int64_seed()`` drawn from the default generator (as PyTorch's sampler does)."""
    if generator is not None:
        return generator
    return Generator().manual_seed(int64_seed())
