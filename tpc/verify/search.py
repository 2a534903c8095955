"""Which inputs `tpc verify` runs: every one in order (exhaustive), or hypothesis's samples."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import attrs
import numpy as np

from tpc.errors import TpcError
from tpc.verify.results import Counterexample


def lengths_total(n_vocab: int, min_len: int, max_len: int) -> int:
    return sum(n_vocab**length for length in range(min_len, max_len + 1))


def enumerate_inputs(n_vocab: int, length: int, start: int, stop: int) -> np.ndarray:
    """Inputs number start..stop-1 of `length` tokens in lexicographic order, as indices."""
    numbers = np.arange(start, stop, dtype=np.int64)
    powers = n_vocab ** np.arange(length - 1, -1, -1, dtype=np.int64)
    return (numbers[:, None] // powers) % n_vocab


class Check:
    """Both sides and the outputs compared; inputs are indices into the common vocabulary.

    `unscored`: a value of B (the spec) that marks a position as not scored (the task's pad
    label), or None."""

    def __init__(self, a, b, pairs, canon, unscored=None):
        self.a, self.b, self.pairs, self.canon = a, b, pairs, canon
        both_model = not a.implicit_bos and not b.implicit_bos
        self.both_model = both_model
        self.drop_a = 0 if (a.implicit_bos or both_model) else 1
        self.drop_b = 0 if (b.implicit_bos or both_model) else 1
        self.unscored = None if unscored is None else canon.id(unscored)
        self.unscored_key = None if unscored is None else canon.key(unscored)
        self._pool = ThreadPoolExecutor(1)

    def wrong_positions(self, idx: np.ndarray) -> np.ndarray:
        """[batch] int: how many compared positions (over every compared output) differ."""
        # Side A in a second thread while B runs here: torch and numpy release the GIL, so a
        # model and an interpreter overlap on two cores.
        future = self._pool.submit(self.a.run_ids, idx, [p[0] for p in self.pairs], self.canon)
        rb = self.b.run_ids(idx, [p[1] for p in self.pairs], self.canon)
        ra = future.result()
        wrong = np.zeros(idx.shape[0], dtype=np.int64)
        for oa, ob in self.pairs:
            xa, xb = ra[oa][:, self.drop_a :], rb[ob][:, self.drop_b :]
            if xa.shape != xb.shape:
                raise TpcError(
                    f"{self.a.label} and {self.b.label} output different numbers of "
                    f"positions ({xa.shape[1]} and {xb.shape[1]}) for {idx.shape[1]} tokens"
                )
            differ = xa != xb
            if self.unscored is not None:
                differ &= xb != self.unscored
            wrong += differ.sum(1)
        return wrong

    def differs(self, idx: np.ndarray) -> np.ndarray:
        """[batch] bool: the inputs on which some compared output differs."""
        return self.wrong_positions(idx) > 0

    def counterexample(self, seq_idx: list) -> Counterexample:
        """Replays one input through both sides, one sequence at a time (not batched)."""
        seq_a = [self.a.tokens[i] for i in seq_idx]
        seq_b = [self.b.tokens[i] for i in seq_idx]
        va = self.a.run_values(seq_a, [p[0] for p in self.pairs])
        vb = self.b.run_values(seq_b, [p[1] for p in self.pairs])
        key = self.canon.key
        for oa, ob in self.pairs:
            xa, xb = va[oa][self.drop_a :], vb[ob][self.drop_b :]
            marks = [key(x) != key(y) and key(y) != self.unscored_key for x, y in zip(xa, xb)]
            if any(marks):
                if self.a.task_view:  # a model of a task: its input as it reads it
                    shown = self.a.display_input(seq_a)
                else:  # the program's typed tokens, when one side is a model
                    shown = (
                        seq_a
                        if self.a.kind != "checkpoint" or self.b.kind == "checkpoint"
                        else seq_b
                    )
                if self.both_model:
                    shown = [self.a.bos, *shown]
                return Counterexample(shown, oa if len(self.pairs) > 1 else None, xa, xb, marks)
        raise AssertionError("the batched and single runs disagree on a counterexample")


@attrs.define
class Tally:
    """What an exhaustive check found: inputs checked, the first failing one (vocabulary
    indices), and (when every input is checked) how many inputs and positions fail."""

    checked: int = 0
    first: list | None = None
    first_ordinal: int | None = None  # its place in the order, from the first input of min_len
    failing_inputs: int = 0
    failing_positions: int = 0


def exhaustive(
    check: Check,
    n_vocab: int,
    min_len: int,
    max_len: int,
    count_all: bool = False,
    share: tuple[int, int] = (0, 1),
    progress=None,
) -> Tally:
    """Every input in order; stops at the first failing one unless `count_all`. `share`
    (rank, workers): this process checks every workers-th batch, starting at the rank-th.
    `progress` (a `tpc.verify.progress.Progress`) hears of each batch and each length done."""
    rank, workers = share
    tally = Tally()
    budget = min(check.a.batch_positions, check.b.batch_positions)
    batch = offset = 0
    for length in range(min_len, max_len + 1):
        count = n_vocab**length
        offset += count
        step = max(1, budget // (length + 1))
        for lo in range(0, count, step):
            batch += 1
            if (batch - 1) % workers != rank:
                continue
            hi = min(count, lo + step)
            idx = enumerate_inputs(n_vocab, length, lo, hi)
            wrong = check.wrong_positions(idx)
            bad = wrong.nonzero()[0]
            if len(bad) and tally.first is None:
                tally.first = idx[int(bad[0])].tolist()
                tally.first_ordinal = offset - count + lo + int(bad[0])
                if not count_all:
                    tally.checked += int(bad[0]) + 1
                    return tally
            tally.checked += hi - lo
            tally.failing_inputs += len(bad)
            tally.failing_positions += int(wrong.sum())
            if progress is not None:
                progress.inputs(tally.checked, length)
        if progress is not None:
            failing = f", {tally.failing_inputs:,} failing so far" if tally.failing_inputs else ""
            progress.length(length, f"{count:,} inputs checked{failing}")
    return tally


def sampled(
    check: Check,
    n_vocab: int,
    min_len: int,
    max_len: int,
    samples: int,
    seed: int,
    count_all: bool = False,
) -> Tally:
    """`samples` random inputs (lengths uniform in min_len..max_len, then tokens uniform),
    drawn in batches from numpy's seeded generator; the first failing one is shrunk
    (`shrink`). Stops at it unless `count_all`."""
    rng = np.random.RandomState(seed)
    tally = Tally()
    budget = min(check.a.batch_positions, check.b.batch_positions)
    while tally.checked < samples:
        length = int(rng.randint(min_len, max_len + 1))
        size = min(samples - tally.checked, max(1, budget // (length + 1)))
        idx = (
            rng.randint(0, max(n_vocab, 1), size=(size, length))
            if n_vocab
            else np.zeros((size, 0), np.int64)
        )
        wrong = check.wrong_positions(idx.astype(np.int64))
        bad = wrong.nonzero()[0]
        if len(bad) and tally.first is None:
            tally.first = shrink(check, idx[int(bad[0])].tolist(), min_len)
            if not count_all:
                tally.checked += int(bad[0]) + 1
                return tally
        tally.checked += size
        tally.failing_inputs += len(bad)
        tally.failing_positions += int(wrong.sum())
    return tally


def shrink(check: Check, seq: list, min_len: int) -> list:
    """A failing input made shorter (drop one token) or else smaller (lower one token's
    vocabulary index) while it still fails; each step takes the first failing candidate."""
    while True:
        shorter = [seq[:i] + seq[i + 1 :] for i in range(len(seq))] if len(seq) > min_len else []
        smaller = [seq[:i] + [v] + seq[i + 1 :] for i in range(len(seq)) for v in range(seq[i])]
        for candidates in (shorter, smaller):
            if candidates:
                idx = np.array(candidates, dtype=np.int64).reshape(
                    len(candidates), len(candidates[0])
                )
                bad = check.differs(idx).nonzero()[0]
                if len(bad):
                    seq = candidates[int(bad[0])]
                    break
        else:
            return seq
