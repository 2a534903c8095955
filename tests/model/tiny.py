"""Small random Transformer Programs for tests: one config shape, and one saved as a checkpoint."""

from __future__ import annotations

from pathlib import Path

import torch

from tpc.model.checkpoint import save_checkpoint
from tpc.model.config import ModelConfig
from tpc.model.learned import TransformerProgram

TOKENS = ("<pad>", "0", "1", "2", "</s>", "<s>")
LABELS = ("<pad>", "0", "1", "2")


def tiny_config(**fields) -> ModelConfig:
    """A 1-layer config with one head and one MLP of each kind; `fields` set the rest."""
    one_of_each = dict(n_layers=1, n_heads_cat=1, n_heads_num=1, n_cat_mlps=1, n_num_mlps=1)
    return ModelConfig(**one_of_each, mlp_vars_in=2, masked_classes=(0,), **fields)


def tiny_checkpoint(path: Path, seed: int, task: str | None = None) -> Path:
    """A 1-layer model (one head and one MLP of each kind) with weights drawn from `seed`."""
    torch.manual_seed(seed)
    cfg = tiny_config(vocab_size=len(TOKENS), n_classes=len(LABELS), n_ctx=5, d_var=6, d_mlp=8)
    save_checkpoint(path, TransformerProgram(cfg), tokens=TOKENS, labels=LABELS, task=task)
    return path
