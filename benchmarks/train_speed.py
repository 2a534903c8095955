"""Seconds per training epoch of tpc on the two configs the reference was timed on.

    python benchmarks/train_speed.py [--epochs 3] [--threads 1]

Reference code on this kind of machine (2 cores): sort 1.1 s/epoch, reverse 5.5 s/epoch;
induction (its scripts/induction.sh on CPU) 14.1 s/epoch, measured at load ~6, so compare
that row only with a run at a similar load.
Dataset generation is not timed; epochs are, from the second on (the first warms up).
"""

from __future__ import annotations

import argparse
import time

import torch

from tpc.model.learned import TransformerProgram
from tpc.tasks import make_dataset
from tpc.train.loop import run_epoch
from tpc.train.options import TrainOptions
from tpc.train.setup import build_config

CONFIGS = {
    # name: (options, reference s/epoch)
    "sort": (
        TrainOptions(
            task="sort",
            layers=2,
            cat_heads=4,
            num_heads=0,
            cat_mlps=1,
            num_mlps=0,
            dataset_size=10000,
        ),
        1.1,
    ),
    "reverse": (
        TrainOptions(
            task="reverse",
            layers=3,
            cat_heads=4,
            num_heads=4,
            cat_mlps=2,
            num_mlps=2,
            d_var=8,
            dataset_size=20000,
        ),
        5.5,
    ),
    "induction": (
        TrainOptions(
            task="induction",
            layers=2,
            cat_heads=1,
            num_heads=0,
            cat_mlps=0,
            num_mlps=0,
            epochs=500,
            seed=6,
        ),
        14.1,
    ),
}


def seconds_per_epoch(opts: TrainOptions, epochs: int) -> float:
    opts = opts.with_task_defaults()
    data = make_dataset(
        opts.task, opts.vocab_size, opts.max_length, opts.min_length, opts.dataset_size, opts.seed
    )
    torch.manual_seed(opts.seed)
    model = TransformerProgram(build_config(opts, data))
    optimizer = torch.optim.Adam(model.parameters(), lr=opts.lr)
    run_epoch(model, optimizer, data.train.x, data.train.y, opts, 0)
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        run_epoch(model, optimizer, data.train.x, data.train.y, opts, epoch)
    return (time.perf_counter() - start) / epochs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for name, (opts, reference) in CONFIGS.items():
        s = seconds_per_epoch(opts, args.epochs)
        print(f"{name}: {s:.2f} s/epoch (reference {reference} s/epoch, ratio {s / reference:.2f})")


if __name__ == "__main__":
    main()
