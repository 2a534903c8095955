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
    if type(value) in _PLAIN:  # the common cases, first: tables hold many values
        return value
    if type(value) is Fraction:
        return value.numerator if value.denominator == 1 else value
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


def value_key(value: Value) -> tuple:
    """A key naming a value exactly (True and 1 apart, 2 and Fraction(2) together) that hashes
    fast: a Fraction's own hash is slow, and big tables hash thousands of them."""
    kind = type(value)
    if kind is int:
        return (2, value, 1)
    if kind is Fraction:
        return (2, value.numerator, value.denominator)
    if kind is str:
        return (3, value)
    if kind is bool:
        return (1, value)
    if value is None:
        return (0,)
    return value_key(normalize(value))


def values_key(values: Iterable[Value]) -> tuple:
    """A tuple of values as compared and hashed: exactly (True and 1 differ)."""
    return tuple(map(value_key, values))


def value_set(values: Iterable[Value]) -> tuple:
    """Sorted, deduplicated, normalized tuple of values (bools and numbers kept apart)."""
    seen = {}
    for v in values:
        seen.setdefault(value_key(v), v)  # True and 1 stay distinct
    return tuple(sorted(map(normalize, seen.values()), key=order_key))


def order_key(value: Value) -> tuple:
    """`sort_key`'s order, cheaper on numbers: their float first (float() is monotone), the exact
    value only on ties; Fraction comparisons are slow and value sets hold thousands."""
    if type(value) in (int, Fraction):
        try:
            return (2, float(value), value)
        except OverflowError:
            return (2, float("inf") if value > 0 else float("-inf"), value)
    return sort_key(value)


def is_number(value: Value) -> bool:
    return isinstance(value, (int, Fraction)) and not isinstance(value, bool)


def show(value: Value, quote: bool = True) -> str:
    """A value as tpc prints it, the one formatter: fractions as n/d; strings quoted in
    messages and summaries (so "1" and 1 differ), as they are without `quote` (a command's
    output, a trace's tables)."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    return repr(value) if quote else str(value)


def to_plain(value):
    """A value, or a nest of lists and dicts of values, as JSON output writes it: fractions as
    floats, everything else as it is."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    return float(value) if isinstance(value, Fraction) else value
