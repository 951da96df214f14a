"""The ``glasstorch`` command line (also ``python -m glasstorch``).

    glasstorch lab iris          run one of the course's experiments (figures + metrics.json in runs/)
    glasstorch lab --list        list the labs
    glasstorch run train.py ARGS run an unmodified PyTorch script with glasstorch as torch and torchvision
    glasstorch run --nproc-per-node 2 train.py    the same on 2 processes over MPI (torchrun's job)
    glasstorch demo backprop     run a worked example that prints every step
    glasstorch demo --list       list the demos
    glasstorch --help

Built on the standard library's argparse: a parser with three sub-commands, ``lab``, ``run`` and ``demo``.
"""
import argparse

from . import __version__
from .demos import DEMOS, load
from . import labs

# the values of the labs' --model and --dataset (labs/mnist_models.py's MODELS, labs/mnist.py's load_data)
MODEL_CHOICES = ("mlp", "cnn", "improved-cnn", "all")
DATASET_CHOICES = ("mnist", "fashion-mnist", "digits")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="glasstorch",
        description="glasstorch: deep learning from scratch on NumPy, with PyTorch's API.",
        epilog="Examples: glasstorch lab iris; glasstorch demo backprop",
    )
    parser.add_argument("--version", action="version", version=f"glasstorch {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="run a worked example that prints every step",
                               description="Run a worked example that prints every step.")
    demo.add_argument("name", nargs="?", choices=sorted(DEMOS), metavar="NAME",
                      help="the demo to run: " + ", ".join(sorted(DEMOS)))
    demo.add_argument("--list", action="store_true", help="list the demos and exit")
    lab = commands.add_parser("lab", help="run one of the course's experiments",
                              description="Run one of the course's experiments. It prints its progress and "
                                          "writes its figures (PNG) and metrics.json into a run folder.")
    lab.add_argument("name", nargs="?", choices=sorted(labs.LABS), metavar="NAME",
                     help="the lab to run: " + ", ".join(sorted(labs.LABS)))
    lab.add_argument("--list", action="store_true", help="list the labs and exit")
    lab.add_argument("--quick", action="store_true", help="a small, fast version (as the tests run it)")
    lab.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    lab.add_argument("--out", metavar="DIR", help="the run folder (default: runs/NAME-DATE-TIME)")
    # options that only some labs take (each lab's docstring says which)
    lab.add_argument("--model", choices=MODEL_CHOICES, help="mnist: " + ", ".join(MODEL_CHOICES))
    lab.add_argument("--dataset", choices=DATASET_CHOICES,
                     help="mnist, cnn-features, optimizers, regularization, vanishing-gradients: "
                          + ", ".join(DATASET_CHOICES))
    lab.add_argument("--epochs", type=int, help="number of training epochs (mnist)")
    lab.add_argument("--schedule", choices=("cosine", "none"), help="mnist: learning-rate schedule (default cosine)")
    lab.add_argument("--text", metavar="FILE", help="char-lm: a text file to learn (default: the shipped text)")
    lab.add_argument("--data", metavar="DIR", help="mnist: the data folder (torchvision's layout: DIR/MNIST/raw); "
                     "transfer with --weights: an ImageFolder of your images (one sub-folder per class)")
    lab.add_argument("--weights", metavar="FILE", help="transfer: a ResNet-18 state_dict (saved by PyTorch or glasstorch)")
    lab.add_argument("--labels", type=int, help="transfer: labelled training images per class")
    run = commands.add_parser("run", help="run a PyTorch script with glasstorch in place of torch/torchvision",
                              description="Run an unmodified PyTorch/torchvision script: `import torch` and "
                                          "`import torchvision` give glasstorch and glasstorch.vision.")
    run.add_argument("--watch", action="store_true",
                     help="watch every model the script trains (glass.watch) and write a report when it ends")
    run.add_argument("--every", type=int, default=10, help="with --watch: record every N-th step (default 10)")
    run.add_argument("--out", metavar="DIR", help="with --watch: the run folder (default: runs/watch-SCRIPT-TIME)")
    from .distributed.run import add_arguments as add_launcher_arguments
    add_launcher_arguments(run)  # --nproc-per-node N: N processes over MPI (glasstorch/distributed/run.py)
    run.add_argument("script", help="the Python script")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed to the script")
    return parser


def print_table(title, entries, out=print):
    """``title``, then one ``name  description`` line per entry, the descriptions in one column."""
    out(title)
    width = max(len(name) for name in entries) + 2
    for name, description in sorted(entries.items()):
        out(f"  {name:<{width}}{description}")


def list_labs(out=print):
    print_table("labs (run one with: glasstorch lab NAME):", labs.LABS, out)


def run_lab(name, quick=False, seed=0, out_dir=None, log=print, **options):
    """Run a lab into a run folder; print where its files went; return its metrics. ``options`` go to the
    lab's ``run`` (e.g. ``model="cnn"`` for the mnist lab)."""
    from .labs.runfolder import RunFolder
    run_dir = RunFolder(out_dir) if out_dir else RunFolder.create(name)
    log(f"lab {name}: {labs.LABS[name]}")
    metrics = labs.load(name).run(run_dir, quick=quick, seed=seed, log=log, **options)
    run_dir.write_metrics(metrics)
    if not (run_dir.path / "report.html").exists():  # a lab that draws no page of its own gets the plain one
        from .labs.report import write_report
        write_report(run_dir, f"lab {name}: {labs.LABS[name]}", metrics)
    log(f"results in {run_dir.path}/: " + ", ".join(sorted(p.name for p in run_dir.path.iterdir())))
    return metrics


def list_demos(out=print):
    print_table("demos (run one with: glasstorch demo NAME):", DEMOS, out)


def main(argv=None):
    """Entry point of the ``glasstorch`` script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `glasstorch`: say what it can do
        parser.print_help()
        return 0
    if args.command == "lab":
        if args.list or args.name is None:
            list_labs()
            return 0
        options = {k: v for k, v in (("model", args.model), ("dataset", args.dataset), ("epochs", args.epochs),
                                     ("data", args.data), ("schedule", args.schedule),
                                     ("weights", args.weights), ("labels", args.labels),
                                     ("text", args.text)) if v is not None}
        try:
            run_lab(args.name, quick=args.quick, seed=args.seed, out_dir=args.out, **options)
        except TypeError as e:
            if "unexpected keyword argument" not in str(e):
                raise
            parser.error(f"lab {args.name} does not take --{str(e).split(chr(39))[1]}")
        return 0
    if args.command == "run":
        if args.nproc_per_node is not None or args.hostfile:  # several processes: the launcher (torchrun's job)
            if args.watch:
                parser.error("--watch watches one process: it does not combine with --nproc-per-node")
            from .distributed.run import launch
            return launch(args.script, args.args, args.nproc_per_node or 1, args.nnodes, args.hostfile,
                          args.master_addr, args.master_port, torch_alias=True)
        if args.watch:
            from .glass.script_watch import watch_script
            watch_script(args.script, args.args, out_dir=args.out, every=args.every)
            return 0
        from .aliasing import run_script
        run_script(args.script, args.args)
        return 0
    if args.command == "demo":
        if args.list or args.name is None:
            list_demos()
            return 0
        load(args.name).run()
        return 0
    parser.error(f"unknown command {args.command!r}")  # unreachable: argparse checks the choices


if __name__ == "__main__":
    raise SystemExit(main())
