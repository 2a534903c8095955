"""The paper's own checkpoints (../shared/reference): the lifted -O1 program as RASP text and as
IR JSON gives the model's prediction on all 2,000 cases, and compiles back (with no options:
the text declares its domain) to weights equivalent to the model."""

import json

import pytest
from tpc.passes import optimize

from tpc.assemble import assemble, save_compiled
from tpc.backends.rasp import to_rasp
from tpc.frontend import rasp_file_to_ir
from tpc.interp import Interpreter
from tpc.ir import from_json, to_json
from tpc.lift import lift_checkpoint
from tpc.verify import verify


@pytest.fixture(scope="module", params=["sort", "hist"])
def reference(request, shared_dir, tmp_path_factory):
    run = shared_dir / "reference" / request.param
    cases = json.loads((run / "cases.json").read_text())
    out = tmp_path_factory.mktemp(request.param)
    text = out / "prog.rasp"
    text.write_text(to_rasp(optimize(lift_checkpoint(run))))
    return run, cases, text, out


def test_lifted_rasp_text_and_json_give_every_prediction(reference):
    run, cases, text, _ = reference
    from_text = rasp_file_to_ir(text)
    assert not from_text.domain.implicit_bos and from_text.domain.max_len == 8
    from_json_ir = from_json(to_json(optimize(lift_checkpoint(run))))
    for program in (from_text, from_json_ir):
        assert Interpreter(program).run(cases["inputs"])["output"] == cases["predictions"]


def test_lifted_rasp_text_compiles_back_to_the_model(reference):
    run, cases, text, out = reference
    compiled = out / "recompiled.pt"
    save_compiled(assemble(optimize(rasp_file_to_ir(text))), compiled)
    for a, b in ((run, compiled), (text, compiled)):
        result = verify(a, b, max_len=5)
        assert result.equivalent and result.mode == "exhaustive" and result.inputs == 9331, (
            result.summary()
        )
    # and on the reference's own 2,000 cases, at every length the model takes
    from tpc.lift import load_model

    lifted_again = Interpreter(lift_checkpoint(compiled))
    assert lifted_again.run(cases["inputs"])["output"] == cases["predictions"]
    assert load_model(compiled).kind == "compiled"
