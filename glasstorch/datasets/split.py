"""``split``: cut (X, y) into a training part and a test part, at random.

    X_train, X_test, y_train, y_test = split(X, y, test_fraction=0.2)

The test part has ceil(n × test_fraction) rows, as in scikit-learn's ``train_test_split``. With
``stratify=True`` (the default) each class keeps its share in both parts: count × test_fraction rows of
every class go to the test part, rounded down, and the rows still missing from the total go one each to
the classes with the largest rounded-off remainders (1797 digits with test_fraction=0.2: 355 from the
roundings down, plus 5, gives 360 test rows). Use ``stratify=False`` when y is not a class label
(regression targets). A glasstorch addition; for Dataset objects see ``glasstorch.utils.data.random_split``.
"""
import math

import numpy as np

from .. import random as _random

__all__ = ["split"]


def split(X, y, test_fraction=0.2, generator=None, stratify=True):
    """Random train/test split of the rows of X and y; returns X_train, X_test, y_train, y_test."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    if len(X) != len(y):
        raise ValueError(f"X and y have different lengths: {len(X)} and {len(y)}")
    rng = _random._rng(generator)
    n = len(X)
    n_test = math.ceil(round(n * test_fraction, 9))  # round first: 0.7 * 10 is 7.000000000000001
    if stratify:
        labels = np.asarray(y)
        classes, counts = np.unique(labels, return_counts=True)
        share = counts * test_fraction
        per_class = np.floor(share).astype(np.int64)
        largest_remainders = np.argsort(-(share - per_class), kind="stable")
        per_class[largest_remainders[:n_test - per_class.sum()]] += 1
        test_parts = []
        for label, k in zip(classes, per_class):
            members = rng.permutation(np.flatnonzero(labels == label))
            test_parts.append(members[:k])
        test = np.concatenate(test_parts)
    else:
        test = rng.permutation(n)[:n_test]
    in_test = np.zeros(n, dtype=bool)
    in_test[test] = True
    train = rng.permutation(np.flatnonzero(~in_test))
    test = rng.permutation(test)
    return X[train], X[test], y[train], y[test]
