"""Comparison predicates hold no pairs: the interpreter compares the values where it evaluates
(`tpc.selection.compare_ranks`). They must select exactly the pairs that `compare` selects one
pair at a time, as the tabulated predicates did, on values of every kind."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st
from naive import naive_run

from tpc.interp import Interpreter
from tpc.ir import COMPARISONS, Builder, Domain, Predicate, Table, compare
from tpc.selection import compare_ranks, comparison_ranks

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.fractions(min_value=-2, max_value=2, max_denominator=3),
    st.sampled_from(["", "a", "b", "ab", "1"]),
)


@given(
    st.sampled_from(sorted(COMPARISONS)),
    st.lists(VALUES, min_size=1, max_size=8),
    st.lists(VALUES, min_size=1, max_size=8),
)
def test_ranks_compare_as_compare_does(op, queries, keys):
    (q_kind, q_rank), (k_kind, k_rank) = comparison_ranks(queries, keys)
    got = compare_ranks(op, q_kind, q_rank, k_kind, k_rank)
    assert got.tolist() == [[compare(op, k, q) for k in keys] for q in queries]


@given(st.data())
def test_a_comparison_through_views_selects_what_its_pairs_did(data):
    vocab = ["a", "b", "c"]
    b = Builder(Domain(vocab=vocab, max_len=4))
    t, i = b.tokens(), b.indices()
    op = data.draw(st.sampled_from(sorted(COMPARISONS)))
    query_view = Table([(v, data.draw(VALUES)) for v in b.type_of(t).values])
    key_view = data.draw(
        st.none() | st.just(Table([(v, data.draw(VALUES)) for v in b.type_of(i).values]))
    )
    pred = Predicate.comparison(op, query_view, key_view)
    old = Predicate(
        [
            (q, k)
            for q in b.type_of(t).values
            for k in b.type_of(i).values
            if compare(op, k if key_view is None else key_view[k], query_view[q])
        ]
    )
    assert pred.tabulate(b.type_of(t).values, b.type_of(i).values) == old.pairs
    width = b.selector_width(b.select(i, t, pred), name="width")
    b.output("width", width)
    program = b.build()
    seqs = [list(s) for s in ("", "a", "cab", "bbca", "ca")]
    got = Interpreter(program).run(seqs)["width"]
    for seq, widths in zip(seqs, got):
        assert {"width": widths} == naive_run(program, seq)
        # The width is the number of visible keys whose pair the old predicate listed.
        tokens = ["<s>", *seq]
        want = [
            sum((tokens[q], k) in old.pairs for k in range(len(tokens))) for q in range(len(tokens))
        ]
        assert widths == want[1:]


def test_value_kinds_never_meet():
    # 1 and True are equal for Python and for compare; "1" and 1 never are.
    (qk, qr), (kk, kr) = comparison_ranks([1, "1", None], [True, 1, "1", None, Fraction(1, 2)])
    assert compare_ranks("==", qk, qr, kk, kr).tolist() == [
        [True, True, False, False, False],
        [False, False, True, False, False],
        [False, False, False, True, False],
    ]
