"""From a task name to tokenized train/val/test tensors, the way the reference builds them."""

from __future__ import annotations

import math

import attrs
import numpy as np
import torch

from tpc.errors import TpcError
from tpc.tasks.generators import PAD, Example
from tpc.tasks.registry import Task, get_task

# The generator draws up to 5x the examples as Python lists: this bound keeps that to ~1 GB.
MAX_DATASET_TOKENS = 4_000_000


@attrs.frozen
class Split:
    """Token ids padded with id 0 (``<pad>``) to the split's longest example."""

    x: torch.Tensor
    y: torch.Tensor


@attrs.frozen
class Dataset:
    task: str
    tokens: tuple[str, ...]  # input id -> token, ``<pad>`` first
    labels: tuple[str, ...]  # class id -> label, ``<pad>`` first
    train: Split
    val: Split
    test: Split
    info: dict = attrs.field(factory=dict)  # what loading text files left out, for metrics.json

    @property
    def n_ctx(self) -> int:
        return self.train.x.shape[1]


def generate_unique(spec: Task, vocab_size, size, min_length, max_length, seed) -> list[Example]:
    """Draw 2x, 3x, 4x, then 5x ``size`` examples until ``size`` distinct inputs are found."""
    for factor in (2, 3, 4, 5):
        rng = np.random.RandomState(seed)
        examples = spec.generate(vocab_size, factor * size, min_length, max_length, rng)
        unique = list({"".join(x): (x, y) for x, y in reversed(examples)}.values())[::-1]
        if len(unique) >= size:
            return unique[:size]
    return unique


def split_indices(n: int, seed: int, test_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) row indices, equal to scikit-learn's ``train_test_split`` for this seed."""
    n_test = math.ceil(test_fraction * n)
    perm = np.random.RandomState(seed).permutation(n)
    return perm[n_test:], perm[:n_test]


def build_vocab(examples: list[Example]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``<pad>`` first, then the sorted tokens (labels) seen in the training examples."""
    tokens = sorted({t for x, _ in examples for t in x} - {PAD})
    labels = sorted({t for _, y in examples for t in y} - {PAD})
    return (PAD, *tokens), (PAD, *labels)


def encode(rows: list[list[str]], vocab: tuple[str, ...]) -> torch.Tensor:
    """Ids padded to the longest row; unseen tokens map to id 0 as in the reference."""
    index = {t: i for i, t in enumerate(vocab)}
    width = max(len(r) for r in rows)
    return torch.tensor([[index.get(t, 0) for t in r] + [0] * (width - len(r)) for r in rows])


def make_dataset(
    task: str,
    vocab_size: int | None = None,
    max_length: int | None = None,
    min_length: int | None = None,
    size: int = 20000,
    seed: int = 0,
) -> Dataset:
    """Generate, deduplicate and split 81% / 9% / 10% (train / val / test), as the paper does."""
    spec = get_task(task)
    if spec.text:
        raise TpcError(f"{task} reads its sentences from files, it generates no data")
    if spec.vocab_fixed or vocab_size is None:
        vocab_size = spec.vocab_size
    elif vocab_size < spec.min_vocab_size:
        raise TpcError(
            f"--vocab-size {vocab_size}: {task} needs at least "
            f"{spec.min_vocab_size} (its special tokens and one value)"
        )
    max_length = spec.max_length if max_length is None else max_length
    min_length = spec.min_length if min_length is None else min_length
    if size < 10 or min_length > max_length or max_length < 2:
        raise TpcError(f"impossible dataset: size {size}, lengths {min_length}..{max_length}")
    if size * max_length > MAX_DATASET_TOKENS:
        raise TpcError(
            f"dataset size {size} x max length {max_length} is beyond the supported limit of "
            f"{MAX_DATASET_TOKENS:,} tokens"
        )
    examples = generate_unique(spec, vocab_size, size, min_length, max_length, seed)
    rest, test = split_indices(len(examples), seed)
    rest_train, rest_val = split_indices(len(rest), seed)
    parts = [
        [examples[i] for i in rest[rest_train]],
        [examples[i] for i in rest[rest_val]],
        [examples[i] for i in test],
    ]
    if not all(parts):
        raise TpcError(
            f"{task}: only {len(examples)} distinct inputs at vocab size {vocab_size} "
            f"and lengths {min_length}..{max_length}: too few for train, validation "
            "and test splits (raise --vocab-size or --max-len)"
        )
    tokens, labels = build_vocab(parts[0])
    splits = [
        Split(encode([x for x, _ in p], tokens), encode([y for _, y in p], labels)) for p in parts
    ]
    return Dataset(spec.name, tokens, labels, *splits)
