"""The RASP examples in examples/rasp/: each one agrees with its plain-Python oracle
(tests/examples/oracles.py) on hypothesis-generated inputs of every length 0..max over a few
vocabularies, and the emitted Python, the JSON round trip and the RASP text round trip all
agree with the interpreter on the same kind of inputs.
"""

from __future__ import annotations

import functools
import re
import types
from fractions import Fraction
from pathlib import Path
from typing import Callable

import oracles as o
import pytest
from attrs import frozen
from hypothesis import given, settings
from hypothesis import strategies as st

from tpc.backends.python import load_module, to_python
from tpc.backends.rasp import to_rasp
from tpc.frontend import rasp_file_to_ir, rasp_to_ir
from tpc.interp import Interpreter
from tpc.ir import from_json, to_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "rasp"

# Few examples per (program, vocabulary) keep the whole file well under two minutes; each
# example is a batch of inputs, so every test still sees dozens of sequences.
FEW = settings(max_examples=8)
BATCH = 6


# --- inputs ---------------------------------------------------------------------------------


def any_tokens(vocab: tuple, max_len: int) -> st.SearchStrategy:
    return st.lists(st.sampled_from(vocab), min_size=0, max_size=max_len)


def unique_tokens(vocab: tuple, max_len: int) -> st.SearchStrategy:
    """No token twice (make_sort_unique is undefined on repeated keys)."""
    return st.lists(
        st.sampled_from(vocab), min_size=0, max_size=min(max_len, len(vocab)), unique=True
    )


def brackets(vocab: tuple, max_len: int) -> st.SearchStrategy:
    """Bracket strings that are often balanced or completable, sometimes broken.

    Uniform random bracket strings are almost all "F" after a few tokens, so half of the
    inputs follow a random walk that only closes what is open, then maybe gets one random
    token spliced in (which may break it) and is cut at a random length.
    """
    pairs = [(a, b) for a, b in ("()", "{}") if a in vocab and b in vocab]
    others = [t for t in vocab if not any(t in p for p in pairs)]

    @st.composite
    def walk(draw):
        stack, out = [], []
        for _ in range(draw(st.integers(0, max_len))):
            move = draw(st.integers(0, 2 + len(others)))
            if move == 0 and stack:
                out.append(stack.pop())
            elif move <= 2 or not others:
                opener, closer = draw(st.sampled_from(pairs))
                out.append(opener)
                stack.append(closer)
            else:
                out.append(draw(st.sampled_from(others)))
        out += reversed(stack)
        if draw(st.booleans()) and out:
            out[draw(st.integers(0, len(out) - 1))] = draw(st.sampled_from(vocab))
        return out[: draw(st.integers(0, max_len))] if draw(st.booleans()) else out[:max_len]

    return st.one_of(any_tokens(vocab, max_len), walk())


# --- the examples -----------------------------------------------------------------------------


@frozen
class Example:
    """`path` (relative to examples/rasp, no .rasp) with its oracle, output name and domains."""

    path: str
    oracle: Callable[[list], list]
    output: str
    max_len: int
    vocabs: tuple
    inputs: Callable = any_tokens

    @property
    def file(self) -> Path:
        return EXAMPLES / f"{self.path}.rasp"


LETTERS, DIGITS, INTS = tuple("abc"), tuple("01234567"), (-2, 0, 3, 10)
PARENS1, PARENS2 = tuple("()"), tuple("(){}")

EXAMPLE_LIST = [
    # The RASP paper / Transformer Programs tasks.
    Example("reverse", o.reverse, "reverse", 8, (LETTERS, DIGITS, INTS)),
    Example("hist", o.hist, "hist", 8, (tuple("ab"), DIGITS, INTS)),
    Example("double_hist", o.double_hist, "double_hist", 8, (tuple("ab"), tuple("abcd"), INTS)),
    # Digit strings and integers sort differently ("10" < "3", 3 < 10): both are checked.
    Example("sort", o.sort, "sort", 8, (LETTERS, DIGITS, INTS)),
    Example("most_freq", o.most_freq, "most_freq", 8, (LETTERS, DIGITS, INTS)),
    Example("dyck1", o.dyck1, "dyck1", 16, (PARENS1, PARENS1 + ("x",)), brackets),
    Example("dyck2", o.dyck2, "dyck2", 16, (PARENS2, PARENS2 + ("x",)), brackets),
    Example("length", o.length, "length", 8, (("a",), LETTERS, INTS)),
    Example("frac_prevs", o.frac_prevs, "frac_prevs", 8, (tuple("xy"), tuple("xabc"), tuple("ab"))),
    # tracr's lib.py.
    Example("tracr/make_length", o.length, "length", 8, (("a",), LETTERS, INTS)),
    Example("tracr/make_reverse", o.reverse, "reverse", 8, (LETTERS, DIGITS, INTS)),
    Example("tracr/make_hist", o.hist, "hist", 8, (tuple("ab"), DIGITS, INTS)),
    # Undefined on repeated keys: inputs never repeat a token.
    Example(
        "tracr/make_sort_unique",
        o.sort_unique,
        "sort",
        8,
        (tuple("abcdefghij"), INTS),
        unique_tokens,
    ),
    # Numeric keys only (the tie-break adds index / max_seq_len to the key).
    Example("tracr/make_sort", o.sort, "sort", 8, ((1, 2, 3, 4, 5), INTS, (0, 1))),
    Example("tracr/make_sort_freq", o.sort_freq, "sort_freq", 8, (LETTERS, DIGITS, INTS)),
    Example(
        "tracr/make_frac_prevs",
        functools.partial(o.frac_prevs, target="l"),
        "frac_prevs",
        8,
        (tuple("hel"), tuple("lo"), ("l",)),
    ),
    Example(
        "tracr/make_pair_balance",
        o.pair_balance,
        "pair_balance",
        8,
        (PARENS1, PARENS1 + tuple("ab")),
        brackets,
    ),
    Example(
        "tracr/make_shuffle_dyck1",
        o.shuffle_dyck1,
        "shuffle_dyck",
        8,
        (PARENS1, PARENS1 + ("a",)),
        brackets,
    ),
    Example(
        "tracr/make_shuffle_dyck2",
        o.shuffle_dyck2,
        "shuffle_dyck",
        8,
        (PARENS2, PARENS2 + ("a",)),
        brackets,
    ),
]

CASES = [
    pytest.param(ex, vocab, id=f"{ex.path}-{''.join(map(str, vocab))}")
    for ex in EXAMPLE_LIST
    for vocab in ex.vocabs
]


@functools.lru_cache(maxsize=None)
def compiled(ex: Example, vocab: tuple):
    return rasp_file_to_ir(ex.file, vocab=vocab, max_len=ex.max_len)


@functools.lru_cache(maxsize=None)
def interpreter(ex: Example, vocab: tuple) -> Interpreter:
    return Interpreter(compiled(ex, vocab))


def batches(ex: Example, vocab: tuple) -> st.SearchStrategy:
    """The empty input, one of the longest inputs the example allows, then a few more."""
    longest = ex.max_len if ex.inputs is not unique_tokens else min(ex.max_len, len(vocab))
    full = st.lists(
        st.sampled_from(vocab),
        min_size=longest,
        max_size=longest,
        unique=ex.inputs is unique_tokens,
    )
    more = st.lists(ex.inputs(vocab, ex.max_len), min_size=0, max_size=BATCH)
    return st.tuples(full, more).map(lambda t: [[], t[0], *t[1]])


def kinds(values) -> list:
    """Values with their kinds (True != 1); integral Fractions count as ints."""
    out = []
    for v in values:
        if isinstance(v, Fraction) and v.denominator == 1:
            v = int(v)
        out.append((type(v).__name__, v))
    return out


# --- the files themselves ---------------------------------------------------------------------


def test_every_example_file_is_tested():
    files = {str(p.relative_to(EXAMPLES).with_suffix("")) for p in EXAMPLES.rglob("*.rasp")}
    assert files == {ex.path for ex in EXAMPLE_LIST}


@pytest.mark.parametrize("ex", EXAMPLE_LIST, ids=lambda ex: ex.path)
def test_header_says_what_domain_and_source(ex: Example):
    text = ex.file.read_text()
    header = text[: text.find("\n\n", text.find("# Source"))]
    assert text.startswith("# ") and f"Output `{ex.output}`" in header
    for word in ("Vocabulary:", "max length", "Source:"):
        assert word in header, f"{ex.path}: header lacks {word!r}"
    assert re.search(rf"max length: {ex.max_len}\b", header), (
        f"{ex.path}: header gives another max length"
    )
    assert compiled(ex, ex.vocabs[0]).output_map.keys() == {ex.output}


# --- behaviour --------------------------------------------------------------------------------


@pytest.mark.parametrize("ex, vocab", CASES)
@FEW
@given(data=st.data())
def test_interpreter_matches_oracle(ex: Example, vocab: tuple, data):
    seqs = data.draw(batches(ex, vocab), label="inputs")
    got = interpreter(ex, vocab).run(seqs)[ex.output]
    for seq, row in zip(seqs, got):
        assert kinds(row) == kinds(ex.oracle(list(seq))), seq


@functools.lru_cache(maxsize=None)
def emitted(ex: Example, vocab: tuple) -> types.ModuleType:
    return load_module(to_python(compiled(ex, vocab)))


@pytest.mark.parametrize("ex, vocab", CASES)
@FEW
@given(data=st.data())
def test_emitted_python_matches_interpreter(ex: Example, vocab: tuple, data):
    seqs = data.draw(batches(ex, vocab), label="inputs")
    module = emitted(ex, vocab)
    want = interpreter(ex, vocab).run(seqs)[ex.output]
    for seq, row in zip(seqs, want):
        assert kinds(module.run_all(list(seq))[ex.output]) == kinds(row), seq


@functools.lru_cache(maxsize=None)
def via_json(ex: Example, vocab: tuple) -> Interpreter:
    return Interpreter(from_json(to_json(compiled(ex, vocab))))


@pytest.mark.parametrize("ex, vocab", CASES)
def test_json_round_trip_is_the_same_program(ex: Example, vocab: tuple):
    """Node for node, value for value (True and 1 differ), domain and outputs."""
    program = compiled(ex, vocab)
    assert from_json(to_json(program)) == program


@pytest.mark.parametrize("ex, vocab", CASES)
@FEW
@given(data=st.data())
def test_json_round_trip_matches_original(ex: Example, vocab: tuple, data):
    seqs = data.draw(batches(ex, vocab), label="inputs")
    want = interpreter(ex, vocab).run(seqs)[ex.output]
    got = via_json(ex, vocab).run(seqs)[ex.output]
    assert [kinds(r) for r in got] == [kinds(r) for r in want]


@functools.lru_cache(maxsize=None)
def via_rasp(ex: Example, vocab: tuple) -> Interpreter:
    text = to_rasp(compiled(ex, vocab))
    return Interpreter(rasp_to_ir(text, f"<to_rasp {ex.path}>", vocab=vocab, max_len=ex.max_len))


@pytest.mark.parametrize("ex, vocab", CASES)
@FEW
@given(data=st.data())
def test_rasp_text_round_trip_matches_original(ex: Example, vocab: tuple, data):
    seqs = data.draw(batches(ex, vocab), label="inputs")
    want = interpreter(ex, vocab).run(seqs)[ex.output]
    got = via_rasp(ex, vocab).run(seqs)[ex.output]
    assert [kinds(r) for r in got] == [kinds(r) for r in want]
