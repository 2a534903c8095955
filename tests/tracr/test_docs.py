"""docs/tracr.md's examples run: the ```python blocks, and the `sort.py` file with the
commands shown beside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from tpc.cli import main

DOC = (Path(__file__).resolve().parents[2] / "docs" / "tracr.md").read_text()


def test_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", DOC, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "tracr.md", "exec"), {})


def test_the_program_file_and_its_commands(tmp_path):
    source = re.search(r"```\n# sort.py\n(.*?)```", DOC, re.S).group(1)
    path = tmp_path / "sort.py"
    path.write_text(source)
    runner = CliRunner()
    done = runner.invoke(main, ["run", str(path), "--input", "3 1 2", "--json"])
    assert (done.exit_code, json.loads(done.output)) == (0, [1, 2, 3])
    model = str(tmp_path / "sort.pt")
    assert runner.invoke(main, ["compile", str(path), "-o", model, "--stats"]).exit_code == 0
    checked = runner.invoke(main, ["verify", str(path), model])
    assert checked.output == "checked 364 inputs (exhaustive, lengths 0..5): equivalent\n"
    assert runner.invoke(main, ["emit", str(path), "--to", "rasp"]).exit_code == 0


def test_import_tracr_rasp_rasp_resolves(tmp_path):
    path = tmp_path / "p.py"
    path.write_text(
        "import tracr.rasp.rasp\nvocab = {1}\nmax_seq_len = 2\n"
        "program = tracr.rasp.rasp.Map(lambda x: x + 1, tracr.rasp.rasp.tokens)\n"
    )
    done = CliRunner().invoke(main, ["run", str(path), "--input", "1 1", "--json"])
    assert (done.exit_code, done.output) == (0, "[2, 2]\n")
