"""RASP's operators in the translation: arithmetic and comparisons (`binop`, `power`,
`unary`), `and` / `or` / `not` of selectors or of s-ops, `in`, and the conditional
`a if c else b`. Each is a function of the translator, its tree and the scope it is read in,
as tpc.frontend.translate's `EXPRESSIONS` table calls it."""

from __future__ import annotations

from tpc.frontend import bos, compile_time, library, naming
from tpc.frontend.fusion import as_expr, combine, materialize
from tpc.frontend.values import ARITH, BINOPS, ConstList, Expr, Sel, dict_key, strict


def binop(tr, t, env):
    left, op, right = t.children
    return _binary(tr, t, env, left, str(op), right)


def power(tr, t, env):
    left, right = t.children
    return _binary(tr, t, env, left, "^", right)


def _binary(tr, t, env, left, op, right):
    a, b = tr.expr(left, env), tr.expr(right, env)
    if op == "+" and isinstance(a, ConstList) and isinstance(b, ConstList):
        return ConstList(a.values + b.values)
    a, b = tr.as_operand(a, left, op), tr.as_operand(b, right, op)
    kind = "numerical" if op in ARITH and "numerical" in (a.kind, b.kind) else "categorical"
    return combine(tr.cx, [a, b], BINOPS[op], kind, t, naming.binary(op, a, b))


def unary(tr, t, env):
    op, x = t.children
    a = tr.operand(x, env, str(op))
    f = strict(lambda v: -v) if str(op) == "-" else strict(lambda v: +v)
    return combine(
        tr.cx,
        [a],
        f,
        a.kind,
        t,
        naming.joined("neg", a) if str(op) == "-" else naming.describe(a),
    )


def _selector_op(tr, t, env, op):
    """`and` / `or`: of two selectors, or element-wise of two s-ops."""
    cx = tr.cx
    left, right = t.children
    a, b = tr.expr(left, env), tr.expr(right, env)
    if isinstance(a, Sel) and isinstance(b, Sel):
        name = cx.fresh(None, naming.binary(op, a, b) or ("both" if op == "and" else "either"))
        if op == "and":
            node = cx.builder.select_and(a.node, b.node, name=name)
            return Sel(node, a.bos_row_only or b.bos_row_only)
        node = cx.builder.select_or(a.node, b.node, name=name)
        return Sel(node, a.bos_row_only and b.bos_row_only)
    if isinstance(a, Sel) or isinstance(b, Sel):
        where = right if isinstance(a, Sel) else left
        raise cx.error(where, f"'{op}' cannot combine a selector with an s-op")
    return combine(
        cx,
        [as_expr(cx, a, left), as_expr(cx, b, right)],
        BINOPS[op],
        "categorical",
        t,
        naming.binary(op, a, b),
    )


def and_(tr, t, env):
    return _selector_op(tr, t, env, "and")


def or_(tr, t, env):
    return _selector_op(tr, t, env, "or")


def not_(tr, t, env):
    cx = tr.cx
    (x,) = t.children
    a = tr.expr(x, env)
    stem = naming.joined("not", a)
    if isinstance(a, Sel):
        node = cx.builder.select_not(a.node, name=cx.fresh(None, stem or "select_not"))
        if cx.model:
            return Sel(node)
        # RASP's `not` leaves BOS apart: the negation among the real positions.
        node = cx.builder.select_and(
            node, bos.same_side(cx), name=cx.fresh(None, stem or "select_not")
        )
        return Sel(node, True)
    return combine(cx, [as_expr(cx, a, x)], strict(lambda v: not v), "categorical", t, stem)


def in_(tr, t, env):
    left, right = t.children
    a = tr.operand(left, env, "in")
    container = tr.expr(right, env)
    if a.is_const and compile_time.is_sop(container):
        # RASP's `atom in s-op`: True everywhere when some position holds the atom.
        return tr.apply(library.sugar()["atom_in"], [container, a], t)
    if not isinstance(container, ConstList) or not all(map(compile_time.is_atom, container.values)):
        raise tr.cx.error(
            right, "'in' needs a list of constants or an s-op on its right, like [1, 2, 3]"
        )
    members = {dict_key(c) for c in container.values}
    return combine(tr.cx, [a], strict(lambda v: dict_key(v) in members), "categorical", t)


def cond(tr, t, env):
    cx = tr.cx
    res1, cond, res2 = t.children
    a = tr.operand(res1, env, "if")
    c = tr.operand(cond, env, "if")
    b = tr.operand(res2, env, "else")
    kind = "numerical" if "numerical" in (a.kind, b.kind) else "categorical"
    pick = lambda cv, av, bv: None if cv is None else av if cv else bv  # noqa: E731
    distinct = []
    for e in (c, a, b):
        for x in e.args:
            if not any(x is y for y in distinct):
                distinct.append(x)
    if len(distinct) <= 2:
        return combine(cx, [c, a, b], pick, kind, t, naming.joined("if", c))
    # Three different s-ops: first (c, a) -> a where c holds, a marker where it does not,
    # then (that, b) -> b in place of the marker. None anywhere gives None.
    cs = materialize(cx, c, cond)
    as_ = materialize(cx, a, res1, kind=kind)
    bs = materialize(cx, b, res2, kind=kind)
    taken = {repr(as_.decode(v)) for v in cx.values(as_.node)}
    marker = "<else>"
    while repr(marker) in taken:
        marker = "<" + marker + ">"
    first = combine(
        cx,
        [as_expr(cx, cs, cond), as_expr(cx, as_, res1)],
        lambda cv, av: None if cv is None else av if cv else marker,
        "categorical",
        t,
    )
    fs = materialize(cx, first, t, kind="categorical", hint="if_then")
    cx.located.pop(fs.node, None)  # its marker beside values is tpc's, not the program's
    return Expr(
        (fs, bs),
        lambda fv, bv: bv if isinstance(fv, str) and fv == marker else fv,
        kind,
        label=naming.joined("if", c),
        where=t,
    )
