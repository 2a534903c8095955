"""Solve times of `tpc verify --method smt` (Z3), one length at a time, where exhaustive
search is out of reach.

    OMP_NUM_THREADS=1 python benchmarks/smt_times.py --reference ../shared/reference/sort \\
        --model sort=runs/sort16/model.pt --model reverse=runs/reverse16/model.pt [--timeout 300]

  reference   the run against examples/specs/TASK.rasp --task TASK at each length 1..n_ctx-2
  model       each model against its task's spec at lengths --lengths (default 8 12 16), then
              its lift round trip: the lifted program (-O1) compiled to weights, that
              checkpoint against the lifted program (proof), and the lifted program against a
              copy with one MLP table entry changed (a planted bug; the entry is the first
              whose change 3,000 random inputs of that length can see), at --bug-length.
Each line: what, length, verdict, seconds (Z3 plus encoding; replays included), and how many
near-tie solutions were refined away.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import attrs
from tpc.passes import optimize

from tpc.ir import Map, SequenceMap, to_json
from tpc.ir.tables import Table
from tpc.lift import lift_checkpoint
from tpc.verify import verify
from tpc.verify.smt import smt_verify

ROOT = Path(__file__).resolve().parents[1]


def report(what, length, result):
    extra = ""
    if result.counterexample is not None:
        extra = " " + " ".join(map(str, result.counterexample.input))
    elif result.reason:
        extra = f" ({result.reason})"
    print(
        f"  {what:<34} length {length:>2}: {result.verdict:<10} {result.seconds:8.1f} s"
        f"  refined {result.refined}{extra}",
        flush=True,
    )


def planted_bug(program, length):
    """`program` with one MLP table entry changed so that some input of `length` sees it."""
    for node in program.nodes:
        if not isinstance(node, (Map, SequenceMap)) or "mlp" not in program.origin_map.get(
            node.name, ""
        ):
            continue
        for key, out in node.table.rows:
            other = next(v for v in node.type.values if v != out)
            rows = [(k, other if k == key else v) for k, v in node.table.rows]
            changed = program.evolve(
                nodes=[
                    attrs.evolve(n, table=Table(rows)) if n is node else n for n in program.nodes
                ]
            )
            if not verify(
                program, changed, min_len=length, max_len=length, samples=3000, exhaustive_limit=0
            ).equivalent:
                return changed, f"{node.name}[{key}] {out} -> {other}"
    raise SystemExit("no MLP table entry whose change random inputs can see")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", action="append", default=[], metavar="RUN")
    ap.add_argument("--model", action="append", default=[], metavar="TASK=PATH")
    ap.add_argument("--lengths", type=int, nargs="+", default=[8, 12, 16])
    ap.add_argument("--bug-length", type=int, default=12)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per length")
    args = ap.parse_args()
    for run in args.reference:
        task = __import__("json").loads((Path(run) / "args.json").read_text())["dataset"]
        spec = ROOT / "examples" / "specs" / f"{task}.rasp"
        print(f"{run} against {spec.name}", flush=True)
        n_ctx = lift_checkpoint(run).domain.max_len
        eos = task in ("sort", "reverse")
        for length in range(1, n_ctx - eos):
            report(
                "spec",
                length,
                smt_verify(
                    run, spec, task=task, min_len=length, max_len=length, timeout=args.timeout
                ),
            )
    with tempfile.TemporaryDirectory() as tmp:
        for item in args.model:
            task, path = item.split("=", 1)
            spec = ROOT / "examples" / "specs" / f"{task}.rasp"
            print(f"{path} ({task})", flush=True)
            for length in args.lengths:
                report(
                    "spec",
                    length,
                    smt_verify(
                        path, spec, task=task, min_len=length, max_len=length, timeout=args.timeout
                    ),
                )
            lifted = optimize(lift_checkpoint(path))
            lifted_json = Path(tmp) / f"{task}.json"
            lifted_json.write_text(to_json(lifted))
            compiled = Path(tmp) / f"{task}.pt"
            subprocess.run(
                [sys.executable, "-m", "tpc.cli", "compile", str(lifted_json), "-o", str(compiled)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            for length in args.lengths:
                report(
                    "compile(lift(M)) vs lift(M)",
                    length,
                    smt_verify(
                        compiled, lifted_json, min_len=length, max_len=length, timeout=args.timeout
                    ),
                )
            bad, what = planted_bug(lifted, args.bug_length)
            print(f"  planted: {what}", flush=True)
            report(
                "lift(M) vs planted bug",
                args.bug_length,
                smt_verify(
                    lifted,
                    bad,
                    min_len=args.bug_length,
                    max_len=args.bug_length,
                    timeout=args.timeout,
                ),
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
