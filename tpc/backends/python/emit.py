"""Emission: one visit method per node class writes the node's line in `run_all` (and its
named function or table at module level, see maps.py, predicates.py and readouts.py)."""

from __future__ import annotations

import builtins
import keyword
import re

import libcst as cst
from libcst.helpers import parse_template_statement

from tpc.backends.python.embedding import embedding_function
from tpc.backends.python.layout import (
    WIDTH,
    assign,
    code,
    collides,
    container,
    dense,
    doc,
    hanging_call,
    hanging_parameters,
    keyword_arg,
    table_key,
    value,
)
from tpc.backends.python.maps import map_function
from tpc.backends.python.predicates import predicate_function
from tpc.backends.python.prelude import NAMES
from tpc.backends.python.readouts import readout_function
from tpc.ir import FreshNames, Program, Tokens, Visitor
from tpc.ir.names import lifted_name

# Names of the emitted module's own functions, and of run_all's and readouts' local variables.
# run_all's sequence length is `n_pos` (positions, BOS included), not `n`: programs name things `n`.
_SCAFFOLD = ("run", "run_all", "tokens", "n_pos", "row", "scores")


def python_names(reserved=()) -> FreshNames:
    """Fresh Python identifiers, never a runtime, builtin, keyword or `reserved` name."""
    taken = (
        set(NAMES)
        | set(reserved)
        | set(_SCAFFOLD)
        | set(dir(builtins))
        | set(keyword.kwlist)
        | set(keyword.softkwlist)
    )
    return FreshNames(taken, digit_prefix="v_")


class Emitter(Visitor):
    """Statements for the live nodes of a program: `body` (run_all's) and `defs` (module level)."""

    def __init__(self, program: Program, reserved=()):
        self.p = program
        self.names = python_names(reserved)
        self.var: dict[str, str] = {}
        self.defs: list = []  # module-level statements for node functions and tables
        self.defined: dict[str, str] = {}  # a function's code (named f) -> its name
        self.data: list = []  # the module's last statements: word embedding tables (embedding.py)
        self.encode = "encode_words" if program.domain.unk is not None else "encode"
        self.body: list = []  # statements of run_all
        self.inline: dict[str, cst.BaseExpression] = {}
        self.users = program.users()
        self.outputs = set(program.output_map.values())
        self.origin = program.origin_map

    def values(self, name):
        return self.p[name].type.values

    # module-level definitions ------------------------------------------------------------
    def table_literal(self, keys, out, depth: int, room: int) -> cst.BaseExpression:
        """keys -> cst for out(key); dense int keys give a tuple, others a dict."""
        if dense(keys):
            return container("tuple", [out(k, depth + 1) for k in keys], depth, room)
        tagged = collides(keys)
        return container(
            "dict", [(table_key(k, tagged), out(k, depth + 1)) for k in keys], depth, room
        )

    def lookup(self, table: cst.BaseExpression, keys, arg: str) -> cst.BaseExpression:
        key = cst.Name(arg)
        if not dense(keys) and collides(keys):
            key = cst.Call(cst.Name("tag"), [cst.Arg(key)])
        return cst.Subscript(table, [cst.SubscriptElement(cst.Index(key))])

    def constant(self, stem: str, expr: cst.BaseExpression) -> cst.Name:
        name = self.names.fresh(stem.upper())
        self.defs.append(assign(name, expr, leading_lines=[cst.EmptyLine()]))
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

    def function(
        self, name: str, params: list[str], body: list, docstring: str | None = None
    ) -> str:
        """Define function `name`; returns the name to call, which is an earlier function's
        when that one has the same parameters and body (one `key == query` for many heads)."""
        stmts = [doc(docstring)] if docstring else []
        signature = hanging_parameters(name, params)
        parameters = signature["params"]
        block = cst.IndentedBlock([*stmts, *body])
        if not stmts and len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine):
            short = cst.SimpleStatementSuite(body[0].body)
            if len(code(cst.FunctionDef(cst.Name(name), parameters, short))) <= WIDTH:
                block = short
        same = cst.Module([cst.FunctionDef(cst.Name("f"), parameters, block)]).code
        if same in self.defined:
            return self.defined[same]
        self.defined[same] = name
        self.defs.append(
            cst.FunctionDef(
                cst.Name(name),
                body=block,
                leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
                **signature,
            )
        )
        return name

    # run_all's lines ---------------------------------------------------------------------
    def emit(self, live) -> None:
        """Name every live node, then write its line (tokens first: it computes n_pos)."""
        for node in live:
            self.var[node.name] = (
                "tokens" if isinstance(node, Tokens) else self.names.fresh(node.name)
            )
        if not any(isinstance(n, Tokens) for n in live):
            self.body.append(parse_template_statement(f"n_pos = len({self.encode}(tokens))"))
        for node in sorted(live, key=lambda n: not isinstance(n, Tokens)):
            self.visit(node, self.var[node.name])

    def assign(self, var: str, expr: cst.BaseExpression):
        self.body.append(assign(var, expr))

    def call(self, fn: str, *args, **kw) -> cst.Call:
        return cst.Call(
            cst.Name(fn),
            [cst.Arg(a if isinstance(a, cst.CSTNode) else cst.Name(a)) for a in args]
            + [keyword_arg(k, v) for k, v in kw.items()],
        )

    def per_position(self, v: str, fn: str, inputs):
        """v = list(map(fn, input, ...)): fn at every position ([fn()] * n_pos if it reads
        nothing)."""
        if not inputs:
            self.fill(v, self.call(fn))
            return
        args = [cst.Arg(cst.Name(a)) for a in (fn, *[self.var[i] for i in inputs])]
        self.assign(
            v, self.call("list", hanging_call(cst.Name("map"), args, len(f"    {v} = list("), 4))
        )

    def fill(self, v: str, expr: cst.BaseExpression):
        """v = [expr] * n_pos."""
        self.assign(
            v, cst.BinaryOperation(cst.List([cst.Element(expr)]), cst.Multiply(), cst.Name("n_pos"))
        )

    def inlined(self, name: str) -> bool:
        """A selector lifted from the same model module as its one reader (a head's Select and
        Aggregate) is written where it is read; others keep their own line and name."""
        readers = self.users[name]
        module = self.origin.get(name)
        return (
            len(readers) == 1
            and name not in self.outputs
            and module is not None
            and self.origin.get(readers[0]) == module
        )

    def ref(self, name: str) -> cst.BaseExpression:
        """How code reads node `name`: its variable, or its expression when written inline."""
        return self.inline.get(name) or cst.Name(self.var[name])

    # one method per node class -------------------------------------------------------------
    def visit_Tokens(self, node, v):
        self.assign(v, self.call(self.encode, "tokens"))
        self.assign("n_pos", self.call("len", v))

    def visit_Indices(self, node, v):
        self.assign(v, self.call("list", self.call("range", "n_pos")))

    def visit_Ones(self, node, v):
        self.fill(v, value(1))

    def visit_Constant(self, node, v):
        self.fill(v, value(node.value))

    def visit_Map(self, node, v):
        embedding = self.origin.get(node.name, "").startswith("embed.") and isinstance(
            self.p[node.x], Tokens
        )
        self.per_position(
            v, (embedding_function if embedding else map_function)(self, node), node.inputs
        )

    def visit_SequenceMap(self, node, v):
        self.per_position(v, map_function(self, node), node.inputs)

    def visit_Select(self, node, v):
        names = (self.var[node.keys], self.var[node.queries], predicate_function(self, node))
        args = [cst.Arg(cst.Name(a)) for a in names]
        if self.inlined(node.name):
            self.inline[node.name] = cst.Call(cst.Name("select"), args)
        else:
            self.assign(v, hanging_call(cst.Name("select"), args, len(f"    {v} = "), 4))

    def visit_SelectAnd(self, node, v):
        self.assign(v, self.call("select_and", self.ref(node.a), self.ref(node.b)))

    def visit_SelectOr(self, node, v):
        self.assign(v, self.call("select_or", self.ref(node.a), self.ref(node.b)))

    def visit_SelectNot(self, node, v):
        self.assign(v, self.call("select_not", self.ref(node.a)))

    def visit_SelectorWidth(self, node, v):
        self.assign(v, self.call("width", self.ref(node.selector)))

    def visit_Aggregate(self, node, v):
        kw = {} if node.default is None else {"default": value(node.default)}
        fn = {"nearest": "nearest", "sum": "summed", "mean": "mean"}[node.reduce]
        args = [
            cst.Arg(self.ref(node.selector)),
            cst.Arg(cst.Name(self.var[node.values])),
            *[keyword_arg(k, x) for k, x in kw.items()],
        ]
        module = self.origin.get(node.name)
        comment = (
            f"# {module}" if module is not None and not v.startswith(lifted_name(module)) else None
        )
        self.assign(
            v, hanging_call(cst.Name(fn), args, len(f"    {v} = ") + len(f"  {comment or ''}"), 4)
        )
        if comment:  # named for what it does: the module it was lifted from beside it
            self.body[-1] = self.body[-1].with_changes(
                trailing_whitespace=cst.TrailingWhitespace(
                    whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(comment)
                )
            )

    def visit_Readout(self, node, v):
        fn = readout_function(self, node)
        if not node.pooled:
            self.per_position(v, fn, node.terms)
            return
        classes = self.constant(
            f"{fn}_classes", container("tuple", [value(c) for c in node.classes], 0, 70)
        )
        scores = (
            self.call("list", self.call("map", fn, *[self.var[i] for i in node.terms]))
            if node.terms
            else cst.BinaryOperation(
                cst.List([cst.Element(self.call(fn))]), cst.Multiply(), cst.Name("n_pos")
            )
        )
        self.assign(v, self.call("pooled_class", scores, classes))
