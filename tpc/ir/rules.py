"""Tables read as rules: a numeric table as intervals, a two-input numeric table as a function
of one simple combination of its inputs (x - y, x + y, x or y alone) or as intervals of x
each holding intervals of y (a numerical MLP's thresholds). The Python and RASP
printers print tables this way when they are; the `fill` pass makes them so where no input
of the domain can tell the difference."""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from .values import is_number, sort_key

COMBINATIONS: tuple[tuple[str, Callable], ...] = (
    ("x", lambda x, y: x),
    ("y", lambda x, y: y),
    ("x - y", lambda x, y: x - y),
    ("x + y", lambda x, y: x + y),
)


def ordered(values: Iterable) -> bool:
    """Every value is a number (not a bool): they can be read as a line."""
    return all(is_number(v) and not isinstance(v, bool) for v in values)


def function_of(pairs: Iterable[tuple[tuple, object]]) -> tuple[str, dict] | None:
    """(combination name, combination value -> output) for the first combination of
    COMBINATIONS that decides the output of every ((x, y), output) pair, else None."""
    pairs = list(pairs)
    if not ordered(v for (x, y), _ in pairs for v in (x, y)):
        return None
    for name, combine in COMBINATIONS:
        seen: dict = {}
        if all(
            sort_key(seen.setdefault(combine(x, y), out)) == sort_key(out) for (x, y), out in pairs
        ):
            return name, seen
    return None


def runs(points: Sequence[tuple[object, object]]) -> list[tuple[object, object, object]]:
    """(first, last, output) for each run of equal outputs among (value, output) points
    taken in increasing order of value."""
    out: list = []
    for v, o in sorted(points, key=lambda p: p[0]):
        if out and sort_key(out[-1][2]) == sort_key(o):
            out[-1] = (out[-1][0], v, o)
        else:
            out.append((v, v, o))
    return out


def extend(known: dict, everywhere: Iterable) -> dict:
    """`known` (value -> output) extended to every value of `everywhere`: a value not known
    takes the output of the nearest known value below it (above it if there is none), so
    runs of equal outputs stay as few as they were."""
    points = sorted(known)
    result = {}
    for v in everywhere:
        if v in known:
            result[v] = known[v]
            continue
        below = [p for p in points if p < v]
        result[v] = known[below[-1]] if below else known[points[0]]
    return result


def grid(xs: Sequence, ys: Sequence, lookup: Callable) -> list[tuple[object, list]]:
    """A two-input table as runs of x with equal rows: (last x of the run, the row's runs of
    y as `runs` gives them) for each, in increasing order of x."""
    out: list = []
    for x in sorted(xs):
        row = runs([(y, lookup(x, y)) for y in ys])
        if (
            out
            and [sort_key(o) for *_, o in out[-1][1]] == [sort_key(o) for *_, o in row]
            and all(sort_key(a[1]) == sort_key(b[1]) for a, b in zip(out[-1][1], row))
        ):
            out[-1] = (x, out[-1][1])
        else:
            out.append((x, row))
    return out


def two_runs(xs: Sequence, ys: Sequence, lookup: Callable) -> dict | None:
    """x -> (output up to `last`, last, output after) when every row of a two-input table has
    at most two runs of equal outputs in increasing y (a threshold on y for each x), else None."""
    if not (ordered(xs) and ordered(ys)):
        return None
    out = {}
    for x in xs:
        row = runs([(y, lookup(x, y)) for y in ys])
        if len(row) > 2:
            return None
        out[x] = (row[0][2], row[0][1], row[-1][2])
    return out
