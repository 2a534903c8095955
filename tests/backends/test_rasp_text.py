"""RASP text backend: to_rasp(P) compiles back (same domain) to a program with the same outputs."""

import itertools

from hypothesis import given, settings

from tests.strategies import programs
from tpc.backends.rasp import literal, to_rasp
from tpc.frontend import rasp_to_ir
from tpc.interp import run


def all_inputs(domain, limit=400):
    """Every input of the domain (exhaustive when small), as `run` takes them."""
    longest = domain.max_len - (0 if domain.implicit_bos else 1)
    seqs = []
    for n in range(longest + 1):
        for s in itertools.product(domain.vocab, repeat=n):
            seqs.append(list(s))
            if len(seqs) >= limit:
                break
    return seqs if domain.implicit_bos else [[domain.bos, *s] for s in seqs]


def reparse(program):
    text = to_rasp(program)
    d = program.domain
    return text, rasp_to_ir(text, "roundtrip.rasp", d.vocab, d.max_len)


def assert_equivalent(p, q):
    xs = all_inputs(p.domain)
    assert p.output_map.keys() == q.output_map.keys()
    assert q.domain == p.domain
    assert run(p, xs) == run(q, xs)


@settings(max_examples=80)
@given(programs(max_nodes=8))
def test_generated_programs_round_trip(p):
    text, q = reparse(p)
    assert_equivalent(p, q)


@settings(max_examples=25)
@given(programs(max_nodes=8))
def test_round_trip_is_stable(p):
    # Printing the reparsed program and compiling again changes nothing observable.
    _, q = reparse(p)
    _, r = reparse(q)
    assert_equivalent(q, r)


RASP_SOURCES = [
    "opp = length - indices - 1; output reverse = aggregate(select(indices, opp, ==), tokens);",
    "output hist = selector_width(select(tokens, tokens, ==));",
    "output frac = numerical(aggregate(select(indices, indices, <=), tokens == 'a'));",
    "p = aggregate(select(indices, indices, <), tokens); output p; "
    "output q = p if p == 'a' else tokens;",
    "s = not select(tokens, tokens, ==) and select(indices, indices, >); "
    "output w = selector_width(s);",
    "output t = aggregate(select(tokens, tokens, {'a': ['b'], 'b': ['a', 'c']}), indices, -1);",
]


def test_compiled_rasp_programs_round_trip():
    for src in RASP_SOURCES:
        for causal in (False, True):
            p = rasp_to_ir(src, "x.rasp", "abc", 4, causal=causal)
            _, q = reparse(p)
            assert_equivalent(p, q)


def test_text_is_readable():
    p = rasp_to_ir(RASP_SOURCES[0], "x.rasp", "abc", 4)
    text = to_rasp(p)
    assert text.startswith("#!tpc model\n")
    assert "select(indices, opp, " in text or "select(" in text
    assert "output reverse" in text


def test_literals_round_trip():
    from fractions import Fraction

    for v in [None, True, False, 0, -3, Fraction(-1, 3), "a", "it's", 'say "hi"', "\n\t\\", "é"]:
        src = f"output o = constant({literal(v)});"
        p = rasp_to_ir("#!tpc model\n" + src, "x.rasp", "a", 1)
        assert p[p.output_map["o"]].value == v and type(p[p.output_map["o"]].value) is type(v)


def test_readout_floats_round_trip():
    from tpc.ir import Builder, Domain, Table

    d = Domain(vocab="ab", max_len=3, implicit_bos=False)
    b = Builder(d)
    t = b.tokens()
    scores = Table([("<s>", (0.1, float("-inf"))), ("a", (1e-300, 2.5)), ("b", (-0.0, 1 / 3))])
    b.output("label", b.readout([t], [scores], [0.0, 1e20], ["y", "x"]))
    p = b.build()
    _, q = reparse(p)
    r = q[q.output_map["label"]]
    assert r.scores == p[p.output_map["label"]].scores and r.bias == p[p.output_map["label"]].bias
    assert_equivalent(p, q)


def test_nodes_named_like_repl_words_round_trip():
    """`selector = ...;` would read as the REPL's `selector examples on;`, so such names are
    renamed."""
    from tpc.ir import Builder, Domain

    b = Builder(Domain(vocab="ab", max_len=4))
    t = b.tokens()
    words = ("selector", "set", "show", "examples", "exit", "quit")
    sel = b.select(t, t, "==", name="selector")
    for word in words[1:]:
        t = b.map(lambda v: v, t, name=word)
    b.output("out", b.aggregate(sel, t, name="nearest_value"))
    p = b.build()
    text, q = reparse(p)
    assert_equivalent(p, q)
    assert "selector_ = " in text
