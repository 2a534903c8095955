"""RASP programs against plain-Python oracles: exhaustive over small inputs, plus hypothesis."""

import itertools
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from tpc.frontend import rasp_to_ir
from tpc.interp import run

VOCAB = "abc"
MAX_LEN = 4
ALL = [list(s) for n in range(MAX_LEN + 1) for s in itertools.product(VOCAB, repeat=n)]


def prev(s):
    return [None] + s[:-1]


def width(s, pred):
    """How many key positions k satisfy pred(k, q) for each query position q."""
    return [sum(bool(pred(k, q)) for k in range(len(s))) for q in range(len(s))]


# name -> (source, {output: python oracle(tokens) -> list})
PROGRAMS = {
    "reverse": (
        "opp = length - indices - 1;\nflip = select(indices, opp, ==);\n"
        "reverse = aggregate(flip, tokens);",
        {"reverse": lambda s: s[::-1]},
    ),
    "hist": (
        "output hist = selector_width(select(tokens, tokens, ==));",
        {"hist": lambda s: [s.count(x) for x in s]},
    ),
    "builtins": (
        "output i = indices; output t = tokens; output n = length;",
        {"i": lambda s: list(range(len(s))), "t": lambda s: s, "n": lambda s: [len(s)] * len(s)},
    ),
    "frac_prevs": (
        'output frac = numerical(aggregate(select(indices, indices, <=), tokens == "a"));',
        {"frac": lambda s: [Fraction(s[: i + 1].count("a"), i + 1) for i in range(len(s))]},
    ),
    "mean_indicator": (
        'output m = aggregate(select(indices, indices, <), indicator(tokens == "b"));',
        {"m": lambda s: [Fraction(s[:i].count("b"), i) if i else 0 for i in range(len(s))]},
    ),
    "prev_default": (
        "output p = aggregate(select(indices, indices, <), tokens); "
        'output d = aggregate(select(indices, indices, <), tokens, "z");',
        {
            "p": lambda s: [s[i - 1] if i else 0 for i in range(len(s))],  # RASP's default: 0
            "d": lambda s: [s[i - 1] if i else "z" for i in range(len(s))],
        },
    ),
    "select_ops": (
        "\n".join(
            f"output w{i} = selector_width(select(indices, indices, {op}));"
            for i, op in enumerate(["==", "!=", "<", ">", "<=", ">="])
        ),
        {
            f"w{i}": (lambda op: lambda s: width(s, lambda k, q: eval(f"k {op} q")))(op)
            for i, op in enumerate(["==", "!=", "<", ">", "<=", ">="])
        },
    ),
    "selector_logic": (
        "eq = select(tokens, tokens, ==);\nlt = select(indices, indices, <);\n"
        "output a = selector_width(eq and lt);\noutput o = selector_width(eq or lt);\n"
        "output n = selector_width(not eq);\noutput nn = selector_width(not (not eq));",
        {
            "a": lambda s: width(s, lambda k, q: s[k] == s[q] and k < q),
            "o": lambda s: width(s, lambda k, q: s[k] == s[q] or k < q),
            "n": lambda s: width(s, lambda k, q: s[k] != s[q]),
            "nn": lambda s: width(s, lambda k, q: s[k] == s[q]),
        },
    ),
    "arith": (
        "output half = indices / 2;\noutput inv = 1 / indices;\n"
        "output inv0 = numerical(1 / indices);\n"
        "output m = (indices + 1) % length;\noutput p = 2 ^ indices;\n"
        "output r = round(indices / 2);\n"
        "output neg = -indices * 3 - 1;",
        {
            "half": lambda s: [Fraction(i, 2) if i % 2 else i // 2 for i in range(len(s))],
            "inv": lambda s: [None if i == 0 else Fraction(1, i) for i in range(len(s))],
            "inv0": lambda s: [0 if i == 0 else Fraction(1, i) for i in range(len(s))],
            "m": lambda s: [(i + 1) % len(s) for i in range(len(s))],
            "p": lambda s: [2**i for i in range(len(s))],
            "r": lambda s: [round(Fraction(i, 2)) for i in range(len(s))],
            "neg": lambda s: [-i * 3 - 1 for i in range(len(s))],
        },
    ),
    "logic_and_conditionals": (
        'x = tokens == "a" or not (indices > 1);\noutput x;\n'
        'output inl = tokens in ["a", "c"];\n'
        'output c = "first" if indices == 0 else tokens;\n'
        "p = aggregate(select(indices, indices, <), tokens);\n"
        "output three = tokens if indices < 2 else p;\n"
        "output ne = tokens != p;",
        {
            "x": lambda s: [t == "a" or not i > 1 for i, t in enumerate(s)],
            "inl": lambda s: [t in "ac" for t in s],
            "c": lambda s: ["first" if i == 0 else t for i, t in enumerate(s)],
            "three": lambda s: [t if i < 2 else s[i - 1] for i, t in enumerate(s)],
            "ne": lambda s: [True if i == 0 else t != s[i - 1] for i, t in enumerate(s)],
        },  # p is 0 at 0
    ),
    "functions_and_rasplib": (
        # rasplib's own definitions, written in this dialect.
        "full_s = select(1, 1, ==);\n"
        "mylength = round(1 / aggregate(full_s, indicator(indices == 0)));\n"
        "def sw(sel) {\n  at0 = select(indices, 0, ==);\n  sAND0 = sel and at0;\n"
        "  sOR0 = sel or at0;\n"
        "  inverted = aggregate(sOR0, indicator(indices == 0));\n  except0 = (1 / inverted) - 1;\n"
        "  valat0 = aggregate(sAND0, 1, 0);\n  return round(except0 + valat0);\n}\n"
        "def load_from_location(seq, location) { "
        "return aggregate(select(indices, location, ==), seq); }\n"
        "output n = mylength;\noutput w = sw(select(tokens, tokens, <));\n"
        "output first = load_from_location(tokens, 0);",
        {
            "n": lambda s: [len(s)] * len(s),
            "w": lambda s: [sum(k < q for k in s) for q in s],
            "first": lambda s: s[:1] * len(s),
        },
    ),
    "tables": (
        'output m = map {"a": 1, "b": 2} (tokens);\n'
        'output s = map {(0, "a"): "zero-a", (1, "b"): "one-b"} (indices, tokens);\n'
        'output w = selector_width(select(tokens, tokens, {"a": ["b", "c"], "b": ["a"]}));\n'
        'output nm = numerical(map {"a": 1/2} (tokens));',
        {
            "m": lambda s: [{"a": 1, "b": 2}.get(t) for t in s],
            "s": lambda s: [
                {(0, "a"): "zero-a", (1, "b"): "one-b"}.get((i, t)) for i, t in enumerate(s)
            ],
            "w": lambda s: [sum(k in {"a": "bc", "b": "a"}.get(q, "") for k in s) for q in s],
            "nm": lambda s: [Fraction(1, 2) if t == "a" else 0 for t in s],
        },
    ),
    "sort_unique": (
        # sort distinct tokens: position of each token = number of smaller tokens
        "smaller = selector_width(select(tokens, tokens, <));\n"
        "output sorted = aggregate(select(smaller, indices, ==), tokens);",
        {
            "sorted": lambda s: [
                sorted(s)[i] if len(set(s)) == len(s) else None for i in range(len(s))
            ]
        },
    ),
}


def compiled(name, causal=False):
    source, _ = PROGRAMS[name]
    return rasp_to_ir(source, f"{name}.rasp", VOCAB, MAX_LEN, causal=causal)


def check(name, inputs):
    program = compiled(name)
    got = run(program, inputs)
    for out, oracle in PROGRAMS[name][1].items():
        for s, row in zip(inputs, got[out]):
            if name == "sort_unique" and len(set(s)) != len(s):
                continue
            assert row == oracle(s), (name, out, s)


def test_programs_exhaustive():
    for name in PROGRAMS:
        check(name, ALL)


@settings(max_examples=30)
@given(st.lists(st.lists(st.sampled_from(VOCAB), max_size=MAX_LEN), min_size=1, max_size=20))
def test_programs_hypothesis(batch):
    for name in ("reverse", "hist", "selector_logic", "functions_and_rasplib"):
        check(name, batch)


def test_numbers_are_exact_and_kinds():
    p = compiled("frac_prevs")
    node = p[p.output_map["frac"]]
    assert node.type.kind == "numerical" and Fraction(1, 3) in node.type.values
    p = compiled("hist")
    assert p[p.output_map["hist"]].type.kind == "categorical"


def test_default_output_is_last_assignment_and_meta():
    p = compiled("reverse")
    assert list(p.output_map) == ["reverse"]
    assert dict(p.meta)["source"] == "reverse.rasp"


def test_fused_tables():
    # (indices + 1) % length is one SequenceMap, not three nodes.
    p = rasp_to_ir("output m = (indices + 1) % length;", "f.rasp", VOCAB, MAX_LEN)
    from tpc.ir import Map, SequenceMap

    maps = [n for n in p.nodes if isinstance(n, (Map, SequenceMap))]
    assert len(maps) == 1 and isinstance(maps[0], SequenceMap)


def test_causal():
    p = rasp_to_ir(
        "output w = selector_width(select(tokens, tokens, ==));",
        "c.rasp",
        VOCAB,
        MAX_LEN,
        causal=True,
    )
    assert p.domain.causal
    for s in ALL:
        assert run(p, [s])["w"][0] == [s[: i + 1].count(t) for i, t in enumerate(s)]


def test_pragma_causal():
    p = rasp_to_ir(
        "#!tpc causal\noutput w = selector_width(select(tokens, tokens, ==));",
        "c.rasp",
        VOCAB,
        MAX_LEN,
    )
    assert p.domain.causal


def test_numbers_as_tokens():
    p = rasp_to_ir("output y = tokens + 1; output b = tokens == 1;", "n.rasp", (0, 1, 2), 3)
    assert run(p, [[0, 1, 2]]) == {"y": [[1, 2, 3]], "b": [[False, True, False]]}
