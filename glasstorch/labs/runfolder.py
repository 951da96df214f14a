"""Where a lab's results go: one folder per run, holding its figures (PNG) and ``metrics.json``.

    run = RunFolder.create("iris")           # runs/iris-20261125-103000/
    with run.figure("loss.png") as fig:      # a matplotlib Figure, saved when the block ends
        fig.gca().plot(losses)
    run.write_metrics({"accuracy": 0.97})    # runs/iris-.../metrics.json

matplotlib is imported only when a figure is drawn, with the non-interactive Agg backend, so labs run on
machines without a screen and ``import glasstorch`` stays fast.
"""
import contextlib
import datetime
import json
import os
import pathlib


class RunFolder:
    def __init__(self, path):
        self.path = pathlib.Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.files = []  # what this run wrote, in order

    @classmethod
    def create(cls, lab, root="runs"):
        """A new folder ``root/<lab>-<date>-<time>`` (a suffix is added if that name is taken)."""
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = pathlib.Path(root) / f"{lab}-{stamp}"
        n = 1
        while path.exists():
            n += 1
            path = pathlib.Path(root) / f"{lab}-{stamp}-{n}"
        return cls(path)

    @contextlib.contextmanager
    def figure(self, name, figsize=(6.4, 4.8), **kwargs):
        """Yield a matplotlib Figure; save it as ``name`` (PNG) in this folder when the block ends."""
        plt = pyplot()
        fig = plt.figure(figsize=figsize, **kwargs)
        try:
            yield fig
            fig.tight_layout()
            target = self.path / name
            fig.savefig(target, dpi=100)
            self.files.append(target)
        finally:
            plt.close(fig)

    def write_metrics(self, metrics):
        """Write ``metrics.json`` (numbers, strings, lists and dicts) atomically."""
        target = self.path / "metrics.json"
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(metrics, indent=2, default=_plain) + "\n")
        os.replace(tmp, target)
        if target not in self.files:
            self.files.append(target)
        return target


def pyplot():
    """matplotlib.pyplot with the Agg backend (no screen needed), imported on first use."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def progress(iterable, desc, quiet=False, **kwargs):
    """A tqdm progress bar over ``iterable`` (none when ``quiet``)."""
    from tqdm.auto import tqdm
    return tqdm(iterable, desc=desc, disable=quiet, leave=False, dynamic_ncols=True, **kwargs)


def _plain(value):
    """JSON for NumPy numbers and arrays, and tensors."""
    if hasattr(value, "tolist"):
        return value.tolist()  # a number for 0-d arrays and tensors, nested lists otherwise
    raise TypeError(f"cannot write {type(value).__name__} into metrics.json")
