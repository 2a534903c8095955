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


def run_units(row) -> int:
    """How many units `runs` writes for `row`."""
    return sum((2 if lo else 1) + (2 if hi < len(row) - 1 else 0) for lo, hi in _runs(row))


def runs(out: int, index: int, gate: Linear, row) -> list[Unit]:
    """Units adding 1 to dimension `out` where `gate` is 0 and the integer in dimension
    `index` is j with row[j] True: a step up before each run of Trues and down after it,
    E = 2 (x - edge) + 3/2 (-1/2 below the edge, 3/2 at it; every term a small multiple of
    1/2, so exact), switched off by `gate` times more than E's largest value."""
    push = 2.0 * len(row) + 2.0
    units = []
    for lo, hi in _runs(row):
        if lo == 0:  # on from the start: 1 - gate
            units.append(Unit(_add({}, gate, -1.0), 1.0, {out: 1.0}))
        for edge, sign in ((lo, 1.0), (hi + 1, -1.0)):
            if 0 < edge < len(row):
                reads = _add({index: 2.0}, gate, -push)
                units.append(Unit(reads, 1.5 - 2.0 * edge, {out: sign}))
                units.append(Unit(reads, 0.5 - 2.0 * edge, {out: -sign}))
    return units

