"""Threads and start-up of the commands that take a model, before and after, side by side
(wall and CPU seconds of the whole command as a subprocess; best of --repeat).

    python benchmarks/startup.py --before DIR [--repeat 5] [--model PATH]
        [--only threads|startup|python|floor] [--python-max-len 5]

DIR is a source tree of the tpc to compare with (e.g. `git archive <commit> | tar -x -C DIR`);
it is run with PYTHONPATH=DIR by this checkout's interpreter. --model is a small checkpoint
(default: the paper's hist run in ../shared/reference).

threads: `tpc verify MODEL MODEL.json` over the model's whole domain: with OMP_NUM_THREADS and
  MKL_NUM_THREADS unset (before: torch's default pool) and set to 2 (before: a pool of 2;
  after: ignored, 1 thread); after with --threads 2 (a pool of 2, asked for).
startup: `tpc lift --to json`, `trace`, `draw` and `verify --max-len 1` (the work itself is
  milliseconds, so the time is start-up: imports, loading, lifting): before; after with the
  cache of lifted programs warm (a private TPC_CACHE_DIR, filled by one untimed run); after
  with --no-cache (lifting again, as the first run of a checkpoint does).
python: `tpc verify MODEL.py MODEL.json --max-len N`, the lifted program emitted as Python
  against its JSON: before, the module called input by input in one process; after, large
  batches split over one worker process per core (CPU includes the workers').
floor (no --before needed): where `tpc verify MODEL lifted.json --max-len 1` spends its
  start-up: a bare interpreter, `import torch` alone, `import tpc.cli` alone (what every
  command loads), both, and the command itself. A check of a checkpoint runs the model, so it
  cannot start before torch has loaded: the `import torch` row is its floor on this machine.
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


def timed(args, env, module: bool = True) -> tuple[float, float]:
    """(wall, CPU user+system) seconds of one run of `python -m tpc.cli ARGS` (`module`),
    else of `python ARGS`, started outside the checkout (`-m` puts the working directory first
    on sys.path: PYTHONPATH would lose)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *(["-m", "tpc.cli"] if module else []), *args],
        env=env,
        cwd=env["TPC_CACHE_DIR"],
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"tpc {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(args, env, repeat, module: bool = True) -> tuple[float, float]:
    """Best wall and best CPU seconds over `repeat` runs."""
    runs = [timed(args, env, module) for _ in range(repeat)]
    return min(w for w, _ in runs), min(c for _, c in runs)


def environment(tree: str | None, cache: str, omp: str | None = "1") -> dict:
    """The environment of one run: `tree`'s tpc (None: this checkout), the private cache, and
    OMP_NUM_THREADS / MKL_NUM_THREADS set to `omp` (None: unset)."""
    dropped = ("PYTHONPATH", "TPC_THREADS", "TPC_NO_CACHE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    if tree is not None:
        env["PYTHONPATH"] = tree
    env["TPC_CACHE_DIR"] = cache
    os.makedirs(cache, mode=0o700, exist_ok=True)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if omp is None:
            env.pop(name, None)
        else:
            env[name] = omp
    return env


def row(name, before, after) -> str:
    return (
        f"| {name} | {before[0]:.2f} / {before[1]:.2f} | {after[0]:.2f} / {after[1]:.2f} | "
        f"{after[0] / before[0]:.2f}x / {after[1] / before[1]:.2f}x |"
    )


def floor(opts, program: str, cache: str) -> None:
    """The start-up of `verify MODEL lifted.json --max-len 1` next to what it must load."""
    env = environment(None, cache)
    runs = {
        "python -c pass": ["-c", "pass"],
        "python -c 'import torch'": ["-c", "import torch"],
        "python -c 'import tpc.cli'": ["-c", "import tpc.cli"],
        "python -c 'import tpc.cli, torch'": ["-c", "import tpc.cli, torch"],
        "tpc verify MODEL lifted.json --max-len 1": [
            "-m",
            "tpc.cli",
            "verify",
            opts.model,
            program,
            "--max-len",
            "1",
        ],
    }
    print("\nfloor: OMP_NUM_THREADS=1\n| run | wall | CPU |\n|---|---|---|")
    for name, args in runs.items():
        wall, cpu = best(args, env, opts.repeat, module=False)
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    print(f"load {os.getloadavg()[0]:.1f} at end")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="source tree of the tpc to compare with")
    parser.add_argument("--model", default=str(HIST))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["threads", "startup", "python", "floor"])
    parser.add_argument("--python-max-len", type=int, default=5)
    opts = parser.parse_args()
    if opts.before is None and opts.only != "floor":
        parser.error("--before DIR is needed (all but --only floor)")
    with tempfile.TemporaryDirectory() as tmp:
        cache = str(Path(tmp) / "cache")
        program = str(Path(tmp) / "lifted.json")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tpc.cli",
                "lift",
                opts.model,
                "--to",
                "json",
                "-o",
                program,
                "--no-cache",
            ],
            check=True,
            cwd=tmp,
            capture_output=True,
        )
        print(
            f"model {opts.model}; best of {opts.repeat}; seconds wall / CPU; load "
            f"{os.getloadavg()[0]:.1f} at start"
        )
        if opts.only == "floor":
            floor(opts, program, cache)
            return
        for name, tree in (("before", opts.before), ("after", None)):
            where = subprocess.run(
                [sys.executable, "-c", "import tpc; print(tpc.__file__)"],
                env=environment(tree, cache),
                cwd=cache,
                text=True,
                capture_output=True,
                check=True,
            ).stdout.strip()
            print(f"{name}: {where}")
        header = "| command | before | after | after / before |\n|---|---|---|---|"
        if opts.only in (None, "threads"):
            print("\nthreads: `tpc verify MODEL lifted.json`\n" + header)
            verify = ["verify", opts.model, program]
            old = best(verify, environment(opts.before, cache, None), opts.repeat)
            print(
                row(
                    "OMP_NUM_THREADS unset",
                    old,
                    best(verify, environment(None, cache, None), opts.repeat),
                )
            )
            print(
                row(
                    "OMP_NUM_THREADS=2 (after: 1 unless --threads)",
                    best(verify, environment(opts.before, cache, "2"), opts.repeat),
                    best(verify, environment(None, cache, "2"), opts.repeat),
                )
            )
            two = best([*verify, "--threads", "2"], environment(None, cache, None), opts.repeat)
            print(row("unset; after with --threads 2", old, two))
        if opts.only in (None, "startup"):
            print(
                "\nstart-up: OMP_NUM_THREADS=1\n| command | before | after (cache warm) | "
                "after / before | after, --no-cache |\n|---|---|---|---|---|"
            )
            commands = {
                "lift --to json": [
                    "lift",
                    opts.model,
                    "--to",
                    "json",
                    "-o",
                    str(Path(tmp) / "out.json"),
                ],
                "trace -i": ["trace", opts.model, "-i", "1 2 2"],
                "draw -o .svg": ["draw", opts.model, "-o", str(Path(tmp) / "out.svg")],
                "verify --max-len 1": ["verify", opts.model, program, "--max-len", "1"],
            }
            for name, args in commands.items():
                old = best(args, environment(opts.before, cache), opts.repeat)
                timed(args, environment(None, cache))  # fills the cache
                warm = best(args, environment(None, cache), opts.repeat)
                cold = best(
                    [*args, "--no-cache"] if name != "verify --max-len 1" else args,
                    environment(None, cache),
                    opts.repeat,
                )
                print(f"{row(name, old, warm)} {cold[0]:.2f} / {cold[1]:.2f} |")
        if opts.only in (None, "python"):
            module = str(Path(tmp) / "lifted.py")
            subprocess.run(
                [sys.executable, "-m", "tpc.cli", "lift", opts.model, "-o", module],
                check=True,
                cwd=tmp,
                capture_output=True,
            )
            print(f"\nemitted module: OMP_NUM_THREADS=1; {os.cpu_count()} cores\n" + header)
            args = ["verify", module, program, "--max-len", str(opts.python_max_len)]
            print(
                row(
                    f"verify lifted.py lifted.json --max-len {opts.python_max_len}",
                    best(args, environment(opts.before, cache), opts.repeat),
                    best(args, environment(None, cache), opts.repeat),
                )
            )
        print(f"load {os.getloadavg()[0]:.1f} at end")


if __name__ == "__main__":
    main()
