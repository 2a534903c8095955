"""`tpc export` on tracr's library programs and the shipped models: sizes beside tpc's
checkpoint and tracr's model, the smallest softmax margin, and the TransformerLens forward
time for 1,000 inputs beside tpc's own model (hard mode), side by side.

    .venv/bin/python benchmarks/export_sizes.py [--max-len 10] [--repeat 3]

Sizes: blocks (TransformerLens layers), heads per block, d_model, and parameters (dense: every
entry of the HookedTransformer's weights; nonzero: those the construction writes). tracr's
figures are copied from benchmarks/compile_vs_tracr.py (tracr @9ce2b8c, N = 10). Times are
best of --repeat, wall and CPU seconds, one thread, on 1,000 random inputs of the longest
length: the export's `model(ids)` against the model's own `predict(ids)`.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compile_vs_tracr import ROOT as TRACR_DIR  # noqa: E402
from compile_vs_tracr import TRACR

from tpc.errors import TpcError  # noqa: E402
from tpc.export.tl import tl_config, tl_model  # noqa: E402
from tpc.export.write import load_source, weights_of  # noqa: E402

MODELS = Path(__file__).resolve().parents[1] / "examples" / "models"
REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference"


def best(fn, repeat):
    walls, cpus = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def row(name, loaded, repeat, tracr=None):
    try:
        w = weights_of(loaded)
    except TpcError as e:
        return f"| {name} | refused: {e} |"
    model = tl_model(w)
    cfg = tl_config(w)
    dense = sum(p.numel() for p in model.parameters())
    tokens = [i for i, t in enumerate(loaded.tokens) if i != 0 and str(t) != "<s>"]
    bos = next(i for i, t in enumerate(loaded.tokens) if str(t) == "<s>")
    rng = np.random.RandomState(0)
    ids = torch.tensor(
        np.concatenate([np.full((1000, 1), bos), rng.choice(tokens, (1000, w.n_ctx - 1))], 1)
    )
    with torch.inference_mode():
        tl_wall, tl_cpu = best(lambda: model(ids), repeat)
        tp_wall, tp_cpu = best(lambda: loaded.model.predict(ids), repeat)
    own = sum(p.numel() for p in loaded.model.parameters())
    margin = min(w.margins.values(), default=float("nan"))
    t_d, t_p = (tracr[3], f"{tracr[4]:,}") if tracr else ("", "")
    return (
        f"| {name} | {cfg['n_layers']} / {cfg['n_heads']} | {cfg['d_model']} | {dense:,} | "
        f"{w.params:,} | {own:,} | {t_d} | {t_p} | {margin:.3g} | "
        f"{tl_wall * 1e3:.1f} ({tl_cpu * 1e3:.1f}) | "
        f"{tp_wall * 1e3:.1f} ({tp_cpu * 1e3:.1f}) | {tl_wall / tp_wall:.2f}x |"
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-len", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"threads 1, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    print(
        "| program | blocks / heads | d_model | params (dense) | params (nonzero) | tpc checkpoint "
        "params | tracr d_model | tracr params | smallest margin | TL 1,000 inputs ms wall (CPU) | "
        "tpc model ms wall (CPU) | TL / tpc |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, (stem, vocab, _, t_d, t_p) in TRACR.items():
        loaded = load_source(str(TRACR_DIR / f"{stem}.rasp"), vocab=vocab, max_len=args.max_len)
        print(
            row(f"{name} (N={args.max_len})", loaded, args.repeat, (None, None, None, t_d, t_p)),
            flush=True,
        )
    for path in [
        *sorted(MODELS.glob("*/model.pt")),
        *sorted(p for p in REFERENCE.glob("*") if p.is_dir()),
    ]:
        where = path.parent if path.name == "model.pt" else path  # the model's directory
        name = f"{where.parent.name}/{where.name}"  # models/hist, reference/sort
        print(row(name, load_source(str(path)), args.repeat), flush=True)


if __name__ == "__main__":
    main()
