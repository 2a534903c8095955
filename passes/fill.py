"""Filling table entries that no input reaches."""

from __future__ import annotations

from collections import Counter

import attrs

from tpc.ir import Map, Program, SequenceMap, Table, sort_key
from tpc.ir.rules import COMBINATIONS, extend, function_of, ordered

from .domain import reachable


def _most_common(outputs: list):
    """The most frequent output, the first in value order on ties."""
    counts = Counter(sort_key(o) for o in outputs)
    return min(outputs, key=lambda o: (-counts[sort_key(o)], sort_key(o)))


def _filled_map(node: Map, xs, reached: set) -> Table:
    known = {x: node.table[x] for i, x in enumerate(xs) if i in reached}
    if ordered(xs):
        return Table(list(extend(known, xs).items()))
    default = _most_common(list(known.values()))
    return Table([(x, known.get(x, default)) for x in xs])


def _filled_sequence_map(node: SequenceMap, xs, ys, reached: set) -> Table:
    pairs = [((xs[i], ys[j]), node.table[(xs[i], ys[j])]) for i, j in reached]
    rule = function_of(pairs)
    if rule is not None:
        name, known = rule
        combine = dict(COMBINATIONS)[name]
        everywhere = {combine(x, y) for x in xs for y in ys}
        full = extend(known, everywhere)
        return Table([((x, y), full[combine(x, y)]) for x in xs for y in ys])
    # each row of x filled on its own: along y when y is ordered, else with its commonest output
    rows = []
    for i, x in enumerate(xs):
        known = {y: node.table[(x, y)] for j, y in enumerate(ys) if (i, j) in reached}
        if not known:
            known = {ys[0]: node.table[(x, ys[0])]}
        if ordered(ys):
            row = extend(known, ys)
        else:
            default = _most_common(list(known.values()))
            row = {y: known.get(y, default) for y in ys}
        rows.extend(((x, y), row[y]) for y in ys)
    return Table(rows)


def fill_unreachable(program: Program) -> Program:
    """Map and SequenceMap entries no input of the domain reaches take values that make the table
    a simpler rule."""
    maps = [n for n in program.nodes if isinstance(n, (Map, SequenceMap))]
    found = reachable(program, [tuple(n.inputs) for n in maps])
    if found is None:
        return program
    changed = {}
    for node, rows in zip(maps, found):
        values = [program[i].type.values for i in node.inputs]
        if len(rows) == len(values[0]) * (len(values[1]) if len(values) > 1 else 1):
            continue  # every entry is reached
        if isinstance(node, Map):
            table = _filled_map(node, values[0], {r[0] for r in rows.tolist()})
        else:
            table = _filled_sequence_map(
                node, values[0], values[1], {tuple(r) for r in rows.tolist()}
            )
        if table != node.table:
            changed[node.name] = attrs.evolve(node, table=table)
    if not changed:
        return program
    return program.evolve(nodes=tuple(changed.get(n.name, n) for n in program.nodes))
