"""IR nodes: frozen attrs classes, each naming its inputs and carrying its type.

A node refers to its inputs by name; a `Program` holds the nodes in topological order.
Tables are explicit and finite (tables.py): the IR never holds a Python callable.
"""

from __future__ import annotations

from typing import Any

import attrs
from attrs import field, frozen

from .scores import f32_row
from .tables import Predicate, Table
from .types import SELECTOR, SelectorType, Type
from .values import normalize, value_key, values_key


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
