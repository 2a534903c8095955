"""Readout refitting: the smallest whole-number scores that decide every reachable row alike.

A readout's scores are one solution among many: any scores that give every combination of
term values the program can reach the same first best class give the same program. A linear
program finds such scores with a margin of 1 (the winner beats every other class by at least
1) while keeping the largest score as small as it can (then the sum of sizes); scaled by the
smallest factor whose rounding still decides every row alike, they are whole numbers.
Whole numbers whose sums stay below 2**24 are added exactly by float32 in any order, so the
readout reads as integer arithmetic. Every row is checked after rounding; rows are the
reachable combinations (prune's routes), and a term whose scores the fit can do without goes.

The linear program is solved by scipy's HiGHS (dual simplex: the same answer on every run),
with the rows added in rounds: first those the model decides by the smallest margins, then
any row the last solution gets wrong.
"""

from __future__ import annotations

import math

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
# 0.3 s, but HiGHS worked for minutes on one (dual simplex at 5 s an iteration).
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
    total = np.broadcast_to(x[lay.bias:lay.bias + c], (len(rows), c)).copy()
    for col, lin, start, size in zip(lay.columns, lay.linear, lay.starts, lay.sizes):
        block = x[start:start + size * c].reshape(size, c)
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
    """Sparse rows of `-(total[want] - total[c]) <= -1` for each active row and other class."""
    from scipy.sparse import coo_matrix

    c = lay.n_classes
    r = np.repeat(active, c - 1)
    w = want[r]
    others = np.array([[k for k in range(c) if k != wi] for wi in range(c)])
    o = others[want[active]].ravel()
    n = len(r)
    ids, cols, vals = [], [], []
    for col, lin, start in zip(lay.columns, lay.linear, lay.starts):
        v = rows[r, col]
        base = start + (0 if lin is not None else v * c)
        coef = lin[v] if lin is not None else np.ones(n)
        ids += [np.arange(n), np.arange(n)]
        cols += [base + w, base + o]
        vals += [-coef, coef]
    ids += [np.arange(n), np.arange(n)]
    cols += [lay.bias + w, lay.bias + o]
    vals += [-np.ones(n), np.ones(n)]
    return coo_matrix((np.concatenate(vals), (np.concatenate(ids), np.concatenate(cols))), shape=(n, lay.n_vars))


def _solve(lay: _Layout, rows, want, active) -> np.ndarray | None:
    """The scores (margin 1 on the active rows) with the smallest largest size, then the
    smallest total size; None if there are none."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix, hstack, identity, vstack

    nv = lay.n_vars
    # variables: x (nv, free), a >= |x| (nv), z >= a (1)
    A = _constraints(lay, rows, want, active)
    eye = identity(nv, format="csr")
    a_ub = vstack([
        hstack([A, csr_matrix((A.shape[0], nv + 1))]),
        hstack([eye, -eye, csr_matrix((nv, 1))]),
        hstack([-eye, -eye, csr_matrix((nv, 1))]),
        hstack([csr_matrix((nv, nv)), eye, -np.ones((nv, 1))]),
    ]).tocsr()
    b_ub = np.concatenate([-np.ones(A.shape[0]), np.zeros(3 * nv)])
    cost = np.concatenate([np.zeros(nv), np.full(nv, 1.0 / nv), [1.0]])
    bounds = [(None, None)] * nv + [(0, None)] * (nv + 1)
    # An iteration cap (not a time limit: the same answer on every machine) bounds the rare
    # program HiGHS works long on; reaching it counts as no fit.
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs-ds",
                  options={"presolve": True, "maxiter": MAX_ITERATIONS})
    return res.x[:nv] if res.status == 0 else None


def _fit(lay: _Layout, rows: np.ndarray, want: np.ndarray, active: np.ndarray, rounds: int = ROUNDS):
    """(whole-number scores deciding every row as `want`, the rows the last linear program
    held), or None. `active`: the rows to start from; when no scores decide even those
    alike, none decide all rows alike, so a term that cannot go is found out in one round."""
    for _ in range(rounds):
        x = _solve(lay, rows, want, active)
        if x is None:
            return None
        short = np.nonzero(_margins(_totals(lay, x, rows), want) < 1 - 1e-6)[0]
        if not len(short):
            break
        active = np.union1d(active, short[:ADDED_PER_ROUND])
    else:
        return None
    for scale in range(1, MAX_SCALE + 1):
        whole = np.round(x * scale) + 0.0  # no -0.0
        if _largest_sum(lay, whole, rows) >= MAX_SCORE:
            return None
        if (_margins(_totals(lay, whole, rows), want) >= 0).all():
            return whole, active
    return None


def _largest_sum(lay: _Layout, x: np.ndarray, rows: np.ndarray) -> float:
    """The largest sum of score sizes on any row: every partial sum is at most this."""
    sizes = attrs.evolve(lay, linear=tuple(None if v is None else np.abs(v) for v in lay.linear))
    return float(_totals(sizes, np.abs(x), rows).max(initial=0))


def _readout(program: Program, node: Readout, lay: _Layout, x: np.ndarray) -> Readout:
    c = lay.n_classes
    terms, scores = [], []
    for col, lin, start, size in zip(lay.columns, lay.linear, lay.starts, lay.sizes):
        term = node.terms[col]
        values = program[term].type.values
        block = x[start:start + size * c].reshape(size, c)
        rows = [numerical_row(v, block[0]) for v in values] if lin is not None else [tuple(r) for r in block]
        terms.append(term)
        scores.append(Table(list(zip(values, rows))))
    return attrs.evolve(node, terms=tuple(terms), scores=tuple(scores), bias=tuple(x[lay.bias:lay.bias + c]))


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
    fit = _fit(lay, rows, want, closest[:FIRST_ROWS])
    if fit is None:
        return None
    x, active = fit
    for i in order if len(rows) <= DROP_ROWS else ():
        if i in single or len(keep) <= 1:
            continue
        trial = [j for j in keep if j != i]
        lay_t = _layout(program, node, trial)
        found = _fit(lay_t, rows, want, active, DROP_ROUNDS)
        if found is not None:
            keep, lay, (x, active) = trial, lay_t, found
    return _readout(program, node, lay, x), keep


def _model_margins(program: Program, node: Readout, rows, want) -> np.ndarray:
    lay = _layout(program, node, list(range(len(node.terms))))
    x = np.zeros(lay.n_vars)
    for col, lin, start, size, table in zip(lay.columns, lay.linear, lay.starts, lay.sizes, node.scores):
        values = program[node.terms[col]].type.values
        block = [linear_weights(values, table)] if lin is not None else [table[v] for v in values]
        x[start:start + size * lay.n_classes] = np.array(block, dtype=np.float64).ravel()
    x[lay.bias:] = node.bias
    return _margins(_totals(lay, x, rows), want)
