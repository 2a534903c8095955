"""RASP's built-in functions: `BUILTINS` maps each name to its translation, called as
`fn(tr, t, args, kwargs, env)` with the translator, the call's tree, its positional argument
trees, its keyword arguments (name -> (tree, name token)) and the scope it is called in."""

from __future__ import annotations

import lark

from tpc.frontend import bos, compile_time, naming
from tpc.frontend.fusion import as_expr, combine, materialize, plain
from tpc.frontend.values import Expr, Func, Sel, SOp, const, rasp_round, strict, to_number
from tpc.ir import REDUCTIONS, is_number


def _arity(tr, t, name, args, kwargs, lo, hi, allowed=()):
    for k, (_, tok) in kwargs.items():
        if k not in allowed:
            raise tr.cx.error(tok, f"{name}() has no argument '{k}'")
    if not lo <= len(args) <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise tr.cx.error(
            t, f"{name}() takes {want} argument{'s' if hi != 1 else ''}, got {len(args)}"
        )


def aggregate(tr, t, args, kwargs, env, force_kind=None):
    cx = tr.cx
    _arity(tr, t, "aggregate", args, kwargs, 2, 3, ("default", "reduce"))
    sel = tr.expr(args[0], env)
    if not isinstance(sel, Sel):
        raise cx.error(args[0], "aggregate's first argument must be a selector")
    vals = tr.expr(args[1], env)
    if isinstance(vals, Sel):
        raise cx.error(
            args[1], "cannot aggregate a selector: aggregate's second argument must be an s-op"
        )
    default = None
    if len(args) == 3 and "default" in kwargs:
        raise cx.error(kwargs["default"][1], "default given twice")
    if len(args) == 3:
        default = tr.const_arg(args[2], env, "aggregate's default")
    elif "default" in kwargs:
        default = tr.const_arg(kwargs["default"][0], env, "aggregate's default")
    reduce = None
    if "reduce" in kwargs:
        reduce = tr.const_arg(kwargs["reduce"][0], env, "reduce")
        if reduce not in REDUCTIONS:
            raise cx.error(kwargs["reduce"][0], 'reduce must be "nearest", "mean" or "sum"')
    e = as_expr(cx, vals, args[1])
    if force_kind is None and reduce is None and not cx.model:
        # RASP's rule: numbers are averaged (one selected value is its own mean), anything
        # else keeps the selected value; nothing selected gives the default, else 0.
        kind = "numerical" if _all_numbers(cx, e, args[1]) else "categorical"
        default = 0 if default is None else default
    else:
        kind = force_kind or (
            "categorical"
            if reduce == "nearest"
            else "numerical"
            if reduce in ("mean", "sum")
            else e.kind
        )
    if (
        reduce == "nearest"
        and kind == "numerical"
        or reduce in ("mean", "sum")
        and kind == "categorical"
    ):
        raise cx.error(
            t,
            f"a {reduce} aggregate needs "
            f"{'categorical' if reduce == 'nearest' else 'numerical'} values",
        )
    reduce = reduce or ("nearest" if kind == "categorical" else "mean")
    s = materialize(cx, e, args[1], kind=kind)
    if kind == "numerical" and default is not None and not is_number(to_number(default)):
        raise cx.error(
            args[2] if len(args) == 3 else kwargs["default"][0],
            "a numerical aggregate's default must be a number",
        )
    if kind == "numerical" and default is not None:
        default = to_number(default)
    # `mean_opens`, `tokens_at_prev`: the values, and for a nearest value the selector.
    stem = naming.joined(vals, "at", sel) if reduce == "nearest" else None
    name = cx.fresh(None, stem or naming.joined(reduce, vals) or "aggregate")
    if cx.model or kind == "numerical":
        node = cx.builder.aggregate(sel.node, s.node, reduce=reduce, default=default, name=name)
        cx.record(node, [], t, {})
        # A sum or mean for one input holds the values it takes there (tpc.frontend.witness).
        return SOp(node, kind, complete=s.complete and (reduce == "nearest" or cx.witness is None))
    if default is not None and s.dec is not None:
        s = plain(cx, s, args[1])
    s = bos.fixed(cx, s)
    node = cx.builder.aggregate(sel.node, s.node, reduce=reduce, default=default, name=name)
    cx.record(node, [], t, {})
    return SOp(
        node,
        kind,
        s.dec,
        s.bos_none and sel.bos_row_only and default is None,
        default is None or s.real_none,
        s.complete,
    )


def _all_numbers(cx, e: Expr, where) -> bool:
    """True when every value `e` can take (None aside) is a number, not a boolean."""
    if e.kind == "numerical":
        return True
    s = materialize(cx, e, where)
    values = [s.decode(v) for v in cx.values(s.node)]
    numbers = all(is_number(v) and not isinstance(v, bool) for v in values if v is not None)
    if numbers and not s.complete:  # other inputs of the domain might give it a non-number
        raise cx.error(
            where,
            "tpc run builds the program for this one input and cannot tell whether this "
            "aggregate's values are always numbers (averaged) or not (the nearest kept): "
            "write numerical(aggregate(...)) or categorical(aggregate(...))",
        )
    return numbers


def selector_width(tr, t, args, kwargs, env):
    _arity(tr, t, "selector_width", args, kwargs, 1, 1)
    sel = tr.expr(args[0], env)
    if not isinstance(sel, Sel):
        raise tr.cx.error(args[0], "selector_width's argument must be a selector")
    name = tr.cx.fresh(None, naming.joined("n", sel) or "selector_width")
    return SOp(tr.cx.builder.selector_width(sel.node, name=name), "categorical")


def indicator(tr, t, args, kwargs, env):
    _arity(tr, t, "indicator", args, kwargs, 1, 1)
    a = tr.operand(args[0], env, "indicator")
    return combine(tr.cx, [a], strict(lambda v: 1 if v else 0), "numerical", t, naming.describe(a))


def round_(tr, t, args, kwargs, env):
    _arity(tr, t, "round", args, kwargs, 1, 1)
    a = tr.operand(args[0], env, "round")
    return combine(tr.cx, [a], strict(rasp_round), a.kind, t, naming.joined("round", a))


def _annotate(tr, t, args, kwargs, env, kind):
    """`numerical(x)` / `categorical(x)`: x as an s-op of `kind`; an aggregate or constant
    call inside is built as `kind` directly."""
    _arity(tr, t, kind, args, kwargs, 1, 1)
    inner = args[0]
    if (
        isinstance(inner, lark.Tree)
        and inner.data == "call"
        and str(inner.children[0]) in ("aggregate", "constant")
        and not isinstance(tr.binding(str(inner.children[0]), env), Func)
    ):
        name_tok, *raw = inner.children
        sub_args, sub_kwargs = [], {}
        for r in raw:
            if r is None:
                continue
            if isinstance(r, lark.Tree) and r.data == "kwarg":
                sub_kwargs[str(r.children[0])] = (r.children[1], r.children[0])
            else:
                sub_args.append(r)
        return BUILTINS[str(name_tok)](tr, inner, sub_args, sub_kwargs, env, force_kind=kind)
    v = tr.expr(inner, env)
    if isinstance(v, Sel):
        raise tr.cx.error(inner, f"{kind}() takes an s-op, not a selector")
    e = as_expr(tr.cx, v, inner)
    if e.base is not None and e.base.kind == kind:
        return e
    return Expr(e.args, e.fn, kind, hint=e.hint, label=e.label, where=t)


def numerical(tr, t, args, kwargs, env):
    return _annotate(tr, t, args, kwargs, env, "numerical")


def categorical(tr, t, args, kwargs, env):
    return _annotate(tr, t, args, kwargs, env, "categorical")


def constant(tr, t, args, kwargs, env, force_kind=None):
    _arity(tr, t, "constant", args, kwargs, 1, 1)
    value = tr.const_arg(args[0], env, "constant's argument")
    kind = force_kind or "categorical"
    if kind == "numerical":
        value = to_number(value)
        if not is_number(value):
            raise tr.cx.error(args[0], "a numerical constant must be a number")
    node = tr.cx.builder.constant(
        value, kind, name=tr.cx.fresh(None, naming.joined("const", const(value)) or "constant")
    )
    return SOp(node, kind, None, False, value is None)


BUILTINS = {
    **compile_time.BUILTINS,
    "draw": lambda tr, t, args, kwargs, env: const(None),  # the reference REPL's drawing: no output
    "aggregate": aggregate,
    "selector_width": selector_width,
    "indicator": indicator,
    "round": round_,
    "numerical": numerical,
    "categorical": categorical,
    "constant": constant,
}

# The built-in s-ops, by name: fn(cx, where).
BUILTIN_SOPS = {
    "tokens": lambda cx, where: bos.tokens(cx),
    "indices": lambda cx, where: bos.indices(cx),
    "length": bos.length,
    "ones": lambda cx, where: bos.ones(cx),
}
