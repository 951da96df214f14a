"""Evaluation of a classifier: accuracy, the confusion matrix, precision/recall/F1 per class, and a text
classification report (a glasstorch addition; scikit-learn's ``classification_report`` is the model).

For each class c, counting over the test set:

    TP = predicted c and truly c,   FP = predicted c but not c,   FN = truly c but predicted something else
    precision = TP / (TP + FP)      "of what I called c, how much was c"
    recall    = TP / (TP + FN)      "of the real c, how much did I find"
    F1        = 2 · precision · recall / (precision + recall)
    support   = TP + FN             "how many c there are"

All three come straight from the confusion matrix: TP is its diagonal, TP + FP its column sums and
TP + FN its row sums. A class never predicted (or never present) gets 0 where the division is 0/0.
"""
import numpy as np

__all__ = ["accuracy", "confusion_matrix", "precision_recall_f1", "classification_report"]


def _labels(y):
    """A 1-D int64 NumPy array from a tensor, array or list of class numbers."""
    a = y.detach().numpy() if hasattr(y, "detach") else np.asarray(y)
    return a.reshape(-1).astype(np.int64)


def accuracy(y_true, y_pred):
    """The fraction of predictions equal to the truth."""
    t, p = _labels(y_true), _labels(y_pred)
    return float((t == p).mean()) if t.size else 0.0


def confusion_matrix(y_true, y_pred, num_classes=None):
    """counts[i, j] = how many examples of class i were predicted as class j (an int64 tensor)."""
    from .creation import from_numpy
    t, p = _labels(y_true), _labels(y_pred)
    if num_classes is None:
        num_classes = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    counts = np.bincount(t * num_classes + p, minlength=num_classes * num_classes)
    return from_numpy(counts.reshape(num_classes, num_classes).astype(np.int64))


def precision_recall_f1(y_true, y_pred, num_classes=None):
    """Per-class precision, recall, F1 and support, as NumPy arrays (see the module docstring)."""
    cm = confusion_matrix(y_true, y_pred, num_classes).numpy().astype(np.float64)
    tp = np.diag(cm)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(actual > 0, tp / actual, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return precision, recall, f1, actual.astype(np.int64)


def classification_report(y_true, y_pred, target_names=None, digits=4, output_dict=False):
    """Precision, recall, F1 and support per class, then accuracy and the macro and support-weighted averages.

    Returns the text table, or with ``output_dict=True`` the same numbers as a dict."""
    num_classes = len(target_names) if target_names is not None else None
    precision, recall, f1, support = precision_recall_f1(y_true, y_pred, num_classes)
    names = [str(n) for n in target_names] if target_names is not None else [str(c) for c in range(len(support))]
    total = int(support.sum())
    rows = {name: {"precision": float(p), "recall": float(r), "f1-score": float(f), "support": int(s)}
            for name, p, r, f, s in zip(names, precision, recall, f1, support)}
    weights = support / max(total, 1)
    rows["accuracy"] = accuracy(y_true, y_pred)
    rows["macro avg"] = {"precision": float(precision.mean()), "recall": float(recall.mean()),
                         "f1-score": float(f1.mean()), "support": total}
    rows["weighted avg"] = {"precision": float((precision * weights).sum()), "recall": float((recall * weights).sum()),
                            "f1-score": float((f1 * weights).sum()), "support": total}
    if output_dict:
        return rows
    width = max(len(n) for n in names + ["weighted avg"])
    head = f"{'':>{width}} {'precision':>9} {'recall':>9} {'f1-score':>9} {'support':>9}"
    lines = [head, ""]
    for name in names:
        r = rows[name]
        lines.append(f"{name:>{width}} {r['precision']:>9.{digits}f} {r['recall']:>9.{digits}f} "
                     f"{r['f1-score']:>9.{digits}f} {r['support']:>9}")
    lines.append("")
    lines.append(f"{'accuracy':>{width}} {'':>9} {'':>9} {rows['accuracy']:>9.{digits}f} {total:>9}")
    for name in ("macro avg", "weighted avg"):
        r = rows[name]
        lines.append(f"{name:>{width}} {r['precision']:>9.{digits}f} {r['recall']:>9.{digits}f} "
                     f"{r['f1-score']:>9.{digits}f} {r['support']:>9}")
    return "\n".join(lines) + "\n"
