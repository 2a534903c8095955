"""Training options; defaults are the paper's (PAPER.md section 4)."""

from __future__ import annotations

import attrs


@attrs.frozen
class TrainOptions:
    task: str
    data: str | None = None  # text tasks (conll, classify): the directory of their files
    glove: str | None = None  # text tasks: initialise the word embeddings from these vectors
    vocab_size: int | None = None  # None: the task's default (8; Dyck and induction differ; text 10,000 words)
    max_length: int | None = None  # text tasks: most words per sentence (conll 30, classify 62)
    min_length: int | None = None
    # Sizes: None is the task's default (tpc.train.setup.ARCHITECTURE, TEXT_ARCHITECTURE).
    layers: int | None = None
    cat_heads: int | None = None
    num_heads: int | None = None
    cat_mlps: int | None = None
    num_mlps: int | None = None
    mlp_vars_in: int = 2
    d_var: int | None = None  # None: max(vocabulary, context), as the reference (text: 32 / 64)
    mlp_width: int = 64
    embed_vars: int | None = None  # learned categorical token embeddings (the paper's NLP setting); 0: one-hot; None: 4 for text, else 0
    dropout: float = 0.0  # on MLP hidden units while training (the paper's NER: 0.5)
    causal: bool | None = None  # None: the task's default
    epochs: int = 250
    batch_size: int | None = None  # None: 512, text tasks 128 (tpc.train.setup)
    lr: float = 5e-2
    tau_init: float = 3.0
    tau_end: float = 0.01
    dataset_size: int = 20000
    seed: int = 0
    init: str | None = None  # start from this checkpoint (weights and architecture)
    checkpoint_every: int = 1  # epochs between resumable checkpoints (a kill loses at most these)
    device: str = "auto"  # auto (cuda when available), cpu or cuda

    def to_dict(self) -> dict:
        return attrs.asdict(self)
