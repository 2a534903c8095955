"""Value-set narrowing."""

from __future__ import annotations

import attrs

from tpc.ir import Predicate, Program, Table, Visitor, infer_type, sort_key


def _restrict_table(table: Table, keep) -> Table:
    return Table([(k, v) for k, v in table.rows if keep(k)])


class _Restrict(Visitor):
    """The fields of a node, minus the table rows and predicate pairs its inputs can't reach."""

    def __init__(self, types: dict):
        self.types = types

    def values(self, name: str) -> set:
        return {sort_key(v) for v in self.types[name].values}

    def nothing(self, node) -> dict:
        return {}

    visit_Tokens = visit_Indices = visit_Ones = visit_Constant = nothing
    visit_SelectAnd = visit_SelectOr = visit_SelectNot = visit_Aggregate = visit_SelectorWidth = (
        nothing
    )

    def visit_Map(self, node):
        xs = self.values(node.x)
        return {"table": _restrict_table(node.table, lambda k: sort_key(k) in xs)}

    def visit_SequenceMap(self, node):
        xs, ys = self.values(node.x), self.values(node.y)
        return {
            "table": _restrict_table(
                node.table, lambda k: sort_key(k[0]) in xs and sort_key(k[1]) in ys
            )
        }

    def visit_Select(self, node):
        pred = node.predicate
        if pred.is_comparison:  # no pairs; its views lose the rows of values that cannot occur
            views = [
                None
                if view is None
                else _restrict_table(view, lambda k, vs=self.values(side): sort_key(k) in vs)
                for view, side in ((pred.query_view, node.queries), (pred.key_view, node.keys))
            ]
            return {"predicate": Predicate.comparison(pred.op, *views)}
        qs, ks = self.values(node.queries), self.values(node.keys)
        pairs = [(q, k) for q, k in pred.pairs if sort_key(q) in qs and sort_key(k) in ks]
        return {"predicate": Predicate(pairs, pred.op)}

    def visit_Readout(self, node):
        return {
            "scores": tuple(
                _restrict_table(t, lambda k, vs=self.values(term): sort_key(k) in vs)
                for term, t in zip(node.terms, node.scores)
            )
        }


def narrow_types(program: Program) -> Program:
    """Shrink each node's type to the values reachable from the domain; drop unreachable rows."""
    types: dict = {}
    restrict = _Restrict(types)
    nodes = []
    for node in program.nodes:
        changes = restrict.visit(node)
        node = attrs.evolve(node, **changes) if changes else node
        # Inference runs on the narrowed inputs; keep the declared type where it is already tight.
        inferred = infer_type(node, types, program.domain)
        if inferred != node.type:
            node = attrs.evolve(node, type=inferred)
        types[node.name] = node.type
        nodes.append(node)
    return program.evolve(nodes=tuple(nodes))
