"""glasstorch.save / glasstorch.load in PyTorch's own file format, checked against real torch both ways.

torch writes, glasstorch reads (zip and legacy formats); glasstorch writes, torch reads with weights_only=True;
sharing of storages; ResNet-18 and Adam state_dicts; malicious files that must never run; mmap; map_location.
"""
import collections
import io
import mmap
import os
import pickle
import zipfile

import ml_dtypes
import numpy as np
import pytest

import glasstorch
from glasstorch import serialization
from glasstorch.autograd.function import _root

torch = pytest.importorskip("torch")

DTYPES = ["float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
          "uint32", "uint64", "bool"]
SHAPES = [(), (0,), (5,), (2, 3), (2, 0, 4), (1, 2, 3, 4)]
LEGACY = {"_use_new_zipfile_serialization": False}


def values(shape, name, seed=0):
    """The same numbers as a NumPy array of glasstorch's dtype ``name``."""
    raw = np.random.default_rng(seed).standard_normal(shape) * 50
    if name == "bool":
        return np.asarray(raw > 0)
    if name.startswith("uint"):
        raw = np.abs(raw)
    return np.asarray(raw.astype(glasstorch_dtype(name).numpy_dtype))


def glasstorch_dtype(name):
    return getattr(glasstorch, name)


def torch_tensor(array):
    if array.dtype == ml_dtypes.bfloat16:
        return torch.from_numpy(array.astype(np.float32)).to(torch.bfloat16)
    return torch.from_numpy(np.array(array))


def torch_numpy(t):
    """A torch tensor's values as NumPy (bfloat16 as glasstorch's ml_dtypes bfloat16)."""
    t = t.detach()
    if t.dtype == torch.bfloat16:
        return t.float().numpy().astype(ml_dtypes.bfloat16)
    return t.numpy()


def assert_matches(g, t):
    """A glasstorch tensor and a torch tensor: same dtype, shape, values."""
    assert isinstance(g, glasstorch.Tensor), type(g)
    assert str(g.dtype) == str(t.dtype) and tuple(g.shape) == tuple(t.shape)
    np.testing.assert_array_equal(g.detach().numpy(), torch_numpy(t))


def torch_to_glasstorch(obj, **kwargs):
    buffer = io.BytesIO()
    torch.save(obj, buffer, **kwargs)
    buffer.seek(0)
    return glasstorch.load(buffer)


def glasstorch_to_torch(obj):
    buffer = io.BytesIO()
    glasstorch.save(obj, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def same_storage_g(a, b):
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


def same_storage_t(a, b):
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()


# -- every dtype, both ways ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", DTYPES)
def test_torch_files_load_for_every_dtype(name, shape, legacy):
    t = torch_tensor(values(shape, name))
    got = torch_to_glasstorch({"t": t}, **(LEGACY if legacy else {}))
    assert_matches(got["t"], t)
    if got["t"].numel():
        assert got["t"].numpy().flags.writeable  # loaded tensors train further in place


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", DTYPES)
def test_glasstorch_files_load_in_torch_for_every_dtype(name, shape):
    g = glasstorch.from_numpy(values(shape, name))
    got = glasstorch_to_torch({"g": g})
    assert_matches(g, got["g"])
    assert_matches(glasstorch_to_torch_to_glasstorch(g), got["g"])


def glasstorch_to_torch_to_glasstorch(g):
    buffer = io.BytesIO()
    glasstorch.save(g, buffer)
    buffer.seek(0)
    return glasstorch.load(buffer)


def test_special_floats_round_trip():
    t = torch.tensor([1.0, float("nan"), float("inf"), -float("inf"), -0.0])
    got = torch_to_glasstorch(t)
    np.testing.assert_array_equal(got.numpy(), t.numpy())
    assert np.signbit(got.numpy()[-1])
    back = glasstorch_to_torch(got)
    assert torch.equal(back.isnan(), t.isnan()) and torch.signbit(back[-1])


# -- views and shared storages --------------------------------------------------------------------------------------
def views(lib, base):
    return {"base": base, "t": base.transpose(0, 2), "slice": base[:, ::2, 1:], "row": base[1], "elem": base[1, 2, 3],
            "perm": base.permute(2, 0, 1)[1], "flat": base.view(-1)[5:17]}


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_torch_views_keep_sharing_in_glasstorch(legacy):
    base = torch.arange(24.0).reshape(2, 3, 4)
    want = views(torch, base)
    got = torch_to_glasstorch(want, **(LEGACY if legacy else {}))
    for key in want:
        assert_matches(got[key], want[key])
        assert got[key].stride() == want[key].stride(), key
        assert got[key].storage_offset() == want[key].storage_offset(), key
        assert same_storage_g(got[key], got["base"]), key
    assert not got["t"].is_contiguous()
    got["base"][1, 2, 3] = 100.0  # one memory: a write shows in every view
    assert float(got["elem"]) == 100.0 and float(got["t"][3, 2, 1]) == 100.0 and float(got["row"][2, 3]) == 100.0


def test_glasstorch_views_are_saved_once_and_share_in_torch_and_glasstorch():
    base = glasstorch.arange(24.0).reshape(2, 3, 4)
    saved = views(glasstorch, base)
    buffer = io.BytesIO()
    glasstorch.save(saved, buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        assert [m for m in archive.namelist() if "/data/" in m] == ["archive/data/0"]  # one storage
        assert archive.getinfo("archive/data/0").file_size == 24 * 4
    buffer.seek(0)
    got = torch.load(buffer, weights_only=True)
    for key in saved:
        assert_matches(saved[key], got[key])
        assert got[key].stride() == saved[key].stride(), key
        assert same_storage_t(got[key], got["base"]), key
    got["base"][1, 2, 3] = 100.0
    assert float(got["elem"]) == 100.0
    buffer.seek(0)
    mine = glasstorch.load(buffer)
    for key in saved:
        assert same_storage_g(mine[key], mine["base"])
    mine["base"][0, 0, 1] = -1.0
    assert float(mine["t"][1, 0, 0]) == -1.0


def test_the_same_tensor_twice_loads_as_one_object_and_small_views_keep_their_storage():
    t = glasstorch.arange(6.0)
    buffer = io.BytesIO()
    glasstorch.save({"a": t, "b": t, "list": [t], "view": t[2:4]}, buffer)
    buffer.seek(0)
    got = torch.load(buffer, weights_only=True)
    assert got["a"] is got["b"] is got["list"][0]
    assert got["view"].untyped_storage().nbytes() == 24  # PyTorch's rule: a view saves its whole storage
    buffer.seek(0)
    mine = glasstorch.load(buffer)
    assert mine["a"] is mine["b"] is mine["list"][0] and same_storage_g(mine["view"], mine["a"])
    t2 = torch.arange(4)
    got = torch_to_glasstorch([t2, t2])
    assert got[0] is got[1]


def test_a_storage_viewed_as_two_dtypes_is_saved_as_a_copy():
    base = glasstorch.arange(4, dtype=glasstorch.int32)
    other = base.view(glasstorch.float32)
    got = glasstorch_to_torch({"i": base, "f": other})
    assert got["i"].tolist() == [0, 1, 2, 3]
    np.testing.assert_array_equal(got["f"].numpy(), other.numpy())


# -- containers, numbers, Parameters, NumPy arrays -------------------------------------------------------------------
def test_plain_values_both_ways():
    obj = {"none": None, "bools": [True, False], "int": -5, "big": 2 ** 70, "float": 1.5, "nan": float("nan"),
           "text": "héllo ∑\n", "tuple": (1, (2.0, "x"), ()), "set": {1, 2, 3}, "complex": 1 + 2j,
           "bytes": b"\x00\xff", "od": collections.OrderedDict([("z", 1), ("a", 2)]), 3: "int key",
           "counter": collections.Counter("abca"), "bytearray": bytearray(b"ab"),
           (1, "a"): "tuple key", "long": list(range(2500)), "dict": {i: str(i) for i in range(1500)}}
    for load in (lambda o: glasstorch_to_torch(o), lambda o: torch_to_glasstorch(o),
                 lambda o: glasstorch_to_torch_to_glasstorch(o)):
        got = load(obj)
        assert list(got) == list(obj)
        for k in obj:
            if k == "nan":
                assert got[k] != got[k]
            else:
                assert got[k] == obj[k] and type(got[k]) is type(obj[k]), k


def test_dtypes_sizes_and_devices_both_ways():
    obj = {"dtype": glasstorch.bfloat16, "size": glasstorch.Size([2, 3]), "device": glasstorch.device("cpu")}
    got = glasstorch_to_torch(obj)
    assert got == {"dtype": torch.bfloat16, "size": torch.Size([2, 3]), "device": torch.device("cpu")}
    back = torch_to_glasstorch(got)
    assert back["dtype"] is glasstorch.bfloat16 and back["size"] == glasstorch.Size([2, 3])
    assert isinstance(back["size"], glasstorch.Size) and str(back["device"]) == "cpu"


def test_parameters_and_requires_grad_both_ways():
    tp = torch.nn.Parameter(torch.ones(2, 2))
    frozen = torch.nn.Parameter(torch.zeros(3), requires_grad=False)
    leaf = torch.ones(2, requires_grad=True)
    got = torch_to_glasstorch({"p": tp, "frozen": frozen, "leaf": leaf, "plain": torch.ones(1)})
    assert type(got["p"]) is glasstorch.nn.Parameter and got["p"].requires_grad
    assert type(got["frozen"]) is glasstorch.nn.Parameter and not got["frozen"].requires_grad
    assert type(got["leaf"]) is glasstorch.Tensor and got["leaf"].requires_grad and got["leaf"].is_leaf
    assert not got["plain"].requires_grad
    back = glasstorch_to_torch(got)
    assert type(back["p"]) is torch.nn.Parameter and back["p"].requires_grad
    assert type(back["frozen"]) is torch.nn.Parameter and not back["frozen"].requires_grad
    assert type(back["leaf"]) is torch.Tensor and back["leaf"].requires_grad
    assert not back["plain"].requires_grad


def test_numpy_arrays_are_saved_as_tensors_that_torch_loads_with_weights_only():
    arrays = {"f": np.arange(6.0).reshape(2, 3), "i": np.arange(4, dtype=np.int16), "t": np.arange(6.0).reshape(2, 3).T,
              "scalar": np.float32(2.5)}
    got = glasstorch_to_torch(arrays)
    assert got["f"].dtype == torch.float64 and got["f"].tolist() == arrays["f"].tolist()
    assert got["i"].dtype == torch.int16 and got["t"].tolist() == arrays["t"].tolist()
    assert got["scalar"] == 2.5 and type(got["scalar"]) is float
    with pytest.raises(TypeError, match="NumPy array of dtype"):
        glasstorch.save(np.array(["a"]), io.BytesIO())


def test_state_dict_metadata_survives_both_ways():
    sd = torch.nn.Linear(2, 3).state_dict()
    got = torch_to_glasstorch(sd)
    assert type(got) is collections.OrderedDict and got._metadata == sd._metadata
    back = glasstorch_to_torch(glasstorch.nn.Linear(2, 3).state_dict())
    assert type(back) is collections.OrderedDict and back._metadata == {"": {"version": 1}}
    torch.nn.Linear(2, 3).load_state_dict(back)


# -- a ResNet-18 state_dict and an Adam state_dict ---------------------------------------------------------------------
def test_resnet18_state_dict_both_ways(tmp_path):
    from glasstorch.vision import models
    model = models.resnet18()
    rng = np.random.default_rng(0)
    want = collections.OrderedDict()
    for key, value in model.state_dict().items():  # torchvision's keys and shapes, with torch tensors
        if value.dtype == glasstorch.int64:
            want[key] = torch.tensor(int(rng.integers(0, 100)))
        else:
            want[key] = torch.from_numpy(rng.standard_normal(tuple(value.shape)).astype(np.float32))
    torch.save(want, tmp_path / "resnet18.pth")
    state = glasstorch.load(tmp_path / "resnet18.pth")
    assert list(state) == list(want)
    model.load_state_dict(state)
    for key, value in model.state_dict().items():
        assert_matches(value, want[key])
    glasstorch.save(model.state_dict(), tmp_path / "back.pth")
    back = torch.load(tmp_path / "back.pth", weights_only=True)
    assert list(back) == list(want)
    for key in want:
        assert torch.equal(back[key], want[key]), key


def test_adam_state_dict_both_ways():
    torch.manual_seed(0)
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    topt = torch.optim.Adam(tmodel.parameters(), lr=0.01)
    x = torch.randn(5, 3)
    for _ in range(3):
        topt.zero_grad()
        tmodel(x).pow(2).sum().backward()
        topt.step()
    nn = glasstorch.nn
    gmodel = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    gmodel.load_state_dict(torch_to_glasstorch(tmodel.state_dict()))
    gopt = glasstorch.optim.Adam(gmodel.parameters(), lr=0.01)
    state = torch_to_glasstorch(topt.state_dict())
    assert float(state["state"][0]["step"]) == 3.0
    gopt.load_state_dict(state)
    # one more step in each: the loaded moments give the same update
    gx = glasstorch.from_numpy(x.numpy().copy())
    topt.zero_grad()
    tmodel(x).pow(2).sum().backward()
    topt.step()
    gopt.zero_grad()
    gmodel(gx).pow(2).sum().backward()
    gopt.step()
    for g, t in zip(gmodel.parameters(), tmodel.parameters()):
        np.testing.assert_allclose(g.detach().numpy(), t.detach().numpy(), rtol=1e-5, atol=1e-6)
    # and back: glasstorch's optimizer state loads into torch's Adam
    back = glasstorch_to_torch(gopt.state_dict())
    topt2 = torch.optim.Adam(tmodel.parameters(), lr=0.01)
    topt2.load_state_dict(back)
    for i, s in back["state"].items():
        want = topt.state_dict()["state"][i]
        assert float(s["step"]) == float(want["step"]) == 4.0
        np.testing.assert_allclose(s["exp_avg"].numpy(), want["exp_avg"].numpy(), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(s["exp_avg_sq"].numpy(), want["exp_avg_sq"].numpy(), rtol=1e-5, atol=1e-9)


def test_glasstorch_model_and_optimizer_checkpoint_loads_in_torch(tmp_path):
    nn = glasstorch.nn
    glasstorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = glasstorch.optim.Adam(model.parameters(), lr=1e-3)
    model(glasstorch.randn(5, 3)).sum().backward()
    opt.step()
    glasstorch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, tmp_path / "ck.pt")
    ck = torch.load(tmp_path / "ck.pt", weights_only=True)
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    tmodel.load_state_dict(ck["model"])
    torch.optim.Adam(tmodel.parameters(), lr=1e-3).load_state_dict(ck["optimizer"])
    assert ck["epoch"] == 3


# -- malicious files: refused, and nothing from them ever runs ------------------------------------------------------
class Payload:
    """Unpickling it (with Python's pickle) would run ``call(*args)``."""

    def __init__(self, call, *args):
        self.call, self.args = call, args

    def __reduce__(self):
        return self.call, self.args


class MarkerMaker:
    """A class whose unpickling would create the marker file (its __reduce__ names this module's function)."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return make_marker, (self.path,)


def make_marker(path):
    with open(path, "w") as f:
        f.write("ran")


def zip_with_pickle(data_pkl):
    buffer = io.BytesIO()
    torch.save({"w": torch.ones(2)}, buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, data_pkl if info.filename.endswith("data.pkl") else src.read(info))
    out.seek(0)
    return out


def legacy_with_pickle(main_pickle, where="object"):
    parts = [pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2), pickle.dumps(1001, protocol=2),
             pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2), main_pickle,
             pickle.dumps([], protocol=2)]
    if where == "magic":
        parts[0] = main_pickle
    if where == "keys":
        parts[3], parts[4] = pickle.dumps({}, protocol=2), main_pickle
    return io.BytesIO(b"".join(parts))


def raw_call(module, name, *args):
    """A hand-written pickle of ``module.name(*args)`` (args: strings), as an attacker would write it."""
    out = b"\x80\x02c" + f"{module}\n{name}\n".encode() + b"("
    for a in args:
        data = a.encode()
        out += b"X" + len(data).to_bytes(4, "little") + data
    return out + b"tR."


def malicious(marker):
    """(the global the error must name, the pickle) for each payload; each would create ``marker``."""
    command, code = f"touch {marker}", f"open({str(marker)!r}, 'w')"
    dumps = lambda obj: pickle.dumps(obj, protocol=2)  # noqa: E731
    return [
        ("os.system", raw_call("os", "system", command)),
        ("system", dumps(Payload(os.system, command))),  # pickle names it posix.system
        ("eval", raw_call("builtins", "eval", code)),
        ("exec", raw_call("builtins", "exec", code)),
        ("eval", dumps(Payload(eval, code))),
        ("subprocess.call", dumps(Payload(__import__("subprocess").call, ["touch", str(marker)]))),
        ("make_marker", dumps(MarkerMaker(str(marker)))),  # a __reduce__ payload
        ("getattr", raw_call("builtins", "getattr", "os", "system")),
        ("open", dumps(Payload(open, str(marker), "w"))),
        ("builtins.eval", raw_call("__builtin__", "eval", code)),  # a Python 2 name, mapped
    ]


@pytest.mark.parametrize("container", ["zip", "legacy", "legacy_magic", "legacy_keys", "nested"])
def test_malicious_files_are_refused_and_never_run(container, tmp_path):
    marker = tmp_path / "marker"
    for global_name, data in malicious(marker):
        if container == "nested":  # the payload deep inside a dict, after a real tensor
            data = b"\x80\x02}X\x01\x00\x00\x00w]K\x01" + data[2:-1] + b"\x86s."
        if container in ("zip", "nested"):
            f = zip_with_pickle(data)
        else:
            where = {"legacy": "object", "legacy_magic": "magic", "legacy_keys": "keys"}[container]
            f = legacy_with_pickle(data, where)
        with pytest.raises(pickle.UnpicklingError) as info:
            glasstorch.load(f)
        assert global_name in str(info.value), (global_name, str(info.value))
        assert not marker.exists(), f"{global_name}: the payload ran"
    # the payloads do work under Python's pickle (so the test is meaningful)
    pickle.loads(malicious(marker)[6][1])
    assert marker.exists()
    marker.unlink()
    pickle.loads(malicious(marker)[2][1])
    assert marker.exists()


P = collections.namedtuple("P", "x")


def test_torch_files_with_other_objects_name_the_refused_global(tmp_path):
    torch.save({"obj": P(1)}, tmp_path / "nt.pt")
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL .*P was not an allowed global"):
        glasstorch.load(tmp_path / "nt.pt")
    torch.save({"sd": torch.nn.Linear(2, 2)}, tmp_path / "module.pt")  # a whole module: classes, not weights
    with pytest.raises(pickle.UnpicklingError, match="torch.nn.modules.linear.Linear"):
        glasstorch.load(tmp_path / "module.pt")
    torch.save({"w": torch.ones(2, dtype=torch.complex64)}, tmp_path / "complex.pt")
    with pytest.raises(pickle.UnpicklingError, match="ComplexFloatStorage"):
        glasstorch.load(tmp_path / "complex.pt")
    torch.save({"dtype": torch.complex64}, tmp_path / "dtype.pt")
    with pytest.raises(pickle.UnpicklingError, match="no dtype torch.complex64"):
        glasstorch.load(tmp_path / "dtype.pt")
    torch.save({"d": torch.device("cuda", 1)}, tmp_path / "device.pt")  # a device is plain data: it loads
    assert str(glasstorch.load(tmp_path / "device.pt")["d"]) == "cuda:1"
    t = torch.ones(2)
    t.note = "attribute"  # saved through torch._tensor._rebuild_from_type_v2 with a state
    torch.save(t, tmp_path / "attr.pt")
    with pytest.raises(pickle.UnpicklingError, match="Python attributes \\(note\\)"):
        glasstorch.load(tmp_path / "attr.pt")
    torch.save(np.arange(3), tmp_path / "np.pt")  # torch itself refuses this with weights_only=True
    with pytest.raises(pickle.UnpicklingError, match="numpy"):
        glasstorch.load(tmp_path / "np.pt")
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / "np.pt", weights_only=True)


def test_legacy_files_with_lying_sizes_are_refused_before_allocating():
    buffer = io.BytesIO()
    torch.save({"w": torch.arange(4.0)}, buffer, **LEGACY)
    data = buffer.getvalue().replace(b"K\x04N", b"J\x00\x00\x00\x40N")  # numel 4 -> 2**30
    with pytest.raises(pickle.UnpicklingError, match="more bytes than the file holds"):
        glasstorch.load(io.BytesIO(data))


def test_save_refuses_the_legacy_format():
    with pytest.raises(NotImplementedError, match="zip format"):
        glasstorch.save({}, io.BytesIO(), _use_new_zipfile_serialization=False)


def test_crafted_opcodes_are_refused(tmp_path):
    # a BUILD on a dict (setting attributes), a NEWOBJ of an allowed function, a REDUCE on a non-global
    for data in (b"\x80\x02}q\x00}q\x01X\x01\x00\x00\x00aK\x01sb.",  # {}.__setstate__ / BUILD on a dict
                 b"\x80\x02ccollections\nOrderedDict\n)\x81.",  # NEWOBJ of OrderedDict (not allowed)
                 b"\x80\x02X\x01\x00\x00\x00a)R.",  # REDUCE on a string
                 b"\x80\x02K\x01Q.",  # a persistent id that is not a storage
                 b"\x80\x02\x95\x00\x00\x00\x00\x00\x00\x00\x00.",  # FRAME (protocol 4): not supported
                 ):
        with pytest.raises(pickle.UnpicklingError):
            glasstorch.load(zip_with_pickle(data))
    for data in (b"\x80\x02t.", b"\x80\x02}]K\x01s.", b"\x80\x02h\x05.", b"\x80\x02X\xff\x00\x00\x00ab."):
        # an empty stack, an unhashable key, a missing memo entry, a string cut short: clear errors
        with pytest.raises((RuntimeError, pickle.UnpicklingError)):
            glasstorch.load(zip_with_pickle(data))


def test_weights_only_false_is_refused_with_an_explanation(tmp_path):
    glasstorch.save({"w": glasstorch.ones(2)}, tmp_path / "m.pt")
    with pytest.raises(pickle.UnpicklingError, match="weights_only=False.*runs code"):
        glasstorch.load(tmp_path / "m.pt", weights_only=False)
    assert glasstorch.load(tmp_path / "m.pt", weights_only=True)["w"].tolist() == [1.0, 1.0]


def test_no_pickle_loader_is_ever_called(tmp_path, monkeypatch):
    torch.save({"w": torch.ones(2)}, tmp_path / "zip.pt")
    torch.save({"w": torch.ones(2)}, tmp_path / "legacy.pt", **LEGACY)

    def no_unpickling(*args, **kwargs):
        raise AssertionError("glasstorch.load unpickled something")

    for name in ("load", "loads", "Unpickler", "_Unpickler"):
        monkeypatch.setattr(pickle, name, no_unpickling)
    assert glasstorch.load(tmp_path / "zip.pt")["w"].tolist() == [1.0, 1.0]
    assert glasstorch.load(tmp_path / "legacy.pt")["w"].tolist() == [1.0, 1.0]


# -- mmap, map_location, files and paths --------------------------------------------------------------------------
def test_mmap_maps_the_storage_records_copy_on_write(tmp_path):
    path = tmp_path / "big.pt"
    want = {"a": torch.arange(100_000, dtype=torch.float32), "b": torch.ones(3, dtype=torch.int64)}
    torch.save(want, path)
    got = glasstorch.load(path, mmap=True)
    for key in want:
        assert_matches(got[key], want[key])
        assert isinstance(_root(got[key].numpy()), mmap.mmap)  # mapped, not read
    before = path.read_bytes()
    got["a"][0] = 5.0  # copy-on-write: the file stays as it was
    assert path.read_bytes() == before and float(got["a"][0]) == 5.0
    glasstorch.save({"g": glasstorch.arange(10.0), "v": glasstorch.arange(10.0)[::2]}, tmp_path / "g.pt")
    mine = glasstorch.load(tmp_path / "g.pt", mmap=True)
    assert mine["v"].tolist() == [0.0, 2.0, 4.0, 6.0, 8.0] and isinstance(_root(mine["g"].numpy()), mmap.mmap)
    with zipfile.ZipFile(tmp_path / "g.pt") as archive:  # storage records start at multiples of 64 bytes
        info = archive.getinfo("archive/data/0")
        local = (tmp_path / "g.pt").read_bytes()[info.header_offset:info.header_offset + 30]
        start = (info.header_offset + 30 + int.from_bytes(local[26:28], "little")
                 + int.from_bytes(local[28:30], "little"))
        assert start % 64 == 0
    with pytest.raises(ValueError, match="file path"):
        glasstorch.load(io.BytesIO(path.read_bytes()), mmap=True)
    torch.save(want, tmp_path / "legacy.pt", **LEGACY)
    with pytest.raises(RuntimeError, match="mmap"):
        glasstorch.load(tmp_path / "legacy.pt", mmap=True)
    # torch maps glasstorch's file too
    mapped = torch.load(tmp_path / "g.pt", mmap=True, weights_only=True)
    assert mapped["v"].tolist() == [0.0, 2.0, 4.0, 6.0, 8.0]
    # a mapped tensor saved again: its storage is its record (not the file's bytes around it), still shared
    again = glasstorch_to_torch({"a": got["a"], "view": got["a"][2:5]})
    assert again["view"].untyped_storage().nbytes() == 400_000 and same_storage_t(again["a"], again["view"])
    assert again["view"].tolist() == [2.0, 3.0, 4.0] and float(again["a"][0]) == 5.0


def saved_on(location):
    """A torch file whose storage claims to be on ``location`` (as saved from a GPU)."""
    buffer = io.BytesIO()
    torch.save({"w": torch.arange(3.0)}, buffer)
    old = b"X\x03\x00\x00\x00cpu"
    new = b"X" + len(location).to_bytes(4, "little") + location.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data.replace(old, new) if info.filename.endswith("data.pkl") else data)
    return out.getvalue()


def test_map_location_forms():
    cpu_file = saved_on("cpu")
    for where in (None, "cpu", glasstorch.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage,
                  lambda storage, loc: storage.cpu()):
        assert glasstorch.load(io.BytesIO(cpu_file), map_location=where)["w"].tolist() == [0.0, 1.0, 2.0]
    gpu_file = saved_on("cuda:0")
    with pytest.raises(RuntimeError, match="CUDA device.*map_location='cpu'"):
        glasstorch.load(io.BytesIO(gpu_file))
    for where in ("cpu", glasstorch.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage):
        assert glasstorch.load(io.BytesIO(gpu_file), map_location=where)["w"].tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(AssertionError, match="CUDA"):
        glasstorch.load(io.BytesIO(gpu_file), map_location={"cuda:0": "cuda:1"})
    with pytest.raises(AssertionError, match="CUDA"):
        glasstorch.load(io.BytesIO(cpu_file), map_location="cuda")


def test_paths_and_file_objects(tmp_path):
    want = {"w": torch.arange(4.0)}
    torch.save(want, tmp_path / "p.pt")
    torch.save(want, str(tmp_path / "s.pt"))
    with open(tmp_path / "p.pt", "rb") as f:
        assert glasstorch.load(f)["w"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert glasstorch.load(str(tmp_path / "s.pt"))["w"].tolist() == [0.0, 1.0, 2.0, 3.0]
    with open(tmp_path / "g.pt", "wb") as f:
        glasstorch.save({"w": glasstorch.arange(4.0)}, f)
    with open(tmp_path / "g.pt", "rb") as f:
        assert torch.load(f, weights_only=True)["w"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_glasstorch_earlier_format_still_loads(tmp_path):
    obj = {"w": glasstorch.arange(6.0).reshape(2, 3), 1: (2, None)}
    with open(tmp_path / "old.pt", "wb") as f:
        serialization._write_archive(obj, f, "old.pt")
    with zipfile.ZipFile(tmp_path / "old.pt") as archive:
        assert "data.json" in archive.namelist()
    got = glasstorch.load(tmp_path / "old.pt")
    assert got["w"].tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and got[1] == (2, None)


def test_big_endian_files_load():
    """A zip file whose byteorder record says big (as written on a big-endian machine)."""
    buffer = io.BytesIO()
    torch.save({"f": torch.arange(3.0), "i": torch.arange(3, dtype=torch.int16)}, buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("byteorder"):
                data = b"big"
            elif info.filename.endswith("data/0"):
                data = np.arange(3, dtype=">f4").tobytes()
            elif info.filename.endswith("data/1"):
                data = np.arange(3, dtype=">i2").tobytes()
            dst.writestr(info, data)
    out.seek(0)
    got = glasstorch.load(out)
    assert got["f"].tolist() == [0.0, 1.0, 2.0] and got["i"].tolist() == [0, 1, 2]


def test_truncated_and_corrupted_torch_files_raise_clear_errors(tmp_path):
    buffer = io.BytesIO()
    torch.save({"w": torch.arange(100.0)}, buffer)
    data = buffer.getvalue()
    path = tmp_path / "bad.pt"
    for cut in (1, 10, len(data) // 2, len(data) - 10):
        path.write_bytes(data[:cut])
        with pytest.raises(RuntimeError, match="not a valid checkpoint"):
            glasstorch.load(path)
    start = data.index(np.arange(100.0, dtype="<f4").tobytes())
    path.write_bytes(data[:start + 50] + bytes([data[start + 50] ^ 0xFF]) + data[start + 51:])
    with pytest.raises(RuntimeError, match="CRC"):
        glasstorch.load(path)
    legacy = io.BytesIO()
    torch.save({"w": torch.arange(100.0)}, legacy, **LEGACY)
    for cut in (5, len(legacy.getvalue()) - 10):
        path.write_bytes(legacy.getvalue()[:cut])
        with pytest.raises((RuntimeError, pickle.UnpicklingError)):
            glasstorch.load(path)


def test_any_archive_folder_name_loads():
    """torchvision's .pth files name the folder after the file (resnet18-f37072fd/data.pkl)."""
    buffer = io.BytesIO()
    torch.save({"w": torch.arange(3.0)}, buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename.replace("archive/", "resnet18-f37072fd/", 1), src.read(info))
    out.seek(0)
    assert glasstorch.load(out)["w"].tolist() == [0.0, 1.0, 2.0]
