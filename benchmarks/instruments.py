"""What the glass-box instruments cost: a training step with nothing attached, with ``glass.watch`` and with
``glass.profile``, in one process, interleaved, as a ratio to the bare step (the issue's bar: ≤ 1.3×).

    python benchmarks/instruments.py                         # the course MLP and CNN
    python benchmarks/instruments.py --seconds 4 --repeats 5

"Cost nothing when not attached" is the other half: the hot paths (``Function.apply``, the backward engine,
``Module.__call__``) carry one class-attribute test each when no instrument is on; ``benchmarks/run.py``'s
``small_op_chain`` (per-op overhead against PyTorch) measures that path.
"""
import argparse
import contextlib
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import glasstorch  # noqa: E402
from glasstorch import glass  # noqa: E402

from cases import _train_case, _mnist_model  # noqa: E402

MODELS = {"mlp": "mlp", "cnn": "cnn"}


def attached(kind, model):
    """The instrument named ``kind`` attached to ``model`` (a context manager)."""
    if kind == "bare":
        return contextlib.nullcontext()
    if kind == "watch":
        return glass.watch(model)                     # default every=10
    if kind == "watch-every-step":
        return glass.watch(model, every=1)
    if kind == "profile":
        return glass.profile()
    raise ValueError(kind)


def time_steps(step, seconds):
    n, start = 0, time.perf_counter()
    while True:
        step()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and n >= 5:
            return elapsed / n


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", nargs="*", default=list(MODELS))
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    kinds = ["bare", "watch", "watch-every-step", "profile"]
    print(f"{'model':6} " + " ".join(f"{k:>18}" for k in kinds) + "   (ms per step; ratio to bare, median)")
    for name in args.models:
        holder = {}

        def build(lib, name=name):
            holder["model"] = _mnist_model(lib, MODELS[name])
            return holder["model"]

        step = _train_case(build)(glasstorch)
        model = holder["model"]
        for _ in range(10):
            step()
        times = {k: [] for k in kinds}
        for r in range(args.repeats):
            for kind in (kinds if r % 2 == 0 else kinds[::-1]):
                with attached(kind, model):
                    step()  # the first step attaches
                    times[kind].append(time_steps(step, args.seconds))
        bare = statistics.median(times["bare"])
        cells = [f"{statistics.median(times[k]) * 1e3:8.2f} ({statistics.median(times[k]) / bare:4.2f}x)"
                 for k in kinds]
        print(f"{name:6} " + " ".join(f"{c:>18}" for c in cells))


if __name__ == "__main__":
    main()
