"""``glasstorch run --watch script.py``: run an unmodified PyTorch script and watch every model it trains.

The script does not know it is watched. While it runs, ``Module.__call__`` is replaced by a version that,
when a module is called from outside any other module (so it is a whole model, not a layer inside one), in
training mode, and has parameters, attaches ``glass.watch`` to it the first time. Loss modules (no
parameters) and the layers inside a model are left alone. When the script ends (normally or with an
error), the original ``__call__`` is put back, every watch is closed, and the run folder gets, per model,
the watch figures (activation histograms, gradient flow, and dead units when it has ReLU, Sigmoid or Tanh
modules), the per-layer table and the model summary, plus everything the script printed, in ``report.html``
and ``metrics.json``.

The replacement lives only for the duration of ``watch_script``: outside it ``Module.__call__`` is the
plain one, so watching costs nothing when it is not asked for.
"""
import contextlib
import io
import sys

from ..nn.modules.module import Module
from .watch import Watch

__all__ = ["watch_script"]


class _Tee(io.TextIOBase):
    """A stdout that writes through to the real one and keeps a copy (the script's printed output)."""

    def __init__(self, stream):
        self.stream, self.copy = stream, io.StringIO()

    def write(self, text):
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()


class ScriptWatcher:
    """Attaches a ``Watch`` to each model the script trains (see the module docstring)."""

    def __init__(self, every=10):
        self.every = every
        self.watches = {}            # id(model) -> (name, model, Watch), in the order models were first trained
        self._depth = 0              # how many module calls are running (0: the next call is a whole model)

    def install(self):
        self._original_call = Module.__call__
        watcher, original = self, self._original_call

        def watched_call(module, *args, **kwargs):
            if watcher._depth == 0 and module.training and id(module) not in watcher.watches \
                    and next(iter(module.parameters()), None) is not None:
                name = f"{type(module).__name__}" + (f"_{len(watcher.watches)}" if watcher.watches else "")
                w = Watch(module, every=watcher.every)
                watcher.watches[id(module)] = (name, module, w)  # its pre-hook counts this very call
            watcher._depth += 1
            try:
                return original(module, *args, **kwargs)
            finally:
                watcher._depth -= 1

        Module.__call__ = watched_call

    def uninstall(self):
        Module.__call__ = self._original_call
        for _, _, w in self.watches.values():
            w.close()


def watch_script(path, args=(), out_dir=None, every=10, log=print, command=None):
    """Run ``path`` like ``glasstorch run`` (torch aliased to glasstorch) with every trained model watched;
    write the report into ``out_dir`` (default ``runs/watch-<script>-<time>``). Returns the RunFolder.

    ``command``: the command line the report shows as the one that made it; by default the ``glasstorch run
    --watch`` command with these arguments (``--every``, ``--out`` when given, the script and its arguments)."""
    import pathlib
    import shlex

    from ..aliasing import run_script
    from ..labs.report import write_report
    from ..labs.runfolder import RunFolder

    run_dir = RunFolder(out_dir) if out_dir else RunFolder.create(f"watch-{pathlib.Path(path).stem}")
    watcher = ScriptWatcher(every=every)
    tee = _Tee(sys.stdout)
    error = None
    watcher.install()
    try:
        with contextlib.redirect_stdout(tee):
            run_script(path, args)
    except SystemExit as e:  # argparse's --help, or sys.exit() at the end of a script
        if e.code not in (None, 0):
            error = e
    except BaseException as e:  # noqa: BLE001  (the report is still written, then the error goes on)
        error = e
    finally:
        watcher.uninstall()
    metrics, texts, figures = {"script": str(path), "args": list(args), "models": {}}, {}, []
    texts["what the script printed"] = tee.copy.getvalue()[-20000:] or "(nothing)"
    for name, model, w in watcher.watches.values():
        metrics["models"][name] = w.to_dict()
        texts[f"{name}: per-layer watch (last recorded step)"] = w.summary()
        figures += w.save_figures(run_dir, prefix=f"{name}_")
    if error is not None:
        texts["the script stopped with an error"] = f"{type(error).__name__}: {error}"
        metrics["error"] = f"{type(error).__name__}: {error}"
    run_dir.write_metrics(metrics)
    models = {name: model for name, model, _ in watcher.watches.values()}
    write_report(run_dir, f"glasstorch run --watch {pathlib.Path(path).name}", metrics, texts=texts,
                 models=models, command=command if command is not None else shlex.join(
                     ["glasstorch", "run", "--watch", "--every", str(every)]
                     + (["--out", str(out_dir)] if out_dir else []) + [str(path), *map(str, args)]))
    log(f"watched {len(models)} model(s): {', '.join(models) or 'none'}; report in {run_dir.path}/report.html")
    if error is not None:
        raise error
    return run_dir
