"""tpc compile vs tracr on tracr's library programs (tpc side; tracr figures measured with
tracr @9ce2b8c, vocab {1..5}, N = 10, and copied here).

    .venv/bin/python benchmarks/compile_vs_tracr.py [--max-len 10] [--check 20000]

Compile times are in-process after imports, warm (best of 5), at -O0: RASP text -> typed IR
-> weights, and the IR -> weights part alone (tracr's timed compile starts from a RASP object,
as the assembler starts from the IR). Exactness: the model's hard mode against tpc.interp on
`--check` inputs (every input when there are fewer).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tpc.assemble import assemble
from tpc.assemble.check import all_inputs, mismatches
from tpc.frontend import rasp_file_to_ir

ROOT = Path(__file__).resolve().parents[1] / "examples" / "rasp" / "tracr"
# program: (file, vocab, tracr warm s, tracr d_model, tracr params)
TRACR = {
    "make_length": ("make_length", [1, 2, 3, 4, 5], 0.023, 30, 2803),
    "make_reverse": ("make_reverse", [1, 2, 3, 4, 5], 0.403, 75, 95054),
    "make_hist": ("make_hist", [1, 2, 3, 4, 5], 0.034, 30, 2803),
    "make_sort_unique": ("make_sort_unique", [1, 2, 3, 4, 5], 0.053, 45, 9611),
    "make_sort": ("make_sort", [1, 2, 3, 4, 5], 0.061, 85, 81198),
    "make_sort_freq": ("make_sort_freq", [1, 2, 3, 4, 5], 0.186, 168, 568054),
    "make_frac_prevs": ("make_frac_prevs", ["l", "a", "b"], 0.027, 20, 2514),
    "make_pair_balance": ("make_pair_balance", ["(", ")"], 0.028, 23, 5442),
    'make_shuffle_dyck "()"': ("make_shuffle_dyck1", ["(", ")"], 0.100, 53, 293055),
    "make_shuffle_dyck2": ("make_shuffle_dyck2", ["(", ")", "{", "}"], 0.623, 70, 1026950),
}


def compile_once(path, vocab, max_len):
    """(seconds RASP text -> weights, seconds IR -> weights, program, compiled)."""
    t0 = time.perf_counter()
    prog = rasp_file_to_ir(path, vocab=vocab, max_len=max_len)
    t1 = time.perf_counter()
    c = assemble(prog)
    t2 = time.perf_counter()
    return t2 - t0, t2 - t1, prog, c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-len", type=int, default=10)
    ap.add_argument("--check", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(
        "| program | N | tpc compile s (text / IR) | tracr warm s | tpc d_model | tracr d_model | "
        "tpc params | "
        "tracr params | layers / heads / MLPs | exact (inputs) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, (stem, vocab, t_s, t_d, t_p) in TRACR.items():
        path = ROOT / f"{stem}.rasp"
        compile_once(path, vocab, args.max_len)  # warm-up (grammar, caches)
        runs = [compile_once(path, vocab, args.max_len) for _ in range(args.repeat)]
        text, ir = min(r[0] for r in runs), min(r[1] for r in runs)
        _, _, prog, c = runs[-1]
        seqs = all_inputs(prog.domain, limit=args.check, seed=1)
        bad = mismatches(c, seqs)
        s = c.stats
        exact = f"{'yes' if not bad else f'NO ({len(bad)} wrong)'} ({len(seqs):,})"
        print(
            f"| {name} | {args.max_len} | {text:.3f} / {ir:.3f} | {t_s} | {s['d_model']} | {t_d} | "
            f"{s['params']:,} | "
            f"{t_p:,} | {s['layers']} / {s['heads']} / {s['mlps']} | {exact} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
