"""The readout: class scores from the variables that compute the program's output.

A categorical output is read through its one-hot (margin 1). A numerical output x is read
as argmax_c 2*c*x - c^2 (the class nearest to x) over the values x can really take
(`reach.view_values`); `margin.readout_margin` then checks that float32 keeps every class
apart. A `Readout` node's own score tables are copied.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import torch

from tpc.assemble.layout import CompileError
from tpc.assemble.margin import (
    CatReadout,
    NumReadout,
    NumTerm,
    readout_margin,
    rounds_once,
    row_blocks,
    var_error,
)
from tpc.assemble.reach import view_values
from tpc.assemble.views import Views, table_get
from tpc.ir import Readout, is_number, linear_weights, sort_key


def readout_rows(views: Views, output: str):
    """(classes, rows, spec) for the program's output `output`, its nodes lowered in `views`:
    rows is a list of (Var, {index or None: score vector}); spec describes the reachable
    readout inputs for `margin.readout_margin` (None for a `Readout` node)."""
    onode = views.program[views.program.output_map[output]]
    if isinstance(onode, Readout):
        if onode.pooled:
            raise CompileError(
                f"{output}: a pooled readout (a text classifier's) cannot be compiled"
            )
        return _table_rows(views, onode)
    ent = views.env[onode.name]
    classes = list(onode.type.values)
    if ent.cat is None and not all(is_number(c) for c in classes):
        views.as_cat(onode.name)
    if ent.cat is not None:
        cv = ent.cat
        cindex = {sort_key(c): i for i, c in enumerate(classes)}
        for v in cv.dec.values():  # unreachable extra values get classes of their own
            if sort_key(v) not in cindex:
                cindex[sort_key(v)] = len(classes)
                classes.append(v)
        table, expected = {}, {}
        for i, v in cv.dec.items():
            r = np.zeros(len(classes))
            r[cindex[sort_key(v)]] = 1.0
            table[i] = r
            expected[i] = cindex[sort_key(v)] + 1  # class id 0 is <pad>
        return classes, [(cv.var, table)], CatReadout(cv.var, expected)
    nv = ent.num
    reach = view_values(nv, views.layout.ones, views.layout.positions, views.layout.n)
    if reach is not None:  # values the model never computes need no class
        classes = [c for c in classes if Fraction(c) in reach]
    cache: dict = {}
    terms = tuple(
        NumTerm(
            var, coef, max(abs(float(v)) for v in var.values), var_error(var, views.layout.n, cache)
        )
        for var, coef in nv.terms.items()
        if var is not views.layout.ones
    )
    const = Fraction(nv.terms.get(views.layout.ones, 0))
    rows, spec = _nearest(views, classes, terms, const)
    if not readout_margin(simulate(rows), (None, *classes), spec, key=_same).ok:
        rows, spec = _bucketed(views, nv, classes, terms, const)
    return classes, rows, spec


def _nearest(views, classes, terms, const):
    """Scores 2*c*x - c^2, largest at the class nearest to x: no module, but margins shrink
    with the square of the gap between classes."""
    cs = np.array([float(c) for c in classes])
    rows = [(t.var, {None: 2 * cs * float(t.coef)}) for t in terms]
    rows.append((views.layout.ones, {None: 2 * cs * float(const) - cs * cs}))
    return rows, NumReadout(terms, const, 2 * cs)


def _bucketed(views, nv, classes, terms, const):
    """Classes in groups of about sqrt(n) neighbours: a lookup MLP says which group x is in
    (its rows rule out the other groups), and within a group the slopes step by 1, so the
    margin between neighbours is half their gap rather than its square."""
    values = sorted((Fraction(c), j) for j, c in enumerate(classes))
    size = max(2, math.isqrt(len(values) - 1) + 1)
    group = {x: g // size for g, (x, _) in enumerate(values)}
    bucket = views.num_to_cat(nv, group)
    slopes = np.zeros(len(classes))
    intercept: dict = {}  # class index -> exact intercept of its line s * (x - const) + b
    for g in range(0, len(values), size):
        members = values[g : g + size]
        k = len(members)
        ys = [x - const for x, _ in members]
        b = -Fraction(1 - k, 2) * ys[0]  # the first line is 0 at its own value
        for r, (_, j) in enumerate(members):
            if r:  # neighbours' lines cross halfway between their values
                b -= (ys[r] + ys[r - 1]) / 2
            slopes[j] = float(Fraction(2 * r - k + 1, 2))  # centred on 0: small scores
            intercept[j] = b
    reach = size * max(abs(float(x - const)) for x, _ in values) + max(
        abs(float(b)) for b in intercept.values()
    )
    table = {}
    for i, g in bucket.dec.items():
        row = np.full(len(classes), -2 * reach - 1)  # other groups' classes never win
        for _, j in values[g * size : (g + 1) * size]:
            row[j] = float(intercept[j])
        table[i] = row
    rows = [(t.var, {None: slopes * float(t.coef)}) for t in terms]
    rows.append((bucket.var, table))
    row_of = {j: next(i for i, g in bucket.dec.items() if g == group[x]) for x, j in values}
    return rows, NumReadout(terms, const, slopes, (bucket.var, row_of))


def _same(v):
    return v


def simulate(rows) -> dict:
    """The readout weights `fill_readout` writes for `rows` (in float32), by Var."""
    out: dict = {}
    for var, table in rows:
        width = var.width if var.kind == "cat" else 1
        for idx, r in table.items():
            w = out.setdefault(var, np.zeros((width, len(r) + 1), dtype=np.float32))
            w[idx or 0, 1:] += np.float32(r)
    return {k: w.astype(np.float64) for k, w in out.items()}


def _table_rows(views, onode):
    """One row per score table, in the Readout's order, the bias first (read from `ones`):
    the model then adds exactly the program's float32 numbers in the program's order."""
    classes = list(onode.classes)
    rows = [(views.layout.ones, {None: np.array(onode.bias, dtype=np.float64)})]
    for term, tab in zip(onode.terms, onode.scores):
        ent = views.env[term]
        values = views.program[term].type.values
        if len(values) == 1:  # one row for every position: read from `ones`, times 1 exactly
            rows.append(
                (views.layout.ones, {None: np.array(table_get(tab, values[0]), dtype=np.float64)})
            )
            continue
        variables = (
            [] if ent.num is None else [v for v in ent.num.terms if v is not views.layout.ones]
        )
        if (
            ent.cat is None
            and len(ent.num.terms) == 1
            and len(variables) == 1
            and ent.num.terms[variables[0]] == 1
        ):
            w = linear_weights(values, tab)
            if w is not None and rounds_once(variables[0], views.layout.n):
                rows.append(
                    (variables[0], {None: np.array(w)})
                )  # the model's own float32(value) * w
                continue
        cv = views.as_cat(term)
        rows.append(
            (cv.var, {i: np.array(table_get(tab, v), dtype=np.float64) for i, v in cv.dec.items()})
        )
    return classes, rows, None


def fill_readout(model, rows) -> None:
    """Write `rows` into `model.unembed`, row k into the readout's k-th term (class 0, <pad>,
    stays 0)."""
    for (var, table), (name, first, _) in zip(rows, row_blocks(model.cfg), strict=True):
        assert name == var.name, "the readout's terms are the rows' variables, in order"
        for idx, r in table.items():
            model.unembed[first + (idx or 0), 1:] = torch.tensor(r, dtype=torch.float32)
