"""Long checks say what they are doing: one line per length on stderr; short ones in scripts
stay quiet; SMT checks stop at a default timeout."""

from __future__ import annotations

import io
import re
import sys

from click.testing import CliRunner

from tests.verify.programs import hist_program
from tpc.cli import main
from tpc.ir import to_json
from tpc.verify import progress, verify


def test_a_line_per_length_when_asked(tmp_path, capsys):
    result = verify(hist_program(max_len=3), hist_program(max_len=3), progress=True)
    assert result.equivalent
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"length {n}" for n in range(4)]
    line = re.compile(r"length \d+: [\d,]+ inputs checked \([\d.]+ s\)")
    assert all(line.fullmatch(text) for text in lines)


def test_short_checks_are_quiet_by_default_and_long_ones_report(tmp_path, monkeypatch):
    program = tmp_path / "p.json"
    program.write_text(to_json(hist_program(max_len=3)))
    quiet = CliRunner().invoke(main, ["verify", str(program), str(program)])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    asked = CliRunner().invoke(main, ["verify", str(program), str(program), "--progress"])
    assert asked.exit_code == 0 and asked.stderr.count("\n") == 4 and asked.stdout == quiet.stdout
    # more than PROGRESS_INPUTS inputs (40 here): reported without asking
    monkeypatch.setattr(progress, "PROGRESS_INPUTS", 39)
    long = CliRunner().invoke(main, ["verify", str(program), str(program)])
    assert long.exit_code == 0 and long.stderr.count("\n") == 4
    assert long.stderr.splitlines()[-1].startswith("length 3: 27 inputs checked")
    monkeypatch.setattr(progress, "PROGRESS_INPUTS", 40)
    assert CliRunner().invoke(main, ["verify", str(program), str(program)]).stderr == ""


def test_smt_has_a_default_timeout(tmp_path, monkeypatch):
    from tpc.verify import smt

    seen = {}

    def fake(a, b, **kwargs):
        seen.update(kwargs)
        return smt.SmtResult("a", "b", "unknown", 0, 1, 0.0, [], reason="no answer")

    monkeypatch.setattr(smt, "smt_verify", fake)
    program = tmp_path / "p.json"
    program.write_text(to_json(hist_program(max_len=3)))
    result = CliRunner().invoke(main, ["verify", str(program), str(program), "--method", "smt"])
    assert result.exit_code == 3 and seen["timeout"] == 600


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_bar_on_a_terminal_that_each_length_line_replaces(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(progress, "REDRAW_SECONDS", 0.0)
    assert verify(hist_program(max_len=3), hist_program(max_len=3), progress=None).equivalent
    shown = terminal.getvalue()
    # 1 + 3 + 9 + 27 inputs: a bar after each length's batch, then that length's line over it
    bars = re.findall(r"\r\[(#*) *\] ([\d,]+) / 40 inputs, length (\d)", shown)
    assert [(int(done), int(n)) for _, done, n in bars] == [(1, 0), (4, 1), (13, 2), (40, 3)]
    assert [len(filled) for filled, _, _ in bars] == [0, 3, 9, 30]
    lines = [part.split("\n")[0] for part in shown.split("\r\x1b[K")[1:]]
    assert [line.split(":")[0] for line in lines] == [f"length {n}" for n in range(4)]
    assert shown.endswith("\n") and "\x1b[K\n" not in shown
