"""Which inputs `tpc verify` runs: every one in order (exhaustive), or hypothesis's samples."""

from __future__ import annotations

import random

import numpy as np

from tpc.errors import TpcError
from tpc.verify.results import Counterexample


def lengths_total(n_vocab: int, min_len: int, max_len: int) -> int:
    return sum(n_vocab ** length for length in range(min_len, max_len + 1))


def _enumerate(n_vocab: int, length: int, start: int, stop: int) -> np.ndarray:
    """Inputs number start..stop-1 of `length` tokens in lexicographic order, as indices."""
    numbers = np.arange(start, stop, dtype=np.int64)
    powers = n_vocab ** np.arange(length - 1, -1, -1, dtype=np.int64)
    return (numbers[:, None] // powers) % n_vocab


class Check:
    """Both sides and the outputs compared; inputs are indices into the common vocabulary."""

    def __init__(self, a, b, pairs, canon):
        self.a, self.b, self.pairs, self.canon = a, b, pairs, canon
        both_model = not a.implicit_bos and not b.implicit_bos
        self.both_model = both_model
        self.drop_a = 0 if (a.implicit_bos or both_model) else 1
        self.drop_b = 0 if (b.implicit_bos or both_model) else 1

    def differs(self, idx: np.ndarray) -> np.ndarray:
        """[batch] bool: the inputs on which some compared output differs."""
        ra = self.a.run_ids(idx, [p[0] for p in self.pairs], self.canon)
        rb = self.b.run_ids(idx, [p[1] for p in self.pairs], self.canon)
        bad = np.zeros(idx.shape[0], dtype=bool)
        for oa, ob in self.pairs:
            xa, xb = ra[oa][:, self.drop_a:], rb[ob][:, self.drop_b:]
            if xa.shape != xb.shape:
                raise TpcError(f"{self.a.label} and {self.b.label} output different numbers of "
                               f"positions ({xa.shape[1]} and {xb.shape[1]}) for {idx.shape[1]} tokens")
            bad |= (xa != xb).any(1)
        return bad

    def counterexample(self, seq_idx: list) -> Counterexample:
        seq_a = [self.a.tokens[i] for i in seq_idx]
        seq_b = [self.b.tokens[i] for i in seq_idx]
        va = self.a.run_values(seq_a, [p[0] for p in self.pairs])
        vb = self.b.run_values(seq_b, [p[1] for p in self.pairs])
        for oa, ob in self.pairs:
            xa, xb = va[oa][self.drop_a:], vb[ob][self.drop_b:]
            if [self.canon.key(v) for v in xa] != [self.canon.key(v) for v in xb]:
                shown = seq_a if self.a.kind != "checkpoint" or self.b.kind == "checkpoint" else seq_b
                if self.both_model:
                    shown = [self.a.bos, *shown]
                return Counterexample(shown, oa if len(self.pairs) > 1 else None, xa, xb)
        raise AssertionError("the batched and single runs disagree on a counterexample")


def exhaustive(check: Check, n_vocab: int, min_len: int, max_len: int):
    """(inputs checked, the first differing input as vocabulary indices, or None)."""
    checked = 0
    budget = min(check.a.batch_positions, check.b.batch_positions)
    for length in range(min_len, max_len + 1):
        count = n_vocab ** length
        step = max(1, budget // (length + 1))
        for lo in range(0, count, step):
            hi = min(count, lo + step)
            idx = _enumerate(n_vocab, length, lo, hi)
            bad = check.differs(idx)
            if bad.any():
                first = int(bad.nonzero()[0][0])
                return checked + first + 1, idx[first].tolist()
            checked += hi - lo
    return checked, None


def sampled(check: Check, n_vocab: int, min_len: int, max_len: int, samples: int, seed: int):
    """`samples` inputs drawn by hypothesis; a differing one is shrunk (shorter, then smaller
    vocabulary indices)."""
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample

    if samples < 1:
        raise TpcError("--samples must be at least 1")
    state = {"calls": 0, "found": False}

    def differs(seq):
        if not state["found"]:
            state["calls"] += 1
        bad = bool(check.differs(np.array(seq, dtype=np.int64).reshape(1, len(seq)))[0])
        state["found"] |= bad
        return bad

    strategy = st.lists(st.integers(0, max(n_vocab - 1, 0)), min_size=min_len, max_size=max_len)
    config = settings(max_examples=samples, database=None, deadline=None, derandomize=False,
                      phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck),
                      report_multiple_bugs=False)
    try:
        smallest = find(strategy, differs, settings=config, random=random.Random(seed))
    except NoSuchExample:
        return state["calls"], None
    return state["calls"], list(smallest)
