"""Translating a parsed RASP program into IR: statements bind names in scopes (the globals,
and one scope per inlined call of a `def`), expressions become values (tpc.frontend.values;
operators in tpc.frontend.operators), and the outputs are chosen. Each tree rule is translated
by the function its name maps to in `STATEMENTS` or `EXPRESSIONS`."""

from __future__ import annotations

from typing import Any

import lark

from tpc.errors import TpcError
from tpc.frontend import compile_time, extensions, library, loading, operators
from tpc.frontend.builtins import BUILTIN_SOPS, BUILTINS
from tpc.frontend.context import Context
from tpc.frontend.fusion import as_expr, materialize, plain
from tpc.frontend.values import (
    ConstList,
    Expr,
    Func,
    Multi,
    Sel,
    const,
    number_literal,
    string_value,
)
from tpc.ir import IRError, Program, normalize

MAX_CALL_DEPTH = 64  # functions are inlined, so recursion would not end


class Translator:
    """Translates one program's tree; `env` arguments are the scope a tree is read in."""

    def __init__(self, cx: Context):
        self.cx = cx
        self.globals: dict[str, Any] = {}
        self.outputs: dict[str, str] = {}
        self.last_assign: tuple | None = None  # (name, token) of the last top-level s-op
        self._depth = 0
        # the names being assigned, outermost first: they qualify a called function's local names
        self.targets: list[str] = []
        self.loading = loading.outermost(cx.filename)  # the files being read, to refuse load cycles

    def run(self, tree: lark.Tree) -> Program:
        cx = self.cx
        for name, node in self.translate(tree).items():
            cx.builder.output(name, node)
        try:
            return cx.builder.build(source=cx.filename)
        except IRError as err:
            raise TpcError.at(cx.filename, cx.source, 1, 1, f"invalid program: {err}") from None

    def translate(self, tree: lark.Tree) -> dict[str, str]:
        """Build the program's nodes; its outputs (output name -> node)."""
        cx = self.cx
        self.top_level(tree, self.globals)
        if not self.outputs:
            if self.last_assign is None:
                raise TpcError.at(
                    cx.filename,
                    cx.source,
                    1,
                    1,
                    "the program has no output: assign an s-op or declare 'output NAME;'",
                )
            name, where = self.last_assign
            self.add_output(name, self.globals[name], where)
        return self.outputs

    def top_level(self, tree: lark.Tree, env: dict) -> None:
        """Run a file's statements, up to an `exit` (RASP's REPL stops reading the file there)."""
        for stmt in tree.children:
            if stmt.data == "exit_stmt":
                return
            self.statement(stmt, env, top=True)

    def add_output(self, label: str, value, where) -> None:
        if isinstance(value, Sel):
            raise self.cx.error(where, "an output must be an s-op, not a selector")
        if isinstance(value, Func):
            raise self.cx.error(where, "an output must be an s-op, not a function")
        if label in self.outputs:
            raise self.cx.error(where, f"output '{label}' is declared twice")
        e = as_expr(self.cx, value, where)
        s = materialize(self.cx, e, where, hint=label if e.hint is None else None)
        if s.dec is not None:  # present RASP values (tokens "<s>" -> None, indices - 1)
            s = plain(self.cx, s, where, hint=label)
        self.outputs[label] = s.node

    # --- scopes ----------------------------------------------------------------------------------

    def lookup(self, tok, env):
        name = str(tok)
        if name in env:
            return env[name]
        if env is not self.globals and name in self.globals:
            return self.globals[name]
        if name in BUILTIN_SOPS:
            return BUILTIN_SOPS[name](self.cx, tok)
        if name in library.TOKEN_VIEWS:
            return library.TOKEN_VIEWS[name](self.cx, tok)
        if name in library.VALUES:
            key = ("library", name)
            if key not in self.cx.cache:
                self.cx.cache[key] = self.inline(
                    library.functions()[library.VALUES[name]], [], tok, {}
                )
            return self.cx.cache[key]
        if name in BUILTINS or name in ("select", "map") or name in library.functions():
            raise self.cx.error(tok, f"built-in function '{name}' used as a value; call it")
        raise self.cx.error(tok, f"unknown name '{name}'")

    def binding(self, name: str, env):
        """What `name` is bound to in `env` or the globals, else None."""
        return env.get(name, self.globals.get(name))

    # --- statements ------------------------------------------------------------------------------

    def statement(self, stmt: lark.Tree, env: dict, top: bool = False) -> None:
        method = STATEMENTS.get(stmt.data)
        if method is None:  # pragma: no cover
            raise self.cx.error(stmt, f"unsupported statement {stmt.data}")
        method(self, stmt, env, top)

    def assign(self, stmt, env, top):
        name, expr = stmt.children
        self.targets.append(str(name))
        try:
            value = self.expr(expr, env)
        finally:
            self.targets.pop()
        if isinstance(value, Expr) and value.hint is None and value.base is None:
            value.hint = str(name)
        # A local name taken by another call of the same function is qualified by the names
        # the callers assign (`closes_prevs`, then `balance_2_closes_prevs`).
        self.cx.rename_last(value, str(name), [] if top else self.targets)
        env[str(name)] = value
        if top and not isinstance(value, (Sel, Func)):
            self.last_assign = (str(name), name)

    def funcdef(self, stmt, env, top):
        name, params, *body, ret = stmt.children
        origin = (self.cx.filename, self.cx.source)
        env[str(name)] = Func(
            str(name), [str(p) for p in (params.children if params else [])], body, ret, origin
        )

    def output(self, stmt, env, top):
        label, expr = stmt.children
        text = str(label)
        if label.type == "STRING":
            text = string_value(label)
        if expr is None:
            if label.type == "STRING":
                raise self.cx.error(label, "'output \"name\";' needs '= expression'")
            value = self.lookup(label, env)
        else:
            value = self.expr(expr, env)
            self.cx.rename_last(value, text)
            if label.type == "NAME":
                env[text] = value
        if not top:  # pragma: no cover - grammar allows outputs only at top level
            raise self.cx.error(stmt, "outputs are declared at the top level")
        self.add_output(text, value, label)

    def expr_stmt(self, stmt, env, top):
        self.expr(stmt.children[0], env)

    # --- expressions -----------------------------------------------------------------------------

    def expr(self, t, env):
        if isinstance(t, lark.Token):  # pragma: no cover - every token is wrapped by a rule
            raise self.cx.error(t, "unexpected token")
        method = EXPRESSIONS.get(t.data)
        if method is None:  # pragma: no cover
            raise self.cx.error(t, f"unsupported construct: {t.data}")
        return method(self, t, env)

    def operand(self, t, env, op: str) -> Expr:
        return self.as_operand(self.expr(t, env), t, op)

    def as_operand(self, v, t, op: str) -> Expr:
        if isinstance(v, Sel):
            raise self.cx.error(t, f"a selector cannot be an operand of '{op}'; it needs s-ops")
        return as_expr(self.cx, v, t)

    def const_arg(self, node, env, what):
        v = self.expr(node, env)
        if not isinstance(v, Expr) or not v.is_const:
            raise self.cx.error(node, f"{what} must be a constant")
        return v.const()

    def var(self, t, env):
        return self.lookup(t.children[0], env)

    def number(self, t, env):
        try:
            return const(normalize(number_literal(str(t.children[0]))))
        except ValueError as e:
            raise self.cx.error(t, str(e)) from None

    def string(self, t, env):
        return const(string_value(t.children[0]))

    def list_literal(self, t, env):
        return ConstList(
            [compile_time.element(self.expr(c, env)) for c in t.children if c is not None]
        )

    # --- calls -----------------------------------------------------------------------------------

    def call(self, t, env):
        name_tok, *raw = t.children
        name = str(name_tok)
        args, kwargs = [], {}
        raw = [r for r in raw if r is not None]
        for r in raw:
            if isinstance(r, lark.Tree) and r.data == "kwarg":
                k, v = r.children
                if str(k) in kwargs:
                    raise self.cx.error(k, f"argument '{k}' given twice")
                kwargs[str(k)] = (v, k)
            else:
                if kwargs:
                    raise self.cx.error(r, "a positional argument after a keyword argument")
                args.append(r)
        target = self.binding(name, env)
        if isinstance(target, Func):
            if kwargs:
                k = next(iter(kwargs.values()))[1]
                raise self.cx.error(k, f"'{name}' takes no keyword arguments")
            return self.inline(target, args, t, env)
        if target is not None:
            raise self.cx.error(name_tok, f"'{name}' is not a function")
        if target is None and name in library.functions() and name not in library.VALUES:
            target = library.functions()[name]
            if kwargs:
                k = next(iter(kwargs.values()))[1]
                raise self.cx.error(k, f"'{name}' takes no keyword arguments")
            return self.inline(target, args, t, env)
        builtin = BUILTINS.get(name)
        if builtin is None:
            if name in BUILTIN_SOPS:
                raise self.cx.error(name_tok, f"'{name}' is not a function")
            raise self.cx.error(name_tok, f"unknown function '{name}'")
        return builtin(self, t, args, kwargs, env)

    def inline(self, f: Func, args, t, env):
        """The value of `f`'s body run in a new scope binding its parameters to `args`."""
        if len(args) != len(f.params):
            raise self.cx.error(
                t,
                f"{f.name}() takes {len(f.params)} "
                f"argument{'s' if len(f.params) != 1 else ''}, got {len(args)}",
            )
        return self.apply(f, [self.expr(a, env) for a in args], t)

    def apply(self, f: Func, values: list, t):
        """The value of `f`'s body run in a new scope binding its parameters to `values`."""
        if self._depth > MAX_CALL_DEPTH:
            raise self.cx.error(t, f"recursion too deep in '{f.name}' (functions are inlined)")
        local = dict(zip(f.params, values))
        self._depth += 1
        try:
            with self.cx.reading(*(f.origin or (self.cx.filename, self.cx.source))):
                for stmt in f.body:
                    self.statement(stmt, local)
                values = [self.expr(r, local) for r in f.ret.children]
            return values[0] if len(values) == 1 else Multi(values)
        finally:
            self._depth -= 1


STATEMENTS = {
    "assign": Translator.assign,
    "funcdef": Translator.funcdef,
    "output": Translator.output,
    "expr_stmt": Translator.expr_stmt,
    "for_loop": compile_time.for_loop,
    "multi_assign": compile_time.multi_assign,
    "repl_stmt": lambda tr, stmt, env, top: None,
    "load_stmt": loading.load,
}

EXPRESSIONS = {
    "var": Translator.var,
    "number": Translator.number,
    "string": Translator.string,
    "true": lambda tr, t, env: const(True),
    "false": lambda tr, t, env: const(False),
    "none": lambda tr, t, env: const(None),
    "list": Translator.list_literal,
    "index": compile_time.index,
    "dict_expr": compile_time.dict_literal,
    "listcomp": compile_time.list_comprehension,
    "dictcomp": compile_time.dict_comprehension,
    "binop": operators.binop,
    "comparison": operators.binop,
    "pow": operators.power,
    "unary": operators.unary,
    "and_": operators.and_,
    "or_": operators.or_,
    "not_": operators.not_,
    "in_": operators.in_,
    "cond": operators.cond,
    "call": Translator.call,
    "select": extensions.select,
    "tablemap": extensions.tablemap,
    "readout": extensions.readout,
}
