"""glasstorch.metrics on small cases whose answers are worked out by hand."""
import numpy as np
import pytest

import glasstorch
from glasstorch import metrics

#                 class:  0  0  0  1  1  2  2  2  2
Y_TRUE = glasstorch.tensor([0, 0, 0, 1, 1, 2, 2, 2, 2])
Y_PRED = glasstorch.tensor([0, 1, 0, 1, 2, 2, 2, 0, 2])


def test_accuracy_and_confusion_matrix():
    assert metrics.accuracy(Y_TRUE, Y_PRED) == pytest.approx(6 / 9)
    cm = metrics.confusion_matrix(Y_TRUE, Y_PRED)
    assert cm.dtype == glasstorch.int64
    assert cm.tolist() == [[2, 1, 0],
                           [0, 1, 1],
                           [1, 0, 3]]
    assert metrics.confusion_matrix([0, 1], [1, 1], num_classes=4).shape == (4, 4)


def test_precision_recall_f1_by_hand():
    p, r, f, s = metrics.precision_recall_f1(Y_TRUE, Y_PRED)
    # class 0: TP 2, predicted 3, actual 3; class 1: TP 1, predicted 2, actual 2; class 2: TP 3, predicted 4, actual 4
    np.testing.assert_allclose(p, [2 / 3, 1 / 2, 3 / 4])
    np.testing.assert_allclose(r, [2 / 3, 1 / 2, 3 / 4])
    np.testing.assert_allclose(f, [2 / 3, 1 / 2, 3 / 4])
    assert s.tolist() == [3, 2, 4]
    # a class never predicted and never present: zeros, no nan
    p, r, f, s = metrics.precision_recall_f1([0, 0], [0, 0], num_classes=2)
    assert p.tolist() == [1.0, 0.0] and r.tolist() == [1.0, 0.0] and f.tolist() == [1.0, 0.0]


def test_classification_report_text_and_dict():
    d = metrics.classification_report(Y_TRUE, Y_PRED, target_names=["a", "b", "c"], output_dict=True)
    assert d["accuracy"] == pytest.approx(6 / 9)
    assert d["macro avg"]["f1-score"] == pytest.approx((2 / 3 + 1 / 2 + 3 / 4) / 3)
    assert d["weighted avg"]["recall"] == pytest.approx((3 * 2 / 3 + 2 * 1 / 2 + 4 * 3 / 4) / 9)
    text = metrics.classification_report(Y_TRUE, Y_PRED, target_names=["a", "b", "c"])
    lines = text.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    assert lines[2].split() == ["a", "0.6667", "0.6667", "0.6667", "3"]
    assert lines[6].split() == ["accuracy", "0.6667", "9"]


def test_precision_and_recall_are_not_swapped():
    # an asymmetric confusion matrix: [[1, 1], [0, 1]] (rows truth, columns prediction)
    #   class 0: TP 1, predicted once, present twice -> precision 1/1, recall 1/2
    #   class 1: TP 1, predicted twice, present once -> precision 1/2, recall 1/1
    y_true, y_pred = [0, 0, 1], [0, 1, 1]
    assert metrics.confusion_matrix(y_true, y_pred).tolist() == [[1, 1], [0, 1]]
    p, r, f, s = metrics.precision_recall_f1(y_true, y_pred)
    np.testing.assert_allclose(p, [1.0, 0.5])
    np.testing.assert_allclose(r, [0.5, 1.0])
    np.testing.assert_allclose(f, [2 / 3, 2 / 3])
    assert s.tolist() == [2, 1]
    d = metrics.classification_report(y_true, y_pred, output_dict=True)
    assert d["0"]["precision"] == 1.0 and d["0"]["recall"] == 0.5
    assert d["1"]["precision"] == 0.5 and d["1"]["recall"] == 1.0
