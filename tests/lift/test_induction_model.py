"""The shipped induction model (examples/models/induction: the paper's size, trained by `tpc
train`) solves its task, and its lifted program is the induction circuit the paper describes:
a previous-token head, then a head matching the current letter against that head's output."""

from pathlib import Path

import pytest
import torch
from tpc.passes import optimize

from tpc.backends.python import load_module, to_python
from tpc.interp import Interpreter
from tpc.ir.nodes import Aggregate, Indices, Select, Tokens
from tpc.lift import lift_checkpoint, load_model
from tpc.tasks import make_dataset
from tpc.tasks.generators import PAD

MODEL = Path(__file__).resolve().parents[2] / "examples" / "models" / "induction" / "model.pt"
LETTERS = ("a", "b", "c", "d")
SEED = 6


@pytest.fixture(scope="module")
def program():
    return optimize(lift_checkpoint(MODEL), level=2)


@pytest.fixture(scope="module")
def test_split():
    """The model and its run's test split (data seed 6: examples/models/README.md) as token
    sequences with their labels."""
    loaded = load_model(MODEL)
    data = make_dataset("induction", seed=SEED)
    assert (data.tokens, data.labels) == (loaded.tokens, loaded.labels)
    xs = [[data.tokens[i] for i in row] for row in data.test.x.tolist()]
    ys = [[data.labels[i] for i in row] for row in data.test.y.tolist()]
    return loaded, xs, ys


def test_lifted_program_is_exact_and_right_on_every_test_example(program, test_split):
    loaded, xs, ys = test_split
    predicted = loaded.model.predict(
        torch.tensor([[loaded.tokens.index(t) for t in x] for x in xs])
    ).tolist()
    want = [[loaded.labels[c] for c in row] for row in predicted]
    assert Interpreter(program).run(xs)["output"] == want
    emitted = load_module(to_python(program), "induction")
    assert [emitted.run(x) for x in xs[:300]] == want[:300]
    scored = [(w, y) for row, labels in zip(want, ys) for w, y in zip(row, labels) if y != PAD]
    assert len(scored) > 5000 and all(w == y for w, y in scored)  # 100% test accuracy


def _head(program, layer: int) -> tuple[Aggregate, Select]:
    [head] = [
        program[name]
        for name, origin in program.origin
        if origin == f"L{layer}.cat_head0" and isinstance(program[name], Aggregate)
    ]
    assert head.reduce == "nearest"
    return head, program[head.selector]


def test_first_head_reads_the_previous_token(program):
    head, select = _head(program, 0)
    assert isinstance(program[head.values], Tokens)
    assert isinstance(program[select.keys], Indices) and isinstance(
        program[select.queries], Indices
    )
    n = load_model(MODEL).model.cfg.n_ctx
    # Every position a later query reads (all but the last) selects just the one before it.
    visible = {(q, k) for q in range(n - 1) for k in range(q + 1) if (q, k) in select.predicate}
    assert visible == {(q, q - 1) for q in range(1, n - 1)}


def test_second_head_matches_the_letter_against_the_previous_token(program):
    first, _ = _head(program, 0)
    head, select = _head(program, 1)
    assert isinstance(program[head.values], Tokens)
    # keys: the first head's output (the token before each key); queries: the current token
    assert select.keys == first.name and isinstance(program[select.queries], Tokens)
    tokens = load_model(MODEL).tokens
    for letter in LETTERS:  # a letter selects exactly the keys whose previous token is it
        assert {k for k in tokens if (letter, k) in select.predicate} == {letter}
