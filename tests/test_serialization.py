"""glasstorch.save / glasstorch.load: round trips, the file format (PyTorch's zip format; glasstorch's earlier JSON
format still loads), atomic writes, bad files. Real-PyTorch interop: tests/test_serialization_torch_format.py."""
import ast
import collections
import io
import json
import math
import os
import pathlib
import pickle
import subprocess
import sys
import threading
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

import glasstorch
from glasstorch import serialization

DTYPES = [glasstorch.float16, glasstorch.float32, glasstorch.float64, glasstorch.uint8, glasstorch.int8,
          glasstorch.int16, glasstorch.int32, glasstorch.int64, glasstorch.bool]
SHAPES = [(), (0,), (5,), (2, 3), (2, 0, 4), (1, 2, 3, 4)]


def round_trip(obj, tmp_path, name="ckpt.pt"):
    path = tmp_path / name
    glasstorch.save(obj, path)
    return glasstorch.load(path)


def assert_tensor_equal(got, want):
    assert isinstance(got, glasstorch.Tensor)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())


def assert_same(got, want):
    """Equal values, with the same types all the way down (tuples stay tuples, int keys stay ints)."""
    assert type(got) is type(want), f"{type(got).__name__} != {type(want).__name__}"
    if isinstance(want, glasstorch.Tensor):
        assert_tensor_equal(got, want)
        assert got.requires_grad == want.requires_grad
    elif isinstance(want, dict):
        assert list(got.keys()) == list(want.keys())
        assert [type(k) for k in got] == [type(k) for k in want]
        for k in want:
            assert_same(got[k], want[k])
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want)
        for a, b in zip(got, want):
            assert_same(a, b)
    elif isinstance(want, float) and math.isnan(want):
        assert math.isnan(got)
    else:
        assert got == want


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.name)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_tensor_round_trip(dtype, shape, tmp_path):
    values = np.random.default_rng(0).standard_normal(shape) * 50
    t = glasstorch.from_numpy(np.asarray(values).astype(dtype.numpy_dtype))
    got = round_trip(t, tmp_path)
    assert_same(got, t)
    assert got.numpy().flags.writeable  # loaded tensors can be trained further in place


def test_float_specials_and_noncontiguous_views(tmp_path):
    t = glasstorch.tensor([1.0, float("nan"), float("inf"), -float("inf"), -0.0])
    got = round_trip(t, tmp_path)
    np.testing.assert_array_equal(got.numpy(), t.numpy())
    assert np.signbit(got.numpy()[-1])
    base = glasstorch.arange(24.0).reshape(2, 3, 4)
    for view in (base.transpose(0, 2), base[:, ::2, 1:], base.permute(2, 0, 1)[1]):
        assert not view.is_contiguous()
        assert_same(round_trip(view, tmp_path), view.contiguous())


def test_python_values_round_trip(tmp_path):
    obj = {
        "none": None, "true": True, "false": False, "zero": 0, "neg": -5, "big": 2 ** 70, "float": 1.5,
        "float_int": 3.0, "nan": float("nan"), "inf": float("inf"), "-inf": -float("inf"),
        "text": "héllo ∑ \"quoted\" \n", "empty_str": "", "list": [1, [2, [3, []]]], "tuple": (1, (2.0, "x"), ()),
        "empty_dict": {}, "nested": {"a": {"b": {"c": [{"d": (None,)}]}}},
        "size": glasstorch.Size([2, 3]), "dtype": glasstorch.int16,
    }
    assert_same(round_trip(obj, tmp_path), obj)
    for top in (None, 7, 2.5, "s", [1, 2], (3,), True):
        assert_same(round_trip(top, tmp_path), top)


def test_dict_keys_keep_their_types_and_order(tmp_path):
    obj = {3: "int", "3": "str", 2.5: "float", None: "none", (1, "a"): "tuple", 0: "zero", -1: "neg", True: "bool"}
    got = round_trip(obj, tmp_path)
    assert_same(got, obj)
    ordered = collections.OrderedDict([("z", 1), ("a", 2), ("m", 3)])
    got = round_trip(ordered, tmp_path)
    assert type(got) is collections.OrderedDict and list(got) == ["z", "a", "m"]
    counts = collections.defaultdict(int, {"b": 2, 1: 1})
    got = round_trip(counts, tmp_path)
    assert type(got) is dict and got == {"b": 2, 1: 1}


def test_numpy_scalars_are_saved_as_python_numbers(tmp_path):
    got = round_trip([np.float32(1.5), np.int64(3), np.bool_(True)], tmp_path)
    assert got == [1.5, 3, True] and [type(v) for v in got] == [float, int, bool]


def test_model_state_dict_round_trip(tmp_path):
    g = glasstorch.Generator().manual_seed(0)
    state = collections.OrderedDict([
        ("0.weight", glasstorch.randn(4, 3, generator=g)), ("0.bias", glasstorch.randn(4, generator=g)),
        ("2.weight", glasstorch.randn(2, 4, generator=g)), ("2.bias", glasstorch.zeros(2)),
        ("bn.num_batches_tracked", glasstorch.tensor(5)),
    ])
    assert_same(round_trip(state, tmp_path), state)


def test_optimizer_state_dict_round_trip(tmp_path):
    state = {
        "state": {0: {"step": glasstorch.tensor(3.0), "exp_avg": glasstorch.ones(4, 3), "exp_avg_sq": glasstorch.zeros(4, 3)},
                  1: {"step": glasstorch.tensor(3.0), "exp_avg": glasstorch.ones(4), "exp_avg_sq": glasstorch.zeros(4)}},
        "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0, "amsgrad": False,
                          "maximize": False, "foreach": None, "params": [0, 1]}],
    }
    assert_same(round_trip(state, tmp_path), state)


def test_requires_grad_and_parameters(tmp_path, monkeypatch):
    Parameter = getattr(glasstorch.nn, "Parameter", None)
    if Parameter is None:  # nn is written in parallel: stand in a minimal Parameter with the same constructor
        class Parameter(glasstorch.Tensor):
            def __init__(self, data, requires_grad=True):
                self._array = data._array
                self._requires_grad = requires_grad
        monkeypatch.setattr(glasstorch.nn, "Parameter", Parameter, raising=False)
    w = Parameter(glasstorch.ones(2, 2))
    frozen = Parameter(glasstorch.zeros(3), requires_grad=False)
    leaf = glasstorch.ones(2, requires_grad=True)
    got = round_trip({"w": w, "frozen": frozen, "leaf": leaf, "plain": glasstorch.ones(1)}, tmp_path)
    assert type(got["w"]) is Parameter and got["w"].requires_grad and got["w"].is_leaf
    assert type(got["frozen"]) is Parameter and not got["frozen"].requires_grad
    assert type(got["leaf"]) is glasstorch.Tensor and got["leaf"].requires_grad and got["leaf"].is_leaf
    assert not got["plain"].requires_grad
    assert_tensor_equal(got["w"], w)


def test_same_tensor_saved_once_views_share_their_storage(tmp_path):
    t = glasstorch.arange(6.0)
    got = round_trip({"a": t, "b": t, "view": t[2:4], "list": [t]}, tmp_path)
    assert got["a"] is got["b"] is got["list"][0]
    got["a"][2] = 100.0
    assert got["view"].tolist() == [100.0, 3.0]  # one storage, as in PyTorch
    with zipfile.ZipFile(tmp_path / "ckpt.pt") as archive:
        assert [m for m in archive.namelist() if "/data/" in m] == ["archive/data/0"]


def test_file_objects_and_paths(tmp_path):
    obj = {"x": glasstorch.arange(5), "y": [1.5, "a"]}
    buffer = io.BytesIO()
    glasstorch.save(obj, buffer)
    buffer.seek(0)
    assert_same(glasstorch.load(buffer), obj)
    with open(tmp_path / "f.pt", "wb") as f:
        glasstorch.save(obj, f)
    with open(tmp_path / "f.pt", "rb") as f:
        assert_same(glasstorch.load(f), obj)
    glasstorch.save(obj, str(tmp_path / "s.pt"))
    assert_same(glasstorch.load(str(tmp_path / "s.pt")), obj)
    assert_same(glasstorch.load(pathlib.Path(tmp_path / "s.pt"), map_location="cpu", weights_only=True), obj)
    assert_same(glasstorch.load(tmp_path / "s.pt", map_location=glasstorch.device("cpu")), obj)

    class ReadOnly:  # not seekable: load reads it whole first
        def __init__(self, data):
            self.data = data

        def read(self, n=-1):
            data, self.data = self.data, b""
            return data

    assert_same(glasstorch.load(ReadOnly(buffer.getvalue())), obj)
    with pytest.raises(AssertionError, match="CUDA"):
        glasstorch.load(tmp_path / "s.pt", map_location="cuda")


def test_the_format_is_pytorchs_zip_format(tmp_path):
    t = glasstorch.arange(6, dtype=glasstorch.float32).reshape(2, 3)
    glasstorch.save({"weight": t, 1: (2, None)}, tmp_path / "m.pt")
    with zipfile.ZipFile(tmp_path / "m.pt") as archive:
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
        names = archive.namelist()
        assert names[0] == "archive/data.pkl" and "archive/data/0" in names
        assert archive.read("archive/byteorder") == b"little" and archive.read("archive/version") == b"3\n"
        pkl = archive.read("archive/data.pkl")
        assert pkl.startswith(b"\x80\x02") and b"torch._utils\n_rebuild_tensor_v2\n" in pkl
        assert b"torch\nFloatStorage\n" in pkl
        raw = archive.read("archive/data/0")
    assert raw == np.arange(6, dtype="<f4").tobytes()


def test_glasstorch_earlier_format_still_loads(tmp_path):
    obj = {"weight": glasstorch.arange(6.0).reshape(2, 3), 1: (2, None), "nan": float("nan")}
    with open(tmp_path / "old.pt", "wb") as f:
        serialization._write_archive(obj, f, "old.pt")
    with zipfile.ZipFile(tmp_path / "old.pt") as archive:
        assert json.loads(archive.read("data.json"))["format"] == "glasstorch-checkpoint"
    assert_same(glasstorch.load(tmp_path / "old.pt"), obj)


def test_unsupported_objects_raise_type_error(tmp_path):
    for bad in (object(), frozenset({1, 2}), lambda: 0, {"a": [object()]}, np.array(["text"]),
                glasstorch.nn.Linear(1, 1)):
        with pytest.raises(TypeError, match="cannot save"):
            glasstorch.save(bad, tmp_path / "bad.pt")
    assert os.listdir(tmp_path) == []  # nothing left behind


class Exploding:
    """An object glasstorch.save cannot encode: saving fails after the tensors before it were written."""


def test_atomic_write_keeps_the_old_file_when_saving_fails(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    glasstorch.save({"w": glasstorch.ones(3)}, path)
    before = path.read_bytes()
    big = glasstorch.zeros(1000, 100)
    with pytest.raises(TypeError):
        glasstorch.save({"w": big, "later": Exploding()}, path)  # fails midway, after big's bytes
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.pt"]  # no temporary file left

    def failing_fsync(fd):
        raise OSError("disk went away")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk went away"):
        glasstorch.save({"w": big}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.pt"]
    monkeypatch.undo()
    assert_same(glasstorch.load(path), {"w": glasstorch.ones(3)})


def test_atomic_write_replaces_the_file_when_saving_succeeds(tmp_path):
    path = tmp_path / "model.pt"
    glasstorch.save({"v": 1}, path)
    glasstorch.save({"v": 2}, path)
    assert glasstorch.load(path) == {"v": 2}
    assert os.listdir(tmp_path) == ["model.pt"]


def checkpoint_bytes():
    buffer = io.BytesIO()
    glasstorch.save({"w": glasstorch.arange(100.0), "b": glasstorch.ones(3, dtype=glasstorch.int64)}, buffer)
    return buffer.getvalue()


def assert_invalid(path):
    with pytest.raises(RuntimeError) as info:
        glasstorch.load(path)
    message = str(info.value)
    assert str(path) in message
    assert "not a valid checkpoint" in message, message
    return message


@pytest.mark.parametrize("keep", [0, 1, 10, 200, 0.5, -30, -1])
def test_truncated_file_raises_a_clear_error(keep, tmp_path):
    data = checkpoint_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep
    path = tmp_path / "truncated.pt"
    path.write_bytes(data[:cut] if cut >= 0 else data[:len(data) + cut])
    assert_invalid(path)


def test_corrupted_files_raise_a_clear_error(tmp_path):
    data = checkpoint_bytes()
    path = tmp_path / "corrupt.pt"
    start = data.index(np.arange(100.0, dtype="<f4").tobytes())  # inside the first tensor's bytes
    path.write_bytes(data[:start + 50] + bytes([data[start + 50] ^ 0xFF]) + data[start + 51:])
    assert "CRC" in assert_invalid(path)
    pickle_at = data.index(b"_rebuild_tensor_v2")  # inside data.pkl: its CRC-32 no longer matches
    path.write_bytes(data[:pickle_at + 3] + b"X" + data[pickle_at + 4:])
    assert "CRC" in assert_invalid(path)
    rng = np.random.default_rng(0)
    for size in (0, 1, 100, 5000):
        path.write_bytes(rng.integers(0, 256, size, dtype=np.uint8).tobytes())
        assert_invalid(path)
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    assert_invalid(path)


def _archive(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_wrong_header_or_tensor_size_raises(tmp_path):
    path = tmp_path / "bad.pt"
    header = {"format": "glasstorch-checkpoint", "version": 1, "byteorder": "little"}
    _archive(path, {"data.json": json.dumps({**header, "format": "other"})})
    assert_invalid(path)
    _archive(path, {"data.json": json.dumps({**header, "version": 99, "object": 1})})
    assert "newer glasstorch" in assert_invalid(path)
    _archive(path, {"other.txt": "hello"})
    assert_invalid(path)
    ref = {"type": "tensor", "file": "tensors/0.bin", "dtype": "float32", "shape": [3], "requires_grad": False}
    _archive(path, {"tensors/0.bin": bytes(8), "data.json": json.dumps({**header, "object": ref})})
    assert "needs 12" in assert_invalid(path)
    _archive(path, {"data.json": json.dumps({**header, "object": ref})})
    assert_invalid(path)
    _archive(path, {"tensors/0.bin": bytes(12), "data.json": json.dumps({**header, "object": {**ref, "dtype": "pyobj"}})})
    assert_invalid(path)
    _archive(path, {"data.json": json.dumps({**header, "object": {"type": "function", "name": "os.system"}})})
    assert_invalid(path)


def test_pytorch_checkpoints_load_without_unpickling(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    zip_path, legacy_path = tmp_path / "torch.pt", tmp_path / "legacy.pt"
    torch.save({"w": torch.ones(2)}, zip_path)
    torch.save({"w": torch.ones(2)}, legacy_path, _use_new_zipfile_serialization=False)

    def no_unpickling(*args, **kwargs):
        raise AssertionError("glasstorch.load unpickled something")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, no_unpickling)
    assert glasstorch.load(zip_path)["w"].tolist() == [1.0, 1.0]
    assert glasstorch.load(legacy_path)["w"].tolist() == [1.0, 1.0]


def test_serialization_modules_never_unpickle_or_import_torch():
    """pickle is imported for its error type only; the pickle opcodes are interpreted by glasstorch itself."""
    root = pathlib.Path(serialization.__file__).parent
    for file in ("serialization.py", "_serialization_pickle.py", "_serialization_torch.py"):
        tree = ast.parse((root / file).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not {a.name.split(".")[0] for a in node.names} & {"pickle", "torch", "dill", "marshal",
                                                                        "shelve", "_pickle"}, file
            elif isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in {"torch", "dill", "marshal", "shelve", "_pickle"}, file
                if node.module == "pickle":
                    assert [a.name for a in node.names] == ["UnpicklingError"], file


def test_real_model_and_optimizer_checkpoint(tmp_path):
    nn, optim = glasstorch.nn, glasstorch.optim
    if not all(hasattr(nn, n) for n in ("Sequential", "Linear", "ReLU")) or not hasattr(optim, "Adam"):
        pytest.skip("nn / optim not available yet")
    glasstorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    model(glasstorch.randn(5, 3)).sum().backward()
    opt.step()
    glasstorch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, tmp_path / "ck.pt")
    checkpoint = glasstorch.load(tmp_path / "ck.pt")
    assert_same(checkpoint["optimizer"], opt.state_dict())
    copy = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    copy.load_state_dict(checkpoint["model"])
    for a, b in zip(model.parameters(), copy.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    copy_opt = optim.Adam(copy.parameters(), lr=1e-3)
    copy_opt.load_state_dict(checkpoint["optimizer"])
    assert checkpoint["epoch"] == 3


# -- saving: a missing directory, a killed save --------------------------------------------------------------------
def test_saving_into_a_missing_directory_raises_like_pytorch(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    (tmp_path / "a_file").write_text("")
    monkeypatch.chdir(tmp_path)
    for path in (tmp_path / "missing" / "sub" / "m.pt", "nodir/m.pt", tmp_path / "a_file" / "m.pt"):
        with pytest.raises(RuntimeError) as want:
            torch.save({}, path)
        with pytest.raises(RuntimeError) as got:
            glasstorch.save({"w": glasstorch.ones(2)}, path)
        assert str(got.value) == str(want.value)  # "Parent directory <its directory> does not exist."
        assert str(got.value) == f"Parent directory {os.path.dirname(path)} does not exist."
    assert sorted(os.listdir(tmp_path)) == ["a_file"]
    glasstorch.save({"v": 1}, "here.pt")  # a bare file name saves into the working directory
    assert glasstorch.load(tmp_path / "here.pt") == {"v": 1}


# a save that gets killed while writing: it has written part of the archive and hangs until killed
KILLED_SAVE = """
import sys, time
from glasstorch.serialization import write_atomically
def write(out):
    out.write(b"half a checkpoint " * 10000)
    out.flush()
    print("writing", flush=True)
    time.sleep(120)
write_atomically(sys.argv[1], write)
"""


def start_killable_save(path):
    root = pathlib.Path(__file__).parents[1]
    env = dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(path)], stdout=subprocess.PIPE, text=True,
                            env=env, stdin=subprocess.DEVNULL)
    if proc.stdout.readline() != "writing\n":
        proc.kill()
        raise AssertionError(f"the save to be killed did not start (exit status {proc.wait(30)})")
    return proc


def test_a_killed_save_leaves_a_file_that_the_next_save_reuses(tmp_path):
    path = tmp_path / "model.pt"
    glasstorch.save({"v": 1}, path)
    proc = start_killable_save(path)
    proc.kill()
    proc.wait(30)
    leftover = [n for n in os.listdir(tmp_path) if n != "model.pt"]
    assert len(leftover) == 1  # what the killed save was writing
    assert glasstorch.load(path) == {"v": 1}  # the old file is untouched
    for _ in range(3):  # each later save reuses that name: no garbage accumulates
        glasstorch.save({"v": 2}, path)
        assert os.listdir(tmp_path) == ["model.pt"]
    assert glasstorch.load(path) == {"v": 2}


def test_a_leftover_larger_than_the_new_archive_is_emptied_first(tmp_path):
    path, fresh = tmp_path / "model.pt", tmp_path / "fresh.pt"
    obj = {"w": glasstorch.arange(10.0)}
    glasstorch.save(obj, fresh)
    leftover = pathlib.Path(serialization._temp_path(str(path)))
    leftover.write_bytes(b"\x00garbage" * 100000)  # far longer than the new archive
    glasstorch.save(obj, path)
    assert sorted(os.listdir(tmp_path)) == ["fresh.pt", "model.pt"]
    assert path.stat().st_size == fresh.stat().st_size  # nothing of the leftover's tail remains
    assert_same(glasstorch.load(path), obj)


def test_a_save_waits_for_another_save_to_the_same_path(tmp_path):
    # two saves must not write into one temporary file: the second waits until the first ends (here, is killed)
    path = tmp_path / "model.pt"
    proc = start_killable_save(path)
    waiting = threading.Thread(target=glasstorch.save, args=({"v": 2}, path), daemon=True)
    try:
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive() and not path.exists()
    finally:
        proc.kill()
        proc.wait(30)
    waiting.join(30)
    assert not waiting.is_alive()
    assert glasstorch.load(path) == {"v": 2}
    assert os.listdir(tmp_path) == ["model.pt"]


# -- loading: lying ZIP headers, memory ----------------------------------------------------------------------------
def _lie_about_size(data, member, size, crc):
    """The archive ``data`` with ``member``'s declared size and CRC-32 replaced (local and central headers)."""
    data = bytearray(data)
    name = member.encode()
    for signature, crc_at, size_at, name_at in ((b"PK\x03\x04", 14, 22, 30), (b"PK\x01\x02", 16, 24, 46)):
        at = -1
        while True:
            at = data.index(signature, at + 1)
            if data[at + name_at:at + name_at + len(name)] == name:
                break
        data[at + crc_at:at + crc_at + 4] = crc.to_bytes(4, "little")
        data[at + size_at:at + size_at + 4] = size.to_bytes(4, "little")
    return bytes(data)


HEADER = {"format": "glasstorch-checkpoint", "version": 1, "byteorder": "little"}
REF = {"type": "tensor", "file": "tensors/0.bin", "dtype": "float32", "shape": [3], "requires_grad": False}


def _lying_archive(path, member, compression, extra):
    """A checkpoint of a 3-float tensor whose ``member`` holds ``extra`` more bytes than its header declares (the
    declared CRC is the true prefix's, so only the size gives it away). Streamed: ``extra`` may be large."""
    true = {"tensors/0.bin": bytes(12), "data.json": json.dumps({**HEADER, "object": REF}).encode()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in true.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = compression if name == member else zipfile.ZIP_STORED
            with archive.open(info, "w") as out:
                out.write(data)
                if name == member:
                    for start in range(0, extra, 1 << 20):
                        out.write(b" " * min(1 << 20, extra - start))  # spaces: still valid JSON after data.json
    declared = true[member]
    path.write_bytes(_lie_about_size(path.read_bytes(), member, len(declared), zlib.crc32(declared)))


@pytest.mark.parametrize("member", ["tensors/0.bin", "data.json"])
@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED], ids=["stored", "deflated"])
def test_a_member_holding_more_than_its_header_declares_is_refused(member, compression, tmp_path):
    path = tmp_path / "lying.pt"
    _lying_archive(path, member, compression, extra=5)
    message = assert_invalid(path)
    assert member in message and "more than" in message, message
    # the same archive, honest: loads (so it is the lie that is refused)
    _lying_archive(path, member, compression, extra=0)
    assert glasstorch.load(path).tolist() == [0.0, 0.0, 0.0]


def test_a_zip_bomb_is_refused_without_inflating_it(tmp_path):
    path = tmp_path / "bomb.pt"
    _lying_archive(path, "tensors/0.bin", zipfile.ZIP_DEFLATED, extra=64 << 20)  # 64 MiB of spaces
    assert path.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        message = assert_invalid(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "tensors/0.bin" in message and "more than the 12 bytes" in message, message
    assert peak < 8 << 20, f"loading the bomb allocated {peak / 2 ** 20:.0f} MiB"


def test_loading_allocates_about_the_tensors_bytes(tmp_path):
    big, small = glasstorch.arange(10_000_000, dtype=glasstorch.float32), glasstorch.ones(2_500_000)
    glasstorch.save({"big": big, "small": small}, tmp_path / "big.pt")
    nbytes = 50_000_000
    tracemalloc.start()
    try:
        loaded = glasstorch.load(tmp_path / "big.pt")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert nbytes <= peak < 1.2 * nbytes, f"peak {peak / 1e6:.1f} MB for {nbytes / 1e6:.0f} MB of tensors"
    assert_same(loaded, {"big": big, "small": small})
    loaded["big"][0] = 5.0  # each member was read into its own writable array
    assert float(loaded["big"][0]) == 5.0


# -- nesting depth -------------------------------------------------------------------------------------------------
def nested(depth, make=lambda inner: [inner]):
    obj = 1
    for _ in range(depth):
        obj = make(obj)
    return obj


@pytest.mark.parametrize("make, levels", [(lambda x: [x], 1), (lambda x: (x,), 1), (lambda x: {"k": x}, 1),
                                          (lambda x: collections.OrderedDict(k=x), 1), (lambda x: {(1, 2): [x]}, 2)],
                         ids=["list", "tuple", "dict", "OrderedDict", "mixed"])
def test_nesting_up_to_the_limit_round_trips(make, levels, tmp_path):
    obj = nested(serialization.MAX_DEPTH // levels, make)
    assert_same(round_trip(obj, tmp_path), obj)


def test_saving_nested_too_deeply_raises_checkpoint_error(tmp_path):
    path = tmp_path / "deep.pt"
    loop = []
    loop.append(loop)  # a list inside itself: infinitely deep
    for obj in (nested(serialization.MAX_DEPTH + 1), nested(10_000, lambda x: {"k": x}), {(((1,),),): loop}):
        with pytest.raises(serialization.CheckpointError, match=f"^{path}: .*nested more than 100 levels"):
            glasstorch.save(obj, path)
    with pytest.raises(serialization.CheckpointError, match="BytesIO.*nested more than 100 levels"):
        glasstorch.save(loop, io.BytesIO())
    assert os.listdir(tmp_path) == []  # nothing left behind


DEEP = {
    "lists": "[" * 101 + "1" + "]" * 101,  # one level more than MAX_DEPTH
    "dicts": '{"type": "dict", "items": [["k", ' * 101 + "1" + "]]}" * 101,
    "beyond_the_json_parser": "[" * 1_000_000 + "]" * 1_000_000,  # json.loads alone: RecursionError
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_loading_data_nested_too_deeply_raises_checkpoint_error(name, tmp_path):
    path = tmp_path / "deep.pt"
    header = json.dumps(HEADER)[:-1]  # crafted by hand: glasstorch.save refuses to write such data
    _archive(path, {"data.json": f'{header}, "object": {DEEP[name]}}}'})
    with pytest.raises(serialization.CheckpointError, match="nested") as info:
        glasstorch.load(path)
    assert str(path) in str(info.value)
