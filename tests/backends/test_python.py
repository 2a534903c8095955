"""The Python backend: emitted modules are stdlib-only, readable, and agree with tpc.interp."""

import ast
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import domains, inputs, programs

from tpc.backends.python import load_module as load
from tpc.backends.python import to_python
from tpc.interp import Interpreter
from tpc.ir import Builder, Domain, Predicate, Table


def kinds(rows):
    """Values with their kinds, so that True != 1 and Fraction(2) != 2 in comparisons."""
    return [[(type(v).__name__, v) for v in row] for row in rows]


def agree(program, seqs):
    module = load(to_python(program))
    want = Interpreter(program).run(seqs)
    for i, seq in enumerate(seqs):
        got = module.run_all(list(seq))
        assert kinds(got.values()) == kinds(w[i] for w in want.values()), (seq, got)
    main = "output" if "output" in want else next(iter(want))
    assert kinds([module.run(seqs[0])]) == kinds([want[main][0]])
    return module


@st.composite
def cases(draw):
    domain = draw(domains())
    return draw(programs(domain, max_nodes=10)), draw(inputs(domain))


@given(cases())
def test_emitted_module_matches_interpreter(case):
    program, seqs = case
    agree(program, seqs)


@settings(max_examples=25)
@given(cases())
def test_emitted_source_is_stdlib_only_and_short_lined(case):
    program, _ = case
    source = to_python(program)
    tree = ast.parse(source)
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
    assert modules <= set(sys.stdlib_module_names), modules
    assert ast.get_docstring(tree)
    # Lines stay readable: only a literal that cannot be broken may run long.
    long = [line for line in source.splitlines() if len(line) > 110]
    assert len(long) <= 2, long


def _reverse():
    b = Builder(Domain(vocab="abc", max_len=8))
    t, i = b.tokens(), b.indices()
    length = b.selector_width(b.select(t, t, lambda k, q: k != "<s>"), name="length")
    opp = b.sequence_map(lambda n, i: n + 1 - i, length, i, name="opp")
    b.output("reverse", b.aggregate(b.select(i, opp, "==", name="flip"), t, name="reverse"))
    return b.build(source="reverse.rasp")


def test_reverse_by_hand_and_readable():
    program = _reverse()
    source = to_python(program)
    module = agree(program, [list("abc"), [], list("aabbcc")])
    assert module.run(list("abc")) == list("cba")
    assert (
        module.VOCAB == ("a", "b", "c") and module.MAX_LEN == 8 and module.MAIN_OUTPUT == "reverse"
    )
    # Named after the program: one predicate function per select, the comparison spelled out.
    assert "def predicate_flip(key, query): return key == query" in source
    assert "length = width(" in source and "reverse = nearest(flip, tokens)" in source
    assert "source: reverse.rasp" in source


def test_errors_are_value_errors():
    module = load(to_python(_reverse()))
    with pytest.raises(ValueError, match="unknown token 'x'"):
        module.run(list("abx"))
    with pytest.raises(ValueError, match="at most 8"):
        module.run(list("abcabcabc"))


def test_model_style_program_needs_bos_and_shows_every_position():
    b = Builder(Domain(vocab="ab", max_len=5, implicit_bos=False, causal=True))
    t = b.tokens()
    count = b.aggregate(b.select(t, t, "=="), b.ones(), "sum", name="count")
    scores = Table({v: (float(v), 1.5) for v in range(0, 6)})
    b.output("output", b.readout([count], [scores], [0.0, 0.0], ["few", "many"], name="label"))
    program = b.build(checkpoint="sort.pt", task="sort", removed="2 heads")
    module = agree(program, [["<s>", "a", "b", "a", "a"], ["<s>"]])
    assert module.run(["<s>", "a", "a", "a"]) == ["many", "many", "few", "few"]  # counts 1 1 2 3
    with pytest.raises(ValueError, match="BOS"):
        module.run(["a"])
    source = to_python(program)
    assert "checkpoint: sort.pt" in source and "removed: 2 heads" in source


def test_fractions_defaults_and_bool_keys():
    b = Builder(Domain(vocab=[0, 1, 2], max_len=5))
    t, i = b.tokens(), b.indices()
    as_num = b.map(
        Table({"<s>": 0, 0: 0, 1: 1, 2: Fraction(1, 2)}), t, kind="numerical", name="as_num"
    )
    prev = b.select(i, i, lambda k, q: 0 < k <= q, name="prev")
    frac = b.aggregate(prev, as_num, "mean", default=Fraction(1, 3), name="frac")
    # A table whose keys mix True with 1 and False with 0: they must not merge.
    flag = b.map(Table({"<s>": True, 0: False, 1: 1, 2: 0}), t, name="flag")
    back = b.map(Table([(True, "T"), (False, "F"), (0, "zero"), (1, "one")]), flag, name="back")
    b.output("frac", frac)
    b.output("back", back)
    b.output("none", b.aggregate(b.select(t, t, "false"), t, default="z", name="none"))
    program = b.build()
    module = agree(program, [[1, 2, 0, 1], [2], []])
    assert module.run_all([1, 2])["frac"] == [1, Fraction(3, 4)]
    assert module.run_all([1, 2, 0])["back"] == ["one", "zero", "F"]


def test_mixed_kind_comparison_is_false():
    b = Builder(Domain(vocab=["a", 1, 2], max_len=4))
    t = b.tokens()
    b.output("out", b.aggregate(b.select(t, t, "<", name="smaller"), t, name="out"))
    source = to_python(b.build())
    assert "except TypeError" in source
    agree(b.build(), [["a", 1, 2], [2, "a", 1, 1]])


def test_table_predicate_falls_back_when_op_does_not_match():
    b = Builder(Domain(vocab="ab", max_len=4))
    t = b.tokens()
    odd = Predicate([("a", "b"), ("b", "a")], op="==")  # labelled == but is not
    b.output("out", b.aggregate(b.select(t, t, odd, name="swap"), t, name="out"))
    program = b.build()
    assert "key == query" not in to_python(program)
    agree(program, [list("abba"), list("aaa")])


def test_runs_from_a_file_in_any_directory(tmp_path):
    path = tmp_path / "reverse_prog.py"
    path.write_text(to_python(_reverse()))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import importlib.util as u, sys; s = u.spec_from_file_location('p', sys.argv[1]); "
        "m = u.module_from_spec(s); s.loader.exec_module(m); print(''.join(m.run(list('abcab'))))"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", code, str(path)],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "bacba"


EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "rasp").rglob("*.rasp"))


def _example_vocab(path):
    text = path.read_text()
    if '"{"' in text:
        return list("(){}x")
    if '"("' in text:
        return list("()x")
    if "integers" in text or "comparable" in text:
        return [1, 2, 3, 4]
    return list("abxl")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_programs(path):
    from tpc.frontend import rasp_file_to_ir

    vocab = _example_vocab(path)
    program = rasp_file_to_ir(path, vocab=vocab, max_len=6)
    rng = random.Random(path.stem)
    seqs = [[rng.choice(vocab) for _ in range(rng.randint(0, 6))] for _ in range(40)]
    agree(program, seqs)


def test_a_linear_numerical_readout_term_is_one_weight_row_not_a_table():
    """Scores float32(float32(value) * w), as the model scores a numerical variable, fractions
    too."""
    import struct

    def f32(x):
        return struct.unpack("f", struct.pack("f", float(x)))[0]

    b = Builder(Domain(vocab=["a", "b"], max_len=6))
    indicator = b.map(Table({"<s>": 0, "a": 1, "b": 0}), b.tokens(), kind="numerical", name="is_a")
    frac = b.aggregate(b.select(b.indices(), b.indices(), "<="), indicator, "mean", name="frac")
    w = (f32(0.3), f32(-1.7))
    scores = Table([(v, tuple(f32(f32(v) * x) for x in w)) for v in b.type_of(frac).values])
    b.output("out", b.readout([frac], [scores], [0.5, 0.0], ["low", "high"], name="out"))
    program = b.build()
    source = to_python(program)
    assert "scaled(frac, SCORES_OUT_FRAC_WEIGHTS)" in source
    assert "SCORES_OUT_FRAC_WEIGHTS = " in source and "SCORES_OUT_FRAC = " not in source
    agree(program, [list(s) for s in ["", "a", "ab", "bbbbba", "aaaaab", "babab"]])
