"""`tpc run` on long inputs: seconds and peak memory for every program in examples/rasp (and tracr/).

    nice -n 10 .venv/bin/python benchmarks/long_inputs.py [--lengths 64,128,256] [--repeat 1]

Each run is a fresh `tpc run` process (start-up included) on a random input of digits 0..5;
the time is the best of --repeat, the memory the process's peak resident size. Inputs past
tpc.load.MAX_LEN_LIMIT are refused with a one-line error, which the last column checks.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from tpc.load import MAX_LEN_LIMIT

REPO = Path(__file__).resolve().parent.parent
TPC = str(Path(sys.executable).parent / "tpc")


def measure(program: Path, n: int) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit code, first stderr line) of one `tpc run` on n tokens."""
    text = " ".join(str(random.Random(n).randrange(6)) for _ in range(n))
    t0 = time.perf_counter()
    proc = subprocess.Popen([TPC, "run", str(program), "-i", text], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, proc.returncode, (err.splitlines() or [""])[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", default=f"64,128,{MAX_LEN_LIMIT}")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    lengths = [int(n) for n in args.lengths.split(",")]
    print(f"| program | {' | '.join(f'{n} tokens: s (MB)' for n in lengths)} | {MAX_LEN_LIMIT + 1} tokens |")
    print("|---" * (len(lengths) + 2) + "|")
    examples = REPO / "examples" / "rasp"
    for program in sorted(examples.glob("*.rasp")) + sorted(examples.glob("tracr/*.rasp")):
        cells = []
        for n in lengths:
            runs = [measure(program, n) for _ in range(args.repeat)]
            best = min(runs)
            cells.append(f"{best[0]:.1f} ({best[1]:.0f})" if best[2] == 0 else f"exit {best[2]}: {best[3]}")
        over = measure(program, MAX_LEN_LIMIT + 1)
        cells.append("clean error" if over[2] == 2 and over[3].startswith("error: ") else f"exit {over[2]}")
        print(f"| {program.relative_to(examples).with_suffix('')} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
