"""glasstorch.datasets: small data sets to learn with, no download needed (a glasstorch addition).

- ``uci.py``: real data shipped in ``datasets/data/`` (credits in its README): ``load_iris()`` (150 flowers,
  4 features, 3 classes) and ``load_digits()`` (1,797 handwritten digits, 8 × 8 pixels, 10 classes), and
  ``iris_dataset()`` / ``digits_dataset()`` giving them as a ``TensorDataset``;
- ``toy.py``: generated data: ``logic_gate("XOR")``, ``xor``, ``moons``, ``circles``, ``spirals``;
- ``split.py``: ``split(X, y, test_fraction)``, a random (stratified) train/test split.

    from glasstorch.datasets import load_iris, split
    X, y = load_iris()
    X_train, X_test, y_train, y_test = split(X, y, test_fraction=0.2)
"""
from .uci import Bunch, load_iris, load_digits, iris_dataset, digits_dataset  # noqa: F401
from .toy import logic_gate, xor, moons, circles, spirals  # noqa: F401
from .split import split  # noqa: F401
