"""Lift figures: emitted-program speed and length vs the paper's printed programs, lift time.

    .venv/bin/python benchmarks/lift.py

The reference figures were measured on this kind of machine with the paper's code (its printed
programs re-read a CSV with pandas on every call); they are quoted, not rerun here.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch

from tpc.backends.python import load_module, to_python
from tpc.lift import lift_checkpoint, lift_model
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram
from tpc.passes import optimize

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "reference"
REFERENCE = {"sort": (20.7, 313), "hist": (15.3, 164)}  # ms per input, lines of printed program


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
    cfg = ModelConfig(vocab_size=10, n_classes=8, n_ctx=10, d_var=10, n_layers=3, n_heads_cat=4,
                      n_heads_num=4, n_cat_mlps=2, n_num_mlps=2)
    torch.manual_seed(0)
    model = TransformerProgram(cfg).eval()
    tokens = ("<pad>", *map(str, range(8)), "<s>")
    labels = ("<pad>", *map(str, range(7)))
    start = time.perf_counter()
    optimize(lift_model(model, tokens, labels))
    return time.perf_counter() - start


def main() -> None:
    print(f"{'program':<8} {'ms/input':>9} {'ref ms':>7} {'speed-up':>9} {'lines':>6} {'ref lines':>9}")
    for task, (ref_ms, ref_lines) in REFERENCE.items():
        source, module = emitted_program(task)
        inputs = json.loads((SHARED / task / "cases.json").read_text())["inputs"]
        ms = per_input_ms(module, inputs)
        lines = len(source.splitlines())
        print(f"{task:<8} {ms:>9.3f} {ref_ms:>7.1f} {ref_ms / ms:>8.0f}x {lines:>6} {ref_lines:>9}")
    lift_seconds()  # warm up torch
    print(f"lift + optimize, 3 layers x 8 heads + 4 MLPs: {lift_seconds():.3f} s (target < 1 s)")


if __name__ == "__main__":
    main()
