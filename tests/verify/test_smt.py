"""tpc verify --method smt: proofs, replayed counterexamples, float32 readouts, timeouts."""

import re

import pytest
from click.testing import CliRunner

from tests.verify.programs import hist_program as _hist
from tpc.cli import main
from tpc.ir import Builder, Domain, to_json
from tpc.ir.tables import Table
from tpc.verify import verify
from tpc.verify.smt import encode, smt_verify  # z3: the `test` extra installs it


def test_equal_programs_are_proved_equivalent_at_every_length():
    result = smt_verify(_hist(), _hist())
    assert result.verdict == "equivalent"
    assert [(n, r) for n, r, _ in result.lengths] == [(n, "unsat") for n in range(5)]


def test_counterexample_is_at_the_shortest_length_and_replayed():
    result = smt_verify(_hist(), _hist(cap_token="b"))
    assert result.verdict == "differ"
    # lengths 0..2 are proved equal; at length 3 "b b b" is the only differing input
    assert [r for _, r, _ in result.lengths] == ["unsat"] * 3 + ["sat"]
    c = result.counterexample
    assert (c.input, c.a, c.b, c.marks) == (["b", "b", "b"], [3, 3, 3], [2, 2, 2], [True] * 3)


def _float32_readout(order):
    """Class "x" scores 1e8, -1e8 and 1 at a "b" (in `order`), class "y" 0.5: in float32,
    1e8 + -1e8 + 1 is 1 ("x" wins) but 1 + 1e8 rounds to 1e8, so 1 + 1e8 + -1e8 is 0 ("y")."""
    b = Builder(Domain(vocab="ab", max_len=3))
    t = b.tokens()
    is_b = b.map(lambda v: v == "b", t)
    tag = b.map(lambda v: v + "!", t)
    rows = {
        t: Table({v: ((1e8, 0.0) if v == "b" else (0.0, 0.0)) for v in b.types[t].values}),
        is_b: Table({v: ((-1e8, 0.0) if v else (0.0, 0.0)) for v in b.types[is_b].values}),
        tag: Table({v: ((1.0, 0.5) if v == "b!" else (0.0, 0.5)) for v in b.types[tag].values}),
    }
    terms = [(t, is_b, tag), (tag, t, is_b)][order]
    b.output("out", b.readout(terms, [rows[x] for x in terms], [0.0, 0.0], ["x", "y"]))
    return b.build()


@pytest.mark.parametrize("limit", [encode.READOUT_TABLE_LIMIT, 0], ids=["table", "band"])
def test_float32_readout_rounding_is_modelled_exactly(limit, monkeypatch):
    monkeypatch.setattr(encode, "READOUT_TABLE_LIMIT", limit)  # 0: the rounding band
    one, other = _float32_readout(0), _float32_readout(1)
    assert smt_verify(one, _float32_readout(0)).verdict == "equivalent"
    result = smt_verify(one, other)
    assert result.verdict == "differ" and result.counterexample.input == ["b"]
    assert (result.counterexample.a, result.counterexample.b) == (["x"], ["y"])
    assert not verify(one, other).equivalent  # the interpreter agrees: they differ


def test_timeout_ends_with_unknown_never_equivalent(tmp_path):
    program = tmp_path / "hist.json"
    program.write_text(to_json(_hist(max_len=12)))
    result = CliRunner().invoke(
        main,
        [
            "verify",
            str(program),
            str(program),
            "--method",
            "smt",
            "--min-len",
            "12",
            "--timeout",
            "0.001",
        ],
    )
    assert result.exit_code == 3, result.output
    assert result.stdout.startswith("unknown: no answer within --timeout"), result.output
    assert re.fullmatch(r"length 12: no answer \([0-9.]+ s\)\n", result.stderr)  # progress


def test_planted_bug_in_one_table_entry_is_found_at_length_12(tmp_path):
    # One entry of a table changed: "c" then "a" reads as "a" then "a" in a pairwise map.
    b = Builder(Domain(vocab="abc", max_len=12))
    t, i = b.tokens(), b.indices()
    prev = b.aggregate(b.select(i, b.map(lambda q: q - 1, i), "=="), t, default="-")
    good = b.sequence_map(lambda x, y: f"{y}{x}", t, prev)
    b.output("pairs", good)
    right = b.build()
    bad = Builder(Domain(vocab="abc", max_len=12))
    t, i = bad.tokens(), bad.indices()
    prev = bad.aggregate(bad.select(i, bad.map(lambda q: q - 1, i), "=="), t, default="-")
    bad.output(
        "pairs", bad.sequence_map(lambda x, y: "aa" if (y, x) == ("c", "a") else f"{y}{x}", t, prev)
    )
    result = smt_verify(right, bad.build(), min_len=12)
    assert result.verdict == "differ"
    seq = result.counterexample.input
    assert len(seq) == 12 and any(seq[k : k + 2] == ["c", "a"] for k in range(11))


def _near_tie_and_its_answers():
    """_float32_readout(0) (its rounding band admits either class at every position: the
    scores reach 1e8) and a map giving the class float32 picks: "x" at a "b", "y" at an "a"."""
    b = Builder(Domain(vocab="ab", max_len=3))
    b.output("out", b.map(lambda v: "x" if v == "b" else "y", b.tokens()))
    return _float32_readout(0), b.build()


def test_band_solutions_that_do_not_replay_are_refined_into_a_proof(monkeypatch):
    monkeypatch.setattr(encode, "READOUT_TABLE_LIMIT", 0)
    banded, answers = _near_tie_and_its_answers()
    result = smt_verify(banded, answers)
    assert result.verdict == "equivalent" and result.refined > 0
    assert verify(banded, answers).equivalent  # the interpreter agrees on every input


def test_band_refinement_ends_with_unknown_at_the_timeout(monkeypatch):
    monkeypatch.setattr(encode, "READOUT_TABLE_LIMIT", 0)
    result = smt_verify(*_near_tie_and_its_answers(), timeout=1e-6)
    assert result.verdict == "unknown" and "--timeout" in result.reason


@pytest.mark.slow
def test_reference_sort_against_its_spec_at_lengths_2_and_3():
    """Its readout has 13 terms (a band); length 2 is proved, length 3 has a counterexample
    that the exhaustive check also counts (replayed through the model)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    run, spec = (
        root.parent / "shared" / "reference" / "sort",
        root / "examples" / "specs" / "sort.rasp",
    )
    assert smt_verify(run, spec, task="sort", min_len=2, max_len=2).verdict == "equivalent"
    found = smt_verify(run, spec, task="sort", min_len=3, max_len=3)
    assert found.verdict == "differ" and len(found.counterexample.input) == 5  # <s> x y z </s>


def test_lift_of_compiled_reverse_is_proved_at_16_and_a_planted_entry_found_at_12(tmp_path):
    """Past exhaustive reach (8^16 inputs): lift(compile(reverse.rasp)) against its source is a
    proof; one changed entry of its index table is a counterexample of length 12, replayed."""
    import json

    from tpc.interp import Interpreter
    from tpc.ir import from_json

    source, model, lifted = "examples/rasp/reverse.rasp", tmp_path / "r.pt", tmp_path / "r.json"
    cli = CliRunner()
    assert cli.invoke(main, ["compile", source, "--max-len", "16", "-o", str(model)]).exit_code == 0
    assert cli.invoke(main, ["lift", str(model), "--to", "json", "-o", str(lifted)]).exit_code == 0
    proof = cli.invoke(main, ["verify", str(lifted), source, "--method", "smt", "--min-len", "16"])
    assert proof.exit_code == 0 and proof.stdout.startswith("proved equivalent"), proof.output

    # The table that turns (length, index) into the index read: change the row a 12-token
    # input uses at its 4th token to the next value of the table's type.
    program = from_json(lifted.read_text())
    (table,) = [
        n for n in program.nodes if type(n).__name__ == "SequenceMap" and "indices" in (n.x, n.y)
    ]
    interp = Interpreter(program)
    env = interp.evaluate(*interp.encode([list("012345670123")]))
    x, y = (program[v].type.values[env[v][0, 4]] for v in (table.x, table.y))
    data = json.loads(lifted.read_text())
    (row,) = [
        r for n in data["nodes"] if n["name"] == table.name for r in n["table"] if r[0] == [x, y]
    ]
    values = list(table.type.values)
    row[1] = values[(values.index(row[1]) + 1) % len(values)]
    planted = tmp_path / "planted.json"
    planted.write_text(json.dumps(data))
    found = cli.invoke(
        main,
        ["verify", str(planted), source, "--method", "smt", "--min-len", "12", "--max-len", "12"],
    )
    assert found.exit_code == 1 and found.stdout.startswith("differ on input"), found.output
    assert "replayed through both" in found.stdout
    assert len(found.stdout.split("\n")[1].split()) == 13
