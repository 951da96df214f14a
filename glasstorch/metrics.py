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

In a notebook the confusion matrix (a Tensor subclass, :class:`ConfusionMatrix`) and the text report (a str
subclass, :class:`ClassificationReport`) show as HTML tables; everywhere else they are the plain tensor and text.
"""
import html

import numpy as np

from .tensor import Tensor

__all__ = ["accuracy", "confusion_matrix", "precision_recall_f1", "classification_report", "ConfusionMatrix",
           "ClassificationReport"]


class ConfusionMatrix(Tensor):
    """The int64 counts tensor ``confusion_matrix`` returns; a Tensor in every way (ops on it give plain
    Tensors), plus an HTML table for notebooks: rows the true class, columns the predicted one."""

    def _repr_html_(self):
        counts = self._array
        if counts.ndim != 2:
            return None
        head = "".join(f"<th>pred {j}</th>" for j in range(counts.shape[1]))
        rows = "".join(f"<tr><th>true {i}</th>" + "".join(
            f"<td><b>{c}</b></td>" if i == j else f"<td>{c}</td>" for j, c in enumerate(row)) + "</tr>"
            for i, row in enumerate(counts.tolist()))
        return (f"<p>confusion matrix ({int(counts.sum())} examples, {int(np.trace(counts))} on the diagonal: "
                f"correct)</p><table><tr><th></th>{head}</tr>{rows}</table>")


class ClassificationReport(str):
    """The text ``classification_report`` returns (a str in every way), with the numbers kept as ``.rows``
    (the ``output_dict=True`` dict) for the HTML table a notebook shows."""

    def _repr_html_(self):
        rows = getattr(self, "rows", None)
        if rows is None:
            return None
        digits = self.digits
        cols = ("precision", "recall", "f1-score", "support")
        out = ["<table><tr><th></th>" + "".join(f"<th>{c}</th>" for c in cols) + "</tr>"]
        for name, r in rows.items():
            if name == "accuracy":
                total = rows["macro avg"]["support"]
                cells = ["", "", f"{r:.{digits}f}", str(total)]
            else:
                cells = [f"{r[c]:.{digits}f}" for c in cols[:3]] + [str(r["support"])]
            out.append(f"<tr><th>{html.escape(name)}</th>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        return "".join(out) + "</table>"

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))          # IPython's plain-text view: the table itself, not a quoted string


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
    cm = from_numpy(counts.reshape(num_classes, num_classes).astype(np.int64))
    cm.__class__ = ConfusionMatrix         # the same tensor, with a notebook repr
    return cm


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
    report = ClassificationReport("\n".join(lines) + "\n")
    report.rows, report.digits = rows, digits
    return report
