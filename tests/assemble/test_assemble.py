"""The assembler: compiled model (hard mode) == interpreter, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.strategies import programs_with_inputs
from tpc.assemble import CompileError, assemble, save_compiled
from tpc.assemble.check import all_inputs, mismatches
from tpc.frontend import rasp_file_to_ir
from tpc.ir import Builder, Domain

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "rasp").rglob("*.rasp"))


def vocab_for(path: Path) -> list:
    """A vocabulary holding the tokens the program looks for."""
    name = path.stem
    if "dyck2" in name:
        return ["(", ")", "{", "}"]
    if "dyck" in name or "pair_balance" in name:
        return ["(", ")"]
    if name == "make_frac_prevs":
        return ["l", "a", "b"]
    if name == "frac_prevs":
        return ["x", "a", "b"]
    return [1, 2, 3, 4, 5]


# dyck2 (4 bracket kinds, 3 nested selectors) is the slowest to compile; length 4 keeps CI fast.
def _len(path: Path) -> int:
    return 4 if path.stem in ("dyck2",) else 5


@pytest.mark.parametrize(
    "path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT / "examples" / "rasp"))
)
def test_example_exhaustive(path):
    program = rasp_file_to_ir(path, vocab=vocab_for(path), max_len=_len(path))
    compiled = assemble(program)
    seqs = all_inputs(program.domain)  # every input up to the max length
    assert mismatches(compiled, seqs) == []


@pytest.mark.slow
@pytest.mark.parametrize("max_len", [10, 16])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_long(path, max_len):
    program = rasp_file_to_ir(path, vocab=vocab_for(path), max_len=max_len)
    compiled = assemble(program)
    seqs = all_inputs(program.domain, limit=20_000, seed=max_len)
    assert mismatches(compiled, seqs) == []


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(programs_with_inputs(max_nodes=8))
def test_generated_programs(case):
    program, inputs = case
    for output in program.output_map:  # every construct compiles
        assert mismatches(assemble(program, output), inputs) == []


def test_checkpoint_round_trip(tmp_path):
    from tpc.model.checkpoint import load_checkpoint

    program = rasp_file_to_ir(
        ROOT / "examples/rasp/tracr/make_sort.rasp", vocab=[1, 2, 3], max_len=5
    )
    compiled = assemble(program)
    save_compiled(compiled, tmp_path / "m.pt")
    model, meta = load_checkpoint(tmp_path / "m.pt")
    assert meta.tokens == ("<pad>", "1", "2", "3", "<s>")
    compiled.model = model
    assert mismatches(compiled, all_inputs(program.domain)) == []


def test_multiple_outputs_need_a_choice():
    from tpc.ir import Builder, Domain

    b = Builder(Domain(vocab="ab", max_len=3))
    b.output("x", b.tokens())
    b.output("y", b.indices())
    with pytest.raises(CompileError, match="choose one with --output-name$"):  # the CLI's option
        assemble(b.build())


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("op", ["==", "!="])
def test_selectors_over_constants_select_every_position_or_none(causal, op):
    """A select whose keys and queries are constants ignores both sides: all or nothing."""
    b = Builder(Domain(vocab="ab", max_len=4, implicit_bos=False, causal=causal))
    c = b.constant(0)
    count = b.aggregate(b.select(c, c, op), b.ones(), "sum", name="count")
    b.output("o", b.map(lambda x: x, count, name="o"))
    program = b.build()
    assert mismatches(assemble(program), all_inputs(program.domain)) == []


def _pair_balance(max_len):
    return rasp_file_to_ir(
        ROOT / "examples/rasp/tracr/make_pair_balance.rasp", vocab=["(", ")", "a"], max_len=max_len
    )


def test_affine_maps_of_numerical_values_cost_no_module():
    """opens - closes is read straight from the two mean heads (no MLP), as tracr does."""
    program = _pair_balance(6)
    compiled = assemble(program)
    assert compiled.stats["mlps"] == 0 and compiled.stats["heads"] == 4
    assert mismatches(compiled, all_inputs(program.domain)) == []


def test_a_comparison_of_two_numerical_values_is_one_mlp_on_their_difference():
    b = Builder(Domain(vocab=["(", ")"], max_len=6))
    prevs = b.select(b.indices(), b.indices(), "<=")
    opens = b.aggregate(prevs, b.map(lambda t: int(t == "("), b.tokens(), "numerical"), "mean")
    closes = b.aggregate(prevs, b.map(lambda t: int(t == ")"), b.tokens(), "numerical"), "mean")
    b.output("neg", b.sequence_map(lambda x, y: x < y, opens, closes, name="neg"))
    program = b.build()
    compiled = assemble(program)
    mlps = [m for m in compiled.model.cfg.modules if m.kind.endswith("mlp")]
    assert [(m.kind, len(m.reads), m.hidden) for m in mlps] == [
        ("num_mlp", 2, 1)
    ]  # one unit: x - y
    assert mismatches(compiled, all_inputs(program.domain)) == []


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_numerical_aggregates_of_any_categorical_numbers(reduce):
    """Values {0, 1, 3} (or {2, 5}) enter numerical heads as indicator heads, one per value."""
    for table in ({"a": 0, "b": 1, "c": 3}, {"a": 2, "b": 5, "c": 5}):
        b = Builder(Domain(vocab="abc", max_len=4))
        values = b.map(lambda t: table.get(t, min(table.values())), b.tokens(), "numerical")
        out = b.aggregate(b.select(b.indices(), b.indices(), "<="), values, reduce, name="out")
        b.output("out", out)
        program = b.build()
        assert mismatches(assemble(program), all_inputs(program.domain)) == []


def _mean_of_as(max_len: int):
    b = Builder(Domain(vocab=["a", "b"], max_len=max_len))
    prevs = b.select(b.indices(), b.indices(), "<=")
    return b, b.aggregate(prevs, b.map(lambda t: int(t == "a"), b.tokens(), "numerical"), "mean")


def test_a_number_whose_classes_come_in_runs_is_looked_up_with_one_unit():
    """Fifths of the share of a's: classes 0..5, each one run of neighbouring values, so one
    hidden unit and a line per class (the staircase needs two units per boundary)."""
    b, share = _mean_of_as(8)
    b.output("fifths", b.map(lambda x: int(5 * x), share))
    program = b.build()
    compiled = assemble(program)
    mlps = [m for m in compiled.model.cfg.modules if m.kind.endswith("mlp")]
    assert [(m.kind, m.hidden, m.width) for m in mlps] == [("num_mlp", 1, 6)]
    assert mismatches(compiled, all_inputs(program.domain)) == []


def test_a_class_that_comes_back_is_looked_up_with_a_staircase():
    b, share = _mean_of_as(8)
    b.output("odd_fifth", b.map(lambda x: int(5 * x) % 2, share))  # 0 1 0 1 0 1: classes return
    program = b.build()
    compiled = assemble(program)
    mlps = [m for m in compiled.model.cfg.modules if m.kind.endswith("mlp")]
    assert [(m.kind, m.hidden) for m in mlps] == [("num_mlp", 2 * 5)]  # two units per boundary
    assert mismatches(compiled, all_inputs(program.domain)) == []


def test_lines_too_close_for_float32_fall_back_to_the_staircase():
    """Neighbouring values 1/4096 apart across a range of 40,000: a line's logit is too big for
    float32 to keep a margin of a quarter gap, so the lookup is a staircase (and still exact)."""
    from fractions import Fraction

    from tpc.assemble.lookup import num_lookup

    values = [Fraction(0), Fraction(1, 4096), Fraction(40000)]
    units, _ = num_lookup(values, {values[0]: 0, values[1]: 1, values[2]: 2})
    assert len(units) == 4
    units, bias = num_lookup(values[:2], {values[0]: 0, values[1]: 1})
    assert len(units) == 1 and set(bias) == {0, 1}


def test_a_threshold_table_of_two_counts_costs_four_units_per_output():
    """`opens >= closes + 2` style tables over two counts (here: which of three bands
    opens - 2 * closes falls in, not a function of opens - closes or opens + closes): each row's
    outputs are runs of the other count, so four units per non-default output, not one per row."""
    b = Builder(Domain(vocab=["(", ")", "x"], max_len=8))
    prevs = b.select(b.indices(), b.indices(), "<=")
    opens = b.aggregate(prevs, b.map(lambda t: int(t == "("), b.tokens(), "numerical"), "sum")
    closes = b.aggregate(prevs, b.map(lambda t: int(t == ")"), b.tokens(), "numerical"), "sum")
    band = b.sequence_map(
        lambda o, c: "low" if o - 2 * c < 0 else "mid" if o - 2 * c < 3 else "high",
        opens,
        closes,
        name="band",
    )
    b.output("band", band)
    program = b.build()
    compiled = assemble(program)
    two_input = [m for m in compiled.model.cfg.modules if m.kind == "cat_mlp"]
    assert [m.hidden for m in two_input] == [8]  # 4 units x 2 non-default outputs
    assert mismatches(compiled, all_inputs(program.domain)) == []
