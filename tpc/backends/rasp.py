"""IR -> RASP text in tpc's dialect (docs/language.md), in model mode.

The text means the IR exactly (`#!tpc model`: BOS visible, raw tokens and indices, explicit
tables) and declares its domain (`#!tpc vocab`, `#!tpc max_len`), so compiling it back with
`tpc.frontend.rasp_to_ir` gives a program with the same outputs on every input. Comparisons print as
`select(k, q, <)` when the predicate is that comparison over the values the s-ops can take;
other predicates print as tables `{query: [keys...]}`.
"""

from __future__ import annotations

import re
from fractions import Fraction

from tpc.errors import TpcError
from tpc.ir import FreshNames, Predicate, Program, Readout, Visitor, compare

RESERVED = frozenset(
    """
    tokens indices ones length aggregate selector_width indicator round numerical categorical
    constant select map readout output def return for load in if else and or not True False
    None true false inf nan classes bias exit quit selector set show examples
""".split()
)  # the last words start REPL statements (`set selector example ...;`), not names

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


def _numerical(n, e: str) -> str:
    return f"numerical({e})" if n.type.kind == "numerical" else e


class _Printer(Visitor):
    """One `name = expression;` line per node; the built-in s-ops print no line."""

    def __init__(self, program: Program):
        self.p = program
        self.names = FreshNames(keywords=RESERVED)
        self.var: dict[str, str] = {}  # IR name -> RASP name
        self.lines: list[str] = []

    def line(self, n, e: str) -> None:
        self.var[n.name] = self.names.fresh(n.name)
        self.lines.append(f"{self.var[n.name]} = {e};")

    def ref(self, name: str) -> str:
        return self.var[name]

    def vals(self, name: str):
        return self.p[name].type.values

    def visit_Tokens(self, n):
        self.var[n.name] = "tokens"

    def visit_Indices(self, n):
        self.var[n.name] = "indices"

    def visit_Ones(self, n):
        self.var[n.name] = "ones"

    def visit_Constant(self, n):
        self.line(n, _numerical(n, f"constant({literal(n.value)})"))

    def visit_Map(self, n):
        self.line(n, _numerical(n, f"map {_map_table(n.table, False)} ({self.ref(n.x)})"))

    def visit_SequenceMap(self, n):
        self.line(
            n, _numerical(n, f"map {_map_table(n.table, True)} ({self.ref(n.x)}, {self.ref(n.y)})")
        )

    def visit_Select(self, n):
        qv, kv = self.vals(n.queries), self.vals(n.keys)
        op = (
            n.predicate.op
            if _is_comparison(n.predicate, qv, kv)
            else _pred_table(n.predicate, qv, kv)
        )
        self.line(n, f"select({self.ref(n.keys)}, {self.ref(n.queries)}, {op})")

    def visit_SelectAnd(self, n):
        self.line(n, f"{self.ref(n.a)} and {self.ref(n.b)}")

    def visit_SelectOr(self, n):
        self.line(n, f"{self.ref(n.a)} or {self.ref(n.b)}")

    def visit_SelectNot(self, n):
        self.line(n, f"not {self.ref(n.a)}")

    def visit_Aggregate(self, n):
        extra = ""
        if n.default is not None:
            extra += f", default={literal(n.default)}"
        if n.reduce == "sum":
            extra += ', reduce="sum"'
        self.line(n, f"aggregate({self.ref(n.selector)}, {self.ref(n.values)}{extra})")

    def visit_SelectorWidth(self, n):
        self.line(n, f"selector_width({self.ref(n.selector)})")

    def visit_Readout(self, n):
        terms = []
        for term, table in zip(n.terms, n.scores):
            rows = ", ".join(f"{literal(k)}: {_floats(v)}" for k, v in table.rows)
            terms.append(f"    {self.ref(term)}: {{{rows}}}")
        self.line(
            n,
            f"readout classes [{', '.join(map(literal, n.classes))}] bias {_floats(n.bias)} {{\n"
            + ",\n".join(terms)
            + "\n}",
        )


def to_rasp(program: Program) -> str:
    """The program as RASP text (model mode) that compiles back to an equivalent program."""
    dom = program.domain
    if dom.unk is not None or any(isinstance(n, Readout) and n.pooled for n in program.nodes):
        # The dialect has neither: printing would silently change what the program computes.
        raise TpcError(
            "RASP text cannot say that unknown words read as "
            f"{dom.unk!r} or that a readout pools its positions; use --to python or --to json"
        )
    words = (
        ["model"]
        + (["causal"] if dom.causal else [])
        + ([] if dom.implicit_bos else ["explicit-bos"])
    )
    out = [f"#!tpc {' '.join(words)}"]
    # The domain the tables are total over: compiling the text back needs no options.
    out.append(f"#!tpc vocab {' '.join(map(literal, dom.vocab))}")
    out.append(f"#!tpc max_len {dom.max_len}")
    for key, value in program.meta:
        text = str(value).replace("\n", " ")
        out.append(f"# {key}: {text}")
    printer = _Printer(program)
    for n in program.nodes:
        printer.visit(n)
    out += printer.lines
    for label, node in program.outputs:
        var = printer.var[node]
        if label == var:
            out.append(f"output {var};")
        elif _IDENT.match(label) and label not in RESERVED:
            out.append(f"output {label} = {var};")
        else:
            out.append(f"output {literal(label)} = {var};")
    return "\n".join(out) + "\n"


__all__ = ["to_rasp", "literal"]
