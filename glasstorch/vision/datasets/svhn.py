"""SVHN, as ``torchvision.datasets.SVHN``: Street View House Numbers from the cropped-digits ``.mat`` files.

``root/{train,test,extra}_32x32.mat`` (MATLAB files, read by ``scipy.io.loadmat``): ``X`` is 32 × 32 × 3 × N
uint8 and ``y`` N × 1 with the digit 0 stored as 10; here, as torchvision, ``.data`` is N × 3 × 32 × 32,
``.labels`` int64 with 10 mapped to 0, ``dataset[i]`` is ``(PIL RGB image, int)``. Each file is checked
against torchvision's MD5 before it is read.
"""
import os

import numpy as np

from .utils import check_integrity, download_url
from .vision import VisionDataset

__all__ = ["SVHN"]


class SVHN(VisionDataset):
    split_list = {
        "train": ["http://ufldl.stanford.edu/housenumbers/train_32x32.mat", "train_32x32.mat",
                  "e26dedcc434d2e4c54c9b2d4a06d8373"],
        "test": ["http://ufldl.stanford.edu/housenumbers/test_32x32.mat", "test_32x32.mat",
                 "eb5a983be6a315427106f1b164d9cef3"],
        "extra": ["http://ufldl.stanford.edu/housenumbers/extra_32x32.mat", "extra_32x32.mat",
                  "a93ce644f1a588dc4d68dda5feec44a7"],
    }

    def __init__(self, root, split="train", transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        if split not in self.split_list:
            raise ValueError(f"Unknown value '{split}' for argument split. Valid values are "
                             f"{{{', '.join(repr(s) for s in self.split_list)}}}.")
        self.split = split
        self.url, self.filename, self.file_md5 = self.split_list[split]
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to download it")
        import scipy.io as sio
        loaded = sio.loadmat(os.path.join(self.root, self.filename))
        self.data = np.transpose(loaded["X"], (3, 2, 0, 1))  # H × W × C × N -> N × C × H × W
        self.labels = loaded["y"].astype(np.int64).squeeze()
        np.place(self.labels, self.labels == 10, 0)

    def _check_integrity(self):
        return check_integrity(os.path.join(self.root, self.filename), self.file_md5)

    def download(self):
        if not self._check_integrity():
            download_url(self.url, os.path.join(self.root, self.filename), self.file_md5)

    def __getitem__(self, index):
        from PIL import Image
        img, target = self.data[index], int(self.labels[index])
        img = Image.fromarray(np.transpose(img, (1, 2, 0)))
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {self.split}"
