"""One side of a check: `Runnable` (an artifact as batches of inputs -> outputs), and the
canonical output ids (`Canon`, `exact_key`) both sides of a check share."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from tpc.errors import TpcError
from tpc.ir import BOS, normalize, sort_key


def exact_key(value):
    try:
        return sort_key(normalize(value))
    except TypeError:  # not an IR value (a foreign module's output): compare by repr
        return (9, type(value).__name__, repr(value))


class Canon:
    """Canonical integer ids of output values, shared by both sides of one check."""

    def __init__(self, by_str: bool):
        self.by_str = by_str
        self._ids: dict = {}

    def key(self, value):
        return str(value) if self.by_str else exact_key(value)

    def id(self, value) -> int:
        return self._ids.setdefault(self.key(value), len(self._ids))

    def lookup(self, values: Sequence) -> np.ndarray:
        """Ids of `values`, as an array to index with a side's value indices."""
        return np.array([self.id(v) for v in values], dtype=np.int64)


class Runnable:
    """One artifact that maps batches of inputs to per-position outputs.

    `vocab`: its token values (without BOS) in its order, or None if it takes any (a `.rasp`
    that declares none). `max_len`: most tokens after BOS, or None. `implicit_bos`: True when
    it takes tokens without BOS and outputs one value per token. `unbound`: `bind` must fix
    its domain before it runs.
    """

    kind = "?"
    label = "?"
    vocab: tuple | None = None
    max_len: int | None = None
    implicit_bos = True
    bos = BOS
    outputs: tuple = ()
    main_output = ""
    unbound = False
    task_view = False  # a model seen through a task's input convention (conventions.TaskView)
    #: positions (batch x sequence length) evaluated at once
    batch_positions = 1 << 18

    def bind(self, vocab: Sequence, max_len: int) -> None:
        """Fix the domain of a side that has none (a `.rasp` is compiled here)."""

    def use_vocab(self, tokens: Sequence) -> None:
        """Inputs will be indices into `tokens` (this side's own token values)."""
        self.tokens = list(tokens)

    def run_ids(self, idx: np.ndarray, outputs: Sequence[str], canon: Canon) -> dict:
        """idx [batch, length] (indices into the tokens of `use_vocab`) -> output name ->
        canonical ids [batch, positions] (positions include BOS unless `implicit_bos`)."""
        raise NotImplementedError

    def run_values(self, seq: Sequence, outputs: Sequence[str]) -> dict:
        """One input (token values, no BOS) -> output name -> this side's own values."""
        raise NotImplementedError

    def output_name(self, requested: str | None) -> str:
        if requested is None:
            return self.main_output
        if requested not in self.outputs:
            raise TpcError(
                f"{self.label} has no output {requested!r} (it has {', '.join(self.outputs)})"
            )
        return requested
