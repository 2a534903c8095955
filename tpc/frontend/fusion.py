"""Fusing element-wise chains: operators compose the functions of `Expr`s, so a chain like
`(indices + 1) % length` becomes a single SequenceMap table. Materializing an Expr tabulates
it over its inputs' finite value sets (a Map, a SequenceMap, or for constants a Map over
tokens)."""

from __future__ import annotations

from typing import Callable

from tpc.frontend import bos
from tpc.frontend.context import Context
from tpc.frontend.naming import joined
from tpc.frontend.values import ConstList, Expr, Func, RaspFailure, Sel, SOp, to_number
from tpc.ir import IRError, Table, is_number, normalize, show, sort_key


def as_expr(cx: Context, v, where) -> Expr:
    if isinstance(v, Expr):
        return v
    if isinstance(v, SOp):
        return Expr((v,), lambda x: x, v.kind, base=v)
    if isinstance(v, Sel):
        raise cx.error(where, "expected an s-op or a constant, but this is a selector")
    if isinstance(v, ConstList):
        raise cx.error(where, "a list can only be used after 'in'")
    if isinstance(v, Func):
        raise cx.error(where, f"function '{v.name}' used as a value; call it")
    raise cx.error(where, "expected an s-op or a constant")  # pragma: no cover


def _distinct_args(exprs: list) -> list[SOp]:
    args: list[SOp] = []
    for e in exprs:
        for a in e.args:
            if not any(a is b for b in args):
                args.append(a)
    return args


def combine(
    cx: Context, exprs: list, op: Callable, kind: str, where, label: str | None = None
) -> Expr:
    """Expr applying `op` to the values of `exprs`, fusing into one table when possible;
    `label` names it when the program does not (tpc.frontend.naming)."""
    args = _distinct_args(exprs)
    if len(args) > 2:
        exprs = [as_expr(cx, materialize(cx, e, where), where) if len(e.args) else e for e in exprs]
        args = _distinct_args(exprs)
        if len(args) > 2:
            raise cx.error(
                where, "an element-wise operation on three different s-ops"
            )  # handled by caller
    slots = [[next(i for i, b in enumerate(args) if a is b) for a in e.args] for e in exprs]
    fns = [e.fn for e in exprs]

    def fn(*vals):
        inner = [f(*[vals[i] for i in s]) for f, s in zip(fns, slots)]
        try:
            return op(*inner)
        except RaspFailure as failure:
            failure.where = failure.where or where
            raise

    return Expr(tuple(args), fn, kind, label=label, where=where)


def materialize(
    cx: Context, e: Expr, where, kind: str | None = None, hint: str | None = None
) -> SOp:
    """The s-op computing `e` as `kind` (default: its own), built once per kind."""
    kind = kind or e.kind
    if e.base is not None and e.base.kind == kind:
        return e.base
    if kind in e.done:
        return e.done[kind]
    hint = hint or e.hint
    where = e.where if e.where is not None else where

    failed: dict = {}  # input IR values -> (file, line, column, reason) where the expression fails

    def out(*raw):
        try:
            v = e.fn(*[a.decode(r) for a, r in zip(e.args, raw)])
        except RaspFailure as failure:
            if not e.args:  # a constant that fails fails wherever it is used
                raise cx.error(failure.where or where, failure.message) from None
            failed[raw] = (*cx.at(failure.where or where), failure.message)
            v = None
        if kind == "numerical":
            v = to_number(v)
            if v is None:
                return 0
            if not is_number(v):
                raise cx.error(where, f"a numerical s-op cannot take the value {show(v)}")
        return normalize(v)

    try:
        if not e.args:
            value = e.const()
            if cx.model:
                node = cx.builder.constant(
                    out(), kind, name=cx.fresh(hint, joined("const", e) or "constant")
                )
                s = SOp(node, kind)
            else:
                t = bos.tokens(cx)
                bos_value = cx.domain.bos
                none = 0 if kind == "numerical" else None
                table = Table([(v, none if v == bos_value else out()) for v in cx.values(t.node)])
                node = cx.builder.map(
                    table, t.node, kind, name=cx.fresh(hint, joined("const", e) or "constant")
                )
                s = SOp(node, kind, None, kind == "categorical", value is None)
        elif len(e.args) == 1:
            (a,) = e.args
            table = Table([(v, out(v)) for v in cx.values(a.node)])
            node = cx.builder.map(table, a.node, kind, name=cx.fresh(hint, e.label or "map"))
            s = SOp(node, kind, complete=a.complete)
        else:
            a, c = e.args
            table = Table([((x, y), out(x, y)) for x, y in cx.pairs(a.node, c.node)])
            node = cx.builder.sequence_map(
                table, a.node, c.node, kind, name=cx.fresh(hint, e.label or "sequence_map")
            )
            every_pair = len(table) == len(cx.values(a.node)) * len(cx.values(c.node))
            s = SOp(node, kind, complete=a.complete and c.complete and every_pair)
    except IRError as err:  # pragma: no cover - tables are total by construction
        raise cx.error(where, str(err)) from None
    cx.record(
        s.node,
        [a.node for a in e.args],
        where,
        {tuple(map(sort_key, k)): v for k, v in failed.items()},
    )
    if e.args and kind == "categorical" and not cx.model:
        s.bos_none = bos.none_at_bos(e, table)
        s.real_none = any(a.real_none for a in e.args) or bos.makes_none(e, table)
    e.done[kind] = s
    return s


def sop(cx: Context, v, where, hint=None) -> SOp:
    return materialize(cx, as_expr(cx, v, where), where, hint=hint)


def plain(cx: Context, s: SOp, where, hint: str | None = None) -> SOp:
    """`s` with its IR values decoded to its RASP values (a new map when `s` decodes)."""
    return materialize(
        cx, Expr((s,), lambda x: x, s.kind, label=f"{s.node}_nobos"), where, hint=hint
    )
