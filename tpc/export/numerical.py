"""The builder's numerical parts: numerical heads, whose softmax output (1/N, or a mean and
the weight at position 0) `decode` reads back as the exact result's one-hot, and numerical
MLPs whose first layer reads one direction of their inputs, tabulated along it.

`NumericalParts` is mixed into `tpc.export.weights._Builder`, whose stream (`s`), blocks,
numerical values and head helpers (`_head`, `_match_columns`, `_bos_column`, `m0`) it uses.
"""

from __future__ import annotations

from fractions import Fraction

import torch

from tpc.errors import TpcError
from tpc.export import decode
from tpc.export.decode import MAX_TABLE
from tpc.export.layout import Block, Unit
from tpc.ir.scores import f32
from tpc.model.discrete import NumericalHead


class NumericalParts:
    def _num_head(self, block: Block, h: NumericalHead) -> None:
        m0 = self.m0(h)
        head = self._head(block, h)
        ones = self.s.ones
        not_m0 = {ones: 1.0, **{d: -w for d, w in m0.items()}}  # m0 never reads `ones`
        if h.reduce == "sum":
            if h.value != "ones":
                raise TpcError(
                    f"{h.output}: a numerical head that sums {h.value} (not ones) is "
                    "not exportable exactly"
                )
            col = self._match_columns(head, h, 1.0)
            self._bos_column(head, col, m0, 1.0)  # the anchor: position 0 always at level 1
            signal = self.s.add(f"{h.output}.softmax", "internal", ("1/N",))
            head.w_v[self.s.is_bos, 0] = 1.0
            head.w_o[0, signal.start] = 1.0
            values = [Fraction(c) for c in range(self._most_matches(h) + 1)]
            out = self.s.add(h.output, "numerical", values)
            self.values[h.output] = values
            index = values.index
            margin = float("inf")
            for matched, gate in ((0, m0), (1, not_m0)):
                points = [
                    (z, index(c))
                    for z, c in decode.count_points(self.n_ctx, matched)
                    if c in values
                ]
                units, gap = decode.family(
                    h.output, out, {signal.start: 1.0}, gate, ones, points, 4 * decode.EPS32
                )
                block.units += units
                margin = min(margin, gap)
            self.margins[h.output] = margin
            return
        col = self._match_columns(head, h, 2.0)
        self._bos_column(head, col, m0, 1.0)  # position 0 only when nothing matches
        z = self.s.add(f"{h.output}.softmax", "internal", ("mean", "weight at 0"))
        for dim, w in self.linear(h.value).items():
            head.w_v[dim, 0] = w
        head.w_v[self.s.is_bos, 1] = 1.0
        head.w_o[0, z.dim(0)], head.w_o[1, z.dim(1)] = 1.0, 1.0
        values = decode.means(self.values[h.value], self.n_ctx)
        if Fraction(0) not in values:
            values = [Fraction(0), *values]
        out = self.s.add(h.output, "numerical", values)
        self.values[h.output] = values
        top = max(abs(float(x)) for x in values)
        error = 4 * self.n_ctx * decode.EPS32 * max(top, 1e-30)
        points = [(f32(x), i) for i, x in enumerate(values)]
        weight_at_0 = {z.dim(1): 1.0}
        margin = float("inf")
        for gate in (not_m0, {**m0, **weight_at_0}):  # position 0 matches / others match
            units, gap = decode.family(h.output, out, {z.dim(0): 1.0}, gate, ones, points, error)
            block.units += units
            margin = min(margin, gap)
        # no match at all (position 0 chosen, unmatched): the mean is 0
        block.units.append(
            Unit(
                {z.dim(1): 1.0, **{d: -w for d, w in m0.items()}},
                0.0,
                {out.dim(values.index(Fraction(0))): 1.0},
            )
        )
        self.margins[h.output] = margin

    def _most_matches(self, h) -> int:
        """How many keys a head can match: when its key is `positions` (each position its own
        value), at most the widest row of its predicate; else every position."""
        if h.key != "positions":
            return self.n_ctx
        return min(self.n_ctx, max((sum(row[: self.n_ctx]) for row in h.predicate), default=0))

    def _projected(self, block: Block, m, u: list[float]) -> None:
        """A numerical MLP whose first layer reads one direction u of its inputs: a function
        of t = u . x alone, decoded from t (`decode.family`) over every t the inputs' value
        sets allow (each with one input tuple that gives it, which the model's MLP is run on)."""
        ones, out = self.s.ones, self.s[m.output]
        sums = {Fraction(0): ()}  # exact sums: float32 ones that differ in rounding are one
        for name, w in zip(m.inputs, u):
            sums = {
                t + Fraction(w) * x: (*rep, i)
                for t, rep in sums.items()
                for i, x in enumerate(self.values[name])
            }
            if len(sums) > MAX_TABLE:
                raise TpcError(
                    f"{m.output}: more than {MAX_TABLE} values of its inputs' "
                    "weighted sum: too many to tabulate"
                )
        ts = sorted(sums)
        rows = torch.tensor(
            [[f32(self.values[n][i]) for n, i in zip(m.inputs, sums[t])] for t in ts]
        )
        outputs = m.apply(rows).tolist()
        signal = {}  # an input read twice: both weights
        for n, w in zip(m.inputs, u):
            for dim, x in self.linear(n).items():
                signal[dim] = signal.get(dim, 0.0) + w * x
        error = (
            4
            * len(u)
            * decode.EPS32
            * max(
                sum(abs(w) for w in u)
                * float(max(max(abs(v) for v in self.values[n]) for n in m.inputs)),
                1.0,
            )
        )
        points = [(float(t), o) for t, o in zip(ts, outputs)]
        units, _ = decode.family(m.output, out, signal, {}, ones, points, max(error, decode.EPS32))
        block.units += units


def numerical_direction(w_in: torch.Tensor) -> list[float] | None:
    """The one direction every row of `w_in` is a multiple of, or None."""
    rows = [r for r in w_in.tolist() if any(r)]
    if not rows:
        return None
    u = rows[0]
    pivot = next(i for i, x in enumerate(u) if x)
    for r in rows:
        scale = r[pivot] / u[pivot]
        if any(abs(a - scale * b) > 1e-6 * max(1.0, abs(a)) for a, b in zip(r, u)):
            return None
    return u
