"""RASP source -> IR Program.

The compiler walks the lark tree with an environment of values:

- `Expr`: an element-wise expression not yet turned into IR nodes: a Python function of the
  RASP values of at most two s-ops (`args`). Operators compose these functions, so a chain
  like `(indices + 1) % length` becomes a single SequenceMap table. Materializing an Expr
  tabulates it over its inputs' finite value sets (a Map, a SequenceMap, or for constants a
  Map over tokens).
- `SOp`: an IR node plus `dec`, the decoding of its IR values into RASP values (tokens: "<s>"
  -> None; indices: i -> i - 1 with BOS -> None), its kind, and two facts used to keep BOS
  out of RASP's view: `bos_none` (its RASP value at BOS is None) and `real_none` (it can be
  None at a real position).
- `Sel`: a selector node; `bos_row_only` says that the BOS query selects nothing but BOS.
- `Func`: a `def`, inlined at each call.

In "model" mode (`#!tpc model`) there is no decoding and no BOS bookkeeping: the program
means exactly its IR (used to print lifted programs; see tpc.backends.rasp).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Callable

import lark
from attrs import define, field

from ..errors import TpcError
from ..ir import Builder, Domain, IRError, Predicate, Program, Table, compare, is_number, normalize, show
from .parser import parse
from .pragmas import read_pragmas

BUILTIN_FUNCTIONS = (
    "aggregate", "selector_width", "indicator", "round", "numerical", "categorical", "constant",
)


class _Unsupported(Exception):
    pass


# --- values -------------------------------------------------------------------------------


@define(eq=False)
class SOp:
    node: str
    kind: str
    dec: Callable | None = None  # IR value -> RASP value; None = identity
    bos_none: bool = False
    real_none: bool = False

    def decode(self, v):
        return v if self.dec is None else self.dec(v)


@define(eq=False)
class Expr:
    """An element-wise function of the RASP values of `args` (at most two s-ops)."""

    args: tuple
    fn: Callable
    kind: str = "categorical"
    base: SOp | None = None  # set when the Expr is just `base`
    hint: str | None = None
    table_strict: bool = True  # model-mode table maps see None inputs
    where: Any = None  # the source of the expression, for errors found when tabulating
    done: dict = field(factory=dict)  # kind -> materialized SOp

    @property
    def is_const(self) -> bool:
        return not self.args

    def const(self):
        return self.fn()


@define(eq=False)
class Sel:
    node: str
    bos_row_only: bool = False


@define(eq=False)
class ConstList:
    values: list


@define(eq=False)
class Func:
    name: str
    params: list
    body: list
    ret: Any
    meta: Any


def _strict(f):
    """Element-wise RASP operation: None in -> None out; an exception -> None."""

    def g(*xs):
        if any(x is None for x in xs):
            return None
        try:
            return normalize(f(*xs))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, ArithmeticError):
            return None

    return g


def _none_in_none_out(f):
    def g(*xs):
        return None if any(x is None for x in xs) else f(*xs)

    return g


def _div(a, b):
    if isinstance(a, (int, Fraction)) and isinstance(b, (int, Fraction)):
        return Fraction(a) / Fraction(b)
    return a / b


def _pow(a, b):
    if is_number(b) and abs(b) > 256:
        raise OverflowError
    return a ** b


_BINOPS = {
    "+": _strict(lambda a, b: a + b),
    "-": _strict(lambda a, b: a - b),
    "*": _strict(lambda a, b: a * b),
    "/": _strict(_div),
    "%": _strict(lambda a, b: a % b),
    "^": _strict(_pow),
    "==": _strict(lambda a, b: a == b),
    "!=": _strict(lambda a, b: a != b),
    "<": _strict(lambda a, b: a < b),
    ">": _strict(lambda a, b: a > b),
    "<=": _strict(lambda a, b: a <= b),
    ">=": _strict(lambda a, b: a >= b),
    "and": _strict(lambda a, b: bool(a) and bool(b)),
    "or": _strict(lambda a, b: bool(a) or bool(b)),
}
_ARITH = {"+", "-", "*", "/", "%", "^"}


def _rasp_round(x):
    if not is_number(x):
        raise TypeError
    return round(x)


def _to_number(v):
    if isinstance(v, bool):
        return int(v)
    return v


# --- the compiler ---------------------------------------------------------------------------


class Compiler:
    def __init__(self, source: str, filename: str, domain: Domain, model: bool):
        self.source = source
        self.filename = filename
        self.domain = domain
        self.model = model
        self.b = Builder(domain)
        self.globals: dict[str, Any] = {}
        self.outputs: dict[str, str] = {}
        self.last_assign: str | None = None
        self._used_names: set = set()
        self._cache: dict = {}
        self._depth = 0
        self._auto: set = set()

    # errors
    def error(self, where, reason: str) -> TpcError:
        line, col = self._pos(where)
        return TpcError.at(self.filename, self.source, line, col, reason)

    @staticmethod
    def _pos(where):
        if isinstance(where, lark.Token):
            return where.line or 1, where.column or 1
        if isinstance(where, lark.Tree):
            meta = where.meta
            if not getattr(meta, "empty", True):
                return meta.line, meta.column
            for child in where.children:
                if isinstance(child, (lark.Tree, lark.Token)):
                    return Compiler._pos(child)
        if isinstance(where, tuple):
            return where
        return 1, 1

    # names
    def fresh(self, hint: str | None, stem: str) -> str:
        name = self._fresh(hint, stem)
        if hint is None:
            self._auto.add(name)
        return name

    def rename_last(self, value, name: str) -> None:
        """Give the node just built for `name = expr;` the variable's name, when free."""
        if not isinstance(value, (SOp, Sel)) or not self.b.nodes or value.node != self.b.nodes[-1].name:
            return
        if value.node not in self._auto or name in self._used_names or name in self.b.types:
            return
        import attrs

        old = self.b.nodes.pop()
        del self.b.types[old.name]
        new = self._fresh(name, name)
        self.b._append(attrs.evolve(old, name=new))
        value.node = new

    def _fresh(self, hint: str | None, stem: str) -> str:
        base = re.sub(r"\W", "_", hint or stem) or stem
        if base[0].isdigit():
            base = "_" + base
        name, i = base, 1
        while name in self._used_names or name in self.b.types:
            i += 1
            name = f"{base}_{i}"
        self._used_names.add(name)
        return name

    # builtin s-ops
    def tokens(self) -> SOp:
        if "tokens" not in self._cache:
            node = self.b.tokens()
            bos = self.domain.bos
            if self.model:
                self._cache["tokens"] = SOp(node, "categorical")
            else:
                self._cache["tokens"] = SOp(node, "categorical", lambda v: None if v == bos else v, True, False)
        return self._cache["tokens"]

    def indices(self) -> SOp:
        if "indices" not in self._cache:
            node = self.b.indices()
            if self.model:
                self._cache["indices"] = SOp(node, "categorical")
            else:
                self._cache["indices"] = SOp(
                    node, "categorical", lambda i: None if i == 0 else i - 1, True, False
                )
        return self._cache["indices"]

    def ones(self) -> SOp:
        if "ones" not in self._cache:
            self._cache["ones"] = SOp(self.b.ones(), "numerical")
        return self._cache["ones"]

    def length(self, where) -> SOp:
        if self.model:
            raise self.error(where, "'length' is not available in model mode")
        if "length" not in self._cache:
            t = self.tokens()
            pred = self._predicate("true", None, self._vals(t), self._vals(t), t.decode, t.decode)
            sel = self.b.select(t.node, t.node, pred, name=self.fresh("all_tokens", "select"))
            node = self.b.selector_width(sel, name=self.fresh("length", "length"))
            self._cache["length"] = SOp(node, "categorical")
        return self._cache["length"]

    def same_side(self) -> str:
        """Selector: the BOS query selects only BOS; real queries select only real keys."""
        if "same_side" not in self._cache:
            i = self.b.indices()
            pred = Predicate([(q, k) for q in self._vals_node(i) for k in self._vals_node(i) if (q == 0) == (k == 0)])
            self._cache["same_side"] = self.b.select(i, i, pred, name=self.fresh("not_bos", "select"))
        return self._cache["same_side"]

    def _vals_node(self, node: str) -> tuple:
        return self.b.type_of(node).values

    def _vals(self, s: SOp) -> tuple:
        return self._vals_node(s.node)

    # --- expressions -> s-ops ---------------------------------------------------------------

    def as_expr(self, v, where) -> Expr:
        if isinstance(v, Expr):
            return v
        if isinstance(v, SOp):
            return Expr((v,), lambda x: x, v.kind, base=v)
        if isinstance(v, Sel):
            raise self.error(where, "expected an s-op or a constant, but this is a selector")
        if isinstance(v, ConstList):
            raise self.error(where, "a list can only be used after 'in'")
        if isinstance(v, Func):
            raise self.error(where, f"function '{v.name}' used as a value; call it")
        raise self.error(where, "expected an s-op or a constant")  # pragma: no cover

    def const(self, value, kind="categorical") -> Expr:
        return Expr((), lambda: value, kind)

    def combine(self, exprs: list, op: Callable, kind: str, where) -> Expr:
        """Expr applying `op` to the values of `exprs`, fusing into one table when possible."""
        args: list[SOp] = []
        for e in exprs:
            for a in e.args:
                if not any(a is b for b in args):
                    args.append(a)
        if len(args) > 2:
            exprs = [self.as_expr(self.materialize(e, where), where) if len(e.args) else e for e in exprs]
            args = []
            for e in exprs:
                for a in e.args:
                    if not any(a is b for b in args):
                        args.append(a)
            if len(args) > 2:
                raise self.error(where, "an element-wise operation on three different s-ops")  # handled by caller
        slots = [[next(i for i, b in enumerate(args) if a is b) for a in e.args] for e in exprs]
        fns = [e.fn for e in exprs]

        def fn(*vals):
            return op(*[f(*[vals[i] for i in s]) for f, s in zip(fns, slots)])

        return Expr(tuple(args), fn, kind, where=where)

    def materialize(self, e: Expr, where, kind: str | None = None, hint: str | None = None) -> SOp:
        kind = kind or e.kind
        if e.base is not None and e.base.kind == kind:
            return e.base
        if kind in e.done:
            return e.done[kind]
        hint = hint or e.hint
        where = e.where if e.where is not None else where

        def out(*raw):
            v = e.fn(*[a.decode(r) for a, r in zip(e.args, raw)])
            if kind == "numerical":
                v = _to_number(v)
                if v is None:
                    return 0
                if not is_number(v):
                    raise self.error(where, f"a numerical s-op cannot take the value {show(v)}")
            return normalize(v)

        try:
            if not e.args:
                value = e.const()
                if self.model:
                    node = self.b.constant(out(), kind, name=self.fresh(hint, "constant"))
                    s = SOp(node, kind)
                else:
                    t = self.tokens()
                    bos = self.domain.bos
                    none = 0 if kind == "numerical" else None
                    table = Table([(v, none if v == bos else out()) for v in self._vals(t)])
                    node = self.b.map(table, t.node, kind, name=self.fresh(hint, "constant"))
                    s = SOp(node, kind, None, kind == "categorical", value is None)
            elif len(e.args) == 1:
                (a,) = e.args
                table = Table([(v, out(v)) for v in self._vals(a)])
                node = self.b.map(table, a.node, kind, name=self.fresh(hint, "map"))
                s = SOp(node, kind)
            else:
                a, c = e.args
                table = Table([((x, y), out(x, y)) for x in self._vals(a) for y in self._vals(c)])
                node = self.b.sequence_map(table, a.node, c.node, kind, name=self.fresh(hint, "sequence_map"))
                s = SOp(node, kind)
        except IRError as err:  # pragma: no cover - tables are total by construction
            raise self.error(where, str(err)) from None
        if e.args and kind == "categorical" and not self.model:
            s.bos_none = self._none_at_bos(e, table)
            s.real_none = any(a.real_none for a in e.args) or self._makes_none(e, table)
        e.done[kind] = s
        return s

    @staticmethod
    def _none_at_bos(e: Expr, table: Table) -> bool:
        """True when every row that BOS can reach (each bos_none input at None) gives None."""
        if not any(a.kind == "categorical" and a.bos_none for a in e.args):
            return False
        for key, v in table.rows:
            raw = key if isinstance(key, tuple) else (key,)
            reachable = all(a.decode(r) is None for a, r in zip(e.args, raw) if a.kind == "categorical" and a.bos_none)
            if reachable and v is not None:
                return False
        return True

    def _makes_none(self, e: Expr, table: Table) -> bool:
        for key, v in table.rows:
            raw = key if isinstance(key, tuple) else (key,)
            if v is None and all(a.decode(r) is not None for a, r in zip(e.args, raw)):
                return True
        return False

    def sop(self, v, where, hint=None) -> SOp:
        return self.materialize(self.as_expr(v, where), where, hint=hint)

    def fixed(self, s: SOp, where) -> SOp:
        """`s` as a categorical s-op whose IR values are its RASP values, None at BOS."""
        if s.kind == "categorical" and s.bos_none:
            return s
        key = ("fixed", s.node)
        if key not in self._cache:
            i = self.b.indices()
            table = Table([((v, j), None if j == 0 else normalize(s.decode(v)))
                           for v in self._vals(s) for j in self._vals_node(i)])
            node = self.b.sequence_map(table, s.node, i, "categorical", name=self.fresh(f"{s.node}_nobos", "map"))
            self._cache[key] = SOp(node, "categorical", None, True, s.real_none)
        return self._cache[key]

    # --- statements ---------------------------------------------------------------------------

    def run(self, tree: lark.Tree) -> Program:
        for stmt in tree.children:
            self.statement(stmt, self.globals, top=True)
        if not self.outputs:
            if self.last_assign is None:
                raise TpcError.at(self.filename, self.source, 1, 1, "the program has no output: assign an s-op or declare 'output NAME;'")
            name, where = self.last_assign
            self.add_output(name, self.globals[name], where)
        for name, node in self.outputs.items():
            self.b.output(name, node)
        try:
            return self.b.build(source=self.filename)
        except IRError as err:
            raise TpcError.at(self.filename, self.source, 1, 1, f"invalid program: {err}") from None

    def add_output(self, label: str, value, where) -> None:
        if isinstance(value, Sel):
            raise self.error(where, "an output must be an s-op, not a selector")
        if isinstance(value, Func):
            raise self.error(where, "an output must be an s-op, not a function")
        if label in self.outputs:
            raise self.error(where, f"output '{label}' is declared twice")
        e = self.as_expr(value, where)
        s = self.materialize(e, where, hint=label if e.hint is None else None)
        if s.dec is not None:  # present RASP values (tokens "<s>" -> None, indices - 1)
            s = self.materialize(Expr((s,), lambda x: x, s.kind), where, hint=label)
        self.outputs[label] = s.node

    def statement(self, stmt: lark.Tree, env: dict, top: bool = False) -> None:
        kind = stmt.data
        if kind == "assign":
            name, expr = stmt.children
            value = self.expr(expr, env)
            if isinstance(value, Expr) and value.hint is None and value.base is None:
                value.hint = str(name)
            self.rename_last(value, str(name))
            env[str(name)] = value
            if top and not isinstance(value, (Sel, Func)):
                self.last_assign = (str(name), name)
        elif kind == "funcdef":
            name, params, *body, ret = stmt.children
            env[str(name)] = Func(str(name), [str(p) for p in (params.children if params else [])], body, ret, stmt)
        elif kind == "output":
            label, expr = stmt.children
            text = str(label)
            if label.type == "STRING":
                text = _string(label)
            if expr is None:
                if label.type == "STRING":
                    raise self.error(label, "'output \"name\";' needs '= expression'")
                value = self.lookup(label, env)
            else:
                value = self.expr(expr, env)
                if label.type == "NAME":
                    env[text] = value
            if not top:  # pragma: no cover - grammar allows outputs only at top level
                raise self.error(stmt, "outputs are declared at the top level")
            self.add_output(text, value, label)
        elif kind == "expr_stmt":
            self.expr(stmt.children[0], env)
        elif kind == "for_loop":
            raise self.error(stmt, "unsupported construct: for loops")
        elif kind == "multi_assign":
            raise self.error(stmt, "unsupported construct: assigning several names at once")
        elif kind == "load_stmt":
            raise self.error(stmt, "unsupported construct: load")
        else:  # pragma: no cover
            raise self.error(stmt, f"unsupported statement {kind}")

    def lookup(self, tok, env):
        name = str(tok)
        if name in env:
            return env[name]
        if env is not self.globals and name in self.globals:
            return self.globals[name]
        if name == "tokens":
            return self.tokens()
        if name == "indices":
            return self.indices()
        if name == "length":
            return self.length(tok)
        if name == "ones":
            return self.ones()
        if name in BUILTIN_FUNCTIONS or name in ("select", "map"):
            raise self.error(tok, f"built-in function '{name}' used as a value; call it")
        raise self.error(tok, f"unknown name '{name}'")

    # --- expressions ----------------------------------------------------------------------------

    def expr(self, t, env):
        if isinstance(t, lark.Token):  # pragma: no cover - every token is wrapped by a rule
            raise self.error(t, "unexpected token")
        method = getattr(self, "e_" + t.data.rstrip("_"), None)
        if method is None:  # pragma: no cover
            raise self.error(t, f"unsupported construct: {t.data}")
        return method(t, env)

    def e_var(self, t, env):
        return self.lookup(t.children[0], env)

    def e_number(self, t, env):
        return self.const(normalize(Fraction(str(t.children[0]))))

    def e_string(self, t, env):
        return self.const(_string(t.children[0]))

    def e_true(self, t, env):
        return self.const(True)

    def e_false(self, t, env):
        return self.const(False)

    def e_none(self, t, env):
        return self.const(None)

    def e_list(self, t, env):
        values = []
        for child in t.children:
            if child is None:
                continue
            v = self.expr(child, env)
            if not isinstance(v, Expr) or not v.is_const:
                raise self.error(child, "list elements must be constants")
            values.append(v.const())
        return ConstList(values)

    def e_index(self, t, env):
        raise self.error(t, "unsupported construct: indexing")

    def e_dict_expr(self, t, env):
        raise self.error(t, "unsupported construct: dictionaries (write a table map: map {k: v} (x))")

    def _operand(self, t, env, op: str):
        v = self.expr(t, env)
        if isinstance(v, Sel):
            raise self.error(t, f"a selector cannot be an operand of '{op}'; it needs s-ops")
        return self.as_expr(v, t)

    def e_binop(self, t, env):
        left, op, right = t.children
        return self._binary(t, env, left, str(op), right)

    def e_comparison(self, t, env):
        return self.e_binop(t, env)

    def e_pow(self, t, env):
        left, right = t.children
        return self._binary(t, env, left, "^", right)

    def _binary(self, t, env, left, op, right):
        a, b = self._operand(left, env, op), self._operand(right, env, op)
        kind = "numerical" if op in _ARITH and "numerical" in (a.kind, b.kind) else "categorical"
        return self.combine([a, b], _BINOPS[op], kind, t)

    def e_unary(self, t, env):
        op, x = t.children
        a = self._operand(x, env, str(op))
        f = _strict(lambda v: -v) if str(op) == "-" else _strict(lambda v: +v)
        return self.combine([a], f, a.kind, t)

    def _selector_op(self, t, env, op):
        left, right = t.children
        a, b = self.expr(left, env), self.expr(right, env)
        if isinstance(a, Sel) and isinstance(b, Sel):
            if op == "and":
                node = self.b.select_and(a.node, b.node, name=self.fresh(None, "select_and"))
                return Sel(node, a.bos_row_only or b.bos_row_only)
            node = self.b.select_or(a.node, b.node, name=self.fresh(None, "select_or"))
            return Sel(node, a.bos_row_only and b.bos_row_only)
        if isinstance(a, Sel) or isinstance(b, Sel):
            where = right if isinstance(a, Sel) else left
            raise self.error(where, f"'{op}' cannot combine a selector with an s-op")
        return self.combine([self.as_expr(a, left), self.as_expr(b, right)], _BINOPS[op], "categorical", t)

    def e_and(self, t, env):
        return self._selector_op(t, env, "and")

    def e_or(self, t, env):
        return self._selector_op(t, env, "or")

    def e_not(self, t, env):
        (x,) = t.children
        a = self.expr(x, env)
        if isinstance(a, Sel):
            node = self.b.select_not(a.node, name=self.fresh(None, "select_not"))
            if self.model:
                return Sel(node)
            node = self.b.select_and(node, self.same_side(), name=self.fresh(None, "select_not"))
            return Sel(node, True)
        return self.combine([self.as_expr(a, x)], _strict(lambda v: not v), "categorical", t)

    def e_in(self, t, env):
        left, right = t.children
        a = self._operand(left, env, "in")
        container = self.expr(right, env)
        if not isinstance(container, ConstList):
            raise self.error(right, "'in' needs a constant list on its right, like [1, 2, 3]")
        values = list(container.values)
        members = {_sort(c) for c in values}
        return self.combine([a], _strict(lambda v: _sort(v) in members), "categorical", t)

    def e_cond(self, t, env):
        res1, cond, res2 = t.children
        a = self._operand(res1, env, "if")
        c = self._operand(cond, env, "if")
        b = self._operand(res2, env, "else")
        kind = "numerical" if "numerical" in (a.kind, b.kind) else "categorical"
        pick = lambda cv, av, bv: None if cv is None else av if cv else bv  # noqa: E731
        distinct = []
        for e in (c, a, b):
            for x in e.args:
                if not any(x is y for y in distinct):
                    distinct.append(x)
        if len(distinct) <= 2:
            return self.combine([c, a, b], pick, kind, t)
        # Three different s-ops: first (c, a) -> a where c holds, a marker where it does not,
        # then (that, b) -> b in place of the marker. None anywhere gives None.
        cs = self.materialize(c, cond)
        as_ = self.materialize(a, res1, kind=kind)
        bs = self.materialize(b, res2, kind=kind)
        taken = {repr(as_.decode(v)) for v in self._vals(as_)}
        marker = "<else>"
        while repr(marker) in taken:
            marker = "<" + marker + ">"
        first = self.combine(
            [self.as_expr(cs, cond), self.as_expr(as_, res1)],
            lambda cv, av: None if cv is None else av if cv else marker, "categorical", t,
        )
        fs = self.materialize(first, t, kind="categorical", hint="if_then")
        second = Expr((fs, bs), lambda fv, bv: bv if isinstance(fv, str) and fv == marker else fv, kind, where=t)
        return second

    # --- calls --------------------------------------------------------------------------------

    def e_call(self, t, env):
        name_tok, *raw = t.children
        name = str(name_tok)
        args, kwargs = [], {}
        raw = [r for r in raw if r is not None]
        for r in raw:
            if isinstance(r, lark.Tree) and r.data == "kwarg":
                k, v = r.children
                if str(k) in kwargs:
                    raise self.error(k, f"argument '{k}' given twice")
                kwargs[str(k)] = (v, k)
            else:
                if kwargs:
                    raise self.error(r, "a positional argument after a keyword argument")
                args.append(r)
        target = env.get(name, self.globals.get(name))
        if isinstance(target, Func):
            if kwargs:
                k = next(iter(kwargs.values()))[1]
                raise self.error(k, f"'{name}' takes no keyword arguments")
            return self.call_func(target, args, t, env)
        if target is not None:
            raise self.error(name_tok, f"'{name}' is not a function")
        method = getattr(self, "b_" + name, None)
        if method is None:
            if name in ("tokens", "indices", "length", "ones"):
                raise self.error(name_tok, f"'{name}' is not a function")
            raise self.error(name_tok, f"unknown function '{name}'")
        return method(t, args, kwargs, env)

    def _arity(self, t, name, args, kwargs, lo, hi, allowed=()):
        for k, (_, tok) in kwargs.items():
            if k not in allowed:
                raise self.error(tok, f"{name}() has no argument '{k}'")
        if not lo <= len(args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise self.error(t, f"{name}() takes {want} argument{'s' if hi != 1 else ''}, got {len(args)}")

    def call_func(self, f: Func, args, t, env):
        if len(args) != len(f.params):
            raise self.error(t, f"{f.name}() takes {len(f.params)} argument{'s' if len(f.params) != 1 else ''}, got {len(args)}")
        values = [self.expr(a, env) for a in args]
        if self._depth > 64:
            raise self.error(t, f"recursion too deep in '{f.name}' (functions are inlined)")
        local = dict(zip(f.params, values))
        self._depth += 1
        try:
            for stmt in f.body:
                self.statement(stmt, local)
            return self.expr(f.ret.children[0], local)
        finally:
            self._depth -= 1

    def _const_arg(self, node, env, what):
        v = self.expr(node, env)
        if not isinstance(v, Expr) or not v.is_const:
            raise self.error(node, f"{what} must be a constant")
        return v.const()

    def b_aggregate(self, t, args, kwargs, env, force_kind=None):
        self._arity(t, "aggregate", args, kwargs, 2, 3, ("default", "reduce"))
        sel = self.expr(args[0], env)
        if not isinstance(sel, Sel):
            raise self.error(args[0], "aggregate's first argument must be a selector")
        vals = self.expr(args[1], env)
        if isinstance(vals, Sel):
            raise self.error(args[1], "cannot aggregate a selector: aggregate's second argument must be an s-op")
        default = None
        if len(args) == 3 and "default" in kwargs:
            raise self.error(kwargs["default"][1], "default given twice")
        if len(args) == 3:
            default = self._const_arg(args[2], env, "aggregate's default")
        elif "default" in kwargs:
            default = self._const_arg(kwargs["default"][0], env, "aggregate's default")
        reduce = None
        if "reduce" in kwargs:
            reduce = self._const_arg(kwargs["reduce"][0], env, "reduce")
            if reduce not in ("nearest", "mean", "sum"):
                raise self.error(kwargs["reduce"][0], "reduce must be \"nearest\", \"mean\" or \"sum\"")
        e = self.as_expr(vals, args[1])
        kind = force_kind or ("categorical" if reduce == "nearest" else "numerical" if reduce in ("mean", "sum") else e.kind)
        if reduce == "nearest" and kind == "numerical" or reduce in ("mean", "sum") and kind == "categorical":
            raise self.error(t, f"a {reduce} aggregate needs {'categorical' if reduce == 'nearest' else 'numerical'} values")
        reduce = reduce or ("nearest" if kind == "categorical" else "mean")
        s = self.materialize(e, args[1], kind=kind)
        if kind == "numerical" and default is not None and not is_number(_to_number(default)):
            raise self.error(args[2] if len(args) == 3 else kwargs["default"][0], "a numerical aggregate's default must be a number")
        if kind == "numerical" and default is not None:
            default = _to_number(default)
        name = self.fresh(None, "aggregate")
        if self.model:
            node = self.b.aggregate(sel.node, s.node, reduce=reduce, default=default, name=name)
            return SOp(node, kind)
        if kind == "numerical":
            node = self.b.aggregate(sel.node, s.node, reduce=reduce, default=default, name=name)
            return SOp(node, kind)
        if default is not None and s.dec is not None:
            s = self.materialize(Expr((s,), lambda x: x, kind), args[1])
        s = self.fixed(s, args[1])
        node = self.b.aggregate(sel.node, s.node, reduce=reduce, default=default, name=name)
        return SOp(node, kind, s.dec, s.bos_none and sel.bos_row_only and default is None,
                   default is None or s.real_none)

    def b_selector_width(self, t, args, kwargs, env):
        self._arity(t, "selector_width", args, kwargs, 1, 1)
        sel = self.expr(args[0], env)
        if not isinstance(sel, Sel):
            raise self.error(args[0], "selector_width's argument must be a selector")
        return SOp(self.b.selector_width(sel.node, name=self.fresh(None, "selector_width")), "categorical")

    def b_indicator(self, t, args, kwargs, env):
        self._arity(t, "indicator", args, kwargs, 1, 1)
        a = self._operand(args[0], env, "indicator")
        return self.combine([a], _strict(lambda v: 1 if v else 0), "numerical", t)

    def b_round(self, t, args, kwargs, env):
        self._arity(t, "round", args, kwargs, 1, 1)
        a = self._operand(args[0], env, "round")
        return self.combine([a], _strict(_rasp_round), a.kind, t)

    def _annotate(self, t, args, kwargs, env, kind):
        self._arity(t, kind, args, kwargs, 1, 1)
        inner = args[0]
        if isinstance(inner, lark.Tree) and inner.data == "call" and str(inner.children[0]) in ("aggregate", "constant") \
                and not isinstance(env.get(str(inner.children[0]), self.globals.get(str(inner.children[0]))), Func):
            name_tok, *raw = inner.children
            sub_args, sub_kwargs = [], {}
            for r in raw:
                if r is None:
                    continue
                if isinstance(r, lark.Tree) and r.data == "kwarg":
                    sub_kwargs[str(r.children[0])] = (r.children[1], r.children[0])
                else:
                    sub_args.append(r)
            return getattr(self, "b_" + str(name_tok))(inner, sub_args, sub_kwargs, env, force_kind=kind)
        v = self.expr(inner, env)
        if isinstance(v, Sel):
            raise self.error(inner, f"{kind}() takes an s-op, not a selector")
        e = self.as_expr(v, inner)
        if e.base is not None and e.base.kind == kind:
            return e
        return Expr(e.args, e.fn, kind, hint=e.hint, table_strict=e.table_strict, where=t)

    def b_numerical(self, t, args, kwargs, env):
        return self._annotate(t, args, kwargs, env, "numerical")

    def b_categorical(self, t, args, kwargs, env):
        return self._annotate(t, args, kwargs, env, "categorical")

    def b_constant(self, t, args, kwargs, env, force_kind=None):
        self._arity(t, "constant", args, kwargs, 1, 1)
        value = self._const_arg(args[0], env, "constant's argument")
        kind = force_kind or "categorical"
        if kind == "numerical":
            value = _to_number(value)
            if not is_number(value):
                raise self.error(args[0], "a numerical constant must be a number")
        node = self.b.constant(value, kind, name=self.fresh(None, "constant"))
        return SOp(node, kind, None, False, value is None)

    # --- tpc extensions -------------------------------------------------------------------------

    def e_select(self, t, env):
        keys_t, queries_t, op = t.children
        k = self.expr(keys_t, env)
        q = self.expr(queries_t, env)
        for v, w, what in ((k, keys_t, "keys"), (q, queries_t, "queries")):
            if isinstance(v, Sel):
                raise self.error(w, f"select's {what} must be an s-op, not a selector")
        ks, qs = self.sop(k, keys_t), self.sop(q, queries_t)
        if isinstance(op, lark.Token):
            op_name = str(op)
            table = None
        else:
            op_name = None
            table = {}
            for row in op.children:
                if row is None:
                    continue
                qv, *kvs = row.children
                table.setdefault(_sort(self.literal(qv)), set()).update(_sort(self.literal(x)) for x in kvs if x is not None)
        if self.model:
            kvals, qvals = self._vals(ks), self._vals(qs)
            if ks.kind != "categorical" or qs.kind != "categorical":
                raise self.error(keys_t if ks.kind != "categorical" else queries_t, "select needs categorical keys and queries in model mode")
            pred = self._predicate(op_name, table, qvals, kvals, lambda v: v, lambda v: v, raw=True)
            return Sel(self.b.select(ks.node, qs.node, pred, name=self.fresh(None, "select")))
        ks = self.fixed(ks, keys_t)
        if qs.kind != "categorical":
            qs = self.fixed(qs, queries_t)
        pred = self._predicate(op_name, table, self._vals(qs), self._vals(ks), qs.decode, ks.decode)
        node = self.b.select(ks.node, qs.node, pred, name=self.fresh(None, "select"))
        if qs.real_none:
            node = self.b.select_and(node, self.same_side(), name=self.fresh(None, "select"))
            return Sel(node, True)
        return Sel(node, qs.bos_none and not ks.real_none)

    def _predicate(self, op, table, qvals, kvals, qdec, kdec, raw=False):
        pairs = []
        for q in qvals:
            for k in kvals:
                qr, kr = qdec(q), kdec(k)
                if op is not None:
                    ok = compare(op, kr, qr)
                elif raw:
                    ok = _sort(kr) in table.get(_sort(qr), ())
                else:
                    ok = (kr is None and qr is None) if (kr is None or qr is None) else _sort(kr) in table.get(_sort(qr), ())
                if ok:
                    pairs.append((q, k))
        return Predicate(pairs, op)

    def literal(self, t):
        kind = t.data
        if kind == "lit_number":
            parts = [c for c in t.children if c is not None]
            sign = -1 if parts[0].type == "SIGN" and str(parts[0]) == "-" else 1
            nums = [Fraction(str(p)) for p in parts if p.type == "NUMBER"]
            if len(nums) == 2 and nums[1] == 0:
                raise self.error(t, "division by zero in a literal")
            value = nums[0] if len(nums) == 1 else nums[0] / nums[1]
            return normalize(sign * value)
        if kind == "lit_string":
            return _string(t.children[0])
        return {"lit_true": True, "lit_false": False, "lit_none": None}[kind]

    def e_tablemap(self, t, env):
        table_t, *xs = t.children
        xs = [x for x in xs if x is not None]
        rows = {}
        for row in table_t.children:
            if row is None:
                continue
            key_t, out_t = row.children
            if key_t.data == "pair":
                if len(xs) != 2:
                    raise self.error(key_t, "a pair key needs a map over two s-ops: map {...} (x, y)")
                key = tuple(_sort(self.literal(c)) for c in key_t.children)
            else:
                if len(xs) != 1:
                    raise self.error(key_t, "a map over two s-ops needs pair keys like (1, \"a\")")
                key = _sort(self.literal(key_t))
            if key in rows:
                raise self.error(key_t, "this table has two rows for one input")
            rows[key] = self.literal(out_t)
        operands = [self._operand(x, env, "map") for x in xs]
        if len(xs) == 1:
            fn = lambda v: rows.get(_sort(v))  # noqa: E731
        else:
            fn = lambda v, w: rows.get((_sort(v), _sort(w)))  # noqa: E731
        if not self.model:  # RASP mode: a None input gives None
            fn = _none_in_none_out(fn)
        e = self.combine(operands, fn, "categorical", t)
        e.table_strict = not self.model
        return e

    def e_readout(self, t, env):
        if not self.model:
            raise self.error(t, "readout is only available in model mode (#!tpc model)")
        children = [c for c in t.children]
        bias_i = next(i for i, c in enumerate(children) if isinstance(c, lark.Tree) and c.data == "float_list")
        classes = [self.literal(c) for c in children[:bias_i] if c is not None]
        bias = self.floats(children[bias_i])
        terms, scores = [], []
        for term in children[bias_i + 1:]:
            if term is None:
                continue
            name, *rows = term.children
            s = self.sop(self.lookup(name, env), name)
            table = []
            for row in rows:
                if row is None:
                    continue
                v, fl = row.children
                table.append((self.literal(v), tuple(self.floats(fl))))
            for _, r in table:
                if len(r) != len(classes):
                    raise self.error(term, f"score rows need one score per class ({len(classes)})")
            terms.append(s.node)
            scores.append(Table(table))
        if len(bias) != len(classes):
            raise self.error(children[bias_i], f"bias needs one score per class ({len(classes)})")
        from ..ir import value_set

        if len(value_set(classes)) != len(classes):
            raise self.error(t, "a class is listed twice")
        try:
            node = self.b.readout(terms, scores, bias, classes, name=self.fresh(None, "readout"))
        except (IRError, ValueError) as err:  # pragma: no cover
            raise self.error(t, str(err)) from None
        return SOp(node, "categorical")

    def floats(self, t) -> list:
        out = []
        for f in t.children:
            if f is None:
                continue
            parts = [c for c in f.children if c is not None]
            text = "".join(str(p) for p in parts)
            out.append(float(text))
        return out


def _sort(v):
    """Dictionary key for a value: True and 1 stay apart, 1 and 1.0 meet."""
    from ..ir import sort_key

    return sort_key(normalize(v))


def _string(tok) -> str:
    import ast

    text = str(tok)
    try:
        return ast.literal_eval(text)
    except (SyntaxError, ValueError):  # pragma: no cover - the lexer only accepts valid strings
        return text[1:-1]


def compile_rasp(
    source: str,
    filename: str = "<string>",
    vocab=None,
    max_len: int | None = None,
    causal: bool | None = None,
    implicit_bos: bool | None = None,
) -> Program:
    """Compile RASP `source` (read from `filename`) to an IR Program over the domain
    (`vocab`, `max_len`: when None, the file's `#!tpc vocab` / `#!tpc max_len`, else no tokens
    and 8); `causal` / `implicit_bos` default to the file's `#!tpc` pragmas (`causal`,
    `explicit-bos`), else False / True. Errors raise TpcError."""
    pragmas = read_pragmas(source, filename)
    words = pragmas.words
    model = "model" in words
    if causal is None:
        causal = "causal" in words
    if implicit_bos is None:
        implicit_bos = "explicit-bos" not in words
    if not model and not implicit_bos:
        raise TpcError(f"{filename}:1:1: RASP programs need implicit BOS; use '#!tpc model' for explicit BOS")
    if vocab is None:
        vocab = pragmas.vocab or ()
    if max_len is None:
        max_len = pragmas.max_len if pragmas.max_len is not None else 8
    try:
        domain = Domain(vocab=tuple(vocab), max_len=max_len, causal=causal, implicit_bos=implicit_bos)
    except ValueError as err:
        raise TpcError(f"{filename}: bad domain: {err}") from None
    tree = parse(source, filename)
    return Compiler(source, filename, domain, model).run(tree)


def compile_file(path, vocab=None, max_len: int | None = None, causal: bool | None = None,
                 implicit_bos: bool | None = None) -> Program:
    with open(path) as f:
        source = f.read()
    return compile_rasp(source, str(path), vocab, max_len, causal, implicit_bos)
