"""Common-subexpression elimination."""

from __future__ import annotations

import attrs

from tpc.ir import Program, rename_inputs


def _signature(node) -> tuple:
    return (
        type(node),
        tuple(getattr(node, f.name) for f in attrs.fields(type(node)) if f.name != "name"),
    )


def eliminate_common_subexpressions(program: Program) -> Program:
    """Merge nodes that compute the same thing from the same inputs into the first of them."""
    first: dict[tuple, str] = {}
    alias: dict[str, str] = {}
    nodes = []
    for node in program.nodes:
        node = rename_inputs(node, alias)
        sig = _signature(node)
        if sig in first:
            alias[node.name] = first[sig]
            continue
        first[sig] = node.name
        nodes.append(node)
    outputs = {out: alias.get(src, src) for out, src in program.outputs}
    return program.evolve(nodes=tuple(nodes), outputs=outputs)
