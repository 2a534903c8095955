"""IR -> RASP text in tpc's dialect (docs/language.md), in model mode.

The text means the IR exactly (`#!tpc model`: BOS visible, raw tokens and indices, explicit
tables) and declares its domain (`#!tpc vocab`, `#!tpc max_len`), so compiling it back with
`tpc.frontend.compile_rasp` gives a program with the same outputs on every input. Comparisons print as
`select(k, q, <)` when the predicate is that comparison over the values the s-ops can take;
other predicates print as tables `{query: [keys...]}`.
"""

from __future__ import annotations

import re
from fractions import Fraction

from ..ir import (
    Aggregate, Constant, Indices, Map, Ones, Predicate, Program, Readout, Select, SelectAnd,
    SelectNot, SelectOr, SelectorWidth, SequenceMap, Tokens, compare,
)

RESERVED = frozenset("""
    tokens indices ones length aggregate selector_width indicator round numerical categorical
    constant select map readout output def return for load in if else and or not True False
    None true false inf nan classes bias
""".split())

_BUILTIN = {Tokens: "tokens", Indices: "indices", Ones: "ones"}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*$")


def literal(v) -> str:
    """A value as a literal the grammar reads back exactly."""
    if v is None or isinstance(v, bool):
        return repr(v)
    if isinstance(v, Fraction):
        return f"{v.numerator}/{v.denominator}"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return repr(v)
    raise TypeError(f"not a value: {v!r}")


def _float(x: float) -> str:
    return repr(float(x))


def _floats(xs) -> str:
    return "[" + ", ".join(map(_float, xs)) + "]"


class _Names:
    def __init__(self):
        self.used: set = set()
        self.of: dict = {}

    def add(self, ir_name: str) -> str:
        base = re.sub(r"\W", "_", ir_name) or "v"
        if base[0].isdigit():
            base = "_" + base
        if base in RESERVED:
            base = base + "_"
        name, i = base, 1
        while name in self.used:
            i += 1
            name = f"{base}_{i}"
        self.used.add(name)
        self.of[ir_name] = name
        return name


def _is_comparison(pred: Predicate, qvals, kvals) -> bool:
    if pred.op is None:
        return False
    return all(((q, k) in pred) == compare(pred.op, k, q) for q in qvals for k in kvals)


def _pred_table(pred: Predicate, qvals, kvals) -> str:
    rows = []
    for q in qvals:
        ks = [k for k in kvals if (q, k) in pred]
        if ks:
            rows.append(f"{literal(q)}: [{', '.join(map(literal, ks))}]")
    return "{" + ", ".join(rows) + "}"


def _map_table(table, pairs: bool) -> str:
    rows = []
    for k, v in table.rows:
        key = f"({literal(k[0])}, {literal(k[1])})" if pairs else literal(k)
        rows.append(f"{key}: {literal(v)}")
    return "{" + ", ".join(rows) + "}"


def to_rasp(program: Program) -> str:
    """The program as RASP text (model mode) that compiles back to an equivalent program."""
    dom = program.domain
    words = ["model"] + (["causal"] if dom.causal else []) + ([] if dom.implicit_bos else ["explicit-bos"])
    out = [f"#!tpc {' '.join(words)}"]
    # The domain the tables are total over: compiling the text back needs no options.
    out.append(f"#!tpc vocab {' '.join(map(literal, dom.vocab))}")
    out.append(f"#!tpc max_len {dom.max_len}")
    for key, value in program.meta:
        text = str(value).replace("\n", " ")
        out.append(f"# {key}: {text}")
    names = _Names()
    for n in program.nodes:
        if type(n) in _BUILTIN:
            names.of[n.name] = _BUILTIN[type(n)]
            continue
        var = names.add(n.name)
        ref = names.of
        vals = lambda name: program[name].type.values  # noqa: E731
        if isinstance(n, Constant):
            e = f"constant({literal(n.value)})"
            if n.type.kind == "numerical":
                e = f"numerical({e})"
        elif isinstance(n, Map):
            e = f"map {_map_table(n.table, False)} ({ref[n.x]})"
            if n.type.kind == "numerical":
                e = f"numerical({e})"
        elif isinstance(n, SequenceMap):
            e = f"map {_map_table(n.table, True)} ({ref[n.x]}, {ref[n.y]})"
            if n.type.kind == "numerical":
                e = f"numerical({e})"
        elif isinstance(n, Select):
            qv, kv = vals(n.queries), vals(n.keys)
            op = n.predicate.op if _is_comparison(n.predicate, qv, kv) else _pred_table(n.predicate, qv, kv)
            e = f"select({ref[n.keys]}, {ref[n.queries]}, {op})"
        elif isinstance(n, SelectAnd):
            e = f"{ref[n.a]} and {ref[n.b]}"
        elif isinstance(n, SelectOr):
            e = f"{ref[n.a]} or {ref[n.b]}"
        elif isinstance(n, SelectNot):
            e = f"not {ref[n.a]}"
        elif isinstance(n, Aggregate):
            extra = ""
            if n.default is not None:
                extra += f", default={literal(n.default)}"
            if n.reduce == "sum":
                extra += ', reduce="sum"'
            e = f"aggregate({ref[n.selector]}, {ref[n.values]}{extra})"
        elif isinstance(n, SelectorWidth):
            e = f"selector_width({ref[n.selector]})"
        elif isinstance(n, Readout):
            terms = []
            for term, table in zip(n.terms, n.scores):
                rows = ", ".join(f"{literal(k)}: {_floats(v)}" for k, v in table.rows)
                terms.append(f"    {ref[term]}: {{{rows}}}")
            e = (f"readout classes [{', '.join(map(literal, n.classes))}] bias {_floats(n.bias)} {{\n"
                 + ",\n".join(terms) + "\n}")
        else:  # pragma: no cover
            raise TypeError(f"to_rasp: unknown node {type(n).__name__}")
        out.append(f"{var} = {e};")
    for label, node in program.outputs:
        var = names.of[node]
        if label == var:
            out.append(f"output {var};")
        elif _IDENT.match(label) and label not in RESERVED:
            out.append(f"output {label} = {var};")
        else:
            out.append(f"output {literal(label)} = {var};")
    return "\n".join(out) + "\n"


__all__ = ["to_rasp", "literal"]
