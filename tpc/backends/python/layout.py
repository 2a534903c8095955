"""CST layout for emitted modules: literals, containers that break into packed lines, PEP 8
blank lines and docstrings."""

from __future__ import annotations

import re
from fractions import Fraction

import libcst as cst

WIDTH = 88  # target line length: the width the paper's printed programs are formatted to
INDENT = "    "

_EMPTY = cst.Module([])


def code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def value(v) -> cst.BaseExpression:
    """A CST literal for one IR value (or a float score)."""
    if v is None or isinstance(v, bool):
        return cst.Name(repr(v))
    if isinstance(v, int):
        return (
            cst.Integer(str(v)) if v >= 0 else cst.UnaryOperation(cst.Minus(), cst.Integer(str(-v)))
        )
    if isinstance(v, Fraction):
        return cst.Call(
            cst.Name("Fraction"), [cst.Arg(value(v.numerator)), cst.Arg(value(v.denominator))]
        )
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return cst.Call(cst.Name("float"), [cst.Arg(cst.SimpleString(repr(repr(v))))])
        text = repr(abs(v))
        lit = cst.Float(text) if ("." in text or "e" in text) else cst.Float(text + ".0")
        return cst.UnaryOperation(cst.Minus(), lit) if str(v).startswith("-") else lit
    if isinstance(v, str):
        return cst.SimpleString(repr(v))
    raise TypeError(f"cannot print {v!r}")


def line_break(depth: int) -> cst.ParenthesizedWhitespace:
    """A line break inside brackets, continuing at `depth` extra indents."""
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(),
        empty_lines=[],
        indent=True,
        last_line=cst.SimpleWhitespace(INDENT * depth),
    )


def container(kind: str, items: list, depth: int, room: int) -> cst.BaseExpression:
    """A tuple/dict/set literal: on one line if it fits in `room`, else packed lines.

    `items` are expressions (tuple, set) or (key, value) expression pairs (dict).
    """

    def build(breaks):
        elems = []
        for i, item in enumerate(items):
            last = i == len(items) - 1
            if breaks is None:
                after = cst.SimpleWhitespace("") if last else cst.SimpleWhitespace(" ")
            else:
                after = (
                    line_break(depth)
                    if last
                    else (line_break(depth + 1) if i in breaks else cst.SimpleWhitespace(" "))
                )
            comma = cst.Comma(whitespace_after=after)
            if last and breaks is None and not (kind == "tuple" and len(items) == 1):
                comma = cst.MaybeSentinel.DEFAULT
            if kind == "dict":
                k, v = item
                elems.append(cst.DictElement(k, v, comma=comma))
            else:
                elems.append(cst.Element(item, comma=comma))
        first = cst.SimpleWhitespace("") if breaks is None else line_break(depth + 1)
        if kind == "dict":
            return cst.Dict(elems, lbrace=cst.LeftCurlyBrace(whitespace_after=first))
        if kind == "set":
            return cst.Set(elems, lbrace=cst.LeftCurlyBrace(whitespace_after=first))
        return cst.Tuple(elems, lpar=[cst.LeftParen(whitespace_after=first)])

    if not items:
        return {"dict": cst.Dict([]), "tuple": cst.Tuple([]), "set": cst.Call(cst.Name("set"))}[
            kind
        ]
    flat = build(None)
    if len(code(flat)) <= room:
        return flat
    # Pack items greedily into lines of at most WIDTH characters.
    texts = [
        code(cst.DictElement(*it, comma=cst.MaybeSentinel.DEFAULT)) if kind == "dict" else code(it)
        for it in items
    ]
    return build(_line_breaks(texts, len(INDENT) * (depth + 1), WIDTH))


def _hanging(depth: int) -> cst.ParenthesizedWhitespace:
    """A line break continuing at `depth` indents past the enclosing block."""
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(),
        empty_lines=[],
        indent=True,
        last_line=cst.SimpleWhitespace(INDENT * depth),
    )


def _line_breaks(texts: list[str], start: int, width: int) -> set[int]:
    """After which items to break so no line of items starting at column `start` passes `width`."""
    breaks, col = set(), start
    for i, t in enumerate(texts):
        if col > start and col + len(t) + 1 > width:
            breaks.add(i - 1)
            col = start
        col += len(t) + 2
    return breaks


def _commas(count: int, breaks: set[int], depth: int) -> list:
    """The commas after `count` items: a line break after the items in `breaks` (continuing
    at `depth` indents), a space after the others, none after the last."""
    return [
        cst.MaybeSentinel.DEFAULT
        if i == count - 1
        else cst.Comma(
            whitespace_after=_hanging(depth) if i in breaks else cst.SimpleWhitespace(" ")
        )
        for i in range(count)
    ]


def hanging_parameters(name: str, params: list[str]) -> dict:
    """FunctionDef fields for `def name(params):` at top level: the parameters on the def line
    if it fits in WIDTH, else on lines of their own indented twice (PEP 8's hanging indent)."""
    flat = cst.Parameters([cst.Param(cst.Name(p)) for p in params])
    if len(f"def {name}({', '.join(params)}):") <= WIDTH:
        return {"params": flat}
    commas = _commas(len(params), _line_breaks(params, 2 * len(INDENT), WIDTH - 2), 2)
    wrapped = [cst.Param(cst.Name(p), comma=c) for p, c in zip(params, commas)]
    return {"params": cst.Parameters(wrapped), "whitespace_before_params": _hanging(2)}


def hanging_call(fn: cst.BaseExpression, args: list[cst.Arg], start: int, block: int) -> cst.Call:
    """`fn(args)` on one line if it fits in WIDTH from column `start`, else with the arguments
    on lines of their own, one indent past the statement's block (at column `block`)."""
    flat = cst.Call(fn, args)
    if start + len(code(flat)) <= WIDTH:
        return flat
    texts = [code(a.with_changes(comma=cst.MaybeSentinel.DEFAULT)) for a in args]
    commas = _commas(len(args), _line_breaks(texts, block + len(INDENT), WIDTH - 2), 1)
    return cst.Call(
        fn,
        [a.with_changes(comma=c) for a, c in zip(args, commas)],
        whitespace_before_args=_hanging(1),
    )


def keyword_arg(name: str, x: cst.BaseExpression) -> cst.Arg:
    """`name=x`, spaced as PEP 8 spaces keyword arguments."""
    return cst.Arg(
        x,
        keyword=cst.Name(name),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )


def table_key(v, tagged: bool) -> cst.BaseExpression:
    """Key of a table row; in tables whose keys mix bools with equal numbers, bools are tagged."""
    if tagged and isinstance(v, bool):
        return cst.Tuple([cst.Element(cst.SimpleString("'bool'")), cst.Element(value(v))])
    return value(v)


def collides(values) -> bool:
    """True when True/False and 1/0 both occur: Python dicts would merge them."""
    bools = {v for v in values if isinstance(v, bool)}
    return any(not isinstance(v, bool) and v in bools for v in values)


def dense(values) -> bool:
    """Keys are exactly 0..m-1 (ints, no bools): a tuple indexed by the key will do."""
    return all(type(v) is int for v in values) and list(values) == list(range(len(values)))


def dedup(values) -> list:
    """Literals of `values` without repeats (True and 1 count as one: they share a set slot)."""
    out = []
    for v in values:
        if not any(v == o for o in out):
            out.append(v)
    return [value(v) for v in out]


def doc(text: str) -> cst.SimpleStatementLine:
    """A docstring statement."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return cst.SimpleStatementLine([cst.Expr(cst.SimpleString(f'"""{text}"""'))])


def assign(name: str, expr: cst.BaseExpression, **changes) -> cst.SimpleStatementLine:
    """The statement `name = expr`."""
    return cst.SimpleStatementLine(
        [cst.Assign([cst.AssignTarget(cst.Name(name))], expr)], **changes
    )


def assign_all(pairs: list) -> cst.SimpleStatementLine:
    """`a = x` for one (name, expression) pair; `a, b = x, y` for several."""
    if len(pairs) == 1:
        return assign(*pairs[0])
    names = cst.Tuple([cst.Element(cst.Name(n)) for n, _ in pairs], lpar=[], rpar=[])
    exprs = cst.Tuple([cst.Element(e) for _, e in pairs], lpar=[], rpar=[])
    return cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(names)], exprs)])


def blank(stmts: list) -> list:
    """Two blank lines before the first statement of a block of definitions."""
    if stmts:
        stmts[0] = stmts[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    return stmts


def one_liner(stmt) -> bool:
    """A `def f(x): return ...` on one line."""
    return isinstance(stmt, cst.FunctionDef) and isinstance(stmt.body, cst.SimpleStatementSuite)


def _reads(stmt, table) -> bool:
    """`stmt` is a one-line function reading the constant `table` assigns."""
    if not one_liner(stmt) or not (
        isinstance(table, cst.SimpleStatementLine) and isinstance(table.body[0], cst.Assign)
    ):
        return False
    target = table.body[0].targets[0].target
    return (
        isinstance(target, cst.Name)
        and re.search(rf"\b{target.value}\b", code(stmt.body)) is not None
    )


def _one_line_constant(stmt) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and isinstance(stmt.body[0], cst.Assign)
        and "\n" not in code(stmt).strip()
    )


def _glued(prev, stmt, after) -> bool:
    """No blank line inside a group of related one-line functions (as PEP 8 allows) and the
    tables they read: a one-liner after a one-liner or after its table, a table between a
    one-liner and its reader; none between one-line constants either."""
    if one_liner(stmt):
        return one_liner(prev) or _reads(stmt, prev)
    if _one_line_constant(stmt) and _one_line_constant(prev):
        return True
    return one_liner(prev) and _reads(after, stmt)


def pep8_spacing(body: list) -> list:
    """Two blank lines around top-level functions, but none inside a group of one-liners or
    between a table and its one-line reader; one before other statements after the first
    definition; comments attached to a statement stay with it."""
    out = []
    for i, stmt in enumerate(body):
        prev = body[i - 1] if i else None
        if _glued(prev, stmt, body[i + 1] if i + 1 < len(body) else None):
            lines = 0
        elif isinstance(stmt, cst.FunctionDef) or isinstance(prev, cst.FunctionDef):
            lines = 2
        else:
            lines = min(1, sum(1 for line in stmt.leading_lines if line.comment is None))
        comments = [line for line in stmt.leading_lines if line.comment is not None]
        out.append(
            stmt.with_changes(leading_lines=[cst.EmptyLine()] * lines + comments) if i else stmt
        )
    return out
