"""glasstorch.datasets: the embedded Iris and digits data, the toy generators and the train/test split."""
import hashlib
import os

import numpy as np
import pytest

import glasstorch
from glasstorch import datasets
from glasstorch.utils.data import DataLoader, TensorDataset


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def test_data_files_are_unchanged():
    folder = os.path.join(os.path.dirname(datasets.__file__), "data")
    with open(os.path.join(folder, "iris.csv"), "rb") as f:
        assert sha256(f.read()) == "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449"
    with open(os.path.join(folder, "digits.csv.gz"), "rb") as f:
        assert sha256(f.read()) == "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"
    assert os.path.exists(os.path.join(folder, "README.md"))  # the credits


def test_iris():
    iris = datasets.load_iris()
    X, y = iris
    assert X is iris.data and y is iris.target
    assert X.shape == (150, 4) and X.dtype == glasstorch.float32
    assert y.shape == (150,) and y.dtype == glasstorch.int64
    np.testing.assert_allclose(X.numpy().mean(0), [5.843, 3.057, 3.758, 1.199], atol=1e-3)
    assert np.bincount(y.numpy()).tolist() == [50, 50, 50]
    # every value has one decimal: check them all through a checksum of value × 10
    tenths = np.round(X.numpy().astype(np.float64) * 10).astype(np.int64)
    np.testing.assert_allclose(tenths / 10, X.numpy(), atol=1e-6)
    assert tenths.sum() == 20787
    assert sha256(tenths.astype(np.uint8).tobytes()) == "9f83d709ff543630793c65970cd232a7b86de6f44338e64fb2847e5b5d757634"
    assert X[0].tolist() == pytest.approx([5.1, 3.5, 1.4, 0.2]) and y[0].item() == 0
    assert iris.target_names == ["setosa", "versicolor", "virginica"]
    assert len(iris.feature_names) == 4 and "petal" in iris.feature_names[2]
    assert "Fisher" in iris.description


def test_digits():
    digits = datasets.load_digits()
    X, y = digits
    assert X.shape == (1797, 64) and X.dtype == glasstorch.float32
    assert y.shape == (1797,) and y.dtype == glasstorch.int64
    assert digits.images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(digits.images.numpy().reshape(1797, 64), X.numpy())
    assert np.bincount(y.numpy()).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert X.min().item() == 0 and X.max().item() == 16
    assert (X.numpy() == np.round(X.numpy())).all()
    assert X.numpy().astype(np.int64).sum() == 561718
    assert sha256(X.numpy().astype(np.uint8).tobytes()) == "8f26b2bd9d135c256808f68f14fdabddde6d9c7f869ae419704b051f0f14b3b3"
    assert sha256(y.numpy().astype(np.uint8).tobytes()) == "8ba4f891220f5e4c9c819638d1602d74b83618f167043c6da52a2a247841ddf0"
    assert y[:10].tolist() == list(range(10))
    assert digits.target_names == list(range(10)) and len(digits.feature_names) == 64


def test_loads_return_fresh_tensors_and_datasets():
    X, _ = datasets.load_iris()
    X[0, 0] = 100.0
    assert datasets.load_iris().data[0, 0].item() == pytest.approx(5.1)  # the cache is not changed
    ds = datasets.iris_dataset()
    assert isinstance(ds, TensorDataset) and len(ds) == 150
    xb, yb = next(iter(DataLoader(datasets.digits_dataset(), batch_size=32)))
    assert xb.shape == (32, 64) and yb.shape == (32,)


@pytest.mark.parametrize("name, outputs", [("AND", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("NAND", [1, 1, 1, 0]),
                                           ("NOR", [1, 0, 0, 0]), ("xor", [0, 1, 1, 0]), ("XNOR", [1, 0, 0, 1])])
def test_logic_gates(name, outputs):
    X, y = datasets.logic_gate(name)
    assert X.dtype == y.dtype == glasstorch.float32
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == outputs


def test_unknown_gate():
    with pytest.raises(ValueError, match="unknown logic gate"):
        datasets.logic_gate("MAYBE")


GENERATORS = [(datasets.xor, glasstorch.float32), (datasets.moons, glasstorch.int64),
              (datasets.circles, glasstorch.int64), (datasets.spirals, glasstorch.int64)]


@pytest.mark.parametrize("make, target_dtype", GENERATORS, ids=lambda v: getattr(v, "__name__", ""))
def test_generators_shape_dtype_and_reproducibility(make, target_dtype):
    X, y = make(n=101, generator=glasstorch.Generator().manual_seed(1))
    assert X.shape == (101, 2) and X.dtype == glasstorch.float32
    assert y.shape == (101,) and y.dtype == target_dtype
    X2, y2 = make(n=101, generator=glasstorch.Generator().manual_seed(1))
    assert X.equal(X2) and y.equal(y2)
    X3, _ = make(n=101, generator=glasstorch.Generator().manual_seed(2))
    assert not X.equal(X3)
    glasstorch.manual_seed(5)
    X4, y4 = make(n=101)
    glasstorch.manual_seed(5)
    X5, y5 = make(n=101)
    assert X4.equal(X5) and y4.equal(y5)
    xb, yb = next(iter(DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)))
    assert xb.shape == (16, 2) and yb.shape == (16,)


def test_generators_geometry():
    X, y = datasets.xor(n=400, noise=0.0)
    corners = X.numpy().astype(int)
    assert ((corners[:, 0] ^ corners[:, 1]) == y.numpy()).all()
    assert 150 < y.numpy().sum() < 250  # about half are 1
    X, y = datasets.moons(n=200, noise=0.0)
    upper, lower = X.numpy()[y.numpy() == 0], X.numpy()[y.numpy() == 1]
    assert len(upper) == len(lower) == 100
    np.testing.assert_allclose(np.hypot(*upper.T), 1, atol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1, atol=1e-6)
    X, y = datasets.circles(n=100, noise=0.0, factor=0.3)
    radius = np.hypot(*X.numpy().T)
    np.testing.assert_allclose(radius[y.numpy() == 0], 1, atol=1e-6)
    np.testing.assert_allclose(radius[y.numpy() == 1], 0.3, atol=1e-6)
    with pytest.raises(ValueError):
        datasets.circles(factor=1.5)
    X, y = datasets.spirals(n=100, classes=3)
    assert np.bincount(y.numpy()).tolist() == [34, 33, 33]
    assert np.hypot(*X.numpy().T).max() <= 1 + 1e-6
    X, y = datasets.spirals(n=50, classes=5)
    assert np.bincount(y.numpy()).tolist() == [10] * 5


def test_split_stratified():
    X, y = datasets.load_iris()
    X_train, X_test, y_train, y_test = datasets.split(X, y, 0.2, generator=glasstorch.Generator().manual_seed(0))
    assert X_train.shape == (120, 4) and X_test.shape == (30, 4) and y_train.shape == (120,)
    assert np.bincount(y_test.numpy()).tolist() == [10, 10, 10]
    assert np.bincount(y_train.numpy()).tolist() == [40, 40, 40]
    rows = {tuple(r) for r in np.concatenate([X_train.numpy(), X_test.numpy()]).tolist()}
    assert rows == {tuple(r) for r in X.numpy().tolist()}  # nothing lost (iris has one duplicated row)
    # the rows still match their labels: find each test row in X and compare the label
    for row, label in zip(X_test.numpy()[:5], y_test.numpy()[:5]):
        matches = np.flatnonzero((X.numpy() == row).all(1))
        assert label in y.numpy()[matches]
    again = datasets.split(X, y, 0.2, generator=glasstorch.Generator().manual_seed(0))
    assert again[1].equal(X_test) and again[3].equal(y_test)
    other = datasets.split(X, y, 0.2, generator=glasstorch.Generator().manual_seed(1))
    assert not other[1].equal(X_test)
    digits_X, digits_y = datasets.load_digits()
    _, _, _, y_test = datasets.split(digits_X, digits_y, 0.2)
    counts = np.bincount(y_test.numpy()).tolist()
    assert sum(counts) == 360  # ceil(1797 × 0.2), as scikit-learn
    full = np.bincount(digits_y.numpy())
    assert all(abs(c - f * 0.2) < 1 for c, f in zip(counts, full))


def test_split_not_stratified_and_errors():
    X, y = datasets.moons(n=50)
    X_train, X_test, y_train, y_test = datasets.split(X, y.float(), 0.3, stratify=False)
    assert len(X_train) == 35 and len(X_test) == 15 and len(y_test) == 15
    assert [len(part) for part in datasets.split(X[:10], y[:10], 0.7, stratify=False)] == [3, 7, 3, 7]
    idx_all = np.sort(np.concatenate([X_train.numpy()[:, 0], X_test.numpy()[:, 0]]))
    np.testing.assert_array_equal(idx_all, np.sort(X.numpy()[:, 0]))
    for bad in (0, 1, -0.1, 1.5):
        with pytest.raises(ValueError, match="test_fraction"):
            datasets.split(X, y, bad)
    with pytest.raises(ValueError, match="different lengths"):
        datasets.split(X, y[:10])
