"""A second, deliberately naive evaluator: one sequence at a time, plain loops, exact
Fractions, written straight from PAPER.md section 3. Tests check tpc.interp against it."""

from __future__ import annotations

import struct
from fractions import Fraction

from tpc.ir import (
    Aggregate, Constant, Indices, Map, Ones, Readout, Select, SelectAnd, SelectNot, SelectOr,
    SelectorWidth, SequenceMap, Tokens, normalize,
)


def _choose(q: int, selected: list[int]) -> int:
    """Nearest selected key, earlier on ties, own position last, position 0 if none."""
    others = [k for k in selected if k != q]
    if others:
        return min(others, key=lambda k: (abs(k - q), k))
    return q if q in selected else -1


def naive_run(program, seq: list) -> dict:
    dom = program.domain
    seq = [dom.bos, *seq] if dom.implicit_bos else list(seq)
    n = len(seq)
    visible = [[k <= q or not dom.causal for k in range(n)] for q in range(n)]
    env: dict = {}
    for node in program.nodes:
        if isinstance(node, Tokens):
            v = list(seq)
        elif isinstance(node, Indices):
            v = list(range(n))
        elif isinstance(node, Ones):
            v = [1] * n
        elif isinstance(node, Constant):
            v = [node.value] * n
        elif isinstance(node, Map):
            v = [node.table[x] for x in env[node.x]]
        elif isinstance(node, SequenceMap):
            v = [node.table[(x, y)] for x, y in zip(env[node.x], env[node.y])]
        elif isinstance(node, Select):
            keys, queries = env[node.keys], env[node.queries]
            v = [[visible[q][k] and (queries[q], keys[k]) in node.predicate for k in range(n)] for q in range(n)]
        elif isinstance(node, SelectAnd):
            v = [[a and b for a, b in zip(ra, rb)] for ra, rb in zip(env[node.a], env[node.b])]
        elif isinstance(node, SelectOr):
            v = [[a or b for a, b in zip(ra, rb)] for ra, rb in zip(env[node.a], env[node.b])]
        elif isinstance(node, SelectNot):
            v = [[visible[q][k] and not a for k, a in enumerate(r)] for q, r in enumerate(env[node.a])]
        elif isinstance(node, SelectorWidth):
            v = [sum(r) for r in env[node.selector]]
        elif isinstance(node, Aggregate):
            sel, vals = env[node.selector], env[node.values]
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
                else:
                    if picked:
                        v.append(normalize(sum(Fraction(vals[k]) for k in picked) / len(picked)))
                    else:
                        v.append(node.default if node.default is not None else 0)
        elif isinstance(node, Readout):
            v = []
            for q in range(n):
                totals = list(node.bias)
                for term, table in zip(node.terms, node.scores):  # float32 sums, in order
                    totals = [struct.unpack("f", struct.pack("f", t + s))[0]
                              for t, s in zip(totals, table[env[term][q]])]
                best = max(range(len(totals)), key=lambda c: (totals[c], -c))
                v.append(node.classes[best])
        else:
            raise NotImplementedError(type(node).__name__)
        env[node.name] = v
    start = 1 if dom.implicit_bos else 0
    return {out: env[name][start:] for out, name in program.outputs}
