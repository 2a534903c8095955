"""The reference interpreter: runs a program on a batch of sequences, exactly, with torch.

Every s-op is held as a (batch, position) tensor of indices into its type's value tuple,
so maps are gathers and nothing is ever rounded; sums and means are computed in float64
and snapped back onto the exact value set their type declares; readout scores are added in
float32, term by term, as the model adds them. This is the oracle every
backend and pass is checked against.
"""

from __future__ import annotations

from typing import Sequence

import torch

from .errors import TpcError
from .ir import (
    Aggregate, Constant, Indices, Map, Ones, Program, Readout, Select, SelectAnd, SelectNot,
    SelectOr, SelectorWidth, SequenceMap, Tokens, is_number, show, sort_key,
)


def _index(values: Sequence) -> dict:
    return {sort_key(v): i for i, v in enumerate(values)}


def _remap(src_values: Sequence, dst_values: Sequence) -> torch.Tensor:
    """Index in `dst_values` of each value of `src_values` (a subset)."""
    dst = _index(dst_values)
    return torch.tensor([dst[sort_key(v)] for v in src_values], dtype=torch.long)


def position_costs(n: int) -> torch.Tensor:
    """cost[q, k] of attending from q to k: nearest first, earlier on ties, own position last."""
    q = torch.arange(n).unsqueeze(1)
    k = torch.arange(n).unsqueeze(0)
    cost = 2 * (k - q).abs() - (k < q).long()
    return torch.where(k == q, torch.full_like(cost, 2 * n + 1), cost)


class Interpreter:
    """Compiles a program's tables into tensors once; `run` then evaluates whole batches."""

    def __init__(self, program: Program):
        self.program = program
        self.domain = program.domain
        self._tables: dict[str, torch.Tensor] = {}
        self._floats: dict[str, torch.Tensor] = {}
        self._scores: dict[str, list[torch.Tensor]] = {}
        for node in program.nodes:
            self._prepare(node)
        # Tokens are encoded as indices into the tokens node's type (the domain's if it was removed).
        token_values = program["tokens"].type.values if "tokens" in program else self.domain.token_values
        self._token_index = _index(token_values)
        self._vocab = {sort_key(v) for v in self.domain.vocab}

    def _prepare(self, node) -> None:
        p = self.program
        t = node.type
        if t.kind != "selector" and all(is_number(v) for v in t.values):
            self._floats[node.name] = torch.tensor([float(v) for v in t.values], dtype=torch.float64)
        if isinstance(node, Map):
            out = _index(t.values)
            self._tables[node.name] = torch.tensor(
                [out[sort_key(node.table[v])] for v in p[node.x].type.values], dtype=torch.long
            )
        elif isinstance(node, SequenceMap):
            out = _index(t.values)
            ys = p[node.y].type.values
            self._tables[node.name] = torch.tensor(
                [[out[sort_key(node.table[(x, y)])] for y in ys] for x in p[node.x].type.values],
                dtype=torch.long,
            )
        elif isinstance(node, Select):
            qs, ks = p[node.queries].type.values, p[node.keys].type.values
            self._tables[node.name] = torch.tensor([[(q, k) in node.predicate for k in ks] for q in qs])
        elif isinstance(node, Aggregate) and node.reduce == "nearest":
            self._tables[node.name] = _remap(p[node.values].type.values, t.values)
        elif isinstance(node, Readout):
            self._tables[node.name] = _remap(node.classes, t.values)
            # One score table per term, by position: a node read twice adds twice.
            self._scores[node.name] = [
                torch.tensor([table[v] for v in p[term].type.values], dtype=torch.float32)
                for term, table in zip(node.terms, node.scores)
            ]

    # --- encoding ---------------------------------------------------------------------------

    def encode(self, sequences: Sequence[Sequence]) -> tuple[torch.Tensor, torch.Tensor]:
        """Token lists (as callers pass them) -> (token indices, valid mask), BOS at position 0."""
        dom = self.domain
        rows = []
        for seq in sequences:
            seq = list(seq)
            if dom.implicit_bos:
                seq = [dom.bos, *seq]
            elif not seq or seq[0] != dom.bos:
                raise TpcError(f"input must start with the BOS token {dom.bos!r}: {seq[:4]!r}")
            if len(seq) > dom.n_positions:
                raise TpcError(
                    f"input has {len(seq) - dom.implicit_bos} tokens; the program accepts at most {dom.max_len}"
                )
            bad = [tok for tok in seq[1:] if sort_key(tok) not in self._vocab]
            if bad:
                vocab = " ".join(map(str, dom.vocab))
                raise TpcError(f"unknown token {show(bad[0])} (vocabulary: {vocab})")
            rows.append([self._token_index[sort_key(tok)] for tok in seq])
        n = max((len(r) for r in rows), default=1)
        tokens = torch.zeros(len(rows), n, dtype=torch.long)
        valid = torch.zeros(len(rows), n, dtype=torch.bool)
        for b, r in enumerate(rows):
            tokens[b, : len(r)] = torch.tensor(r, dtype=torch.long)
            valid[b, : len(r)] = True
        return tokens, valid

    # --- evaluation ---------------------------------------------------------------------------

    def evaluate(self, tokens: torch.Tensor, valid: torch.Tensor, names: Sequence[str] | None = None) -> dict:
        """Every node's value tensor (indices into its type's values; selectors as bool masks)."""
        batch, n = tokens.shape
        visible = valid.unsqueeze(2) & valid.unsqueeze(1)
        if self.domain.causal:
            visible = visible & torch.ones(n, n, dtype=torch.bool).tril()
        cost = position_costs(n)
        env: dict[str, torch.Tensor] = {}
        for node in self.program.nodes:
            env[node.name] = self._eval(node, env, tokens, visible, cost)
        return env if names is None else {k: env[k] for k in names}

    def _snap(self, node, x: torch.Tensor) -> torch.Tensor:
        """Indices of the exact values of `node`'s type nearest to the float results `x`."""
        vals = self._floats[node.name]
        hi = torch.searchsorted(vals, x.contiguous()).clamp(max=len(vals) - 1)
        lo = (hi - 1).clamp(min=0)
        idx = torch.where((vals[lo] - x).abs() <= (vals[hi] - x).abs(), lo, hi)
        if ((vals[idx] - x).abs() > 1e-9 * x.abs().clamp(min=1)).any():
            raise AssertionError(f"{node.name}: a result outside its inferred value set")
        return idx

    def _eval(self, node, env, tokens, visible, cost) -> torch.Tensor:
        shape = tokens.shape
        if isinstance(node, Tokens):
            return tokens
        if isinstance(node, Indices):
            return self._snap(node, torch.arange(shape[1], dtype=torch.float64).expand(shape))
        if isinstance(node, (Ones, Constant)):
            return torch.zeros(shape, dtype=torch.long)
        if isinstance(node, Map):
            return self._tables[node.name][env[node.x]]
        if isinstance(node, SequenceMap):
            return self._tables[node.name][env[node.x], env[node.y]]
        if isinstance(node, Select):
            table = self._tables[node.name]
            return table[env[node.queries].unsqueeze(2), env[node.keys].unsqueeze(1)] & visible
        if isinstance(node, SelectAnd):
            return env[node.a] & env[node.b]
        if isinstance(node, SelectOr):
            return env[node.a] | env[node.b]
        if isinstance(node, SelectNot):
            return ~env[node.a] & visible
        if isinstance(node, SelectorWidth):
            return self._snap(node, env[node.selector].sum(-1).double())
        if isinstance(node, Aggregate):
            return self._aggregate(node, env, cost)
        if isinstance(node, Readout):
            # float32, one term at a time, as the model adds them (tpc/ir/scores.py).
            total = torch.tensor(node.bias, dtype=torch.float32).expand(*shape, len(node.bias))
            for term, scores in zip(node.terms, self._scores[node.name]):
                total = total + scores[env[term]]
            return self._tables[node.name][total.argmax(-1)]  # first class on ties
        raise NotImplementedError(type(node).__name__)

    def _aggregate(self, node: Aggregate, env, cost) -> torch.Tensor:
        sel = env[node.selector]
        values = env[node.values]
        anything = sel.any(-1)
        if node.reduce == "nearest":
            big = torch.iinfo(torch.long).max
            best = torch.where(sel, cost, big).argmin(-1)
            chosen = torch.where(anything, best, 0)
            out = self._tables[node.name][values.gather(1, chosen)]
            if node.default is not None:
                default = _index(node.type.values)[sort_key(node.default)]
                out = torch.where(anything, out, default)
            return out
        v = self._floats[node.values][values]
        total = (sel.double() * v.unsqueeze(1)).sum(-1)
        if node.reduce == "mean":
            count = sel.sum(-1)
            default = float(node.default) if node.default is not None else 0.0
            total = torch.where(count > 0, total / count.clamp(min=1), default)
        return self._snap(node, total)

    # --- values -----------------------------------------------------------------------------

    def run(self, sequences: Sequence[Sequence], outputs: Sequence[str] | None = None) -> dict[str, list]:
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


def run(program: Program, sequences: Sequence[Sequence], outputs: Sequence[str] | None = None) -> dict[str, list]:
    """Evaluate `program` on `sequences`; see `Interpreter.run`."""
    return Interpreter(program).run(sequences, outputs)
