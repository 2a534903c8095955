"""The expression forms with their own syntax: `select` (comparisons and table predicates),
table maps `map {k: v} (x)`, model-mode readouts, and the literals they hold. Each form is
translated by `fn(tr, t, env)`, like the translator's own expression rules."""

from __future__ import annotations

import lark

from tpc.frontend import bos, naming
from tpc.frontend.fusion import combine, sop
from tpc.frontend.values import (
    Sel,
    SOp,
    dict_key,
    none_in_none_out,
    number_literal,
    predicate,
    string_value,
)
from tpc.ir import IRError, Table, normalize, value_set


def select(tr, t, env):
    cx = tr.cx
    keys_t, queries_t, op = t.children
    k = tr.expr(keys_t, env)
    q = tr.expr(queries_t, env)
    for v, w, what in ((k, keys_t, "keys"), (q, queries_t, "queries")):
        if isinstance(v, Sel):
            raise cx.error(w, f"select's {what} must be an s-op, not a selector")
    ks, qs = sop(cx, k, keys_t), sop(cx, q, queries_t)
    stem = naming.selection(str(op) if isinstance(op, lark.Token) else None, k, q) or "selector"
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
            table.setdefault(dict_key(literal(cx, qv)), set()).update(
                dict_key(literal(cx, x)) for x in kvs if x is not None
            )
    if cx.model:
        kvals, qvals = cx.values(ks.node), cx.values(qs.node)
        if ks.kind != "categorical" or qs.kind != "categorical":
            raise cx.error(
                keys_t if ks.kind != "categorical" else queries_t,
                "select needs categorical keys and queries in model mode",
            )
        pred = predicate(op_name, table, qs, ks, qvals, kvals, raw=True)
        return Sel(cx.builder.select(ks.node, qs.node, pred, name=cx.fresh(None, stem)))
    ks = bos.fixed(cx, ks)
    if qs.kind != "categorical":
        qs = bos.fixed(cx, qs)
    pred = predicate(op_name, table, qs, ks, cx.values(qs.node), cx.values(ks.node))
    node = cx.builder.select(ks.node, qs.node, pred, name=cx.fresh(None, stem))
    if qs.real_none:
        node = cx.builder.select_and(node, bos.same_side(cx), name=cx.fresh(None, stem))
        return Sel(node, True)
    return Sel(node, qs.bos_none and not ks.real_none)


def literal(cx, t):
    """The value a literal tree spells."""
    kind = t.data
    if kind == "lit_number":
        parts = [c for c in t.children if c is not None]
        sign = -1 if parts[0].type == "SIGN" and str(parts[0]) == "-" else 1
        try:
            nums = [number_literal(str(p)) for p in parts if p.type == "NUMBER"]
        except ValueError as e:
            raise cx.error(t, str(e)) from None
        if len(nums) == 2 and nums[1] == 0:
            raise cx.error(t, "division by zero in a literal")
        value = nums[0] if len(nums) == 1 else nums[0] / nums[1]
        return normalize(sign * value)
    if kind == "lit_string":
        return string_value(t.children[0])
    return {"lit_true": True, "lit_false": False, "lit_none": None}[kind]


def tablemap(tr, t, env):
    cx = tr.cx
    table_t, *xs = t.children
    xs = [x for x in xs if x is not None]
    rows = {}
    for row in table_t.children:
        if row is None:
            continue
        key_t, out_t = row.children
        if key_t.data == "pair":
            if len(xs) != 2:
                raise cx.error(key_t, "a pair key needs a map over two s-ops: map {...} (x, y)")
            key = tuple(dict_key(literal(cx, c)) for c in key_t.children)
        else:
            if len(xs) != 1:
                raise cx.error(key_t, 'a map over two s-ops needs pair keys like (1, "a")')
            key = dict_key(literal(cx, key_t))
        if key in rows:
            raise cx.error(key_t, "this table has two rows for one input")
        rows[key] = literal(cx, out_t)
    operands = [tr.operand(x, env, "map") for x in xs]
    if len(xs) == 1:
        fn = lambda v: rows.get(dict_key(v))  # noqa: E731
    else:
        fn = lambda v, w: rows.get((dict_key(v), dict_key(w)))  # noqa: E731
    if not cx.model:  # RASP mode: a None input gives None
        fn = none_in_none_out(fn)
    return combine(cx, operands, fn, "categorical", t)


def readout(tr, t, env):
    cx = tr.cx
    if not cx.model:
        raise cx.error(t, "readout is only available in model mode (#!tpc model)")
    children = list(t.children)
    bias_i = next(
        i for i, c in enumerate(children) if isinstance(c, lark.Tree) and c.data == "float_list"
    )
    classes = [literal(cx, c) for c in children[:bias_i] if c is not None]
    bias = _floats(children[bias_i])
    terms, scores = [], []
    for term in children[bias_i + 1 :]:
        if term is None:
            continue
        name, *rows = term.children
        s = sop(cx, tr.lookup(name, env), name)
        table = []
        for row in rows:
            if row is None:
                continue
            v, fl = row.children
            table.append((literal(cx, v), tuple(_floats(fl))))
        for _, r in table:
            if len(r) != len(classes):
                raise cx.error(term, f"score rows need one score per class ({len(classes)})")
        terms.append(s.node)
        scores.append(Table(table))
    if len(bias) != len(classes):
        raise cx.error(children[bias_i], f"bias needs one score per class ({len(classes)})")
    if len(value_set(classes)) != len(classes):
        raise cx.error(t, "a class is listed twice")
    try:
        node = cx.builder.readout(terms, scores, bias, classes, name=cx.fresh(None, "readout"))
    except (IRError, ValueError) as err:  # pragma: no cover
        raise cx.error(t, str(err)) from None
    return SOp(node, "categorical")


def _floats(t) -> list:
    out = []
    for f in t.children:
        if f is None:
            continue
        parts = [c for c in f.children if c is not None]
        out.append(float("".join(str(p) for p in parts)))
    return out
