"""An IR program at one sequence length as Z3 terms, exactly as `tpc.interp` evaluates it.

Every s-op is, per position, an integer: the index of its value in the node's type (a Python
int where it is known without the input, so tables over indices and constants fold away).
Selectors are Boolean matrices [query][key]. The nearest-match rule is a chain over keys in
`tpc.selection.position_costs` order; sums and means are exact rationals (Z3 reals); selector
widths are counts. The readout is float32 as the model computes it (tpc/ir/scores.py): when
its input-dependent terms take few enough value combinations, a table of the exact float32
argmax of each; else the exact rational totals with the chosen class free within a bound on
float32's rounding of every other class (`Encoder.constraints`), an over-approximation whose
solutions `smt_verify` replays and refines.
"""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import z3

from tpc.ir import Program, Visitor, normalize, sort_key
from tpc.selection import position_costs

#: most input-dependent readout combinations tabulated per position (else a rounding band)
READOUT_TABLE_LIMIT = 50_000


class OutOfTime(Exception):
    """The encoding passed its deadline (`tpc verify --timeout`)."""


def lookup(index, table: list):
    """table[index] for an index that is an int or a Z3 integer term."""
    if isinstance(index, int):
        return table[index]
    out = table[-1]
    for i in range(len(table) - 2, -1, -1):
        if not _same(table[i], out):
            out = z3.If(index == i, table[i], out)
    return out


def _same(a, b) -> bool:
    if isinstance(a, z3.ExprRef) or isinstance(b, z3.ExprRef):
        return isinstance(a, z3.ExprRef) and isinstance(b, z3.ExprRef) and a.eq(b)
    return a == b


def _index(values) -> dict:
    return {sort_key(v): i for i, v in enumerate(values)}


def _number(v) -> z3.ArithRef:
    f = Fraction(v)
    return (
        z3.RealVal(f.numerator) / z3.RealVal(f.denominator)
        if f.denominator != 1
        else z3.RealVal(f.numerator)
    )


def _snap(total, values):
    """The index of the exact value `total` (a Z3 real) among the numbers `values`."""
    out = len(values) - 1
    for i in range(len(values) - 2, -1, -1):
        out = z3.If(total == _number(values[i]), i, out)
    return out


class Encoder(Visitor):
    """`encode(program, tokens)`: tokens[q] is the index into the program's tokens-node values
    at position q (BOS included), an int or a Z3 term; returns node name -> per-position terms."""

    def __init__(self, program: Program, tokens: list, deadline: float | None = None):
        self.p, self.tokens, self.n = program, tokens, len(tokens)
        self.deadline = deadline  # time.perf_counter() past which OutOfTime is raised
        n = self.n
        self.visible = [
            [(k <= q) if program.domain.causal else True for k in range(n)] for q in range(n)
        ]
        self.cost = position_costs(n)
        self.env: dict = {}
        #: side conditions the terms in env assume (the readout bands' choices)
        self.constraints: list = []
        for node in program.nodes:
            self._on_time()
            self.env[node.name] = self.visit(node)

    def _on_time(self):
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise OutOfTime

    def values(self, name):
        return self.p[name].type.values

    def visit_Tokens(self, node):
        return list(self.tokens)

    def visit_Indices(self, node):
        idx = _index(node.type.values)
        return [idx[sort_key(q)] for q in range(self.n)]

    def visit_Ones(self, node):
        return [0] * self.n

    visit_Constant = visit_Ones

    def visit_Map(self, node):
        out = _index(node.type.values)
        table = [out[sort_key(node.table[v])] for v in self.values(node.x)]
        return [lookup(x, table) for x in self.env[node.x]]

    def visit_SequenceMap(self, node):
        out = _index(node.type.values)
        ys = self.values(node.y)
        rows = [[out[sort_key(node.table[(x, y)])] for y in ys] for x in self.values(node.x)]
        result = []
        for x, y in zip(self.env[node.x], self.env[node.y]):
            if isinstance(x, int):
                result.append(lookup(y, rows[x]))
            else:
                result.append(lookup(x, [lookup(y, r) for r in rows]))
        return result

    def visit_Select(self, node):
        qs, ks = self.values(node.queries), self.values(node.keys)
        pairs = [[(q, k) in node.predicate for k in ks] for q in qs]
        query, key = self.env[node.queries], self.env[node.keys]
        return [
            [
                self._pair(pairs, query[q], key[k]) if self.visible[q][k] else False
                for k in range(self.n)
            ]
            for q in range(self.n)
        ]

    @staticmethod
    def _pair(pairs, q, k):
        if isinstance(q, int) and isinstance(k, int):
            return bool(pairs[q][k])
        if isinstance(q, int):
            return _any([k == j for j, ok in enumerate(pairs[q]) if ok], len(pairs[q]), k)
        terms = []
        for i, row in enumerate(pairs):
            hit = (
                row[k]
                if isinstance(k, int)
                else _any([k == j for j, ok in enumerate(row) if ok], len(row), k)
            )
            if hit is not False:
                terms.append(q == i if hit is True else z3.And(q == i, hit))
        return z3.Or(terms) if terms else False

    def visit_SelectAnd(self, node):
        return self._elementwise(node, lambda a, b: _and(a, b))

    def visit_SelectOr(self, node):
        return self._elementwise(node, lambda a, b: _or(a, b))

    def _elementwise(self, node, op):
        a, b = self.env[node.a], self.env[node.b]
        return [[op(a[q][k], b[q][k]) for k in range(self.n)] for q in range(self.n)]

    def visit_SelectNot(self, node):
        a = self.env[node.a]
        return [
            [_not(a[q][k]) if self.visible[q][k] else False for k in range(self.n)]
            for q in range(self.n)
        ]

    def visit_SelectorWidth(self, node):
        idx = _index(node.type.values)
        out = []
        for row in self.env[node.selector]:
            if all(isinstance(s, bool) for s in row):
                out.append(idx[sort_key(sum(row))])
            else:
                count = z3.Sum([z3.If(s, 1, 0) if not isinstance(s, bool) else int(s) for s in row])
                out.append(
                    lookup(
                        count,
                        [idx[sort_key(c)] if sort_key(c) in idx else 0 for c in range(self.n + 1)],
                    )
                )
        return out

    def visit_Aggregate(self, node):
        sel, vals = self.env[node.selector], self.env[node.values]
        if node.reduce == "nearest":
            return self._nearest(node, sel, vals)
        numbers = [_number(v) for v in self.values(node.values)]
        out = []
        for q in range(self.n):
            row = sel[q]
            total = z3.Sum(
                [
                    z3.If(_bool(row[k]), lookup(vals[k], numbers), 0)
                    for k in range(self.n)
                    if row[k] is not False
                ]
                or [z3.RealVal(0)]
            )
            if node.reduce == "mean":
                count = z3.Sum(
                    [z3.If(_bool(s), 1, 0) for s in row if s is not False] or [z3.IntVal(0)]
                )
                default = Fraction(node.default) if node.default is not None else Fraction(0)
                snapped = len(node.type.values) - 1
                for i in range(len(node.type.values) - 2, -1, -1):
                    snapped = z3.If(
                        total == _number(node.type.values[i]) * z3.ToReal(count), i, snapped
                    )
                out.append(
                    z3.If(
                        count == 0, _index(node.type.values)[sort_key(normalize(default))], snapped
                    )
                )
            else:
                out.append(_snap(total, node.type.values))
        return out

    def _nearest(self, node, sel, vals):
        out_idx = _index(node.type.values)
        remap = [out_idx[sort_key(v)] for v in self.values(node.values)]
        default = None if node.default is None else out_idx[sort_key(node.default)]
        out = []
        for q in range(self.n):
            order = np.argsort(
                self.cost[q], kind="stable"
            ).tolist()  # nearest first, earlier on ties
            result = lookup(vals[0], remap) if default is None else default
            for k in reversed(order):
                s = sel[q][k]
                if s is True:
                    result = lookup(vals[k], remap)
                elif s is not False:
                    result = z3.If(s, lookup(vals[k], remap), result)
            out.append(result)
        return out

    def visit_Readout(self, node):
        remap = [_index(node.type.values)[sort_key(c)] for c in node.classes]
        scores = [
            np.array([table[v] for v in self.values(term)], dtype=np.float32).reshape(
                len(self.values(term)), len(node.classes)
            )
            for term, table in zip(node.terms, node.scores)
        ]
        return [self._readout_at(node, q, scores, remap) for q in range(self.n)]

    def _readout_at(self, node, q, scores, remap):
        """The class at position q: a table over the input-dependent terms' values, each entry
        the float32 sum the interpreter computes (bias, then each term in order), when there
        are at most READOUT_TABLE_LIMIT combinations; else exact sums within a rounding band."""
        indices = [self.env[t][q] for t in node.terms]
        free = list(dict.fromkeys(t for t, x in zip(node.terms, indices) if not isinstance(x, int)))
        sizes = [len(self.values(t)) for t in free]
        if int(np.prod(sizes, dtype=np.float64)) > READOUT_TABLE_LIMIT:
            return self._readout_band(node, q, indices, scores, remap)
        grids = np.meshgrid(*[np.arange(s) for s in sizes], indexing="ij") if free else []
        combos = {t: g.reshape(-1) for t, g in zip(free, grids)}
        count = int(np.prod(sizes, dtype=np.int64))
        total = np.broadcast_to(np.array(node.bias, dtype=np.float32), (count, len(node.bias)))
        for t, x, table in zip(node.terms, indices, scores):
            total = total + table[combos[t] if t in combos else np.full(count, x)]
        best = [remap[c] for c in total.argmax(-1).tolist()]  # the first best class wins
        return self._nested(best, [self.env[t][q] for t in free], sizes)

    def _nested(self, flat: list, terms: list, sizes: list):
        """flat[(i1, i2, ...)] in row-major order, looked up by the index terms."""
        if not terms:
            return flat[0]
        self._on_time()  # a large readout's lookup tables take minutes to encode
        stride = len(flat) // sizes[0]
        return lookup(
            terms[0],
            [
                self._nested(flat[i * stride : (i + 1) * stride], terms[1:], sizes[1:])
                for i in range(sizes[0])
            ],
        )

    def _readout_band(self, node, q, indices, scores, remap):
        """The class at position q as a fresh variable that may take any class whose exact
        (rational) total is within the float32 rounding bound of every other's: a superset
        of what float32 can pick, so `unsat` still proves; a solution is replayed through the
        artifacts before it is believed (smt_verify refines past near-ties float32 decides)."""
        classes = len(node.classes)
        bias = np.array(node.bias, dtype=np.float32)
        totals = [
            _number(float(bias[c]))
            + z3.Sum(
                [
                    lookup(x, [_number(float(v)) for v in table[:, c]])
                    for x, table in zip(indices, scores)
                ]
                or [0]
            )
            for c in range(classes)
        ]
        bound = _rounding_bound(bias, scores)
        # A class scored like an earlier one in every row sums to the same float32: it never wins.
        allowed = [
            c for c in range(classes) if not any(_same_column(bias, scores, d, c) for d in range(c))
        ]
        chosen = z3.FreshInt(f"{node.name}@{q}")
        self.constraints.append(z3.Or([chosen == c for c in allowed]))
        for c in allowed:
            self.constraints.append(
                z3.Implies(
                    chosen == c,
                    z3.And(
                        [
                            totals[c] - totals[d] >= -_number(bound[c] + bound[d])
                            for d in allowed
                            if d != c
                        ]
                    ),
                )
            )
        return lookup(
            chosen, [remap[c] if c in allowed else remap[allowed[0]] for c in range(classes)]
        )


def _rounding_bound(bias: np.ndarray, scores: list) -> list[Fraction]:
    """Per class, a bound on |float32 total - exact total|: each of the len(scores) float32
    additions rounds by at most 2**-24 of its result, whose size is at most the sum of every
    term's largest magnitude (1.01: the growth of that sum by the roundings themselves)."""
    biggest = np.abs(bias.astype(np.float64))
    for table in scores:
        biggest = biggest + np.abs(table.astype(np.float64)).max(0)
    return [Fraction(1.01 * len(scores) * 2.0**-24 * float(m)) for m in biggest]


def _same_column(bias, scores, d: int, c: int) -> bool:
    return bias[d] == bias[c] and all(np.array_equal(t[:, d], t[:, c]) for t in scores)


def _bool(s):
    return z3.BoolVal(s) if isinstance(s, bool) else s


def _any(terms, size, k):
    if not terms:
        return False
    if len(terms) == size:
        return True
    return z3.Or(terms)


def _and(a, b):
    if a is False or b is False:
        return False
    if a is True:
        return b
    return a if b is True else z3.And(a, b)


def _or(a, b):
    if a is True or b is True:
        return True
    if a is False:
        return b
    return a if b is False else z3.Or(a, b)


def _not(a):
    return (not a) if isinstance(a, bool) else z3.Not(a)
