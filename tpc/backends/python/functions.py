"""The named functions emitted for nodes that compute per value: maps (a table or a constant),
select predicates (a comparison, a key test or a table) and readouts (float32 scores)."""

from __future__ import annotations

import libcst as cst
from libcst.helpers import parse_template_expression, parse_template_statement

from tpc.backends.python import float32
from tpc.backends.python.layout import WIDTH, container, dedup, value
from tpc.ir import COMPARISONS, Map, Readout, Select, SequenceMap, linear_weights, sort_key


def _returns(expr: cst.BaseExpression) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Return(expr)])


def map_function(em, node: Map | SequenceMap) -> str:
    """A function of the node's input values: a table lookup, or its one value."""
    is_seq = isinstance(node, SequenceMap)
    params = em.params(node.inputs)
    kind = "sequence_map" if is_seq else "map"
    fn = em.names.fresh(f"{node.name}_fn" if node.name.startswith(("map", "sequence_map")) else f"{kind}_{node.name}")
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
        em.function(fn, params, [_returns(value(const))], f"The same value for {what}.")
        return fn
    name = fn.upper()
    if not is_seq:
        table = em.table_literal(xs, lambda x, d: value(node.table[x]), 0, WIDTH - len(name) - 3)
        em.function(fn, params, [_returns(em.lookup(em.constant(name, table), xs, params[0]))])
        return fn
    table = em.table_literal(
        xs, lambda x, d: em.table_literal(
            ys, lambda y, _: value(node.table[(x, y)]), d, WIDTH - 4 * d - len(repr(x)) - 3),
        0, WIDTH - len(name) - 3,
    )
    t = em.constant(name, table)
    em.function(fn, params, [_returns(em.lookup(em.lookup(t, xs, params[0]), ys, params[1]))])
    return fn


def predicate_function(em, node: Select) -> str:
    """`fn(key, query) -> bool`, exactly the node's predicate over the values that can occur."""
    qs, ks = em.values(node.queries), em.values(node.keys)
    fn = em.names.fresh(f"predicate_{node.name}")
    selects = {(sort_key(q), sort_key(k)): (q, k) in node.predicate for q in qs for k in ks}
    body = comparison_body(node.predicate.op, qs, ks, selects)
    if body is not None:
        em.function(fn, ["key", "query"], body)
        return fn
    picked_by = [frozenset(sort_key(k) for k in ks if selects[(sort_key(q), sort_key(k))]) for q in qs]
    if qs and len(set(picked_by)) == 1:
        # Every query selects the same keys: the predicate only looks at the key.
        keys = [k for k in ks if sort_key(k) in picked_by[0]]
        if len(keys) == 1:
            expr = cst.Comparison(cst.Name("key"), [cst.ComparisonTarget(cst.Equal(), value(keys[0]))])
        else:
            some = container("set", dedup(keys), 1, WIDTH - 24)
            expr = cst.Comparison(cst.Name("key"), [cst.ComparisonTarget(cst.In(), some)])
        em.function(fn, ["key", "query"], [_returns(expr)])
        return fn
    # A table: query value -> the key values it selects.
    matches = {}
    for q in qs:
        picked = [k for k in ks if selects[(sort_key(q), sort_key(k))]]
        if picked and not any(q == other for other in matches):
            matches[q] = picked
    rows = [(value(q), container("set", dedup(ks_), 1, WIDTH - 12)) for q, ks_ in matches.items()]
    name = fn.upper()
    table = em.constant(name, container("dict", rows, 0, WIDTH - len(name) - 3))  # query -> keys
    em.function(fn, ["key", "query"], [parse_template_statement("return key in {t}.get(query, ())", t=table)])
    return fn


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
        body.append(parse_template_statement(
            "if key is None or query is None:\n    return key is None and query is None\n"))
    if op in ("true", "false"):
        body.append(_returns(cst.Name("True" if op == "true" else "False")))
        return body
    ret = _returns(parse_template_expression(f"key {op} query"))
    if not raises:
        return [*body, ret]
    body.append(cst.Try(
        cst.IndentedBlock([ret]),
        handlers=[cst.ExceptHandler(
            cst.IndentedBlock([_returns(cst.Name("False"))]), type=cst.Name("TypeError"), leading_lines=[],
        )],
        leading_lines=[cst.EmptyLine(comment=cst.Comment("# values of different kinds never compare"))],
    ))
    return body


def readout_function(em, node: Readout) -> str:
    """The class with the best float32 total: bias, then each term's row added in order."""
    fn = em.names.fresh(f"{node.name}_fn" if node.name.startswith("readout") else f"readout_{node.name}")
    params = em.params(node.terms)
    stem = fn.upper()
    classes = container("tuple", [value(c) for c in node.classes], 1, WIDTH - 30)
    bias = em.constant(f"{stem}_BIAS", float32.scores(
        lambda score: container("tuple", [score(b) for b in node.bias], 0, WIDTH - len(stem) - 17)))
    rows = []
    for term, table, param in zip(node.terms, node.scores, params):
        vals = em.values(term)
        w = linear_weights(vals, table)
        if w is not None:  # a numerical term: value * weight, as the model scores it
            weights = em.constant(f"{stem}_{param}_WEIGHTS", float32.scores(
                lambda score, w=w: container(
                    "tuple", [score(x) for x in w], 0, WIDTH - len(stem) - len(param) - 22)))
            rows.append(em.call("scaled", param, weights))
        else:
            lit = em.constant(f"{stem}_{param}", float32.scores(lambda score, vals=vals, table=table: em.table_literal(
                vals, lambda x, d: container("tuple", [score(s) for s in table[x]], d, WIDTH - 4 * d - len(repr(x)) - 3),
                0, WIDTH - len(stem) - len(param) - 14,
            )))
            rows.append(em.lookup(lit, vals, param))
    body = [parse_template_statement("scores = {b}", b=bias)]
    if rows:
        body.append(cst.For(
            target=cst.Name("row"), iter=cst.Tuple([cst.Element(r) for r in rows]),
            body=cst.IndentedBlock([parse_template_statement("scores = add_scores(scores, row)")]),
        ))
    if node.pooled:  # run_all pools the positions' scores (pooled_class)
        body.append(parse_template_statement("return scores"))
        em.function(fn, params, body, "One position's class scores: the bias, then each term's row "
                                      "added in float32, in order.")
        return fn
    body.append(parse_template_statement("return {c}[scores.index(max(scores))]", c=classes))
    em.function(fn, params, body, "Add the class scores in float32, bias first, then each term in "
                                  "order; the first best class wins.")
    return fn
