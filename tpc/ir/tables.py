"""What IR nodes hold besides their inputs: `Table`, a finite function of values, and
`Predicate`, a relation over (query value, key value), a comparison or a table of pairs."""

from __future__ import annotations

import itertools
import operator
from typing import Any, Callable, Iterable

from attrs import field, frozen

from .scores import f32_row
from .values import normalize, sort_key, value_key


def _rows(rows: Iterable) -> tuple:
    items = rows.items() if isinstance(rows, dict) else rows
    norm = []
    for key, out in items:
        key = tuple(map(normalize, key)) if isinstance(key, tuple) else normalize(key)
        # Readout score rows are float32 tuples (see scores.py); every other output is a value.
        norm.append((key, f32_row(out) if isinstance(out, tuple) else normalize(out)))
    return tuple(sorted(norm, key=lambda kv: _key_order(kv[0])))


def _key_order(key) -> tuple:
    return tuple(map(sort_key, key)) if isinstance(key, tuple) else sort_key(key)


def _key(key) -> tuple:
    return tuple(map(value_key, key)) if isinstance(key, tuple) else value_key(key)


def _rows_key(rows: tuple) -> tuple:
    """Rows as compared and hashed: values by `value_key` (True and 1 differ), scores as floats."""
    return tuple((_key(k), out if isinstance(out, tuple) else value_key(out)) for k, out in rows)


@frozen(cache_hash=True)
class Table:
    """A finite function: `rows` are (input, output) pairs; inputs are values or value tuples."""

    rows: tuple = field(converter=_rows, eq=_rows_key)
    _lookup: dict = field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self):
        object.__setattr__(self, "_lookup", {_key(k): v for k, v in self.rows})
        if len(self._lookup) != len(self.rows):
            raise ValueError("table has two rows for one input")

    def __getitem__(self, key):
        return self._lookup[_key(key)]

    def __contains__(self, key) -> bool:
        return _key(key) in self._lookup

    def __len__(self) -> int:
        return len(self.rows)

    def outputs(self) -> list:
        return [out for _, out in self.rows]

    def image(self, *domains: Iterable) -> list:
        """The output for every input of the product of `domains` (KeyError if one lacks a row)."""
        keys = [list(map(value_key, d)) for d in domains]
        lookup = self._lookup
        if len(keys) == 1:
            return [lookup[k] for k in keys[0]]
        return [lookup[k] for k in itertools.product(*keys)]

    def missing(self, *domains: Iterable) -> list:
        """The inputs of the product of `domains` that have no row."""
        keys = [list(map(value_key, d)) for d in domains]
        if len(keys) == 1:
            return [x for x, k in zip(domains[0], keys[0]) if k not in self._lookup]
        return [
            xs
            for xs, k in zip(itertools.product(*domains), itertools.product(*keys))
            if k not in self._lookup
        ]

    @classmethod
    def build(cls, fn: Callable, *domains: Iterable) -> "Table":
        """Tabulate `fn` over every input (one value, or a tuple for several domains)."""
        if len(domains) == 1:
            return cls([(x, fn(x)) for x in domains[0]])
        return cls([(xs, fn(*xs)) for xs in itertools.product(*domains)])


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "true": lambda key, query: True,
    "false": lambda key, query: False,
}


def compare(op: str, key, query) -> bool:
    """RASP's comparison `key op query` under tpc's None rule.

    None (BOS, or no value) is never selected by a value query; a None query selects
    exactly the None keys. Values that cannot be ordered compare False.
    """
    if key is None or query is None:
        return key is None and query is None
    try:
        return bool(COMPARISONS[op](key, query))
    except TypeError:
        return False


def _pairs(pairs: Iterable | None) -> frozenset | None:
    return None if pairs is None else frozenset((normalize(q), normalize(k)) for q, k in pairs)


def _pairs_key(pairs: frozenset | None) -> frozenset | None:
    return None if pairs is None else frozenset((value_key(q), value_key(k)) for q, k in pairs)


@frozen(cache_hash=True)
class Predicate:
    """A relation over (query value, key value), in one of two forms.

    A table predicate lists its selecting `pairs` (lifted heads, handwritten tables); its `op`,
    if any, names the comparison the pairs came from, for printing only.

    A comparison predicate (`pairs` None, made by `comparison`) is the comparison itself: q
    selects k when `compare(op, key_view[k], query_view[q])`, where a view relabels the values
    of its side before comparing (None: as they are; the RASP frontend's views decode BOS to
    None and position i to i - 1). It holds no pairs, so its size does not grow with the
    square of the value sets: the interpreter compares the values that occur, and only what
    needs a table (weights, printed tables) tabulates it, over the value sets it needs.
    """

    pairs: frozenset | None = field(converter=_pairs, eq=_pairs_key)
    op: str | None = None
    query_view: Table | None = None
    key_view: Table | None = None

    def __attrs_post_init__(self):
        if self.pairs is None and self.op not in COMPARISONS:
            raise ValueError(f"unknown comparison {self.op!r}")
        if self.pairs is not None and (self.query_view is not None or self.key_view is not None):
            raise ValueError("a table predicate has no views")

    @property
    def is_comparison(self) -> bool:
        return self.pairs is None

    def view(self, side: str, value):
        """`value` of the query or key side as the comparison sees it."""
        table = self.query_view if side == "query" else self.key_view
        return value if table is None else table[value]

    def __contains__(self, qk) -> bool:
        q, k = qk
        if self.pairs is None:
            return compare(self.op, self.view("key", k), self.view("query", q))
        return (normalize(q), normalize(k)) in self.pairs

    def tabulate(self, query_values: Iterable, key_values: Iterable) -> frozenset:
        """The selecting (query, key) pairs among `query_values` x `key_values`."""
        qs, ks = list(query_values), list(key_values)
        if self.pairs is None:
            kv = [self.view("key", k) for k in ks]
            queries = [(q, self.view("query", q)) for q in qs]
            return frozenset(
                (q, k) for q, qv in queries for k, v in zip(ks, kv) if compare(self.op, v, qv)
            )
        qset, kset = {value_key(q) for q in qs}, {value_key(k) for k in ks}
        return frozenset(
            (q, k) for q, k in self.pairs if value_key(q) in qset and value_key(k) in kset
        )

    @classmethod
    def comparison(
        cls, op: str, query_view: Table | None = None, key_view: Table | None = None
    ) -> "Predicate":
        """The comparison `key_view[k] op query_view[q]` (see `compare`)."""
        return cls(None, op, query_view, key_view)
