"""Training options. None means the task's default (tpc.tasks.registry: the paper's settings);
`with_task_defaults` fills those in before a run starts."""

from __future__ import annotations

import attrs

from tpc.tasks.registry import get_task


@attrs.frozen
class TrainOptions:
    task: str
    data: str | None = None  # text tasks (conll, classify): the directory of their files
    glove: str | None = None  # text tasks: initialise the word embeddings from these vectors
    vocab_size: int | None = None  # including special tokens; text: the most frequent words kept
    max_length: int | None = None  # text tasks: most words per sentence
    min_length: int | None = None
    layers: int | None = None
    cat_heads: int | None = None
    num_heads: int | None = None
    cat_mlps: int | None = None
    num_mlps: int | None = None
    mlp_vars_in: int | None = None
    d_var: int | None = None  # None: the task's rule over the data (Task.d_var)
    mlp_width: int | None = None
    embed_vars: int | None = None  # learned categorical token embeddings; 0: one-hot
    dropout: float | None = None  # on MLP hidden units while training (the paper's NER: 0.5)
    causal: bool | None = None
    epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    tau_init: float | None = None
    tau_end: float | None = None
    dataset_size: int | None = None
    seed: int = 0
    init: str | None = None  # start from this checkpoint (weights and architecture)
    checkpoint_every: int = 1  # epochs between resumable checkpoints (a kill loses at most these)
    device: str = "auto"  # auto (cuda when available), cpu or cuda

    def with_task_defaults(self) -> "TrainOptions":
        """These options with every unset one the task's default (TpcError for an unknown task)."""
        defaults = get_task(self.task).option_defaults()
        return attrs.evolve(self, **{k: v for k, v in defaults.items() if getattr(self, k) is None})

    def to_dict(self) -> dict:
        return attrs.asdict(self)
