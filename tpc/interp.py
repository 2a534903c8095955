"""The reference interpreter: runs a program on a batch of sequences, exactly, with numpy.

Every s-op is held as a (batch, position) array of indices into its type's value tuple,
so maps are gathers and nothing is ever rounded; sums and means are computed in float64
and snapped back onto the exact value set their type declares; readout scores are added in
float32, term by term, as the model adds them. This is the oracle every
backend and pass is checked against.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from tpc.errors import TpcError
from tpc.ir import Aggregate, Domain, Program, Visitor, is_number, show, sort_key
from tpc.selection import compare_ranks, comparison_ranks, nearest_keys, position_costs


def _index(values: Sequence) -> dict:
    return {sort_key(v): i for i, v in enumerate(values)}


def _remap(src_values: Sequence, dst_values: Sequence) -> np.ndarray:
    """Index in `dst_values` of each value of `src_values` (a subset)."""
    dst = _index(dst_values)
    return np.array([dst[sort_key(v)] for v in src_values], dtype=np.int64)


# A two-input table with more entries than this, or one that lists only the pairs of values
# that occur on some input (tpc.frontend's tables for one input), is looked up pair by pair;
# a comparison select over more (query, key) value pairs than this compares ranks per batch.
MAX_DENSE = 1 << 20


def distinct_rows(
    columns: Sequence[np.ndarray], widths: Sequence[int]
) -> tuple[np.ndarray, np.ndarray]:
    """(one flat position holding each distinct row of the columns' values, the distinct row
    of every position): column i holds values 0..widths[i]-1. A function of the row then runs
    once per distinct row, not once per position."""
    code, bound = np.zeros(columns[0].size, dtype=np.int64), 1
    for column, width in zip(columns, widths):
        if bound * width >= 1 << 62:  # number the rows so far 0.. before the code overflows
            _, code = np.unique(code, return_inverse=True)
            bound = int(code.max()) + 1
        code, bound = code * width + column.reshape(-1), bound * width
    if bound <= max(4 * code.size, 1 << 16):  # mark the codes present: no sort
        number = np.full(bound, -1, dtype=np.int64)
        number[code] = 0
        present = (number == 0).nonzero()[0]
        number[present] = np.arange(len(present))
        inverse = number[code]
    else:
        _, inverse = np.unique(code, return_inverse=True)
        inverse = inverse.reshape(-1)
    where = np.empty(int(inverse.max(initial=-1)) + 1, dtype=np.int64)
    where[inverse] = np.arange(len(inverse))
    return where, inverse


class _Tables(Visitor):
    """A node's lookup table as an array (or None when it needs none), built once per program."""

    def __init__(self, types: dict):
        self.types = types  # node name -> Type, for the nodes before the one visited
        self.scores: dict[str, list[np.ndarray]] = {}

    def none(self, node):
        return None

    visit_Tokens = visit_Indices = visit_Ones = visit_Constant = none
    visit_SelectAnd = visit_SelectOr = visit_SelectNot = visit_SelectorWidth = none

    def visit_Map(self, node):
        out = _index(node.type.values)
        return np.array(
            [out[sort_key(node.table[v])] for v in self.types[node.x].values], dtype=np.int64
        )

    def visit_SequenceMap(self, node):
        xs, ys = self.types[node.x].values, self.types[node.y].values
        if len(node.table) < len(xs) * len(ys) or len(xs) * len(ys) > MAX_DENSE:
            return None  # looked up for the pairs that occur (see Interpreter.visit_SequenceMap)
        out = _index(node.type.values)
        return np.array(
            [[out[sort_key(node.table[(x, y)])] for y in ys] for x in xs], dtype=np.int64
        ).reshape(len(xs), len(ys))

    def visit_Select(self, node):
        qs, ks = self.types[node.queries].values, self.types[node.keys].values
        pred = node.predicate
        if pred.is_comparison:
            ranks = comparison_ranks(
                [pred.view("query", q) for q in qs], [pred.view("key", k) for k in ks]
            )
            if (
                len(qs) * len(ks) <= MAX_DENSE
            ):  # a small table, read like any other: faster per batch
                (q_kind, q_rank), (k_kind, k_rank) = ranks
                return compare_ranks(pred.op, q_kind, q_rank, k_kind, k_rank)
            return ranks  # compared where evaluated: no table over (query, key) values
        qi, ki = _index(qs), _index(ks)
        table = np.zeros((len(qs), len(ks)), dtype=bool)
        for q, k in pred.pairs:
            if sort_key(q) in qi and sort_key(k) in ki:
                table[qi[sort_key(q)], ki[sort_key(k)]] = True
        return table

    def visit_Aggregate(self, node):
        return (
            _remap(self.types[node.values].values, node.type.values)
            if node.reduce == "nearest"
            else None
        )

    def visit_Readout(self, node):
        # One score table per term, by position: a node read twice adds twice.
        self.scores[node.name] = [
            np.array([table[v] for v in self.types[term].values], dtype=np.float32).reshape(
                len(self.types[term].values), len(node.classes)
            )
            for term, table in zip(node.terms, node.scores)
        ]
        return _remap(node.classes, node.type.values)


class _Batch(NamedTuple):
    """What one `evaluate` call shares between nodes."""

    env: dict
    tokens: np.ndarray
    visible: np.ndarray  # [batch, query, key] bool
    cost: np.ndarray  # [query, key], see position_costs


class Interpreter(Visitor):
    """Compiles a program's tables into arrays once; `run` then evaluates whole batches."""

    def __init__(self, program: Program | None, domain: Domain | None = None):
        """The interpreter of `program`; with None, of the nodes given to `add` one at a time
        over `domain` (tpc.frontend evaluates a program on one input as it builds it)."""
        self.program = program
        self.domain = program.domain if program is not None else domain
        self.types: dict = {}
        self._table_builder = _Tables(self.types)
        self._tables: dict = {}
        self._floats: dict[str, np.ndarray] = {}
        self._scores = self._table_builder.scores
        # Tokens are encoded as indices into the tokens node's type (the domain's if it was
        # removed).
        has_tokens = program is not None and "tokens" in program
        self._token_index = _index(
            program["tokens"].type.values if has_tokens else self.domain.token_values
        )
        self._vocab = {sort_key(v) for v in self.domain.vocab}
        for node in program.nodes if program is not None else ():
            self.add(node)

    def add(self, node) -> None:
        """Compile `node`'s tables (its inputs were added before it)."""
        self._tables[node.name] = self._table_builder.visit(node)
        if node.type.kind != "selector" and all(is_number(v) for v in node.type.values):
            self._floats[node.name] = np.array(
                [float(v) for v in node.type.values], dtype=np.float64
            )
        self.types[node.name] = node.type

    # --- encoding ---------------------------------------------------------------------------

    def encode(self, sequences: Sequence[Sequence]) -> tuple[np.ndarray, np.ndarray]:
        """Token lists (as callers pass them) -> (token indices, valid mask), BOS at position 0."""
        dom = self.domain
        rows = []
        for seq in sequences:
            seq = list(seq)
            if dom.implicit_bos:
                seq = [dom.bos, *seq]
            elif not seq or seq[0] != dom.bos:
                raise TpcError(f"input must start with the BOS token {dom.bos!r}: {seq[:4]!r}")
            if len(seq) > dom.n_positions:  # BOS is never counted: as emitted modules say it
                raise TpcError(
                    f"input has {len(seq) - 1} tokens after BOS; the program accepts "
                    f"at most {dom.n_positions - 1}"
                )
            if dom.unk is not None:
                seq = [
                    seq[0],
                    *(tok if sort_key(tok) in self._vocab else dom.unk for tok in seq[1:]),
                ]
            bad = [tok for tok in seq[1:] if sort_key(tok) not in self._vocab]
            if bad:
                vocab = " ".join(map(str, dom.vocab))
                raise TpcError(f"unknown token {show(bad[0])} (vocabulary: {vocab})")
            rows.append([self._token_index[sort_key(tok)] for tok in seq])
        n = max((len(r) for r in rows), default=1)
        tokens = np.zeros((len(rows), n), dtype=np.int64)
        valid = np.zeros((len(rows), n), dtype=bool)
        for b, r in enumerate(rows):
            tokens[b, : len(r)] = r
            valid[b, : len(r)] = True
        return tokens, valid

    # --- evaluation ---------------------------------------------------------------------------

    def evaluate(
        self, tokens: np.ndarray, valid: np.ndarray, names: Sequence[str] | None = None
    ) -> dict:
        """Every node's value array (indices into its type's values; selectors as bool masks)."""
        batch = self.start(tokens, valid)
        for node in self.program.nodes:
            batch.env[node.name] = self.visit(node, batch)
        return batch.env if names is None else {k: batch.env[k] for k in names}

    def start(self, tokens: np.ndarray, valid: np.ndarray) -> _Batch:
        """An evaluation of `encode`d inputs: `visit(node, batch)` is then each node's values."""
        tokens, valid = np.asarray(tokens, dtype=np.int64), np.asarray(valid, dtype=bool)
        n = tokens.shape[1]
        visible = valid[:, :, None] & valid[:, None, :]
        if self.domain.causal:
            visible = visible & np.tril(np.ones((n, n), dtype=bool))
        return _Batch({}, tokens, visible, position_costs(n))

    def _snap(self, node, x: np.ndarray) -> np.ndarray:
        """Indices of the exact values of `node`'s type nearest to the float results `x`."""
        vals = self._floats[node.name]
        hi = np.minimum(np.searchsorted(vals, x), len(vals) - 1)
        lo = np.maximum(hi - 1, 0)
        idx = np.where(np.abs(vals[lo] - x) <= np.abs(vals[hi] - x), lo, hi)
        if (np.abs(vals[idx] - x) > 1e-9 * np.maximum(np.abs(x), 1)).any():
            raise AssertionError(f"{node.name}: a result outside its inferred value set")
        return idx

    def visit_Tokens(self, node, b: _Batch):
        return b.tokens

    def visit_Indices(self, node, b: _Batch):
        return self._snap(
            node, np.broadcast_to(np.arange(b.tokens.shape[1], dtype=np.float64), b.tokens.shape)
        )

    def visit_Ones(self, node, b: _Batch):
        return np.zeros(b.tokens.shape, dtype=np.int64)

    visit_Constant = visit_Ones

    def visit_Map(self, node, b: _Batch):
        return self._tables[node.name][b.env[node.x]]

    def visit_SequenceMap(self, node, b: _Batch):
        x, y = b.env[node.x], b.env[node.y]
        table = self._tables[node.name]
        if table is not None:
            return table[x, y]
        xs, ys = self.types[node.x].values, self.types[node.y].values
        pairs, at = np.unique(x * len(ys) + y, return_inverse=True)
        out = _index(node.type.values)
        found = np.array(
            [
                out[sort_key(node.table[(xs[p // len(ys)], ys[p % len(ys)])])]
                for p in pairs.tolist()
            ],
            dtype=np.int64,
        )
        return found[at].reshape(x.shape)

    def visit_Select(self, node, b: _Batch):
        queries, keys = b.env[node.queries], b.env[node.keys]
        if isinstance(self._tables[node.name], tuple):  # a comparison over many values: by rank
            (q_kind, q_rank), (k_kind, k_rank) = self._tables[node.name]
            selected = compare_ranks(
                node.predicate.op, q_kind[queries], q_rank[queries], k_kind[keys], k_rank[keys]
            )
        else:
            table = self._tables[node.name]  # read flat: twice as fast as a 2-d gather
            selected = table.reshape(-1)[queries[:, :, None] * table.shape[1] + keys[:, None, :]]
        return selected & b.visible

    def visit_SelectAnd(self, node, b: _Batch):
        return b.env[node.a] & b.env[node.b]

    def visit_SelectOr(self, node, b: _Batch):
        return b.env[node.a] | b.env[node.b]

    def visit_SelectNot(self, node, b: _Batch):
        return ~b.env[node.a] & b.visible

    def visit_SelectorWidth(self, node, b: _Batch):
        return self._snap(node, b.env[node.selector].sum(-1).astype(np.float64))

    def visit_Aggregate(self, node: Aggregate, b: _Batch):
        sel = b.env[node.selector]
        values = b.env[node.values]
        if node.reduce == "nearest":
            chosen, anything = nearest_keys(sel, b.cost)
            out = self._tables[node.name][np.take_along_axis(values, chosen, 1)]
            if node.default is not None:
                default = _index(node.type.values)[sort_key(node.default)]
                out = np.where(anything, out, default)
            return out
        v = self._floats[node.values][values]
        total = (sel.astype(np.float64) * v[:, None, :]).sum(-1)
        if node.reduce == "mean":
            count = sel.sum(-1)
            default = float(node.default) if node.default is not None else 0.0
            total = np.where(count > 0, total / np.maximum(count, 1), default)
        return self._snap(node, total)

    def visit_Readout(self, node, b: _Batch):
        if (
            node.terms and not node.pooled
        ):  # each distinct combination of the terms' values scored once
            terms = list(dict.fromkeys(node.terms))
            where, inverse = distinct_rows(
                [b.env[t] for t in terms], [len(self.types[t].values) for t in terms]
            )
            env = {t: b.env[t].reshape(-1)[where] for t in terms}
            best = self.class_scores(node, env, where.shape).argmax(-1)  # first class on ties
            return self._tables[node.name][best[inverse].reshape(b.tokens.shape)]
        total = self.class_scores(node, b.env, b.tokens.shape)
        if node.pooled:  # float32, position by position, then / length (scores.pooled_total)
            real = b.visible.any(-1)  # a position is real when it sees some key (itself at least)
            pooled = total[:, 0]
            for p in range(1, total.shape[1]):
                pooled = pooled + np.where(real[:, p, None], total[:, p], np.float32(0))
            pooled = pooled / real.sum(-1, keepdims=True).astype(np.float32)
            total = np.broadcast_to(pooled[:, None, :], total.shape)
        return self._tables[node.name][total.argmax(-1)]  # first class on ties

    def term_scores(self, node, env: dict) -> list[np.ndarray]:
        """Each readout term's float32 score rows [batch, position, class] from `evaluate`'s env."""
        return [scores[env[term]] for term, scores in zip(node.terms, self._scores[node.name])]

    def class_scores(self, node, env: dict, shape: tuple) -> np.ndarray:
        """The readout's float32 class scores [batch, position, class] (node.classes order) for
        inputs of `shape`, added one term at a time as the model adds them (tpc/ir/scores.py)."""
        total = np.broadcast_to(np.array(node.bias, dtype=np.float32), (*shape, len(node.bias)))
        for scores in self.term_scores(node, env):
            total = total + scores
        return total

    # --- values -----------------------------------------------------------------------------

    def run(
        self, sequences: Sequence[Sequence], outputs: Sequence[str] | None = None
    ) -> dict[str, list]:
        """Output name -> one list of values per sequence, at the positions the caller passed."""
        outputs = list(outputs or self.program.output_map)
        omap = self.program.output_map
        tokens, valid = self.encode(sequences)
        env = self.evaluate(tokens, valid, [omap[o] for o in outputs])
        start = 1 if self.domain.implicit_bos else 0
        lengths = valid.sum(-1).tolist()
        result = {}
        for o in outputs:
            values = self.program[omap[o]].type.values
            idx = env[omap[o]].tolist()
            result[o] = [[values[i] for i in row[start:n]] for row, n in zip(idx, lengths)]
        return result


def run(
    program: Program, sequences: Sequence[Sequence], outputs: Sequence[str] | None = None
) -> dict[str, list]:
    """Evaluate `program` on `sequences`; see `Interpreter.run`."""
    return Interpreter(program).run(sequences, outputs)
