"""Every ```rasp block in docs/language.md compiles (vocabulary a b c) and, unless it is in
model mode, runs on "abca" without error; every row of the precedence table gives the value
it shows."""

import json
import re
from pathlib import Path

from click.testing import CliRunner

from tpc.cli import main
from tpc.frontend import rasp_to_ir_checked
from tpc.interp import Interpreter

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"


def test_doc_examples_compile_and_run():
    blocks = re.findall(r"```rasp\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) >= 7
    for i, block in enumerate(blocks):
        # blocks that only build selectors get an output so that they form a program
        program, checks = rasp_to_ir_checked(
            block + "\nzz_doc_output = tokens;\n", f"language.md#{i}", "abc", 4
        )
        if "#!tpc model" not in block:
            interp = Interpreter(program)
            checks.check(interp, list("abca"))
            assert interp.run([list("abca")])


def test_precedence_table_rows(tmp_path):
    rows = re.findall(r"^\| \d+ \| .*? \| `(.*?)` \| `(.*?)` \|$", DOC.read_text(), re.M)
    assert len(rows) >= 10
    for expr, value in rows:
        prog = tmp_path / "row.rasp"
        prog.write_text(f"result = {expr};\n")
        r = CliRunner().invoke(main, ["run", str(prog), "--input", "abca", "--json"])
        assert r.exit_code == 0 and json.loads(r.output) == json.loads(value), (
            expr,
            r.output,
            value,
        )
