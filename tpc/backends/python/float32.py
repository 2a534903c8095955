"""Float32 scores in emitted code: each printed as the shortest decimal naming its float32
value, wrapped in the runtime's `float32(...)` so the module holds exactly that value."""

from __future__ import annotations

from typing import Callable

import libcst as cst

from tpc.backends.python.layout import value
from tpc.ir import f32


def literal(x: float) -> cst.BaseExpression:
    """The shortest decimal that rounds to the float32 value `x` (exactly `x` once rounded)."""
    if x != x or x in (float("inf"), float("-inf")):
        return value(x)
    if x.is_integer() and abs(x) < 2**24 and str(x) != "-0.0":  # a whole score reads as an int
        return value(int(x))
    for digits in range(1, 10):
        text = f"{abs(x):.{digits}g}"
        if f32(text) == abs(x):
            break
    lit = cst.Float(text if any(c in text for c in ".e") else text + ".0")
    return cst.UnaryOperation(cst.Minus(), lit) if str(x).startswith("-") else lit


def scores(container: Callable[[Callable], cst.BaseExpression]) -> cst.Call:
    """`float32(<container>)`, the container built with `literal` for each score."""
    return cst.Call(cst.Name("float32"), [cst.Arg(container(literal))])
