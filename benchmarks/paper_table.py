"""Rerun the paper's Table 1 rows with ``tpc train`` (hours on 2 cores; not part of CI).

    python benchmarks/paper_table.py [--jobs 2] [--only sort,hist] [--runs runs/paper]

Each row is one seed-0 run at the paper's architecture (heads and MLPs split evenly between
categorical and numerical). Results go to ``<runs>/<task>/metrics.json``; the script prints a
markdown table of test accuracy next to the paper's number.
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


def command(task: str, out: Path) -> list[str]:
    layers, heads, mlps, _ = ROWS[task]
    return ["tpc", "train", "--task", task, "--layers", str(layers),
            "--cat-heads", str(heads // 2), "--num-heads", str(heads // 2),
            "--cat-mlps", str(mlps // 2), "--num-mlps", str(mlps // 2),
            "--epochs", "250", "--seed", "0", "--quiet", "-o", str(out / task)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default=",".join(ROWS))
    ap.add_argument("--runs", type=Path, default=Path("runs/paper"))
    ap.add_argument("--table-only", action="store_true", help="Only print the table.")
    args = ap.parse_args()
    tasks = args.only.split(",")
    if not args.table_only:
        tpc = Path(sys.executable).with_name("tpc")
        cmds = [[str(tpc), *command(t, args.runs)[1:]] for t in tasks]
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(lambda c: subprocess.run(c, check=False), cmds))
    print("| task | layers / heads / MLPs | paper | tpc (test) | command |")
    print("|---|---|---|---|---|")
    for t in tasks:
        layers, heads, mlps, paper = ROWS[t]
        path = args.runs / t / "metrics.json"
        got = f"{100 * json.loads(path.read_text())['test_acc']:.2f}" if path.exists() else "pending"
        print(f"| {t} | {layers} / {heads} / {mlps} | {paper:.2f} | {got} | `{' '.join(command(t, args.runs))}` |")


if __name__ == "__main__":
    main()
