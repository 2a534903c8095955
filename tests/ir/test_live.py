"""`Program.live`: the nodes the outputs (or given roots) read; old JSON reads with no origin."""

import json

from tpc.ir import Builder, Domain, from_json, to_json


def _program():
    b = Builder(Domain(vocab="ab", max_len=3))
    t, i = b.tokens(), b.indices()
    b.map(lambda x: x, i, name="dead")
    keep = b.map(lambda x: x == "a", t, name="keep")
    b.output("out", keep)
    return b.build()


def test_live_is_what_the_outputs_read_in_program_order():
    p = _program()
    assert [n.name for n in p.live()] == ["tokens", "keep"]
    assert [n.name for n in p.live(["dead"])] == ["indices", "dead"]


def test_json_without_origin_reads_as_empty_and_is_not_written_empty():
    p = _program()
    doc = json.loads(to_json(p))
    assert "origin" not in doc
    assert from_json(json.dumps(doc)).origin == ()
