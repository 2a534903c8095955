"""A discrete Transformer Program as exact transformer weights, block by block.

Every score, unit and readout row reads one-hots, so each construction is exact in float32:

- Attention scores are `SCALE` times small integer *levels*; the top level is unique (or,
  for numerical heads, shared exactly by the keys averaged) and every other is at least
  `SCALE` lower, where exp(-SCALE) is 0 in float32: the weights are exactly 1/k and 0.
- A categorical head: keys that match score `2 n + rank`, keys that do not `rank`, and
  position 0, when it does not match, `n + rank`, where `rank` (0..n-1) orders a query's keys
  as the model's position bias does (nearest first, the earlier on equal distance, itself
  last; ties as its float32 argmax breaks them). So the head copies the value one-hot of the
  key the hard head chooses (BOS when none matches).
- "Position 0 matches" (`m0`) is read at the query: from the query's value when the key's
  value at position 0 is fixed (tokens, positions, a learned embedding of BOS), else from a
  *prep* block before the layer that copies the key at position 0 to every position and
  tabulates the predicate on it.
- A numerical head that counts (sums `ones`) attends to its matching keys and to position 0
  as an anchor: its output 1/N is decoded (`decode`) into the count's one-hot; one that
  averages attends to its matching keys (position 0 only when none does) and decodes the
  average. Its MLP readers then follow in an extra block.
- MLPs are lookup tables: one ReLU unit per combination of input values (their one-hot
  entries summed, minus the inputs less one), writing the model's own output for it
  (`apply` on every combination).
- Every head gives a pad key (the pad token, id 0) exactly zero weight (`padding`).
- The unembedding (`readout`) gives the model's class scores bit for bit: each readout
  term's rows in W_U when every order of adding them is exact, else accumulated in the
  residual stream in the model's own order; masked classes are left out.
"""

from __future__ import annotations

import math
from fractions import Fraction

import attrs
import numpy as np
import torch

from tpc.errors import TpcError
from tpc.export import decode
from tpc.export.decode import MAX_TABLE
from tpc.export.layout import SCALE, Block, Head, Linear, Stream, Unit
from tpc.export.numerical import NumericalParts, numerical_direction
from tpc.export.pack import narrow
from tpc.export.padding import PAD_ID, mask_pad
from tpc.export.readout import Unembedding
from tpc.export.sums import SumParts, is_sum
from tpc.export.tables import TableParts
from tpc.ir.scores import f32
from tpc.model import ops
from tpc.model.config import ModelConfig
from tpc.model.discrete import CategoricalHead, DiscreteProgram, NumericalHead


@attrs.frozen(eq=False)
class Weights:
    """The export: blocks, the stream, and what each part means."""

    stream: Stream
    blocks: list[Block]
    w_e: torch.Tensor
    w_pos: torch.Tensor
    w_u: torch.Tensor
    n_ctx: int
    causal: bool
    classes: tuple[int, ...]  # model class id of each logit column
    heads: dict[str, tuple[int, int]]  # model head -> (block, head)
    mlps: dict[str, int]  # model MLP -> block
    layers: dict[int, list[int]]  # model layer -> its blocks
    margins: dict[str, float]  # per head: its smallest gap in its softmax output's units

    @property
    def d_model(self) -> int:
        return self.stream.size

    @property
    def params(self) -> int:
        """Nonzero weights: embeddings, heads, units, unembedding."""
        count = sum(int((t != 0).sum()) for t in (self.w_e, self.w_pos, self.w_u))
        for b in self.blocks:
            count += sum(len(h.w_q) + len(h.w_k) + len(h.w_v) + len(h.w_o) for h in b.heads)
            count += sum(len(u.reads) + 1 + len(u.writes) for u in b.units)
            count += len(b.attn_bias) + len(b.mlp_bias)
        return count


def _rank(n_ctx: int, width: int) -> np.ndarray:
    """[query, key] -> 0..n_ctx-1, higher for keys the hard head prefers among matching ones:
    the matched logit (0 + bias) / sqrt(width) in float32, ties to the earlier key, as
    `ops.attention_logits` and argmax compute it."""
    matched = (torch.ones(n_ctx, n_ctx) + 1e-20).log()
    logits = (matched + ops.position_bias(n_ctx)) / math.sqrt(width)
    rank = np.zeros((n_ctx, n_ctx))
    for q in range(n_ctx):
        order = sorted(range(n_ctx), key=lambda k: (-logits[q, k].item(), k))
        for r, k in enumerate(order):
            rank[q, k] = n_ctx - 1 - r
    return rank


class _Builder(NumericalParts, SumParts, TableParts):
    def __init__(self, dp: DiscreteProgram, n_ctx: int, tokens: tuple, bos_id: int):
        self.dp, self.n_ctx, self.vocab_size, self.bos_id = dp, n_ctx, len(tokens), bos_id
        self.learned = isinstance(dp.config, ModelConfig)
        self.s = Stream()
        self.blocks: list[Block] = []
        self.heads, self.mlps, self.margins, self.layers = {}, {}, {}, {}
        self.values: dict[str, list] = {}  # numerical variable -> its values (Fractions)
        self._pending, self._rounded, self._exact_at = {}, {}, {}  # sums (tpc.export.sums)
        meaning = {v.name: tuple(range(v.width)) for v in dp.variables}
        if "tokens" in dp.embedding:
            meaning["tokens"] = tuple(tokens)
        for h in dp.cat_heads:  # a head's values mean what its value variable's do
            meaning[h.output] = meaning[h.value]
        for v in dp.variables:  # inputs and categorical variables now; numerical heads later
            if v.kind == "categorical":
                self.s.add(v.name, "categorical", meaning[v.name])
            elif v.name == "ones":
                self.s.add("ones", "numerical", (1,))
                self.values["ones"] = [Fraction(1)]
        self.s.add("pad", "internal", (1,))  # 1 at a pad token (tpc.export.padding)

    # -- helpers --------------------------------------------------------------------------
    def static_bos(self, name: str) -> int | None:
        """The value a variable always holds at position 0, when that is fixed."""
        if name == "positions":
            return 0
        if name in self.dp.embedding:
            return self.dp.embedding[name][self.bos_id]
        return None

    def m0(self, head) -> Linear:
        """ "Position 0 matches `head`'s query", as a linear function of the stream."""
        k0 = self.static_bos(head.key)
        if k0 is not None:
            query = self.s[head.query]
            return {query.dim(i): 1.0 for i, row in enumerate(head.predicate) if row[k0]}
        return {self.s[f"{head.output}.bos_match"].start: 1.0}

    # -- blocks ---------------------------------------------------------------------------
    def build(self) -> Weights:
        dp = self.dp
        for l in range(dp.config.n_layers):
            heads = [h for h in (*dp.cat_heads, *dp.num_heads) if h.layer == l]
            mlps = [m for m in (*dp.cat_mlps, *dp.num_mlps) if m.layer == l]
            self.layers[l] = []
            if any(self.static_bos(h.key) is None for h in heads):
                self._prep(l, [h for h in heads if self.static_bos(h.key) is None])
            main = self._block(l, "attention" if mlps else "attention, no MLPs")
            for h in heads:
                if isinstance(h, CategoricalHead):
                    self._cat_head(main, h)
                elif is_sum(h):
                    self._sum_head(main, h)
                else:
                    self._num_head(main, h)
            sums = [h.output for h in heads if is_sum(h)]
            if sums:  # S ~ N b, rounded by C; exact after the next block's attention
                block = self._block(l, "sums: N x average, rounded")
                for name in sums:
                    self._sum_products(block, name)
                if any(len(set(m.inputs) & set(sums)) > 1 for m in mlps):  # a sum's one-hot
                    self._exact(self._block(l, "sums exact; their one-hots"), sums)
            numerical = any(isinstance(h, NumericalHead) for h in heads)
            if (numerical and mlps) or self._rounded:
                after = self._block(l, "MLPs" if mlps else "sums exact")
            else:
                after = main
            self._exact(after, list(self._rounded))
            for m in mlps:
                self._table(after, m)
        self._narrow()
        classes = tuple(
            c for c in range(dp.readout.scores[0].shape[1]) if c not in dp.readout.masked
        )
        unembedding = Unembedding(dp, self.s, self.values, classes)
        self.blocks += unembedding.place(self.blocks, self.n_ctx)
        mask_pad(self.blocks, self.s)
        w_e, w_pos = self._embed()
        unembedding.embed(w_e, w_pos)
        return Weights(
            self.s,
            self.blocks,
            w_e,
            w_pos,
            unembedding.w_u(),
            self.n_ctx,
            dp.causal,
            classes,
            self.heads,
            self.mlps,
            self.layers,
            self.margins,
        )

    def _narrow(self) -> None:
        """Spread wide attention and MLPs over blocks of their own (`pack`) and renumber
        what names blocks: a head where it went, an MLP where its first unit went."""
        heads = {name: self.blocks[b].heads[h] for name, (b, h) in self.heads.items()}
        origin = narrow(self.blocks)
        at = {id(head): (i, j) for i, b in enumerate(self.blocks) for j, head in enumerate(b.heads)}
        self.heads = {name: at[id(head)] for name, head in heads.items()}
        self.layers = {
            l: [i for i, o in enumerate(origin) if o in blocks] for l, blocks in self.layers.items()
        }
        for name, b in self.mlps.items():
            dims = set(range(self.s[name].start, self.s[name].start + self.s[name].width))
            self.mlps[name] = next(
                i
                for i, o in enumerate(origin)
                if o == b and any(dims & set(u.writes) for u in self.blocks[i].units)
            )

    def _block(self, layer: int, role: str) -> Block:
        block = Block(f"L{layer} {role}")
        self.layers[layer].append(len(self.blocks))
        self.blocks.append(block)
        return block

    def _index(self, block: Block) -> int:
        return next(i for i, b in enumerate(self.blocks) if b is block)

    def _embed(self):
        s = self.s
        w_e, w_pos = torch.zeros(self.vocab_size, s.size), torch.zeros(self.n_ctx, s.size)
        for name, values in self.dp.embedding.items():
            for token, value in enumerate(values):
                w_e[token, s[name].dim(value)] = 1.0
        w_e[PAD_ID, s.is_pad] = 1.0
        for p in range(self.n_ctx):
            w_pos[p, s["positions"].dim(p)] = 1.0
            w_pos[p, s.ones] = 1.0
        return w_e, w_pos

    # -- heads ----------------------------------------------------------------------------
    def _prep(self, layer: int, heads) -> None:
        """A block that copies each computed key's value index at position 0 to every
        position (one dimension, attending to position 0 alone) and computes each head's
        predicate on it: for the r-th run of matching key values in the query's row, a step
        up at its first value and down after its last (`decode.runs`), 4 units per run."""
        block = self._block(layer, "prep: position 0's keys")
        for key in dict.fromkeys(h.key for h in heads):
            head, place = Head(f"{key}@0"), self.s[key]
            copy = self.s.add(f"{key}@0.L{layer}", "internal", ("index",))
            head.w_q[self.s.ones, 0] = 1.0
            head.w_k[self.s.is_bos, 0] = SCALE
            for v in range(1, place.width):
                head.w_v[place.dim(v), 0] = float(v)
            head.w_o[0, copy.start] = 1.0
            block.heads.append(head)
            for h in (h for h in heads if h.key == key):
                flag = self.s.add(f"{h.output}.bos_match", "internal", (1,))
                q = self.s[h.query]
                rows = [
                    [*row[: place.width], *[False] * (place.width - len(row))]
                    for row in h.predicate[: q.width]
                ]
                block.units += decode.runs(flag.start, copy.start, q, rows)

    def _head(self, block: Block, h) -> Head:
        head = Head(h.output)
        self.heads[h.output] = (self._index(block), len(block.heads))
        block.heads.append(head)
        return head

    def _match_columns(self, head: Head, h, level: float) -> int:
        """Predicate columns: query value i -> column i; key value v -> `level` * P[i, v].
        Returns the next free column."""
        q, k = self.s[h.query], self.s[h.key]
        for i in range(q.width):
            head.w_q[q.dim(i), i] = 1.0
        for v in range(k.width):
            for i in range(q.width):
                if i < len(h.predicate) and v < len(h.predicate[i]) and h.predicate[i][v]:
                    head.w_k[k.dim(v), i] = SCALE * level
        return q.width

    def _bos_column(self, head: Head, col: int, m0: Linear, level: float) -> None:
        """Position 0 scores `level` more when it does not match: (1 - m0) at the query."""
        head.w_q[self.s.ones, col] = 1.0
        for dim, w in m0.items():
            head.w_q[dim, col] = head.w_q.get((dim, col), 0.0) - w
        head.w_k[self.s.is_bos, col] = SCALE * level

    def _cat_head(self, block: Block, h: CategoricalHead) -> None:
        n, head = self.n_ctx, self._head(block, h)
        col = self._match_columns(head, h, 2.0 * n)
        positions = self.s["positions"]
        rank = _rank(n, self.dp.config.d_var if self.learned else self.s[h.value].width)
        for qp in range(n):
            head.w_q[positions.dim(qp), col + qp] = 1.0
            for kp in range(n):
                if rank[qp, kp]:
                    head.w_k[positions.dim(kp), col + qp] = SCALE * rank[qp, kp]
        self._bos_column(head, col + n, self.m0(h), float(n))
        v, out = self.s[h.value], self.s[h.output]
        for value in range(v.width):
            head.w_v[v.dim(value), value] = 1.0
            head.w_o[value, out.dim(value)] = 1.0
        self.margins[h.output] = SCALE

    # -- MLPs -----------------------------------------------------------------------------
    def _table(self, block: Block, m) -> None:
        self.mlps[m.output] = self._index(block)
        numerical = not hasattr(m, "slot_widths")
        places = [self.s[i] for i in m.inputs]
        combos = 1
        for p in places:
            combos *= p.width
        if numerical and len(places) > 1:  # along one direction: units only where it changes
            direction = numerical_direction(m.w_in)
            if direction is not None:
                return self._projected(block, m, direction)
        if numerical:  # or by rows, when smaller (or an input is a sum: one dimension)
            plan = self._row_plan(m, block)
            if any(p.scalar for p in places) or self.row_units(plan) < combos:
                return self._rows(block, m, plan)
        if combos > MAX_TABLE:
            raise TpcError(
                f"{m.output}: {combos} input combinations (at most {MAX_TABLE} are tabulated)"
            )
        grid = decode.grid([p.width for p in places])
        if numerical:
            rows = torch.tensor(
                [[f32(self.values[i][c]) for i, c in zip(m.inputs, combo)] for combo in grid]
            )
        else:
            rows = torch.tensor(grid, dtype=torch.long)
        outputs = m.apply(rows.view(len(grid), len(places))).tolist()
        out = self.s[m.output]
        if max(outputs) >= out.width:
            raise TpcError(f"{m.output}: an output value beyond the variable's {out.width} values")
        for combo, value in zip(grid, outputs):
            reads: Linear = {}
            for p, c in zip(places, combo):
                reads[p.dim(c)] = reads.get(p.dim(c), 0.0) + 1.0
            block.units.append(Unit(reads, -(len(places) - 1.0), {out.dim(value): 1.0}))


def build_weights(dp: DiscreteProgram, n_ctx: int, tokens: tuple, bos_id: int) -> Weights:
    """The export's weights for the discrete program `dp` (a TpcError where one construct
    cannot be exported exactly); `tokens`: each token id's text, what a one-hot `tokens`
    variable's values (and the heads copying them) stand for."""
    return _Builder(dp, n_ctx, tokens, bos_id).build()
