"""The check step of a repair: run a model against its spec over the domain and keep every
failing input with the spec's labels (`tpc verify --task` keeps only the first).

The domain is every input of lengths 0..max_len when there are at most `exhaustive_limit`
of them (the order and batches of `tpc.verify.search.exhaustive`), else `samples` random
inputs drawn as `tpc.verify.search.sampled` draws them. Labels are class ids of the model
(0, its `<pad>`, where the spec leaves a position unscored).
"""

from __future__ import annotations

import time

import attrs
import numpy as np

from tpc.ir import show
from tpc.verify.conventions import UNSCORED
from tpc.verify.driver import Prepared, prepare
from tpc.verify.search import enumerate_inputs


@attrs.define
class Failures:
    """The failing inputs found by one check (token ids as the model reads them, BOS first
    and EOS last where its task has one) and the spec's labels for them."""

    inputs: int = 0  # inputs checked
    failing_inputs: int = 0
    failing_positions: int = 0
    mode: str = "exhaustive"
    seconds: float = 0.0
    rows: list = attrs.field(factory=list)  # [(ids [batch, n], labels [batch, n])], one per batch
    missing: set = attrs.field(factory=set)  # spec outputs (as text) the model has no class for

    def merge(self, other: "Failures") -> None:
        self.inputs += other.inputs
        self.failing_inputs += other.failing_inputs
        self.failing_positions += other.failing_positions
        self.rows += other.rows
        self.missing |= other.missing

    def first(self) -> list | None:
        """The shortest failing input (then the first in the check's order), as ids."""
        if not self.rows:
            return None
        return min((r.tolist() for ids, _ in self.rows for r in ids), key=lambda r: (len(r), r))


class ModelCheck:
    """A model (a checkpoint file) bound to its spec under its task's input convention."""

    def __init__(
        self,
        model_path,
        spec,
        convention: str,
        tokens,
        labels,
        eos: str | None,
        max_len: int | None = None,
    ):
        self.prepared: Prepared = prepare(
            str(model_path), str(spec), max_len=max_len, task=convention
        )
        check = self.prepared.check
        ids = {t: i for i, t in enumerate(tokens)}
        # The check's inputs are indices into its common vocabulary, the model's own strings.
        self.token_ids = np.array([ids[str(t)] for t in check.a.tokens], dtype=np.int64)
        self.bos, self.eos = ids["<s>"], None if eos is None else ids[eos]
        canon = check.canon
        label_ids = {canon.id(label): i for i, label in enumerate(labels)}
        unscored = canon.id(UNSCORED)
        self.canon_to_label = lambda c: 0 if c == unscored else label_ids.get(c, -1)
        self.output = check.pairs[0][1]

    def model_rows(self, idx: np.ndarray) -> np.ndarray:
        """Vocabulary indices -> the model's token ids, BOS first and EOS last."""
        parts = [np.full((len(idx), 1), self.bos), self.token_ids[idx].reshape(idx.shape)]
        if self.eos is not None:
            parts.append(np.full((len(idx), 1), self.eos))
        return np.concatenate(parts, 1)

    def spec_labels(self, idx: np.ndarray, missing: set) -> np.ndarray:
        """The spec's label ids at every position the model reads (0 at BOS and EOS, and
        where the spec outputs a value the model has no class for: added to `missing`)."""
        check = self.prepared.check
        out = check.b.run_ids(idx, [self.output], check.canon)[self.output][:, check.drop_b :]
        labels = np.vectorize(self.canon_to_label, otypes=[np.int64])(out) if out.size else out
        for row in np.unique((labels < 0).nonzero()[0]):
            seq = [check.b.tokens[i] for i in idx[row]]
            values = check.b.run_values(seq, [self.output])[self.output][check.drop_b :]
            missing |= {show(v, quote=False) for v, label in zip(values, labels[row]) if label < 0}
        labels = np.maximum(labels, 0)
        width = idx.shape[1] + 2 if self.eos is not None else idx.shape[1] + 1
        full = np.zeros((len(idx), width), dtype=np.int64)
        full[:, 1 : idx.shape[1] + 1] = labels.reshape(len(idx), idx.shape[1])
        return full

    def domain(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every input of the domain (model token ids) with the spec's labels, one pair
        per length."""
        p = self.prepared
        return [
            (self.model_rows(idx), self.spec_labels(idx, set()))
            for idx in (
                enumerate_inputs(p.n_vocab, n, 0, p.n_vocab**n)
                for n in range(p.min_len, p.max_len + 1)
            )
        ]

    def _batch(self, idx: np.ndarray, found: Failures) -> None:
        wrong = self.prepared.check.wrong_positions(idx)
        bad = wrong.nonzero()[0]
        found.inputs += len(idx)
        found.failing_inputs += len(bad)
        found.failing_positions += int(wrong.sum())
        if len(bad):
            labels = self.spec_labels(idx[bad], found.missing)
            found.rows.append((self.model_rows(idx[bad]), labels))

    def run(
        self, exhaustive_limit: int, samples: int, seed: int, share: tuple[int, int] = (0, 1)
    ) -> Failures:
        """Every failing input of this process's share (`share` = rank, workers)."""
        start = time.perf_counter()
        p = self.prepared
        found = Failures(mode="exhaustive" if p.total <= exhaustive_limit else "sampled")
        budget = min(p.check.a.batch_positions, p.check.b.batch_positions)
        if found.mode == "exhaustive":
            batch = 0
            for length in range(p.min_len, p.max_len + 1):
                count, step = p.n_vocab**length, max(1, budget // (length + 1))
                for lo in range(0, count, step):
                    batch += 1
                    if (batch - 1) % share[1] == share[0]:
                        self._batch(
                            enumerate_inputs(p.n_vocab, length, lo, min(count, lo + step)), found
                        )
        else:
            rng = np.random.RandomState(seed)
            drawn = batch = 0
            while drawn < samples:  # every worker draws every batch, to stay in step
                length = int(rng.randint(p.min_len, p.max_len + 1))
                size = min(samples - drawn, max(1, budget // (length + 1)))
                idx = rng.randint(0, max(p.n_vocab, 1), size=(size, length)).astype(np.int64)
                drawn, batch = drawn + size, batch + 1
                if (batch - 1) % share[1] == share[0]:
                    self._batch(idx, found)
        found.seconds = time.perf_counter() - start
        return found
