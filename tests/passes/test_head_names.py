from tpc.passes import optimize
from tpc.passes.domain import domain_inputs
from tpc.passes.names import name_heads

from tpc.backends.python import to_python
from tpc.interp import Interpreter
from tpc.ir import BOS, Builder, Domain, validate

DOMAIN = Domain(vocab="ab", max_len=5, implicit_bos=False)


def _lifted(prev_rule):
    """A program shaped like a lifted one: two heads, each with its module as origin."""
    b = Builder(DOMAIN)
    t, i, ones = b.tokens(), b.indices(), b.ones()
    prev = b.aggregate(
        b.select(i, i, prev_rule, name="l0_cat_head0_select"), t, "nearest", name="l0_cat_head0"
    )
    same = b.select(t, t, lambda k, q: q != BOS and k == q, name="l0_num_head0_select")
    count = b.aggregate(same, ones, "sum", name="l0_num_head0")
    b.output("prev", prev)
    b.output("count", count)
    origin = {
        "l0_cat_head0_select": "L0.cat_head0",
        "l0_cat_head0": "L0.cat_head0",
        "l0_num_head0_select": "L0.num_head0",
        "l0_num_head0": "L0.num_head0",
    }
    return b.build().evolve(origin=origin)


def _every_input():
    return [list(s) for batch in domain_inputs(DOMAIN) for s in batch]


def test_heads_that_read_the_previous_position_and_count_equal_tokens_are_named_so():
    before = _lifted(lambda k, q: k == q - 1)
    after = validate(name_heads(before))
    assert after.output_map == {"prev": "prev_token", "count": "count_same_token"}
    assert (
        after.origin_map["prev_token"] == "L0.cat_head0"
        and after.origin_map["count_same_token"] == "L0.num_head0"
    )
    seqs = _every_input()
    assert Interpreter(after).run(seqs) == Interpreter(before).run(seqs)
    source = to_python(after)
    assert (
        "prev_token = nearest(\n"
        "        select(indices, indices, predicate_prev_token), tokens)  # L0.cat_head0" in source
    )
    assert max(map(len, source.splitlines())) <= 88
    assert name_heads(after) == after


def test_a_head_that_reads_the_previous_position_but_once_is_not_named_prev():
    # Position 4 reads BOS (as the induction model's first head does at its last position).
    before = _lifted(lambda k, q: k == (0 if q == 4 else q - 1))
    after = name_heads(before)
    assert (
        after.output_map["prev"] == "l0_cat_head0"
        and after.output_map["count"] == "count_same_token"
    )


def test_programs_not_lifted_keep_their_names():
    before = _lifted(lambda k, q: k == q - 1).evolve(origin={})
    assert name_heads(before) == before


def test_the_pipeline_names_a_head_reading_the_next_position():
    program = optimize(_lifted(lambda k, q: k == q + 1), 1)
    assert program.output_map["prev"] == "next_token"
