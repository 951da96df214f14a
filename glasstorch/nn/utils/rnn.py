"""Batches of sequences of different lengths (``torch.nn.utils.rnn``).

Two ways to hold B sequences of lengths L_1 ≥ L_2 ≥ ... in one tensor:

- padded: a (T, B, *) tensor (``batch_first``: (B, T, *)) whose rows past a sequence's end hold
  ``padding_value``. Simple, but a recurrent layer would run over the padding too.
- packed (``PackedSequence``): only the real steps, time-major. ``batch_sizes[t]`` says how many sequences
  are still running at step t, and ``data`` stacks, for t = 0, 1, ..., the step-t rows of those sequences:

      sequences  a b c      (a has 3 steps, b 2, c 1; sorted longest first)
      data       a0 b0 c0 a1 b1 a2         batch_sizes = [3, 2, 1]

  ``sorted_indices`` records the order the batch was sorted into (None if it was sorted already) and
  ``unsorted_indices`` its inverse, so that results come back in the caller's order.

Every conversion here is one gather (advanced indexing) on the data, so gradients flow through it.
"""
from collections import namedtuple

import numpy as np

from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence"]


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """The named tuple (data, batch_sizes, sorted_indices, unsorted_indices) made by ``pack_padded_sequence``
    and ``pack_sequence``; the recurrent layers accept it as input and return their output in it."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """The same packing with ``data.to(...)``; the index tensors stay as they are."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self, *args, **kwargs):
        return self.to("cpu", *args, **kwargs)

    def cuda(self, *args, **kwargs):
        return self.to("cuda", *args, **kwargs)

    def pin_memory(self):
        return self

    def double(self):
        return self.to(dtype=_dtypes().float64)

    def float(self):
        return self.to(dtype=_dtypes().float32)

    def half(self):
        return self.to(dtype=_dtypes().float16)

    def long(self):
        return self.to(dtype=_dtypes().int64)

    def int(self):
        return self.to(dtype=_dtypes().int32)

    def short(self):
        return self.to(dtype=_dtypes().int16)

    def char(self):
        return self.to(dtype=_dtypes().int8)

    def byte(self):
        return self.to(dtype=_dtypes().uint8)

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def _dtypes():
    from ... import _dtype
    return _dtype


def _tensor(array):
    from ... import as_tensor
    return as_tensor(array)


def invert_permutation(permutation):
    """The inverse permutation (None for None): ``out[permutation[i]] = i``."""
    if permutation is None:
        return None
    p = permutation.numpy()
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return _tensor(out)


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return lengths.numpy().astype(np.int64)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) batch (``batch_first``: (B, T, *)) whose sequence b has ``lengths[b]`` steps.

    ``enforce_sorted=True`` needs the lengths in decreasing order; ``False`` sorts the batch first (and
    remembers how, in ``sorted_indices``)."""
    lengths = _lengths_array(lengths)
    sorted_indices = None
    if not enforce_sorted:
        order = np.argsort(-lengths, kind="stable")  # descending, ties in their order (as torch.sort on CPU)
        lengths = lengths[order]
        sorted_indices = _tensor(order.astype(np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if lengths.size and lengths.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if np.any(lengths[1:] > lengths[:-1]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You "
                           "can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                           "sidestep this requirement if you do not need ONNX exportability.")
    if batch_first:
        input = input.transpose(0, 1)
    steps = input.shape[0]
    if lengths.size and lengths[0] > steps:
        raise RuntimeError(f"Expected sequence length to be less than or equal to {steps} "
                           f"(got {int(lengths[0])})")
    if lengths.size != input.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.size} (batch_size="
                           f"{input.shape[1]})")
    # (t, b) of every real step, time-major: row-major order of the mask "step t exists in sequence b"
    running = np.arange(int(lengths[0]) if lengths.size else 0)[:, None] < lengths[None, :]
    t_idx, b_idx = np.nonzero(running)
    batch_sizes = running.sum(axis=1).astype(np.int64)
    data = input[_tensor(t_idx), _tensor(b_idx)]
    return PackedSequence(data, _tensor(batch_sizes), sorted_indices, None)


def _packed_positions(batch_sizes):
    """(t, j) of each row of a packed ``data``: step t of the j-th sequence in sorted order."""
    steps = batch_sizes.size
    running = np.arange(int(batch_sizes[0]) if steps else 0)[None, :] < batch_sizes[:, None]  # (T, B)
    return np.nonzero(running)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The inverse of ``pack_padded_sequence``: (padded (T, B, *) or (B, T, *), lengths (B,) int64), in the
    order the batch had before packing."""
    from ... import cat, full
    batch_sizes = sequence.batch_sizes.numpy().astype(np.int64)
    max_length = batch_sizes.size
    if total_length is not None:
        if total_length < max_length:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {max_length}")
        max_length = total_length
    data = sequence.data
    batch = int(batch_sizes[0]) if batch_sizes.size else 0
    t_idx, j_idx = _packed_positions(batch_sizes)
    # every (t, j) slot points at its packed row, or at one extra row holding the padding value
    where = np.full((max_length, batch), data.shape[0], dtype=np.int64)
    where[t_idx, j_idx] = np.arange(data.shape[0])
    lengths = (np.arange(batch)[None, :] < batch_sizes[:, None]).sum(axis=0).astype(np.int64)
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        order = unsorted.numpy()
        where = where[:, order]
        lengths = lengths[order]
    if batch_first:
        where = where.T
    pad_row = full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    padded = cat([data, pad_row])[_tensor(where)]
    return padded, _tensor(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shapes (L_i, *) into (T, B, *) (``batch_first``: (B, T, *)), T = max L_i, filling the
    rest with ``padding_value`` after each sequence (``padding_side='left'``: before)."""
    from ... import cat, full
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    if not hasattr(sequences, "__iter__"):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    trailing = tuple(sequences[0].shape[1:])
    steps = int(lengths.max())
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    t = np.arange(steps)[:, None]                                          # (T, 1)
    shift = (steps - lengths)[None, :] if padding_side == "left" else 0    # left: sequence b starts at T - L_b
    k = t - shift                                                          # step of sequence b at slot t
    real = (k >= 0) & (k < lengths[None, :])
    total = int(lengths.sum())
    where = np.where(real, starts[None, :] + k, total)                     # the extra row: padding
    if batch_first:
        where = where.T
    dtype = sequences[0].dtype
    pad_row = full((1,) + trailing, padding_value, dtype=dtype)
    return cat([s.reshape((s.shape[0],) + trailing) for s in sequences] + [pad_row])[_tensor(where)]


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences (L_b, *) cut out of a padded batch (``pad_sequence``'s inverse).

    Deviation: PyTorch transposes a time-major input in place (``transpose_``); glasstorch leaves it as it is."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lengths = _lengths_array(lengths)
    return [padded_sequences[b, :int(n)] for b, n in enumerate(lengths)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors (L_i, *) (``pad_sequence`` then ``pack_padded_sequence``)."""
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of tensors a PackedSequence holds, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def _packed_rnn_forward(module, packed, hx):
    """An RNN/LSTM/GRU layer run on a PackedSequence: as PyTorch, every sequence runs over its own steps only
    (its final hidden state is the one at its last real step, and the reverse direction starts there).

    The sequences are grouped by length; each group is one padding-free batch through the layer's ordinary
    forward. The outputs are then gathered into packed order. Returns (PackedSequence output, h_n) with h_n
    in the caller's batch order, as PyTorch (hx is given in that order too).
    """
    from ... import cat
    padded, lengths = pad_packed_sequence(packed)                # (T, B, *) in the caller's order
    lengths = lengths.numpy()
    lstm = module.mode == "LSTM"
    if module.batch_first:
        padded = padded.transpose(0, 1)
    batch_dim = 0 if module.batch_first else 1
    groups = [np.nonzero(lengths == n)[0] for n in np.unique(lengths)[::-1]]
    outputs, finals = [], []
    offset = np.zeros(lengths.size, dtype=np.int64)              # where each sequence's group starts in `rows`
    count = np.zeros(lengths.size, dtype=np.int64)               # the group's size
    position = np.zeros(lengths.size, dtype=np.int64)            # the sequence's place in its group
    start = 0
    for idx in groups:
        n = int(lengths[idx[0]])
        index = _tensor(idx.astype(np.int64))
        x = padded.index_select(batch_dim, index).narrow(1 - batch_dim, 0, n)
        if hx is None:
            h = None
        elif lstm:
            h = (hx[0].index_select(1, index), hx[1].index_select(1, index))
        else:
            h = hx.index_select(1, index)
        out, h_n = module.forward(x, h)
        if module.batch_first:
            out = out.transpose(0, 1)
        outputs.append(out.reshape(n * idx.size, out.shape[-1]))  # rows (t, k), time-major
        finals.append(h_n)
        offset[idx], count[idx], position[idx] = start, idx.size, np.arange(idx.size)
        start += n * idx.size
    rows = cat(outputs)
    t_idx, j_idx = _packed_positions(packed.batch_sizes.numpy().astype(np.int64))
    b_idx = j_idx if packed.sorted_indices is None else packed.sorted_indices.numpy()[j_idx]
    data = rows[_tensor(offset[b_idx] + t_idx * count[b_idx] + position[b_idx])]
    back = _tensor(np.argsort(np.concatenate(groups), kind="stable").astype(np.int64))  # group order -> caller's
    if lstm:
        hidden = (cat([f[0] for f in finals], 1).index_select(1, back),
                  cat([f[1] for f in finals], 1).index_select(1, back))
    else:
        hidden = cat(finals, 1).index_select(1, back)
    return PackedSequence(data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices), hidden
