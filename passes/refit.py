"""Readout refitting: the smallest whole-number scores that decide every reachable row alike.

A readout's scores are one solution among many: any scores that give every combination of
term values the program can reach the same first best class give the same program. A linear
program finds such scores with a margin of 1 (the winner beats every other class by at least
1) while keeping the largest score as small as it can (then the sum of sizes); scaled by the
smallest factor whose rounding still decides every row alike, they are whole numbers.
Whole numbers whose sums stay below 2**24 are added exactly by float32 in any order, so the
readout reads as integer arithmetic. Every row is checked after rounding; rows are the
reachable combinations (prune's routes), and a term whose scores the fit can do without goes.

The linear program is solved by HiGHS (highspy; dual simplex on one thread: the same answer
on every run), with the rows added in rounds: first those the model decides by the smallest
margins, then any row the last solution gets wrong. It is one model throughout: each solve
starts from the last one's basis, and a term is tried for removal by holding its scores at
zero, so a round costs a few hundred simplex iterations, not a fresh solve (most_freq, 1.27M
rows of 38 terms: 6 rounds in 5 minutes, where fresh solves took 95 s and more each).
"""

from __future__ import annotations

import math
import os
import sys

import attrs
import numpy as np

from tpc.ir import Program, Readout, Table, linear_weights, numerical_row

FIRST_ROWS = 4000  # rows in the first round: the model's closest calls
ROUNDS = 40  # rounds of adding wrongly decided rows before giving up
ADDED_PER_ROUND = 5000
MAX_ITERATIONS = 100_000  # simplex iterations per linear program (sort: 2,700 a fit)
MAX_SCALE = 64  # largest factor tried when rounding the fitted scores to whole numbers
MAX_SCORE = 2**24  # float32 adds whole numbers exactly below this
DROP_ROUNDS = 6  # rounds a fit without one more term gets (most fail in the first)
# Past this many rows no term is tried for removal: on sort's 380,523 rows most tries fail in
# 1-5 s, but one took 211 s (1,250 slow iterations) and another ended in a solver error; on
# most_freq's 1,266,759 the first try ended with status Unknown after 156 iterations.
DROP_ROWS = 100_000


@attrs.frozen
class _Layout:
    """Where each term's scores live in the linear program's variable vector."""

    columns: tuple  # per term: the column its values are read from in `rows`
    linear: tuple  # per term: its values as numbers (scored value * weight), or None (a table)
    sizes: tuple  # per term: how many values (tables) or 1 (linear)
    starts: tuple  # per term: index of its first variable
    n_classes: int

    @property
    def bias(self) -> int:
        return self.starts[-1] + self.sizes[-1] * self.n_classes if self.sizes else 0

    @property
    def n_vars(self) -> int:
        return self.bias + self.n_classes


def _layout(program: Program, node: Readout, keep: list[int]) -> _Layout:
    """The variables for the terms at positions `keep`: a numerical term with whole-number
    values keeps its value * weight form (one weight per class), any other a row per value."""
    linear, sizes, starts, at = [], [], [], 0
    for i in keep:
        values = program[node.terms[i]].type.values
        w = linear_weights(values, node.scores[i])
        whole = w is not None and all(float(v).is_integer() for v in values)
        linear.append(np.array([float(v) for v in values]) if whole else None)
        sizes.append(1 if whole else len(values))
        starts.append(at)
        at += sizes[-1] * len(node.classes)
    return _Layout(tuple(keep), tuple(linear), tuple(sizes), tuple(starts), len(node.classes))


def _totals(lay: _Layout, x: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Each row's class totals under the variable vector x."""
    c = lay.n_classes
    total = np.broadcast_to(x[lay.bias : lay.bias + c], (len(rows), c)).copy()
    for col, lin, start, size in zip(lay.columns, lay.linear, lay.starts, lay.sizes):
        block = x[start : start + size * c].reshape(size, c)
        total += lin[rows[:, col]][:, None] * block[0] if lin is not None else block[rows[:, col]]
    return total


def _margins(total: np.ndarray, want: np.ndarray) -> np.ndarray:
    """How far each row's wanted class is ahead of the best other class; a tie counts as 0
    when the wanted class comes first (the first best wins), as -1 when it does not."""
    mine = total[np.arange(len(total)), want]
    others = total.copy()
    others[np.arange(len(total)), want] = -np.inf
    gap = mine - others.max(-1)
    earlier = np.arange(total.shape[1])[None, :] < want[:, None]
    earlier_tie = ((total == mine[:, None]) & earlier).any(-1)
    return np.where((gap == 0) & earlier_tie, -1.0, gap)


def _constraints(lay: _Layout, rows: np.ndarray, want: np.ndarray, active: np.ndarray):
    """(row starts, columns, values) of the sparse rows `total[c] - total[want] <= -1`, one per
    active row and other class c (every variable once per row: a term's two entries differ)."""
    c = lay.n_classes
    r = np.repeat(active, c - 1)
    w = want[r]
    others = np.array([[k for k in range(c) if k != wi] for wi in range(c)])
    o = others[want[active]].ravel()
    cols, vals = [], []
    for col, lin, start in zip(lay.columns, lay.linear, lay.starts):
        v = rows[r, col]
        base = start + (0 if lin is not None else v * c)
        coef = lin[v] if lin is not None else np.ones(len(r))
        cols += [base + w, base + o]
        vals += [-coef, coef]
    cols += [lay.bias + w, lay.bias + o]
    vals += [-np.ones(len(r)), np.ones(len(r))]
    cols, vals = np.stack(cols, axis=1), np.stack(vals, axis=1)  # one line per constraint
    nonzero = vals != 0  # a numerical term's value 0 adds nothing
    starts = np.concatenate([[0], np.cumsum(nonzero.sum(1))[:-1]])
    return starts.astype(np.int32), cols[nonzero].astype(np.int32), vals[nonzero]


def _silently(make):
    """make(), with what it writes to file descriptor 1 dropped: HiGHS prints a banner there
    (past sys.stdout) the first time a model is made, which would land in `tpc lift`'s output."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            return make()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def dual_simplex():
    """A silent HiGHS model solved by dual simplex on one thread: the same answer on every
    run (this pass's programs and `tpc.repair.exact`'s)."""
    import highspy  # here, not at the top: `tpc run` and `emit` import passes, not the solver

    h = _silently(highspy.Highs)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", 1)  # dual
    h.setOptionValue("threads", 1)
    return h


class _LinearProgram:
    """Scores with a margin of 1 on the rows added so far and the smallest largest size, then
    the smallest total size: one HiGHS model that rows are added to and terms fixed at zero
    in, each solve starting from the last one's basis (dual simplex, one thread: the same
    answer on every run)."""

    def __init__(self, lay: _Layout):
        import highspy  # here, not at the top: `tpc run` and `emit` import passes, not the solver

        self.lay, self.n = lay, lay.n_vars
        self.inf = highspy.kHighsInf
        self.optimal, self.infeasible = (
            highspy.HighsModelStatus.kOptimal,
            highspy.HighsModelStatus.kInfeasible,
        )
        self.highs = h = dual_simplex()
        # An iteration cap (not a time limit: the same answer on every machine) bounds the rare
        # program HiGHS works long on; reaching it counts as no fit.
        h.setOptionValue("simplex_iteration_limit", MAX_ITERATIONS)
        n, inf = self.n, self.inf
        # variables: x (n, free), a >= |x| (n), z >= every a; minimise z + mean(a)
        h.addVars(2 * n + 1, np.r_[np.full(n, -inf), np.zeros(n + 1)], np.full(2 * n + 1, inf))
        h.changeColsCost(
            2 * n + 1,
            np.arange(2 * n + 1, dtype=np.int32),
            np.r_[np.zeros(n), np.full(n, 1 / n), 1.0],
        )
        # x - a <= 0, -x - a <= 0, a - z <= 0: rows of two entries each
        i = np.arange(n, dtype=np.int32)
        pairs = np.r_[
            np.c_[i, n + i], np.c_[i, n + i], np.c_[n + i, np.full(n, 2 * n, dtype=np.int32)]
        ]
        signs = np.r_[np.tile([1.0, -1.0], n), np.tile([-1.0, -1.0], n), np.tile([1.0, -1.0], n)]
        self._add(np.arange(0, 6 * n, 2, dtype=np.int32), pairs.ravel(), signs, np.zeros(3 * n))
        self.active = np.zeros(0, dtype=np.int64)

    def _add(self, starts, cols, vals, upper):
        self.highs.addRows(
            len(starts), np.full(len(starts), -self.inf), upper, len(cols), starts, cols, vals
        )

    def add_rows(self, rows: np.ndarray, want: np.ndarray, new: np.ndarray) -> None:
        """Require a margin of 1 on the rows `new` (indices into `rows`)."""
        new = np.setdiff1d(new, self.active)
        if not len(new):  # no empty constraint row: 0 <= -1 would make the program infeasible
            return
        starts, cols, vals = _constraints(self.lay, rows, want, new)
        self._add(starts, cols, vals, -np.ones(len(starts)))
        self.active = np.union1d(self.active, new)

    def fix(self, term: int, zero: bool) -> None:
        """Hold the scores of the layout's `term`-th term at zero (or free them again)."""
        c, start, size = self.lay.n_classes, self.lay.starts[term], self.lay.sizes[term]
        idx = np.arange(start, start + size * c, dtype=np.int32)
        bound = np.zeros(len(idx)) if zero else np.full(len(idx), self.inf)
        self.highs.changeColsBounds(len(idx), idx, -bound, bound)

    def solve(self) -> np.ndarray | None:
        """The scores x, or None if there are none (or the iteration cap is reached)."""
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != self.optimal:
            if (
                status != self.infeasible
            ):  # an error or the iteration cap: start the next solve afresh
                self.highs.clearSolver()
            return None
        return np.array(self.highs.getSolution().col_value[: self.n])


def _fit(lp: _LinearProgram, rows: np.ndarray, want: np.ndarray, rounds: int = ROUNDS):
    """Whole-number scores deciding every row as `want`, or None. The linear program keeps
    the rows it held before: when no scores decide even those alike, none decide all rows
    alike, so a term that cannot go is found out in one round."""
    lay = lp.lay
    for _ in range(rounds):
        x = lp.solve()
        if x is None:
            return None
        short = np.nonzero(_margins(_totals(lay, x, rows), want) < 1 - 1e-6)[0]
        if not len(short):
            break
        lp.add_rows(rows, want, short[:ADDED_PER_ROUND])
    else:
        return None
    for scale in range(1, MAX_SCALE + 1):
        whole = np.round(x * scale) + 0.0  # no -0.0
        if _largest_sum(lay, whole, rows) >= MAX_SCORE:
            return None
        if (_margins(_totals(lay, whole, rows), want) >= 0).all():
            return whole
    return None


def _largest_sum(lay: _Layout, x: np.ndarray, rows: np.ndarray) -> float:
    """The largest sum of score sizes on any row: every partial sum is at most this."""
    sizes = attrs.evolve(lay, linear=tuple(None if v is None else np.abs(v) for v in lay.linear))
    return float(_totals(sizes, np.abs(x), rows).max(initial=0))


def _readout(
    program: Program, node: Readout, lay: _Layout, x: np.ndarray, keep: list[int]
) -> Readout:
    """The readout with the scores x for the terms at positions `keep` (the others' are zero)."""
    c = lay.n_classes
    terms, scores = [], []
    for col, lin, start, size in zip(lay.columns, lay.linear, lay.starts, lay.sizes):
        if col not in keep:
            continue
        term = node.terms[col]
        values = program[term].type.values
        block = x[start : start + size * c].reshape(size, c)
        rows = (
            [numerical_row(v, block[0]) for v in values]
            if lin is not None
            else [tuple(r) for r in block]
        )
        terms.append(term)
        scores.append(Table(list(zip(values, rows))))
    return attrs.evolve(
        node, terms=tuple(terms), scores=tuple(scores), bias=tuple(x[lay.bias : lay.bias + c])
    )


def refit(program: Program, node: Readout, rows: np.ndarray, want: np.ndarray, order: list[int]):
    """(readout with whole-number scores deciding every row of `rows` (columns: node.terms) as
    `want`, the positions of the terms it keeps), or None. Terms are tried for removal in
    `order`; a term with one value is folded into the bias."""
    if math.prod(rows.shape) == 0:
        return None
    single = [i for i in range(len(node.terms)) if len(program[node.terms[i]].type.values) == 1]
    keep = [i for i in range(len(node.terms)) if i not in single]
    if not keep:
        return None
    closest = np.argsort(_model_margins(program, node, rows, want), kind="stable")
    lay = _layout(program, node, keep)
    lp = _LinearProgram(lay)
    lp.add_rows(rows, want, closest[:FIRST_ROWS])
    x = _fit(lp, rows, want)
    if x is None:
        return None
    for i in order if tries_removal(rows) else ():
        if i in single or len(keep) <= 1:
            continue
        term = lay.columns.index(i)
        lp.fix(term, zero=True)
        found = _fit(lp, rows, want, DROP_ROUNDS)
        if found is None:
            lp.fix(term, zero=False)
        else:
            keep, x = [j for j in keep if j != i], found
    return _readout(program, node, lay, x, keep), keep


def tries_removal(rows: np.ndarray) -> bool:
    """Whether terms are tried for removal on these rows (not past DROP_ROWS)."""
    return len(rows) <= DROP_ROWS


def _model_margins(program: Program, node: Readout, rows, want) -> np.ndarray:
    lay = _layout(program, node, list(range(len(node.terms))))
    x = np.zeros(lay.n_vars)
    for col, lin, start, size, table in zip(
        lay.columns, lay.linear, lay.starts, lay.sizes, node.scores
    ):
        values = program[node.terms[col]].type.values
        block = [linear_weights(values, table)] if lin is not None else [table[v] for v in values]
        x[start : start + size * lay.n_classes] = np.array(block, dtype=np.float64).ravel()
    x[lay.bias :] = node.bias
    return _margins(_totals(lay, x, rows), want)
