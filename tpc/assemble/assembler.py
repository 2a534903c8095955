"""IR -> Transformer Program weights, exactly.

Every IR s-op is realized as a *view* of model variables:

- `CatView(var, dec)`: a categorical model variable and the IR value of each of its one-hot
  indices. Maps of a categorical view are free: they only compose `dec` (no MLP).
- `NumView(terms)`: a linear combination of numerical model variables (`ones` carries the
  constant) equal to the IR value. Affine Maps and SequenceMaps of numerical views are free:
  they only combine terms; sums and means distribute over the terms (one head each), and
  MLPs and the readout read the terms with their coefficients.

Model modules are allocated only where the model must compute something new: attention
heads for aggregates and selector widths, categorical MLPs for SequenceMaps of two different
variables and for product variables (selector and/or/not across different variables),
numerical MLPs for numerical -> categorical lookups. Each module goes into the earliest layer
its inputs allow (heads read variables of earlier layers, MLPs also read the heads of their
own layer). The weights are built so that the model's hard mode computes the IR exactly;
`tpc.assemble.check` verifies that with the model's own forward.

A construct that cannot be compiled exactly raises `CompileError` (never an approximation).
"""

from __future__ import annotations

import itertools
import math
import operator
import time
from fractions import Fraction

import attrs
import numpy as np
import torch

from tpc.errors import TpcError
from tpc.ir.infer import ValueSetTooLarge
from tpc.ir import (
    Aggregate, Constant, Indices, Map, Ones, Program, Readout, Select, SelectAnd, SelectNot,
    SelectOr, SelectorWidth, SequenceMap, Tokens, is_number, normalize, reachable_sums, show,
    sort_key, value_key,
)
from tpc.model.wired import KINDS, Module, WiredConfig, WiredProgram

from .margin import model_weights, readout_margin
from .readout import fill_readout, readout_rows, table_get

PAD = "<pad>"
LOGIT = 10.0  # read / predicate logits: +LOGIT chosen, -LOGIT not


class CompileError(TpcError):
    """An IR construct the model cannot compute exactly."""


# --- model variables and views ------------------------------------------------------------


@attrs.define(eq=False)
class Var:
    kind: str  # "cat" | "num"
    producer: str  # "input" | "cat_head" | "num_head" | "cat_mlp" | "num_mlp"
    layer: int  # -1 for inputs
    values: list  # cat: reachable one-hot indices; num: reachable exact model values (Fractions)
    name: str | None = None  # model variable name, once allocated
    op: "Op | None" = None

    @property
    def width(self) -> int:
        return max(self.values) + 1 if self.kind == "cat" else 1


@attrs.define(eq=False)
class CatView:
    var: Var
    dec: dict  # one-hot index -> IR value

    def constant(self):
        vals = {sort_key(v): v for v in self.dec.values()}
        return next(iter(vals.values())) if len(vals) == 1 else _NOCONST


_NOCONST = object()


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


def affine_fit(rows) -> tuple[list[Fraction], Fraction] | None:
    """(k, c) with out == sum(k_i * x_i) + c on every (inputs tuple, out) row, or None."""
    if not rows or not all(is_number(o) and all(is_number(x) for x in xs) for xs, o in rows):
        return None
    base, t0 = rows[0]
    ks = []
    for i in range(len(base)):
        # the slope along input i, from a row that differs from the first only there
        ks.append(next((
            Fraction(t - t0) / (xs[i] - base[i]) for xs, t in rows
            if xs[i] != base[i] and all(xs[j] == base[j] for j in range(len(base)) if j != i)
        ), Fraction(0)))
    c = t0 - sum(k * x for k, x in zip(ks, base))
    # Check every row in integers, all scaled by one common denominator: Fraction arithmetic on
    # thousands of rows is slow, and each input's products k_i * x_i repeat.
    inputs = [{value_key(xs[i]): xs[i] for xs, _ in rows} for i in range(len(ks))]
    terms = [{key: k * x for key, x in distinct.items()} for k, distinct in zip(ks, inputs)]
    scale = math.lcm(c.denominator, *{t.denominator for _, t in rows},
                     *{v.denominator for products in terms for v in products.values()})

    def scaled(v) -> int:
        return v.numerator * (scale // v.denominator)

    terms = [{key: scaled(v) for key, v in products.items()} for products in terms]
    offset = scaled(c)
    if all(scaled(t) - sum(terms[i][value_key(x)] for i, x in enumerate(xs)) == offset for xs, t in rows):
        return ks, c
    return None


@attrs.define(eq=False)
class Op:
    kind: str  # "cat_head" | "num_head" | "cat_mlp" | "num_mlp"
    layer: int
    reads: list  # Vars: heads [q, k, v]; MLPs the input slots
    out: Var
    table: np.ndarray | None = None  # heads: predicate [q index, k index] bool
    mean: bool = False
    mlp: tuple | None = None  # (w_in [h, slots*d or slots], b_in [h], w_out [c, h], b_out [c]) as dicts
    slot: int = -1


@attrs.define(eq=False)
class Entry:
    cat: CatView | None = None
    num: NumView | None = None


# --- exact MLP constructions -------------------------------------------------------------


def cat_lookup(sizes_values: list[list[int]], fn) -> tuple[list, dict, int]:
    """A categorical MLP computing `fn(i1, .., im)` (an output index) on every reachable tuple.

    Returns (units, out_bias, n_outputs): a unit is (input conditions [(slot, index)], bias,
    {output index: weight}). A unit fires with value 1 exactly when all its conditions hold
    (weights +1 on those one-hot dims, bias -(conditions - 1)) and 0 or less otherwise.
    Construction: a default class (bias 0.5); for a pivot slot, one unit per pivot value whose
    most common output is not the default (+1 to it); one unit per remaining exception tuple
    (+2). The correct output always wins by at least 0.5.
    """
    combos = list(itertools.product(*sizes_values))
    outs = {c: fn(*c) for c in combos}
    counts: dict = {}
    for o in outs.values():
        counts[o] = counts.get(o, 0) + 1
    default = max(counts, key=lambda o: (counts[o], -o))
    best = None
    for pivot in range(len(sizes_values)):
        units = []
        rows: dict = {}
        for c, o in outs.items():
            rows.setdefault(c[pivot], []).append(o)
        effective = {}
        for a, os_ in rows.items():
            cnt: dict = {}
            for o in os_:
                cnt[o] = cnt.get(o, 0) + 1
            mode = max(cnt, key=lambda o: (cnt[o], o == default, -o))
            effective[a] = mode
            if mode != default and len(sizes_values) > 1:
                units.append(([(pivot, a)], 0.0, {mode: 1.0}))
        for c, o in outs.items():
            eff = effective[c[pivot]] if len(sizes_values) > 1 else default
            if o != eff:
                units.append(([(s, c[s]) for s in range(len(c))], -(len(c) - 1.0), {o: 2.0}))
        if best is None or len(units) < len(best):
            best = units
    if len(sizes_values) == 2:
        for pivot in (0, 1):
            units = _row_units(outs, pivot, default)
            if len(units) < len(best):
                best = units
    return best, {default: 0.5}, max(outs.values()) + 1


def _row_units(outs: dict, pivot: int, default: int) -> list:
    """Two inputs: one unit per pivot value a and output o != default, firing when the pivot
    is a and the other input is any value giving o there (weights +1 on a and on each of
    those values' dims, bias -1: 1 exactly when both hold, else 0 or less)."""
    other = 1 - pivot
    sets: dict = {}
    for c, o in outs.items():
        if o != default:
            sets.setdefault((c[pivot], o), []).append(c[other])
    return [([(pivot, a)] + [(other, b) for b in bs], -1.0, {o: 1.0}) for (a, o), bs in sets.items()]


def num_lookup(values: list[Fraction], cls: dict) -> tuple[list, dict]:
    """A numerical MLP (input slot 0) mapping each exact value `v` to class `cls[v]`.

    A staircase: for each pair of neighbouring values with different classes, a ramp that is 0
    at or below the lower one (plus a quarter gap) and 1 at or above the upper one (minus a
    quarter gap), made of two ReLU units; the output adds +1 to the new class and -1 to the old
    one, so at every value the logits are exactly the one-hot of its class (robust to float
    error below a quarter of the smallest gap). Units are (w, b, {class: weight}).
    """
    vs = sorted(values)
    units = []
    bias = {cls[vs[0]]: 1.0}
    for lo, hi in zip(vs, vs[1:]):
        if cls[lo] == cls[hi]:
            continue
        gap = hi - lo
        a, b = lo + gap / 4, hi - gap / 4
        w = 1 / (b - a)
        units.append((float(w), float(-a * w), {cls[hi]: 1.0, cls[lo]: -1.0}))
        units.append((float(w), float(-b * w), {cls[hi]: -1.0, cls[lo]: 1.0}))
    return units, bias


# --- the assembler ------------------------------------------------------------------------


@attrs.define
class Compiled:
    model: WiredProgram
    tokens: tuple  # token id -> IR value (PAD first, then the vocabulary, then BOS)
    classes: tuple  # class id -> IR value (index 0 is the masked <pad> class)
    labels: tuple  # class id -> label string
    program: Program
    output: str
    seconds: float
    stats: dict
    readout: object = None  # margin.CatReadout / NumReadout: what the readout must tell apart
    margin: object = None  # margin.Margin of the readout (None: the program's own score tables)


def _label(v) -> str:
    return show(v) if not isinstance(v, str) else v


def _value_json(v):
    return {"fraction": f"{v.numerator}/{v.denominator}"} if isinstance(v, Fraction) else v


class Assembler:
    def __init__(self, program: Program, output: str | None = None):
        self.p = program
        self.dom = program.domain
        outs = program.output_map
        if output is None:
            if len(outs) != 1:
                raise CompileError(f"the program has {len(outs)} outputs ({', '.join(outs)}); "
                                   "a model has one readout: choose one with --output")
            output = next(iter(outs))
        if output not in outs:
            raise CompileError(f"no output named {output!r} (outputs: {', '.join(outs)})")
        self.output = output
        self.n = self.dom.n_positions
        self.ops: list[Op] = []
        self.env: dict[str, Entry] = {}
        # Inputs.
        vocab = list(self.dom.vocab)
        self.token_values = (PAD, *vocab, self.dom.bos)
        self.bos_id = len(self.token_values) - 1
        self.TOK = Var("cat", "input", -1, list(range(1, len(self.token_values))), "tokens")
        self.POS = Var("cat", "input", -1, list(range(self.n)), "positions")
        self.ONES = Var("num", "input", -1, [Fraction(1)], "ones")

    # -- availability and scheduling ---------------------------------------------------------
    @staticmethod
    def _avail(var: Var, reader: str) -> int:
        if var.producer == "input":
            return 0
        if reader in ("cat_head", "num_head"):
            return var.layer + 1
        same = {"cat_mlp": "cat_head", "num_mlp": "num_head"}[reader]
        return var.layer if var.producer == same else var.layer + 1

    def _op(self, kind, reads, out_kind, out_values, **kw) -> Var:
        layer = max((self._avail(v, kind) for v in reads), default=0)
        out = Var(out_kind, kind, layer, out_values)
        op = Op(kind, layer, reads, out, **kw)
        out.op = op
        self.ops.append(op)
        return out

    # -- views ---------------------------------------------------------------------------------
    def as_cat(self, name: str) -> CatView:
        e = self.env[name]
        if e.cat is None:  # the IR type bounds the view's values (the model computes the IR)
            e.cat = self._num_to_cat(e.num, {Fraction(v): normalize(v) for v in self.p[name].type.values})
        return e.cat

    def _num_to_cat(self, view: NumView, ir: dict, count: Var | None = None, empty_default=None) -> CatView:
        """A numerical MLP mapping the view's value x to the class of `ir[x]` (x ranges over
        `ir`'s keys); with `count`, to `empty_default` when that count is 0."""
        variables = [v for v in view.terms if v is not self.ONES]
        const = view.terms.get(self.ONES, Fraction(0))
        distinct = sorted({sort_key(x): x for x in ir.values()}.items())
        if count is None and (not variables or len(distinct) == 1):  # a constant
            return CatView(self.POS, {i: distinct[0][1] if variables else ir[const] for i in self.POS.values})
        index = {k: i for i, (k, _) in enumerate(distinct)}
        units, bias = num_lookup(sorted(ir), {x: index[sort_key(y)] for x, y in ir.items()})
        # A ramp on x = sum(coef * var) + const reads every variable with its coefficient.
        units = [({i: w * float(view.terms[v]) for i, v in enumerate(variables)}, b + w * float(const), o)
                 for w, b, o in units]
        dec = {i: x for i, (_, x) in enumerate(distinct)}
        if count is not None:  # ReLU(1 - count) = 1 exactly when nothing matched
            k = sort_key(empty_default)
            if k not in index:
                index[k] = len(dec)
                dec[index[k]] = empty_default
            units.append(({len(variables): -1.0}, 1.0, {index[k]: 3.0}))
            variables.append(count)
        var = self._op("num_mlp", variables, "cat", sorted(dec), mlp=(units, bias))
        return CatView(var, dec)

    def as_num(self, name: str) -> NumView:
        e = self.env[name]
        if e.num is None:
            cv = e.cat
            values = {sort_key(v): v for v in cv.dec.values()}
            if not all(is_number(v) for v in values.values()):
                raise CompileError(f"{name}: a numerical value of non-numbers")
            const = cv.constant()
            if const is not _NOCONST:
                e.num = NumView({self.ONES: Fraction(const)} if const != 0 else {})
            else:
                # value = base + sum over the other values v of (v - base) * [x == v]; each
                # indicator is a head that, when the query's value is v, attends to BOS alone.
                base = Fraction(0) if 0 in values.values() else Fraction(min(values.values()))
                terms = {self.ONES: base} if base != 0 else {}
                for v in sorted(values.values()):
                    if v == base:
                        continue
                    table = np.zeros((cv.var.width, self.POS.width), dtype=bool)
                    for i, x in cv.dec.items():
                        table[i, 0] = x == v
                    head = self._op("num_head", [cv.var, self.POS, self.ONES], "num", [Fraction(0), Fraction(1)],
                                    table=table)
                    terms[head] = Fraction(v) - base
                e.num = NumView(terms)
        return e.num

    # -- selectors -----------------------------------------------------------------------------
    def _leaves(self, name, out):
        node = self.p[name]
        if isinstance(node, Select):
            out.append(node)
        else:
            for i in node.inputs:
                self._leaves(i, out)
        return out

    def selector(self, name: str) -> tuple[Var, Var, np.ndarray]:
        """(query var, key var, predicate table) computing the selector exactly."""
        leaves = self._leaves(name, [])
        qvars, kvars, mats = [], [], {}
        for leaf in leaves:
            cq, ck = self.as_cat(leaf.queries), self.as_cat(leaf.keys)
            qc, kc = cq.constant(), ck.constant()
            qv = None if qc is not _NOCONST else cq.var
            kv = None if kc is not _NOCONST else ck.var
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
        axes = qvars + kvars
        shape = [v.width for v in axes]

        def ev(nm):
            node = self.p[nm]
            if isinstance(node, Select):
                qv, kv, m = mats[nm]
                sh = [1] * len(axes)
                if qv is not None:
                    sh[axes.index(qv)] = qv.width
                if kv is not None:
                    sh[len(qvars) + kvars.index(kv)] = kv.width
                return np.broadcast_to(m.reshape(sh), shape)
            if isinstance(node, SelectAnd):
                return ev(node.a) & ev(node.b)
            if isinstance(node, SelectOr):
                return ev(node.a) | ev(node.b)
            if isinstance(node, SelectNot):
                return ~ev(node.a)
            raise CompileError(f"{nm}: not a selector")

        qw = [v.width for v in qvars]
        kw = [v.width for v in kvars]
        flat = np.broadcast_to(ev(name), shape).reshape(int(np.prod(qw)), int(np.prod(kw)))
        qmap, qv = self._product(qvars, flat)
        kmap, kv = self._product(kvars, flat.T)
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

    def _product(self, vars_, rows):
        """(flat tuple index -> var index, var): the variable that tells these axes' rows apart."""
        if not vars_:
            return {0: 0}, self.POS  # the selector ignores this side: read anything
        widths = [v.width for v in vars_]
        reach = [v.values for v in vars_]
        if len(vars_) == 1:
            return {i: i for i in reach[0]}, vars_[0]
        classes: dict = {}
        mapping = {}
        for c in itertools.product(*reach):
            f = int(np.ravel_multi_index(c, widths))
            mapping[f] = classes.setdefault(rows[f].tobytes(), len(classes))
        fn = lambda *c: mapping[int(np.ravel_multi_index(c, widths))]  # noqa: E731
        var = self._op("cat_mlp", list(vars_), "cat", sorted(set(mapping.values())), mlp=("cat", reach, fn))
        return mapping, var

    # -- nodes ---------------------------------------------------------------------------------
    def _needed(self) -> list:
        need = set()
        stack = [self.p.output_map[self.output]]
        while stack:
            nm = stack.pop()
            if nm not in need:
                need.add(nm)
                stack.extend(self.p[nm].inputs)
        return [n for n in self.p.nodes if n.name in need]

    def compile_node(self, node) -> None:
        nm = node.name
        e = Entry()
        self.env[nm] = e
        if isinstance(node, Tokens):
            e.cat = CatView(self.TOK, {i: self.token_values[i] for i in self.TOK.values})
        elif isinstance(node, Indices):
            e.cat = CatView(self.POS, {i: i for i in self.POS.values})
        elif isinstance(node, Ones):
            e.num = NumView({self.ONES: Fraction(1)})
        elif isinstance(node, Constant):
            e.cat = CatView(self.POS, {i: node.value for i in self.POS.values})
            if node.type.kind == "numerical":
                e.num = NumView({self.ONES: Fraction(node.value)} if node.value != 0 else {})
        elif (isinstance(node, (Map, SequenceMap)) and node.type.kind == "numerical"
              and (view := self._affine(node)) is not None):
            e.num = view
        elif isinstance(node, SequenceMap) and (view := self._through_combination(node)) is not None:
            e.cat = view
        elif isinstance(node, Map) and self.env[node.x].cat is None:
            # Straight from the number to the Map's output: the lookup has a step only where
            # the output changes, not one class per input value.
            e.cat = self._num_to_cat(self.env[node.x].num, {Fraction(v): table_get(node.table, v)
                                                             for v in self.p[node.x].type.values})
        elif isinstance(node, Map):
            cv = self.as_cat(node.x)
            e.cat = CatView(cv.var, {i: table_get(node.table, v) for i, v in cv.dec.items()})
        elif isinstance(node, SequenceMap):
            t = node.table
            cx, cy = self._sequence_input(node, 0), self._sequence_input(node, 1)
            if cx.constant() is not _NOCONST:
                e.cat = CatView(cy.var, {j: table_get(t, (cx.constant(), b)) for j, b in cy.dec.items()})
            elif cy.constant() is not _NOCONST:
                e.cat = CatView(cx.var, {i: table_get(t, (a, cy.constant())) for i, a in cx.dec.items()})
            elif cx.var is cy.var:
                e.cat = CatView(cx.var, {i: t[(cx.dec[i], cy.dec[i])] for i in cx.dec})
            else:
                e.cat = self._cat_mlp([cx, cy], lambda a, b: table_get(t, (a, b)))
        elif isinstance(node, Aggregate):
            self._aggregate(node, e)
        elif isinstance(node, SelectorWidth):
            q, k, table = self.selector(node.selector)
            var = self._op("num_head", [q, k, self.ONES], "num", [Fraction(c) for c in range(self.n + 1)],
                           table=table)
            e.num = NumView({var: Fraction(1)})
        elif isinstance(node, (Select, SelectAnd, SelectOr, SelectNot)):
            pass  # compiled where an aggregate or selector width uses it
        elif isinstance(node, Readout):
            pass  # only as the program output
        else:
            raise CompileError(f"{nm}: cannot compile a {type(node).__name__}")

    def _affine(self, node) -> NumView | None:
        """A numerical Map / SequenceMap of numerical views that is affine on its whole table:
        the same linear combination of model variables (no module), else None."""
        sources = [self.env[x] for x in node.inputs]
        if any(src.num is None or src.cat is not None for src in sources):
            return None  # a categorical view exists: mapping it is free
        rows = [(k if isinstance(node, SequenceMap) else (k,), v) for k, v in node.table.rows]
        fit = affine_fit(rows)
        if fit is None:
            return None
        ks, c = fit
        view = NumView({self.ONES: c} if c != 0 else {})
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
                return self._num_to_cat(sources[0].num.plus(sources[1].num.scaled(k)),
                                        {Fraction(x): out for x, out in by_value.values()})
        return None

    def _sequence_input(self, node: SequenceMap, side: int) -> CatView:
        """A categorical view of one input of `node`. A numerical input without one is looked
        up only as finely as the table needs: values whose outputs agree for every value of
        the other input share a class (named by one of them), so a sum over 257 values that
        the table splits in two costs a 2-class lookup, not a 257-class one."""
        name, other = node.inputs[side], node.inputs[1 - side]
        if self.env[name].cat is not None:
            return self.env[name].cat
        rows = self.p[other].type.values
        key = (lambda a, b: (a, b)) if side == 0 else (lambda a, b: (b, a))
        rep: dict = {}  # outputs over the other input -> the first value giving them
        ir = {}
        for a in self.p[name].type.values:
            sig = tuple(value_key(table_get(node.table, key(a, b))) for b in rows)
            ir[Fraction(a)] = rep.setdefault(sig, a)
        return self._num_to_cat(self.env[name].num, ir)

    def _cat_mlp(self, views: list[CatView], fn) -> CatView:
        reach = [sorted(v.dec) for v in views]
        outs = {}
        for c in itertools.product(*reach):
            val = fn(*(v.dec[i] for v, i in zip(views, c)))
            outs[c] = val
        distinct = sorted({sort_key(x): x for x in outs.values()}.items())
        index = {k: i for i, (k, _) in enumerate(distinct)}
        var = self._op("cat_mlp", [v.var for v in views], "cat", list(range(len(distinct))),
                       mlp=("cat", reach, lambda *c: index[sort_key(outs[c])]))
        return CatView(var, {i: x for i, (_, x) in enumerate(distinct)})

    def _static_bos(self, cv: CatView):
        if cv.var is self.TOK:
            return cv.dec[self.bos_id]
        if cv.var is self.POS:
            return cv.dec[0]
        return _NOCONST

    def _aggregate(self, node: Aggregate, e: Entry) -> None:
        q, k, table = self.selector(node.selector)
        if node.reduce == "nearest":
            vv = self.as_cat(node.values)
            const = vv.constant()
            if const is not _NOCONST and (node.default is None or sort_key(node.default) == sort_key(const)):
                e.cat = CatView(self.POS, {i: const for i in self.POS.values})
                return
            head = self._op("cat_head", [q, k, vv.var], "cat", list(vv.var.values), table=table)
            view = CatView(head, dict(vv.dec))
            if node.default is not None:
                bos = self._static_bos(vv)
                if bos is _NOCONST or sort_key(bos) != sort_key(node.default):
                    # Whether anything matched: a count head, its 0/1 lookup, then a 2-input MLP.
                    count = self._op("num_head", [q, k, self.ONES], "num",
                                     [Fraction(c) for c in range(self.n + 1)], table=table)
                    anyv = self._num_to_cat(NumView({count: Fraction(1)}), {v: v > 0 for v in count.values})
                    d = node.default
                    view = self._cat_mlp([view, anyv], lambda a, hit: a if hit else d)
            e.cat = view
            return
        # sum and mean distribute over the view's terms: one head per model variable.
        nv = self.as_num(node.values)
        mean = node.reduce == "mean"
        heads = {}
        for var, coef in nv.terms.items():
            if len(nv.terms) == 1:  # the node's own type bounds the head's values
                vals = {Fraction(v) / coef for v in node.type.values if is_number(v)}
            else:
                try:
                    sums = reachable_sums(tuple(var.values), self.n)
                except ValueSetTooLarge as err:
                    raise CompileError(f"{node.name}: {err} for one term of the aggregated sum") from None
                vals = ({Fraction(x) / c for c in range(1, len(sums)) for x in sums[c]} if mean
                        else set().union(*sums))
            vals = sorted(vals | {Fraction(0)})
            heads[self._op("num_head", [q, k, var], "num", vals, table=table, mean=mean)] = coef
        view = NumView(heads)
        if not mean or node.default is None or node.default == 0:
            e.num = view
            return
        count = self._op("num_head", [q, k, self.ONES], "num", [Fraction(c) for c in range(self.n + 1)],
                         table=table)
        ir = {Fraction(v): normalize(v) for v in node.type.values if is_number(v)}
        e.cat = self._num_to_cat(view, ir, count, node.default)

    # -- driver --------------------------------------------------------------------------------
    def run(self) -> Compiled:
        t0 = time.perf_counter()
        for node in self._needed():
            self.compile_node(node)
        classes, rows, spec = readout_rows(self)
        model = self._build(classes, rows)
        all_classes = (PAD, *classes)
        margin = readout_margin(model_weights(model), all_classes, spec)
        if margin is not None and not margin.ok:
            raise CompileError(
                f"{self.output}: the readout cannot tell its classes apart in float32 at max length "
                f"{self.dom.max_len}: {margin.case} by {margin.margin:.3g}, within the float32 error "
                f"bound {margin.bound:.3g}")
        seconds = time.perf_counter() - t0
        labels = tuple(_label(c) for c in all_classes)
        cfg = model.cfg
        stats = {"layers": cfg.n_layers,
                 "heads": sum(1 for o in self.ops if o.kind.endswith("head")),
                 "mlps": sum(1 for o in self.ops if o.kind.endswith("mlp")),
                 "d_model": cfg.d_model,
                 "params": sum(p.numel() for p in model.parameters()),
                 "seconds": seconds}
        if margin is not None and math.isfinite(margin.margin):
            stats.update(readout_margin=margin.margin, readout_error_bound=margin.bound)
        return Compiled(model, self.token_values, all_classes, labels, self.p, self.output, seconds, stats,
                        spec, margin)

    def _build(self, classes, rows) -> WiredProgram:
        self.ops.sort(key=lambda o: (o.layer, KINDS.index(o.kind)))  # stable: creation order within
        slots: dict = {}
        for op in self.ops:
            op.slot = slots.setdefault((op.layer, op.kind), 0)
            slots[(op.layer, op.kind)] += 1
            op.out.name = f"L{op.layer}.{op.kind}{op.slot}"
            if op.kind == "cat_mlp":
                _, reach, fn = op.mlp
                units, bias, _ = cat_lookup(reach, fn)
                op.mlp = (units, bias)
        modules = [Module(o.kind, o.layer, o.slot, [v.name for v in o.reads], o.out.width,
                          len(o.mlp[0]) if o.kind.endswith("mlp") else 0, o.mean) for o in self.ops]
        cfg = WiredConfig(vocab_size=len(self.token_values), n_classes=len(classes) + 1, n_ctx=self.n,
                          modules=modules, causal=self.dom.causal, masked_classes=(0,),
                          readout_terms=[var.name for var, _ in rows])
        model = WiredProgram(cfg)
        with torch.no_grad():
            heads, mlps = iter(model.predicates), iter(model.mlps)
            for o in self.ops:
                if o.kind.endswith("head"):
                    next(heads).copy_(torch.where(torch.from_numpy(np.ascontiguousarray(o.table)), LOGIT, -LOGIT))
                else:
                    self._fill_mlp(next(mlps), o, cfg.widths())
            fill_readout(model, rows)
        return model.eval()

    @staticmethod
    def _fill_mlp(mlp, o: Op, width) -> None:
        units, bias = o.mlp
        if o.kind == "cat_mlp":
            offsets = np.cumsum([0] + [width[v.name] for v in o.reads]).tolist()
            for u, (conds, b, _) in enumerate(units):
                for slot, idx in conds:
                    mlp.w_in[u, offsets[slot] + idx] = 1.0
                mlp.b_in[u] = b
        else:
            for u, (weights, b, _) in enumerate(units):
                for slot, w in weights.items():
                    mlp.w_in[u, slot] = w
                mlp.b_in[u] = b
        _fill_mlp_outputs(mlp.w_out, mlp.b_out, [u[2] for u in units], bias, o.out.values)


def assemble(program: Program, output: str | None = None) -> Compiled:
    """Compile `program` (its output `output`, or its only output) to a Transformer Program."""
    return Assembler(program, output).run()


def _fill_mlp_outputs(w_out, b_out, unit_outputs, bias, used) -> None:
    """Output weights of one lookup MLP: each hidden unit votes for its output values; values
    the MLP never outputs get a strongly negative bias so they never win."""
    for u, outs in enumerate(unit_outputs):
        for c, w in outs.items():
            w_out[c, u] += w
    for c, w in bias.items():
        b_out[c] = w
    used = set(used)
    for c in range(b_out.shape[0]):
        if c not in used:
            b_out[c] = -LOGIT


def checkpoint_extras(c: Compiled) -> dict:
    """What `save_checkpoint` needs besides the model: token and label strings, task, metrics."""
    return {
        "tokens": tuple(_label(t) for t in c.tokens),
        "labels": c.labels,
        "task": f"compiled:{c.output}",
        "metrics": {"compiled": True, "output": c.output,
                    "token_values": [_value_json(v) for v in c.tokens],
                    "label_values": [_value_json(v) for v in c.classes],
                    "implicit_bos": c.program.domain.implicit_bos,
                    "max_len": c.program.domain.max_len,
                    **{k: v for k, v in c.stats.items()}},
    }
