"""The model build: module slots and names, the `WiredConfig`, and every weight.

The weights are built so that the model's hard mode computes the IR exactly.
"""

from __future__ import annotations

import numpy as np
import torch

from tpc.assemble.layout import Layout, Op
from tpc.assemble.readout import fill_readout
from tpc.model.wired import KINDS, Module, WiredConfig, WiredProgram

LOGIT = 10.0  # read / predicate logits: +LOGIT chosen, -LOGIT not


def name_modules(layout: Layout) -> None:
    """Order the modules by layer and kind (creation order within) and name their outputs."""
    layout.ops.sort(key=lambda o: (o.layer, KINDS.index(o.kind)))  # stable
    slots: dict = {}
    for op in layout.ops:
        op.slot = slots.setdefault((op.layer, op.kind), 0)
        slots[(op.layer, op.kind)] += 1
        op.out.name = f"L{op.layer}.{op.kind}{op.slot}"


def build_model(layout: Layout, n_classes: int, rows: list, causal: bool) -> WiredProgram:
    """The model of `layout`'s modules (named by `name_modules`) with readout `rows`."""
    ops = layout.ops
    modules = [
        Module(
            o.kind,
            o.layer,
            o.slot,
            [v.name for v in o.reads],
            o.out.width,
            len(o.units) if o.kind.endswith("mlp") else 0,
            o.mean,
        )
        for o in ops
    ]
    cfg = WiredConfig(
        vocab_size=len(layout.token_values),
        n_classes=n_classes,
        n_ctx=layout.n,
        modules=modules,
        causal=causal,
        masked_classes=(0,),
        readout_terms=[var.name for var, _ in rows],
    )
    model = WiredProgram(cfg)
    with torch.no_grad():
        heads, mlps = iter(model.predicates), iter(model.mlps)
        for o in ops:
            if o.kind.endswith("head"):
                next(heads).copy_(
                    torch.where(torch.from_numpy(np.ascontiguousarray(o.table)), LOGIT, -LOGIT)
                )
            else:
                fill_mlp(next(mlps), o)
        fill_readout(model, rows)
    return model.eval()


def fill_mlp(mlp, o: Op) -> None:
    """One lookup MLP's weights: each hidden unit reads its input columns and votes for its
    output values; values the MLP never outputs get a strongly negative bias so they never win."""
    for u, unit in enumerate(o.units):
        for col, w in unit.inputs.items():
            mlp.w_in[u, col] = w
        mlp.b_in[u] = unit.bias
        for c, w in unit.outputs.items():
            mlp.w_out[c, u] += w
    for c, w in o.out_bias.items():
        mlp.b_out[c] = w
    used = set(o.out.values)
    for c in range(mlp.b_out.shape[0]):
        if c not in used:
            mlp.b_out[c] = -LOGIT
