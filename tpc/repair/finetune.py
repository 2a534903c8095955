"""The fine-tune step of a repair: tpc's discrete training (`tpc.train.loop.run_epoch`:
Gumbel-softmax, Adam, the same loss) from the model's own weights, on the task's training
data plus every counterexample found so far, oversampled.

Counterexamples accumulate across rounds (an input that failed once stays in the pool), so
a round that breaks an input the last one fixed sees both next time. `freeze` names model
modules (`L0.cat_head1`, a prefix such as `L0`, or `readout`) whose weights stay as they
are: their gradients are masked to zero, so Adam never moves them.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from tpc.errors import TpcError
from tpc.model.learned import TransformerProgram
from tpc.repair.options import RepairOptions
from tpc.train.loop import run_epoch
from tpc.train.options import TrainOptions


class Pool:
    """Every counterexample so far (model token ids and spec label ids, padded to n_ctx),
    each input once."""

    def __init__(self, n_ctx: int):
        self.n_ctx = n_ctx
        self.rows: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}

    def add(self, batches) -> int:
        """Adds (ids, labels) batches; returns how many inputs were new."""
        before = len(self.rows)
        for ids, labels in batches:
            for x, y in zip(ids, labels):
                self.rows.setdefault(tuple(x.tolist()), (x, y))
        return len(self.rows) - before

    def __len__(self) -> int:
        return len(self.rows)

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.zeros(len(self.rows), self.n_ctx, dtype=torch.long)
        y = torch.zeros_like(x)
        for i, (ids, labels) in enumerate(self.rows.values()):
            x[i, : len(ids)], y[i, : len(labels)] = torch.from_numpy(ids), torch.from_numpy(labels)
        return x, y


def pad(t: torch.Tensor, width: int) -> torch.Tensor:
    return torch.nn.functional.pad(t, (0, width - t.shape[1]))


def training_rows(train_x, train_y, pool: Pool, oversample: int, still_failing: Pool, focus: float):
    """The task's training split, the pool repeated `oversample` times, and the inputs the
    best model still fails repeated until they are at least `focus` of the rows."""
    n = pool.n_ctx
    x, y = pad(train_x, n), pad(train_y, n)
    if len(pool):
        px, py = pool.tensors()
        x = torch.cat([x, px.repeat(oversample, 1)])
        y = torch.cat([y, py.repeat(oversample, 1)])
    if len(still_failing) and focus > 0:
        fx, fy = still_failing.tensors()
        copies = min(1000, math.ceil(focus * len(x) / (1 - min(focus, 0.9)) / len(fx)))
        x, y = torch.cat([x, fx.repeat(copies, 1)]), torch.cat([y, fy.repeat(copies, 1)])
    return x, y


# Per-layer parameters, by the module kind their first dimension indexes.
_KINDS = {
    "cat_head": ("cat_q", "cat_k", "cat_v", "cat_pred"),
    "num_head": ("num_q", "num_k", "num_v", "num_pred"),
    "cat_mlp": tuple(f"cat_mlp_{p}" for p in ("read", "w_in", "b_in", "w_out", "b_out")),
    "num_mlp": tuple(f"num_mlp_{p}" for p in ("read", "w_in", "b_in", "w_out", "b_out")),
}


def _matches(module: str, patterns) -> bool:
    return any(module == p or module.startswith(p + ".") for p in patterns)


def freeze_modules(model: TransformerProgram, patterns) -> list[str]:
    """Masks the gradients of the named modules' weights; returns the modules frozen."""
    if not patterns:
        return []
    frozen = []
    for l, layer in enumerate(model.layers):
        for kind, names in _KINDS.items():
            for name in names:
                if not hasattr(layer, name):
                    continue
                param = getattr(layer, name)
                keep = torch.ones_like(param)
                for i in range(param.shape[0]):
                    module = f"L{l}.{kind}{i}"
                    if _matches(module, patterns):
                        keep[i] = 0
                        frozen.append(module)
                if not keep.all():
                    param.register_hook(lambda g, keep=keep: g * keep)
    if _matches("readout", patterns):
        model.unembed.requires_grad_(False)
        frozen.append("readout")
    frozen = sorted(set(frozen))
    if not frozen:
        raise TpcError(
            f"--freeze {' '.join(patterns)}: no module of the model matches "
            "(names such as L0, L1.cat_head2, readout)"
        )
    return frozen


def tune_epochs(
    model: TransformerProgram, x: torch.Tensor, y: torch.Tensor, opts: RepairOptions, seed: int
):
    """`opts.epochs` epochs of tpc's training on (x, y), in place, yielding the model (eval)
    after each: the round checks every epoch (`driver`) and may stop early."""
    train_opts = TrainOptions(
        task="repair",
        epochs=opts.epochs,
        lr=opts.lr,
        tau_init=opts.tau_init,
        tau_end=opts.tau_end,
        batch_size=opts.batch_size,
        seed=seed,
    )
    freeze_modules(model, opts.freeze)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=opts.lr)
    for epoch in range(opts.epochs):
        run_epoch(model, optimizer, x, y, train_opts, epoch)
        yield model.eval()
