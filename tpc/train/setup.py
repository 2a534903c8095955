"""What a training run starts from: its data (generated, or read from text files), the model's
architecture, its word embeddings (GloVe) and the device."""

from __future__ import annotations

import sys

import torch

from tpc.errors import TpcError
from tpc.model.config import ModelConfig
from tpc.tasks.dataset import Dataset, make_dataset
from tpc.tasks.glove import project, read_glove
from tpc.tasks.registry import get_task, task_names
from tpc.tasks.text import load_text_task
from tpc.train.options import TrainOptions


def load_data(opts: TrainOptions) -> Dataset:
    """The task's splits: read from --data for text tasks, else generated as the paper does."""
    if get_task(opts.task).text:
        if opts.data is None:
            raise TpcError(f"--task {opts.task} reads its files from --data DIR")
        return load_text_task(opts.task, opts.data, opts.vocab_size, opts.max_length)
    if opts.data is not None or opts.glove is not None:
        raise TpcError(
            f"--data and --glove are for the text tasks "
            f"({', '.join(task_names(text=True))}); {opts.task} is generated"
        )
    return make_dataset(
        opts.task, opts.vocab_size, opts.max_length, opts.min_length, opts.dataset_size, opts.seed
    )


def build_config(opts: TrainOptions, data: Dataset) -> ModelConfig:
    """The architecture of a new model for `data`: the options', else the task's defaults."""
    opts, task = opts.with_task_defaults(), get_task(opts.task)
    embed_vars = opts.embed_vars
    if task.text and embed_vars == 0:
        raise TpcError("text tasks learn word embeddings: --embed-vars must be >= 1")
    d_var = opts.d_var or task.d_var(len(data.tokens), data.n_ctx)
    if not 0 <= opts.dropout < 1:
        raise TpcError("--dropout must be in [0, 1)")
    return ModelConfig(
        vocab_size=len(data.tokens),
        n_classes=len(data.labels),
        n_ctx=data.n_ctx,
        d_var=d_var,
        n_layers=opts.layers,
        n_heads_cat=opts.cat_heads,
        n_heads_num=opts.num_heads,
        n_cat_mlps=opts.cat_mlps,
        n_num_mlps=opts.num_mlps,
        mlp_vars_in=opts.mlp_vars_in,
        d_mlp=opts.mlp_width,
        one_hot_embed=embed_vars == 0,
        n_vars_cat=max(embed_vars, 1),
        causal=opts.causal,
        pool_outputs=task.pooled,
        dropout=opts.dropout,
        masked_classes=[i for i, lab in enumerate(data.labels) if lab in task.masked_labels],
    )


def init_from_glove(model, path: str, tokens, seed: int) -> dict:
    """Set the embedding logits to a random projection of each word's GloVe vector (random
    for words the file lacks), as the paper's code does; returns the counts found."""
    if model.cfg.one_hot_embed:
        raise TpcError("--glove needs learned word embeddings (--embed-vars >= 1)")
    vectors, dim = read_glove(path, tokens)
    v, n_vars, d = model.embed.shape
    logits = project(tokens, vectors, dim, n_vars * d, seed)
    with torch.no_grad():
        model.embed.copy_(torch.tensor(logits, dtype=torch.float32).view(v, n_vars, d))
    found = sum(t in vectors for t in tokens)
    print(f"glove: {found} of {len(tokens)} words found in {path}", file=sys.stderr)
    return {"glove_found": found, "glove_words": len(tokens)}


def pick_device(name: str) -> torch.device:
    """auto: cuda when torch sees a GPU, else cpu."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise TpcError(
            "--device cuda: torch sees no CUDA device here (this torch build or machine has none)"
        )
    if name not in ("cpu", "cuda"):
        raise TpcError(f"--device {name!r}: expected auto, cpu or cuda")
    return torch.device(name)
