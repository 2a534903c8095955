"""The shared hist run at -O2: a refit readout of small whole numbers, a head named for what it
does, and still every prediction of the model (the benchmark checks all 335,923 inputs)."""

import json
import subprocess
import sys

from tpc.backends.python import load_module, to_python
from tpc.ir import Readout, from_json


def test_hist_at_O2_is_refit_to_small_whole_numbers_and_gives_every_prediction(shared_dir):
    run = shared_dir / "reference" / "hist"
    cases = json.loads((run / "cases.json").read_text())
    # The command itself, on a real standard output: the JSON must be all it holds (the
    # solver's banner goes to file descriptor 1), and stderr says what is slow.
    lift = subprocess.run(
        [sys.executable, "-m", "tpc.cli", "lift", str(run), "-O2", "--to", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "-O2: prune (proofs over every input of the domain" in lift.stderr
    program = from_json(lift.stdout)
    readout = next(n for n in program.nodes if isinstance(n, Readout))
    numbers = [
        *readout.bias,
        *(x for table in readout.scores for row in table.outputs() for x in row),
    ]
    assert all(float(x).is_integer() for x in numbers) and max(map(abs, numbers)) < 1000
    assert (
        "count_same_token" in readout.terms
        and program.origin_map["count_same_token"] == "L0.num_head1"
    )
    notes = dict(program.meta)["readout"]
    assert "refit to whole numbers" in notes and "exhaustive evaluation of 335923 inputs" in notes
    module = load_module(to_python(program), "hist_o2")
    assert [module.run(x) for x in cases["inputs"]] == cases["predictions"]
