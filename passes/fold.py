"""Constant folding."""

from __future__ import annotations

import math

import attrs

from tpc.ir import (
    Aggregate,
    Constant,
    Indices,
    Map,
    Ones,
    Program,
    Readout,
    Select,
    Table,
    Tokens,
    Visitor,
    add_row,
    rename_inputs,
    sort_key,
)

_INPUTS = (Tokens, Indices, Ones, Constant)


def _bit_span(values) -> tuple[int, int] | None:
    """(highest, lowest) binary exponent among the set bits of nonzero floats, or None."""
    nonzero = [v for v in values if v != 0]
    if not nonzero:
        return None
    high = max(math.frexp(abs(v))[1] for v in nonzero)
    low = min(
        (p & -p).bit_length() - q.bit_length()
        for p, q in (abs(v).as_integer_ratio() for v in nonzero)
    )
    return high, low


def sums_are_exact(readout: Readout) -> bool:
    """True when every partial sum of the readout's scores is exact in float32, so their order
    is free (scores are added in float32, term by term: tpc/ir/scores.py)."""
    span = _bit_span(
        [*readout.bias, *(s for t in readout.scores for row in t.outputs() for s in row)]
    )
    if span is None:
        return True
    high, low = span
    return high + math.ceil(math.log2(len(readout.terms) + 2)) - low <= 24


def _fold_readout(node: Readout, program_types) -> Readout:
    """Drop terms that score 0 everywhere; move a term whose score row is the same for every
    value into the bias when that adds the same float32 numbers: it is the first term, or
    every partial sum is exact."""
    free_order = sums_are_exact(node)
    bias = node.bias
    terms, scores = [], []
    for term, table in zip(node.terms, node.scores):
        rows = {table[v] for v in program_types[term].values}
        if len(rows) == 1 and not any(rows.copy().pop()):
            continue  # adding 0 changes no float32 total
        if len(rows) == 1 and (free_order or not terms):
            bias = add_row(bias, rows.pop())
        else:
            terms.append(term)
            scores.append(table)
    return attrs.evolve(node, terms=tuple(terms), scores=tuple(scores), bias=bias)


class _AtBos(Visitor):
    """The value a node has at position 0 when it is known without running the program
    (a 1-tuple), else None."""

    def __init__(self, domain):
        self.domain = domain

    def visit_Tokens(self, node):
        return (self.domain.bos,)

    def visit_Indices(self, node):
        return (0,)

    def visit_Constant(self, node):
        return (node.value,)

    def unknown(self, node):
        return None

    visit_Ones = visit_Map = visit_SequenceMap = visit_Aggregate = visit_SelectorWidth = unknown
    visit_Readout = visit_Select = visit_SelectAnd = visit_SelectOr = visit_SelectNot = unknown


def _reads_only_bos(node: Aggregate, by_name, domain):
    """The value a nearest aggregate reads when its selector can select no key but BOS
    (every query then reads position 0), else None."""
    sel, values = by_name[node.selector], by_name[node.values]
    if node.reduce != "nearest" or node.default is not None or not isinstance(sel, Select):
        return None
    keys = by_name[sel.keys]
    at_bos = _AtBos(domain)
    # Tokens hold BOS and Indices hold 0 at position 0 only, so such keys select nothing else.
    bos_key = at_bos.visit(keys) if isinstance(keys, (Tokens, Indices)) else None
    value = at_bos.visit(values)
    if bos_key is None or value is None:
        return None
    selected = sel.predicate.tabulate(by_name[sel.queries].type.values, keys.type.values)
    if all(sort_key(k) == sort_key(bos_key[0]) for _, k in selected):
        return value
    return None


def _is_identity(node: Map, source) -> bool:
    return source.type == node.type and all(
        sort_key(node.table[v]) == sort_key(v) for v in source.type.values
    )


class _Fold(Visitor):
    """Each node folded, given the folded nodes before it (`by_name`); None for a node that
    is its input (`alias` then names that input)."""

    def __init__(self, program: Program):
        self.domain = program.domain
        self.by_name: dict = {}
        self.alias: dict[str, str] = {}

    def keep(self, node):
        return node

    visit_Tokens = visit_Indices = visit_Ones = visit_Constant = visit_SelectorWidth = keep
    visit_Select = visit_SelectAnd = visit_SelectOr = visit_SelectNot = keep

    def visit_Map(self, node):
        if _is_identity(node, self.by_name[node.x]):
            self.alias[node.name] = node.x
            return None
        return node

    def visit_SequenceMap(self, node):
        x, y = self.by_name[node.x], self.by_name[node.y]
        if node.x == node.y:  # one variable read twice: only the diagonal is reachable
            table = Table([(v, node.table[(v, v)]) for v in x.type.values])
            return Map(name=node.name, type=node.type, x=node.x, table=table)
        if isinstance(y, Constant):
            table = Table([(v, node.table[(v, y.value)]) for v in x.type.values])
            return Map(name=node.name, type=node.type, x=node.x, table=table)
        if isinstance(x, Constant):
            table = Table([(v, node.table[(x.value, v)]) for v in y.type.values])
            return Map(name=node.name, type=node.type, x=node.y, table=table)
        return node

    def visit_Aggregate(self, node):
        at_bos = _reads_only_bos(node, self.by_name, self.domain)
        if at_bos is None:
            return node
        return Constant(name=node.name, type=type(node.type)(at_bos), value=at_bos[0])

    def visit_Readout(self, node):
        return _fold_readout(node, {n: self.by_name[n].type for n in node.terms})


def fold_constants(program: Program) -> Program:
    """Single-valued s-ops become Constants, heads that can only attend to BOS read a known
    value, maps of constants or of one input read twice shrink, identity maps vanish, and
    readout terms with one score row for every value fold into the bias where float32 allows."""
    fold = _Fold(program)
    nodes = []
    for node in program.nodes:
        node = fold.visit(rename_inputs(node, fold.alias))
        if node is None:
            continue
        if (
            not isinstance(node, _INPUTS)
            and node.type.kind != "selector"
            and len(node.type.values) == 1
        ):
            node = Constant(name=node.name, type=node.type, value=node.type.values[0])
        fold.by_name[node.name] = node
        nodes.append(node)
    outputs = {out: fold.alias.get(src, src) for out, src in program.outputs}
    return program.evolve(nodes=tuple(nodes), outputs=outputs)
