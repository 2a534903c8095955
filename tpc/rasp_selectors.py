"""tracr's selectors and the s-ops that read them (`tpc.rasp`): Select with its Comparisons,
`&`, `|`, `~` (merged into one Select when both read the same keys and queries), and
SelectorWidth and Aggregate."""

from __future__ import annotations

import enum
from typing import Callable

from tpc.rasp_expr import RASPExpr, Value
from tpc.rasp_sops import Full, SOp


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
