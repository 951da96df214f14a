"""Two small real data sets shipped inside glasstorch: Iris and the UCI handwritten digits.

    X, y = glasstorch.datasets.load_iris()          # X: (150, 4) float32, y: (150,) int64
    digits = glasstorch.datasets.load_digits()      # digits.images: (1797, 8, 8), values 0..16

The files live in ``glasstorch/datasets/data/`` (credits and format in the README there). Each ``load_*``
returns a ``Bunch``: ``.data`` (float32), ``.target`` (int64 class numbers), ``.feature_names``,
``.target_names`` and ``.description``; it unpacks as ``X, y``. These loaders are glasstorch additions
(PyTorch has no built-in datasets; torchvision's are downloaded), shaped like scikit-learn's.
"""
import functools
import gzip
import os

import numpy as np

from ..autograd.function import wrap
from ..utils.data import TensorDataset

__all__ = ["Bunch", "load_iris", "load_digits", "iris_dataset", "digits_dataset"]

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


class Bunch:
    """A data set's tensors and names. ``X, y = bunch`` gives ``(bunch.data, bunch.target)``."""

    def __init__(self, data, target, feature_names, target_names, description, images=None):
        self.data = data
        self.target = target
        self.feature_names = feature_names
        self.target_names = target_names
        self.description = description
        if images is not None:
            self.images = images

    def __iter__(self):
        return iter((self.data, self.target))

    def __repr__(self):
        return f"Bunch(data: {tuple(self.data.shape)}, target: {tuple(self.target.shape)}, " \
               f"target_names={self.target_names})"


@functools.lru_cache(maxsize=None)
def _read_iris():
    path = os.path.join(DATA_DIR, "iris.csv")
    table = np.loadtxt(path, delimiter=",", skiprows=1)  # first line: 150,4,setosa,versicolor,virginica
    return table[:, :4].astype(np.float32), table[:, 4].astype(np.int64)


@functools.lru_cache(maxsize=None)
def _read_digits():
    with gzip.open(os.path.join(DATA_DIR, "digits.csv.gz"), "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)  # 64 pixel values 0..16, then the digit
    return table[:, :64].astype(np.float32), table[:, 64]


def load_iris():
    """Fisher's Iris flowers: 150 × 4 measurements in cm, 3 species of 50 (see the module docstring)."""
    data, target = _read_iris()
    return Bunch(wrap(data.copy()), wrap(target.copy()),
                 feature_names=["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"],
                 target_names=["setosa", "versicolor", "virginica"],
                 description="Iris flowers (R. A. Fisher, 1936; UCI Machine Learning Repository): 150 flowers, "
                             "4 measurements in cm, 3 species of 50.")


def load_digits():
    """1,797 handwritten digits as 8 × 8 images with values 0..16 (UCI; the data of scikit-learn's load_digits).

    ``.data`` is (1797, 64): each image flattened row by row; ``.images`` is the same values as (1797, 8, 8).
    """
    data, target = _read_digits()
    return Bunch(wrap(data.copy()), wrap(target.copy()),
                 feature_names=[f"pixel_{row}_{col}" for row in range(8) for col in range(8)],
                 target_names=list(range(10)),
                 description="Optical recognition of handwritten digits (E. Alpaydin, C. Kaynak, 1998; UCI "
                             "Machine Learning Repository): 1797 images of 8x8 pixels with values 0..16.",
                 images=wrap(data.reshape(-1, 8, 8).copy()))


def iris_dataset():
    """``TensorDataset(X, y)`` of ``load_iris()``, ready for a DataLoader."""
    return TensorDataset(*load_iris())


def digits_dataset():
    """``TensorDataset(X, y)`` of ``load_digits()``, with X of shape (1797, 64)."""
    return TensorDataset(*load_digits())
