"""The named functions emitted for maps: a table, a constant, rules or thresholds."""

from __future__ import annotations

import libcst as cst
from libcst.helpers import parse_template_expression, parse_template_statement

from tpc.backends.python.intervals import MAX_RULES, chain, grid_rules, returns
from tpc.backends.python.layout import WIDTH, container, dedup, value
from tpc.ir import (
    Map,
    SequenceMap,
    sort_key,
)
from tpc.ir.rules import function_of, ordered, two_runs


def _grouped(subject: str, outs: dict) -> list | None:
    """`if subject in {...}: return out` per output but the commonest, which is the fallback;
    None when that is not shorter than a table."""
    groups: dict = {}
    for k, o in outs.items():
        groups.setdefault(sort_key(o), (o, []))[1].append(k)
    if len(groups) > MAX_RULES or len(groups) * 3 > len(outs):
        return None
    ordered_groups = sorted(groups.values(), key=lambda g: -len(g[1]))
    body = []
    for o, keys in ordered_groups[1:]:
        test = (
            cst.Comparison(cst.Name(subject), [cst.ComparisonTarget(cst.Equal(), value(keys[0]))])
            if len(keys) == 1
            else cst.Comparison(
                cst.Name(subject),
                [cst.ComparisonTarget(cst.In(), container("set", dedup(keys), 1, WIDTH - 30))],
            )
        )
        body.append(
            cst.If(test, cst.SimpleStatementSuite([cst.Return(value(o))]), leading_lines=[])
        )
    return [*body, returns(value(ordered_groups[0][0]))]


MAX_EXCEPTIONS = 3  # most special cases an identity map printed as one has


def _same(a, b) -> bool:
    return sort_key(a) == sort_key(b)


def _test(subject: str, v) -> cst.BaseExpression:
    """`subject == v` (`is None` for None)."""
    if v is None:
        return cst.Comparison(cst.Name(subject), [cst.ComparisonTarget(cst.Is(), cst.Name("None"))])
    return cst.Comparison(cst.Name(subject), [cst.ComparisonTarget(cst.Equal(), value(v))])


def _apart(values) -> bool:
    """No two of `values` are == in Python without being the same value (True and 1)."""
    return all(not (a == b) or _same(a, b) for i, a in enumerate(values) for b in values[:i])


def _identity_except(node, params, xs, ys) -> list | None:
    """`if other == c: return out` for a few special values, then `return x`: a map that
    passes one input through except on a few values of it (or of the other input) that give
    one output each (tokens with BOS read as None: `if tokens == '<s>': return None`)."""
    if ys is None:
        grid = {0: [(x, [(x, node.table[x])]) for x in xs]}
    else:  # (value of the other input, its row of (passed input, output)); lists: True and 1 differ
        grid = {
            1: [(y, [(x, node.table[(x, y)]) for x in xs]) for y in ys],  # pass x, except on some y
            0: [(x, [(y, node.table[(x, y)]) for y in ys]) for x in xs],
        }  # pass y, except on some x
    for other, rows in grid.items():
        if not _apart([v for v, _ in rows]):
            continue
        special = []
        for v, row in rows:
            if any(not _same(passed, out) for passed, out in row):
                if any(not _same(out, row[0][1]) for _, out in row):
                    break  # not one output for this value
                special.append((v, row[0][1]))
        else:
            if special and len(special) <= MAX_EXCEPTIONS and len(special) < len(rows):
                passed = params[0] if ys is None else params[1 - other]
                return [
                    *[
                        cst.If(
                            _test(params[other] if ys is not None else params[0], v),
                            cst.SimpleStatementSuite([cst.Return(value(o))]),
                            leading_lines=[],
                        )
                        for v, o in special
                    ],
                    returns(cst.Name(passed)),
                ]
    return None


def _rules(node, params, xs, ys) -> list | None:
    """The map's function body as rules (an identity with exceptions, intervals, or groups
    by output), or None."""
    body = _identity_except(node, params, xs, ys)
    if body is not None:
        return body
    if ys is None:
        if ordered(xs):
            return chain(params[0], [(x, node.table[x]) for x in xs])
        if all(not isinstance(x, tuple) for x in xs):
            return _grouped(params[0], {x: node.table[x] for x in xs})
        return None
    rule = function_of(((x, y), node.table[(x, y)]) for x in xs for y in ys)
    if rule is None:
        return grid_rules(params, xs, ys, lambda x, y: node.table[(x, y)])
    name, outs = rule
    subject = name.replace("x", params[0]).replace("y", params[1])
    if " " not in subject:
        return chain(subject, list(outs.items()))
    body = chain("v", list(outs.items()))
    return None if body is None else [parse_template_statement(f"v = {subject}\n"), *body]


def map_function(em, node: Map | SequenceMap) -> str:
    """A function of the node's input values: a table lookup, or its one value."""
    is_seq = isinstance(node, SequenceMap)
    params = em.params(node.inputs)
    kind = "sequence_map" if is_seq else "map"
    fn = em.names.fresh(
        f"{node.name}_fn"
        if node.name.startswith(("map", "sequence_map"))
        else f"{kind}_{node.name}"
    )
    xs = em.values(node.x)
    if is_seq:
        ys = em.values(node.y)
        outs = {(sort_key(x), sort_key(y)): node.table[(x, y)] for x in xs for y in ys}
    else:
        outs = {sort_key(x): node.table[x] for x in xs}
    distinct = {sort_key(o): o for o in outs.values()}
    if len(distinct) <= 1:
        const = next(iter(distinct.values())) if distinct else None
        what = "every input" if len(distinct) == 1 else "no input (it never runs)"
        return em.function(fn, params, [returns(value(const))], f"The same value for {what}.")
    rules = _rules(node, params, xs, ys if is_seq else None)
    if rules is not None:
        return em.function(fn, params, rules)
    name = fn.upper()
    if not is_seq:
        table = em.table_literal(xs, lambda x, d: value(node.table[x]), 0, WIDTH - len(name) - 3)
        return em.function(
            fn, params, [returns(em.lookup(em.constant(name, table), xs, params[0]))]
        )
    split = two_runs(xs, ys, lambda x, y: node.table[(x, y)])
    if split is not None:
        return _thresholds(em, fn, name, params, xs, split)
    if _exceptions_are_shorter(node, xs, ys):
        return _rows_with_defaults(em, node, fn, name, params, xs, ys)
    table = em.table_literal(
        xs,
        lambda x, d: em.table_literal(
            ys, lambda y, _: value(node.table[(x, y)]), d, WIDTH - 4 * d - len(repr(x)) - 3
        ),
        0,
        WIDTH - len(name) - 3,
    )
    t = em.constant(name, table)
    return em.function(fn, params, [returns(em.lookup(em.lookup(t, xs, params[0]), ys, params[1]))])


def _row_default(node, x, ys):
    return _commonest([node.table[(x, y)] for y in ys])


def _commonest(outs: list):
    counts: dict = {}
    for o in outs:
        counts[sort_key(o)] = counts.get(sort_key(o), 0) + 1
    return max(outs, key=lambda o: counts[sort_key(o)])


def _exceptions_are_shorter(node, xs, ys) -> bool:
    """Rows as (default, {exceptions}) take fewer entries than the full table."""
    if any(isinstance(y, bool) for y in ys):
        return False
    exceptions = 0
    for x in xs:  # each row's default once: per entry, it made this cubic in the value sets
        default = sort_key(_row_default(node, x, ys))
        exceptions += sum(sort_key(node.table[(x, y)]) != default for y in ys)
    return exceptions + len(xs) < len(xs) * len(ys) // 2


def _rows_with_defaults(em, node, fn, name, params, xs, ys) -> str:
    """Each row of x as (its commonest output, {y: output where it differs})."""

    def row(x, d):
        default = _row_default(node, x, ys)
        rest = [
            (value(y), value(node.table[(x, y)]))
            for y in ys
            if sort_key(node.table[(x, y)]) != sort_key(default)
        ]
        return cst.Tuple(
            [cst.Element(value(default)), cst.Element(container("dict", rest, d + 1, WIDTH - 20))]
        )

    t = em.constant(name, em.table_literal(xs, row, 0, WIDTH - len(name) - 3))
    body = [
        parse_template_statement("default, differs = {r}\n", r=em.lookup(t, xs, params[0])),
        parse_template_statement(f"return differs.get({params[1]}, default)\n"),
    ]
    return em.function(
        fn, params, body, f"Each {params[0]}: the usual output, and where {params[1]} changes it."
    )


def _thresholds(em, fn, name, params, xs, split) -> str:
    """Each row of x as (its output up to a last y, that y, its output after)."""
    t = em.constant(
        name,
        em.table_literal(
            xs,
            lambda x, d: cst.Tuple([cst.Element(value(v)) for v in split[x]]),
            0,
            WIDTH - len(name) - 3,
        ),
    )
    body = [
        parse_template_statement("low, last, high = {r}\n", r=em.lookup(t, xs, params[0])),
        returns(parse_template_expression(f"low if {params[1]} <= last else high")),
    ]
    return em.function(
        fn, params, body, f"Each {params[0]}: the output up to a last {params[1]}, and after it."
    )
