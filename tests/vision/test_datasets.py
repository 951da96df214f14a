"""glasstorch.vision.datasets: real MNIST (from shared/data), Debian's Fashion-MNIST, synthetic CIFAR-10 binary
files and ImageFolder trees. The network is never touched: every test that could reach it replaces
``urllib.request.urlopen``."""
import gzip
import hashlib
import io
import os
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import glasstorch
from glasstorch.utils.data import TensorDataset
from glasstorch.vision import datasets, transforms
from glasstorch.vision.datasets import DatasetFileError
from glasstorch.vision.datasets.mnist import read_idx_file

MNIST_DIR = Path(__file__).parents[2] / ".." / "shared" / "data" / "mnist"
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian's dataset-fashion-mnist
MNIST_FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
               "t10k-labels-idx1-ubyte.gz"]

needs_mnist = pytest.mark.skipif(
    not all((MNIST_DIR / f).is_file() for f in MNIST_FILES),
    reason=f"MNIST files not found in {MNIST_DIR} (the shared data folder beside the repo)")
needs_fashion = pytest.mark.skipif(not (FASHION_DIR / "t10k-images-idx3-ubyte.gz").is_file(),
                                   reason="Debian's dataset-fashion-mnist is not installed "
                                          "(apt-get install dataset-fashion-mnist)")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any attempt to open a URL fails at once (and is recorded)."""
    calls = []

    def refuse(request, *args, **kwargs):
        calls.append(request.full_url if hasattr(request, "full_url") else request)
        raise urllib.error.URLError("network disabled in tests")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return calls


@pytest.fixture(scope="module")
def mnist_train():
    if not (MNIST_DIR / MNIST_FILES[0]).is_file():
        pytest.skip(f"MNIST files not found in {MNIST_DIR}")
    return datasets.MNIST(MNIST_DIR, train=True)


@pytest.fixture(scope="module")
def mnist_test():
    if not (MNIST_DIR / MNIST_FILES[2]).is_file():
        pytest.skip(f"MNIST files not found in {MNIST_DIR}")
    return datasets.MNIST(MNIST_DIR, train=False)


def raw_root(tmp_path, name="MNIST", files=MNIST_FILES[2:]):
    """A torchvision-style root: tmp/<name>/raw/ with symlinks to the shared files."""
    raw = tmp_path / name / "raw"
    raw.mkdir(parents=True)
    for f in files:
        (raw / f).symlink_to((MNIST_DIR / f).resolve())
    return tmp_path, raw


def idx_bytes(array, type_code):
    """An IDX file: 0, 0, type, ndim, big-endian dims, big-endian values."""
    header = bytes([0, 0, type_code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


# -- real MNIST ----------------------------------------------------------------------------------------------------
@needs_mnist
def test_mnist_sizes_labels_and_pixels(mnist_train, mnist_test):
    assert len(mnist_train) == 60000 and len(mnist_test) == 10000
    assert mnist_train.data.shape == (60000, 28, 28) and mnist_train.data.dtype == glasstorch.uint8
    assert mnist_train.targets.shape == (60000,) and mnist_train.targets.dtype == glasstorch.int64
    assert mnist_train.targets[:5].tolist() == [5, 0, 4, 1, 9]
    assert mnist_train.targets[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert mnist_test.targets[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    # label histograms and pixel sums (the shared folder's README has the histograms)
    assert np.bincount(mnist_train.targets.numpy()).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265,
                                                                 5851, 5949]
    assert np.bincount(mnist_test.targets.numpy()).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert int(mnist_train.data.numpy().sum(dtype=np.int64)) == 1567298545
    assert int(mnist_test.data.numpy().sum(dtype=np.int64)) == 264923200
    assert hashlib.md5(mnist_test.data.numpy().tobytes()).hexdigest() == \
        hashlib.md5(gzip.open(MNIST_DIR / "t10k-images-idx3-ubyte.gz").read()[16:]).hexdigest()


@needs_mnist
def test_mnist_attributes_and_repr(mnist_train, mnist_test):
    assert mnist_train.classes[0] == "0 - zero" and mnist_train.classes[9] == "9 - nine"
    assert mnist_train.class_to_idx["5 - five"] == 5
    assert repr(mnist_test) == ("Dataset MNIST\n    Number of datapoints: 10000\n"
                                f"    Root location: {MNIST_DIR}\n    Split: Test")


@needs_mnist
def test_mnist_getitem_is_pil_then_transformed(mnist_test):
    img, target = mnist_test[0]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    assert isinstance(target, int) and target == 7
    assert np.array_equal(np.asarray(img), mnist_test.data.numpy()[0])

    ds = datasets.MNIST(MNIST_DIR, train=False, transform=transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]), target_transform=lambda t: t + 100)
    x, y = ds[3]
    assert y == 100 + 0
    assert x.shape == (1, 28, 28) and x.dtype == glasstorch.float32
    # the documented tensors: (pixel / 255 - 0.1307) / 0.3081, the same as PyTorch's ops give
    pixels = torch.from_numpy(mnist_test.data.numpy()[3].copy())
    expected = pixels.to(torch.float32).div(255).sub(0.1307).div(0.3081).unsqueeze(0)
    np.testing.assert_array_equal(x.numpy(), expected.numpy())
    assert float(x.min()) == pytest.approx(-0.1307 / 0.3081, rel=1e-6)
    assert "Transform: Compose(" in repr(ds) and "Target transform: " in repr(ds)


@needs_mnist
def test_mnist_as_tensors_fast_path(mnist_train, mnist_test):
    images, labels = mnist_test.as_tensors()
    assert images.shape == (10000, 1, 28, 28) and images.dtype == glasstorch.float32
    assert labels.dtype == glasstorch.int64 and labels.tolist() == mnist_test.targets.tolist()
    to_tensor = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    for i in (0, 17, 9999):
        np.testing.assert_array_equal(images[i].numpy(), to_tensor(mnist_test[i][0]).numpy())
    scaled, _ = mnist_test.as_tensors(normalize=False)
    assert float(scaled.max()) == 1.0 and float(scaled.min()) == 0.0
    np.testing.assert_array_equal(scaled[5].numpy(), transforms.ToTensor()(mnist_test[5][0]).numpy())
    # the stated mean and std are the training set's
    counts = np.bincount(mnist_train.data.numpy().ravel(), minlength=256)  # how often each pixel value occurs
    values = np.arange(256) / 255
    mean = (counts * values).sum() / counts.sum()
    std = np.sqrt((counts * (values - mean) ** 2).sum() / counts.sum())
    assert mean == pytest.approx(0.1307, abs=1e-4) and std == pytest.approx(0.3081, abs=1e-4)
    loader_data = TensorDataset(images, labels)
    assert len(loader_data) == 10000 and loader_data[0][1].item() == 7


@needs_mnist
def test_mnist_torchvision_layout_and_uncompressed_files(tmp_path, mnist_test):
    root, raw = raw_root(tmp_path)
    ds = datasets.MNIST(str(root), train=False)
    assert ds.image_file == str(raw / "t10k-images-idx3-ubyte.gz")
    assert np.array_equal(ds.data.numpy(), mnist_test.data.numpy())
    # uncompressed files (what torchvision's download leaves) are preferred and MD5-checked too
    for f in MNIST_FILES[2:]:
        (raw / f[:-3]).write_bytes(gzip.open(MNIST_DIR / f).read())
    ds = datasets.MNIST(root, train=False)
    assert ds.label_file == str(raw / "t10k-labels-idx1-ubyte")
    assert ds.targets.tolist() == mnist_test.targets.tolist()


@needs_mnist
def test_mnist_truncated_gzip_names_the_file(tmp_path):
    root, raw = raw_root(tmp_path, files=["t10k-labels-idx1-ubyte.gz"])
    data = (MNIST_DIR / "t10k-images-idx3-ubyte.gz").read_bytes()
    (raw / "t10k-images-idx3-ubyte.gz").write_bytes(data[:len(data) // 2])
    with pytest.raises(DatasetFileError) as error:
        datasets.MNIST(root, train=False)
    message = str(error.value)
    assert str(raw / "t10k-images-idx3-ubyte.gz") in message
    assert "truncated" in message and "download=True" in message
    assert isinstance(error.value, RuntimeError)


@needs_mnist
def test_mnist_corrupted_byte_names_the_file(tmp_path):
    root, raw = raw_root(tmp_path, files=["t10k-images-idx3-ubyte.gz"])
    labels = bytearray(gzip.open(MNIST_DIR / "t10k-labels-idx1-ubyte.gz").read())
    labels[100] = (labels[100] + 1) % 10  # a valid-looking but wrong label
    (raw / "t10k-labels-idx1-ubyte").write_bytes(bytes(labels))
    with pytest.raises(DatasetFileError, match="t10k-labels-idx1-ubyte: its MD5 checksum") as error:
        datasets.MNIST(root, train=False)
    assert "corrupted" in str(error.value) and "27ae3e4e09519cfbb04c329615203637" in str(error.value)


def test_mnist_offline_message_names_files_and_folder(tmp_path, no_network):
    with pytest.raises(RuntimeError) as error:
        datasets.MNIST(tmp_path, train=True)
    message = str(error.value)
    assert no_network == []  # download=False never touches the network
    assert "Dataset not found" in message
    assert "train-images-idx3-ubyte.gz" in message and "train-labels-idx1-ubyte.gz" in message
    assert str(tmp_path / "MNIST" / "raw") in message
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz" in message

    with pytest.raises(RuntimeError) as error:
        datasets.MNIST(tmp_path, train=True, download=True)
    message = str(error.value)
    assert len(no_network) >= 2  # every mirror was tried, and refused
    assert "network disabled in tests" in message and "train-images-idx3-ubyte.gz" in message
    assert str(tmp_path / "MNIST" / "raw") in message
    assert [p.name for p in (tmp_path / "MNIST" / "raw").iterdir()] == []  # no partial files left


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@needs_mnist
def test_mnist_download_checks_md5_and_falls_back_to_the_next_mirror(tmp_path, monkeypatch):
    served = []

    def urlopen(request, timeout=None):
        url = request.full_url
        served.append(url)
        assert timeout is not None and timeout <= 30
        if "ossci" in url:  # the first mirror answers with damaged bytes
            return FakeResponse(b"not the file")
        return FakeResponse((MNIST_DIR / url.rsplit("/", 1)[1]).read_bytes())

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    ds = datasets.MNIST(tmp_path, train=False, download=True)
    assert len(ds) == 10000 and ds.targets[:3].tolist() == [7, 2, 1]
    raw = tmp_path / "MNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(MNIST_FILES)
    assert any("ossci" in u for u in served) and any("lecun" in u for u in served)
    # once there, nothing is downloaded again
    served.clear()
    datasets.MNIST(tmp_path, train=True, download=True)
    assert served == []


def test_read_idx_parses_big_endian_types(tmp_path):
    values = np.arange(-6, 6, dtype=np.int16).reshape(3, 4)
    (tmp_path / "a-idx2-short").write_bytes(idx_bytes(values, 0x0B))
    np.testing.assert_array_equal(read_idx_file(tmp_path / "a-idx2-short"), values)
    floats = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    with gzip.open(tmp_path / "b.gz", "wb") as f:
        f.write(idx_bytes(floats, 0x0D))
    got = read_idx_file(str(tmp_path / "b.gz"))
    assert got.dtype == np.float32 and np.array_equal(got, floats)
    (tmp_path / "bad").write_bytes(idx_bytes(values, 0x0B)[:-3])
    with pytest.raises(DatasetFileError, match="bad holds"):
        read_idx_file(tmp_path / "bad")


def test_kmnist_synthetic_uncompressed_files_and_messages(tmp_path):
    with pytest.raises(RuntimeError, match="codh.rois.ac.jp/kmnist"):
        datasets.KMNIST(tmp_path, train=False)
    raw = tmp_path / "KMNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.arange(5 * 28 * 28, dtype=np.int64).reshape(5, 28, 28).astype(np.uint8)
    (raw / "t10k-images-idx3-ubyte").write_bytes(idx_bytes(images, 0x08))
    (raw / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(np.array([0, 1, 2, 3, 9], np.uint8), 0x08))
    ds = datasets.KMNIST(tmp_path, train=False)  # no MD5 known for unpacked KMNIST: checked by header and size
    assert len(ds) == 5 and ds.targets.tolist() == [0, 1, 2, 3, 9] and ds.classes[9] == "wo"
    np.testing.assert_array_equal(np.asarray(ds[1][0]), images[1])
    # a .gz that is not the original is refused (only the .gz MD5 is known)
    (raw / "t10k-labels-idx1-ubyte").unlink()
    with gzip.open(raw / "t10k-labels-idx1-ubyte.gz", "wb") as f:
        f.write(idx_bytes(np.array([0, 1, 2, 3, 9], np.uint8), 0x08))
    with pytest.raises(DatasetFileError, match="t10k-labels-idx1-ubyte.gz"):
        datasets.KMNIST(tmp_path, train=False)


# -- Fashion-MNIST from Debian's package ---------------------------------------------------------------------------
@needs_fashion
def test_fashion_mnist_from_debian_package(tmp_path):
    ds = datasets.FashionMNIST(tmp_path, train=False)  # nothing under tmp_path: Debian's folder is used
    assert ds.image_file == str(FASHION_DIR / "t10k-images-idx3-ubyte.gz")
    assert len(ds) == 10000 and ds.data.shape == (10000, 28, 28)
    assert ds.targets[:10].tolist() == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]
    assert np.bincount(ds.targets.numpy()).tolist() == [1000] * 10
    assert int(ds.data.numpy().sum(dtype=np.int64)) == 573469082
    assert ds.classes[0] == "T-shirt/top" and ds.class_to_idx["Ankle boot"] == 9
    img, target = ds[0]
    assert img.mode == "L" and target == 9


@needs_fashion
def test_fashion_mnist_root_files_come_first(tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    labels = np.zeros(3, np.uint8)
    (raw / "t10k-images-idx3-ubyte").write_bytes(idx_bytes(np.zeros((3, 28, 28), np.uint8), 0x08))
    (raw / "t10k-labels-idx1-ubyte").write_bytes(idx_bytes(labels, 0x08))
    with pytest.raises(DatasetFileError, match=str(raw)):  # found in root first, and not the original files
        datasets.FashionMNIST(tmp_path, train=False)


# -- CIFAR-10, binary version --------------------------------------------------------------------------------------
def cifar_records(labels, seed):
    """Records of (label byte, 3072 pixel bytes: R plane, G plane, B plane) and the HWC images they hold."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(len(labels), 32, 32, 3), dtype=np.uint8)
    planes = images.transpose(0, 3, 1, 2).reshape(len(labels), -1)
    records = np.concatenate([np.asarray(labels, np.uint8)[:, None], planes], axis=1)
    return records.tobytes(), images


def write_cifar(folder, per_batch=3):
    folder.mkdir(parents=True, exist_ok=True)
    all_images, all_labels = [], []
    for i in range(1, 6):
        labels = [(i + k) % 10 for k in range(per_batch)]
        data, images = cifar_records(labels, seed=i)
        (folder / f"data_batch_{i}.bin").write_bytes(data)
        all_images.append(images)
        all_labels += labels
    data, test_images = cifar_records([3, 8, 8, 0], seed=9)
    (folder / "test_batch.bin").write_bytes(data)
    (folder / "batches.meta.txt").write_text("\n".join(datasets.CIFAR10.default_classes) + "\n\n")
    return np.concatenate(all_images), all_labels, test_images


def test_cifar10_binary_synthetic(tmp_path):
    train_images, train_labels, test_images = write_cifar(tmp_path / "cifar-10-batches-bin")
    train = datasets.CIFAR10(tmp_path, train=True)
    assert len(train) == 15 and train.targets == train_labels
    assert isinstance(train.data, np.ndarray) and train.data.shape == (15, 32, 32, 3)
    np.testing.assert_array_equal(train.data, train_images)
    test = datasets.CIFAR10(str(tmp_path), train=False, transform=transforms.ToTensor())
    assert test.targets == [3, 8, 8, 0] and test.classes[3] == "cat" and test.class_to_idx["truck"] == 9
    x, y = test[1]
    assert y == 8 and x.shape == (3, 32, 32)
    np.testing.assert_array_equal(x.numpy(), test_images[1].transpose(2, 0, 1).astype(np.float32) / 255)
    img, _ = datasets.CIFAR10(tmp_path, train=False)[0]
    assert img.mode == "RGB" and np.array_equal(np.asarray(img), test_images[0])
    images, labels = test.as_tensors(normalize=False)
    assert images.shape == (4, 3, 32, 32) and labels.tolist() == [3, 8, 8, 0]
    np.testing.assert_array_equal(images[1].numpy(), x.numpy())
    normed, _ = test.as_tensors()
    expected = transforms.Normalize(datasets.CIFAR10.mean, datasets.CIFAR10.std)(x)
    np.testing.assert_allclose(normed[1].numpy(), expected.numpy(), rtol=1e-6, atol=1e-6)
    assert "Split: Test" in repr(test)


def test_cifar10_flat_folder_truncated_and_bad_label(tmp_path):
    write_cifar(tmp_path)  # the files directly in root
    assert len(datasets.CIFAR10(tmp_path, train=False)) == 4
    data = (tmp_path / "test_batch.bin").read_bytes()
    (tmp_path / "test_batch.bin").write_bytes(data[:-100])
    with pytest.raises(DatasetFileError, match="test_batch.bin holds .* truncated"):
        datasets.CIFAR10(tmp_path, train=False)
    (tmp_path / "test_batch.bin").write_bytes(bytes([12]) + data[1:])
    with pytest.raises(DatasetFileError, match="test_batch.bin has a label byte above 9"):
        datasets.CIFAR10(tmp_path, train=False)


def test_cifar10_offline_message(tmp_path, no_network):
    with pytest.raises(RuntimeError) as error:
        datasets.CIFAR10(tmp_path, train=True, download=True)
    message = str(error.value)
    assert no_network == ["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"]
    assert "data_batch_1.bin" in message and "data_batch_5.bin" in message
    assert str(tmp_path / "cifar-10-batches-bin") in message and "cifar-10-binary.tar.gz" in message
    assert not (tmp_path / "cifar-10-binary.tar.gz").exists()


def test_cifar10_download_unpacks_only_expected_members(tmp_path, monkeypatch):
    source = tmp_path / "source"
    write_cifar(source / "cifar-10-batches-bin")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(source / "cifar-10-batches-bin", arcname="cifar-10-batches-bin")
        evil = tarfile.TarInfo("../evil.txt")
        evil.size = 4
        tar.addfile(evil, io.BytesIO(b"evil"))
    archive = buffer.getvalue()

    class SyntheticCIFAR10(datasets.CIFAR10):
        tgz_md5 = hashlib.md5(archive).hexdigest()

    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout=None: FakeResponse(archive))
    root = tmp_path / "root"
    ds = SyntheticCIFAR10(root, train=False, download=True)
    assert ds.targets == [3, 8, 8, 0]
    assert not (tmp_path / "evil.txt").exists()
    assert sorted(p.name for p in (root / "cifar-10-batches-bin").iterdir()) == sorted(
        [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin", "batches.meta.txt"])


# -- ImageFolder ---------------------------------------------------------------------------------------------------
@pytest.fixture
def image_tree(tmp_path):
    root = tmp_path / "tree"
    colours = {"dog/b.png": (255, 0, 0), "dog/a.png": (0, 255, 0), "dog/sub/c.PNG": (0, 0, 255),
               "cat/z.jpg": (10, 20, 30), "bird/x.bmp": (1, 2, 3)}
    for name, colour in colours.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (6, 4), colour).save(path)
    Image.new("L", (5, 5), 77).save(root / "cat" / "gray.png")
    (root / "dog" / "notes.txt").write_text("not an image")
    return root


def test_image_folder_discovery(image_tree):
    ds = datasets.ImageFolder(image_tree)
    assert ds.classes == ["bird", "cat", "dog"]
    assert ds.class_to_idx == {"bird": 0, "cat": 1, "dog": 2}
    names = [os.path.relpath(p, image_tree) for p, _ in ds.samples]
    assert names == ["bird/x.bmp", "cat/gray.png", "cat/z.jpg", "dog/a.png", "dog/b.png", "dog/sub/c.PNG"]
    assert ds.targets == [0, 1, 1, 2, 2, 2] and ds.imgs is ds.samples and len(ds) == 6
    img, target = ds[1]
    assert img.mode == "RGB" and img.size == (5, 5) and target == 1  # a gray PNG comes back as RGB
    assert np.asarray(img)[0, 0].tolist() == [77, 77, 77]
    img, target = ds[4]
    assert np.asarray(img)[0, 0].tolist() == [255, 0, 0] and target == 2
    x, _ = datasets.ImageFolder(image_tree, transform=transforms.ToTensor())[5]
    assert x.shape == (3, 4, 6) and float(x[2].mean()) == 1.0


def test_image_folder_options_and_errors(image_tree, tmp_path):
    only_png = datasets.ImageFolder(image_tree, is_valid_file=lambda p: p.endswith(".png"), allow_empty=True)
    assert [t for _, t in only_png.samples] == [1, 2, 2]
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes bird"):
        datasets.ImageFolder(image_tree, is_valid_file=lambda p: p.endswith(".png"))
    (image_tree / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty. Supported extensions"):
        datasets.ImageFolder(image_tree)
    (tmp_path / "flat").mkdir()
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(tmp_path / "flat")
    texts = datasets.DatasetFolder(image_tree, loader=lambda p: Path(p).read_text(), extensions=(".txt",),
                                   allow_empty=True)
    assert texts[0] == ("not an image", 2) and texts.classes == ["bird", "cat", "dog", "empty"]
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        datasets.DatasetFolder(image_tree, loader=str)


def test_image_folder_corrupt_files_name_the_file_and_the_index(image_tree):
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(image_tree / "dog" / "a.png")
    good = (image_tree / "dog" / "a.png").read_bytes()
    (image_tree / "dog" / "a.png").write_bytes(good[:len(good) // 2])  # a valid header, pixels cut short
    (image_tree / "dog" / "b.png").write_bytes(b"\x89PNG garbage, not an image" * 3)
    ds = datasets.ImageFolder(image_tree, transform=transforms.ToTensor())
    assert np.asarray(ds[2][0]).shape == (3, 4, 6)  # the other samples still load
    for index, name in ((3, "a.png"), (4, "b.png")):
        path = str(image_tree / "dog" / name)
        with pytest.raises(DatasetFileError) as error:
            ds[index]
        message = str(error.value)
        assert message.startswith(path) and f"sample {index} of this ImageFolder" in message, message
        assert isinstance(error.value.__cause__, Exception)  # Pillow's own error is kept as the cause
    with pytest.raises(DatasetFileError, match="a.png: sample 3 .*OSError: image file is truncated"):
        ds[3]
    with pytest.raises(DatasetFileError, match="sample -2 .*UnidentifiedImageError"):
        ds[-2]
    (image_tree / "dog" / "sub" / "c.PNG").unlink()  # gone since the scan
    with pytest.raises(DatasetFileError, match=r"c\.PNG: sample 5 .*FileNotFoundError"):
        ds[5]
