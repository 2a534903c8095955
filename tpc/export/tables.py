"""The builder's numerical MLPs tabulated by rows: one input (the *axis*) read as a number,
the others (the *gates*) as one-hots; for each combination of the gates' values a family of
steps along the axis (`decode.family`, switched on by that combination alone) writes the
MLP's output, with units only where the output changes along the axis.

A table of one unit per input combination (`tpc.export.weights`) needs every input's one-hot
and grows with their product; rows grow with the gates' combinations times the output's
changes, and read a sum (`tpc.export.sums`, one dimension) as it is. The builder takes the
smaller of the two.

`TableParts` is mixed into `tpc.export.weights._Builder`, whose stream, values and helpers it
uses (`linear` and `onehot` from `tpc.export.sums`).
"""

from __future__ import annotations

import itertools

import torch

from tpc.errors import TpcError
from tpc.export import decode
from tpc.export.decode import MAX_TABLE
from tpc.export.layout import Block
from tpc.ir.scores import f32


class TableParts:
    def _row_plan(self, m, block: Block):
        """(axis, gates, outputs by gate combination): outputs[combo] is the MLP's output at
        each of the axis's values (an input read twice takes the same value)."""
        names = list(dict.fromkeys(m.inputs))
        scalar = [n for n in names if self.s[n].scalar and self._one_hot_after(n, block)]
        axis = scalar[0] if scalar else max(names, key=lambda n: len(self.values[n]))
        if len(scalar) > 1:
            raise TpcError(f"{m.output}: reads two sums made exact in its own block")
        gates = [n for n in names if n != axis]
        combos = 1
        for n in gates:
            combos *= len(self.values[n])
        if combos * len(self.values[axis]) > MAX_TABLE:
            raise TpcError(
                f"{m.output}: {combos * len(self.values[axis])} input combinations "
                f"(at most {MAX_TABLE} are tabulated)"
            )
        rounded = {n: [f32(v) for v in self.values[n]] for n in names}
        grid = list(itertools.product(*(range(len(self.values[n])) for n in gates)))
        rows = []
        for combo in grid:
            at = dict(zip(gates, combo))
            for a in range(len(self.values[axis])):
                at[axis] = a
                rows.append([rounded[n][at[n]] for n in m.inputs])
        outputs = m.apply(torch.tensor(rows)).view(len(grid), -1).tolist()
        return axis, gates, dict(zip(grid, outputs))

    def _one_hot_after(self, name: str, block: Block) -> bool:
        """Whether `name` is a sum made exact in `block` itself (its one-hot would be late)."""
        return self._exact_at.get(name) is block

    def _rows(self, block: Block, m, plan) -> None:
        axis, gates, outputs = plan
        ones, out = self.s.ones, self.s[m.output]
        places = [self.onehot(n, block) for n in gates]
        signal = self.linear(axis)
        xs = [f32(v) for v in self.values[axis]]
        top = max(max(abs(x) for x in xs), 1.0)
        for combo, row in outputs.items():
            if max(row) >= out.width:
                raise TpcError(
                    f"{m.output}: an output value beyond the variable's {out.width} values"
                )
            gate = {ones: float(len(gates))}  # 0 where every gate takes its combo's value
            for p, c in zip(places, combo):
                gate[p.dim(c)] = gate.get(p.dim(c), 0.0) - 1.0
            units, _ = decode.family(
                m.output, out, signal, gate, ones, list(zip(xs, row)), 4 * decode.EPS32 * top
            )
            block.units += units

    @staticmethod
    def row_units(plan) -> int:
        """How many units `_rows` writes for `plan`."""
        return sum(1 + 2 * sum(a != b for a, b in zip(r, r[1:])) for r in plan[2].values())
