"""Keeping BOS out of RASP's view: the built-in s-ops with their decodings (tokens "<s>" ->
None; indices i -> i - 1, BOS -> None), the selector that keeps BOS apart, s-ops whose IR
values are their RASP values, and what a tabulated expression gives at BOS."""

from __future__ import annotations

from tpc.frontend.context import Context
from tpc.frontend.values import Expr, SOp, predicate
from tpc.ir import Predicate, Table, normalize


def tokens(cx: Context) -> SOp:
    if "tokens" not in cx.cache:
        node = cx.builder.tokens()
        bos = cx.domain.bos
        if cx.model:
            cx.cache["tokens"] = SOp(node, "categorical")
        else:
            cx.cache["tokens"] = SOp(
                node, "categorical", lambda v: None if v == bos else v, True, False
            )
    return cx.cache["tokens"]


def indices(cx: Context) -> SOp:
    if "indices" not in cx.cache:
        node = cx.builder.indices()
        if cx.model:
            cx.cache["indices"] = SOp(node, "categorical")
        else:
            cx.cache["indices"] = SOp(
                node, "categorical", lambda i: None if i == 0 else i - 1, True, False
            )
    return cx.cache["indices"]


def ones(cx: Context) -> SOp:
    if "ones" not in cx.cache:
        cx.cache["ones"] = SOp(cx.builder.ones(), "numerical")
    return cx.cache["ones"]


def length(cx: Context, where) -> SOp:
    if cx.model:
        raise cx.error(where, "'length' is not available in model mode")
    if "length" not in cx.cache:
        t = tokens(cx)
        pred = predicate("true", None, t, t, cx.values(t.node), cx.values(t.node))
        sel = cx.builder.select(t.node, t.node, pred, name=cx.fresh("all_tokens", "select"))
        node = cx.builder.selector_width(sel, name=cx.fresh("length", "length"))
        cx.cache["length"] = SOp(node, "categorical")
    return cx.cache["length"]


def same_side(cx: Context) -> str:
    """Selector: the BOS query selects only BOS; real queries select only real keys."""
    if "same_side" not in cx.cache:
        i = cx.builder.indices()
        at_bos = Table([(v, v == 0) for v in cx.values(i)])
        pred = Predicate.comparison("==", at_bos, at_bos)
        cx.cache["same_side"] = cx.builder.select(i, i, pred, name=cx.fresh("not_bos", "select"))
    return cx.cache["same_side"]


def fixed(cx: Context, s: SOp) -> SOp:
    """`s` as a categorical s-op whose IR values are its RASP values, None at BOS."""
    if s.kind == "categorical" and s.bos_none:
        return s
    key = ("fixed", s.node)
    if key not in cx.cache:
        i = cx.builder.indices()
        table = Table(
            [((v, j), None if j == 0 else normalize(s.decode(v))) for v, j in cx.pairs(s.node, i)]
        )
        node = cx.builder.sequence_map(
            table, s.node, i, "categorical", name=cx.fresh(f"{s.node}_nobos", "map")
        )
        every_pair = len(table) == len(cx.values(s.node)) * len(cx.values(i))
        cx.cache[key] = SOp(node, "categorical", None, True, s.real_none, s.complete and every_pair)
    return cx.cache[key]


def none_at_bos(e: Expr, table: Table) -> bool:
    """True when every row that BOS can reach (each bos_none input at None) gives None."""
    if not any(a.kind == "categorical" and a.bos_none for a in e.args):
        return False
    for key, v in table.rows:
        raw = key if isinstance(key, tuple) else (key,)
        reachable = all(
            a.decode(r) is None
            for a, r in zip(e.args, raw)
            if a.kind == "categorical" and a.bos_none
        )
        if reachable and v is not None:
            return False
    return True


def makes_none(e: Expr, table: Table) -> bool:
    """True when some row gives None from inputs that are all not None."""
    for key, v in table.rows:
        raw = key if isinstance(key, tuple) else (key,)
        if v is None and all(a.decode(r) is not None for a, r in zip(e.args, raw)):
            return True
    return False
