"""tpc verify --method smt: proofs, replayed counterexamples, float32 readouts, timeouts."""

import pytest
from click.testing import CliRunner

from tpc.cli import main
from tpc.ir import Builder, Domain, to_json
from tpc.ir.nodes import Table
from tpc.verify import verify
from tpc.verify.smt import encode, smt_verify  # z3: the `test` extra installs it

from tests.verify.programs import hist_program as _hist


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


@pytest.mark.parametrize("limit", [encode.READOUT_TABLE_LIMIT, 0], ids=["table", "fp"])
def test_float32_readout_rounding_is_modelled_exactly(limit, monkeypatch):
    monkeypatch.setattr(encode, "READOUT_TABLE_LIMIT", limit)  # 0: Z3's float32 terms
    one, other = _float32_readout(0), _float32_readout(1)
    assert smt_verify(one, _float32_readout(0)).verdict == "equivalent"
    result = smt_verify(one, other)
    assert result.verdict == "differ" and result.counterexample.input == ["b"]
    assert (result.counterexample.a, result.counterexample.b) == (["x"], ["y"])
    assert not verify(one, other).equivalent  # the interpreter agrees: they differ


def test_timeout_ends_with_unknown_never_equivalent(tmp_path):
    program = tmp_path / "hist.json"
    program.write_text(to_json(_hist(max_len=12)))
    result = CliRunner().invoke(main, ["verify", str(program), str(program), "--method", "smt",
                                       "--min-len", "12", "--timeout", "0.001"])
    assert result.exit_code == 3 and result.output.startswith("unknown: "), result.output


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
    bad.output("pairs", bad.sequence_map(lambda x, y: "aa" if (y, x) == ("c", "a") else f"{y}{x}", t, prev))
    result = smt_verify(right, bad.build(), min_len=12)
    assert result.verdict == "differ"
    seq = result.counterexample.input
    assert len(seq) == 12 and any(seq[k:k + 2] == ["c", "a"] for k in range(11))
