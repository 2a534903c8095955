"""A second, deliberately naive evaluator: one sequence at a time, plain loops, exact
Fractions, written straight from PAPER.md section 3. Tests check tpc.interp against it."""

from __future__ import annotations

import struct
from fractions import Fraction

from tpc.ir import Visitor, normalize, pooled_total


def _choose(q: int, selected: list[int]) -> int:
    """Nearest selected key, earlier on ties, own position last, position 0 if none."""
    others = [k for k in selected if k != q]
    if others:
        return min(others, key=lambda k: (abs(k - q), k))
    return q if q in selected else -1


class _Naive(Visitor):
    """One node's values at every position of one sequence, from `env` (earlier nodes')."""

    def __init__(self, seq: list, causal: bool):
        self.seq, self.n = seq, len(seq)
        self.visible = [[k <= q or not causal for k in range(self.n)] for q in range(self.n)]
        self.env: dict = {}

    def visit_Tokens(self, node):
        return list(self.seq)

    def visit_Indices(self, node):
        return list(range(self.n))

    def visit_Ones(self, node):
        return [1] * self.n

    def visit_Constant(self, node):
        return [node.value] * self.n

    def visit_Map(self, node):
        return [node.table[x] for x in self.env[node.x]]

    def visit_SequenceMap(self, node):
        return [node.table[(x, y)] for x, y in zip(self.env[node.x], self.env[node.y])]

    def visit_Select(self, node):
        keys, queries, n = self.env[node.keys], self.env[node.queries], self.n
        return [
            [self.visible[q][k] and (queries[q], keys[k]) in node.predicate for k in range(n)]
            for q in range(n)
        ]

    def visit_SelectAnd(self, node):
        return [
            [a and b for a, b in zip(ra, rb)] for ra, rb in zip(self.env[node.a], self.env[node.b])
        ]

    def visit_SelectOr(self, node):
        return [
            [a or b for a, b in zip(ra, rb)] for ra, rb in zip(self.env[node.a], self.env[node.b])
        ]

    def visit_SelectNot(self, node):
        return [
            [self.visible[q][k] and not a for k, a in enumerate(r)]
            for q, r in enumerate(self.env[node.a])
        ]

    def visit_SelectorWidth(self, node):
        return [sum(r) for r in self.env[node.selector]]

    def visit_Aggregate(self, node):
        sel, vals, n = self.env[node.selector], self.env[node.values], self.n
        v = []
        for q in range(n):
            picked = [k for k in range(n) if sel[q][k]]
            if node.reduce == "nearest":
                k = _choose(q, picked)
                if k >= 0:
                    v.append(vals[k])
                else:
                    v.append(node.default if node.default is not None else vals[0])
            elif node.reduce == "sum":
                v.append(normalize(sum((Fraction(vals[k]) for k in picked), Fraction(0))))
            elif picked:
                v.append(normalize(sum(Fraction(vals[k]) for k in picked) / len(picked)))
            else:
                v.append(node.default if node.default is not None else 0)
        return v

    def visit_Readout(self, node):
        v = []
        for q in range(self.n):
            totals = list(node.bias)
            for term, table in zip(node.terms, node.scores):  # float32 sums, in order
                totals = [
                    struct.unpack("f", struct.pack("f", t + s))[0]
                    for t, s in zip(totals, table[self.env[term][q]])
                ]
            v.append(totals)
        if node.pooled:
            v = [pooled_total(v)] * self.n
        return [node.classes[max(range(len(t)), key=lambda c: (t[c], -c))] for t in v]


def naive_run(program, seq: list) -> dict:
    dom = program.domain
    seq = [dom.bos, *seq] if dom.implicit_bos else list(seq)
    naive = _Naive(seq, dom.causal)
    for node in program.nodes:
        naive.env[node.name] = naive.visit(node)
    start = 1 if dom.implicit_bos else 0
    return {out: naive.env[name][start:] for out, name in program.outputs}
