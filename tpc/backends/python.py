"""The Python backend: an IR program -> a self-contained, readable Python module (stdlib only).

The module is built as a libcst tree (literals are CST nodes, statements come from templates
whose holes are filled with nodes) and printed with `Module.code`. Its interface:

- `run(tokens) -> list`: the main output, one value per position the caller passed.
  The main output is the one named "output" if there is one, else the first declared output.
- `run_all(tokens) -> dict`: every output, by name.
- constants `VOCAB`, `BOS`, `MAX_LEN`, `CAUSAL`, `IMPLICIT_BOS`, `OUTPUTS`, `MAIN_OUTPUT`.

With `IMPLICIT_BOS` (RASP programs) callers pass tokens without BOS; it is prepended and its
output is hidden. Otherwise (lifted models) callers pass BOS first and get a value for every
position. Unknown tokens and too-long inputs raise ValueError.

Every select predicate, map and readout becomes one named function; tables become dict or
tuple literals at module level; everything position-independent (the nearest-match order of
key positions for each query, per length) is computed once at import. Numbers are exact
(ints and `fractions.Fraction`); readout scores are float32 numbers added term by term in
float32, as the model adds them (tpc/ir/scores.py).
"""

from __future__ import annotations

import builtins
import keyword
import re
import types
from fractions import Fraction

import libcst as cst
from libcst.helpers import parse_template_expression, parse_template_statement

from ..ir import (
    COMPARISONS, Aggregate, Constant, Indices, Map, Ones, Program, Readout, Select, SelectAnd,
    SelectNot, SelectOr, SelectorWidth, SequenceMap, Tokens, f32, linear_weights, show,
    sort_key,
)

WIDTH = 100  # target line length
INDENT = "    "

# --- literals -----------------------------------------------------------------------------

_EMPTY = cst.Module([])


def _code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def _value(v) -> cst.BaseExpression:
    """A CST literal for one IR value (or a float score)."""
    if v is None or isinstance(v, bool):
        return cst.Name(repr(v))
    if isinstance(v, int):
        return cst.Integer(str(v)) if v >= 0 else cst.UnaryOperation(cst.Minus(), cst.Integer(str(-v)))
    if isinstance(v, Fraction):
        return cst.Call(cst.Name("Fraction"), [cst.Arg(_value(v.numerator)), cst.Arg(_value(v.denominator))])
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return cst.Call(cst.Name("float"), [cst.Arg(cst.SimpleString(repr(repr(v))))])
        text = repr(abs(v))
        lit = cst.Float(text) if ("." in text or "e" in text) else cst.Float(text + ".0")
        return cst.UnaryOperation(cst.Minus(), lit) if str(v).startswith("-") else lit
    if isinstance(v, str):
        return cst.SimpleString(repr(v))
    raise TypeError(f"cannot print {v!r}")


def _break(depth: int) -> cst.ParenthesizedWhitespace:
    """A line break inside brackets, continuing at `depth` extra indents."""
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), empty_lines=[], indent=True,
        last_line=cst.SimpleWhitespace(INDENT * depth),
    )


def _container(kind: str, items: list, depth: int, room: int) -> cst.BaseExpression:
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
                after = _break(depth) if last else (_break(depth + 1) if i in breaks else cst.SimpleWhitespace(" "))
            comma = cst.Comma(whitespace_after=after)
            if last and breaks is None and not (kind == "tuple" and len(items) == 1):
                comma = cst.MaybeSentinel.DEFAULT
            if kind == "dict":
                k, v = item
                elems.append(cst.DictElement(k, v, comma=comma))
            else:
                elems.append(cst.Element(item, comma=comma))
        first = cst.SimpleWhitespace("") if breaks is None else _break(depth + 1)
        if kind == "dict":
            return cst.Dict(elems, lbrace=cst.LeftCurlyBrace(whitespace_after=first))
        if kind == "set":
            return cst.Set(elems, lbrace=cst.LeftCurlyBrace(whitespace_after=first))
        return cst.Tuple(elems, lpar=[cst.LeftParen(whitespace_after=first)])

    if not items:
        return {"dict": cst.Dict([]), "tuple": cst.Tuple([]), "set": cst.Call(cst.Name("set"))}[kind]
    flat = build(None)
    if len(_code(flat)) <= room:
        return flat
    # Pack items greedily into lines of at most WIDTH characters.
    texts = [
        _code(cst.DictElement(*it, comma=cst.MaybeSentinel.DEFAULT)) if kind == "dict" else _code(it)
        for it in items
    ]
    breaks, col = set(), len(INDENT) * (depth + 1)
    start = col
    for i, t in enumerate(texts):
        if col > start and col + len(t) + 1 > WIDTH:
            breaks.add(i - 1)
            col = start
        col += len(t) + 2
    return build(breaks)


def _table_key(v, tagged: bool):
    """Key of a table row; in tables whose keys mix bools with equal numbers, bools are tagged."""
    return cst.Tuple([cst.Element(cst.SimpleString("'bool'")), cst.Element(_value(v))]) if tagged and isinstance(v, bool) else _value(v)


def _collides(values) -> bool:
    """True when True/False and 1/0 both occur: Python dicts would merge them."""
    bools = {v for v in values if isinstance(v, bool)}
    return any(not isinstance(v, bool) and v in bools for v in values)


def _dense(values) -> bool:
    """Keys are exactly 0..m-1 (ints, no bools): a tuple indexed by the key will do."""
    return all(type(v) is int for v in values) and list(values) == list(range(len(values)))


# --- names --------------------------------------------------------------------------------

_PRELUDE_NAMES = {
    "Fraction", "VOCAB", "BOS", "MAX_LEN", "CAUSAL", "IMPLICIT_BOS", "OUTPUTS", "MAIN_OUTPUT",
    "N_POSITIONS", "TOKENS", "NEAREST_ORDER", "encode", "exact", "tag", "float32", "as_float32", "scaled",
    "add_scores", "struct", "row", "scores",
    "select", "select_and",
    "select_or", "select_not", "nearest", "summed", "mean", "width", "run", "run_all", "tokens",
    "n", "seq",
}


class _Names:
    def __init__(self):
        self.taken = set(_PRELUDE_NAMES) | set(dir(builtins)) | set(keyword.kwlist) | set(keyword.softkwlist)

    def fresh(self, stem: str) -> str:
        stem = re.sub(r"\W", "_", stem) or "v"
        if stem[0].isdigit():
            stem = "v_" + stem
        name, i = stem, 1
        while name in self.taken or keyword.iskeyword(name):
            i += 1
            name = f"{stem}_{i}"
        self.taken.add(name)
        return name


# --- the module's fixed part --------------------------------------------------------------

_RUNTIME = '''
def encode(tokens):
    """The input checked, with BOS at position 0."""
    seq = [BOS, *tokens] if IMPLICIT_BOS else list(tokens)
    if not seq or seq[0] != BOS or len(seq) > N_POSITIONS:
        raise ValueError(f"expected {'' if IMPLICIT_BOS else 'the BOS token then '}at most {MAX_LEN} tokens")
    for token in seq:
        if token not in TOKENS:
            raise ValueError(f"unknown token {token!r} (vocabulary: {' '.join(map(str, VOCAB))})")
    return seq


def exact(x):
    """An int when a Fraction is whole."""
    return x.numerator if x.denominator == 1 else x


# NEAREST_ORDER[n][q]: the key positions in the order query q prefers them in a length-n
# input: nearest first, the earlier one on ties, q itself last.
NEAREST_ORDER = [[sorted(range(n), key=lambda k: (k == q, abs(k - q), k)) for q in range(n)]
                 for n in range(N_POSITIONS + 1)]


def tag(x):
    """Table key of a value: bools are tagged so that True and 1 stay apart."""
    return ("bool", x) if isinstance(x, bool) else x


def float32(table):
    """`table` with its scores as the float32 numbers the model stores: each decimal here is
    the shortest one that names its float32 value exactly."""
    if isinstance(table, dict):
        return {key: float32(row) for key, row in table.items()}
    if isinstance(table[0], tuple):
        return tuple(map(float32, table))
    return struct.unpack(f"{len(table)}f", struct.pack(f"{len(table)}f", *table))


def as_float32(x):
    """A number as the float32 value the model holds it in."""
    return struct.unpack("f", struct.pack("f", float(x)))[0]


def scaled(x, weights):
    """How the model scores a number: float32(float32(x) * w) for each class."""
    x = as_float32(x)
    return [as_float32(x * w) for w in weights]


def add_scores(scores, row):
    """Scores plus a row, each sum rounded to float32 as the model adds them."""
    return [as_float32(a + b) for a, b in zip(scores, row)]
'''

_SELECT = {
    False: '''
def select(keys, queries, predicate):
    """Attention pattern: row q, column k is True when query q attends to key k."""
    return [[predicate(key, query) for key in keys] for query in queries]


def select_not(selector):
    return [[not s for s in row] for row in selector]
''',
    True: '''
def select(keys, queries, predicate):
    """Attention pattern: row q, column k is True when query q attends to key k (causal: k <= q)."""
    return [
        [k <= q and predicate(key, query) for k, key in enumerate(keys)]
        for q, query in enumerate(queries)
    ]


def select_not(selector):
    return [[k <= q and not s for k, s in enumerate(row)] for q, row in enumerate(selector)]
''',
}

_AGGREGATES = '''
def select_and(a, b):
    return [[x and y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]


def select_or(a, b):
    return [[x or y for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]


def nearest(selector, values, default=None):
    """Each query reads the value at its first selected key in NEAREST_ORDER; with none
    selected, `default`, or else the value at position 0 (BOS)."""
    fallback = values[0] if default is None else default
    return [next((values[k] for k in order if row[k]), fallback)
            for row, order in zip(selector, NEAREST_ORDER[len(values)])]


def summed(selector, values):
    """Each query reads the sum of the values at its selected keys (whole Fractions as ints)."""
    sums = [sum(v for v, s in zip(values, row) if s) for row in selector]
    return [x.numerator if x.denominator == 1 else x for x in sums]


def mean(selector, values, default=0):
    """Each query reads the mean of the values at its selected keys (`default` if none)."""
    out = []
    for row in selector:
        picked = [v for v, s in zip(values, row) if s]
        out.append(exact(Fraction(sum(picked), len(picked))) if picked else default)
    return out


def width(selector):
    """How many keys each query selects."""
    return [sum(row) for row in selector]
'''


def _stmts(source: str) -> list:
    return list(cst.parse_module(source).body)


def _defines(stmt) -> str:
    """The name a top-level runtime statement defines."""
    if isinstance(stmt, cst.FunctionDef):
        return stmt.name.value
    return stmt.body[0].targets[0].target.value


# Runtime helpers each helper needs.
_NEEDS = {"nearest": {"NEAREST_ORDER"}, "mean": {"exact"}, "scaled": {"as_float32"},
          "add_scores": {"as_float32"}}


def _runtime(used: set[str], causal: bool) -> list:
    """The runtime statements the program uses (and what they need), in library order."""
    need = set(used)
    while True:
        more = set().union(*(_NEEDS.get(n, set()) for n in need)) - need
        if not more:
            break
        need |= more
    stmts = [*_stmts(_RUNTIME), *_stmts(_SELECT[causal]), *_stmts(_AGGREGATES)]
    return _blank([st for st in stmts if _defines(st) in need])


# --- the backend --------------------------------------------------------------------------


class _Emitter:
    def __init__(self, program: Program):
        self.p = program
        self.names = _Names()
        self.var: dict[str, str] = {}
        self.defs: list = []  # module-level statements for node functions and tables
        self.body: list = []  # statements of run_all
        self.used = {"encode"}  # runtime helpers the program calls
        self.inline: dict[str, cst.BaseExpression] = {}
        self.users = program.users()
        self.outputs = set(program.output_map.values())

    def values(self, name):
        return self.p[name].type.values

    def live(self) -> list:
        need = {src for _, src in self.p.outputs}
        for node in reversed(self.p.nodes):
            if node.name in need:
                need.update(node.inputs)
        return [n for n in self.p.nodes if n.name in need]

    # tables ----------------------------------------------------------------------------
    def table_literal(self, keys, out, depth: int, room: int) -> cst.BaseExpression:
        """keys -> cst for out(key); dense int keys give a tuple, others a dict."""
        if _dense(keys):
            return _container("tuple", [out(k, depth + 1) for k in keys], depth, room)
        tagged = _collides(keys)
        if tagged:
            self.used.add("tag")
        return _container("dict", [(_table_key(k, tagged), out(k, depth + 1)) for k in keys], depth, room)

    def lookup(self, table: cst.BaseExpression, keys, arg: str) -> cst.BaseExpression:
        key = cst.Name(arg)
        if not _dense(keys) and _collides(keys):
            key = cst.Call(cst.Name("tag"), [cst.Arg(key)])
        return cst.Subscript(table, [cst.SubscriptElement(cst.Index(key))])

    def constant(self, stem: str, value: cst.BaseExpression) -> cst.Name:
        name = self.names.fresh(stem.upper())
        self.defs.append(cst.SimpleStatementLine(
            [cst.Assign([cst.AssignTarget(cst.Name(name))], value)],
            leading_lines=[cst.EmptyLine()],
        ))
        return cst.Name(name)

    def params(self, inputs) -> list[str]:
        out = []
        for i in inputs:
            base = re.sub(r"\W", "_", self.var[i])
            name = base
            while name in out:
                name = base + "_" + str(len(out))
            out.append(name)
        return out

    def function(self, name: str, params: list[str], body: list, doc: str | None = None):
        stmts = [_doc(doc)] if doc else []
        fn = cst.FunctionDef(
            cst.Name(name), cst.Parameters([cst.Param(cst.Name(p)) for p in params]),
            cst.IndentedBlock([*stmts, *body]),
            leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
        )
        self.defs.append(fn)

    # nodes -------------------------------------------------------------------------------
    def assign(self, var: str, expr: cst.BaseExpression):
        self.body.append(cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(var))], expr)]))

    def call(self, fn: str, *args, **kw) -> cst.Call:
        self.used.add(fn)
        return cst.Call(
            cst.Name(fn),
            [cst.Arg(a if isinstance(a, cst.CSTNode) else cst.Name(a)) for a in args]
            + [cst.Arg(v, keyword=cst.Name(k)) for k, v in kw.items()],
        )

    def emit_node(self, node):
        v = self.var[node.name]
        if isinstance(node, Tokens):
            self.assign(v, self.call("encode", "tokens"))
            self.assign("n", self.call("len", v))
        elif isinstance(node, Indices):
            self.assign(v, self.call("list", self.call("range", "n")))
        elif isinstance(node, (Ones, Constant)):
            value = _value(1 if isinstance(node, Ones) else node.value)
            self.assign(v, cst.BinaryOperation(cst.List([cst.Element(value)]), cst.Multiply(), cst.Name("n")))
        elif isinstance(node, (Map, SequenceMap)):
            self.emit_map(node, v)
        elif isinstance(node, Select):
            pattern = self.call("select", self.var[node.keys], self.var[node.queries], self.emit_predicate(node))
            if self.inlined(node.name):
                self.inline[node.name] = pattern
            else:
                self.assign(v, pattern)
        elif isinstance(node, (SelectAnd, SelectOr)):
            fn = "select_and" if isinstance(node, SelectAnd) else "select_or"
            self.assign(v, self.call(fn, self.ref(node.a), self.ref(node.b)))
        elif isinstance(node, SelectNot):
            self.assign(v, self.call("select_not", self.ref(node.a)))
        elif isinstance(node, SelectorWidth):
            self.assign(v, self.call("width", self.ref(node.selector)))
        elif isinstance(node, Aggregate):
            args = (self.ref(node.selector), self.var[node.values])
            kw = {} if node.default is None else {"default": _value(node.default)}
            fn = {"nearest": "nearest", "sum": "summed", "mean": "mean"}[node.reduce]
            self.assign(v, self.call(fn, *args, **kw))
        elif isinstance(node, Readout):
            self.emit_readout(node, v)
        else:
            raise NotImplementedError(type(node).__name__)

    def inlined(self, name: str) -> bool:
        """A selector named after the one node that reads it (as lifted heads' are) is written
        where it is read; others keep their own line and name."""
        readers = self.users[name]
        return len(readers) == 1 and name not in self.outputs and name.startswith(readers[0])

    def ref(self, name: str) -> cst.BaseExpression:
        """How code reads node `name`: its variable, or its expression when written inline."""
        return self.inline.get(name) or cst.Name(self.var[name])

    def per_position(self, v: str, fn: str, inputs):
        """v = list(map(fn, input, ...)): fn at every position ([fn()] * n when it reads nothing)."""
        if not inputs:
            self.assign(v, cst.BinaryOperation(cst.List([cst.Element(self.call(fn))]), cst.Multiply(), cst.Name("n")))
            return
        self.assign(v, self.call("list", self.call("map", fn, *[self.var[i] for i in inputs])))

    def emit_map(self, node, v):
        is_seq = isinstance(node, SequenceMap)
        inputs = node.inputs
        params = self.params(inputs)
        fn = self.names.fresh(f"{'sequence_map' if is_seq else 'map'}_{node.name}" if not node.name.startswith(("map", "sequence_map")) else f"{node.name}_fn")
        xs = self.values(node.x)
        if is_seq:
            ys = self.values(node.y)
            outs = {(sort_key(x), sort_key(y)): node.table[(x, y)] for x in xs for y in ys}
        else:
            outs = {sort_key(x): node.table[x] for x in xs}
        distinct = {sort_key(o): o for o in outs.values()}
        if len(distinct) <= 1:
            const = next(iter(distinct.values())) if distinct else None
            what = "every input" if len(distinct) == 1 else "no input (it never runs)"
            self.function(fn, params, [cst.SimpleStatementLine([cst.Return(_value(const))])], f"The same value for {what}.")
        elif not is_seq:
            name = fn.upper()
            table = self.table_literal(xs, lambda x, d: _value(node.table[x]), 0, WIDTH - len(name) - 3)
            t = self.constant(name, table)
            ret = cst.Return(self.lookup(t, xs, params[0]))
            self.function(fn, params, [cst.SimpleStatementLine([ret])])
        else:
            name = fn.upper()
            table = self.table_literal(
                xs, lambda x, d: self.table_literal(ys, lambda y, _: _value(node.table[(x, y)]), d, WIDTH - 4 * d - len(repr(x)) - 3),
                0, WIDTH - len(name) - 3,
            )
            t = self.constant(name, table)
            ret = cst.Return(self.lookup(self.lookup(t, xs, params[0]), ys, params[1]))
            self.function(fn, params, [cst.SimpleStatementLine([ret])])
        self.per_position(v, fn, inputs)

    def emit_predicate(self, node: Select) -> str:
        qs, ks = self.values(node.queries), self.values(node.keys)
        fn = self.names.fresh(f"predicate_{node.name}")
        # The interpreter's relation, over the values that can occur.
        selects = {(sort_key(q), sort_key(k)): (q, k) in node.predicate for q in qs for k in ks}
        body = self.comparison_body(node.predicate.op, qs, ks, selects)
        if body is not None:
            self.function(fn, ["key", "query"], body)
            return fn
        picked_by = [frozenset(sort_key(k) for k in ks if selects[(sort_key(q), sort_key(k))]) for q in qs]
        if qs and len(set(picked_by)) == 1:
            # Every query selects the same keys: the predicate only looks at the key.
            keys = [k for k in ks if sort_key(k) in picked_by[0]]
            if len(keys) == 1:
                expr = cst.Comparison(cst.Name("key"), [cst.ComparisonTarget(cst.Equal(), _value(keys[0]))])
            else:
                expr = cst.Comparison(cst.Name("key"), [cst.ComparisonTarget(cst.In(), _container("set", _dedup(keys), 1, WIDTH - 24))])
            self.function(fn, ["key", "query"], [cst.SimpleStatementLine([cst.Return(expr)])])
            return fn
        # A table: query value -> the key values it selects.
        matches = {}
        for q in qs:
            picked = [k for k in ks if selects[(sort_key(q), sort_key(k))]]
            if picked and not any(q == other for other in matches):
                matches[q] = picked
        rows = [(_value(q), _container("set", _dedup(ks_), 1, WIDTH - 12)) for q, ks_ in matches.items()]
        name = fn.upper()
        table = self.constant(name, _container("dict", rows, 0, WIDTH - len(name) - 3))  # query -> keys
        ret = parse_template_statement("return key in {t}.get(query, ())", t=table)
        self.function(fn, ["key", "query"], [ret])
        return fn

    def comparison_body(self, op, qs, ks, selects) -> list | None:
        """The body `return key OP query` (with the None rule when None can occur), if it is exact."""
        if op is None:
            return None
        nones = None in qs or None in ks
        raises = False
        for q in qs:
            for k in ks:
                if (q is None or k is None) and nones:
                    got = k is None and q is None
                else:
                    try:
                        got = bool(COMPARISONS[op](k, q))
                    except TypeError:
                        raises, got = True, False
                if got != selects[(sort_key(q), sort_key(k))]:
                    return None
        body = []
        if nones:
            body.append(parse_template_statement("if key is None or query is None:\n    return key is None and query is None\n"))
        if op in ("true", "false"):
            body.append(cst.SimpleStatementLine([cst.Return(cst.Name("True" if op == "true" else "False"))]))
            return body
        expr = parse_template_expression(f"key {op} query")
        ret = cst.SimpleStatementLine([cst.Return(expr)])
        if raises:
            body.append(cst.Try(
                cst.IndentedBlock([ret]),
                handlers=[cst.ExceptHandler(
                    cst.IndentedBlock([cst.SimpleStatementLine([cst.Return(cst.Name("False"))])]),
                    type=cst.Name("TypeError"),
                    leading_lines=[],
                )],
                leading_lines=[cst.EmptyLine(comment=cst.Comment("# values of different kinds never compare"))],
            ))
        else:
            body.append(ret)
        return body

    def emit_readout(self, node: Readout, v: str):
        fn = self.names.fresh(f"readout_{node.name}" if not node.name.startswith("readout") else f"{node.name}_fn")
        params = self.params(node.terms)
        stem = fn.upper()

        def scores_constant(name, floats, container):
            """A module constant of float32 scores, each printed as its shortest exact decimal."""
            self.used.add("float32")
            return self.constant(name, cst.Call(cst.Name("float32"), [cst.Arg(container(_float32_literal))]))

        classes = _container("tuple", [_value(c) for c in node.classes], 1, WIDTH - 30)
        bias = scores_constant(
            f"{stem}_BIAS", node.bias,
            lambda score: _container("tuple", [score(b) for b in node.bias], 0, WIDTH - len(stem) - 17),
        )
        rows = []
        for term, table, param in zip(node.terms, node.scores, params):
            vals = self.values(term)
            w = linear_weights(vals, table)
            if w is not None:  # a numerical term: value * weight, as the model scores it
                weights = scores_constant(
                    f"{stem}_{param}_WEIGHTS", w,
                    lambda score, w=w: _container("tuple", [score(x) for x in w], 0, WIDTH - len(stem) - len(param) - 22),
                )
                rows.append(self.call("scaled", param, weights))
            else:
                lit = scores_constant(f"{stem}_{param}", None, lambda score, vals=vals, table=table: self.table_literal(
                    vals, lambda x, d: _container("tuple", [score(s) for s in table[x]], d, WIDTH - 4 * d - len(repr(x)) - 3),
                    0, WIDTH - len(stem) - len(param) - 14,
                ))
                rows.append(self.lookup(lit, vals, param))
        body = [parse_template_statement("scores = {b}", b=bias)]
        if rows:
            self.used.add("add_scores")
            loop = cst.Tuple([cst.Element(r) for r in rows])
            body.append(cst.For(
                target=cst.Name("row"), iter=loop,
                body=cst.IndentedBlock([parse_template_statement("scores = add_scores(scores, row)")]),
            ))
        body.append(parse_template_statement("return {c}[scores.index(max(scores))]", c=classes))
        self.function(fn, params, body, "Add the class scores in float32, bias first, then each term in "
                                        "order; the first best class wins.")
        self.per_position(v, fn, node.terms)

    # module ------------------------------------------------------------------------------
    def imports(self) -> list:
        code = "".join(_code(d) for d in self.defs) + "".join(_code(b) for b in self.body)
        stmts = []
        if "Fraction" in code or "mean" in self.used:
            stmts.append(cst.SimpleStatementLine(
                [cst.ImportFrom(cst.Name("fractions"), [cst.ImportAlias(cst.Name("Fraction"))])]))
        if self.used & {"float32", "as_float32", "scaled", "add_scores"}:
            stmts.append(cst.SimpleStatementLine([cst.Import([cst.ImportAlias(cst.Name("struct"))])]))
        if stmts:
            stmts[0] = stmts[0].with_changes(leading_lines=[cst.EmptyLine()])
        return stmts

    def module(self) -> cst.Module:
        p, dom = self.p, self.p.domain
        live = self.live()
        for node in live:
            if isinstance(node, Tokens):
                self.var[node.name] = "tokens"
            else:
                self.var[node.name] = self.names.fresh(node.name)
        if not any(isinstance(n, Tokens) for n in live):
            self.body.append(parse_template_statement("n = len(encode(tokens))"))
        for node in sorted(live, key=lambda n: not isinstance(n, Tokens)):
            self.emit_node(node)
        start = "[1:]" if dom.implicit_bos else ""
        result = cst.Dict([
            cst.DictElement(_value(out), parse_template_expression(f"{{v}}{start}", v=cst.Name(self.var[src])))
            for out, src in p.outputs
        ])
        self.body.append(cst.SimpleStatementLine([cst.Return(result)]))

        outs = [o for o, _ in p.outputs]
        main = "output" if "output" in outs else outs[0]
        removed = len(p.nodes) - len(live)
        header = _header(p, main, removed)
        consts = [
            ("VOCAB", _container("tuple", [_value(v) for v in dom.vocab], 0, WIDTH - 8)),
            ("BOS", _value(dom.bos)),
            ("MAX_LEN", _value(dom.max_len)),
            ("N_POSITIONS", _value(dom.n_positions)),
            ("CAUSAL", _value(dom.causal)),
            ("IMPLICIT_BOS", _value(dom.implicit_bos)),
            ("OUTPUTS", _container("tuple", [_value(o) for o in outs], 0, WIDTH - 10)),
            ("MAIN_OUTPUT", _value(main)),
        ]
        const_stmts = [cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(k))], v)]) for k, v in consts]
        const_stmts.append(parse_template_statement("TOKENS = frozenset((BOS, *VOCAB))"))
        const_stmts[0] = const_stmts[0].with_changes(leading_lines=[cst.EmptyLine()])

        run_all = cst.FunctionDef(
            cst.Name("run_all"), cst.Parameters([cst.Param(cst.Name("tokens"))]),
            cst.IndentedBlock([_doc(f'Every output by name: one value per {"token" if dom.implicit_bos else "position"} passed.'), *self.body]),
            leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
        )
        run = _blank(_stmts(
            f'\n\ndef run(tokens):\n    """The main output ({main!r}): one value per '
            f'{"token (BOS is added and hidden)" if dom.implicit_bos else "position (BOS first)"}."""\n'
            "    return run_all(tokens)[MAIN_OUTPUT]\n"
        ))
        body = [
            _doc(header),
            *self.imports(),
            *const_stmts,
            *_runtime(self.used, dom.causal),
            *self.defs,
            run_all,
            *run,
        ]
        return cst.Module(_pep8_spacing(body))


def _float32_literal(x: float) -> cst.BaseExpression:
    """The shortest decimal that rounds to the float32 value `x` (exactly `x` once rounded)."""
    if x != x or x in (float("inf"), float("-inf")):
        return _value(x)
    for digits in range(1, 10):
        text = f"{abs(x):.{digits}g}"
        if f32(text) == abs(x):
            break
    lit = cst.Float(text if any(c in text for c in ".e") else text + ".0")
    return cst.UnaryOperation(cst.Minus(), lit) if str(x).startswith("-") else lit


def _pep8_spacing(body: list) -> list:
    """Two blank lines around top-level functions, one before other statements after the first
    definition; comments attached to a statement stay with it."""
    out = []
    for i, stmt in enumerate(body):
        prev = body[i - 1] if i else None
        if isinstance(stmt, cst.FunctionDef) or isinstance(prev, cst.FunctionDef):
            blank = 2
        else:
            blank = min(1, sum(1 for line in stmt.leading_lines if line.comment is None))
        comments = [line for line in stmt.leading_lines if line.comment is not None]
        out.append(stmt.with_changes(leading_lines=[cst.EmptyLine()] * blank + comments) if i else stmt)
    return out


def _dedup(values) -> list:
    out = []
    for v in values:
        if not any(v == o for o in out):
            out.append(v)
    return [_value(v) for v in out]


def _doc(text: str) -> cst.SimpleStatementLine:
    """A docstring statement."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return cst.SimpleStatementLine([cst.Expr(cst.SimpleString(f'"""{text}"""'))])


def _blank(stmts: list) -> list:
    """Two blank lines before the first statement of a block of definitions."""
    if stmts:
        stmts[0] = stmts[0].with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])
    return stmts


def _header(p: Program, main: str, removed: int) -> str:
    dom = p.domain
    meta = dict(p.meta)
    title = meta.pop("name", None) or meta.get("source") or meta.get("checkpoint") or "program"
    lines = [f"{title}: generated by tpc (the Transformer Program Compiler).", ""]
    meta = {k: v for k, v in meta.items() if not (k == "task" and v == title)}  # said in the title
    lines += [f"{k}: {v}" for k, v in sorted(meta.items())] + [""] * bool(meta)
    vocab = " ".join(show(v) if not isinstance(v, str) else v for v in dom.vocab)
    bos = "BOS is added and hidden" if dom.implicit_bos else f"BOS {dom.bos!r} first"
    lines += [
        f"Input: {bos}, then at most {dom.n_positions - 1} of: {vocab} ("
        + ("causal" if dom.causal else "bidirectional") + " attention).",
        f"run(tokens): the {main!r} output, one value per {'token' if dom.implicit_bos else 'position'}; "
        "run_all(tokens): every output by name.",
        "Standard library only; bad input raises ValueError.",
    ]
    if removed:
        lines.append(f"({removed} node{'s' if removed != 1 else ''} that no output reads are omitted.)")
    return "\n".join(lines) + "\n"


def to_python(program: Program) -> str:
    """Python module source for `program` (see the module docstring for its interface)."""
    return _Emitter(program).module().code


def load_module(source: str, name: str = "emitted") -> types.ModuleType:
    """Run emitted `source` as a fresh module named `name` (no file, no sys.modules entry)."""
    module = types.ModuleType(name)
    exec(compile(source, f"{name}.py", "exec"), module.__dict__)
    return module


__all__ = ["to_python", "load_module"]
