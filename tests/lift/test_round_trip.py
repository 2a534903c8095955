"""Lift and compile are inverses up to behaviour: lift(compile(P)) == P and
compile(lift(M)) == M on every input of a small domain."""

from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from test_lift import EXAMPLES, LABELS, TOKENS, random_models
from tpc.passes import optimize

from tests.strategies import programs_with_inputs
from tpc.assemble import assemble, save_compiled
from tpc.frontend import rasp_file_to_ir
from tpc.interp import Interpreter
from tpc.ir import sort_key
from tpc.lift import lift_checkpoint, lift_model
from tpc.verify import verify

RASP = Path(__file__).resolve().parents[2] / "examples" / "rasp"
# dyck2 and shuffle_dyck2 have MLPs reading three variables (lifted as two SequenceMaps).
PROGRAMS = {
    "reverse.rasp": "abx",
    "hist.rasp": "abx",
    "sort.rasp": "abx",
    "frac_prevs.rasp": "abx",
    "tracr/make_pair_balance.rasp": "()x",
    "dyck2.rasp": "(){}",
    "tracr/make_shuffle_dyck2.rasp": "(){}",
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_lift_of_compiled_program_is_the_program(tmp_path, name):
    vocab = list(PROGRAMS[name])
    program = rasp_file_to_ir(RASP / name, vocab=vocab, max_len=4)
    path = tmp_path / "model.pt"
    save_compiled(assemble(program), path)
    lifted = optimize(lift_checkpoint(path))
    assert lifted.domain.implicit_bos and lifted.domain.max_len == 4
    result = verify(program, lifted, output=None)
    assert result.equivalent and result.mode == "exhaustive"
    assert result.inputs == sum(len(vocab) ** n for n in range(5))


@settings(max_examples=25, suppress_health_check=list(HealthCheck))
@given(programs_with_inputs(max_nodes=8))
def test_lift_of_compiled_generated_program_is_the_program(case):
    program, inputs = case
    for output in program.output_map:
        compiled = assemble(program, output)
        lifted = lift_model(
            compiled.model,
            compiled.tokens,
            compiled.classes,
            implicit_bos=program.domain.implicit_bos,
        )
        want = Interpreter(program).run(inputs, [output])[output]
        got = Interpreter(lifted).run(inputs, ["output"])["output"]
        assert [list(map(sort_key, w)) for w in want] == [list(map(sort_key, g)) for g in got]


@pytest.mark.parametrize("name", ["sort", "hist"])
def test_compile_of_lifted_checkpoint_is_the_model(tmp_path, name):
    path = EXAMPLES / name / "model.pt"
    recompiled = tmp_path / "model.pt"
    save_compiled(assemble(optimize(lift_checkpoint(path))), recompiled)
    result = verify(path, recompiled, max_len=4)
    assert result.equivalent and result.inputs == sum(6**n for n in range(5))


@settings(max_examples=15)
@given(random_models())
def test_compile_of_lifted_random_model_is_the_model(case):
    model, seqs = case
    lifted = optimize(lift_model(model, TOKENS, LABELS))
    compiled = assemble(lifted).model
    ids = {t: i for i, t in enumerate(TOKENS)}
    n = max(map(len, seqs))
    batch = torch.tensor([[ids[t] for t in s] + [0] * (n - len(s)) for s in seqs])
    want, got = model.predict(batch), compiled.predict(batch)
    real = batch != 0
    assert torch.equal(want[real], got[real])
