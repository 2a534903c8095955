"""Constant folding."""

from __future__ import annotations

import math

import attrs

from tpc.ir import (
    Aggregate, Constant, Indices, Map, Ones, Program, Readout, Select, SequenceMap, Table, Tokens,
    add_row, rename_inputs, sort_key,
)

_INPUTS = (Tokens, Indices, Ones, Constant)


def _bit_span(values) -> tuple[int, int] | None:
    """(highest, lowest) binary exponent among the set bits of nonzero floats, or None."""
    nonzero = [v for v in values if v != 0]
    if not nonzero:
        return None
    high = max(math.frexp(abs(v))[1] for v in nonzero)
    low = min(
        (p & -p).bit_length() - q.bit_length() for p, q in (abs(v).as_integer_ratio() for v in nonzero)
    )
    return high, low


def sums_are_exact(readout: Readout) -> bool:
    """True when every partial sum of the readout's scores is exact in float32, so their order
    is free (scores are added in float32, term by term: tpc/ir/scores.py)."""
    span = _bit_span([*readout.bias, *(s for t in readout.scores for row in t.outputs() for s in row)])
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


def _bos_value(node, domain):
    """The value `node` has at position 0, when it is known without running the program."""
    if isinstance(node, Tokens):
        return (domain.bos,)
    if isinstance(node, Indices):
        return (0,)
    if isinstance(node, Constant):
        return (node.value,)
    return None


def _reads_only_bos(node: Aggregate, by_name, domain):
    """The value a nearest aggregate reads when its selector can select no key but BOS
    (every query then reads position 0), else None."""
    sel, values = by_name[node.selector], by_name[node.values]
    if node.reduce != "nearest" or node.default is not None or not isinstance(sel, Select):
        return None
    keys = by_name[sel.keys]
    bos_key = _bos_value(keys, domain) if isinstance(keys, (Tokens, Indices)) else None
    at_bos = _bos_value(values, domain)
    if bos_key is None or at_bos is None:
        return None
    # Tokens hold BOS and Indices hold 0 at position 0 only, so such keys select nothing else.
    if all(sort_key(k) == sort_key(bos_key[0]) for _, k in sel.predicate.pairs):
        return at_bos
    return None


def _is_identity(node: Map, source) -> bool:
    return source.type == node.type and all(sort_key(node.table[v]) == sort_key(v) for v in source.type.values)


def fold_constants(program: Program) -> Program:
    """Single-valued s-ops become Constants, heads that can only attend to BOS read a known
    value, maps of constants or of one input read twice shrink, identity maps vanish, and
    readout terms with one score row for every value fold into the bias where float32 allows."""
    by_name: dict = {}
    alias: dict[str, str] = {}
    nodes = []
    for node in program.nodes:
        node = rename_inputs(node, alias)
        if isinstance(node, Map) and _is_identity(node, by_name[node.x]):
            alias[node.name] = node.x
            continue
        if isinstance(node, SequenceMap):
            x, y = by_name[node.x], by_name[node.y]
            if node.x == node.y:  # one variable read twice: only the diagonal is reachable
                table = Table([(v, node.table[(v, v)]) for v in x.type.values])
                node = Map(name=node.name, type=node.type, x=node.x, table=table)
            elif isinstance(y, Constant):
                table = Table([(v, node.table[(v, y.value)]) for v in x.type.values])
                node = Map(name=node.name, type=node.type, x=node.x, table=table)
            elif isinstance(x, Constant):
                table = Table([(v, node.table[(x.value, v)]) for v in y.type.values])
                node = Map(name=node.name, type=node.type, x=node.y, table=table)
        if isinstance(node, Aggregate):
            at_bos = _reads_only_bos(node, by_name, program.domain)
            if at_bos is not None:
                node = Constant(name=node.name, type=type(node.type)(at_bos), value=at_bos[0])
        if isinstance(node, Readout):
            node = _fold_readout(node, {n: by_name[n].type for n in node.terms})
        if (
            not isinstance(node, _INPUTS)
            and node.type.kind != "selector"
            and len(node.type.values) == 1
        ):
            node = Constant(name=node.name, type=node.type, value=node.type.values[0])
        by_name[node.name] = node
        nodes.append(node)
    outputs = {out: alias.get(src, src) for out, src in program.outputs}
    return program.evolve(nodes=tuple(nodes), outputs=outputs)
