"""tracr's RASP API, under tracr's names, with the semantics of tracr's own evaluator.

A program written against `tracr.rasp.rasp` runs unchanged with `from tpc import rasp`: the
same classes, operators, annotations (`numerical`, `categorical`, `.named`), simplifications
(a Map of a Map is one Map; `&`, `|`, `~` of Selects with the same keys and queries are one
Select) and labels. `evaluate(program, tokens)` computes what tracr's evaluator does: Maps
and SequenceMaps give None where an input is None, Comparisons refuse None, an Aggregate
averages the numbers it selects (one value as it is, none: its default). What tpc compiles
from such a program is `tpc.frontend.tracr_to_ir`.
"""

from __future__ import annotations

import enum
from typing import Callable, Sequence

from tpc.rasp_eval import CausalEvaluator, DefaultRASPEvaluator, evaluate, evaluate_causal
from tpc.rasp_expr import (
    Encoding,
    RASPExpr,
    Value,
    annotate,
    categorical,
    get_encoding,
    is_categorical,
    is_numerical,
    numerical,
)


def _lift(op: Callable[[Value, Value], Value], flip: bool = False):
    """An operator method: SequenceMap with another s-op, Map with a constant."""

    def method(self, other):
        if isinstance(other, SOp):
            return SequenceMap(op, other, self) if flip else SequenceMap(op, self, other)
        return Map((lambda x: op(other, x)) if flip else (lambda x: op(x, other)), self)

    return method


class SOp(RASPExpr):
    """A sequence operation: one value per position."""

    _default_name = "sop"
    _has_encoding = True

    # Comparisons with constants are Maps, as in tracr (so `==` does not compare s-ops).
    def __eq__(self, other):  # type: ignore[override]
        return Map(lambda x: x == other, self)

    def __ne__(self, other):  # type: ignore[override]
        return Map(lambda x: x != other, self)

    def __lt__(self, other):
        return Map(lambda x: x < other, self)

    def __le__(self, other):
        return Map(lambda x: x <= other, self)

    def __gt__(self, other):
        return Map(lambda x: x > other, self)

    def __ge__(self, other):
        return Map(lambda x: x >= other, self)

    __hash__ = RASPExpr.__hash__
    __add__ = _lift(lambda x, y: x + y)
    __radd__ = _lift(lambda x, y: x + y, flip=True)
    __sub__ = _lift(lambda x, y: x - y)
    __rsub__ = _lift(lambda x, y: x - y, flip=True)
    __mul__ = _lift(lambda x, y: x * y)
    __rmul__ = _lift(lambda x, y: x * y, flip=True)
    __truediv__ = _lift(lambda x, y: x / y)
    __rtruediv__ = _lift(lambda x, y: x / y, flip=True)
    __and__ = _lift(lambda x, y: x and y)
    __rand__ = _lift(lambda x, y: x and y, flip=True)
    __or__ = _lift(lambda x, y: x or y)

    def __ror__(self, other):
        # tracr's `other | s` with a constant computes `s or other` (kept for equal results).
        if isinstance(other, SOp):
            return SequenceMap(lambda x, y: x or y, other, self)
        return Map(lambda x: x or other, self)

    def __invert__(self):
        return Map(lambda x: not x, self)


class TokensType(SOp):
    """The input tokens."""

    _default_name = "tokens"
    label = "tokens"

    def __repr__(self):
        return "tokens"


class IndicesType(SOp):
    """The position of each token, from 0."""

    _default_name = "indices"
    label = "indices"

    def __repr__(self):
        return "indices"


class LengthType(SOp):
    """The input's length at every position."""

    _default_name = "length"
    label = "length"

    def __repr__(self):
        return "length"


tokens = TokensType()
indices = IndicesType()
length = LengthType()


class Map(SOp):
    """`f` applied at every position; with `simplify`, a Map of a Map is one Map of the
    composed functions (and loses the inner Map's annotations, as in tracr)."""

    _default_name = "map"

    def __init__(self, f: Callable[[Value], Value], inner: SOp, simplify: bool = True):
        super().__init__()
        if not isinstance(inner, SOp) or not callable(f) or isinstance(f, RASPExpr):
            raise TypeError("Map(f, inner) takes a function and an SOp")
        if simplify and isinstance(inner, Map):
            first, second = inner.f, f
            f, inner = (lambda x: second(first(x))), inner.inner
        self.f, self.inner = f, inner

    @property
    def children(self):
        return [self.inner]


class SequenceMap(SOp):
    """`f(fst, snd)` at every position."""

    _default_name = "sequence_map"

    def __init__(self, f: Callable[[Value, Value], Value], fst: SOp, snd: SOp):
        super().__init__()
        if not (isinstance(fst, SOp) and isinstance(snd, SOp)) or not callable(f):
            raise TypeError("SequenceMap(f, fst, snd) takes a function and two SOps")
        self.f, self.fst, self.snd = f, fst, snd

    @property
    def children(self):
        return [self.fst, self.snd]


class LinearSequenceMap(SequenceMap):
    """`fst_fac * fst + snd_fac * snd` at every position."""

    _default_name = "linear_sequence_map"

    def __init__(self, fst: SOp, snd: SOp, fst_fac: float, snd_fac: float):
        super().__init__(lambda x, y: fst_fac * x + snd_fac * y, fst, snd)
        self.fst_fac, self.snd_fac = fst_fac, snd_fac


class Full(SOp):
    """`fill` at every position."""

    _default_name = "full"

    def __init__(self, fill: Value):
        super().__init__()
        self.fill = fill


class ConstantSOp(SOp):
    """A fixed list of values (its length must be the input's when `check_length`)."""

    _default_name = "constant_sop"

    def __init__(self, value: Sequence[Value], check_length: bool = True):
        super().__init__()
        self.value, self.check_length = value, check_length


def sop_not(sop: SOp) -> SOp:
    return Map(lambda x: not x, sop)


class Comparison(enum.Enum):
    """A predicate `key OP query` for Select; None on either side is an error."""

    EQ = "=="
    LT = "<"
    LEQ = "<="
    GT = ">"
    GEQ = ">="
    NEQ = "!="
    TRUE = "True"
    FALSE = "False"

    def __call__(self, key: Value, query: Value) -> bool:
        if key is None:
            raise ValueError("key is None!")
        if query is None:
            raise ValueError("query is None!")
        return _COMPARE[self.value](key, query)


_COMPARE: dict = {
    "==": lambda k, q: k == q,
    "<": lambda k, q: k < q,
    "<=": lambda k, q: k <= q,
    ">": lambda k, q: k > q,
    ">=": lambda k, q: k >= q,
    "!=": lambda k, q: k != q,
    "True": lambda k, q: True,
    "False": lambda k, q: False,
}


class Selector(RASPExpr):
    """A [query, key] matrix of booleans; `&`, `|`, `~` combine selectors."""

    _default_name = "selector"

    def __and__(self, other):
        return selector_and(self, other)

    def __rand__(self, other):
        return selector_and(other, self)

    def __or__(self, other):
        return selector_or(self, other)

    def __ror__(self, other):
        return selector_or(other, self)

    def __invert__(self):
        return selector_not(self)


class Select(Selector):
    """Query position q selects key position k when `predicate(keys[k], queries[q])`."""

    _default_name = "select"

    def __init__(self, keys: SOp, queries: SOp, predicate: Callable[[Value, Value], bool]):
        super().__init__()
        if not (isinstance(keys, SOp) and isinstance(queries, SOp)):
            raise TypeError("Select(keys, queries, predicate) takes two SOps")
        self.keys, self.queries, self.predicate = keys, queries, predicate

    @property
    def children(self):
        return [self.keys, self.queries]


class ConstantSelector(Selector):
    """A fixed selector matrix."""

    _default_name = "constant_selector"

    def __init__(self, value, check_length: bool = True):
        super().__init__()
        self.value, self.check_length = value, check_length


class SelectorWidth(SOp):
    """How many keys each query selects."""

    _default_name = "selector_width"

    def __init__(self, selector: Selector):
        super().__init__()
        if not isinstance(selector, Selector):
            raise TypeError("SelectorWidth takes a Selector")
        self.selector = selector

    @property
    def children(self):
        return [self.selector]


class _SelectorPair(Selector):
    def __init__(self, fst: Selector, snd: Selector):
        super().__init__()
        if not (isinstance(fst, Selector) and isinstance(snd, Selector)):
            raise TypeError(f"{type(self).__name__} takes two Selectors")
        self.fst, self.snd = fst, snd

    @property
    def children(self):
        return [self.fst, self.snd]


class SelectorAnd(_SelectorPair):
    """Selected by both."""

    _default_name = "selector_and"


class SelectorOr(_SelectorPair):
    """Selected by either."""

    _default_name = "selector_or"


class SelectorNot(Selector):
    _default_name = "selector_not"

    def __init__(self, inner: Selector):
        super().__init__()
        if not isinstance(inner, Selector):
            raise TypeError("SelectorNot takes a Selector")
        self.inner = inner

    @property
    def children(self):
        return [self.inner]


def selector_not(inner: Selector, simplify: bool = True) -> Selector:
    """`~inner`: a Select of the negated predicate when `inner` is a Select."""
    if simplify and isinstance(inner, Select):
        pred = inner.predicate
        return Select(inner.keys, inner.queries, lambda k, q: not pred(k, q))
    return SelectorNot(inner)


def selector_and(fst: Selector, snd: Selector, simplify: bool = True) -> Selector:
    merged = _merge(fst, snd, lambda a, b: a and b) if simplify else None
    return merged or SelectorAnd(fst, snd)


def selector_or(fst: Selector, snd: Selector, simplify: bool = True) -> Selector:
    merged = _merge(fst, snd, lambda a, b: a or b) if simplify else None
    return merged or SelectorOr(fst, snd)


def _merge(fst: Selector, snd: Selector, combine) -> Select | None:
    """Two Selects reading the same keys and queries as one Select (a Full side matches
    any s-op: its fill value goes into that side's predicate), else None."""
    if not (isinstance(fst, Select) and isinstance(snd, Select)):
        return None
    p, r = fst.predicate, snd.predicate
    keys = queries = None
    if isinstance(fst.keys, Full):
        keys, p = snd.keys, (lambda k, q, p=p, fill=fst.keys.fill: p(fill, q))
    if isinstance(snd.keys, Full):
        keys, r = fst.keys, (lambda k, q, r=r, fill=snd.keys.fill: r(fill, q))
    if isinstance(fst.queries, Full):
        queries, p = snd.queries, (lambda k, q, p=p, fill=fst.queries.fill: p(k, fill))
    if isinstance(snd.queries, Full):
        queries, r = fst.queries, (lambda k, q, r=r, fill=snd.queries.fill: r(k, fill))
    if fst.keys is snd.keys:
        keys = fst.keys
    if fst.queries is snd.queries:
        queries = fst.queries
    if not keys or not queries:
        return None
    return Select(keys, queries, lambda k, q: combine(p(k, q), r(k, q)))


class Aggregate(SOp):
    """The mean of the selected values (one: itself; none: `default`)."""

    _default_name = "aggregate"

    def __init__(self, selector: Selector, sop: SOp, default: Value = None):
        super().__init__()
        if not (isinstance(selector, Selector) and isinstance(sop, SOp)):
            raise TypeError("Aggregate(selector, sop) takes a Selector and an SOp")
        if default is not None and not isinstance(default, (str, float, bool, int)):
            raise TypeError(
                f"Aggregate's default must be None, a str, float, bool or int: {default!r}"
            )
        self.selector, self.sop, self.default = selector, sop, default

    @property
    def children(self):
        return [self.selector, self.sop]


__all__ = [
    "Aggregate",
    "Comparison",
    "ConstantSOp",
    "ConstantSelector",
    "Encoding",
    "Full",
    "IndicesType",
    "LengthType",
    "LinearSequenceMap",
    "Map",
    "RASPExpr",
    "SOp",
    "Select",
    "Selector",
    "SelectorAnd",
    "SelectorNot",
    "SelectorOr",
    "SelectorWidth",
    "SequenceMap",
    "TokensType",
    "Value",
    "annotate",
    "categorical",
    "get_encoding",
    "indices",
    "is_categorical",
    "is_numerical",
    "length",
    "numerical",
    "selector_and",
    "selector_not",
    "selector_or",
    "sop_not",
    "tokens",
    "CausalEvaluator",
    "DefaultRASPEvaluator",
    "evaluate",
    "evaluate_causal",
]
