"""The named functions emitted for select predicates: a comparison, a key test or a
table."""

from __future__ import annotations

import libcst as cst
from libcst.helpers import parse_template_expression, parse_template_statement

from tpc.backends.python.intervals import returns
from tpc.backends.python.layout import WIDTH, container, dedup, value
from tpc.ir import (
    COMPARISONS,
    Select,
    sort_key,
)
from tpc.ir.rules import ordered


def predicate_function(em, node: Select) -> str:
    """`fn(key, query) -> bool`, exactly the node's predicate over the values that can occur."""
    qs, ks = em.values(node.queries), em.values(node.keys)
    base = node.name.removesuffix("_select")  # lifted heads: `l0_cat_head0_select`
    fn = em.names.fresh(f"predicate_{base}")
    selects = {(sort_key(q), sort_key(k)): (q, k) in node.predicate for q in qs for k in ks}
    body = comparison_body(node.predicate.op, qs, ks, selects)
    if body is None:
        body = _guarded(qs, ks, selects, (em.p.domain.bos, 0, None))
    if body is not None:
        return em.function(fn, ["key", "query"], body)
    picked_by = [
        frozenset(sort_key(k) for k in ks if selects[(sort_key(q), sort_key(k))]) for q in qs
    ]
    if qs and len(set(picked_by)) == 1:
        # Every query selects the same keys: the predicate only looks at the key.
        keys = [k for k in ks if sort_key(k) in picked_by[0]]
        if len(keys) == 1:
            expr = cst.Comparison(
                cst.Name("key"), [cst.ComparisonTarget(cst.Equal(), value(keys[0]))]
            )
        else:
            some = container("set", dedup(keys), 1, WIDTH - 24)
            expr = cst.Comparison(cst.Name("key"), [cst.ComparisonTarget(cst.In(), some)])
        return em.function(fn, ["key", "query"], [returns(expr)])
    if (
        qs
        and all(sum(selects[(sort_key(q), sort_key(k))] for k in ks) == 1 for q in qs)
        and not any(k is None for k in ks)
    ):
        # Every query selects exactly one key value: a lookup of that value.
        chosen = [next(k for k in ks if selects[(sort_key(q), sort_key(k))]) for q in qs]
        pick = em.constant(
            f"{base}_key",
            em.table_literal(qs, lambda q, d: value(chosen[qs.index(q)]), 0, WIDTH - 30),
        )
        return em.function(
            fn,
            ["key", "query"],
            [
                returns(
                    cst.Comparison(
                        cst.Name("key"),
                        [cst.ComparisonTarget(cst.Equal(), em.lookup(pick, qs, "query"))],
                    )
                )
            ],
        )
    # A table: query value -> the key values it selects.
    matches = {}
    for q in qs:
        picked = [k for k in ks if selects[(sort_key(q), sort_key(k))]]
        if picked and not any(q == other for other in matches):
            matches[q] = picked
    rows = [(value(q), container("set", dedup(ks_), 1, WIDTH - 12)) for q, ks_ in matches.items()]
    name = fn.upper()
    table = em.constant(name, container("dict", rows, 0, WIDTH - len(name) - 3))  # query -> keys
    return em.function(
        fn,
        ["key", "query"],
        [parse_template_statement("return key in {t}.get(query, ())", t=table)],
    )


_NOTHING = object()  # no special value set aside


def _relation(qs, ks, selects) -> list | None:
    """`return key OP query` or `return key == query + c` when that is exact on these values."""
    for op in COMPARISONS:
        body = comparison_body(op, qs, ks, selects)
        if body is not None:
            return body
    if not (ordered(qs) and ordered(ks)) or not all(float(v).is_integer() for v in (*qs, *ks)):
        return None
    for c in range(-len(ks), len(ks) + 1):
        if c and all(selects[(sort_key(q), sort_key(k))] == (k == q + c) for q in qs for k in ks):
            return [
                returns(parse_template_expression(f"key == query {'+' if c > 0 else '-'} {abs(c)}"))
            ]
    return None


def _equals(name: str, v) -> str:
    return f"{name} is None" if v is None else f"{name} == {{{name}}}"


def _guarded(qs, ks, selects, specials) -> list | None:
    """A comparison or offset that holds on every pair but those with a special query or key
    value (BOS, position 0, None: how programs treat BOS), the special pairs written first;
    the shortest such body."""

    def same(a, b):
        return b is not _NOTHING and sort_key(a) == sort_key(b)

    found = []
    for bq in (_NOTHING, *[v for v in specials if any(same(q, v) for q in qs)]):
        for bk in (_NOTHING, *[v for v in specials if any(same(k, v) for k in ks)]):
            rest_q, rest_k = [q for q in qs if not same(q, bq)], [k for k in ks if not same(k, bk)]
            body = _relation(rest_q, rest_k, selects) if rest_q and rest_k else None
            if body is None or (bq is _NOTHING and bk is _NOTHING):
                continue
            pairs = [
                (q, k)
                for q in qs
                for k in ks
                if (same(q, bq) or same(k, bk)) and selects[(sort_key(q), sort_key(k))]
            ]
            holes = {
                name: value(v)
                for name, v in (("query", bq), ("key", bk))
                if v is not _NOTHING and v is not None
            }
            guard = parse_template_expression(
                " or ".join(
                    _equals(name, v)
                    for name, v in (("query", bq), ("key", bk))
                    if v is not _NOTHING
                ),
                **holes,
            )
            if not pairs:
                then = cst.Name("False")
            elif len(pairs) == 1:
                ((q, k),) = pairs
                then = parse_template_expression(
                    f"{_equals('query', q)} and {_equals('key', k)}",
                    **{n: value(v) for n, v in (("query", q), ("key", k)) if v is not None},
                )
            else:
                then = parse_template_expression(
                    "(query, key) in {p}",
                    p=container(
                        "set",
                        [
                            cst.Tuple([cst.Element(value(q)), cst.Element(value(k))])
                            for q, k in pairs
                        ],
                        1,
                        WIDTH - 40,
                    ),
                )
            found.append(
                [
                    cst.If(guard, cst.SimpleStatementSuite([cst.Return(then)]), leading_lines=[]),
                    *body,
                ]
            )
    return min(found, key=lambda b: len(cst.Module(b).code), default=None)


def comparison_body(op, qs, ks, selects) -> list | None:
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
        body.append(
            parse_template_statement(
                "if key is None or query is None:\n    return key is None and query is None\n"
            )
        )
    if op in ("true", "false"):
        body.append(returns(cst.Name("True" if op == "true" else "False")))
        return body
    ret = returns(parse_template_expression(f"key {op} query"))
    if not raises:
        return [*body, ret]
    body.append(
        cst.Try(
            cst.IndentedBlock([ret]),
            handlers=[
                cst.ExceptHandler(
                    cst.IndentedBlock([returns(cst.Name("False"))]),
                    type=cst.Name("TypeError"),
                    leading_lines=[],
                )
            ],
            leading_lines=[
                cst.EmptyLine(comment=cst.Comment("# values of different kinds never compare"))
            ],
        )
    )
    return body
