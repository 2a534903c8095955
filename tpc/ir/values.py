"""Values an s-op can take, and their canonical order.

A value is `None` (the no-value marker: BOS in RASP programs, an empty selection), a bool,
an exact number (int or Fraction) or a string. Floats are not values: numbers stay exact
so that every backend computes the same thing.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable

Value = Any  # None | bool | int | Fraction | str


def normalize(value: Value) -> Value:
    """Canonical form of a value: integral Fractions become ints, floats become Fractions."""
    if type(value) in _PLAIN:  # the common case, first: tables hold many values
        return value
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        # Through str so that 0.1 means one tenth, not the nearest binary fraction.
        value = Fraction(str(value))
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else value
    raise TypeError(f"not a tpc value: {value!r} ({type(value).__name__})")


_PLAIN = {int, str, bool, type(None)}
_RANK = {type(None): 0, bool: 1, int: 2, Fraction: 2, str: 3}


def sort_key(value: Value) -> tuple:
    """Total order over values of mixed kinds: None < bools < numbers < strings."""
    rank = _RANK.get(type(value))
    if rank is not None:
        return (rank, value) if rank else (0,)
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, (int, Fraction)):
        return (2, value)
    return (3, value)


def value_set(values: Iterable[Value]) -> tuple:
    """Sorted, deduplicated, normalized tuple of values (bools and numbers kept apart)."""
    seen = {}
    for v in values:
        v = normalize(v)
        seen[sort_key(v)] = v  # keyed by sort_key: True and 1 stay distinct
    return tuple(seen[k] for k in sorted(seen))


def is_number(value: Value) -> bool:
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


def show(value: Value) -> str:
    """Short human form of a value, for messages and summaries."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return repr(value)
