"""The named functions emitted for nodes that compute per value: maps (a table or a constant),
select predicates (a comparison, a key test or a table) and readouts (float32 scores)."""

from __future__ import annotations

import libcst as cst
from libcst.helpers import parse_template_expression, parse_template_statement

from tpc.backends.python import float32
from tpc.backends.python.intervals import MAX_RULES, chain, grid_rules, returns
from tpc.backends.python.layout import WIDTH, container, dedup, value
from tpc.ir import (
    COMPARISONS,
    Map,
    Readout,
    Select,
    SequenceMap,
    is_number,
    linear_weights,
    sort_key,
)
from tpc.ir.rules import function_of, ordered, two_runs


def _grouped(subject: str, outs: dict) -> list | None:
    """`if subject in {...}: return out` per output but the commonest, which is the fallback;
    None when that is not shorter than a table."""
    groups: dict = {}
    for k, o in outs.items():
        groups.setdefault(sort_key(o), (o, []))[1].append(k)
    if len(groups) > MAX_RULES or len(groups) * 3 > len(outs):
        return None
    ordered_groups = sorted(groups.values(), key=lambda g: -len(g[1]))
    body = []
    for o, keys in ordered_groups[1:]:
        test = (
            cst.Comparison(cst.Name(subject), [cst.ComparisonTarget(cst.Equal(), value(keys[0]))])
            if len(keys) == 1
            else cst.Comparison(
                cst.Name(subject),
                [cst.ComparisonTarget(cst.In(), container("set", dedup(keys), 1, WIDTH - 30))],
            )
        )
        body.append(
            cst.If(test, cst.SimpleStatementSuite([cst.Return(value(o))]), leading_lines=[])
        )
    return [*body, returns(value(ordered_groups[0][0]))]


MAX_EXCEPTIONS = 3  # most special cases an identity map printed as one has


def _same(a, b) -> bool:
    return sort_key(a) == sort_key(b)


def _test(subject: str, v) -> cst.BaseExpression:
    """`subject == v` (`is None` for None)."""
    if v is None:
        return cst.Comparison(cst.Name(subject), [cst.ComparisonTarget(cst.Is(), cst.Name("None"))])
    return cst.Comparison(cst.Name(subject), [cst.ComparisonTarget(cst.Equal(), value(v))])


def _apart(values) -> bool:
    """No two of `values` are == in Python without being the same value (True and 1)."""
    return all(not (a == b) or _same(a, b) for i, a in enumerate(values) for b in values[:i])


def _identity_except(node, params, xs, ys) -> list | None:
    """`if other == c: return out` for a few special values, then `return x`: a map that
    passes one input through except on a few values of it (or of the other input) that give
    one output each (tokens with BOS read as None: `if tokens == '<s>': return None`)."""
    if ys is None:
        grid = {0: [(x, [(x, node.table[x])]) for x in xs]}
    else:  # (value of the other input, its row of (passed input, output)); lists: True and 1 differ
        grid = {
            1: [(y, [(x, node.table[(x, y)]) for x in xs]) for y in ys],  # pass x, except on some y
            0: [(x, [(y, node.table[(x, y)]) for y in ys]) for x in xs],
        }  # pass y, except on some x
    for other, rows in grid.items():
        if not _apart([v for v, _ in rows]):
            continue
        special = []
        for v, row in rows:
            if any(not _same(passed, out) for passed, out in row):
                if any(not _same(out, row[0][1]) for _, out in row):
                    break  # not one output for this value
                special.append((v, row[0][1]))
        else:
            if special and len(special) <= MAX_EXCEPTIONS and len(special) < len(rows):
                passed = params[0] if ys is None else params[1 - other]
                return [
                    *[
                        cst.If(
                            _test(params[other] if ys is not None else params[0], v),
                            cst.SimpleStatementSuite([cst.Return(value(o))]),
                            leading_lines=[],
                        )
                        for v, o in special
                    ],
                    returns(cst.Name(passed)),
                ]
    return None


def _rules(node, params, xs, ys) -> list | None:
    """The map's function body as rules (an identity with exceptions, intervals, or groups
    by output), or None."""
    body = _identity_except(node, params, xs, ys)
    if body is not None:
        return body
    if ys is None:
        if ordered(xs):
            return chain(params[0], [(x, node.table[x]) for x in xs])
        if all(not isinstance(x, tuple) for x in xs):
            return _grouped(params[0], {x: node.table[x] for x in xs})
        return None
    rule = function_of(((x, y), node.table[(x, y)]) for x in xs for y in ys)
    if rule is None:
        return grid_rules(params, xs, ys, lambda x, y: node.table[(x, y)])
    name, outs = rule
    subject = name.replace("x", params[0]).replace("y", params[1])
    if " " not in subject:
        return chain(subject, list(outs.items()))
    body = chain("v", list(outs.items()))
    return None if body is None else [parse_template_statement(f"v = {subject}\n"), *body]


def map_function(em, node: Map | SequenceMap) -> str:
    """A function of the node's input values: a table lookup, or its one value."""
    is_seq = isinstance(node, SequenceMap)
    params = em.params(node.inputs)
    kind = "sequence_map" if is_seq else "map"
    fn = em.names.fresh(
        f"{node.name}_fn"
        if node.name.startswith(("map", "sequence_map"))
        else f"{kind}_{node.name}"
    )
    xs = em.values(node.x)
    if is_seq:
        ys = em.values(node.y)
        outs = {(sort_key(x), sort_key(y)): node.table[(x, y)] for x in xs for y in ys}
    else:
        outs = {sort_key(x): node.table[x] for x in xs}
    distinct = {sort_key(o): o for o in outs.values()}
    if len(distinct) <= 1:
        const = next(iter(distinct.values())) if distinct else None
        what = "every input" if len(distinct) == 1 else "no input (it never runs)"
        return em.function(fn, params, [returns(value(const))], f"The same value for {what}.")
    rules = _rules(node, params, xs, ys if is_seq else None)
    if rules is not None:
        return em.function(fn, params, rules)
    name = fn.upper()
    if not is_seq:
        table = em.table_literal(xs, lambda x, d: value(node.table[x]), 0, WIDTH - len(name) - 3)
        return em.function(
            fn, params, [returns(em.lookup(em.constant(name, table), xs, params[0]))]
        )
    split = two_runs(xs, ys, lambda x, y: node.table[(x, y)])
    if split is not None:
        return _thresholds(em, fn, name, params, xs, split)
    if _exceptions_are_shorter(node, xs, ys):
        return _rows_with_defaults(em, node, fn, name, params, xs, ys)
    table = em.table_literal(
        xs,
        lambda x, d: em.table_literal(
            ys, lambda y, _: value(node.table[(x, y)]), d, WIDTH - 4 * d - len(repr(x)) - 3
        ),
        0,
        WIDTH - len(name) - 3,
    )
    t = em.constant(name, table)
    return em.function(fn, params, [returns(em.lookup(em.lookup(t, xs, params[0]), ys, params[1]))])


def _row_default(node, x, ys):
    return _commonest([node.table[(x, y)] for y in ys])


def _commonest(outs: list):
    counts: dict = {}
    for o in outs:
        counts[sort_key(o)] = counts.get(sort_key(o), 0) + 1
    return max(outs, key=lambda o: counts[sort_key(o)])


def _exceptions_are_shorter(node, xs, ys) -> bool:
    """Rows as (default, {exceptions}) take fewer entries than the full table."""
    if any(isinstance(y, bool) for y in ys):
        return False
    exceptions = 0
    for x in xs:  # each row's default once: per entry, it made this cubic in the value sets
        default = sort_key(_row_default(node, x, ys))
        exceptions += sum(sort_key(node.table[(x, y)]) != default for y in ys)
    return exceptions + len(xs) < len(xs) * len(ys) // 2


def _rows_with_defaults(em, node, fn, name, params, xs, ys) -> str:
    """Each row of x as (its commonest output, {y: output where it differs})."""

    def row(x, d):
        default = _row_default(node, x, ys)
        rest = [
            (value(y), value(node.table[(x, y)]))
            for y in ys
            if sort_key(node.table[(x, y)]) != sort_key(default)
        ]
        return cst.Tuple(
            [cst.Element(value(default)), cst.Element(container("dict", rest, d + 1, WIDTH - 20))]
        )

    t = em.constant(name, em.table_literal(xs, row, 0, WIDTH - len(name) - 3))
    body = [
        parse_template_statement("default, differs = {r}\n", r=em.lookup(t, xs, params[0])),
        parse_template_statement(f"return differs.get({params[1]}, default)\n"),
    ]
    return em.function(
        fn, params, body, f"Each {params[0]}: the usual output, and where {params[1]} changes it."
    )


def _thresholds(em, fn, name, params, xs, split) -> str:
    """Each row of x as (its output up to a last y, that y, its output after)."""
    t = em.constant(
        name,
        em.table_literal(
            xs,
            lambda x, d: cst.Tuple([cst.Element(value(v)) for v in split[x]]),
            0,
            WIDTH - len(name) - 3,
        ),
    )
    body = [
        parse_template_statement("low, last, high = {r}\n", r=em.lookup(t, xs, params[0])),
        returns(parse_template_expression(f"low if {params[1]} <= last else high")),
    ]
    return em.function(
        fn, params, body, f"Each {params[0]}: the output up to a last {params[1]}, and after it."
    )


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


def _whole(node: Readout, values) -> bool:
    """Every score is a whole number and no sum of them reaches 2**24: float32 adds them
    exactly, in any order, so plain integer addition gives the same totals."""
    rows = [[*node.bias]] + [list(r) for t in node.scores for r in t.outputs()]
    numbers = [v for vs in values for v in vs if is_number(v)]
    if not all(float(x).is_integer() for r in rows for x in r) or not all(
        float(v).is_integer() for v in numbers
    ):
        return False
    largest = sum(max(abs(x) for r in t.outputs() for x in r) for t in node.scores) + max(
        map(abs, node.bias)
    )
    return largest < 2**24


def readout_function(em, node: Readout) -> str:
    """The class with the best float32 total: bias, then each term's row added in order."""
    fn = em.names.fresh(
        f"{node.name}_fn" if node.name.startswith("readout") else f"readout_{node.name}"
    )
    params = em.params(node.terms)
    stem = "SCORES" if node.name == "readout" else f"SCORES_{node.name.upper()}"
    whole = _whole(node, [em.values(t) for t in node.terms])
    classes = container("tuple", [value(c) for c in node.classes], 1, WIDTH - 30)

    def scores(build):
        return build(lambda x: value(int(x))) if whole else float32.scores(build)

    if any(node.bias):
        bias = em.constant(
            f"{stem}_BIAS",
            scores(
                lambda score: container(
                    "tuple", [score(b) for b in node.bias], 0, WIDTH - len(stem) - 17
                )
            ),
        )
    else:  # no bias: start from zeros (0.0 and -0.0 add and compare alike)
        bias = parse_template_expression(f"(0,) * {len(node.bias)}")
    rows = []
    for term, table, param in zip(node.terms, node.scores, params):
        vals = em.values(term)
        w = linear_weights(vals, table)
        if w is not None:  # a numerical term: value * weight, as the model scores it
            weights = em.constant(
                f"{stem}_{param}_WEIGHTS",
                scores(
                    lambda score, w=w: container(
                        "tuple", [score(x) for x in w], 0, WIDTH - len(stem) - len(param) - 22
                    )
                ),
            )
            rows.append(
                parse_template_expression(f"[{param} * w for w in {{w}}]", w=weights)
                if whole
                else em.call("scaled", param, weights)
            )
        else:
            lit = em.constant(
                f"{stem}_{param}",
                scores(
                    lambda score, vals=vals, table=table: em.table_literal(
                        vals,
                        lambda x, d: container(
                            "tuple",
                            [score(s) for s in table[x]],
                            d,
                            WIDTH - 4 * d - len(repr(x)) - 3,
                        ),
                        0,
                        WIDTH - len(stem) - len(param) - 14,
                    )
                ),
            )
            rows.append(em.lookup(lit, vals, param))
    if whole:
        body = [
            parse_template_statement(
                "rows = {r}", r=container("tuple", [bias, *rows], 0, WIDTH - 11)
            ),
            parse_template_statement("scores = [sum(column) for column in zip(*rows)]"),
        ]
        text = "Whole-number class scores, added exactly as float32 does"
    else:
        body = [parse_template_statement("scores = {b}", b=bias)]
        if rows:
            body.append(
                cst.For(
                    target=cst.Name("row"),
                    iter=container("tuple", rows, 0, WIDTH - 20),
                    body=cst.IndentedBlock(
                        [parse_template_statement("scores = add_scores(scores, row)")]
                    ),
                )
            )
        text = "Class scores added in float32, bias first, then each term"
    if node.pooled:  # run_all pools the positions' scores (pooled_class)
        body.append(parse_template_statement("return scores"))
        return em.function(fn, params, body, f"{text}; run_all pools them.")
    body.append(parse_template_statement("return {c}[scores.index(max(scores))]", c=classes))
    return em.function(fn, params, body, f"{text}; the first best wins.")
