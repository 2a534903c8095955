"""`tpc run` builds a RASP source for its one input (tpc.frontend.witness). It must give what
the program built for the whole domain gives (the interpreter, RASP's run-time checks), and
handle inputs of thousands of tokens: checked here against plain Python."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conformance.inputs import INPUTS
from tpc.cli import main
from tpc.errors import TpcError
from tpc.interp import Interpreter
from tpc.artifact import Choices, RaspSource
from tpc.load import parse_tokens, typed_tokens

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = sorted([*(REPO / "examples" / "rasp").glob("**/*.rasp"),
                   *(REPO / "tests" / "conformance" / "programs").glob("*.rasp")])


def _outcome(fn):
    try:
        return fn()
    except TpcError as err:
        return f"error: {err}"


def _domain(path: Path, tokens: list):
    source = RaspSource.read(path)
    return source, source.domain(Choices.for_input(tokens))


def _whole_domain(path: Path, tokens: list):
    """The program built for every input of its domain, run as tpc run did before."""
    source, domain = _domain(path, tokens)
    program, checks = source.translate(domain)
    tokens = typed_tokens(tokens, program.domain.vocab)
    interp = Interpreter(program)
    checks.check(interp, tokens)
    return {name: values[0] for name, values in interp.run([tokens]).items()}


def _one_input(path: Path, tokens: list):
    source, domain = _domain(path, tokens)
    return source.run(domain, typed_tokens(tokens, domain.vocab))


def _same_on(path: Path, inputs: list) -> None:
    for text in inputs:
        tokens = parse_tokens(text)
        assert _outcome(lambda: _one_input(path, tokens)) == _outcome(lambda: _whole_domain(path, tokens)), text


@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
def test_one_input_translation_gives_what_the_whole_domain_gives(path):
    _same_on(path, INPUTS[::4])


@pytest.mark.slow
@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.stem)
def test_one_input_translation_on_every_conformance_input(path):
    _same_on(path, INPUTS)


def _run(program: str, tokens: list) -> list:
    r = CliRunner().invoke(main, ["run", str(REPO / "examples" / "rasp" / program), "-i", " ".join(tokens)])
    assert r.exit_code == 0, r.output
    return r.stdout.split()


def test_sort_of_2000_tokens():
    rng = random.Random(15)
    tokens = [rng.choice(["apple", "b", "c3", "d", "e", "zz"]) + str(rng.randrange(40)) for _ in range(2000)]
    assert _run("sort.rasp", tokens) == sorted(tokens)


def test_most_freq_of_2000_tokens():
    rng = random.Random(16)
    tokens = [f"t{min(rng.randrange(60), rng.randrange(60))}" for _ in range(2000)]
    counts, first = Counter(tokens), {}
    for i, t in enumerate(tokens):
        first.setdefault(t, i)
    distinct = sorted(counts, key=lambda t: (-counts[t], first[t]))
    assert _run("most_freq.rasp", tokens) == distinct + ["-"] * (len(tokens) - len(distinct))


def test_an_aggregate_whose_kind_the_input_cannot_decide_is_an_error(tmp_path):
    src = tmp_path / "p.rasp"
    # w has more values than a table of every pair holds, so it gets the input's only; the
    # whole domain might give a string too, which would make the aggregate keep the nearest.
    src.write_text("w = indices + length;\nv = w if w < 10000 else \"a\";\n"
                   "y = aggregate(select(indices, indices, <=), v);\noutput y;\n")
    r = CliRunner().invoke(main, ["run", str(src), "-i", "a b c", "--max-len", "100"])
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith(f"error: {src}:3:45: tpc run builds the program for this one input"), r.output
    src.write_text(src.read_text().replace("y = aggregate(select(indices, indices, <=), v)",
                                           "y = numerical(aggregate(select(indices, indices, <=), v))"))
    r = CliRunner().invoke(main, ["run", str(src), "-i", "a b c", "--max-len", "100"])
    assert r.stdout.split() == ["3", "7/2", "4"], r.output  # the mean of indices + length up to each position
