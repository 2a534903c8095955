"""The frontend keeps BOS out of RASP's view, including where the None-at-BOS invariant fails."""

import itertools
from fractions import Fraction

from tpc.frontend import rasp_to_ir
from tpc.interp import Interpreter, run

VOCAB = "abc"
ALL = [list(s) for n in range(5) for s in itertools.product(VOCAB, repeat=n)]


def bos_values(program, names):
    """The value of each named node at position 0 (BOS), for a sample input."""
    it = Interpreter(program)
    tokens, valid = it.encode([list("abca")])
    env = it.evaluate(tokens, valid, names)
    return {n: program[n].type.values[env[n][0, 0]] for n in names}


def test_categorical_sops_are_none_at_bos():
    src = (
        'x = tokens == "a"; y = indices + 1; p = aggregate(select(indices, indices, <), tokens);\n'
        'output x; output y; output p; output m = map {"a": 1} (tokens);'
    )
    p = rasp_to_ir(src, "b.rasp", VOCAB, 4)
    assert set(bos_values(p, list(p.output_map.values())).values()) == {None}


def test_key_from_numerical_keeps_bos_out():
    # categorical(indicator(...)) is 0 at BOS, not None: as a select key it must not match.
    src = 'k = categorical(indicator(tokens == "a"));\noutput w = selector_width(select(k, k, ==));'
    p = rasp_to_ir(src, "b.rasp", VOCAB, 4)
    for s in ALL:
        flags = [t == "a" for t in s]
        assert run(p, [s])["w"][0] == [flags.count(f) for f in flags]


def test_mean_over_numerical_key_selection():
    src = (
        "k = round(numerical(indices) / 2);\n"
        'output m = aggregate(select(k, 0, ==), indicator(tokens == "b"));'
    )
    p = rasp_to_ir(src, "b.rasp", VOCAB, 4)
    for s in ALL:
        first = [t == "b" for i, t in enumerate(s) if round(i / 2) == 0]
        want = (sum(first) / len(first)) if first else 0
        assert run(p, [s])["m"][0] == [want] * len(s)


def test_none_queries_do_not_select_bos():
    # p is None at position 0 (nothing before it); a None query selects only None keys.
    src = (
        "p = aggregate(select(indices, indices, <), tokens);\n"
        "output w = selector_width(select(p, p, ==));"
    )
    p = rasp_to_ir(src, "b.rasp", VOCAB, 4)
    for s in ALL:
        prev = ([None] + s[:-1]) if s else []
        assert run(p, [s])["w"][0] == [prev.count(v) for v in prev]


def test_not_selector_excludes_bos():
    src = (
        "output w = selector_width(not select(indices, indices, ==));\n"
        "output a = aggregate(not select(indices, indices, !=), tokens);"
    )
    p = rasp_to_ir(src, "b.rasp", VOCAB, 4)
    for s in ALL:
        out = run(p, [s])
        assert out["w"][0] == [len(s) - 1] * len(s)
        assert out["a"][0] == s


def test_empty_selection_gives_the_default_else_0():
    src = (
        "s = select(indices, indices, <);\noutput c = aggregate(s, tokens);\n"
        'output d = aggregate(s, tokens, "z");\n'
        'output n = aggregate(s, indicator(tokens == "a"));\n'
        'output nd = aggregate(s, indicator(tokens == "a"), 5);\n'
        "output w = selector_width(s);"
    )
    p = rasp_to_ir(src, "b.rasp", VOCAB, 4)
    out = run(p, [["a", "b"]])
    assert out == {"c": [[0, "a"]], "d": [["z", "a"]], "n": [[0, 1]], "nd": [[5, 1]], "w": [[0, 1]]}


def test_aggregate_of_indices_with_default_keeps_values_apart():
    # indices' IR values are shifted by one; a default must not collide with them.
    src = "output a = aggregate(select(indices, indices, <), indices, 2);"
    p = rasp_to_ir(src, "b.rasp", VOCAB, 4)
    for s in ALL:
        # RASP averages numbers: the mean of indices 0 .. i-1 is (i - 1) / 2.
        assert run(p, [s])["a"][0] == [2 if i == 0 else Fraction(i - 1, 2) for i in range(len(s))]
