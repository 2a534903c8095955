"""The named functions emitted for readouts: float32 score tables summed per class."""

from __future__ import annotations

import libcst as cst
from libcst.helpers import parse_template_expression, parse_template_statement

from tpc.backends.python import float32
from tpc.backends.python.layout import WIDTH, container, value
from tpc.ir import (
    Readout,
    is_number,
    linear_weights,
)


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
