"""One self-contained HTML page per run: the figures (embedded, so the page can be mailed or moved alone),
the headline numbers, text blocks such as a classification report, the model summaries (layers and parameter
counts, from ``glasstorch.train.summary``) and the command that made it. ``metrics.json`` beside it is
written by the run folder (``RunFolder.write_metrics``)."""
import base64
import html
import os
import shlex
import sys


def _scalars(metrics, prefix=""):
    """The numbers and strings of a nested metrics dict, flattened to ('a / b', value) rows (lists skipped)."""
    rows = []
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows += _scalars(value, name + " / ")
        elif isinstance(value, (int, float, str, bool)):
            rows.append((name, value))
    return rows


def command_line(argv=None, executable=None):
    """The command that started this process, as one would type it again (``sys.argv`` by default):

        glasstorch lab digits             argv[0] is the ``glasstorch`` entry point
        python -m glasstorch lab digits   argv[0] is glasstorch's ``__main__.py``
        python3 f1.py a b                 anything else: the interpreter's name, the script and its arguments
    """
    argv = list(sys.argv if argv is None else argv) or [""]
    program, args = argv[0], argv[1:]
    python = os.path.basename(executable if executable is not None else sys.executable) or "python"
    if os.path.basename(program) in ("glasstorch", "glasstorch.exe"):
        words = ["glasstorch"]
    elif program.endswith(os.path.join("glasstorch", "__main__.py")):
        words = [python, "-m", "glasstorch"]
    elif program in ("", "-c"):
        words = [python, "-c", "..."] if program == "-c" else [python]
    else:
        words = [python, program]
    return shlex.join(words + args)


def write_report(run_dir, title, metrics, texts=None, command=None, models=None, summaries=None):
    """Write ``report.html`` into the run folder; returns its path.

    ``texts``: {heading: text} shown as preformatted blocks. ``models``: {name: nn.Module}, each shown as
    its ``summary`` table (parameter counts per layer, no output shapes); ``summaries``: {name: text} for
    summaries already made (e.g. with an example input, so they show output shapes too). ``command``: the
    command shown as the one that made the page (default: this process's, ``command_line()``)."""
    summaries = dict(summaries or {})
    if models:
        from ..train.summary import summary
        for name, model in models.items():
            summaries.setdefault(name, str(summary(model)))
    command = command if command is not None else command_line()
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
             "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
             "img{max-width:100%;border:1px solid #ddd;margin:.5em 0}td,th{padding:2px 10px;text-align:left}"
             "pre{background:#f6f6f6;padding:1em}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>",
             f"<p>Command: <code>{html.escape(command)}</code></p>"]
    rows = _scalars(metrics)
    if rows:
        parts.append("<h2>Results</h2><table>")
        for name, value in rows:
            shown = f"{value:.4f}" if isinstance(value, float) else str(value)
            parts.append(f"<tr><th>{html.escape(name)}</th><td>{html.escape(shown)}</td></tr>")
        parts.append("</table>")
    for name, text in summaries.items():
        parts.append(f"<h2>Model: {html.escape(name)}</h2><pre class='summary'>{html.escape(text)}</pre>")
    for heading, text in (texts or {}).items():
        parts.append(f"<h2>{html.escape(heading)}</h2><pre>{html.escape(text)}</pre>")
    figures = [p for p in run_dir.files if p.suffix == ".png"]
    if figures:
        parts.append("<h2>Figures</h2>")
    for path in figures:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        parts.append(f"<h3>{html.escape(path.stem.replace('_', ' '))}</h3>"
                     f"<img alt='{html.escape(path.name)}' src='data:image/png;base64,{data}'>")
    parts.append("</body></html>\n")
    target = run_dir.path / "report.html"
    target.write_text("\n".join(parts), encoding="utf-8")
    if target not in run_dir.files:
        run_dir.files.append(target)
    return target
