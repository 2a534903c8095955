"""Lift figures: emitted-program length at -O0 / -O1 / -O2 vs the paper's printed programs,
readout terms kept, agreement with the model; emitted-program speed; lift time.

    .venv/bin/python benchmarks/lift.py [NAME=CHECKPOINT[:REFERENCE_LINES[:CSV_LINES]] ...]

The shared reference runs (sort, hist) are always measured; more checkpoints (runs of
dyck1, double_hist, ...) can be named on the command line with the reference printer's line
count for the same checkpoint and the lines of the CSV it writes the readout's weights to.
Lines are counted at 88 columns as the reference's programs are formatted: a longer line
counts ceil(length / 88). Agreement: the -O2 program against the model on every input of
the domain (tpc.verify, exhaustive), and its emitted Python against the program on 2000
random inputs. The reference figures were measured on this kind of machine
with the paper's code (its printed programs re-read a CSV with pandas on every call, and keep
the readout's weights in that CSV, outside the lines counted: `ratio` compares with the program
alone, as the reference counts it, `+csv` with the program and its CSV, which a reader of the
reference must read too, as tpc's self-contained programs hold their scores); they are quoted,
not rerun here.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from pathlib import Path

import torch
from tpc.passes import optimize

from tpc.backends.python import load_module, to_python
from tpc.lift import lift_checkpoint, lift_model
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram
from tpc.verify import verify

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "reference"
# ms per input, lines of the printed program, lines of its weights CSV (header included)
REFERENCE = {"sort": (20.7, 313, 98), "hist": (15.3, 164, 52)}


WIDTH = 88


def lines_at_88(source: str) -> int:
    """Lines as the reference counts them: a line longer than 88 columns is several."""
    return sum(max(1, math.ceil(len(line) / WIDTH)) for line in source.splitlines())


def length_row(name: str, checkpoint, ref_lines: int | None, csv_lines: int | None) -> None:
    """One row of the length table: lines at each level, the reference's, the ratio, the
    readout's fate and agreement with the model."""
    lifted = lift_checkpoint(checkpoint)
    counts, programs = [], {}
    for level in (0, 1, 2):
        start = time.perf_counter()
        programs[level] = optimize(lifted, level)
        counts.append((lines_at_88(to_python(programs[level])), time.perf_counter() - start))
    best = programs[2]
    model = verify(str(checkpoint), best)
    source = to_python(best)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.py"
        path.write_text(source)
        emitted = verify(best, str(path), samples=2000, exhaustive_limit=0)
    ratio = f"{counts[2][0] / ref_lines:.2f}x" if ref_lines else "?"
    with_csv = f"{counts[2][0] / (ref_lines + csv_lines):.2f}x" if ref_lines and csv_lines else "?"
    print(
        f"{name:<12} {counts[0][0]:>6} {counts[1][0]:>6} {counts[2][0]:>6} "
        f"{ref_lines or '?':>6} {ratio:>6} "
        f"{csv_lines or '?':>5} {with_csv:>6} "
        f"{counts[2][1]:>6.0f}s  model: {'100%' if model.equivalent else 'DIFFERS'} "
        f"on {model.inputs} inputs "
        f"({model.mode}); python: {'100%' if emitted.equivalent else 'DIFFERS'} on {emitted.inputs}"
    )
    for key, note in best.meta:
        if key.startswith("readout"):
            print(f"{'':<12} {key}: {note}")


def emitted_program(task: str):
    source = to_python(optimize(lift_checkpoint(SHARED / task)))
    return source, load_module(source, task)


def per_input_ms(module, inputs, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for x in inputs:
            module.run(x)
        best = min(best, (time.perf_counter() - start) / len(inputs))
    return best * 1e3


def lift_seconds() -> float:
    """Lift + optimize a 3-layer model with 8 heads (4 categorical + 4 numerical) and 2+2 MLPs."""
    cfg = ModelConfig(
        vocab_size=10,
        n_classes=8,
        n_ctx=10,
        d_var=10,
        n_layers=3,
        n_heads_cat=4,
        n_heads_num=4,
        n_cat_mlps=2,
        n_num_mlps=2,
        mlp_vars_in=2,
        d_mlp=64,
    )
    torch.manual_seed(0)
    model = TransformerProgram(cfg).eval()
    tokens = ("<pad>", *map(str, range(8)), "<s>")
    labels = ("<pad>", *map(str, range(7)))
    start = time.perf_counter()
    optimize(lift_model(model, tokens, labels))
    return time.perf_counter() - start


def main() -> None:
    print(
        f"{'checkpoint':<12} {'-O0':>6} {'-O1':>6} {'-O2':>6} {'ref':>6} {'ratio':>6} "
        f"{'csv':>5} {'+csv':>6} "
        f"{'O2 time':>7}"
    )
    runs = {task: (SHARED / task, lines, csv) for task, (_, lines, csv) in REFERENCE.items()}
    for arg in sys.argv[1:]:
        name, _, rest = arg.partition("=")
        path, ref, csv = (rest.split(":") + [None, None])[:3]
        runs[name] = (Path(path), int(ref) if ref else None, int(csv) if csv else None)
    for name, (checkpoint, ref_lines, csv_lines) in runs.items():
        length_row(name, checkpoint, ref_lines, csv_lines)
    print()
    print(
        f"{'program':<8} {'ms/input':>9} {'ref ms':>7} {'speed-up':>9} {'lines':>6} "
        f"{'ref lines':>9}"
    )
    for task, (ref_ms, ref_lines, _) in REFERENCE.items():
        source, module = emitted_program(task)
        inputs = json.loads((SHARED / task / "cases.json").read_text())["inputs"]
        ms = per_input_ms(module, inputs)
        lines = len(source.splitlines())
        print(f"{task:<8} {ms:>9.3f} {ref_ms:>7.1f} {ref_ms / ms:>8.0f}x {lines:>6} {ref_lines:>9}")
    lift_seconds()  # warm up torch
    print(f"lift + optimize, 3 layers x 8 heads + 4 MLPs: {lift_seconds():.3f} s (target < 1 s)")


if __name__ == "__main__":
    main()
