"""The assembler: compiled model (hard mode) == interpreter, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.strategies import programs_with_inputs
from tpc.assemble import CompileError, assemble, save_compiled
from tpc.assemble.check import all_inputs, mismatches
from tpc.frontend import compile_file
from tpc.ir import Builder, Domain

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples" / "rasp").rglob("*.rasp"))


def vocab_for(path: Path) -> list:
    name = path.stem
    if "dyck2" in name:
        return ["(", ")", "{", "}"]
    if "dyck" in name:
        return ["(", ")"]
    if "frac_prevs" in name:
        return ["x", "a", "b"]
    return [1, 2, 3, 4, 5]


# dyck2 (4 bracket kinds, 3 nested selectors) is the slowest to compile; length 4 keeps CI fast.
def _len(path: Path) -> int:
    return 4 if path.stem in ("dyck2",) else 5


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT / "examples" / "rasp")))
def test_example_exhaustive(path):
    program = compile_file(path, vocab=vocab_for(path), max_len=_len(path))
    compiled = assemble(program)
    seqs = all_inputs(program.domain)  # every input up to the max length
    assert mismatches(compiled, seqs) == []


@pytest.mark.slow
@pytest.mark.parametrize("max_len", [10, 16])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_long(path, max_len):
    program = compile_file(path, vocab=vocab_for(path), max_len=max_len)
    compiled = assemble(program)
    seqs = all_inputs(program.domain, limit=20_000, seed=max_len)
    assert mismatches(compiled, seqs) == []


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(programs_with_inputs(max_nodes=8))
def test_generated_programs(case):
    program, inputs = case
    for output in program.output_map:
        try:
            compiled = assemble(program, output)
        except CompileError as e:  # only the one documented model limitation
            assert "categorical -> numerical" in str(e)
            continue
        assert mismatches(compiled, inputs) == []


def test_checkpoint_round_trip(tmp_path):
    from tpc.model.checkpoint import load_checkpoint

    program = compile_file(ROOT / "examples/rasp/tracr/make_sort.rasp", vocab=[1, 2, 3], max_len=5)
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
    with pytest.raises(CompileError, match="choose one"):
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
