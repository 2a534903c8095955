"""Training options; defaults are the paper's (PAPER.md section 4)."""

from __future__ import annotations

import attrs


@attrs.frozen
class TrainOptions:
    task: str
    vocab_size: int | None = None  # None: the task's default (8; Dyck and induction differ)
    max_length: int | None = None
    min_length: int | None = None
    layers: int = 3
    cat_heads: int = 4
    num_heads: int = 4
    cat_mlps: int = 2
    num_mlps: int = 2
    mlp_vars_in: int = 2
    d_var: int | None = None  # None: max(vocabulary, context), as the reference
    mlp_width: int = 64
    embed_vars: int = 0  # learned categorical token embeddings (the paper's NLP setting); 0: one-hot
    causal: bool | None = None  # None: the task's default
    epochs: int = 250
    batch_size: int = 512
    lr: float = 5e-2
    tau_init: float = 3.0
    tau_end: float = 0.01
    dataset_size: int = 20000
    seed: int = 0
    init: str | None = None  # start from this checkpoint (weights and architecture)
    checkpoint_every: int = 1  # epochs between resumable checkpoints (a kill loses at most these)

    def to_dict(self) -> dict:
        return attrs.asdict(self)
