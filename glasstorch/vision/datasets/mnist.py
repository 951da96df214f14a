"""MNIST, FashionMNIST and KMNIST: 28 × 28 grayscale images in the IDX format, as torchvision reads them.

Where the files are looked for (the first folder that holds both files of the split wins):

1. ``root/<ClassName>/raw/`` (torchvision's layout, e.g. ``data/MNIST/raw/train-images-idx3-ubyte``);
2. ``root`` itself, so ``MNIST("/path/to/mnist")`` works on a folder that directly holds the files
   (a glasstorch addition);
3. for FashionMNIST only: ``/usr/share/datasets/fashion-mnist/``, where Debian's package
   ``dataset-fashion-mnist`` installs them (``apt-get install dataset-fashion-mnist``).

In each folder a file may be uncompressed (``train-images-idx3-ubyte``) or gzipped (``...-ubyte.gz``);
the uncompressed one is preferred when both are there. The split's files are::

    train=True:  train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz)   (60,000 examples)
    train=False: t10k-images-idx3-ubyte(.gz),  t10k-labels-idx1-ubyte(.gz)    (10,000 examples)

Checks: every file read is verified against the MD5 of the original distribution file (the .gz MD5 that
torchvision lists, or the MD5 of the uncompressed file, which also accepts a gzip re-compressed by someone
else, such as Debian's). A truncated, corrupted or foreign file raises ``DatasetFileError`` (a
RuntimeError) naming the file and saying what to do. KMNIST's uncompressed MD5s are not known here, so an
uncompressed KMNIST file is checked only for a consistent IDX header and size.

``download=True`` fetches the missing files into ``root/<ClassName>/raw/`` from the mirrors (a short
timeout each), checks their MD5 and writes them atomically; it keeps the .gz files and does not unpack
them (torchvision also writes the uncompressed copies). Without the files and without a network, a
RuntimeError says exactly which files to put where, and where to get them.

The fast path for training loops: ``images, labels = MNIST(root).as_tensors()`` gives the whole split as
a float32 tensor N × 1 × 28 × 28, scaled to [0, 1] and normalized with the data set's mean and std (the
same values ``ToTensor()`` then ``Normalize(mean, std)`` give image by image), and the int64 labels,
ready for ``TensorDataset(images, labels)``. This method is a glasstorch addition.

The IDX format (big-endian): a 4-byte magic number, two zero bytes, one byte for the element type (0x08:
uint8, 0x09: int8, 0x0B: int16, 0x0C: int32, 0x0D: float32, 0x0E: float64), one byte for the number of
dimensions; then each dimension as a 4-byte unsigned integer; then the values in C order.
"""
import os

import numpy as np

from ...autograd.function import wrap
from .utils import DatasetFileError, calculate_md5, download_url, gunzip
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "QMNIST", "read_idx_file", "read_image_file", "read_label_file"]

IDX_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
             0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def parse_idx(raw, path="<bytes>"):
    """The array held by the IDX bytes ``raw`` (native byte order, a writable copy)."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_TYPES:
        raise DatasetFileError(f"{path} is not an IDX file (its first bytes are not an IDX magic number).")
    dtype, ndim = IDX_TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DatasetFileError(f"{path} is truncated: it ends inside its IDX header.")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise DatasetFileError(f"{path} holds {len(raw)} bytes but its IDX header (shape {dims}) needs {expected}: "
                               "the file is truncated or corrupted.")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


def read_idx_file(path):
    """The array in an IDX file (gzipped when the name ends in .gz), with no checksum check."""
    with open(path, "rb") as f:
        raw = f.read()
    if os.fspath(path).endswith(".gz"):
        raw = gunzip(raw, path)
    return parse_idx(raw, path)


def read_image_file(path):
    """torchvision's helper: an IDX image file as a uint8 tensor N × H × W."""
    array = read_idx_file(path)
    if array.dtype != np.uint8 or array.ndim != 3:
        raise DatasetFileError(f"{path}: expected uint8 images N x H x W, found {array.dtype} {array.shape}")
    return wrap(array)


def read_label_file(path):
    """torchvision's helper: an IDX label file as an int64 tensor N."""
    array = read_idx_file(path)
    if array.ndim != 1:
        raise DatasetFileError(f"{path}: expected a 1-d label file, found shape {array.shape}")
    return wrap(array.astype(np.int64))


class MNIST(VisionDataset):
    """`MNIST <http://yann.lecun.com/exdb/mnist/>`_: 70,000 handwritten digits (see the module docstring).

    ``dataset[i]`` is ``(image, label)``: a PIL image in mode 'L' (through ``transform``) and a Python int
    (through ``target_transform``). ``.data`` is the uint8 tensor N × 28 × 28, ``.targets`` the int64 tensor N.
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [  # (file, MD5 of that file), as torchvision lists them
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    raw_md5 = {  # MD5 of the same files uncompressed
        "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
        "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
        "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    }
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]
    mean, std = (0.1307,), (0.3081,)  # of the training pixels scaled to [0, 1]
    system_folders = []  # more folders to look in after root (FashionMNIST: Debian's)

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        paths = self._locate()
        if paths is None:
            raise RuntimeError(self._not_found_message())
        self.image_file, self.label_file = paths
        self.data, self.targets = self._load_data()

    # -- where the files are ------------------------------------------------------------------------------
    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def _split_files(self):
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"

    def _search_folders(self):
        return [self.raw_folder, os.fspath(self.root)] + list(self.system_folders)

    @staticmethod
    def _find(folder, name):
        for candidate in (name, name + ".gz"):
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                return path
        return None

    def _locate(self):
        """(image file, label file) from the first folder holding both, or None."""
        for folder in self._search_folders():
            paths = [self._find(folder, name) for name in self._split_files()]
            if all(paths):
                return tuple(paths)
        return None

    def _check_exists(self):
        return self._locate() is not None

    def _sources(self, filename):
        return [mirror + filename for mirror in self.mirrors]

    def _not_found_message(self):
        name = self.__class__.__name__
        wanted = "\n".join(f"    {file}.gz  (or unpacked: {file})" for file in self._split_files())
        urls = "\n".join(f"    {self._sources(file + '.gz')[0]}" for file in self._split_files())
        where = ", ".join(self._search_folders())
        text = (f"Dataset not found. You can use download=True to download it.\n"
                f"{name} ({'train' if self.train else 'test'} split) needs these files:\n{wanted}\n"
                f"in {self.raw_folder}/ (or directly in {os.fspath(self.root)}/).\n"
                f"Looked in: {where}.\nThe original files (MD5-checked when read) are at:\n{urls}")
        if name == "FashionMNIST":
            text += "\nOn Debian/Ubuntu: apt-get install dataset-fashion-mnist (found automatically)."
        return text

    def download(self):
        """Fetch the files missing from ``raw_folder`` (nothing when the split is already found)."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            if self._find(self.raw_folder, filename[:-3]):
                continue
            try:
                download_url(self._sources(filename), os.path.join(self.raw_folder, filename), md5)
            except RuntimeError as error:
                raise RuntimeError(f"{error}\n\n{self._not_found_message()}") from None

    # -- reading --------------------------------------------------------------------------------------------
    def _checksum_error(self, path, found, expected):
        name = self.__class__.__name__
        file = os.path.basename(path)
        return DatasetFileError(
            f"{path}: its MD5 checksum {found} is not the original file's ({expected}), so the file is truncated, "
            f"corrupted or not {name}'s. Delete it and run {name}(root, download=True), or put the original "
            f"{file} there (from {self._sources(file if file.endswith('.gz') else file + '.gz')[0]}).")

    def _read_verified(self, path):
        """The uncompressed bytes of a data file, after checking them against the known MD5 sums."""
        file = os.path.basename(path)
        base = file[:-3] if file.endswith(".gz") else file
        known_gz = dict(self.resources).get(base + ".gz")
        known_raw = self.raw_md5.get(base)
        with open(path, "rb") as f:
            data = f.read()
        if file.endswith(".gz"):
            found = calculate_md5(data)
            if found == known_gz:
                return gunzip(data, path)
            if known_raw is None:
                raise self._checksum_error(path, found, known_gz)
            try:
                raw = gunzip(data, path)
            except DatasetFileError:
                raise self._checksum_error(path, found, known_gz) from None
        else:
            raw = data
        if known_raw is not None:
            found = calculate_md5(raw)
            if found != known_raw:
                raise self._checksum_error(path, found, known_raw)
        return raw

    def _load_data(self):
        images = parse_idx(self._read_verified(self.image_file), self.image_file)
        labels = parse_idx(self._read_verified(self.label_file), self.label_file)
        if images.dtype != np.uint8 or images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise DatasetFileError(f"{self.image_file} and {self.label_file} do not hold matching images "
                                   f"(found {images.dtype} {images.shape}) and labels (found {labels.shape}).")
        return wrap(images), wrap(labels.astype(np.int64))

    # -- the Dataset interface ------------------------------------------------------------------------------
    def __getitem__(self, index):
        from PIL import Image
        img, target = self.data._array[index], int(self.targets._array[index])
        img = Image.fromarray(img)  # a 2-d uint8 array: mode 'L'
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data._array)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"

    def as_tensors(self, normalize=True):
        """The whole split as ``(images, labels)``: float32 N × 1 × 28 × 28 and int64 N (a glasstorch addition).

        ``normalize=True`` subtracts ``self.mean`` and divides by ``self.std`` after scaling to [0, 1];
        ``False`` only scales; a pair ``(mean, std)`` uses those. The values equal
        ``Normalize(mean, std)(ToTensor()(dataset[i][0]))`` for every i.
        """
        images = self.data._array[:, None].astype(np.float32) / np.float32(255)
        if normalize is True:
            normalize = (self.mean, self.std)
        if normalize:
            mean, std = (np.asarray(v, dtype=np.float32).reshape(1, -1, 1, 1) for v in normalize)
            images = (images - mean) / std
        return wrap(images), wrap(self.targets._array.copy())


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_: 70,000 28 × 28 images of
    clothes in 10 classes. Also found in Debian's ``dataset-fashion-mnist`` package (see the module)."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    raw_md5 = {
        "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
        "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
        "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    }
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    mean, std = (0.2860,), (0.3530,)
    system_folders = ["/usr/share/datasets/fashion-mnist"]  # Debian's dataset-fashion-mnist


class KMNIST(MNIST):
    """`Kuzushiji-MNIST <https://github.com/rois-codh/kmnist>`_: 70,000 28 × 28 cursive Japanese characters."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    raw_md5 = {}  # not known here: uncompressed KMNIST files are checked by their IDX header and size only
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
    mean, std = (0.1918,), (0.3483,)  # the commonly quoted training-set values (not checked here)


# -- EMNIST and QMNIST: more IDX files, checked by their IDX header and size ----------------------------------
class _UncheckedIdx(MNIST):
    """MNIST's reader without checksums of single files (torchvision knows only the archives' MD5s): a
    file is accepted when its IDX header and size agree; .gz and .xz files are decompressed."""

    resources = []
    raw_md5 = {}

    def _read_verified(self, path):
        with open(path, "rb") as f:
            data = f.read()
        if path.endswith(".gz"):
            return gunzip(data, path)
        if path.endswith(".xz"):
            import lzma
            try:
                return lzma.decompress(data)
            except lzma.LZMAError:
                raise DatasetFileError(f"{path} is not a valid .xz file: it is truncated or corrupted.") from None
        return data

    @staticmethod
    def _find(folder, name):
        for candidate in (name, name + ".gz", name + ".xz"):
            path = os.path.join(folder, candidate)
            if os.path.isfile(path):
                return path
        return None

    def _not_found_message(self):
        wanted = "\n".join(f"    {file}  (or .gz / .xz)" for file in self._split_files())
        return (f"Dataset not found.\n{self.__class__.__name__} needs these files:\n{wanted}\nin {self.raw_folder}/ "
                f"(or directly in {os.fspath(self.root)}/). glasstorch does not download this data set.")

    def download(self):
        if not self._check_exists():
            raise RuntimeError(self._not_found_message())


class EMNIST(_UncheckedIdx):
    """`EMNIST <https://www.westernsydney.edu.au/bens/home/reproducible_research/emnist>`_: handwritten digits
    and letters, ``split`` one of byclass, bymerge, balanced, letters, digits, mnist.

    Files (from the official ``gzip.zip``): ``root/EMNIST/raw/emnist-<split>-<train|test>-images-idx3-ubyte``
    and ``...-labels-idx1-ubyte`` (or .gz; or directly in root). The images are kept as stored (transposed
    relative to the usual orientation, as torchvision's). ``download=True`` is not supported (the official
    archive is a 500 MB zip): a RuntimeError names the files to put in place."""

    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _all_classes = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list("abcdefghijklmnopqrstuvwxyz"),
        "digits": list("0123456789"),
        "mnist": list("0123456789"),
    }

    def __init__(self, root, split, **kwargs):
        if split not in self.splits:
            raise ValueError(f"Unknown value '{split}' for argument split. Valid values are "
                             f"{{{', '.join(repr(s) for s in self.splits)}}}.")
        self.split = split
        self.classes = self.classes_split_dict[split]
        super().__init__(root, **kwargs)

    def _split_files(self):
        prefix = f"emnist-{self.split}-{'train' if self.train else 'test'}"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


class QMNIST(_UncheckedIdx):
    """`QMNIST <https://github.com/facebookresearch/qmnist>`_: MNIST reconstructed with 8 label columns per image
    (class, NIST writer id, ...). ``what``: 'train', 'test' (60,000), 'test10k' (its first 10,000, MNIST's
    test set), 'test50k' (the other 50,000) or 'nist' (the whole xnist set); default 'train' or 'test' from
    ``train``. ``compat=True`` gives the class as an int, ``False`` the int64 row of 8 values.

    Files in ``root/QMNIST/raw/`` (or root): ``qmnist-<train|test>-images-idx3-ubyte`` and
    ``qmnist-<train|test>-labels-idx2-int`` (.gz), ``xnist-images-idx3-ubyte`` / ``xnist-labels-idx2-int``
    (.xz) for 'nist'. ``download=True`` is not supported here."""

    subsets = {"train": "train", "test": "test", "test10k": "test", "test50k": "test", "nist": "nist"}
    classes = MNIST.classes

    def __init__(self, root, what=None, compat=True, train=True, **kwargs):
        if what is None:
            what = "train" if train else "test"
        if what not in self.subsets:
            raise ValueError(f"Unknown value '{what}' for argument what. Valid values are "
                             f"{{{', '.join(repr(s) for s in self.subsets)}}}.")
        self.what = what
        self.compat = compat
        super().__init__(root, train=train, **kwargs)

    def _split_files(self):
        if self.subsets[self.what] == "nist":
            return "xnist-images-idx3-ubyte", "xnist-labels-idx2-int"
        prefix = f"qmnist-{self.subsets[self.what]}"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx2-int"

    def _load_data(self):
        images = parse_idx(self._read_verified(self.image_file), self.image_file)
        labels = parse_idx(self._read_verified(self.label_file), self.label_file)
        if images.dtype != np.uint8 or images.ndim != 3 or labels.ndim != 2 or len(images) != len(labels):
            raise DatasetFileError(f"{self.image_file} and {self.label_file} do not hold matching images "
                                   f"(found {images.dtype} {images.shape}) and label rows (found {labels.shape}).")
        if self.what == "test10k":
            images, labels = images[:10000], labels[:10000]
        elif self.what == "test50k":
            images, labels = images[10000:], labels[10000:]
        return wrap(images.copy()), wrap(labels.astype(np.int64))

    def __getitem__(self, index):
        from PIL import Image
        img = Image.fromarray(self.data._array[index])
        target = self.targets[index]
        if self.compat:
            target = int(target._array[0])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self):
        return f"Split: {self.what}"
