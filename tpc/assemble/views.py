"""Views: each IR s-op as seen through model variables.

- `CatView(var, dec)`: a categorical model variable and the IR value of each of its one-hot
  indices. Maps of a categorical view are free: they only compose `dec` (no MLP).
- `NumView(terms)`: a linear combination of numerical model variables (`ones` carries the
  constant) equal to the IR value. Affine Maps and SequenceMaps of numerical views are free:
  they only combine terms; sums and means distribute over the terms (one head each), and
  MLPs and the readout read the terms with their coefficients.

`Views` turns one kind of view into the other, allocating the modules that takes.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import attrs
import numpy as np

from tpc.assemble.layout import CompileError, Layout, Unit, Var
from tpc.assemble.lookup import cat_units, num_lookup
from tpc.ir import Program, is_number, normalize, sort_key

NOCONST = object()  # `CatView.constant()` of a view that takes more than one value


def table_get(table, key):
    """`table[key]`; a key the table lacks is unreachable, so any row will do."""
    return table[key] if key in table else table.rows[0][1]


@attrs.define(eq=False)
class CatView:
    var: Var
    dec: dict  # one-hot index -> IR value

    def constant(self):
        vals = {sort_key(v): v for v in self.dec.values()}
        return next(iter(vals.values())) if len(vals) == 1 else NOCONST


@attrs.define(eq=False)
class NumView:
    terms: dict  # Var -> Fraction coefficient (never 0); the IR value is sum(coef * value)

    def scaled(self, k: Fraction) -> "NumView":
        return NumView({v: c * k for v, c in self.terms.items() if c * k != 0})

    def plus(self, other: "NumView") -> "NumView":
        terms = dict(self.terms)
        for v, c in other.terms.items():
            terms[v] = terms.get(v, Fraction(0)) + c
        return NumView({v: c for v, c in terms.items() if c != 0})


@attrs.define(eq=False)
class Entry:
    """The views of one s-op built so far (at least one of them)."""

    cat: CatView | None = None
    num: NumView | None = None


class Views:
    """Every lowered s-op's views (`env`), and the conversions between them."""

    def __init__(self, program: Program, layout: Layout):
        self.program = program
        self.layout = layout
        self.env: dict[str, Entry] = {}

    def as_cat(self, name: str) -> CatView:
        e = self.env[name]
        if e.cat is None:  # the IR type bounds the view's values (the model computes the IR)
            e.cat = self.num_to_cat(
                e.num, {Fraction(v): normalize(v) for v in self.program[name].type.values}
            )
        return e.cat

    def num_to_cat(
        self, view: NumView, ir: dict, count: Var | None = None, empty_default=None
    ) -> CatView:
        """A numerical MLP mapping the view's value x to the class of `ir[x]` (x ranges over
        `ir`'s keys); with `count`, to `empty_default` when that count is 0."""
        ones, positions = self.layout.ones, self.layout.positions
        variables = [v for v in view.terms if v is not ones]
        const = view.terms.get(ones, Fraction(0))
        distinct = sorted({sort_key(x): x for x in ir.values()}.items())
        if count is None and (not variables or len(distinct) == 1):  # a constant
            return CatView(
                positions, {i: distinct[0][1] if variables else ir[const] for i in positions.values}
            )
        index = {k: i for i, (k, _) in enumerate(distinct)}
        ramps, bias = num_lookup(sorted(ir), {x: index[sort_key(y)] for x, y in ir.items()})
        # A ramp on x = sum(coef * var) + const reads every variable with its coefficient.
        units = [
            Unit(
                {i: w * float(view.terms[v]) for i, v in enumerate(variables)},
                b + w * float(const),
                o,
            )
            for w, b, o in ramps
        ]
        dec = {i: x for i, (_, x) in enumerate(distinct)}
        if count is not None:  # ReLU(1 - count) = 1 exactly when nothing matched
            k = sort_key(empty_default)
            if k not in index:
                index[k] = len(dec)
                dec[index[k]] = empty_default
            units.append(Unit({len(variables): -1.0}, 1.0, {index[k]: 3.0}))
            variables.append(count)
        var = self.layout.add("num_mlp", variables, "cat", sorted(dec), units=units, out_bias=bias)
        return CatView(var, dec)

    def as_num(self, name: str) -> NumView:
        e = self.env[name]
        if e.num is None:
            e.num = self._cat_to_num(name, e.cat)
        return e.num

    def _cat_to_num(self, name: str, cv: CatView) -> NumView:
        values = {sort_key(v): v for v in cv.dec.values()}
        if not all(is_number(v) for v in values.values()):
            raise CompileError(f"{name}: a numerical value of non-numbers")
        ones, positions = self.layout.ones, self.layout.positions
        const = cv.constant()
        if const is not NOCONST:
            return NumView({ones: Fraction(const)} if const != 0 else {})
        # value = base + sum over the other values v of (v - base) * [x == v]; each
        # indicator is a head that, when the query's value is v, attends to BOS alone.
        base = Fraction(0) if 0 in values.values() else Fraction(min(values.values()))
        terms = {ones: base} if base != 0 else {}
        for v in sorted(values.values()):
            if v == base:
                continue
            table = np.zeros((cv.var.width, positions.width), dtype=bool)
            for i, x in cv.dec.items():
                table[i, 0] = x == v
            head = self.layout.add(
                "num_head",
                [cv.var, positions, ones],
                "num",
                [Fraction(0), Fraction(1)],
                table=table,
            )
            terms[head] = Fraction(v) - base
        return NumView(terms)

    def cat_mlp(self, views: list[CatView], fn) -> CatView:
        """A categorical MLP computing `fn` of the views' IR values."""
        reach = [sorted(v.dec) for v in views]
        outs = {c: fn(*(v.dec[i] for v, i in zip(views, c))) for c in itertools.product(*reach)}
        distinct = sorted({sort_key(x): x for x in outs.values()}.items())
        index = {k: i for i, (k, _) in enumerate(distinct)}
        units, bias = cat_units(
            [v.var.width for v in views], reach, lambda *c: index[sort_key(outs[c])]
        )
        var = self.layout.add(
            "cat_mlp",
            [v.var for v in views],
            "cat",
            list(range(len(distinct))),
            units=units,
            out_bias=bias,
        )
        return CatView(var, {i: x for i, (_, x) in enumerate(distinct)})
