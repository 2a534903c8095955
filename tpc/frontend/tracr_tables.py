"""A tracr program's own functions tabulated over IR value sets (tpc.frontend.tracr_to_ir): the
rows of a Map's or SequenceMap's table, with the values tracr's evaluator would compute."""

from __future__ import annotations

import math
from typing import Callable

from tpc.frontend.tracr_values import to_value
from tpc.ir import Table, value_key

# The most (x, y) pairs a SequenceMap's table may have: past this a program is too large to
# tabulate in seconds (tracr's own MLPs grow with the same product).
MAX_PAIRS = 200_000


def _product(sets: list):
    """Each input of one value set as a 1-tuple, or each pair of two."""
    if len(sets) == 1:
        return ((v,) for v in sets[0])
    return ((a, b) for a in sets[0] for b in sets[1])


def tabulate(
    lowered_inputs: list, value_sets: list, fn, numerical: bool, fail: Callable[[str], Exception]
) -> tuple:
    """Rows over the IR values of the inputs: `fn` of the Python values where every input
    is real (None where one is a real None, as tracr's evaluator), a filler elsewhere and
    where `fn` raises an ArithmeticError (tracr's basis inference takes that input never to
    occur). Any other exception is an error naming the operation and the values.
    `fail(what)` makes the error. Returns (Table, py: value key of each output -> the Python
    value `fn` gave)."""
    filler = 0 if numerical else None
    rows, py = [], {}
    size = math.prod(len(s) for s in value_sets)
    if size > MAX_PAIRS:
        raise fail(f"its table would have {size:,} rows (more than {MAX_PAIRS:,})")
    for combo in _product(value_sets):
        if not all(x.real(v) for x, v in zip(lowered_inputs, combo)):
            rows.append((combo if len(combo) > 1 else combo[0], filler))
            continue
        args = [x.py[value_key(v)] for x, v in zip(lowered_inputs, combo)]
        if any(a is None for a in args):
            out = None
        else:
            try:
                out = fn(*args)
            except ArithmeticError:  # as tracr's basis inference: this input never occurs
                rows.append((tuple(combo) if len(combo) > 1 else combo[0], filler))
                continue
            except Exception as err:  # the user's function: any other error is theirs
                shown = ", ".join(map(repr, args))
                raise fail(f"its function raised {type(err).__name__}: {err} on {shown}") from None
        try:
            value = to_value(out, numerical)
        except ValueError as err:
            raise fail(
                f"a numerical value must be a number, but it gives "
                f"{out!r} on {', '.join(map(repr, args))}"
                if numerical
                else str(err),
            ) from None
        py.setdefault(value_key(value), out)
        rows.append((tuple(combo) if len(combo) > 1 else combo[0], value))
    return Table(rows), py
