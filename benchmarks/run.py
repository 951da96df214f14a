"""Time glasstorch against PyTorch, side by side, and print the ratio (glasstorch time / PyTorch time).

    python benchmarks/run.py                      # every case
    python benchmarks/run.py matmul_tanh_sum --seconds 5 --repeats 5

Method (see ../shared/docs/performance.md): each library runs in its own process (two BLAS thread pools in
one process distort each other), in the order A B B A per repeat, with a warm-up of at least 20 steps and
a timed window of several seconds; the ratio quoted is the median over repeats (7 by default), with the
min-max of the per-repeat ratios beside it. Both use 2 threads, or ``--threads N`` (PyTorch's
``set_num_threads``; for glasstorch OpenBLAS's ``OPENBLAS_NUM_THREADS`` and ``glasstorch.set_num_threads``, which
sets the compiled kernels' threads). ``--reference`` runs glasstorch with its plain array code only
(``GLASSTORCH_KERNELS=reference``), to see what the kernels (glasstorch/kernels/) buy.

The end-to-end case (one real MNIST epoch, wall time) is ``benchmarks/mnist_e2e.py --compare 3``.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))


def worker(lib_name, case, seconds, warmup):
    if lib_name == "torch":
        import torch as lib
        lib.set_num_threads(int(os.environ.get("OPENBLAS_NUM_THREADS", "2")))
    else:
        import glasstorch as lib
        lib.set_num_threads(int(os.environ.get("OPENBLAS_NUM_THREADS", "2")))
    from cases import CASES
    rss_before = _rss_mb()
    step = CASES[case](lib)
    for _ in range(warmup):
        step()
    n, start = 0, time.perf_counter()
    while True:
        step()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and n >= 5:
            break
    per_step = elapsed / n
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB -> MB (Linux)
    print(json.dumps({"lib": lib_name, "case": case, "seconds_per_step": per_step, "steps": n,
                      "ops_per_step": getattr(step, "ops_per_step", 1),
                      "peak_rss_mb": peak, "peak_growth_mb": peak - rss_before}))


def _rss_mb():
    """This process's resident memory now, in MB (after the library's import: its own size is not counted)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(lib_name, case, seconds, warmup, threads=2, reference=False):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))  # glasstorch's BLAS; the torch worker reads it too
    if reference:
        env["GLASSTORCH_KERNELS"] = "reference"
    out = subprocess.run([sys.executable, __file__, "--worker", lib_name, case, "--seconds", str(seconds),
                          "--warmup", str(warmup)], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cases", nargs="*")
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--threads", type=int, default=2, help="threads for both libraries (default 2)")
    p.add_argument("--reference", action="store_true", help="glasstorch without its compiled kernels")
    p.add_argument("--worker", nargs=2, metavar=("LIB", "CASE"), help=argparse.SUPPRESS)
    p.add_argument("--json", help="also write the results to this file")
    args = p.parse_args(argv)
    if args.worker:
        return worker(args.worker[0], args.worker[1], args.seconds, args.warmup)
    from cases import CASES
    cases = args.cases or list(CASES)
    results = []
    print(f"{'case':28} {'PyTorch':>12} {'glasstorch':>12} {'ratio (min-max)':>17} (per step; median of {args.repeats}; "
          f"peak memory growth over the setup+run, PyTorch / glasstorch)")
    for case in cases:
        times = {"torch": [], "glasstorch": []}
        memory = {"torch": [], "glasstorch": []}
        ratios = []
        for r in range(args.repeats):
            order = ["torch", "glasstorch", "glasstorch", "torch"] if r % 2 == 0 else \
                    ["glasstorch", "torch", "torch", "glasstorch"]
            got = {"torch": [], "glasstorch": []}
            for lib in order:
                res = measure(lib, case, args.seconds / 2, args.warmup, args.threads, args.reference)
                got[lib].append(res["seconds_per_step"])
                memory[lib].append(res["peak_growth_mb"])
            t, g = statistics.mean(got["torch"]), statistics.mean(got["glasstorch"])
            times["torch"].append(t)
            times["glasstorch"].append(g)
            ratios.append(g / t)
        t, g, ratio = statistics.median(times["torch"]), statistics.median(times["glasstorch"]), statistics.median(ratios)
        ops = res["ops_per_step"]
        unit = "per op" if ops > 1 else ""
        mt, mg = max(memory["torch"]), max(memory["glasstorch"])
        print(f"{case:28} {_fmt(t / ops):>12} {_fmt(g / ops):>12} {ratio:6.2f}x ({min(ratios):.2f}-{max(ratios):.2f}) {unit:6} "
              f"peak memory growth {mt:.0f} / {mg:.0f} MB")
        results.append({"case": case, "torch_s": t / ops, "glasstorch_s": g / ops, "ratio": ratio,
                        "ratios": ratios, "per": "op" if ops > 1 else "step",
                        "torch_peak_growth_mb": mt, "glasstorch_peak_growth_mb": mg})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "python": sys.version.split()[0]}, f, indent=1)


def _fmt(seconds):
    return f"{seconds * 1e6:.1f} us" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


if __name__ == "__main__":
    main()
