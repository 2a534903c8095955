"""Reading a numerical head's softmax output back as the one-hot of its exact value.

A softmax head averages; a Transformer Program's numerical head sums (or averages) over
matching keys. The head's softmax output (a *signal*) takes one of finitely many values, each
meaning one exact result. One ReLU layer turns it into that result's one-hot: along the
sorted signal values, every boundary between two results is a *step*
relu(E) - relu(E - 1) with E = (2/gap)(signal - below - gap/4), which is exactly 0 at and
below the lower value and exactly 1 at and above the upper one (E - 1 is exact in float32
for 1 <= E < 2^24); the steps write the difference of the two results' one-hots, so their
sum is the one-hot. Each step tolerates a float32 error of gap/4 in the signal: the head's
margin, and an export refuses when the signal's own error bound comes near it. A family of
steps is switched off (every E pushed below 0) by a *gate*, a linear function of the stream
that is 0 where the family applies and 1 or more elsewhere.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

from tpc.errors import TpcError
from tpc.export.layout import Linear, Place, Unit

EPS32 = 2.0**-23
#: a head is refused when its smallest step gap / 4 is below this many signal error bounds
SAFETY = 4.0
MAX_VALUES = 4096  # a numerical variable's values: more is refused (an export's width)
MAX_TABLE = 1 << 16  # an MLP's input combinations (or a direction's values): more is refused


def means(values, n: int) -> list[Fraction]:
    """Every mean of 1..n values drawn (with repetition) from `values`, sorted."""
    values = sorted(set(Fraction(v) for v in values))
    found = set()
    sums = {Fraction(0): None}
    for size in range(1, n + 1):
        sums = {s + v for s in sums for v in values}
        found |= {s / size for s in sums}
        if len(found) > MAX_VALUES:
            raise TpcError(
                f"more than {MAX_VALUES} means of {len(values)} values over {n} "
                "positions: too many to tabulate"
            )
    return sorted(found)


def _add(linear: Linear, other: Linear, scale: float = 1.0) -> Linear:
    out = dict(linear)
    for dim, w in other.items():
        out[dim] = out.get(dim, 0.0) + scale * w
    return out


def family(
    head: str,
    out: Place,
    signal: Linear,
    gate: Linear,
    ones: int,
    points: list[tuple[float, int]],
    error: float,
) -> tuple[list[Unit], float]:
    """Units writing `out`'s one-hot where `gate` is 0: `points` are (signal value, index of
    the result in out.values); `error` bounds the signal's float32 error. Returns the units
    and the smallest gap / 4 (the margin)."""
    points = sorted(set(points))
    for (a, i), (b, j) in zip(points, points[1:]):
        if a == b and i != j:
            raise TpcError(f"{head}: two results give the same softmax output {a}: not exportable")
    steps = [(a, b, i, j) for (a, i), (b, j) in zip(points, points[1:]) if i != j]
    units = [Unit(_add({ones: 1.0}, gate, -1.0), 0.0, {out.dim(points[0][1]): 1.0})]
    margin = float("inf")
    top = points[-1][0]
    for a, b, i, j in steps:
        gap = b - a
        margin = min(margin, gap / 4)
        if gap / 4 <= SAFETY * error:
            raise TpcError(
                f"{head}: softmax margin {gap / 4:.3g} is within a factor {SAFETY:g} of "
                f"float32's error bound {error:.3g} on its output: not exportable exactly"
            )
        slope = 2.0 / gap
        push = slope * (top - a) + 2.0  # E at the largest signal, plus room: what a gate subtracts
        reads = _add({d: slope * w for d, w in signal.items()}, gate, -push)
        bias = -slope * (a + gap / 4)
        move = {out.dim(j): 1.0, out.dim(i): -1.0}
        units.append(Unit(reads, bias, move))
        units.append(Unit(reads, bias - 1.0, {d: -w for d, w in move.items()}))
    return units, margin


def count_points(n_ctx: int, bos_matches: int) -> list[tuple[float, Fraction]]:
    """A counting head with the BOS anchor: (signal, count) for every N (the matching keys
    after BOS, plus the anchor): the signal is float32 1/N, the count N - 1 (+ 1 when
    position 0 matches)."""
    return [
        (float(np.float32(1.0) / np.float32(n)), Fraction(n - 1 + bos_matches))
        for n in range(1, n_ctx + 1)
    ]


def grid(widths) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(w) for w in widths)))


def _runs(row) -> list[tuple[int, int]]:
    """The runs [lo, hi] of True in `row`."""
    runs, lo = [], None
    for j, x in enumerate([*row, False]):
        if x and lo is None:
            lo = j
        elif not x and lo is not None:
            runs.append((lo, j - 1))
            lo = None
    return runs


def runs(out: int, index: int, query: Place, rows) -> list[Unit]:
    """Units adding 1 to dimension `out` where row[x] is True, `rows[i]` the row of the
    query's value i (one-hot in `query`) and x the integer in dimension `index`. For the r-th
    run [lo_i, hi_i] of each row (rows with fewer: past the end), a step up at lo and one down
    at hi + 1, where the edge is a linear function of the query's one-hot: E = 2 (x - edge) +
    3/2 is -1/2 or less below the edge and 3/2 or more at it; relu(E) - relu(E - 1) is 0 or
    1, every term a small multiple of 1/2, exact in float32."""
    per_row = [_runs(row) for row in rows]
    past = float(max((len(row) for row in rows), default=0) + 2)
    units = []
    for r in range(max((len(rs) for rs in per_row), default=0)):
        for side, sign in ((0, 1.0), (1, -1.0)):
            reads = {index: 2.0}
            for i, rs in enumerate(per_row):
                if r >= len(rs):
                    edge = past
                else:
                    edge = rs[r][0] if side == 0 else rs[r][1] + 1
                if edge:
                    reads[query.dim(i)] = -2.0 * edge
            units.append(Unit(reads, 1.5, {out: sign}))
            units.append(Unit(dict(reads), 0.5, {out: -sign}))
    return units
