"""Fuzzing campaigns: hostile inputs over the four families of tests/fuzz/fuzzing.py.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/fuzz.py --cases 20000 [--seed 0]
        [--families source,tokens,checkpoint,options] [--limit 10] [--memory-gb 4] [--show 20]

Cases run in process (click's CliRunner); a case past --limit seconds of CPU (or 6x that of
wall time) is a hang, one that raises MemoryError under the --memory-gb address-space cap is
over memory. Prints a table of counts per family and class, then the first --show cases of
each bad class.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.fuzz

from tests.fuzz.fuzzing import CLASSES, FAMILIES, cases, classify, tally  # noqa: E402

BAD = ("traceback", "wrong exit", "hang", "over memory", "silently wrong")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--limit", type=float, default=10.0, help="CPU seconds before a case is a hang")
    ap.add_argument(
        "--memory-gb", type=float, default=4.0, help="address-space cap of this process"
    )
    ap.add_argument("--show", type=int, default=20)
    args = ap.parse_args()
    cap = int(args.memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    families = tuple(args.families.split(","))
    results, bad = [], defaultdict(list)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        for n, case in enumerate(cases(args.cases, args.seed, Path(tmp), families), 1):
            cls, detail = classify(case, args.limit)
            results.append((case.family, cls))
            if cls in BAD:
                bad[cls].append(f"{case.family} {case.name}: {detail}")
            if n % 500 == 0:
                print(f"{n} cases, {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    table = tally(results)
    print(f"{len(results)} cases, seed {args.seed}, {time.perf_counter() - t0:.0f} s\n")
    print(f"| family | {' | '.join(CLASSES)} | total |")
    print("|---" * (len(CLASSES) + 2) + "|")
    for family in families:
        row = table[family]
        print(f"| {family} | {' | '.join(str(row[c]) for c in CLASSES)} | {sum(row.values())} |")
    for cls in BAD:
        for line in bad[cls][: args.show]:
            print(f"{cls}: {line}")


if __name__ == "__main__":
    main()
