"""Dropout's mask in two passes: the Mersenne Twister's words, then the scaled mask straight from them.

Reproduces glasstorch/ops/dropout.py ``_scaled_mask`` (``noise.bernoulli_(1 - p)`` then ``noise.div_(1 - p)``),
which is glasstorch/random.py ``bernoulli_scalar_array`` (two MT19937 words per element drawn with NumPy's
``random_raw``, element kept when the 53-bit number ``(hi & (2^21 - 1))·2^32 + lo`` is below ceil(q·2^53),
q = 1 - p), then ``.astype(dtype)`` and the division by ``dtype(1 - p)``.

Fuses: the reference makes NumPy's generator write 2n uint64 words one function call per word, then about five
whole-array passes (mask the high word, two comparisons, and/or, cast, divide). Here

1. ``_twist`` (one thread: each block of the twister needs the block before) continues the generator's own
   state: MT19937 is the recurrence  x[k+624] = x[k+397] ^ ((x[k] & 2^31 | x[k+1] & (2^31 - 1)) · A), where
   ·A is ``(y >> 1) ^ (0x9908b0df if y is odd)`` -- the twist NumPy's ``mt19937_gen`` does block by block,
   written over one flat buffer that starts with the current 624 state words (so the loop can vectorize: every
   value it reads lies 227 or more places behind the one it writes). The state afterwards (the last 624 words,
   and the position in them) is written back into NumPy's MT19937 itself, so the generator goes on exactly as
   after ``random_raw(2n)``: the same words consumed, the same state.
2. ``_mask_rows`` (split between the threads from PARALLEL_MIN elements on) tempers each pair of words
   (mt19937_next's four shifts and masks), compares them with the limit and writes ``scale`` or 0, where
   ``scale = dtype(1) / dtype(1 - p)`` is the reference's own division, done once.

Measured (2 cores, float32, p = 0.25): the CNN's 64x64x7x7 mask 1.54 ms -> 0.22 ms (twist 0.11 ms, mask 0.11 ms;
NumPy's ``random_raw`` alone took 1.02 ms); the MLP's 64x256 mask 0.13 ms -> 0.027 ms.

The mask is the reference's bit for bit (no floating-point arithmetic is done per element), and the generator's
state after the call is the reference's (tests/kernels/test_dropout_kernel.py checks both).

The state is read and written in place through NumPy's documented ``ctypes`` interface of the bit generator
(``state_address`` points at ``{uint32 key[624]; int pos;}``): checked once per generator against
``bitgen.state``; where it does not match, ``mask_from_generator`` returns None and the reference runs.
"""
import ctypes
import math

import numba
import numpy as np

from .threads import parallel_for

_jit = numba.njit(nogil=True, cache=True, fastmath=False, error_model="numpy")

_N = 624           # words in the state (MERSENNE_STATE_N)
_M = 397           # the recurrence's middle term
# below this many elements one thread writes the whole mask: measured here (2 cores), the CNN's 200704-element
# mask took 223 us on one thread and 254 us split over two (parallel_for's hand-off alone cost 85-90 us)
PARALLEL_MIN = 1 << 19


@_jit
def _twist(state, buf, nwords):
    # state: the 624 key words then the position (NumPy's mt19937_state, viewed as 625 uint32)
    # buf: 624 + 624·blocks words; out: buf[pos : pos + nwords] are the next nwords (untempered) words
    pos = np.int64(state[_N])
    blocks = buf.shape[0] // _N - 1
    for i in range(_N):
        buf[i] = state[i]
    upper, lower, matrix_a = np.uint32(0x80000000), np.uint32(0x7FFFFFFF), np.uint32(0x9908B0DF)
    one, zero = np.uint32(1), np.uint32(0)
    for k in range(blocks * _N):
        # x[k+624] = x[k+397] ^ ((upper bit of x[k] | lower 31 bits of x[k+1]) · A)   (mt19937_gen)
        y = (buf[k] & upper) | (buf[k + 1] & lower)
        buf[k + _N] = buf[k + _M] ^ (y >> one) ^ (matrix_a if (y & one) != zero else zero)
    last = blocks * _N
    for i in range(_N):
        state[i] = buf[last + i]
    state[_N] = np.uint32(pos + nwords - last)   # the position in the last block: as random_raw leaves it
    return pos


@_jit
def _temper(y):
    # mt19937_next's tempering of one state word
    y ^= y >> np.uint32(11)
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y


@_jit
def _mask_rows(start, stop, words, out, limit, scale):
    # element i: hi = words[2i], lo = words[2i+1] (hi drawn first); kept when uniform = k·2^-53 < 1 - p, i.e.
    # k < limit = ceil((1 - p)·2^53) with k = (hi & (2^21 - 1))·2^32 + lo;  mask = kept / (1 - p) (noise.div_)
    words, out = words[2 * start:2 * stop], out[start:stop]
    zero = out.dtype.type(0)
    for i in range(out.shape[0]):
        hi = np.uint64(_temper(words[2 * i]) & np.uint32(0x1FFFFF))
        lo = np.uint64(_temper(words[2 * i + 1]))
        k = (hi << np.uint64(32)) | lo
        out[i] = scale if k < limit else zero


_views = {}   # id(bit generator) -> (the bit generator, its state as 625 uint32): kept alive, so the id stays its own


def _state_view(generator):
    """NumPy's MT19937 state of this generator as 625 writable uint32 (key, pos), or None where its layout is not
    the expected one. Made once per bit generator (manual_seed makes a new one; a copied Generator has its own)."""
    bitgen = generator._bitgen
    cached = _views.get(id(bitgen))
    if cached is not None and cached[0] is bitgen:
        return cached[1]
    view = None
    try:
        address = bitgen.ctypes.state_address
        view = np.ctypeslib.as_array(ctypes.cast(address, ctypes.POINTER(ctypes.c_uint32)), shape=(_N + 1,))
        st = bitgen.state["state"]
        if not (np.array_equal(view[:_N], np.asarray(st["key"], dtype=np.uint32)) and int(view[_N]) == st["pos"]):
            view = None
    except Exception:   # no ctypes interface: the reference draws
        view = None
    if len(_views) >= 8:   # generators reseeded since: forget them
        _views.clear()
    _views[id(bitgen)] = (bitgen, view)
    return view


def mask_from_generator(generator, shape, p, dtype):
    """``_scaled_mask(shape, p, dtype)`` drawn from ``generator`` (0 < p < 1): an array of ``dtype`` holding
    1/(1 - p) where an element is kept and 0 where it is dropped; None when the state cannot be reached (then
    nothing was drawn)."""
    state = _state_view(generator)
    if state is None:
        return None
    dtype = np.dtype(dtype)
    n = math.prod(shape)
    q = 1.0 - p                                          # the keep probability, as the reference computes it
    limit = np.uint64(min(2 ** 53, math.ceil(q * 2.0 ** 53)))   # uniform < q  <=>  k < ceil(q·2^53)
    scale = dtype.type(1.0) / dtype.type(q)              # the reference's 1 / dtype(1 - p), in dtype
    out = np.empty(n, dtype=dtype)
    nwords = 2 * n
    with generator._bitgen.lock:
        pos = int(state[_N])
        blocks = max(0, -(-(nwords - (_N - pos)) // _N))   # new blocks needed beyond the words left in the state
        buf = np.empty(_N * (blocks + 1), dtype=np.uint32)
        _twist(state, buf, nwords)
    parallel_for(_mask_rows, n, buf[pos:pos + nwords], out, limit, scale, min_rows=PARALLEL_MIN // 2)
    return out.reshape(shape)
