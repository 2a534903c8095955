"""Numeric tables printed as intervals: one input's runs of equal outputs as `if x <= last:`
lines, and a two-input table as runs of the first input, each holding its row's runs of
the second (how a numerical MLP's thresholds read). Each prints exactly the table on every
pair of values that can occur."""

from __future__ import annotations

from typing import Callable, Sequence

import libcst as cst
from libcst.helpers import parse_template_expression

from tpc.backends.python.layout import value
from tpc.ir.rules import grid, ordered, runs

MAX_RULES = 16  # most branches a table printed as rules has
MAX_GRID_RULES = 8 * MAX_RULES  # most branches of a two-input table printed as intervals


def returns(expr: cst.BaseExpression) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Return(expr)])


def chain(subject: str, points) -> list | None:
    """`if subject <= last: return out` per run of equal outputs, the last run the fallback
    (`low if subject <= last else high` for two runs); None when there are more than MAX_RULES
    runs."""
    found = runs(points)
    if len(found) > MAX_RULES:
        return None
    return _chain_body(subject, found)


def _chain_body(subject: str, found: list) -> list:
    if len(found) == 1:
        return [returns(value(found[0][2]))]
    if len(found) == 2:  # one test: a conditional expression (a one-line function when it fits)
        (_, last, low), (_, _, high) = found
        return [
            returns(
                parse_template_expression(
                    f"{{low}} if {subject} <= {{v}} else {{high}}",
                    low=value(low),
                    v=value(last),
                    high=value(high),
                )
            )
        ]
    body = [
        cst.If(
            parse_template_expression(f"{subject} <= {{v}}", v=value(last)),
            cst.SimpleStatementSuite([cst.Return(value(out))]),
            leading_lines=[],
        )
        for _, last, out in found[:-1]
    ]
    return [*body, returns(value(found[-1][2]))]


def _nested(outer: str, inner: str, rows: list) -> list:
    """`if outer <= last:` + the row's chain over `inner`, per run of equal rows; the last
    row the fallback."""
    body = []
    for last, row in rows[:-1]:
        inside = _chain_body(inner, row)
        test = parse_template_expression(f"{outer} <= {{v}}", v=value(last))
        suite = (
            cst.SimpleStatementSuite([inside[0].body[0]])
            if len(inside) == 1
            else cst.IndentedBlock(inside)
        )
        body.append(cst.If(test, suite, leading_lines=[]))
    return [*body, *_chain_body(inner, rows[-1][1])]


def grid_rules(params: Sequence[str], xs: Sequence, ys: Sequence, lookup: Callable) -> list | None:
    """A two-input numeric table as intervals of one input holding intervals of the other
    (whichever order has fewer branches), or None when both have more than MAX_GRID_RULES
    branches or 2 * MAX_RULES runs of the outer input."""
    if not (ordered(xs) and ordered(ys)):
        return None
    best = None
    for outer, inner, a, b, cell in (
        (params[0], params[1], xs, ys, lookup),
        (params[1], params[0], ys, xs, lambda y, x: lookup(x, y)),
    ):
        rows = grid(a, b, cell)
        size = len(rows) + sum(len(row) for _, row in rows)
        fits = len(rows) <= 2 * MAX_RULES and size <= MAX_GRID_RULES
        if fits and (best is None or size < best[0]):
            best = (size, outer, inner, rows)
    return None if best is None else _nested(*best[1:])
