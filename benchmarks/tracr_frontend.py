"""tpc compiling tracr's own Python programs (tpc.rasp_lib, the tracr frontend) beside tracr's
compiled sizes, and the compile time of every program of tests/tracr/programs/.

    .venv/bin/python benchmarks/tracr_frontend.py [--max-len 10] [--repeat 5] [--check 2000]

Part 1: tracr's lib.py programs at the settings of benchmarks/compile_vs_tracr.py (N = 10,
vocab {1..5}, brackets for the Dyck programs, {l, a, b} for frac_prevs); tracr's d_model and
parameter counts are the figures recorded there (tracr @9ce2b8c). tpc: the Python program ->
IR (tracr_to_ir) -> -O1 -> weights, in process after imports, warm, best of `--repeat` (wall
and CPU seconds). Exactness: the model's hard mode against tpc.interp on `--check` inputs
(every input when fewer). Part 2: the same timing for every test program at its own domain.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from tpc import rasp
from tpc import rasp_lib as lib
from tpc.assemble import assemble
from tpc.assemble.check import all_inputs, mismatches
from tpc.frontend.tracr_file import ProgramFile
from tpc.frontend.tracr_to_ir import tracr_to_ir
from tpc.passes import optimize

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from compile_vs_tracr import TRACR  # noqa: E402  (tracr's recorded sizes)

BUILDERS = {
    "make_length": lib.make_length,
    "make_reverse": lambda: lib.make_reverse(rasp.tokens),
    "make_hist": lib.make_hist,
    "make_sort_unique": lambda: lib.make_sort_unique(rasp.tokens, rasp.tokens),
    "make_sort": lambda: lib.make_sort(rasp.tokens, rasp.tokens, max_seq_len=10, min_key=1),
    "make_sort_freq": lambda: lib.make_sort_freq(max_seq_len=10),
    "make_frac_prevs": lambda: lib.make_frac_prevs(rasp.tokens == "l"),
    "make_pair_balance": lambda: lib.make_pair_balance(rasp.tokens, "(", ")"),
    'make_shuffle_dyck "()"': lambda: lib.make_shuffle_dyck(["()"]),
    "make_shuffle_dyck2": lib.make_shuffle_dyck2,
}


def compile_once(program, vocab, max_len, causal=False):
    """(wall s, CPU s, compiled) of program -> IR -> -O1 -> weights."""
    w0, c0 = time.perf_counter(), time.process_time()
    compiled = assemble(optimize(tracr_to_ir(program, vocab, max_len, causal), 1))
    return time.perf_counter() - w0, time.process_time() - c0, compiled


def best(program, vocab, max_len, repeat, causal=False):
    compile_once(program, vocab, max_len, causal)  # warm-up
    runs = [compile_once(program, vocab, max_len, causal) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), runs[-1][2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-len", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--check", type=int, default=2000)
    args = ap.parse_args()
    print(
        "| program | N | tpc compile s (wall / CPU) | tracr warm s | tpc d_model | tracr d_model | "
        "tpc params | tracr params | tracr / tpc params | layers / heads / MLPs | exact (inputs) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, build in BUILDERS.items():
        _, vocab, t_s, t_d, t_p = TRACR[name]
        wall, cpu, c = best(build(), set(vocab), args.max_len, args.repeat)
        seqs = all_inputs(c.program.domain, limit=args.check, seed=1)
        bad = mismatches(c, seqs)
        s = c.stats
        exact = f"{'yes' if not bad else f'NO ({len(bad)} wrong)'} ({len(seqs):,})"
        print(
            f"| {name} | {args.max_len} | {wall:.3f} / {cpu:.3f} | {t_s} | {s['d_model']} | "
            f"{t_d} | {s['params']:,} | {t_p:,} | {t_p / s['params']:.1f}x | {s['layers']} / "
            f"{s['heads']} / {s['mlps']} | {exact} |",
            flush=True,
        )
    times = {}
    for path in sorted((HERE.parent / "tests" / "tracr" / "programs").glob("*.py")):
        f = ProgramFile(str(path))
        vocab, max_len = f.domain()
        times[path.stem] = best(f.program, vocab, max_len, args.repeat, f.causal)[:2]
    walls = sorted(times.items(), key=lambda kv: kv[1][0])
    print(
        f"\n{len(times)} test programs (vocab <= 5, max_len <= 12), program -> weights, wall s: "
        f"median {statistics.median(w for w, _ in times.values()):.3f}, "
        f"max {walls[-1][1][0]:.3f} ({walls[-1][0]}; CPU {walls[-1][1][1]:.3f})"
    )


if __name__ == "__main__":
    main()
