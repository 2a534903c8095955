"""Readout arithmetic: class scores are float32 numbers added one term at a time.

A model's hard mode adds its readout's contributions variable by variable in float32
(`tpc.model.ops.readout_logits`), so the order of the additions and the rounding of every
partial sum decide near-ties. The IR keeps exactly that arithmetic: a score is a float32
value; a readout's total starts at its bias and adds each term's row in the order of
`Readout.terms`, rounding to float32 after every addition; the first best class wins.

Python floats carry it exactly: the sum or product of two float32 numbers rounded once from
float64 is the float32 result (float64 has more than 2 * 24 + 2 bits, so the double rounding
is harmless), and so is a float32 quotient of two float32 numbers rounded from float64.
"""

from __future__ import annotations

import struct
from typing import Iterable, Sequence

_F32 = struct.Struct("<f")


def f32(x) -> float:
    """`x` rounded to the nearest float32 (ties to even); beyond float32's range, +-inf."""
    x = float(x)
    try:
        return _F32.unpack(_F32.pack(x))[0]
    except OverflowError:
        return x * float("inf")


def f32_row(row: Iterable) -> tuple[float, ...]:
    return tuple(f32(x) for x in row)


def add_row(total: Sequence[float], row: Sequence[float]) -> tuple[float, ...]:
    """`total + row` class by class, in float32."""
    return tuple(f32(a + b) for a, b in zip(total, row))


def pooled_total(totals: Sequence[Sequence[float]]) -> tuple[float, ...]:
    """A pooled readout's class scores: the positions' totals added in float32, first to
    last, then divided by their count in float32 (as `tpc.model.ops.pool_logits` does)."""
    pooled = tuple(totals[0])
    for row in totals[1:]:
        pooled = add_row(pooled, row)
    return tuple(f32(x / len(totals)) for x in pooled)


def numerical_row(value, weights: Sequence[float]) -> tuple[float, ...]:
    """How a model scores a numerical variable: float32(float32(value) * w) per class."""
    v = f32(value)
    return tuple(f32(v * w) for w in weights)


def linear_weights(values: Sequence, table) -> tuple[float, ...] | None:
    """Weights w with table[v] == numerical_row(v, w) for every value v, if the term is
    scored that way (one nonzero number among `values` fixes w), else None."""
    numbers = [v for v in values if not isinstance(v, (bool, str)) and v is not None]
    nonzero = [v for v in numbers if v != 0]
    if not nonzero or len(numbers) != len(values):
        return None
    pivot = min(nonzero, key=lambda v: abs(abs(v) - 1))  # 1 itself when present: w exactly
    w = f32_row(x / f32(pivot) for x in table[pivot])
    if all(numerical_row(v, w) == tuple(table[v]) for v in values):
        return w
    return None
