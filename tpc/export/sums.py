"""The builder's sums of numerical variables: a numerical head that sums a numerical variable
v other than `ones` (issue 27's repaired sort sums counts, and sums of those), as the exact
number S in one residual dimension.

Softmax averages, so the head attends to its matching keys and to position 0 as an anchor
(as a counting head does): N keys, each weighted exactly float32(1/N). Its two value columns
give a = 1/N (1 at position 0) and b = (the matching keys' v after position 0, plus v(0)) / N.
Then, in three steps, each exact:

- the block's MLP decodes N's one-hot from a (`decode.family`);
- the next block (*sums*) copies v(0) to every position (a head attending to position 0) and
  its MLP writes S ~ N b - (1 - m0) v(0), m0 = "position 0 matches": per N one ReLU unit
  relu(n b + M [N = n] - M), whose error (from float32's 1/N and the sum in b) the export
  bounds, refusing a head where it could reach a quarter of S's grid g; the MLP's bias adds
  C = 1.5 * 2^23 g, so the residual addition rounds C + S~ to C + S exactly (float32's grid at
  C is g);
- the block after subtracts C in its attention's bias: S is exact from there on.

S's values are multiples of g, the largest power of two dividing every float32 value of v,
and at most 2^21 g in size, so the model's own float32 sum is exact in any order; a sum of
values that are not (a sum of thirds) is refused. Readers take S as it is: a sum head's
value, the readout, a numerical MLP's axis (`tpc.export.tables`); a reader that needs S's
one-hot (an MLP gate) gets it decoded from S (`onehot`).

`SumParts` is mixed into `tpc.export.weights._Builder`, whose stream, blocks and helpers it
uses.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from tpc.errors import TpcError
from tpc.export import decode
from tpc.export.layout import SCALE, Block, Head, Linear, Place, Unit
from tpc.ir.infer import MAX_VALUE_SET, ValueSetTooLarge, reachable_sums
from tpc.ir.scores import f32
from tpc.model.discrete import NumericalHead

U32 = 2.0**-24  # float32's unit roundoff


def is_sum(h) -> bool:
    """A numerical head that sums a numerical variable other than `ones`."""
    return isinstance(h, NumericalHead) and h.reduce == "sum" and h.value != "ones"


def _grid(values) -> Fraction:
    """The largest power of two every value is a multiple of (1 when all are 0)."""
    exponents = []
    for v in values:
        if v:
            n, d = v.numerator, v.denominator
            low = (n & -n).bit_length() - 1 - (d.bit_length() - 1)
            exponents.append(low if d & (d - 1) == 0 else None)
    if None in exponents:
        return Fraction(0)
    return Fraction(2) ** min(exponents, default=0)


class SumParts:
    def linear(self, name: str) -> Linear:
        """A numerical variable's value as a linear function of the stream: its dimension
        (scalar), or each one-hot dimension times float32 of its value."""
        place = self.s[name]
        if place.scalar:
            return {place.start: 1.0}
        values = self.values[name]
        return {place.dim(i): f32(v) for i, v in enumerate(values) if f32(v)}

    def _sum_head(self, block: Block, h) -> None:
        """The head and N's decode, in the layer's attention block."""
        values = [Fraction(f32(v)) for v in self.values[h.value]]
        grid = _grid(values)
        top = max(abs(v) for v in values)
        if not grid or self.n_ctx * top > 2**21 * grid:
            raise TpcError(
                f"{h.output}: a numerical head that sums {h.value}, whose float32 values are "
                "not small multiples of one power of two: its float32 sum depends on the order "
                "of addition; not exportable exactly"
            )
        try:
            steps = reachable_sums(tuple(sorted({int(v / grid) for v in values})), self.n_ctx)
        except ValueSetTooLarge:
            raise TpcError(
                f"{h.output}: more than {MAX_VALUE_SET} sums of {h.value}: too many"
            ) from None
        sums = sorted({Fraction(k) * grid for s in steps for k in s})
        m0 = self.m0(h)
        head = self._head(block, h)
        col = self._match_columns(head, h, 1.0)
        self._bos_column(head, col, m0, 1.0)  # the anchor: position 0 always at level 1
        signal = self.s.add(f"{h.output}.softmax", "internal", ("1/N", "sum/N"))
        head.w_v[self.s.is_bos, 0] = 1.0
        for dim, w in self.linear(h.value).items():
            head.w_v[dim, 1] = w
        head.w_o[0, signal.dim(0)], head.w_o[1, signal.dim(1)] = 1.0, 1.0
        ns = list(range(1, min(self.n_ctx, self._most_matches(h) + 1) + 1))
        count = self.s.add(f"{h.output}.N", "internal", ns)
        points = [(float(np.float32(1.0) / np.float32(n)), i) for i, n in enumerate(ns)]
        units, margin = decode.family(
            h.output, count, {signal.dim(0): 1.0}, {}, self.s.ones, points, 4 * decode.EPS32
        )
        block.units += units
        self.margins[h.output] = margin
        self.values[h.output] = sums
        self._pending[h.output] = (h, signal, count, m0, grid, top)

    def _sum_products(self, block: Block, name: str) -> Place:
        """S ~ N b - (1 - m0) v(0) plus C in `block`'s MLP (its attention copies v(0))."""
        h, signal, count, m0, grid, top = self._pending.pop(name)
        v0 = self._at_bos(block, h.value)
        out = self.s.add(name, "numerical", self.values[name], scalar=True)
        b, most = signal.dim(1), count.values[-1]
        big = float(2 ** (int(2 * most * top + 2).bit_length()))  # M > |n b|, |v(0)|
        error = U32 * (most * (most + 3) * float(top) + 8 * big)
        if error >= grid / 4:
            raise TpcError(
                f"{name}: its sum's float32 error bound {error:.3g} reaches a quarter of its "
                f"values' spacing {float(grid):g}: not exportable exactly"
            )
        signs = (1.0, -1.0) if any(v < 0 for v in self.values[h.value]) else (1.0,)
        for i, n in enumerate(count.values):
            for sign in signs:  # relu(+-n b) while N = n: n b's positive and negative parts
                reads = {b: sign * n, count.dim(i): big}
                block.units.append(Unit(reads, -big, {out.start: sign}))
        for sign in signs:  # -(1 - m0) v(0) = -v(0) + m0 v(0)
            part = {d: sign * w for d, w in v0.items()}
            block.units.append(Unit(part, 0.0, {out.start: -sign}))
            gated = dict(part)
            for d, w in m0.items():
                gated[d] = gated.get(d, 0.0) + big * w
            block.units.append(Unit(gated, -big, {out.start: sign}))
        block.mlp_bias[out.start] = 1.5 * 2.0**23 * float(grid)
        self._rounded[name] = (out.start, -block.mlp_bias[out.start])
        self.margins[name] = min(self.margins[name], float(grid) / 4 - error)
        return out

    def _at_bos(self, block: Block, name: str) -> Linear:
        """`name`'s value at position 0 at every position: a head in `block` attending to
        position 0 alone (one per variable)."""
        key = f"{name}@0"
        if key not in self.s.places:
            head = Head(key)
            copy = self.s.add(key, "internal", ("value",))
            head.w_q[self.s.ones, 0] = 1.0
            head.w_k[self.s.is_bos, 0] = SCALE
            for dim, w in self.linear(name).items():
                head.w_v[dim, 0] = w
            head.w_o[0, copy.start] = 1.0
            block.heads.append(head)
        return {self.s[key].start: 1.0}

    def _exact(self, block: Block, names) -> None:
        """Subtract C in `block`'s attention: from its MLP on, the sums are exact."""
        for name in names:
            dim, minus_c = self._rounded.pop(name)
            block.attn_bias[dim] = minus_c
            self._exact_at[name] = block

    def onehot(self, name: str, reader: Block) -> Place:
        """`name`'s one-hot place, for a reader in `reader`'s MLP: its own, or (a sum) decoded
        from S in the MLP of the block where S became exact, which must come before."""
        place = self.s[name]
        if not place.scalar:
            return place
        key = f"{name}.one-hot"
        if key not in self.s.places:
            block = self._exact_at[name]
            if self._index(block) >= self._index(reader):
                raise TpcError(f"{name}: read as a one-hot in the MLP that makes it exact")
            values = self.values[name]
            onehot = self.s.add(key, "numerical", values)
            top = max(abs(float(v)) for v in values)
            points = [(f32(v), i) for i, v in enumerate(values)]
            units, _ = decode.family(
                name, onehot, {place.start: 1.0}, {}, self.s.ones, points, 4 * decode.EPS32 * top
            )
            block.units += units
        return self.s[key]
