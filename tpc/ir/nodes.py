"""IR nodes: frozen attrs classes, each naming its inputs and carrying its type.

A node refers to its inputs by name; a `Program` holds the nodes in topological order.
Tables are explicit and finite: the IR never holds a Python callable.
"""

from __future__ import annotations

import itertools
import operator
from typing import Any, Callable, Iterable

import attrs
from attrs import field, frozen

from .scores import f32_row
from .types import SELECTOR, SelectorType, Type
from .values import normalize, sort_key, value_key, values_key


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


def reads(kind: str, many: bool = False):
    """An input field: the name of a node this node reads (a tuple of names if `many`), which
    must be an s-op of `kind` ("sop": either kind, "categorical", or "selector"). The schema
    is declared here once; `inputs`, renaming, kind checks and JSON derive from it."""
    return field(metadata={"reads": kind, "many": many}, converter=tuple if many else None)


#: what a node's other fields may hold; JSON (serialize.py) has a codec for each
FIELD_KINDS = ("value", "values", "floats", "word", "flag", "table", "tables", "predicate")
#: the kinds that are finite functions of input values: `validate` checks each is total
TABLE_KINDS = ("table", "tables", "predicate")


def holds(kind: str, over: tuple[str, ...] = (), **kw):
    """A field that is not an input: an IR value ("value"), a tuple of them ("values"), of
    float32 scores ("floats"), a keyword ("word"), a bool written only when true ("flag"), a
    `Table` keyed by the values of the input fields `over` ("table"), one per name of the
    many-input field `over` ("tables"), or a `Predicate` whose views are keyed by `over`
    (queries, keys). JSON and the totality check derive from it; `kw` goes to attrs.field."""
    if kind not in FIELD_KINDS or (kind in TABLE_KINDS) != bool(over):
        raise ValueError(f"bad field schema {kind!r} over {over!r}")
    return field(metadata={"holds": kind, "over": tuple(over)}, **kw)


def input_fields(cls) -> tuple:
    """The input fields of node class `cls`, in declaration order."""
    return tuple(f for f in attrs.fields(cls) if "reads" in f.metadata)


def held_fields(cls) -> tuple:
    """The fields of node class `cls` that are not inputs (nor its name and type)."""
    return tuple(f for f in attrs.fields(cls) if "holds" in f.metadata)


@frozen(kw_only=True)
class Node:
    """Base of all nodes: a unique `name` and the node's `type`."""

    name: str
    type: Type

    @property
    def inputs(self) -> tuple[str, ...]:
        """Names of the nodes this one reads, in order (a name read twice appears twice)."""
        out: list = []
        for f in input_fields(type(self)):
            value = getattr(self, f.name)
            out.extend(value) if f.metadata["many"] else out.append(value)
        return tuple(out)


# --- inputs -----------------------------------------------------------------------------


@frozen(kw_only=True)
class Tokens(Node):
    """The input token at each position (BOS at position 0)."""


@frozen(kw_only=True)
class Indices(Node):
    """The position index: 0 for BOS, 1.. for the tokens after it."""


@frozen(kw_only=True)
class Ones(Node):
    """The numerical constant 1 at every position (for counting)."""


@frozen(kw_only=True)
class Constant(Node):
    """The same value at every position."""

    value: Any = holds("value", converter=normalize, eq=value_key)


# --- element-wise maps --------------------------------------------------------------------


@frozen(kw_only=True)
class Map(Node):
    """`table[x]` at every position (a categorical or numerical MLP)."""

    x: str = reads("sop")
    table: Table = holds("table", over=("x",))


@frozen(kw_only=True)
class SequenceMap(Node):
    """`table[(x, y)]` at every position (an MLP reading two variables)."""

    x: str = reads("sop")
    y: str = reads("sop")
    table: Table = holds("table", over=("x", "y"))


# --- attention ------------------------------------------------------------------------------


@frozen(kw_only=True)
class Select(Node):
    """Query position q selects key position k when (queries[q], keys[k]) is in predicate."""

    keys: str = reads("categorical")
    queries: str = reads("categorical")
    predicate: Predicate = holds("predicate", over=("queries", "keys"))
    type: SelectorType = SELECTOR


@frozen(kw_only=True)
class _SelectorPair(Node):
    """A selector combining two selectors position by position."""

    a: str = reads("selector")
    b: str = reads("selector")
    type: SelectorType = SELECTOR


@frozen(kw_only=True)
class SelectAnd(_SelectorPair):
    """k is selected for q by both `a` and `b`."""


@frozen(kw_only=True)
class SelectOr(_SelectorPair):
    """k is selected for q by `a` or by `b`."""


@frozen(kw_only=True)
class SelectNot(Node):
    """k is visible to q and not selected by `a`."""

    a: str = reads("selector")
    type: SelectorType = SELECTOR


REDUCTIONS = ("nearest", "sum", "mean")


@frozen(kw_only=True)
class Aggregate(Node):
    """Attention: combine `values` over the positions `selector` picks.

    nearest (categorical): the value at the nearest selected position; the earlier one on
    ties; the query's own position only when nothing else is selected; when nothing is
    selected, `default` if declared, else the value at position 0 (BOS).
    sum (numerical): the sum over selected positions (0 when none).
    mean (numerical): the mean over selected positions; `default` (else 0) when none.
    """

    selector: str = reads("selector")
    values: str = reads("sop")
    reduce: str = holds("word", default="nearest")
    default: Any = holds("value", default=None, converter=normalize, eq=value_key)


@frozen(kw_only=True)
class SelectorWidth(Node):
    """How many positions the selector picks at each query position."""

    selector: str = reads("selector")


@frozen(kw_only=True)
class Readout(Node):
    """The model's unembedding: per-term score tables added to `bias`, argmax'ed.

    `scores[i]` maps each value of `terms[i]` to one float32 score per class, in the order of
    `classes` (the model's class ids). The total starts at `bias` and adds each term's row in
    order, rounding to float32 after every addition, as the model does (scores.py); a term
    read twice adds twice. The first class with the highest total wins.

    `pooled` (a text classifier's readout): the totals of every position are added in
    float32, first to last, and divided by the length in float32; the class that mean picks
    is the output at every position (scores.py, `pooled_total`).
    """

    terms: tuple[str, ...] = reads("sop", many=True)
    scores: tuple[Table, ...] = holds("tables", over=("terms",), converter=tuple)
    bias: tuple[float, ...] = holds("floats", converter=f32_row)
    classes: tuple = holds("values", converter=lambda cs: tuple(map(normalize, cs)), eq=values_key)
    pooled: bool = holds("flag", default=False)


# s-ops, then selectors
ALL_NODES = (
    Tokens,
    Indices,
    Ones,
    Constant,
    Map,
    SequenceMap,
    Aggregate,
    SelectorWidth,
    Readout,
    Select,
    SelectAnd,
    SelectOr,
    SelectNot,
)


def rename_inputs(node: Node, mapping: dict[str, str]) -> Node:
    """The node reading `mapping[name]` wherever it read `name`."""
    changes = {}
    for f in input_fields(type(node)):
        old = getattr(node, f.name)
        new = tuple(mapping.get(n, n) for n in old) if f.metadata["many"] else mapping.get(old, old)
        if new != old:
            changes[f.name] = new
    return attrs.evolve(node, **changes) if changes else node


def select_leaves(program, selector: str) -> list[Select]:
    """The Select nodes the selector `selector` of `program` is built from (one, unless
    and/or/not combine several), left to right."""
    node = program[selector]
    if isinstance(node, Select):
        return [node]
    return [leaf for name in node.inputs for leaf in select_leaves(program, name)]
