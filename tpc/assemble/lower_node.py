"""Lowering IR nodes to model modules: one `visit_<NodeClass>` per node, each giving the node's
views (`views.Entry`).

A module is allocated only where the model must compute something new: attention heads for
aggregates and selector widths, categorical MLPs for SequenceMaps of two different variables
and for product variables (`selectors`), numerical MLPs for numerical -> categorical lookups.
"""

from __future__ import annotations

import math
import operator
from fractions import Fraction

from tpc.assemble.layout import CompileError, Layout
from tpc.assemble.selectors import selector
from tpc.assemble.views import NOCONST, CatView, Entry, NumView, Views, table_get
from tpc.ir import (
    Aggregate,
    SequenceMap,
    Visitor,
    is_number,
    normalize,
    reachable_sums,
    sort_key,
    value_key,
)
from tpc.ir.infer import ValueSetTooLarge


def affine_fit(rows) -> tuple[list[Fraction], Fraction] | None:
    """(k, c) with out == sum(k_i * x_i) + c on every (inputs tuple, out) row, or None."""
    if not rows or not all(is_number(o) and all(is_number(x) for x in xs) for xs, o in rows):
        return None
    base, t0 = rows[0]
    ks = []
    for i in range(len(base)):
        # the slope along input i, from a row that differs from the first only there
        ks.append(
            next(
                (
                    Fraction(t - t0) / (xs[i] - base[i])
                    for xs, t in rows
                    if xs[i] != base[i]
                    and all(xs[j] == base[j] for j in range(len(base)) if j != i)
                ),
                Fraction(0),
            )
        )
    c = t0 - sum(k * x for k, x in zip(ks, base))
    # Check every row in integers, all scaled by one common denominator: Fraction arithmetic on
    # thousands of rows is slow, and each input's products k_i * x_i repeat.
    inputs = [{value_key(xs[i]): xs[i] for xs, _ in rows} for i in range(len(ks))]
    terms = [{key: k * x for key, x in distinct.items()} for k, distinct in zip(ks, inputs)]
    scale = math.lcm(
        c.denominator,
        *{t.denominator for _, t in rows},
        *{v.denominator for products in terms for v in products.values()},
    )

    def scaled(v) -> int:
        return v.numerator * (scale // v.denominator)

    terms = [{key: scaled(v) for key, v in products.items()} for products in terms]
    offset = scaled(c)
    if all(
        scaled(t) - sum(terms[i][value_key(x)] for i, x in enumerate(xs)) == offset
        for xs, t in rows
    ):
        return ks, c
    return None


class NodeLowering(Visitor):
    """`lower_node(node)` records the node's views in `views.env`, allocating modules in
    `layout`."""

    def __init__(self, views: Views, layout: Layout):
        self.views = views
        self.layout = layout
        self.program = views.program
        self.env = views.env

    def lower_node(self, node) -> None:
        e = Entry()
        self.env[node.name] = e
        self.visit(node, e)

    # -- inputs and constants --------------------------------------------------------------------
    def visit_Tokens(self, node, e: Entry) -> None:
        tokens = self.layout.tokens
        e.cat = CatView(tokens, {i: self.layout.token_values[i] for i in tokens.values})

    def visit_Indices(self, node, e: Entry) -> None:
        e.cat = CatView(self.layout.positions, {i: i for i in self.layout.positions.values})

    def visit_Ones(self, node, e: Entry) -> None:
        e.num = NumView({self.layout.ones: Fraction(1)})

    def visit_Constant(self, node, e: Entry) -> None:
        e.cat = CatView(
            self.layout.positions, {i: node.value for i in self.layout.positions.values}
        )
        if node.type.kind == "numerical":
            e.num = NumView({self.layout.ones: Fraction(node.value)} if node.value != 0 else {})

    # -- element-wise ----------------------------------------------------------------------------
    def visit_Map(self, node, e: Entry) -> None:
        if node.type.kind == "numerical" and (view := self._affine(node)) is not None:
            e.num = view
        elif self.env[node.x].cat is None:
            # Straight from the number to the Map's output: the lookup has a step only where
            # the output changes, not one class per input value.
            e.cat = self.views.num_to_cat(
                self.env[node.x].num,
                {Fraction(v): table_get(node.table, v) for v in self.program[node.x].type.values},
            )
        else:
            cv = self.views.as_cat(node.x)
            e.cat = CatView(cv.var, {i: table_get(node.table, v) for i, v in cv.dec.items()})

    def visit_SequenceMap(self, node, e: Entry) -> None:
        if node.type.kind == "numerical" and (view := self._affine(node)) is not None:
            e.num = view
            return
        if (view := self._through_combination(node)) is not None:
            e.cat = view
            return
        t = node.table
        cx, cy = self._sequence_input(node, 0), self._sequence_input(node, 1)
        if cx.constant() is not NOCONST:
            e.cat = CatView(
                cy.var, {j: table_get(t, (cx.constant(), b)) for j, b in cy.dec.items()}
            )
        elif cy.constant() is not NOCONST:
            e.cat = CatView(
                cx.var, {i: table_get(t, (a, cy.constant())) for i, a in cx.dec.items()}
            )
        elif cx.var is cy.var:
            e.cat = CatView(cx.var, {i: t[(cx.dec[i], cy.dec[i])] for i in cx.dec})
        else:
            e.cat = self.views.cat_mlp([cx, cy], lambda a, b: table_get(t, (a, b)))

    def _affine(self, node) -> NumView | None:
        """A numerical Map / SequenceMap of numerical views that is affine on its whole table:
        the same linear combination of model variables (no module), else None."""
        sources = [self.env[x] for x in node.inputs]
        if any(src.num is None or src.cat is not None for src in sources):
            return None  # a categorical view exists: mapping it is free
        # a SequenceMap's table keys are already (x, y) tuples
        rows = node.table.rows if len(sources) == 2 else [((x,), y) for x, y in node.table.rows]
        fit = affine_fit(rows)
        if fit is None:
            return None
        ks, c = fit
        view = NumView({self.layout.ones: c} if c != 0 else {})
        for src, k in zip(sources, ks):
            view = view.plus(src.num.scaled(k))
        return view

    def _through_combination(self, node: SequenceMap) -> CatView | None:
        """A SequenceMap of two numerical views whose table depends only on x - y (or x + y),
        as comparisons do: one numerical MLP on that combination, else None."""
        sources = [self.env[x] for x in node.inputs]
        if any(src.num is None or src.cat is not None for src in sources):
            return None
        rows = node.table.rows
        if not all(is_number(a) and is_number(b) for (a, b), _ in rows):
            return None
        for k, combine in ((Fraction(-1), operator.sub), (Fraction(1), operator.add)):
            by_value: dict = {}  # value_key(x) -> (x, out): value keys hash fast
            for (a, b), out in rows:
                x = combine(a, b)
                seen = by_value.setdefault(value_key(x), (x, out))[1]
                if value_key(seen) != value_key(out):
                    break
            else:
                return self.views.num_to_cat(
                    sources[0].num.plus(sources[1].num.scaled(k)),
                    {Fraction(x): out for x, out in by_value.values()},
                )
        return None

    def _sequence_input(self, node: SequenceMap, side: int) -> CatView:
        """A categorical view of one input of `node`. A numerical input without one is looked
        up only as finely as the table needs: values whose outputs agree for every value of
        the other input share a class (named by one of them), so a sum over 257 values that
        the table splits in two costs a 2-class lookup, not a 257-class one."""
        name, other = node.inputs[side], node.inputs[1 - side]
        if self.env[name].cat is not None:
            return self.env[name].cat
        rows = self.program[other].type.values
        key = (lambda a, b: (a, b)) if side == 0 else (lambda a, b: (b, a))
        rep: dict = {}  # outputs over the other input -> the first value giving them
        ir = {}
        for a in self.program[name].type.values:
            sig = tuple(value_key(table_get(node.table, key(a, b))) for b in rows)
            ir[Fraction(a)] = rep.setdefault(sig, a)
        return self.views.num_to_cat(self.env[name].num, ir)

    # -- attention -------------------------------------------------------------------------------
    def visit_SelectorWidth(self, node, e: Entry) -> None:
        q, k, table = selector(self.views, node.selector)
        e.num = NumView({self.layout.count_head(q, k, table): Fraction(1)})

    def visit_Aggregate(self, node: Aggregate, e: Entry) -> None:
        if node.reduce == "nearest":
            self._nearest(node, e)
        else:
            self._sum_or_mean(node, e)

    def _static_bos(self, cv: CatView):
        """The view's value at BOS if the view is fixed there (tokens, positions), else NOCONST."""
        if cv.var is self.layout.tokens:
            return cv.dec[self.layout.bos_id]
        if cv.var is self.layout.positions:
            return cv.dec[0]
        return NOCONST

    def _nearest(self, node: Aggregate, e: Entry) -> None:
        q, k, table = selector(self.views, node.selector)
        vv = self.views.as_cat(node.values)
        const = vv.constant()
        if const is not NOCONST and (
            node.default is None or sort_key(node.default) == sort_key(const)
        ):
            e.cat = CatView(self.layout.positions, {i: const for i in self.layout.positions.values})
            return
        head = self.layout.add("cat_head", [q, k, vv.var], "cat", list(vv.var.values), table=table)
        view = CatView(head, dict(vv.dec))
        if node.default is not None:
            bos = self._static_bos(vv)
            if bos is NOCONST or sort_key(bos) != sort_key(node.default):
                # Whether anything matched: a count head, its 0/1 lookup, then a 2-input MLP.
                count = self.layout.count_head(q, k, table)
                anyv = self.views.num_to_cat(
                    NumView({count: Fraction(1)}), {v: v > 0 for v in count.values}
                )
                d = node.default
                view = self.views.cat_mlp([view, anyv], lambda a, hit: a if hit else d)
        e.cat = view

    def _sum_or_mean(self, node: Aggregate, e: Entry) -> None:
        """Sums and means distribute over the view's terms: one head per model variable."""
        q, k, table = selector(self.views, node.selector)
        nv = self.views.as_num(node.values)
        mean = node.reduce == "mean"
        n = self.layout.n
        heads = {}
        for var, coef in nv.terms.items():
            if len(nv.terms) == 1:  # the node's own type bounds the head's values
                vals = {Fraction(v) / coef for v in node.type.values if is_number(v)}
            else:
                try:
                    sums = reachable_sums(tuple(var.values), n)
                except ValueSetTooLarge as err:
                    raise CompileError(
                        f"{node.name}: {err} for one term of the aggregated sum"
                    ) from None
                vals = (
                    {Fraction(x) / c for c in range(1, len(sums)) for x in sums[c]}
                    if mean
                    else set().union(*sums)
                )
            vals = sorted(vals | {Fraction(0)})
            heads[self.layout.add("num_head", [q, k, var], "num", vals, table=table, mean=mean)] = (
                coef
            )
        view = NumView(heads)
        if not mean or node.default is None or node.default == 0:
            e.num = view
            return
        count = self.layout.count_head(q, k, table)
        ir = {Fraction(v): normalize(v) for v in node.type.values if is_number(v)}
        e.cat = self.views.num_to_cat(view, ir, count, node.default)

    # -- lowered where they are read -------------------------------------------------------------
    def read_where_used(self, node, e: Entry) -> None:
        """Selectors become predicate tables of the heads that use them; a Readout is lowered
        only as the program output (`readout`)."""

    visit_Select = visit_SelectAnd = visit_SelectOr = visit_SelectNot = visit_Readout = (
        read_where_used
    )
