"""Every field of every node class declares its schema, and JSON and the totality check of
`validate` are derived from it: a new node class (or field) without that coverage fails here.

`SAMPLE` must use every node class; each of its nodes round-trips through JSON, and each
table a node holds, with one row dropped, makes `validate` fail."""

import attrs
import pytest

from tpc.ir import ALL_NODES, Builder, Domain, IRError, Predicate, Table, from_json, to_json
from tpc.ir.nodes import FIELD_KINDS, TABLE_KINDS, held_fields, input_fields
from tpc.ir.program import TABLE_GAPS, validate
from tpc.ir.serialize import CODECS


def _sample():
    b = Builder(Domain(vocab="ab", max_len=3))
    tokens, indices, ones = b.tokens(), b.indices(), b.ones()
    flag = b.constant(True)
    first = b.select(
        indices,
        indices,
        Predicate.comparison("==", query_view=Table.build(lambda i: 0, b.type_of(indices).values)),
    )
    same = b.select(tokens, tokens, lambda k, q: k == q)
    both = b.select_not(b.select_or(b.select_and(first, same), same))
    count = b.selector_width(same)
    mean = b.aggregate(same, ones, default=1)
    pair = b.sequence_map(lambda t, c: f"{t}{c}", tokens, count)
    moved = b.aggregate(both, b.map(str, pair))
    scores = [
        Table.build(lambda v, n=n: (float(n), 0.5), b.type_of(t).values)
        for n, t in enumerate([tokens, flag])
    ]
    b.output("o", b.readout([tokens, flag], scores, (0.0, 0.25), ("x", "y"), pooled=True))
    b.output("moved", moved)
    b.output("mean", mean)
    return b.build()


SAMPLE = _sample()


def test_the_sample_uses_every_node_class():
    assert {type(n) for n in SAMPLE} == set(ALL_NODES)


def test_every_field_kind_has_a_codec_and_every_table_kind_a_totality_check():
    assert set(CODECS) == set(FIELD_KINDS) and set(TABLE_GAPS) == set(TABLE_KINDS)


@pytest.mark.parametrize("cls", ALL_NODES, ids=lambda c: c.__name__)
def test_every_field_declares_its_schema(cls):
    schema = {f.name for f in input_fields(cls) + held_fields(cls)}
    assert [f.name for f in attrs.fields(cls) if f.name not in schema] == ["name", "type"]
    for f in held_fields(cls):
        assert f.metadata["holds"] in FIELD_KINDS
        if f.metadata["holds"] in TABLE_KINDS:  # keyed by the values of this node's inputs
            assert set(f.metadata["over"]) <= {i.name for i in input_fields(cls)}


def test_every_node_round_trips_through_json():
    back = from_json(to_json(SAMPLE))
    assert back == SAMPLE
    for node, node_back in zip(SAMPLE, back):
        assert [getattr(node, f.name) for f in attrs.fields(type(node))] == [
            getattr(node_back, f.name) for f in attrs.fields(type(node))
        ]


def _without_a_row(kind: str, value):
    """The field's value with one row of (one of) its tables dropped."""
    if kind == "table":
        return Table(value.rows[1:])
    if kind == "tables":
        return (Table(value[0].rows[1:]), *value[1:])
    return Predicate.comparison(value.op, Table(value.query_view.rows[1:]), value.key_view)


# A table predicate (pairs) need not be total; a comparison's views must be.
TABLES = [
    (node, f)
    for node in SAMPLE
    for f in held_fields(type(node))
    if f.metadata["holds"] in TABLE_KINDS and getattr(getattr(node, f.name), "pairs", None) is None
]


def test_the_sample_holds_every_table_kind():
    assert {f.metadata["holds"] for _, f in TABLES} == set(TABLE_KINDS)


@pytest.mark.parametrize("node, field", TABLES, ids=lambda x: getattr(x, "name", ""))
def test_a_table_missing_a_row_is_refused(node, field):
    broken = attrs.evolve(
        node, **{field.name: _without_a_row(field.metadata["holds"], getattr(node, field.name))}
    )
    program = SAMPLE.evolve(nodes=[broken if n is node else n for n in SAMPLE])
    with pytest.raises(IRError, match=f"{node.name}: table is not total"):
        validate(program)
