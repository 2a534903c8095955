"""Verifying against an emitted .py: the module's worker pool (`tpc/verify/module_pool.py`) on
and off, and (--before) a module emitted by another tpc, side by side (wall and CPU seconds of
the whole command as a subprocess, workers included; best of --repeat, the ways alternating).

    python benchmarks/verify_python.py [--model PATH] [--max-len 6] [--repeat 3] [--before DIR]

The model (default: the paper's hist run in ../shared/reference) is lifted once to a module
M.py and its IR JSON M.json; then `tpc verify M.py M.json --max-len N` runs as it ships (a
pool of one worker per core once the module has run 2 s in-process) and with the pool off
(the module run input by input in the calling process). With --before DIR (a source tree of
another tpc, e.g. `git archive <commit> | tar -x -C DIR`), the same model is also emitted by
DIR's tpc (its runtime helpers) and verified by this checkout's, pool on. OMP_NUM_THREADS=1.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HIST = ROOT.parent / "shared" / "reference" / "hist"
NO_POOL = (
    "import importlib; r = importlib.import_module('tpc.verify.runnables'); "
    "r.POOL_AFTER_SECONDS = float('inf'); "
    "from tpc.cli import main; main(prog_name='tpc')"
)


def timed(argv, env, cwd) -> tuple[float, float, str]:
    """(wall, CPU user+system of it and its children, stdout) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(HIST))
    parser.add_argument("--max-len", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", help="also verify the module this tpc tree emits")
    opts = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("TPC_THREADS", "PYTHONPATH")}
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", TPC_NO_CACHE="1")
    tpc = [sys.executable, "-m", "tpc.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        module, program = str(Path(tmp) / "M.py"), str(Path(tmp) / "M.json")
        old_module = str(Path(tmp) / "before.py")
        lifts = [(module, "python", env), (program, "json", env)]
        if opts.before:
            lifts.append((old_module, "python", dict(env, PYTHONPATH=opts.before)))
        for out, target, lift_env in lifts:
            subprocess.run(
                [*tpc, "lift", opts.model, "--to", target, "-o", out],
                env=lift_env,
                cwd=tmp,
                check=True,
                capture_output=True,
            )

        def verify(path):
            return ["verify", path, program, "--max-len", str(opts.max_len), "--no-progress"]

        ways = {
            "pool (as shipped)": [*tpc, *verify(module)],
            "no pool": [sys.executable, "-c", NO_POOL, *verify(module)],
        }
        if opts.before:
            ways[f"pool, module emitted by {opts.before}"] = [*tpc, *verify(old_module)]
        print(
            f"model {opts.model}; `tpc verify M.py M.json --max-len {opts.max_len}`; "
            f"{len(os.sched_getaffinity(0))} cores; best of {opts.repeat}; load "
            f"{os.getloadavg()[0]:.1f} at start"
        )
        runs = {name: [] for name in ways}
        for _ in range(opts.repeat):
            for name, argv in ways.items():
                runs[name].append(timed(argv, env, tmp))
        best = {n: (min(r[0] for r in rs), min(r[1] for r in rs)) for n, rs in runs.items()}
        print(f"result: {runs['no pool'][0][2]}")
        print("| way | wall s | CPU s |\n|---|---|---|")
        for name, (wall, cpu) in best.items():
            print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
        (pw, pc), (nw, nc) = best["pool (as shipped)"], best["no pool"]
        print(f"pool / no pool: wall {pw / nw:.2f}x, CPU {pc / nc:.2f}x")
        if opts.before:
            bw, bc = best[f"pool, module emitted by {opts.before}"]
            print(f"this module / --before's: wall {pw / bw:.2f}x, CPU {pc / bc:.2f}x")
        print(f"load {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
