"""Round 3 of glasstorch.vision.datasets: FakeData, CIFAR100 (restricted unpickler), SVHN (.mat through scipy),
EMNIST and QMNIST (tiny IDX files written here), DatasetFolder's options. No network: urlopen is replaced."""
import gzip
import os
import pickle
import urllib.error
import urllib.request

import numpy as np
import pytest
import scipy.io
from PIL import Image

import glasstorch
from glasstorch.vision import datasets, transforms
from glasstorch.vision.datasets import DatasetFileError


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise urllib.error.URLError("network disabled in tests")
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def idx_bytes(array):
    """The IDX encoding of a uint8 or int32 array (big-endian)."""
    code = {np.dtype(np.uint8): 0x08, np.dtype(np.int32): 0x0C}[array.dtype]
    header = bytes([0, 0, code, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


# -- FakeData ---------------------------------------------------------------------------------------------------
def test_fakedata_is_deterministic_per_index_and_keeps_the_global_stream():
    data = datasets.FakeData(size=6, image_size=(3, 8, 10), num_classes=4)
    assert len(data) == 6
    glasstorch.manual_seed(123)
    expected_next = glasstorch.rand(3)
    glasstorch.manual_seed(123)
    img, label = data[2]
    np.testing.assert_array_equal(glasstorch.rand(3).numpy(), expected_next.numpy())  # stream untouched
    assert isinstance(img, Image.Image) and img.size == (10, 8) and img.mode == "RGB"
    assert isinstance(label, int) and 0 <= label < 4
    again_img, again_label = data[2]
    assert np.array_equal(np.asarray(img), np.asarray(again_img)) and again_label == label
    # image i comes from seed i + random_offset: randn(*image_size), then the label
    glasstorch.manual_seed(2 + 0)
    raw = glasstorch.randn(3, 8, 10)
    assert int(glasstorch.randint(0, 4, (1,))[0]) == label
    np.testing.assert_array_equal(np.asarray(img), np.asarray(transforms.functional.to_pil_image(raw)))
    shifted = datasets.FakeData(size=6, image_size=(3, 8, 10), num_classes=4, random_offset=1)
    assert np.array_equal(np.asarray(shifted[1][0]), np.asarray(img))
    with pytest.raises(IndexError, match="index out of range"):
        data[6]
    x, y = datasets.FakeData(2, (1, 4, 4), transform=transforms.ToTensor(), target_transform=lambda t: t + 100)[0]
    assert x.shape == (1, 4, 4) and y >= 100


# -- CIFAR100 ---------------------------------------------------------------------------------------------------
def write_cifar100(root, n_train=5, n_test=3, protocol=2):
    folder = root / "cifar-100-python"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    arrays = {}
    for name, n in (("train", n_train), ("test", n_test)):
        data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
        entry = {"data": data, "fine_labels": list(range(n)), "coarse_labels": [0] * n, "filenames": ["a.png"] * n}
        with open(folder / name, "wb") as f:
            pickle.dump(entry, f, protocol=protocol)
        arrays[name] = data
    meta = {"fine_label_names": [f"class{i}" for i in range(100)], "coarse_label_names": ["c"] * 20}
    with open(folder / "meta", "wb") as f:
        pickle.dump(meta, f, protocol=protocol)
    return arrays


@pytest.mark.parametrize("protocol", [2, 4])
def test_cifar100_reads_the_python_version(tmp_path, protocol):
    arrays = write_cifar100(tmp_path, protocol=protocol)
    train = datasets.CIFAR100(tmp_path, train=True)
    assert len(train) == 5 and train.data.shape == (5, 32, 32, 3) and train.data.dtype == np.uint8
    np.testing.assert_array_equal(train.data, arrays["train"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    assert train.targets == [0, 1, 2, 3, 4]
    assert train.classes[:2] == ["class0", "class1"] and train.class_to_idx["class7"] == 7
    img, label = train[3]
    assert img.mode == "RGB" and img.size == (32, 32) and label == 3
    assert np.array_equal(np.asarray(img), train.data[3])
    test = datasets.CIFAR100(tmp_path, train=False, transform=transforms.ToTensor())
    assert len(test) == 3 and test[0][0].shape == (3, 32, 32)
    assert "Split: Test" in repr(test)


def test_cifar100_refuses_code_in_a_pickle(tmp_path):
    write_cifar100(tmp_path)

    class Exploit:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + str(tmp_path / "pwned"),))
    with open(tmp_path / "cifar-100-python" / "train", "wb") as f:
        pickle.dump({"data": Exploit(), "fine_labels": []}, f)
    with pytest.raises(pickle.UnpicklingError, match="refused to load the global"):
        datasets.CIFAR100(tmp_path, train=True)
    assert not (tmp_path / "pwned").exists()


def test_cifar100_missing_files(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.CIFAR100(tmp_path)
    with pytest.raises(RuntimeError):
        datasets.CIFAR100(tmp_path, download=True)  # the network is refused


# -- SVHN ---------------------------------------------------------------------------------------------------------
def test_svhn_from_a_mat_file(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, size=(32, 32, 3, 4), dtype=np.uint8)
    y = np.array([[10], [1], [2], [10]], dtype=np.uint8)
    scipy.io.savemat(tmp_path / "test_32x32.mat", {"X": x, "y": y})
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):  # MD5 is not the real file's
        datasets.SVHN(tmp_path, split="test")
    from glasstorch.vision.datasets.utils import calculate_md5
    split_list = dict(datasets.SVHN.split_list)
    split_list["test"] = [split_list["test"][0], "test_32x32.mat", calculate_md5(str(tmp_path / "test_32x32.mat"))]
    monkeypatch.setattr(datasets.SVHN, "split_list", split_list)
    data = datasets.SVHN(tmp_path, split="test")
    assert data.data.shape == (4, 3, 32, 32) and list(data.labels) == [0, 1, 2, 0]
    img, label = data[1]
    assert label == 1 and img.mode == "RGB" and np.array_equal(np.asarray(img), x[:, :, :, 1])
    assert "Split: test" in repr(data)
    with pytest.raises(ValueError, match="Unknown value 'valid' for argument split"):
        datasets.SVHN(tmp_path, split="valid")


# -- EMNIST and QMNIST -------------------------------------------------------------------------------------------
def test_emnist_split_files(tmp_path):
    raw = tmp_path / "EMNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.arange(3 * 28 * 28, dtype=np.int64).reshape(3, 28, 28).astype(np.uint8)
    labels = np.array([1, 26, 5], dtype=np.uint8)
    (raw / "emnist-letters-train-images-idx3-ubyte").write_bytes(idx_bytes(images))
    (raw / "emnist-letters-train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    data = datasets.EMNIST(tmp_path, split="letters")
    assert len(data) == 3 and data.classes[0] == "N/A" and data.classes[26] == "z"
    img, label = data[1]
    assert label == 26 and np.array_equal(np.asarray(img), images[1])
    assert datasets.EMNIST.classes_split_dict["balanced"][:12] == list("0123456789AB")
    assert len(datasets.EMNIST.classes_split_dict["byclass"]) == 62
    assert len(datasets.EMNIST.classes_split_dict["bymerge"]) == 47
    with pytest.raises(RuntimeError, match="emnist-letters-test-images-idx3-ubyte"):
        datasets.EMNIST(tmp_path, split="letters", train=False)
    with pytest.raises(ValueError, match="Unknown value 'bogus' for argument split"):
        datasets.EMNIST(tmp_path, split="bogus")
    (raw / "emnist-letters-train-images-idx3-ubyte").write_bytes(idx_bytes(images)[:-5])
    with pytest.raises(DatasetFileError, match="truncated"):
        datasets.EMNIST(tmp_path, split="letters")


def test_qmnist_subsets_and_compat(tmp_path):
    raw = tmp_path / "QMNIST" / "raw"
    raw.mkdir(parents=True)
    n = 10003
    images = (np.arange(n * 4, dtype=np.int64) % 251).astype(np.uint8).reshape(n, 2, 2)
    images = np.repeat(np.repeat(images, 14, axis=1), 14, axis=2)
    labels = np.stack([np.arange(n) % 10] + [np.full(n, k) for k in range(1, 8)], axis=1).astype(np.int32)
    (raw / "qmnist-test-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images)))
    (raw / "qmnist-test-labels-idx2-int.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    test = datasets.QMNIST(tmp_path, train=False)
    assert len(test) == n and test.targets.shape == (n, 8) and test.targets.dtype == glasstorch.int64
    img, label = test[13]
    assert label == 3 and isinstance(label, int) and np.array_equal(np.asarray(img), images[13])
    assert len(datasets.QMNIST(tmp_path, what="test10k")) == 10000
    fifty = datasets.QMNIST(tmp_path, what="test50k", compat=False)
    assert len(fifty) == 3
    row = fifty[0][1]
    assert row.tolist() == [0, 1, 2, 3, 4, 5, 6, 7]  # sample 10000: class 10000 % 10 = 0
    with pytest.raises(RuntimeError, match="qmnist-train-images-idx3-ubyte"):
        datasets.QMNIST(tmp_path, what="train")
    with pytest.raises(ValueError, match="for argument what"):
        datasets.QMNIST(tmp_path, what="val")


# -- DatasetFolder ------------------------------------------------------------------------------------------------
def test_dataset_folder_loader_extensions_valid_file_allow_empty(tmp_path):
    for cls, files in (("a", ["1.npy", "2.npy", "skip.txt"]), ("b", ["3.npy"]), ("c", [])):
        (tmp_path / cls).mkdir()
        for name in files:
            (tmp_path / cls / name).write_bytes(b"x")
    folder = datasets.DatasetFolder(tmp_path, loader=lambda p: os.path.basename(p), extensions=(".npy",),
                                    allow_empty=True)
    assert folder.classes == ["a", "b", "c"] and len(folder) == 3
    assert folder[2] == ("3.npy", 1)
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes c"):
        datasets.DatasetFolder(tmp_path, loader=str, extensions=(".npy",))
    only_txt = datasets.DatasetFolder(tmp_path, loader=str, is_valid_file=lambda p: p.endswith(".txt"),
                                      allow_empty=True)
    assert [t for _, t in only_txt.samples] == [0]
    with pytest.raises(ValueError, match="cannot be None or not None at the same time"):
        datasets.DatasetFolder(tmp_path, loader=str, extensions=(".npy",), is_valid_file=lambda p: True)
