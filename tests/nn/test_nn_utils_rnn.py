"""nn.utils.rnn (padding and packing) and the recurrent layers on PackedSequence, against PyTorch."""
import numpy as np
import pytest
import torch

import glasstorch
from tests.nn.twins import to_glass, twins

TOL = dict(rtol=1e-4, atol=1e-5)


def _seqs(lib, lengths, feat=(3,), seed=0, grad=True):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal((n,) + feat).astype(np.float32) for n in lengths]
    return [lib.tensor(a, requires_grad=grad) for a in arrays]


def _close(g, t):
    np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), **TOL)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("feat", [(), (3,), (2, 2)])
def test_pad_sequence(batch_first, side, feat):
    out = {}
    for lib in (torch, glasstorch):
        seqs = _seqs(lib, [2, 4, 1], feat)
        y = lib.nn.utils.rnn.pad_sequence(seqs, batch_first=batch_first, padding_value=-1.5, padding_side=side)
        w = lib.tensor(np.arange(y.numel(), dtype=np.float32).reshape(tuple(y.shape)))
        (y * w).sum().backward()
        out[lib] = (y, [s.grad for s in seqs])
    (ty, tg), (gy, gg) = out[torch], out[glasstorch]
    assert tuple(gy.shape) == tuple(ty.shape)
    _close(gy, ty)
    for a, b in zip(gg, tg):
        _close(a, b)


@pytest.mark.parametrize("enforce_sorted,lengths", [(True, [4, 2, 2, 1]), (False, [2, 4, 1, 2]), (False, [3, 3, 3])])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_pad_roundtrip(enforce_sorted, lengths, batch_first):
    res = {}
    for lib in (torch, glasstorch):
        seqs = _seqs(lib, lengths)
        padded = lib.nn.utils.rnn.pad_sequence(seqs, batch_first=batch_first)
        packed = lib.nn.utils.rnn.pack_padded_sequence(padded, lib.tensor(lengths), batch_first=batch_first,
                                                        enforce_sorted=enforce_sorted)
        back, lens = lib.nn.utils.rnn.pad_packed_sequence(packed, batch_first=batch_first, padding_value=7.0,
                                                          total_length=5)
        (packed.data * lib.arange(packed.data.numel()).reshape(packed.data.shape)).sum().backward()
        res[lib] = packed, back, lens, [s.grad for s in seqs]
    tp, tb, tl, tg = res[torch]
    gp, gb, gl, gg = res[glasstorch]
    assert isinstance(gp, tuple) and gp._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    _close(gp.data, tp.data)
    assert gp.batch_sizes.tolist() == tp.batch_sizes.tolist() and gp.batch_sizes.dtype == glasstorch.int64
    for name in ("sorted_indices", "unsorted_indices"):
        a, b = getattr(gp, name), getattr(tp, name)
        assert (a is None) == (b is None) and (a is None or a.tolist() == b.tolist())
    _close(gb, tb)
    assert gl.tolist() == tl.tolist() and gl.dtype == glasstorch.int64
    for a, b in zip(gg, tg):
        _close(a, b)


def test_pack_sequence_unpack_unpad():
    for enforce in (True, False):
        lengths = [3, 2, 1] if enforce else [1, 3, 2]
        tp = torch.nn.utils.rnn.pack_sequence(_seqs(torch, lengths), enforce_sorted=enforce)
        gp = glasstorch.nn.utils.rnn.pack_sequence(_seqs(glasstorch, lengths), enforce_sorted=enforce)
        _close(gp.data, tp.data)
        for a, b in zip(glasstorch.nn.utils.rnn.unpack_sequence(gp), torch.nn.utils.rnn.unpack_sequence(tp)):
            _close(a, b)
    tpad = torch.nn.utils.rnn.pad_sequence(_seqs(torch, [1, 3, 2]), batch_first=True)
    gpad = glasstorch.nn.utils.rnn.pad_sequence(_seqs(glasstorch, [1, 3, 2]), batch_first=True)
    for a, b in zip(glasstorch.nn.utils.rnn.unpad_sequence(gpad, glasstorch.tensor([1, 3, 2]), batch_first=True),
                    torch.nn.utils.rnn.unpad_sequence(tpad, torch.tensor([1, 3, 2]), batch_first=True)):
        _close(a, b)


def test_packed_sequence_errors_and_methods():
    for lib in (torch, glasstorch):
        x = lib.zeros(3, 2, 1)
        with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
            lib.nn.utils.rnn.pack_padded_sequence(x, [1, 3])
        with pytest.raises(RuntimeError, match="greater than 0"):
            lib.nn.utils.rnn.pack_padded_sequence(x, [2, 0])
        p = lib.nn.utils.rnn.pack_padded_sequence(x, [3, 1])
        with pytest.raises(ValueError, match="Expected total_length to be at least"):
            lib.nn.utils.rnn.pad_packed_sequence(p, total_length=2)
        assert p.double().data.dtype == lib.float64 and p.to(lib.float64).batch_sizes.tolist() == [2, 1, 1]
        assert p.is_cuda is False
    perm = glasstorch.nn.utils.rnn.invert_permutation(glasstorch.tensor([2, 0, 1]))
    assert perm.tolist() == torch.nn.utils.rnn.invert_permutation(torch.tensor([2, 0, 1])).tolist()


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_hx", [False, True])
def test_rnn_on_packed_sequence(kind, bidirectional, batch_first, with_hx):
    """Outputs, final states and every gradient equal PyTorch's for an unsorted batch of mixed lengths."""
    lengths = [3, 5, 1, 3]
    dirs = 2 if bidirectional else 1
    t_model, g_model = twins(lambda lib: getattr(lib.nn, kind)(3, 4, num_layers=2, bidirectional=bidirectional,
                                                                  batch_first=batch_first))
    rng = np.random.default_rng(1)
    h0 = rng.standard_normal((2 * dirs, 4, 4)).astype(np.float32)
    c0 = rng.standard_normal((2 * dirs, 4, 4)).astype(np.float32)
    res = {}
    for lib, model in ((torch, t_model), (glasstorch, g_model)):
        seqs = _seqs(lib, lengths)
        packed = lib.nn.utils.rnn.pack_sequence(seqs, enforce_sorted=False)
        hx = None
        if with_hx:
            hx = (lib.tensor(h0, requires_grad=True), lib.tensor(c0, requires_grad=True))
            if kind != "LSTM":
                hx = hx[0]
        out, hidden = model(packed, hx)
        assert isinstance(out, lib.nn.utils.rnn.PackedSequence)
        padded, lens = lib.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
        hs = hidden if kind == "LSTM" else (hidden,)
        loss = (padded * lib.arange(padded.numel()).reshape(padded.shape).sin()).sum()
        for i, h in enumerate(hs):
            loss = loss + (h * (i + 1)).sum()
        loss.backward()
        grads = [s.grad for s in seqs] + [p.grad for p in model.parameters()]
        if with_hx:
            grads += list(hx) if kind == "LSTM" else [hx]
        res[lib] = out, padded, hs, grads
    to, tpad, ths, tg = res[torch]
    go, gpad, ghs, gg = res[glasstorch]
    _close(go.data, to.data)
    assert go.batch_sizes.tolist() == to.batch_sizes.tolist()
    assert go.sorted_indices.tolist() == to.sorted_indices.tolist()
    _close(gpad, tpad)
    for a, b in zip(ghs, ths):
        _close(a, b)
    for a, b in zip(gg, tg):
        _close(a, b)


def test_lstm_packed_sorted_no_hx():
    t_model, g_model = twins(lambda lib: lib.nn.LSTM(2, 3))
    tx = torch.nn.utils.rnn.pack_sequence(_seqs(torch, [4, 2], (2,)))
    gx = glasstorch.nn.utils.rnn.pack_sequence(_seqs(glasstorch, [4, 2], (2,)))
    (to, (th, tc)), (go, (gh, gc)) = t_model(tx), g_model(gx)
    assert go.sorted_indices is None and to.sorted_indices is None
    for a, b in ((go.data, to.data), (gh, th), (gc, tc)):
        _close(a, b)
    assert to_glass(th).shape == gh.shape
