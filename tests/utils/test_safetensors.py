"""glasstorch.utils.safetensors against the safetensors package's PyTorch API with real torch tensors."""
import numpy as np
import pytest
import safetensors
import safetensors.torch as st
import torch

import glasstorch as gt
from glasstorch.utils import safetensors as gs

DTYPES = ["float16", "bfloat16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64",
          "uint16", "uint32", "uint64", "bool"]


def _torch_tensor(name, shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    dt = getattr(torch, name)
    if dt.is_floating_point:
        return (torch.randn(shape, generator=g, dtype=torch.float64) * 100).to(dt)
    if dt == torch.bool:
        return torch.randint(0, 2, shape, generator=g).bool()
    info = torch.iinfo(dt)
    lo, hi = max(info.min, -2**62), min(info.max, 2**62)
    return torch.randint(lo, hi, shape, generator=g, dtype=torch.int64).to(dt)


def _as_numpy(t):
    if t.dtype == torch.bfloat16:  # torch's numpy() refuses bfloat16: compare the bit patterns
        return t.view(torch.int16).numpy()
    return t.numpy()


def _gt_numpy(t):
    a = t.numpy()
    return a.view(np.int16) if t.dtype == gt.bfloat16 else a


SHAPES = [(3, 4), (), (0, 3), (2, 1, 5)]


@pytest.mark.parametrize("name", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_torch_file_loads_in_glasstorch(tmp_path, name, shape):
    t = _torch_tensor(name, shape)
    st.save_file({"x": t}, tmp_path / "a.safetensors")
    for loaded in (gs.load_file(tmp_path / "a.safetensors")["x"],
                   gs.load((tmp_path / "a.safetensors").read_bytes())["x"]):
        assert isinstance(loaded, gt.Tensor)
        assert str(loaded.dtype) == str(t.dtype)
        assert tuple(loaded.shape) == tuple(t.shape)
        np.testing.assert_array_equal(_gt_numpy(loaded), _as_numpy(t))


@pytest.mark.parametrize("name", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_glasstorch_file_loads_in_torch(tmp_path, name, shape):
    t = _torch_tensor(name, shape, seed=1)
    ours = gs.load(st.save({"x": t}))["x"]  # the same values as a glasstorch tensor
    gs.save_file({"x": ours}, tmp_path / "b.safetensors")
    back = st.load_file(tmp_path / "b.safetensors")["x"]
    assert back.dtype == t.dtype and back.shape == t.shape
    assert torch.equal(back, t)
    back = st.load(gs.save({"x": ours}))["x"]
    assert back.dtype == t.dtype and torch.equal(back, t)


def test_many_tensors_and_metadata_both_ways(tmp_path):
    tensors = {f"t{i}.{name}": _torch_tensor(name, (i + 1, 2), seed=i) for i, name in enumerate(DTYPES)}
    st.save_file(tensors, tmp_path / "m.safetensors", metadata={"format": "pt", "epoch": "3"})
    ours = gs.load_file(tmp_path / "m.safetensors")
    assert set(ours) == set(tensors)
    with gs.safe_open(tmp_path / "m.safetensors", framework="pt") as f:
        assert f.metadata() == {"format": "pt", "epoch": "3"}
        assert sorted(f.keys()) == sorted(tensors)
    gs.save_file(ours, tmp_path / "m2.safetensors", metadata={"from": "glasstorch"})
    back = st.load_file(tmp_path / "m2.safetensors")
    for k, v in tensors.items():
        assert torch.equal(back[k], v)
    with safetensors.safe_open(str(tmp_path / "m2.safetensors"), framework="pt") as f:
        assert f.metadata() == {"from": "glasstorch"}


def test_safe_open_get_slice(tmp_path):
    t = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    st.save_file({"w": t, "b": torch.ones(3, dtype=torch.bfloat16)}, tmp_path / "s.safetensors")
    with gs.safe_open(tmp_path / "s.safetensors", framework="pt", device="cpu") as f:
        sl = f.get_slice("w")
        assert sl.get_shape() == [4, 6] and sl.get_dtype() == "F32"
        part = sl[1:3, ::2]
        assert isinstance(part, gt.Tensor)
        np.testing.assert_array_equal(part.numpy(), t[1:3, ::2].numpy())
        np.testing.assert_array_equal(sl[2].numpy(), t[2].numpy())
        b = f.get_tensor("b")
        assert b.dtype == gt.bfloat16 and b.tolist() == [1.0, 1.0, 1.0]
    with gs.safe_open(tmp_path / "s.safetensors", framework="np") as f:
        assert isinstance(f.get_tensor("w"), np.ndarray)


def test_loaded_tensors_are_writable_and_independent(tmp_path):
    st.save_file({"x": torch.zeros(3)}, tmp_path / "w.safetensors")
    for x in (gs.load_file(tmp_path / "w.safetensors")["x"], gs.load((tmp_path / "w.safetensors").read_bytes())["x"]):
        x.add_(1)
        assert x.tolist() == [1.0, 1.0, 1.0]
    assert gs.load_file(tmp_path / "w.safetensors")["x"].tolist() == [0.0, 0.0, 0.0]


def test_float8_file_is_refused_naming_the_dtype(tmp_path):
    st.save_file({"q": torch.zeros(2, dtype=torch.float8_e4m3fn)}, tmp_path / "f8.safetensors")
    with pytest.raises(TypeError, match="F8_E4M3"):
        gs.load_file(tmp_path / "f8.safetensors")
    with pytest.raises(TypeError, match="F8_E4M3"):
        gs.load((tmp_path / "f8.safetensors").read_bytes())
    with gs.safe_open(tmp_path / "f8.safetensors", framework="pt") as f, pytest.raises(TypeError, match="'q'"):
        f.get_slice("q")[:1]


def test_save_errors_as_safetensors_torch():
    x = gt.randn(4, 4)
    with pytest.raises(ValueError, match="non contiguous tensor: `y`"):
        gs.save({"y": x.t()})
    with pytest.raises(RuntimeError, match="share memory"):
        gs.save({"x": x, "y": x[1:]})
    with pytest.raises(ValueError, match="expected torch.Tensor"):
        gs.save({"x": np.zeros(2)})
    with pytest.raises(ValueError, match="Expected a dict"):
        gs.save([x])
    gs.save({"top": x[:2], "bottom": x[2:]})  # disjoint parts of one storage are fine, as in safetensors
    st.save({"top": torch.ones(4, 4)[:2], "bottom": torch.ones(4, 4)[2:]})


def test_requires_grad_tensors_save(tmp_path):
    w = gt.randn(3, requires_grad=True)
    gs.save_file({"w": w}, tmp_path / "g.safetensors")
    np.testing.assert_array_equal(st.load_file(tmp_path / "g.safetensors")["w"].numpy(), w.detach().numpy())


def test_cuda_device_refused_as_cpu_only_torch(tmp_path):
    gs.save_file({"x": gt.ones(1)}, tmp_path / "c.safetensors")
    with pytest.raises(AssertionError):
        gs.load_file(tmp_path / "c.safetensors", device="cuda")


class _Net:
    @staticmethod
    def make(torch_mod):
        nn = torch_mod.nn
        return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 5))


def test_state_dict_round_trip_torch_to_glasstorch_to_torch(tmp_path):
    torch.manual_seed(0)
    tm = _Net.make(torch)
    tm.train()
    tm(torch.randn(2, 3, 8, 8))  # move the batch-norm statistics and num_batches_tracked
    st.save_file(tm.state_dict(), tmp_path / "torch.safetensors")

    gm = _Net.make(gt)
    result = gm.load_state_dict(gs.load_file(tmp_path / "torch.safetensors"))
    assert not result.missing_keys and not result.unexpected_keys
    for k, v in tm.state_dict().items():
        ours = gm.state_dict()[k]
        assert str(ours.dtype) == str(v.dtype)
        np.testing.assert_array_equal(ours.numpy(), v.numpy())
    tm.eval()
    gm.eval()
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(gm(gt.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-5)

    gs.save_file(gm.state_dict(), tmp_path / "ours.safetensors")
    tm2 = _Net.make(torch)
    tm2.load_state_dict(st.load_file(tmp_path / "ours.safetensors"))
    for k, v in tm.state_dict().items():
        assert torch.equal(tm2.state_dict()[k], v)


def test_save_model_load_model_tied_weights(tmp_path):
    emb = gt.nn.Embedding(7, 4)
    head = gt.nn.Linear(4, 7, bias=False)
    head.weight = emb.weight  # tied
    model = gt.nn.Sequential(emb, head)
    with pytest.raises(RuntimeError, match="share memory"):
        gs.save_file(model.state_dict(), tmp_path / "tied.safetensors")
    gs.save_model(model, tmp_path / "tied.safetensors")
    with gs.safe_open(tmp_path / "tied.safetensors", framework="pt") as f:
        assert list(f.keys()) == ["0.weight"] and f.metadata() == {"1.weight": "0.weight"}
    fresh = gt.nn.Sequential(gt.nn.Embedding(7, 4), gt.nn.Linear(4, 7, bias=False))
    fresh[1].weight = fresh[0].weight
    missing, unexpected = gs.load_model(fresh, tmp_path / "tied.safetensors")
    assert not missing and not unexpected
    np.testing.assert_array_equal(fresh[1].weight.detach().numpy(), emb.weight.detach().numpy())
    # and real torch reads it the same way
    tm = torch.nn.Sequential(torch.nn.Embedding(7, 4), torch.nn.Linear(4, 7, bias=False))
    tm[1].weight = tm[0].weight
    st.load_model(tm, tmp_path / "tied.safetensors")
    np.testing.assert_array_equal(tm[1].weight.detach().numpy(), emb.weight.detach().numpy())


@pytest.mark.parametrize("backend", ["mmap", "pread"])
def test_backends(tmp_path, backend):
    t = _torch_tensor("float32", (5, 2))
    st.save_file({"x": t}, tmp_path / "p.safetensors")
    np.testing.assert_array_equal(gs.load_file(tmp_path / "p.safetensors", backend=backend)["x"].numpy(), t.numpy())
