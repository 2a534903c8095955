"""One test per row of docs/tracr.md's tables: what tracr's compiler gets silently wrong, or
refuses, and tpc compiles exactly. Each expected value is what tracr's own evaluator gives
(worked out by hand in the comment), and each compiled model is checked against the IR on
every input of its domain."""

from __future__ import annotations

from fractions import Fraction

import pytest

from tpc import compile_rasp_to_model, rasp
from tpc import rasp_lib as lib
from tpc.assemble.check import all_inputs, mismatches


def compiled(program, vocab, max_seq_len, causal=False):
    model = compile_rasp_to_model(
        program, vocab=vocab, max_seq_len=max_seq_len, compiler_bos="BOS", causal=causal
    )
    assert mismatches(model.compiled, all_inputs(model.program.domain, limit=2000)) == []
    return model


def test_row_default_none_stays_none():
    # tracr #25: tracr's model gives ['BOS', 2, 3, 0, 1]. Query token t reads the index equal
    # to t: [1, 2, 3, None] on 1 2 3 4; read again: [2, 3, None, None].
    sel = rasp.Select(rasp.indices, rasp.tokens, rasp.Comparison.EQ)
    program = rasp.Aggregate(sel, rasp.Aggregate(sel, rasp.indices))
    model = compiled(program, {1, 2, 3, 4}, 5)
    assert rasp.evaluate(program, [1, 2, 3, 4]) == [2, 3, None, None]
    assert model.apply(["BOS", 1, 2, 3, 4]).decoded == ["BOS", 2, 3, None, None]


def test_row_causal_is_the_causal_evaluator():
    # tracr #19: reverse compiled with causal=True gives ['BOS', 1, 1, 1], not the [3, 2, 1]
    # of rasp.evaluate. Under causal masking the length so far is i + 1, so the position read
    # is 0 everywhere: tpc's model computes exactly that, the causal evaluator's value.
    program = lib.make_reverse(rasp.tokens)
    model = compiled(program, {1, 2, 3}, 5, causal=True)
    assert rasp.evaluate_causal(program, [1, 2, 3]) == [1, 1, 1]
    assert model.apply(["BOS", 1, 2, 3]).decoded == ["BOS", 1, 1, 1]
    assert compiled(program, {1, 2, 3}, 5).apply(["BOS", 1, 2, 3]).decoded == ["BOS", 3, 2, 1]


def test_row_selector_width_of_ten_and_more():
    # tracr #7: the length of 11 tokens came out as 10 (an inexact selector-width MLP).
    model = compiled(lib.make_length(), {1, 2, 3}, 12)
    assert model.apply(["BOS"] + [1, 2, 3] * 3 + [1, 2]).decoded == ["BOS"] + [11] * 11


def test_row_numerical_map_of_a_numerical_value_is_exact():
    # tracr approximates f on a numerical input with a discretising MLP (mlp_exactness).
    # Fractions of "a" so far on a b a: 1, 1/2, 2/3; squared: 1, 1/4, 4/9.
    frac = lib.make_frac_prevs(rasp.tokens == "a")
    program = rasp.numerical(rasp.Map(lambda f: f * f, frac))
    model = compiled(program, {"a", "b"}, 5)
    out = model.apply(["BOS", "a", "b", "a"]).decoded
    assert out == ["BOS", 1, 0.25, float(Fraction(4, 9))]


def test_row_selector_and_or_not():
    # tracr's compiler refuses SelectorAnd / SelectorOr / SelectorNot. On a b a:
    # same token and earlier: 0 0 1; same token or first: 2 2 2; another token: 1 2 1.
    same = rasp.Select(rasp.tokens, rasp.tokens, rasp.Comparison.EQ)
    earlier = rasp.Select(rasp.indices, rasp.indices, rasp.Comparison.LT)
    first = rasp.Select(rasp.indices, rasp.indices, lambda k, q: k == 0)
    cases = [
        (rasp.SelectorAnd(same, earlier), [0, 0, 1]),
        (rasp.SelectorOr(same, first), [2, 2, 2]),
        (rasp.SelectorNot(same), [1, 2, 1]),
    ]
    for selector, want in cases:
        program = rasp.SelectorWidth(selector)
        assert compiled(program, {"a", "b"}, 4).apply(["BOS", "a", "b", "a"]).decoded == [
            "BOS",
            *want,
        ]


def test_row_means_of_any_numbers_and_sums():
    # tracr averages only 0/1 values and has no sum. On 1 2 3: the mean of all tokens is 2,
    # their sum (mean times length) 6.
    every = rasp.Select(rasp.tokens, rasp.tokens, rasp.Comparison.TRUE)
    mean = rasp.numerical(
        rasp.Aggregate(every, rasp.numerical(rasp.Map(lambda x: x, rasp.tokens)), default=0)
    )
    total = rasp.SequenceMap(lambda m, n: m * n, mean, lib.make_length())
    assert compiled(mean, {1, 2, 3}, 4).apply(["BOS", 1, 2, 3]).decoded == ["BOS", 2, 2, 2]
    assert compiled(total, {1, 2, 3}, 4).apply(["BOS", 1, 2, 3]).decoded == ["BOS", 6, 6, 6]


@pytest.mark.parametrize("default, want", [("end", ["b", "a", "end"]), (None, ["b", "a", None])])
def test_row_categorical_defaults(default, want):
    # tracr requires default None for a categorical Aggregate. Next token on a b a.
    nxt = rasp.Select(rasp.indices, rasp.indices, lambda k, q: k == q + 1)
    program = rasp.Aggregate(nxt, rasp.tokens, default=default)
    assert compiled(program, {"a", "b"}, 4).apply(["BOS", "a", "b", "a"]).decoded == ["BOS", *want]


def test_row_numerical_mean_with_default_none():
    # tracr requires default 0 for a numerical Aggregate; its evaluator gives None where
    # nothing is selected. The mean of the earlier tokens of 1 2 3: None, 1, 1.5.
    earlier = rasp.Select(rasp.indices, rasp.indices, rasp.Comparison.LT)
    program = rasp.numerical(
        rasp.Aggregate(earlier, rasp.numerical(rasp.Map(lambda x: x, rasp.tokens)))
    )
    assert compiled(program, {1, 2, 3}, 4).apply(["BOS", 1, 2, 3]).decoded == ["BOS", None, 1, 1.5]


def test_row_numerical_sequence_map_and_length():
    # tracr's compiler takes non-linear SequenceMaps of categorical s-ops only, and has no
    # `length`. On 2 1: token * index = 0 1; length - index = 2 1.
    prod = rasp.numerical(rasp.SequenceMap(lambda t, i: t * i, rasp.tokens, rasp.indices))
    assert compiled(prod, {1, 2}, 3).apply(["BOS", 2, 1]).decoded == ["BOS", 0, 1]
    assert compiled(rasp.length - rasp.indices, {1, 2}, 3).apply(["BOS", 2, 1]).decoded == [
        "BOS",
        2,
        1,
    ]


def test_a_model_saves_as_a_tpc_checkpoint(tmp_path):
    from tpc.model.checkpoint import load_model

    model = compiled(lib.make_hist(), {"a", "b"}, 4)
    model.save(tmp_path / "hist.pt")
    assert load_model(tmp_path / "hist.pt").model.cfg.n_ctx == 5
