"""The exact readout step of a repair: a linear program for readout weights that decide
every row of the domain right, or as many as one can.

With every head and MLP fixed, a position's logits are linear in the readout weights (one
row per categorical value, one per numerical variable), so "the wanted class beats every
other class by at least 1" is a set of linear constraints. Where the domain is checked
exhaustively its rows are all known, and the fit below solves for all of them: a slack per
row (what it lacks of the margin) weighted by how many positions share the row, the sum
minimised, each weight within RADIUS of where it starts. Zero slack is a readout right on
every position; a row left with slack 1 or more is one that no readout within the radius
gets right beside the others (two rows with equal variables and different labels never
both are: the check reports the one left wrong). Rows join the program in rounds (first those
the current weights decide by less than the margin, then any the last solution does), so
the program holds the hard rows, not the tens of thousands decided by a wide margin.

HiGHS (highspy, dual simplex on one thread: the same answer on every run), as the -O2
readout refit of lifted programs (`tpc.passes.refit`) uses it.
"""

from __future__ import annotations

import numpy as np
import torch

from tpc.model.learned import TransformerProgram
from tpc.passes.refit import dual_simplex
from tpc.repair.readout import ReadoutRows

MARGIN = 1.0  # a wide win: float32 sums of the weights cannot turn it into a tie or a loss
# Each weight moves at most this far from where it starts: the solve stays bounded, and a
# solution fitted to the few rows added so far cannot swing far enough to break the tens of
# thousands left out (unbounded, the first solution broke 86,000 of 107,000 rows of the sort).
RADIUS = 1.0
ROUNDS = 30  # rounds of adding rows decided wrongly by the last solution
ADDED_PER_ROUND = 20_000


def _logits(w: np.ndarray, rows: ReadoutRows) -> np.ndarray:
    width = w.shape[0] - rows.num.shape[1]
    return w[rows.cat].sum(1) + rows.num @ w[width:]


def short_rows(w: np.ndarray, rows: ReadoutRows, allowed: np.ndarray, margin=MARGIN):
    """Indices of the rows whose wanted class beats the best other allowed class by less
    than `margin` under the weights `w` [features, classes]."""
    logits = _logits(w, rows)
    logits[:, ~allowed] = -np.inf
    at = np.arange(len(logits))
    mine = logits[at, rows.targets].copy()
    logits[at, rows.targets] = -np.inf
    return np.nonzero(mine - logits.max(1) < margin)[0]


class _Program:
    """Variables: the readout weights (within RADIUS of `start`), then one slack per row
    added."""

    def __init__(self, start: np.ndarray, allowed: np.ndarray):
        import highspy  # lazy: only a repair with an exhaustive domain solves

        self.inf = highspy.kHighsInf
        self.optimal = highspy.HighsModelStatus.kOptimal
        self.highs = h = dual_simplex()
        self.classes = np.nonzero(allowed)[0]
        self.n_weights, self.n_classes = start.size, len(allowed)
        flat = start.reshape(-1)
        h.addVars(self.n_weights, flat - RADIUS, flat + RADIUS)
        self.active = np.zeros(0, dtype=np.int64)

    def add(self, rows: ReadoutRows, new: np.ndarray) -> None:
        """Constraints `total[want] - total[c] + slack >= MARGIN` for each row in `new` and
        each other allowed class c; each row's slack costs its share of the positions."""
        new = np.setdiff1d(new, self.active)
        if not len(new):
            return
        h, k = self.highs, self.n_classes
        first = h.getNumCol()
        h.addVars(len(new), np.zeros(len(new)), np.full(len(new), self.inf))
        slack = np.arange(first, first + len(new), dtype=np.int32)
        h.changeColsCost(len(new), slack, rows.counts[new].astype(np.float64))
        width = self.n_weights // k - rows.num.shape[1]
        starts, cols, vals = [], [], []
        at = 0
        for i, r in enumerate(new):
            want = rows.targets[r]
            feats = np.r_[rows.cat[r], width + np.nonzero(rows.num[r])[0]]
            coef = np.r_[np.ones(rows.cat.shape[1]), rows.num[r][rows.num[r] != 0]]
            for c in self.classes:
                if c == want:
                    continue
                starts.append(at)
                cols += [feats * k + want, feats * k + c, [slack[i]]]
                vals += [coef, -coef, [1.0]]
                at += 2 * len(feats) + 1
        cols = np.concatenate(cols).astype(np.int32)
        vals = np.concatenate(vals).astype(np.float64)
        n = len(starts)
        h.addRows(
            n,
            np.full(n, MARGIN),
            np.full(n, self.inf),
            len(cols),
            np.array(starts, dtype=np.int32),
            cols,
            vals,
        )
        self.active = np.union1d(self.active, new)

    def solve(self) -> np.ndarray | None:
        self.highs.run()
        if self.highs.getModelStatus() != self.optimal:
            return None
        x = np.array(self.highs.getSolution().col_value[: self.n_weights])
        return x.reshape(-1, self.n_classes)


def solve_readout(model: TransformerProgram, rows: ReadoutRows) -> TransformerProgram | None:
    """`model` with the readout weights of least total slack over `rows` (every position of
    the domain), in place; None where the solver did not finish (the model unchanged)."""
    allowed, rows = ~model.class_mask.numpy(), rows.numpy()
    w = model.unembed.detach().double().numpy()
    program = _Program(w, allowed)
    short = short_rows(w, rows, allowed)
    for _ in range(ROUNDS):
        if not len(short):
            break
        program.add(rows, short[:ADDED_PER_ROUND])
        solved = program.solve()
        if solved is None:
            return None
        w = solved
        short = np.setdiff1d(short_rows(w, rows, allowed, MARGIN - 1e-6), program.active)
    with torch.no_grad():
        model.unembed.copy_(torch.from_numpy(w))
    return model
