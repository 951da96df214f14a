"""The ``glasstorch`` command line (also ``python -m glasstorch``).

    glasstorch demo backprop     run a worked example that prints every step
    glasstorch demo --list       list the demos
    glasstorch --help

Built on the standard library's argparse: a parser with one sub-command, ``demo``.
"""
import argparse

from . import __version__
from .demos import DEMOS, load


def build_parser():
    parser = argparse.ArgumentParser(
        prog="glasstorch",
        description="glasstorch: deep learning from scratch on NumPy, with PyTorch's API.",
        epilog="Example: glasstorch demo backprop",
    )
    parser.add_argument("--version", action="version", version=f"glasstorch {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="run a worked example that prints every step",
                               description="Run a worked example that prints every step.")
    demo.add_argument("name", nargs="?", choices=sorted(DEMOS), metavar="NAME",
                      help="the demo to run: " + ", ".join(sorted(DEMOS)))
    demo.add_argument("--list", action="store_true", help="list the demos and exit")
    return parser


def list_demos(out=print):
    out("demos (run one with: glasstorch demo NAME):")
    for name, description in sorted(DEMOS.items()):
        out(f"  {name:<12}{description}")


def main(argv=None):
    """Entry point of the ``glasstorch`` script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `glasstorch`: say what it can do
        parser.print_help()
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
