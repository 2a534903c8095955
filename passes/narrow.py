"""Value-set narrowing."""

from __future__ import annotations

import attrs

from tpc.ir import Map, Predicate, Program, Readout, Select, SequenceMap, Table, infer_type, sort_key


def _restrict_table(table: Table, keep) -> Table:
    return Table([(k, v) for k, v in table.rows if keep(k)])


def narrow_types(program: Program) -> Program:
    """Shrink each node's type to the values reachable from the domain; drop unreachable table rows."""
    types: dict = {}
    nodes = []
    for node in program.nodes:
        changes = {}
        if isinstance(node, Map):
            xs = {sort_key(v) for v in types[node.x].values}
            changes["table"] = _restrict_table(node.table, lambda k: sort_key(k) in xs)
        elif isinstance(node, SequenceMap):
            xs = {sort_key(v) for v in types[node.x].values}
            ys = {sort_key(v) for v in types[node.y].values}
            changes["table"] = _restrict_table(
                node.table, lambda k: sort_key(k[0]) in xs and sort_key(k[1]) in ys
            )
        elif isinstance(node, Select):
            qs = {sort_key(v) for v in types[node.queries].values}
            ks = {sort_key(v) for v in types[node.keys].values}
            pairs = [(q, k) for q, k in node.predicate.pairs if sort_key(q) in qs and sort_key(k) in ks]
            changes["predicate"] = Predicate(pairs, node.predicate.op)
        elif isinstance(node, Readout):
            changes["scores"] = tuple(
                _restrict_table(t, lambda k, vs={sort_key(v) for v in types[term].values}: sort_key(k) in vs)
                for term, t in zip(node.terms, node.scores)
            )
        node = attrs.evolve(node, **changes) if changes else node
        # Inference runs on the narrowed inputs; keep the declared type where it is already tight.
        inferred = infer_type(node, types, program.domain)
        if inferred != node.type:
            node = attrs.evolve(node, type=inferred)
        types[node.name] = node.type
        nodes.append(node)
    return program.evolve(nodes=tuple(nodes))
