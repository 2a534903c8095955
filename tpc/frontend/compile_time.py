"""RASP's compile-time values and control flow: lists, dicts, strings and tuples that are
known while the program is built, indexing them, `for` loops and comprehensions over them,
several names assigned at once, `range`, `len` and `zip`. They run as the program is
translated; the IR they leave behind is a fixed graph of s-ops."""

from __future__ import annotations

from tpc.frontend import library
from tpc.frontend.fusion import as_expr, combine
from tpc.frontend.values import (
    ConstDict,
    ConstList,
    Expr,
    Func,
    Multi,
    Sel,
    SOp,
    const,
    dict_key,
    strict,
)
from tpc.ir import is_number

MAX_ITERATIONS = 10_000  # a loop or comprehension longer than this is refused


def constant_value(tr, v, where):
    """The Python value of a compile-time value (a list, dict or scalar), else an error."""
    if isinstance(v, ConstList):
        return list(v.values)
    if isinstance(v, ConstDict):
        return {k: constant_value(tr, x, where) for k, x in v.items.items()}
    if isinstance(v, Expr) and v.is_const:
        return v.const()
    raise tr.cx.error(
        where, "a value known before the input (a constant, list or dict) is needed here"
    )


def element(v):
    """What a list holds for the value `v`: a constant as its Python value, a list as a Python
    list, anything else (an s-op, selector, dict or function) as itself."""
    if isinstance(v, Expr) and v.is_const:
        return v.const()
    if isinstance(v, ConstList):
        return list(v.values)
    if isinstance(v, Multi):
        return [element(x) for x in v.values]
    return v


def wrap(value):
    """A Python value (or a list's element) as a compile-time value."""
    if isinstance(value, (Expr, SOp, Sel, ConstDict, ConstList, Func)):
        return value
    if isinstance(value, list):
        return ConstList(value)
    if isinstance(value, dict):
        return ConstDict({k: wrap(v) for k, v in value.items()})
    return const(value)


def items(tr, t, env):
    """The values a loop or comprehension runs over (a dict: its keys; a string: its letters)."""
    v = tr.expr(t, env)
    value = list(v.items) if isinstance(v, ConstDict) else constant_value(tr, v, t)
    if isinstance(value, (list, dict, str, tuple)):
        out = list(value)
        if len(out) > MAX_ITERATIONS:
            raise tr.cx.error(t, f"more than {MAX_ITERATIONS} iterations")
        return out
    raise tr.cx.error(t, "a loop runs over a list, a dict or a string")


def bind(tr, names, value, env, where):
    """Assign `value` to `names` (several names take the parts of a list or tuple)."""
    if len(names) == 1:
        env[str(names[0])] = value
        return
    parts = value.values if isinstance(value, (Multi, ConstList)) else None
    if isinstance(value, Expr) and value.is_const and isinstance(value.const(), (list, tuple, str)):
        parts = [wrap(p) for p in value.const()]
    if parts is None or len(parts) != len(names):
        count = "no parts" if parts is None else f"{len(parts)} parts"
        raise tr.cx.error(where, f"{len(names)} names, but the value has {count}")
    for n, p in zip(names, parts):
        env[str(n)] = (
            wrap(p)
            if not isinstance(p, (Expr, ConstList, ConstDict)) and not hasattr(p, "node")
            else p
        )


def for_loop(tr, stmt, env, top):
    _for, *rest = stmt.children
    names = [c for c in rest if getattr(c, "type", None) == "NAME"]
    iterable = rest[len(names)]
    body = rest[len(names) + 1 :]
    for value in items(tr, iterable, env):
        bind(tr, names, wrap(value), env, stmt)
        for s in body:
            tr.statement(s, env, top)


def multi_assign(tr, stmt, env, top):
    names = [c for c in stmt.children if getattr(c, "type", None) == "NAME"]
    exprs = stmt.children[len(names) :]
    values = [tr.expr(e, env) for e in exprs]
    bind(tr, names, values[0] if len(values) == 1 else Multi(values), env, stmt)


def dict_literal(tr, t, env):
    out = {}
    for row in t.children[0].children if t.children and t.children[0] is not None else []:
        if row is None:
            continue
        k, v = row.children
        out[constant_value(tr, tr.expr(k, env), k)] = tr.expr(v, env)  # values may be s-ops
    return ConstDict(out)


def is_sop(v) -> bool:
    """Whether `v` is an s-op (a value that depends on the input)."""
    return isinstance(v, SOp) or isinstance(v, Expr) and not v.is_const


def is_atom(v) -> bool:
    """Whether a list element is a single constant (no list, dict, s-op or selector)."""
    return v is None or isinstance(v, (bool, str)) or is_number(v)


def index(tr, t, env):
    base_t, key_t = t.children
    base, key = tr.expr(base_t, env), tr.expr(key_t, env)
    if is_sop(base):  # RASP's s[i]: the value at position i (from the end when i < 0)
        i = key.const() if isinstance(key, Expr) and key.is_const else None
        if not isinstance(i, int) or isinstance(i, bool):
            raise tr.cx.error(key_t, "an s-op is indexed by a constant integer")
        name = "index_from_start" if i >= 0 else "index_from_end"
        return tr.apply(library.sugar()[name], [base, key], t)
    if isinstance(base, ConstDict) and isinstance(key, Expr) and key.is_const:
        if key.const() not in base.items:
            raise tr.cx.error(key_t, f"cannot index: no key {key.const()!r}")
        return base.items[key.const()]
    container = constant_value(tr, base, base_t)
    if isinstance(key, Expr) and key.is_const:
        try:
            return wrap(container[key.const()])
        except (KeyError, IndexError, TypeError) as err:
            raise tr.cx.error(key_t, f"cannot index: {err}") from None
    if not isinstance(container, dict):
        raise tr.cx.error(key_t, "an s-op can only index a dict")
    table = {dict_key(k): v for k, v in container.items()}
    lookup = strict(lambda v: table[dict_key(v)], "lookup")
    return combine(tr.cx, [as_expr(tr.cx, key, key_t)], lookup, "categorical", t)


def list_comprehension(tr, t, env):
    value_t, _for, *rest = t.children
    names = [c for c in rest if getattr(c, "type", None) == "NAME"]
    iterable = rest[len(names)]
    out = []
    for value in items(tr, iterable, env):
        local = dict(env)
        bind(tr, names, wrap(value), local, t)
        out.append(element(tr.expr(value_t, local)))
    return ConstList(out)


def dict_comprehension(tr, t, env):
    key_t, value_t, _for, *rest = t.children
    names = [c for c in rest if getattr(c, "type", None) == "NAME"]
    iterable = rest[len(names)]
    out = {}
    for value in items(tr, iterable, env):
        local = dict(env)
        bind(tr, names, wrap(value), local, t)
        out[constant_value(tr, tr.expr(key_t, local), key_t)] = tr.expr(value_t, local)
    return ConstDict(out)


def _constants(tr, args, env):
    return [constant_value(tr, tr.expr(a, env), a) for a in args]


def range_(tr, t, args, kwargs, env):
    try:
        values = list(range(*_constants(tr, args, env)))
    except (TypeError, ValueError) as err:
        raise tr.cx.error(t, f"range: {err}") from None
    return ConstList(values)


def len_(tr, t, args, kwargs, env):
    (value,) = _constants(tr, args, env) if len(args) == 1 else (None,)
    if not isinstance(value, (list, dict, str)):
        raise tr.cx.error(t, "len() takes one list, dict or string")
    return const(len(value))


def zip_(tr, t, args, kwargs, env):
    return ConstList([list(p) for p in zip(*_constants(tr, args, env))])


BUILTINS = {"range": range_, "len": len_, "zip": zip_}
