"""Rerun the paper's Table 1 rows with ``tpc train`` (hours on 2 cores; not part of CI).

    python benchmarks/paper_table.py [--only sort,hist] [--seeds 0,1,2] [--heads 8] [--jobs 1]
    python benchmarks/paper_table.py --table-only

Each run is the paper's architecture for the task (heads and MLPs split evenly between
categorical and numerical), 250 epochs, 20,000 examples; ``--heads`` overrides the head count
(the paper's grid has 4 and 8). Runs go to ``<runs>/<task>[_h<heads>][_seed<seed>]`` and are
skipped when their ``metrics.json`` exists. The script prints a markdown table of every run
found (test accuracy next to the paper's) and, per task, the best.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# task: (layers, heads, mlps, paper test accuracy %)
ROWS = {
    "reverse": (3, 8, 2, 99.79),
    "hist": (1, 4, 2, 100.00),
    "double_hist": (3, 4, 2, 98.40),
    "sort": (3, 8, 4, 99.83),
    "most_freq": (3, 8, 4, 75.69),
    "dyck1": (3, 8, 2, 99.30),
    "dyck2": (3, 4, 4, 99.09),
}


def run_name(task: str, seed: int, heads: int | None) -> str:
    name = task + (f"_h{heads}" if heads else "")
    return name + (f"_seed{seed}" if seed or heads else "")


def command(task: str, out: Path, seed: int, heads: int | None) -> list[str]:
    layers, paper_heads, mlps, _ = ROWS[task]
    h = heads or paper_heads
    return [
        "tpc",
        "train",
        "--task",
        task,
        "--layers",
        str(layers),
        "--cat-heads",
        str(h // 2),
        "--num-heads",
        str(h // 2),
        "--cat-mlps",
        str(mlps // 2),
        "--num-mlps",
        str(mlps // 2),
        "--epochs",
        "250",
        "--seed",
        str(seed),
        "--quiet",
        "-o",
        str(out / run_name(task, seed, heads)),
    ]


def table(tasks: list[str], runs: Path) -> None:
    print("| task | run | layers / heads / MLPs | paper | tpc (test) |")
    print("|---|---|---|---|---|")
    for t in tasks:
        layers, heads, mlps, paper = ROWS[t]
        found = []
        for path in sorted(runs.glob(f"{t}*/metrics.json")):
            metrics = json.loads(path.read_text())
            opts = metrics["options"]
            if opts["task"] != t:
                continue
            shape = (
                f"{opts['layers']} / {opts['cat_heads'] + opts['num_heads']} / "
                f"{opts['cat_mlps'] + opts['num_mlps']}"
            )
            found.append(100 * metrics["test_acc"])
            print(
                f"| {t} | {path.parent.name} (seed {opts['seed']}) | {shape} | {paper:.2f} | "
                f"{found[-1]:.2f} |"
            )
        best = f"**{max(found):.2f}**" if found else "pending"
        print(
            f"| {t} | best of {len(found)} | {layers} / {heads} / {mlps} | {paper:.2f} | {best} |"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=1, help="Runs at once (each uses one thread).")
    ap.add_argument("--only", default=",".join(ROWS))
    ap.add_argument("--seeds", default="0")
    ap.add_argument("--heads", type=int, default=None, help="Total heads instead of the paper's.")
    ap.add_argument("--runs", type=Path, default=Path("runs/paper"))
    ap.add_argument("--table-only", action="store_true", help="Only print the table.")
    args = ap.parse_args()
    tasks = args.only.split(",")
    unknown = set(tasks) - set(ROWS)
    if unknown:
        ap.error(f"unknown task(s): {', '.join(sorted(unknown))}")
    if not args.table_only:
        tpc = Path(sys.executable).with_name("tpc")
        cmds = [
            [str(tpc), *command(t, args.runs, int(s), args.heads)[1:]]
            for t in tasks
            for s in args.seeds.split(",")
            if not (args.runs / run_name(t, int(s), args.heads) / "metrics.json").exists()
        ]
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(lambda c: subprocess.run(c, check=False), cmds))
    table(tasks, args.runs)


if __name__ == "__main__":
    main()
