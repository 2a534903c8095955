"""Inputs per second of `tpc verify`'s exhaustive checks, side by side with the model's own
batched hard-mode forward (CPU; best of --repeat).

    OMP_NUM_THREADS=1 python benchmarks/verify_speed.py [--repeat 3] [--model NAME=PATH ...]
        [--compiled PATH=SOURCE.rasp ...]

For each model over its whole domain (lengths 0..n_ctx-1 after BOS, over its tokens):
  raw    `model.predict` on the pre-encoded inputs (`<s>` + tokens), in the batches the check
         uses, one torch thread: the cost of running the model at all;
  raw x2 (--two-threads) the same with two torch threads (the check's thread budget: its
         two sides run in two threads of one torch thread each);
  fast   the check's model side alone: tpc.verify.hard_forward's predict (bit-identical
         logits, tests/verify/test_hard_forward.py), same batches, one thread;
  lifted `tpc verify MODEL LIFTED.json` (the model against its lifted program, -O1);
  spec   `tpc verify MODEL examples/specs/TASK.rasp --task TASK`, when the task has a spec
         (over the task's plain inputs: sort's and reverse's </s> comes last).
Ratios are rate / raw (>= 1: the check costs no more than running the model once).
A compiled model is checked against its RASP source instead of a spec. Then IR vs IR:
examples/rasp/sort.rasp against its own IR JSON (vocabulary 0..4, lengths 0..8, 488,281
inputs), both through the interpreter.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from tpc.verify import verify
from tpc.verify.search import enumerate_inputs

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference"
DEFAULT_MODELS = [f"sort={REFERENCE / 'sort'}", f"hist={REFERENCE / 'hist'}"]


def best(fn, repeat):
    """(best seconds, last result)."""
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def raw_rates(path, repeat, two_threads):
    """(inputs, {name: inputs/s}) of the model's predict (1 and 2 torch threads) and of the
    check's hard forward over its whole domain, pre-encoded."""
    from tpc.ir import BOS
    from tpc.model.checkpoint import load_model
    from tpc.verify.hard_forward import HardForward
    from tpc.verify.runnables import CheckpointRunnable, exact_key

    loaded = load_model(path)
    model, tokens = loaded.model, loaded.tokens
    bos = [exact_key(t) for t in tokens].index(exact_key(BOS))
    ids = np.array([i for i in range(1, len(tokens)) if i != bos])
    n_ctx = model.cfg.n_ctx
    batches = []
    for length in range(n_ctx):
        count = len(ids) ** length
        step = max(1, CheckpointRunnable.batch_positions // (length + 1))
        for lo in range(0, count, step):
            x = ids[enumerate_inputs(len(ids), length, lo, min(count, lo + step))]
            batches.append(torch.from_numpy(np.concatenate([np.full((len(x), 1), bos), x], 1)))
    total = sum(len(b) for b in batches)
    fast = HardForward(model)

    def run(forward, threads):
        def go():
            torch.set_num_threads(threads)
            with torch.inference_mode():
                for b in batches:
                    forward.predict(b)
            torch.set_num_threads(1)

        return go

    rates = {}
    runs = [("raw", model, 1), ("fast", fast, 1)] + ([("raw x2", model, 2)] if two_threads else [])
    for name, forward, threads in runs:
        seconds, _ = best(run(forward, threads), repeat)
        rates[name] = total / seconds
    return total, rates


def lifted(path, tmp: Path) -> Path:
    from tpc.ir import to_json
    from tpc.lift import lift_checkpoint

    out = tmp / f"{abs(hash(str(path)))}.json"
    out.write_text(to_json(lift_checkpoint(path)))
    return out


def row(name, inputs, rate, raw=None):
    ratio = "" if raw is None else f"{rate / raw:6.2f}x raw"
    print(f"  {name:<8} {inputs:>9,} inputs {rate:>11,.0f} inputs/s  {ratio}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--model",
        action="append",
        metavar="NAME=PATH",
        help="a model to measure (NAME a task with a spec, or any label) [sort, hist references]",
    )
    ap.add_argument(
        "--compiled",
        action="append",
        default=[],
        metavar="PATH=SOURCE",
        help="a compiled model and the RASP program it was compiled from",
    )
    ap.add_argument("--workers", type=int, default=1, help="--workers of the checks")
    ap.add_argument(
        "--two-threads",
        action="store_true",
        help="also time predict with two torch threads (on a busy machine: very slow)",
    )
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"torch threads: {torch.get_num_threads()}, repeat {args.repeat}, workers {args.workers}")
    with tempfile.TemporaryDirectory() as tmp:
        models = [
            (*m.split("=", 1), None)
            for m in args.model or ([] if args.compiled else DEFAULT_MODELS)
        ]
        models += [(Path(c.split("=", 1)[0]).stem, *c.split("=", 1)) for c in args.compiled]
        for name, path, source in models:
            print(f"{name}: {path}", flush=True)
            inputs, rates = raw_rates(path, args.repeat, args.two_threads)
            raw = rates["raw"]
            for kind, rate in rates.items():
                row(kind, inputs, rate, None if kind == "raw" else raw)
            program = lifted(path, Path(tmp))
            seconds, r = best(lambda: verify(path, program, workers=args.workers), args.repeat)
            row("lifted", r.inputs, r.inputs / seconds, raw)
            spec = Path(source) if source else ROOT / "examples" / "specs" / f"{name}.rasp"
            if spec.is_file():
                task = None if source else name
                seconds, r = best(
                    lambda: verify(path, spec, task=task, workers=args.workers), args.repeat
                )
                if r.failing_inputs is not None:
                    verdict = "correct" if r.equivalent else f"{r.failing_inputs:,} failing"
                else:
                    verdict = "equivalent" if r.equivalent else "differ"
                row("source" if source else "spec", r.inputs, r.inputs / seconds, raw)
                print(f"           ({verdict})")
        from tpc.frontend import rasp_file_to_ir
        from tpc.ir import to_json

        sort = ROOT / "examples" / "rasp" / "sort.rasp"
        ir = Path(tmp) / "sort.json"
        ir.write_text(to_json(rasp_file_to_ir(sort, vocab=[0, 1, 2, 3, 4], max_len=8)))
        print("IR vs IR: sort.rasp vs sort.json, vocabulary 0..4, lengths 0..8", flush=True)
        seconds, r = best(lambda: verify(sort, ir), args.repeat)
        row("ir", r.inputs, r.inputs / seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
