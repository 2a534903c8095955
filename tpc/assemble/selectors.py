"""Selector products: one head's (query variable, key variable, predicate table) for a selector.

A selector combines `Select`s (and/or/not) whose queries and keys may read several
variables. Each side's variables become one: itself when there is one, else a categorical
MLP (a product variable) whose classes are the rows of the combined predicate that differ.
"""

from __future__ import annotations

import itertools

import numpy as np

from tpc.assemble.layout import CompileError, Var
from tpc.assemble.lookup import cat_units
from tpc.assemble.views import NOCONST, Views
from tpc.ir import Visitor, select_leaves


class _Mask(Visitor):
    """A selector's predicate over every combination of the query and key variables."""

    def __init__(self, program, mats: dict, qvars: list, kvars: list):
        self.program = program
        self.mats = mats
        self.qvars, self.kvars = qvars, kvars
        self.axes = qvars + kvars
        self.shape = [v.width for v in self.axes]

    def __call__(self, name: str) -> np.ndarray:
        return self.visit(self.program[name])

    def visit_Select(self, node) -> np.ndarray:
        qv, kv, m = self.mats[node.name]
        sh = [1] * len(self.axes)
        if qv is not None:
            sh[self.axes.index(qv)] = qv.width
        if kv is not None:
            sh[len(self.qvars) + self.kvars.index(kv)] = kv.width
        return np.broadcast_to(m.reshape(sh), self.shape)

    def visit_SelectAnd(self, node) -> np.ndarray:
        return self(node.a) & self(node.b)

    def visit_SelectOr(self, node) -> np.ndarray:
        return self(node.a) | self(node.b)

    def visit_SelectNot(self, node) -> np.ndarray:
        return ~self(node.a)

    def not_a_selector(self, node):
        raise CompileError(f"{node.name}: not a selector")

    visit_Tokens = visit_Indices = visit_Ones = visit_Constant = visit_Map = visit_SequenceMap = not_a_selector
    visit_Aggregate = visit_SelectorWidth = visit_Readout = not_a_selector


def selector(views: Views, name: str) -> tuple[Var, Var, np.ndarray]:
    """(query var, key var, predicate table) computing the selector exactly."""
    leaves = select_leaves(views.program, name)
    qvars, kvars, mats = [], [], {}
    for leaf in leaves:
        cq, ck = views.as_cat(leaf.queries), views.as_cat(leaf.keys)
        qc, kc = cq.constant(), ck.constant()
        qv = None if qc is not NOCONST else cq.var
        kv = None if kc is not NOCONST else ck.var
        for v, lst in ((qv, qvars), (kv, kvars)):
            if v is not None and v not in lst:
                lst.append(v)
        qi = [(i, cq.dec[i]) for i in sorted(cq.dec)] if qv is not None else [(0, qc)]
        ki = [(j, ck.dec[j]) for j in sorted(ck.dec)] if kv is not None else [(0, kc)]
        m = np.zeros((qv.width if qv else 1, kv.width if kv else 1), dtype=bool)
        for i, a in qi:
            for j, b in ki:
                m[i, j] = (a, b) in leaf.predicate
        mats[leaf.name] = (qv, kv, m)
    mask = _Mask(views.program, mats, qvars, kvars)
    qw = [v.width for v in qvars]
    kw = [v.width for v in kvars]
    flat = np.broadcast_to(mask(name), mask.shape).reshape(int(np.prod(qw)), int(np.prod(kw)))
    qmap, qv = _product(views, qvars, flat)
    kmap, kv = _product(views, kvars, flat.T)
    table = np.zeros((qv.width, kv.width), dtype=bool)
    for qi, qo in qmap.items():
        for ki, ko in kmap.items():
            table[qo, ko] = table[qo, ko] or flat[qi, ki]
    # A side the selector ignores reads positions: every position behaves as the one row.
    if not qvars:
        table[:, :] = table[:1, :]
    if not kvars:
        table[:, :] = table[:, :1]
    return qv, kv, table


def _product(views: Views, vars_: list, rows: np.ndarray):
    """(flat tuple index -> var index, var): the variable that tells these axes' rows apart."""
    if not vars_:
        return {0: 0}, views.layout.positions  # the selector ignores this side: read anything
    widths = [v.width for v in vars_]
    reach = [v.values for v in vars_]
    if len(vars_) == 1:
        return {i: i for i in reach[0]}, vars_[0]
    classes: dict = {}
    mapping = {}
    for c in itertools.product(*reach):
        f = int(np.ravel_multi_index(c, widths))
        mapping[f] = classes.setdefault(rows[f].tobytes(), len(classes))
    units, bias = cat_units(widths, reach, lambda *c: mapping[int(np.ravel_multi_index(c, widths))])
    var = views.layout.add("cat_mlp", list(vars_), "cat", sorted(set(mapping.values())), units=units, out_bias=bias)
    return mapping, var
