from fractions import Fraction

import pytest
from hypothesis import given
from naive import naive_run
from strategies import programs_with_inputs

from tpc.errors import TpcError
from tpc.interp import Interpreter, run
from tpc.ir import Builder, Domain, Table
from tpc.selection import position_costs


@given(programs_with_inputs())
def test_interpreter_matches_naive_evaluator(case):
    program, seqs = case
    got = Interpreter(program).run(seqs)
    for i, seq in enumerate(seqs):
        want = naive_run(program, seq)
        assert {k: v[i] for k, v in got.items()} == want


def test_nearest_match_rule():
    # Query at position 3 of 6 positions: distance 1 before (2) beats distance 1 after (4),
    # which beats distance 2; the query's own position comes last.
    cost = position_costs(6)[3].tolist()
    order = sorted(range(6), key=lambda k: cost[k])
    assert order == [2, 4, 1, 5, 0, 3]


def _reverse_program(max_len=6):
    b = Builder(Domain(vocab="abc", max_len=max_len))
    t, i = b.tokens(), b.indices()
    n = b.selector_width(b.select(t, t, lambda k, q: k != "<s>"))  # tokens after BOS
    opp = b.sequence_map(lambda n, i: n + 1 - i, n, i)
    b.output("reverse", b.aggregate(b.select(i, opp, "=="), t))
    return b.build()


def test_reverse_by_hand():
    out = run(_reverse_program(), [list("abc"), list("aab"), [], list("c")])["reverse"]
    assert out == [list("cba"), list("baa"), [], ["c"]]


def test_nothing_selected_falls_back_to_bos_or_default():
    b = Builder(Domain(vocab="ab", max_len=4))
    t = b.tokens()
    none = b.select(t, t, "false")
    b.output("bos", b.aggregate(none, t))
    b.output("default", b.aggregate(none, t, default="z"))
    b.output("mean", b.aggregate(none, b.ones(), "mean", default=Fraction(1, 2)))
    b.output("sum", b.aggregate(none, b.ones(), "sum"))
    out = run(b.build(), [list("ab")])
    assert out == {
        "bos": [["<s>"] * 2],
        "default": [["z"] * 2],
        "mean": [[Fraction(1, 2)] * 2],
        "sum": [[0, 0]],
    }


def test_mean_values_are_exact_fractions():
    b = Builder(Domain(vocab="ab", max_len=5))
    t, i = b.tokens(), b.indices()
    is_a = b.map(lambda x: 1 if x == "a" else 0, t, kind="numerical")
    prev = b.select(i, i, lambda k, q: 0 < k <= q)
    b.output("frac", b.aggregate(prev, is_a, "mean"))
    assert run(b.build(), [list("abaab")])["frac"] == [
        [1, Fraction(1, 2), Fraction(2, 3), Fraction(3, 4), Fraction(3, 5)]
    ]


def test_causal_mask_hides_later_keys():
    b = Builder(Domain(vocab="ab", max_len=4, causal=True))
    t = b.tokens()
    b.output("count", b.aggregate(b.select(t, t, "=="), b.ones(), "sum"))
    assert run(b.build(), [list("abab")])["count"] == [[1, 1, 2, 2]]


def test_readout_ties_pick_the_first_class():
    b = Builder(Domain(vocab="ab", max_len=3))
    t = b.tokens()
    scores = Table({"<s>": (0.0, 0.0), "a": (1.0, 1.0), "b": (0.0, 2.0)})
    b.output("label", b.readout([t], [scores], [0.0, 0.0], ["first", "second"]))
    assert run(b.build(), [list("ab")])["label"] == [["first", "second"]]


def test_model_style_inputs_need_bos_first():
    b = Builder(Domain(vocab="ab", max_len=3, implicit_bos=False))
    b.output("t", b.tokens())
    prog = b.build()
    assert run(prog, [["<s>", "a"]])["t"] == [["<s>", "a"]]
    with pytest.raises(TpcError, match="must start with the BOS token"):
        run(prog, [["a"]])


@pytest.mark.parametrize(
    "seq, message",
    [(list("abx"), "unknown token 'x'"), (list("abababa"), "at most 6")],
)
def test_bad_inputs_are_user_errors(seq, message):
    with pytest.raises(TpcError, match=message):
        run(_reverse_program(), [seq])
