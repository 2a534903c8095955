"""`tpc trace`'s values: the interpreter's, the emitted Python's, and the nearest-match rule."""

import json

import pytest
from hypothesis import given, settings

from naive import naive_run
from strategies import programs_with_inputs
from tpc.backends.python import load_module, to_python
from tpc.errors import TpcError
from tpc.inspect.trace import trace
from tpc.ir import Aggregate, Builder, Domain, Table, to_plain


def every_variable(program):
    """The program with every s-op an output, so that each backend shows every value."""
    names = tuple((n.name, n.name) for n in program.nodes if n.type.kind != "selector")
    return program.evolve(outputs=names)


def nearest_rule(selected_row, q):
    """PAPER.md's rule, spelled out: the selected key nearest to q, the earlier on a tie, q
    itself only when nothing else is selected; None when nothing is."""
    others = [k for k, hit in enumerate(selected_row) if hit and k != q]
    if others:
        return min(others, key=lambda k: (abs(k - q), k))
    return q if selected_row[q] else None


@settings(max_examples=40)
@given(programs_with_inputs(max_nodes=10))
def test_trace_values_equal_the_naive_evaluator_and_the_emitted_python(case):
    program, seqs = case
    full = every_variable(program)
    module = load_module(to_python(full))
    start = 1 if program.domain.implicit_bos else 0
    for seq in seqs[:3]:
        doc = trace(full, seq)
        got = {v["name"]: v["values"][start:] for v in doc["variables"]}
        want = naive_run(full, seq)
        assert got == want
        emitted = module.run_all(list(seq))
        assert {k: [(type(x), x) for x in v] for k, v in got.items()} == \
            {k: [(type(x), x) for x in v] for k, v in emitted.items()}


@settings(max_examples=40)
@given(programs_with_inputs(max_nodes=10))
def test_each_nearest_head_reads_the_key_the_nearest_match_rule_picks(case):
    program, seqs = case
    for seq in seqs[:3]:
        doc = trace(program, seq)
        values = {v["name"]: v["values"] for v in doc["variables"]}
        for head in doc["heads"]:
            node = program[head["name"]]
            assert head["count"] == [sum(row) for row in head["selected"]]
            if not (isinstance(node, Aggregate) and node.reduce == "nearest"):
                continue
            for q, row in enumerate(head["selected"]):
                rule = nearest_rule(row, q)
                if rule is None:  # nothing selected: the default, else BOS's value
                    assert head["key"][q] == (None if node.default is not None else 0)
                    want = node.default if node.default is not None else values[node.values][0]
                else:
                    assert head["key"][q] == rule
                    want = values[node.values][rule]
                assert values[head["name"]][q] == want


def _two_heads():
    b = Builder(Domain(vocab=[1, 2, 3], max_len=4))
    t, i = b.tokens(), b.indices()
    prev = b.aggregate(b.select(i, i, lambda k, q: k == q - 1, name="prev_select"), t, name="prev")
    count = b.selector_width(b.select(t, t, "==", name="same"), name="count")
    classes = [1, 2, 3, "<s>"]
    scores = [
        {v: tuple(1.0 if c == v else 0.0 for c in classes) for v in b.type_of(prev).values},
        {v: tuple(0.25 * v if c == 1 else 0.0 for c in classes) for v in b.type_of(count).values},
    ]
    b.output("label", b.readout([prev, count], [Table(s.items()) for s in scores], [0.0] * 4, classes, name="readout"))
    return b.build()


# The schema docs/cli.md documents, as (key, type) per object.
SCHEMA = {
    "top": {"schema": int, "program": str, "tokens": list, "bos_added": bool, "outputs": dict,
            "variables": list, "heads": list, "mlps": list, "readouts": list},
    "variable": {"name": str, "node": str, "kind": str, "origin": (str, type(None)), "values": list},
    "head": {"name": str, "reduce": str, "selector": str, "reads": dict, "selected": list, "count": list},
    "mlp": {"name": str, "inputs": list, "rows": list, "values": list},
    "readout": {"name": str, "classes": list, "positions": list},
    "position": {"scores": list, "winner": object, "runner_up": object, "margin": (float, type(None)),
                 "terms": list},
    "term": {"term": str, "value": object, "contribution": float},
}


def conforms(obj, kind):
    spec = SCHEMA[kind]
    assert set(spec) <= set(obj), (kind, set(spec) - set(obj))
    for key, typ in spec.items():
        assert isinstance(obj[key], typ), (kind, key, obj[key])


def test_json_follows_the_documented_schema():
    doc = json.loads(json.dumps(to_plain(trace(_two_heads(), [3, 1, 3]))))
    conforms(doc, "top")
    assert doc["tokens"] == ["<s>", 3, 1, 3] and doc["bos_added"] is True
    for v in doc["variables"]:
        conforms(v, "variable")
        assert len(v["values"]) == 4
    heads = {h["name"]: h for h in doc["heads"]}
    for h in heads.values():
        conforms(h, "head")
    assert heads["prev"]["key"] == [0, 0, 1, 2]  # position 0 selects nothing: BOS
    assert heads["count"]["count"] == [1, 2, 1, 2]  # BOS matches itself; the two 3s each other
    (readout,) = doc["readouts"]
    conforms(readout, "readout")
    for q, pos in enumerate(readout["positions"]):
        conforms(pos, "position")
        for t in pos["terms"]:
            conforms(t, "term")
        # The contributions add up to the margin (float32 sums: within rounding).
        assert sum(t["contribution"] for t in pos["terms"]) == pytest.approx(pos["margin"], abs=1e-5)
    assert [p["winner"] for p in readout["positions"]][1:] == ["<s>", 3, 1]


def test_only_keeps_the_named_variables_and_rejects_unknown_names():
    doc = trace(_two_heads(), [3, 1], only=["prev", "label"])
    assert [v["name"] for v in doc["variables"]] == ["prev", "readout"]
    assert [h["name"] for h in doc["heads"]] == ["prev"]
    with pytest.raises(TpcError, match="no variable named 'nope'"):
        trace(_two_heads(), [3], only=["nope"])
