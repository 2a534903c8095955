"""The values of a tracr program in the IR (tpc.frontend.tracr_to_ir): a Python value as an
exact IR value, what an s-op or selector became, and bounds on what tabulating costs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

from tpc.ir import is_number, normalize, value_key


def to_value(v, numerical: bool = False):
    """A Python value as an IR value: floats exact, numpy scalars plain, other objects (tuples,
    lists) a string naming them; numerical values are numbers (True is 1)."""
    if hasattr(v, "item") and type(v).__module__ == "numpy":
        v = v.item()
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError(f"{v!r} is not a finite number")
        v = normalize(v)
    elif isinstance(v, Fraction):
        v = normalize(v)
    elif v is not None and not isinstance(v, (bool, int, str)):
        v = f"<{v!r}>"
    if numerical:
        if isinstance(v, bool):
            return int(v)
        if not is_number(v):
            raise ValueError(f"{v!r} is not a number")
    return v


def plain(v) -> bool:
    return v is None or isinstance(v, (bool, int, float, str, Fraction))


@dataclass
class Lowered:
    """An s-op in the IR: its node, kind, and `py`: value key of each IR value a real position
    can hold -> the Python value tracr's evaluator holds there. `bos_none`: the node is None at
    BOS (tokens, indices and categorical maps of them)."""

    node: str
    kind: str
    py: dict = field(default_factory=dict)
    bos_none: bool = False

    def real(self, value) -> bool:
        return value_key(value) in self.py


@dataclass
class LoweredSelector:
    """A selector in the IR; `reflexive`: every real query selects at least its own position."""

    node: str
    reflexive: bool


def means_bound(values: tuple, n: int) -> int:
    """An upper bound on how many means of 1..n values drawn from `values` there are: the sums
    of c values are multiples of 1/lcm(denominators) within c * [min, max], and at most the
    multisets of size c."""
    denominator = math.lcm(*(Fraction(v).denominator for v in values))
    spread = (max(values) - min(values)) * denominator
    return sum(min(math.comb(len(values) + c - 1, c), int(c * spread) + 1) for c in range(1, n + 1))
