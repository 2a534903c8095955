"""Comparison recognition."""

from __future__ import annotations

import attrs

from tpc.ir import COMPARISONS, Predicate, Program, Select


def _named(node: Select, program: Program) -> Predicate:
    if node.predicate.op is not None:
        return node.predicate
    qs, ks = program[node.queries].type.values, program[node.keys].type.values
    pairs = node.predicate.tabulate(qs, ks)
    for op in COMPARISONS:
        if Predicate.comparison(op).tabulate(qs, ks) == pairs:
            return Predicate(pairs, op)
    return node.predicate


def name_comparisons(program: Program) -> Program:
    """Table predicates equal to a comparison (key OP query) over their value sets get its name."""
    nodes = [
        attrs.evolve(n, predicate=_named(n, program)) if isinstance(n, Select) else n
        for n in program.nodes
    ]
    return program.evolve(nodes=tuple(nodes))
