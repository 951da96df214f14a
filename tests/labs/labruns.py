"""What the lab tests share: run a lab in quick mode through the CLI's ``run_lab`` and check what every lab
must write (metrics.json equal to what ``run`` returned, report.html embedding every figure)."""
import json
import pathlib

from glasstorch import cli

MNIST = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / "mnist"


def run_lab(name, folder, **options):
    """Run lab ``name`` quickly into ``folder``; returns (metrics, the lines it logged)."""
    lines = []
    metrics = cli.run_lab(name, quick=True, out_dir=folder, log=lines.append, **options)
    written = json.loads((folder / "metrics.json").read_text())
    assert written == json.loads(json.dumps(metrics))  # metrics.json holds what run() returned
    page = (folder / "report.html").read_text()         # every lab writes its page, figures embedded
    assert page.count("<img") == len(pngs(folder))
    return metrics, lines


def pngs(folder):
    return sorted(p.name for p in folder.glob("*.png"))
