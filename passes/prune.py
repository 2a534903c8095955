"""Readout pruning with proof, and decision tables for readouts of one or two terms.

A readout's argmax is often decided by a few of its terms. A term goes when the first best
class is the same without it for every combination of term values the program can reach,
checked with the readout's own float32 arithmetic (bias first, terms in order, one rounding
per addition: tpc/ir/scores.py), so ties and term order count exactly as in the model.
Two routes give the combinations, both sound:
- value sets: every combination of the terms' (narrowed) value sets, when there are at
  most PRODUCT_LIMIT; a superset of what is reachable, fast;
- exhaustive: the interpreter run on every input of the domain (at most EXHAUSTIVE_LIMIT
  inputs), which finds exactly the combinations that occur.
The terms left (more than two) are then refit (refit.py): the smallest whole-number scores
that give every row the same winner, found by linear programming and checked on every row,
may do without more terms. When no fit is found, the scores left are rounded to whole
numbers at the smallest scale that keeps every winner on those rows and every float32 sum
exact (a reader adds small integers); when no scale does (near-ties), each score in turn
takes the shortest decimal (fewest significant digits) whose float32 value keeps the winner
of every row, the sum still float32. A readout left with one or two terms becomes a Map or
SequenceMap whose table is its argmax on every (pair of) value(s): the scores are no longer
needed to read the program.
"""

from __future__ import annotations

import math

import attrs
import numpy as np

from tpc.ir import (
    Map,
    Program,
    Readout,
    SequenceMap,
    Table,
    linear_weights,
    numerical_row,
    sort_key,
)

from .domain import EXHAUSTIVE_LIMIT, domain_size, reachable
from .refit import refit, tries_removal

PRODUCT_LIMIT = 1_000_000  # combinations of term values
SCALES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)  # tried in turn when rounding scores
SHORTEN_LIMIT = 500_000_000  # rows x scores: past this, scores keep every digit


def product_rows(program: Program, node: Readout) -> np.ndarray:
    """Every combination of the terms' value sets."""
    sizes = [len(program[t].type.values) for t in node.terms]
    grids = np.meshgrid(*[np.arange(s) for s in sizes], indexing="ij")
    return (
        np.stack([g.ravel() for g in grids], axis=1) if sizes else np.zeros((1, 0), dtype=np.int64)
    )


def _reachable_terms(program: Program, node: Readout) -> np.ndarray:
    """The combinations of term values that occur (a term read twice is one column, repeated)."""
    terms = tuple(dict.fromkeys(node.terms))
    rows = reachable(program, [terms])[0]
    return rows[:, [terms.index(t) for t in node.terms]]


def _score_arrays(program: Program, node: Readout) -> list[np.ndarray]:
    return [
        np.array([table[v] for v in program[t].type.values], dtype=np.float32).reshape(
            -1, len(node.classes)
        )
        for t, table in zip(node.terms, node.scores)
    ]


def winners(node: Readout, arrays: list[np.ndarray], rows: np.ndarray, keep) -> np.ndarray:
    """Index of the first best class on each row, adding the bias then the kept terms in order
    in float32 (numpy float32 additions round once each, as the model's)."""
    total = np.broadcast_to(np.array(node.bias, dtype=np.float32), (len(rows), len(node.bias)))
    for i in keep:
        total = total + arrays[i][rows[:, i]]
    return total.argmax(-1)


def _influence(array: np.ndarray) -> float:
    """How far one term can move a margin between two classes (try dropping small ones first)."""
    return float((array.max(-1) - array.min(-1)).max()) if array.size else 0.0


def _greedy(node: Readout, arrays, rows, keep: list[int]) -> list[int]:
    """The kept term positions after dropping, smallest influence first, each term whose
    removal leaves the winner of every row unchanged."""
    want = winners(node, arrays, rows, keep)
    for i in sorted(keep, key=lambda i: _influence(arrays[i])):
        trial = [j for j in keep if j != i]
        if np.array_equal(winners(node, arrays, rows, trial), want):
            keep = trial
    return keep


def _decision_table(program: Program, node: Readout, arrays):
    """The readout as a Map / SequenceMap over its one or two terms."""
    values = [program[t].type.values for t in node.terms]
    rows = product_rows(program, node)
    best = winners(node, arrays, rows, range(len(node.terms)))
    outs = [node.classes[i] for i in best]
    keys = [
        values[0][r[0]] if len(values) == 1 else (values[0][r[0]], values[1][r[1]]) for r in rows
    ]
    kind = type(node.type)(
        [o for o in node.classes if any(sort_key(o) == sort_key(x) for x in outs)]
    )
    if len(values) == 1:
        return Map(name=node.name, type=kind, x=node.terms[0], table=Table(list(zip(keys, outs))))
    return SequenceMap(
        name=node.name,
        type=kind,
        x=node.terms[0],
        y=node.terms[1],
        table=Table(list(zip(keys, outs))),
    )


def _rounded(program: Program, term: str, table: Table, array: np.ndarray, scale) -> np.ndarray:
    """A term's scores times `scale`, rounded to whole numbers; a numerical term scored as
    value * weight keeps that form (its weights are rounded, then multiplied out)."""
    values = program[term].type.values
    weights = linear_weights(values, table)
    if weights is None:
        return np.round(array.astype(np.float64) * scale).astype(np.float32)
    whole = tuple(float(round(w * scale)) for w in weights)
    return np.array([numerical_row(v, whole) for v in values], dtype=np.float32).reshape(
        array.shape
    )


def _quantized(program: Program, node: Readout, arrays, rows, want):
    """The readout with its scores rounded to whole numbers at the smallest scale in SCALES
    that leaves the winner of every row unchanged and keeps every float32 partial sum exact
    (so the order of additions no longer matters), or None."""
    for scale in SCALES:
        bias = tuple(float(round(b * scale)) for b in node.bias)
        ints = [
            _rounded(program, t, table, a, scale)
            for t, table, a in zip(node.terms, node.scores, arrays)
        ]
        largest = sum(np.abs(a).max(initial=0) for a in ints) + max(map(abs, bias), default=0)
        if largest >= 2**24:
            return None
        trial = attrs.evolve(node, bias=bias)
        if np.array_equal(winners(trial, ints, rows, range(len(ints))), want):
            scores = tuple(
                Table([(v, tuple(map(float, row))) for v, row in zip(program[t].type.values, a)])
                for t, a in zip(node.terms, ints)
            )
            return attrs.evolve(trial, scores=scores), scale
    return None


def _shortened(program: Program, node: Readout, arrays, rows, want):
    """The readout with each score of a table term replaced, one at a time, by the shortest
    decimal whose float32 value leaves the winner of every row unchanged (rechecked on the
    rows that read it); numerical terms (value * weight) keep their weights. None if no
    score gets shorter."""
    arrays = [a.copy() for a in arrays]
    changed = 0
    for i, (term, table) in enumerate(zip(node.terms, node.scores)):
        if linear_weights(program[term].type.values, table) is not None:
            continue
        for v in range(len(arrays[i])):
            reading = rows[rows[:, i] == v]
            for c in range(arrays[i].shape[1]):
                exact = float(arrays[i][v, c])
                for digits in range(1, 8) if math.isfinite(exact) else ():
                    short = np.float32(float(f"{exact:.{digits}g}"))
                    if short == exact:
                        break
                    arrays[i][v, c] = short
                    if np.array_equal(
                        winners(node, arrays, reading, range(len(arrays))), want[rows[:, i] == v]
                    ):
                        changed += 1
                        break
                    arrays[i][v, c] = exact
    if not changed:
        return None
    scores = tuple(
        Table([(v, tuple(map(float, row))) for v, row in zip(program[t].type.values, a)])
        for t, a in zip(node.terms, arrays)
    )
    return attrs.evolve(node, scores=scores), changed


def _routes(program: Program, node: Readout):
    """(route name, a function giving the rows it proves over) for each route that applies."""
    routes = []
    if math.prod(len(program[t].type.values) for t in node.terms) <= PRODUCT_LIMIT:
        routes.append(("value sets", lambda: product_rows(program, node)))
    size = domain_size(program.domain)
    if size <= EXHAUSTIVE_LIMIT:
        routes.append(
            (f"exhaustive evaluation of {size} inputs", lambda: _reachable_terms(program, node))
        )
    return routes


def _refitted(program: Program, node: Readout, arrays, rows, want):
    """(the readout refit to whole numbers (refit.py), its score arrays), checked once more on
    every row in the readout's own float32 arithmetic; None if no fit is found."""
    order = sorted(range(len(node.terms)), key=lambda i: _influence(arrays[i]))
    fitted = refit(program, node, rows, want, order)
    if fitted is None:
        return None
    fitted, kept = fitted
    fitted_arrays = _score_arrays(program, fitted)
    same = np.array_equal(winners(fitted, fitted_arrays, rows[:, kept], range(len(kept))), want)
    return (fitted, fitted_arrays) if same else None


def _prune_readout(program: Program, node: Readout):
    """(the pruned node, a note naming what went by which route), or (node, None) if unchanged."""
    arrays = _score_arrays(program, node)
    keep = list(range(len(node.terms)))
    notes, rows = [], None
    for route, find in _routes(program, node):
        rows = find()
        kept = _greedy(node, arrays, rows, keep)
        gone = [node.terms[i] for i in keep if i not in kept]
        if gone:
            notes.append(f"removed {', '.join(gone)} by {route}")
        keep = kept
    if rows is None:
        return node, None
    pruned = attrs.evolve(
        node, terms=tuple(node.terms[i] for i in keep), scores=tuple(node.scores[i] for i in keep)
    )
    arrays = [arrays[i] for i in keep]
    rows = rows[:, keep]
    want = winners(pruned, arrays, rows, range(len(keep)))
    fitted = _refitted(program, pruned, arrays, rows, want) if len(keep) > 2 else None
    if fitted is not None:
        gone = list(dict.fromkeys(t for t in pruned.terms if t not in fitted[0].terms))
        pruned, arrays = fitted
        largest = max(
            abs(s)
            for row in [pruned.bias, *(r for t in pruned.scores for r in t.outputs())]
            for s in row
        )
        if gone:
            notes.append(f"removed {', '.join(gone)} by refitting")
        notes.append(
            f"scores refit to whole numbers (largest {largest:.0f}) "
            f"by linear programming over {route}"
        )
        if not tries_removal(rows):
            notes.append(
                f"no term tried for removal ({len(rows)} distinct rows, past refit's DROP_ROWS)"
            )
    head = f"kept {len(pruned.terms)} of {len(node.terms)} terms"
    if 0 < len(pruned.terms) <= 2:
        return _decision_table(program, pruned, arrays), "; ".join([head, *notes, "now a table"])
    if fitted is not None:
        return pruned, "; ".join([head, *notes])
    whole = _quantized(program, pruned, arrays, rows, want)
    if whole is not None and whole[0] != pruned:
        pruned, scale = whole
        notes.append(f"scores x{scale} rounded to whole numbers by {route}")
    elif whole is None and len(rows) * sum(a.size for a in arrays) <= SHORTEN_LIMIT:
        short = _shortened(program, pruned, arrays, rows, want)
        if short is not None:
            pruned, changed = short
            total = sum(a.size for a in arrays)
            notes.append(f"{changed} of {total} scores written shorter by {route}")
    return (pruned, "; ".join([head, *notes])) if notes else (node, None)


def prune_readouts(program: Program) -> Program:
    """Readout terms that provably never change the argmax go; one- or two-term readouts become
    tables."""
    nodes, notes = [], {}
    for node in program.nodes:
        # A pooled readout's class is the argmax of scores summed over positions: a per-position
        # proof says nothing about it.
        if isinstance(node, Readout) and node.terms and not node.pooled:
            node, note = _prune_readout(program, node)
            if note:
                notes[node.name] = note
        nodes.append(node)
    if not notes:
        return program
    return program.evolve(nodes=tuple(nodes)).with_meta(
        **{f"readout {k}" if k != "readout" else k: v for k, v in notes.items()}
    )
