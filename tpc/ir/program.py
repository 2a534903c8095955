"""A program: nodes in topological order, named outputs, and the domain they run on."""

from __future__ import annotations

from typing import Iterable, Iterator, Mapping, Sequence

import attrs
from attrs import field, frozen

from .infer import ValueSetTooLarge, infer_type
from .nodes import (
    ALL_NODES,
    REDUCTIONS,
    TABLE_KINDS,
    Aggregate,
    Node,
    Readout,
    SelectorWidth,
    held_fields,
    input_fields,
)
from .types import Categorical, Domain, contains
from .values import show, sort_key


class IRError(Exception):
    """An ill-formed program: the message names the node and the problem."""


def _outputs(outputs) -> tuple:
    return tuple(outputs.items()) if isinstance(outputs, Mapping) else tuple(map(tuple, outputs))


def _meta(meta) -> tuple:
    return tuple(sorted((meta or {}).items())) if isinstance(meta, Mapping) else tuple(meta)


def _origin(origin) -> tuple:
    return (
        tuple(sorted((origin or {}).items()))
        if isinstance(origin, Mapping)
        else tuple(map(tuple, origin))
    )


@frozen
class Program:
    """`nodes` in topological order; `outputs` maps output names to node names.

    `meta` carries provenance (source file, checkpoint, task, what passes removed) for
    headers; it never changes behaviour. `origin` maps node names to the model variable each
    node was lifted from (e.g. "L0.cat_head1"; empty for programs not lifted); entries for
    nodes a pass removed are dropped, so surviving nodes keep theirs.
    """

    nodes: tuple[Node, ...] = field(converter=tuple)
    outputs: tuple[tuple[str, str], ...] = field(converter=_outputs)
    domain: Domain
    meta: tuple[tuple[str, str], ...] = field(default=(), converter=_meta)
    origin: tuple[tuple[str, str], ...] = field(default=(), converter=_origin)
    _by_name: dict = field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self):
        object.__setattr__(self, "_by_name", {n.name: n for n in self.nodes})
        # Passes evolve programs without touching `origin`: forget the nodes they removed.
        if any(name not in self._by_name for name, _ in self.origin):
            object.__setattr__(
                self, "origin", tuple((k, v) for k, v in self.origin if k in self._by_name)
            )

    def __getitem__(self, name: str) -> Node:
        return self._by_name[name]

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    @property
    def output_map(self) -> dict[str, str]:
        return dict(self.outputs)

    @property
    def main_output(self) -> str:
        """The output a caller gets when it names none (`choose_main_output`)."""
        return choose_main_output([o for o, _ in self.outputs])

    @property
    def origin_map(self) -> dict[str, str]:
        """Node name -> the model variable it was lifted from (only lifted nodes)."""
        return dict(self.origin)

    def live(self, roots: Iterable[str] | None = None) -> tuple[Node, ...]:
        """The nodes `roots` (node names; default: every output's node) read, directly or
        not, and the roots themselves, in program order."""
        need = set(self.output_map.values() if roots is None else roots)
        for node in reversed(self.nodes):
            if node.name in need:
                need.update(node.inputs)
        return tuple(n for n in self.nodes if n.name in need)

    def users(self) -> dict[str, list[str]]:
        """Node name -> names of the nodes that read it."""
        users: dict[str, list[str]] = {n.name: [] for n in self.nodes}
        for n in self.nodes:
            for i in n.inputs:
                users[i].append(n.name)
        return users

    def depth(self) -> int:
        """Longest chain of attention nodes (Aggregate, SelectorWidth): the layers a model needs."""
        depth: dict[str, int] = {}
        for n in self.nodes:
            d = max((depth[i] for i in n.inputs), default=0)
            depth[n.name] = d + isinstance(n, (Aggregate, SelectorWidth))
        return max(depth.values(), default=0)

    def evolve(self, **changes) -> "Program":
        return attrs.evolve(self, **changes)

    def with_meta(self, **meta) -> "Program":
        merged = dict(self.meta)
        merged.update({k: str(v) for k, v in meta.items()})
        return self.evolve(meta=merged)


# What each node reads: (field, expected kind). "sop" = categorical or numerical.
def choose_main_output(names: Sequence[str]) -> str:
    """The main one of the output `names`: "output" if there is one, else the first (also
    for an emitted module that lacks its MAIN_OUTPUT constant)."""
    return "output" if "output" in names else names[0]


def _check_reads(node: Node, by_name: dict[str, Node]) -> None:
    for f in input_fields(type(node)):
        want = f.metadata["reads"]
        sources = getattr(node, f.name)
        for source in sources if f.metadata["many"] else (sources,):
            got = by_name[source].type.kind
            ok = got in ("categorical", "numerical") if want == "sop" else got == want
            if not ok:
                need = (
                    "an s-op"
                    if want == "sop"
                    else f"a {want} s-op"
                    if want != "selector"
                    else "a selector"
                )
                raise IRError(f"{node.name}: {f.name} must be {need}, but {source!r} is a {got}")


def _gaps_of_table(table, over: list, types) -> list:
    return table.missing(*(types[name].values for name in over))


def _gaps_of_tables(tables, over: list, types) -> list:
    """One table per name of the one many-input field."""
    return [gap for name, t in zip(over[0], tables) for gap in t.missing(types[name].values)]


def _gaps_of_predicate(pred, over: list, types) -> list:
    """A predicate's views, if any, over the query and key values."""
    views = zip((pred.query_view, pred.key_view), over)
    return [
        gap for view, name in views if view is not None for gap in view.missing(types[name].values)
    ]


# A table kind (nodes.TABLE_KINDS) -> the inputs its field lacks a row for, given the names
# its `over` input fields hold.
TABLE_GAPS = {"table": _gaps_of_table, "tables": _gaps_of_tables, "predicate": _gaps_of_predicate}


def _check_tables(node: Node, types) -> None:
    """Every table a node holds (its schema's TABLE_KINDS fields) has a row for every input."""
    for f in held_fields(type(node)):
        if f.metadata["holds"] in TABLE_KINDS:
            over = [getattr(node, name) for name in f.metadata["over"]]
            gaps = TABLE_GAPS[f.metadata["holds"]](getattr(node, f.name), over, types)
            if gaps:
                raise IRError(
                    f"{node.name}: table is not total; no row for {', '.join(map(show, gaps[:5]))}"
                )


def _check_readout(node: Readout) -> None:
    if len(set(map(sort_key, node.classes))) != len(node.classes) or node.type != Categorical(
        node.classes
    ):
        raise IRError(f"{node.name}: classes must be distinct and be the values of its type")
    if len(node.bias) != len(node.classes):
        raise IRError(
            f"{node.name}: bias has {len(node.bias)} scores for {len(node.classes)} classes"
        )
    if len(node.scores) != len(node.terms):
        raise IRError(f"{node.name}: {len(node.scores)} score tables for {len(node.terms)} terms")
    for term, table in zip(node.terms, node.scores):
        if any(len(row) != len(node.classes) for row in table.outputs()):
            raise IRError(
                f"{node.name}: a score row for {term!r} does not have one score per class"
            )


def _check_aggregate(node: Aggregate, types) -> None:
    kind = types[node.values].kind
    if node.reduce not in REDUCTIONS:
        raise IRError(f"{node.name}: unknown reduction {node.reduce!r}")
    if (node.reduce == "nearest") != (kind == "categorical"):
        raise IRError(
            f"{node.name}: a {node.reduce} aggregate cannot take {kind} values {node.values!r}"
        )
    if node.type.kind != ("categorical" if node.reduce == "nearest" else "numerical"):
        raise IRError(f"{node.name}: a {node.reduce} aggregate must have a {kind} type")


def validate(program: Program) -> Program:
    """Check names, order (no cycles), kinds, total tables and declared types; return the
    program."""
    by_name: dict[str, Node] = {}
    for node in program.nodes:
        if not isinstance(node, ALL_NODES):
            raise IRError(f"not an IR node: {node!r}")
        if node.name in by_name:
            raise IRError(f"two nodes are named {node.name!r}")
        for source in node.inputs:
            if source not in by_name:
                later = any(n.name == source for n in program.nodes)
                raise IRError(
                    f"{node.name}: reads {source!r}, "
                    + ("which depends on it (a cycle)" if later else "which is not defined")
                )
        _check_reads(node, by_name)
        by_name[node.name] = node
    if not program.outputs:
        raise IRError("the program has no outputs")
    for out, source in program.outputs:
        if source not in by_name:
            raise IRError(f"output {out!r} names {source!r}, which is not defined")
        if by_name[source].type.kind == "selector":
            raise IRError(f"output {out!r} is a selector; outputs must be s-ops")
    types = {n.name: n.type for n in program.nodes}
    for node in program.nodes:
        if isinstance(node, Aggregate):
            _check_aggregate(node, types)
        if isinstance(node, Readout):
            _check_readout(node)
        _check_tables(node, types)
        try:
            inferred = infer_type(node, types, program.domain)
        except ValueSetTooLarge as e:
            raise IRError(f"{node.name}: {e}") from None
        if not contains(node.type, inferred):
            extra = sorted(
                set(getattr(inferred, "values", ())) - set(getattr(node.type, "values", ())),
                key=repr,
            )
            raise IRError(
                f"{node.name}: declared {node.type.kind} type does not cover its values"
                + (
                    f" (missing {', '.join(map(show, extra[:5]))})"
                    if extra
                    else f" (it is {inferred.kind})"
                )
            )
    return program
