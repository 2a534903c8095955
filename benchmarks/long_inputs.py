"""`tpc run` on long inputs: seconds and peak memory for every program in examples/rasp
(and tracr/).

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/long_inputs.py \\
        [--lengths 2000,4096] [--repeat 3]

Each cell is a fresh `tpc run` process (start-up included) on a random input the program is
defined on (see `tokens`); the time is the best of --repeat, the memory the peak resident size
of that process. The last column checks that one token past tpc.load.RUN_MAX_LEN_LIMIT is
refused with a one-line error.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from tpc.load import RUN_MAX_LEN_LIMIT

REPO = Path(__file__).resolve().parent.parent
TPC = str(Path(sys.executable).parent / "tpc")
EXAMPLES = REPO / "examples" / "rasp"
# The tracr sorts break ties with index / 8 (their max_seq_len) and make_sort_unique needs
# unique keys: they are defined on distinct numbers far enough apart, here 1000 apart.
DISTINCT = {"make_sort", "make_sort_unique", "make_sort_freq"}


def tokens(program: Path, n: int) -> list[str]:
    rng = random.Random(n)
    if program.stem in DISTINCT:
        return [str(1000 * i) for i in rng.sample(range(n), n)]
    return [rng.choice("ab()x{}l") for _ in range(n)]


def measure(program: Path, n: int) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit code, first stderr line) of one `tpc run` on n tokens."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [TPC, "run", str(program), "-i", " ".join(tokens(program, n))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    return (
        time.perf_counter() - t0,
        usage.ru_maxrss / 1024,
        os.waitstatus_to_exitcode(status),
        (err.splitlines() or [""])[0],
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    ap.add_argument("--lengths", default=f"2000,{RUN_MAX_LEN_LIMIT}")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    lengths = [int(n) for n in args.lengths.split(",")]
    print(
        f"| program | {' | '.join(f'{n} tokens: s (MB)' for n in lengths)} | "
        f"{RUN_MAX_LEN_LIMIT + 1} tokens |"
    )
    print("|---" * (len(lengths) + 2) + "|")
    for program in sorted(EXAMPLES.glob("*.rasp")) + sorted(EXAMPLES.glob("tracr/*.rasp")):
        cells = []
        for n in lengths:
            runs = [measure(program, n) for _ in range(args.repeat)]
            best = min(runs)
            peak = max(r[1] for r in runs)
            cells.append(
                f"{best[0]:.1f} ({peak:.0f})" if best[2] == 0 else f"exit {best[2]}: {best[3]}"
            )
        over = measure(program, RUN_MAX_LEN_LIMIT + 1)
        cells.append(
            "clean error" if over[2] == 2 and over[3].startswith("error: ") else f"exit {over[2]}"
        )
        print(
            f"| {program.relative_to(EXAMPLES).with_suffix('')} | {' | '.join(cells)} |", flush=True
        )


if __name__ == "__main__":
    main()
