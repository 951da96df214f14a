"""CIFAR10 from the BINARY distribution (``cifar-10-binary.tar.gz``), never the pickled one.

torchvision reads ``cifar-10-batches-py`` (Python pickles); glasstorch never unpickles, so it reads the
binary version that the data set's authors publish alongside it. The files, in
``root/cifar-10-batches-bin/`` (or directly in ``root``)::

    data_batch_1.bin ... data_batch_5.bin   the 50,000 training images (train=True)
    test_batch.bin                          the 10,000 test images (train=False)
    batches.meta.txt                        the class names, one a line (optional here)

Each file is a run of 3,073-byte records: one label byte (0-9), then the 32 × 32 image as 1,024 red,
1,024 green and 1,024 blue bytes, each plane row by row. The official files hold 10,000 records each.

Checks: a file whose size is not a whole number of records, or with a label byte above 9, raises
``DatasetFileError`` naming it (truncated or corrupted). ``download=True`` fetches the archive (MD5
c32a1d4ab5d03f1284b67883e8d87530), checks it and unpacks only the expected files, each written atomically.

As torchvision: ``.data`` is a NumPy uint8 array N × 32 × 32 × 3 (HWC), ``.targets`` a list of ints,
``dataset[i]`` is ``(PIL RGB image, int)``. ``as_tensors()`` is the same fast path as MNIST's
(a glasstorch addition): float32 N × 3 × 32 × 32, normalized with ``mean``/``std``, and int64 labels.
"""
import os
import tarfile

import numpy as np

from ...autograd.function import wrap
from .utils import DatasetFileError, calculate_md5, download_url, write_atomically
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100"]

RECORD_BYTES = 1 + 3 * 32 * 32


def read_cifar_binary(path):
    """(images N × 32 × 32 × 3 uint8, labels N int64) from one CIFAR-10 binary batch file."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) == 0 or len(raw) % RECORD_BYTES:
        raise DatasetFileError(f"{path} holds {len(raw)} bytes, not a whole number of {RECORD_BYTES}-byte "
                               "CIFAR-10 records: the file is truncated or corrupted. Delete it and download "
                               "cifar-10-binary.tar.gz again.")
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, RECORD_BYTES)
    labels = records[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise DatasetFileError(f"{path} has a label byte above 9: it is corrupted or not a CIFAR-10 batch file.")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()  # CHW planes -> HWC
    return images, labels


class CIFAR10(VisionDataset):
    """`CIFAR-10 <https://www.cs.toronto.edu/~kriz/cifar.html>`_: 60,000 32 × 32 colour images, 10 classes."""

    base_folder = "cifar-10-batches-bin"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    filename = "cifar-10-binary.tar.gz"
    tgz_md5 = "c32a1d4ab5d03f1284b67883e8d87530"
    train_list = [f"data_batch_{i}.bin" for i in range(1, 6)]
    test_list = ["test_batch.bin"]
    meta_file = "batches.meta.txt"
    default_classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    mean, std = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)  # the commonly quoted training-set values

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        folder = self._locate()
        if folder is None:
            raise RuntimeError(self._not_found_message())
        parts = [read_cifar_binary(os.path.join(folder, name)) for name in self._split_files()]
        self.data = np.concatenate([images for images, _ in parts])
        self.targets = [int(t) for t in np.concatenate([labels for _, labels in parts])]
        self.classes = self._read_classes(folder)
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def _split_files(self):
        return self.train_list if self.train else self.test_list

    def _search_folders(self):
        return [os.path.join(self.root, self.base_folder), os.fspath(self.root)]

    def _locate(self):
        for folder in self._search_folders():
            if all(os.path.isfile(os.path.join(folder, name)) for name in self._split_files()):
                return folder
        return None

    def _check_integrity(self):
        return self._locate() is not None

    def _read_classes(self, folder):
        path = os.path.join(folder, self.meta_file)
        if not os.path.isfile(path):
            return list(self.default_classes)
        with open(path, encoding="utf-8") as f:
            names = [line.strip() for line in f if line.strip()]
        return names or list(self.default_classes)

    def _not_found_message(self):
        files = "\n".join(f"    {name}" for name in self._split_files())
        return (f"Dataset not found or corrupted. You can use download=True to download it.\n"
                f"CIFAR10 ({'train' if self.train else 'test'} split) needs these files of the BINARY "
                f"version:\n{files}\nin {os.path.join(self.root, self.base_folder)}/ (or directly in "
                f"{os.fspath(self.root)}/).\nGet {self.url} (MD5 {self.tgz_md5}) and unpack it in "
                f"{os.fspath(self.root)}/ (tar xzf {self.filename}). The pickled 'python version' is not read.")

    def download(self):
        """Fetch and check the archive, then unpack only the expected files (nothing when already there)."""
        if self._check_integrity():
            return
        archive = os.path.join(self.root, self.filename)
        if not (os.path.isfile(archive) and calculate_md5(archive) == self.tgz_md5):
            try:
                download_url(self.url, archive, self.tgz_md5)
            except RuntimeError as error:
                raise RuntimeError(f"{error}\n\n{self._not_found_message()}") from None
        wanted = {f"{self.base_folder}/{name}" for name in self.train_list + self.test_list + [self.meta_file]}
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name in wanted:  # never a path from the archive we did not expect
                    data = tar.extractfile(member).read()
                    write_atomically(os.path.join(self.root, member.name), data)

    def __getitem__(self, index):
        from PIL import Image
        img, target = Image.fromarray(self.data[index]), self.targets[index]  # HWC uint8: mode 'RGB'
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"

    def as_tensors(self, normalize=True):
        """The whole split as ``(images, labels)``: float32 N × 3 × 32 × 32 and int64 N (a glasstorch addition).
        ``normalize`` as in ``MNIST.as_tensors``."""
        images = self.data.transpose(0, 3, 1, 2).astype(np.float32) / np.float32(255)
        if normalize is True:
            normalize = (self.mean, self.std)
        if normalize:
            mean, std = (np.asarray(v, dtype=np.float32).reshape(1, -1, 1, 1) for v in normalize)
            images = (images - mean) / std
        return wrap(np.ascontiguousarray(images)), wrap(np.asarray(self.targets, dtype=np.int64))


# -- CIFAR-100: torchvision's pickled 'python version', read by a restricted unpickler ---------------------------
class _ArraysOnlyUnpickler:
    """A pickle reader that builds only dicts, lists, strings, bytes, numbers and NumPy arrays.

    Unpickling runs whatever callables a file names, so a plain ``pickle.load`` of a downloaded file is
    code execution. This reader refuses every global except the four a pickled NumPy array needs
    (``_reconstruct``, ``ndarray``, ``dtype`` and ``_codecs.encode`` for Python-2 byte strings), raising
    ``pickle.UnpicklingError`` naming the refused one."""

    allowed = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode")}

    @classmethod
    def load(cls, path):
        import pickle

        class Restricted(pickle.Unpickler):
            def find_class(self, module, name):
                if (module, name) not in cls.allowed:
                    raise pickle.UnpicklingError(f"{path}: refused to load the global {module}.{name} (only "
                                                 "NumPy arrays, lists, dicts and strings are read)")
                if name == "_reconstruct":
                    return np.ndarray.__reduce__(np.zeros(1))[0]  # numpy's own _reconstruct
                if module == "_codecs":
                    import codecs
                    return codecs.encode
                return getattr(np, name)

        with open(path, "rb") as f:
            return Restricted(f, encoding="latin1").load()


def _entry(d, key):
    """``d[key]`` for a str key, whether the pickle stored str or bytes keys."""
    return d[key] if key in d else d[key.encode()]


class CIFAR100(VisionDataset):
    """`CIFAR-100 <https://www.cs.toronto.edu/~kriz/cifar.html>`_: 60,000 32 × 32 colour images in 100 classes.

    Read from torchvision's layout, ``root/cifar-100-python/{train, test, meta}`` (the 'python version'),
    through a restricted unpickler that builds only arrays, lists and dicts (see ``_ArraysOnlyUnpickler``),
    never running code named by the file. ``.targets`` are the fine labels, ``.classes`` the fine label
    names, as torchvision's. ``download=True`` fetches cifar-100-python.tar.gz (MD5-checked) and unpacks
    only the three expected files."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names", "md5": "7973b15100ade9c7d40fb424638fde48"}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to download it")
        folder = os.path.join(self.root, self.base_folder)
        data, self.targets = [], []
        for name, _ in (self.train_list if train else self.test_list):
            entry = _ArraysOnlyUnpickler.load(os.path.join(folder, name))
            data.append(np.asarray(_entry(entry, "data"), dtype=np.uint8))
            labels = _entry(entry, "labels") if ("labels" in entry or b"labels" in entry) else \
                _entry(entry, "fine_labels")
            self.targets.extend(int(t) for t in labels)
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()  # HWC
        meta = _ArraysOnlyUnpickler.load(os.path.join(folder, self.meta["filename"]))
        self.classes = [c.decode() if isinstance(c, bytes) else c for c in _entry(meta, self.meta["key"])]
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def _check_integrity(self):
        folder = os.path.join(self.root, self.base_folder)
        names = [n for n, _ in self.train_list + self.test_list] + [self.meta["filename"]]
        return all(os.path.isfile(os.path.join(folder, n)) for n in names)

    def download(self):
        if self._check_integrity():
            return
        archive = os.path.join(self.root, self.filename)
        if not (os.path.isfile(archive) and calculate_md5(archive) == self.tgz_md5):
            download_url(self.url, archive, self.tgz_md5)
        wanted = {f"{self.base_folder}/{n}" for n, _ in self.train_list + self.test_list} | {
            f"{self.base_folder}/{self.meta['filename']}"}
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar.getmembers():
                if member.isfile() and member.name in wanted:
                    write_atomically(os.path.join(self.root, member.name), tar.extractfile(member).read())

    __getitem__ = CIFAR10.__getitem__
    __len__ = CIFAR10.__len__
    extra_repr = CIFAR10.extra_repr
