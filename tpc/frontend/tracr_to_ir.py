"""tracr programs (`tpc.rasp` expressions) -> IR programs, with the values of tracr's evaluator.

Each s-op's values at real positions are inferred from the vocabulary and max length, as
tracr's basis inference does, and kept as the Python values tracr computes (`Lowered.py`), so
every Map and predicate is tabulated by calling the user's own function on them. In the IR a
value is exact (a float becomes the Fraction of its shortest repr; any other object, such as a
tuple, a string naming it), BOS sits at position 0 and the program's `tokens` / `indices` are
decoded so that BOS reads None: a comparison never selects a None key for a real query, so BOS
is never selected. Rows no real position reaches (BOS's) hold None, or 0 when numerical.

Where tracr's compiler and its evaluator disagree, this follows the evaluator: `default=None`
gives None where nothing is selected (numerical means too), `SelectorAnd/Or/Not` and
`length` compile. What cannot be compiled exactly is a one-line TpcError naming the operation
and its label.
"""

from __future__ import annotations

from tpc import rasp
from tpc.errors import TpcError
from tpc.frontend.tracr_tables import tabulate
from tpc.frontend.tracr_values import Lowered, LoweredSelector, means_bound, plain, to_value
from tpc.ir import (
    BOS,
    MAX_VALUE_SET,
    Builder,
    Domain,
    FreshNames,
    Predicate,
    Program,
    Table,
    value_key,
)
from tpc.ir.infer import ValueSetTooLarge


class TracrTranslator:
    """One translation: tracr expressions (memoized by identity) -> nodes of one Builder."""

    def __init__(
        self, vocab, max_len: int, causal: bool = False, bos: str = BOS, origin: str = "<program>"
    ):
        self.origin = origin
        try:
            values = [to_value(v) for v in vocab]
            self.domain = Domain(vocab=tuple(values), max_len=max_len, causal=causal, bos=bos)
        except (ValueError, TypeError) as err:
            raise TpcError(f"{origin}: bad domain: {err}") from None
        self.vocab_py = {value_key(to_value(v)): v for v in vocab}
        self.b = Builder(self.domain)
        self.names = FreshNames(live=self.b.types)
        self.memo: dict = {}
        self.cache: dict = {}

    # --- helpers ----------------------------------------------------------------------------

    def fail(self, expr, what: str) -> TpcError:
        return TpcError(f"{self.origin}: {type(expr).__name__} {expr.label}: {what}")

    def name(self, stem: str) -> str:
        return self.names.fresh(stem)

    def values(self, node: str) -> tuple:
        return self.b.type_of(node).values

    def raw_indices(self) -> str:
        return self.b.indices()

    def table(self, expr, lowered_inputs, fn, numerical: bool):
        """`fn` tabulated over the values of `lowered_inputs` (tracr_tables.tabulate), errors
        naming `expr`. Returns (Table, py of the outputs)."""
        sets = [self.values(x.node) for x in lowered_inputs]
        return tabulate(lowered_inputs, sets, fn, numerical, lambda what: self.fail(expr, what))

    def as_kind(self, expr, x: Lowered, kind: str) -> Lowered:
        """`x` as an s-op of `kind` (a relabelling Map; numerical values must be numbers)."""
        if x.kind == kind:
            return x
        key = ("kind", x.node, kind)
        if key not in self.cache:
            numerical = kind == "numerical"
            if numerical and None in x.py.values():
                raise self.fail(
                    expr,
                    "a numerical value can be None here (nothing selected, "
                    "default None, or a Map giving None); give a number",
                )
            table, py = self.table(expr, [x], lambda v: v, numerical)
            node = self.b.map(table, x.node, kind, name=self.name(f"{x.node}_{kind[:3]}"))
            self.cache[key] = Lowered(node, kind, py, x.bos_none and not numerical)
        return self.cache[key]

    def none_at_bos(self, x: Lowered) -> Lowered:
        """`x` (categorical) with None at BOS, so that no real query selects BOS through it."""
        x = self.as_kind(None, x, "categorical") if x.kind != "categorical" else x
        if x.bos_none:
            return x
        key = ("bos", x.node)
        if key not in self.cache:
            i = self.raw_indices()
            table = Table(
                [
                    ((v, j), None if j == 0 else v)
                    for v in self.values(x.node)
                    for j in self.values(i)
                ]
            )
            node = self.b.sequence_map(
                table, x.node, i, "categorical", name=self.name(f"{x.node}_nobos")
            )
            self.cache[key] = Lowered(node, "categorical", dict(x.py), True)
        return self.cache[key]

    def real_keys(self) -> str:
        """The selector of every real key for every real query (BOS apart)."""
        if "real" not in self.cache:
            i = self.raw_indices()
            at_bos = Table([(v, v == 0) for v in self.values(i)])
            self.cache["real"] = self.b.select(
                i, i, Predicate.comparison("==", at_bos, at_bos), name=self.name("real_positions")
            )
        return self.cache["real"]

    # --- s-ops -------------------------------------------------------------------------------

    def lower(self, expr) -> Lowered | LoweredSelector:
        if id(expr) not in self.memo:
            method = getattr(self, "lower_" + type(expr).__name__, None)
            for cls in type(expr).__mro__:  # a subclass of a tracr class lowers as that class
                if method is None:
                    method = getattr(self, "lower_" + cls.__name__, None)
            if method is None or not isinstance(expr, rasp.RASPExpr):
                raise TpcError(
                    f"{self.origin}: cannot compile {expr!r} (not a tracr RASP expression)"
                )
            out = method(expr)  # kinds are coerced where a use needs one (aggregates, selects)
            self.memo[id(expr)] = (expr, out)  # keep expr alive: ids stay unique
        return self.memo[id(expr)][1]

    def lower_TokensType(self, expr) -> Lowered:
        t = self.b.tokens()
        bos = self.domain.bos
        node = self.b.map(
            Table([(v, None if v == bos else v) for v in self.values(t)]),
            t,
            name=self.name("tokens_nobos"),
        )
        return Lowered(node, "categorical", dict(self.vocab_py), True)

    def lower_IndicesType(self, expr) -> Lowered:
        i = self.raw_indices()
        node = self.b.map(
            Table([(j, None if j == 0 else j - 1) for j in self.values(i)]),
            i,
            name=self.name("indices_nobos"),
        )
        return Lowered(
            node, "categorical", {value_key(j): j for j in range(self.domain.max_len)}, True
        )

    def lower_LengthType(self, expr) -> Lowered:
        if self.domain.causal:  # tracr's causal evaluator gives the whole input's length
            raise self.fail(
                expr,
                "a causal model cannot know the whole input's length "
                "(use lib.make_length(): the length so far)",
            )
        t = self.lower(rasp.tokens)
        sel = self.b.select(
            t.node, t.node, Predicate.comparison("true"), name=self.name("all_tokens")
        )
        node = self.b.selector_width(sel, name=self.name("length"))
        return Lowered(
            node, "categorical", {value_key(n): n for n in range(1, self.domain.max_len + 1)}
        )

    def lower_Map(self, expr) -> Lowered:
        x = self.lower(expr.inner)
        numerical = rasp.is_numerical(expr)
        table, py = self.table(expr, [x], expr.f, numerical)
        kind = "numerical" if numerical else "categorical"
        node = self.b.map(table, x.node, kind, name=self.name(expr.name))
        return Lowered(node, kind, py, x.bos_none and not numerical)

    def lower_SequenceMap(self, expr) -> Lowered:
        x, y = self.lower(expr.fst), self.lower(expr.snd)
        numerical = rasp.is_numerical(expr)
        kind = "numerical" if numerical else "categorical"
        if x.node == y.node:  # one input read twice: only equal pairs occur
            table, py = self.table(expr, [x], lambda v: expr.f(v, v), numerical)
            node = self.b.map(table, x.node, kind, name=self.name(expr.name))
            return Lowered(node, kind, py, x.bos_none and not numerical)
        table, py = self.table(expr, [x, y], expr.f, numerical)
        node = self.b.sequence_map(table, x.node, y.node, kind, name=self.name(expr.name))
        return Lowered(node, kind, py, (x.bos_none or y.bos_none) and not numerical)

    def lower_Full(self, expr) -> Lowered:
        numerical = rasp.is_numerical(expr)
        try:
            value = to_value(expr.fill, numerical)
        except ValueError as err:
            raise self.fail(expr, str(err)) from None
        kind = "numerical" if numerical else "categorical"
        node = self.b.constant(value, kind, name=self.name(expr.name))
        return Lowered(node, kind, {value_key(value): expr.fill})

    def lower_ConstantSOp(self, expr) -> Lowered:
        fixed = list(expr.value)
        i = self.raw_indices()
        lowered_i = Lowered(
            i, "categorical", {value_key(j): j for j in range(1, self.domain.max_len + 1)}
        )
        table, py = self.table(
            expr, [lowered_i], lambda j: fixed[j - 1] if j - 1 < len(fixed) else None, False
        )
        node = self.b.map(table, i, name=self.name(expr.name))
        return Lowered(node, "categorical", py, True)

    def lower_SelectorWidth(self, expr) -> Lowered:
        sel = self.lower(expr.selector)
        node = self.b.selector_width(sel.node, name=self.name(expr.name))
        return Lowered(
            node, "categorical", {value_key(n): n for n in range(self.domain.max_len + 1)}
        )

    def lower_Aggregate(self, expr) -> Lowered:
        sel = self.lower(expr.selector)
        values = self.lower(expr.sop)
        if rasp.is_numerical(expr):
            return self.mean(expr, sel, values)
        values = self.as_kind(expr, values, "categorical")
        py = dict(values.py)
        default = expr.default
        if default is None and not sel.reflexive:
            values = self.none_at_bos(values)  # nothing selected: the value at BOS, None
            py[value_key(None)] = None
        elif default is not None and not sel.reflexive:
            py.setdefault(value_key(to_value(default)), default)
        node = self.b.aggregate(
            sel.node,
            values.node,
            "nearest",
            None if default is None else to_value(default),
            name=self.name(expr.name),
        )
        return Lowered(node, "categorical", py)

    def mean(self, expr, sel: LoweredSelector, values: Lowered) -> Lowered:
        """A numerical Aggregate: the mean; where nothing is selected, the default (None too)."""
        values = self.as_kind(expr, values, "numerical")
        bound = means_bound(self.values(values.node), self.domain.n_positions)
        if bound > MAX_VALUE_SET:
            raise self.fail(
                expr,
                f"its means could take up to {bound:,} values (more than "
                f"{MAX_VALUE_SET:,}); a numerical mean this large cannot be "
                "compiled exactly",
            )
        default = expr.default
        try:
            fill = 0 if default is None else to_value(default, True)
            node = self.b.aggregate(sel.node, values.node, "mean", fill, name=self.name(expr.name))
        except ValueError as err:
            raise self.fail(expr, f"a numerical default must be a number: {err}") from None
        except ValueSetTooLarge:
            raise self.fail(
                expr,
                f"its means take more than {MAX_VALUE_SET:,} values; "
                "a numerical mean this large cannot be compiled exactly",
            ) from None
        # Means stay exact fractions for the functions that read them (tracr's evaluator holds
        # floats): `opens - closes` is then exactly linear, as tracr's compiler computes it.
        out = Lowered(node, "numerical", {value_key(v): v for v in self.values(node)})
        if default is not None or sel.reflexive:
            return out
        width = self.b.selector_width(sel.node, name=self.name(f"{expr.name}_width"))
        table = Table(
            [((v, w), None if w == 0 else v) for v in self.values(node) for w in self.values(width)]
        )
        node = self.b.sequence_map(
            table, node, width, "categorical", name=self.name(f"{expr.name}_or_none")
        )
        return Lowered(node, "categorical", {**out.py, value_key(None): None})

    # --- selectors ---------------------------------------------------------------------------

    def lower_Select(self, expr) -> LoweredSelector:
        keys, queries = self.lower(expr.keys), self.lower(expr.queries)
        # Only keys need None at BOS (no real query may select BOS); what BOS itself selects
        # reaches no real position, so the queries are read as they are.
        k, q = self.none_at_bos(keys), self.as_kind(expr, queries, "categorical")
        pred = expr.predicate
        reals = lambda x: [
            (v, p) for v, p in zip(self.values(x.node), self._py_list(x)) if p is not None
        ]
        kv, qv = reals(k), reals(q)
        try:
            if isinstance(pred, rasp.Comparison) and all(plain(p) for _, p in kv + qv):
                predicate = Predicate.comparison(pred.value.lower())  # "True" -> "true"
            else:
                predicate = Predicate([(a, b) for a, pa in qv for b, pb in kv if pred(pb, pa)])
            reflexive = (
                keys.node == queries.node
                and len(kv) == len(k.py)
                and all(pred(p, p) for _, p in kv)
            )
        except Exception as err:  # the user's predicate
            raise self.fail(expr, f"its predicate raised {type(err).__name__}: {err}") from None
        node = self.b.select(k.node, q.node, predicate, name=self.name(expr.name))
        return LoweredSelector(node, reflexive)

    def _py_list(self, x: Lowered) -> list:
        """The Python value of each IR value of `x` (None where no real position holds it)."""
        return [x.py.get(value_key(v)) for v in self.values(x.node)]

    def lower_SelectorAnd(self, expr) -> LoweredSelector:
        a, b = self.lower(expr.fst), self.lower(expr.snd)
        node = self.b.select_and(a.node, b.node, name=self.name(expr.name))
        return LoweredSelector(node, a.reflexive and b.reflexive)

    def lower_SelectorOr(self, expr) -> LoweredSelector:
        a, b = self.lower(expr.fst), self.lower(expr.snd)
        node = self.b.select_or(a.node, b.node, name=self.name(expr.name))
        return LoweredSelector(node, a.reflexive or b.reflexive)

    def lower_SelectorNot(self, expr) -> LoweredSelector:
        a = self.lower(expr.inner)
        inverse = self.b.select_not(a.node, name=self.name(f"{expr.name}_all"))
        node = self.b.select_and(inverse, self.real_keys(), name=self.name(expr.name))
        return LoweredSelector(node, False)

    def lower_ConstantSelector(self, expr):
        raise self.fail(expr, "a ConstantSelector (tracr's testing aid) cannot be compiled")

    def build(self, program) -> Program:
        if not isinstance(program, rasp.SOp):
            raise TpcError(
                f"{self.origin}: the program must be an SOp, not {type(program).__name__}"
            )
        out = self.lower(program)
        self.b.output(self.names.clean(program.name), out.node)
        return self.b.build(source=self.origin, frontend="tracr")


def tracr_to_ir(
    program, vocab, max_len: int, causal: bool = False, bos: str = BOS, origin: str = "<program>"
) -> Program:
    """The IR program of a tracr program (a `tpc.rasp` SOp) over `vocab` (Python values) and
    inputs of at most `max_len` tokens; `causal`: each position sees only itself and earlier
    ones (tracr's causal evaluator, `tpc.rasp.evaluate_causal`). Errors name the
    operation and its label (`origin`: where the program came from, for messages)."""
    return TracrTranslator(vocab, max_len, causal, bos, origin).build(program)
