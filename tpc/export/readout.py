"""The unembedding: class scores equal to the model's readout, bit for bit.

The model adds its readout terms one at a time in float32, in a fixed order
(`tpc.model.ops.readout_logits`); a matmul over the residual stream sums in whatever order its
kernel picks, so where float32 rounds, a near-tie between two classes could be decided
differently. Two constructions, chosen per export:

- *plain*: when every column's terms are multiples of one power of two g and the largest
  sum of their magnitudes is at most 2^24 g, every partial sum, in any order, is exact in
  float32: W_U holds each term's rows and any kernel computes the model's scores exactly.
- *ordered*: otherwise the scores are accumulated in the residual stream itself, in the
  model's order. A `readout` place holds one dimension per output column. The embeddings
  write the first term (and the second, when one is read from the token and the other from
  the position): embed + pos_embed is one float32 addition, as the model's first. Then each
  tail block adds two terms: its attention (one head attending to its own position alone,
  copying the term's variable, W_O holding the term's rows) and its MLP (one unit per value
  of the term's variable, writing that value's row). The residual additions are float32
  additions in the model's order; each adds one row exactly (one unit or value is active,
  every other product is an exact 0). W_U reads `readout` with weight 1 and adds the last
  term's rows: two nonzero products, one float32 addition, the model's last.
"""

from __future__ import annotations

import numpy as np
import torch

from tpc.export.layout import SCALE, Block, Head, Stream, Unit
from tpc.ir.scores import f32
from tpc.model import ops
from tpc.model.discrete import DiscreteProgram


def term_rows(
    dp: DiscreteProgram, stream: Stream, values: dict, classes, every_value: bool = False
) -> list[tuple]:
    """Each readout term as (variable, rows [width, columns] float32): what it adds to the
    scores when the variable's i-th dimension is hot (a numerical value v: float32(v) * w,
    as the model computes it). A scalar place (a sum) has one row, w: the stream holds v and
    W_U's product v * w is the model's; `every_value` gives its row for each value instead."""
    ro, cols, terms = dp.readout, list(classes), []
    for name, scores, numerical in zip(ro.variables, ro.scores, ro.numerical):
        place = stream[name]
        if numerical:
            xs = values[name] if every_value or not place.scalar else [1]
            rows = torch.zeros(len(xs), len(cols))
            for i, value in enumerate(xs):
                v = torch.tensor(f32(value))
                rows[i] = ops.numerical_contribution(v, scores[0])[cols]
        else:
            rows = torch.zeros(place.width, len(cols))
            n = min(place.width, scores.shape[0])
            rows[:n] = scores[:n][:, cols]
        terms.append((name, rows))
    return terms


def exact_in_any_order(terms: list[tuple]) -> bool:
    """Whether every sum of the terms' rows, in any order, is exact in float32 (see the
    module docstring): then any kernel computes the model's scores."""
    tables = [rows.numpy().astype(np.float64) for _, rows in terms]
    for c in range(tables[0].shape[1] if tables else 0):
        column = np.concatenate([t[:, c] for t in tables])
        nonzero = column[column != 0]
        if not len(nonzero):
            continue
        mantissa, exponent = np.frexp(nonzero)
        whole = np.abs(mantissa * 2.0**24).astype(np.int64)  # exact: float32 has 24 bits
        lowest = np.log2((whole & -whole).astype(np.float64)) + exponent - 24
        grid = 2.0 ** float(lowest.min())
        if sum(float(np.abs(t[:, c]).max()) for t in tables) > 2.0**24 * grid:
            return False
    return True


class Unembedding:
    """The export's unembedding for `dp`'s readout: `plain`, or `ordered` with a `readout`
    place in the stream (added at construction, before the embeddings are sized) and
    `blocks` to append after the model's."""

    def __init__(self, dp: DiscreteProgram, stream: Stream, values: dict, classes):
        self.dp, self.stream, self.classes = dp, stream, tuple(classes)
        self.terms = term_rows(dp, stream, values, classes)
        self.plain = exact_in_any_order(term_rows(dp, stream, values, classes, every_value=True))
        self.values = values
        ro = dp.readout  # each term's w [1, columns] (numerical) or None
        self.weights = [
            w[:1, list(classes)] if numerical else None
            for w, numerical in zip(ro.scores, ro.numerical)
        ]
        self.acc = None if self.plain else stream.add("readout", "internal", self.classes)
        self._embedded = 0 if self.plain else self._embeddable()

    def _embeddable(self) -> int:
        """How many leading terms the embeddings add: a term read from the token goes into
        W_E, one read from the position (`positions`, `ones`) into W_pos; the first, and the
        second when it takes the other one."""
        slots = [self._slot(name) for name, _ in self.terms[:2]]
        if not slots or slots[0] is None:
            return 0
        return 2 if len(slots) == 2 and slots[1] not in (None, slots[0]) else 1

    def _slot(self, name: str) -> str | None:
        if name in self.dp.embedding:
            return "token"
        return "position" if name in ("positions", "ones") else None

    def place(self, blocks: list[Block], n_ctx: int) -> list[Block]:
        """Put the terms between the embeddings' and the last (W_U's) into `blocks` (none
        when plain), in the model's order, each as early as its variable is complete: a
        block's attention adds one (a copy head) and its MLP one (a unit per value), the
        other heads and units writing nothing to `readout`; a slot is used while widening
        every block to fit it (TransformerLens's one shape) costs less than a block more.
        Returns the blocks that follow for the terms left, two each."""
        if self.plain:
            return []
        ready = _ready(blocks, self.stream)
        caps = [
            max([1, *(len(b.heads) for b in blocks)]),
            max([1, *(h.d_head for b in blocks for h in b.heads)]),
            max([1, *(len(b.units) for b in blocks)]),
        ]

        def cheaper(heads: int, d_head: int, units: int) -> bool:
            """Whether widening every block to these sizes costs less than a block more
            (dense weights per residual dimension: 4 per head column, 2 per unit)."""
            heads, d_head, units = max(heads, caps[0]), max(d_head, caps[1]), max(units, caps[2])
            grown = len(blocks) * (4 * heads * d_head + 2 * units)
            if grown >= (len(blocks) + 1) * (4 * caps[0] * caps[1] + 2 * caps[2]):
                return False
            caps[:] = heads, d_head, units
            return True

        extra, slot = [], -1  # slot 2 b: block b's attention, 2 b + 1: its MLP
        for k in range(self._embedded, len(self.terms) - 1):
            name = self.terms[k][0]
            slot = max(slot + 1, ready.get(name, 0))
            while True:
                b, mlp = divmod(slot, 2)
                if b >= len(blocks):
                    while len(blocks) + len(extra) <= b:
                        extra.append(Block("readout:"))
                    block, fits = extra[b - len(blocks)], True
                else:
                    block, fits = blocks[b], False
                if mlp:
                    units = self._units(k)
                    fits = fits or cheaper(0, 0, len(block.units) + len(units))
                    if fits:
                        block.units += units
                else:
                    head = self._copy_head(k, n_ctx)
                    fits = fits or cheaper(len(block.heads) + 1, head.d_head, 0)
                    if fits:
                        block.heads.append(head)
                if fits:
                    if block.role.startswith("readout:"):  # a block of its own
                        block.role += f"{'' if block.role == 'readout:' else ','} {name}"
                    else:
                        block.role += f"; readout {name}"
                    break
                slot += 1
        return extra

    def _value(self, k: int) -> tuple[dict, torch.Tensor] | None:
        """Term k's numerical value as a linear function of the stream (its dimension, or
        float32(v) per one-hot dimension) and its weights w [1, columns]; None if categorical."""
        name, w = self.terms[k][0], self.weights[k]
        if w is None:
            return None
        place = self.stream[name]
        if place.scalar:
            return {place.start: 1.0}, w
        xs = [f32(v) for v in self.values[name]]
        return {place.dim(i): x for i, x in enumerate(xs) if x}, w

    def _copy_head(self, k: int, n_ctx: int) -> Head:
        """A head that attends to its own position alone (score SCALE there, 0 elsewhere)
        and writes the row of `name`'s value there: a categorical value's one-hot times W_O's
        rows, a numerical value v (one column) times W_O's w, float32(v w) as the model's."""
        name, rows = self.terms[k]
        head = Head(f"readout {name}")
        positions, place = self.stream["positions"], self.stream[name]
        for p in range(n_ctx):
            head.w_q[positions.dim(p), p] = 1.0
            head.w_k[positions.dim(p), p] = SCALE
        value = self._value(k)
        if value is not None:
            reads, rows = value
            for dim, x in reads.items():
                head.w_v[dim, 0] = x
        for i in range(1 if value is not None else place.width):
            if value is None:
                head.w_v[place.dim(i), i] = 1.0
            for c, score in enumerate(rows[i].tolist()):
                if score:
                    head.w_o[i, self.acc.dim(c)] = score
        return head

    def _units(self, k: int) -> list[Unit]:
        name, rows = self.terms[k]
        value = self._value(k)
        if value is not None:  # relu(v) w - relu(-v) w: one is float32(v w), the other 0
            reads, w = value
            signs = (1.0, -1.0) if any(x < 0 for x in reads.values()) else (1.0,)
            write = {self.acc.dim(c): s for c, s in enumerate(w[0].tolist()) if s}
            return [
                Unit(
                    {d: sign * x for d, x in reads.items()},
                    0.0,
                    {d: sign * s for d, s in write.items()},
                )
                for sign in signs
            ]
        place = self.stream[name]
        return [
            Unit(
                {place.dim(i): 1.0},
                0.0,
                {self.acc.dim(c): s for c, s in enumerate(rows[i].tolist()) if s},
            )
            for i in range(place.width)
            if rows[i].any()
        ]

    def embed(self, w_e: torch.Tensor, w_pos: torch.Tensor) -> None:
        """Write the leading terms into the embeddings (ordered only)."""
        for name, rows in self.terms[: self._embedded]:
            cols = [self.acc.dim(c) for c in range(len(self.classes))]
            if self._slot(name) == "token":
                for token, value in enumerate(self.dp.embedding[name]):
                    w_e[token, cols] = rows[value]
            else:
                for p in range(w_pos.shape[0]):
                    w_pos[p, cols] = rows[0 if name == "ones" else p]

    def w_u(self) -> torch.Tensor:
        """W_U [d_model, columns]: the term rows at their variables' dimensions (plain; a
        variable read twice gets both, summed exactly), or `readout` with weight 1 and the
        last term's rows (ordered)."""
        w_u = torch.zeros(self.stream.size, len(self.classes))
        if not self.plain:
            for c in range(len(self.classes)):
                w_u[self.acc.dim(c), c] = 1.0
        # plain: every term; ordered: the last one, unless the embeddings added it (W_U's
        # sum is then `readout` + that row: one float32 addition, every other product 0)
        last = self.terms if self.plain else self.terms[max(self._embedded, len(self.terms) - 1) :]
        for name, rows in last:
            place = self.stream[name]
            w_u[place.start : place.start + place.width] += rows
        return w_u


def _ready(blocks: list[Block], stream: Stream) -> dict[str, int]:
    """Each variable's first slot (2 b: block b's attention, 2 b + 1: its MLP) after the last
    write to any of its dimensions (0: the embeddings write it)."""
    after = {}  # dimension -> the slot after its last write
    for b, block in enumerate(blocks):
        for head in block.heads:
            for _, dim in head.w_o:
                after[dim] = 2 * b + 1
        for dim in block.attn_bias:
            after[dim] = 2 * b + 1
        for unit in block.units:
            for dim in unit.writes:
                after[dim] = 2 * b + 2
        for dim in block.mlp_bias:
            after[dim] = 2 * b + 2
    return {
        name: max([0, *(after.get(place.start + i, 0) for i in range(place.width))])
        for name, place in stream.places.items()
    }
